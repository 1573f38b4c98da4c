package web

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// eventStream is an open SSE stream: its frames, as sent, without the blank
// line that ends each.
type eventStream struct {
	frames <-chan string
}

// openEvents opens the stream at path as token with the Last-Event-ID
// lastID (none if empty); it fails the test unless the answer is a stream.
func (h *harness) openEvents(tb testing.TB, path, token, lastID string) *eventStream {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	req := h.request(tb, "GET", path, token, nil).WithContext(ctx)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		tb.Fatalf("open %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	frames := make(chan string, 64)
	go func() {
		defer close(frames)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var frame []string
		for sc.Scan() {
			if sc.Text() != "" {
				frame = append(frame, sc.Text())
				continue
			}
			frames <- strings.Join(frame, "\n")
			frame = nil
		}
	}()
	return &eventStream{frames: frames}
}

// frameWait is how long a stream is waited for the next frame.
const frameWait = 5 * time.Second

// next returns the next frame; false once the stream has ended or after
// frameWait without one (then timedOut is true).
func (s *eventStream) next() (frame string, ok, timedOut bool) {
	select {
	case f, ok := <-s.frames:
		return f, ok, false
	case <-time.After(frameWait):
		return "", false, true
	}
}

// read returns the next n frames, or fewer if the stream ends or goes
// quiet first.
func (s *eventStream) read(n int) []string {
	var out []string
	for range n {
		f, ok, _ := s.next()
		if !ok {
			break
		}
		out = append(out, f)
	}
	return out
}

// ended fails the test unless the stream has ended, with no more frames.
func (s *eventStream) ended(tb testing.TB) {
	tb.Helper()
	switch f, ok, timedOut := s.next(); {
	case ok:
		tb.Errorf("a frame after the last: %q", f)
	case timedOut:
		tb.Errorf("the stream did not end within %s", frameWait)
	}
}

// golden compares a stream's frames with testdata/name.golden, or rewrites
// it with -update.
func golden(tb testing.TB, name string, frames []string) {
	tb.Helper()
	got := strings.Join(frames, "\n\n") + "\n\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s mismatch (-want +got):\n-%s\n+%s", path, want, got)
	}
}

// waitSubscribed waits until n streams have subscribed to the view.
func (h *harness) waitSubscribed(tb testing.TB, n int) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); h.p.Submissions.Subscribers() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("%d streams subscribed, want %d", h.p.Submissions.Subscribers(), n)
		}
	}
}

const retryFrame = "retry: 2000"

// /api/submissions/:id/events: the submission's current state, then each
// change, then "end" once it is final; ids are versions, and a reconnect
// with Last-Event-ID gets the current state only if it is newer.
func TestSubmissionEvents(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	v1 := queued("s1", "alice", at(0))
	v2 := running(v1, at(1))
	v3 := judged(v2, true, at(2))
	for _, c := range []struct {
		name   string
		stored *codementor.Submission // when the stream opens
		lastID string
		query  string
		then   []*codementor.Submission // put once it is open
		frames int                      // to read, the retry frame too
	}{
		{name: "from the start", stored: v1, then: []*codementor.Submission{v2, v3}, frames: 5},
		{name: "changes it has", stored: v2, lastID: "2", then: []*codementor.Submission{v3}, frames: 3},
		{name: "stale change skipped", stored: v2, lastID: "1", then: []*codementor.Submission{v1, v3}, frames: 4},
		{name: "final", stored: v3, frames: 3},
		{name: "final and seen", stored: v3, lastID: "3", frames: 2},
		{name: "final and seen by id in the query", stored: v3, query: "?last_event_id=3", frames: 2},
		{name: "malformed id", stored: v3, lastID: "x", frames: 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.p.Submissions.Put(c.stored)
			s := h.openEvents(t, "/api/submissions/"+sid("s1")+"/events"+c.query, h.alice, c.lastID)
			for _, sub := range c.then {
				h.p.Submissions.Put(sub)
			}
			frames := s.read(c.frames)
			s.ended(t)
			golden(t, "submission-events/"+strings.ReplaceAll(c.name, " ", "-"), frames)
		})
	}
	t.Run("refused", func(t *testing.T) {
		h := newHarness(t, Config{})
		h.p.Submissions.Put(v1)
		for _, c := range []struct {
			name, path, token string
			status            int
		}{
			{"another learner's", "/api/submissions/" + sid("s1") + "/events", h.bob, http.StatusNotFound},
			{"unknown", "/api/submissions/nope/events", h.alice, http.StatusNotFound},
		} {
			if r := h.send(t, "GET", c.path, c.token, nil); r.status != c.status || r.errorCode() != "not_found" {
				t.Errorf("%s: %d %s, want %d not_found", c.name, r.status, r.body, c.status)
			}
		}
		if n := h.p.Submissions.Subscribers(); n != 0 {
			t.Errorf("%d subscriptions left open", n)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		h := newHarness(t, Config{Heartbeat: 10 * time.Millisecond})
		h.p.Submissions.Put(v1)
		s := h.openEvents(t, "/api/submissions/"+sid("s1")+"/events", h.alice, "1")
		if got := s.read(3); len(got) != 3 || got[0] != retryFrame || got[1] != ": ping" || got[2] != ": ping" {
			t.Errorf("got %q, want the retry frame, then pings", got)
		}
	})
	t.Run("shutdown ends it", func(t *testing.T) {
		h := newHarness(t, Config{})
		h.p.Submissions.Put(v1)
		s := h.openEvents(t, "/api/submissions/"+sid("s1")+"/events", h.alice, "")
		s.read(2)
		h.s.once.Do(func() { close(h.s.shutdown) })
		s.ended(t)
	})
}

// /api/events: on connect the caller's submissions still in progress, with
// Last-Event-ID (an updated_at in Unix microseconds) every one changed
// since, then every change of the caller's submissions, each version once.
func TestUserEvents(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	micros := func(tm time.Time) string { return strconv.FormatInt(tm.UnixMicro(), 10) }
	// alice: s1 judged long ago, s2 judged at 100 s, s3 running since
	// 110 s; bob: b1 queued.
	s1 := judged(queued("s1", "alice", at(0)), true, at(1))
	s2 := judged(queued("s2", "alice", at(90)), false, at(100))
	s3 := running(queued("s3", "alice", at(105)), at(110))
	b1 := queued("b1", "bob", at(106))
	s4 := queued("s4", "alice", at(120))
	for _, c := range []struct {
		name    string
		lastID  string
		initial int                      // frames sent on connect, the retry frame too
		then    []*codementor.Submission // put once those are read
		changes int                      // frames they make
	}{
		// s3 only; then s4 and s3's verdict, not bob's b1 nor s3's state
		// again.
		{name: "from the start", initial: 3, then: []*codementor.Submission{b1, s4, s3, judged(s3, true, at(130))}, changes: 2},
		// The last event seen was of 104 s: s3 and s2 changed after 99 s.
		{name: "resumed", lastID: micros(at(104)), initial: 4, then: []*codementor.Submission{s4}, changes: 1},
		// Everything changed since, finished or not.
		{name: "resumed from long ago", lastID: micros(at(-10)), initial: 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.s.now = func() time.Time { return at(115) }
			for _, sub := range []*codementor.Submission{s1, s2, s3, b1} {
				h.p.Submissions.Put(sub)
			}
			s := h.openEvents(t, "/api/events", h.alice, c.lastID)
			frames := s.read(c.initial)
			for _, sub := range c.then {
				h.p.Submissions.Put(sub)
			}
			frames = append(frames, s.read(c.changes)...)
			golden(t, "user-events/"+strings.ReplaceAll(c.name, " ", "-"), frames)
		})
	}
	// The stream drops after the first event sent on a resume; the client
	// resumes from that event's id and gets the rest.
	t.Run("dropped while catching up", func(t *testing.T) {
		h := newHarness(t, Config{})
		for _, sub := range []*codementor.Submission{s1, s2, s3} {
			h.p.Submissions.Put(sub)
		}
		frames := h.openEvents(t, "/api/events", h.alice, micros(at(-10))).read(2)
		if len(frames) != 2 || !strings.HasPrefix(frames[1], "id: ") {
			t.Fatalf("got %q, want the retry frame and an event", frames)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(frames[1], "id: "), "\n")
		frames = append(frames, h.openEvents(t, "/api/events", h.alice, id).read(4)...)
		var got []string
		for _, f := range frames {
			if _, data, ok := strings.Cut(f, "data: "); ok {
				var sub codementor.Submission
				if err := json.Unmarshal([]byte(data), &sub); err != nil {
					t.Fatal(err)
				}
				got = append(got, sub.ID)
			}
		}
		for _, want := range []string{sid("s1"), sid("s2"), sid("s3")} {
			if !slices.Contains(got, want) {
				t.Errorf("%s lost: got %v", want, got)
			}
		}
	})
	// A client that got no event before its stream dropped resumes from
	// when it connected: what started and ended in between reaches it.
	t.Run("nothing seen before a drop", func(t *testing.T) {
		h := newHarness(t, Config{})
		h.s.now = func() time.Time { return at(115) }
		h.p.Submissions.Put(b1)
		frames := h.openEvents(t, "/api/events", h.bob, "").read(3)
		if len(frames) != 3 || frames[2] != "id: "+micros(at(115)) {
			t.Fatalf("got %q, want the retry frame, b1 and the connection's id", frames)
		}
		// While it is away, b2 is queued and judged.
		h.p.Submissions.Put(judged(queued("b2", "bob", at(116)), true, at(117)))
		got := h.openEvents(t, "/api/events", h.bob, micros(at(115))).read(3)
		if len(got) != 3 || !strings.Contains(got[1]+got[2], `"id":"`+sid("b2")+`"`) {
			t.Errorf("resumed from the connection's id: got %q, want b2 among them", got)
		}
	})
	t.Run("heartbeat", func(t *testing.T) {
		h := newHarness(t, Config{Heartbeat: 10 * time.Millisecond})
		s := h.openEvents(t, "/api/events", h.bob, "")
		if got := s.read(4); len(got) != 4 || got[0] != retryFrame || !strings.HasPrefix(got[1], "id: ") || got[2] != ": ping" || got[3] != ": ping" {
			t.Errorf("got %q, want the retry frame, the connection's id, then pings", got)
		}
	})
	t.Run("client gone", func(t *testing.T) {
		h := newHarness(t, Config{})
		ctx, cancel := context.WithCancel(context.Background())
		req := h.request(t, "GET", "/api/events", h.alice, nil).WithContext(ctx)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		h.waitSubscribed(t, 1)
		cancel()
		resp.Body.Close()
		for deadline := time.Now().Add(5 * time.Second); h.p.Submissions.Subscribers() > 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the stream's subscription outlived its client")
			}
		}
	})
}
