package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/processors/tracker"
)

// failOnce is a storage whose first read of its offset fails, as recovering
// a table does when a broker is lost right after the table was opened.
type failOnce struct {
	storage.Storage
	failed *atomic.Bool
}

func (f failOnce) GetOffset(def int64) (int64, error) {
	if f.failed.CompareAndSwap(false, true) {
		return 0, errors.New("injected: the broker went away while the table recovered")
	}
	return f.Storage.GetOffset(def)
}

// A processor whose table recovery fails after the table was opened stops;
// the next processor the supervisor builds must be able to open that table
// again. goka leaves it open (recover-ahead), and LevelDB's lock refused
// every later processor of the process.
func TestSupervisorRestartsAProcessorThatLeftItsTableOpen(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	dir := t.TempDir()
	var failed atomic.Bool
	build := func(topic string, partition int32) (storage.Storage, error) {
		st, err := storage.DefaultBuilder(dir)(topic, partition)
		if err != nil || partition != 1 {
			return st, err
		}
		return failOnce{Storage: st, failed: &failed}, nil
	}
	s, err := newSupervisor(c.Brokers, tracker.Graph(kafkatest.Quiet),
		append(c.Kafka.ProcessorOptions("test", kafkatest.Quiet), goka.WithHotStandby(), goka.WithRecoverAhead()),
		build, kafkatest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	deadline := time.Now().Add(60 * time.Second)
	for s.Ready(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the processor did not come back: %v (injected fault hit: %v)", s.Ready(ctx), failed.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !failed.Load() {
		t.Fatal("the injected fault never hit: the test tests nothing")
	}
}
