package judge

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/processors/lookup"
	"github.com/codementor/codementor/questions"
	"github.com/codementor/codementor/sandbox"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newSandbox(t *testing.T) Runner {
	t.Helper()
	sb, err := sandbox.New(sandbox.Config{WorkDir: filepath.Join(os.TempDir(), "codementor-sandbox-test")}, quiet)
	if err != nil {
		t.Fatalf("the judge's tests need the sandbox (make test installs bubblewrap): %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	return Sandboxed{Sandbox: sb}
}

func double(stop bool) *codementor.Question {
	q := &codementor.Question{ID: "double", Title: "Double", TimeLimitMS: 1000, StopOnFailure: stop, Tests: []codementor.Test{
		{Input: "1\n", Output: "2\n"},
		{Input: "21\n", Output: "42\n", Hidden: true},
		{Input: "-5\n", Output: "-10\n", Hidden: true},
	}}
	q.Normalize()
	return q
}

func judgeIt(t *testing.T, r Runner, q *codementor.Question, lang, code string) (*codementor.RunEvent, []*codementor.RunEvent) {
	t.Helper()
	var events []*codementor.RunEvent
	final := Judge(context.Background(), r, q, &codementor.Job{SubmissionID: "s", QuestionID: q.ID, Language: lang, Code: code}, 64<<10,
		func(ev *codementor.RunEvent) { events = append(events, ev) })
	return final, events
}

func verdicts(trs []codementor.TestResult) string {
	var v []string
	for _, tr := range trs {
		v = append(v, tr.Verdict)
	}
	return strings.Join(v, ",")
}

func TestJudge(t *testing.T) {
	r := newSandbox(t)
	tests := []struct {
		name, lang, code string
		stop             bool
		verdict, tests   string
	}{
		{"python accepted", "python", "print(2*int(input()))", false, "accepted", "accepted,accepted,accepted"},
		{"c accepted", "c", "#include <stdio.h>\nint main(){int n;scanf(\"%d\",&n);printf(\"%d\\n\",2*n);}", false, "accepted", "accepted,accepted,accepted"},
		{"cpp wrong on a hidden test", "cpp", "#include <iostream>\nint main(){int n;std::cin>>n;std::cout<<(n>0?2*n:n)<<\"\\n\";}", false, "wrong_answer", "accepted,accepted,wrong_answer"},
		{"python runtime error", "python", "raise SystemExit(3)", false, "runtime_error", "runtime_error,runtime_error,runtime_error"},
		{"stop at the first failure", "python", "print(1)", true, "wrong_answer", "wrong_answer,skipped,skipped"},
		{"time limit", "python", "while True: pass", true, "time_limit_exceeded", "time_limit_exceeded,skipped,skipped"},
		{"compile error", "c", "int main( {", false, "compilation_error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			final, events := judgeIt(t, r, double(tt.stop), tt.lang, tt.code)
			if final.Verdict != tt.verdict || verdicts(final.Tests) != tt.tests {
				t.Fatalf("verdict %s tests %s, want %s %s (error %q, compile %q)", final.Verdict, verdicts(final.Tests), tt.verdict, tt.tests, final.Error, final.CompileOutput)
			}
			if tt.verdict == codementor.VerdictCompilationError {
				if !strings.Contains(final.CompileOutput, "error") || len(events) != 0 {
					t.Errorf("compile output %q, %d events", final.CompileOutput, len(events))
				}
				return
			}
			// started, then one event per test in order.
			if len(events) != 1+len(final.Tests) || events[0].Kind != codementor.RunStarted || events[0].TestCount != 3 {
				t.Fatalf("events: %+v", events)
			}
			for i, ev := range events[1:] {
				if ev.Kind != codementor.RunTest || ev.Test.Index != i {
					t.Errorf("event %d: %+v", i+1, ev)
				}
			}
		})
	}
}

// TestJudgeDriver checks that the question's driver for the submission's
// language is compiled with the learner's code.
func TestJudgeDriver(t *testing.T) {
	q := double(false)
	q.Drivers = map[string]string{"python": "from solution import *\nprint(double(int(input())))\n"}
	final, _ := judgeIt(t, newSandbox(t), q, "python", "def double(n):\n    return 2 * n\n")
	if final.Verdict != codementor.VerdictAccepted {
		t.Fatalf("verdict %s tests %s (error %q, compile %q)", final.Verdict, verdicts(final.Tests), final.Error, final.CompileOutput)
	}
}

func TestHiddenTestsRevealNothing(t *testing.T) {
	final, _ := judgeIt(t, newSandbox(t), double(false), "python", "print(7)")
	for _, tr := range final.Tests {
		if tr.Hidden {
			if tr.Input != "" || tr.Expected != "" || tr.Output != "" || tr.Stderr != "" || strings.Contains(tr.Message, "42") {
				t.Errorf("hidden test %d reveals data: %+v", tr.Index, tr)
			}
		} else if tr.Input != "1\n" || tr.Expected != "2\n" || tr.Output != "7\n" || !strings.Contains(tr.Message, `"2"`) {
			t.Errorf("sample test %d lacks its data: %+v", tr.Index, tr)
		}
	}
}

func TestResult(t *testing.T) {
	q := double(false)
	tests := []struct {
		exec    sandbox.Execution
		verdict string
	}{
		{sandbox.Execution{Stdout: []byte("2")}, codementor.VerdictAccepted},
		{sandbox.Execution{Stdout: []byte("3")}, codementor.VerdictWrongAnswer},
		{sandbox.Execution{TimedOut: true, Signal: "SIGKILL"}, codementor.VerdictTimeLimitExceeded},
		{sandbox.Execution{MemoryExceeded: true, ExitCode: 1}, codementor.VerdictMemoryLimitExceeded},
		{sandbox.Execution{OutputExceeded: true}, codementor.VerdictOutputLimitExceeded},
		{sandbox.Execution{Signal: "SIGSEGV"}, codementor.VerdictRuntimeError},
		{sandbox.Execution{ExitCode: 1, Stdout: []byte("2")}, codementor.VerdictRuntimeError},
	}
	for _, tt := range tests {
		if got := Result(q, 0, tt.exec); got.Verdict != tt.verdict || got.Message == "" && tt.verdict != codementor.VerdictAccepted {
			t.Errorf("Result(%+v) = %+v, want %s with a message", tt.exec, got, tt.verdict)
		}
	}
}

// TestGraph runs the judge's group on goka's tester: a job in, the question
// looked up from the table, events out; a job for a missing question ends
// as an internal error instead of stopping the processor.
func TestGraph(t *testing.T) {
	tt := tester.New(t)
	p, err := goka.NewProcessor(nil, Graph(newSandbox(t), DefaultConfig(2), quiet), goka.WithTester(tt))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	tt.SetTableValue(codementor.QuestionsTable, "double", double(false))
	events := tt.NewQueueTracker(string(codementor.RunEvents))
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	job, _ := json.Marshal(codementor.Job{SubmissionID: "s1", QuestionID: "double", Language: "python", Code: "print(2*int(input()))"})
	tt.Consume(string(codementor.RunJobs), "s1", job)
	var kinds []string
	var last *codementor.RunEvent
	for {
		key, v, ok := events.Next()
		if !ok {
			break
		}
		last = v.(*codementor.RunEvent)
		if key != "s1" || last.SubmissionID != "s1" || last.At.IsZero() {
			t.Errorf("event %s %+v", key, last)
		}
		kinds = append(kinds, last.Kind)
	}
	if strings.Join(kinds, ",") != "started,test,test,test,finished" || last.Verdict != codementor.VerdictAccepted {
		t.Fatalf("events %v, final %+v", kinds, last)
	}

	// A missing question is waited for (the lookup table may be behind),
	// then the job fails.
	lookup.Retries, lookup.Wait = 2, 0
	missing, _ := json.Marshal(codementor.Job{SubmissionID: "s2", QuestionID: "gone", Language: "python", Code: "x"})
	tt.Consume(string(codementor.RunJobs), "s2", missing)
	tt.Consume(string(codementor.RunJobs), "s3", []byte("not json"))
	_, v, ok := events.Next()
	if ev := v.(*codementor.RunEvent); !ok || ev.Verdict != codementor.VerdictInternalError || !strings.Contains(ev.Error, "gone") {
		t.Errorf("missing question: %+v", ev)
	}
	if _, _, ok := events.Next(); ok {
		t.Error("an undecodable job produced an event")
	}
	if _, v, ok := dead.Next(); !ok || v.(*codementor.DeadLetter).Key != "s3" || v.(*codementor.DeadLetter).Topic != string(codementor.RunJobs) {
		t.Errorf("the undecodable job's dead letter: %+v, %v", v, ok)
	}
}

// TestStarterQuestions judges the reference solutions of every starter
// question, in Python and C++, through the real sandbox: each must be
// accepted on every test, so the questions' limits (time, memory, output)
// fit real solutions.
func TestStarterQuestions(t *testing.T) {
	qs, err := questions.Starter()
	if err != nil {
		t.Fatal(err)
	}
	r := newSandbox(t)
	for _, q := range qs {
		for lang, ext := range map[string]string{"python": ".py", "cpp": ".cpp"} {
			t.Run(q.ID+"/"+lang, func(t *testing.T) {
				code, err := os.ReadFile(filepath.Join("..", "..", "questions", "testdata", "solutions", q.ID+ext))
				if err != nil {
					t.Fatal(err)
				}
				final, _ := judgeIt(t, r, &q, lang, string(code))
				if final.Verdict != codementor.VerdictAccepted {
					for _, tr := range final.Tests {
						if tr.Verdict != codementor.VerdictAccepted {
							t.Errorf("test %d: %s %s (%d ms, %d KB)", tr.Index, tr.Verdict, tr.Message, tr.TimeMS, tr.MemoryKB)
						}
					}
					t.Fatalf("verdict %s %s %s", final.Verdict, final.Error, final.CompileOutput)
				}
			})
		}
	}
}
