package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
)

// TestStarved: a run killed at its wall limit is starved when a thread of
// it waited, runnable, for at least half the time it was not running; a
// sleeping one, a CPU-bound one over its limit, and a run that ended in
// time are not.
func TestStarved(t *testing.T) {
	lim := Limits{CPUTime: time.Second, WallTime: 3 * time.Second}
	for _, c := range []struct {
		name     string
		timedOut bool
		wall     time.Duration
		cpuMS    int64
		wait     time.Duration
		report   bool
		want     bool
	}{
		{"spinning, kept from the CPU", true, 3 * time.Second, 200, 2700 * time.Millisecond, true, true},
		{"half the time waiting", true, 3 * time.Second, 0, 1500 * time.Millisecond, true, true},
		{"sleeping", true, 3 * time.Second, 5, 2 * time.Millisecond, true, false},
		{"waiting a little", true, 3 * time.Second, 300, time.Second, true, false},
		{"over its CPU limit", true, 3 * time.Second, 1000, 2 * time.Second, true, false},
		{"ended in time", false, 2 * time.Second, 200, 1800 * time.Millisecond, true, false},
		{"no report", true, 3 * time.Second, 0, 0, false, false},
	} {
		o := &outcome{timedOut: c.timedOut, wall: c.wall}
		if c.report {
			o.report = &boxinit.Report{WaitUS: c.wait.Microseconds()}
		}
		if got := starved(o, Execution{TimeMS: c.cpuMS}, lim); got != c.want {
			t.Errorf("%s: starved = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestVerdictsNotFooled: what a program says or does to itself is not a
// limit it did not reach.
func TestVerdictsNotFooled(t *testing.T) {
	s := sandbox(t)
	lim := Limits{CPUTime: time.Second, WallTime: 3 * time.Second, MemoryMB: 128, OutputBytes: 8 << 10}
	cases := []struct {
		name, lang, code string
		check            func(e Execution) bool
		want             string
	}{
		{"SIGXCPU sent to itself", "c", "#include <signal.h>\n#include <unistd.h>\nint main(void){kill(getpid(), SIGXCPU); pause(); return 0;}\n",
			func(e Execution) bool { return !e.TimedOut && e.Signal == "SIGXCPU" }, "killed by SIGXCPU, not out of time"},
		{"claims to be out of memory", "c", "#include <stdio.h>\nint main(void){fputs(\"fatal: out of memory\\nCannot allocate memory\\n\", stderr); return 1;}\n",
			func(e Execution) bool { return !e.MemoryExceeded && e.ExitCode == 1 }, "exit 1, not over the memory limit"},
		{"claims MemoryError", "python", "import sys\nsys.stderr.write('MemoryError\\n')\nsys.exit(1)\n",
			func(e Execution) bool { return !e.MemoryExceeded && e.ExitCode == 1 }, "exit 1, not over the memory limit"},
		{"node past its heap", "javascript", "const a = [];\nfor (;;) a.push(new Array(1 << 16).fill(1.5));\n",
			func(e Execution) bool { return e.MemoryExceeded }, "over the memory limit"},
		{"sleeping past the wall limit", "python", "import time\ntime.sleep(60)\n",
			func(e Execution) bool { return e.TimedOut && !e.Starved }, "out of time, not starved"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if s.cg == nil && (c.name == "claims to be out of memory" || c.name == "claims MemoryError") {
				t.Skip("without a memory cgroup, stderr is all there is to go by")
			}
			p := compile(t, c.lang, c.code)
			e, err := p.Run(context.Background(), nil, lim)
			if err != nil || !c.check(e) {
				t.Errorf("%v %s; want %s", err, describe(e), c.want)
			}
		})
	}
}
