package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/health"
	"github.com/codementor/codementor/judge0"
	"github.com/codementor/codementor/kafka"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/processors/judge"
	"github.com/codementor/codementor/processors/learners"
	"github.com/codementor/codementor/processors/notifier"
	"github.com/codementor/codementor/processors/progress"
	"github.com/codementor/codementor/processors/reviewer"
	"github.com/codementor/codementor/processors/standings"
	"github.com/codementor/codementor/processors/stats"
	"github.com/codementor/codementor/processors/tracker"
	"github.com/codementor/codementor/processors/watchdog"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/views"
)

func (a *App) addProcessors(ctx context.Context, kc kafka.Config, slot, clientID string) error {
	log := a.log
	// Each processor keeps its tables in its own directory: two processors
	// must not share a LevelDB, which only one may open.
	popts := func() []goka.ProcessorOption {
		return append(kc.ProcessorOptions(clientID, log.With("component", "goka")),
			// Keep the tables of partitions this instance does not own up to
			// date too, so a rebalance has little to recover.
			goka.WithHotStandby(), goka.WithRecoverAhead())
	}
	// The stateful groups, each keyed as its table: the tracker's
	// submissions, and what the tracker's events feed (in-flight sets,
	// leaderboard rows, progress, question statistics).
	for _, g := range []struct {
		group goka.Group
		graph func(*slog.Logger) *goka.GroupGraph
	}{
		{codementor.TrackerGroup, tracker.Graph},
		{codementor.LearnersGroup, learners.Graph},
		{codementor.StandingsGroup, standings.Graph},
		{codementor.ProgressGroup, progress.Graph},
		{codementor.QuestionStatsGroup, stats.Graph},
	} {
		if err := a.addProcessor(kc, g.graph(log.With("component", string(g.group))), popts(), filepath.Join(slot, "processors", string(g.group))); err != nil {
			return err
		}
	}

	// The workers of the slow work take their jobs from share groups, look
	// questions up in a view, and skip jobs the submission view shows done.
	v, err := a.tableViews(kc, slot, clientID)
	if err != nil {
		return err
	}
	dead, err := emitter[codementor.DeadLetter](a, kc, clientID, codementor.DeadLetters)
	if err != nil {
		return err
	}

	nudges, err := emitter[codementor.Nudge](a, kc, clientID, codementor.SubmissionNudges)
	if err != nil {
		return err
	}
	wd, err := watchdog.New(watchdog.Config{StallAfter: a.cfg.StallAfter, Every: max(a.cfg.StallAfter/6, time.Second), RunRetention: a.cfg.RunRetention},
		v.submissions, nudges, log.With("component", "watchdog"))
	if err != nil {
		return err
	}
	a.components["watchdog"] = func(ctx context.Context) error {
		if err := v.submissions.WaitRecovered(ctx); err != nil {
			return nil // stopped before it started
		}
		return wd.Run(ctx)
	}

	rv, err := review.New(a.cfg.Review, log.With("component", "review"))
	if err != nil {
		return err
	}
	if reason := rv.SkipReason(); reason != "" {
		// Learners read only that there is no review; the operator finds
		// why, and how to turn reviews on, here and in /readyz.
		log.Warn("reviews are off: every review is skipped", "reason", reason)
		a.checks = append(a.checks, func(context.Context) error { return health.Warn(errors.New(reason)) })
	}
	reviews, err := emitter[codementor.ReviewEvent](a, kc, clientID, codementor.ReviewEvents)
	if err != nil {
		return err
	}
	rcfg := reviewer.DefaultConfig(a.cfg.ReviewConcurrency)
	rw, err := reviewer.NewWorker(rv, rcfg, v.questions, v.submissions, reviews, dead, log.With("component", "reviewer"))
	if err != nil {
		return err
	}
	if err := a.addQueue(rcfg.QueueConfig(kc.Brokers, clientID), rw.Handle, rw.Poisoned, v.questions); err != nil {
		return err
	}

	guard, err := a.cfg.callbackGuard()
	if err != nil {
		return err
	}
	ncfg := notifier.DefaultConfig()
	nw, err := notifier.NewWorker(ncfg, guard, renderCallback, dead, log.With("component", "notifier"))
	if err != nil {
		return err
	}
	if err := a.addQueue(ncfg.QueueConfig(kc.Brokers, clientID), nw.Handle, nw.Poisoned, v.questions); err != nil {
		return err
	}

	sb, err := sandbox.New(ctx, sandbox.Config{WorkDir: a.cfg.SandboxDir, Helper: a.cfg.SandboxHelper, UIDs: a.cfg.SandboxUIDs, Unsafe: a.cfg.UnsafeNoSandbox, NoZygote: a.cfg.NoZygote}, log.With("component", "sandbox"))
	if err != nil {
		// Without a sandbox no code runs: submissions wait in Kafka and
		// /readyz says why.
		log.Error("cannot sandbox user code; the judge is not started and submissions wait in Kafka", "err", err)
		a.checks = append(a.checks, func(context.Context) error { return fmt.Errorf("the judge cannot run code: %w", err) })
		return nil
	}
	a.closers = append(a.closers, func() { _ = sb.Close() })
	runs, err := emitter[codementor.RunEvent](a, kc, clientID, codementor.RunEvents)
	if err != nil {
		return err
	}
	jcfg := judge.DefaultConfig(a.cfg.MaxConcurrent)
	jcfg.PreemptAfter = a.cfg.PreemptAfter
	// The judge reads large questions' test data from its own view of the
	// test-data table (on disk, the process's copy of the topic) once per
	// version into a cache in memory.
	td, err := views.NewTestData(kc.Brokers, a.viewOptions(kc, slot, clientID)...)
	if err != nil {
		return err
	}
	a.components["test-data-view"] = td.Run
	a.checks = append(a.checks, recovered("test data view", td.Recovered))
	cache := judge.NewTestDataCache(td, int64(a.cfg.TestDataCacheMB)<<20, log.With("component", "judge"))
	jw, err := judge.NewWorker(judge.Sandboxed{Sandbox: sb}, jcfg, judge.WithTestData(v.questions, cache), v.submissions, runs, dead, log.With("component", "judge"))
	if err != nil {
		return err
	}
	if err := a.addQueue(jcfg.QueueConfig(kc.Brokers, clientID), jw.Handle, jw.Poisoned, v.questions); err != nil {
		return err
	}

	re, err := emitter[codementor.Runtime](a, kc, clientID, goka.Stream(codementor.RuntimesTable))
	if err != nil {
		return err
	}
	ids := sb.Languages()
	a.announced.Store(&ids)
	a.components["runtimes"] = func(ctx context.Context) error {
		err := announce(ctx, sb, re, clientID)
		a.announceDone.Store(err == nil)
		return err
	}
	a.checks = append(a.checks, recovered("runtime announcement", a.announceDone.Load))
	return nil
}

// emitter connects an emitter of T into topic, finished when the process
// stops.
func emitter[T any](a *App, kc kafka.Config, clientID string, topic goka.Stream) (*emitters.Emitter[T], error) {
	em, err := emitters.New[T](kc.Brokers, topic, kc.EmitterOptions(clientID, a.log.With("component", "goka"))...)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { _ = em.Finish() })
	return em, nil
}

// viewOptions are the options of every view of this process: its tables
// kept in the instance's own directory.
func (a *App) viewOptions(kc kafka.Config, slot, clientID string) []goka.ViewOption {
	return append(kc.ViewOptions(clientID, a.log.With("component", "goka")),
		goka.WithViewStorageBuilder(storage.DefaultBuilder(filepath.Join(slot, "views"))))
}

// addQueue adds the share-group consumer of cfg as a component. Its members
// join once the questions view has caught up: a job taken before would wait
// for its question while holding a slot.
func (a *App) addQueue(cfg queue.Config, handle, poisoned queue.Handler, qs *views.Questions) error {
	cfg.Poisoned = poisoned
	q, err := queue.New(cfg, a.log.With("component", cfg.Group))
	if err != nil {
		return err
	}
	a.closers = append(a.closers, metrics.WatchQueue(cfg.Group, q.Depth))
	a.components[cfg.Group] = func(ctx context.Context) error {
		if err := qs.WaitRecovered(ctx); err != nil {
			return nil // stopped before it started
		}
		return q.Run(ctx, handle)
	}
	return nil
}

// tableViews are the goka views of the tables that both the web tier and
// the workers read: one of each per process.
type tableViews struct {
	submissions *views.Submissions
	questions   *views.Questions
}

// tableViews returns this process's views, built on first use; Run runs
// them, and the process is ready once they have caught up.
func (a *App) tableViews(kc kafka.Config, slot, clientID string) (*tableViews, error) {
	if a.views != nil {
		return a.views, nil
	}
	log := a.log
	vopts := a.viewOptions(kc, slot, clientID)
	subs, err := views.NewSubmissions(kc.Brokers, log.With("component", "views"), vopts...)
	if err != nil {
		return nil, err
	}
	qs, err := views.NewQuestions(kc.Brokers, vopts...)
	if err != nil {
		return nil, err
	}
	a.components["submission-view"] = subs.Run
	a.components["questions-view"] = qs.Run
	a.checks = append(a.checks, recovered("submission view", subs.Recovered), recovered("questions view", qs.Recovered))
	a.views = &tableViews{submissions: subs, questions: qs}
	return a.views, nil
}

// announce writes the languages this judge can run into the runtimes table.
func announce(ctx context.Context, sb *sandbox.Sandbox, re *emitters.Runtimes, judge string) error {
	names := map[string]string{}
	for _, l := range codementor.Languages {
		names[l.ID] = l.Name
	}
	for _, r := range sb.Runtimes() {
		rt := &codementor.Runtime{ID: r.ID, Name: names[r.ID], Version: r.Version, Judge: judge, UpdatedAt: time.Now().UTC()}
		if err := re.Emit(ctx, r.ID, rt); err != nil {
			return fmt.Errorf("announce runtime %s: %w", r.ID, err)
		}
	}
	return nil
}

// addProcessor adds the processor of graph, with its tables in dir, as a
// component that outlives the loss of its brokers (see supervisor).
// Readiness follows the processor running now.
func (a *App) addProcessor(kc kafka.Config, graph *goka.GroupGraph, opts []goka.ProcessorOption, dir string) error {
	s, err := newSupervisor(kc.Brokers, graph, opts, storage.DefaultBuilder(dir), a.log)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, metrics.WatchProcessor(s.name, s.Processor))
	a.components[s.name] = s.Run
	a.checks = append(a.checks, s.Ready)
	return nil
}

// renderCallback is the body of a run's callback: the run as the Judge0
// API shows it, as Judge0 sends it (its default fields, base64 encoded).
func renderCallback(s *codementor.Submission) ([]byte, error) {
	body, err := judge0.Render(s, judge0.RenderOptions{Base64: true})
	if err != nil {
		return nil, err
	}
	return json.Marshal(body)
}
