package loadgen

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// TestRejudgeChanges: each change's expectations are what the judge's
// own rules make of the modelled programs on the changed question, and the
// original expectations on the original; some kinds change, one does not.
func TestRejudgeChanges(t *testing.T) {
	for _, id := range []string{pairSumsID, floorSumsID} {
		cq := contestQuestions[id]
		orig := cq.question()
		changed, was, now, err := cq.changed("abcd1234")
		if err != nil {
			t.Fatal(err)
		}
		if err := changed.Validate(); err != nil {
			t.Errorf("%s changed: %v", id, err)
		}
		if !changed.Tests[cq.change.test].Hidden || was == now || strings.TrimSpace(changed.Tests[cq.change.test].Output) != now {
			t.Errorf("%s: test %d changed from %q to %q", id, cq.change.test+1, was, now)
		}
		// A later run that finds the changed question writes it again.
		if changed.Statement == orig.Statement || codementor.SameTestData(&orig, &changed) {
			t.Errorf("%s: the changed question looks like the original", id)
		}
		affected, unaffected := 0, 0
		for _, k := range cq.Kinds() {
			code := cq.programs[k]["python"]
			for _, c := range []struct {
				q    *codementor.Question
				want expectation
			}{{&orig, cq.expect[k]}, {&changed, cq.change.expect[k]}} {
				fin, ok := modelJudge(c.q, code)
				if !ok {
					t.Fatalf("%s %s: no model", id, k)
				}
				if got := (expectation{fin.Verdict, fin.Score}); got != c.want {
					t.Errorf("%s %s on %q: judged %v, want %v", id, k, c.q.Statement[len(c.q.Statement)-40:], got, c.want)
				}
			}
			if cq.expect[k] == cq.change.expect[k] {
				unaffected++
			} else {
				affected++
			}
		}
		if affected == 0 || unaffected == 0 {
			t.Errorf("%s: %d kinds affected, %d not: want some of each", id, affected, unaffected)
		}
	}
	if got := rejudgeQuestion([]string{"a-plus-b", floorSumsID, pairSumsID}); got != floorSumsID {
		t.Errorf("rejudgeQuestion = %q", got)
	}
	if got := rejudgeQuestion([]string{"a-plus-b"}); got != "" {
		t.Errorf("rejudgeQuestion = %q", got)
	}
}

// TestContestRejudge: a contest, then a test changed and the question
// rejudged: every verdict as the change makes it, the history kept, the
// other question untouched, the leaderboard updated and equal to the
// recomputation, and the question put back.
func TestContestRejudge(t *testing.T) {
	f := &fakeService{questions: []string{"a-plus-b"}}
	base := f.start(t)
	tests := []struct {
		name string
		args []string
		// question is the one rejudged; scoreKinds the kinds whose
		// score the change changes, verdictKinds those whose verdict
		// only.
		question     string
		scoreKinds   []string
		verdictKinds []string
	}{
		{"pair sums ioi", nil, pairSumsID, []string{KindCorrect, KindPartial}, nil},
		{"pair sums icpc", []string{"--scoring", "icpc"}, pairSumsID, []string{KindCorrect, KindPartial}, nil},
		{"floor sums", []string{"--question", "a-plus-b,loadgen-floor-sums", "--contest-mix", "correct=2,wrong=1,slow=1"}, floorSumsID,
			[]string{KindCorrect}, []string{KindSlow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, rep, stdout, stderr := runContest(t, base, append([]string{"--learners", "8", "--per-learner", "3", "--duration", "500ms", "--rejudge"}, tt.args...)...)
			if code != 0 || rep == nil || !rep.OK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			rj := rep.Contest.Rejudge
			if rj == nil {
				t.Fatal("no rejudge in the report")
			}
			kinds := map[string]int{}
			targets, others := 0, 0
			for _, s := range rep.Submissions {
				if s.Question == tt.question {
					targets++
					kinds[s.Kind]++
				} else {
					others++
				}
			}
			changed, scoreChanged := 0, 0
			for _, k := range tt.scoreKinds {
				changed += kinds[k]
				scoreChanged += kinds[k]
			}
			for _, k := range tt.verdictKinds {
				changed += kinds[k]
			}
			if targets == 0 || changed == 0 || changed == targets {
				t.Fatalf("the plan: %d to %s %v", targets, tt.question, kinds)
			}
			if rj.Question != tt.question || rj.Rejudged != targets || rj.Queued != targets || rj.Final != targets || rj.Changed != changed ||
				rj.Unchanged != targets-changed || rj.Wrong != 0 || rj.Unfinished != 0 || rj.Others != others || rj.OthersTouched != 0 {
				t.Errorf("rejudge %+v; want %d rejudged, %d changed, %d others", rj, targets, changed, others)
			}
			if rj.Offer == nil || rj.Offer.Submissions < targets || rj.Offer.URL != "/api/questions/"+tt.question+"/rejudge" {
				t.Errorf("offer %+v", rj.Offer)
			}
			if b := rj.Board; b.ScoreChanged != scoreChanged || b.UpdateLatency.Count+b.Masked != scoreChanged || b.UpdateLatency.Count == 0 ||
				b.Missing != 0 || b.Events == 0 || b.UpdateLatency.P99MS > 500 {
				t.Errorf("leaderboard %+v, want %d changed scores", b, scoreChanged)
			}
			if rj.JudgedAgain.Count != targets {
				t.Errorf("judged again %+v", rj.JudgedAgain)
			}
			if k := rj.Check; !k.Checked || k.Mismatches != 0 || k.StreamMismatches != 0 || k.Graded != len(rep.Submissions) {
				t.Errorf("check after %+v", k)
			}
			if !rj.Restored || rj.RestoreError != "" {
				t.Errorf("restored %v %q", rj.Restored, rj.RestoreError)
			}
			for _, want := range []string{"rejudge " + rj.ID + " of " + tt.question, "(unaffected)", "rejudge → new verdict", "put back as it was", "result    OK"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}

			// The service's side: the question as it was, each submission
			// to it in round 1 with its first judgement in its history.
			f.cmu.Lock()
			defer f.cmu.Unlock()
			orig := contestQuestions[tt.question].question()
			if q := f.written[tt.question]; q == nil || !questionsEqual(q, &orig) {
				t.Error("the question was not put back")
			}
			if n := len(f.versions[tt.question]); n < 3 {
				t.Errorf("%d versions of the question written, want the original, the change and the original again", n)
			}
			n := 0
			for _, s := range f.subs {
				if s.ContestID != rep.Contest.ID || s.QuestionID != tt.question {
					continue
				}
				n++
				if s.Round != 1 || len(s.History) != 1 || s.History[0].RejudgeID != rj.ID || s.History[0].Reason != rj.Reason {
					t.Errorf("submission %s: round %d, history %+v", s.ID, s.Round, s.History)
				}
			}
			if n != targets {
				t.Errorf("%d submissions to %s in the fake, want %d", n, tt.question, targets)
			}
		})
	}
}

// TestContestRejudgeCatchesLies: a rejudge that judges wrongly, leaves a
// submission behind, touches the other question, loses the history or
// never reaches the leaderboard fails the run with a clear reason.
func TestContestRejudgeCatchesLies(t *testing.T) {
	tests := []struct {
		lie  string
		want []string
	}{
		{lieStale, []string{"rejudge: 1 of", "rejudged submissions judged wrongly in the new round, 0 of them of a kind the change leaves alone",
			"want wrong_answer"}},
		{lieStuck, []string{"rejudge: 1 of", "rejudged submissions not final in a new round within --timeout", "its stream showed no new round"}},
		{lieAll, []string{"rejudge: the rejudge's 202 counts", "the rejudge of loadgen-pair-sums touched", "of the 12 submissions to the other questions",
			"its stream showed round 1"}},
		{lieNoHistory, []string{"rejudged submissions judged wrongly", "its history holds 0 judgements, want 1"}},
		{lieNoBoard, []string{"rejudge: the leaderboard stream never showed", "changed scores", "rejudge: after it, the leaderboard differs from the recomputation"}},
	}
	for _, tt := range tests {
		t.Run(tt.lie, func(t *testing.T) {
			f := &fakeService{fakeContests: fakeContests{rejudgeLie: tt.lie}}
			base := f.start(t)
			start := time.Now()
			code, rep, stdout, stderr := runContest(t, base, "--learners", "8", "--per-learner", "3", "--duration", "300ms", "--rejudge", "--timeout", "1s", "--settle", "1s")
			if code != 1 || rep == nil || rep.OK {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			last := lastLine(stderr)
			t.Log(last)
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("reason %q lacks %q", last, w)
				}
			}
			if rep.Counts.WrongResults != 0 || rep.Counts.Finished != 24 || rep.Contest.Check.Mismatches != 0 {
				t.Errorf("the contest itself went well: %+v", rep.Counts)
			}
			if !rep.Contest.Rejudge.Restored {
				t.Error("the question was not put back")
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestRejudgeFlags(t *testing.T) {
	cfg, err := ParseFlags([]string{"--contest", "--rejudge"}, io.Discard)
	if err != nil || !cfg.Rejudge {
		t.Errorf("--contest --rejudge: %v, %+v", err, cfg.ContestConfig)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--rejudge"}, "--rejudge applies to --contest only"},
		{[]string{"--contest", "--rejudge", "--question", "a-plus-b"}, "--rejudge changes a test of one of the generator's own questions (loadgen-floor-sums, loadgen-pair-sums)"},
	} {
		if _, err := ParseFlags(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFlags(%q) = %v, want %q", tt.args, err, tt.want)
		}
	}
	if !slices.Contains(defaultContestQuestions, rejudgeQuestion(defaultContestQuestions)) {
		t.Error("the default contest cannot be rejudged")
	}
}

// TestBoardCases: which cells show a rejudged submission's new score, and
// which changes no cell can show apart.
func TestBoardCases(t *testing.T) {
	start := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	ct := codementor.Contest{ID: "c", Start: start, End: start.Add(time.Hour), Scoring: codementor.ScoringIOI,
		Questions: []codementor.ContestQuestion{{QuestionID: pairSumsID, Points: 100}, {QuestionID: floorSumsID, Points: 150}}}
	ct.Normalize()
	c := &contestRun{id: "c", contest: ct, states: map[string]*codementor.Submission{}, board: &board{}}
	snaps := map[*record]seen{}
	var targets []*record
	learners := map[string]*learner{}
	// Each submission's new verdict reaches its learner's stream at
	// start + 1h + minute s.
	add := func(id, user string, minute int, was, now expectation) {
		if learners[user] == nil {
			learners[user] = &learner{user: user}
		}
		rec := &record{planned: planned{Question: pairSumsID}, learner: learners[user], id: id}
		c.states[id] = &codementor.Submission{ID: id, User: user, QuestionID: pairSumsID, ContestID: "c", Verdict: was.Verdict, Score: was.Score,
			MaxScore: 100, CreatedAt: start.Add(time.Duration(minute) * time.Minute)}
		sn := seen{round: 1}
		sn.first.verdict, sn.first.score = was.Verdict, was.Score
		if now.Verdict != "" {
			sn.again.verdict, sn.again.score, sn.again.verdictAt = now.Verdict, now.Score, start.Add(time.Hour+time.Duration(minute)*time.Second)
		}
		snaps[rec] = sn
		targets = append(targets, rec)
	}
	ac, tle40, wa60, wa0 := expectation{codementor.VerdictAccepted, 100}, expectation{codementor.VerdictTimeLimitExceeded, 40},
		expectation{codementor.VerdictWrongAnswer, 60}, expectation{codementor.VerdictWrongAnswer, 0}
	add("ann-correct", "ann", 1, ac, wa60)
	add("ann-partial", "ann", 2, tle40, wa0) // hidden: ann's best is 60 either way
	add("bob-correct", "bob", 1, ac, wa60)
	add("bob-wrong", "bob", 2, wa0, wa0) // no score change
	add("cid-1", "cid", 1, ac, wa60)
	add("cid-2", "cid", 2, ac, wa60)
	add("dan-stuck", "dan", 1, ac, expectation{}) // never judged again
	add("dan-correct", "dan", 2, ac, wa60)        // hidden by dan-stuck's 100

	var rep RejudgeBoard
	cases := c.boardCases(pairSumsID, targets, snaps, &rep)
	if rep.ScoreChanged != 6 || rep.Masked != 2 || len(cases) != 4 {
		t.Fatalf("%d changed scores, %d masked, %d cases; want 6, 2 (ann-partial, dan-correct), 4", rep.ScoreChanged, rep.Masked, len(cases))
	}
	byID := map[string]*boardCase{}
	for _, bc := range cases {
		byID[bc.rec.id] = bc
	}
	cell := func(score float64, tries, rejected int, solved bool) codementor.QuestionCell {
		return codementor.QuestionCell{QuestionID: pairSumsID, Score: score, Tries: tries, Rejected: rejected, Solved: solved}
	}
	for _, tt := range []struct {
		id    string
		shown []codementor.QuestionCell
		not   []codementor.QuestionCell
	}{
		{"ann-correct", []codementor.QuestionCell{cell(60, 2, 2, false)}, []codementor.QuestionCell{cell(100, 2, 1, true)}},
		{"bob-correct", []codementor.QuestionCell{cell(60, 2, 2, false)}, []codementor.QuestionCell{cell(100, 2, 1, true)}},
		// Each of cid's shows only once both are judged again: alone,
		// the other's 100 still stands.
		{"cid-1", []codementor.QuestionCell{cell(60, 2, 2, false)}, []codementor.QuestionCell{cell(100, 2, 1, true), cell(100, 2, 0, true)}},
		{"cid-2", []codementor.QuestionCell{cell(60, 2, 2, false)}, []codementor.QuestionCell{cell(100, 2, 0, true)}},
	} {
		bc := byID[tt.id]
		if bc == nil {
			t.Errorf("%s: no case", tt.id)
			continue
		}
		for _, c := range tt.shown {
			if _, ok := bc.shows[c]; !ok {
				t.Errorf("%s: %+v does not show it; shows %v", tt.id, c, bc.shows)
			}
		}
		for _, c := range tt.not {
			if _, ok := bc.shows[c]; ok {
				t.Errorf("%s: %+v shows it", tt.id, c)
			}
		}
	}
	// cid's 60 needs both new verdicts: the later, cid-2's, at 2 s; bob's
	// his own at 1 s.
	for id, want := range map[string]time.Duration{"cid-1": 2 * time.Second, "cid-2": 2 * time.Second, "bob-correct": time.Second} {
		if got := byID[id].shows[cell(60, 2, 2, false)]; !got.Equal(start.Add(time.Hour + want)) {
			t.Errorf("%s: its 60 ready at %v, want 1h%v after the start", id, got.Sub(start), want)
		}
	}

	// The board's log: the first event with a cell that shows it.
	b := &board{rows: map[string]codementor.LeaderboardRow{}, changed: make(chan struct{}, 1), reached: map[cellKey][]time.Time{}}
	row := func(user string, c codementor.QuestionCell) []byte {
		c.Label = "A"
		return []byte(mustJSON(map[string]any{"rows": []codementor.LeaderboardRow{{User: user, Questions: []codementor.QuestionCell{c}}}}))
	}
	b.observe("rows", row("cid", cell(100, 2, 0, true)), start)
	b.logCells(start)
	b.observe("rows", row("cid", cell(100, 2, 1, true)), start.Add(time.Second)) // one of the two
	b.observe("rows", row("cid", cell(60, 2, 2, false)), start.Add(2*time.Second))
	b.observe("rows", row("bob", cell(60, 2, 2, false)), start.Add(3*time.Second))
	for id, want := range map[string]time.Time{"cid-1": start.Add(2 * time.Second), "cid-2": start.Add(2 * time.Second), "bob-correct": start.Add(3 * time.Second)} {
		if at, _, ok := b.showsLocked(byID[id]); !ok || !at.Equal(want) {
			t.Errorf("%s shown %v %v, want at %v", id, ok, at, want)
		}
	}
	if _, _, ok := b.showsLocked(byID["ann-correct"]); ok {
		t.Error("ann-correct shown without an event")
	}
}
