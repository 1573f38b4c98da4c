package judge

import (
	"cmp"
	"context"
	"testing"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/sandbox"
)

// subtasked is the double question in two subtasks: tests 0-1 worth 30
// points, tests 2-4 worth 70.
func subtasked() *codementor.Question {
	q := &codementor.Question{ID: "double", Title: "Double", TimeLimitMS: 1000, MemoryLimitMB: 64,
		Tests: []codementor.Test{{Input: "1", Output: "2"}, {Input: "2", Output: "4", Hidden: true},
			{Input: "3", Output: "6", Hidden: true}, {Input: "4", Output: "8", Hidden: true}, {Input: "5", Output: "10", Hidden: true}},
		Subtasks: []codementor.Subtask{{Name: "small", Points: 30, Tests: []int{0, 1}}, {Name: "large", Points: 70, Tests: []int{2, 3, 4}}}}
	q.Normalize()
	return q
}

// A failure skips the rest of its subtask only; each subtask's result is
// sent once its last test is done; the score is the points of the subtasks
// passed.
func TestSubtasks(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fail      map[string]sandbox.Execution // by input
		verdicts  string
		score     int
		subtasks  []codementor.Verdict
		skippedIn string
	}{
		{name: "all right", verdicts: "AAAAA", score: 100, subtasks: []codementor.Verdict{codementor.VerdictAccepted, codementor.VerdictAccepted}},
		{name: "wrong in the first", fail: map[string]sandbox.Execution{"1": {Stdout: []byte("3\n")}}, verdicts: "WSAAA", score: 70,
			subtasks: []codementor.Verdict{codementor.VerdictWrongAnswer, codementor.VerdictAccepted}},
		{name: "too slow in the second", fail: map[string]sandbox.Execution{"3": {TimedOut: true, TimeMS: 1000}}, verdicts: "AATSS", score: 30,
			subtasks: []codementor.Verdict{codementor.VerdictAccepted, codementor.VerdictTimeLimitExceeded}},
		{name: "last test wrong", fail: map[string]sandbox.Execution{"5": {Stdout: []byte("0\n")}}, verdicts: "AAAAW", score: 30,
			subtasks: []codementor.Verdict{codementor.VerdictAccepted, codementor.VerdictWrongAnswer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := subtasked()
			run := func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
				if e, ok := tc.fail[stdin]; ok {
					return e, nil
				}
				return doubled(stdin), nil
			}
			final, events, _, _ := judgeFake(t, context.Background(), q, run, nil)
			if got := letters(final.Tests); got != tc.verdicts {
				t.Errorf("tests %s, want %s", got, tc.verdicts)
			}
			if final.Score != tc.score || final.MaxScore != 100 {
				t.Errorf("score %d of %d, want %d of 100", final.Score, final.MaxScore, tc.score)
			}
			var sent []codementor.Verdict
			for _, ev := range events {
				if ev.Kind == codementor.RunSubtask {
					sent = append(sent, ev.Subtask.Verdict)
				}
			}
			if len(final.Subtasks) != 2 || len(sent) != 2 {
				t.Fatalf("subtasks: final %+v, sent %v", final.Subtasks, sent)
			}
			for k, want := range tc.subtasks {
				if final.Subtasks[k].Verdict != want || sent[k] != want {
					t.Errorf("subtask %d: %s (sent %s), want %s", k, final.Subtasks[k].Verdict, sent[k], want)
				}
				if earned := final.Subtasks[k].Earned; (want == codementor.VerdictAccepted) != (earned == q.Subtasks[k].Points) || earned != 0 && earned != q.Subtasks[k].Points {
					t.Errorf("subtask %d earned %d", k, earned)
				}
			}
		})
	}
}

// Without subtasks a question is all or nothing.
func TestScoreAllOrNothing(t *testing.T) {
	q := &codementor.Question{Tests: make([]codementor.Test, 2)}
	acc := []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted}, {Index: 1, Verdict: codementor.VerdictAccepted}}
	if s, m, sts := Score(q, acc, codementor.VerdictAccepted); s != 100 || m != 100 || sts != nil {
		t.Errorf("accepted: %d of %d, %v", s, m, sts)
	}
	if s, _, _ := Score(q, acc[:1], codementor.VerdictWrongAnswer); s != 0 {
		t.Errorf("wrong answer scored %d", s)
	}
	// An internal error earns nothing, even on subtasks that passed.
	q = subtasked()
	trs := []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted}, {Index: 1, Verdict: codementor.VerdictAccepted}}
	if s, _, _ := Score(q, trs, codementor.VerdictInternalError); s != 0 {
		t.Errorf("internal error scored %d", s)
	}
}

// letters abbreviates verdicts: A accepted, W wrong, T time, S skipped.
func letters(trs []codementor.TestResult) string {
	abbr := map[codementor.Verdict]string{codementor.VerdictAccepted: "A", codementor.VerdictWrongAnswer: "W",
		codementor.VerdictTimeLimitExceeded: "T", codementor.VerdictSkipped: "S"}
	s := ""
	for _, tr := range trs {
		s += cmp.Or(abbr[tr.Verdict], "?")
	}
	return s
}
