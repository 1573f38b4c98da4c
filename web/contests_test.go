package web

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// cstart is when the fixture contests' running one started.
var cstart = t0.Add(time.Hour)

// fixtureContest is an IOI contest of a-plus-b and a-times-b from start
// for two hours, frozen for its last 30 minutes.
func fixtureContest(id string, start time.Time) *codementor.Contest {
	c := &codementor.Contest{ID: id, Title: "Contest " + id, Start: start, End: start.Add(2 * time.Hour), FreezeMinutes: 30,
		Questions: []codementor.ContestQuestion{{QuestionID: "a-plus-b"}, {QuestionID: "a-times-b", Points: 50}}, UpdatedAt: t0}
	c.Normalize()
	return c
}

// contestHarness is a harness with a second question, a-times-b, and the
// contest c1, running from cstart.
func contestHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := newHarness(t, cfg)
	q := fixtureQuestion("a-times-b")
	q.Difficulty = "easy"
	h.p.Questions.Put(q)
	h.p.Contests.Put(fixtureContest("c1", cstart))
	return h
}

// at sets the server's clock to cstart + d.
func (h *harness) at(d time.Duration) { h.s.now = func() time.Time { return cstart.Add(d) } }

func TestPutContest(t *testing.T) {
	h := contestHarness(t, Config{})
	h.at(-2 * time.Hour)
	with := func(change func(c *codementor.Contest)) *codementor.Contest {
		c := fixtureContest("c2", cstart)
		change(c)
		return c
	}
	for _, c := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"learner", h.alice, fixtureContest("c2", cstart), http.StatusForbidden, "forbidden"},
		{"not JSON", h.admin, `{"title":`, http.StatusBadRequest, "bad_request"},
		{"unknown field", h.admin, `{"title":"x","begin":"2026-12-07T06:00:00Z"}`, http.StatusBadRequest, "bad_request"},
		{"another id", h.admin, with(func(c *codementor.Contest) { c.ID = "c3" }), http.StatusUnprocessableEntity, "invalid"},
		{"no title", h.admin, with(func(c *codementor.Contest) { c.Title = " " }), http.StatusUnprocessableEntity, "invalid"},
		{"ends before it starts", h.admin, with(func(c *codementor.Contest) { c.End = c.Start.Add(-time.Minute) }), http.StatusUnprocessableEntity, "invalid"},
		{"no questions", h.admin, with(func(c *codementor.Contest) { c.Questions = nil }), http.StatusUnprocessableEntity, "invalid"},
		{"unknown scoring", h.admin, with(func(c *codementor.Contest) { c.Scoring = "golf" }), http.StatusUnprocessableEntity, "invalid"},
		{"unknown question", h.admin, with(func(c *codementor.Contest) {
			c.Questions = append(c.Questions, codementor.ContestQuestion{QuestionID: "no-such-question"})
		}), http.StatusUnprocessableEntity, "invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "PUT", "/api/contests/c2", c.token, c.body)
			if r.status != c.status || r.errorCode() != c.code {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	if _, err := h.p.Contests.Get("c2"); err == nil {
		t.Fatal("a refused contest was stored")
	}

	t.Run("created, then replaced", func(t *testing.T) {
		c := fixtureContest("c2", cstart)
		c.ID, c.Questions[0].Label, c.Questions[1].Points = "", "", 0 // filled in
		r := h.send(t, "PUT", "/api/contests/c2", h.admin, c)
		var got codementor.Contest
		if r.decode(t, &got); r.status != http.StatusCreated || got.ID != "c2" || got.Questions[0].Label != "A" ||
			got.Questions[1].Points != codementor.DefaultContestPoints || !got.UpdatedAt.Equal(h.s.now()) {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		if stored, err := h.p.Contests.Get("c2"); err != nil || stored.Title != "Contest c2" {
			t.Errorf("stored %+v, %v", stored, err)
		}
		c.Title = "Renamed"
		if r := h.send(t, "PUT", "/api/contests/c2", h.admin, c); r.status != http.StatusOK {
			t.Errorf("replaced: %d %s, want 200", r.status, r.body)
		}
		if stored, _ := h.p.Contests.Get("c2"); stored.Title != "Renamed" {
			t.Errorf("after the replacement: %+v", stored)
		}
	})
	t.Run("not queued", func(t *testing.T) {
		h.p.ContestEmitter.Fail(errors.New("no broker"))
		defer h.p.ContestEmitter.Fail(nil)
		if r := h.send(t, "PUT", "/api/contests/c3", h.admin, fixtureContest("c3", cstart)); r.status != http.StatusServiceUnavailable || r.errorCode() != "unavailable" {
			t.Errorf("got %d %s, want 503 unavailable", r.status, r.body)
		}
		if _, err := h.p.Contests.Get("c3"); err == nil {
			t.Error("stored though the emit failed")
		}
	})
}

func TestListContests(t *testing.T) {
	h := contestHarness(t, Config{})
	h.at(time.Hour) // c1 is running
	past := fixtureContest("past", cstart.Add(-24*time.Hour))
	next := fixtureContest("next", cstart.Add(24*time.Hour))
	closed := fixtureContest("closed", cstart.Add(-time.Minute))
	closed.Participants = []string{"bob"}
	closed.Scoring = codementor.ScoringICPC
	for _, c := range []*codementor.Contest{past, next, closed} {
		h.p.Contests.Put(c)
	}
	var got []contestSummary
	r := h.send(t, "GET", "/api/contests", h.alice, nil)
	if r.decode(t, &got); r.status != http.StatusOK {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	var summary []string
	for _, c := range got {
		summary = append(summary, fmt.Sprintf("%s %s %s %d %v", c.ID, c.Phase, c.Scoring, c.QuestionCount, c.CanParticipate))
	}
	want := []string{"next upcoming ioi 2 true", "c1 running ioi 2 true", "closed running icpc 2 false", "past over ioi 2 false"}
	if fmt.Sprint(summary) != fmt.Sprint(want) {
		t.Errorf("alice's list:\n%q\nwant\n%q", summary, want)
	}
	if got[1].FreezeMinutes != 30 || !got[1].Start.Equal(cstart) || !got[1].End.Equal(cstart.Add(2*time.Hour)) || got[1].Title != "Contest c1" {
		t.Errorf("c1: %+v", got[1])
	}
	h.send(t, "GET", "/api/contests", h.bob, nil).decode(t, &got)
	if !got[2].CanParticipate {
		t.Errorf("bob may not take part in the contest he is listed in: %+v", got[2])
	}
}

func TestGetContest(t *testing.T) {
	h := contestHarness(t, Config{})
	c1 := fixtureContest("c1", cstart)
	c1.Participants = []string{"alice", "bob"}
	c1.Description = "Two questions."
	h.p.Contests.Put(c1)
	get := func(t *testing.T, token string) contestDetail {
		t.Helper()
		var d contestDetail
		r := h.send(t, "GET", "/api/contests/c1", token, nil)
		if r.decode(t, &d); r.status != http.StatusOK {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		return d
	}
	titles := func(d contestDetail) string {
		s := ""
		for _, q := range d.Questions {
			s += fmt.Sprintf("%s %s %d %q %q; ", q.Label, q.QuestionID, q.Points, q.Title, q.Difficulty)
		}
		return s
	}
	const both = `A a-plus-b 100 "Add a-plus-b" ""; B a-times-b 50 "Add a-times-b" "easy"; `

	t.Run("before the start", func(t *testing.T) {
		h.at(-time.Minute)
		d := get(t, h.alice)
		if len(d.Questions) != 0 || !d.QuestionsHidden || d.Phase != codementor.PhaseUpcoming || !d.Now.Equal(h.s.now()) ||
			!d.CanParticipate || d.Frozen || d.Participants != nil || d.Description != "Two questions." {
			t.Errorf("a learner got %+v", d)
		}
		if d := get(t, h.admin); titles(d) != both || d.QuestionsHidden || len(d.Participants) != 2 {
			t.Errorf("an admin got %+v", d)
		}
	})
	t.Run("running", func(t *testing.T) {
		h.at(time.Hour)
		if d := get(t, h.alice); titles(d) != both || d.QuestionsHidden || d.Phase != codementor.PhaseRunning || d.Frozen || d.Participants != nil {
			t.Errorf("a learner got %+v", d)
		}
		if d := get(t, h.token(t, "carol", false)); d.CanParticipate {
			t.Errorf("carol, not listed, may take part: %+v", d)
		}
	})
	t.Run("frozen", func(t *testing.T) {
		h.at(100 * time.Minute)
		if d := get(t, h.alice); !d.Frozen || d.Phase != codementor.PhaseRunning {
			t.Errorf("got %+v", d)
		}
	})
	t.Run("over", func(t *testing.T) {
		h.at(2 * time.Hour)
		if d := get(t, h.alice); d.Frozen || d.Phase != codementor.PhaseOver || d.CanParticipate || titles(d) != both {
			t.Errorf("got %+v", d)
		}
	})
	t.Run("a question deleted", func(t *testing.T) {
		gone := fixtureContest("c9", cstart)
		gone.Questions = append(gone.Questions, codementor.ContestQuestion{QuestionID: "gone", Label: "G", Points: 10})
		h.p.Contests.Put(gone)
		var d contestDetail
		if h.send(t, "GET", "/api/contests/c9", h.alice, nil).decode(t, &d); len(d.Questions) != 3 || d.Questions[2].Title != "" {
			t.Errorf("got %+v", d)
		}
	})
	if r := h.send(t, "GET", "/api/contests/nope", h.alice, nil); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
		t.Errorf("an unknown contest: %d %s", r.status, r.body)
	}
}

// A submission made in a contest is refused, with nothing emitted, unless
// the contest exists, has the question, is running and is open to the
// learner; else it carries the contest.
func TestContestSubmission(t *testing.T) {
	h := contestHarness(t, Config{})
	closed := fixtureContest("closed", cstart)
	closed.Participants = []string{"bob"}
	h.p.Contests.Put(closed)
	h.p.Questions.Put(fixtureQuestion("outside"))
	in := func(contest, question string) map[string]string {
		r := submit(question, "python", "print(3)")
		r["contest_id"] = contest
		return r
	}
	for _, c := range []struct {
		name   string
		at     time.Duration
		body   any
		status int
		code   string
	}{
		{"unknown contest", time.Hour, in("nope", "a-plus-b"), http.StatusUnprocessableEntity, "unknown_contest"},
		{"question not in it", time.Hour, in("c1", "outside"), http.StatusUnprocessableEntity, "question_not_in_contest"},
		{"unknown question", time.Hour, in("c1", "no-such-question"), http.StatusUnprocessableEntity, "unknown_question"},
		{"before the start", -time.Nanosecond, in("c1", "a-plus-b"), http.StatusForbidden, "contest_not_started"},
		{"at the end", 2 * time.Hour, in("c1", "a-plus-b"), http.StatusForbidden, "contest_over"},
		{"after the end", 3 * time.Hour, in("c1", "a-plus-b"), http.StatusForbidden, "contest_over"},
		{"not a participant", time.Hour, in("closed", "a-plus-b"), http.StatusForbidden, "not_a_participant"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.at(c.at)
			r := h.send(t, "POST", "/api/submissions", h.alice, c.body)
			if r.status != c.status || r.errorCode() != c.code {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	if n := len(h.p.SubmissionEmitter.Requests()); n != 0 {
		t.Fatalf("%d refused submissions emitted", n)
	}

	for _, at := range []time.Duration{0, 2*time.Hour - time.Nanosecond} {
		t.Run(fmt.Sprintf("accepted at %s", at), func(t *testing.T) {
			h.at(at)
			r := h.send(t, "POST", "/api/submissions", h.alice, in("c1", "a-times-b"))
			var sub codementor.Submission
			if r.decode(t, &sub); r.status != http.StatusAccepted || sub.ContestID != "c1" {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			reqs := h.p.SubmissionEmitter.Requests()
			if req := reqs[len(reqs)-1]; req.ContestID != "c1" || req.ID != sub.ID || !req.CreatedAt.Equal(cstart.Add(at)) {
				t.Errorf("emitted %+v", req)
			}
		})
	}
	t.Run("listed participant", func(t *testing.T) {
		h.at(time.Hour)
		if r := h.send(t, "POST", "/api/submissions", h.bob, in("closed", "a-plus-b")); r.status != http.StatusAccepted {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

// A question in a contest that has not started is withheld from learners
// (not listed, 404, no submission or run, no statistics) until one of its
// contests starts; admins see it; a question in no contest is public.
func TestContestQuestionsWithheldUntilTheStart(t *testing.T) {
	h := newHarness(t, Config{})
	h.s.now = func() time.Time { return t0 }
	h.p.Questions.Put(fixtureQuestion("secret"))
	h.p.Contests.Put(&codementor.Contest{ID: "later", Title: "Later", Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour),
		Questions: []codementor.ContestQuestion{{QuestionID: "secret", Points: 100}}})
	listed := func(token string) bool {
		var qs []questionSummary
		h.send(t, "GET", "/api/questions", token, nil).decode(t, &qs)
		for _, q := range qs {
			if q.ID == "secret" {
				return true
			}
		}
		return false
	}
	if listed(h.alice) || !listed(h.admin) {
		t.Errorf("listed to alice %t, to the admin %t; want false, true", listed(h.alice), listed(h.admin))
	}
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/questions/secret", nil, http.StatusNotFound},
		{"GET", "/api/questions/secret/stats", nil, http.StatusNotFound},
		{"POST", "/api/submissions", map[string]string{"question_id": "secret", "language": "python", "code": "print(1)"}, http.StatusUnprocessableEntity},
		{"POST", "/api/runs", map[string]any{"question_id": "secret", "language": "python", "code": "print(1)"}, http.StatusUnprocessableEntity},
	} {
		r := h.send(t, c.method, c.path, h.alice, c.body)
		if want := map[int]string{http.StatusNotFound: "not_found", http.StatusUnprocessableEntity: "unknown_question"}[c.status]; r.status != c.status || r.errorCode() != want {
			t.Errorf("%s %s as a learner: %d %s, want %d %s", c.method, c.path, r.status, r.body, c.status, want)
		}
	}
	if r := h.send(t, "GET", "/api/questions/secret", h.admin, nil); r.status != http.StatusOK {
		t.Errorf("the admin's GET: %d", r.status)
	}
	// Once the contest started, it is public.
	h.s.now = func() time.Time { return t0.Add(90 * time.Minute) }
	if !listed(h.alice) {
		t.Error("not listed once the contest started")
	}
	if r := h.send(t, "GET", "/api/questions/secret", h.alice, nil); r.status != http.StatusOK {
		t.Errorf("GET once the contest started: %d", r.status)
	}
}
