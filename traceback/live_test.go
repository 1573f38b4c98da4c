package traceback

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/sandboxtest"
	"github.com/codementor/codementor/sandbox"
)

// requireToolchains, set (in CI), turns the skip of a language whose
// toolchain is missing into a failure, so that the live test cannot pass
// without running.
const requireToolchains = "CODEMENTOR_TEST_REQUIRE_TOOLCHAINS"

// TestHideDriverLive compiles and runs the programs of testdata/programs in
// the real sandbox, driver and solution as the judge gives them, and checks
// what HideDriver makes of what the judge would show (the compiler's
// message, or the program's stderr), so that the rules follow the
// toolchains' versions. With -update it rewrites testdata/captured: the
// outputs and their goldens. The `go run` case has no live run: the sandbox
// builds Go programs; its output is in the captured files.
func TestHideDriverLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs compilers: not in -short mode")
	}
	if _, err := sandboxtest.Helper(); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(t.Context(), sandbox.Config{WorkDir: filepath.Join(os.TempDir(), "codementor-sandbox-test")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("the live test runs the programs in the sandbox (make test installs bubblewrap): %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	for _, c := range programCases {
		t.Run(c.lang+"/"+c.name, func(t *testing.T) {
			if c.goRun {
				t.Skip("the sandbox builds Go programs rather than `go run` them")
			}
			if !slices.ContainsFunc(sb.Runtimes(), func(r sandbox.Runtime) bool { return r.ID == c.lang }) {
				if os.Getenv(requireToolchains) != "" {
					t.Fatalf("%s is required (%s is set)", c.lang, requireToolchains)
				}
				t.Skipf("no %s toolchain here", c.lang)
			}
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			in := runProgram(ctx, t, sb, c)
			got := HideDriver(c.lang, in)
			checkHidden(t, c, in, got)
			if *update {
				writeFile(t, c.capturedPath(".txt"), in)
				writeFile(t, c.capturedPath(".golden"), got)
			}
		})
	}
}

// runProgram compiles c's driver and solution in the sandbox and, if they
// compile, runs them; it returns the compiler's message or the program's
// stderr, and fails t unless the programs fail.
func runProgram(ctx context.Context, t testing.TB, sb *sandbox.Sandbox, c programCase) string {
	t.Helper()
	src := sandbox.Source{Language: c.lang,
		Driver: readFile(t, filepath.Join(c.programDir(), c.driverFile())),
		Code:   readFile(t, filepath.Join(c.programDir(), c.solutionFile()))}
	p, err := sb.Compile(ctx, src)
	var ce *sandbox.CompileError
	switch {
	case errors.As(err, &ce):
		return ce.Output
	case err != nil:
		t.Fatal(err)
	}
	defer p.Close()
	e, err := p.Run(ctx, nil, sandbox.Limits{CPUTime: 5 * time.Second, WallTime: 15 * time.Second, MemoryMB: 256})
	if err != nil || (e.ExitCode == 0 && e.Signal == "") || e.TimedOut {
		t.Fatalf("want a failure, got %v: exit %d, signal %q, timed out %v, stderr\n%s", err, e.ExitCode, e.Signal, e.TimedOut, e.Stderr)
	}
	return string(e.Stderr)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
