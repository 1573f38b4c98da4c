// Command codementor runs the CodeMentor pipeline.
//
//	codementor dev        everything in one process, with an embedded broker
//	codementor broker     the embedded Kafka-protocol broker alone
//	codementor processor  the processor groups (tracker, judge, reviewer)
//	codementor web        emitters, views and the HTTP API
//	codementor topics     create the topics, then exit
//	codementor dlq        list or replay the messages no processor could read
//	codementor loadgen    the load generator: learners submitting against a running service
//
// Run `codementor ROLE -h` for the flags of a role.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/codementor/codementor/app"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/loadgen"
)

const usage = `usage: codementor ROLE [flags]

roles:
  dev        everything in one process, with an embedded Kafka broker
  broker     the embedded Kafka-protocol broker alone
  processor  the processor groups (tracker, judge, reviewer)
  web        emitters, views and the HTTP API
  topics     create every topic (or check the existing ones), then exit

tools:
  dlq list|replay   the messages no processor could read (the dead-letter topic)
  loadgen           load a running service: simulated learners submit on a
                    schedule; throughput and latencies (codementor loadgen -h)

Run 'codementor ROLE -h' for the flags of a role.
`

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stderr)) }

func run(args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "loadgen" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return loadgen.Main(ctx, args[1:], os.Stdout, stderr)
	}
	if len(args) > 0 && args[0] == "dlq" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return deadletter.Main(ctx, args[1:], getenv, os.Stdout, stderr)
	}
	if len(args) == 0 || !slices.Contains(app.Roles, args[0]) {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cfg, err := app.ParseFlags(args[0], args[1:], getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "codementor %s: invalid configuration:\n%v\n", args[0], err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.Info("starting", "config", cfg)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		log.Error("stopped with an error", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}
