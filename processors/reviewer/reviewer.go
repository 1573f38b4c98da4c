// Package reviewer asks the LLM for a review of every judged submission and
// streams it back as ReviewEvents: the attempt's start, the text in pieces
// while the model writes it, and the final review. It takes its jobs from
// the review-jobs queue (a share group, package queue), apart from the
// judge, so a slow or failing LLM never delays a verdict.
package reviewer

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/review"
)

// Reviewer writes reviews. *review.Reviewer implements it.
type Reviewer interface {
	// Model names the model that writes the reviews.
	Model() string
	// SkipReason is non-empty when reviews are off, and says why and how
	// to turn them on: for the operator, never shown to a learner.
	SkipReason() string
	// Review returns the final review of in (done or failed) within its own
	// deadline, passing each piece of text to text as it arrives.
	Review(ctx context.Context, in review.Input, text func(string)) codementor.Review
}

// ReviewsOffReason is the reason of a review skipped because reviews are off
// (Reviewer.SkipReason says why, to the operator).
const ReviewsOffReason = "not reviewed: reviews are off on this server"

// Config of the reviewer.
type Config struct {
	// Slots caps the reviews this instance writes at once.
	Slots int
	// FlushInterval and FlushBytes batch the text into delta events: every
	// delta rewrites the submission in its table, so a review is sent a few
	// times a second rather than once per token.
	FlushInterval time.Duration
	FlushBytes    int
	// QuestionWait bounds the wait for a job's question to reach this
	// instance's view of the questions table.
	QuestionWait time.Duration
}

// DefaultConfig returns the defaults for writing slots reviews at once.
func DefaultConfig(slots int) Config {
	return Config{Slots: slots, FlushInterval: 250 * time.Millisecond, FlushBytes: 2 << 10, QuestionWait: 30 * time.Second}
}

// withDefaults fills the settings left zero from DefaultConfig.
func (cfg Config) withDefaults() Config {
	d := DefaultConfig(1)
	cfg.Slots = cmp.Or(cfg.Slots, d.Slots)
	cfg.FlushInterval = cmp.Or(cfg.FlushInterval, d.FlushInterval)
	cfg.FlushBytes = cmp.Or(cfg.FlushBytes, d.FlushBytes)
	cfg.QuestionWait = cmp.Or(cfg.QuestionWait, d.QuestionWait)
	return cfg
}

// Validate reports settings no reviewer can work with.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.Slots < 1 {
		errs = append(errs, fmt.Errorf("reviewer: Slots must be at least 1, got %d", cfg.Slots))
	}
	if cfg.FlushInterval <= 0 || cfg.FlushBytes <= 0 {
		errs = append(errs, fmt.Errorf("reviewer: FlushInterval and FlushBytes must be positive, got %s and %d", cfg.FlushInterval, cfg.FlushBytes))
	}
	if cfg.QuestionWait <= 0 {
		errs = append(errs, fmt.Errorf("reviewer: QuestionWait must be positive, got %s", cfg.QuestionWait))
	}
	return errors.Join(errs...)
}

// QueueConfig is the reviewer's share group on brokers: a member per slot.
// A review cut short by a shutdown is not finished: its job is released at
// once and written again by another reviewer, as a new attempt.
func (cfg Config) QueueConfig(brokers []string, clientID string) queue.Config {
	return queue.Config{Brokers: brokers, Group: string(codementor.ReviewerGroup), Topic: string(codementor.ReviewJobs), Slots: cfg.Slots,
		ClientID: clientID}
}

// Tables are what the reviewer reads: *views.Questions and
// *views.Submissions implement them.
type (
	Questions interface {
		// Lookup returns a question, waiting up to within for it.
		Lookup(ctx context.Context, id string, within time.Duration) (*codementor.Question, error)
	}
	Submissions interface {
		Get(id string) (*codementor.Submission, error)
	}
)

// Worker reviews the jobs of the review-jobs queue.
type Worker struct {
	r           Reviewer
	cfg         Config
	questions   Questions
	submissions Submissions
	events      *emitters.ReviewEvents
	dead        *deadletter.Jobs
	log         *slog.Logger
}

// NewWorker returns a worker that reviews with r, looks questions up in qs,
// skips jobs whose submission subs shows reviewed already (a job delivered
// again), and writes to events and dead. Settings left zero take
// DefaultConfig's.
func NewWorker(r Reviewer, cfg Config, qs Questions, subs Submissions, events *emitters.ReviewEvents, dead *emitters.DeadLetters, log *slog.Logger) (*Worker, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Worker{r: r, cfg: cfg, questions: qs, submissions: subs, events: events, dead: deadletter.NewJobs(codementor.ReviewerGroup, dead, log), log: log}, nil
}

// Handle reviews one job of the queue, streaming the review as it is
// written. It returns Done once the final event is acknowledged, or Retry
// when cut short by a shutdown or when its events could not be written.
func (w *Worker) Handle(ctx context.Context, qj queue.Job) queue.Outcome {
	job, out := deadletter.Decode[codementor.ReviewJob](ctx, w.dead, qj)
	if job == nil {
		return out
	}
	if sub, err := w.submissions.Get(qj.Key); err == nil && (sub.Review.Final() || sub.Final()) {
		w.log.Info("job of a submission reviewed already: skipped", "submission", qj.Key, "delivery", qj.Delivery)
		return queue.Done
	}
	var acks emitters.Acks
	emit := func(ev *codementor.ReviewEvent) {
		ev.SubmissionID = qj.Key
		ev.At = time.Now().UTC()
		w.events.Send(&acks, qj.Key, ev)
	}
	finish := func(attempt string, r codementor.Review) queue.Outcome {
		metrics.Reviews.WithLabelValues(string(r.Status)).Inc()
		r.FinishedAt = time.Now().UTC()
		emit(&codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: attempt, Review: &r})
		out := queue.Written(ctx, qj, acks.Wait, w.log)
		w.log.Info("reviewed", "submission", qj.Key, "status", r.Status, "delivery", qj.Delivery, "written", out == queue.Done)
		return out
	}
	if w.r.SkipReason() != "" {
		// How to turn reviews on is for the operator, who finds it in the
		// log and /readyz: the learner reads only that there is no review.
		return finish("", codementor.Review{Status: codementor.ReviewSkipped, Reason: ReviewsOffReason})
	}
	q, err := w.questions.Lookup(ctx, job.QuestionID, w.cfg.QuestionWait)
	switch {
	case ctx.Err() != nil:
		return queue.Retry
	case err != nil:
		return finish("", codementor.Review{Status: codementor.ReviewFailed, Reason: fmt.Sprintf("The review could not be written: question %q does not exist.", job.QuestionID)})
	}

	attempt := newAttempt()
	emit(&codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: attempt, Model: w.r.Model()})
	in := review.Input{
		Title: q.Title, Statement: q.Statement, Language: job.Language, Code: job.Code, Verdict: job.Verdict,
		TestCount: job.TestCount, Tests: job.Tests, CompileOutput: job.CompileOutput,
	}
	began := time.Now()
	res := w.stream(ctx, in, func(offset int, text string) {
		emit(&codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: attempt, Offset: offset, Text: text})
	})
	if ctx.Err() != nil {
		// Cut short by a shutdown: another reviewer writes it anew, as a new
		// attempt whose start replaces this one's text.
		w.log.Info("review interrupted by the shutdown; job released", "submission", qj.Key)
		return queue.Retry
	}
	metrics.StageSeconds.WithLabelValues(metrics.StageReview).Observe(time.Since(began).Seconds())
	return finish(attempt, res)
}

// Poisoned ends a review job delivered too often without a result: the
// review fails with a reason and the job goes to the dead-letter topic.
func (w *Worker) Poisoned(ctx context.Context, qj queue.Job) queue.Outcome {
	var acks emitters.Acks
	w.events.Send(&acks, qj.Key, &codementor.ReviewEvent{SubmissionID: qj.Key, Kind: codementor.ReviewFinished, At: time.Now().UTC(),
		Review: &codementor.Review{Status: codementor.ReviewFailed, FinishedAt: time.Now().UTC(),
			Reason: fmt.Sprintf("The review could not be written: it failed %d times.", qj.Delivery)}})
	return w.dead.Poisoned(ctx, &acks, qj)
}

// stream runs the review in its own goroutine and passes its text to delta
// from the callback's goroutine, where goka's context may be used: the first
// piece at once, so the learner sees the review begin, then in batches
// (FlushInterval or FlushBytes, whichever comes first).
func (w *Worker) stream(ctx context.Context, in review.Input, delta func(offset int, text string)) codementor.Review {
	pieces := make(chan string, 64)
	done := make(chan codementor.Review, 1)
	go func() { done <- w.r.Review(ctx, in, func(s string) { pieces <- s }) }()

	var buf strings.Builder
	offset := 0
	var last time.Time // of the last flush; the first piece goes out at once
	flush := func() {
		if buf.Len() == 0 {
			return
		}
		delta(offset, buf.String())
		offset += buf.Len()
		buf.Reset()
		last = time.Now()
	}
	tick := time.NewTicker(w.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case s := <-pieces:
			buf.WriteString(s)
			if buf.Len() >= w.cfg.FlushBytes || time.Since(last) >= w.cfg.FlushInterval {
				flush()
			}
		case <-tick.C:
			flush()
		case res := <-done:
			// Every piece was queued before Review returned.
			for len(pieces) > 0 {
				buf.WriteString(<-pieces)
			}
			flush()
			return res
		}
	}
}

func newAttempt() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // never happens on Linux
	}
	return hex.EncodeToString(b[:])
}
