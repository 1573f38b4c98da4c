package tracker

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
)

// run starts the tracker on a goka tester and returns it with a tracker of
// the jobs it emits.
func run(t *testing.T) (*tester.Tester, *tester.QueueTracker) {
	t.Helper()
	tt := tester.New(t)
	p, err := goka.NewProcessor(nil, Graph(slog.New(slog.NewTextHandler(io.Discard, nil))), goka.WithTester(tt))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("processor: %v", err)
		}
	})
	return tt, tt.NewQueueTracker(string(codementor.RunJobs))
}

func raw(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func state(tt *tester.Tester, id string) *codementor.Submission {
	v := tt.TableValue(Table, id)
	if v == nil {
		return nil
	}
	return v.(*codementor.Submission)
}

func TestSubmissionLifecycle(t *testing.T) {
	tt, jobs := run(t)
	req := &codementor.SubmissionRequest{ID: "s1", User: "alice", QuestionID: "a-plus-b", Language: "python", Code: "print(3)", CreatedAt: time.Now()}
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))

	s := state(tt, "s1")
	if s == nil || s.Status != codementor.StatusQueued || s.Version != 1 || s.User != "alice" || s.Review.Status != codementor.ReviewSkipped {
		t.Fatalf("after request: %+v", s)
	}
	key, v, ok := jobs.Next()
	if !ok || key != "s1" || v.(*codementor.Job).Code != "print(3)" {
		t.Fatalf("job = %v %v %v", key, v, ok)
	}

	// A redelivered request while queued re-emits the job but changes nothing.
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))
	if s := state(tt, "s1"); s.Version != 1 {
		t.Errorf("redelivered request changed the state: %+v", s)
	}
	if _, _, ok := jobs.Next(); !ok {
		t.Error("redelivered request while queued did not re-emit the job")
	}

	ev := func(e codementor.RunEvent) { tt.Consume(string(codementor.RunEvents), "s1", raw(t, e)) }
	ev(codementor.RunEvent{Kind: codementor.RunStarted, TestCount: 2})
	if s := state(tt, "s1"); s.Status != codementor.StatusRunning || s.TestCount != 2 || s.Version != 2 || s.Tests == nil {
		t.Fatalf("after started: %+v", s)
	}
	t1 := codementor.TestResult{Index: 1, Verdict: codementor.VerdictAccepted}
	t0 := codementor.TestResult{Index: 0, Verdict: codementor.VerdictAccepted}
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t1})
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t0})
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t0}) // redelivered
	s = state(tt, "s1")
	if len(s.Tests) != 2 || s.Tests[0].Index != 0 || s.Tests[1].Index != 1 || s.Version != 4 {
		t.Fatalf("after tests: %+v", s)
	}
	ev(codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictAccepted, TestCount: 2, Tests: []codementor.TestResult{t0, t1}})
	s = state(tt, "s1")
	if s.Status != codementor.StatusDone || s.Verdict != codementor.VerdictAccepted || s.Version != 5 {
		t.Fatalf("after finished: %+v", s)
	}

	// Once final, nothing changes it: not a rerun's events, not a duplicate
	// request, not a different verdict.
	ev(codementor.RunEvent{Kind: codementor.RunStarted, TestCount: 2})
	ev(codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictWrongAnswer})
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))
	if got := state(tt, "s1"); got.Version != 5 || got.Verdict != codementor.VerdictAccepted || got.Status != codementor.StatusDone {
		t.Errorf("final state changed: %+v", got)
	}
	if _, _, ok := jobs.Next(); ok {
		t.Error("a request for a final submission emitted a job")
	}
}

func TestInternalErrorFails(t *testing.T) {
	tt, _ := run(t)
	tt.Consume(string(codementor.SubmissionRequests), "s2", raw(t, codementor.SubmissionRequest{ID: "s2", User: "bob", QuestionID: "q", Language: "c", Code: "x"}))
	tt.Consume(string(codementor.RunEvents), "s2", raw(t, codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictInternalError, Error: "boom"}))
	if s := state(tt, "s2"); s.Status != codementor.StatusFailed || s.Error != "boom" {
		t.Errorf("state = %+v, want failed with the error", s)
	}
}

func TestPoisonMessagesAreSkipped(t *testing.T) {
	tt, jobs := run(t)
	tt.Consume(string(codementor.SubmissionRequests), "bad", []byte("{not json"))
	tt.Consume(string(codementor.RunEvents), "bad", []byte("\x00\x01"))
	tt.Consume(string(codementor.RunEvents), "nobody", raw(t, codementor.RunEvent{Kind: codementor.RunStarted}))
	if state(tt, "bad") != nil || state(tt, "nobody") != nil {
		t.Error("undecodable or orphan messages created state")
	}
	// The processor still works after them.
	tt.Consume(string(codementor.SubmissionRequests), "ok", raw(t, codementor.SubmissionRequest{ID: "ok", User: "u", QuestionID: "q", Language: "c", Code: "x"}))
	if state(tt, "ok") == nil {
		t.Fatal("processor stopped after a poison message")
	}
	if key, _, _ := jobs.Next(); key != "ok" {
		t.Errorf("job key = %q", key)
	}
}

func TestApplyIgnoresUnknownKinds(t *testing.T) {
	cur := &codementor.Submission{Status: codementor.StatusQueued, Version: 1}
	if Apply(cur, &codementor.RunEvent{Kind: "weird"}, time.Now()) != nil {
		t.Error("unknown event kind changed the state")
	}
	if Apply(cur, &codementor.RunEvent{Kind: codementor.RunTest}, time.Now()) != nil {
		t.Error("a test event without a test changed the state")
	}
}
