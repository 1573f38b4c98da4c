// Package devtest runs CodeMentor processes inside a test's own process: the
// whole `codementor dev` with its embedded broker and the real sandbox, or
// any single role. The system tests and the load generator's end-to-end
// test start their services with it.
package devtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor/app"
	"github.com/codementor/codementor/internal/sandboxtest"
	"github.com/codementor/codementor/processors/judge"
	"github.com/codementor/codementor/review"
)

// FreeAddr returns a loopback address with a port that is free now and
// below the kernel's ephemeral range. A port from that range (what
// listening on :0 picks) can be taken, between this check and the server's
// own listen, as the local port of any outgoing connection: the suite's
// HTTP, SSE and Kafka clients make many.
func FreeAddr(t testing.TB) string {
	t.Helper()
	low := ephemeralLow()
	for range 200 {
		port := 20000 + rand.IntN(max(low-20000, 1))
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	t.Fatalf("no free port from 20000 to %d", low)
	return ""
}

// ephemeralLow is the first port of the kernel's ephemeral range.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 21000 {
				return n
			}
		}
	}
	return 32768
}

// Config is the configuration of a test `codementor dev` on dataDir: its
// own embedded broker on a free port, 4 partitions, dev sign-in, two
// judging slots, the shared test sandbox directory, and reviews skipped (no
// API key) unless the test configures a model.
func Config(t testing.TB, dataDir string) app.Config {
	helper, err := sandboxtest.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return app.Config{
		Role: app.RoleDev, HTTPAddr: FreeAddr(t), DataDir: dataDir, KafkaAddr: "127.0.0.1:0",
		Partitions: 4, QueuePartitions: 1, Replication: 1, StreamRetention: 24 * time.Hour, DevAuth: true,
		TokenTTL: time.Hour, MaxConcurrent: 2, PreemptAfter: judge.DefaultPreemptAfter, MaxInFlight: 8, StallAfter: 3 * time.Minute, SeedQuestions: true,
		SandboxDir: filepath.Join(os.TempDir(), "codementor-sandbox-test"), SandboxHelper: helper,
		Review: review.DefaultConfig(), ReviewConcurrency: 2,
	}
}

// Process is a process of the test's, running in the test's own process.
type Process struct {
	t        testing.TB
	cancel   context.CancelFunc
	finished chan error
	stopped  bool
}

// Run starts the process of cfg; it is stopped at the end of the test (or
// by Stop), which fails if it does not stop within 60 s or stops with an
// error. Logs go to stderr: warnings, or everything with -v.
func Run(t testing.TB, cfg app.Config) *Process {
	t.Helper()
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("start %s: %v", cfg.Role, err)
	}
	p := &Process{t: t, cancel: cancel, finished: make(chan error, 1)}
	go func() { p.finished <- a.Run(ctx) }()
	t.Cleanup(p.Stop)
	return p
}

// Stop stops the process and waits for it.
func (p *Process) Stop() {
	if p.stopped {
		return
	}
	p.stopped = true
	p.cancel()
	select {
	case err := <-p.finished:
		if err != nil {
			p.t.Errorf("run: %v", err)
		}
	case <-time.After(60 * time.Second):
		p.t.Error("the process did not stop within 60 s")
	}
}

// Instance is a running process with an HTTP API.
type Instance struct {
	*Process
	// Base is its URL, http://host:port.
	Base string
}

// Launch runs the process of cfg and polls its /readyz until done says the
// answer is the awaited one, for at most 90 s.
func Launch(t testing.TB, cfg app.Config, done func(status int, body []byte) bool) *Instance {
	t.Helper()
	in := &Instance{Process: Run(t, cfg), Base: "http://" + cfg.HTTPAddr}
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(in.Base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if done(resp.StatusCode, body) {
				return in
			}
			if time.Now().After(deadline) {
				t.Fatalf("/readyz after 90 s: %d %s", resp.StatusCode, body)
			}
		}
		select {
		case err := <-in.finished:
			in.stopped = true
			in.cancel()
			t.Fatalf("the process stopped while starting: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Ready is Launch's done for an instance that must be fully ready.
func Ready(status int, _ []byte) bool { return status == http.StatusOK }
