// Package judge is the stateless processor group that runs the slow step:
// it compiles a submission once, runs it against every test of its question
// in the sandbox, checks each output, and emits the progress as RunEvents.
// It keeps no table, so a rebalance recovers nothing and parallelism is the
// partition count of RunJobs, capped per instance by a semaphore.
package judge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/checker"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/processors/lookup"
	"github.com/codementor/codementor/sandbox"
)

// Group is the judge's consumer group.
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
	// MaxConcurrent caps the submissions judged at once by this instance;
	// the rest wait in Kafka.
	MaxConcurrent int
	// JobTimeout bounds one submission's judging, compile included. It must
	// stay well under the consumer group's rebalance timeout (60 s).
	JobTimeout time.Duration
	// OutputLimit caps a program's standard output per test.
	OutputLimit int
}

// DefaultConfig returns the defaults for judging maxConcurrent submissions
// at once (by default, one per core).
func DefaultConfig(maxConcurrent int) Config {
	return Config{MaxConcurrent: maxConcurrent, JobTimeout: 45 * time.Second, OutputLimit: 64 << 10}
}

// Graph returns the judge's group graph.
func Graph(r Runner, cfg Config, log *slog.Logger) *goka.GroupGraph {
	j := &judge{runner: r, cfg: cfg, log: log, slots: make(chan struct{}, max(cfg.MaxConcurrent, 1))}
	return goka.DefineGroup(Group,
		goka.Input(codementor.RunJobs, new(codec.Bytes), j.job),
		// Jobs handed back (their question not in the lookup table yet; see
		// package lookup).
		goka.Loop(new(codec.Bytes), j.job),
		goka.Lookup(codementor.QuestionsTable, new(codementor.QuestionCodec)),
		goka.Output(codementor.RunEvents, new(codementor.RunEventCodec)),
		deadletter.Output(),
	)
}

type judge struct {
	runner Runner
	cfg    Config
	log    *slog.Logger
	slots  chan struct{}
}

func (j *judge) job(ctx goka.Context, msg any) {
	v, err := new(codementor.JobCodec).Decode(msg.([]byte))
	if err != nil {
		deadletter.Send(ctx, Group, msg.([]byte), err, j.log)
		return
	}
	job := v.(*codementor.Job)
	emit := func(ev *codementor.RunEvent) {
		ev.SubmissionID = ctx.Key()
		ev.At = time.Now()
		ctx.Emit(codementor.RunEvents, ctx.Key(), ev)
	}
	q, behind := lookup.Question(ctx, job.QuestionID, &job.Retries)
	if behind {
		ctx.Loopback(ctx.Key(), mustEncode(job))
		j.log.Warn("question not in the lookup table yet; job handed back", "submission", ctx.Key(), "question", job.QuestionID, "retries", job.Retries)
		return
	}
	if q == nil {
		emit(&codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictInternalError,
			Error: fmt.Sprintf("question %q does not exist", job.QuestionID)})
		return
	}

	// The work runs on a context detached from goka's session: if the session
	// ends (rebalance, shutdown) a callback that returned early would still
	// have its message committed and the submission would be lost. The
	// judging finishes under its own deadline instead.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx.Context()), j.cfg.JobTimeout)
	defer cancel()
	select {
	case j.slots <- struct{}{}:
	case <-work.Done():
		emit(&codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictInternalError, Error: "no judging slot became free in time"})
		return
	}
	defer func() { <-j.slots }()
	metrics.StageSeconds.WithLabelValues(metrics.StageQueued).Observe(time.Since(ctx.Timestamp()).Seconds())

	start := time.Now()
	final := Judge(work, j.runner, q, job, j.cfg.OutputLimit, emit)
	emit(final)
	j.log.Info("judged", "submission", job.SubmissionID, "question", q.ID, "language", job.Language,
		"verdict", final.Verdict, "tests", len(final.Tests), "took", time.Since(start))
}

func mustEncode(job *codementor.Job) []byte {
	b, err := new(codementor.JobCodec).Encode(job)
	if err != nil {
		panic(fmt.Sprintf("encode a job: %v", err)) // a plain struct always encodes
	}
	return b
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
	for i, t := range q.Tests {
		var tr codementor.TestResult
		switch {
		case failed && q.StopOnFailure:
			tr = codementor.TestResult{Index: i, Verdict: codementor.VerdictSkipped, Message: "not run: an earlier test failed"}
		case ctx.Err() != nil:
			tr = codementor.TestResult{Index: i, Verdict: codementor.VerdictSkipped, Message: "not run: the judging time for this submission ran out"}
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
