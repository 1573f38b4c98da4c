package systemtest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// TestRunsEndToEnd: a run of the page goes through Kafka to the judge and
// back over its own event stream, with the question's samples (never its
// hidden tests) and the learner's inputs, whose expected output comes from
// the question's reference solution; it is not a submission: not on the
// learner's stream, not in their history, not reviewed.
func TestRunsEndToEnd(t *testing.T) {
	waitsMostly(t)
	in := start(t, t.TempDir())
	alice := login(t, in.Base, testUser("alice"), false)
	admin := login(t, in.Base, "root", true)
	qid := "double-" + strings.ToLower(codementor.NewSubmissionID(time.Now())[16:24])
	q := codementor.Question{ID: qid, Title: "Double", Statement: "Print twice n.", TimeLimitMS: 2000, MemoryLimitMB: 128,
		Tests:     []codementor.Test{{Input: "2\n", Output: "4\n"}, {Input: "50\n", Output: "100\n", Hidden: true}},
		Reference: &codementor.Solution{Language: "python", Code: "print(2 * int(input()))\n"}}
	if status := admin.do(t, "PUT", "/api/questions/"+qid, q, nil); status != http.StatusCreated {
		t.Fatalf("PUT question: %d", status)
	}
	events := alice.stream(t, "/api/events", "")
	run := func(code string, inputs ...string) *codementor.Submission {
		t.Helper()
		var r codementor.Submission
		if status := alice.do(t, "POST", "/api/runs", map[string]any{"question_id": qid, "language": "python", "code": code, "inputs": inputs}, &r); status != http.StatusAccepted {
			t.Fatalf("POST /api/runs: %d", status)
		}
		seen := alice.stream(t, "/api/runs/"+r.ID+"/events", "").untilFinal(t, r.ID, finalWithin)
		return seen[len(seen)-1]
	}
	got := run("n = int(input())\nprint(n + 1)\n", "3\n", "abc\n")
	if got.Status != codementor.StatusDone || got.Review.Status != codementor.ReviewSkipped || got.Verdict != codementor.VerdictWrongAnswer || len(got.Tests) != 3 {
		t.Fatalf("final run: %+v", got)
	}
	want := []struct {
		source, input, expected, output string
		verdict                         codementor.Verdict
		unchecked                       bool
	}{
		{"sample", "2\n", "4\n", "3\n", codementor.VerdictWrongAnswer, false},
		{"custom", "3\n", "6\n", "4\n", codementor.VerdictWrongAnswer, false},
		{"custom", "abc\n", "", "", codementor.VerdictRuntimeError, false}, // the reference fails too: no expected output
	}
	for i, w := range want {
		tr := got.Tests[i]
		if tr.Source != w.source || tr.Input != w.input || tr.Expected != w.expected || tr.Output != w.output || tr.Verdict != w.verdict || tr.Unchecked != w.unchecked {
			t.Errorf("case %d: %+v, want %+v", i, tr, w)
		}
	}
	if !strings.Contains(got.Tests[2].Stderr, "ValueError") {
		t.Errorf("the failing case's stderr: %q", got.Tests[2].Stderr)
	}
	good := run("print(2 * int(input()))\n", "21\n")
	if good.Verdict != codementor.VerdictAccepted || len(good.Tests) != 2 || good.Tests[1].Output != "42\n" || good.Tests[1].Expected != "42\n" {
		t.Errorf("a right program's run: %+v", good)
	}
	if ev, s, ok := events.within(t, time.Second); ok {
		t.Errorf("the learner's submission stream carried a run: %v %+v", ev, s)
	}
	var subs []codementor.Submission
	alice.do(t, "GET", "/api/submissions", nil, &subs)
	if len(subs) != 0 {
		t.Errorf("runs in the learner's history: %d", len(subs))
	}
}
