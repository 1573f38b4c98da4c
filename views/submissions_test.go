package views_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/views"
)

// The submission view indexes what it replayed at start, though its
// callback leaves the replay to the start-up scan; once running it indexes
// every change it consumes, and publishes it to the subscribers of its own
// hub.
func TestSubmissionViewIndexesAndPublishes(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	table := goka.Stream(codementor.SubmissionsTable)
	emit := func(id, user string, version int64, created time.Time) {
		t.Helper()
		kafkatest.Emit(c, table, id, &codementor.Submission{ID: id, User: user, Status: codementor.StatusQueued, Version: version, CreatedAt: created})
	}
	emit("s1", "alice", 1, t0)
	emit("s2", "bob", 1, t0.Add(time.Second))
	emit("s3", "alice", 1, t0.Add(2*time.Second))
	emit("s1", "alice", 2, t0)

	subs, err := views.NewSubmissions(c.Brokers, kafkatest.Quiet, append(c.Kafka.ViewOptions("test", kafkatest.Quiet),
		goka.WithViewStorageBuilder(storage.MemoryBuilder()))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- subs.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); !subs.Recovered(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the view did not recover and index within 30 s")
		}
	}
	if got, want := subs.UserSubmissions("alice"), []string{"s3", "s1"}; !slices.Equal(got, want) {
		t.Errorf("UserSubmissions(alice) = %v, want %v", got, want)
	}
	if got, err := subs.Get("s1"); err != nil || got.Version != 2 {
		t.Errorf("Get(s1) = %+v, %v; want version 2", got, err)
	}

	// With no one subscribed, a live change is still indexed.
	emit("s4", "alice", 1, t0.Add(3*time.Second))
	for deadline := time.Now().Add(10 * time.Second); !slices.Contains(subs.UserSubmissions("alice"), "s4"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("UserSubmissions(alice) = %v; s4 not indexed within 10 s", subs.UserSubmissions("alice"))
		}
	}

	alice, s5 := subs.SubscribeUser("alice"), subs.SubscribeSubmission("s5")
	defer subs.Unsubscribe(alice)
	defer subs.Unsubscribe(s5)
	emit("s2", "bob", 2, t0.Add(time.Second))
	emit("s5", "alice", 1, t0.Add(4*time.Second))
	for name, sub := range map[string]*views.Subscription{"alice's": alice, "s5's": s5} {
		select {
		case got := <-sub.C:
			if got.ID != "s5" || got.Version != 1 {
				t.Errorf("%s subscription got %s version %d, want s5 version 1", name, got.ID, got.Version)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s subscription got nothing within 10 s", name)
		}
	}
	if got, want := subs.UserSubmissions("alice"), []string{"s5", "s4", "s3", "s1"}; !slices.Equal(got, want) {
		t.Errorf("UserSubmissions(alice) after live changes = %v, want %v", got, want)
	}
}
