package loadgen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Main is the `codementor loadgen` command: flags, Run, outputs, exit
// status (0: every submission accepted and judged as expected; 1: not, or
// the run could not start, with a one-line reason on stderr; 2: bad flags).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := ParseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "codementor loadgen: %v\n", err)
		return 2
	}
	rep, err := Run(ctx, cfg, stderr)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(stderr, "codementor loadgen: interrupted before the run started")
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "codementor loadgen: %v\n", err)
		return 1
	}
	code := 0
	if err := rep.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "codementor loadgen: write the table: %v\n", err)
		code = 1
	}
	if cfg.JSONPath != "" {
		if err := writeFile(cfg.JSONPath, rep.WriteJSON); err != nil {
			fmt.Fprintf(stderr, "codementor loadgen: %v\n", err)
			code = 1
		}
	}
	if cfg.SVGPath != "" {
		if err := writeFile(cfg.SVGPath, rep.WriteSVG); err != nil {
			fmt.Fprintf(stderr, "codementor loadgen: %v\n", err)
			code = 1
		}
	}
	if cfg.QueuePath != "" {
		if err := writeFile(cfg.QueuePath, rep.WriteQueueCSV); err != nil {
			fmt.Fprintf(stderr, "codementor loadgen: %v\n", err)
			code = 1
		}
		fmt.Fprintf(stderr, "codementor loadgen: %d samples of the judging queue's depth (%d scrapes failed) written to %s\n",
			len(rep.QueueDepth), rep.QueueScrapeFailures, cfg.QueuePath)
	}
	if !rep.OK {
		fmt.Fprintf(stderr, "codementor loadgen: FAIL: %s\n", rep.Reason)
		return 1
	}
	return code
}

// writeFile writes a file through write, whole or not at all.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".loadgen-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
