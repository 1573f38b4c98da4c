package loadgen

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// runContest runs `codementor loadgen --contest` against base with args
// and returns the exit status, the report and the outputs.
func runContest(t *testing.T, base string, args ...string) (int, *Report, string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.json")
	var stdout, stderr bytes.Buffer
	all := append([]string{"--url", base, "--contest", "--json", path, "--timeout", "10s", "--settle", "2s"}, args...)
	code := Main(t.Context(), all, &stdout, &stderr)
	var rep *Report
	if data, err := os.ReadFile(path); err == nil {
		rep = &Report{}
		if err := json.Unmarshal(data, rep); err != nil {
			t.Fatal(err)
		}
	}
	return code, rep, stdout.String(), stderr.String()
}

func TestContestAgainstAFakeService(t *testing.T) {
	f := &fakeService{questions: []string{"a-plus-b"}}
	base := f.start(t)
	for _, scoring := range []string{"ioi", "icpc"} {
		t.Run(scoring, func(t *testing.T) {
			svg := filepath.Join(t.TempDir(), "r.svg")
			code, rep, stdout, stderr := runContest(t, base, "--learners", "12", "--per-learner", "3", "--duration", "1s", "--scoring", scoring, "--svg", svg)
			if code != 0 || rep == nil {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			c, ct := rep.Counts, rep.Contest
			if !rep.OK || c.Planned != 36 || c.Accepted != 36 || c.Finished != 36 || c.WrongResults != 0 {
				t.Errorf("report: ok %v %q, counts %+v", rep.OK, rep.Reason, c)
			}
			if ct == nil || ct.Scoring != codementor.Scoring(scoring) || len(ct.Questions) != 2 || ct.PerLearner != 3 {
				t.Fatalf("contest %+v", ct)
			}
			// The mix 4:2:3:1 over two questions, each with the kinds it
			// has: pair sums correct, partial, wrong; floor sums correct,
			// wrong, slow.
			if k := ct.Kinds; k[KindCorrect]+k[KindPartial]+k[KindWrong]+k[KindSlow] != 36 || k[KindPartial] == 0 || k[KindSlow] == 0 || k[KindWrong] == 0 {
				t.Errorf("kinds %v", k)
			}
			if b := ct.Board; b.UpdateLatency.Count != 36 || b.FromJudged.Count != 36 || b.Missing != 0 || b.Streams != 1 || b.Events < 2 || b.UpdateLatency.P99MS > 500 {
				t.Errorf("leaderboard %+v", b)
			}
			if k := ct.Check; !k.Checked || k.Rows != 12 || k.Graded != 36 || k.Mismatches != 0 || !k.StreamChecked || k.StreamMismatches != 0 || len(k.Top) != 10 {
				t.Errorf("check %+v", k)
			}
			for _, s := range rep.Submissions {
				if s.Kind == "" || s.ExpectedScore == nil || s.Score == nil || *s.Score != *s.ExpectedScore || s.Outcome != OutcomeOK {
					t.Errorf("submission %+v", s)
				}
			}
			for _, want := range []string{"leaderboard update", "equal the recomputation from 36 graded", "result    OK"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if data, err := os.ReadFile(svg); err != nil || !bytes.Contains(data, []byte("<svg")) {
				t.Errorf("svg: %v", err)
			}
			f.cmu.Lock()
			contest := f.contests[ct.ID]
			f.cmu.Unlock()
			if contest == nil || len(contest.Participants) != 12 || contest.FreezeMinutes != 0 || !contest.Start.Before(time.Now()) {
				t.Errorf("the contest written: %+v", contest)
			}
		})
	}
	// The first run wrote the questions; the second found them as it
	// would write them.
	if f.puts != 2 {
		t.Errorf("%d questions written over two runs, want 2", f.puts)
	}
}

func TestContestWithAPlusB(t *testing.T) {
	f := &fakeService{questions: []string{"a-plus-b"}}
	base := f.start(t)
	code, rep, stdout, stderr := runContest(t, base, "--learners", "3", "--per-learner", "2", "--duration", "300ms",
		"--question", "a-plus-b", "--languages", "python,go")
	if code != 0 || rep == nil {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// The default mix keeps the kinds a-plus-b has.
	if k := rep.Contest.Kinds; k[KindCorrect]+k[KindWrong] != 6 || k[KindPartial]+k[KindSlow] != 0 {
		t.Errorf("kinds %v", k)
	}
	if f.puts != 0 {
		t.Errorf("a-plus-b written (%d puts): it ships with the service", f.puts)
	}
}

// TestContestCatchesALyingLeaderboard: a wrong row, an update that never
// comes and late updates each fail the run with a clear reason.
func TestContestCatchesALyingLeaderboard(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeService
		args []string
		want []string
	}{
		{"wrong row", &fakeService{fakeContests: fakeContests{wrongRow: true}}, nil,
			[]string{"the leaderboard differs from the recomputation from the final states in 1 of 6 rows (first: row 1: want #1"}},
		{"lost update", &fakeService{fakeContests: fakeContests{skipBoard: func(u string) bool { return strings.HasSuffix(u, "-2") }}}, nil,
			[]string{"the leaderboard stream never showed 2 of 12 judgements", "-2's submission", "the row showed 0 tries",
				"the leaderboard stream's rows, applied by user, differ from the leaderboard in"}},
		{"late updates", &fakeService{fakeContests: fakeContests{lateBoard: 300 * time.Millisecond}}, []string{"--max-leaderboard-p99", "200ms"},
			[]string{"leaderboard update p99 3", "not under --max-leaderboard-p99 200 ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.f.start(t)
			code, rep, stdout, stderr := runContest(t, base, append([]string{"--learners", "6", "--per-learner", "2", "--duration", "500ms"}, tt.args...)...)
			last := lastLine(stderr)
			if code != 1 || rep == nil || rep.OK {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("reason %q lacks %q", last, w)
				}
			}
			if rep.Counts.WrongResults != 0 || rep.Counts.Finished != 12 {
				t.Errorf("the submissions themselves went well: %+v", rep.Counts)
			}
		})
	}

	// Late updates are measured, and pass without --max-leaderboard-p99.
	f := &fakeService{fakeContests: fakeContests{lateBoard: 300 * time.Millisecond}}
	base := f.start(t)
	code, rep, stdout, stderr := runContest(t, base, "--learners", "4", "--per-learner", "1", "--duration", "200ms")
	if code != 0 || rep == nil {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if l := rep.Contest.Board.UpdateLatency; l.Count != 4 || l.P50MS < 290 || l.P99MS < 290 || l.MaxMS > 2000 {
		t.Errorf("update latency %+v, want about 300 ms", l)
	}
}

func TestContestStartErrors(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeService
		want []string
	}{
		{"no contests", &fakeService{fakeContests: fakeContests{noContests: true}}, []string{"has no contests (PUT /api/contests/loadgen-", "answered 404"}},
		{"not admin", &fakeService{fakeContests: fakeContests{noAdmin: true}}, []string{"did not grant the admin role", "admin: false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.f.start(t)
			code, rep, stdout, stderr := runContest(t, base, "--learners", "2", "--duration", "200ms")
			if code != 1 || rep != nil || stdout != "" {
				t.Errorf("exit %d, report %v, stdout %q", code, rep != nil, stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}

func TestContestSchedule(t *testing.T) {
	s := ContestSchedule(1000, 100*time.Second)
	if len(s) != 1000 || !slices.IsSorted(s) || s[0] < 0 || s[len(s)-1] >= 100*time.Second {
		t.Fatalf("schedule: %d, first %v, last %v", len(s), s[0], s[len(s)-1])
	}
	first, last := 0, 0
	for _, at := range s {
		switch {
		case at < 10*time.Second:
			first++
		case at >= 90*time.Second:
			last++
		}
	}
	if first != 300 || last != 300 {
		t.Errorf("%d in the first tenth and %d in the last, want 300 each", first, last)
	}
}

func TestContestPlan(t *testing.T) {
	cfg, err := ParseFlags([]string{"--contest", "--learners", "10", "--per-learner", "4", "--duration", "20s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p := contestPlan(&cfg)
	if len(p) != 40 {
		t.Fatalf("%d planned", len(p))
	}
	perLearner := map[int]int{}
	kinds := map[string]map[string]int{}
	for i, s := range p {
		perLearner[s.Learner]++
		if kinds[s.Question] == nil {
			kinds[s.Question] = map[string]int{}
		}
		kinds[s.Question][s.Kind]++
		e := contestQuestions[s.Question].expect[s.Kind]
		if s.Language != "python" || s.Expected != e.Verdict || s.ExpectedScore != e.Score || s.Wrong != (s.Kind != KindCorrect) {
			t.Errorf("submission %d: %+v", i, s)
		}
		if i > 0 && s.At < p[i-1].At {
			t.Errorf("submission %d leaves before %d", i, i-1)
		}
	}
	for l := range 10 {
		if perLearner[l] != 4 {
			t.Errorf("learner %d: %d submissions", l, perLearner[l])
		}
	}
	// Each question gets half, in the mix's shares of the kinds it has:
	// pair sums correct 4, partial 2, wrong 3 of 9; floor sums correct 4,
	// wrong 3, slow 1 of 8.
	want := map[string]map[string]int{
		pairSumsID:  {KindCorrect: 9, KindPartial: 4, KindWrong: 7},
		floorSumsID: {KindCorrect: 10, KindWrong: 7, KindSlow: 3},
	}
	for q, w := range want {
		for k, n := range w {
			if d := kinds[q][k] - n; d < -1 || d > 1 {
				t.Errorf("%s: %d %s programs, want about %d (%v)", q, kinds[q][k], k, n, kinds[q])
			}
		}
	}
	if kinds[pairSumsID][KindSlow] != 0 || kinds[floorSumsID][KindPartial] != 0 {
		t.Errorf("a kind on a question without it: %v", kinds)
	}
}

func TestContestFlags(t *testing.T) {
	cfg, err := ParseFlags([]string{"--contest"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Contest || cfg.Scoring != codementor.ScoringIOI || cfg.PerLearner != DefaultPerLearner || cfg.Duration != DefaultContestDuration ||
		cfg.Timeout != DefaultContestTimeout || cfg.Settle != DefaultSettle || cfg.MaxBoardP99 != 0 ||
		!slices.Equal(cfg.Questions, defaultContestQuestions) || !slices.Equal(cfg.Kinds, kinds) || cfg.Planned() != DefaultLearners*DefaultPerLearner {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, err = ParseFlags([]string{"--contest", "--scoring", "icpc", "--question", "a-plus-b,loadgen-floor-sums", "--duration", "2m",
		"--timeout", "1m", "--contest-mix", "correct=1,slow=1", "--max-leaderboard-p99", "1s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Scoring != codementor.ScoringICPC || cfg.Duration != 2*time.Minute || cfg.Timeout != time.Minute || cfg.MaxBoardP99 != time.Second ||
		!slices.Equal(cfg.Kinds, []string{KindCorrect, KindSlow}) || !slices.Equal(cfg.KindWeights, []float64{1, 1}) {
		t.Errorf("parsed: %+v", cfg)
	}
	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--contest", "--scoring", "acm"}, "--scoring"},
		{[]string{"--contest", "--rate", "5"}, "--rate does not apply to --contest"},
		{[]string{"--contest", "--wrong-ratio", "0.5"}, "--wrong-ratio does not apply"},
		{[]string{"--contest", "--per-learner", "0"}, "--per-learner"},
		{[]string{"--contest", "--question", "two-sum"}, `no contest programs for question "two-sum"`},
		{[]string{"--contest", "--contest-mix", "fast=1"}, "--contest-mix takes kind=share"},
		{[]string{"--contest", "--contest-mix", "correct=1,correct=2"}, "twice"},
		{[]string{"--contest", "--question", "a-plus-b", "--contest-mix", "correct=1,partial=1"}, "no question of the contest has one"},
		{[]string{"--contest", "--languages", "java"}, `no java program of kind correct for question "loadgen-pair-sums"`},
		{[]string{"--contest", "--settle", "-1s"}, "--settle"},
		{[]string{"--scoring", "icpc"}, "--scoring applies to --contest only"},
		{[]string{"--max-leaderboard-p99", "1s"}, "applies to --contest only"},
	}
	for _, tt := range bad {
		if _, err := ParseFlags(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFlags(%q) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
}

// TestRecompute: a leaderboard recomputed from final states by hand.
func TestRecompute(t *testing.T) {
	start := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	c := &codementor.Contest{ID: "c", Start: start, End: start.Add(time.Hour), Scoring: codementor.ScoringICPC,
		Questions: []codementor.ContestQuestion{{QuestionID: "p", Points: 100}, {QuestionID: "f", Points: 150}}}
	c.Normalize()
	sub := func(id, u, q string, minute int, v codementor.Verdict, score int) *codementor.Submission {
		at := start.Add(time.Duration(minute) * time.Minute)
		return &codementor.Submission{ID: id, User: u, QuestionID: q, ContestID: "c", Verdict: v, Score: score, MaxScore: 100,
			Status: codementor.StatusDone, CreatedAt: at, JudgedAt: at.Add(time.Second)}
	}
	states := map[string]*codementor.Submission{
		"1": sub("1", "ann", "p", 1, codementor.VerdictWrongAnswer, 0),
		"2": sub("2", "ann", "p", 3, codementor.VerdictAccepted, 100),
		"3": sub("3", "bob", "p", 2, codementor.VerdictAccepted, 100),
		"4": sub("4", "bob", "f", 5, codementor.VerdictTimeLimitExceeded, 0),
		"5": sub("5", "cid", "p", 4, codementor.VerdictTimeLimitExceeded, 40),
		"6": {ID: "6", User: "cid", QuestionID: "f", ContestID: "c", Status: codementor.StatusQueued, CreatedAt: start}, // not judged
		"7": {ID: "7", User: "ann", QuestionID: "p", ContestID: "other", Verdict: codementor.VerdictAccepted, CreatedAt: start},
	}
	rows, graded := Recompute(c, states, []string{"ann", "bob", "cid", "dan"})
	if graded != 5 {
		t.Errorf("%d graded, want 5", graded)
	}
	// ICPC: bob solved p at minute 2 (penalty 2); ann at minute 3 after a
	// wrong try (3 + 20); cid and dan solved nothing.
	want := []struct {
		rank    int
		user    string
		solved  int
		penalty int
		score   float64
	}{{1, "bob", 1, 2, 100}, {2, "ann", 1, 23, 100}, {3, "cid", 0, 0, 0}, {3, "dan", 0, 0, 0}}
	if len(rows) != len(want) {
		t.Fatalf("%d rows", len(rows))
	}
	for i, w := range want {
		r := rows[i]
		if r.Rank != w.rank || r.User != w.user || r.Solved != w.solved || r.Penalty != w.penalty || r.Score != w.score {
			t.Errorf("row %d: %s, want %+v", i, describeRow(&r), w)
		}
	}
	if cell := rows[2].Questions[0]; cell.Score != 40 || cell.Tries != 1 || cell.Rejected != 1 || cell.Pending != 0 {
		t.Errorf("cid's partial: %+v", cell)
	}

	// compareRows finds a changed cell, a missing row and an extra one.
	changed := slices.Clone(rows)
	changed[1].Questions = slices.Clone(changed[1].Questions)
	changed[1].Questions[1].Tries++
	if n, ex := compareRows(rows, changed); n != 1 || !strings.Contains(ex[0], "row 2: want #2 ann") {
		t.Errorf("compareRows: %d %q", n, ex)
	}
	if n, ex := compareRows(rows, rows[:3]); n != 1 || !strings.Contains(ex[0], "row 4 missing") {
		t.Errorf("compareRows: %d %q", n, ex)
	}
	if n, ex := compareRows(rows[:3], rows); n != 1 || !strings.Contains(ex[0], "row 4 extra") {
		t.Errorf("compareRows: %d %q", n, ex)
	}
	if n, _ := compareRows(rows, slices.Clone(rows)); n != 0 {
		t.Errorf("compareRows of equal boards: %d", n)
	}
}
