package judge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/internal/sandboxtest"
	"github.com/codementor/codementor/questions"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/sandbox"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newSandbox(t *testing.T) Runner {
	t.Helper()
	if _, err := sandboxtest.Helper(); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(t.Context(), sandbox.Config{WorkDir: filepath.Join(os.TempDir(), "codementor-sandbox-test")}, quiet)
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
	final := Judge(context.Background(), r, q, &codementor.Job{SubmissionID: "s", QuestionID: q.ID, Language: lang, Code: code}, 64<<10, quiet,
		func(ev *codementor.RunEvent) { events = append(events, ev) })
	return final, events
}

func verdicts(trs []codementor.TestResult) string {
	var v []string
	for _, tr := range trs {
		v = append(v, string(tr.Verdict))
	}
	return strings.Join(v, ",")
}

func TestJudge(t *testing.T) {
	r := newSandbox(t)
	tests := []struct {
		name, lang, code string
		stop             bool
		verdict          codementor.Verdict
		tests            string
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

// TestJudgeHidesTheDriver: a learner's error shows the learner's code, never
// the driver's path, lines or source: in a sample's stderr and in a
// compiler's message.
func TestJudgeHidesTheDriver(t *testing.T) {
	q := double(false)
	driver := "from solution import *\nsecret_driver_value = double(int(input()))\nprint(secret_driver_value)\n"
	q.Drivers = map[string]string{"python": driver, "c": "#include <stdio.h>\nint twice(int);\nint main(void) { int n; if (scanf(\"%d\", &n) != 1) return 1; printf(\"%d\\n\", twice(n)); return 0; }\n"}
	sb := newSandbox(t)
	final, _ := judgeIt(t, sb, q, "python", "def double(n):\n    return n // 0\n")
	if final.Verdict != codementor.VerdictRuntimeError || len(final.Tests) == 0 {
		t.Fatalf("verdict %s tests %+v", final.Verdict, final.Tests)
	}
	stderr := final.Tests[0].Stderr
	if !strings.Contains(stderr, "ZeroDivisionError") || !strings.Contains(stderr, "solution.py") ||
		strings.Contains(stderr, "main.py") || strings.Contains(stderr, "secret_driver_value") {
		t.Errorf("sample stderr shows the driver, or not the learner's error:\n%s", stderr)
	}
	// The learner's C lacks twice(): the link error names the driver.
	final, _ = judgeIt(t, sb, q, "c", "int thrice(int n) { return 3 * n; }\n")
	if final.Verdict != codementor.VerdictCompilationError || !strings.Contains(final.CompileOutput, "twice") || strings.Contains(final.CompileOutput, "main.c") {
		t.Errorf("compile output shows the driver's file, or not the missing function (%s):\n%s", final.Verdict, final.CompileOutput)
	}
}

func TestHiddenTestsRevealNothing(t *testing.T) {
	final, _ := judgeIt(t, newSandbox(t), double(false), "python", "print(7)")
	for _, tr := range final.Tests {
		if tr.Hidden {
			if tr.Input != "" || tr.Expected != "" || tr.Output != "" || tr.Stderr != "" || tr.ExitCode != 0 || tr.Signal != "" || strings.Contains(tr.Message, "42") {
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
		verdict codementor.Verdict
	}{
		{sandbox.Execution{Stdout: []byte("2")}, codementor.VerdictAccepted},
		{sandbox.Execution{Stdout: []byte("3")}, codementor.VerdictWrongAnswer},
		{sandbox.Execution{TimedOut: true, Signal: "SIGKILL"}, codementor.VerdictTimeLimitExceeded},
		{sandbox.Execution{MemoryExceeded: true, ExitCode: 1}, codementor.VerdictMemoryLimitExceeded},
		{sandbox.Execution{OutputExceeded: true}, codementor.VerdictOutputLimitExceeded},
		{sandbox.Execution{Signal: "SIGSEGV"}, codementor.VerdictRuntimeError},
		{sandbox.Execution{ExitCode: 1, Stdout: []byte("2")}, codementor.VerdictRuntimeError},
		{sandbox.Execution{Starved: true, TimedOut: true, Signal: "SIGKILL", ExitCode: -1}, codementor.VerdictInternalError},
	}
	for _, tt := range tests {
		if got := Result(q, 0, tt.exec); got.Verdict != tt.verdict || got.Message == "" && tt.verdict != codementor.VerdictAccepted {
			t.Errorf("Result(%+v) = %+v, want %s with a message", tt.exec, got, tt.verdict)
		}
	}
}

// startWorker runs a judge worker with the real sandbox on a test broker
// holding the double question and a submission judged already.
func startWorker(t *testing.T) (*kafkatest.Cluster, *Worker) {
	t.Helper()
	c := kafkatest.Start(t, 2, 0)
	kafkatest.Emit(c, goka.Stream(codementor.QuestionsTable), "double", double(false))
	kafkatest.Emit(c, goka.Stream(codementor.SubmissionsTable), "judged",
		&codementor.Submission{ID: "judged", QuestionID: "double", Status: codementor.StatusReviewing, Verdict: codementor.VerdictAccepted})
	qs, subs := kafkatest.Views(c)
	cfg := DefaultConfig(2)
	cfg.QuestionWait = 300 * time.Millisecond
	w, err := NewWorker(newSandbox(t), cfg, qs, subs, kafkatest.Emitter[codementor.RunEvent](c, codementor.RunEvents),
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
			t.Error(err)
		}
	})
	return c, w
}

// TestWorker runs the judge on a real broker: jobs in through its share
// group, the question looked up in a view, events out; a job for a missing
// question ends as an internal error, an undecodable job becomes a dead
// letter, and a job of a submission judged already is skipped.
func TestWorker(t *testing.T) {
	c, _ := startWorker(t)
	job := func(id, question string) *codementor.Job {
		return &codementor.Job{SubmissionID: id, QuestionID: question, Language: "python", Code: "print(2*int(input()))"}
	}
	kafkatest.Emit(c, codementor.RunJobs, "judged", job("judged", "double"))
	kafkatest.Emit(c, codementor.RunJobs, "s1", job("s1", "double"))
	kafkatest.Emit(c, codementor.RunJobs, "s2", job("s2", "gone"))
	kafkatest.EmitRaw(c, codementor.RunJobs, "s3", []byte("not json"))

	events := kafkatest.Read[codementor.RunEvent](c, codementor.RunEvents)
	kinds := map[string][]string{}
	finals := map[string]*codementor.RunEvent{}
	for len(finals) < 2 {
		key, ev := events.Next(30 * time.Second)
		if ev.SubmissionID != key || ev.At.IsZero() {
			t.Errorf("event %s %+v", key, ev)
		}
		kinds[key] = append(kinds[key], string(ev.Kind))
		if ev.Kind == codementor.RunFinished {
			finals[key] = ev
		}
	}
	if strings.Join(kinds["s1"], ",") != "started,test,test,test,finished" || finals["s1"].Verdict != codementor.VerdictAccepted {
		t.Errorf("s1: events %v, final %+v", kinds["s1"], finals["s1"])
	}
	if ev := finals["s2"]; ev == nil || ev.Verdict != codementor.VerdictInternalError || !strings.Contains(ev.Error, "gone") {
		t.Errorf("missing question: %+v", ev)
	}
	if _, ok := kinds["judged"]; ok {
		t.Errorf("a submission judged already was judged again: %v", kinds["judged"])
	}
	dead := kafkatest.Read[codementor.DeadLetter](c, codementor.DeadLetters)
	if _, dl := dead.Next(10 * time.Second); dl.Key != "s3" || dl.Topic != string(codementor.RunJobs) || string(dl.Value) != "not json" || dl.Group != string(codementor.JudgeGroup) {
		t.Errorf("the undecodable job's dead letter: %+v", dl)
	}
	if key, ev, ok := events.TryNext(time.Second); ok {
		t.Errorf("unexpected event %s %+v", key, ev)
	}
}

// TestPoisonedJobFailsTheSubmission gives the worker a job on its last
// delivery: the submission fails with an internal error that says why, and
// the job is kept as a dead letter.
func TestPoisonedJobFailsTheSubmission(t *testing.T) {
	c, w := startWorker(t)
	raw, _ := json.Marshal(codementor.Job{SubmissionID: "p", QuestionID: "double", Language: "python", Code: "x"})
	out := w.Poisoned(context.Background(), queue.Job{Key: "p", Value: raw, Topic: string(codementor.RunJobs), Partition: 1, Offset: 7, Delivery: 5})
	if out != queue.Done {
		t.Fatalf("outcome %v", out)
	}
	_, ev := kafkatest.Read[codementor.RunEvent](c, codementor.RunEvents).Next(10 * time.Second)
	if ev.SubmissionID != "p" || ev.Kind != codementor.RunFinished || ev.Verdict != codementor.VerdictInternalError || !strings.Contains(ev.Error, "5 times") {
		t.Errorf("event %+v", ev)
	}
	_, dl := kafkatest.Read[codementor.DeadLetter](c, codementor.DeadLetters).Next(10 * time.Second)
	if dl.Key != "p" || dl.Offset != 7 || dl.Partition != 1 || !strings.Contains(dl.Reason, "delivered 5 times") {
		t.Errorf("dead letter %+v", dl)
	}
}

// TestSlotFreedAfterTimeLimit: after a test exceeds its time limit the rest
// are skipped with the reason, unless the question runs all tests; a wrong
// answer goes on.
func TestSlotFreedAfterTimeLimit(t *testing.T) {
	r := newSandbox(t)
	q := double(false)
	q.TimeLimitMS = 300
	final, _ := judgeIt(t, r, q, "python", "while True: pass")
	if got := verdicts(final.Tests); got != "time_limit_exceeded,skipped,skipped" || final.Verdict != codementor.VerdictTimeLimitExceeded ||
		!strings.Contains(final.Tests[1].Message, "test 1 exceeded the time limit") {
		t.Errorf("tests %s, verdict %s, message %q", got, final.Verdict, final.Tests[1].Message)
	}
	q.RunAllTests = true
	final, _ = judgeIt(t, r, q, "python", "while True: pass")
	if got := verdicts(final.Tests); got != "time_limit_exceeded,time_limit_exceeded,time_limit_exceeded" {
		t.Errorf("run all tests: %s", got)
	}
	q.RunAllTests = false
	final, _ = judgeIt(t, r, q, "python", "print(4)")
	if got := verdicts(final.Tests); got != "wrong_answer,wrong_answer,wrong_answer" {
		t.Errorf("wrong answers: %s", got)
	}
}

// TestTimeRunningOutIsNoAccept: when the submission's judging time runs out
// before every test ran, the verdict is not accepted.
func TestTimeRunningOutIsNoAccept(t *testing.T) {
	r := newSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	q := double(false)
	q.TimeLimitMS = 1000
	final := Judge(ctx, r, q, &codementor.Job{SubmissionID: "s", QuestionID: q.ID, Language: "python",
		Code: "import time\nn=int(input())\ntime.sleep(0.9)\nprint(2*n)"}, 64<<10, quiet, func(*codementor.RunEvent) {})
	if final.Verdict != codementor.VerdictInternalError || !strings.Contains(final.Error, "deadline") && !strings.Contains(final.Error, "ran out") {
		t.Errorf("verdict %s, tests %s, error %q", final.Verdict, verdicts(final.Tests), final.Error)
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

// TestFloodDoesNotDelayAnotherLearner judges, with two slots, four slow
// submissions of one learner and then a quick one of another: the quick one
// is judged before the flood's second wave starts, not after it.
func TestFloodDoesNotDelayAnotherLearner(t *testing.T) {
	c, _ := startWorker(t)
	slow := "import time\nn=int(input())\ntime.sleep(0.6)\nprint(2*n)"
	for i := range 4 {
		id := fmt.Sprintf("flood-%d", i)
		kafkatest.Emit(c, codementor.RunJobs, id, &codementor.Job{SubmissionID: id, User: "alice", QuestionID: "double", Language: "python", Code: slow})
	}
	kafkatest.Emit(c, codementor.RunJobs, "bob", &codementor.Job{SubmissionID: "bob", User: "bob", QuestionID: "double", Language: "python", Code: "print(2*int(input()))"})
	events := kafkatest.Read[codementor.RunEvent](c, codementor.RunEvents)
	var order []string
	for len(order) < 5 {
		key, ev := events.Next(60 * time.Second)
		if ev.Kind == codementor.RunFinished {
			if ev.Verdict != codementor.VerdictAccepted {
				t.Errorf("%s: %s %s", key, ev.Verdict, ev.Error)
			}
			order = append(order, key)
		}
	}
	if pos := slices.Index(order, "bob"); pos > 1 {
		t.Errorf("bob's submission finished after %d of alice's: %v", pos, order)
	}
	t.Logf("finished in the order %v", order)
}

// TestPreemptionForALearnerWhoWaits: with both slots held by slow jobs of
// two learners, a third learner's quick job preempts one of them once its
// test has run for PreemptAfter; the preempted job runs again from the
// start after the quick one, and every verdict is right.
func TestPreemptionForALearnerWhoWaits(t *testing.T) {
	c, _ := startWorker(t)
	slow := "import time\nn=int(input())\ntime.sleep(1.2)\nprint(2*n)"
	for _, who := range []string{"alice", "carol"} {
		kafkatest.Emit(c, codementor.RunJobs, who, &codementor.Job{SubmissionID: who, User: who, QuestionID: "double", Language: "python", Code: slow})
	}
	events := kafkatest.Read[codementor.RunEvent](c, codementor.RunEvents)
	started := map[string]int{}
	for len(started) < 2 {
		key, ev := events.Next(60 * time.Second)
		if ev.Kind == codementor.RunStarted {
			started[key]++
		}
	}
	kafkatest.Emit(c, codementor.RunJobs, "bob", &codementor.Job{SubmissionID: "bob", User: "bob", QuestionID: "double", Language: "python", Code: "print(2*int(input()))"})
	var order []string
	for len(order) < 3 {
		key, ev := events.Next(60 * time.Second)
		switch ev.Kind {
		case codementor.RunStarted:
			started[key]++
		case codementor.RunFinished:
			if ev.Verdict != codementor.VerdictAccepted || len(ev.Tests) != 3 {
				t.Errorf("%s: %s %s, %d tests", key, ev.Verdict, ev.Error, len(ev.Tests))
			}
			order = append(order, key)
		}
	}
	if order[0] != "bob" {
		t.Errorf("bob's quick submission did not finish first: %v", order)
	}
	if started["alice"]+started["carol"] != 3 || started["bob"] != 1 {
		t.Errorf("starts %v: want one slow job preempted and run again, once", started)
	}
	t.Logf("finished in the order %v, starts %v", order, started)
}
