package web

import (
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// TestPending: a learner's pending submissions, newest first, only theirs,
// until they expire; the expired are swept from the index too.
func TestPending(t *testing.T) {
	var p pending
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	sub := func(id, user string, at time.Time) *codementor.Submission {
		return &codementor.Submission{ID: id, User: user, CreatedAt: at}
	}
	p.add(sub("a1", "ann", t0), t0)
	p.add(sub("b1", "bob", t0), t0)
	p.add(sub("a2", "ann", t0.Add(time.Second)), t0.Add(time.Second))
	got := p.forUser("ann", t0.Add(2*time.Second))
	if len(got) != 2 || got[0].ID != "a2" || got[1].ID != "a1" {
		t.Fatalf("forUser(ann) = %v, want a2, a1", got)
	}
	if s := p.get("b1", t0.Add(time.Second)); s == nil || s.User != "bob" {
		t.Fatalf("get(b1) = %v", s)
	}
	// a1 and b1 expire; a2 a second later.
	late := t0.Add(pendingTTL + 500*time.Millisecond)
	if got := p.forUser("ann", late); len(got) != 1 || got[0].ID != "a2" {
		t.Fatalf("forUser(ann) after a1 expired = %v, want a2", got)
	}
	if p.get("b1", late) != nil {
		t.Fatal("get(b1) after it expired")
	}
	p.add(sub("c1", "cat", late), late)
	if _, ok := p.byUser["bob"]; ok || len(p.items) != 2 {
		t.Errorf("expired submissions not swept: %d items, users %v", len(p.items), p.byUser)
	}
}
