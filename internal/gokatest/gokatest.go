// Package gokatest runs a processor group on goka's tester for the
// processors' tests.
package gokatest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"
)

// Run starts the group that graph builds (given a logger that discards)
// on a new tester and returns the tester; the processor stops, and its
// error fails t, at the end of the test.
func Run(t testing.TB, graph func(*slog.Logger) *goka.GroupGraph) *tester.Tester {
	t.Helper()
	tt := tester.New(t)
	p, err := goka.NewProcessor(nil, graph(slog.New(slog.NewTextHandler(io.Discard, nil))), goka.WithTester(tt))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("processor: %v", err)
		}
	})
	return tt
}
