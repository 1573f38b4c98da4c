package reviewer

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/processors/lookup"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/review/reviewtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// run starts the reviewer with r on a goka tester, with one question in the
// questions table, and returns the tester and a tracker of its events.
func run(t *testing.T, r Reviewer) (*tester.Tester, *tester.QueueTracker) {
	t.Helper()
	tt := tester.New(t)
	cfg := DefaultConfig(2)
	cfg.FlushInterval = 50 * time.Millisecond
	p, err := goka.NewProcessor(nil, Graph(r, cfg, quiet), goka.WithTester(tt))
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
	tt.SetTableValue(codementor.QuestionsTable, "q", &codementor.Question{ID: "q", Title: "Double It", Statement: "Print twice the number."})
	return tt, tt.NewQueueTracker(string(codementor.ReviewEvents))
}

func newReviewer(t *testing.T, baseURL, key string) *review.Reviewer {
	t.Helper()
	cfg := review.DefaultConfig()
	cfg.APIKey = key
	cfg.BaseURL = baseURL
	cfg.Timeout = 5 * time.Second
	cfg.StallTimeout = 2 * time.Second
	r, err := review.New(cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func job(t *testing.T, question string) []byte {
	t.Helper()
	b, err := json.Marshal(codementor.ReviewJob{SubmissionID: "s1", QuestionID: question, Language: "python", Code: "print(2*int(input()))",
		Verdict: codementor.VerdictAccepted, TestCount: 1, Tests: []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func events(q *tester.QueueTracker) []*codementor.ReviewEvent {
	var out []*codementor.ReviewEvent
	for {
		_, v, ok := q.Next()
		if !ok {
			return out
		}
		out = append(out, v.(*codementor.ReviewEvent))
	}
}

func TestReviewStreamsInDeltas(t *testing.T) {
	pieces := []string{"## Summary\nCorrect ", "and short.\n\n", "## Next steps\n- ", "Handle negative input.\n"}
	llm := reviewtest.New(t, reviewtest.Stream(pieces...).WithDelay(80*time.Millisecond))
	tt, q := run(t, newReviewer(t, llm.URL, "sk-test"))
	tt.Consume(string(codementor.ReviewJobs), "s1", job(t, "q"))

	evs := events(q)
	if len(evs) < 4 {
		t.Fatalf("%d events, want started, at least 2 deltas, finished", len(evs))
	}
	first, last := evs[0], evs[len(evs)-1]
	if first.Kind != codementor.ReviewStarted || first.Attempt == "" || first.Model != review.DefaultModel || first.SubmissionID != "s1" {
		t.Fatalf("first event %+v", first)
	}
	var text strings.Builder
	for _, ev := range evs[1 : len(evs)-1] {
		if ev.Kind != codementor.ReviewDelta || ev.Attempt != first.Attempt || ev.Offset != text.Len() {
			t.Fatalf("delta %+v at offset %d", ev, text.Len())
		}
		text.WriteString(ev.Text)
	}
	want := strings.Join(pieces, "")
	if text.String() != want {
		t.Errorf("deltas make %q, want %q", text.String(), want)
	}
	if last.Kind != codementor.ReviewFinished || last.Attempt != first.Attempt || last.Review == nil ||
		last.Review.Status != codementor.ReviewDone || last.Review.Text != want || last.Review.FinishedAt.IsZero() ||
		last.Review.Parts == nil || len(last.Review.Parts.NextSteps) != 1 {
		t.Errorf("last event %+v (review %+v)", last, last.Review)
	}
}

func TestReviewSkippedWithoutKey(t *testing.T) {
	llm := reviewtest.New(t, reviewtest.Stream("never"))
	tt, q := run(t, newReviewer(t, llm.URL, ""))
	tt.Consume(string(codementor.ReviewJobs), "s1", job(t, "q"))
	evs := events(q)
	if len(evs) != 1 || evs[0].Kind != codementor.ReviewFinished || evs[0].Review.Status != codementor.ReviewSkipped ||
		!strings.Contains(evs[0].Review.Reason, "OPENAI_API_KEY") {
		t.Fatalf("events %+v", evs)
	}
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("%d requests to the model without a key", n)
	}
}

func TestMissingQuestionAndPoisonFailCleanly(t *testing.T) {
	lookup.Retries, lookup.Wait = 2, 0
	llm := reviewtest.New(t, reviewtest.Stream("fine"))
	tt, q := run(t, newReviewer(t, llm.URL, "sk-test"))
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	tt.Consume(string(codementor.ReviewJobs), "bad", []byte("{nope"))
	if _, v, ok := dead.Next(); !ok || v.(*codementor.DeadLetter).Group != string(Group) || string(v.(*codementor.DeadLetter).Value) != "{nope" {
		t.Errorf("dead letter = %+v, %v", v, ok)
	}
	tt.Consume(string(codementor.ReviewJobs), "s1", job(t, "gone"))
	evs := events(q)
	if len(evs) != 1 || evs[0].Review == nil || evs[0].Review.Status != codementor.ReviewFailed || !strings.Contains(evs[0].Review.Reason, "gone") {
		t.Fatalf("events %+v", evs)
	}
	// The processor still works.
	tt.Consume(string(codementor.ReviewJobs), "s1", job(t, "q"))
	evs = events(q)
	if len(evs) < 2 || evs[len(evs)-1].Review == nil || evs[len(evs)-1].Review.Status != codementor.ReviewDone {
		t.Fatalf("after the poison message: %+v", evs)
	}
}

func TestHandedBackJobsAreReviewed(t *testing.T) {
	llm := reviewtest.New(t, reviewtest.Stream("## Summary\nFine.\n"))
	tt, q := run(t, newReviewer(t, llm.URL, "sk-test"))
	tt.Consume(string(codementor.ReviewerLoop), "s1", job(t, "q"))
	evs := events(q)
	if len(evs) == 0 || evs[len(evs)-1].Review == nil || evs[len(evs)-1].Review.Status != codementor.ReviewDone {
		t.Fatalf("a job from the loopback stream: %+v", evs)
	}
}
