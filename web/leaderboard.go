package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
)

// leaderboard is a contest's leaderboard as one caller sees it at one
// moment: GET's body and the SSE stream's leaderboard event.
type leaderboard struct {
	ContestID string             `json:"contest_id"`
	Scoring   codementor.Scoring `json:"scoring"`
	// Frozen: the public board is frozen; learners see others' results of
	// submissions made before FreezeAt only (later ones as pending).
	Frozen bool `json:"frozen"`
	// FreezeAt is when the board freezes, or null when it never does.
	FreezeAt *time.Time                  `json:"freeze_at"`
	Phase    codementor.Phase            `json:"phase"`
	Total    int                         `json:"total"`
	Offset   int                         `json:"offset"`
	Limit    int                         `json:"limit"`
	Version  uint64                      `json:"version"`
	Rows     []codementor.LeaderboardRow `json:"rows"`
	// Me is the caller's own row, always live, ranked among the rows the
	// caller sees; null when the caller has none.
	Me *codementor.LeaderboardRow `json:"me"`
}

// rowsEvent is the SSE stream's rows event: the rows of the caller's
// window whose rank or content changed, and the users whose rows left it.
type rowsEvent struct {
	Version uint64                      `json:"version"`
	Total   int                         `json:"total"`
	Rows    []codementor.LeaderboardRow `json:"rows"`
	Removed []string                    `json:"removed,omitempty"`
}

// window is the part of a leaderboard a caller asks for.
type window struct{ offset, limit int }

// Limits of a leaderboard's window.
const (
	defaultBoardLimit = 50
	maxBoardLimit     = 500
)

// boardWindow reads ?offset= and ?limit=.
func boardWindow(c echo.Context) (window, error) {
	w := window{limit: defaultBoardLimit}
	if v := c.QueryParam("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return w, invalid("offset must be a whole number from 0")
		}
		w.offset = n
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxBoardLimit {
			return w, invalid("limit must be a whole number from 1 to %d", maxBoardLimit)
		}
		w.limit = n
	}
	return w, nil
}

// board is ct's leaderboard as who sees it at now: while it is frozen,
// learners see every row computed with the freeze as cutoff but their own
// (me), which is live; admins see the live board.
func (s *Server) board(ct *codementor.Contest, who auth.Identity, now time.Time, w window) *leaderboard {
	frozen := ct.Frozen(now)
	var cutoff time.Time
	if frozen && !who.Admin {
		cutoff = ct.FreezeAt()
	}
	rows, version := s.Standings.Leaderboard(ct, cutoff)
	b := &leaderboard{ContestID: ct.ID, Scoring: ct.Scoring, Frozen: frozen, Phase: ct.Phase(now), Total: len(rows),
		Offset: w.offset, Limit: w.limit, Version: version}
	if f := ct.FreezeAt(); !f.IsZero() {
		b.FreezeAt = &f
	}
	b.Rows = rows[min(w.offset, len(rows)):min(w.offset+w.limit, len(rows))]
	b.Me = s.meRow(ct, who.User, rows, cutoff)
	return b
}

// meRow is user's live row of ct, ranked among rows (computed at cutoff),
// or nil when they have none.
func (s *Server) meRow(ct *codementor.Contest, user string, rows []codementor.LeaderboardRow, cutoff time.Time) *codementor.LeaderboardRow {
	st := s.Standings.Row(ct.ID, user)
	if st == nil {
		return nil
	}
	me := ct.Row(user, st, time.Time{})
	if cutoff.IsZero() {
		if i := slices.IndexFunc(rows, func(r codementor.LeaderboardRow) bool { return r.User == user }); i >= 0 {
			me.Rank = rows[i].Rank
			return &me
		}
	}
	// Among others' frozen rows: one more than those strictly better,
	// as rows equal on the rule share a rank.
	me.Rank = 1
	for i := range rows {
		if rows[i].User != user && ct.Better(&rows[i], &me) < 0 {
			me.Rank++
		}
	}
	return &me
}

// getLeaderboard answers a contest's leaderboard.
func (s *Server) getLeaderboard(c echo.Context) error {
	w, err := boardWindow(c)
	if err != nil {
		return err
	}
	ct, err := s.contest(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, s.board(ct, identity(c), s.now(), w))
}

// leaderboardEvents streams a contest's leaderboard: a leaderboard event
// with GET's body, then on every change of the contest's rows a rows event
// with the rows of the caller's window whose rank or content changed (and
// the users whose rows left it), and a me event when the caller's own live
// row changed. When the board's state changes (the contest starts, its
// board freezes, it ends) a whole leaderboard event is sent again. Event
// ids are the rows' versions; a reconnect starts again from a whole
// leaderboard.
func (s *Server) leaderboardEvents(c echo.Context) error {
	w, err := boardWindow(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	// Subscribe before reading the current state so no change falls between.
	sub := s.Standings.Subscribe(id)
	defer s.Standings.Unsubscribe(sub)
	ct, err := s.contest(id)
	if err != nil {
		return err
	}
	st, err := openStream(c)
	if err != nil {
		return err
	}
	defer st.close()
	who := identity(c)
	cur := s.board(ct, who, s.now(), w)
	if st.send(strconv.FormatUint(cur.Version, 10), "leaderboard", cur) != nil {
		return nil
	}
	tick := time.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		transition, stop := afterTransition(ct, s.now())
		select {
		case _, ok := <-sub.C:
			if !ok {
				stop()
				return nil // lagged: the client reconnects
			}
			drain(sub.C)
		case <-transition:
		case <-tick.C:
			stop()
			if st.ping() != nil {
				return nil
			}
			continue
		case <-c.Request().Context().Done():
			stop()
			return nil
		case <-s.shutdown:
			stop()
			return nil
		}
		stop()
		if ct, err = s.Contests.Get(id); err != nil {
			return nil // gone, or the view is not ready: the client reconnects
		}
		next := s.board(ct, who, s.now(), w)
		if err := s.sendChanges(st, cur, next); err != nil {
			return nil
		}
		cur = next
	}
}

// sendChanges sends what changed from cur to next: a whole leaderboard
// when the board's state changed, else a rows event (if any row of the
// window changed) and a me event (if the caller's row changed).
func (s *Server) sendChanges(st *stream, cur, next *leaderboard) error {
	id := strconv.FormatUint(next.Version, 10)
	if next.Frozen != cur.Frozen || next.Phase != cur.Phase || next.Scoring != cur.Scoring || !equalTime(next.FreezeAt, cur.FreezeAt) {
		return st.send(id, "leaderboard", next)
	}
	sent := make(map[string]*codementor.LeaderboardRow, len(cur.Rows))
	for i := range cur.Rows {
		sent[cur.Rows[i].User] = &cur.Rows[i]
	}
	ev := rowsEvent{Version: next.Version, Total: next.Total, Rows: []codementor.LeaderboardRow{}}
	for i := range next.Rows {
		r := &next.Rows[i]
		if was, ok := sent[r.User]; !ok || !equalRow(was, r) {
			ev.Rows = append(ev.Rows, *r)
		}
		delete(sent, r.User)
	}
	for _, r := range cur.Rows {
		if _, left := sent[r.User]; left {
			ev.Removed = append(ev.Removed, r.User)
		}
	}
	if len(ev.Rows) > 0 || len(ev.Removed) > 0 || next.Total != cur.Total {
		if err := st.send(id, "rows", ev); err != nil {
			return err
		}
	}
	if next.Me != nil && (cur.Me == nil || !equalRow(cur.Me, next.Me)) {
		return st.send(id, "me", next.Me)
	}
	return nil
}

// afterTransition returns a channel that fires when ct's board next
// changes state by the clock alone (it starts, freezes or ends), or a nil
// channel when it never does again; stop releases its timer.
func afterTransition(ct *codementor.Contest, now time.Time) (<-chan time.Time, func()) {
	for _, at := range []time.Time{ct.Start, ct.FreezeAt(), ct.End} {
		if !at.IsZero() && at.After(now) {
			t := time.NewTimer(at.Sub(now))
			return t.C, func() { t.Stop() }
		}
	}
	return nil, func() {}
}

// drain empties c of what is waiting: one board covers every change. It
// stops at a closed c, which the next receive sees.
func drain[T any](c <-chan T) {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

func equalTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

// equalRow reports whether two rows show the same.
func equalRow(a, b *codementor.LeaderboardRow) bool {
	return a.Rank == b.Rank && a.User == b.User && a.Score == b.Score && a.Solved == b.Solved && a.Penalty == b.Penalty &&
		a.Last.Equal(b.Last) && slices.Equal(a.Questions, b.Questions)
}
