// Package views serves the web tier from goka views of the tables: the
// submission table, whose every change is published to a Hub for the SSE
// streams, the questions table and the runtimes table.
package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"

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
}

func newTable[T any](brokers []string, topic goka.Table, opts []goka.ViewOption) (*table[T], error) {
	v, err := goka.NewView(brokers, topic, new(codementor.JSONCodec[T]), opts...)
	if err != nil {
		return nil, fmt.Errorf("create view of %s: %w", topic, err)
	}
	return &table[T]{view: v, topic: topic}, nil
}

// Run runs the view until ctx ends.
func (t *table[T]) Run(ctx context.Context) error {
	if err := t.view.Run(ctx); err != nil {
		return fmt.Errorf("view of %s: %w", t.topic, err)
	}
	return nil
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
	v, err := t.view.Get(key)
	if err != nil {
		return nil, fmt.Errorf("get %s from %s: %w (%w)", key, t.topic, ErrNotReady, err)
	}
	if v == nil {
		return nil, fmt.Errorf("%s in %s: %w", key, t.topic, ErrNotFound)
	}
	return v.(*T), nil
}

// each calls fn with every value until fn returns an error.
func (t *table[T]) each(fn func(*T) error) error {
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
	err := t.each(func(v *T) error {
		out = append(out, v)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out, err
}

// Submissions is a view of the submission table.
type Submissions struct {
	*table[codementor.Submission]
	hub     *Hub
	log     *slog.Logger
	indexed atomic.Bool
}

// NewSubmissions builds the view; every change it consumes is published to
// hub.
func NewSubmissions(brokers []string, hub *Hub, log *slog.Logger, opts ...goka.ViewOption) (*Submissions, error) {
	s := &Submissions{hub: hub, log: log}
	t, err := newTable[codementor.Submission](brokers, codementor.SubmissionsTable, append(opts, goka.WithViewCallback(s.update)))
	if err != nil {
		return nil, err
	}
	s.table = t
	return s, nil
}

// update stores the change (DefaultUpdate, without which Get never sees it)
// and publishes it without blocking.
func (s *Submissions) update(ctx goka.UpdateContext, st storage.Storage, key string, value []byte) error {
	if err := goka.DefaultUpdate(ctx, st, key, value); err != nil {
		return err
	}
	if value == nil {
		return nil
	}
	v, err := new(codementor.SubmissionCodec).Decode(value)
	if err != nil {
		s.log.Error("undecodable submission in table", "key", key, "offset", ctx.Offset(), "err", err)
		return nil
	}
	s.hub.Publish(v.(*codementor.Submission))
	return nil
}

// Run runs the view until ctx ends. Once the view has caught up it indexes
// every submission it holds: the callback only sees what the view consumes,
// not what its local storage kept from an earlier run.
func (s *Submissions) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.table.Run(gctx) })
	g.Go(func() error {
		if err := s.WaitRecovered(gctx); err != nil {
			return nil // stopped before it caught up
		}
		n := 0
		err := s.each(func(sub *codementor.Submission) error {
			s.hub.Index(sub)
			n++
			return nil
		})
		if err != nil {
			return err
		}
		s.indexed.Store(true)
		s.log.Info("submission view ready", "submissions", n)
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
	t, err := newTable[codementor.Question](brokers, codementor.QuestionsTable, append(opts, goka.WithViewCallback(q.update)))
	if err != nil {
		return nil, err
	}
	q.table = t
	return q, nil
}

// update stores the change and retires the cached list.
func (q *Questions) update(ctx goka.UpdateContext, st storage.Storage, key string, value []byte) error {
	if err := goka.DefaultUpdate(ctx, st, key, value); err != nil {
		return err
	}
	q.changes.Add(1)
	return nil
}

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
	t, err := newTable[codementor.Runtime](brokers, codementor.RuntimesTable, opts)
	if err != nil {
		return nil, err
	}
	return &Runtimes{t}, nil
}

// List returns every runtime, sorted by language ID.
func (r *Runtimes) List() ([]*codementor.Runtime, error) {
	return r.list(func(r *codementor.Runtime) string { return r.ID })
}
