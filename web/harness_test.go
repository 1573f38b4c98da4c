package web

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/web/openapitest"
	"github.com/codementor/codementor/web/webtest"
)

// t0 is when every fixture happened.
var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// secret signs the harness's tokens.
var secret = bytes.Repeat([]byte("k"), auth.MinSecretBytes)

// harness is a Server over the fakes of package webtest, served by an
// httptest server: two languages announced (python, go) and one question.
type harness struct {
	p     *webtest.Pipeline
	s     *Server
	srv   *httptest.Server
	auth  *auth.Authority
	alice string // a learner's token
	bob   string // another learner's
	admin string // an admin's
}

// fixtureQuestion is a valid question with one sample and one hidden test
// and a driver.
func fixtureQuestion(id string) *codementor.Question {
	return &codementor.Question{ID: id, Title: "Add " + id, Statement: "Print a+b.", TimeLimitMS: 1000, MemoryLimitMB: 256,
		Checker:   codementor.Checker{Kind: codementor.CheckerWhitespace},
		Drivers:   map[string]string{"python": "# the judge's own code"},
		Tests:     []codementor.Test{{Input: "1 2\n", Output: "3\n"}, {Input: "2 2\n", Output: "4\n", Hidden: true}},
		UpdatedAt: t0}
}

func newHarness(tb testing.TB, cfg Config) *harness {
	tb.Helper()
	p := webtest.New()
	p.Runtimes.Put(&codementor.Runtime{ID: "python", Name: "Python 3", Version: "3.12.1", Judge: "j1", UpdatedAt: t0})
	p.Runtimes.Put(&codementor.Runtime{ID: "go", Name: "Go", Version: "go1.26.8", Judge: "j1", UpdatedAt: t0})
	p.Questions.Put(fixtureQuestion("a-plus-b"))
	a, err := auth.New(secret, time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := New(cfg, Deps{
		Submissions: p.Submissions, Questions: p.Questions, Runtimes: p.Runtimes, Learners: p.Learners,
		Progress: p.Progress, QuestionStats: p.QuestionStats,
		SubmissionEmitter: p.SubmissionEmitter, QuestionEmitter: p.QuestionEmitter, RejudgeEmitter: p.RejudgeEmitter,
		Contests: p.Contests, ContestEmitter: p.ContestEmitter, Standings: p.Standings,
		Auth: a, Ready: func(context.Context) error { return nil }, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		tb.Fatal(err)
	}
	s.TestData = p.TestData
	srv := httptest.NewServer(s.echo)
	tb.Cleanup(srv.Close)
	// Every answer a handler test sees must be one the API's document
	// allows.
	srv.Client().Transport = openapitest.Load(tb, openAPIDoc).Transport(tb, srv.Client().Transport)
	// Before the server closes: end the open streams, as Run does.
	tb.Cleanup(func() { s.once.Do(func() { close(s.shutdown) }) })
	h := &harness{p: p, s: s, srv: srv, auth: a}
	h.alice, h.bob, h.admin = h.token(tb, "alice", false), h.token(tb, "bob", false), h.token(tb, "root", true)
	return h
}

// eachView runs f as two subtests: on a harness whose views hold what the
// server accepts at once, and on one whose views never catch up.
func eachView(t *testing.T, cfg Config, f func(t *testing.T, h *harness)) {
	for _, lagging := range []bool{false, true} {
		t.Run(map[bool]string{false: "views current", true: "views lagging"}[lagging], func(t *testing.T) {
			h := newHarness(t, cfg)
			if lagging {
				h.p.SubmissionEmitter.Submissions = nil
			}
			f(t, h)
		})
	}
}

func (h *harness) token(tb testing.TB, user string, admin bool) string {
	tb.Helper()
	tok, err := h.auth.Issue(auth.Identity{User: user, Admin: admin})
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorCode returns the code of an error body, or "" if it is not one.
func (r response) errorCode() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

// decode decodes the JSON body into v.
func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.body, err)
	}
}

// send makes a request with token (none if empty) and body: a string,
// []byte or io.Reader as it is, anything else (but nil) as JSON.
func (h *harness) send(tb testing.TB, method, path, token string, body any) response {
	tb.Helper()
	return h.do(tb, h.request(tb, method, path, token, body))
}

// do sends req.
func (h *harness) do(tb testing.TB, req *http.Request) response {
	tb.Helper()
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read the body: %v", req.Method, req.URL.Path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// request is the request send sends.
func (h *harness) request(tb testing.TB, method, path, token string, body any) *http.Request {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	case io.Reader:
		r = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, r)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// sid is the submission ID a fixture named name has: 28 hex digits, as
// real IDs are (the API's document allows no other).
func sid(name string) string {
	h := hex.EncodeToString([]byte(name))
	return strings.Repeat("0", 28-len(h)) + h
}

// queued is the first state of a submission of a-plus-b in python, whose
// ID is sid(name).
func queued(name, user string, created time.Time) *codementor.Submission {
	return &codementor.Submission{ID: sid(name), User: user, QuestionID: "a-plus-b", Language: "python", Code: "print(3)",
		Status: codementor.StatusQueued, Tests: []codementor.TestResult{}, Review: codementor.Review{Status: codementor.ReviewPending},
		Version: 1, CreatedAt: created, UpdatedAt: created}
}

// running is the next state of sub, being judged since updated.
func running(sub *codementor.Submission, updated time.Time) *codementor.Submission {
	c := *sub
	c.Status, c.Version, c.UpdatedAt = codementor.StatusRunning, sub.Version+1, updated
	return &c
}

// judged is the next state of sub, done at updated: accepted, or a wrong
// answer.
func judged(sub *codementor.Submission, accepted bool, updated time.Time) *codementor.Submission {
	c := *sub
	c.Status, c.Verdict, c.Version, c.UpdatedAt = codementor.StatusDone, codementor.VerdictWrongAnswer, sub.Version+1, updated
	if accepted {
		c.Verdict = codementor.VerdictAccepted
	}
	c.Review.Status = codementor.ReviewDone
	return &c
}
