package judge

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
	"github.com/codementor/codementor/checker"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/traceback"
)

// Runs: code run on given inputs (the page's Run button, the Judge0 API),
// judged by the same sandbox as submissions but shown whole: nothing of a
// run is hidden, for its inputs are the caller's own or a question's
// samples.

// Where a run's case comes from (codementor.TestResult.Source).
const (
	SourceSample = "sample"
	SourceCustom = "custom"
)

// runOutputKeep is how much of each case's output and standard error a
// run keeps: a Judge0 run has one case, and its client wants the output;
// a run of the page has up to codementor.MaxRunCases, and the whole run
// travels in one Kafka message.
func runOutputKeep(run *codementor.Run) int {
	if run.From == codementor.RunFromJudge0 {
		return 256 << 10
	}
	return 16 << 10
}

// runCase is one case to run: its input, its expected output (nil: none
// yet), where it comes from and how it is checked.
type runCase struct {
	input    string
	expected *string
	source   string
	checker  codementor.Checker
}

// cases returns what job's run runs: q's sample tests first if asked (q
// may be nil for a run without a question), then the run's own cases,
// checked as q says or, without a question, as Judge0 does.
func cases(q *codementor.Question, run *codementor.Run) []runCase {
	check := codementor.Checker{Kind: codementor.CheckerLines}
	if q != nil {
		check = q.Checker
	}
	var out []runCase
	if run.Samples && q != nil {
		for _, t := range q.Tests {
			if !t.Hidden {
				want := t.Output
				out = append(out, runCase{input: t.Input, expected: &want, source: SourceSample, checker: check})
			}
		}
	}
	for _, c := range run.Cases {
		out = append(out, runCase{input: c.Input, expected: c.Expected, source: SourceCustom, checker: check})
	}
	return out
}

// RunLimits are the sandbox limits of a run's cases: the run's own, else
// the question's, else the defaults, with the extra time added to the CPU
// limit (a program is stopped only then, though over the limit before).
func RunLimits(q *codementor.Question, run *codementor.Run, outputLimit int) sandbox.Limits {
	cpuMS := cmp.Or(run.TimeLimitMS, codementor.DefaultTimeLimitMS)
	memMB := codementor.DefaultMemoryLimitMB
	if q != nil {
		cpuMS = cmp.Or(run.TimeLimitMS, q.TimeLimitMS)
		memMB = q.MemoryLimitMB
	}
	if run.MemoryLimitKB > 0 {
		memMB = max((run.MemoryLimitKB+1023)/1024, 1)
	}
	cpu := time.Duration(cpuMS+run.ExtraTimeMS) * time.Millisecond
	wall := 2*cpu + time.Second
	if run.WallLimitMS > 0 {
		wall = max(time.Duration(run.WallLimitMS)*time.Millisecond, cpu)
	}
	return runOptions(sandbox.Limits{CPUTime: cpu, WallTime: wall, MemoryMB: memMB, OutputBytes: max(outputLimit, runOutputKeep(run))}, run)
}

// JudgeRun compiles a run's code (with q's driver, if it has a question),
// computes the expected output of custom cases without one from q's
// reference solution (if any), runs every case in order, and returns the
// finished event, emitting the started event and each case's result as
// they happen. Every case runs (a run shows them all); the verdict is the
// first failing case's, accepted when all passed or ran without a check.
func JudgeRun(ctx context.Context, r Runner, q *codementor.Question, job *codementor.Job, outputLimit int, log *slog.Logger, emit func(*codementor.RunEvent)) *codementor.RunEvent {
	run := job.Run
	if run == nil {
		run = &codementor.Run{}
	}
	cs := cases(q, run)
	final := &codementor.RunEvent{Kind: codementor.RunFinished, TestCount: len(cs), Tests: []codementor.TestResult{}}
	driver := ""
	if q != nil {
		driver = q.Drivers[job.Language]
	}
	src, err := runSource(sandbox.Source{Language: job.Language, Code: job.Code, Driver: driver, Runs: len(cs)}, run)
	var prog Program
	if err == nil {
		prog, err = compile(ctx, r, src)
	}
	if failed(err, final, job.Language, driver != "") {
		return final
	}
	defer prog.Close()
	lim := RunLimits(q, run, outputLimit)
	if err := expectFromReference(ctx, r, q, cs, lim, log); err != nil {
		if ctx.Err() != nil {
			final.Verdict, final.Error = codementor.VerdictInternalError, "the judging time for this run ran out"
			return final
		}
		log.Warn("judge: the reference solution could not be run; custom cases stay unchecked", "err", err)
	}
	emit(&codementor.RunEvent{Kind: codementor.RunStarted, TestCount: len(cs)})
	for i, c := range cs {
		tr, err := judgeCase(ctx, prog, c, i, lim, run, log)
		switch {
		case ctx.Err() != nil:
			final.Verdict = codementor.VerdictInternalError
			final.Error = fmt.Sprintf("the judging time for this run ran out after %d of %d cases", i, len(cs))
			return final
		case err != nil:
			log.Error("judge: the sandbox failed to run a case", "case", i+1, "err", err)
			final.Verdict = codementor.VerdictInternalError
			final.Error = fmt.Sprintf("run case %d: %v", i+1, err)
			return final
		}
		if driver != "" && tr.Stderr != "" {
			tr.Stderr = traceback.HideDriver(job.Language, tr.Stderr)
		}
		final.Tests = append(final.Tests, tr)
		emit(&codementor.RunEvent{Kind: codementor.RunTest, Test: &tr})
	}
	final.Verdict = codementor.VerdictAccepted
	for _, tr := range final.Tests {
		if tr.Verdict != codementor.VerdictAccepted {
			final.Verdict = tr.Verdict
			break
		}
	}
	return final
}

// compile compiles src, counted in the sandbox metrics.
func compile(ctx context.Context, r Runner, src sandbox.Source) (Program, error) {
	began := time.Now()
	metrics.SandboxRuns.Inc()
	prog, err := r.Compile(ctx, src)
	metrics.SandboxRuns.Dec()
	metrics.StageSeconds.WithLabelValues(metrics.StageCompile).Observe(time.Since(began).Seconds())
	return prog, err
}

// expectFromReference fills in the expected output of the custom cases
// that have none from q's reference solution, run under the same limits.
// A case the reference fails on (the input is outside the problem's
// constraints, most likely) stays unchecked.
func expectFromReference(ctx context.Context, r Runner, q *codementor.Question, cs []runCase, lim sandbox.Limits, log *slog.Logger) error {
	if q == nil || q.Reference == nil {
		return nil
	}
	var todo []int
	for i, c := range cs {
		if c.expected == nil {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	ref := q.Reference
	prog, err := compile(ctx, r, sandbox.Source{Language: ref.Language, Code: ref.Code, Driver: q.Drivers[ref.Language], Runs: len(cs)})
	if err != nil {
		return fmt.Errorf("compile the reference solution: %w", err)
	}
	defer prog.Close()
	refLim := lim
	refLim.CPUTime, refLim.WallTime = 2*refLim.CPUTime, 2*refLim.WallTime // the reference is not on trial
	for _, i := range todo {
		e, _, err := runStarved(ctx, prog, []byte(cs[i].input), refLim, log)
		if err != nil {
			return fmt.Errorf("run the reference solution: %w", err)
		}
		if e.TimedOut || e.MemoryExceeded || e.OutputExceeded || e.Signal != "" || e.ExitCode != 0 {
			log.Info("judge: the reference solution failed on a custom input; the case stays unchecked", "case", i+1, "exit", e.ExitCode, "signal", e.Signal)
			continue
		}
		out := string(e.Stdout)
		cs[i].expected = &out
	}
	return nil
}

// judgeCase runs case i (run.Repeat times, the time and memory averaged) and
// returns its result.
func judgeCase(ctx context.Context, prog Program, c runCase, i int, lim sandbox.Limits, run *codementor.Run, log *slog.Logger) (codementor.TestResult, error) {
	n := max(run.Repeat, 1)
	var e sandbox.Execution
	var cpu, wall, mem int64
	for k := 0; k < n; k++ {
		var err error
		if e, _, err = runStarved(ctx, prog, []byte(c.input), lim, log.With("case", i+1)); err != nil {
			return codementor.TestResult{}, err
		}
		cpu, wall, mem = cpu+e.TimeMS, wall+e.WallMS, mem+e.MemoryKB
	}
	e.TimeMS, e.WallMS, e.MemoryKB = cpu/int64(n), wall/int64(n), mem/int64(n)
	keep := runOutputKeep(run)
	tr := codementor.TestResult{Index: i, Source: c.source, TimeMS: e.TimeMS, WallMS: e.WallMS, MemoryKB: e.MemoryKB,
		ExitCode: e.ExitCode, Signal: e.Signal, Input: truncate(c.input, keep),
		Output: truncate(string(e.Stdout), keep), Stderr: truncate(string(e.Stderr), keep)}
	if c.expected != nil {
		tr.Expected = truncate(*c.expected, keep)
	}
	if run.From == codementor.RunFromJudge0 {
		tr.OutputBase64, tr.StderrBase64 = notText(e.Stdout, keep), notText(e.Stderr, keep)
	}
	limitMS := lim.CPUTime.Milliseconds() - int64(run.ExtraTimeMS)
	switch {
	case e.Starved:
		tr.Verdict = codementor.VerdictInternalError
		tr.Message = "the machine was too busy to run this case fairly; run it again"
	case e.TimedOut || e.TimeMS > limitMS:
		tr.Verdict = codementor.VerdictTimeLimitExceeded
		tr.Message = fmt.Sprintf("the program ran longer than the limit of %d ms", limitMS)
	case e.MemoryExceeded:
		tr.Verdict = codementor.VerdictMemoryLimitExceeded
		tr.Message = fmt.Sprintf("the program used more than the limit of %d MB", lim.MemoryMB)
	case e.OutputExceeded:
		tr.Verdict = codementor.VerdictOutputLimitExceeded
		tr.Message = "the program printed more output than allowed"
	case e.Signal != "":
		tr.Verdict = codementor.VerdictRuntimeError
		tr.Message = "the program was killed by " + e.Signal
	case e.ExitCode != 0:
		tr.Verdict = codementor.VerdictRuntimeError
		tr.Message = fmt.Sprintf("the program exited with code %d", e.ExitCode)
	case c.expected == nil:
		tr.Verdict, tr.Unchecked = codementor.VerdictAccepted, true
		tr.Message = "no expected output: the program ran and ended well"
	default:
		ok, why := checker.Check(c.checker, *c.expected, string(e.Stdout))
		tr.Verdict, tr.Message = codementor.VerdictWrongAnswer, why
		if ok {
			tr.Verdict = codementor.VerdictAccepted
		}
	}
	return tr, nil
}

// notText is b (at most its first keep bytes) base64 encoded, if that is
// not UTF-8 text; otherwise "" (the output's string says it all).
func notText(b []byte, keep int) string {
	b = b[:min(len(b), keep)]
	if utf8.Valid(b) {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// runSource adds a run's compiler options and files (a zip archive) to src.
func runSource(src sandbox.Source, run *codementor.Run) (sandbox.Source, error) {
	src.CompilerOptions = run.CompilerOptions
	if len(run.Files) > 0 {
		files, err := archive.Unzip(run.Files, archive.Limits{})
		if err != nil {
			return src, fmt.Errorf("additional files: %w", err)
		}
		for _, f := range files {
			src.Files = append(src.Files, sandbox.File(f))
		}
	}
	return src, nil
}

// boxThreads is what a box's own helper and a managed runtime need beyond
// the processes and threads a run asks for (the sandbox counts them all):
// the helper runs about 10 threads, the JVM 14 before main.
const boxThreads = 24

// runOptions adds a run's options to lim.
func runOptions(lim sandbox.Limits, run *codementor.Run) sandbox.Limits {
	lim.StackKB, lim.FileSizeKB, lim.MergeStderr = run.StackLimitKB, run.MaxFileSizeKB, run.MergeStderr
	if run.MaxProcesses > 0 {
		lim.Processes = run.MaxProcesses + boxThreads
	}
	if len(run.Args) > 0 {
		args := run.Args
		lim.Args = &args
	}
	return lim
}
