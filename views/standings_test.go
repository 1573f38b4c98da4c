package views_test

import (
	"context"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/views"
)

// runView runs a view until the end of the test.
func runView(t *testing.T, run func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// waitFor polls ok for up to 30 s.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
	}
}

// The standings view indexes the rows it replayed at start and every
// change after, ranks a contest's leaderboard from them, and publishes each
// change to the contest's subscribers; the contests view lists contests,
// and its list follows the table.
func TestStandingsAndContestsViews(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	table := goka.Stream(codementor.StandingsTable)
	put := func(st *codementor.Standing) {
		t.Helper()
		kafkatest.Emit(c, table, codementor.ContestRowKey(st.ContestID, st.User), st)
	}
	put(row("alice", c0, entry{"q1", 50, 10}))
	put(row("bob", c0, entry{"q1", 100, 20}))
	contest := boardContest()
	kafkatest.Emit(c, goka.Stream(codementor.ContestsTable), contest.ID, contest)

	opts := append(c.Kafka.ViewOptions("test", kafkatest.Quiet), goka.WithViewStorageBuilder(storage.MemoryBuilder()))
	sv, err := views.NewStandings(c.Brokers, kafkatest.Quiet, opts...)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := views.NewContests(c.Brokers, opts...)
	if err != nil {
		t.Fatal(err)
	}
	runView(t, sv.Run)
	runView(t, cv.Run)
	waitFor(t, "the standings view indexed", sv.Recovered)
	waitFor(t, "the contests view recovered", cv.Recovered)

	rows, v := sv.Leaderboard(contest, time.Time{})
	if got, want := users(rows), "1:bob:100 2:alice:50 "; got != want {
		t.Errorf("replayed board %q, want %q", got, want)
	}
	list, err := cv.List()
	if err != nil || len(list) != 1 || list[0].ID != "c1" || list[0].Title != "C1" {
		t.Fatalf("List() = %+v, %v", list, err)
	}

	sub := sv.Subscribe("c1")
	defer sv.Unsubscribe(sub)
	put(row("carol", c0.Add(time.Minute), entry{"q1", 100, 5}))
	select {
	case st := <-sub.C:
		if st.User != "carol" {
			t.Errorf("published %+v, want carol's row", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change published within 10 s")
	}
	rows, v2 := sv.Leaderboard(contest, time.Time{})
	if got, want := users(rows), "1:carol:100 2:bob:100 3:alice:50 "; got != want || v2 <= v {
		t.Errorf("live board %q version %d (was %d), want %q", got, v2, v, want)
	}
	if st := sv.Row("c1", "carol"); st == nil || len(st.Entries) != 1 {
		t.Errorf("Row(c1, carol) = %+v", st)
	}

	second := boardContest()
	second.ID, second.Title = "c2", "C2"
	kafkatest.Emit(c, goka.Stream(codementor.ContestsTable), second.ID, second)
	waitFor(t, "the contests list shows c2", func() bool {
		list, err := cv.List()
		return err == nil && len(list) == 2 && list[1].ID == "c2"
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if got, err := cv.Await(ctx, "c2", func(c *codementor.Contest) bool { return c.Title == "C2" }); err != nil || got.ID != "c2" {
		t.Errorf("Await(c2) = %+v, %v", got, err)
	}
}
