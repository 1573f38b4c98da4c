package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects log output from several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestUnsafe runs programs without bubblewrap (Config.Unsafe), as on a
// machine without it (no bwrap), or where it fails (bwrap is false), with
// cgroups and without: what only that mode does. Only well-behaved
// programs: nothing isolates them. (The verdicts are the behaviour
// suite's, in these modes too.)
func TestUnsafe(t *testing.T) {
	sandbox(t)
	if _, err := New(t.Context(), Config{WorkDir: testWorkDir, Bwrap: "/usr/bin/false"}, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("New where bwrap fails = %v, want ErrUnavailable", err)
	}
	for _, m := range sandboxModes {
		if m.cfg.Unsafe {
			t.Run(m.name, func(t *testing.T) { testUnsafe(t, m) })
		}
	}
}

func testUnsafe(t *testing.T, m *sandboxMode) {
	s := m.sandbox(t)
	if l := m.logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "NOT isolated") {
		t.Errorf("no loud warning at New:\n%s", l)
	}
	ctx := context.Background()
	compile := func(t *testing.T, src Source) *Program { return compileWith(t, s, src) }
	lim := Limits{CPUTime: time.Second, WallTime: 1500 * time.Millisecond, MemoryMB: 64}

	t.Run("identity, environment, temporary files", func(t *testing.T) {
		p := compile(t, Source{Language: "python", Code: `import os, sys, tempfile
print(os.getuid(), sorted(os.environ))
print(os.getcwd() == os.environ["HOME"], os.environ["TMPDIR"] != "/tmp")
print(sorted(os.listdir(os.environ["TMPDIR"])))
with open(os.path.join(os.environ["TMPDIR"], "left"), "w") as f:
    f.write("x")
`})
		want := "['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']\nTrue True\n[]\n"
		for i := range 2 {
			e, err := p.Run(ctx, nil, lim)
			uidStr, rest, _ := strings.Cut(string(e.Stdout), " ")
			uid, _ := strconv.Atoi(uidStr)
			inRange := uid >= DefaultUIDs.First && uid < DefaultUIDs.First+DefaultUIDs.Count
			if err != nil || rest != want || (os.Geteuid() == 0 && !inRange) || (os.Geteuid() != 0 && uid != os.Geteuid()) {
				t.Errorf("run %d: %v %s, want a box's uid and %q", i, err, describe(e), want)
			}
		}
	})

	t.Run("limits and leftovers", func(t *testing.T) {
		marker := fmt.Sprintf("%d.%06d", 1000+rand.IntN(8000), rand.IntN(1000000))
		p := compile(t, Source{Language: "python", Code: "import subprocess, sys, time\nsubprocess.Popen(['/usr/bin/sleep', sys.stdin.read()], start_new_session=True)\nprint('spawned', flush=True)\ntime.sleep(60)\n"})
		start := time.Now()
		e, err := p.Run(ctx, []byte(marker), lim)
		if err != nil || !e.TimedOut || !stoppedInTime(time.Since(start), lim) || string(e.Stdout) != "spawned\n" {
			t.Errorf("got %v %s after %v, want TimedOut", err, describe(e), time.Since(start))
		}
		if procs := hostProcesses(t, marker); len(procs) > 0 {
			t.Errorf("left behind: %v", procs)
		}
	})
}
