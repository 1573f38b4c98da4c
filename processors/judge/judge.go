// Package judge runs the slow step: it compiles a submission once, runs it
// against every test of its question in the sandbox, checks each output, and
// emits the progress as RunEvents. It takes its jobs from the run-jobs queue
// (a share group, package queue), one per judging slot, and keeps no state:
// capacity is the slots of every instance, not the partition count, and a
// slow submission holds up nobody else.
package judge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/checker"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/sandbox"
)

// Group is the judge's share group.
const Group = codementor.JudgeGroup

// Runner compiles programs. The sandbox package implements it.
type Runner interface {
	Compile(ctx context.Context, src sandbox.Source) (Program, error)
}

// Program is a compiled submission, ready to run against tests.
type Program interface {
	Run(ctx context.Context, stdin []byte, lim sandbox.Limits) (sandbox.Execution, error)
	Close() error
}

// Sandboxed adapts a *sandbox.Sandbox to Runner.
type Sandboxed struct{ *sandbox.Sandbox }

// Compile implements Runner.
func (s Sandboxed) Compile(ctx context.Context, src sandbox.Source) (Program, error) {
	p, err := s.Sandbox.Compile(ctx, src)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Config of the judge.
type Config struct {
	// Slots caps the submissions judged at once by this instance; the rest
	// wait in Kafka.
	Slots int
	// JobTimeout bounds one submission's judging, compile included.
	JobTimeout time.Duration
	// OutputLimit caps a program's standard output per test.
	OutputLimit int
	// QuestionWait bounds the wait for a job's question to reach this
	// instance's view of the questions table (it was just written, or the
	// view is catching up); after it the job fails.
	QuestionWait time.Duration
	// PreemptAfter: when every slot is busy and a learner with nothing
	// running waits, a job whose current test has run this long is
	// stopped and goes to the end of the queue (once per job); 0 never
	// preempts. See fairSlots.
	PreemptAfter time.Duration
}

// DefaultConfig returns the defaults for judging slots submissions at once
// (by default, one per core).
func DefaultConfig(slots int) Config {
	return Config{Slots: slots, JobTimeout: 45 * time.Second, OutputLimit: 64 << 10, QuestionWait: 30 * time.Second,
		PreemptAfter: DefaultPreemptAfter}
}

// DefaultPreemptAfter is long for a test (a test of a typical program takes
// milliseconds; a sleeping or spinning one, up to its limit) and short for
// a learner who waits.
const DefaultPreemptAfter = 300 * time.Millisecond

// QueueConfig is the judge's share group on brokers: a member per slot and
// a few spares, whose jobs wait for a slot; on shutdown the jobs in hand
// finish (within their own timeout).
func (cfg Config) QueueConfig(brokers []string, clientID string) queue.Config {
	return queue.Config{Brokers: brokers, Group: string(Group), Topic: string(codementor.RunJobs), Slots: cfg.Slots, Spares: spares(cfg.Slots),
		ClientID: clientID, Drain: cfg.JobTimeout + 5*time.Second}
}

// Tables are what the judge reads: *views.Questions and *views.Submissions
// implement them.
type (
	Questions interface {
		// Lookup returns a question, waiting up to within for it.
		Lookup(ctx context.Context, id string, within time.Duration) (*codementor.Question, error)
	}
	Submissions interface {
		Get(id string) (*codementor.Submission, error)
	}
)

// Worker judges the jobs of the run-jobs queue.
type Worker struct {
	runner      Runner
	cfg         Config
	questions   Questions
	submissions Submissions
	events      *emitters.RunEvents
	dead        *emitters.DeadLetters
	log         *slog.Logger
	fair        *fairSlots
}

// NewWorker returns a worker that judges with r, looks questions up in qs,
// skips jobs whose submission subs shows judged already (a job delivered
// again), and writes to events and dead.
func NewWorker(r Runner, cfg Config, qs Questions, subs Submissions, events *emitters.RunEvents, dead *emitters.DeadLetters, log *slog.Logger) *Worker {
	return &Worker{runner: r, cfg: cfg, questions: qs, submissions: subs, events: events, dead: dead, log: log, fair: newFairSlots(cfg.Slots, cfg.PreemptAfter)}
}

// Handle judges one job of the queue. It returns once every event is
// acknowledged by the brokers (Done), or Retry if it was cut short by a
// shutdown or its events could not be written: the job then comes round
// again.
func (w *Worker) Handle(ctx context.Context, qj queue.Job) queue.Outcome {
	v, err := new(codementor.JobCodec).Decode(qj.Value)
	if err != nil {
		return w.deadLetter(ctx, qj, err)
	}
	job := v.(*codementor.Job)
	if sub, err := w.submissions.Get(qj.Key); err == nil && (sub.Verdict != "" || sub.Final()) {
		w.log.Info("job of a submission judged already: skipped", "submission", qj.Key, "delivery", qj.Delivery)
		return queue.Done
	}
	// A preemption ends the job's work, not its handling.
	pctx, preempt := context.WithCancel(ctx)
	defer preempt()
	s, out := w.fair.take(ctx, job.User, qj.Yielded, preempt)
	if s == nil {
		return out
	}
	defer s.release()
	var acks emitters.Acks
	emit := func(ev *codementor.RunEvent) {
		if ev.Kind != codementor.RunFinished && !s.testing() {
			return // preempted: this run's progress no longer counts
		}
		ev.SubmissionID = qj.Key
		ev.At = time.Now().UTC()
		w.events.Send(&acks, qj.Key, ev)
	}
	q, err := w.questions.Lookup(ctx, job.QuestionID, w.cfg.QuestionWait)
	switch {
	case ctx.Err() != nil:
		return queue.Retry
	case err != nil:
		emit(&codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictInternalError, Error: err.Error()})
		return queue.Written(ctx, qj, acks.Wait, w.log)
	}
	metrics.StageSeconds.WithLabelValues(metrics.StageQueued).Observe(time.Since(qj.Timestamp).Seconds())

	work, cancel := context.WithTimeout(pctx, w.cfg.JobTimeout)
	defer cancel()
	start := time.Now()
	final := Judge(work, w.runner, q, job, w.cfg.OutputLimit, emit)
	switch {
	case ctx.Err() != nil:
		// Stopped mid-way: what was not run is not a verdict.
		w.log.Warn("judging cut short by the shutdown; the job comes round again", "submission", qj.Key)
		return queue.Retry
	case !s.finish():
		w.log.Info("judging preempted for a learner with nothing running; the job goes to the end of the queue",
			"submission", qj.Key, "after", time.Since(start))
		return queue.Yielded
	}
	emit(final)
	w.log.Info("judged", "submission", qj.Key, "question", q.ID, "language", job.Language,
		"verdict", final.Verdict, "tests", len(final.Tests), "took", time.Since(start), "delivery", qj.Delivery)
	return queue.Written(ctx, qj, acks.Wait, w.log)
}

// Poisoned ends a job delivered too often without a result (it took its
// judge down, or its events could never be written, every time): the
// submission fails with an internal error and the job goes to the
// dead-letter topic.
func (w *Worker) Poisoned(ctx context.Context, qj queue.Job) queue.Outcome {
	var acks emitters.Acks
	w.events.Send(&acks, qj.Key, &codementor.RunEvent{SubmissionID: qj.Key, Kind: codementor.RunFinished, At: time.Now().UTC(),
		Verdict: codementor.VerdictInternalError, Error: fmt.Sprintf("judging this submission failed %d times; it was set aside", qj.Delivery)})
	deadletter.SendJob(w.dead, &acks, string(Group), qj, fmt.Errorf("delivered %d times without a result", qj.Delivery), w.log)
	return queue.Written(ctx, qj, acks.Wait, w.log)
}

func (w *Worker) deadLetter(ctx context.Context, qj queue.Job, reason error) queue.Outcome {
	var acks emitters.Acks
	deadletter.SendJob(w.dead, &acks, string(Group), qj, reason, w.log)
	return queue.Written(ctx, qj, acks.Wait, w.log)
}

// Judge compiles the job's code (with q's driver for its language, if any),
// runs it against every test of q in order, calls emit with the started
// event and each test's result as they happen, and returns the finished
// event.
func Judge(ctx context.Context, r Runner, q *codementor.Question, job *codementor.Job, outputLimit int, emit func(*codementor.RunEvent)) *codementor.RunEvent {
	final := &codementor.RunEvent{Kind: codementor.RunFinished, TestCount: len(q.Tests), Tests: []codementor.TestResult{}}
	// The question's driver for the language, if any, holds the entry
	// point; the learner's code is then only the solution.
	began := time.Now()
	metrics.SandboxRuns.Inc()
	prog, err := r.Compile(ctx, sandbox.Source{Language: job.Language, Code: job.Code, Driver: q.Drivers[job.Language]})
	metrics.SandboxRuns.Dec()
	metrics.StageSeconds.WithLabelValues(metrics.StageCompile).Observe(time.Since(began).Seconds())
	var ce *sandbox.CompileError
	switch {
	case errors.As(err, &ce):
		final.Verdict = codementor.VerdictCompilationError
		final.CompileOutput = ce.Output
		return final
	case err != nil:
		final.Verdict = codementor.VerdictInternalError
		final.Error = fmt.Sprintf("compile: %v", err)
		return final
	}
	defer prog.Close()
	defer func(began time.Time) {
		metrics.StageSeconds.WithLabelValues(metrics.StageRun).Observe(time.Since(began).Seconds())
	}(time.Now())

	emit(&codementor.RunEvent{Kind: codementor.RunStarted, TestCount: len(q.Tests)})
	final.Verdict = codementor.VerdictAccepted
	failed := false
	// over says why the remaining tests are not run: an earlier test went
	// over its time or memory limit, and running the rest to their limits
	// would hold a judging slot for seconds for a verdict already known.
	over := ""
	for i, t := range q.Tests {
		var tr codementor.TestResult
		switch {
		case failed && q.StopOnFailure:
			tr = codementor.TestResult{Index: i, Verdict: codementor.VerdictSkipped, Message: "not run: an earlier test failed"}
		case over != "":
			tr = codementor.TestResult{Index: i, Verdict: codementor.VerdictSkipped, Message: over}
		case ctx.Err() != nil:
			tr = codementor.TestResult{Index: i, Verdict: codementor.VerdictSkipped, Message: "not run: the judging time for this submission ran out"}
			if !failed {
				// Untested is not accepted.
				failed = true
				final.Verdict = codementor.VerdictInternalError
				final.Error = fmt.Sprintf("the judging time for this submission ran out after %d of %d tests", i, len(q.Tests))
			}
		default:
			metrics.SandboxRuns.Inc()
			exec, err := prog.Run(ctx, []byte(t.Input), Limits(q, i, outputLimit))
			metrics.SandboxRuns.Dec()
			if err != nil {
				final.Verdict = codementor.VerdictInternalError
				final.Error = fmt.Sprintf("run test %d: %v", i+1, err)
				return final
			}
			tr = Result(q, i, exec)
		}
		if !t.Hidden {
			tr.Input, tr.Expected = t.Input, t.Output
		}
		if tr.Verdict != codementor.VerdictAccepted && tr.Verdict != codementor.VerdictSkipped && !failed {
			failed = true
			final.Verdict = tr.Verdict
		}
		if !q.RunAllTests && over == "" {
			switch tr.Verdict {
			case codementor.VerdictTimeLimitExceeded:
				over = fmt.Sprintf("not run: test %d exceeded the time limit", i+1)
			case codementor.VerdictMemoryLimitExceeded:
				over = fmt.Sprintf("not run: test %d exceeded the memory limit", i+1)
			}
		}
		final.Tests = append(final.Tests, tr)
		emit(&codementor.RunEvent{Kind: codementor.RunTest, Test: &tr})
	}
	return final
}

// Limits are the sandbox limits for q's test i: the CPU limit from the
// question, a wall limit that leaves room for start-up and I/O but always
// ends a program that sleeps or blocks, and an output limit of outputLimit,
// or twice the expected output where that is larger.
func Limits(q *codementor.Question, i, outputLimit int) sandbox.Limits {
	cpu := time.Duration(q.TimeLimitMS) * time.Millisecond
	return sandbox.Limits{CPUTime: cpu, WallTime: 2*cpu + time.Second, MemoryMB: q.MemoryLimitMB,
		OutputBytes: max(outputLimit, 2*len(q.Tests[i].Output)+4<<10)}
}

// Result turns one execution into the test's result. Output is only shown for
// sample tests: the caller clears what a hidden test must not reveal.
func Result(q *codementor.Question, i int, e sandbox.Execution) codementor.TestResult {
	tr := codementor.TestResult{Index: i, TimeMS: e.TimeMS, MemoryKB: e.MemoryKB, Hidden: q.Tests[i].Hidden, ExitCode: e.ExitCode, Signal: e.Signal}
	switch {
	case e.TimedOut:
		tr.Verdict = codementor.VerdictTimeLimitExceeded
		tr.Message = fmt.Sprintf("the program ran longer than the limit of %d ms", q.TimeLimitMS)
	case e.MemoryExceeded:
		tr.Verdict = codementor.VerdictMemoryLimitExceeded
		tr.Message = fmt.Sprintf("the program used more than the limit of %d MB", q.MemoryLimitMB)
	case e.OutputExceeded:
		tr.Verdict = codementor.VerdictOutputLimitExceeded
		tr.Message = "the program printed more output than allowed"
	case e.Signal != "":
		tr.Verdict = codementor.VerdictRuntimeError
		tr.Message = "the program was killed by " + e.Signal
	case e.ExitCode != 0:
		tr.Verdict = codementor.VerdictRuntimeError
		tr.Message = fmt.Sprintf("the program exited with code %d", e.ExitCode)
	default:
		if ok, why := checker.Check(q.Checker, q.Tests[i].Output, string(e.Stdout)); ok {
			tr.Verdict = codementor.VerdictAccepted
		} else {
			tr.Verdict = codementor.VerdictWrongAnswer
			tr.Message = why
		}
	}
	if !q.Tests[i].Hidden {
		tr.Output = truncate(string(e.Stdout), 4<<10)
		tr.Stderr = truncate(string(e.Stderr), 4<<10)
	} else if tr.Verdict == codementor.VerdictWrongAnswer {
		tr.Message = "the output differs from the expected output of this hidden test"
	}
	return tr
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n…(truncated)"
}
