package systemtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/web/ui"
)

// The browser's side of the web tier: the page and its assets, the session
// cookie a page signs in with, the cross-origin protection that keeps other
// sites from using that cookie, and the per-question progress the page shows.

// sessionCookieName is the cookie that carries a browser's token.
const sessionCookieName = "codementor_session"

// requireBuiltPage returns the page the binary embeds. Without one it skips
// the test, or fails it when CODEMENTOR_TEST_REQUIRE_BROWSER is set (as
// `make test` does).
func requireBuiltPage(t *testing.T) fs.FS {
	t.Helper()
	files, err := ui.Files()
	if errors.Is(err, ui.ErrNotBuilt) && os.Getenv("CODEMENTOR_TEST_REQUIRE_BROWSER") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// browserClient is an HTTP client that behaves like a browser signed in by
// cookie: it keeps cookies in a jar and never sends an Authorization header
// unless a request asks for one. It does not decompress answers, so that
// tests see the Content-Encoding the server chose.
type browserClient struct {
	base string
	url  *url.URL
	jar  *cookiejar.Jar
	http *http.Client
}

func newBrowserClient(t testing.TB, base string) *browserClient {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &browserClient{base: base, url: u, jar: jar,
		http: &http.Client{Jar: jar, Transport: checked(t, tr), Timeout: 30 * time.Second}}
}

// send sends a request with body (JSON-encoded unless a string) and the
// given headers, and returns the response with its whole body read.
func (b *browserClient) send(t testing.TB, method, path string, body any, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	default:
		buf, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, b.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := b.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", method, path, err)
	}
	return resp, data
}

// json sends a request like send and decodes a JSON answer into out (if not
// nil); it returns the status.
func (b *browserClient) json(t testing.TB, method, path string, body any, header map[string]string, out any) int {
	t.Helper()
	resp, data := b.send(t, method, path, body, header)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: status %d, body %q: %v", method, path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

// sessionCookie returns the value of the session cookie in the jar.
func (b *browserClient) sessionCookie() (string, bool) {
	for _, c := range b.jar.Cookies(b.url) {
		if c.Name == sessionCookieName {
			return c.Value, true
		}
	}
	return "", false
}

// devSignIn signs the browser in as user through the dev login and returns
// the token that the cookie now holds.
func (b *browserClient) devSignIn(t testing.TB, user string) string {
	t.Helper()
	var out struct{ Token string }
	if code := b.json(t, "POST", "/api/dev/login", map[string]any{"user": user}, nil, &out); code != 200 || out.Token == "" {
		t.Fatalf("dev login %s: status %d, token %q", user, code, out.Token)
	}
	if v, ok := b.sessionCookie(); !ok || v != out.Token {
		t.Fatalf("after the dev login the jar holds session cookie %q (present: %v), want the token", v, ok)
	}
	return out.Token
}

// parseSetCookie finds the response's Set-Cookie header for name and returns the
// cookie's value and its attributes as written: lower-cased name → value,
// "" for flags such as HttpOnly.
func parseSetCookie(resp *http.Response, name string) (value string, attrs map[string]string, ok bool) {
	for _, line := range resp.Header.Values("Set-Cookie") {
		parts := strings.Split(line, ";")
		n, v, _ := strings.Cut(strings.TrimSpace(parts[0]), "=")
		if n != name {
			continue
		}
		attrs = map[string]string{}
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			attrs[strings.ToLower(k)] = v
		}
		return v, attrs, true
	}
	return "", nil, false
}

// apiErrorCode decodes the code of an API error body, or "" if it is none.
func apiErrorCode(body []byte) string {
	var e apiError
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

var (
	// pageScript and pageStyle are the assets index.html loads.
	pageScript = regexp.MustCompile(`<script\b[^>]*\bsrc="/assets/([^"]+)"`)
	pageStyle  = regexp.MustCompile(`<link\b[^>]*\brel="stylesheet"[^>]*\bhref="/assets/([^"]+)"`)
	// appEntry names the bundle's entry points: app-<hash>.js and .css.
	appEntry = regexp.MustCompile(`^app-[A-Za-z0-9]+\.(js|css)$`)
	// styleFont is a font a stylesheet loads from beside it.
	styleFont = regexp.MustCompile(`url\("?\./([A-Za-z0-9_.-]+\.woff2)"?\)`)
)

func submatches(re *regexp.Regexp, s string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestPageServesTheBuiltApp fetches the learner's page and its assets the
// way a browser does: each page address serves the embedded index.html with
// its security headers, the scripts and styles it names are served (gzipped
// to those who take it) with a year-long cache, and nothing outside
// assets/ is reachable through /assets/.
func TestPageServesTheBuiltApp(t *testing.T) {
	files := requireBuiltPage(t)
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	in := start(t, t.TempDir())
	b := newBrowserClient(t, in.Base)

	t.Run("page addresses", func(t *testing.T) {
		for _, p := range []string{"/", "/signin", "/questions/a-plus-b", "/questions/no-such-question"} {
			t.Run(p, func(t *testing.T) {
				resp, body := b.send(t, "GET", p, nil, map[string]string{"Accept": "text/html"})
				if resp.StatusCode != 200 {
					t.Fatalf("status %d, body %.200q", resp.StatusCode, body)
				}
				if !bytes.Equal(body, index) {
					t.Errorf("the body is not the embedded index.html: %.200q", body)
				}
				h := resp.Header
				if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type = %q, want text/html", ct)
				}
				if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
					t.Errorf("Content-Security-Policy = %q, want one with script-src 'self'", csp)
				}
				if v := h.Get("X-Content-Type-Options"); v != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q, want nosniff", v)
				}
				if v := h.Get("Cache-Control"); v != "no-cache" {
					t.Errorf("Cache-Control = %q, want no-cache: the page names assets by hash and must be revalidated", v)
				}
			})
		}
	})

	scripts, styles := submatches(pageScript, string(index)), submatches(pageStyle, string(index))
	t.Run("index.html loads the app", func(t *testing.T) {
		if !slices.ContainsFunc(scripts, func(s string) bool { return appEntry.MatchString(s) && path.Ext(s) == ".js" }) {
			t.Errorf("index.html loads the scripts %q, none of them the app's entry point app-<hash>.js: the page would not start", scripts)
		}
		if !slices.ContainsFunc(styles, func(s string) bool { return appEntry.MatchString(s) && path.Ext(s) == ".css" }) {
			t.Errorf("index.html loads the stylesheets %q, none of them app-<hash>.css", styles)
		}
	})

	// Every script and stylesheet the page loads, and a font the app's
	// stylesheet loads.
	assets := append(slices.Clone(scripts), styles...)
	for _, s := range styles {
		css, err := fs.ReadFile(files, "assets/"+s)
		if err != nil {
			t.Fatalf("the page's stylesheet %s is not embedded: %v", s, err)
		}
		if fonts := submatches(styleFont, string(css)); len(fonts) > 0 {
			assets = append(assets, fonts[0])
			break
		}
	}
	if len(assets) < 2 {
		t.Fatalf("index.html names too few assets: %q", assets)
	}
	contentTypes := map[string]string{".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2"}
	for _, name := range assets {
		t.Run("asset "+name, func(t *testing.T) {
			plain, err := fs.ReadFile(files, "assets/"+name)
			if err != nil {
				t.Fatalf("not embedded: %v", err)
			}
			gz, gzErr := fs.ReadFile(files, "assets/"+name+".gz")
			if path.Ext(name) != ".woff2" && gzErr != nil {
				t.Errorf("the build made no %s.gz: %v", name, gzErr)
			}
			for _, acceptGzip := range []bool{false, true} {
				header := map[string]string{}
				if acceptGzip {
					header["Accept-Encoding"] = "gzip, deflate, br"
				}
				resp, body := b.send(t, "GET", "/assets/"+name, nil, header)
				if resp.StatusCode != 200 {
					t.Fatalf("gzip %v: status %d", acceptGzip, resp.StatusCode)
				}
				h := resp.Header
				if want := contentTypes[path.Ext(name)]; !strings.HasPrefix(h.Get("Content-Type"), want) {
					t.Errorf("gzip %v: Content-Type = %q, want %s", acceptGzip, h.Get("Content-Type"), want)
				}
				if v := h.Get("Cache-Control"); v != "public, max-age=31536000, immutable" {
					t.Errorf("gzip %v: Cache-Control = %q, want a year-long immutable cache", acceptGzip, v)
				}
				switch {
				case acceptGzip && gzErr == nil:
					if h.Get("Content-Encoding") != "gzip" || !strings.Contains(h.Get("Vary"), "Accept-Encoding") {
						t.Errorf("gzip accepted: Content-Encoding %q, Vary %q; want gzip and Vary: Accept-Encoding", h.Get("Content-Encoding"), h.Get("Vary"))
					}
					if !bytes.Equal(body, gz) {
						t.Errorf("gzip accepted: the body (%d bytes) is not %s.gz (%d bytes)", len(body), name, len(gz))
					}
					zr, err := gzip.NewReader(bytes.NewReader(body))
					if err != nil {
						t.Fatalf("gzip accepted: the body is not gzip: %v", err)
					}
					unzipped, err := io.ReadAll(zr)
					if err != nil || !bytes.Equal(unzipped, plain) {
						t.Errorf("gzip accepted: the body unzips to %d bytes (err %v), not to %s (%d bytes)", len(unzipped), err, name, len(plain))
					}
				default:
					if ce := h.Get("Content-Encoding"); ce != "" {
						t.Errorf("gzip %v: Content-Encoding = %q with no gzipped copy or no gzip accepted", acceptGzip, ce)
					}
					if !bytes.Equal(body, plain) {
						t.Errorf("gzip %v: the body (%d bytes) is not %s (%d bytes)", acceptGzip, len(body), name, len(plain))
					}
				}
			}
		})
	}

	// Addresses under /assets/ that name nothing there, some trying to
	// climb out of it to index.html or the source tree.
	missing := []string{
		"/assets/app-NOSUCHHASH.js",
		"/assets/",
		"/assets/../index.html",
		"/assets/%2e%2e/index.html",
		"/assets/..%2findex.html",
		"/assets/%2e%2e%2findex.html",
		"/assets/..%5cindex.html",
		"/assets/./../index.html",
		"/assets/../../go.mod",
		"/assets/../../../../../../etc/passwd",
		"/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
	}
	for _, p := range missing {
		t.Run("missing "+p, func(t *testing.T) {
			for _, enc := range []string{"", "gzip"} {
				resp, body := b.send(t, "GET", p, nil, map[string]string{"Accept-Encoding": enc})
				if resp.StatusCode != 404 || apiErrorCode(body) != "not_found" {
					t.Errorf("Accept-Encoding %q: status %d, body %.200q; want 404 not_found", enc, resp.StatusCode, body)
				}
				if bytes.Contains(body, []byte("<html")) || bytes.Contains(body, []byte("root:")) {
					t.Errorf("Accept-Encoding %q: a file outside assets/ was served: %.200q", enc, body)
				}
			}
		})
	}
}

// TestSessionCookieSignsInABrowser walks a browser's session: the dev login
// sets an HttpOnly, SameSite=Lax cookie that alone authenticates the API and
// the event stream, a token can be exchanged for the cookie, bad tokens set
// none, and signing out clears it.
func TestSessionCookieSignsInABrowser(t *testing.T) {
	cfg := devConfig(t, t.TempDir())
	in := devtest.Launch(t, cfg, devtest.Ready)
	maxAge := strconv.Itoa(int(cfg.TokenTTL / time.Second))
	user := testUser("cookie")

	t.Run("the site config is public", func(t *testing.T) {
		var got map[string]any
		if code := newBrowserClient(t, in.Base).json(t, "GET", "/api/config", nil, nil, &got); code != 200 || got["dev_auth"] != true || len(got) != 1 {
			t.Errorf("GET /api/config: %d %v, want 200 {dev_auth: true}", code, got)
		}
	})

	t.Run("no session without the cookie", func(t *testing.T) {
		resp, body := newBrowserClient(t, in.Base).send(t, "GET", "/api/session", nil, nil)
		if resp.StatusCode != 401 || apiErrorCode(body) != "unauthenticated" {
			t.Errorf("GET /api/session signed out: %d %s, want 401 unauthenticated", resp.StatusCode, body)
		}
	})

	b := newBrowserClient(t, in.Base)
	t.Run("the dev login sets the cookie", func(t *testing.T) {
		resp, body := b.send(t, "POST", "/api/dev/login", map[string]any{"user": user}, nil)
		var out struct{ Token string }
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || out.Token == "" {
			t.Fatalf("dev login: %d %s", resp.StatusCode, body)
		}
		value, attrs, ok := parseSetCookie(resp, sessionCookieName)
		if !ok {
			t.Fatalf("no Set-Cookie %s in %q", sessionCookieName, resp.Header.Values("Set-Cookie"))
		}
		if value != out.Token {
			t.Errorf("the cookie holds %q, not the token %q", value, out.Token)
		}
		want := map[string]string{"path": "/", "httponly": "", "samesite": "Lax", "max-age": maxAge}
		for k, v := range want {
			if got, ok := attrs[k]; !ok || got != v {
				t.Errorf("Set-Cookie %q: attribute %s is %q (present: %v), want %q", resp.Header.Get("Set-Cookie"), k, got, ok, v)
			}
		}
		if _, ok := attrs["secure"]; ok {
			t.Errorf("Set-Cookie %q is Secure over plain HTTP: browsers would drop it", resp.Header.Get("Set-Cookie"))
		}
		if v, ok := b.sessionCookie(); !ok || v != out.Token {
			t.Errorf("the jar holds %q (present: %v), want the token", v, ok)
		}
	})
	if _, ok := b.sessionCookie(); !ok {
		t.Fatal("no session cookie: the rest of the test needs one")
	}

	t.Run("the cookie alone authenticates", func(t *testing.T) {
		var who struct {
			User  string `json:"user"`
			Admin bool   `json:"admin"`
		}
		if code := b.json(t, "GET", "/api/session", nil, nil, &who); code != 200 || who.User != user || who.Admin {
			t.Errorf("GET /api/session: %d %+v, want 200 %s, not admin", code, who, user)
		}
		var qs []map[string]any
		if code := b.json(t, "GET", "/api/questions", nil, nil, &qs); code != 200 || len(qs) == 0 {
			t.Errorf("GET /api/questions: %d, %d questions", code, len(qs))
		}
	})

	t.Run("the event stream takes the cookie", func(t *testing.T) {
		// EventSource cannot send an Authorization header: the cookie is
		// how the page's stream authenticates.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", in.Base+"/api/events", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "text/event-stream")
		resp, err := b.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("GET /api/events: %d %q, want 200 text/event-stream", resp.StatusCode, ct)
		}
		first := make([]byte, len("retry:"))
		if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "retry:" {
			t.Errorf("the stream begins %q (err %v), want a retry: field", first, err)
		}
	})

	t.Run("an Authorization header takes precedence over the cookie", func(t *testing.T) {
		other := testUser("cookie-other")
		otherToken := login(t, in.Base, other, false).token
		tests := []struct {
			name, authorization string
			status              int
			user                string
		}{
			{"another user's bearer token", "Bearer " + otherToken, 200, other},
			{"a forged bearer token", "Bearer " + otherToken + "x", 401, ""},
			{"a non-Bearer scheme", "Basic dXNlcjpwYXNz", 401, ""},
			{"an empty bearer token", "Bearer ", 401, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := b.send(t, "GET", "/api/session", nil, map[string]string{"Authorization": tt.authorization})
				var who struct{ User string }
				_ = json.Unmarshal(body, &who)
				if resp.StatusCode != tt.status || who.User != tt.user {
					t.Errorf("GET /api/session with Authorization %q and the cookie: %d %s, want %d user %q", tt.authorization, resp.StatusCode, body, tt.status, tt.user)
				}
				if tt.status == 401 && apiErrorCode(body) != "unauthenticated" {
					t.Errorf("error code %q, want unauthenticated", apiErrorCode(body))
				}
			})
		}
	})

	t.Run("a token becomes a session", func(t *testing.T) {
		admin := testUser("cookie-admin")
		token := login(t, in.Base, admin, true).token
		fresh := newBrowserClient(t, in.Base)
		resp, body := fresh.send(t, "POST", "/api/session", map[string]string{"token": token}, nil)
		var who struct {
			User  string `json:"user"`
			Admin bool   `json:"admin"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &who) != nil || who.User != admin || !who.Admin {
			t.Fatalf("POST /api/session: %d %s, want 200 %s admin", resp.StatusCode, body, admin)
		}
		value, attrs, ok := parseSetCookie(resp, sessionCookieName)
		if !ok || value != token {
			t.Fatalf("Set-Cookie %q, want the token in %s", resp.Header.Values("Set-Cookie"), sessionCookieName)
		}
		if _, httpOnly := attrs["httponly"]; !httpOnly || attrs["samesite"] != "Lax" || attrs["path"] != "/" || attrs["max-age"] != maxAge {
			t.Errorf("Set-Cookie %q, want HttpOnly, SameSite=Lax, Path=/, Max-Age=%s", resp.Header.Get("Set-Cookie"), maxAge)
		}
		who.User, who.Admin = "", false
		if code := fresh.json(t, "GET", "/api/session", nil, nil, &who); code != 200 || who.User != admin || !who.Admin {
			t.Errorf("GET /api/session by cookie: %d %+v", code, who)
		}
	})

	t.Run("bad tokens set no cookie", func(t *testing.T) {
		token, _ := b.sessionCookie()
		tests := []struct {
			name   string
			body   any
			status int
			code   string
		}{
			{"forged", map[string]string{"token": token + "x"}, 401, "unauthenticated"},
			{"not a token", map[string]string{"token": "hello"}, 401, "unauthenticated"},
			{"empty", map[string]string{"token": ""}, 422, "invalid"},
			{"missing", map[string]string{}, 422, "invalid"},
			{"malformed", `{"token":`, 400, "bad_request"},
			{"unknown field", map[string]string{"user": "root"}, 400, "bad_request"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				fresh := newBrowserClient(t, in.Base)
				resp, body := fresh.send(t, "POST", "/api/session", tt.body, nil)
				if resp.StatusCode != tt.status || apiErrorCode(body) != tt.code {
					t.Errorf("POST /api/session: %d %s, want %d %s", resp.StatusCode, body, tt.status, tt.code)
				}
				if v := resp.Header.Values("Set-Cookie"); len(v) > 0 {
					t.Errorf("Set-Cookie %q on a refused sign-in", v)
				}
				if code := fresh.json(t, "GET", "/api/session", nil, nil, nil); code != 401 {
					t.Errorf("GET /api/session after a refused sign-in: %d, want 401", code)
				}
			})
		}
	})

	t.Run("behind an HTTPS proxy the cookie is Secure", func(t *testing.T) {
		resp, body := newBrowserClient(t, in.Base).send(t, "POST", "/api/dev/login", map[string]any{"user": user},
			map[string]string{"X-Forwarded-Proto": "https"})
		_, attrs, ok := parseSetCookie(resp, sessionCookieName)
		if _, secure := attrs["secure"]; resp.StatusCode != 200 || !ok || !secure {
			t.Errorf("dev login over HTTPS: %d %s, Set-Cookie %q; want a Secure cookie", resp.StatusCode, body, resp.Header.Values("Set-Cookie"))
		}
	})

	t.Run("signing out clears the cookie", func(t *testing.T) {
		resp, body := b.send(t, "DELETE", "/api/session", nil, nil)
		if resp.StatusCode != 204 {
			t.Fatalf("DELETE /api/session: %d %s, want 204", resp.StatusCode, body)
		}
		value, attrs, ok := parseSetCookie(resp, sessionCookieName)
		if age, err := strconv.Atoi(attrs["max-age"]); !ok || value != "" || err != nil || age > 0 || attrs["path"] != "/" {
			t.Errorf("Set-Cookie %q, want an empty %s with Path=/ that expires now", resp.Header.Values("Set-Cookie"), sessionCookieName)
		}
		if v, ok := b.sessionCookie(); ok {
			t.Errorf("the jar still holds the session cookie %q", v)
		}
		if resp, body := b.send(t, "GET", "/api/session", nil, nil); resp.StatusCode != 401 || apiErrorCode(body) != "unauthenticated" {
			t.Errorf("GET /api/session after signing out: %d %s, want 401 unauthenticated", resp.StatusCode, body)
		}
		if resp, _ := b.send(t, "GET", "/api/events", nil, map[string]string{"Accept": "text/event-stream"}); resp.StatusCode != 401 {
			t.Errorf("GET /api/events after signing out: %d, want 401", resp.StatusCode)
		}
	})
}

// TestCrossOriginRequestsAreRefused checks that another site cannot act
// with a learner's session: unsafe requests a browser marks as cross-origin
// are refused before they reach a handler, whichever way they authenticate,
// while the site's own pages, non-browser clients and safe requests pass.
func TestCrossOriginRequestsAreRefused(t *testing.T) {
	in := start(t, t.TempDir())
	user := testUser("csrf")
	b := newBrowserClient(t, in.Base)
	token := b.devSignIn(t, user)
	bearer := login(t, in.Base, user, false)
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site"}
	submission := map[string]string{"question_id": "a-plus-b", "language": "python", "code": aPlusB}

	refused := []struct {
		name         string
		method, path string
		body         any
		header       map[string]string
		noCookie     bool
	}{
		{"cross-site submission", "POST", "/api/submissions", submission, crossSite, false},
		{"same-site submission", "POST", "/api/submissions", submission, map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"submission from a foreign Origin", "POST", "/api/submissions", submission, map[string]string{"Origin": "https://evil.example"}, false},
		{"cross-site submission with a bearer token", "POST", "/api/submissions", submission,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer " + bearer.token}, true},
		{"cross-site sign-out", "DELETE", "/api/session", nil, crossSite, false},
		{"cross-site sign-in", "POST", "/api/session", map[string]string{"token": token}, crossSite, true},
		{"cross-site dev login", "POST", "/api/dev/login", map[string]any{"user": testUser("mallory")}, crossSite, true},
		{"cross-site question change", "PUT", "/api/questions/a-plus-b", map[string]any{"title": "pwned"}, crossSite, false},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			c := b
			if tt.noCookie {
				c = newBrowserClient(t, in.Base)
			}
			resp, body := c.send(t, tt.method, tt.path, tt.body, tt.header)
			var e apiError
			if resp.StatusCode != 403 || json.Unmarshal(body, &e) != nil || e.Error.Code != "cross_origin" || e.Error.Message == "" {
				t.Errorf("%s %s with %v: %d %s, want 403 cross_origin with a message", tt.method, tt.path, tt.header, resp.StatusCode, body)
			}
			if v := resp.Header.Values("Set-Cookie"); len(v) > 0 {
				t.Errorf("a refused request set cookies: %q", v)
			}
		})
	}

	// The refused requests changed nothing: the session is still there and
	// nothing was submitted.
	if v, ok := b.sessionCookie(); !ok || v != token {
		t.Fatalf("after the refused requests the jar holds %q (present: %v), want the session", v, ok)
	}
	var who struct{ User string }
	if code := b.json(t, "GET", "/api/session", nil, nil, &who); code != 200 || who.User != user {
		t.Errorf("GET /api/session after a refused cross-site sign-out: %d %+v, want still signed in", code, who)
	}
	var list []codementor.Submission
	if code := b.json(t, "GET", "/api/submissions", nil, nil, &list); code != 200 || len(list) != 0 {
		t.Fatalf("after the refused submissions the list has %d (status %d), want none", len(list), code)
	}

	// These pass the protection: an unknown question makes the handler
	// answer 422 without queueing anything.
	unknown := map[string]string{"question_id": "no-such-question", "language": "python", "code": aPlusB}
	passing := []struct {
		name   string
		header map[string]string
	}{
		{"same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}},
		{"typed by the user", map[string]string{"Sec-Fetch-Site": "none"}},
		{"from the site's own Origin", map[string]string{"Origin": in.Base}},
		{"without browser headers", nil},
	}
	for _, tt := range passing {
		t.Run("passes "+tt.name, func(t *testing.T) {
			resp, body := b.send(t, "POST", "/api/submissions", unknown, tt.header)
			if resp.StatusCode != 422 || apiErrorCode(body) != "unknown_question" {
				t.Errorf("POST /api/submissions with %v: %d %s, want it to reach the handler (422 unknown_question)", tt.header, resp.StatusCode, body)
			}
		})
	}
	t.Run("passes a cross-site read", func(t *testing.T) {
		if code := b.json(t, "GET", "/api/submissions", nil, crossSite, nil); code != 200 {
			t.Errorf("cross-site GET /api/submissions: %d, want 200: only unsafe methods are refused", code)
		}
	})

	// The page's own submission goes through and is judged.
	var sub codementor.Submission
	if code := b.json(t, "POST", "/api/submissions", submission, map[string]string{"Sec-Fetch-Site": "same-origin"}, &sub); code != 202 || sub.ID == "" {
		t.Fatalf("same-origin POST /api/submissions: %d %+v, want 202", code, sub)
	}
	if code := b.json(t, "GET", "/api/submissions", nil, nil, &list); code != 200 || len(list) != 1 || list[0].ID != sub.ID {
		t.Errorf("the list after the same-origin submission: %d %d items, want just %s", code, len(list), sub.ID)
	}
	states := bearer.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	if v := states[len(states)-1].Verdict; v != codementor.VerdictAccepted {
		t.Errorf("the same-origin submission's verdict is %s, want accepted", v)
	}
}

// questionProgress is a learner's progress on one question, as the
// question list shows it.
type questionProgress struct {
	Status      string             `json:"status"`
	Submissions int                `json:"submissions"`
	LastVerdict codementor.Verdict `json:"last_verdict"`
}

// progressOn returns c's progress on question from GET /api/questions.
func progressOn(t *testing.T, c *client, question string) questionProgress {
	t.Helper()
	var qs []struct {
		ID string `json:"id"`
		questionProgress
	}
	if code := c.do(t, "GET", "/api/questions", nil, &qs); code != 200 {
		t.Fatalf("GET /api/questions: %d", code)
	}
	for _, q := range qs {
		if q.ID == question {
			return q.questionProgress
		}
	}
	t.Fatalf("GET /api/questions does not list %s", question)
	return questionProgress{}
}

// judged submits code and waits for its final state, which must have verdict.
func judged(t *testing.T, c *client, question, code string, verdict codementor.Verdict) *codementor.Submission {
	t.Helper()
	sub := c.submit(t, question, "python", code)
	states := c.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	final := states[len(states)-1]
	if final.Verdict != verdict {
		t.Fatalf("submission %s: verdict %s, want %s", sub.ID, final.Verdict, verdict)
	}
	return final
}

// TestProgressIsPerLearnerAndQuestion checks the progress the question list
// shows each learner, and the list of a learner's submissions of one
// question.
func TestProgressIsPerLearnerAndQuestion(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, testUser("progress-a"), false)
	bob := login(t, in.Base, testUser("progress-b"), false)

	if got := progressOn(t, alice, "a-plus-b"); got != (questionProgress{}) {
		t.Errorf("before any submission: %+v, want no progress", got)
	}
	wrong := judged(t, alice, "a-plus-b", aPlusBWrong, codementor.VerdictWrongAnswer)
	if got, want := progressOn(t, alice, "a-plus-b"), (questionProgress{"attempted", 1, codementor.VerdictWrongAnswer}); got != want {
		t.Errorf("after a wrong answer: %+v, want %+v", got, want)
	}
	right := judged(t, alice, "a-plus-b", aPlusB, codementor.VerdictAccepted)

	progress := []struct {
		name     string
		c        *client
		question string
		want     questionProgress
	}{
		{"alice solved a-plus-b", alice, "a-plus-b", questionProgress{"solved", 2, codementor.VerdictAccepted}},
		{"alice did not try fizzbuzz", alice, "fizzbuzz", questionProgress{}},
		{"bob does not see alice's submissions", bob, "a-plus-b", questionProgress{}},
	}
	for _, tt := range progress {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressOn(t, tt.c, tt.question); got != tt.want {
				t.Errorf("%s: %+v, want %+v", tt.question, got, tt.want)
			}
		})
	}

	lists := []struct {
		name  string
		c     *client
		query string
		want  []string
	}{
		{"alice's a-plus-b, newest first", alice, "?question_id=a-plus-b", []string{right.ID, wrong.ID}},
		{"the limit still applies", alice, "?question_id=a-plus-b&limit=1", []string{right.ID}},
		{"a question alice did not try", alice, "?question_id=fizzbuzz", []string{}},
		{"a question that does not exist", alice, "?question_id=no-such-question", []string{}},
		{"bob's a-plus-b", bob, "?question_id=a-plus-b", []string{}},
	}
	for _, tt := range lists {
		t.Run(tt.name, func(t *testing.T) {
			var raw json.RawMessage
			if code := tt.c.do(t, "GET", "/api/submissions"+tt.query, nil, &raw); code != 200 {
				t.Fatalf("GET /api/submissions%s: %d %s", tt.query, code, raw)
			}
			var list []codementor.Submission
			if err := json.Unmarshal(raw, &list); err != nil || list == nil {
				t.Fatalf("GET /api/submissions%s: %s is not a JSON array (%v)", tt.query, raw, err)
			}
			got := []string{}
			for _, s := range list {
				got = append(got, s.ID)
				if s.QuestionID != "a-plus-b" {
					t.Errorf("a submission of %s in the list of a-plus-b", s.QuestionID)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("GET /api/submissions%s lists %q, want %q", tt.query, got, tt.want)
			}
		})
	}

	// Solved stays solved; the last verdict is the newest one.
	judged(t, alice, "a-plus-b", aPlusBWrong, codementor.VerdictWrongAnswer)
	if got, want := progressOn(t, alice, "a-plus-b"), (questionProgress{"solved", 3, codementor.VerdictWrongAnswer}); got != want {
		t.Errorf("after a wrong answer to a solved question: %+v, want %+v", got, want)
	}
}
