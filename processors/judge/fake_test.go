package judge

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/sandbox"
)

// These tests judge with a fake Runner: what the sandbox answers is set by
// each test, so the paths a real program can only hit by chance (a
// deadline between two tests, a starved run) are hit every time.

// fakeRunner compiles every source to its program.
type fakeRunner struct{ prog *fakeProgram }

func (r fakeRunner) Compile(context.Context, sandbox.Source) (Program, error) { return r.prog, nil }

// fakeProgram answers its nth run (from 1) of input stdin with run.
type fakeProgram struct {
	run    func(ctx context.Context, n int, stdin string) (sandbox.Execution, error)
	inputs []string // of every run, in order
}

func (p *fakeProgram) Run(ctx context.Context, stdin []byte, _ sandbox.Limits) (sandbox.Execution, error) {
	p.inputs = append(p.inputs, string(stdin))
	return p.run(ctx, len(p.inputs), string(stdin))
}

func (p *fakeProgram) Close() error { return nil }

// doubled is the execution of a right program for the double question.
func doubled(stdin string) sandbox.Execution {
	n, _ := strconv.Atoi(strings.TrimSpace(stdin))
	return sandbox.Execution{Stdout: fmt.Appendf(nil, "%d\n", 2*n), TimeMS: 5, WallMS: 6, MemoryKB: 1000}
}

// right answers every run as a right program does.
func right(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
	return doubled(stdin), nil
}

// judgeFake judges q with a program answered by run, under ctx, calling
// emit (if not nil) with every event. It returns the finished event, the
// events emitted, the program and what was logged.
func judgeFake(t testing.TB, ctx context.Context, q *codementor.Question, run func(context.Context, int, string) (sandbox.Execution, error),
	emit func(*codementor.RunEvent)) (*codementor.RunEvent, []*codementor.RunEvent, *fakeProgram, string) {
	t.Helper()
	prog := &fakeProgram{run: run}
	var events []*codementor.RunEvent
	var log bytes.Buffer
	final := Judge(ctx, fakeRunner{prog}, q, &codementor.Job{SubmissionID: "s", QuestionID: q.ID, Language: "python", Code: "x"}, 64<<10,
		slog.New(slog.NewTextHandler(&log, nil)), func(ev *codementor.RunEvent) {
			events = append(events, ev)
			if emit != nil {
				emit(ev)
			}
		})
	checkNoFalseAccept(t, q, final, events)
	return final, events, prog, log.String()
}

// checkNoFalseAccept fails t unless final and events agree, every result
// says whether its test is hidden, and an accepted verdict has every test
// run and passed.
func checkNoFalseAccept(t testing.TB, q *codementor.Question, final *codementor.RunEvent, events []*codementor.RunEvent) {
	t.Helper()
	var sent []codementor.TestResult
	for _, ev := range events {
		if ev.Kind == codementor.RunTest {
			sent = append(sent, *ev.Test)
		}
	}
	if verdicts(sent) != verdicts(final.Tests) {
		t.Errorf("test events %s, finished event's tests %s", verdicts(sent), verdicts(final.Tests))
	}
	for i, tr := range final.Tests {
		if tr.Index != i || tr.Hidden != q.Tests[i].Hidden {
			t.Errorf("result %d: index %d, hidden %t", i, tr.Index, tr.Hidden)
		}
	}
	if final.Verdict != codementor.VerdictAccepted {
		return
	}
	if len(final.Tests) != len(q.Tests) || final.TestCount != len(q.Tests) {
		t.Errorf("accepted with %d results of %d tests", len(final.Tests), len(q.Tests))
	}
	for _, tr := range final.Tests {
		if tr.Verdict != codementor.VerdictAccepted {
			t.Errorf("accepted with test %d %s", tr.Index+1, tr.Verdict)
		}
	}
}

// TestDeadlineIsNoAccept passes the job's deadline between two tests, or
// during a run whatever the run then returns: the tests not run to their
// end are skipped, nothing more is run, and the verdict is an earlier
// test's failure, or internal_error; never accepted, nor a time limit.
func TestDeadlineIsNoAccept(t *testing.T) {
	wrongOn2 := func(ctx context.Context, n int, stdin string) (sandbox.Execution, error) {
		if n == 2 {
			return sandbox.Execution{Stdout: []byte("0\n")}, nil
		}
		return doubled(stdin), nil
	}
	tests := []struct {
		name string
		// between: the deadline passes after the result of this test (from
		// 1) is emitted; 0: not between tests.
		between int
		// during: the deadline passes during this run (from 1), which then
		// returns cut; 0: not during a run.
		during  int
		cut     func(ctx context.Context, stdin string) (sandbox.Execution, error)
		run     func(context.Context, int, string) (sandbox.Execution, error)
		runs    int
		tests   string
		verdict codementor.Verdict
		err     string
	}{
		{name: "between tests 1 and 2", between: 1, runs: 1,
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
		{name: "between tests 2 and 3", between: 2, runs: 2,
			tests: "accepted,accepted,skipped", verdict: "internal_error", err: "ran out after 2 of 3 tests"},
		{name: "after the last test", between: 3, runs: 3,
			tests: "accepted,accepted,accepted", verdict: "accepted"},
		{name: "during test 2, right output", during: 2, runs: 2,
			cut:   func(_ context.Context, stdin string) (sandbox.Execution, error) { return doubled(stdin), nil },
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
		{name: "during test 2, killed at the wall limit", during: 2, runs: 2,
			cut: func(context.Context, string) (sandbox.Execution, error) {
				return sandbox.Execution{TimedOut: true, ExitCode: -1, Signal: "SIGKILL", TimeMS: 2000}, nil
			},
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
		{name: "during test 2, killed with part of its output", during: 2, runs: 2,
			cut: func(context.Context, string) (sandbox.Execution, error) {
				return sandbox.Execution{ExitCode: -1, Signal: "SIGKILL", Stdout: []byte("4")}, nil
			},
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
		{name: "during test 2, an error", during: 2, runs: 2,
			cut: func(ctx context.Context, _ string) (sandbox.Execution, error) {
				return sandbox.Execution{}, fmt.Errorf("run python program: %w", ctx.Err())
			},
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
		{name: "during the last test", during: 3, runs: 3,
			cut:   func(_ context.Context, stdin string) (sandbox.Execution, error) { return doubled(stdin), nil },
			tests: "accepted,accepted,skipped", verdict: "internal_error", err: "ran out after 2 of 3 tests"},
		{name: "during test 3 after a wrong answer", during: 3, runs: 3, run: wrongOn2,
			cut:   func(_ context.Context, stdin string) (sandbox.Execution, error) { return doubled(stdin), nil },
			tests: "accepted,wrong_answer,skipped", verdict: "wrong_answer"},
		{name: "during the rerun of a starved test", during: 3, runs: 3,
			run: func(ctx context.Context, n int, stdin string) (sandbox.Execution, error) {
				if n == 2 {
					return sandbox.Execution{Starved: true, TimedOut: true, WallMS: 3000, TimeMS: 10}, nil
				}
				return doubled(stdin), nil
			},
			cut:   func(_ context.Context, stdin string) (sandbox.Execution, error) { return doubled(stdin), nil },
			tests: "accepted,skipped,skipped", verdict: "internal_error", err: "ran out after 1 of 3 tests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits for its deadline
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			run := tt.run
			if run == nil {
				run = right
			}
			final, _, prog, _ := judgeFake(t, ctx, double(false), func(ctx context.Context, n int, stdin string) (sandbox.Execution, error) {
				if ctx.Err() != nil {
					t.Errorf("run %d after the deadline", n)
				}
				if n == tt.during {
					<-ctx.Done()
					return tt.cut(ctx, stdin)
				}
				return run(ctx, n, stdin)
			}, func(ev *codementor.RunEvent) {
				if ev.Kind == codementor.RunTest && ev.Test.Index+1 == tt.between {
					<-ctx.Done()
				}
			})
			if got := verdicts(final.Tests); got != tt.tests || final.Verdict != tt.verdict || len(prog.inputs) != tt.runs {
				t.Errorf("tests %s, verdict %s, %d runs; want %s, %s, %d runs", got, final.Verdict, len(prog.inputs), tt.tests, tt.verdict, tt.runs)
			}
			if tt.err == "" && final.Error != "" || !strings.Contains(final.Error, tt.err) {
				t.Errorf("error %q, want %q", final.Error, tt.err)
			}
			for _, tr := range final.Tests {
				if tr.Verdict == codementor.VerdictSkipped && !strings.Contains(tr.Message, "judging time") && tt.verdict == "internal_error" {
					t.Errorf("skipped test %d: %q", tr.Index+1, tr.Message)
				}
			}
		})
	}
}

// TestJudgeVerdicts: the submission's verdict is its first failing test's,
// the tests after a failure are skipped when the question stops at the
// first failure, and after a time or memory limit unless it runs all
// tests.
func TestJudgeVerdicts(t *testing.T) {
	tle := &sandbox.Execution{TimedOut: true, ExitCode: -1, Signal: "SIGXCPU", TimeMS: 1001}
	tests := []struct {
		name      string
		stop, all bool
		execs     [3]*sandbox.Execution // per test; nil: the right program's
		tests     string
		verdict   codementor.Verdict
		runs      int
	}{
		{"all right", false, false, [3]*sandbox.Execution{}, "accepted,accepted,accepted", "accepted", 3},
		{"a wrong answer, stop", true, false, [3]*sandbox.Execution{{Stdout: []byte("3")}}, "wrong_answer,skipped,skipped", "wrong_answer", 1},
		{"a wrong answer, go on", false, false, [3]*sandbox.Execution{1: {Stdout: []byte("3")}}, "accepted,wrong_answer,accepted", "wrong_answer", 3},
		{"a runtime error, then right", false, false, [3]*sandbox.Execution{1: {ExitCode: 1}}, "accepted,runtime_error,accepted", "runtime_error", 3},
		{"a time limit", false, false, [3]*sandbox.Execution{tle}, "time_limit_exceeded,skipped,skipped", "time_limit_exceeded", 1},
		{"a time limit, stop", true, false, [3]*sandbox.Execution{1: tle}, "accepted,time_limit_exceeded,skipped", "time_limit_exceeded", 2},
		{"a time limit, run all", false, true, [3]*sandbox.Execution{tle, tle}, "time_limit_exceeded,time_limit_exceeded,accepted", "time_limit_exceeded", 3},
		{"a memory limit on test 2", false, false, [3]*sandbox.Execution{1: {MemoryExceeded: true, ExitCode: 1}}, "accepted,memory_limit_exceeded,skipped", "memory_limit_exceeded", 2},
		{"an output limit", false, false, [3]*sandbox.Execution{{OutputExceeded: true}}, "output_limit_exceeded,accepted,accepted", "output_limit_exceeded", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := double(tt.stop)
			q.RunAllTests = tt.all
			final, _, prog, _ := judgeFake(t, context.Background(), q, func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
				for i, qt := range q.Tests {
					if qt.Input == stdin && tt.execs[i] != nil {
						return *tt.execs[i], nil
					}
				}
				return doubled(stdin), nil
			}, nil)
			if got := verdicts(final.Tests); got != tt.tests || final.Verdict != tt.verdict || len(prog.inputs) != tt.runs || final.Error != "" {
				t.Errorf("tests %s, verdict %s, %d runs, error %q; want %s, %s, %d runs", got, final.Verdict, len(prog.inputs), final.Error, tt.tests, tt.verdict, tt.runs)
			}
		})
	}
}

// TestVerdict: what was not run is not accepted.
func TestVerdict(t *testing.T) {
	res := func(vs ...codementor.Verdict) []codementor.TestResult {
		trs := []codementor.TestResult{}
		for i, v := range vs {
			trs = append(trs, codementor.TestResult{Index: i, Verdict: v})
		}
		return trs
	}
	const ac, wa, sk, ie = codementor.VerdictAccepted, codementor.VerdictWrongAnswer, codementor.VerdictSkipped, codementor.VerdictInternalError
	tests := []struct {
		trs  []codementor.TestResult
		n    int
		want codementor.Verdict
	}{
		{res(ac, ac, ac), 3, ac},
		{res(), 0, ac},
		{res(ac, ac), 3, ie},
		{res(), 3, ie},
		{res(ac, sk, sk), 3, ie},
		{res(sk, sk, sk), 3, ie},
		{res(ac, ac, ac, ac), 3, ie},
		{res(ac, wa, sk), 3, wa},
		{res(ac, wa), 3, wa},
		{res(sk, codementor.VerdictTimeLimitExceeded, wa), 3, codementor.VerdictTimeLimitExceeded},
	}
	for _, tt := range tests {
		if got := Verdict(tt.trs, tt.n); got != tt.want {
			t.Errorf("Verdict(%s, %d) = %s, want %s", verdicts(tt.trs), tt.n, got, tt.want)
		}
	}
}

// TestStarvedRunsAgain: a run the machine starved is run again, up to
// twice more; it never becomes a time limit, and a test starved every time
// ends the submission with internal_error and an error that names the
// test, and nothing the program did.
func TestStarvedRunsAgain(t *testing.T) {
	starved := sandbox.Execution{Starved: true, TimedOut: true, ExitCode: -1, Signal: "SIGKILL", TimeMS: 40, WallMS: 3000,
		Stdout: []byte("SECRET-OUT"), Stderr: []byte("SECRET-ERR")}
	tests := []struct {
		name    string
		test    int // from 1: the test starved
		starved int // runs of it starved
		runs    int
		tests   string
		verdict codementor.Verdict
		err     string
	}{
		{"hidden test starved once", 2, 1, 4, "accepted,accepted,accepted", "accepted", ""},
		{"hidden test starved twice", 2, 2, 5, "accepted,accepted,accepted", "accepted", ""},
		{"hidden test starved every time", 2, 99, 4, "accepted", "internal_error", "too busy to judge test 2 fairly"},
		{"sample test starved every time", 1, 99, 3, "", "internal_error", "too busy to judge test 1 fairly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := double(false)
			seen := 0
			final, events, prog, log := judgeFake(t, context.Background(), q, func(_ context.Context, n int, stdin string) (sandbox.Execution, error) {
				if stdin == q.Tests[tt.test-1].Input && seen < tt.starved {
					seen++
					return starved, nil
				}
				return doubled(stdin), nil
			}, nil)
			if got := verdicts(final.Tests); got != tt.tests || final.Verdict != tt.verdict || len(prog.inputs) != tt.runs {
				t.Errorf("tests %s, verdict %s, %d runs; want %s, %s, %d runs", got, final.Verdict, len(prog.inputs), tt.tests, tt.verdict, tt.runs)
			}
			if tt.err == "" && final.Error != "" || !strings.Contains(final.Error, tt.err) || strings.Contains(final.Error, "SECRET") {
				t.Errorf("error %q, want %q", final.Error, tt.err)
			}
			for _, ev := range events {
				if ev.Test != nil && ev.Test.Verdict == codementor.VerdictTimeLimitExceeded {
					t.Errorf("a starved run became a time limit: %+v", ev.Test)
				}
			}
			if want := min(tt.starved, starvedRuns); strings.Count(log, "starved") != want {
				t.Errorf("log tells of %d starved runs, want %d:\n%s", strings.Count(log, "starved"), want, log)
			}
		})
	}
}

// TestHiddenResultsTellTheVerdictAlone: a hidden test's result holds its
// verdict, time and memory, and a message the verdict alone decides,
// however the program failed; a sample test's tells all.
func TestHiddenResultsTellTheVerdictAlone(t *testing.T) {
	q := double(false)
	q.TimeLimitMS, q.MemoryLimitMB = 1000, 64
	secret := []byte("SECRET-42")
	same := map[codementor.Verdict][]sandbox.Execution{
		codementor.VerdictAccepted:    {{Stdout: []byte("42\n")}, {Stdout: []byte("42"), Stderr: secret}},
		codementor.VerdictWrongAnswer: {{Stdout: secret}, {}, {Stdout: []byte("41\n"), Stderr: secret}},
		codementor.VerdictRuntimeError: {{ExitCode: 72, Stderr: secret}, {ExitCode: 1}, {ExitCode: -1, Signal: "SIGSEGV", Stdout: secret},
			{ExitCode: -1, Signal: "SIGABRT"}},
		codementor.VerdictTimeLimitExceeded:   {{TimedOut: true, ExitCode: -1, Signal: "SIGXCPU"}, {TimedOut: true, Stdout: secret, ExitCode: 3}},
		codementor.VerdictMemoryLimitExceeded: {{MemoryExceeded: true, ExitCode: 1, Stderr: []byte("MemoryError")}, {MemoryExceeded: true, ExitCode: -1, Signal: "SIGKILL"}},
		codementor.VerdictOutputLimitExceeded: {{OutputExceeded: true, Stdout: secret}, {OutputExceeded: true, ExitCode: -1, Signal: "SIGPIPE"}},
	}
	for verdict, execs := range same {
		var first []byte
		for j, e := range execs {
			e.TimeMS, e.MemoryKB = 5, 1000
			tr := Result(q, 1, e)
			if tr.Verdict != verdict {
				t.Fatalf("Result(%+v) = %s, want %s", e, tr.Verdict, verdict)
			}
			got, _ := json.Marshal(tr)
			if j == 0 {
				first = got
			} else if !bytes.Equal(got, first) {
				t.Errorf("two %s runs of a hidden test differ:\n%s\n%s", verdict, first, got)
			}
			for _, leak := range []string{"SECRET", "SIG", "72", `"exit_code"`, `"signal"`, `"output"`, `"stderr"`, `"input"`, `"expected"`} {
				if bytes.Contains(got, []byte(leak)) {
					t.Errorf("a hidden test's result holds %q: %s", leak, got)
				}
			}
			if verdict != codementor.VerdictAccepted && tr.Message == "" {
				t.Errorf("a hidden %s without a message", verdict)
			}
		}
	}
	sample := Result(q, 0, sandbox.Execution{ExitCode: 72, Stderr: secret, Stdout: []byte("partial")})
	if sample.ExitCode != 72 || !strings.Contains(sample.Message, "72") || sample.Stderr != string(secret) || sample.Output != "partial" {
		t.Errorf("a sample test's result lacks its detail: %+v", sample)
	}
	sample = Result(q, 0, sandbox.Execution{ExitCode: -1, Signal: "SIGSEGV"})
	if sample.Signal != "SIGSEGV" || !strings.Contains(sample.Message, "SIGSEGV") {
		t.Errorf("a sample test's result lacks its signal: %+v", sample)
	}
}

// TestJudgeHidesHiddenFailures judges a program that fails every hidden
// test in a way that tells of its input: no event, and no error, carries
// it; the operator's log keeps the sandbox's error.
func TestJudgeHidesHiddenFailures(t *testing.T) {
	q := double(false)
	final, events, _, _ := judgeFake(t, context.Background(), q, func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
		if stdin == "1\n" {
			return sandbox.Execution{ExitCode: 72, Stderr: []byte("sample stderr"), TimeMS: 5, MemoryKB: 1000}, nil
		}
		n, _ := strconv.Atoi(strings.TrimSpace(stdin))
		return sandbox.Execution{ExitCode: n & 0xff, Stdout: []byte("SECRET-OUT"), Stderr: []byte("SECRET-ERR"), TimeMS: 5, MemoryKB: 1000}, nil
	}, nil)
	if final.Verdict != codementor.VerdictRuntimeError {
		t.Fatalf("verdict %s", final.Verdict)
	}
	want := `{"index":%d,"verdict":"runtime_error","time_ms":5,"memory_kb":1000,"hidden":true,"message":"the program was killed, or exited with an error"}`
	var results []codementor.TestResult
	for _, ev := range events {
		if ev.Test != nil {
			results = append(results, *ev.Test)
		}
	}
	for _, tr := range append(results, final.Tests...) {
		got, _ := json.Marshal(tr)
		switch {
		case !tr.Hidden:
			if tr.ExitCode != 72 || tr.Input != "1\n" || tr.Stderr != "sample stderr" {
				t.Errorf("sample test: %s", got)
			}
		case string(got) != fmt.Sprintf(want, tr.Index):
			t.Errorf("hidden test:\n%s\nwant\n"+want, got, tr.Index)
		}
	}

	// A sandbox fault on a hidden test: the error names the test, the log
	// keeps the detail.
	final, _, _, log := judgeFake(t, context.Background(), q, func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
		if stdin == "21\n" {
			return sandbox.Execution{}, errors.New("box left dirty: SECRET-FILE-42")
		}
		return doubled(stdin), nil
	}, nil)
	if final.Verdict != codementor.VerdictInternalError || final.Error != "run test 2: the sandbox failed" || !strings.Contains(log, "SECRET-FILE-42") {
		t.Errorf("verdict %s, error %q, log %q", final.Verdict, final.Error, log)
	}
	// On a sample test, the error says all.
	final, _, _, _ = judgeFake(t, context.Background(), q, func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
		return sandbox.Execution{}, errors.New("box left dirty: sample.txt")
	}, nil)
	if final.Verdict != codementor.VerdictInternalError || !strings.Contains(final.Error, "sample.txt") {
		t.Errorf("verdict %s, error %q", final.Verdict, final.Error)
	}
}
