// Package emitters publishes what the web tier accepts: submission requests
// into the SubmissionRequests stream and questions into the compacted
// questions table. An emit returns only once every in-sync replica has the
// message, so an accepted submission is never lost.
package emitters

import (
	"context"
	"fmt"

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

// Runtimes publishes the languages a judge offers, keyed by language ID.
type Runtimes = Emitter[codementor.Runtime]

// NewRuntimes connects an emitter writing straight into the runtimes table.
func NewRuntimes(brokers []string, opts ...goka.EmitterOption) (*Runtimes, error) {
	return newEmitter[codementor.Runtime](brokers, goka.Stream(codementor.RuntimesTable), opts)
}

// NewSubmissions connects an emitter of submission requests.
func NewSubmissions(brokers []string, opts ...goka.EmitterOption) (*Submissions, error) {
	return newEmitter[codementor.SubmissionRequest](brokers, codementor.SubmissionRequests, opts)
}

// NewQuestions connects an emitter writing straight into the questions table.
func NewQuestions(brokers []string, opts ...goka.EmitterOption) (*Questions, error) {
	return newEmitter[codementor.Question](brokers, goka.Stream(codementor.QuestionsTable), opts)
}

func newEmitter[T any](brokers []string, topic goka.Stream, opts []goka.EmitterOption) (*Emitter[T], error) {
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

// Finish waits until every pending message is acknowledged and closes the
// producer.
func (em *Emitter[T]) Finish() error {
	if err := em.e.Finish(); err != nil {
		return fmt.Errorf("finish emitter for %s: %w", em.topic, err)
	}
	return nil
}
