package web

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/judge0"
)

// j0 sends a request of the Judge0 API with token in X-Auth-Token, as
// Judge0's clients do.
func (h *harness) j0(tb testing.TB, method, path, token string, body any) response {
	tb.Helper()
	req := h.request(tb, method, path, "", body)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	return h.do(tb, req)
}

// object decodes a JSON object answer.
func (r response) object(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.decode(tb, &m)
	return m
}

// j0Submit queues a Judge0 submission of alice's and returns its token and
// run ID.
func (h *harness) j0Submit(tb testing.TB, token string, body any) (string, string) {
	tb.Helper()
	r := h.j0(tb, "POST", "/judge0/submissions", token, body)
	if r.status != http.StatusCreated {
		tb.Fatalf("POST /judge0/submissions: %d %s", r.status, r.body)
	}
	tok, _ := r.object(tb)["token"].(string)
	id, ok := judge0.ParseToken(tok)
	if !ok {
		tb.Fatalf("token %q", tok)
	}
	return tok, id
}

// finish puts the final state of run id: one case with result tr.
func (h *harness) finish(tb testing.TB, id string, tr codementor.TestResult) *codementor.Submission {
	tb.Helper()
	sub, err := h.p.Submissions.Get(id)
	if err != nil {
		tb.Fatal(err)
	}
	sub.Status, sub.Verdict, sub.Tests, sub.TestCount = codementor.StatusDone, tr.Verdict, []codementor.TestResult{tr}, 1
	sub.Version++
	sub.UpdatedAt = sub.CreatedAt.Add(1500 * time.Millisecond)
	h.p.Submissions.Put(sub)
	return sub
}

func TestJudge0Info(t *testing.T) {
	h := newHarness(t, Config{MaxRunsInFlight: 7})
	for _, tt := range []struct{ path, want string }{
		{"/judge0/languages", `[{"id":60,"name":"Go (go1.26.8)"},{"id":71,"name":"Python (3.12.1)"}]`},
		{"/judge0/languages/all", `[{"id":60,"name":"Go (go1.26.8)","is_archived":false},{"id":71,"name":"Python (3.12.1)","is_archived":false}]`},
		{"/judge0/languages/71", `{"id":71,"name":"Python (3.12.1)","is_archived":false,"source_file":"main.py","compile_cmd":null,"run_cmd":"python3 main.py"}`},
		{"/judge0/languages/60", `{"id":60,"name":"Go (go1.26.8)","is_archived":false,"source_file":"main.go","compile_cmd":"go build %s -o main main.go","run_cmd":"./main"}`},
		{"/judge0/workers", `[{"queue":"1.13.1","size":0,"available":1,"idle":1,"working":0,"paused":0,"failed":0}]`},
		{"/judge0/about", `{"version":"1.13.1","homepage":"https://github.com/codementor/codementor#judge0-compatible-api","source_code":"https://github.com/codementor/codementor","maintainer":"CodeMentor"}`},
	} {
		r := h.j0(t, "GET", tt.path, h.alice, nil)
		if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != tt.want {
			t.Errorf("GET %s: %d %s\nwant %s", tt.path, r.status, r.body, tt.want)
		}
	}
	var statuses []judge0.Status
	h.j0(t, "GET", "/judge0/statuses", h.alice, nil).decode(t, &statuses)
	if !reflect.DeepEqual(statuses, judge0.Statuses) {
		t.Errorf("statuses %+v", statuses)
	}
	cfg := h.j0(t, "GET", "/judge0/config_info", h.alice, nil).object(t)
	for k, want := range map[string]any{"max_queue_size": 7.0, "max_submission_batch_size": 20.0, "enable_network": false,
		"allow_enable_network": false, "cpu_time_limit": 5.0, "callbacks_max_tries": 3.0, "enable_wait_result": true} {
		if cfg[k] != want {
			t.Errorf("config_info %s = %v, want %v", k, cfg[k], want)
		}
	}
	for _, path := range []string{"/judge0/languages/50", "/judge0/languages/999", "/judge0/languages/x"} {
		if r := h.j0(t, "GET", path, h.alice, nil); r.status != http.StatusNotFound || string(r.body) != `{"status":404,"error":"Not Found"}`+"\n" {
			t.Errorf("GET %s: %d %s, want Rails' 404", path, r.status, r.body)
		}
	}
}

// TestJudge0Auth: X-Auth-Token or Authorization: Bearer, never the session
// cookie; a refusal is Judge0's empty 401.
func TestJudge0Auth(t *testing.T) {
	h := newHarness(t, Config{})
	if r := h.j0(t, "GET", "/judge0/about", h.alice, nil); r.status != http.StatusOK {
		t.Errorf("X-Auth-Token: %d", r.status)
	}
	if r := h.send(t, "GET", "/judge0/about", h.alice, nil); r.status != http.StatusOK {
		t.Errorf("Authorization: Bearer: %d", r.status)
	}
	for name, req := range map[string]*http.Request{
		"none":    h.request(t, "GET", "/judge0/about", "", nil),
		"invalid": h.request(t, "GET", "/judge0/languages", h.alice+"x", nil),
		"cookie": func() *http.Request {
			req := h.request(t, "GET", "/judge0/statuses", "", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: h.alice})
			return req
		}(),
	} {
		if r := h.do(t, req); r.status != http.StatusUnauthorized || len(r.body) != 0 {
			t.Errorf("%s: %d %q, want 401 without a body", name, r.status, r.body)
		}
	}
}

// TestJudge0CORS: any origin may call the API, without credentials;
// /api stays closed to other sites.
func TestJudge0CORS(t *testing.T) {
	h := newHarness(t, Config{})
	pre, err := http.NewRequest("OPTIONS", h.srv.URL+"/judge0/submissions", nil)
	if err != nil {
		t.Fatal(err)
	}
	pre.Header.Set("Origin", "https://ide.example.com")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "x-auth-token, content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "X-Auth-Token") ||
		resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	req := h.request(t, "GET", "/judge0/about", "", nil)
	req.Header.Set("X-Auth-Token", h.alice)
	req.Header.Set("Origin", "https://ide.example.com")
	if r := h.do(t, req); r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET from another origin: %d %v", r.status, r.header)
	}
	req = h.request(t, "GET", "/api/session", h.alice, nil)
	req.Header.Set("Origin", "https://ide.example.com")
	if r := h.do(t, req); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("/api allows another origin: %v", r.header)
	}
}

// TestJudge0Errors: Judge0's bodies for what no route serves and for what
// is off, never /api's.
func TestJudge0Errors(t *testing.T) {
	h := newHarness(t, Config{})
	// Outside the document: sent without its checks.
	for _, tt := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/judge0/nothing", 404, `{"status":404,"error":"Not Found"}`},
		{"PUT", "/judge0/submissions", 404, `{"status":404,"error":"Not Found"}`}, // as Rails answers a verb it does not route
	} {
		req, _ := http.NewRequest(tt.method, h.srv.URL+tt.path, nil)
		req.Header.Set("X-Auth-Token", h.alice)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || strings.TrimSpace(string(body)) != tt.body {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, resp.StatusCode, body)
		}
	}
	if r := h.j0(t, "DELETE", "/judge0/submissions/"+judge0.Token(sid("x")), h.alice, nil); r.status != 400 || strings.TrimSpace(string(r.body)) != `{"error":"delete not allowed"}` {
		t.Errorf("DELETE: %d %s", r.status, r.body)
	}
	if r := h.j0(t, "GET", "/judge0/submissions/"+judge0.Token(sid("x"))+"?fields=stdout,foo,bar", h.alice, nil); r.status != 400 ||
		strings.TrimSpace(string(r.body)) != `{"error":"invalid fields: [foo, bar]"}` {
		t.Errorf("invalid fields: %d %s", r.status, r.body)
	}
	h.p.SubmissionEmitter.Fail(fmt.Errorf("the brokers are away"))
	if r := h.j0(t, "POST", "/judge0/submissions", h.alice, map[string]any{"source_code": "print(1)", "language_id": 71}); r.status != 503 || r.object(t)["error"] == nil {
		t.Errorf("emitter down: %d %s", r.status, r.body)
	}
}

// TestJudge0Create: a submission becomes a run of one case with Judge0's
// defaults; a refusal is Judge0's 422.
func TestJudge0Create(t *testing.T) {
	eachView(t, Config{}, func(t *testing.T, h *harness) {
		_, id := h.j0Submit(t, h.alice, map[string]any{"source_code": "print(input())", "language_id": 71, "stdin": "x",
			"expected_output": "x", "cpu_time_limit": "1.5", "memory_limit": 65536, "command_line_arguments": "-v 'a b'", "unknown": 1})
		reqs := h.p.SubmissionEmitter.Requests()
		r := reqs[len(reqs)-1]
		want := "x"
		wantRun := &codementor.Run{From: codementor.RunFromJudge0, Cases: []codementor.RunCase{{Input: "x", Expected: &want}},
			TimeLimitMS: 1500, ExtraTimeMS: 1000, WallLimitMS: 10000, MemoryLimitKB: 65536, StackLimitKB: 64000, MaxProcesses: 60,
			MaxFileSizeKB: 1024, Repeat: 1, Args: []string{"-v", "a b"}}
		if r.ID != id || r.User != "alice" || r.Kind != codementor.KindRun || r.Language != "python" || r.QuestionID != "" || !reflect.DeepEqual(r.Run, wantRun) {
			t.Errorf("emitted %+v run %+v", r, r.Run)
		}
		// Without base64_encoded=true, text is taken as it is.
		b64 := base64.StdEncoding.EncodeToString
		h.j0Submit(t, h.alice, map[string]any{"source_code": b64([]byte("print(2)")), "language_id": "71"})
		if got := h.p.SubmissionEmitter.Requests(); got[len(got)-1].Code != "cHJpbnQoMik=" {
			t.Errorf("plain code read as %q", got[len(got)-1].Code)
		}
		// With it, the texts come encoded.
		r2 := h.j0(t, "POST", "/judge0/submissions?base64_encoded=true", h.alice, map[string]any{"source_code": b64([]byte("print(2)")), "language_id": 71, "stdin": b64([]byte("é\n"))})
		if r2.status != 201 {
			t.Fatalf("base64: %d %s", r2.status, r2.body)
		}
		if got := h.p.SubmissionEmitter.Requests(); got[len(got)-1].Code != "print(2)" || got[len(got)-1].Run.Cases[0].Input != "é\n" {
			t.Errorf("base64 request read as %+v", got[len(got)-1])
		}
	})
	h := newHarness(t, Config{})
	for _, tt := range []struct {
		name string
		body any
		want string
	}{
		{"nothing", map[string]any{}, `{"language_id":["can't be blank","language with id  doesn't exist"],"source_code":["can't be blank"]}`},
		{"language no judge runs", map[string]any{"source_code": "x", "language_id": 50}, `{"language_id":["language with id 50 doesn't exist"]}`},
		{"network", map[string]any{"source_code": "x", "language_id": 71, "enable_network": true}, `{"enable_network":["enabling network is not allowed"]}`},
		{"limits", map[string]any{"source_code": "x", "language_id": 71, "cpu_time_limit": 100, "wall_time_limit": 0}, `{"cpu_time_limit":["must be less than or equal to 15.0"],"wall_time_limit":["must be greater than or equal to 1.0"]}`},
		{"callback to an internal address", map[string]any{"source_code": "x", "language_id": 71, "callback_url": "http://127.0.0.1:8080/hook"}, ""},
	} {
		r := h.j0(t, "POST", "/judge0/submissions", h.alice, tt.body)
		if r.status != http.StatusUnprocessableEntity || (tt.want != "" && strings.TrimSpace(string(r.body)) != tt.want) {
			t.Errorf("%s: %d %s, want 422 %s", tt.name, r.status, r.body, tt.want)
		}
		if tt.want == "" {
			if msgs, _ := r.object(t)["callback_url"].([]any); len(msgs) != 1 {
				t.Errorf("%s: %s, want the callback_url's message", tt.name, r.body)
			}
		}
	}
	for _, body := range []string{`[1]`, `{"source_code":`} {
		r := h.j0(t, "POST", "/judge0/submissions", h.alice, body)
		if m := r.object(t); r.status != http.StatusBadRequest || m["error"] == nil {
			t.Errorf("body %s: %d %s, want 400", body, r.status, r.body)
		}
	}
	// An empty body is an empty submission, as Rails takes it.
	if r := h.j0(t, "POST", "/judge0/submissions", h.alice, ""); r.status != http.StatusUnprocessableEntity {
		t.Errorf("empty body: %d %s", r.status, r.body)
	}
}

// TestJudge0Wait: wait=true answers with the final run, the fields asked
// for; output that is not UTF-8 needs base64_encoded=true.
func TestJudge0Wait(t *testing.T) {
	h := newHarness(t, Config{})
	results := []codementor.TestResult{
		{Verdict: codementor.VerdictAccepted, Output: "hi\n", TimeMS: 2, WallMS: 10, MemoryKB: 3000},
		{Verdict: codementor.VerdictAccepted, Output: "\ufffd\n", OutputBase64: "/wo=", TimeMS: 2},
	}
	for i, tr := range results {
		go func() {
			// The run the request queues: the newest request emitted.
			for {
				reqs := h.p.SubmissionEmitter.Requests()
				if len(reqs) > i {
					h.finish(t, reqs[i].ID, tr)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		r := h.j0(t, "POST", "/judge0/submissions?wait=true&fields=stdout,status_id,time,token", h.alice, map[string]any{"source_code": "print('hi')", "language_id": 71})
		m := r.object(t)
		switch i {
		case 0:
			if r.status != 201 || m["stdout"] != "hi\n" || m["status_id"] != 3.0 || m["time"] != "0.002" || len(m) != 4 {
				t.Errorf("wait: %d %s", r.status, r.body)
			}
		case 1:
			if r.status != 201 || m["token"] == nil || m["error"] != judge0.ErrNotUTF8.Error() || len(m) != 2 {
				t.Errorf("wait, binary output: %d %s", r.status, r.body)
			}
			tok := m["token"].(string)
			if g := h.j0(t, "GET", "/judge0/submissions/"+tok, h.alice, nil); g.status != 400 || g.object(t)["error"] != judge0.ErrNotUTF8.Error() {
				t.Errorf("GET binary output: %d %s", g.status, g.body)
			}
			if g := h.j0(t, "GET", "/judge0/submissions/"+tok+"?base64_encoded=true", h.alice, nil); g.status != 200 || g.object(t)["stdout"] != "/wo=\n" {
				t.Errorf("GET binary output, base64: %d %s", g.status, g.body)
			}
			if g := h.j0(t, "GET", "/judge0/submissions/batch?tokens="+tok, h.alice, nil); g.status != 400 || g.object(t)["error"] != judge0.ErrManyNotUTF8.Error() {
				t.Errorf("GET batch with binary output: %d %s", g.status, g.body)
			}
		}
	}
}

// TestJudge0Get: the owner's Judge0 runs only; default and chosen fields.
func TestJudge0Get(t *testing.T) {
	eachView(t, Config{}, func(t *testing.T, h *harness) {
		tok, id := h.j0Submit(t, h.alice, map[string]any{"source_code": "print(3)", "language_id": 71, "stdin": "1 2\n"})
		r := h.j0(t, "GET", "/judge0/submissions/"+tok, h.alice, nil)
		want := fmt.Sprintf(`{"stdout":null,"time":null,"memory":null,"stderr":null,"token":%q,"compile_output":null,"message":null,"status":{"id":1,"description":"In Queue"}}`, tok)
		if r.status != 200 || strings.TrimSpace(string(r.body)) != want {
			t.Errorf("queued: %d %s\nwant %s", r.status, r.body, want)
		}
		if h.p.SubmissionEmitter.Submissions == nil {
			return // the view never has it: nothing more to read
		}
		h.finish(t, id, codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGSEGV", TimeMS: 5, WallMS: 7, MemoryKB: 2048})
		m := h.j0(t, "GET", "/judge0/submissions/"+strings.ToUpper(tok)+"?fields=*", h.alice, nil).object(t)
		if len(m) != len(judge0.Fields) || m["status_id"] != 7.0 || m["exit_signal"] != 11.0 || m["message"] != "Caught fatal signal 11" ||
			m["stdin"] != "1 2\n" || m["language"].(map[string]any)["name"] != "Python (3.12.1)" || m["finished_at"] == nil {
			t.Errorf("fields=*: %v", m)
		}
		for _, other := range []string{h.bob} {
			if r := h.j0(t, "GET", "/judge0/submissions/"+tok, other, nil); r.status != 404 || strings.TrimSpace(string(r.body)) != `{"status":404,"error":"Not Found"}` {
				t.Errorf("another user's: %d %s", r.status, r.body)
			}
		}
		if r := h.j0(t, "GET", "/judge0/submissions/"+tok, h.admin, nil); r.status != 200 {
			t.Errorf("an admin: %d %s", r.status, r.body)
		}
		// A run of the page and a submission are not Judge0's.
		var run, sub codementor.Submission
		h.send(t, "POST", "/api/runs", h.alice, runBody("a-plus-b", "python", "print(3)")).decode(t, &run)
		h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)")).decode(t, &sub)
		for _, other := range []string{judge0.Token(run.ID), judge0.Token(sub.ID), "d85cd024-1548-4165-96c7-7bc88673f194", "nope"} {
			if r := h.j0(t, "GET", "/judge0/submissions/"+other, h.alice, nil); r.status != 404 {
				t.Errorf("GET %s: %d %s, want 404", other, r.status, r.body)
			}
		}
	})
}

func TestJudge0Batch(t *testing.T) {
	h := newHarness(t, Config{})
	good := map[string]any{"source_code": "print(1)", "language_id": 71}
	r := h.j0(t, "POST", "/judge0/submissions/batch", h.alice, map[string]any{"submissions": []any{
		good, map[string]any{"source_code": "x", "language_id": 123456789}, map[string]any{"source_code": "", "language_id": 71}, good}})
	var created []map[string]any
	r.decode(t, &created)
	if r.status != 201 || len(created) != 4 || created[0]["token"] == nil || created[3]["token"] == nil ||
		!reflect.DeepEqual(created[1], map[string]any{"language_id": []any{"language with id 123456789 doesn't exist"}}) ||
		!reflect.DeepEqual(created[2], map[string]any{"source_code": []any{"can't be blank"}}) {
		t.Fatalf("batch: %d %s", r.status, r.body)
	}
	if r := h.j0(t, "POST", "/judge0/submissions/batch", h.alice, map[string]any{"submissions": []any{map[string]any{}}}); r.status != 422 {
		t.Errorf("a batch of invalid submissions: %d %s", r.status, r.body)
	}
	many := make([]any, judge0.MaxBatchSize+1)
	for i := range many {
		many[i] = good
	}
	for _, tt := range []struct {
		body any
		want string
	}{
		{map[string]any{"submissions": many}, `{"error":"number of submissions in a batch should be less than or equal to 20"}`},
		{map[string]any{"submissions": []any{}}, `{"error":"there should be at least one submission in a batch"}`},
		{map[string]any{}, `{"error":"there should be at least one submission in a batch"}`},
	} {
		if r := h.j0(t, "POST", "/judge0/submissions/batch", h.alice, tt.body); r.status != 400 || strings.TrimSpace(string(r.body)) != tt.want {
			t.Errorf("batch: %d %s, want 400 %s", r.status, r.body, tt.want)
		}
	}

	// Read back in order: null for a token the caller does not have.
	bobs, _ := h.j0Submit(t, h.bob, good)
	tokens := []string{created[3]["token"].(string), bobs, created[0]["token"].(string), "nope"}
	var got struct{ Submissions []map[string]any }
	r = h.j0(t, "GET", "/judge0/submissions/batch?fields=token,status_id&tokens="+strings.Join(tokens, ","), h.alice, nil)
	r.decode(t, &got)
	if r.status != 200 || len(got.Submissions) != 4 || got.Submissions[0]["token"] != tokens[0] || got.Submissions[1] != nil ||
		got.Submissions[2]["token"] != tokens[2] || got.Submissions[3] != nil || got.Submissions[0]["status_id"] != 1.0 {
		t.Errorf("GET batch: %d %s", r.status, r.body)
	}
	for _, q := range []string{"", "tokens=", "tokens=" + strings.Repeat("a,", 21)} {
		if r := h.j0(t, "GET", "/judge0/submissions/batch?"+q, h.alice, nil); r.status != 400 {
			t.Errorf("GET batch ?%s: %d %s", q, r.status, r.body)
		}
	}
}

// TestJudge0BatchLimit: a batch refused for the runs-in-flight limit is
// 429, so that a client retries; one partly queued says which were not.
func TestJudge0BatchLimit(t *testing.T) {
	h := newHarness(t, Config{MaxRunsInFlight: 2})
	good := map[string]any{"source_code": "print(1)", "language_id": 71}
	r := h.j0(t, "POST", "/judge0/submissions/batch", h.alice, map[string]any{"submissions": []any{good, good, good}})
	var created []map[string]any
	r.decode(t, &created)
	if r.status != 201 || len(created) != 3 || created[1]["token"] == nil || created[2]["error"] == nil {
		t.Errorf("a batch over the limit: %d %s", r.status, r.body)
	}
	r = h.j0(t, "POST", "/judge0/submissions/batch", h.alice, map[string]any{"submissions": []any{good}})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.object(t)["error"] == nil {
		t.Errorf("a batch refused whole: %d %v %s", r.status, r.header, r.body)
	}
	r = h.j0(t, "POST", "/judge0/submissions", h.alice, good)
	if r.status != http.StatusTooManyRequests || r.object(t)["error"] == nil {
		t.Errorf("one submission over the limit: %d %s", r.status, r.body)
	}
}

func TestJudge0List(t *testing.T) {
	h := newHarness(t, Config{})
	var tokens []string
	for i := range 5 {
		tok, _ := h.j0Submit(t, h.alice, map[string]any{"source_code": fmt.Sprintf("print(%d)", i), "language_id": 71})
		tokens = append(tokens, tok)
		time.Sleep(2 * time.Millisecond) // distinct creation times: newest first
	}
	h.j0Submit(t, h.bob, map[string]any{"source_code": "print(1)", "language_id": 71})
	h.send(t, "POST", "/api/runs", h.alice, runBody("a-plus-b", "python", "print(3)"))

	type page struct {
		Submissions []map[string]any
		Meta        map[string]any
	}
	var p page
	h.j0(t, "GET", "/judge0/submissions?per_page=2&page=2&fields=token", h.alice, nil).decode(t, &p)
	if len(p.Submissions) != 2 || p.Submissions[0]["token"] != tokens[2] || p.Submissions[1]["token"] != tokens[1] ||
		!reflect.DeepEqual(p.Meta, map[string]any{"current_page": 2.0, "next_page": 3.0, "prev_page": 1.0, "total_pages": 3.0, "total_count": 5.0}) {
		t.Errorf("page 2 of 2: %+v", p)
	}
	p = page{}
	h.j0(t, "GET", "/judge0/submissions", h.alice, nil).decode(t, &p)
	if len(p.Submissions) != 5 || p.Meta["next_page"] != nil || p.Meta["prev_page"] != nil || p.Meta["total_pages"] != 1.0 {
		t.Errorf("first page: %+v", p)
	}
	p = page{}
	h.j0(t, "GET", "/judge0/submissions?page=9", h.bob, nil).decode(t, &p)
	if len(p.Submissions) != 0 || p.Meta["total_count"] != 1.0 || p.Meta["prev_page"] != 8.0 {
		t.Errorf("past the end: %+v", p)
	}
	for q, want := range map[string]string{"page=0": "invalid page: 0", "page=-4": "invalid page: -4", "per_page=-2": "invalid per_page: -2"} {
		r := h.j0(t, "GET", "/judge0/submissions?"+q, h.alice, nil)
		if r.status != 400 || r.object(t)["error"] != want {
			t.Errorf("?%s: %d %s", q, r.status, r.body)
		}
	}
}
