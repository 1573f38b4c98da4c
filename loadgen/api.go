package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// setupTimeout bounds each request of the start-up checks and sign-ins.
const setupTimeout = 15 * time.Second

// api is a client of the service's HTTP API.
type api struct {
	base string
	hc   *http.Client
}

// newHTTPClient is the one client of a run. Every learner's event stream
// holds a connection for the whole run and submissions come from many
// goroutines at once: keep enough idle connections per host that a
// submission reuses one instead of dialling (and leaving a TIME_WAIT
// socket behind). No overall timeout: the streams last the whole run;
// requests carry their own deadlines.
func newHTTPClient(learners int) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          0, // no limit over all hosts
		MaxIdleConnsPerHost:   learners + 256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: tr}
}

// apiError is the service's error body.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// message is the error message of an error answer, or its start.
func (r *response) message() string {
	var e apiError
	if json.Unmarshal(r.body, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	s := strings.TrimSpace(string(r.body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// do sends a request with a JSON body (if not nil) and reads the whole
// answer, so that the connection goes back to the pool.
func (a *api) do(ctx context.Context, method, path, token string, body any) (*response, error) {
	var rd io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// get sends a setup request and decodes a 200 answer into out.
func (a *api) get(ctx context.Context, path, token string, out any) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	r, err := a.do(ctx, http.MethodGet, path, token, nil)
	if err != nil {
		return nil, a.unreachable(path, err)
	}
	if r.status == http.StatusOK && out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return r, fmt.Errorf("GET %s%s: undecodable answer (is this a codementor service?): %v", a.base, path, err)
		}
	}
	return r, nil
}

// unreachable explains a request that got no answer.
func (a *api) unreachable(path string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("cannot reach the service at %s (%s: %v); is codementor running there?", a.base, path, unwrapURLError(err))
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkReady asks /readyz whether the service can take submissions.
func (a *api) checkReady(ctx context.Context) error {
	r, err := a.get(ctx, "/readyz", "", nil)
	if err != nil {
		return err
	}
	switch r.status {
	case http.StatusOK:
		return nil
	case http.StatusServiceUnavailable:
		return fmt.Errorf("the service at %s is not ready: %s", a.base, r.message())
	default:
		return fmt.Errorf("GET %s/readyz answered %d (is this a codementor service?): %s", a.base, r.status, r.message())
	}
}

// login signs user in with the dev sign-in and returns the token.
func (a *api) login(ctx context.Context, user string) (string, error) {
	return a.loginAs(ctx, user, false)
}

// loginAs signs user in with the dev sign-in, with the admin role if
// admin, and returns the token.
func (a *api) loginAs(ctx context.Context, user string, admin bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	r, err := a.do(ctx, http.MethodPost, "/api/dev/login", "", map[string]any{"user": user, "admin": admin})
	if err != nil {
		return "", a.unreachable("POST /api/dev/login", err)
	}
	switch r.status {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "", fmt.Errorf("sign-in refused: dev sign-in is off at %s (POST /api/dev/login answered %d); "+
			"the load generator signs its learners in with it, so run the server with dev sign-in on "+
			"(codementor dev, or codementor web --dev-auth; never in production)", a.base, r.status)
	default:
		return "", fmt.Errorf("sign-in of %q refused: POST /api/dev/login answered %d: %s", user, r.status, r.message())
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("POST /api/dev/login answered 200 without a token: %s", r.message())
	}
	return out.Token, nil
}

// checkLanguages makes sure the service offers every language of the run.
func (a *api) checkLanguages(ctx context.Context, token string, want []string) error {
	var langs []struct {
		ID string `json:"id"`
	}
	r, err := a.get(ctx, "/api/languages", token, &langs)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET /api/languages answered %d: %s", r.status, r.message())
	}
	var offered []string
	for _, l := range langs {
		offered = append(offered, l.ID)
	}
	var missing []string
	for _, l := range want {
		if !slices.Contains(offered, l) {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("the service at %s does not offer %s; it offers: %s", a.base,
			quoteList(missing), orNone(strings.Join(offered, ", ")))
	}
	return nil
}

// checkQuestions makes sure every question of the run exists.
func (a *api) checkQuestions(ctx context.Context, token string, want []string) error {
	var missing []string
	for _, q := range want {
		r, err := a.get(ctx, "/api/questions/"+q, token, nil)
		if err != nil {
			return err
		}
		switch r.status {
		case http.StatusOK:
		case http.StatusNotFound:
			missing = append(missing, q)
		default:
			return fmt.Errorf("GET /api/questions/%s answered %d: %s", q, r.status, r.message())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var list []struct {
		ID string `json:"id"`
	}
	r, err := a.get(ctx, "/api/questions", token, &list)
	if err != nil {
		return err
	}
	var ids []string
	if r.status == http.StatusOK {
		for _, q := range list {
			ids = append(ids, q.ID)
		}
	}
	return fmt.Errorf("the service at %s has no question %s; it has: %s", a.base, quoteList(missing), orNone(strings.Join(ids, ", ")))
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
