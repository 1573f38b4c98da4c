package systemtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/devtest"
)

// TestJudge0Callback: a run's callback_url gets the final run as Judge0
// sends it (a PUT of the submission's JSON), through the run-callbacks
// queue and the notifier, tried again when the receiver fails at first;
// an operator's allow-list lets it reach a receiver on loopback, which is
// refused otherwise (TestJudge0Raw).
func TestJudge0Callback(t *testing.T) {
	waitsMostly(t)
	got := make(chan map[string]any, 4)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // the first attempt fails
			return
		}
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if r.Method != http.MethodPut || json.Unmarshal(b, &body) != nil {
			t.Errorf("callback: %s %s", r.Method, b)
		}
		got <- body
	}))
	defer srv.Close()
	cfg := devConfig(t, t.TempDir())
	cfg.CallbackAllow = "127.0.0.1"
	in := devtest.Launch(t, cfg, devtest.Ready)
	alice := login(t, in.Base, testUser("alice"), false)
	var created struct {
		Token string `json:"token"`
	}
	if status := alice.j0(t, "POST", "/judge0/submissions?base64_encoded=false", map[string]any{
		"source_code": "print('hello, ' + input())", "language_id": 71, "stdin": "cb", "expected_output": "hello, cb",
		"callback_url": srv.URL + "/hook"}, &created); status != http.StatusCreated || created.Token == "" {
		t.Fatalf("create: %d %+v", status, created)
	}
	select {
	case body := <-got:
		status, _ := body["status"].(map[string]any)
		if body["token"] != created.Token || status["id"] != float64(3) {
			t.Errorf("callback body %v, want token %s and status 3", body, created.Token)
		}
	case <-time.After(finalWithin):
		t.Fatalf("no callback within %s (%d attempts)", finalWithin, hits.Load())
	}
	if hits.Load() != 2 {
		t.Errorf("receiver hit %d times, want 2 (a failure, then the retry)", hits.Load())
	}
}
