package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/sandboxtest"
	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/helper"
	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// The tests run real programs in the real sandbox. Without bwrap they fail,
// unless CODEMENTOR_SKIP_SANDBOX=1.

var (
	testSandbox    *Sandbox
	testSandboxErr error
	testWorkDir    string
)

func TestMain(m *testing.M) {
	if os.Getenv("CODEMENTOR_SKIP_SANDBOX") != "1" {
		// Not t.TempDir: its directories are private (0700), out of reach
		// of the sandbox user. A fixed directory, shared with the judge's
		// tests, so that the toolchains' caches (the warm Go build cache
		// above all) are made once, not on every run.
		testWorkDir = filepath.Join(os.TempDir(), "codementor-sandbox-test")
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		if _, testSandboxErr = sandboxtest.Helper(); testSandboxErr == nil {
			testSandbox, testSandboxErr = New(context.Background(), Config{WorkDir: testWorkDir}, log)
		}
	}
	code := m.Run()
	closeModes()
	if testSandbox != nil {
		// Let the caches' preparation finish rather than kill it halfway;
		// Kotlin's, made at idle priority while other packages' tests may
		// hold every CPU, for a minute at most.
		giveUp := time.After(time.Minute)
		for _, tc := range testSandbox.toolchains {
			select {
			case <-tc.Prepared():
			case <-giveUp:
			}
		}
		testSandbox.Close()
	}
	os.Exit(code)
}

// sandbox returns the shared sandbox, failing (or skipping, with
// CODEMENTOR_SKIP_SANDBOX=1) the test when there is none.
func sandbox(t testing.TB) *Sandbox {
	t.Helper()
	if os.Getenv("CODEMENTOR_SKIP_SANDBOX") == "1" {
		t.Skip("CODEMENTOR_SKIP_SANDBOX=1")
	}
	if testSandboxErr != nil {
		t.Fatalf("no sandbox on this machine (set CODEMENTOR_SKIP_SANDBOX=1 to skip these tests): %v", testSandboxErr)
	}
	return testSandbox
}

// compile compiles code and closes the program at the end of the test.
func compile(t testing.TB, lang, code string) *Program {
	t.Helper()
	return compileSource(t, Source{Language: lang, Code: code})
}

// compileSource compiles src and closes the program at the end of the test.
func compileSource(t testing.TB, src Source) *Program {
	t.Helper()
	return compileWith(t, sandbox(t), src)
}

// compileWith compiles src in s and closes the program at the end of the
// test.
func compileWith(t testing.TB, s *Sandbox, src Source) *Program {
	t.Helper()
	p, err := s.Compile(context.Background(), src)
	if err != nil {
		var ce *CompileError
		if errors.As(err, &ce) {
			t.Fatalf("compile %s: %v:\n%s", src.Language, err, ce.Output)
		}
		t.Fatalf("compile %s: %v", src.Language, err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// small limits keep the suite fast.
var testLimits = Limits{CPUTime: 500 * time.Millisecond, WallTime: 1500 * time.Millisecond, MemoryMB: 64, OutputBytes: 8 << 10}

// stopSlack is how long after its wall limit a run may end in these tests.
// The checks tell a run the limit stopped from one it did not (those
// programs sleep a minute or loop forever), not how fast the killer is: the
// tests of other packages may hold both CPUs meanwhile. How fast runs stop
// is for the benchmarks.
const stopSlack = 5 * time.Second

// stoppedInTime says whether a run that took elapsed was stopped by lim's
// wall limit (or sooner).
func stoppedInTime(elapsed time.Duration, lim Limits) bool {
	return elapsed <= lim.WallTime+stopSlack
}

func TestLanguagesAvailable(t *testing.T) {
	got := sandbox(t).Languages()
	for _, l := range codementor.Languages {
		if !slices.Contains(got, l.ID) {
			t.Errorf("Languages() = %v, missing %q (is its toolchain installed?)", got, l.ID)
		}
	}
}

func TestUnknownLanguage(t *testing.T) {
	_, err := sandbox(t).Compile(context.Background(), Source{Language: "cobol"})
	if !errors.Is(err, ErrUnknownLanguage) {
		t.Fatalf("Compile(cobol) = %v, want ErrUnknownLanguage", err)
	}
}

func TestNewWithoutBwrap(t *testing.T) {
	_, err := New(t.Context(), Config{WorkDir: filepath.Join(os.TempDir(), "unused"), Bwrap: "/nonexistent/bwrap"}, nil)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "bubblewrap") {
		t.Fatalf("New with a missing bwrap = %v, want ErrUnavailable naming the bubblewrap package", err)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := (Config{WorkDir: "/srv/sandbox"}).Validate(); err != nil {
		t.Errorf("Validate of a work dir and defaults = %v", err)
	}
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "WorkDir is required"},
		{Config{WorkDir: "/srv/sandbox", UIDs: UIDRange{First: 100, Count: 10}}, "want a range above 999"},
		{Config{WorkDir: "/srv/sandbox", UIDs: UIDRange{First: 65000, Count: 1000}}, "not holding 65534"},
	} {
		if err := c.cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate(%+v) = %v, want an error saying %q", c.cfg, err, c.want)
		}
	}
	if _, err := New(t.Context(), Config{}, nil); err == nil || !strings.Contains(err.Error(), "WorkDir is required") {
		t.Errorf("New(Config{}) = %v, want the Validate error", err)
	}
}

// TestNewCanceled: New stops at its self-test when ctx is done, and says
// why, rather than fall back on rlimits or on no sandbox at all.
func TestNewCanceled(t *testing.T) {
	sandbox(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, cfg := range []Config{{WorkDir: testWorkDir, WarmBoxes: -1}, {WorkDir: testWorkDir, WarmBoxes: -1, Unsafe: true}} {
		if s, err := New(ctx, cfg, nil); !errors.Is(err, context.Canceled) {
			if s != nil {
				s.Close()
			}
			t.Errorf("New(canceled ctx, Unsafe %v) = %v, want context.Canceled", cfg.Unsafe, err)
		}
	}
}

func TestWorkDirChecks(t *testing.T) {
	sandbox(t)
	private := t.TempDir() // 0700: out of the sandbox user's reach
	if err := os.Chmod(private, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := New(t.Context(), Config{WorkDir: filepath.Join(private, "work")}, nil)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "o+x") {
		t.Errorf("New with an unreachable work dir = %v, want ErrUnavailable saying what to fix", err)
	}
	link := filepath.Join(filepath.Dir(testWorkDir), fmt.Sprintf("link-%d", rand.Int64()))
	if err := os.Symlink(private, link); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(link)
	_, err = New(t.Context(), Config{WorkDir: link}, nil)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "link") {
		t.Errorf("New with a symbolic link as work dir = %v, want ErrUnavailable", err)
	}
}

func TestRemoveStale(t *testing.T) {
	s := sandbox(t)
	old := time.Now().Add(-2 * staleAfter)
	// A process that is gone: its directories go at once.
	gone := exec.Command("/usr/bin/true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(gone.Process.Pid)
	var stale []string
	for _, name := range []string{"init-0-0-0-0", "helper-0123", "c-123456", "selftest-42", "python-" + dead + "-1", "tmp-" + dead + "-2"} {
		path := filepath.Join(s.cfg.WorkDir, name)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		stale = append(stale, path)
	}
	other := filepath.Join(s.cfg.WorkDir, "not-ours")
	fresh := filepath.Join(s.cfg.WorkDir, "python-fresh")
	alive := filepath.Join(s.cfg.WorkDir, workDirPrefix("python")+"3")
	for _, path := range []string{other, fresh, alive} {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
	}
	for _, path := range append([]string{other, s.helper.Path()}, stale[2:4]...) {
		if err := os.Chtimes(path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// Another build's helper (an older build's: the whole service,
	// questions included) goes once no process refreshed it for two hours.
	unused := time.Now().Add(-3 * helper.TouchEvery)
	for _, path := range stale[:2] {
		if err := os.Chtimes(path, unused, unused); err != nil {
			t.Fatal(err)
		}
	}
	s.removeStale()
	// At once: other test processes share the work dir, and take a helper
	// copy untouched for two hours for another build's, unused.
	now := time.Now()
	if err := os.Chtimes(s.helper.Path(), now, now); err != nil {
		t.Fatal(err)
	}
	for _, path := range stale {
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Errorf("%s not removed: %v", path, err)
		}
	}
	for _, path := range []string{other, fresh, alive, s.helper.Path()} {
		if _, err := os.Lstat(path); err != nil {
			t.Errorf("%s removed: %v", path, err)
		}
	}
}

// runCase is one program run, in each language it has code for.
type runCase struct {
	name  string
	code  map[string]string
	stdin string
	lim   Limits
	check func(t *testing.T, e Execution, elapsed time.Duration)
}

// hostileRuns are programs that try to get out of their box or at the host.
// (What they get, verdict by verdict, is the behaviour suite's.)
var hostileRuns = []runCase{
	{
		name: "host secrets",
		code: map[string]string{
			"python": `import os
for path in ["/etc/shadow", "/etc/passwd", "/root/.bashrc", "/proc/1/environ", "/proc/1/mem"]:
    try:
        open(path, "rb").read(1)
        print("read", path)
    except OSError:
        pass
for path in ["/root", "/work", "/home", "/var", "/sys", "/run"]:
    try:
        os.listdir(path)
        print("list", path)
    except OSError:
        pass
for name in sorted(os.listdir("/")):
    if name not in ("bin", "box", "dev", "etc", "lib", "lib64", "proc", "sandbox-init", "sbin", "tmp", "usr"):
        print("root has", name)
print("uid", os.getuid(), os.geteuid())
`,
			"c": `#include <stdio.h>
#include <dirent.h>
#include <unistd.h>
int main(void){
	const char *files[] = {"/etc/shadow", "/root/.bashrc", 0};
	const char *dirs[] = {"/root", "/work", "/home", 0};
	for (int i = 0; files[i]; i++) if (fopen(files[i], "r")) printf("read %s\n", files[i]);
	for (int i = 0; dirs[i]; i++) if (opendir(dirs[i])) printf("list %s\n", dirs[i]);
	printf("uid %d %d\n", (int)getuid(), (int)geteuid());
	return 0;
}
`,
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			var uid, euid int
			if _, err := fmt.Sscanf(string(e.Stdout), "uid %d %d\n", &uid, &euid); err != nil || uid != euid || !boxUID([]byte(fmt.Sprintf("\nUid:\t%d\t", uid))) {
				t.Errorf("the program reached host files, or runs as root or as no box's uid: %s", describe(e))
			}
		},
	},
	{
		name: "read-only box, small /tmp",
		code: map[string]string{
			"python": `import os
for path in ["/box/x", "/x", "/dev/x", "/usr/x", "/dev/shm/x"]:
    try:
        open(path, "w").write("x")
        print("wrote", path)
    except OSError:
        pass
with open("/tmp/ok", "w") as f:
    f.write("ok")
try:
    with open("/tmp/big", "wb") as f:
        for i in range(64):
            f.write(b"x" * (1 << 20))
    print("filled /tmp")
except OSError:
    pass
print(open("/tmp/ok").read())
`,
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "ok\n" || e.ExitCode != 0 {
				t.Errorf("got %s", describe(e))
			}
		},
	},
	{
		name: "signals to the sandbox's init",
		code: map[string]string{
			"python": `import os, signal
for s in [signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGSEGV, signal.SIGKILL, signal.SIGSTOP]:
    try:
        os.kill(1, s)
    except OSError as e:
        print("kill", s, e)
print("ok")
`,
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "ok\n" || e.ExitCode != 0 || e.Signal != "" {
				t.Errorf("got %s", describe(e))
			}
		},
	},
	{
		name: "descriptors",
		code: map[string]string{
			"python": "import os\nprint(sorted(os.listdir('/proc/self/fd')))\n",
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			// 3 is listdir's own.
			if string(e.Stdout) != "['0', '1', '2', '3']\n" {
				t.Errorf("the program inherited descriptors: %s", describe(e))
			}
		},
	},
	{
		name: "fork loop",
		code: map[string]string{
			"c": `#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>
int main(void){
	int n = 0;
	for (int i = 0; i < 1000; i++) { pid_t p = fork(); if (p < 0) break; if (p == 0) { pause(); _exit(0); } n++; }
	printf("%d\n", n);
	return 0;
}
`,
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			n, err := strconv.Atoi(strings.TrimSpace(string(e.Stdout)))
			if err != nil || n >= runProcesses || n < runProcesses/2 || e.ExitCode != 0 {
				t.Errorf("got %s, want fewer than %d processes", describe(e), runProcesses)
			}
		},
	},
}

// TestRunHostile runs the hostile programs, and those of the languages with
// a zygote again with every run started afresh.
func TestRunHostile(t *testing.T) {
	sandbox(t)
	for _, c := range hostileRuns {
		for _, l := range toolchain.Languages() {
			lang := l.ID
			code, ok := c.code[lang]
			if !ok {
				continue
			}
			t.Run(lang+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				runChecked(t, compile(t, lang, code), c.stdin, c.lim, c.check)
			})
			if l.Zygote != nil {
				t.Run(lang+"/"+c.name+"/fresh", func(t *testing.T) {
					t.Parallel()
					runChecked(t, compileWith(t, freshMode().sandbox(t), Source{Language: lang, Code: code}), c.stdin, c.lim, c.check)
				})
			}
		}
	}
}

// runFairly runs p as the judge does: a run the machine starved (it hit its
// wall limit while it waited for a CPU, Execution.Starved: boxes are an idle
// cgroup, and the tests of other packages run beside these) is run again, up
// to three times in all. It returns the last run and how long it took.
func runFairly(t *testing.T, p *Program, stdin []byte, lim Limits) (Execution, time.Duration, error) {
	t.Helper()
	for try := 1; ; try++ {
		start := time.Now()
		e, err := p.Run(context.Background(), stdin, lim)
		checkStart(t, p, e, err)
		if err != nil || !e.Starved || try == 3 {
			return e, time.Since(start), err
		}
		t.Logf("starved (%s): run again", describe(e))
	}
}

// checkStart checks that a run of p was forked by its zygote if it has one
// (but the sandbox's runs all start afresh), and started afresh if not.
func checkStart(t *testing.T, p *Program, e Execution, err error) {
	t.Helper()
	if err != nil {
		return
	}
	if want := p.zygote([]string{"run", "main"}) != nil; e.Forked != want || e.Fresh != "" {
		t.Errorf("%s run: forked %v (%q), want %v", p.lang.ID, e.Forked, e.Fresh, want)
	}
}

// runChecked runs p once on stdin under lim (testLimits if zero), says what
// it did and how long it took, and checks it.
func runChecked(t *testing.T, p *Program, stdin string, lim Limits, check func(*testing.T, Execution, time.Duration)) {
	t.Helper()
	if lim == (Limits{}) {
		lim = testLimits
	}
	e, elapsed, err := runFairly(t, p, []byte(stdin), lim)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("%v: %s", elapsed.Round(time.Millisecond), describe(e))
	check(t, e, elapsed)
}

// TestEnvironment checks that no variable of the service leaks in. Not
// parallel: t.Setenv.
func TestEnvironment(t *testing.T) {
	sandbox(t)
	t.Setenv("CODEMENTOR_TEST_SECRET", "hunter2")
	for lang, code := range map[string]string{
		"python": "import os\nfor k in sorted(os.environ): print(k)\nprint(open('/proc/self/environ','rb').read().count(b'hunter2'))\n",
		"c":      "#include <stdio.h>\nextern char **environ;\nint main(void){for(char **e=environ;*e;e++){char *s=*e;while(*s&&*s!='=')putchar(*s++);putchar('\\n');}return 0;}\n",
	} {
		t.Run(lang, func(t *testing.T) {
			p := compile(t, lang, code)
			e, err := p.Run(context.Background(), nil, testLimits)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, l := range strings.Fields(string(e.Stdout)) {
				if l != "0" {
					names = append(names, l)
				}
			}
			slices.Sort(names)
			if want := []string{"HOME", "LANG", "PATH", "PWD"}; !slices.Equal(names, want) {
				t.Errorf("environment %v, want only %v (%s)", names, want, describe(e))
			}
		})
	}
}

func TestNoNetwork(t *testing.T) {
	sandbox(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted sync.WaitGroup
	connected := false
	accepted.Go(func() {
		if c, err := ln.Accept(); err == nil {
			connected = true
			c.Close()
		}
	})
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	for lang, code := range map[string]string{
		"python": `import socket, sys
port = int(sys.stdin.read())
for host in ["127.0.0.1", "10.0.2.2", "1.1.1.1"]:
    try:
        socket.create_connection((host, port), timeout=0.5)
        print("connected", host)
    except OSError:
        pass
try:
    socket.getaddrinfo("example.com", 80)
    print("resolved")
except OSError:
    pass
print("blocked")
`,
		"c": `#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
int main(void){
	int port; if (scanf("%d", &port) != 1) return 1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0) { puts("blocked"); return 0; }
	struct sockaddr_in a; memset(&a, 0, sizeof a);
	a.sin_family = AF_INET; a.sin_port = htons(port); a.sin_addr.s_addr = htonl(0x7f000001);
	puts(connect(s, (struct sockaddr*)&a, sizeof a) == 0 ? "connected" : "blocked");
	return 0;
}
`,
	} {
		t.Run(lang, func(t *testing.T) {
			p := compile(t, lang, code)
			e, err := p.Run(context.Background(), []byte(port), Limits{CPUTime: time.Second, WallTime: 5 * time.Second, MemoryMB: 64})
			if err != nil {
				t.Fatal(err)
			}
			if string(e.Stdout) != "blocked\n" {
				t.Errorf("got %s, want blocked", describe(e))
			}
		})
	}
	ln.Close()
	accepted.Wait()
	if connected {
		t.Error("the listener accepted a connection")
	}
}

// TestNoLeftovers checks that a process the program leaves behind dies with
// the run. Not parallel: it also checks that no process of the sandbox user
// remains at all.
func TestNoLeftovers(t *testing.T) {
	sandbox(t)
	for _, c := range []struct{ name, lang, code string }{
		{"python exits", "python", "import subprocess, sys\nsubprocess.Popen(['/usr/bin/sleep', sys.stdin.read()])\nprint('spawned')\n"},
		{"python times out", "python", "import subprocess, sys, time\nsubprocess.Popen(['/usr/bin/sleep', sys.stdin.read()])\nprint('spawned', flush=True)\ntime.sleep(60)\n"},
		{"c double fork", "c", `#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>
int main(void){
	char arg[64]; if (scanf("%63s", arg) != 1) return 1;
	if (fork() == 0) { setsid(); if (fork() == 0) { execl("/usr/bin/sleep", "sleep", arg, (char*)0); _exit(1); } _exit(0); }
	puts("spawned");
	return 0;
}
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := compile(t, c.lang, c.code)
			marker := fmt.Sprintf("%d.%06d", 1000+rand.IntN(8000), rand.IntN(1000000))
			e, err := p.Run(context.Background(), []byte(marker), testLimits)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(e.Stdout), "spawned") {
				t.Fatalf("got %s", describe(e))
			}
			if procs := hostProcesses(t, marker); len(procs) > 0 {
				t.Errorf("left behind: %v", procs)
			}
			if procs := hostProcesses(t, ""); len(procs) > 0 {
				t.Errorf("processes of the boxes' uids remain: %v", procs)
			}
		})
	}
}

// TestForkBomb runs a real fork bomb, once a bounded fork loop has shown
// that RLIMIT_NPROC holds in the sandbox. Not parallel: it checks that no
// process of the sandbox user remains.
func TestForkBomb(t *testing.T) {
	loop := compile(t, "c", `#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <unistd.h>
int main(void){
	int n = 0;
	for (int i = 0; i < 1000; i++) { pid_t p = fork(); if (p < 0) break; if (p == 0) { pause(); _exit(0); } n++; }
	printf("%d\n", n);
	return 0;
}
`)
	e, err := loop.Run(context.Background(), nil, testLimits)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(e.Stdout))); err != nil || n >= runProcesses {
		t.Fatalf("the process limit does not hold (%s): not running the fork bomb", describe(e))
	}
	bomb := compile(t, "c", "#define _POSIX_C_SOURCE 200809L\n#include <unistd.h>\nint main(void){for(;;) fork();}\n")
	start := time.Now()
	e, err = bomb.Run(context.Background(), nil, testLimits)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// Stopped by the time limit, or by the memory its processes take.
	if !(e.TimedOut || e.MemoryExceeded) || !stoppedInTime(elapsed, testLimits) {
		t.Errorf("fork bomb: %s after %v, want TimedOut or MemoryExceeded within the wall limit", describe(e), elapsed)
	}
	if procs := hostProcesses(t, ""); len(procs) > 0 {
		t.Errorf("processes of the boxes' uids remain: %v", procs)
	}
}

// hostProcesses lists the processes of the boxes' uids started by this
// test process whose command line contains marker ("" for all), except the
// sandboxes' own bwrap and helper: processes of the programs run. Other test
// processes (of other packages) may run sandboxes at the same time.
func hostProcesses(t *testing.T, marker string) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, ent := range entries {
		if _, err := strconv.Atoi(ent.Name()); err != nil {
			continue
		}
		status, err := os.ReadFile("/proc/" + ent.Name() + "/status")
		if err != nil || !boxUID(status) || !descendant(ent.Name()) {
			continue
		}
		cmdline, _ := os.ReadFile("/proc/" + ent.Name() + "/cmdline")
		argv0, _, _ := bytes.Cut(cmdline, []byte{0})
		if len(cmdline) == 0 || string(argv0) == boxinit.Path || filepath.Base(string(argv0)) == "bwrap" {
			continue // a zombie or a process exiting (sandboxes go away in the background)
		}
		if isZygote(cmdline) {
			continue // lives as long as its box, like the helper
		}
		if marker == "" || bytes.Contains(cmdline, []byte(marker)) {
			found = append(found, ent.Name()+":"+strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return found
}

// isZygote reports whether a /proc/<pid>/cmdline is a zygote's.
func isZygote(cmdline []byte) bool {
	for _, l := range toolchain.Languages() {
		if l.Zygote != nil {
			z := l.Zygote([]string{"run", "main"})
			if bytes.HasSuffix(bytes.TrimSuffix(cmdline, []byte{0}), []byte(z[len(z)-1])) {
				return true
			}
		}
	}
	return false
}

// boxUID reports whether a /proc/<pid>/status is of a box's uid.
func boxUID(status []byte) bool {
	_, rest, ok := bytes.Cut(status, []byte("\nUid:\t"))
	if !ok {
		return false
	}
	uidStr, _, _ := bytes.Cut(rest, []byte("\t"))
	uid, err := strconv.Atoi(string(uidStr))
	return err == nil && uid >= DefaultUIDs.First && uid < DefaultUIDs.First+DefaultUIDs.Count
}

// descendant reports whether process pid descends from this process.
func descendant(pid string) bool {
	self := strconv.Itoa(os.Getpid())
	for i := 0; i < 64 && pid != "0" && pid != "1"; i++ {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return false
		}
		j := bytes.LastIndexByte(stat, ')')
		f := strings.Fields(string(stat[j+1:]))
		if len(f) < 2 {
			return false
		}
		pid = f[1]
		if pid == self {
			return true
		}
	}
	return false
}

func TestConcurrentRuns(t *testing.T) {
	p := compile(t, "c", "#include <stdio.h>\nint main(void){int x; if(scanf(\"%d\",&x)!=1) return 1; printf(\"%d\\n\", x*2); return 7;}\n")
	q := compile(t, "python", "print(int(input()) * 3)\n")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				n := w*100 + i
				e, err := p.Run(context.Background(), []byte(strconv.Itoa(n)), testLimits)
				if err != nil || e.ExitCode != 7 || string(e.Stdout) != strconv.Itoa(2*n)+"\n" {
					t.Errorf("c run %d: %v %s", n, err, describe(e))
				}
				e, err = q.Run(context.Background(), []byte(strconv.Itoa(n)), testLimits)
				if err != nil || e.ExitCode != 0 || string(e.Stdout) != strconv.Itoa(3*n)+"\n" {
					t.Errorf("python run %d: %v %s", n, err, describe(e))
				}
			}
		})
	}
	wg.Wait()
}

func TestCancel(t *testing.T) {
	p := compile(t, "python", "import time\ntime.sleep(60)\n")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.Run(ctx, nil, Limits{CPUTime: 5 * time.Second, WallTime: 20 * time.Second})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run = %v, want the context's error", err)
	}
	// Stopped by the context (200 ms), long before the wall limit (20 s).
	if d := time.Since(start); d > 200*time.Millisecond+stopSlack {
		t.Errorf("cancelled Run took %v", d)
	}
}

func TestCloseRemovesWorkDir(t *testing.T) {
	p, err := sandbox(t).Compile(context.Background(), Source{Language: "c", Code: "int main(void){return 0;}\n"})
	if err != nil {
		t.Fatal(err)
	}
	dir := p.dir
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("work dir %s still there: %v", dir, err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCapture(t *testing.T) {
	overflows := 0
	c := &capture{limit: 10, tailSize: 4, overflow: func() { overflows++ }}
	for _, s := range []string{"0123", "456789", "abc", "defgh", "ij"} {
		c.add([]byte(s))
	}
	if got, want := string(c.bytes()), "0123456789\n[... 6 bytes omitted ...]\nghij"; got != want || overflows != 1 || !c.exceeded() {
		t.Errorf("bytes() = %q, overflows %d; want %q, 1", got, overflows, want)
	}
	c = &capture{limit: 10}
	if err := c.drain(io.MultiReader(strings.NewReader("hello"), strings.NewReader("world"))); err != nil || string(c.bytes()) != "helloworld" || c.exceeded() {
		t.Errorf("drain: %q %v", c.bytes(), err)
	}
}

func describe(e Execution) string {
	out := e.Stdout
	if len(out) > 200 {
		out = append(out[:200:200], "..."...)
	}
	return fmt.Sprintf("exit=%d signal=%q time=%dms wall=%dms mem=%dKB timedOut=%v memExceeded=%v outExceeded=%v stdout=%q stderr=%q",
		e.ExitCode, e.Signal, e.TimeMS, e.WallMS, e.MemoryKB, e.TimedOut, e.MemoryExceeded, e.OutputExceeded, out, e.Stderr)
}
