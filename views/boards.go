package views

import (
	"fmt"
	"strings"
	"sync"
	"time"

	codementor "github.com/codementor/codementor"
)

// Boards indexes the standings table by contest (contest → user → row),
// ranks a contest's rows for its leaderboard, and fans each change of a
// contest's rows out to that contest's subscribers. The standings view owns
// one, fed by its callback, and at start by a scan of what its local
// storage held; fakes of the view use one of their own.
//
// A contest's ranked rows are kept per cutoff until one of its rows (or
// the contest) changes: the leaderboards of a contest with a thousand
// participants, and the streams of everyone watching it, are ranked once
// per change, not once per request.
type Boards struct {
	mu       sync.Mutex
	rows     map[string]map[string]*codementor.Standing // contest → user → row
	versions map[string]uint64                          // contest → changes of its rows
	ranked   map[rankKey]*ranking
	subs     map[string]map[*BoardSubscription]struct{} // contest → subscriptions
}

// rankKey names a contest's ranked rows at a cutoff (UnixNano; 0: none).
type rankKey struct {
	contest string
	cutoff  int64
}

// ranking is a contest's rows ranked at one version of its rows and one
// state of the contest. Rows is set once done is closed: the first reader
// ranks, the others wait for it.
type ranking struct {
	version uint64
	contest string // the contest's fingerprint
	done    chan struct{}
	rows    []codementor.LeaderboardRow
}

// NewBoards returns an empty index.
func NewBoards() *Boards {
	return &Boards{rows: map[string]map[string]*codementor.Standing{}, versions: map[string]uint64{},
		ranked: map[rankKey]*ranking{}, subs: map[string]map[*BoardSubscription]struct{}{}}
}

// BoardSubscription receives the rows of one contest that change. When the
// subscriber falls too far behind, C is closed and Lagged reports true: the
// subscriber reconnects and starts again from the view.
type BoardSubscription struct {
	C       <-chan *codementor.Standing
	c       chan *codementor.Standing
	contest string
	lagged  bool
}

// Subscribe subscribes to the changes of contest's rows.
func (b *Boards) Subscribe(contest string) *BoardSubscription {
	c := make(chan *codementor.Standing, subscriptionBuffer)
	s := &BoardSubscription{C: c, c: c, contest: contest}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs[contest] == nil {
		b.subs[contest] = map[*BoardSubscription]struct{}{}
	}
	b.subs[contest][s] = struct{}{}
	return s
}

// Unsubscribe ends s. It is safe to call more than once.
func (b *Boards) Unsubscribe(s *BoardSubscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.dropLocked(s)
}

// dropLocked removes s, if it is still subscribed, and closes it.
func (b *Boards) dropLocked(s *BoardSubscription) {
	subs := b.subs[s.contest]
	if _, ok := subs[s]; !ok { // a lagged subscription is gone already
		return
	}
	delete(subs, s)
	if len(subs) == 0 {
		delete(b.subs, s.contest)
	}
	close(s.c)
}

// Lagged reports whether s was ended because its subscriber fell behind.
func (b *Boards) Lagged(s *BoardSubscription) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return s.lagged
}

// Subscribers returns the number of open subscriptions to contest's rows.
func (b *Boards) Subscribers(contest string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[contest])
}

// Index records st without notifying anyone, unless the index holds a
// newer state of its row already (a scan may read a row older than one
// the callback indexed while it ran).
func (b *Boards) Index(st *codementor.Standing) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur := b.rows[st.ContestID][st.User]; cur != nil && cur.UpdatedAt.After(st.UpdatedAt) {
		return
	}
	b.setLocked(st)
}

// Publish records st as its row's current state and hands it to the
// contest's subscribers without blocking.
func (b *Boards) Publish(st *codementor.Standing) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setLocked(st)
	for s := range b.subs[st.ContestID] {
		select {
		case s.c <- st:
		default:
			s.lagged = true
			b.dropLocked(s)
		}
	}
}

func (b *Boards) setLocked(st *codementor.Standing) {
	rows := b.rows[st.ContestID]
	if rows == nil {
		rows = map[string]*codementor.Standing{}
		b.rows[st.ContestID] = rows
	}
	rows[st.User] = st
	b.changedLocked(st.ContestID)
}

// changedLocked retires contest's ranked rows.
func (b *Boards) changedLocked(contest string) {
	b.versions[contest]++
	for k := range b.ranked {
		if k.contest == contest {
			delete(b.ranked, k)
		}
	}
}

// Forget removes the row of key (a ContestRowKey) from the index: the
// table deleted it.
func (b *Boards) Forget(key string) {
	contest, user, ok := strings.Cut(key, "/")
	if !ok {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	rows := b.rows[contest]
	if _, ok := rows[user]; !ok {
		return
	}
	delete(rows, user)
	if len(rows) == 0 {
		delete(b.rows, contest)
	}
	b.changedLocked(contest)
}

// Row returns user's row of contest as the table holds it, or nil when
// they have none (no submission of theirs was judged yet). Callers must
// not change it.
func (b *Boards) Row(contest, user string) *codementor.Standing {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rows[contest][user]
}

// Version returns the number of changes of contest's rows this index has
// seen: it grows with every change.
func (b *Boards) Version(contest string) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.versions[contest]
}

// Leaderboard returns c's rows computed at cutoff (see Contest.Row; the
// zero time: every submission counts) and ranked, best first, with the
// version of the rows they were computed from. Every participant with a
// row has one. The slice is shared between callers, who must not change
// it. The ranking is kept until a row of c, or c itself, changes; callers
// asking while it is computed wait for it rather than computing it again.
func (b *Boards) Leaderboard(c *codementor.Contest, cutoff time.Time) ([]codementor.LeaderboardRow, uint64) {
	key := rankKey{contest: c.ID}
	if !cutoff.IsZero() {
		key.cutoff = cutoff.UnixNano()
	}
	fp := fingerprint(c)
	b.mu.Lock()
	version := b.versions[c.ID]
	if r := b.ranked[key]; r != nil && r.version == version && r.contest == fp {
		b.mu.Unlock()
		<-r.done
		return r.rows, version
	}
	r := &ranking{version: version, contest: fp, done: make(chan struct{})}
	b.ranked[key] = r
	standings := make([]*codementor.Standing, 0, len(b.rows[c.ID]))
	for _, st := range b.rows[c.ID] {
		standings = append(standings, st)
	}
	b.mu.Unlock()

	rows := make([]codementor.LeaderboardRow, len(standings))
	for i, st := range standings {
		rows[i] = c.Row(st.User, st, cutoff)
	}
	c.RankRows(rows)
	r.rows = rows
	close(r.done)
	return rows, version
}

// fingerprint is what of c its rows depend on: a change of any of it
// ranks its rows again.
func fingerprint(c *codementor.Contest) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d|%s|%d|%d", c.UpdatedAt.UnixNano(), c.Scoring, c.Start.UnixNano(), c.End.UnixNano())
	for _, q := range c.Questions {
		fmt.Fprintf(&sb, "|%s:%s:%d", q.QuestionID, q.Label, q.Points)
	}
	return sb.String()
}
