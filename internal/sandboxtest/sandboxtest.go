// Package sandboxtest gives tests the sandbox's helper (cmd/sandbox-init),
// which the sandbox finds through $CODEMENTOR_SANDBOX_INIT: a test binary
// has no helper beside it.
package sandboxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

var (
	once     sync.Once
	path     string
	errBuild error
)

// Helper builds the helper once per process (go build caches it), unless
// $CODEMENTOR_SANDBOX_INIT names one already (`make test` builds it first),
// sets $CODEMENTOR_SANDBOX_INIT to it, and returns its path.
func Helper() (string, error) {
	once.Do(func() {
		if p := os.Getenv("CODEMENTOR_SANDBOX_INIT"); p != "" {
			if _, err := os.Stat(p); err == nil {
				path = p
				return
			}
		}
		// One place for every test process, replaced atomically: test
		// binaries run in parallel.
		dir := filepath.Join(os.TempDir(), "codementor-test-bin")
		if errBuild = os.MkdirAll(dir, 0o755); errBuild != nil {
			return
		}
		p := filepath.Join(dir, "codementor-sandbox-init")
		tmp := fmt.Sprintf("%s.%d", p, os.Getpid())
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, "github.com/codementor/codementor/cmd/sandbox-init")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			errBuild = fmt.Errorf("build the sandbox helper: %v\n%s", err, out)
			return
		}
		if errBuild = os.Rename(tmp, p); errBuild != nil {
			return
		}
		path = p
		errBuild = os.Setenv("CODEMENTOR_SANDBOX_INIT", p)
	})
	return path, errBuild
}
