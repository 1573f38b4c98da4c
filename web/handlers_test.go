package web

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
)

// submit is a valid submission request.
func submit(question, language, code string) map[string]string {
	return map[string]string{"question_id": question, "language": language, "code": code}
}

func TestSubmissionValidation(t *testing.T) {
	h := newHarness(t, Config{})
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"not JSON", `{"question_id":`, http.StatusBadRequest, "bad_request"},
		{"unknown field", `{"question_id":"a-plus-b","language":"python","code":"print(3)","lang":"go"}`, http.StatusBadRequest, "bad_request"},
		{"data after the JSON", `{"question_id":"a-plus-b","language":"python","code":"print(3)"} {}`, http.StatusBadRequest, "bad_request"},
		{"no question", submit("", "python", "print(3)"), http.StatusUnprocessableEntity, "invalid"},
		{"no language", submit("a-plus-b", "", "print(3)"), http.StatusUnprocessableEntity, "invalid"},
		{"unknown language", submit("a-plus-b", "cobol", "DISPLAY 3"), http.StatusUnprocessableEntity, "unsupported_language"},
		{"language no judge runs", submit("a-plus-b", "java", "class Main {}"), http.StatusUnprocessableEntity, "unsupported_language"},
		{"unknown question", submit("no-such-question", "python", "print(3)"), http.StatusUnprocessableEntity, "unknown_question"},
		{"blank code", submit("a-plus-b", "python", " \n\t"), http.StatusUnprocessableEntity, "invalid"},
		{"NUL in code", submit("a-plus-b", "python", "print(3)\x00"), http.StatusUnprocessableEntity, "invalid"},
		{"code too large", submit("a-plus-b", "python", strings.Repeat("#", codementor.MaxCodeBytes+1)), http.StatusRequestEntityTooLarge, "too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "POST", "/api/submissions", h.alice, c.body)
			if r.status != c.status || r.errorCode() != c.code {
				t.Errorf("got %d %s, want %d %s: %s", r.status, r.errorCode(), c.status, c.code, r.body)
			}
		})
	}
	if n := len(h.p.SubmissionEmitter.Requests()); n != 0 {
		t.Errorf("%d invalid submissions emitted", n)
	}
}

// An accepted submission is emitted, answered with its queued state and
// readable at its Location at once, whether the view holds it yet or not.
func TestSubmissionAccepted(t *testing.T) {
	eachView(t, Config{}, func(t *testing.T, h *harness) {
		r := h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)"))
		if r.status != http.StatusAccepted {
			t.Fatalf("got %d: %s", r.status, r.body)
		}
		var sub codementor.Submission
		r.decode(t, &sub)
		reqs := h.p.SubmissionEmitter.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests emitted, want 1", len(reqs))
		}
		req := reqs[0]
		if req.ID != sub.ID || req.User != "alice" || req.QuestionID != "a-plus-b" || req.Language != "python" || req.Code != "print(3)" {
			t.Errorf("emitted %+v for submission %s", req, sub.ID)
		}
		if sub.User != "alice" || sub.Status != codementor.StatusQueued || sub.Version != 1 || !sub.CreatedAt.Equal(req.CreatedAt) {
			t.Errorf("answered %+v", sub)
		}
		if loc := r.header.Get("Location"); loc != "/api/submissions/"+sub.ID {
			t.Errorf("Location = %q", loc)
		}
		var got codementor.Submission
		if r := h.send(t, "GET", "/api/submissions/"+sub.ID, h.alice, nil); r.status != http.StatusOK {
			t.Fatalf("GET it: %d %s", r.status, r.body)
		} else if r.decode(t, &got); got.ID != sub.ID || got.Status != codementor.StatusQueued {
			t.Errorf("GET it = %+v", got)
		}
		if r := h.send(t, "GET", "/api/submissions/"+sub.ID, h.bob, nil); r.status != http.StatusNotFound {
			t.Errorf("another learner's GET: %d, want 404", r.status)
		}
	})
}

func TestSubmissionNotQueued(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.SubmissionEmitter.Fail(errors.New("no broker"))
	r := h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)"))
	if r.status != http.StatusServiceUnavailable || r.errorCode() != "unavailable" {
		t.Errorf("got %d %s, want 503 unavailable", r.status, r.body)
	}
	var list []codementor.Submission
	if h.send(t, "GET", "/api/submissions", h.alice, nil).decode(t, &list); len(list) != 0 {
		t.Errorf("a submission that was not queued is listed: %+v", list)
	}
}

func TestAuthentication(t *testing.T) {
	h := newHarness(t, Config{})
	sign := func(claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := time.Now().Add(time.Hour).Unix()
	for _, c := range []struct {
		name   string
		header string
		status int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"not a bearer token", "Basic YWxpY2U6c2VjcmV0", http.StatusUnauthorized},
		{"malformed token", "Bearer not.a.token", http.StatusUnauthorized},
		{"another secret", "Bearer " + func() string {
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "alice", "exp": exp}).SignedString(bytes.Repeat([]byte("x"), auth.MinSecretBytes))
			return tok
		}(), http.StatusUnauthorized},
		{"expired", "Bearer " + sign(jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(-time.Minute).Unix()}), http.StatusUnauthorized},
		{"bad user id", "Bearer " + sign(jwt.MapClaims{"sub": "-alice", "exp": exp}), http.StatusUnauthorized},
		{"empty user id", "Bearer " + sign(jwt.MapClaims{"sub": "", "exp": exp}), http.StatusUnauthorized},
		{"valid", "Bearer " + sign(jwt.MapClaims{"sub": "alice", "exp": exp}), http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := h.request(t, "GET", "/api/session", "", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			r := h.do(t, req)
			if r.status != c.status || (c.status == http.StatusUnauthorized && r.errorCode() != "unauthenticated") {
				t.Errorf("got %d %s, want %d", r.status, r.body, c.status)
			}
		})
	}
	for _, path := range []string{"/api/languages", "/api/questions", "/api/questions/a-plus-b", "/api/submissions", "/api/submissions/x", "/api/submissions/x/events", "/api/events"} {
		t.Run("no token "+path, func(t *testing.T) {
			if r := h.send(t, "GET", path, "", nil); r.status != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", r.status)
			}
		})
	}
	t.Run("session cookie", func(t *testing.T) {
		req := h.request(t, "GET", "/api/session", "", nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.alice})
		r := h.do(t, req)
		var who sessionInfo
		if r.decode(t, &who); r.status != http.StatusOK || who.User != "alice" || who.Admin {
			t.Errorf("got %d %+v", r.status, who)
		}
	})
}

// Only admins change questions; a learner sees every other admin route as
// anyone does.
func TestAdminRoutes(t *testing.T) {
	h := newHarness(t, Config{})
	q := fixtureQuestion("new-one")
	for _, c := range []struct {
		name   string
		token  string
		status int
	}{
		{"learner", h.alice, http.StatusForbidden},
		{"admin creates", h.admin, http.StatusCreated},
		{"admin replaces", h.admin, http.StatusOK},
		{"learner after", h.bob, http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "PUT", "/api/questions/new-one", c.token, q)
			if r.status != c.status {
				t.Errorf("got %d %s, want %d", r.status, r.body, c.status)
			}
			if c.status == http.StatusForbidden && r.errorCode() != "forbidden" {
				t.Errorf("code %q, want forbidden", r.errorCode())
			}
		})
	}
	// An admin reads any learner's submission; learners only their own.
	h.p.Submissions.Put(queued("s1", "alice", t0))
	for token, want := range map[string]int{h.alice: http.StatusOK, h.bob: http.StatusNotFound, h.admin: http.StatusOK} {
		if r := h.send(t, "GET", "/api/submissions/"+sid("s1"), token, nil); r.status != want {
			t.Errorf("GET s1 as %s: %d, want %d", map[string]string{h.alice: "alice", h.bob: "bob", h.admin: "admin"}[token], r.status, want)
		}
	}
}

func TestPutQuestion(t *testing.T) {
	h := newHarness(t, Config{})
	without := func(change func(q *codementor.Question)) *codementor.Question {
		q := fixtureQuestion("q1")
		change(q)
		return q
	}
	for _, c := range []struct {
		name   string
		path   string
		body   any
		status int
		code   string
	}{
		{"not JSON", "/api/questions/q1", `{"id": "q1",`, http.StatusBadRequest, "bad_request"},
		{"unknown field", "/api/questions/q1", `{"id": "q1", "titel": "x"}`, http.StatusBadRequest, "bad_request"},
		{"ids differ", "/api/questions/q1", fixtureQuestion("q2"), http.StatusUnprocessableEntity, "invalid"},
		{"bad id", "/api/questions/Q_1", without(func(q *codementor.Question) { q.ID = "" }), http.StatusUnprocessableEntity, "invalid"},
		{"no title", "/api/questions/q1", without(func(q *codementor.Question) { q.Title = " " }), http.StatusUnprocessableEntity, "invalid"},
		{"no tests", "/api/questions/q1", without(func(q *codementor.Question) { q.Tests = nil }), http.StatusUnprocessableEntity, "invalid"},
		{"time limit", "/api/questions/q1", without(func(q *codementor.Question) { q.TimeLimitMS = -1 }), http.StatusUnprocessableEntity, "invalid"},
		{"unknown checker", "/api/questions/q1", without(func(q *codementor.Question) { q.Checker.Kind = "fuzzy" }), http.StatusUnprocessableEntity, "invalid"},
		{"driver of an unknown language", "/api/questions/q1", without(func(q *codementor.Question) { q.Drivers = map[string]string{"cobol": "x"} }), http.StatusUnprocessableEntity, "invalid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "PUT", c.path, h.admin, c.body)
			if r.status != c.status || r.errorCode() != c.code {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
		})
	}
	if list, _ := h.p.Questions.List(); len(list) != 1 {
		t.Errorf("invalid questions stored: %d questions", len(list))
	}

	t.Run("defaults, then learners see it without drivers or hidden tests", func(t *testing.T) {
		q := without(func(q *codementor.Question) { q.ID, q.TimeLimitMS, q.Checker.Kind = "", 0, "" })
		if r := h.send(t, "PUT", "/api/questions/q1", h.admin, q); r.status != http.StatusCreated {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		stored, err := h.p.Questions.Get("q1")
		if err != nil || stored.ID != "q1" || stored.TimeLimitMS != codementor.DefaultTimeLimitMS || stored.Checker.Kind != codementor.CheckerWhitespace || stored.UpdatedAt.IsZero() {
			t.Errorf("stored %+v, %v", stored, err)
		}
		var got publicQuestion
		h.send(t, "GET", "/api/questions/q1", h.alice, nil).decode(t, &got)
		if got.Drivers != nil || len(got.Tests) != 1 || got.Tests[0].Hidden || got.TestCount != 2 || got.HiddenTests != 1 {
			t.Errorf("a learner sees %+v", got)
		}
	})
	t.Run("not stored", func(t *testing.T) {
		h.p.QuestionEmitter.Fail(errors.New("no broker"))
		defer h.p.QuestionEmitter.Fail(nil)
		if r := h.send(t, "PUT", "/api/questions/q1", h.admin, fixtureQuestion("q1")); r.status != http.StatusServiceUnavailable || r.errorCode() != "unavailable" {
			t.Errorf("got %d %s, want 503 unavailable", r.status, r.body)
		}
	})
}

func TestDevLogin(t *testing.T) {
	h := newHarness(t, Config{DevAuth: true})
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"empty user", `{"user": ""}`, http.StatusUnprocessableEntity, "invalid"},
		{"starts with a dash", `{"user": "-alice"}`, http.StatusUnprocessableEntity, "invalid"},
		{"space", `{"user": "al ice"}`, http.StatusUnprocessableEntity, "invalid"},
		{"not ASCII", `{"user": "ålice"}`, http.StatusUnprocessableEntity, "invalid"},
		{"too long", `{"user": "` + strings.Repeat("a", 65) + `"}`, http.StatusUnprocessableEntity, "invalid"},
		{"unknown field", `{"user": "alice", "role": "admin"}`, http.StatusBadRequest, "bad_request"},
		{"longest", `{"user": "` + strings.Repeat("a", 64) + `"}`, http.StatusOK, ""},
		{"valid", `{"user": "alice.b_c-d@example.org", "admin": true}`, http.StatusOK, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "POST", "/api/dev/login", "", c.body)
			if r.status != c.status || r.errorCode() != c.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
			if c.status != http.StatusOK {
				return
			}
			var tok struct{ Token string }
			r.decode(t, &tok)
			if r := h.send(t, "GET", "/api/session", tok.Token, nil); r.status != http.StatusOK {
				t.Errorf("the token it gave: %d %s", r.status, r.body)
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		h := newHarness(t, Config{})
		if r := h.send(t, "POST", "/api/dev/login", h.admin, `{"user": "alice"}`); r.status != http.StatusNotFound {
			t.Errorf("got %d %s, want 404: no such route", r.status, r.body)
		}
	})
}

func TestLanguages(t *testing.T) {
	h := newHarness(t, Config{})
	var got []language
	h.send(t, "GET", "/api/languages", h.alice, nil).decode(t, &got)
	// Those a judge announced, in the order of codementor.Languages.
	want := []language{{ID: "python", Name: "Python 3", Version: "3.12.1"}, {ID: "go", Name: "Go", Version: "go1.26.8"}}
	if !slices.Equal(got, want) {
		t.Errorf("mismatch (-want +got):\n-%v\n+%v", want, got)
	}
}

func TestQuestions(t *testing.T) {
	h := newHarness(t, Config{})
	h.p.Questions.Put(fixtureQuestion("b-minus-a"))
	h.p.Questions.Put(fixtureQuestion("c-times-b"))
	// alice: a-plus-b accepted once, then wrong; b-minus-a wrong, then in
	// progress; bob: c-times-b accepted.
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	put := func(subs ...*codementor.Submission) {
		for _, s := range subs {
			h.p.Submissions.Put(s)
		}
	}
	s1 := judged(queued("s1", "alice", at(1)), true, at(2))
	s1.Score, s1.MaxScore = 100, 100
	put(s1, judged(queued("s2", "alice", at(3)), false, at(4)))
	b1 := queued("s3", "alice", at(5))
	b1.QuestionID = "b-minus-a"
	b2 := queued("s4", "alice", at(6))
	b2.QuestionID = "b-minus-a"
	c1 := queued("s5", "bob", at(7))
	c1.QuestionID = "c-times-b"
	put(judged(b1, false, at(6)), running(b2, at(7)), judged(c1, true, at(8)))

	// The list as JSON has it.
	type summary struct {
		ID, Title     string
		TimeLimitMS   int `json:"time_limit_ms"`
		MemoryLimitMB int `json:"memory_limit_mb"`
		TestCount     int `json:"test_count"`
		Status        string
		Submissions   int
		LastVerdict   string  `json:"last_verdict"`
		BestScore     int     `json:"best_score"`
		Attempts      int     `json:"attempts"`
		Rate          float64 `json:"acceptance_rate"`
	}
	var list []summary
	h.send(t, "GET", "/api/questions", h.alice, nil).decode(t, &list)
	// The caller's status, submissions, last verdict and best score count
	// judged submissions (b-minus-a's second is being judged); attempts
	// and the acceptance rate, every learner's.
	want := []summary{
		{ID: "a-plus-b", Title: "Add a-plus-b", TimeLimitMS: 1000, MemoryLimitMB: 256, TestCount: 2, Status: "solved", Submissions: 2,
			LastVerdict: "wrong_answer", BestScore: 100, Attempts: 2, Rate: 50},
		{ID: "b-minus-a", Title: "Add b-minus-a", TimeLimitMS: 1000, MemoryLimitMB: 256, TestCount: 2, Status: "attempted", Submissions: 1,
			LastVerdict: "wrong_answer", Attempts: 1},
		{ID: "c-times-b", Title: "Add c-times-b", TimeLimitMS: 1000, MemoryLimitMB: 256, TestCount: 2, Attempts: 1, Rate: 100},
	}
	if !slices.Equal(list, want) {
		t.Errorf("GET /api/questions mismatch (-want +got):\n-%+v\n+%+v", want, list)
	}

	var q publicQuestion
	if r := h.send(t, "GET", "/api/questions/b-minus-a", h.alice, nil); r.status != http.StatusOK {
		t.Fatalf("GET a question: %d %s", r.status, r.body)
	} else if r.decode(t, &q); q.ID != "b-minus-a" || q.Drivers != nil || len(q.Tests) != 1 || q.HiddenTests != 1 {
		t.Errorf("GET a question = %+v", q)
	}
	if r := h.send(t, "GET", "/api/questions/nope", h.alice, nil); r.status != http.StatusNotFound || r.errorCode() != "not_found" {
		t.Errorf("GET an unknown question: %d %s", r.status, r.body)
	}
}

// GET /api/submissions: the caller's own, newest first, at most limit (1 to
// 500, default 50), of one question with question_id; those this instance
// accepted before its view holds them come first.
func TestListSubmissions(t *testing.T) {
	h := newHarness(t, Config{})
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for i := range 60 {
		sub := queued(string(rune('A'+i/26))+string(rune('a'+i%26)), "alice", at(i))
		if i%3 == 0 {
			sub.QuestionID = "b-minus-a"
		}
		h.p.Submissions.Put(sub)
	}
	h.p.Submissions.Put(queued("bob1", "bob", at(100)))
	ids := func(subs []codementor.Submission) []string {
		var out []string
		for _, s := range subs {
			out = append(out, s.ID)
		}
		return out
	}
	for _, c := range []struct {
		query string
		n     int
		first string // the newest
		last  string
	}{
		{"", 50, "Ch", "Ak"},
		{"?limit=1", 1, "Ch", "Ch"},
		{"?limit=3", 3, "Ch", "Cf"},
		{"?limit=500", 60, "Ch", "Aa"},
		{"?question_id=b-minus-a", 20, "Cf", "Aa"},
		{"?question_id=b-minus-a&limit=2", 2, "Cf", "Cc"},
		{"?question_id=nope", 0, "", ""},
	} {
		t.Run("query "+c.query, func(t *testing.T) {
			var got []codementor.Submission
			r := h.send(t, "GET", "/api/submissions"+c.query, h.alice, nil)
			if r.status != http.StatusOK {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			r.decode(t, &got)
			g := ids(got)
			if len(g) != c.n || c.n > 0 && (g[0] != sid(c.first) || g[len(g)-1] != sid(c.last)) {
				t.Errorf("got %d: %v; want %d from %s to %s", len(g), g, c.n, c.first, c.last)
			}
			for i := 1; i < len(got); i++ {
				if got[i].CreatedAt.After(got[i-1].CreatedAt) {
					t.Errorf("not newest first at %d: %v", i, g)
				}
			}
			if slices.Contains(g, "bob1") {
				t.Error("another learner's submission listed")
			}
		})
	}
	for _, limit := range []string{"0", "501", "-1", "ten", "1.5"} {
		t.Run("limit "+limit, func(t *testing.T) {
			if r := h.send(t, "GET", "/api/submissions?limit="+limit, h.alice, nil); r.status != http.StatusUnprocessableEntity || r.errorCode() != "invalid" {
				t.Errorf("got %d %s, want 422 invalid", r.status, r.body)
			}
		})
	}
	t.Run("accepted, not in the view yet", func(t *testing.T) {
		h.p.SubmissionEmitter.Submissions = nil // the view lags
		var sub codementor.Submission
		h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)")).decode(t, &sub)
		var got []codementor.Submission
		h.send(t, "GET", "/api/submissions?limit=2", h.alice, nil).decode(t, &got)
		if g := ids(got); !slices.Equal(g, []string{sub.ID, sid("Ch")}) {
			t.Errorf("got %v, want [%s Ch]", g, sub.ID)
		}
		h.send(t, "GET", "/api/submissions?question_id=b-minus-a&limit=1", h.alice, nil).decode(t, &got)
		if g := ids(got); !slices.Equal(g, []string{sid("Cf")}) {
			t.Errorf("of b-minus-a: got %v, want [Cf]", g)
		}
	})
}

// A learner has at most MaxInFlight submissions queued or being judged,
// counted from the learners table and those this instance accepted that
// the table may not show yet; admins have no limit.
func TestInFlightLimit(t *testing.T) {
	eachView(t, Config{MaxInFlight: 2}, func(t *testing.T, h *harness) {
		post := func(token string) response {
			t.Helper()
			return h.send(t, "POST", "/api/submissions", token, submit("a-plus-b", "python", "print(3)"))
		}
		var first codementor.Submission
		post(h.alice).decode(t, &first)
		if r := post(h.alice); r.status != http.StatusAccepted {
			t.Fatalf("second: %d %s", r.status, r.body)
		}
		r := post(h.alice)
		if r.status != http.StatusTooManyRequests || r.errorCode() != "too_many_in_flight" || r.header.Get("Retry-After") != "5" {
			t.Fatalf("third: %d Retry-After %q %s; want 429, Retry-After 5", r.status, r.header.Get("Retry-After"), r.body)
		}
		if r := post(h.bob); r.status != http.StatusAccepted {
			t.Errorf("another learner: %d %s", r.status, r.body)
		}
		for i := range 3 {
			if r := post(h.admin); r.status != http.StatusAccepted {
				t.Errorf("admin's submission %d: %d %s", i+1, r.status, r.body)
			}
		}
		// Once one has its verdict, another may go.
		h.p.Submissions.Put(judged(&first, true, time.Now()))
		if r := post(h.alice); r.status != http.StatusAccepted {
			t.Errorf("after a verdict: %d %s", r.status, r.body)
		}
		if r := post(h.alice); r.status != http.StatusTooManyRequests {
			t.Errorf("at the limit again: %d %s", r.status, r.body)
		}
	})
}

func TestBodyLimits(t *testing.T) {
	h := newHarness(t, Config{DevAuth: true})
	// big is a body whose field (one the request has) holds n bytes.
	big := func(field string, n int) string { return `{"` + field + `": "` + strings.Repeat("x", n) + `"}` }
	for _, c := range []struct {
		name, method, path string
		body               string
		// chunked hides the length: the limit stops the read.
		chunked bool
	}{
		{"submission", "POST", "/api/submissions", big("code", 1<<20), false},
		{"submission, chunked", "POST", "/api/submissions", big("code", 1<<20), true},
		{"session", "POST", "/api/session", big("token", 16<<10), false},
		{"session, chunked", "POST", "/api/session", big("token", 16<<10), true},
		{"dev login", "POST", "/api/dev/login", big("user", 4<<10), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body any = c.body
			if c.chunked {
				body = io.MultiReader(strings.NewReader(c.body))
			}
			r := h.send(t, c.method, c.path, h.alice, body)
			if r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "too_large" {
				t.Errorf("got %d %s, want 413 too_large", r.status, r.body)
			}
		})
	}
	// A question's body may be up to MaxQuestionBodyBytes: past that, its
	// declared length is refused before anything is read.
	req := httptest.NewRequest("PUT", "/api/questions/q1", strings.NewReader("{}"))
	req.ContentLength = MaxQuestionBodyBytes + 1
	req.Header.Set("Authorization", "Bearer "+h.admin)
	rec := httptest.NewRecorder()
	h.s.echo.ServeHTTP(rec, req)
	if r := (response{status: rec.Code, body: rec.Body.Bytes()}); r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "too_large" {
		t.Errorf("a question of 128 MiB and a byte: %d %s", r.status, r.body)
	}
	if n := len(h.p.SubmissionEmitter.Requests()); n != 0 {
		t.Errorf("%d submissions emitted", n)
	}
}
