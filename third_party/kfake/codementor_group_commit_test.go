package kfake

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// gateFS is a memFS whose segment files' Sync waits, once closed, until
// the gate opens: the disk is slow.
type gateFS struct {
	*memFS
	mu      sync.Mutex
	gate    chan struct{} // nil: open
	waiting chan struct{} // a Sync waits at the gate
}

type gateFile struct {
	file
	g   *gateFS
	seg bool
}

func (g *gateFS) OpenFile(name string, flag int, perm os.FileMode) (file, error) {
	f, err := g.memFS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &gateFile{f, g, strings.HasSuffix(name, ".dat")}, nil
}

func (g *gateFS) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate, g.waiting = make(chan struct{}), make(chan struct{}, 100)
}

func (g *gateFS) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

func (f *gateFile) Sync() error {
	if f.seg {
		f.g.mu.Lock()
		gate, waiting := f.g.gate, f.g.waiting
		f.g.mu.Unlock()
		if gate != nil {
			waiting <- struct{}{}
			<-gate
		}
	}
	return f.file.Sync()
}

func newGateCluster(t *testing.T, topics ...string) (*Cluster, *gateFS) {
	t.Helper()
	g := &gateFS{memFS: newMemFS()}
	c := newCluster(t, withFS(g), SyncWrites(), NumBrokers(1), SeedTopics(1, topics...))
	t.Cleanup(g.open) // before the cluster closes: a failed test must not hang it
	return c, g
}

// A write is acknowledged only once its segment is synced, and the broker
// answers other requests while the sync waits.
func TestCodementorGroupCommitAcksAfterSync(t *testing.T) {
	t.Parallel()
	c, g := newGateCluster(t, "gc-topic")
	cl := newPlainClient(t, c, kgo.RecordRetries(0))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The disk is slow from the start: the first write also creates the
	// partition's segment files.
	g.close()
	acked := make(chan error, 1)
	go func() {
		acked <- cl.ProduceSync(ctx, &kgo.Record{Topic: "gc-topic", Value: []byte("held")}).FirstErr()
	}()
	select {
	case <-g.waiting:
	case <-ctx.Done():
		t.Fatal("the segment was never synced")
	}
	// The broker is not blocked by the sync: another client is answered.
	other := newPlainClient(t, c)
	pinged := make(chan error, 1)
	go func() { pinged <- other.Ping(ctx) }()
	select {
	case err := <-pinged:
		if err != nil {
			t.Fatalf("the broker did not answer while a sync waited: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the broker did not answer while a sync waited")
	}
	select {
	case err := <-acked:
		t.Fatalf("the write was acknowledged before its segment was synced (err %v)", err)
	default:
	}
	g.open()
	if err := <-acked; err != nil {
		t.Fatalf("the write failed once synced: %v", err)
	}
}

// A failed sync acknowledges nothing: the request fails instead.
func TestCodementorGroupCommitFailedSync(t *testing.T) {
	t.Parallel()
	c, g := newGateCluster(t, "gc-fail")
	cl := newPlainClient(t, c, kgo.RecordRetries(0), kgo.DisableIdempotentWrite())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "gc-fail", Value: []byte("first")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	g.memFS.mu.Lock()
	g.memFS.failNextSync = errors.New("injected: the disk is gone")
	g.memFS.mu.Unlock()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "gc-fail", Value: []byte("second")}).FirstErr(); err == nil {
		t.Fatal("a write whose sync failed was acknowledged")
	}
}
