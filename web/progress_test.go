package web

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// accepted is sub judged accepted at updated, its tests taking ms and kb
// at most.
func accepted(sub *codementor.Submission, ms, kb int64, updated time.Time) *codementor.Submission {
	c := judged(sub, true, updated)
	c.Tests = []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted, TimeMS: ms / 2, MemoryKB: kb},
		{Index: 1, Verdict: codementor.VerdictAccepted, TimeMS: ms, MemoryKB: kb / 2, Hidden: true}}
	c.TestCount, c.Score, c.MaxScore = 2, 100, 100
	return c
}

// GET /api/questions/{id}/stats: every learner's attempts and acceptance,
// and per language the accepted submissions' time and memory; zeros for a
// question nobody tried; 404 for an unknown question.
func TestQuestionStats(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.Questions.Put(fixtureQuestion("b-minus-a"))
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for i, ms := range []int64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100} {
		h.p.Submissions.Put(accepted(queued(string(rune('a'+i)), "alice", at(i)), ms, 1000+ms, at(i+1)))
	}
	h.p.Submissions.Put(judged(queued("wrong", "bob", at(20)), false, at(21)))
	goSub := queued("go", "bob", at(22))
	goSub.Language = "go"
	h.p.Submissions.Put(accepted(goSub, 7, 500, at(23)))

	var got questionStats
	if r := h.send(t, "GET", "/api/questions/a-plus-b/stats", h.bob, nil); r.status != http.StatusOK {
		t.Fatalf("GET stats: %d %s", r.status, r.body)
	} else {
		r.decode(t, &got)
	}
	b := codementor.Bucket
	want := questionStats{QuestionID: "a-plus-b", Attempts: 12, Accepted: 11, AcceptanceRate: 91.7, Languages: map[string]languageStats{
		"python": {Attempts: 11, Accepted: 10, TimeMS: distribution{P50: b(50), P90: b(90), Max: b(100)},
			MemoryKB: distribution{P50: b(1050), P90: b(1090), Max: b(1100)}},
		"go": {Attempts: 1, Accepted: 1, TimeMS: distribution{7, 7, 7}, MemoryKB: distribution{b(500), b(500), b(500)}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mismatch (-want +got):\n-%+v\n+%+v", want, got)
	}

	var none questionStats
	h.send(t, "GET", "/api/questions/b-minus-a/stats", h.bob, nil).decode(t, &none)
	if want := (questionStats{QuestionID: "b-minus-a", Languages: map[string]languageStats{}}); !reflect.DeepEqual(none, want) {
		t.Errorf("a question nobody tried: %+v, want %+v", none, want)
	}
	if r := h.send(t, "GET", "/api/questions/nope/stats", h.bob, nil); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
		t.Errorf("an unknown question: %d %s", r.status, r.body)
	}
}

// GET /api/submissions/{id} of an accepted submission places it among the
// accepted submissions of its question in its language; others have no
// percentile.
func TestSubmissionPercentile(t *testing.T) {
	h := newHarness(t, Config{})
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	// bob's: 100 ms and 2000 KiB; alice's: 10 to 200 ms, 1000 to 3000 KiB.
	h.p.Submissions.Put(accepted(queued("mine", "bob", at(0)), 100, 2000, at(1)))
	for i, v := range []int64{10, 50, 100, 150, 200} {
		h.p.Submissions.Put(accepted(queued(string(rune('a'+i)), "alice", at(i)), v, 1000+v*10, at(i+1)))
	}
	h.p.Submissions.Put(judged(queued("wrong", "bob", at(10)), false, at(11)))
	h.p.Submissions.Put(queued("queued", "bob", at(12)))

	get := func(name string) *percentile {
		t.Helper()
		var got struct {
			ID         string      `json:"id"`
			Percentile *percentile `json:"percentile"`
		}
		if r := h.send(t, "GET", "/api/submissions/"+sid(name), h.bob, nil); r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", name, r.status, r.body)
		} else {
			r.decode(t, &got)
		}
		if got.ID != sid(name) {
			t.Fatalf("GET %s: the submission is not there: %+v", name, got)
		}
		return got.Percentile
	}
	// Of 6: 150 and 200 ms are slower (2); 2000 KiB is less than 2500 and
	// 3000 (alice's 150 and 200).
	if got, want := get("mine"), (&percentile{Language: "python", FasterThan: 33.3, LessMemoryThan: 33.3, Among: 6}); !reflect.DeepEqual(got, want) {
		t.Errorf("percentile %+v, want %+v", got, want)
	}
	for _, name := range []string{"wrong", "queued"} {
		if got := get(name); got != nil {
			t.Errorf("%s has a percentile: %+v", name, got)
		}
	}
}

// GET /api/me/progress: the questions solved and tried, in all and per
// difficulty, and each question tried with its best score.
func TestMyProgress(t *testing.T) {
	h := newHarness(t, Config{})
	easy, hard, other := fixtureQuestion("b-minus-a"), fixtureQuestion("c-times-b"), fixtureQuestion("d-div-c")
	easy.Difficulty, hard.Difficulty = "easy", "hard"
	hard.Subtasks = []codementor.Subtask{{Points: 30, Tests: []int{0}}, {Points: 20, Tests: []int{1}}}
	for _, q := range []*codementor.Question{easy, hard, other} {
		h.p.Questions.Put(q)
	}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	on := func(sub *codementor.Submission, question string) *codementor.Submission {
		sub.QuestionID = question
		return sub
	}
	partial := judged(on(queued("h1", "alice", at(3)), "c-times-b"), false, at(4))
	partial.Score, partial.MaxScore = 30, 50
	h.p.Submissions.Put(accepted(on(queued("e1", "alice", at(1)), "b-minus-a"), 5, 100, at(2)))
	h.p.Submissions.Put(partial)
	h.p.Submissions.Put(judged(on(queued("h2", "alice", at(5)), "c-times-b"), false, at(6)))
	h.p.Submissions.Put(accepted(queued("bob", "bob", at(7)), 5, 100, at(8)))

	var got myProgress
	if r := h.send(t, "GET", "/api/me/progress", h.alice, nil); r.status != http.StatusOK {
		t.Fatalf("GET /api/me/progress: %d %s", r.status, r.body)
	} else {
		r.decode(t, &got)
	}
	want := myProgress{User: "alice", Solved: 1, Attempted: 1,
		ByDifficulty: map[string]*difficultyProgress{"easy": {Solved: 1, Total: 1}, "hard": {Attempted: 1, Total: 1}, "unrated": {Total: 2}},
		Questions: []questionProgress{
			{QuestionID: "b-minus-a", Title: "Add b-minus-a", Difficulty: "easy", Status: "solved", Submissions: 1, BestScore: 100, MaxScore: 100},
			{QuestionID: "c-times-b", Title: "Add c-times-b", Difficulty: "hard", Status: "attempted", Submissions: 2, BestScore: 30, MaxScore: 50},
		}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mismatch (-want +got):\n-%+v\n+%+v", want, got)
	}

	var empty myProgress
	h.send(t, "GET", "/api/me/progress", h.token(t, "carol", false), nil).decode(t, &empty)
	if empty.User != "carol" || empty.Solved != 0 || len(empty.Questions) != 0 || empty.ByDifficulty["unrated"].Total != 2 {
		t.Errorf("a learner without submissions: %+v", empty)
	}
}

// A verdict the progress table does not show yet (the progress group is
// behind) counts in the caller's progress already, if the submission is
// recent: a learner who just saw a verdict sees it in the list.
func TestProgressReadsYourWrites(t *testing.T) {
	h := newHarness(t, Config{})
	now := time.Now().UTC()
	sub := func(created time.Time) *codementor.Submission {
		s := queued("", "alice", created)
		s.ID = codementor.NewSubmissionID(created)
		return s
	}
	// An old wrong answer the table shows; then, with the progress group
	// behind, a recent accept it does not, and an old one it never will
	// (too old to be looked at).
	h.p.Submissions.Put(judged(sub(now.Add(-time.Hour)), false, now.Add(-time.Hour)))
	h.p.Submissions.Progress = nil
	h.p.Submissions.Put(judged(sub(now.Add(-2*time.Hour)), true, now.Add(-time.Hour)))
	h.p.Submissions.Put(judged(sub(now.Add(-time.Second)), true, now))
	h.p.Submissions.Put(sub(now)) // queued

	var list []questionSummary
	h.send(t, "GET", "/api/questions", h.alice, nil).decode(t, &list)
	if len(list) != 1 || list[0].Status != "solved" || list[0].Submissions != 2 || list[0].LastVerdict != codementor.VerdictAccepted {
		t.Errorf("GET /api/questions = %+v, want a-plus-b solved in 2 submissions, the last accepted", list)
	}
	var mine myProgress
	h.send(t, "GET", "/api/me/progress", h.alice, nil).decode(t, &mine)
	if mine.Solved != 1 || len(mine.Questions) != 1 || mine.Questions[0].Submissions != 2 {
		t.Errorf("GET /api/me/progress = %+v", mine)
	}
}
