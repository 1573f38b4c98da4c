package loadgen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	codementor "github.com/codementor/codementor"
)

// Kinds of program a contest learner submits.
const (
	// KindCorrect solves the question: accepted, full score.
	KindCorrect = "correct"
	// KindPartial is a naive program that passes the small tests and runs
	// out of time on the big ones: time_limit_exceeded with the points of
	// the subtasks of small tests (questions with subtasks only).
	KindPartial = "partial"
	// KindWrong runs fast and prints a wrong answer: wrong_answer, 0.
	KindWrong = "wrong"
	// KindSlow is a naive program on a question without subtasks: it passes
	// the small tests and runs out of time on a big one, which scores 0.
	KindSlow = "slow"
)

// kinds is every kind, in the order reports list them.
var kinds = []string{KindCorrect, KindPartial, KindWrong, KindSlow}

// expectation is what the judge should make of a program: its verdict and
// its score of the question's own points.
type expectation struct {
	Verdict codementor.Verdict `json:"verdict"`
	Score   int                `json:"score"`
}

// contestQuestion is a question the contest mode can put in a contest: the
// question itself (created by the generator, as admin, when the service
// lacks it), its contest points, and a real program of each kind it has in
// each language it ships, with what the judge should make of it.
type contestQuestion struct {
	// question builds the question; nil for one the service ships (seeded)
	// that the generator never writes.
	question func() codementor.Question
	// points is what it is worth in the contest.
	points int
	// programs maps a kind to a language to the code.
	programs map[string]map[string]string
	expect   map[string]expectation
	// change is what --rejudge does to the question (nil: it cannot be
	// the question of a rejudge).
	change *testChange
}

// testChange is the change --rejudge makes to one of the generator's
// questions after the contest: one hidden test's expected output made
// wrong (the answer plus one), as an admin's slip would, and what each
// kind of program gets under it. The judge gives the first failing test's
// verdict; with subtasks a failed test skips the rest of its subtask only.
type testChange struct {
	// test is the index of the test changed.
	test int
	// expect is each kind's verdict and score under the changed test.
	expect map[string]expectation
}

// changed returns q with its change made by run runID, the test's
// expected output before and after. The statement says so, so that a
// later run that finds the question so (this run was cut short before it
// put it back) sees another version and writes it again.
func (q *contestQuestion) changed(runID string) (changed codementor.Question, was, now string, err error) {
	changed = q.question()
	t := &changed.Tests[q.change.test]
	was = strings.TrimSpace(t.Output)
	n, err := strconv.ParseInt(was, 10, 64)
	if err != nil {
		return changed, "", "", fmt.Errorf("test %d of %s expects %q, not a number", q.change.test+1, changed.ID, was)
	}
	now = strconv.FormatInt(n+1, 10)
	t.Output = now + "\n"
	changed.Statement += fmt.Sprintf("\n(Changed by loadgen run %s: hidden test %d expects %s instead of %s, a deliberate mistake the run has judged again.)\n",
		runID, q.change.test+1, now, was)
	changed.Normalize()
	return changed, was, now, nil
}

// rejudgeQuestion is the question of a --rejudge run: the first of
// questions the generator knows how to change, or "" if none.
func rejudgeQuestion(questions []string) string {
	for _, id := range questions {
		if cq := contestQuestions[id]; cq != nil && cq.change != nil {
			return id
		}
	}
	return ""
}

// Kinds returns the kinds q has programs for, in the order of kinds.
func (q *contestQuestion) Kinds() []string {
	var out []string
	for _, k := range kinds {
		if _, ok := q.programs[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

// The generator's own contest questions, and their limits.
const (
	pairSumsID  = "loadgen-pair-sums"
	floorSumsID = "loadgen-floor-sums"
	// contestTimeLimitMS is their CPU time limit: ten times what the fast
	// programs take in the sandbox (at most 20 ms a test, measured), and a
	// tenth of what the naive ones need for a big test, so both verdicts
	// are certain. It is also what a partial or slow program costs the
	// judge, and low for a reason: a program must get its limit's worth of
	// CPU within the wall limit (twice the limit and a second) to be judged
	// over it rather than starved (internal_error after three tries), so
	// the lower the limit the busier the machine may be: 200 ms needs a
	// seventh of a core; 500 ms, a quarter, was starved on a machine with a
	// load of 15 on 2 cores.
	contestTimeLimitMS = 200
)

// contestQuestions are the questions contest mode knows, by ID.
var contestQuestions = map[string]*contestQuestion{
	pairSumsID: {
		question: pairSumsQuestion,
		points:   100,
		programs: map[string]map[string]string{
			KindCorrect: {"python": pairSumsCorrect},
			KindPartial: {"python": pairSumsNaive},
			KindWrong:   {"python": pairSumsWrong},
		},
		expect: map[string]expectation{
			KindCorrect: {codementor.VerdictAccepted, 100},
			KindPartial: {codementor.VerdictTimeLimitExceeded, pairSumsSmallPoints},
			KindWrong:   {codementor.VerdictWrongAnswer, 0},
		},
		// The second test (hidden, of the first subtask) made wrong: a
		// correct program fails it and keeps the second subtask's points;
		// a partial one fails it before its time limit on a big test, and
		// keeps nothing; a wrong one fails the sample first, as before.
		change: &testChange{test: 1, expect: map[string]expectation{
			KindCorrect: {codementor.VerdictWrongAnswer, 100 - pairSumsSmallPoints},
			KindPartial: {codementor.VerdictWrongAnswer, 0},
			KindWrong:   {codementor.VerdictWrongAnswer, 0},
		}},
	},
	floorSumsID: {
		question: floorSumsQuestion,
		points:   150,
		programs: map[string]map[string]string{
			KindCorrect: {"python": floorSumsCorrect},
			KindSlow:    {"python": floorSumsNaive},
			KindWrong:   {"python": floorSumsWrong},
		},
		expect: map[string]expectation{
			KindCorrect: {codementor.VerdictAccepted, codementor.DefaultQuestionPoints},
			KindSlow:    {codementor.VerdictTimeLimitExceeded, 0},
			KindWrong:   {codementor.VerdictWrongAnswer, 0},
		},
		// The second test (n = 1, hidden) made wrong: a correct program
		// fails it; a slow one fails it before its time limit (its verdict
		// changes, its score stays 0); a wrong one fails the sample first.
		change: &testChange{test: 1, expect: map[string]expectation{
			KindCorrect: {codementor.VerdictWrongAnswer, 0},
			KindSlow:    {codementor.VerdictWrongAnswer, 0},
			KindWrong:   {codementor.VerdictWrongAnswer, 0},
		}},
	},
	// The seeded a-plus-b (no subtasks), in every language loadgen has.
	"a-plus-b": {
		points:   50,
		programs: aPlusBPrograms(),
		expect: map[string]expectation{
			KindCorrect: {codementor.VerdictAccepted, codementor.DefaultQuestionPoints},
			KindWrong:   {codementor.VerdictWrongAnswer, 0},
		},
	},
}

// defaultContestQuestions are the questions of a contest unless --question
// says otherwise: the generator's own, one with subtasks and one without.
var defaultContestQuestions = []string{pairSumsID, floorSumsID}

func aPlusBPrograms() map[string]map[string]string {
	out := map[string]map[string]string{KindCorrect: {}, KindWrong: {}}
	for lang, p := range programs["a-plus-b"] {
		out[KindCorrect][lang], out[KindWrong][lang] = p.Correct, p.Wrong
	}
	return out
}

func contestQuestionIDs() []string {
	ids := make([]string, 0, len(contestQuestions))
	for id := range contestQuestions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// rng is splitmix64: the tests are the same on every run and Go version.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number from 1 to n.
func (r *rng) intn(n int) int { return int(r.next()%uint64(n)) + 1 }

// pairSumsSmallPoints is what the small tests' subtask of pair sums is
// worth, of 100.
const pairSumsSmallPoints = 40

const pairSumsStatement = `Given $n$ integers $a_1, \dots, a_n$ and a target $k$, count the pairs $i < j$
with $a_i + a_j = k$.

**Input.** The first line holds $n$ and $k$; the second the $n$ integers.

**Output.** The number of pairs.

**Subtasks.**
1. (40 points) $n \le 300$.
2. (60 points) $n \le 10^4$.

$1 \le a_i \le 10^4$, $2 \le k \le 2 \cdot 10^4$. (A question of the load generator's contests;
data version 1.)
`

// pairSumsQuestion is a question with subtasks: checking every pair is
// fast enough for the first subtask's 300 numbers, and 10^4 numbers need
// counting in a hash map.
func pairSumsQuestion() codementor.Question {
	r := rng(16)
	test := func(n, maxValue, k int, hidden bool) codementor.Test {
		a := make([]int, n)
		for i := range a {
			a[i] = r.intn(maxValue)
		}
		return pairSumsTest(a, k, hidden)
	}
	q := codementor.Question{
		ID: pairSumsID, Title: "Pair sums (load generator)", Statement: pairSumsStatement, Difficulty: "medium",
		TimeLimitMS: contestTimeLimitMS, MemoryLimitMB: 256, Checker: codementor.Checker{Kind: codementor.CheckerWhitespace},
		Tests: []codementor.Test{
			pairSumsTest([]int{1, 6, 3, 4, 2, 5}, 7, false),
			test(50, 20, 21, true),
			test(300, 100, 101, true),
			test(10000, 1000, 1001, true),
			test(10000, 5000, 5000, true),
		},
		Subtasks: []codementor.Subtask{
			{Name: "n ≤ 300", Points: pairSumsSmallPoints, Tests: []int{0, 1, 2}},
			{Name: "n ≤ 10^4", Points: 100 - pairSumsSmallPoints, Tests: []int{3, 4}},
		},
	}
	q.Normalize()
	return q
}

func pairSumsTest(a []int, k int, hidden bool) codementor.Test {
	var in strings.Builder
	fmt.Fprintf(&in, "%d %d\n", len(a), k)
	seen := map[int]int{}
	pairs := 0
	for i, x := range a {
		if i > 0 {
			in.WriteByte(' ')
		}
		in.WriteString(strconv.Itoa(x))
		pairs += seen[k-x]
		seen[x]++
	}
	in.WriteByte('\n')
	return codementor.Test{Input: in.String(), Output: strconv.Itoa(pairs) + "\n", Hidden: hidden}
}

const pairSumsCorrect = `import sys
from collections import Counter


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    seen = Counter()
    pairs = 0
    for x in map(int, data[2:2 + n]):
        pairs += seen[k - x]
        seen[x] += 1
    print(pairs)


main()
`

// pairSumsNaive checks every pair: about 5·10^7 steps for 10^4 numbers,
// seconds of Python.
const pairSumsNaive = `import sys


def main():
    data = sys.stdin.read().split()
    n, k = int(data[0]), int(data[1])
    a = [int(x) for x in data[2:2 + n]]
    pairs = 0
    for i in range(n):
        for j in range(i + 1, n):
            if a[i] + a[j] == k:
                pairs += 1
    print(pairs)


main()
`

// pairSumsWrong counts ordered pairs, and an element with itself: twice
// the answer, or more.
const pairSumsWrong = `import sys
from collections import Counter


def main():
    data = sys.stdin.buffer.read().split()
    n, k = int(data[0]), int(data[1])
    count = Counter(map(int, data[2:2 + n]))
    print(sum(c * count[k - x] for x, c in count.items()))


main()
`

const floorSumsStatement = `Given $n$, print $\sum_{i=1}^{n} \lfloor n / i \rfloor$.

**Input.** One line with $n$ ($1 \le n \le 10^{10}$).

**Output.** The sum.

(A question of the load generator's contests; data version 1.)
`

// floorSums are the n of floor sums' tests: the first is the sample; a
// loop over every i is fast enough up to 10^5 and not for 10^9 and above.
var floorSums = []int64{10, 1, 1000, 99999, 1_000_000_000, 9_876_543_210}

// floorSumsQuestion is all or nothing: one too-slow test costs the lot.
func floorSumsQuestion() codementor.Question {
	q := codementor.Question{
		ID: floorSumsID, Title: "Floor sums (load generator)", Statement: floorSumsStatement, Difficulty: "medium",
		TimeLimitMS: contestTimeLimitMS, MemoryLimitMB: 256, Checker: codementor.Checker{Kind: codementor.CheckerWhitespace},
	}
	for i, n := range floorSums {
		q.Tests = append(q.Tests, codementor.Test{Input: fmt.Sprintf("%d\n", n), Output: fmt.Sprintf("%d\n", floorSum(n)), Hidden: i > 0})
	}
	q.Normalize()
	return q
}

// floorSum is Σ ⌊n/i⌋ for i from 1 to n: twice the sum up to √n, less
// (√n)², since each pair (i, ⌊n/i⌋) with both at most √n is counted twice.
func floorSum(n int64) int64 {
	s := int64(math.Sqrt(float64(n)))
	for s*s > n {
		s--
	}
	for (s+1)*(s+1) <= n {
		s++
	}
	var sum int64
	for i := int64(1); i <= s; i++ {
		sum += n / i
	}
	return 2*sum - s*s
}

const floorSumsCorrect = `from math import isqrt

n = int(input())
s = isqrt(n)
print(2 * sum(n // i for i in range(1, s + 1)) - s * s)
`

// floorSumsNaive loops over every i: 10^9 steps for the big tests.
const floorSumsNaive = `n = int(input())
total = 0
for i in range(1, n + 1):
    total += n // i
print(total)
`

// floorSumsWrong subtracts √n instead of its square.
const floorSumsWrong = `from math import isqrt

n = int(input())
s = isqrt(n)
print(2 * sum(n // i for i in range(1, s + 1)) - s)
`
