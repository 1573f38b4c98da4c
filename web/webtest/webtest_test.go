package webtest_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
	"github.com/codementor/codementor/web"
	"github.com/codementor/codementor/web/webtest"
)

// The fakes stand in for what the web tier reads and writes through.
var (
	_ web.SubmissionView    = (*webtest.Submissions)(nil)
	_ web.QuestionView      = (*webtest.Questions)(nil)
	_ web.RuntimeView       = (*webtest.Runtimes)(nil)
	_ web.LearnerView       = (*webtest.Learners)(nil)
	_ web.SubmissionEmitter = (*webtest.SubmissionEmitter)(nil)
	_ web.QuestionEmitter   = (*webtest.QuestionEmitter)(nil)
	_ web.ContestView       = (*webtest.Contests)(nil)
	_ web.ContestEmitter    = (*webtest.ContestEmitter)(nil)
	_ web.StandingView      = (*webtest.Standings)(nil)
)

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// An emitted request is queued as the tracker queues it, once, and is in
// flight until its verdict; every state is published to the subscribers.
func TestPipelineQueuesAndPublishes(t *testing.T) {
	p := webtest.New()
	p.SubmissionEmitter.Now = func() time.Time { return t0.Add(time.Second) }
	alice := p.Submissions.SubscribeUser("alice")
	defer p.Submissions.Unsubscribe(alice)
	r := &codementor.SubmissionRequest{ID: "s1", User: "alice", QuestionID: "q", Language: "python", Code: "print(1)", CreatedAt: t0}
	ctx := context.Background()
	if err := p.SubmissionEmitter.Emit(ctx, r.ID, r); err != nil {
		t.Fatal(err)
	}
	want := codementor.NewSubmission(r, t0.Add(time.Second))
	got, err := p.Submissions.Get("s1")
	if err != nil || got.Status != codementor.StatusQueued || got.Version != 1 || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Fatalf("Get(s1) = %+v, %v; want %+v", got, err, want)
	}
	if x := <-alice.C; x.ID != "s1" || x.Version != 1 {
		t.Errorf("published %s version %d, want s1 version 1", x.ID, x.Version)
	}
	if ids, _ := p.Learners.InFlight("alice"); !slices.Equal(ids, []string{"s1"}) {
		t.Errorf("InFlight(alice) = %v, want [s1]", ids)
	}

	// A redelivered request changes nothing.
	got.Status, got.Version = codementor.StatusRunning, 2
	p.Submissions.Put(got)
	if err := p.SubmissionEmitter.Emit(ctx, r.ID, r); err != nil {
		t.Fatal(err)
	}
	if now, _ := p.Submissions.Get("s1"); now.Version != 2 {
		t.Errorf("a redelivered request reset s1 to version %d", now.Version)
	}
	if n := len(p.SubmissionEmitter.Requests()); n != 2 {
		t.Errorf("%d requests recorded, want 2", n)
	}

	got.Verdict, got.Version = codementor.VerdictAccepted, 3
	p.Submissions.Put(got)
	if ids, _ := p.Learners.InFlight("alice"); len(ids) != 0 {
		t.Errorf("InFlight(alice) = %v after the verdict, want none", ids)
	}
	if ids := p.Submissions.UserSubmissions("alice"); !slices.Equal(ids, []string{"s1"}) {
		t.Errorf("UserSubmissions(alice) = %v, want [s1]", ids)
	}
}

func TestReads(t *testing.T) {
	p := webtest.New()
	if _, err := p.Questions.Get("nope"); !errors.Is(err, views.ErrNotFound) {
		t.Errorf("Get of a missing question: %v, want ErrNotFound", err)
	}
	q := &codementor.Question{ID: "b", Title: "B"}
	p.Questions.Put(q)
	q.Title = "changed after the put"
	if got, _ := p.Questions.Get("b"); got.Title != "B" {
		t.Errorf("the view holds the caller's value: title %q", got.Title)
	}
	if err := p.QuestionEmitter.Emit(context.Background(), "a", &codementor.Question{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	list, _ := p.Questions.List()
	if len(list) != 2 || list[0].ID != "a" || list[1].ID != "b" {
		t.Errorf("List = %v, want a, b", list)
	}

	// Lookup waits for a put, up to its bound.
	go func() {
		time.Sleep(20 * time.Millisecond)
		p.Submissions.Put(&codementor.Submission{ID: "late", User: "bob"})
	}()
	if _, err := p.Submissions.Lookup(context.Background(), "late", 5*time.Second); err != nil {
		t.Errorf("Lookup(late) = %v", err)
	}
	if _, err := p.Submissions.Lookup(context.Background(), "never", 10*time.Millisecond); !errors.Is(err, views.ErrNotFound) {
		t.Errorf("Lookup(never) = %v, want ErrNotFound", err)
	}

	boom := errors.New("brokers down")
	p.QuestionEmitter.Fail(boom)
	if err := p.QuestionEmitter.Emit(context.Background(), "c", &codementor.Question{ID: "c"}); !errors.Is(err, boom) {
		t.Errorf("Emit after Fail = %v, want %v", err, boom)
	}
}
