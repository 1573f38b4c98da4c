package views

import (
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

func sub(id, user string, version int64, created time.Time) *codementor.Submission {
	return &codementor.Submission{ID: id, User: user, Version: version, CreatedAt: created}
}

func TestHubRoutesByUserAndSubmission(t *testing.T) {
	h := NewHub()
	alice := h.SubscribeUser("alice")
	one := h.SubscribeSubmission("s1")
	now := time.Now()
	h.Publish(sub("s1", "alice", 1, now))
	h.Publish(sub("s2", "bob", 1, now))
	h.Publish(sub("s3", "alice", 1, now.Add(time.Second)))

	var got []string
	for len(alice.C) > 0 {
		got = append(got, (<-alice.C).ID)
	}
	if len(got) != 2 || got[0] != "s1" || got[1] != "s3" {
		t.Errorf("alice got %v, want [s1 s3]", got)
	}
	if len(one.C) != 1 || (<-one.C).ID != "s1" {
		t.Error("the s1 subscription did not get exactly s1")
	}
	if ids := h.UserSubmissions("alice"); len(ids) != 2 || ids[0] != "s3" || ids[1] != "s1" {
		t.Errorf("UserSubmissions = %v, want newest first [s3 s1]", ids)
	}
	h.Unsubscribe(alice)
	h.Unsubscribe(alice) // twice is fine
	if _, ok := <-alice.C; ok {
		t.Error("channel open after Unsubscribe")
	}
	if h.Subscribers() != 1 {
		t.Errorf("Subscribers = %d, want 1", h.Subscribers())
	}
}

func TestHubDropsLaggingSubscriber(t *testing.T) {
	h := NewHub()
	s := h.SubscribeUser("alice")
	for i := 0; i <= subscriptionBuffer; i++ {
		h.Publish(sub("s1", "alice", int64(i+1), time.Now()))
	}
	if !h.Lagged(s) {
		t.Fatal("a subscriber that fell behind was not marked lagged")
	}
	n := 0
	for range s.C {
		n++
	}
	if n != subscriptionBuffer {
		t.Errorf("drained %d, want %d then a closed channel", n, subscriptionBuffer)
	}
	h.Unsubscribe(s) // must not close twice
}

// Runs are indexed apart from submissions: never among a user's
// submissions nor on their stream, counted while in flight, forgotten once
// deleted.
func TestHubIndexesRunsApart(t *testing.T) {
	h := NewHub()
	stream := h.SubscribeUser("alice")
	now := time.Now()
	run := &codementor.Submission{ID: "r1", User: "alice", Kind: codementor.KindRun, Status: codementor.StatusQueued, Version: 1, CreatedAt: now}
	h.Publish(run)
	h.Publish(&codementor.Submission{ID: "s1", User: "alice", Status: codementor.StatusRunning, Version: 1, CreatedAt: now})
	if got := h.UserSubmissions("alice"); len(got) != 1 || got[0] != "s1" {
		t.Errorf("submissions %v, want s1 alone", got)
	}
	if got := h.UserRuns("alice"); len(got) != 1 || got[0] != "r1" {
		t.Errorf("runs %v, want r1", got)
	}
	if got := h.UserActiveRuns("alice"); len(got) != 1 || got[0] != "r1" {
		t.Errorf("active runs %v, want r1", got)
	}
	if q, r := h.Counts(); q != 1 || r != 1 {
		t.Errorf("counts %d queued, %d running; want 1 and 1", q, r)
	}
	if s := <-stream.C; s.ID != "s1" || len(stream.C) != 0 {
		t.Errorf("the user's stream carried %s (and %d more), want s1 alone", s.ID, len(stream.C))
	}
	done := *run
	done.Status, done.Version = codementor.StatusDone, 2
	h.Publish(&done)
	if got := h.UserActiveRuns("alice"); len(got) != 0 {
		t.Errorf("a final run is still active: %v", got)
	}
	h.Forget("r1")
	if got := h.UserRuns("alice"); len(got) != 0 {
		t.Errorf("a deleted run is still indexed: %v", got)
	}
}
