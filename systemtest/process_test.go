package systemtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/codementor/codementor/sandbox"
)

// The codementor binary, built once per test run, for the tests that run the
// parts as separate processes (to kill them as an operator's machine would).
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "codementor-systemtest-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "codementor")
		// The sandbox's helper beside it, where the service looks for it.
		for pkg, out := range map[string]string{"cmd/codementor": binPath, "cmd/sandbox-init": filepath.Join(dir, sandbox.HelperName)} {
			if out, err := exec.Command("go", "build", "-o", out, "github.com/codementor/codementor/"+pkg).CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a running codementor process.
type process struct {
	name string
	ops  string // its /metrics, /healthz, /readyz, if it serves them
	cmd  *exec.Cmd
	log  *bytes.Buffer
	mu   *sync.Mutex
	done chan struct{}
	err  error // once done is closed
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// spawn starts `codementor args...` with env added to a clean environment.
// The process is killed at the end of the test; if the test failed, the end
// of its log is printed.
func spawn(t testing.TB, name string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
	p := &process{name: name, cmd: cmd, log: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	cmd.Stdout = lockedWriter{p.mu, p.log}
	cmd.Stderr = lockedWriter{p.mu, p.log}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.signal(syscall.SIGKILL)
		<-p.done
		if t.Failed() {
			t.Logf("--- the end of %s's log:\n%s", name, p.tail(40))
			// The whole log, for a post-mortem.
			dir := filepath.Join(os.TempDir(), "codementor-systemtest-logs", strings.ReplaceAll(t.Name(), "/", "_"))
			if os.MkdirAll(dir, 0o755) == nil {
				p.mu.Lock()
				err := os.WriteFile(filepath.Join(dir, name+".log"), p.log.Bytes(), 0o644)
				p.mu.Unlock()
				if err == nil {
					t.Logf("%s's whole log: %s", name, filepath.Join(dir, name+".log"))
				}
			}
		}
	})
	return p
}

func (p *process) signal(sig syscall.Signal) {
	select {
	case <-p.done:
	default:
		_ = p.cmd.Process.Signal(sig)
	}
}

// stop sends SIGTERM and waits up to within for the process to exit; it
// returns how long that took and the exit error.
func (p *process) stop(t testing.TB, within time.Duration) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return time.Since(start), p.err
	case <-time.After(within):
		t.Fatalf("%s did not stop within %s of SIGTERM; its log:\n%s", p.name, within, p.tail(40))
		return 0, nil
	}
}

func (p *process) tail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	lines := strings.Split(strings.TrimRight(p.log.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
