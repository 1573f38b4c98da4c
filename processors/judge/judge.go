// Package judge runs the slow step: it compiles a submission once, runs it
// against every test of its question in the sandbox, checks each output, and
// emits the progress as RunEvents. It takes its jobs from the run-jobs queue
// (a share group, package queue), one per judging slot, and keeps no state:
// capacity is the slots of every instance, not the partition count, and a
// slow submission holds up nobody else.
package judge

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
	"github.com/codementor/codementor/checker"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/traceback"
)

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

// withDefaults fills the settings left zero from DefaultConfig, but for
// PreemptAfter, whose zero means never.
func (cfg Config) withDefaults() Config {
	d := DefaultConfig(1)
	cfg.Slots = cmp.Or(cfg.Slots, d.Slots)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, d.JobTimeout)
	cfg.OutputLimit = cmp.Or(cfg.OutputLimit, d.OutputLimit)
	cfg.QuestionWait = cmp.Or(cfg.QuestionWait, d.QuestionWait)
	return cfg
}

// Validate reports settings no judge can work with.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.Slots < 1 {
		errs = append(errs, fmt.Errorf("judge: Slots must be at least 1, got %d", cfg.Slots))
	}
	if cfg.JobTimeout <= 0 || cfg.QuestionWait <= 0 {
		errs = append(errs, fmt.Errorf("judge: JobTimeout and QuestionWait must be positive, got %s and %s", cfg.JobTimeout, cfg.QuestionWait))
	}
	if cfg.OutputLimit <= 0 {
		errs = append(errs, fmt.Errorf("judge: OutputLimit must be positive, got %d", cfg.OutputLimit))
	}
	if cfg.PreemptAfter < 0 {
		errs = append(errs, fmt.Errorf("judge: PreemptAfter must be 0 (never) or positive, got %s", cfg.PreemptAfter))
	}
	return errors.Join(errs...)
}

// DefaultPreemptAfter is long for a test (a test of a typical program takes
// milliseconds; a sleeping or spinning one, up to its limit) and short for
// a learner who waits.
const DefaultPreemptAfter = 300 * time.Millisecond

// QueueConfig is the judge's share group on brokers: a member per slot and
// a few spares, whose jobs wait for a slot; on shutdown the jobs in hand
// finish (within their own timeout).
func (cfg Config) QueueConfig(brokers []string, clientID string) queue.Config {
	return queue.Config{Brokers: brokers, Group: string(codementor.JudgeGroup), Topic: string(codementor.RunJobs), Slots: cfg.Slots, Spares: spares(cfg.Slots),
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
	dead        *deadletter.Jobs
	log         *slog.Logger
	fair        *fairSlots
}

// NewWorker returns a worker that judges with r, looks questions up in qs,
// skips jobs whose submission subs shows judged already (a job delivered
// again), and writes to events and dead. Settings left zero take
// DefaultConfig's, but for PreemptAfter.
func NewWorker(r Runner, cfg Config, qs Questions, subs Submissions, events *emitters.RunEvents, dead *emitters.DeadLetters, log *slog.Logger) (*Worker, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Worker{runner: r, cfg: cfg, questions: qs, submissions: subs, events: events, dead: deadletter.NewJobs(codementor.JudgeGroup, dead, log), log: log, fair: newFairSlots(cfg.Slots, cfg.PreemptAfter)}, nil
}

// Handle judges one job of the queue. It returns once every event is
// acknowledged by the brokers (Done), or Retry if it was cut short by a
// shutdown or its events could not be written: the job then comes round
// again.
func (w *Worker) Handle(ctx context.Context, qj queue.Job) queue.Outcome {
	job, out := deadletter.Decode[codementor.Job](ctx, w.dead, qj)
	if job == nil {
		return out
	}
	if sub, err := w.submissions.Get(qj.Key); err == nil && (sub.Round > job.Round || sub.Round == job.Round && (sub.Verdict != "" || sub.Final())) {
		w.log.Info("job of a submission judged already: skipped", "submission", qj.Key, "round", job.Round, "delivery", qj.Delivery)
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
		ev.Round = job.Round
		ev.At = time.Now().UTC()
		w.events.Send(&acks, qj.Key, ev)
	}
	var q *codementor.Question
	var err error
	if job.QuestionID != "" || job.Kind != codementor.KindRun { // a Judge0 run has no question
		q, err = w.questions.Lookup(ctx, job.QuestionID, w.cfg.QuestionWait)
	}
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
	var final *codementor.RunEvent
	if job.Kind == codementor.KindRun {
		final = JudgeRun(work, w.runner, q, job, w.cfg.OutputLimit, w.log.With("run", qj.Key), emit)
	} else {
		final = Judge(work, w.runner, q, job, w.cfg.OutputLimit, w.log.With("submission", qj.Key), emit)
	}
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
	w.log.Info("judged", "submission", qj.Key, "question", job.QuestionID, "kind", job.Kind, "language", job.Language,
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
	return w.dead.Poisoned(ctx, &acks, qj)
}

// Judge compiles the job's code (with q's driver for its language, if any),
// runs it against every test of q in order, calls emit with the started
// event and each test's result as they happen, and returns the finished
// event. Its verdict is accepted only when every test ran and passed.
//
// When ctx is done (the job's deadline, a preemption, a shutdown) before or
// during a test, that test and the rest are skipped, whatever the cut run
// returned; the verdict is then an earlier test's failure, or
// internal_error. A run the machine starved (see sandbox.Execution.Starved)
// is run again; if it starves every time, or the sandbox fails, the
// verdict is internal_error at once. The detail of an internal fault goes
// to log; the learner's Error says no more about a hidden test than its
// number.
func Judge(ctx context.Context, r Runner, q *codementor.Question, job *codementor.Job, outputLimit int, log *slog.Logger, emit func(*codementor.RunEvent)) *codementor.RunEvent {
	final := &codementor.RunEvent{Kind: codementor.RunFinished, TestCount: len(q.Tests), Tests: []codementor.TestResult{}, MaxScore: q.MaxScore()}
	// The question's driver for the language, if any, holds the entry
	// point; the learner's code is then only the solution.
	prog, err := compile(ctx, r, sandbox.Source{Language: job.Language, Code: job.Code, Driver: q.Drivers[job.Language], Runs: len(q.Tests)})
	// The driver is never shown: not its file, lines or source in a
	// compiler's message or a stack trace.
	hideDriver := q.Drivers[job.Language] != ""
	if failed(err, final, job.Language, hideDriver) {
		return final
	}
	defer prog.Close()
	defer func(began time.Time) {
		metrics.StageSeconds.WithLabelValues(metrics.StageRun).Observe(time.Since(began).Seconds())
	}(time.Now())

	emit(&codementor.RunEvent{Kind: codementor.RunStarted, TestCount: len(q.Tests)})
	// skip says why the remaining tests are not run: an earlier test
	// failed and the question stops at the first failure; an earlier test
	// went over its time or memory limit, and running the rest to their
	// limits would hold a judging slot for seconds for a verdict already
	// known; or the judging time ran out. With subtasks a failure skips
	// the rest of its subtask only (skipSub), which scores nothing
	// whatever they do.
	skip := ""
	skipSub := map[int]string{}
	for i, t := range q.Tests {
		sub := q.SubtaskOf(i)
		reason := cmp.Or(skip, skipSub[sub])
		tr := codementor.TestResult{Index: i, Hidden: t.Hidden, Verdict: codementor.VerdictSkipped, Message: reason}
		if reason == "" {
			exec, runs, err := runTest(ctx, prog, q, i, outputLimit, log)
			switch {
			case ctx.Err() != nil:
				// Whatever a cut run returned (a kill, a time limit,
				// part of its output) says nothing about the program.
				skip = "not run: the judging time for this submission ran out"
				tr.Message = skip
				final.Error = fmt.Sprintf("the judging time for this submission ran out after %d of %d tests", i, len(q.Tests))
			case err != nil:
				log.Error("judge: the sandbox failed to run a test", "test", i+1, "hidden", t.Hidden, "err", err)
				final.Verdict = codementor.VerdictInternalError
				final.Error = fmt.Sprintf("run test %d: the sandbox failed", i+1)
				if !t.Hidden {
					// A sample's input is public: its fault may say all.
					// A hidden test's could tell what the program did
					// with its secret input (a file it left, say).
					final.Error = fmt.Sprintf("run test %d: %v", i+1, err)
				}
				return final
			case exec.Starved:
				log.Warn("judge: the machine starved every run of a test; the submission is not judged", "test", i+1, "runs", runs,
					"cpu_ms", exec.TimeMS, "wall_ms", exec.WallMS)
				final.Verdict = codementor.VerdictInternalError
				final.Error = fmt.Sprintf("the machine was too busy to judge test %d fairly (it was run %d times); please submit again", i+1, runs)
				return final
			default:
				tr = Result(q, i, exec)
				if hideDriver && tr.Stderr != "" {
					tr.Stderr = traceback.HideDriver(job.Language, tr.Stderr)
				}
			}
		}
		if !t.Hidden {
			tr.Input, tr.Expected = t.Input, t.Output
		}
		if reason == "" {
			switch {
			case tr.Verdict == codementor.VerdictAccepted || tr.Verdict == codementor.VerdictSkipped:
			case q.StopOnFailure:
				skip = "not run: an earlier test failed"
			case sub >= 0 && !q.RunAllTests:
				skipSub[sub] = fmt.Sprintf("not run: test %d of this subtask failed", i+1)
			case q.RunAllTests:
			case tr.Verdict == codementor.VerdictTimeLimitExceeded:
				skip = fmt.Sprintf("not run: test %d exceeded the time limit", i+1)
			case tr.Verdict == codementor.VerdictMemoryLimitExceeded:
				skip = fmt.Sprintf("not run: test %d exceeded the memory limit", i+1)
			}
		}
		final.Tests = append(final.Tests, tr)
		emit(&codementor.RunEvent{Kind: codementor.RunTest, Test: &tr})
		if sub >= 0 && i == slices.Max(q.Subtasks[sub].Tests) {
			st := SubtaskResult(q, sub, final.Tests)
			emit(&codementor.RunEvent{Kind: codementor.RunSubtask, Subtask: &st})
		}
	}
	final.Verdict = Verdict(final.Tests, len(q.Tests))
	final.Score, final.MaxScore, final.Subtasks = Score(q, final.Tests, final.Verdict)
	switch {
	case final.Verdict != codementor.VerdictInternalError:
		final.Error = ""
	case final.Error == "":
		final.Error = fmt.Sprintf("only %d of %d tests were judged", judged(final.Tests), len(q.Tests))
	}
	return final
}

// failed reports whether compiling failed with err, and if so sets
// final's verdict: a compile error with the compiler's messages (the
// driver's hidden, hideDriver), or with what is wrong with a run's compiler
// options or files (Judge0 reports a bad option as its compiler does); or
// an internal fault.
func failed(err error, final *codementor.RunEvent, language string, hideDriver bool) bool {
	var ce *sandbox.CompileError
	switch {
	case err == nil:
		return false
	case errors.Is(err, archive.ErrInvalid) || errors.Is(err, sandbox.ErrBadFiles) || errors.Is(err, sandbox.ErrBadOptions):
		final.Verdict = codementor.VerdictCompilationError
		final.CompileOutput = err.Error()
	case errors.As(err, &ce):
		final.Verdict = codementor.VerdictCompilationError
		final.CompileOutput = ce.Output
		if hideDriver {
			final.CompileOutput = traceback.HideDriver(language, ce.Output)
		}
	case errors.Is(err, sandbox.ErrUnknownLanguage):
		final.Verdict = codementor.VerdictInternalError
		final.Error = fmt.Sprintf("no judge here runs %s", language)
	default:
		final.Verdict = codementor.VerdictInternalError
		final.Error = fmt.Sprintf("compile: %v", err)
	}
	return true
}

// Verdict is the verdict of a submission whose tests' results, in order,
// are trs, of n tests: the first failing test's verdict; accepted if all n
// ran and passed; otherwise (a test missing, or skipped with no failure
// before it) internal_error, for what was not run is not accepted.
func Verdict(trs []codementor.TestResult, n int) codementor.Verdict {
	for _, tr := range trs {
		if tr.Verdict != codementor.VerdictAccepted && tr.Verdict != codementor.VerdictSkipped {
			return tr.Verdict
		}
	}
	if judged(trs) == n && len(trs) == n {
		return codementor.VerdictAccepted
	}
	return codementor.VerdictInternalError
}

// Score is what a submission to q whose tests' results are trs and whose
// verdict is verdict earned: the points of every subtask all of whose tests
// passed, of q.MaxScore(), and each subtask's result; without subtasks,
// all of q's points when accepted, else none. Nothing is earned when the
// verdict is internal_error: what was not judged earns nothing.
func Score(q *codementor.Question, trs []codementor.TestResult, verdict codementor.Verdict) (score, maxScore int, subtasks []codementor.SubtaskResult) {
	maxScore = q.MaxScore()
	if len(q.Subtasks) == 0 {
		if verdict == codementor.VerdictAccepted {
			score = maxScore
		}
		return score, maxScore, nil
	}
	for k := range q.Subtasks {
		st := SubtaskResult(q, k, trs)
		if verdict != codementor.VerdictInternalError {
			score += st.Earned
		} else {
			st.Earned = 0
		}
		subtasks = append(subtasks, st)
	}
	return score, maxScore, subtasks
}

// SubtaskResult is the result of q's subtask k given the tests' results
// so far: accepted and worth its points when every one of its tests passed;
// else the first failing test's verdict (skipped if none failed but some
// did not run).
func SubtaskResult(q *codementor.Question, k int, trs []codementor.TestResult) codementor.SubtaskResult {
	st := q.Subtasks[k]
	res := codementor.SubtaskResult{Index: k, Name: st.Name, Points: st.Points, Verdict: codementor.VerdictAccepted, Tests: slices.Clone(st.Tests)}
	byIndex := map[int]codementor.Verdict{}
	for _, tr := range trs {
		byIndex[tr.Index] = tr.Verdict
	}
	for _, i := range slices.Sorted(slices.Values(st.Tests)) {
		v, ok := byIndex[i]
		switch {
		case !ok || v == codementor.VerdictSkipped:
			if res.Verdict == codementor.VerdictAccepted {
				res.Verdict = codementor.VerdictSkipped
			}
		case v != codementor.VerdictAccepted && (res.Verdict == codementor.VerdictAccepted || res.Verdict == codementor.VerdictSkipped):
			res.Verdict = v
		}
	}
	if res.Verdict == codementor.VerdictAccepted {
		res.Earned = st.Points
	}
	return res
}

// judged counts the results of tests that ran.
func judged(trs []codementor.TestResult) int {
	n := 0
	for _, tr := range trs {
		if tr.Verdict != codementor.VerdictSkipped {
			n++
		}
	}
	return n
}

// starvedRuns is how often a test is run, at most, while the machine
// starves it (sandbox.Execution.Starved): once, and twice more. A starved
// run's time says nothing about the program, so it is never a time limit;
// a machine that starves three runs in a row is too busy to judge fairly.
const starvedRuns = 3

// runTest runs q's test i: again while the machine starves it, up to
// starvedRuns runs in all. It returns the last run's execution, the number
// of runs, and the sandbox's error; once ctx is done it runs nothing more.
func runTest(ctx context.Context, prog Program, q *codementor.Question, i, outputLimit int, log *slog.Logger) (sandbox.Execution, int, error) {
	return runStarved(ctx, prog, []byte(q.Tests[i].Input), Limits(q, i, outputLimit), log.With("test", i+1))
}

// countStart counts how a run's process started, and says why a run the
// zygote was to fork started afresh.
func countStart(e sandbox.Execution, log *slog.Logger) {
	switch {
	case e.Forked:
		metrics.SandboxStarts.WithLabelValues("forked").Inc()
	case e.Fresh != "":
		metrics.SandboxStarts.WithLabelValues("fallback").Inc()
		log.Warn("judge: the zygote could not fork a run: it started afresh", "why", e.Fresh)
	default:
		metrics.SandboxStarts.WithLabelValues("fresh").Inc()
	}
}

// runStarved runs prog on stdin under lim: again while the machine starves
// it, up to starvedRuns runs in all. It returns the last run's execution,
// the number of runs, and the sandbox's error; once ctx is done it runs
// nothing more.
//
// A run stopped at its wall limit having used under half its CPU limit, and
// not found starved, is run once more too: it slept, or it waited for
// something other than the CPU (the disk, under a loaded machine's I/O:
// seen beside a broker failover, a right Python program judged over its
// time limit). A program that sleeps is over its limit again, and that is
// its verdict.
func runStarved(ctx context.Context, prog Program, stdin []byte, lim sandbox.Limits, log *slog.Logger) (sandbox.Execution, int, error) {
	stalledOnce := false
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return sandbox.Execution{}, n - 1, err
		}
		metrics.SandboxRuns.Inc()
		e, err := prog.Run(ctx, stdin, lim)
		metrics.SandboxRuns.Dec()
		if err == nil {
			countStart(e, log)
		}
		stalled := e.TimedOut && !e.Starved && e.TimeMS*2 < lim.CPUTime.Milliseconds() && !stalledOnce
		if err != nil || !e.Starved && !stalled || n == starvedRuns {
			return e, n, err
		}
		if stalled {
			stalledOnce = true
			log.Info("judge: a run stopped at its wall limit with little CPU used; running it again", "run", n, "cpu_ms", e.TimeMS, "wall_ms", e.WallMS)
			continue
		}
		log.Warn("judge: the machine starved a run; running it again", "run", n, "cpu_ms", e.TimeMS, "wall_ms", e.WallMS)
	}
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

// Result turns one execution of q's test i into the test's result. A sample
// test's result tells all: exit code, signal, output, standard error, and
// a message that explains the failure. A hidden test's tells its verdict,
// time and memory, and a message that depends on its verdict and the
// question's limits alone: anything the program did with the secret input
// (an exit code, say) would give that input away, a byte per submission.
// The caller fills in the input and expected output of a sample test.
//
// A starved run (e.Starved) is internal_error, never a time limit.
func Result(q *codementor.Question, i int, e sandbox.Execution) codementor.TestResult {
	tr := codementor.TestResult{Index: i, TimeMS: e.TimeMS, MemoryKB: e.MemoryKB, Hidden: q.Tests[i].Hidden}
	why := "" // a sample test's more precise message
	switch {
	case e.Starved:
		tr.Verdict = codementor.VerdictInternalError
	case e.TimedOut:
		tr.Verdict = codementor.VerdictTimeLimitExceeded
	case e.MemoryExceeded:
		tr.Verdict = codementor.VerdictMemoryLimitExceeded
	case e.OutputExceeded:
		tr.Verdict = codementor.VerdictOutputLimitExceeded
	case e.Signal != "":
		tr.Verdict = codementor.VerdictRuntimeError
		why = "the program was killed by " + e.Signal
	case e.ExitCode != 0:
		tr.Verdict = codementor.VerdictRuntimeError
		why = fmt.Sprintf("the program exited with code %d", e.ExitCode)
	default:
		var ok bool
		if ok, why = checker.Check(q.Checker, q.Tests[i].Output, string(e.Stdout)); ok {
			tr.Verdict = codementor.VerdictAccepted
		} else {
			tr.Verdict = codementor.VerdictWrongAnswer
		}
	}
	tr.Message = verdictMessage(q, tr.Verdict, tr.Hidden)
	if tr.Hidden {
		return tr
	}
	if why != "" {
		tr.Message = why
	}
	tr.ExitCode, tr.Signal = e.ExitCode, e.Signal
	tr.Output = truncate(string(e.Stdout), 4<<10)
	tr.Stderr = truncate(string(e.Stderr), 4<<10)
	return tr
}

// verdictMessage explains a test's verdict from the verdict and q's limits
// alone, which are public: all a hidden test's result may say.
func verdictMessage(q *codementor.Question, verdict codementor.Verdict, hidden bool) string {
	switch verdict {
	case codementor.VerdictTimeLimitExceeded:
		return fmt.Sprintf("the program ran longer than the limit of %d ms", q.TimeLimitMS)
	case codementor.VerdictMemoryLimitExceeded:
		return fmt.Sprintf("the program used more than the limit of %d MB", q.MemoryLimitMB)
	case codementor.VerdictOutputLimitExceeded:
		return "the program printed more output than allowed"
	case codementor.VerdictRuntimeError:
		return "the program was killed, or exited with an error"
	case codementor.VerdictWrongAnswer:
		if hidden {
			return "the output differs from the expected output of this hidden test"
		}
		return "the output differs from the expected output"
	case codementor.VerdictInternalError:
		return "the machine was too busy to judge this test fairly"
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "\n…(truncated)"
}
