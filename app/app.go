// Package app assembles CodeMentor's components into the processes the
// binary runs: dev (everything), broker, processor and web. Each is a set of
// Run(ctx) components in one errgroup.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/broker"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/kafka"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/processors/judge"
	"github.com/codementor/codementor/processors/learners"
	"github.com/codementor/codementor/processors/reviewer"
	"github.com/codementor/codementor/processors/tracker"
	"github.com/codementor/codementor/processors/watchdog"
	"github.com/codementor/codementor/questions"
	"github.com/codementor/codementor/queue"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/views"
	"github.com/codementor/codementor/web"
)

// App is one process's components.
type App struct {
	cfg        Config
	log        *slog.Logger
	components map[string]func(context.Context) error
	checks     []func(context.Context) error
	closers    []func()
	// announced lists the languages this process's judge announces, if any.
	announced    atomic.Pointer[[]string]
	announceDone atomic.Bool
	views        *tableViews
}

// New builds the components of cfg.Role. Nothing runs until Run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	a := &App{cfg: cfg, log: log, components: map[string]func(context.Context) error{}}
	defer func() {
		if err != nil {
			a.close() // what started before the failure
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	brokers := cfg.Brokers
	if cfg.Role == RoleBroker || (cfg.Role == RoleDev && len(brokers) == 0) {
		b, err := broker.Start(broker.Config{Addr: cfg.KafkaAddr, DataDir: filepath.Join(cfg.DataDir, "broker")}, log.With("component", "broker"))
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, b.Close)
		a.components["broker"] = b.Run
		brokers = []string{b.Addr()}
		log.Info("embedded Kafka broker listening", "addr", b.Addr(), "data", filepath.Join(cfg.DataDir, "broker"))
	}
	if cfg.Role == RoleBroker {
		return a, nil
	}

	kc := kafka.Config{Brokers: brokers, Partitions: cfg.Partitions, QueuePartitions: cfg.QueuePartitions, Replication: cfg.Replication, StreamRetention: cfg.StreamRetention}
	tctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(tctx, kc, log.With("component", "topics")); err != nil {
		return nil, fmt.Errorf("set up topics: %w", err)
	}
	if cfg.Role == RoleTopics {
		return a, nil // nothing runs: Run returns at once
	}

	// Local table storage: one directory per running instance, so several
	// instances may share a data dir and a restart reuses its predecessor's.
	slot, unlock, err := lockSlot(filepath.Join(cfg.DataDir, "goka"), cfg.Role)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, unlock)
	clientID := "codementor-" + filepath.Base(slot)

	if cfg.Role == RoleDev || cfg.Role == RoleProcessor {
		if err := a.addProcessors(ctx, kc, slot, clientID); err != nil {
			return nil, err
		}
	}
	if cfg.Role == RoleProcessor && cfg.MetricsAddr != "" {
		a.components["ops"] = a.serveOps(cfg.MetricsAddr)
	}
	if cfg.Role == RoleDev || cfg.Role == RoleWeb {
		if err := a.addWeb(kc, slot, clientID); err != nil {
			return nil, err
		}
	}
	return a, nil
}

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
	if err := a.addProcessor(kc, tracker.Graph(log.With("component", "tracker")), popts(), filepath.Join(slot, "processors", string(tracker.Group))); err != nil {
		return err
	}
	if err := a.addProcessor(kc, learners.Graph(log.With("component", "learners")), popts(), filepath.Join(slot, "processors", string(learners.Group))); err != nil {
		return err
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
	wd := watchdog.New(watchdog.Config{StallAfter: a.cfg.StallAfter, Every: max(a.cfg.StallAfter/6, time.Second)},
		v.submissions, nudges, log.With("component", "watchdog"))
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
		log.Warn("reviews are off: every review is skipped", "reason", reason)
	}
	reviews, err := emitter[codementor.ReviewEvent](a, kc, clientID, codementor.ReviewEvents)
	if err != nil {
		return err
	}
	rcfg := reviewer.DefaultConfig(a.cfg.ReviewConcurrency)
	rw := reviewer.NewWorker(rv, rcfg, v.questions, v.submissions, reviews, dead, log.With("component", "reviewer"))
	a.addQueue(rcfg.QueueConfig(kc.Brokers, clientID), rw.Handle, rw.Poisoned, v.questions)

	sb, err := sandbox.New(ctx, sandbox.Config{WorkDir: a.cfg.SandboxDir, Helper: a.cfg.SandboxHelper, UIDs: a.cfg.SandboxUIDs, Unsafe: a.cfg.UnsafeNoSandbox}, log.With("component", "sandbox"))
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
	jw := judge.NewWorker(judge.Sandboxed{Sandbox: sb}, jcfg, v.questions, v.submissions, runs, dead, log.With("component", "judge"))
	a.addQueue(jcfg.QueueConfig(kc.Brokers, clientID), jw.Handle, jw.Poisoned, v.questions)

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
func (a *App) addQueue(cfg queue.Config, handle, poisoned queue.Handler, qs *views.Questions) {
	cfg.Poisoned = poisoned
	q := queue.New(cfg, a.log.With("component", cfg.Group))
	a.closers = append(a.closers, metrics.WatchQueue(cfg.Group, q.Depth))
	a.components[cfg.Group] = func(ctx context.Context) error {
		if err := qs.WaitRecovered(ctx); err != nil {
			return nil // stopped before it started
		}
		return q.Run(ctx, handle)
	}
}

// tableViews are the goka views of the tables that both the web tier and
// the workers read: one of each per process.
type tableViews struct {
	hub         *views.Hub
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
	hub := views.NewHub()
	subs, err := views.NewSubmissions(kc.Brokers, hub, log.With("component", "views"), vopts...)
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
	a.views = &tableViews{hub: hub, submissions: subs, questions: qs}
	return a.views, nil
}

// runtimesListed is ready once the runtimes view lists a language: without
// one no submission can be accepted. When this process runs a judge too, it
// waits for every language that judge announced.
func (a *App) runtimesListed(rts *views.Runtimes) func(context.Context) error {
	return func(context.Context) error {
		want := a.announced.Load()
		if want == nil {
			list, err := rts.List()
			if err != nil {
				return err
			}
			if len(list) == 0 {
				return errors.New("no judge has announced the languages it runs yet: start a processor")
			}
			return nil
		}
		for _, id := range *want {
			if _, err := rts.Get(id); err != nil {
				return fmt.Errorf("the runtimes view does not list %s yet", id)
			}
		}
		return nil
	}
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

func (a *App) addWeb(kc kafka.Config, slot, clientID string) error {
	log := a.log
	secret, err := a.jwtSecret()
	if err != nil {
		return err
	}
	authority, err := auth.New(secret, a.cfg.TokenTTL)
	if err != nil {
		return err
	}
	v, err := a.tableViews(kc, slot, clientID)
	if err != nil {
		return err
	}
	hub, subs, qs := v.hub, v.submissions, v.questions
	vopts := a.viewOptions(kc, slot, clientID)
	rts, err := views.NewRuntimes(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	lv, err := views.NewLearners(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	se, err := emitter[codementor.SubmissionRequest](a, kc, clientID, codementor.SubmissionRequests)
	if err != nil {
		return err
	}
	qe, err := emitter[codementor.Question](a, kc, clientID, goka.Stream(codementor.QuestionsTable))
	if err != nil {
		return err
	}

	a.components["runtimes-view"] = rts.Run
	a.components["learners-view"] = lv.Run
	a.checks = append(a.checks, recovered("runtimes view", rts.Recovered), recovered("learners view", lv.Recovered), a.runtimesListed(rts))
	if a.cfg.SeedQuestions {
		var seeded atomic.Bool
		a.components["seed"] = func(ctx context.Context) error {
			err := seed(ctx, qs, qe, log)
			seeded.Store(err == nil)
			return err
		}
		a.checks = append(a.checks, recovered("starter questions", seeded.Load))
	}
	srv := web.New(web.Config{Addr: a.cfg.HTTPAddr, DevAuth: a.cfg.DevAuth, MaxInFlight: a.cfg.MaxInFlight}, web.Deps{
		Submissions: subs, Questions: qs, Runtimes: rts, Learners: lv, Hub: hub, SubmissionEmitter: se, QuestionEmitter: qe,
		Auth: authority, Ready: a.ready, Log: log.With("component", "web"),
	})
	a.components["web"] = srv.Run
	return nil
}

// serveOps serves what operators need from a process without the web tier:
// /metrics, /healthz and /readyz.
func (a *App) serveOps(addr string) func(context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if err := a.ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"status": "not ready", "reason": err.Error()})
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return func(ctx context.Context) error {
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		a.log.Info("serving /metrics, /healthz and /readyz", "addr", addr)
		select {
		case err := <-errc:
			return fmt.Errorf("ops listener on %s: %w", addr, err)
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}

// seed emits every starter question the questions table does not have yet,
// so a fresh installation has questions and an admin's edits are kept.
func seed(ctx context.Context, qs *views.Questions, qe *emitters.Questions, log *slog.Logger) error {
	starter, err := questions.Starter()
	if err != nil {
		return fmt.Errorf("load starter questions: %w", err)
	}
	if err := qs.WaitRecovered(ctx); err != nil {
		return err
	}
	added := 0
	for i := range starter {
		q := &starter[i]
		if _, err := qs.Get(q.ID); !errors.Is(err, views.ErrNotFound) {
			continue
		}
		q.UpdatedAt = time.Now().UTC()
		if err := qe.Emit(ctx, q.ID, q); err != nil {
			return fmt.Errorf("seed question %s: %w", q.ID, err)
		}
		added++
	}
	// Ready means a learner can open every starter question: wait for the
	// view to catch up with what was just emitted.
	for i := range starter {
		for {
			if _, err := qs.Get(starter[i].ID); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("wait for question %s in the view: %w", starter[i].ID, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	log.Info("starter questions", "added", added, "total", len(starter))
	return nil
}

// jwtSecret is CODEMENTOR_JWT_SECRET, or with dev sign-in a random secret
// kept in the data dir so tokens survive a restart.
func (a *App) jwtSecret() ([]byte, error) {
	if a.cfg.JWTSecret != "" {
		return []byte(a.cfg.JWTSecret), nil
	}
	path := filepath.Join(a.cfg.DataDir, "dev-jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= auth.MinSecretBytes {
		return b, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(buf))
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		return nil, fmt.Errorf("store the dev JWT secret: %w", err)
	}
	return secret, nil
}

// ready returns the first reason this process cannot serve yet.
func (a *App) ready(ctx context.Context) error {
	var errs []error
	for _, check := range a.checks {
		if err := check(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
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

func recovered(name string, ok func() bool) func(context.Context) error {
	return func(context.Context) error {
		if !ok() {
			return fmt.Errorf("the %s is not ready yet", name)
		}
		return nil
	}
}

// Run runs every component until ctx ends or one fails, then stops all.
func (a *App) Run(ctx context.Context) error {
	defer a.close()
	g, gctx := errgroup.WithContext(ctx)
	for name, run := range a.components {
		g.Go(func() error {
			err := run(gctx)
			switch {
			case err == nil || errors.Is(err, context.Canceled):
				return nil
			case ctx.Err() != nil:
				// Stopped on request, maybe before it finished starting (goka
				// then says it gave up waiting for its tables): not a failure.
				a.log.Warn("component stopped during shutdown", "component", name, "err", err)
				return nil
			}
			// The first failure stops the others, whose errors then only say
			// so: log each, so the cause is never hidden.
			a.log.Error("component stopped", "component", name, "err", err)
			return fmt.Errorf("%s: %w", name, err)
		})
	}
	return g.Wait()
}

func (a *App) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// lockSlot takes the first free instance directory <dir>/<role>-<n> and
// holds an exclusive lock on it until unlock.
func lockSlot(dir, role string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", dir, err)
	}
	for n := 0; n < 256; n++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d", role, n))
		f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return "", nil, fmt.Errorf("open instance lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				continue
			}
			return "", nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return path, func() { f.Close() }, nil
	}
	return "", nil, fmt.Errorf("no free instance directory under %s: more than 256 %s instances share it", dir, strings.ToLower(role))
}
