package views_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/views"
)

// Reads that race the view's stop get ErrNotReady, and never touch the
// partitions goka closes and drops when the view stops (the race detector
// caught a starter-question lookup of the web tier doing that at shutdown).
func TestReadsWhileTheViewStops(t *testing.T) {
	c := kafkatest.Start(t, 4, 0)
	qs, err := views.NewQuestions(c.Brokers, append(c.Kafka.ViewOptions("test", kafkatest.Quiet),
		goka.WithViewStorageBuilder(storage.MemoryBuilder()))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- qs.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wcancel()
	if err := qs.WaitRecovered(wctx); err != nil {
		t.Fatal(err)
	}

	stopReading := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stopReading:
					return
				default:
				}
				_, _ = qs.Get("a-plus-b")
				_ = qs.Each(func(*codementor.Question) error { return nil })
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
	time.Sleep(50 * time.Millisecond) // reads after the stop, too
	close(stopReading)
	readers.Wait()

	if _, err := qs.Get("a-plus-b"); !errors.Is(err, views.ErrNotReady) {
		t.Errorf("Get after the stop = %v; want ErrNotReady", err)
	}
}
