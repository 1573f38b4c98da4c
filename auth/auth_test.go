package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestIssueVerify(t *testing.T) {
	a, err := New([]byte(strings.Repeat("k", 32)), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := a.Issue(Identity{User: "alice", Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.Verify(tok)
	if err != nil || id != (Identity{User: "alice", Admin: true}) {
		t.Fatalf("Verify = %+v, %v", id, err)
	}

	other, _ := New([]byte(strings.Repeat("x", 32)), time.Hour)
	forged, _ := other.Issue(Identity{User: "alice"})
	expired := &Authority{secret: a.secret, ttl: time.Hour, now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	old, _ := expired.Issue(Identity{User: "alice"})
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	for name, tok := range map[string]string{"other secret": forged, "expired": old, "alg none": none, "garbage": "abc.def.ghi", "empty": ""} {
		if _, err := a.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: Verify err = %v, want ErrUnauthenticated", name, err)
		}
	}
}

func TestRejects(t *testing.T) {
	if _, err := New([]byte("short"), time.Hour); err == nil {
		t.Error("New accepted a short secret")
	}
	a, _ := New([]byte(strings.Repeat("k", 32)), time.Hour)
	for _, u := range []string{"", "a b", "../x", strings.Repeat("a", 65)} {
		if _, err := a.Issue(Identity{User: u}); err == nil {
			t.Errorf("Issue accepted user %q", u)
		}
	}
}

// TestSecret: a configured secret wins; without one, a random secret is
// kept in the directory, private to its owner, and the same after a restart.
func TestSecret(t *testing.T) {
	dir := t.TempDir()
	if s, err := Secret("configured-secret-of-enough-bytes", dir); err != nil || string(s) != "configured-secret-of-enough-bytes" {
		t.Errorf("configured: %q, %v", s, err)
	}
	first, err := Secret("", dir)
	if err != nil || len(first) < MinSecretBytes {
		t.Fatalf("generated: %q, %v", first, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "dev-jwt-secret"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the kept secret: %v, %v", fi, err)
	}
	if again, err := Secret("", dir); err != nil || string(again) != string(first) {
		t.Errorf("after a restart: %q, %v; want %q", again, err, first)
	}
	if other, _ := Secret("", t.TempDir()); string(other) == string(first) {
		t.Error("two directories share a secret")
	}
}
