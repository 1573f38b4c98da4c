package views

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// Standings is a view of the standings table: every contest participant's
// row. It keeps them indexed by contest in its Boards, which ranks a
// contest's leaderboard and publishes each change to the contest's
// subscribers: subscribe through the view.
type Standings struct {
	*table[codementor.Standing]
	boards *Boards
	log    *slog.Logger
	// scanning is set once Run's scan of the storage begins, indexed once
	// it has ended.
	scanning, indexed atomic.Bool
}

// NewStandings builds the view and its index.
func NewStandings(brokers []string, log *slog.Logger, opts ...goka.ViewOption) (*Standings, error) {
	s := &Standings{boards: NewBoards(), log: log}
	t, err := newTable[codementor.Standing](brokers, codementor.StandingsTable, opts, s.changed)
	if err != nil {
		return nil, err
	}
	s.table = t
	return s, nil
}

// changed indexes and publishes a change. One consumed before Run's scan
// begins (the view replaying the table) is left to the scan, which indexes
// every row stored by then, this one included, as the submission view
// does.
func (s *Standings) changed(ctx goka.UpdateContext, key string, value []byte) {
	if value == nil {
		s.boards.Forget(key)
		return
	}
	if !s.scanning.Load() {
		return
	}
	v, err := new(codementor.StandingCodec).Decode(value)
	if err != nil {
		s.log.Error("undecodable standing in table", "key", key, "offset", ctx.Offset(), "err", err)
		return
	}
	s.boards.Publish(v.(*codementor.Standing))
}

// Run runs the view until ctx ends. Once the view has caught up it indexes
// every row it holds, in one scan.
func (s *Standings) Run(ctx context.Context) error {
	return runIndexed(ctx, s.table, &s.scanning, &s.indexed, s.boards.Index, s.log, "standings view ready", "rows")
}

// Recovered reports whether the view has caught up with the table and
// indexed it.
func (s *Standings) Recovered() bool { return s.table.Recovered() && s.indexed.Load() }

// Leaderboard returns contest c's rows at cutoff, ranked (see
// Boards.Leaderboard), and their version.
func (s *Standings) Leaderboard(c *codementor.Contest, cutoff time.Time) ([]codementor.LeaderboardRow, uint64) {
	return s.boards.Leaderboard(c, cutoff)
}

// Row returns user's row of contest, or nil when they have none.
func (s *Standings) Row(contest, user string) *codementor.Standing {
	return s.boards.Row(contest, user)
}

// Subscribe subscribes to the changes of contest's rows.
func (s *Standings) Subscribe(contest string) *BoardSubscription { return s.boards.Subscribe(contest) }

// Unsubscribe ends sub. It is safe to call more than once.
func (s *Standings) Unsubscribe(sub *BoardSubscription) { s.boards.Unsubscribe(sub) }
