package questions

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// table is a questions table in a map; Emit writes into it.
type table struct {
	mu      sync.Mutex
	qs      map[string]*codementor.Question
	changed chan struct{}
	emitted []string
}

func newTable() *table {
	return &table{qs: map[string]*codementor.Question{}, changed: make(chan struct{})}
}

func (t *table) WaitRecovered(context.Context) error { return nil }

func (t *table) Get(id string) (*codementor.Question, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if q, ok := t.qs[id]; ok {
		return q, nil
	}
	return nil, views.ErrNotFound
}

func (t *table) Await(ctx context.Context, id string, ok func(*codementor.Question) bool) (*codementor.Question, error) {
	for {
		t.mu.Lock()
		q, has := t.qs[id]
		changed := t.changed
		t.mu.Unlock()
		if has && ok(q) {
			return q, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Emit stores q a moment later, as a view that catches up would.
func (t *table) Emit(_ context.Context, id string, q *codementor.Question) error {
	t.mu.Lock()
	t.emitted = append(t.emitted, id)
	t.mu.Unlock()
	go func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.qs[id] = q
		close(t.changed)
		t.changed = make(chan struct{})
	}()
	return nil
}

// TestSeedKeepsEdits: Seed writes the starter questions the table lacks,
// keeps those it has (an admin's edits), and returns once the table shows
// every one.
func TestSeedKeepsEdits(t *testing.T) {
	starter, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	tb := newTable()
	edited := starter[0]
	edited.Title = "Edited by an admin"
	tb.qs[edited.ID] = &edited
	if err := Seed(t.Context(), tb, tb, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	if len(tb.emitted) != len(starter)-1 {
		t.Errorf("%d questions written, want %d", len(tb.emitted), len(starter)-1)
	}
	for _, q := range starter {
		got, err := tb.Get(q.ID)
		if err != nil {
			t.Fatalf("%s not in the table once Seed returned", q.ID)
		}
		if q.ID == edited.ID && got.Title != edited.Title {
			t.Errorf("the admin's edit of %s was overwritten: %q", q.ID, got.Title)
		}
	}
	// A second start writes nothing.
	tb.emitted = nil
	if err := Seed(t.Context(), tb, tb, slog.New(slog.DiscardHandler)); err != nil || len(tb.emitted) != 0 {
		t.Errorf("seeding again wrote %v (err %v)", tb.emitted, err)
	}
}

// TestSeedStopsWithItsContext: a table that never shows the question does
// not hold Seed past its context.
func TestSeedStopsWithItsContext(t *testing.T) {
	tb := &never{newTable()}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Seed(ctx, tb, tb, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("Seed returned nil with its context cancelled and no question shown")
	}
}

// never is a table whose writes are lost.
type never struct{ *table }

func (never) Emit(context.Context, string, *codementor.Question) error { return nil }
