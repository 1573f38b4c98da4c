// Package reviewer is the stateless processor group that asks the LLM for a
// review of every judged submission and streams it back as ReviewEvents:
// the attempt's start, the text in pieces while the model writes it, and the
// final review. It runs apart from the judge, on its own topics, so a slow or
// failing LLM never delays a verdict or stalls the judge's partitions.
package reviewer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/processors/lookup"
	"github.com/codementor/codementor/review"
)

// Group is the reviewer's consumer group.
const Group = codementor.ReviewerGroup

// Reviewer writes reviews. *review.Reviewer implements it.
type Reviewer interface {
	// Model names the model that writes the reviews.
	Model() string
	// SkipReason is non-empty when reviews are off, and says why.
	SkipReason() string
	// Review returns the final review of in (done or failed) within its own
	// deadline, passing each piece of text to text as it arrives.
	Review(ctx context.Context, in review.Input, text func(string)) codementor.Review
}

// Config of the reviewer group.
type Config struct {
	// MaxConcurrent caps the reviews this instance writes at once.
	MaxConcurrent int
	// SlotWait bounds the wait for a free slot; a review that waits longer
	// fails. Holders free a slot within the review deadline, so the wait is
	// reached only if the LLM keeps every slot busy for that long.
	SlotWait time.Duration
	// FlushInterval and FlushBytes batch the text into delta events: every
	// delta rewrites the submission in its table, so a review is sent a few
	// times a second rather than once per token.
	FlushInterval time.Duration
	FlushBytes    int
}

// DefaultConfig returns the defaults for writing maxConcurrent reviews at
// once.
func DefaultConfig(maxConcurrent int) Config {
	return Config{MaxConcurrent: maxConcurrent, SlotWait: 60 * time.Second, FlushInterval: 250 * time.Millisecond, FlushBytes: 2 << 10}
}

// Graph returns the reviewer's group graph.
func Graph(r Reviewer, cfg Config, log *slog.Logger) *goka.GroupGraph {
	rv := &reviewer{r: r, cfg: cfg, log: log, slots: make(chan struct{}, max(cfg.MaxConcurrent, 1))}
	return goka.DefineGroup(Group,
		goka.Input(codementor.ReviewJobs, new(codec.Bytes), rv.job),
		// Jobs handed back come round again through the loopback stream.
		goka.Loop(new(codec.Bytes), rv.job),
		goka.Lookup(codementor.QuestionsTable, new(codementor.QuestionCodec)),
		goka.Output(codementor.ReviewEvents, new(codementor.ReviewEventCodec)),
		deadletter.Output(),
	)
}

type reviewer struct {
	r     Reviewer
	cfg   Config
	log   *slog.Logger
	slots chan struct{}
}

func (rv *reviewer) job(ctx goka.Context, msg any) {
	v, err := new(codementor.ReviewJobCodec).Decode(msg.([]byte))
	if err != nil {
		deadletter.Send(ctx, Group, msg.([]byte), err, rv.log)
		return
	}
	job := v.(*codementor.ReviewJob)
	emit := func(ev *codementor.ReviewEvent) {
		ev.SubmissionID = ctx.Key()
		ev.At = time.Now().UTC()
		ctx.Emit(codementor.ReviewEvents, ctx.Key(), ev)
	}
	finish := func(attempt string, r codementor.Review) {
		metrics.Reviews.WithLabelValues(r.Status).Inc()
		r.FinishedAt = time.Now().UTC()
		emit(&codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: attempt, Review: &r})
	}
	if reason := rv.r.SkipReason(); reason != "" {
		finish("", codementor.Review{Status: codementor.ReviewSkipped, Reason: reason})
		return
	}
	q, behind := lookup.Question(ctx, job.QuestionID, &job.Retries)
	if behind {
		b, err := new(codementor.ReviewJobCodec).Encode(job)
		if err != nil {
			panic(fmt.Sprintf("encode a review job: %v", err)) // a plain struct always encodes
		}
		ctx.Loopback(ctx.Key(), b)
		rv.log.Warn("question not in the lookup table yet; review job handed back", "submission", ctx.Key(), "question", job.QuestionID, "retries", job.Retries)
		return
	}
	if q == nil {
		finish("", codementor.Review{Status: codementor.ReviewFailed, Reason: fmt.Sprintf("The review could not be written: question %q does not exist.", job.QuestionID)})
		return
	}

	// The work must not end with goka's session on its own: a callback that
	// returned early would have its message committed and the review would
	// never finish. When the session ends (a rebalance moves the partition,
	// or the process stops) the review is cut short and its job handed back
	// through the loopback stream, for whoever owns the partition next (the
	// message is committed only once that is acknowledged); otherwise the
	// reviewer's own deadline bounds the work.
	session := ctx.Context()
	work, stop := context.WithCancel(context.WithoutCancel(session))
	defer stop()
	defer context.AfterFunc(session, stop)()
	handBack := func() {
		ctx.Loopback(ctx.Key(), msg.([]byte))
		rv.log.Info("review interrupted by the end of the session; job handed back", "key", ctx.Key())
	}

	wait, cancel := context.WithTimeout(work, rv.cfg.SlotWait)
	defer cancel()
	select {
	case rv.slots <- struct{}{}:
	case <-wait.Done():
		if session.Err() != nil {
			handBack()
			return
		}
		finish("", codementor.Review{Status: codementor.ReviewFailed, Reason: fmt.Sprintf("The review could not be written: every reviewer was busy for %s.", rv.cfg.SlotWait)})
		return
	}
	defer func() { <-rv.slots }()

	attempt := newAttempt()
	emit(&codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: attempt, Model: rv.r.Model()})
	in := review.Input{
		Title: q.Title, Statement: q.Statement, Language: job.Language, Code: job.Code, Verdict: job.Verdict,
		TestCount: job.TestCount, Tests: job.Tests, CompileOutput: job.CompileOutput,
	}
	began := time.Now()
	res := rv.stream(work, in, func(offset int, text string) {
		emit(&codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: attempt, Offset: offset, Text: text})
	})
	if session.Err() != nil {
		handBack()
		return
	}
	metrics.StageSeconds.WithLabelValues(metrics.StageReview).Observe(time.Since(began).Seconds())
	finish(attempt, res)
}

// stream runs the review in its own goroutine and passes its text to delta
// from the callback's goroutine, where goka's context may be used: the first
// piece at once, so the learner sees the review begin, then in batches
// (FlushInterval or FlushBytes, whichever comes first).
func (rv *reviewer) stream(ctx context.Context, in review.Input, delta func(offset int, text string)) codementor.Review {
	pieces := make(chan string, 64)
	done := make(chan codementor.Review, 1)
	go func() { done <- rv.r.Review(ctx, in, func(s string) { pieces <- s }) }()

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
	tick := time.NewTicker(rv.cfg.FlushInterval)
	defer tick.Stop()
	for {
		select {
		case s := <-pieces:
			buf.WriteString(s)
			if buf.Len() >= rv.cfg.FlushBytes || time.Since(last) >= rv.cfg.FlushInterval {
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
