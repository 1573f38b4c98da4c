// Package views serves the web tier from goka views of the tables: the
// submission table, whose every change is published to the view's Hub for
// the SSE streams, the questions table and the runtimes table.
package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
)

// ErrNotFound is returned for a key the table does not hold.
var ErrNotFound = errors.New("not found")

// ErrNotReady is returned while a view cannot answer: it is still
// recovering its table, or reconnecting to the brokers.
var ErrNotReady = errors.New("the view is not ready")

// table is a goka view of a table whose values are *T.
type table[T any] struct {
	view  *goka.View
	topic goka.Table

	mu      sync.Mutex
	changed chan struct{} // closed and replaced by every change

	// goka's View closes its partitions (and drops them) when Run ends,
	// without a lock against Get and Iterator, which read them: the view
	// is read under stopMu, and no read reaches it once it stops.
	stopMu  sync.RWMutex
	stopped bool
}

// newTable builds the view. Every change the view consumes is stored
// (goka.DefaultUpdate, without which Get never sees it), then passed to
// onChange (if not nil), then wakes every Await.
func newTable[T any](brokers []string, topic goka.Table, opts []goka.ViewOption, onChange func(ctx goka.UpdateContext, key string, value []byte)) (*table[T], error) {
	t := &table[T]{topic: topic, changed: make(chan struct{})}
	update := func(ctx goka.UpdateContext, st storage.Storage, key string, value []byte) error {
		if err := goka.DefaultUpdate(ctx, st, key, value); err != nil {
			return err
		}
		if onChange != nil {
			onChange(ctx, key, value)
		}
		t.bump()
		return nil
	}
	v, err := goka.NewView(brokers, topic, new(codementor.JSONCodec[T]), append(opts, goka.WithViewCallback(update))...)
	if err != nil {
		return nil, fmt.Errorf("create view of %s: %w", topic, err)
	}
	t.view = v
	return t, nil
}

// bump wakes every Await: the table changed.
func (t *table[T]) bump() {
	t.mu.Lock()
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

// Await returns the value of key once ok accepts it, waiting for the view
// to consume changes until ctx ends. It serves read-your-writes: after an
// emit, the writer awaits its own write before it answers, so its next
// request sees it.
func (t *table[T]) Await(ctx context.Context, key string, ok func(*T) bool) (*T, error) {
	for {
		t.mu.Lock()
		changed := t.changed
		t.mu.Unlock()
		v, err := t.Get(key)
		if err == nil && ok(v) {
			return v, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for %s in the view of %s: %w", key, t.topic, ctx.Err())
		}
	}
}

// Lookup returns the value of key, waiting up to within for this view to
// hold it: a view may not have caught up yet with what another process
// just wrote (or with the whole table, after a restart). After within it
// returns an error wrapping ErrNotFound; when ctx ends, ctx's error.
func (t *table[T]) Lookup(ctx context.Context, key string, within time.Duration) (*T, error) {
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	v, err := t.Await(wctx, key, func(*T) bool { return true })
	switch {
	case err == nil:
		return v, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, fmt.Errorf("%q is not in %s: %w (waited %s)", key, t.topic, ErrNotFound, within)
}

// Run runs the view until ctx ends.
func (t *table[T]) Run(ctx context.Context) error {
	vctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := func() {
		t.stopMu.Lock()
		t.stopped = true
		t.stopMu.Unlock()
		cancel()
	}
	defer context.AfterFunc(ctx, stop)()
	err := t.view.Run(vctx)
	stop()
	if err != nil {
		return fmt.Errorf("view of %s: %w", t.topic, err)
	}
	return nil
}

// errStopped is what reads return once the view has stopped.
func (t *table[T]) errStopped() error {
	return fmt.Errorf("%w: the view of %s has stopped", ErrNotReady, t.topic)
}

// Recovered reports whether the view has caught up with the table.
func (t *table[T]) Recovered() bool { return t.view.Recovered() }

// WaitRecovered returns once the view has caught up, or ctx ends.
func (t *table[T]) WaitRecovered(ctx context.Context) error {
	select {
	case <-t.view.WaitRunning():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the view of %s: %w", t.topic, ctx.Err())
	}
}

// Get returns the value of key, or an error wrapping ErrNotFound.
func (t *table[T]) Get(key string) (*T, error) {
	t.stopMu.RLock()
	if t.stopped {
		t.stopMu.RUnlock()
		return nil, t.errStopped()
	}
	v, err := t.view.Get(key)
	t.stopMu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("get %s from %s: %w (%w)", key, t.topic, ErrNotReady, err)
	}
	if v == nil {
		return nil, fmt.Errorf("%s in %s: %w", key, t.topic, ErrNotFound)
	}
	return v.(*T), nil
}

// Each calls fn with every value until fn returns an error, and returns
// that error. The view does not stop while it iterates (LevelDB must not
// close under an open iterator), so fn must not read this table again: a
// stop waiting for the iteration would block that read.
func (t *table[T]) Each(fn func(*T) error) error {
	t.stopMu.RLock()
	defer t.stopMu.RUnlock()
	if t.stopped {
		return t.errStopped()
	}
	it, err := t.view.Iterator()
	if err != nil {
		return fmt.Errorf("iterate %s: %w (%w)", t.topic, ErrNotReady, err)
	}
	defer it.Release()
	for it.Next() {
		v, err := it.Value()
		if err != nil {
			return fmt.Errorf("read %s from %s: %w", it.Key(), t.topic, err)
		}
		if v != nil {
			if err := fn(v.(*T)); err != nil {
				return err
			}
		}
	}
	return nil
}

// list returns every value, sorted by key.
func (t *table[T]) list(key func(*T) string) ([]*T, error) {
	var out []*T
	err := t.Each(func(v *T) error {
		out = append(out, v)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out, err
}

// Submissions is a view of the submission table. It owns the Hub its
// changes are published to: subscribe through the view.
type Submissions struct {
	*table[codementor.Submission]
	hub *Hub
	log *slog.Logger
	// scanning is set once Run's scan of the storage begins, indexed once
	// it has ended.
	scanning, indexed atomic.Bool
}

// NewSubmissions builds the view and its hub; every change it consumes is
// published to the hub.
func NewSubmissions(brokers []string, log *slog.Logger, opts ...goka.ViewOption) (*Submissions, error) {
	s := &Submissions{hub: NewHub(), log: log}
	t, err := newTable[codementor.Submission](brokers, codementor.SubmissionsTable, opts, s.changed)
	if err != nil {
		return nil, err
	}
	s.table = t
	return s, nil
}

// changed publishes a change without blocking. A change consumed before
// Run's scan begins (the view replaying the table) is left to the scan,
// which decodes and indexes every submission stored by then, this one
// included (goka stores it before calling back): decoding it here as well
// decoded every submission of the table twice at start. Only a subscriber
// from before the scan needs it now.
func (s *Submissions) changed(ctx goka.UpdateContext, key string, value []byte) {
	if value == nil {
		s.hub.Forget(key) // a run past its retention, deleted
		return
	}
	if !s.scanning.Load() && s.hub.Subscribers() == 0 {
		return
	}
	v, err := new(codementor.SubmissionCodec).Decode(value)
	if err != nil {
		s.log.Error("undecodable submission in table", "key", key, "offset", ctx.Offset(), "err", err)
		return
	}
	s.hub.Publish(v.(*codementor.Submission))
}

// SubscribeUser subscribes to every change of user's submissions.
func (s *Submissions) SubscribeUser(user string) *Subscription { return s.hub.SubscribeUser(user) }

// SubscribeSubmission subscribes to the changes of one submission.
func (s *Submissions) SubscribeSubmission(id string) *Subscription {
	return s.hub.SubscribeSubmission(id)
}

// Unsubscribe ends sub. It is safe to call more than once.
func (s *Submissions) Unsubscribe(sub *Subscription) { s.hub.Unsubscribe(sub) }

// UserSubmissions returns the IDs of user's submissions, newest first.
func (s *Submissions) UserSubmissions(user string) []string { return s.hub.UserSubmissions(user) }

// QuestionSubmissions returns the IDs of the submissions to question.
func (s *Submissions) QuestionSubmissions(question string) []string {
	return s.hub.QuestionSubmissions(question)
}

// ContestSubmissions returns the IDs of the submissions made in contest.
func (s *Submissions) ContestSubmissions(contest string) []string {
	return s.hub.ContestSubmissions(contest)
}

// UserRuns returns the IDs of user's runs, newest first.
func (s *Submissions) UserRuns(user string) []string { return s.hub.UserRuns(user) }

// UserActiveRuns returns the IDs of user's runs queued or running.
func (s *Submissions) UserActiveRuns(user string) []string { return s.hub.UserActiveRuns(user) }

// Counts returns how many submissions and runs are queued and being judged.
func (s *Submissions) Counts() (queued, running int) { return s.hub.Counts() }

// Run runs the view until ctx ends. Once the view has caught up it indexes
// every submission it holds, in one scan: what its local storage kept from
// an earlier run, which the callback never sees, and what it consumed while
// catching up, which the callback leaves to the scan.
func (s *Submissions) Run(ctx context.Context) error {
	return runIndexed(ctx, s.table, &s.scanning, &s.indexed, s.hub.Index, s.log, "submission view ready", "submissions")
}

// runIndexed runs t until ctx ends and, once it has caught up, hands every
// value it holds to index in one scan (scanning set as the scan begins,
// indexed once it has ended), then logs msg with the count under key.
func runIndexed[T any](ctx context.Context, t *table[T], scanning, indexed *atomic.Bool, index func(*T), log *slog.Logger, msg, key string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return t.Run(gctx) })
	g.Go(func() error {
		if err := t.WaitRecovered(gctx); err != nil {
			return nil // stopped before it caught up
		}
		scanning.Store(true)
		n := 0
		err := t.Each(func(v *T) error {
			index(v)
			n++
			return gctx.Err() // a stop waits for the iteration
		})
		if gctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		indexed.Store(true)
		log.Info(msg, key, n)
		return nil
	})
	return g.Wait()
}

// Recovered reports whether the view has caught up with the table and
// indexed it.
func (s *Submissions) Recovered() bool { return s.table.Recovered() && s.indexed.Load() }

// Questions is a view of the questions table. Its list is kept until the
// table changes: every learner's question list asks for it, and decoding
// every question with all its tests costs tens of milliseconds.
type Questions struct {
	*table[codementor.Question]
	changes atomic.Uint64 // bumped by every change the view consumes

	mu       sync.Mutex
	cached   []*codementor.Question
	cachedAt uint64 // changes when cached was read
}

// NewQuestions builds the view.
func NewQuestions(brokers []string, opts ...goka.ViewOption) (*Questions, error) {
	q := &Questions{}
	t, err := newTable[codementor.Question](brokers, codementor.QuestionsTable, opts, q.changed)
	if err != nil {
		return nil, err
	}
	q.table = t
	return q, nil
}

// changed retires the cached list.
func (q *Questions) changed(goka.UpdateContext, string, []byte) { q.changes.Add(1) }

// List returns every question, sorted by ID. The slice and the questions
// are shared between callers, who must not change them.
func (q *Questions) List() ([]*codementor.Question, error) {
	// Read the count first: a change during the read below makes the next
	// List read the table again.
	at := q.changes.Load()
	q.mu.Lock()
	if q.cached != nil && q.cachedAt == at {
		defer q.mu.Unlock()
		return q.cached, nil
	}
	q.mu.Unlock()
	list, err := q.list(func(q *codementor.Question) string { return q.ID })
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	q.cached, q.cachedAt = list, at
	q.mu.Unlock()
	return list, nil
}

// Runtimes is a view of the runtimes table: the languages the judges offer.
type Runtimes struct{ *table[codementor.Runtime] }

// NewRuntimes builds the view.
func NewRuntimes(brokers []string, opts ...goka.ViewOption) (*Runtimes, error) {
	t, err := newTable[codementor.Runtime](brokers, codementor.RuntimesTable, opts, nil)
	if err != nil {
		return nil, err
	}
	return &Runtimes{t}, nil
}

// List returns every runtime, sorted by language ID.
func (r *Runtimes) List() ([]*codementor.Runtime, error) {
	return r.list(func(r *codementor.Runtime) string { return r.ID })
}

// Learners is a view of the learners table: each learner's submissions in
// flight.
type Learners struct{ *table[codementor.Learner] }

// NewLearners builds the view.
func NewLearners(brokers []string, opts ...goka.ViewOption) (*Learners, error) {
	t, err := newTable[codementor.Learner](brokers, codementor.LearnersTable, opts, nil)
	if err != nil {
		return nil, err
	}
	return &Learners{t}, nil
}

// InFlight returns the IDs of user's submissions in flight, as far as the
// view knows.
func (l *Learners) InFlight(user string) ([]string, error) {
	v, err := l.Get(user)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return slices.Collect(maps.Keys(v.InFlight)), nil
}

// Progress is a view of the progress table: each learner's verdicts per
// question, read by every question list of theirs.
type Progress struct{ *cached[codementor.Progress] }

// NewProgress builds the view.
func NewProgress(brokers []string, opts ...goka.ViewOption) (*Progress, error) {
	c, err := newCached[codementor.Progress](brokers, codementor.ProgressTable, opts, maxCachedProgress)
	if err != nil {
		return nil, err
	}
	return &Progress{c}, nil
}

// maxCachedProgress bounds the learners whose decoded progress the view
// keeps: past it, the cache starts over.
const maxCachedProgress = 20000

// QuestionStats is a view of the question-stats table: every learner's
// question list reads every question's statistics, each with its
// histograms and its window of recent judgements.
type QuestionStats struct {
	*cached[codementor.QuestionStats]
}

// NewQuestionStats builds the view.
func NewQuestionStats(brokers []string, opts ...goka.ViewOption) (*QuestionStats, error) {
	c, err := newCached[codementor.QuestionStats](brokers, codementor.QuestionStatsTable, opts, 0)
	if err != nil {
		return nil, err
	}
	return &QuestionStats{c}, nil
}

// cached is a view of a table that keeps each value it decoded until that
// key changes (or, past limit keys if limit is not 0, until the cache
// starts over): decoding is what a read of these tables costs, and the
// question list reads them on every request.
type cached[T any] struct {
	*table[T]
	limit   int
	changes atomic.Uint64 // bumped by every change the view consumes

	mu     sync.RWMutex
	values map[string]*T
}

func newCached[T any](brokers []string, topic goka.Table, opts []goka.ViewOption, limit int) (*cached[T], error) {
	c := &cached[T]{limit: limit, values: map[string]*T{}}
	t, err := newTable[T](brokers, topic, opts, c.changed)
	if err != nil {
		return nil, err
	}
	c.table = t
	return c, nil
}

// changed retires the cached value of key. goka has stored the new one
// already: a Get that read the old one before is told by the count not to
// keep it.
func (c *cached[T]) changed(_ goka.UpdateContext, key string, _ []byte) {
	c.mu.Lock()
	c.changes.Add(1)
	delete(c.values, key)
	c.mu.Unlock()
}

// Get returns the value of key, or an error wrapping ErrNotFound. The
// value is shared between callers, who must not change it.
func (c *cached[T]) Get(key string) (*T, error) {
	c.mu.RLock()
	v := c.values[key]
	c.mu.RUnlock()
	if v != nil {
		return v, nil
	}
	at := c.changes.Load()
	v, err := c.table.Get(key)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.changes.Load() == at {
		if c.limit > 0 && len(c.values) >= c.limit {
			clear(c.values)
		}
		c.values[key] = v
	}
	c.mu.Unlock()
	return v, nil
}
