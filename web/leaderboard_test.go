package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// judgedAt is a contest submission of question, made minute minutes after
// cstart and judged verdict with score (of 100).
type judgedAt struct {
	question string
	minute   int
	verdict  codementor.Verdict
	score    int
}

// standing is user's row of c1 with one entry per submission given.
func standing(user string, subs ...judgedAt) *codementor.Standing {
	st := &codementor.Standing{ContestID: "c1", User: user, Entries: map[string]codementor.StandingEntry{}, UpdatedAt: t0}
	for i, s := range subs {
		created := cstart.Add(time.Duration(s.minute) * time.Minute)
		st.Entries[fmt.Sprintf("%s-%d", user, i)] = codementor.StandingEntry{QuestionID: s.question, Verdict: s.verdict,
			Score: s.score, MaxScore: 100, CreatedAt: created, JudgedAt: created.Add(time.Second)}
	}
	return st
}

var (
	ac = codementor.VerdictAccepted
	wa = codementor.VerdictWrongAnswer
)

// board renders a leaderboard's rows as "rank user score" each.
func boardRows(rows []codementor.LeaderboardRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d %s %g", r.Rank, r.User, r.Score))
	}
	return strings.Join(out, ", ")
}

func meRowString(r *codementor.LeaderboardRow) string {
	if r == nil {
		return "null"
	}
	return boardRows([]codementor.LeaderboardRow{*r})
}

// putStandings puts the leaderboard fixture: bob and carol solved a-plus-b
// before the freeze (at 100 minutes); alice solved a-plus-b after it and
// half of a-times-b before; dave only half of a-times-b after it.
func putStandings(h *harness) {
	h.p.Standings.Put(standing("bob", judgedAt{"a-plus-b", 10, wa, 0}, judgedAt{"a-plus-b", 20, ac, 100}))
	h.p.Standings.Put(standing("carol", judgedAt{"a-plus-b", 15, ac, 100}))
	h.p.Standings.Put(standing("alice", judgedAt{"a-times-b", 30, wa, 50}, judgedAt{"a-plus-b", 95, ac, 100}))
	h.p.Standings.Put(standing("dave", judgedAt{"a-times-b", 100, wa, 50}))
}

func TestLeaderboard(t *testing.T) {
	h := contestHarness(t, Config{})
	putStandings(h)
	get := func(t *testing.T, token, query string) leaderboard {
		t.Helper()
		var b leaderboard
		r := h.send(t, "GET", "/api/contests/c1/leaderboard"+query, token, nil)
		if r.decode(t, &b); r.status != http.StatusOK {
			t.Fatalf("got %d %s", r.status, r.body)
		}
		return b
	}
	const live = "1 alice 125, 2 carol 100, 3 bob 100, 4 dave 25"
	t.Run("running", func(t *testing.T) {
		h.at(80 * time.Minute)
		b := get(t, h.bob, "")
		if boardRows(b.Rows) != live || b.Total != 4 || b.Offset != 0 || b.Limit != 50 || b.Frozen || b.Phase != codementor.PhaseRunning ||
			b.FreezeAt == nil || !b.FreezeAt.Equal(cstart.Add(90*time.Minute)) || b.ContestID != "c1" || b.Scoring != codementor.ScoringIOI || b.Version == 0 {
			t.Errorf("got %+v", b)
		}
		if meRowString(b.Me) != "3 bob 100" || b.Me.Questions[0].Tries != 2 || b.Me.Questions[0].Rejected != 1 {
			t.Errorf("me = %+v", b.Me)
		}
		if b.Rows[0].Questions[1].Score != 25 || b.Rows[0].Questions[1].Label != "B" {
			t.Errorf("alice's a-times-b: %+v", b.Rows[0].Questions[1])
		}
		if b := get(t, h.token(t, "erin", false), ""); b.Me != nil {
			t.Errorf("erin, who has no row, got me = %+v", b.Me)
		}
	})
	t.Run("a window", func(t *testing.T) {
		h.at(80 * time.Minute)
		if b := get(t, h.alice, "?offset=1&limit=2"); boardRows(b.Rows) != "2 carol 100, 3 bob 100" || b.Total != 4 || b.Offset != 1 || b.Limit != 2 || meRowString(b.Me) != "1 alice 125" {
			t.Errorf("got %+v", b)
		}
		if b := get(t, h.alice, "?offset=9"); len(b.Rows) != 0 || b.Total != 4 || b.Rows == nil {
			t.Errorf("past the end: %+v", b)
		}
	})
	t.Run("frozen", func(t *testing.T) {
		h.at(110 * time.Minute)
		b := get(t, h.bob, "")
		// Alice's accept and dave's half are after the freeze: pending.
		if boardRows(b.Rows) != "1 carol 100, 2 bob 100, 3 alice 25, 4 dave 0" || !b.Frozen {
			t.Errorf("bob's board: %+v", b)
		}
		if b.Rows[2].Questions[0].Pending != 1 || b.Rows[2].Questions[0].Solved {
			t.Errorf("alice's hidden accept: %+v", b.Rows[2].Questions[0])
		}
		// Alice sees her own accept, ranked among the frozen rows.
		if b := get(t, h.alice, ""); meRowString(b.Me) != "1 alice 125" || boardRows(b.Rows) != "1 carol 100, 2 bob 100, 3 alice 25, 4 dave 0" {
			t.Errorf("alice's board: %s, me %s", boardRows(b.Rows), meRowString(b.Me))
		}
		if b := get(t, h.token(t, "dave", false), ""); meRowString(b.Me) != "4 dave 25" {
			t.Errorf("dave's me: %s", meRowString(b.Me))
		}
		if b := get(t, h.admin, ""); boardRows(b.Rows) != live || !b.Frozen {
			t.Errorf("the admin's board: %+v", b)
		}
	})
	t.Run("over", func(t *testing.T) {
		h.at(2 * time.Hour)
		if b := get(t, h.bob, ""); boardRows(b.Rows) != live || b.Frozen || b.Phase != codementor.PhaseOver {
			t.Errorf("got %+v", b)
		}
	})
	t.Run("no freeze", func(t *testing.T) {
		c := fixtureContest("c1", cstart)
		c.FreezeMinutes = 0
		h.p.Contests.Put(c)
		defer h.p.Contests.Put(fixtureContest("c1", cstart))
		h.at(110 * time.Minute)
		if b := get(t, h.bob, ""); boardRows(b.Rows) != live || b.Frozen || b.FreezeAt != nil {
			t.Errorf("got %+v", b)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct {
			path   string
			status int
			code   string
		}{
			{"/api/contests/nope/leaderboard", http.StatusNotFound, "not_found"},
			{"/api/contests/c1/leaderboard?limit=0", http.StatusUnprocessableEntity, "invalid"},
			{"/api/contests/c1/leaderboard?limit=501", http.StatusUnprocessableEntity, "invalid"},
			{"/api/contests/c1/leaderboard?limit=ten", http.StatusUnprocessableEntity, "invalid"},
			{"/api/contests/c1/leaderboard?offset=-1", http.StatusUnprocessableEntity, "invalid"},
			{"/api/contests/nope/leaderboard/events", http.StatusNotFound, "not_found"},
			{"/api/contests/c1/leaderboard/events?limit=501", http.StatusUnprocessableEntity, "invalid"},
		} {
			if r := h.send(t, "GET", c.path, h.alice, nil); r.status != c.status || r.errorCode() != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.path, r.status, r.body, c.status, c.code)
			}
		}
		if n := h.p.Standings.Subscribers("nope") + h.p.Standings.Subscribers("c1"); n != 0 {
			t.Errorf("%d subscriptions left open", n)
		}
	})
}

// waitBoardSubscribed waits until n streams have subscribed to contest's
// rows.
func (h *harness) waitBoardSubscribed(tb testing.TB, contest string, n int) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); h.p.Standings.Subscribers(contest) != n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatalf("%d streams subscribed to %s, want %d", h.p.Standings.Subscribers(contest), contest, n)
		}
	}
}

// /api/contests/:id/leaderboard/events: the leaderboard, then the rows of
// the window that change, and the caller's own live row when it changes;
// the whole leaderboard again when the board freezes.
func TestLeaderboardEvents(t *testing.T) {
	for _, c := range []struct {
		name  string
		at    time.Duration
		query string
		steps []*codementor.Standing // put one at a time, each read
		reads []int                  // frames each step makes
	}{
		// Erin's first row, then bob's better one (bob passes carol), then
		// alice's own: rows events, and her me event each time her row
		// or rank changes.
		{name: "running", at: 80 * time.Minute, steps: []*codementor.Standing{
			standing("erin", judgedAt{"a-times-b", 40, wa, 10}),
			standing("bob", judgedAt{"a-plus-b", 20, ac, 100}, judgedAt{"a-times-b", 50, ac, 100}),
			standing("alice", judgedAt{"a-times-b", 30, ac, 100}, judgedAt{"a-plus-b", 95, ac, 100}),
		}, reads: []int{1, 2, 2}},
		// A window of the top two: carol's change moves her to the top
		// (alice's rank changes: her me event too), dave's (below it)
		// sends nothing, carol's next try changes her row; then dave
		// takes the top: alice leaves the window.
		{name: "a window", at: 80 * time.Minute, query: "?limit=2", steps: []*codementor.Standing{
			standing("carol", judgedAt{"a-plus-b", 15, ac, 100}, judgedAt{"a-times-b", 16, ac, 100}),
			standing("dave", judgedAt{"a-times-b", 100, wa, 60}),
			standing("carol", judgedAt{"a-plus-b", 15, ac, 100}, judgedAt{"a-times-b", 16, ac, 100}, judgedAt{"a-times-b", 17, ac, 100}),
			standing("dave", judgedAt{"a-plus-b", 1, ac, 100}, judgedAt{"a-times-b", 2, ac, 100}),
		}, reads: []int{2, 0, 1, 2}},
		// Frozen: bob's late accept shows as pending; alice's own late
		// accept is pending on the board and live in her me event.
		{name: "frozen", at: 110 * time.Minute, steps: []*codementor.Standing{
			standing("bob", judgedAt{"a-plus-b", 10, wa, 0}, judgedAt{"a-plus-b", 20, ac, 100}, judgedAt{"a-times-b", 105, ac, 100}),
			standing("alice", judgedAt{"a-times-b", 30, wa, 50}, judgedAt{"a-plus-b", 95, ac, 100}, judgedAt{"a-times-b", 106, ac, 100}),
		}, reads: []int{1, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := contestHarness(t, Config{})
			h.at(c.at)
			putStandings(h)
			s := h.openEvents(t, "/api/contests/c1/leaderboard/events"+c.query, h.alice, "")
			frames := s.read(2)
			for i, st := range c.steps {
				h.p.Standings.Put(st)
				frames = append(frames, s.read(c.reads[i])...)
			}
			golden(t, "leaderboard-events/"+strings.ReplaceAll(c.name, " ", "-"), frames)
		})
	}
	t.Run("the board freezes", func(t *testing.T) {
		h := contestHarness(t, Config{})
		putStandings(h)
		began := time.Now()
		h.s.now = func() time.Time { return cstart.Add(90*time.Minute - 50*time.Millisecond).Add(time.Since(began)) }
		s := h.openEvents(t, "/api/contests/c1/leaderboard/events", h.bob, "")
		golden(t, "leaderboard-events/the-board-freezes", s.read(3))
	})
	t.Run("heartbeat", func(t *testing.T) {
		h := contestHarness(t, Config{Heartbeat: 10 * time.Millisecond})
		h.at(time.Hour)
		s := h.openEvents(t, "/api/contests/c1/leaderboard/events", h.alice, "")
		if got := s.read(4); len(got) != 4 || got[0] != retryFrame || !strings.Contains(got[1], "event: leaderboard") || got[2] != ": ping" || got[3] != ": ping" {
			t.Errorf("got %q, want the retry frame, the leaderboard, then pings", got)
		}
	})
	t.Run("shutdown ends it", func(t *testing.T) {
		h := contestHarness(t, Config{})
		h.at(time.Hour)
		s := h.openEvents(t, "/api/contests/c1/leaderboard/events", h.alice, "")
		s.read(2)
		h.s.once.Do(func() { close(h.s.shutdown) })
		s.ended(t)
		h.waitBoardSubscribed(t, "c1", 0)
	})
}
