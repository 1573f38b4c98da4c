package helper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInstall: the copy is named after its content, shared by a second
// Install, put back by Refresh once due should it vanish, and a helper that
// is missing or no executable is Unusable.
func TestInstall(t *testing.T) {
	src := filepath.Join(t.TempDir(), Name)
	if err := os.WriteFile(src, []byte("\x7fELF a helper"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c, err := Install(dir, src)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(c.Path()) != dir || !strings.HasPrefix(filepath.Base(c.Path()), prefix) {
		t.Fatalf("copy at %s, want %s in %s", c.Path(), prefix+"<hash>", dir)
	}
	if fi, err := os.Stat(c.Path()); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("copy: %v %v", fi, err)
	}
	d, err := Install(dir, src)
	if err != nil || d.Path() != c.Path() {
		t.Fatalf("second Install: %v at %s, want the same copy %s", err, d.Path(), c.Path())
	}

	// A copy removed by another process comes back once a refresh is due.
	if err := os.Remove(c.Path()); err != nil {
		t.Fatal(err)
	}
	if due, err := c.Refresh(); due || err != nil {
		t.Fatalf("Refresh just after Install = %v, %v; want not due", due, err)
	}
	c.mu.Lock()
	c.touched = time.Time{}
	c.mu.Unlock()
	if due, err := c.Refresh(); !due || err != nil {
		t.Fatalf("Refresh once due = %v, %v", due, err)
	}
	if _, err := os.Stat(c.Path()); err != nil {
		t.Errorf("the copy did not come back: %v", err)
	}

	for _, bad := range []string{filepath.Join(dir, "missing"), filepath.Join(dir, "text")} {
		if err := os.WriteFile(filepath.Join(dir, "text"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if _, err := Install(dir, bad); !Unusable(err) {
			t.Errorf("Install(%s) = %v, want an Unusable error", bad, err)
		}
	}
}

func TestUnused(t *testing.T) {
	now, hours := time.Now(), func(n int) time.Time { return time.Now().Add(-time.Duration(n) * time.Hour) }
	for _, c := range []struct {
		name         string
		mod          time.Time
		ours, unused bool
	}{
		{"helper-0123", now, true, false},
		{"helper-0123", hours(3), true, true},
		{"init-0-0-0-0", hours(3), true, true},
		{".init-x", hours(1), true, false},
		{".helper-123", hours(3), true, false},
		{".helper-123", hours(25), true, true},
		{"c-123-4", hours(48), false, false},
		{"cache-go-0123", hours(48), false, false},
	} {
		if ours, unused := Unused(c.name, c.mod); ours != c.ours || unused != c.unused {
			t.Errorf("Unused(%s, %v ago) = %v, %v; want %v, %v", c.name, time.Since(c.mod).Round(time.Hour), ours, unused, c.ours, c.unused)
		}
	}
}
