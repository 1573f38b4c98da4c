package judge

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/sandbox"
)

// codeRunner compiles each source to the program its code names.
type codeRunner map[string]*fakeProgram

func (r codeRunner) Compile(_ context.Context, src sandbox.Source) (Program, error) {
	if p := r[src.Code]; p != nil {
		return p, nil
	}
	return nil, &sandbox.CompileError{Output: "no such program: " + src.Code}
}

// plusOne answers n+1: a wrong program for the double question.
func plusOne(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
	n, _ := strconv.Atoi(strings.TrimSpace(stdin))
	return sandbox.Execution{Stdout: fmt.Appendf(nil, "%d\n", n+1), TimeMS: 4, WallMS: 8, MemoryKB: 900}, nil
}

func judgeRun(t *testing.T, r Runner, q *codementor.Question, job *codementor.Job) (*codementor.RunEvent, []*codementor.RunEvent) {
	t.Helper()
	var events []*codementor.RunEvent
	final := JudgeRun(context.Background(), r, q, job, 64<<10, slog.New(slog.NewTextHandler(io.Discard, nil)), func(ev *codementor.RunEvent) {
		events = append(events, ev)
	})
	return final, events
}

// A run of the page: the question's samples (never its hidden tests), then
// the learner's inputs, whose expected output the reference solution gives.
func TestJudgeRunSamplesAndReference(t *testing.T) {
	q := &codementor.Question{ID: "double", TimeLimitMS: 1000, MemoryLimitMB: 64, Checker: codementor.Checker{Kind: codementor.CheckerWhitespace},
		Tests:     []codementor.Test{{Input: "2\n", Output: "4\n"}, {Input: "50\n", Output: "100\n", Hidden: true}},
		Reference: &codementor.Solution{Language: "python", Code: "ref"}}
	ref, learner := &fakeProgram{run: right}, &fakeProgram{run: plusOne}
	job := &codementor.Job{QuestionID: "double", Language: "python", Code: "mine", Kind: codementor.KindRun,
		Run: &codementor.Run{From: codementor.RunFromPage, Samples: true, Cases: []codementor.RunCase{{Input: "3\n"}, {Input: "7\n"}}}}
	final, events := judgeRun(t, codeRunner{"ref": ref, "mine": learner}, q, job)
	if final.Verdict != codementor.VerdictWrongAnswer || len(final.Tests) != 3 || final.TestCount != 3 {
		t.Fatalf("final = %+v", final)
	}
	if strings.Join(learner.inputs, "|") != "2\n|3\n|7\n" {
		t.Errorf("the learner's program ran on %q: a hidden test was run, or a case missed", learner.inputs)
	}
	if strings.Join(ref.inputs, "|") != "3\n|7\n" {
		t.Errorf("the reference ran on %q, want the custom inputs only", ref.inputs)
	}
	want := []struct{ source, expected, output string }{{SourceSample, "4\n", "3\n"}, {SourceCustom, "6\n", "4\n"}, {SourceCustom, "14\n", "8\n"}}
	for i, w := range want {
		tr := final.Tests[i]
		if tr.Source != w.source || tr.Expected != w.expected || tr.Output != w.output || tr.Unchecked || tr.Index != i {
			t.Errorf("case %d = %+v, want %+v", i, tr, w)
		}
	}
	if final.Tests[0].Verdict != codementor.VerdictWrongAnswer || final.Tests[1].Verdict != codementor.VerdictWrongAnswer {
		t.Errorf("verdicts %s %s, want wrong answers", final.Tests[0].Verdict, final.Tests[1].Verdict)
	}
	if len(events) != 4 || events[0].Kind != codementor.RunStarted || events[0].TestCount != 3 {
		t.Errorf("events %+v, want started and one per case", events)
	}
}

// A Judge0 run: no question, Judge0's comparison, an unchecked case,
// number_of_runs averaged, cpu_extra_time, a compile error.
func TestJudgeRunJudge0(t *testing.T) {
	three := "3"
	prog := &fakeProgram{run: func(_ context.Context, n int, stdin string) (sandbox.Execution, error) {
		if stdin == "slow" {
			return sandbox.Execution{TimeMS: 1200, WallMS: 1300}, nil // over 1000 ms, within the extra time
		}
		return sandbox.Execution{Stdout: []byte("3  \n\n"), TimeMS: int64(2 * n), WallMS: 10, MemoryKB: 1000 * int64(n)}, nil
	}}
	job := &codementor.Job{Language: "c", Code: "p", Kind: codementor.KindRun, Run: &codementor.Run{From: codementor.RunFromJudge0,
		Cases: []codementor.RunCase{{Input: "1 2", Expected: &three}}, Repeat: 3, TimeLimitMS: 1000, ExtraTimeMS: 500}}
	final, _ := judgeRun(t, codeRunner{"p": prog}, nil, job)
	tr := final.Tests[0]
	if final.Verdict != codementor.VerdictAccepted || tr.Verdict != codementor.VerdictAccepted || len(prog.inputs) != 3 {
		t.Fatalf("final %+v after %d runs, want accepted after 3", final, len(prog.inputs))
	}
	if tr.TimeMS != 4 || tr.MemoryKB != 2000 {
		t.Errorf("time %d ms, memory %d KB: want the averages 4 and 2000", tr.TimeMS, tr.MemoryKB)
	}
	job.Run.Cases, job.Run.Repeat = []codementor.RunCase{{Input: "x"}, {Input: "slow"}}, 0
	final, _ = judgeRun(t, codeRunner{"p": prog}, nil, job)
	if !final.Tests[0].Unchecked || final.Tests[0].Verdict != codementor.VerdictAccepted {
		t.Errorf("a case without expected output: %+v", final.Tests[0])
	}
	if final.Tests[1].Verdict != codementor.VerdictTimeLimitExceeded || final.Verdict != codementor.VerdictTimeLimitExceeded {
		t.Errorf("1200 ms of CPU under a 1000 ms limit (+500 extra): %+v, final %s", final.Tests[1], final.Verdict)
	}
	if lim := RunLimits(nil, job.Run, 0); lim.CPUTime.Milliseconds() != 1500 {
		t.Errorf("the sandbox's CPU limit is %s, want the limit plus the extra time", lim.CPUTime)
	}
	job.Code = "nope"
	final, _ = judgeRun(t, codeRunner{}, nil, job)
	if final.Verdict != codementor.VerdictCompilationError || !strings.Contains(final.CompileOutput, "no such program") {
		t.Errorf("a compile error: %+v", final)
	}
}

// A Judge0 run's output that is not UTF-8 is kept byte for byte, base64
// encoded, beside the text (with U+FFFD for the bad bytes): the Judge0 API
// serves it with base64_encoded=true. Text output is not doubled.
func TestJudgeRunKeepsBinaryOutput(t *testing.T) {
	prog := &fakeProgram{run: func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
		return sandbox.Execution{Stdout: []byte(stdin), Stderr: []byte("ok\n")}, nil
	}}
	for _, from := range []string{codementor.RunFromJudge0, codementor.RunFromPage} {
		job := &codementor.Job{Language: "c", Code: "p", Kind: codementor.KindRun, Run: &codementor.Run{From: from,
			Cases: []codementor.RunCase{{Input: "\xfe\xffA"}, {Input: "text\n"}}}}
		final, _ := judgeRun(t, codeRunner{"p": prog}, nil, job)
		bin, text := final.Tests[0], final.Tests[1]
		want := ""
		if from == codementor.RunFromJudge0 {
			want = "/v9B"
		}
		if bin.OutputBase64 != want || bin.StderrBase64 != "" || text.OutputBase64 != "" {
			t.Errorf("%s: output_base64 %q, %q, stderr_base64 %q; want %q, none, none", from, bin.OutputBase64, text.OutputBase64, bin.StderrBase64, want)
		}
	}
}

// A run's options reach the sandbox's limits and source.
func TestRunOptionsReachTheSandbox(t *testing.T) {
	run := &codementor.Run{From: codementor.RunFromJudge0, StackLimitKB: 8000, MaxProcesses: 30, MaxFileSizeKB: 100,
		MergeStderr: true, Args: []string{"a b", "c"}, CompilerOptions: []string{"-O0"}, MemoryLimitKB: 100000, WallLimitMS: 3000}
	lim := RunLimits(nil, run, 0)
	if lim.StackKB != 8000 || lim.Processes != 30+boxThreads || lim.FileSizeKB != 100 || !lim.MergeStderr ||
		lim.Args == nil || strings.Join(*lim.Args, "|") != "a b|c" || lim.MemoryMB != 98 || lim.WallTime.Milliseconds() != 3000 {
		t.Errorf("limits %+v", lim)
	}
	src, err := runSource(sandbox.Source{Language: "c"}, run)
	if err != nil || strings.Join(src.CompilerOptions, " ") != "-O0" {
		t.Errorf("source %+v, %v", src, err)
	}
	run.Files = []byte("not a zip")
	if _, err := runSource(sandbox.Source{}, run); err == nil {
		t.Error("a bad archive was taken")
	}
}

// A run stopped at its wall limit with little CPU used is run once more:
// a stall on the disk passes, a sleeper is over its limit again.
func TestWallStallIsRunAgainOnce(t *testing.T) {
	lim := sandbox.Limits{CPUTime: time.Second, WallTime: 3 * time.Second}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	stalled := sandbox.Execution{TimedOut: true, TimeMS: 30, WallMS: 3000, ExitCode: -1, Signal: "SIGKILL"}
	once := &fakeProgram{run: func(_ context.Context, n int, _ string) (sandbox.Execution, error) {
		if n == 1 {
			return stalled, nil
		}
		return sandbox.Execution{Stdout: []byte("ok"), TimeMS: 30}, nil
	}}
	if e, n, err := runStarved(context.Background(), once, nil, lim, quiet); err != nil || n != 2 || e.TimedOut {
		t.Errorf("a stall then a good run: %+v after %d runs, %v", e, n, err)
	}
	sleeper := &fakeProgram{run: func(context.Context, int, string) (sandbox.Execution, error) { return stalled, nil }}
	if e, n, _ := runStarved(context.Background(), sleeper, nil, lim, quiet); n != 2 || !e.TimedOut {
		t.Errorf("a sleeper: %+v after %d runs, want over its limit after 2", e, n)
	}
	spinner := &fakeProgram{run: func(context.Context, int, string) (sandbox.Execution, error) {
		return sandbox.Execution{TimedOut: true, TimeMS: 1000, WallMS: 1100}, nil
	}}
	if _, n, _ := runStarved(context.Background(), spinner, nil, lim, quiet); n != 1 {
		t.Errorf("a program over its CPU limit ran %d times, want once", n)
	}
}
