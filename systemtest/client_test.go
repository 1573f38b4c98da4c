package systemtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/web"
	"github.com/codementor/codementor/web/openapitest"
)

// contract is the API's OpenAPI document (web/openapi.json), loaded once.
var contract = sync.OnceValues(func() (*openapitest.Validator, error) { return openapitest.New(web.OpenAPI()) })

// checked returns a transport that sends with next (nil: the default) and
// fails t on every answer of the web tier outside its OpenAPI document, and
// on every request outside it that the server did not refuse with a 4xx.
func checked(t testing.TB, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	v, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	return v.Transport(t, next)
}

// checkedHTTP is an HTTP client of the web tier whose exchanges are
// checked against its OpenAPI document.
func checkedHTTP(t testing.TB) *http.Client {
	t.Helper()
	return &http.Client{Timeout: 30 * time.Second, Transport: checked(t, nil)}
}

// client is a real HTTP client of the API, signed in as one user (or none,
// without a token). Every exchange is checked against the API's OpenAPI
// document.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(t testing.TB, base, token string) *client {
	t.Helper()
	return &client{base: base, token: token, http: checkedHTTP(t)}
}

func login(t testing.TB, base, user string, admin bool) *client {
	t.Helper()
	c := newClient(t, base, "")
	var out struct{ Token string }
	if code := c.do(t, "POST", "/api/dev/login", map[string]any{"user": user, "admin": admin}, &out); code != 200 {
		t.Fatalf("login %s: status %d", user, code)
	}
	c.token = out.Token
	return c
}

// do sends a JSON request and decodes the JSON answer into out (if not nil).
func (c *client) do(t testing.TB, method, path string, body any, out any) int {
	t.Helper()
	status, _, data := c.raw(t, method, path, body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: status %d, body %q: %v", method, path, status, data, err)
		}
	}
	return status
}

// raw sends a JSON request and returns the answer's status, header and body.
func (c *client) raw(t testing.TB, method, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	status, header, data, err := c.try(method, path, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, header, data
}

// try is raw for any goroutine: it returns what went wrong instead of
// failing the test.
func (c *client) try(method, path string, body any) (int, http.Header, []byte, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: read the answer: %w", method, path, err)
	}
	return resp.StatusCode, resp.Header, data, nil
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// event is one Server-Sent Event.
type event struct {
	ID, Name string
	Data     []byte
}

// sse is an open event stream.
type sse struct {
	events <-chan event
	cancel context.CancelFunc
	status int
}

// stream opens an SSE stream at path; lastID, if not empty, is sent as
// Last-Event-ID. Events arrive on the channel until the stream ends.
func (c *client) stream(t testing.TB, path, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := (&http.Client{Transport: checked(t, nil)}).Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open %s: %v", path, err)
	}
	ch := make(chan event, 1024)
	s := &sse{events: ch, cancel: cancel, status: resp.StatusCode}
	t.Cleanup(cancel)
	if resp.StatusCode != 200 {
		resp.Body.Close()
		close(ch)
		return s
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Errorf("Content-Type = %q", ct)
	}
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 4<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" || ev.Data != nil {
					ch <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = append(ev.Data, line[6:]...)
			}
		}
	}()
	return s
}

// next returns the next submission event within d.
func (s *sse) next(t testing.TB, d time.Duration) (event, *codementor.Submission) {
	t.Helper()
	ev, sub, ok := s.within(t, d)
	if !ok {
		t.Fatalf("no event within %s", d)
	}
	return ev, sub
}

// within is next that reports a timeout (false) instead of failing.
func (s *sse) within(t testing.TB, d time.Duration) (event, *codementor.Submission, bool) {
	t.Helper()
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if ev.Name != "submission" {
				continue
			}
			var sub codementor.Submission
			if err := json.Unmarshal(ev.Data, &sub); err != nil {
				t.Fatalf("event data %q: %v", ev.Data, err)
			}
			return ev, &sub, true
		case <-timer.C:
			return event{}, nil, false
		}
	}
}

// untilFinal reads events of submission id until it is final and returns
// every state seen, in order.
func (s *sse) untilFinal(t testing.TB, id string, d time.Duration) []*codementor.Submission {
	t.Helper()
	deadline := time.Now().Add(d)
	var seen []*codementor.Submission
	for {
		_, sub := s.next(t, time.Until(deadline))
		if sub.ID != id {
			continue
		}
		seen = append(seen, sub)
		if sub.Final() {
			return seen
		}
	}
}

func (c *client) submit(t testing.TB, question, language, code string) *codementor.Submission {
	t.Helper()
	var sub codementor.Submission
	if status := c.do(t, "POST", "/api/submissions", map[string]string{"question_id": question, "language": language, "code": code}, &sub); status != http.StatusAccepted {
		t.Fatalf("submit: status %d", status)
	}
	if sub.ID == "" || sub.Status != codementor.StatusQueued {
		t.Fatalf("submit returned %+v", sub)
	}
	return &sub
}

func (e event) String() string { return fmt.Sprintf("id=%s event=%s data=%s", e.ID, e.Name, e.Data) }
