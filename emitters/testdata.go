package emitters

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	codementor "github.com/codementor/codementor"
)

// TestDataWindow is how many chunks a TestDataWriter has in flight at most:
// about 6 MiB of a question's test data, encoded, in the producer's memory
// at once, and enough to keep the brokers busy.
const TestDataWindow = 12

// TestDataWriter writes and deletes the chunks of questions' test data in
// the test-data table, a bounded number in flight: a question's tens of
// megabytes are not all queued in the producer at once.
type TestDataWriter struct{ em *TestData }

// NewTestDataWriter writes with em, an emitter into codementor.TestDataTable.
func NewTestDataWriter(em *TestData) *TestDataWriter { return &TestDataWriter{em: em} }

// Put writes every chunk under its codementor.TestDataKey and returns once
// the brokers have acknowledged them all, or with the first error (the
// chunks sent then may be written or not), or when ctx ends.
func (w *TestDataWriter) Put(ctx context.Context, chunks iter.Seq[*codementor.TestDataChunk]) error {
	return w.write(ctx, func(yield func(string, *codementor.TestDataChunk) bool) {
		for c := range chunks {
			if !yield(codementor.TestDataKey(c.QuestionID, c.Version, c.Test, c.Part, c.Index), c) {
				return
			}
		}
	})
}

// Delete deletes keys (writes their tombstones) and returns once the brokers
// have acknowledged them all, or with the first error, or when ctx ends.
func (w *TestDataWriter) Delete(ctx context.Context, keys []string) error {
	return w.write(ctx, func(yield func(string, *codementor.TestDataChunk) bool) {
		for _, k := range keys {
			if !yield(k, nil) {
				return
			}
		}
	})
}

// write writes each value (nil: a tombstone) under its key, TestDataWindow
// at most in flight.
func (w *TestDataWriter) write(ctx context.Context, records iter.Seq2[string, *codementor.TestDataChunk]) error {
	slots := make(chan struct{}, TestDataWindow)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	for key, c := range records {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("write test data to %s: %w", w.em.topic, ctx.Err())
		}
		if err := failed(); err != nil {
			return err
		}
		var msg any
		if c != nil {
			msg = c
		}
		promise, err := w.em.e.Emit(key, msg)
		if err != nil {
			return fmt.Errorf("write %s to %s: %w", key, w.em.topic, err)
		}
		wg.Add(1)
		promise.Then(func(err error) {
			if err != nil {
				fail(fmt.Errorf("write %s to %s: %w", key, w.em.topic, err))
			}
			<-slots
			wg.Done()
		})
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return failed()
	case <-ctx.Done():
		return errors.Join(fmt.Errorf("write test data to %s: %w", w.em.topic, ctx.Err()), failed())
	}
}
