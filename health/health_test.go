package health

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	var why error
	srv := httptest.NewServer(Handler(func(context.Context) error { return why }))
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 404 && resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", path, resp.Header.Get("Content-Type"))
		}
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		path   string
		why    error
		status int
		body   string
	}{
		{"/healthz", nil, 200, `{"status":"ok"}` + "\n"},
		{"/healthz", errors.New("no sandbox"), 200, `{"status":"ok"}` + "\n"},
		{"/readyz", nil, 200, `{"status":"ready"}` + "\n"},
		{"/readyz", errors.New("the judge cannot run code: no bubblewrap"), 503,
			`{"error":{"code":"not_ready","message":"the judge cannot run code: no bubblewrap"}}` + "\n"},
		{"/readyz", Warn(errors.New("reviews are off")), 200, `{"status":"ready","warnings":["reviews are off"]}` + "\n"},
		{"/readyz", errors.Join(Warn(errors.New("reviews are off")), errors.Join(nil, Warn(errors.New("b")))), 200,
			`{"status":"ready","warnings":["reviews are off","b"]}` + "\n"},
		{"/readyz", errors.Join(Warn(errors.New("reviews are off")), errors.New("the questions view is not ready yet")), 503,
			`{"error":{"code":"not_ready","message":"the questions view is not ready yet"}}` + "\n"},
		{"/other", nil, 404, ""},
	} {
		why = tt.why
		status, body := get(tt.path)
		if status != tt.status || (tt.body != "" && body != tt.body) {
			t.Errorf("GET %s (ready: %v) = %d %s, want %d %s", tt.path, tt.why, status, body, tt.status, tt.body)
		}
	}
}
