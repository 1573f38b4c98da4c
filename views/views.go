// Package views serves the web tier from goka views of the tables: the
// submission table, whose every change is published to a Hub for the SSE
// streams, and the questions table.
package views

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
)

// ErrNotFound is returned for a key the table does not hold.
var ErrNotFound = errors.New("not found")

// Submissions is a view of the submission table.
type Submissions struct {
	view    *goka.View
	hub     *Hub
	log     *slog.Logger
	indexed atomic.Bool
}

// NewSubmissions builds the view; every change (replayed or live) is
// published to hub.
func NewSubmissions(brokers []string, hub *Hub, log *slog.Logger, opts ...goka.ViewOption) (*Submissions, error) {
	s := &Submissions{hub: hub, log: log}
	opts = append(opts, goka.WithViewCallback(s.update))
	v, err := goka.NewView(brokers, codementor.SubmissionsTable, new(codementor.SubmissionCodec), opts...)
	if err != nil {
		return nil, fmt.Errorf("create view of %s: %w", codementor.SubmissionsTable, err)
	}
	s.view = v
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
	g.Go(func() error {
		if err := s.view.Run(gctx); err != nil {
			return fmt.Errorf("submission view: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		select {
		case <-s.view.WaitRunning():
		case <-gctx.Done():
			return nil
		}
		n, err := s.index()
		if err != nil {
			return err
		}
		s.indexed.Store(true)
		s.log.Info("submission view ready", "submissions", n)
		return nil
	})
	return g.Wait()
}

func (s *Submissions) index() (int, error) {
	it, err := s.view.Iterator()
	if err != nil {
		return 0, fmt.Errorf("iterate submissions: %w", err)
	}
	defer it.Release()
	n := 0
	for it.Next() {
		v, err := it.Value()
		if err != nil {
			return n, fmt.Errorf("read submission %s: %w", it.Key(), err)
		}
		if v != nil {
			s.hub.Index(v.(*codementor.Submission))
			n++
		}
	}
	return n, nil
}

// Recovered reports whether the view has caught up with the table and
// indexed it.
func (s *Submissions) Recovered() bool { return s.view.Recovered() && s.indexed.Load() }

// Get returns a submission or ErrNotFound.
func (s *Submissions) Get(id string) (*codementor.Submission, error) {
	v, err := s.view.Get(id)
	if err != nil {
		return nil, fmt.Errorf("get submission %s: %w", id, err)
	}
	if v == nil {
		return nil, fmt.Errorf("submission %s: %w", id, ErrNotFound)
	}
	return v.(*codementor.Submission), nil
}

// Questions is a view of the questions table.
type Questions struct {
	view *goka.View
}

// NewQuestions builds the view.
func NewQuestions(brokers []string, opts ...goka.ViewOption) (*Questions, error) {
	v, err := goka.NewView(brokers, codementor.QuestionsTable, new(codementor.QuestionCodec), opts...)
	if err != nil {
		return nil, fmt.Errorf("create view of %s: %w", codementor.QuestionsTable, err)
	}
	return &Questions{view: v}, nil
}

// Run runs the view until ctx ends.
func (q *Questions) Run(ctx context.Context) error {
	if err := q.view.Run(ctx); err != nil {
		return fmt.Errorf("questions view: %w", err)
	}
	return nil
}

// Recovered reports whether the view has caught up with the table.
func (q *Questions) Recovered() bool { return q.view.Recovered() }

// WaitRecovered returns once the view has caught up, or ctx ends.
func (q *Questions) WaitRecovered(ctx context.Context) error {
	select {
	case <-q.view.WaitRunning():
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the questions view: %w", ctx.Err())
	}
}

// Get returns a question or ErrNotFound.
func (q *Questions) Get(id string) (*codementor.Question, error) {
	v, err := q.view.Get(id)
	if err != nil {
		return nil, fmt.Errorf("get question %s: %w", id, err)
	}
	if v == nil {
		return nil, fmt.Errorf("question %s: %w", id, ErrNotFound)
	}
	return v.(*codementor.Question), nil
}

// List returns every question, sorted by ID.
func (q *Questions) List() ([]*codementor.Question, error) {
	it, err := q.view.Iterator()
	if err != nil {
		return nil, fmt.Errorf("iterate questions: %w", err)
	}
	defer it.Release()
	var out []*codementor.Question
	for it.Next() {
		v, err := it.Value()
		if err != nil {
			return nil, fmt.Errorf("read question %s: %w", it.Key(), err)
		}
		if v != nil {
			out = append(out, v.(*codementor.Question))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
