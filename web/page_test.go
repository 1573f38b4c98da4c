package web

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/web/openapitest"
	"github.com/codementor/codementor/web/ui"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                          false,
		"gzip":                      true,
		"gzip, deflate, br, zstd":   true,
		"br;q=1.0, GZIP;q=0.5":      true,
		"deflate, br":               false,
		"gzip;q=0":                  false,
		"gzip; q=0.000":             false,
		"gzip;q=0.001":              true,
		"*":                         true,
		"identity":                  false,
		"x-gzip-not-really, br":     false,
		"deflate;q=0.1, gzip;q=1.0": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// testPage stands for the built page.
var testPage = fstest.MapFS{
	"index.html":      {Data: []byte("<!doctype html><title>CodeMentor</title><div id=app></div>")},
	"favicon.ico":     {Data: []byte("\x00\x00\x01\x00 an icon")},
	"assets/app-1.js": {Data: []byte("boot()")},
}

// pageServer is a server with testPage for its page (or, if notBuilt is
// set, none) and no views.
func pageServer(t testing.TB, notBuilt bool) (*Server, string) {
	t.Helper()
	a, err := auth.New(secret, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	page := func() (fs.FS, error) { return testPage, nil }
	if notBuilt {
		page = func() (fs.FS, error) { return nil, ui.ErrNotBuilt }
	}
	s, err := newServer(Config{}, Deps{Auth: a, Ready: func(context.Context) error { return nil }, Log: slog.New(slog.DiscardHandler)}, page)
	if err != nil {
		t.Fatal(err)
	}
	token, err := a.Issue(auth.Identity{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	return s, token
}

// TestPageAddresses: the page's addresses serve it; any other address a
// browser opens outside /api/ gets the page with 404 (its app says "Not
// found"), or, with a trailing slash after a page's address, a redirect
// there; the API keeps answering JSON; the icon is served.
func TestPageAddresses(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	s, token := pageServer(t, false)
	index := testPage["index.html"].Data
	const (
		page     = "page"     // index.html
		pageHead = "pageHead" // index.html's headers, no body
		jsonErr  = "json"     // the API's error
		icon     = "icon"
		none     = ""
	)
	tests := []struct {
		method, path string
		bearer       bool
		status       int
		body         string // one of the kinds above
		location     string
	}{
		{"GET", "/", false, 200, page, ""},
		{"GET", "/signin", false, 200, page, ""},
		{"HEAD", "/signin", false, 200, pageHead, ""},
		{"GET", "/questions/a-plus-b", false, 200, page, ""},
		{"GET", "/questions/no-such-question", false, 200, page, ""},
		// A page's address with a trailing slash: moved there for good.
		{"GET", "/questions/a-plus-b/", false, 308, none, "/questions/a-plus-b"},
		{"GET", "/questions/a-plus-b//", false, 308, none, "/questions/a-plus-b"},
		{"GET", "/questions/a-plus-b/?next=%2F", false, 308, none, "/questions/a-plus-b?next=%2F"},
		{"HEAD", "/questions/a-plus-b/", false, 308, none, "/questions/a-plus-b"},
		{"GET", "/signin/", false, 308, none, "/signin"},
		// Contests and the learner's profile.
		{"GET", "/contests", false, 200, page, ""},
		{"HEAD", "/contests", false, 200, pageHead, ""},
		{"GET", "/contests/weekly-1", false, 200, page, ""},
		{"HEAD", "/contests/weekly-1", false, 200, pageHead, ""},
		{"GET", "/contests/no-such-contest", false, 200, page, ""},
		{"GET", "/me", false, 200, page, ""},
		{"HEAD", "/me", false, 200, pageHead, ""},
		{"GET", "/contests/", false, 308, none, "/contests"},
		{"GET", "/contests/weekly-1/", false, 308, none, "/contests/weekly-1"},
		{"GET", "/me/", false, 308, none, "/me"},
		{"GET", "/contests/weekly-1/leaderboard", false, 404, page, ""},
		{"GET", "/me/progress", false, 404, page, ""},
		{"POST", "/contests", false, 405, jsonErr, ""},
		// No page of the app: the page, whose app says so, with 404.
		{"GET", "/nope", false, 404, page, ""},
		{"HEAD", "/nope", false, 404, pageHead, ""},
		{"GET", "/nope/", false, 404, page, ""},
		{"GET", "/questions", false, 404, page, ""},
		{"GET", "/questions/", false, 404, page, ""},
		{"GET", "/questions/a/b", false, 404, page, ""},
		{"GET", "/questions/a-plus-b/tests", false, 404, page, ""},
		{"GET", "//evil.example/", false, 404, page, ""}, // never a redirect to another site
		{"GET", "/apix", false, 404, page, ""},
		// Not a browser's visit: the API's 404.
		{"POST", "/nope", false, 404, jsonErr, ""},
		{"DELETE", "/questions/a-plus-b", false, 405, jsonErr, ""},
		{"POST", "/healthz", false, 405, jsonErr, ""},
		// The API answers its own unknown addresses, in JSON.
		{"GET", "/api/nope", true, 404, jsonErr, ""},
		{"GET", "/api/nope", false, 401, jsonErr, ""},
		{"GET", "/api/nope/", true, 404, jsonErr, ""},
		{"GET", "/api", true, 404, jsonErr, ""},
		{"GET", "/assets/nope.js", false, 404, jsonErr, ""},
		{"GET", "/favicon.ico", false, 200, icon, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.bearer {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := v.Record(t, s.echo, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %.200q", rec.Code, tt.status, rec.Body)
			}
			h, body := rec.Header(), rec.Body.Bytes()
			if loc := h.Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
			switch tt.body {
			case page, pageHead:
				if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
					t.Errorf("Content-Type %q, want text/html", ct)
				}
				if csp := h.Get("Content-Security-Policy"); csp != pageCSP {
					t.Errorf("Content-Security-Policy %q, want the page's", csp)
				}
				if want := map[string][]byte{page: index, pageHead: {}}[tt.body]; !bytes.Equal(body, want) {
					t.Errorf("body %.200q, want %.200q", body, want)
				}
			case jsonErr:
				if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") || !bytes.Contains(body, []byte(`"error"`)) {
					t.Errorf("Content-Type %q, body %.200q; want the API's JSON error", ct, body)
				}
			case icon:
				if ct := h.Get("Content-Type"); ct != "image/x-icon" {
					t.Errorf("Content-Type %q, want image/x-icon", ct)
				}
				if !bytes.Equal(body, testPage["favicon.ico"].Data) {
					t.Errorf("body %q, want the page's favicon.ico", body)
				}
			case none:
				if len(body) > 0 && !bytes.Contains(body, []byte(tt.location)) {
					t.Errorf("body %.200q", body)
				}
			}
		})
	}
}

// TestPageNotBuilt: a binary built without the page says so at the page's
// addresses, and answers any other address with the API's 404.
func TestPageNotBuilt(t *testing.T) {
	v := openapitest.Load(t, openAPIDoc)
	s, _ := pageServer(t, true)
	for path, want := range map[string]int{"/": 503, "/questions/a-plus-b": 503, "/contests": 503, "/contests/weekly-1": 503, "/me": 503, "/nope": 404, "/questions/": 404, "/favicon.ico": 404} {
		rec := v.Record(t, s.echo, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
		if want == 404 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: Content-Type %q, want the API's JSON error", path, rec.Header().Get("Content-Type"))
		}
	}
}

func TestIsPagePath(t *testing.T) {
	for p, want := range map[string]bool{
		"/": true, "/signin": true, "/questions/a-plus-b": true, "/questions/a%2Fb": true,
		"/contests": true, "/contests/weekly-1": true, "/me": true,
		"": false, "/signin/": false, "/questions": false, "/questions/": false, "/questions/a/": false,
		"/questions/a/b": false, "//evil.example": false, "/nope": false,
		"/contests/": false, "/contests/a/b": false, "/contests/a/": false, "/me/": false, "/me/progress": false, "/mine": false,
	} {
		if got := isPagePath(p); got != want {
			t.Errorf("isPagePath(%q) = %v, want %v", p, got, want)
		}
	}
}
