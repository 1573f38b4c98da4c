package reviewer

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/review/reviewtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// run starts a reviewer worker with r on a test broker holding one question
// and a submission reviewed already, and returns the broker and a reader
// of the review events.
func run(t *testing.T, r Reviewer) (*kafkatest.Cluster, *kafkatest.Reader[codementor.ReviewEvent]) {
	t.Helper()
	c := kafkatest.Start(t, 2, 0)
	kafkatest.Emit(c, goka.Stream(codementor.QuestionsTable), "q", &codementor.Question{ID: "q", Title: "Double It", Statement: "Print twice the number."})
	kafkatest.Emit(c, goka.Stream(codementor.SubmissionsTable), "reviewed",
		&codementor.Submission{ID: "reviewed", Status: codementor.StatusDone, Review: codementor.Review{Status: codementor.ReviewDone}})
	qs, subs := kafkatest.Views(c)
	cfg := DefaultConfig(2)
	cfg.FlushInterval = 50 * time.Millisecond
	cfg.QuestionWait = 300 * time.Millisecond
	w, err := NewWorker(r, cfg, qs, subs, kafkatest.Emitter[codementor.ReviewEvent](c, codementor.ReviewEvents),
		kafkatest.Emitter[codementor.DeadLetter](c, codementor.DeadLetters), quiet)
	if err != nil {
		t.Fatal(err)
	}
	qcfg := cfg.QueueConfig(c.Brokers, "test")
	qcfg.Poisoned = w.Poisoned
	q, err := queue.New(qcfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, w.Handle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("queue: %v", err)
		}
	})
	return c, kafkatest.Read[codementor.ReviewEvent](c, codementor.ReviewEvents)
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

// submit writes a review job of submission id for question into the queue.
func submit(c *kafkatest.Cluster, id, question string) {
	kafkatest.Emit(c, codementor.ReviewJobs, id, &codementor.ReviewJob{SubmissionID: id, QuestionID: question, Language: "python", Code: "print(2*int(input()))",
		Verdict: codementor.VerdictAccepted, TestCount: 1, Tests: []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted}}})
}

// events reads the events of submission id up to its finished one.
func events(t *testing.T, r *kafkatest.Reader[codementor.ReviewEvent], id string) []*codementor.ReviewEvent {
	t.Helper()
	var out []*codementor.ReviewEvent
	for {
		key, ev := r.Next(30 * time.Second)
		if key != id {
			t.Fatalf("event of %s, want %s: %+v", key, id, ev)
		}
		out = append(out, ev)
		if ev.Kind == codementor.ReviewFinished {
			return out
		}
	}
}

func TestReviewStreamsInDeltas(t *testing.T) {
	pieces := []string{"## Summary\nCorrect ", "and short.\n\n", "## Next steps\n- ", "Handle negative input.\n"}
	llm := reviewtest.New(t, reviewtest.Stream(pieces...).WithDelay(80*time.Millisecond))
	c, r := run(t, newReviewer(t, llm.URL, "sk-test"))
	submit(c, "s1", "q")

	evs := events(t, r, "s1")
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
	c, r := run(t, newReviewer(t, llm.URL, ""))
	submit(c, "s1", "q")
	evs := events(t, r, "s1")
	if len(evs) != 1 || evs[0].Kind != codementor.ReviewFinished || evs[0].Review.Status != codementor.ReviewSkipped ||
		evs[0].Review.Reason != ReviewsOffReason || strings.Contains(evs[0].Review.Reason, "OPENAI_API_KEY") {
		t.Fatalf("events %+v", evs)
	}
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("%d requests to the model without a key", n)
	}
}

func TestMissingQuestionAndPoisonFailCleanly(t *testing.T) {
	llm := reviewtest.New(t, reviewtest.Stream("fine"))
	c, r := run(t, newReviewer(t, llm.URL, "sk-test"))
	dead := kafkatest.Read[codementor.DeadLetter](c, codementor.DeadLetters)
	kafkatest.EmitRaw(c, codementor.ReviewJobs, "bad", []byte("{nope"))
	if _, dl := dead.Next(10 * time.Second); dl.Group != string(codementor.ReviewerGroup) || string(dl.Value) != "{nope" {
		t.Errorf("dead letter = %+v", dl)
	}
	submit(c, "s1", "gone")
	evs := events(t, r, "s1")
	if len(evs) != 1 || evs[0].Review == nil || evs[0].Review.Status != codementor.ReviewFailed || !strings.Contains(evs[0].Review.Reason, "gone") {
		t.Fatalf("events %+v", evs)
	}
	// A job of a submission reviewed already is skipped; the worker goes on.
	submit(c, "reviewed", "q")
	submit(c, "s2", "q")
	evs = events(t, r, "s2")
	if len(evs) < 2 || evs[len(evs)-1].Review == nil || evs[len(evs)-1].Review.Status != codementor.ReviewDone {
		t.Fatalf("after the poison message: %+v", evs)
	}
	if key, ev, ok := r.TryNext(time.Second); ok {
		t.Errorf("unexpected event of %s: %+v", key, ev)
	}
}

// TestStoppedReviewIsWrittenElsewhere stops a reviewer in the middle of a
// review: the job is released, and another reviewer writes it as a new
// attempt.
func TestStoppedReviewIsWrittenElsewhere(t *testing.T) {
	llm := reviewtest.New(t, reviewtest.Stream("## Summary\n", "Fine.\n").WithDelay(time.Second))
	c := kafkatest.Start(t, 1, 0)
	kafkatest.Emit(c, goka.Stream(codementor.QuestionsTable), "q", &codementor.Question{ID: "q", Title: "Double It"})
	qs, subs := kafkatest.Views(c)
	cfg := DefaultConfig(1)
	w, err := NewWorker(newReviewer(t, llm.URL, "sk-test"), cfg, qs, subs, kafkatest.Emitter[codementor.ReviewEvent](c, codementor.ReviewEvents),
		kafkatest.Emitter[codementor.DeadLetter](c, codementor.DeadLetters), quiet)
	if err != nil {
		t.Fatal(err)
	}
	start := func() (stop func()) {
		q, err := queue.New(cfg.QueueConfig(c.Brokers, "test"), quiet)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- q.Run(ctx, w.Handle) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("queue: %v", err)
			}
		}
	}
	stopFirst := start()
	submit(c, "s1", "q")
	r := kafkatest.Read[codementor.ReviewEvent](c, codementor.ReviewEvents)
	_, first := r.Next(30 * time.Second)
	if first.Kind != codementor.ReviewStarted {
		t.Fatalf("first event %+v", first)
	}
	stopFirst()
	t.Cleanup(start())
	var last *codementor.ReviewEvent
	attempts := map[string]bool{first.Attempt: true}
	for last == nil || last.Kind != codementor.ReviewFinished {
		_, last = r.Next(30 * time.Second)
		attempts[last.Attempt] = true
	}
	if last.Attempt == first.Attempt || last.Review.Status != codementor.ReviewDone || len(attempts) != 2 {
		t.Errorf("finished %+v after attempt %s (attempts %v)", last, first.Attempt, attempts)
	}
}

// TestConfig: settings left zero take the defaults; impossible ones are
// refused by NewWorker.
func TestConfig(t *testing.T) {
	if got := (Config{}).withDefaults(); got != DefaultConfig(1) {
		t.Errorf("zero config with defaults = %+v, want %+v", got, DefaultConfig(1))
	}
	if _, err := NewWorker(nil, Config{FlushBytes: -1}, nil, nil, nil, nil, nil); err == nil {
		t.Error("NewWorker took a negative FlushBytes")
	}
}
