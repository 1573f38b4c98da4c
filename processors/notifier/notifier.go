// Package notifier sends the callbacks of final runs (the Judge0 API's
// callback_url). It takes them from the run-callbacks queue (a share group,
// package queue), so a slow or dead receiver holds up no judge: the tracker
// emits the callback and moves on. Each is sent with retries (package
// callback, which also refuses internal addresses); one that fails for good
// is logged and counted, not delivered again: a receiver that is down for
// minutes would otherwise hold a slot for every run it was sent.
package notifier

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/callback"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/queue"
)

// Config of the notifier.
type Config struct {
	// Slots caps the callbacks this instance sends at once. Every slot is
	// a member of the share group, a client the brokers serve: one is
	// plenty for callbacks that take milliseconds.
	Slots int
	// Sender: timeouts, attempts and backoff of each callback.
	Sender callback.SenderConfig
}

// DefaultConfig is one slot and callback.DefaultSenderConfig.
func DefaultConfig() Config { return Config{Slots: 1, Sender: callback.DefaultSenderConfig()} }

// QueueConfig is the notifier's share group on brokers.
func (cfg Config) QueueConfig(brokers []string, clientID string) queue.Config {
	return queue.Config{Brokers: brokers, Group: string(codementor.NotifierGroup), Topic: string(codementor.RunCallbacks),
		Slots: cmp.Or(cfg.Slots, 1), ClientID: clientID, Drain: 5 * time.Second}
}

// Render turns a final run into the body its callback carries.
type Render func(*codementor.Submission) ([]byte, error)

// Worker sends the callbacks of the run-callbacks queue.
type Worker struct {
	sender *callback.Sender
	render Render
	dead   *deadletter.Jobs
	log    *slog.Logger
}

// NewWorker returns a worker that renders each run with render and sends
// it through guard.
func NewWorker(cfg Config, guard *callback.Guard, render Render, dead *emitters.DeadLetters, log *slog.Logger) (*Worker, error) {
	if guard == nil || render == nil {
		return nil, errors.New("notifier: a guard and a renderer are required")
	}
	d := callback.DefaultSenderConfig()
	cfg.Sender.Timeout = cmp.Or(cfg.Sender.Timeout, d.Timeout)
	cfg.Sender.Attempts = cmp.Or(cfg.Sender.Attempts, d.Attempts)
	cfg.Sender.Backoff = cmp.Or(cfg.Sender.Backoff, d.Backoff)
	return &Worker{sender: callback.NewSender(guard, cfg.Sender, log), render: render,
		dead: deadletter.NewJobs(codementor.NotifierGroup, dead, log), log: log}, nil
}

// Handle sends one callback. Cut short by a shutdown it comes round again;
// failed for good, it is dropped with a log line.
func (w *Worker) Handle(ctx context.Context, qj queue.Job) queue.Outcome {
	cb, out := deadletter.Decode[codementor.Callback](ctx, w.dead, qj)
	if cb == nil {
		return out
	}
	if cb.Submission == nil {
		var acks emitters.Acks
		return w.dead.SetAside(ctx, &acks, qj, errors.New("callback without a run"))
	}
	body, err := w.render(cb.Submission)
	if err != nil {
		var acks emitters.Acks
		return w.dead.SetAside(ctx, &acks, qj, fmt.Errorf("render the run: %w", err))
	}
	err = w.sender.Send(ctx, cb.URL, body)
	switch {
	case err == nil:
		metrics.Callbacks.WithLabelValues("sent").Inc()
		w.log.Info("callback sent", "run", qj.Key, "url", cb.URL)
	case ctx.Err() != nil:
		return queue.Retry
	default:
		metrics.Callbacks.WithLabelValues("failed").Inc()
		w.log.Warn("callback failed; not sent again", "run", qj.Key, "url", cb.URL, "err", err)
	}
	return queue.Done
}

// Poisoned sets aside a callback delivered too often without an outcome.
func (w *Worker) Poisoned(ctx context.Context, qj queue.Job) queue.Outcome {
	var acks emitters.Acks
	return w.dead.Poisoned(ctx, &acks, qj)
}
