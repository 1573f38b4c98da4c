package views

import (
	"sync"
	"sync/atomic"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// Contests is a view of the contests table. Its list is kept until the
// table changes, as Questions' is: every contest list and every leaderboard
// reads it.
type Contests struct {
	*table[codementor.Contest]
	changes atomic.Uint64 // bumped by every change the view consumes

	mu       sync.Mutex
	cached   []*codementor.Contest
	cachedAt uint64 // changes when cached was read
}

// NewContests builds the view.
func NewContests(brokers []string, opts ...goka.ViewOption) (*Contests, error) {
	c := &Contests{}
	t, err := newTable[codementor.Contest](brokers, codementor.ContestsTable, opts, c.changed)
	if err != nil {
		return nil, err
	}
	c.table = t
	return c, nil
}

// changed retires the cached list.
func (c *Contests) changed(goka.UpdateContext, string, []byte) { c.changes.Add(1) }

// List returns every contest, sorted by ID. The slice and the contests are
// shared between callers, who must not change them.
func (c *Contests) List() ([]*codementor.Contest, error) {
	// Read the count first: a change during the read below makes the next
	// List read the table again.
	at := c.changes.Load()
	c.mu.Lock()
	if c.cached != nil && c.cachedAt == at {
		defer c.mu.Unlock()
		return c.cached, nil
	}
	c.mu.Unlock()
	list, err := c.list(func(c *codementor.Contest) string { return c.ID })
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []*codementor.Contest{} // cached: an empty table is a list too
	}
	c.mu.Lock()
	c.cached, c.cachedAt = list, at
	c.mu.Unlock()
	return list, nil
}
