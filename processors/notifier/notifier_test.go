package notifier

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/callback"
	"github.com/codementor/codementor/queue"
)

// Handle renders the run and PUTs it to its URL, tries a failing receiver
// again, and drops a callback that failed for good (Done: never again).
func TestHandleSendsWithRetries(t *testing.T) {
	got := make(chan []byte, 10)
	fail := 1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/down" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		if fail > 0 {
			fail--
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got <- b
	}))
	defer srv.Close()
	guard, err := callback.NewGuard([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	render := func(s *codementor.Submission) ([]byte, error) {
		return json.Marshal(map[string]any{"token": s.ID, "verdict": s.Verdict})
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := NewWorker(Config{Slots: 1, Sender: callback.SenderConfig{Timeout: time.Second, Attempts: 2, Backoff: time.Millisecond}}, guard, render, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	job := func(url string) queue.Job {
		v, _ := json.Marshal(&codementor.Callback{URL: url, Submission: &codementor.Submission{ID: "r1", Verdict: codementor.VerdictAccepted}})
		return queue.Job{Key: "r1", Value: v, Delivery: 1}
	}
	if out := w.Handle(context.Background(), job(srv.URL+"/hook")); out != queue.Done {
		t.Fatalf("outcome %v, want Done", out)
	}
	select {
	case b := <-got:
		if string(b) != `{"token":"r1","verdict":"accepted"}` {
			t.Errorf("callback body %s", b)
		}
	default:
		t.Fatal("the receiver got nothing after one failure and a retry")
	}
	if out := w.Handle(context.Background(), job(srv.URL+"/down")); out != queue.Done {
		t.Fatalf("a receiver down for good: outcome %v, want Done (dropped)", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if out := w.Handle(ctx, job(srv.URL+"/down")); out != queue.Retry {
		t.Fatalf("cut short by a shutdown: outcome %v, want Retry", out)
	}
}
