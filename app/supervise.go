package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
)

// supervisor runs a goka processor that outlives the loss of its brokers:
// goka's processor stops when it cannot reach them (a broker restart, a
// network partition), and the supervisor then builds a new one and runs it
// again, backing off from 1 s to 30 s, until it is asked to stop. Its state
// (tables, offsets) is in Kafka and the local storage, so a restarted
// processor resumes where the last one committed.
type supervisor struct {
	name    string
	brokers []string
	graph   *goka.GroupGraph
	opts    []goka.ProcessorOption
	build   storage.Builder
	log     *slog.Logger

	current atomic.Pointer[goka.Processor]
	tables  *openTables // the storages the current processor opened
}

// newSupervisor creates the first processor of graph, whose tables build
// opens. opts must not set a storage builder.
func newSupervisor(brokers []string, graph *goka.GroupGraph, opts []goka.ProcessorOption, build storage.Builder, log *slog.Logger) (*supervisor, error) {
	s := &supervisor{name: string(graph.Group()), brokers: brokers, graph: graph, opts: opts, build: build, log: log}
	if err := s.next(); err != nil {
		return nil, fmt.Errorf("create %s processor: %w", s.name, err)
	}
	return s, nil
}

// next builds the processor to run next.
func (s *supervisor) next() error {
	tables := &openTables{build: s.build, open: map[*openTable]struct{}{}}
	p, err := goka.NewProcessor(s.brokers, s.graph, append(s.opts[:len(s.opts):len(s.opts)], goka.WithStorageBuilder(tables.builder))...)
	if err != nil {
		return err
	}
	s.tables = tables
	s.current.Store(p)
	return nil
}

// Processor returns the processor running now (or about to).
func (s *supervisor) Processor() *goka.Processor { return s.current.Load() }

// Ready says whether the processor running now has its partitions.
func (s *supervisor) Ready(context.Context) error {
	if st := s.current.Load().StateReader().State(); st != goka.ProcStateRunning {
		return fmt.Errorf("the %s processor is not running yet (state %d)", s.name, st)
	}
	return nil
}

// Run runs processors until ctx ends.
func (s *supervisor) Run(ctx context.Context) error {
	backoff := time.Second
	for {
		started := time.Now()
		err := s.current.Load().Run(ctx)
		if ctx.Err() != nil {
			s.closeLeftOpen()
			return err
		}
		if time.Since(started) > time.Minute {
			backoff = time.Second // it ran for a while: this is a new failure
		}
		s.log.Error("processor stopped; starting a new one", "processor", s.name, "err", err, "in", backoff)
		for {
			select {
			case <-ctx.Done():
				s.closeLeftOpen()
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 30*time.Second)
			// The stopped processor's goroutines have ended by now (its
			// lookup tables stop as soon as Run returns).
			s.closeLeftOpen()
			err := s.next()
			if err == nil {
				break
			}
			s.log.Error("processor cannot be created yet", "processor", s.name, "err", err, "retry_in", backoff)
		}
	}
}

// closeLeftOpen closes the tables the last processor did not. goka v1.1.16
// leaves a partition's table open when recovering it ahead of the group's
// assignment fails after the table was opened (a broker lost mid-recovery:
// WithRecoverAhead). LevelDB's file lock then refuses every later processor
// of this process ("resource temporarily unavailable") and the group stays
// down until the process restarts.
func (s *supervisor) closeLeftOpen() {
	if n, err := s.tables.closeAll(); n > 0 {
		s.log.Warn("closed the tables a stopped processor left open", "processor", s.name, "tables", n, "err", err)
	}
}

// openTables builds storages and keeps the ones not closed yet.
type openTables struct {
	build storage.Builder
	mu    sync.Mutex
	open  map[*openTable]struct{}
}

func (o *openTables) builder(topic string, partition int32) (storage.Storage, error) {
	st, err := o.build(topic, partition)
	if err != nil {
		return nil, err
	}
	t := &openTable{Storage: st, of: o}
	o.mu.Lock()
	o.open[t] = struct{}{}
	o.mu.Unlock()
	return t, nil
}

// closeAll closes every storage still open and says how many there were.
func (o *openTables) closeAll() (int, error) {
	o.mu.Lock()
	left := make([]*openTable, 0, len(o.open))
	for t := range o.open {
		left = append(left, t)
	}
	o.mu.Unlock()
	var errs []error
	for _, t := range left {
		if err := t.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return len(left), errors.Join(errs...)
}

// openTable is a storage that leaves its set when closed; closing it twice
// closes it once.
type openTable struct {
	storage.Storage
	of   *openTables
	once sync.Once
	err  error
}

func (t *openTable) Close() error {
	t.once.Do(func() {
		t.err = t.Storage.Close()
		t.of.mu.Lock()
		delete(t.of.open, t)
		t.of.mu.Unlock()
	})
	return t.err
}
