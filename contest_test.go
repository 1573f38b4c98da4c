package codementor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func validContest() *Contest {
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c := &Contest{ID: "cup", Title: "Cup", Start: start, End: start.Add(2 * time.Hour),
		Questions: []ContestQuestion{{QuestionID: "a"}, {QuestionID: "b", Points: 50}}}
	c.Normalize()
	return c
}

func TestContestValidate(t *testing.T) {
	if err := validContest().Validate(); err != nil {
		t.Fatalf("valid contest: %v", err)
	}
	c := validContest()
	if c.Scoring != ScoringIOI || c.Questions[0].Points != DefaultContestPoints || c.Questions[1].Label != "B" {
		t.Errorf("defaults: %+v", c)
	}
	for name, tc := range map[string]struct {
		change func(*Contest)
		want   string
	}{
		"bad id":            {func(c *Contest) { c.ID = "Cup!" }, "id"},
		"no title":          {func(c *Contest) { c.Title = " " }, "title is required"},
		"end before start":  {func(c *Contest) { c.End = c.Start.Add(-time.Minute) }, "must be after start"},
		"no times":          {func(c *Contest) { c.Start = time.Time{} }, "start and end are required"},
		"too long":          {func(c *Contest) { c.End = c.Start.Add(40 * 24 * time.Hour) }, "at most"},
		"freeze too long":   {func(c *Contest) { c.FreezeMinutes = 121 }, "freeze_minutes"},
		"unknown scoring":   {func(c *Contest) { c.Scoring = "elo" }, "scoring \"elo\""},
		"no questions":      {func(c *Contest) { c.Questions = nil }, "1 to 26 questions"},
		"twice":             {func(c *Contest) { c.Questions[1].QuestionID = "a" }, "twice"},
		"negative points":   {func(c *Contest) { c.Questions[0].Points = -1 }, "points must be between"},
		"empty participant": {func(c *Contest) { c.Participants = []string{""} }, "participants[0]"},
	} {
		t.Run(name, func(t *testing.T) {
			c := validContest()
			tc.change(c)
			err := c.Validate()
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate = %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
}

func TestContestPhaseAndFreeze(t *testing.T) {
	c := validContest()
	c.FreezeMinutes = 30
	for _, tc := range []struct {
		at     time.Duration
		phase  Phase
		frozen bool
	}{{-time.Second, PhaseUpcoming, false}, {0, PhaseRunning, false}, {90 * time.Minute, PhaseRunning, true}, {2 * time.Hour, PhaseOver, false}} {
		now := c.Start.Add(tc.at)
		if c.Phase(now) != tc.phase || c.Frozen(now) != tc.frozen {
			t.Errorf("at %v: %s frozen %t, want %s %t", tc.at, c.Phase(now), c.Frozen(now), tc.phase, tc.frozen)
		}
	}
	if !c.Open("anyone") {
		t.Error("an open contest refused a learner")
	}
	c.Participants = []string{"alice"}
	if c.Open("bob") || !c.Open("alice") {
		t.Error("participants not respected")
	}
}

// standing builds a standing from (question, verdict, score, minute) entries.
func standing(c *Contest, user string, entries ...StandingEntry) *Standing {
	st := &Standing{ContestID: c.ID, User: user, Entries: map[string]StandingEntry{}}
	for i, e := range entries {
		if e.MaxScore == 0 {
			e.MaxScore = 100
		}
		st.Entries[user+string(rune('0'+i))] = e
	}
	return st
}

func at(c *Contest, minute int, second ...int) time.Time {
	t := c.Start.Add(time.Duration(minute) * time.Minute)
	for _, s := range second {
		t = t.Add(time.Duration(s) * time.Second)
	}
	return t
}

func TestRowIOI(t *testing.T) {
	c := validContest()
	st := standing(c, "alice",
		StandingEntry{QuestionID: "a", Verdict: VerdictWrongAnswer, Score: 30, CreatedAt: at(c, 5)},
		StandingEntry{QuestionID: "a", Verdict: VerdictWrongAnswer, Score: 60, CreatedAt: at(c, 10)},
		StandingEntry{QuestionID: "a", Verdict: VerdictWrongAnswer, Score: 40, CreatedAt: at(c, 15)},
		StandingEntry{QuestionID: "b", Verdict: VerdictAccepted, Score: 100, CreatedAt: at(c, 20)},
		StandingEntry{QuestionID: "b", Verdict: "", CreatedAt: at(c, 25)},                           // being judged
		StandingEntry{QuestionID: "b", Verdict: VerdictAccepted, Score: 100, CreatedAt: at(c, 200)}, // after the end
		StandingEntry{QuestionID: "z", Verdict: VerdictAccepted, Score: 100, CreatedAt: at(c, 30)})  // not in the contest
	row := c.Row("alice", st, time.Time{})
	if row.Score != 110 || row.Solved != 1 || row.Penalty != 0 || !row.Last.Equal(at(c, 20)) {
		t.Errorf("row %+v", row)
	}
	if a := row.Questions[0]; a.Score != 60 || a.Tries != 3 || a.Solved {
		t.Errorf("cell a %+v", a)
	}
	if b := row.Questions[1]; b.Score != 50 || b.Tries != 1 || b.Pending != 1 || !b.Solved || b.SolvedMinute != 20 {
		t.Errorf("cell b %+v", b)
	}
	// Frozen at minute 12: later submissions are pending.
	frozen := c.Row("alice", st, at(c, 12))
	if frozen.Score != 60 || frozen.Questions[0].Pending != 1 || frozen.Questions[1].Pending != 2 {
		t.Errorf("frozen row %+v", frozen)
	}
}

func TestRowICPC(t *testing.T) {
	c := validContest()
	c.Scoring = ScoringICPC
	st := standing(c, "bob",
		StandingEntry{QuestionID: "a", Verdict: VerdictWrongAnswer, CreatedAt: at(c, 3)},
		StandingEntry{QuestionID: "a", Verdict: VerdictCompilationError, CreatedAt: at(c, 4)}, // not a try
		StandingEntry{QuestionID: "a", Verdict: VerdictTimeLimitExceeded, CreatedAt: at(c, 6)},
		StandingEntry{QuestionID: "a", Verdict: VerdictAccepted, Score: 100, CreatedAt: at(c, 7, 30)},
		StandingEntry{QuestionID: "a", Verdict: VerdictWrongAnswer, CreatedAt: at(c, 50)}, // after the accept: free
		StandingEntry{QuestionID: "b", Verdict: VerdictWrongAnswer, CreatedAt: at(c, 9)})
	row := c.Row("bob", st, time.Time{})
	if row.Solved != 1 || row.Penalty != 7+2*PenaltyMinutes || row.Score != 100 || !row.Last.Equal(at(c, 7, 30)) {
		t.Errorf("row %+v", row)
	}
	if a := row.Questions[0]; a.Rejected != 2 || a.Tries != 5 || a.SolvedMinute != 7 {
		t.Errorf("cell a %+v", a)
	}
}

func TestRankRows(t *testing.T) {
	c := validContest()
	rows := []LeaderboardRow{
		{User: "carol", Score: 50, Last: at(c, 30)},
		{User: "alice", Score: 100, Last: at(c, 40)},
		{User: "bob", Score: 100, Last: at(c, 20)},
		{User: "dave", Score: 50, Last: at(c, 30)},
		{User: "erin"},
		{User: "abe"},
	}
	c.RankRows(rows)
	var got []string
	for _, r := range rows {
		got = append(got, r.User+":"+string(rune('0'+r.Rank)))
	}
	if want := "bob:1 alice:2 carol:3 dave:3 abe:5 erin:5"; strings.Join(got, " ") != want {
		t.Errorf("ranks %s, want %s", strings.Join(got, " "), want)
	}
	c.Scoring = ScoringICPC
	rows = []LeaderboardRow{{User: "x", Solved: 2, Penalty: 90}, {User: "y", Solved: 2, Penalty: 60}, {User: "z", Solved: 3, Penalty: 500}}
	c.RankRows(rows)
	if rows[0].User != "z" || rows[1].User != "y" || rows[2].User != "x" {
		t.Errorf("icpc order %+v", rows)
	}
}

func TestApplyResult(t *testing.T) {
	r := &Result{SubmissionID: "s", User: "alice", QuestionID: "a", ContestID: "cup",
		Judgement: Judgement{Round: 0, Verdict: VerdictWrongAnswer, MaxScore: 100}}
	st := ApplyResult(nil, r, time.Now())
	if st == nil || st.Entries["s"].Verdict != VerdictWrongAnswer {
		t.Fatalf("first result: %+v", st)
	}
	if again := ApplyResult(st, r, time.Now()); again != nil {
		t.Error("the same result changed the standing")
	}
	r2 := *r
	r2.Judgement = Judgement{Round: 1, Verdict: VerdictAccepted, Score: 100, MaxScore: 100}
	st2 := ApplyResult(st, &r2, time.Now())
	if st2 == nil || st2.Entries["s"].Verdict != VerdictAccepted || st.Entries["s"].Verdict != VerdictWrongAnswer {
		t.Fatalf("rejudged: %+v (the old one must not change: %+v)", st2, st)
	}
	if old := ApplyResult(st2, r, time.Now()); old != nil {
		t.Error("an older round replaced a newer one")
	}
}

func TestPoints(t *testing.T) {
	if p := Points(50, 1, 3); p != 16.67 {
		t.Errorf("Points(50, 1, 3) = %v", p)
	}
	if p := Points(100, 0, 0); p != 0 {
		t.Errorf("Points without a max = %v", p)
	}
}

func TestSubtaskValidation(t *testing.T) {
	q := &Question{ID: "q", Title: "Q", Tests: []Test{{Input: "1"}, {Input: "2"}, {Input: "3"}},
		Subtasks: []Subtask{{Points: 40, Tests: []int{0, 1}}, {Points: 60, Tests: []int{2}}}}
	q.Normalize()
	if err := q.Validate(); err != nil || q.MaxScore() != 100 || q.SubtaskOf(2) != 1 || q.SubtaskOf(5) != -1 {
		t.Fatalf("valid subtasks: %v, max %d", err, q.MaxScore())
	}
	for name, tc := range map[string]struct {
		subtasks []Subtask
		want     string
	}{
		"uncovered": {[]Subtask{{Points: 40, Tests: []int{0, 1}}}, "test 2 is in no subtask"},
		"twice":     {[]Subtask{{Points: 40, Tests: []int{0, 1}}, {Points: 60, Tests: []int{1, 2}}}, "test 1 is in subtasks[0] and subtasks[1]"},
		"range":     {[]Subtask{{Points: 40, Tests: []int{0, 1, 2, 3}}}, "numbered 0 to 2"},
		"worthless": {[]Subtask{{Points: 0, Tests: []int{0, 1, 2}}}, "worth no points"},
		"negative":  {[]Subtask{{Points: -5, Tests: []int{0, 1, 2}}}, "points must be between"},
		"empty":     {[]Subtask{{Points: 5, Tests: []int{0, 1, 2}}, {Points: 5}}, "subtasks[1] has no tests"},
	} {
		q.Subtasks = tc.subtasks
		if err := q.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate = %v, want %q", name, err, tc.want)
		}
	}
}
