package sandbox

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestCgroups checks what the run's control group adds, on a machine that
// has one (this test says which it uses).
func TestCgroups(t *testing.T) {
	s := sandbox(t)
	if s.cg == nil {
		t.Skip("no usable cgroups on this machine")
	}
	t.Logf("using %s", s.cg)
	ctx := context.Background()

	t.Run("CPU of a child", func(t *testing.T) {
		t.Parallel()
		// The parent only waits: its own CPU time stays near zero while
		// its child burns; the group counts the child and stops it at the
		// CPU limit, long before the wall limit.
		p := compile(t, "c", `#define _POSIX_C_SOURCE 200809L
#include <sys/wait.h>
#include <unistd.h>
int main(void){ if (fork() == 0) { volatile unsigned long i = 0; for (;;) i++; } wait(0); return 0; }
`)
		lim := Limits{CPUTime: 300 * time.Millisecond, WallTime: 5 * time.Second, MemoryMB: 64}
		start := time.Now()
		e, err := p.Run(ctx, nil, lim)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if !e.TimedOut || e.TimeMS < 300 || elapsed > 2*time.Second {
			t.Errorf("got %s after %v, want TimedOut at the CPU limit", describe(e), elapsed)
		}
	})

	t.Run("peak memory", func(t *testing.T) {
		t.Parallel()
		p := compile(t, "c", `#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int main(void){ volatile char *p = malloc(40 << 20); for (int i = 0; i < (40 << 20); i += 4096) p[i] = 1; printf("%d\n", p[12288]); return 0; }
`)
		e, err := p.Run(ctx, nil, Limits{MemoryMB: 64})
		if err != nil {
			t.Fatal(err)
		}
		if string(e.Stdout) != "1\n" || e.MemoryExceeded || e.MemoryKB < 40<<10 || e.MemoryKB > 64<<10 {
			t.Errorf("got %s, want about 40 MiB used", describe(e))
		}
	})

	t.Run("OOM of a managed runtime", func(t *testing.T) {
		t.Parallel()
		// Buffers live off the JavaScript heap, where
		// --max-old-space-size does not look: only the group stops them.
		p := compile(t, "javascript", "const a = [];\nfor (;;) a.push(Buffer.alloc(1 << 20, 1));\n")
		e, err := p.Run(ctx, nil, Limits{CPUTime: 3 * time.Second, MemoryMB: 64})
		if err != nil {
			t.Fatal(err)
		}
		if !e.MemoryExceeded || e.TimedOut {
			t.Errorf("got %s, want MemoryExceeded", describe(e))
		}
	})

	t.Run("group removed with its box", func(t *testing.T) {
		p := compile(t, "python", "print(1)\n")
		if _, err := p.Run(ctx, nil, testLimits); err != nil {
			t.Fatal(err)
		}
		p.mu.Lock()
		b := p.idle[0]
		p.mu.Unlock()
		dirs := b.cg.Dirs()
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-b.exited:
		case <-time.After(10 * time.Second):
			t.Fatal("the box outlived Close")
		}
		for _, d := range dirs {
			if _, err := os.Stat(d); !os.IsNotExist(err) {
				t.Errorf("%s left behind: %v", d, err)
			}
		}
	})
}

// TestWithoutCgroups runs the memory and time cases with rlimits and
// heuristics only, as on a machine without usable cgroups.
func TestWithoutCgroups(t *testing.T) {
	sandbox(t)
	s, err := New(t.Context(), Config{WorkDir: testWorkDir, DisableCgroups: true, WarmBoxes: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.cg != nil {
		t.Fatal("DisableCgroups ignored")
	}
	ctx := context.Background()
	for _, c := range []struct {
		lang, code string
		check      func(e Execution) bool
	}{
		{"python", "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n", func(e Execution) bool { return string(e.Stdout) == "42\n" && e.MemoryKB > 0 }},
		{"python", "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n", func(e Execution) bool { return e.MemoryExceeded }},
		{"c", "#include <stdlib.h>\n#include <string.h>\nint main(void){ for(;;){ char *p = malloc(1<<20); memset(p, 1, 1<<20); } }\n", func(e Execution) bool { return e.MemoryExceeded }},
		{"java", "import java.util.*;\npublic class Main { public static void main(String[] x) { List<byte[]> a = new ArrayList<>(); for (;;) a.add(new byte[1 << 20]); } }\n", func(e Execution) bool { return e.MemoryExceeded }},
		{"c", "int main(void){volatile unsigned long i=0; for(;;) i++;}\n", func(e Execution) bool { return e.TimedOut }},
	} {
		p, err := s.Compile(ctx, Source{Language: c.lang, Code: c.code})
		if err != nil {
			t.Fatal(err)
		}
		e, err := p.Run(ctx, []byte("2 40\n"), testLimits)
		p.Close()
		if err != nil || !c.check(e) {
			t.Errorf("%s %q: %v %s", c.lang, c.code, err, describe(e))
		}
	}
}
