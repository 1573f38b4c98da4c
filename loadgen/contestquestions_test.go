package loadgen

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

func TestContestQuestionsValidate(t *testing.T) {
	for _, id := range contestQuestionIDs() {
		cq := contestQuestions[id]
		if cq.points < 1 || cq.points > codementor.MaxContestPoints {
			t.Errorf("%s: %d points", id, cq.points)
		}
		for _, k := range cq.Kinds() {
			if _, ok := cq.expect[k]; !ok {
				t.Errorf("%s: no expectation for kind %s", id, k)
			}
			if cq.programs[k]["python"] == "" {
				t.Errorf("%s: no python program of kind %s", id, k)
			}
		}
		if cq.question == nil {
			continue
		}
		q := cq.question()
		if err := q.Validate(); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if q.ID != id || q.TimeLimitMS != contestTimeLimitMS {
			t.Errorf("%s: id %q, time limit %d", id, q.ID, q.TimeLimitMS)
		}
		if q.Tests[0].Hidden {
			t.Errorf("%s: the first test is the sample, shown", id)
		}
		// The same question on every call: a second run finds it unchanged.
		if again := cq.question(); !questionsEqual(&q, &again) {
			t.Errorf("%s: two calls built different questions", id)
		}
		if e := cq.expect[KindCorrect]; e.Score != q.MaxScore() {
			t.Errorf("%s: a correct program expects %d of %d", id, e.Score, q.MaxScore())
		}
	}
	if q := pairSumsQuestion(); len(q.Subtasks) != 2 || q.MaxScore() != 100 {
		t.Errorf("pair sums: subtasks %+v", q.Subtasks)
	}
}

func questionsEqual(a, b *codementor.Question) bool {
	if a.Statement != b.Statement || len(a.Tests) != len(b.Tests) || len(a.Subtasks) != len(b.Subtasks) {
		return false
	}
	for i := range a.Tests {
		if a.Tests[i] != b.Tests[i] {
			return false
		}
	}
	return true
}

func TestFloorSum(t *testing.T) {
	for n := int64(1); n <= 2000; n++ {
		var want int64
		for i := int64(1); i <= n; i++ {
			want += n / i
		}
		if got := floorSum(n); got != want {
			t.Fatalf("floorSum(%d) = %d, want %d", n, got, want)
		}
	}
	if got := floorSum(10); got != 27 {
		t.Errorf("floorSum(10) = %d", got)
	}
	// Big ones, and around perfect squares, where a float square root may
	// be off by one: against a sum over the blocks of equal ⌊n/i⌋.
	for _, n := range append([]int64{99_999 * 99_999, 99_999*99_999 - 1, 99_999*99_999 + 1}, floorSums...) {
		var want int64
		for i := int64(1); i <= n; {
			q := n / i
			j := n / q
			want += q * (j - i + 1)
			i = j + 1
		}
		if got := floorSum(n); got != want {
			t.Errorf("floorSum(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestContestProgramsWithPython runs every contest program on every test
// of its question with the host's python3 (the judge's Python is the same
// language): correct programs pass every test, wrong ones fail some and
// finish, partial and slow ones pass the small tests and are still running
// at three times the time limit on the first big one; and each prints what
// the fake service's model of it prints.
func TestContestProgramsWithPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	// The interpreter itself, not a shim (pyenv's costs 100 ms a start).
	if out, err := exec.Command(python, "-c", "import sys; print(sys.executable)").Output(); err == nil && strings.TrimSpace(string(out)) != "" {
		python = strings.TrimSpace(string(out))
	}
	if testing.Short() {
		t.Skip("runs the naive programs to their limits")
	}
	limit := 3 * contestTimeLimitMS * time.Millisecond
	for _, id := range []string{pairSumsID, floorSumsID} {
		cq := contestQuestions[id]
		q := cq.question()
		for _, kind := range cq.Kinds() {
			t.Run(id+"/"+kind, func(t *testing.T) {
				code := cq.programs[kind]["python"]
				failed, passed := 0, 0
				for i, test := range q.Tests {
					ctx, cancel := context.WithTimeout(t.Context(), limit)
					cmd := exec.CommandContext(ctx, python, "-c", code)
					cmd.Stdin = strings.NewReader(test.Input)
					var out bytes.Buffer
					cmd.Stdout = &out
					start := time.Now()
					err := cmd.Run()
					took := time.Since(start)
					timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
					cancel()
					ok := err == nil && strings.Fields(out.String()) != nil && strings.Join(strings.Fields(out.String()), " ") == strings.TrimSpace(test.Output)
					// The fake service's model of the program (modelJudge)
					// prints what it prints and runs out of time where it does.
					switch want, tle := modelProgram(id, code)(test.Input); {
					case tle != timedOut:
						t.Errorf("test %d: the model runs out of time: %v; the program did: %v (%v)", i, tle, timedOut, took)
					case !tle && err == nil && strings.TrimSpace(out.String()) != strings.TrimSpace(want):
						t.Errorf("test %d: the program printed %q, its model %q", i, out.String(), want)
					}
					switch kind {
					case KindCorrect:
						if !ok {
							t.Errorf("test %d: err %v, output %q, want %q (%v)", i, err, out.String(), test.Output, took)
						}
						if cmd.ProcessState != nil {
							// CPU time, as the sandbox limits it.
							if cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); cpu > contestTimeLimitMS*time.Millisecond/2 {
								t.Errorf("test %d took %v of CPU on this machine, near the limit of %d ms", i, cpu, contestTimeLimitMS)
							}
						}
					case KindWrong:
						if timedOut || (err != nil) {
							t.Errorf("test %d: a wrong program must finish cleanly: %v after %v", i, err, took)
						}
					case KindPartial, KindSlow:
						big := isBigTest(id, i)
						switch {
						case big && !timedOut:
							t.Errorf("test %d (big): finished in %v, want still running after %v", i, took, limit)
						case !big && !ok:
							t.Errorf("test %d (small): err %v, output %q, want %q", i, err, out.String(), test.Output)
						}
						if big {
							// The judge skips the rest of the subtask, or of
							// an all-or-nothing question.
							return
						}
					}
					if ok {
						passed++
					} else {
						failed++
					}
				}
				if kind == KindWrong && failed == 0 {
					t.Errorf("the wrong program passed all %d tests", passed)
				}
			})
		}
	}
}

// isBigTest reports whether test i of a generator question is one only a
// fast program passes.
func isBigTest(id string, i int) bool {
	switch id {
	case pairSumsID:
		return i >= 3
	case floorSumsID:
		return floorSums[i] >= 1_000_000_000
	}
	return false
}
