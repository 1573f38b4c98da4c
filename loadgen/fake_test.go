package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// fakeService speaks the part of the API the generator uses, and judges by
// reading the code: "a + b" is accepted, anything else wrong_answer.
type fakeService struct {
	noDevLogin bool
	notReady   bool
	languages  []string
	questions  []string
	// reject answers the n-th submission (from 0) with this status, if not 0.
	reject func(n int) int
	// hang leaves the n-th submission unfinished.
	hang func(n int) bool
	// lie judges every submission accepted.
	lie bool

	mu      sync.Mutex
	n       int
	streams map[string][]chan []byte // user → open streams
	opened  int
}

func (f *fakeService) start(t *testing.T) string {
	t.Helper()
	f.streams = map[string][]chan []byte{}
	if f.languages == nil {
		f.languages = []string{"python", "c", "cpp", "java", "go", "javascript", "typescript", "rust", "kotlin", "csharp", "ruby", "php", "perl", "lua", "bash"}
	}
	if f.questions == nil {
		f.questions = []string{"a-plus-b", "two-sum"}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if f.notReady {
			writeJSON(w, 503, map[string]any{"error": map[string]string{"code": "not_ready", "message": "the judge cannot sandbox: no bubblewrap"}})
			return
		}
		writeJSON(w, 200, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("POST /api/dev/login", func(w http.ResponseWriter, r *http.Request) {
		if f.noDevLogin {
			writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "Not Found"}})
			return
		}
		var req struct{ User string }
		_ = json.NewDecoder(r.Body).Decode(&req)
		writeJSON(w, 200, map[string]string{"token": "tok-" + req.User})
	})
	mux.HandleFunc("GET /api/languages", func(w http.ResponseWriter, r *http.Request) {
		var out []map[string]string
		for _, l := range f.languages {
			out = append(out, map[string]string{"id": l, "name": l, "version": "1"})
		}
		writeJSON(w, 200, out)
	})
	mux.HandleFunc("GET /api/questions", func(w http.ResponseWriter, r *http.Request) {
		var out []map[string]string
		for _, q := range f.questions {
			out = append(out, map[string]string{"id": q})
		}
		writeJSON(w, 200, out)
	})
	mux.HandleFunc("GET /api/questions/{id}", func(w http.ResponseWriter, r *http.Request) {
		for _, q := range f.questions {
			if q == r.PathValue("id") {
				writeJSON(w, 200, map[string]string{"id": q})
				return
			}
		}
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "question not found"}})
	})
	mux.HandleFunc("GET /api/events", f.events)
	mux.HandleFunc("POST /api/submissions", f.submit)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for u, chs := range f.streams {
			for _, ch := range chs {
				close(ch)
			}
			delete(f.streams, u)
		}
	})
	return srv.URL
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func user(r *http.Request) string {
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer tok-")
}

func (f *fakeService) events(w http.ResponseWriter, r *http.Request) {
	ch := make(chan []byte, 1024)
	f.mu.Lock()
	u := user(r)
	f.streams[u] = append(f.streams[u], ch)
	f.opened++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for i, c := range f.streams[u] {
			if c == ch {
				f.streams[u] = append(f.streams[u][:i], f.streams[u][i+1:]...)
				break
			}
		}
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	fmt.Fprint(w, "retry: 2000\n\n")
	w.(http.Flusher).Flush()
	ping := time.NewTicker(20 * time.Millisecond)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			_, _ = w.Write(ev)
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-r.Context().Done():
			return
		}
		w.(http.Flusher).Flush()
	}
}

// publish sends a state of a submission to its user's streams.
func (f *fakeService) publish(u string, s *codementor.Submission) {
	data, _ := json.Marshal(s)
	ev := fmt.Appendf(nil, "id: %d\nevent: submission\ndata: %s\n\n", s.UpdatedAt.UnixMicro(), data)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.streams[u] {
		ch <- ev
	}
}

func (f *fakeService) submit(w http.ResponseWriter, r *http.Request) {
	var req struct{ QuestionID, Language, Code string }
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	n := f.n
	f.n++
	f.mu.Unlock()
	if f.reject != nil {
		if status := f.reject(n); status != 0 {
			writeJSON(w, status, map[string]any{"error": map[string]string{"code": "unavailable", "message": "the queue is unreachable"}})
			return
		}
	}
	u := user(r)
	s := &codementor.Submission{ID: fmt.Sprintf("fake%04d", n), User: u, QuestionID: req.QuestionID, Language: req.Language,
		Status: codementor.StatusQueued, Version: 1, UpdatedAt: time.Now()}
	// The first event beats the 202, as it may on the real service.
	f.publish(u, s)
	writeJSON(w, 202, s)
	if f.hang != nil && f.hang(n) {
		return
	}
	verdict := codementor.VerdictWrongAnswer
	if f.lie || strings.Contains(req.Code, "a + b") {
		verdict = codementor.VerdictAccepted
	}
	go func() {
		for _, st := range []codementor.Status{codementor.StatusRunning, codementor.StatusReviewing, codementor.StatusDone} {
			time.Sleep(5 * time.Millisecond)
			next := *s
			next.Status, next.Version, next.UpdatedAt = st, s.Version+1, time.Now()
			if st != codementor.StatusRunning {
				next.Verdict = verdict
			}
			s = &next
			f.publish(u, s)
		}
	}()
}

func TestRunAgainstAFakeService(t *testing.T) {
	f := &fakeService{}
	base := f.start(t)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"--url", base, "--rate", "50", "--duration", "1s", "--learners", "7", "--languages", "python,java",
		"--wrong-ratio", "0.4", "--json", filepath.Join(dir, "r.json"), "--svg", filepath.Join(dir, "r.svg")}
	if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	var rep Report
	data, err := os.ReadFile(filepath.Join(dir, "r.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	c := rep.Counts
	if !rep.OK || c.Planned != 50 || c.Accepted != 50 || c.Finished != 50 || c.WrongResults != 0 || c.Unfinished != 0 || c.UnmatchedSubmissions != 0 {
		t.Errorf("report: ok %v %q, counts %+v", rep.OK, rep.Reason, c)
	}
	if rep.Verdicts["accepted"] != 30 || rep.Verdicts["wrong_answer"] != 20 {
		t.Errorf("verdicts %v, want 30 accepted and 20 wrong_answer", rep.Verdicts)
	}
	if f.opened != 7 {
		t.Errorf("%d streams opened, want one per learner", f.opened)
	}
	for _, s := range rep.Submissions {
		if s.FirstEventMS == nil || s.VerdictMS == nil || s.FinalMS == nil || *s.FirstEventMS > *s.VerdictMS || *s.VerdictMS > *s.FinalMS {
			t.Errorf("submission %d: first %v verdict %v final %v", s.Index, s.FirstEventMS, s.VerdictMS, s.FinalMS)
		}
	}
	if l := rep.Latency.Final; l.Count != 50 || l.P50MS < 15 {
		t.Errorf("submit → final %+v: the fake takes 15 ms", l)
	}
	if _, err := os.Stat(filepath.Join(dir, "r.svg")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(stdout.String(), "result    OK") || !strings.Contains(stderr.String(), "learners signed in") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}

func TestRunCountsFailures(t *testing.T) {
	f := &fakeService{
		reject: func(n int) int {
			if n == 2 || n == 5 {
				return 503
			}
			return 0
		},
		hang: func(n int) bool { return n == 9 },
	}
	base := f.start(t)
	var stdout, stderr bytes.Buffer
	args := []string{"--url", base, "--rate", "20", "--duration", "1s", "--learners", "3", "--timeout", "300ms"}
	code := Main(t.Context(), args, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	last := lastLine(stderr.String())
	if !strings.Contains(last, "FAIL: 2 of 20 submissions rejected by the API (status 503 ×2)") || !strings.Contains(last, "1 of 20 submitted not final 300ms after the last was sent") {
		t.Errorf("reason: %q", last)
	}

	// A service that judges everything accepted: the wrong programs are
	// wrong results.
	f = &fakeService{lie: true}
	base = f.start(t)
	stdout.Reset()
	stderr.Reset()
	code = Main(t.Context(), []string{"--url", base, "--rate", "10", "--duration", "1s", "--learners", "2", "--wrong-ratio", "0.5"}, &stdout, &stderr)
	if last := lastLine(stderr.String()); code != 1 || !strings.Contains(last, "5 wrong results (python a-plus-b: expected wrong_answer, got accepted ×5)") {
		t.Errorf("exit %d, reason %q", code, last)
	}
}

func TestRunInterrupted(t *testing.T) {
	f := &fakeService{}
	base := f.start(t)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Main(ctx, []string{"--url", base, "--rate", "10", "--duration", "30s", "--learners", "2"}, &stdout, &stderr)
	if code != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("exit %d after %v, want 1 at once", code, time.Since(start))
	}
	if last := lastLine(stderr.String()); !strings.Contains(last, "FAIL: interrupted after") || !strings.Contains(last, "of 300 submissions") {
		t.Errorf("reason %q", last)
	}
	if !strings.Contains(stdout.String(), "planned              300") {
		t.Errorf("the table of an interrupted run:\n%s", stdout.String())
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestClearStartErrors(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeService
		args []string
		want []string
	}{
		{"dev sign-in off", &fakeService{noDevLogin: true}, nil, []string{"dev sign-in is off", "--dev-auth"}},
		{"not ready", &fakeService{notReady: true}, nil, []string{"not ready", "no bubblewrap"}},
		{"language not offered", &fakeService{languages: []string{"python", "c"}}, []string{"--languages", "python,java"},
			[]string{`does not offer "java"`, "it offers: python, c"}},
		{"question missing", &fakeService{questions: []string{"two-sum", "fizzbuzz"}}, nil,
			[]string{`no question "a-plus-b"`, "it has: two-sum, fizzbuzz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.f.start(t)
			var stdout, stderr bytes.Buffer
			code := Main(t.Context(), append([]string{"--url", base, "--rate", "1", "--duration", "1s", "--learners", "1"}, tt.args...), &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
			if strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
				t.Errorf("more than one line: %q", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}
