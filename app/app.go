// Package app assembles CodeMentor's components into the processes the
// binary runs: dev (everything), broker, processor and web. Each is a set of
// Run(ctx) components in one errgroup.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/codementor/codementor/broker"
	"github.com/codementor/codementor/kafka"
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

// New builds the components of cfg.Role, once cfg validates. Nothing runs
// until Run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (_ *App, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
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

	kc := kafka.Config{Brokers: brokers, Partitions: cfg.Partitions, QueuePartitions: cfg.QueuePartitions, Replication: cfg.Replication, StreamRetention: cfg.StreamRetention}.WithDefaults()
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
