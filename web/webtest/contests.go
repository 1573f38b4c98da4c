package webtest

import (
	"context"
	"fmt"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// Contests is a fake of the contests view (*views.Contests).
type Contests struct{ table[codementor.Contest] }

// NewContests returns an empty view.
func NewContests() *Contests { return &Contests{newTable[codementor.Contest]("the contests table")} }

// Put stores c.
func (c *Contests) Put(v *codementor.Contest) { c.put(v.ID, v) }

// List returns every contest, sorted by ID.
func (c *Contests) List() ([]*codementor.Contest, error) { return c.list(), nil }

// ContestEmitter is a fake of the contests emitter (*emitters.Contests):
// what it accepts is stored in Contests, if not nil.
type ContestEmitter struct {
	Contests *Contests

	failing
}

// Emit accepts c under key.
func (e *ContestEmitter) Emit(ctx context.Context, key string, c *codementor.Contest) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return fmt.Errorf("emit %s: %w", key, e.err)
	}
	if e.Contests != nil {
		e.Contests.put(key, c)
	}
	return nil
}

// Standings is a fake of the standings view (*views.Standings): its rows
// are indexed, ranked and published by the same views.Boards the view
// uses.
type Standings struct{ boards *views.Boards }

// NewStandings returns an empty view.
func NewStandings() *Standings { return &Standings{boards: views.NewBoards()} }

// Put stores st as its participant's row, as the standings group would,
// and publishes it to the contest's subscribers.
func (s *Standings) Put(st *codementor.Standing) {
	c := *st
	s.boards.Publish(&c)
}

// Leaderboard returns c's rows at cutoff, ranked, and their version.
func (s *Standings) Leaderboard(c *codementor.Contest, cutoff time.Time) ([]codementor.LeaderboardRow, uint64) {
	return s.boards.Leaderboard(c, cutoff)
}

// Row returns user's row of contest, or nil when they have none.
func (s *Standings) Row(contest, user string) *codementor.Standing {
	return s.boards.Row(contest, user)
}

// Subscribe subscribes to the changes of contest's rows.
func (s *Standings) Subscribe(contest string) *views.BoardSubscription {
	return s.boards.Subscribe(contest)
}

// Unsubscribe ends sub. It is safe to call more than once.
func (s *Standings) Unsubscribe(sub *views.BoardSubscription) { s.boards.Unsubscribe(sub) }

// Subscribers returns the number of open subscriptions to contest's rows:
// a test waits for a stream to have subscribed before it puts the change
// the stream should carry.
func (s *Standings) Subscribers(contest string) int { return s.boards.Subscribers(contest) }
