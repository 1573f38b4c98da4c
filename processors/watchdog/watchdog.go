// Package watchdog is the safety net under the pipeline: nothing waits
// forever. It looks through the submission table now and then, and for
// each submission that made no progress for a while (queued, being judged
// or being reviewed) it nudges the tracker, which emits the job again if
// the submission is still where it was. Messages are not lost in normal
// operation (acknowledged writes, at-least-once queues), so a nudge means
// something went wrong: a broker that lost data in a crash, a worker stuck
// past its deadlines. Every instance may nudge: the tracker acts on one
// nudge per version of a submission and ignores the rest.
package watchdog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/metrics"
)

// Config of the watchdog.
type Config struct {
	// StallAfter is how long a submission may go without a change before
	// it is nudged. It is well above every deadline of the normal path (a
	// judging's 45 s, a review's 60 s), so a slow submission is not
	// nudged, only a stuck one; a nudged queued one whose job is still in
	// the queue costs a skipped duplicate.
	StallAfter time.Duration
	// Every is the interval between two looks.
	Every time.Duration
	// RunRetention is how long a final run (the Run button, the Judge0
	// API) is kept after it ended; then the watchdog has the tracker
	// delete it. Submissions are kept for good.
	RunRetention time.Duration
}

// DefaultConfig is a nudge after 3 minutes without progress, looked for
// every 30 s, and runs kept for a day.
func DefaultConfig() Config {
	return Config{StallAfter: 3 * time.Minute, Every: 30 * time.Second, RunRetention: DefaultRunRetention}
}

// DefaultRunRetention is how long runs are kept by default.
const DefaultRunRetention = 24 * time.Hour

// Table is what the watchdog looks through: *views.Submissions.
type Table interface {
	Each(fn func(*codementor.Submission) error) error
}

// Watchdog nudges stalled submissions.
type Watchdog struct {
	cfg    Config
	table  Table
	nudges *emitters.Emitter[codementor.Nudge]
	log    *slog.Logger
	now    func() time.Time
}

// withDefaults fills the settings left zero from DefaultConfig.
func (cfg Config) withDefaults() Config {
	d := DefaultConfig()
	cfg.StallAfter = cmp.Or(cfg.StallAfter, d.StallAfter)
	cfg.Every = cmp.Or(cfg.Every, d.Every)
	cfg.RunRetention = cmp.Or(cfg.RunRetention, d.RunRetention)
	return cfg
}

// Validate reports settings no watchdog can work with.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.StallAfter <= 0 {
		errs = append(errs, fmt.Errorf("watchdog: StallAfter must be positive, got %s", cfg.StallAfter))
	}
	if cfg.Every <= 0 {
		errs = append(errs, fmt.Errorf("watchdog: Every must be positive, got %s", cfg.Every))
	}
	if cfg.RunRetention <= 0 {
		errs = append(errs, fmt.Errorf("watchdog: RunRetention must be positive, got %s", cfg.RunRetention))
	}
	return errors.Join(errs...)
}

// New returns a watchdog over table that emits to nudges. Settings left
// zero take DefaultConfig's.
func New(cfg Config, table Table, nudges *emitters.Emitter[codementor.Nudge], log *slog.Logger) (*Watchdog, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Watchdog{cfg: cfg, table: table, nudges: nudges, log: log, now: time.Now}, nil
}

// Stalled reports whether s is not final and has not changed for after.
func Stalled(s *codementor.Submission, now time.Time, after time.Duration) bool {
	return !s.Final() && now.Sub(s.UpdatedAt) > after
}

// Expired reports whether s is a run that ended more than retention ago.
func Expired(s *codementor.Submission, now time.Time, retention time.Duration) bool {
	return s.IsRun() && s.Final() && now.Sub(s.UpdatedAt) > retention
}

// Run looks every cfg.Every until ctx ends.
func (w *Watchdog) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := w.Sweep(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("look for stalled submissions", "err", err)
		}
	}
}

// Sweep nudges every stalled submission once, has every expired run
// deleted, and waits for the brokers.
func (w *Watchdog) Sweep(ctx context.Context) error {
	now := w.now()
	var acks emitters.Acks
	err := w.table.Each(func(s *codementor.Submission) error {
		if Expired(s, now, w.cfg.RunRetention) {
			w.nudges.Send(&acks, s.ID, &codementor.Nudge{SubmissionID: s.ID, Version: s.Version, Expire: true, At: now.UTC()})
			return ctx.Err()
		}
		if Stalled(s, now, w.cfg.StallAfter) {
			w.nudges.Send(&acks, s.ID, &codementor.Nudge{SubmissionID: s.ID, Version: s.Version, At: now.UTC()})
			metrics.Nudges.WithLabelValues(string(s.Status)).Inc()
			w.log.Warn("submission made no progress: nudged", "submission", s.ID, "status", s.Status,
				"version", s.Version, "unchanged_for", now.Sub(s.UpdatedAt).Round(time.Second))
		}
		return ctx.Err()
	})
	if werr := acks.Wait(ctx); err == nil {
		err = werr
	}
	return err
}
