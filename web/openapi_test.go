package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/web/openapitest"
)

// TestOpenAPIDocument: the document loads and validates as OpenAPI 3.1,
// examples included, and the server serves it, to anyone.
func TestOpenAPIDocument(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	if got := v.Doc().OpenAPI; got != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", got)
	}
	s := testServer(t, Config{})
	rec := v.Record(t, s.echo, httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openAPIDoc) {
		t.Errorf("GET /api/openapi.json: %d, %d bytes; want 200 and the document", rec.Code, rec.Body.Len())
	}
}

// TestOpenAPIRoutes: every route of the server is an operation of the
// document, and every operation a route (dev sign-in on, as in `dev`).
func TestOpenAPIRoutes(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	s := testServer(t, Config{DevAuth: true})
	// Parameters are compared by place, not name: /a/:id and /a/{id} and
	// Echo's wildcard /a/* are all /a/{}.
	param := regexp.MustCompile(`:[^/]+|\*|\{[^}]+\}`)
	var routes, operations []string
	for _, r := range s.echo.Routes() {
		if r.Method != echo.RouteNotFound {
			routes = append(routes, r.Method+" "+param.ReplaceAllString(r.Path, "{}"))
		}
	}
	for path, item := range v.Doc().Paths.Map() {
		for method := range item.Operations() {
			operations = append(operations, method+" "+param.ReplaceAllString(path, "{}"))
		}
	}
	slices.Sort(routes)
	slices.Sort(operations)
	for _, r := range routes {
		if !slices.Contains(operations, r) {
			t.Errorf("route %s is not in web/openapi.json", r)
		}
	}
	for _, op := range operations {
		if !slices.Contains(routes, op) {
			t.Errorf("operation %s of web/openapi.json is not a route", op)
		}
	}
}

// TestAnswersFollowTheDocument sends the requests a server without views
// can answer and checks each answer against the document.
func TestAnswersFollowTheDocument(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	s := testServer(t, Config{DevAuth: true})
	learner, err := s.Auth.Issue(auth.Identity{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + learner}
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site"}
	tests := []struct {
		method, path, body string
		header             map[string]string
		status             int // 0: any the document allows
	}{
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/readyz", "", nil, 200},
		{"GET", "/metrics", "", nil, 200},
		{"GET", "/api/config", "", nil, 200},
		{"GET", "/api/nothing", "", bearer, 404},
		{"GET", "/api/nothing", "", nil, 401},
		{"POST", "/healthz", "", nil, 405},
		{"POST", "/api/dev/login", `{"user":"ann","admin":true}`, nil, 200},
		{"POST", "/api/dev/login", `{"user":"../etc"}`, nil, 422},
		{"POST", "/api/dev/login", `{"user":"ann","extra":1}`, nil, 400},
		{"POST", "/api/dev/login", `{"user":"` + strings.Repeat("a", 5000) + `"}`, nil, 413},
		{"POST", "/api/dev/login", `{"user":"ann"}`, crossSite, 403},
		{"POST", "/api/session", `{"token":"` + learner + `"}`, nil, 200},
		{"POST", "/api/session", `{"token":"nope"}`, nil, 401},
		{"POST", "/api/session", `{"token":""}`, nil, 422},
		{"DELETE", "/api/session", "", nil, 204},
		{"GET", "/api/session", "", bearer, 200},
		{"GET", "/api/session", "", nil, 401},
		{"GET", "/api/session", "", map[string]string{"Authorization": "Basic eDp5"}, 401},
		{"GET", "/api/questions", "", map[string]string{"Authorization": "Bearer " + learner + "x"}, 401},
		{"PUT", "/api/questions/q", `{"title":"x"}`, bearer, 403},
		{"GET", "/api/events", "", nil, 401},
		{"GET", "/assets/nope.js", "", nil, 404},
		// The page is 200, or 503 where web/ui/dist was not built.
		{"GET", "/", "", nil, 0},
		{"HEAD", "/signin", "", nil, 0},
		{"GET", "/questions/a-plus-b", "", nil, 0},
		{"GET", "/questions/Not%20an%20id", "", nil, 0},
	}
	for _, tt := range tests {
		var body io.Reader
		if tt.body != "" {
			body = strings.NewReader(tt.body)
		}
		req := httptest.NewRequest(tt.method, tt.path, body)
		if tt.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, val := range tt.header {
			req.Header.Set(k, val)
		}
		if rec := v.Record(t, s.echo, req); tt.status != 0 && rec.Code != tt.status {
			t.Errorf("%s %s: %d %s, want %d", tt.method, tt.path, rec.Code, rec.Body, tt.status)
		}
	}
}

// TestOpenAPIQuestion: questions the server accepts fit the document's
// Question as learners get them.
func TestOpenAPIQuestion(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	tests := []codementor.Test{{Input: "1\n", Output: "2\n"}, {Input: "2\n", Output: "4\n", Hidden: true}}
	for _, checker := range []codementor.Checker{
		{},
		{Kind: codementor.CheckerFloat},
		{Kind: codementor.CheckerFloat, Tolerance: 0.5},
		// Found by schemathesis: the other checkers ignore the tolerance,
		// and the question keeps it, whatever it is.
		{Kind: codementor.CheckerWhitespace, Tolerance: 1},
		{Kind: codementor.CheckerExact, Tolerance: -3},
	} {
		q := codementor.Question{ID: "double", Title: "Double", Checker: checker, Tests: tests,
			Drivers: map[string]string{"python": "print(solve())"}}
		q.Normalize()
		if err := q.Validate(); err != nil {
			t.Fatalf("checker %+v: %v", checker, err)
		}
		if err := v.CheckSchema("Question", public(&q)); err != nil {
			t.Errorf("checker %+v: %v", checker, err)
		}
	}
}

// TestOpenAPIHiddenData: the document refuses what must never reach a
// learner, so that every test that sees it fails: a hidden test's data in a
// submission, a question's drivers.
func TestOpenAPIHiddenData(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	now := time.Now()
	sub := codementor.NewSubmission(&codementor.SubmissionRequest{ID: codementor.NewSubmissionID(now),
		User: "ann", QuestionID: "double", Language: "python", Code: "print(2)", CreatedAt: now}, now)
	sub.Tests = []codementor.TestResult{
		{Index: 0, Verdict: codementor.VerdictWrongAnswer, Input: "1\n", Expected: "2\n", Output: "3\n", ExitCode: 1},
		{Index: 1, Verdict: codementor.VerdictWrongAnswer, Hidden: true, Message: "wrong answer"},
	}
	if err := v.CheckSchema("Submission", sub); err != nil {
		t.Errorf("a submission without hidden data: %v", err)
	}
	sub.Tests[1].Output = "3\n"
	if err := v.CheckSchema("Submission", sub); err == nil {
		t.Error("the document allows a hidden test's output in a submission")
	}
	q := codementor.Question{ID: "double", Title: "Double", Tests: []codementor.Test{{Input: "1\n", Output: "2\n"}}}
	q.Normalize()
	p := public(&q)
	if err := v.CheckSchema("Question", p); err != nil {
		t.Errorf("a question without drivers: %v", err)
	}
	p.Drivers = map[string]string{"python": "print(solve())"}
	if err := v.CheckSchema("Question", p); err == nil {
		t.Error("the document allows a question's drivers")
	}
}

// testServer is a server with an authority and a logger and no views: it
// can list its routes and answer what needs no view.
func testServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	a, err := auth.New(bytes.Repeat([]byte("k"), auth.MinSecretBytes), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, Deps{
		Auth:  a,
		Ready: func(context.Context) error { return nil },
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
