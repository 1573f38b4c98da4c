package callback

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestGuardRefusesInternalAddresses(t *testing.T) {
	g, err := NewGuard(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"127.0.0.1", "127.8.8.8", "::1", "10.0.0.1", "172.16.3.4", "192.168.1.1", "169.254.169.254",
		"fe80::1", "fc00::1", "fd00:ec2::254", "0.0.0.0", "::", "100.64.0.1", "224.0.0.1", "255.255.255.255",
		"::ffff:127.0.0.1", "::ffff:169.254.169.254", "192.0.0.170", "64:ff9b::a9fe:a9fe", "2002:7f00:1::"} {
		if g.Allowed(netip.MustParseAddr(ip)) {
			t.Errorf("%s allowed", ip)
		}
	}
	for _, ip := range []string{"8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"} {
		if !g.Allowed(netip.MustParseAddr(ip)) {
			t.Errorf("public %s refused", ip)
		}
	}
	ctx := context.Background()
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://[::1]/", "http://localhost/", "http://api.localhost/",
		"http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "http://2130706433/",
		"http://0x7f000001/", "http://10.1.2.3/"} {
		err := g.Check(ctx, u)
		// Numeric host forms that are not IP literals fail to resolve
		// here and are checked again on connect; the rest are refused now.
		if u == "http://2130706433/" || u == "http://0x7f000001/" {
			continue
		}
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("Check(%s) = %v, want ErrForbidden", u, err)
		}
	}
	for _, u := range []string{"ftp://example.com/", "/relative", "http://user:pw@example.com/", "http:///nohost"} {
		if err := g.Check(ctx, u); err == nil {
			t.Errorf("Check(%s) passed", u)
		}
	}
	if err := g.Check(ctx, "https://93.184.215.14/hook"); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	allowed, err := NewGuard([]string{"127.0.0.1", "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1:9/x", "http://10.9.9.9/", "http://localhost:9/"} {
		if err := allowed.Check(ctx, u); err != nil {
			t.Errorf("allow-listed %s refused: %v", u, err)
		}
	}
	if _, err := NewGuard([]string{"not-an-ip"}); err == nil {
		t.Error("a bad allow-list entry was taken")
	}
}

// The connection is checked where it is made: a receiver on loopback is
// unreachable unless allowed, even through a redirect.
func TestSenderChecksEveryConnection(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Method != http.MethodPut || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("callback sent as %s %s", r.Method, r.Header.Get("Content-Type"))
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	closed, _ := NewGuard(nil)
	cfg := SenderConfig{Timeout: 2 * time.Second, Attempts: 3, Backoff: 10 * time.Millisecond}
	if err := NewSender(closed, cfg, quiet).Send(context.Background(), srv.URL, []byte(`{}`)); !errors.Is(err, ErrForbidden) {
		t.Fatalf("send to loopback without allow-list = %v, want ErrForbidden", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the refused receiver was reached")
	}
	open, _ := NewGuard([]string{"127.0.0.1"})
	if err := NewSender(open, cfg, quiet).Send(context.Background(), srv.URL, []byte(`{}`)); err != nil {
		t.Fatalf("send to an allowed receiver: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("receiver hit %d times, want 1", hits.Load())
	}
}

// A failing receiver is tried again; a 4xx one is not; redirects are not
// followed.
func TestSenderRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := hits.Add(1); {
		case r.URL.Path == "/gone":
			w.WriteHeader(http.StatusGone)
		case r.URL.Path == "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case n < 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusOK)
		}
	}))
	defer srv.Close()
	g, _ := NewGuard([]string{"127.0.0.1"})
	s := NewSender(g, SenderConfig{Timeout: 2 * time.Second, Attempts: 3, Backoff: 10 * time.Millisecond}, quiet)
	if err := s.Send(context.Background(), srv.URL+"/flaky", nil); err != nil || hits.Load() != 3 {
		t.Fatalf("flaky receiver: %v after %d hits, want success on the 3rd", err, hits.Load())
	}
	hits.Store(10)
	if err := s.Send(context.Background(), srv.URL+"/gone", nil); err == nil || hits.Load() != 11 {
		t.Fatalf("410 receiver: %v after %d hits, want one failed attempt", err, hits.Load()-10)
	}
	hits.Store(20)
	if err := s.Send(context.Background(), srv.URL+"/redirect", nil); err == nil || hits.Load() != 21 {
		t.Fatalf("redirecting receiver: %v after %d hits, want one attempt, not followed", err, hits.Load()-20)
	}
}
