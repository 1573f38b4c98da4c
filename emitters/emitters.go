// Package emitters publishes what the web tier accepts (submission requests
// into the SubmissionRequests stream, questions into the compacted questions
// table) and what the workers of the slow work produce (the judge's run
// events, the reviewer's review events, dead letters). Every emitter
// partitions keys as goka's processors do, so the tracker finds each event
// on the partition of its submission. An emit returns only once every
// in-sync replica has the message, so an accepted submission is never lost.
package emitters

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// Emitter publishes messages of type T keyed by a string ID.
type Emitter[T any] struct {
	e     *goka.Emitter
	topic goka.Stream
}

// Submissions publishes submission requests keyed by submission ID.
type Submissions = Emitter[codementor.SubmissionRequest]

// Questions publishes questions keyed by question ID.
type Questions = Emitter[codementor.Question]

// Contests publishes contests keyed by contest ID.
type Contests = Emitter[codementor.Contest]

// Rejudges publishes rejudge requests keyed by submission ID.
type Rejudges = Emitter[codementor.Rejudge]

// TestData publishes the chunks of questions' test data, keyed by
// codementor.TestDataKey.
type TestData = Emitter[codementor.TestDataChunk]

// Runtimes publishes the languages a judge offers, keyed by language ID.
type Runtimes = Emitter[codementor.Runtime]

// RunEvents publishes the judge's progress, keyed by submission ID.
type RunEvents = Emitter[codementor.RunEvent]

// ReviewEvents publishes the reviewer's progress, keyed by submission ID.
type ReviewEvents = Emitter[codementor.ReviewEvent]

// DeadLetters publishes messages no worker could handle.
type DeadLetters = Emitter[codementor.DeadLetter]

// New connects an emitter of T into topic.
func New[T any](brokers []string, topic goka.Stream, opts ...goka.EmitterOption) (*Emitter[T], error) {
	e, err := goka.NewEmitter(brokers, topic, new(codementor.JSONCodec[T]), opts...)
	if err != nil {
		return nil, fmt.Errorf("create emitter for %s: %w", topic, err)
	}
	return &Emitter[T]{e: e, topic: topic}, nil
}

// Emit publishes v under key and waits for the brokers' acknowledgement or
// for ctx to end. When ctx ends first the message may still be written.
func (em *Emitter[T]) Emit(ctx context.Context, key string, v *T) error {
	promise, err := em.e.Emit(key, v)
	if err != nil {
		return fmt.Errorf("emit %s to %s: %w", key, em.topic, err)
	}
	done := make(chan error, 1)
	promise.Then(func(err error) { done <- err })
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("emit %s to %s: %w", key, em.topic, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("emit %s to %s: %w", key, em.topic, ctx.Err())
	}
}

// Send publishes v under key without waiting; acks collects the outcome.
// Messages sent under one key keep their order.
func (em *Emitter[T]) Send(acks *Acks, key string, v *T) {
	acks.wg.Add(1)
	promise, err := em.e.Emit(key, v)
	if err != nil {
		acks.done(fmt.Errorf("emit %s to %s: %w", key, em.topic, err))
		return
	}
	promise.Then(func(err error) {
		if err != nil {
			err = fmt.Errorf("emit %s to %s: %w", key, em.topic, err)
		}
		acks.done(err)
	})
}

// SendDelete deletes key from a table (writes a tombstone) without
// waiting; acks collects the outcome.
func (em *Emitter[T]) SendDelete(acks *Acks, key string) {
	acks.wg.Add(1)
	promise, err := em.e.Emit(key, nil) // an untyped nil: no value at all
	if err != nil {
		acks.done(fmt.Errorf("delete %s from %s: %w", key, em.topic, err))
		return
	}
	promise.Then(func(err error) {
		if err != nil {
			err = fmt.Errorf("delete %s from %s: %w", key, em.topic, err)
		}
		acks.done(err)
	})
}

// Acks collects the acknowledgements of messages sent with Send. The zero
// value is ready to use.
type Acks struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
}

func (a *Acks) done(err error) {
	if err != nil {
		a.mu.Lock()
		a.errs = append(a.errs, err)
		a.mu.Unlock()
	}
	a.wg.Done()
}

// Wait returns once every message sent so far is acknowledged, with the
// errors of those that failed, or when ctx ends.
func (a *Acks) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("wait for the brokers' acknowledgements: %w", ctx.Err())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return errors.Join(a.errs...)
}

// Finish waits until every pending message is acknowledged and closes the
// producer.
func (em *Emitter[T]) Finish() error {
	if err := em.e.Finish(); err != nil {
		return fmt.Errorf("finish emitter for %s: %w", em.topic, err)
	}
	return nil
}
