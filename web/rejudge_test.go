package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// An admin's rejudge of a question judges every submission to it again
// (of one contest, when asked): each starts a new round with its verdict
// in its history. Learners may not; unknown questions are 404; a retry
// with the same id judges each submission again once.
func TestRejudgeQuestion(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.Questions.Put(fixtureQuestion("other"))
	a1 := judged(queued("a1", "alice", t0), false, t0)
	b1 := judged(queued("b1", "bob", t0), true, t0)
	b1.ContestID = "cup"
	o1 := judged(queued("o1", "alice", t0), true, t0)
	o1.QuestionID = "other"
	run := judged(queued("r1", "alice", t0), true, t0)
	run.Kind = codementor.KindRun
	for _, s := range []*codementor.Submission{a1, b1, o1, run} {
		h.p.Submissions.Put(s)
	}

	for _, c := range []struct {
		name, path, token, body string
		status                  int
		code                    string
	}{
		{"a learner", "/api/questions/a-plus-b/rejudge", h.alice, `{}`, http.StatusForbidden, "forbidden"},
		{"unknown question", "/api/questions/nope/rejudge", h.admin, `{}`, http.StatusNotFound, "not_found"},
		{"long reason", "/api/questions/a-plus-b/rejudge", h.admin, `{"reason": "` + strings.Repeat("x", 501) + `"}`, http.StatusUnprocessableEntity, "invalid"},
		{"bad id", "/api/questions/a-plus-b/rejudge", h.admin, `{"id": "No!"}`, http.StatusUnprocessableEntity, "invalid"},
		{"unknown field", "/api/questions/a-plus-b/rejudge", h.admin, `{"why": "x"}`, http.StatusBadRequest, "bad_request"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if r := h.send(t, "POST", c.path, c.token, c.body); r.status != c.status || r.errorCode() != c.code {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	if n := len(h.p.RejudgeEmitter.Rejudges()); n != 0 {
		t.Fatalf("%d rejudges emitted by refused requests", n)
	}

	var out rejudgeResponse
	r := h.send(t, "POST", "/api/questions/a-plus-b/rejudge", h.admin, `{"reason": "test 2 fixed", "contest_id": "cup"}`)
	if r.decode(t, &out); r.status != http.StatusAccepted || out.Submissions != 1 || out.ID == "" {
		t.Fatalf("contest rejudge: %d %s", r.status, r.body)
	}
	if s, _ := h.p.Submissions.Get(b1.ID); s.Round != 1 || s.Status != codementor.StatusQueued || len(s.History) != 1 ||
		s.History[0].Verdict != codementor.VerdictAccepted || s.History[0].Reason != "test 2 fixed" || s.History[0].RejudgeID != out.ID {
		t.Fatalf("rejudged: %+v", s)
	}

	r = h.send(t, "POST", "/api/questions/a-plus-b/rejudge", h.admin, `{"id": "fix-1"}`)
	if r.decode(t, &out); r.status != http.StatusAccepted || out.Submissions != 2 || out.ID != "fix-1" {
		t.Fatalf("question rejudge: %d %s", r.status, r.body)
	}
	// The same id again: nothing is judged once more.
	h.send(t, "POST", "/api/questions/a-plus-b/rejudge", h.admin, `{"id": "fix-1"}`)
	for id, round := range map[string]int{a1.ID: 1, b1.ID: 2, o1.ID: 0, run.ID: 0} {
		if s, _ := h.p.Submissions.Get(id); s.Round != round {
			t.Errorf("%s: round %d, want %d", id, s.Round, round)
		}
	}
	// An empty body is fine too.
	if r := h.send(t, "POST", "/api/questions/other/rejudge", h.admin, nil); r.status != http.StatusAccepted {
		t.Errorf("no body: %d %s", r.status, r.body)
	}
}

// An admin's rejudge of a contest judges its submissions again, or those
// of one of its questions; an unknown contest is 404, a question not in it
// 422.
func TestRejudgeContest(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.Questions.Put(fixtureQuestion("other"))
	h.p.Contests.Put(&codementor.Contest{ID: "cup", Title: "Cup", Start: t0, End: t0.Add(time.Hour),
		Questions: []codementor.ContestQuestion{{QuestionID: "a-plus-b", Points: 100}, {QuestionID: "other", Points: 100}}})
	in := func(name, question, contest string) *codementor.Submission {
		s := judged(queued(name, "alice", t0), true, t0)
		s.QuestionID, s.ContestID = question, contest
		h.p.Submissions.Put(s)
		return s
	}
	a := in("a", "a-plus-b", "cup")
	o := in("o", "other", "cup")
	outside := in("x", "a-plus-b", "")
	for _, c := range []struct {
		name, path, token, body string
		status                  int
		code                    string
	}{
		{"a learner", "/api/contests/cup/rejudge", h.alice, `{}`, http.StatusForbidden, "forbidden"},
		{"unknown contest", "/api/contests/nope/rejudge", h.admin, `{}`, http.StatusNotFound, "not_found"},
		{"question not in it", "/api/contests/cup/rejudge", h.admin, `{"question_id": "zzz"}`, http.StatusUnprocessableEntity, "question_not_in_contest"},
	} {
		if r := h.send(t, "POST", c.path, c.token, c.body); r.status != c.status || r.errorCode() != c.code {
			t.Errorf("%s: got %d %s, want %d %s", c.name, r.status, r.body, c.status, c.code)
		}
	}
	var out rejudgeResponse
	r := h.send(t, "POST", "/api/contests/cup/rejudge", h.admin, `{"question_id": "other"}`)
	if r.decode(t, &out); r.status != http.StatusAccepted || out.Submissions != 1 || out.ContestID != "cup" {
		t.Fatalf("one question: %d %s", r.status, r.body)
	}
	r = h.send(t, "POST", "/api/contests/cup/rejudge", h.admin, `{}`)
	if r.decode(t, &out); r.status != http.StatusAccepted || out.Submissions != 2 {
		t.Fatalf("whole contest: %d %s", r.status, r.body)
	}
	for id, round := range map[string]int{a.ID: 1, o.ID: 2, outside.ID: 0} {
		if s, _ := h.p.Submissions.Get(id); s.Round != round {
			t.Errorf("%s: round %d, want %d", id, s.Round, round)
		}
	}
}

// An edit of a question's tests offers a rejudge of its submissions; an
// edit of its statement does not.
func TestEditingTestsOffersARejudge(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.Submissions.Put(judged(queued("a1", "alice", t0), true, t0))
	put := func(change func(*codementor.Question)) publicQuestion {
		t.Helper()
		q := fixtureQuestion("a-plus-b")
		change(q)
		var out publicQuestion
		r := h.send(t, "PUT", "/api/questions/a-plus-b", h.admin, q)
		if r.decode(t, &out); r.status != http.StatusOK {
			t.Fatalf("PUT: %d %s", r.status, r.body)
		}
		return out
	}
	if out := put(func(q *codementor.Question) { q.Statement = "Print the sum." }); out.Rejudge != nil {
		t.Errorf("a statement's edit offered a rejudge: %+v", out.Rejudge)
	}
	out := put(func(q *codementor.Question) { q.Tests[1].Output = "5\n" })
	if out.Rejudge == nil || out.Rejudge.Submissions != 1 || out.Rejudge.URL != "/api/questions/a-plus-b/rejudge" {
		t.Errorf("a test's edit: rejudge %+v", out.Rejudge)
	}
	if out := put(func(q *codementor.Question) { q.Tests[1].Output = "5\n"; q.TimeLimitMS = 3000 }); out.Rejudge == nil {
		t.Error("a time limit's edit offered no rejudge")
	}
}
