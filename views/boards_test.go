package views_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

var c0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// boardContest is an IOI contest of two questions from c0 for two hours,
// frozen for its last 30 minutes.
func boardContest() *codementor.Contest {
	c := &codementor.Contest{ID: "c1", Title: "C1", Start: c0, End: c0.Add(2 * time.Hour), FreezeMinutes: 30,
		Questions: []codementor.ContestQuestion{{QuestionID: "q1"}, {QuestionID: "q2"}}, UpdatedAt: c0.Add(-time.Hour)}
	c.Normalize()
	return c
}

// row is user's row in c1 with one entry per score given, made at the
// minutes given, on q1 then q2.
func row(user string, updated time.Time, entries ...entry) *codementor.Standing {
	st := &codementor.Standing{ContestID: "c1", User: user, Entries: map[string]codementor.StandingEntry{}, UpdatedAt: updated}
	for i, e := range entries {
		verdict := codementor.VerdictWrongAnswer
		if e.score == 100 {
			verdict = codementor.VerdictAccepted
		}
		st.Entries[fmt.Sprintf("%s-%d", user, i)] = codementor.StandingEntry{QuestionID: e.question, Verdict: verdict,
			Score: e.score, MaxScore: 100, CreatedAt: c0.Add(time.Duration(e.minute) * time.Minute)}
	}
	return st
}

type entry struct {
	question string
	score    int
	minute   int
}

func users(rows []codementor.LeaderboardRow) string {
	s := ""
	for _, r := range rows {
		s += fmt.Sprintf("%d:%s:%g ", r.Rank, r.User, r.Score)
	}
	return s
}

// The leaderboard ranks every participant with a row; the ranking is kept
// until a row of the contest, or the contest, changes; a cutoff hides what
// was submitted from then on.
func TestBoardsLeaderboard(t *testing.T) {
	b := views.NewBoards()
	c := boardContest()
	b.Index(row("alice", c0, entry{"q1", 50, 10}))
	b.Index(row("bob", c0, entry{"q1", 100, 20}, entry{"q2", 100, 100}))
	b.Index(row("carol", c0, entry{"q1", 50, 5}))
	other := row("dave", c0, entry{"q1", 100, 1})
	other.ContestID = "c2"
	b.Index(other)

	rows, v := b.Leaderboard(c, time.Time{})
	if got, want := users(rows), "1:bob:200 2:carol:50 3:alice:50 "; got != want {
		t.Errorf("live board %q, want %q", got, want)
	}
	again, v2 := b.Leaderboard(c, time.Time{})
	if &again[0] != &rows[0] || v2 != v {
		t.Error("the board was ranked again without a change")
	}
	frozen, _ := b.Leaderboard(c, c.FreezeAt())
	if got, want := users(frozen), "1:bob:100 2:carol:50 3:alice:50 "; got != want {
		t.Errorf("frozen board %q, want %q", got, want)
	}
	if frozen[0].Questions[1].Pending != 1 {
		t.Errorf("bob's q2 after the freeze is not pending: %+v", frozen[0].Questions[1])
	}

	// Another contest's change keeps c1's ranking.
	frank := row("frank", c0.Add(time.Minute))
	frank.ContestID = "c2"
	b.Publish(frank)
	if again, _ := b.Leaderboard(c, time.Time{}); &again[0] != &rows[0] {
		t.Error("a change of no row of c1 ranked it again")
	}
	// A change of one of its rows ranks it again.
	b.Publish(row("erin", c0.Add(time.Minute)))
	b.Publish(row("alice", c0.Add(time.Minute), entry{"q1", 50, 10}, entry{"q2", 100, 30}))
	rows2, v3 := b.Leaderboard(c, time.Time{})
	if got, want := users(rows2), "1:bob:200 2:alice:150 3:carol:50 4:erin:0 "; got != want {
		t.Errorf("after alice's change %q, want %q", got, want)
	}
	if v3 <= v {
		t.Errorf("version %d after a change, was %d", v3, v)
	}
	// So does a change of the contest.
	c.Questions[1].Points = 10
	c.UpdatedAt = c.UpdatedAt.Add(time.Minute)
	if rows3, _ := b.Leaderboard(c, time.Time{}); users(rows3) != "1:bob:110 2:alice:60 3:carol:50 4:erin:0 " {
		t.Errorf("after the contest's change %q", users(rows3))
	}

	if st := b.Row("c1", "alice"); st == nil || len(st.Entries) != 2 {
		t.Errorf("Row(c1, alice) = %+v", st)
	}
	if st := b.Row("c1", "dave"); st != nil {
		t.Errorf("Row(c1, dave) = %+v, want nil", st)
	}
	b.Forget(codementor.ContestRowKey("c1", "erin"))
	if rows, _ := b.Leaderboard(c, time.Time{}); len(rows) != 3 {
		t.Errorf("after erin's row was deleted: %q", users(rows))
	}
}

// A scan's older state of a row does not replace the newer one the
// callback indexed while the scan ran.
func TestBoardsIndexKeepsNewer(t *testing.T) {
	b := views.NewBoards()
	b.Publish(row("alice", c0.Add(time.Minute), entry{"q1", 100, 1}))
	b.Index(row("alice", c0))
	if st := b.Row("c1", "alice"); len(st.Entries) != 1 {
		t.Errorf("an older state replaced the row: %+v", st)
	}
	b.Index(row("alice", c0.Add(2*time.Minute)))
	if st := b.Row("c1", "alice"); len(st.Entries) != 0 {
		t.Errorf("a newer state did not replace the row: %+v", st)
	}
}

// Subscribers of a contest get each change of its rows, not of other
// contests'; one that falls behind is closed and marked lagged.
func TestBoardsSubscriptions(t *testing.T) {
	b := views.NewBoards()
	s1, slow := b.Subscribe("c1"), b.Subscribe("c1")
	other := b.Subscribe("c2")
	defer b.Unsubscribe(s1)
	defer b.Unsubscribe(other)
	if n := b.Subscribers("c1"); n != 2 {
		t.Errorf("Subscribers(c1) = %d, want 2", n)
	}
	b.Publish(row("alice", c0))
	if st := <-s1.C; st.User != "alice" {
		t.Errorf("got %+v", st)
	}
	select {
	case st := <-other.C:
		t.Errorf("c2's subscriber got c1's row %+v", st)
	default:
	}
	for i := range 300 { // more than a subscriber may fall behind
		b.Publish(row("alice", c0.Add(time.Duration(i)*time.Second)))
		<-s1.C
	}
	n := 0
	for range slow.C {
		n++
	}
	if !b.Lagged(slow) || b.Lagged(s1) || n == 0 || n >= 300 {
		t.Errorf("the slow subscriber: lagged %v after %d changes (the other lagged: %v)", b.Lagged(slow), n, b.Lagged(s1))
	}
	b.Unsubscribe(slow) // a second end does nothing
	if n := b.Subscribers("c1"); n != 1 {
		t.Errorf("Subscribers(c1) = %d, want 1", n)
	}
}

// A thousand readers asking at once after a change of a contest with a
// thousand participants share one ranking, and it takes milliseconds.
func TestBoardsManyReaders(t *testing.T) {
	b := views.NewBoards()
	c := boardContest()
	for i := range 1000 {
		b.Index(row(fmt.Sprintf("u%04d", i), c0, entry{"q1", i % 101, i % 120}, entry{"q2", (i * 7) % 101, i % 90}))
	}
	began := time.Now()
	first, _ := b.Leaderboard(c, time.Time{})
	took := time.Since(began)
	if len(first) != 1000 || first[0].Rank != 1 {
		t.Fatalf("%d rows, the first ranked %d", len(first), first[0].Rank)
	}
	b.Publish(row("u0000", c0.Add(time.Second), entry{"q1", 100, 1}))
	var wg sync.WaitGroup
	boards := make([][]codementor.LeaderboardRow, 1000)
	for i := range boards {
		wg.Go(func() { boards[i], _ = b.Leaderboard(c, time.Time{}) })
	}
	wg.Wait()
	for i, rows := range boards {
		if &rows[0] != &boards[0][0] {
			t.Fatalf("reader %d ranked the board again", i)
		}
	}
	if took > time.Second {
		t.Errorf("ranking 1000 rows took %s", took)
	}
	t.Logf("ranking 1000 rows took %s", took)
}

func BenchmarkLeaderboardRank1000(b *testing.B) {
	boards := views.NewBoards()
	c := boardContest()
	for i := range 1000 {
		boards.Index(row(fmt.Sprintf("u%04d", i), c0, entry{"q1", i % 101, i % 120}, entry{"q2", (i * 7) % 101, i % 90}))
	}
	for i := 0; b.Loop(); i++ {
		boards.Publish(row("u0000", c0.Add(time.Duration(i)*time.Second), entry{"q1", 100, 1}))
		boards.Leaderboard(c, time.Time{})
	}
}
