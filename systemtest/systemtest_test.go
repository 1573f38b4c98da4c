// Package systemtest runs the whole pipeline the way a user does: the
// codementor process (broker, topics, processors, views, web tier) and real
// HTTP and SSE clients. It runs on the embedded broker, or on the Kafka
// cluster named by CODEMENTOR_TEST_BROKERS (`make test` runs it on both).
package systemtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/app"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/processors/reviewer"
)

const (
	aPlusB      = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"
	aPlusBWrong = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a - b)\n"
	aPlusBCpp   = "#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"
	finalWithin = 90 * time.Second
)

// instance is a running codementor process with its HTTP API.
type instance = devtest.Instance

func freeAddr(t testing.TB) string { return devtest.FreeAddr(t) }

// devConfig is the configuration of a test instance on dataDir, on the
// Kafka cluster the suite runs on, if any.
func devConfig(t testing.TB, dataDir string) app.Config {
	cfg := devtest.Config(t, dataDir)
	cfg.Brokers = externalBrokers()
	return cfg
}

// start runs `codementor dev` on dataDir and waits until /readyz says ready.
func start(t testing.TB, dataDir string) *instance {
	t.Helper()
	return devtest.Launch(t, devConfig(t, dataDir), devtest.Ready)
}

// waitsMostly lets a test that mostly waits (on restarts, rebalances, an
// LLM's timeouts) run beside another such test when the suite runs on the
// embedded broker, where each test has a broker of its own: go test runs
// them after the other tests, two at a time (-parallel, GOMAXPROCS). On a
// shared Kafka cluster tests run one at a time: they share its topics and
// consumer groups.
func waitsMostly(t *testing.T) {
	if externalBrokers() == nil {
		t.Parallel()
	}
}

// testUser is a user name no other test uses: on a shared Kafka cluster the
// tables hold every earlier test's submissions too.
func testUser(name string) string {
	return name + "-" + codementor.NewSubmissionID(time.Now())[12:20]
}

// assertProgress checks the states a stream showed: versions only grow, the
// status never moves backwards, and tests only accumulate.
func assertProgress(t testing.TB, states []*codementor.Submission) {
	t.Helper()
	rank := map[codementor.Status]int{codementor.StatusQueued: 0, codementor.StatusRunning: 1, codementor.StatusReviewing: 2, codementor.StatusDone: 3, codementor.StatusFailed: 3}
	for i := 1; i < len(states); i++ {
		a, b := states[i-1], states[i]
		if b.Version <= a.Version {
			t.Errorf("version went from %d to %d", a.Version, b.Version)
		}
		if rank[b.Status] < rank[a.Status] {
			t.Errorf("status went back from %s to %s", a.Status, b.Status)
		}
		if len(b.Tests) < len(a.Tests) {
			t.Errorf("tests went from %d to %d", len(a.Tests), len(b.Tests))
		}
	}
}

func TestSubmissionsStreamToTheirOwner(t *testing.T) {
	in := start(t, t.TempDir())
	// Users of this test alone: on a shared Kafka cluster the tables hold
	// every earlier test's submissions too.
	alice := login(t, in.Base, testUser("alice"), false)
	bob := login(t, in.Base, testUser("bob"), false)
	admin := login(t, in.Base, "root", true)

	// The learner opens the stream before submitting.
	events := alice.stream(t, "/api/events", "")
	bobEvents := bob.stream(t, "/api/events", "")
	good := alice.submit(t, "a-plus-b", "python", aPlusB)
	wrong := alice.submit(t, "a-plus-b", "python", aPlusBWrong)
	cpp := alice.submit(t, "a-plus-b", "cpp", aPlusBCpp)

	finals := map[string]*codementor.Submission{}
	states := map[string][]*codementor.Submission{}
	deadline := time.Now().Add(finalWithin)
	var firstID string
	for len(finals) < 3 {
		ev, s := events.next(t, time.Until(deadline))
		if firstID == "" {
			firstID = ev.ID
		}
		states[s.ID] = append(states[s.ID], s)
		if s.Final() {
			finals[s.ID] = s
		}
	}
	want := map[string]codementor.Verdict{good.ID: codementor.VerdictAccepted, wrong.ID: codementor.VerdictWrongAnswer, cpp.ID: codementor.VerdictAccepted}
	for id, verdict := range want {
		f := finals[id]
		if f.Verdict != verdict || f.Status != codementor.StatusDone {
			t.Errorf("%s: status %s verdict %s, want done %s", id, f.Status, f.Verdict, verdict)
		}
		if f.Review.Status != codementor.ReviewSkipped || f.Review.Reason != reviewer.ReviewsOffReason {
			t.Errorf("%s: review %+v, want skipped, saying only that reviews are off (how to turn them on is for the operator)", id, f.Review)
		}
		if len(f.Tests) != f.TestCount || f.TestCount < 5 {
			t.Errorf("%s: %d test results of %d", id, len(f.Tests), f.TestCount)
		}
		assertProgress(t, states[id])
		// Tests arrive one by one, not only in the final state.
		partial := false
		for _, s := range states[id] {
			if !s.Final() && len(s.Tests) > 0 && len(s.Tests) < s.TestCount {
				partial = true
			}
		}
		if !partial {
			t.Errorf("%s: no event showed tests partly done; states: %d", id, len(states[id]))
		}
	}

	// The operator reads how to turn reviews on in /readyz, which says ready.
	var ready struct {
		Status   string
		Warnings []string
	}
	if code := admin.do(t, "GET", "/readyz", nil, &ready); code != 200 || ready.Status != "ready" ||
		!slices.ContainsFunc(ready.Warnings, func(w string) bool { return strings.Contains(w, "OPENAI_API_KEY") }) {
		t.Errorf("/readyz: %d %+v, want ready with a warning that says how to enable reviews", code, ready)
	}

	// Sample tests show their data; hidden ones never do.
	for _, tr := range finals[wrong.ID].Tests {
		if tr.Hidden && (tr.Input != "" || tr.Expected != "" || tr.Output != "") {
			t.Errorf("hidden test %d leaks data: %+v", tr.Index, tr)
		}
		if !tr.Hidden && (tr.Input == "" || tr.Expected == "") {
			t.Errorf("sample test %d lacks its data: %+v", tr.Index, tr)
		}
		if tr.Verdict != codementor.VerdictWrongAnswer && tr.Verdict != codementor.VerdictAccepted {
			t.Errorf("test %d verdict %s", tr.Index, tr.Verdict)
		}
	}

	// GET shows the same state; another user cannot see it, an admin can.
	var got codementor.Submission
	if code := alice.do(t, "GET", "/api/submissions/"+good.ID, nil, &got); code != 200 || got.Version != finals[good.ID].Version || got.Verdict != codementor.VerdictAccepted {
		t.Errorf("GET own submission: %d %+v", code, got)
	}
	var e apiError
	if code := bob.do(t, "GET", "/api/submissions/"+good.ID, nil, &e); code != 404 || e.Error.Code != "not_found" {
		t.Errorf("bob GET alice's submission: %d %+v", code, e)
	}
	if s := bob.stream(t, "/api/submissions/"+good.ID+"/events", ""); s.status != 404 {
		t.Errorf("bob streams alice's submission: status %d", s.status)
	}
	if code := admin.do(t, "GET", "/api/submissions/"+good.ID, nil, nil); code != 200 {
		t.Errorf("admin GET: %d", code)
	}
	select {
	case ev, ok := <-bobEvents.events:
		if ok && ev.Name == "submission" {
			t.Errorf("bob's stream received alice's event: %s", ev)
		}
	case <-time.After(200 * time.Millisecond):
	}

	// The list is alice's own, newest first.
	var list []codementor.Submission
	if code := alice.do(t, "GET", "/api/submissions", nil, &list); code != 200 || len(list) != 3 || list[0].ID != cpp.ID || list[2].ID != good.ID {
		t.Errorf("list: %d %d items", code, len(list))
	}
	if code := bob.do(t, "GET", "/api/submissions", nil, &list); code != 200 || len(list) != 0 {
		t.Errorf("bob's list: %d %d items", code, len(list))
	}

	// A reconnect to /api/events with the first event's id catches up with
	// the final state of every submission that changed since.
	resumed := alice.stream(t, "/api/events", firstID)
	caught := map[string]bool{}
	for len(caught) < 3 {
		_, s := resumed.next(t, 10*time.Second)
		if s.Final() && s.Version == finals[s.ID].Version {
			caught[s.ID] = true
		}
	}

	// The per-submission stream sends the current state, then ends; a
	// reconnect with the last id gets only the end.
	one := alice.stream(t, "/api/submissions/"+good.ID+"/events", "")
	ev, s := one.next(t, 10*time.Second)
	if s.Version != finals[good.ID].Version || ev.ID == "" {
		t.Errorf("first event %s", ev)
	}
	again := alice.stream(t, "/api/submissions/"+good.ID+"/events", ev.ID)
	for e := range again.events {
		if e.Name == "submission" {
			t.Errorf("reconnect with Last-Event-ID %s resent %s", ev.ID, e)
		}
	}
}

func TestSubmissionStreamFromTheStart(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, "alice", false)
	sub := alice.submit(t, "a-plus-b", "python", aPlusB)
	s := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "")
	states := s.untilFinal(t, sub.ID, finalWithin)
	assertProgress(t, states)
	if f := states[len(states)-1]; f.Verdict != codementor.VerdictAccepted {
		t.Errorf("verdict %s", f.Verdict)
	}
	// After the final state the server ends the stream with an end event.
	for ev := range s.events {
		if ev.Name == "end" {
			return
		}
	}
	t.Error("the stream closed without an end event")
}

func TestBadInputGetsClearErrors(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, "alice", false)
	admin := login(t, in.Base, "admin", true)
	anon := newClient(t, in.Base, "")
	forged := newClient(t, in.Base, alice.token+"x")

	tests := []struct {
		name   string
		c      *client
		method string
		path   string
		body   any
		status int
		code   string
	}{
		{"no token", anon, "GET", "/api/questions", nil, 401, "unauthenticated"},
		{"bad token", forged, "GET", "/api/questions", nil, 401, "unauthenticated"},
		{"malformed json", alice, "POST", "/api/submissions", `{"question_id":`, 400, "bad_request"},
		{"unknown field", alice, "POST", "/api/submissions", `{"question":"a-plus-b"}`, 400, "bad_request"},
		{"unknown language", alice, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "cobol", "code": "x"}, 422, "unsupported_language"},
		{"unknown question", alice, "POST", "/api/submissions", map[string]string{"question_id": "nope", "language": "python", "code": "x"}, 422, "unknown_question"},
		{"empty code", alice, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": "  \n"}, 422, "invalid"},
		{"code too large", alice, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": strings.Repeat("#", 70<<10)}, 413, "too_large"},
		{"body too large", alice, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": strings.Repeat("#", 2<<20)}, 413, "too_large"},
		{"missing submission", alice, "GET", "/api/submissions/0000000000000000", nil, 404, "not_found"},
		{"missing question", alice, "GET", "/api/questions/nope", nil, 404, "not_found"},
		{"bad limit", alice, "GET", "/api/submissions?limit=0", nil, 422, "invalid"},
		{"learner writes a question", alice, "PUT", "/api/questions/new-q", map[string]any{"title": "x", "tests": []any{map[string]any{"input": "", "output": "1"}}}, 403, "forbidden"},
		{"invalid question", admin, "PUT", "/api/questions/new-q", map[string]any{"title": "", "time_limit_ms": 999999}, 422, "invalid"},
		{"id mismatch", admin, "PUT", "/api/questions/new-q", map[string]any{"id": "other", "title": "x"}, 422, "invalid"},
		{"bad login", anon, "POST", "/api/dev/login", map[string]any{"user": "../etc"}, 422, "invalid"},
		{"unknown route", alice, "GET", "/api/nothing", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e apiError
			status := tt.c.do(t, tt.method, tt.path, tt.body, &e)
			if status != tt.status || e.Error.Code != tt.code || e.Error.Message == "" {
				t.Errorf("got %d %+v, want %d %s with a message", status, e, tt.status, tt.code)
			}
		})
	}

	// An admin creates a question; learners see its samples, never its hidden tests.
	listed := func() bool {
		var qs []struct{ ID string }
		alice.do(t, "GET", "/api/questions", nil, &qs)
		for _, q := range qs {
			if q.ID == "double" {
				return true
			}
		}
		return false
	}
	if listed() { // also fills the web tier's cached list
		t.Fatal("the question is listed before it exists")
	}
	q := map[string]any{"title": "Double", "statement": "Print 2n.", "tests": []map[string]any{
		{"input": "1\n", "output": "2\n"}, {"input": "21\n", "output": "42\n", "hidden": true},
	}}
	if code := admin.do(t, "PUT", "/api/questions/double", q, nil); code != 201 {
		t.Fatalf("create question: %d", code)
	}
	var pub struct {
		codementor.Question
		TestCount   int `json:"test_count"`
		HiddenTests int `json:"hidden_tests"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for alice.do(t, "GET", "/api/questions/double", nil, &pub) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the new question did not appear")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !listed() {
		t.Error("the new question is not in the list (a stale cached list?)")
	}
	if len(pub.Tests) != 1 || pub.TestCount != 2 || pub.HiddenTests != 1 || pub.Checker.Kind != codementor.CheckerWhitespace || pub.TimeLimitMS != codementor.DefaultTimeLimitMS {
		t.Errorf("public question: %+v", pub)
	}
	sub := alice.submit(t, "double", "python", "print(2*int(input()))")
	final := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	if v := final[len(final)-1].Verdict; v != codementor.VerdictAccepted {
		t.Errorf("verdict on the new question: %s", v)
	}
}

func TestRestartKeepsSubmissions(t *testing.T) {
	waitsMostly(t)
	dir := t.TempDir()
	in := start(t, dir)
	user := testUser("restart")
	alice := login(t, in.Base, user, false)
	sub := alice.submit(t, "a-plus-b", "python", aPlusB)
	states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	final := states[len(states)-1]
	// An open stream must not hold up the shutdown.
	open := alice.stream(t, "/api/events", "")
	in.Stop()
	for range open.events {
	}

	in = start(t, dir)
	alice = login(t, in.Base, user, false) // the dev secret survives too, but a new token is fine
	var got codementor.Submission
	if code := alice.do(t, "GET", "/api/submissions/"+sub.ID, nil, &got); code != 200 || got.Version != final.Version || got.Verdict != codementor.VerdictAccepted {
		t.Fatalf("after restart: %d %+v", code, got)
	}
	var list []codementor.Submission
	if alice.do(t, "GET", "/api/submissions", nil, &list); len(list) != 1 || list[0].ID != sub.ID {
		t.Errorf("list after restart: %+v", list)
	}
	var qs []map[string]any
	if alice.do(t, "GET", "/api/questions", nil, &qs); len(qs) < 8 {
		t.Errorf("%d questions after restart", len(qs))
	}
	// The restarted pipeline still judges.
	sub2 := alice.submit(t, "a-plus-b", "python", aPlusBWrong)
	states = alice.stream(t, "/api/submissions/"+sub2.ID+"/events", "").untilFinal(t, sub2.ID, finalWithin)
	if v := states[len(states)-1].Verdict; v != codementor.VerdictWrongAnswer {
		t.Errorf("verdict after restart: %s", v)
	}
}

// TestRefusesToRunCodeWithoutSandbox starts the service where the sandbox
// cannot work (its directory is out of the sandbox user's reach): /readyz
// says why, no language is offered, and a submission is refused rather than
// run unsandboxed.
func TestRefusesToRunCodeWithoutSandbox(t *testing.T) {
	if os.Getenv("CODEMENTOR_TEST_BROKERS") != "" {
		t.Skip("a shared cluster's runtimes table lists other judges' languages")
	}
	cfg := devConfig(t, t.TempDir())
	cfg.SandboxDir = filepath.Join(t.TempDir(), "box") // t.TempDir is private to root
	var reason string
	in := devtest.Launch(t, cfg, func(status int, body []byte) bool {
		var e apiError
		// Ready but for the sandbox: the views run, only the judge is missing.
		if status == 503 && json.Unmarshal(body, &e) == nil && strings.Contains(e.Error.Message, "cannot run code") && !strings.Contains(e.Error.Message, "view") {
			reason = e.Error.Message
			return true
		}
		return false
	})
	if !strings.Contains(reason, "searchable") {
		t.Errorf("the reason does not say what to fix: %s", reason)
	}
	alice := login(t, in.Base, "alice", false)
	var langs []map[string]any
	if alice.do(t, "GET", "/api/languages", nil, &langs); len(langs) != 0 {
		t.Errorf("languages offered without a sandbox: %v", langs)
	}
	var e apiError
	code := alice.do(t, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": aPlusB}, &e)
	if code != 422 || e.Error.Code != "unsupported_language" {
		t.Errorf("submission without a sandbox: %d %+v", code, e)
	}
}
