package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/processors/judge"
	"github.com/codementor/codementor/sandbox"
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
	// noMetrics: GET /metrics has no codementor_queue_depth{group="judge"}
	// (pending, the submissions not final yet, otherwise).
	noMetrics bool
	pending   atomic.Int64

	// The contest part (see fakeContests): contests, the questions admins
	// wrote, the standings and the leaderboard streams.
	fakeContests

	mu      sync.Mutex
	n       int
	streams map[string][]chan []byte // user → open streams
	opened  int
}

func (f *fakeService) start(t *testing.T) string {
	t.Helper()
	f.streams = map[string][]chan []byte{}
	f.initContests()
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
		var req struct {
			User  string
			Admin bool
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.cmu.Lock()
		f.admins[req.User] = req.Admin && !f.noAdmin
		f.cmu.Unlock()
		writeJSON(w, 200, map[string]string{"token": "tok-" + req.User})
	})
	mux.HandleFunc("GET /api/session", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"user": user(r), "admin": f.isAdmin(r)})
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
		if q := f.question(r.PathValue("id")); q != nil {
			writeJSON(w, 200, publicQuestion(q))
			return
		}
		for _, q := range f.questions {
			if q == r.PathValue("id") {
				writeJSON(w, 200, map[string]string{"id": q})
				return
			}
		}
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "question not found"}})
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "# TYPE codementor_queue_depth gauge")
		fmt.Fprintln(w, `codementor_queue_depth{group="reviewer"} 7`)
		if !f.noMetrics {
			fmt.Fprintf(w, "codementor_queue_depth{group=\"judge\"} %d\n", f.pending.Load())
		}
	})
	mux.HandleFunc("GET /api/events", f.events)
	mux.HandleFunc("POST /api/submissions", f.submit)
	mux.HandleFunc("GET /api/submissions/{id}", f.getSubmission)
	f.contestRoutes(mux)
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
	t.Cleanup(f.closeBoards)
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
	var req struct {
		QuestionID string `json:"question_id"`
		Language   string `json:"language"`
		Code       string `json:"code"`
		ContestID  string `json:"contest_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	u := user(r)
	now := time.Now()
	if req.ContestID != "" {
		if status, code, msg := f.refuse(req.ContestID, req.QuestionID, u, now); status != 0 {
			writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
			return
		}
	}
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
	s := &codementor.Submission{ID: fmt.Sprintf("fake%04d", n), User: u, QuestionID: req.QuestionID, Language: req.Language,
		Code: req.Code, ContestID: req.ContestID, Status: codementor.StatusQueued, Version: 1, CreatedAt: now, UpdatedAt: now}
	f.store(s)
	// The first event beats the 202, as it may on the real service.
	f.publish(u, s)
	writeJSON(w, 202, s)
	f.pending.Add(1)
	if f.hang != nil && f.hang(n) {
		return
	}
	verdict, score := codementor.VerdictWrongAnswer, 0
	if f.lie || strings.Contains(req.Code, "a + b") {
		verdict, score = codementor.VerdictAccepted, codementor.DefaultQuestionPoints
	}
	if fin, ok := modelJudge(f.question(req.QuestionID), req.Code); ok && !f.lie {
		// A question an admin wrote: judged by the judge's own rules.
		verdict, score = fin.Verdict, fin.Score
	} else if e, ok := judgeByCode(req.QuestionID, req.Code); ok && !f.lie {
		verdict, score = e.Verdict, e.Score
	}
	go func() {
		for _, st := range []codementor.Status{codementor.StatusRunning, codementor.StatusReviewing, codementor.StatusDone} {
			time.Sleep(5 * time.Millisecond)
			next := *s
			next.Status, next.Version, next.UpdatedAt = st, s.Version+1, time.Now()
			if st != codementor.StatusRunning {
				next.Verdict, next.Score, next.MaxScore = verdict, score, codementor.DefaultQuestionPoints
				if s.JudgedAt.IsZero() {
					next.JudgedAt = next.UpdatedAt
				}
			}
			s = &next
			if st == codementor.StatusDone {
				f.pending.Add(-1)
			}
			f.store(s)
			f.publish(u, s)
			if st == codementor.StatusReviewing && s.ContestID != "" {
				f.result(s) // the tracker emits the result once the verdict is in
			}
		}
	}()
}

// store keeps the latest state of a submission for GET.
func (f *fakeService) store(s *codementor.Submission) {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	f.subs[s.ID] = s
}

func (f *fakeService) getSubmission(w http.ResponseWriter, r *http.Request) {
	f.cmu.Lock()
	s := f.subs[r.PathValue("id")]
	f.cmu.Unlock()
	if s == nil || s.User != user(r) {
		writeJSON(w, 404, map[string]any{"error": map[string]string{"code": "not_found", "message": "submission not found"}})
		return
	}
	writeJSON(w, 200, s)
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

// fakeContests is the contest part of the fake service: admins, the
// questions they write, contests, the standings folded from each contest
// submission's result (codementor.ApplyResult, as the standings group
// does) and the leaderboard, served whole and as a stream of row diffs.
type fakeContests struct {
	// noContests leaves out the contest endpoints (an older service).
	noContests bool
	// noAdmin: the dev sign-in never grants the admin role.
	noAdmin bool
	// wrongRow: GET leaderboard adds a point to its first row's score.
	wrongRow bool
	// lateBoard delays every leaderboard update by that much.
	lateBoard time.Duration
	// skipBoard: the stream never sends these users' changed rows.
	skipBoard func(user string) bool
	// rejudgeLie makes rejudges go wrong (see the lie* constants).
	rejudgeLie string

	cmu       sync.Mutex
	admins    map[string]bool
	written   map[string]*codementor.Question
	versions  map[string][]*codementor.Question // every version written, oldest first
	puts      int                               // questions written
	contests  map[string]*codementor.Contest
	subs      map[string]*codementor.Submission
	standings map[string]*codementor.Standing // by codementor.ContestRowKey
	entrants  map[string]map[string]bool      // contest → users who submitted
	boards    map[string][]*boardSub          // contest → open streams
	version   int64
	closed    bool
}

// boardSub is one open leaderboard stream: its window and the rows it sent.
type boardSub struct {
	offset, limit int
	ch            chan []byte
	sent          map[string]codementor.LeaderboardRow
}

func (f *fakeContests) initContests() {
	f.admins = map[string]bool{}
	f.written = map[string]*codementor.Question{}
	f.versions = map[string][]*codementor.Question{}
	f.contests = map[string]*codementor.Contest{}
	f.subs = map[string]*codementor.Submission{}
	f.standings = map[string]*codementor.Standing{}
	f.entrants = map[string]map[string]bool{}
	f.boards = map[string][]*boardSub{}
}

func (f *fakeContests) closeBoards() {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	f.closed = true
	for id, subs := range f.boards {
		for _, b := range subs {
			close(b.ch)
		}
		delete(f.boards, id)
	}
}

func (f *fakeContests) isAdmin(r *http.Request) bool {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	return f.admins[user(r)]
}

func (f *fakeContests) question(id string) *codementor.Question {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	return f.written[id]
}

// publicQuestion is a question as GET shows it: its sample tests only.
func publicQuestion(q *codementor.Question) map[string]any {
	samples := []codementor.Test{}
	for _, t := range q.Tests {
		if !t.Hidden {
			samples = append(samples, t)
		}
	}
	return map[string]any{"id": q.ID, "title": q.Title, "statement": q.Statement, "time_limit_ms": q.TimeLimitMS,
		"memory_limit_mb": q.MemoryLimitMB, "checker": q.Checker, "test_count": len(q.Tests), "tests": samples,
		"hidden_tests": len(q.Tests) - len(samples), "subtasks": q.Subtasks}
}

// judgeByCode is the fake's judge of the contest programs: it knows them
// by heart.
func judgeByCode(question, code string) (expectation, bool) {
	cq := contestQuestions[question]
	if cq == nil {
		return expectation{}, false
	}
	for kind, byLang := range cq.programs {
		for _, c := range byLang {
			if c == code {
				return cq.expect[kind], true
			}
		}
	}
	return expectation{}, false
}

func apiErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (f *fakeService) contestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /api/questions/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !f.isAdmin(r) {
			apiErr(w, 403, "forbidden", "only admins may create or change questions")
			return
		}
		var q codementor.Question
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			apiErr(w, 400, "bad_request", err.Error())
			return
		}
		q.Normalize()
		if err := q.Validate(); err != nil || q.ID != r.PathValue("id") {
			apiErr(w, 422, "invalid", fmt.Sprintf("%v (id %q)", err, q.ID))
			return
		}
		f.cmu.Lock()
		status := 200
		old := f.written[q.ID]
		if old == nil {
			status = 201
		}
		f.written[q.ID] = &q
		f.versions[q.ID] = append(f.versions[q.ID], &q)
		f.puts++
		out := publicQuestion(&q)
		if old != nil && (!codementor.SameTestData(old, &q) || !reflect.DeepEqual(old.Subtasks, q.Subtasks)) {
			// As the service does: the tests changed, the question's
			// submissions may be judged wrongly.
			n := 0
			for _, s := range f.subs {
				if s.QuestionID == q.ID {
					n++
				}
			}
			if n > 0 {
				out["rejudge"] = map[string]any{"submissions": n, "url": "/api/questions/" + q.ID + "/rejudge"}
			}
		}
		f.cmu.Unlock()
		writeJSON(w, status, out)
	})
	if f.noContests {
		return
	}
	mux.HandleFunc("PUT /api/contests/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !f.isAdmin(r) {
			apiErr(w, 403, "forbidden", "only admins may create or change contests")
			return
		}
		var c codementor.Contest
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			apiErr(w, 400, "bad_request", err.Error())
			return
		}
		c.Normalize()
		if err := c.Validate(); err != nil || c.ID != r.PathValue("id") {
			apiErr(w, 422, "invalid", fmt.Sprintf("%v (id %q)", err, c.ID))
			return
		}
		f.cmu.Lock()
		status := 200
		if f.contests[c.ID] == nil {
			status = 201
		}
		f.contests[c.ID] = &c
		f.cmu.Unlock()
		writeJSON(w, status, c)
	})
	mux.HandleFunc("GET /api/contests", func(w http.ResponseWriter, r *http.Request) {
		f.cmu.Lock()
		defer f.cmu.Unlock()
		out := []map[string]any{}
		for _, c := range f.contests {
			out = append(out, map[string]any{"id": c.ID, "title": c.Title, "start": c.Start, "end": c.End,
				"phase": c.Phase(time.Now()), "scoring": c.Scoring, "question_count": len(c.Questions), "can_participate": c.Open(user(r))})
		}
		writeJSON(w, 200, out)
	})
	mux.HandleFunc("GET /api/contests/{id}", func(w http.ResponseWriter, r *http.Request) {
		admin := f.isAdmin(r)
		f.cmu.Lock()
		defer f.cmu.Unlock()
		c := f.contests[r.PathValue("id")]
		if c == nil {
			apiErr(w, 404, "not_found", "contest not found")
			return
		}
		now := time.Now()
		qs := []map[string]any{}
		hidden := !admin && c.Phase(now) == codementor.PhaseUpcoming
		if !hidden {
			for _, q := range c.Questions {
				qs = append(qs, map[string]any{"question_id": q.QuestionID, "label": q.Label, "points": q.Points, "title": q.QuestionID})
			}
		}
		writeJSON(w, 200, map[string]any{"id": c.ID, "title": c.Title, "start": c.Start, "end": c.End, "scoring": c.Scoring,
			"freeze_minutes": c.FreezeMinutes, "phase": c.Phase(now), "now": now, "frozen": c.Frozen(now),
			"can_participate": c.Open(user(r)), "questions": qs, "questions_hidden": hidden})
	})
	mux.HandleFunc("GET /api/contests/{id}/leaderboard", func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		f.cmu.Lock()
		defer f.cmu.Unlock()
		c := f.contests[r.PathValue("id")]
		if c == nil {
			apiErr(w, 404, "not_found", "contest not found")
			return
		}
		rows := f.rows(c)
		page := window(rows, offset, limit)
		if f.wrongRow && len(page) > 0 {
			page = slices.Clone(page)
			page[0].Score++
		}
		writeJSON(w, 200, f.boardBody(c, rows, page, offset, limit))
	})
	mux.HandleFunc("GET /api/contests/{id}/leaderboard/events", f.boardEvents)
	mux.HandleFunc("POST /api/contests/{id}/rejudge", f.rejudge)
}

// The ways the fake's rejudges go wrong (fakeContests.rejudgeLie).
const (
	// lieStale judges the first rejudged submission whose verdict the
	// change affects with the question as first written: its old verdict
	// in the new round.
	lieStale = "stale"
	// lieStuck counts the first rejudged submission in the 202 and leaves
	// it in its old round.
	lieStuck = "stuck"
	// lieAll rejudges the whole contest, whatever question_id says.
	lieAll = "all"
	// lieNoHistory drops the earlier judgement instead of keeping it.
	lieNoHistory = "no-history"
	// lieNoBoard leaves the new judgements out of the standings.
	lieNoBoard = "no-board"
)

// rejudge is POST /api/contests/{id}/rejudge: 202 with the count, then
// each submission of the contest (to question_id, if given) judged again
// in a new round with the question as it is now, streamed to its learner
// (queued, running, done: the review is kept) and folded into the
// standings.
func (f *fakeService) rejudge(w http.ResponseWriter, r *http.Request) {
	if !f.isAdmin(r) {
		apiErr(w, 403, "forbidden", "only admins may rejudge submissions")
		return
	}
	var req struct {
		ID         string `json:"id"`
		Reason     string `json:"reason"`
		QuestionID string `json:"question_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiErr(w, 400, "bad_request", err.Error())
		return
	}
	if req.ID == "" {
		req.ID = "rj-fake"
	}
	cid := r.PathValue("id")
	f.cmu.Lock()
	if f.contests[cid] == nil {
		f.cmu.Unlock()
		apiErr(w, 404, "not_found", "contest not found")
		return
	}
	var ids []string
	for id, s := range f.subs {
		if s.ContestID == cid && (req.QuestionID == "" || s.QuestionID == req.QuestionID || f.rejudgeLie == lieAll) {
			ids = append(ids, id)
		}
	}
	f.cmu.Unlock()
	slices.Sort(ids)
	writeJSON(w, 202, map[string]any{"id": req.ID, "submissions": len(ids)})
	stale := ""
	for i, id := range ids {
		if f.rejudgeLie == lieStuck && i == 0 {
			continue
		}
		if f.rejudgeLie == lieStale && stale == "" && f.affected(id) {
			stale = id
		}
		go f.judgeAgain(id, req.ID, req.Reason, id == stale)
	}
}

// affected reports whether submission id's verdict or score differs under
// the first and the latest version of its question.
func (f *fakeService) affected(id string) bool {
	f.cmu.Lock()
	s := f.subs[id]
	vs := f.versions[s.QuestionID]
	f.cmu.Unlock()
	if len(vs) < 2 {
		return false
	}
	a, ok := modelJudge(vs[0], s.Code)
	b, _ := modelJudge(vs[len(vs)-1], s.Code)
	return ok && (a.Verdict != b.Verdict || a.Score != b.Score)
}

// judgeAgain is one submission's new round; stale judges it with the
// question's first version.
func (f *fakeService) judgeAgain(id, rejudgeID, reason string, stale bool) {
	f.cmu.Lock()
	cur := f.subs[id]
	q := f.written[cur.QuestionID]
	if stale {
		q = f.versions[cur.QuestionID][0]
	}
	f.cmu.Unlock()
	s := *cur
	if f.rejudgeLie != lieNoHistory && cur.Verdict != "" {
		j := cur.Judgement()
		j.RejudgeID, j.Reason = rejudgeID, reason
		s.History = append(slices.Clone(cur.History), j)
	}
	s.Round, s.RejudgeID = cur.Round+1, rejudgeID
	s.Status, s.Verdict, s.Score, s.MaxScore, s.JudgedAt = codementor.StatusQueued, "", 0, 0, time.Time{}
	verdict, score, maxScore := cur.Verdict, cur.Score, cur.MaxScore
	if fin, ok := modelJudge(q, cur.Code); ok {
		verdict, score, maxScore = fin.Verdict, fin.Score, fin.MaxScore
	}
	for _, st := range []codementor.Status{codementor.StatusQueued, codementor.StatusRunning, codementor.StatusDone} {
		if st != codementor.StatusQueued {
			time.Sleep(5 * time.Millisecond)
		}
		next := s
		next.Status, next.Version, next.UpdatedAt = st, s.Version+1, time.Now()
		if st == codementor.StatusDone {
			next.Verdict, next.Score, next.MaxScore, next.JudgedAt = verdict, score, maxScore, next.UpdatedAt
		}
		s = next
		f.store(&next)
		f.publish(next.User, &next)
	}
	if f.rejudgeLie != lieNoBoard {
		f.result(&s)
	}
}

// modelJudge judges code, one of the contest programs, on q with the
// judge's own rules (judge.Judge: the verdict of the first failed test,
// subtasks skipped after a failure, the score) over a model of the program
// that computes what it prints, or that it runs out of time, in Go; false
// for a question or code it has no model of. TestContestProgramsWithPython
// checks the models against the programs.
func modelJudge(q *codementor.Question, code string) (*codementor.RunEvent, bool) {
	if q == nil {
		return nil, false
	}
	run := modelProgram(q.ID, code)
	if run == nil {
		return nil, false
	}
	job := &codementor.Job{SubmissionID: "model", QuestionID: q.ID, Language: "python", Code: code}
	fin := judge.Judge(context.Background(), modelRunner{run}, q, job, 1<<20, slog.New(slog.DiscardHandler), func(*codementor.RunEvent) {})
	return fin, true
}

// modelProgram returns the model of code, a contest program of question
// id: what it prints for an input, or true when it runs out of time.
func modelProgram(id, code string) func(input string) (string, bool) {
	cq := contestQuestions[id]
	if cq == nil {
		return nil
	}
	for kind, byLang := range cq.programs {
		if byLang["python"] != code {
			continue
		}
		switch id {
		case pairSumsID:
			return func(input string) (string, bool) { return modelPairSums(kind, input) }
		case floorSumsID:
			return func(input string) (string, bool) { return modelFloorSums(kind, input) }
		}
	}
	return nil
}

func modelPairSums(kind, input string) (string, bool) {
	f := strings.Fields(input)
	n, _ := strconv.Atoi(f[0])
	k, _ := strconv.Atoi(f[1])
	count := map[int]int{}
	pairs := 0
	for _, x := range f[2 : 2+n] {
		v, _ := strconv.Atoi(x)
		pairs += count[k-v]
		count[v]++
	}
	switch kind {
	case KindPartial:
		if n > 300 {
			return "", true // every pair of 10^4: seconds of Python
		}
	case KindWrong:
		pairs = 0 // ordered pairs, and an element with itself
		for v, c := range count {
			pairs += c * count[k-v]
		}
	}
	return strconv.Itoa(pairs) + "\n", false
}

func modelFloorSums(kind, input string) (string, bool) {
	n, _ := strconv.ParseInt(strings.TrimSpace(input), 10, 64)
	s := int64(math.Sqrt(float64(n)))
	for s*s > n {
		s--
	}
	for (s+1)*(s+1) <= n {
		s++
	}
	sum := floorSum(n)
	switch kind {
	case KindSlow:
		if n > 10_000_000 {
			return "", true // a loop over every i: 10^9 steps
		}
	case KindWrong:
		sum += s*s - s // √n subtracted instead of its square
	}
	return strconv.FormatInt(sum, 10) + "\n", false
}

// modelRunner is a judge.Runner whose programs are models.
type modelRunner struct {
	run func(input string) (string, bool)
}

func (m modelRunner) Compile(context.Context, sandbox.Source) (judge.Program, error) { return m, nil }

func (m modelRunner) Run(_ context.Context, stdin []byte, lim sandbox.Limits) (sandbox.Execution, error) {
	out, tle := m.run(string(stdin))
	if tle {
		return sandbox.Execution{TimedOut: true, TimeMS: lim.CPUTime.Milliseconds(), WallMS: lim.CPUTime.Milliseconds()}, nil
	}
	return sandbox.Execution{Stdout: []byte(out), TimeMS: 5, WallMS: 5}, nil
}

func (m modelRunner) Close() error { return nil }

// refuse says why a contest submission is refused, as the service does.
func (f *fakeContests) refuse(contestID, question, u string, now time.Time) (int, string, string) {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	c := f.contests[contestID]
	switch {
	case c == nil:
		return 422, "unknown_contest", "no contest " + contestID
	case !slices.ContainsFunc(c.Questions, func(q codementor.ContestQuestion) bool { return q.QuestionID == question }):
		return 422, "question_not_in_contest", question + " is not in the contest"
	case now.Before(c.Start):
		return 403, "contest_not_started", "the contest has not started"
	case !now.Before(c.End):
		return 403, "contest_over", "the contest is over"
	case !c.Open(u):
		return 403, "not_a_participant", "not a participant"
	}
	if f.entrants[contestID] == nil {
		f.entrants[contestID] = map[string]bool{}
	}
	if !f.entrants[contestID][u] {
		f.entrants[contestID][u] = true
		f.pushBoardLocked(c) // a new row, with no judgement yet
	}
	return 0, "", ""
}

// result folds a contest submission's judgement into its standing and
// updates the leaderboard streams (lateBoard later).
func (f *fakeService) result(s *codementor.Submission) {
	f.cmu.Lock()
	defer f.cmu.Unlock()
	key := codementor.ContestRowKey(s.ContestID, s.User)
	res := &codementor.Result{SubmissionID: s.ID, User: s.User, QuestionID: s.QuestionID, ContestID: s.ContestID,
		Language: s.Language, Judgement: s.Judgement(), CreatedAt: s.CreatedAt, At: time.Now()}
	apply := func() {
		if next := codementor.ApplyResult(f.standings[key], res, time.Now()); next != nil {
			f.standings[key] = next
		}
		f.pushBoardLocked(f.contests[s.ContestID])
	}
	if f.lateBoard > 0 {
		// A slow standings group: the result reaches the board late.
		time.AfterFunc(f.lateBoard, func() {
			f.cmu.Lock()
			defer f.cmu.Unlock()
			apply()
		})
		return
	}
	apply()
}

// rows is c's ranked leaderboard, live; the caller holds cmu.
func (f *fakeContests) rows(c *codementor.Contest) []codementor.LeaderboardRow {
	rows := []codementor.LeaderboardRow{}
	for u := range f.entrants[c.ID] {
		rows = append(rows, c.Row(u, f.standings[codementor.ContestRowKey(c.ID, u)], time.Time{}))
	}
	c.RankRows(rows)
	return rows
}

func window(rows []codementor.LeaderboardRow, offset, limit int) []codementor.LeaderboardRow {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	offset = min(max(offset, 0), len(rows))
	return rows[offset:min(offset+limit, len(rows))]
}

func (f *fakeContests) boardBody(c *codementor.Contest, rows, page []codementor.LeaderboardRow, offset, limit int) map[string]any {
	return map[string]any{"contest_id": c.ID, "scoring": c.Scoring, "frozen": false, "phase": c.Phase(time.Now()),
		"total": len(rows), "offset": offset, "limit": limit, "version": f.version, "rows": page, "me": nil}
}

// pushBoardLocked sends each stream of c the rows of its window that
// changed since it last sent them; the caller holds cmu.
func (f *fakeContests) pushBoardLocked(c *codementor.Contest) {
	if f.closed {
		return
	}
	rows := f.rows(c)
	f.version++
	for _, b := range f.boards[c.ID] {
		var changed []codementor.LeaderboardRow
		for _, row := range window(rows, b.offset, b.limit) {
			if old, ok := b.sent[row.User]; ok && sameRow(&old, &row) {
				continue
			}
			if f.skipBoard != nil && f.skipBoard(row.User) {
				continue
			}
			b.sent[row.User] = row
			changed = append(changed, row)
		}
		if len(changed) == 0 {
			continue
		}
		data, _ := json.Marshal(map[string]any{"version": f.version, "total": len(rows), "rows": changed})
		b.ch <- fmt.Appendf(nil, "event: rows\ndata: %s\n\n", data)
	}
}

// boardEvents is the leaderboard's stream: the window whole, then the
// rows of it that change.
func (f *fakeService) boardEvents(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	b := &boardSub{offset: offset, limit: limit, ch: make(chan []byte, 4096), sent: map[string]codementor.LeaderboardRow{}}
	f.cmu.Lock()
	c := f.contests[r.PathValue("id")]
	if c == nil || f.closed {
		f.cmu.Unlock()
		apiErr(w, 404, "not_found", "contest not found")
		return
	}
	rows := f.rows(c)
	page := window(rows, offset, limit)
	for _, row := range page {
		b.sent[row.User] = row
	}
	data, _ := json.Marshal(f.boardBody(c, rows, page, offset, limit))
	b.ch <- fmt.Appendf(nil, "event: leaderboard\ndata: %s\n\n", data)
	f.boards[c.ID] = append(f.boards[c.ID], b)
	f.cmu.Unlock()
	defer func() {
		f.cmu.Lock()
		defer f.cmu.Unlock()
		f.boards[c.ID] = slices.DeleteFunc(f.boards[c.ID], func(x *boardSub) bool { return x == b })
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(200)
	w.(http.Flusher).Flush()
	ping := time.NewTicker(20 * time.Millisecond)
	defer ping.Stop()
	for {
		select {
		case ev, ok := <-b.ch:
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
