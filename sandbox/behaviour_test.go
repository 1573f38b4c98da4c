package sandbox

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// The behaviour suite: what a learner's program gets, verdict by verdict
// (accepted, wrong output, runtime error, time limit, memory limit, output
// limit, stdin, compile error, and a driver's program in every language),
// in every mode the sandbox runs in on this machine. The isolation and
// hostile tests are elsewhere: without a sandbox nothing isolates programs.

// A sandboxMode is a way the sandbox runs: with bubblewrap or without a
// sandbox (Config.Unsafe), with cgroups or without. Its Sandbox is made
// once per test process, when a test first needs it.
type sandboxMode struct {
	name string
	cfg  Config // the zero Config: the shared testSandbox
	// cgroups says the mode has them: a mode with cgroups is skipped on a
	// machine without.
	cgroups bool
	// zygoteOnly says the mode differs from the first for the languages
	// with a zygote only (Config.NoZygote): the suite runs those.
	zygoteOnly bool
	once       sync.Once
	s          *Sandbox
	err        error
	logs       lockedBuffer // what New logged
}

// sandboxModes are the modes the suite runs in. Without bwrap the machine
// runs no sandbox at all (CODEMENTOR_SKIP_SANDBOX=1 skips them all).
var sandboxModes = []*sandboxMode{
	{name: "bwrap+cgroups", cgroups: true},
	// Every run started afresh, as before the zygotes.
	{name: "bwrap+cgroups+fresh", cfg: Config{NoZygote: true, WarmBoxes: -1}, cgroups: true, zygoteOnly: true},
	{name: "bwrap", cfg: Config{DisableCgroups: true, WarmBoxes: -1}},
	// Unsafe, as on a machine without bwrap, or where it fails.
	{name: "unsafe+cgroups", cfg: Config{Bwrap: "/nonexistent/bwrap", Unsafe: true}, cgroups: true},
	{name: "unsafe", cfg: Config{Bwrap: "/usr/bin/false", Unsafe: true, DisableCgroups: true, WarmBoxes: -1}},
}

// sandbox returns the mode's Sandbox, or skips the test when the machine
// cannot give the mode, saying why.
func (m *sandboxMode) sandbox(t testing.TB) *Sandbox {
	t.Helper()
	shared := sandbox(t)
	m.once.Do(func() {
		if m.cfg == (Config{}) {
			m.s = shared
			return
		}
		cfg := m.cfg
		cfg.WorkDir = testWorkDir
		m.s, m.err = New(context.Background(), cfg, slog.New(slog.NewTextHandler(&m.logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	})
	if m.err != nil {
		t.Fatalf("New in mode %s: %v\n%s", m.name, m.err, m.logs.String())
	}
	switch {
	case m.cgroups && m.s.cg == nil:
		t.Skipf("mode %s: no usable cgroups on this machine", m.name)
	case !m.cgroups && m.s.cg != nil:
		t.Fatalf("mode %s: DisableCgroups ignored", m.name)
	case m.s.unsafe != m.cfg.Unsafe:
		t.Fatalf("mode %s: unsafe is %v", m.name, m.s.unsafe)
	}
	return m.s
}

// languages returns the languages the suite runs in the mode.
func (m *sandboxMode) languages(s *Sandbox) []string {
	var out []string
	for _, lang := range s.Languages() {
		if !m.zygoteOnly || toolchain.Lookup(lang).Zygote != nil {
			out = append(out, lang)
		}
	}
	return out
}

// freshMode is the mode whose runs all start afresh.
func freshMode() *sandboxMode {
	for _, m := range sandboxModes {
		if m.zygoteOnly {
			return m
		}
	}
	panic("no mode without zygotes")
}

// closeModes closes the Sandboxes the modes made.
func closeModes() {
	for _, m := range sandboxModes {
		if m.s != nil && m.s != testSandbox {
			m.s.Close()
		}
	}
}

func TestBehaviour(t *testing.T) {
	for _, m := range sandboxModes {
		t.Run(m.name, func(t *testing.T) { runBehaviourSuite(t, m) })
	}
}

// slowCompilers are the languages whose compiler takes a second or more
// (a JVM, tsc on node, mcs on mono, rustc): beyond the first mode, the
// suite runs only their smoke cases (see smokeCases), to keep its time in
// check. How they compile does not depend on the mode; how their programs
// are contained does, and the smoke cases show it. In the first mode they
// run Java's cases and the busy loop (an output flood is the same stdout
// cap in every language).
var slowCompilers = map[string]bool{"kotlin": true, "typescript": true, "csharp": true, "rust": true}

// smokeCases are the behaviours a slow compiler's language runs in every
// mode: accepted, over the CPU limit, over the memory limit.
var smokeCases = map[string]bool{"sum": true, "busy loop": true, "memory hog": true}

// runBehaviourSuite runs every behaviour of the table, then the compile
// errors and the drivers, in each language the sandbox offers that the
// case has code for, in parallel. Beyond the first mode (first false), the
// slow compilers' languages run their smoke cases only.
func runBehaviourSuite(t *testing.T, m *sandboxMode) {
	s, first := m.sandbox(t), m == sandboxModes[0]
	for _, c := range behaviours {
		for _, lang := range m.languages(s) {
			code, ok := c.code[lang]
			if !ok || (!first && slowCompilers[lang] && !smokeCases[c.name]) {
				continue
			}
			t.Run(c.verdict+"/"+c.name+"/"+lang, func(t *testing.T) {
				t.Parallel()
				if why := c.cannot(s, lang); why != "" {
					t.Skip(why)
				}
				c.run(t, compileWith(t, s, Source{Language: lang, Code: code}))
			})
		}
	}
	for _, lang := range m.languages(s) {
		if !first && slowCompilers[lang] {
			continue
		}
		t.Run("compile error/"+lang, func(t *testing.T) {
			t.Parallel()
			c := compileErrorCases[lang]
			expectCompileError(t, s, Source{Language: lang, Code: c.code}, c.want, "main.")
		})
		t.Run("driver/"+lang, func(t *testing.T) {
			t.Parallel()
			c := driverCases[lang]
			p := compileWith(t, s, Source{Language: lang, Code: c.solution, Driver: c.driver})
			e, _, err := runFairly(t, p, []byte("2 40\n"), testLimits)
			if err != nil || string(e.Stdout) != "42\n" || e.ExitCode != 0 {
				t.Errorf("Run: %v %s", err, describe(e))
			}
			expectCompileError(t, s, Source{Language: lang, Code: c.broken, Driver: c.driver}, c.want, "solution.")
		})
	}
}

// A behaviour is one case of the suite: a program, in each language it has
// code for, run on stdin under lim (testLimits if zero), then on each of
// more, and what must come of it.
type behaviour struct {
	verdict string // the verdict it is about, which names its group
	name    string
	code    map[string]string
	stdin   string
	lim     Limits
	// more are runs after the first, in the same box, with the stdout
	// each must print.
	more []struct{ stdin, stdout string }
	// misbehaves says the program takes more CPU, memory or output than
	// its limits allow: nothing but those limits contains it without a
	// sandbox, so it runs in a sandbox only.
	misbehaves bool
	// needs says why s cannot give the behaviour in lang, "" if it can.
	needs func(s *Sandbox, lang string) string
	check func(t *testing.T, e Execution, elapsed time.Duration)
}

// cannot says why s cannot give c in lang, "" if it can.
func (c *behaviour) cannot(s *Sandbox, lang string) string {
	if c.misbehaves && s.unsafe {
		return "without a sandbox only well-behaved programs run: nothing would contain this one"
	}
	if c.needs != nil {
		return c.needs(s, lang)
	}
	return ""
}

// run runs p as c says and checks what came of it.
func (c *behaviour) run(t *testing.T, p *Program) {
	runChecked(t, p, c.stdin, c.lim, c.check)
	lim := testLimits
	if c.lim != (Limits{}) {
		lim = c.lim
	}
	for _, r := range c.more {
		// As the first run: one the machine starved is run again.
		if e, _, err := runFairly(t, p, []byte(r.stdin), lim); err != nil || string(e.Stdout) != r.stdout {
			t.Errorf("Run(%q): %v %s, want %q", r.stdin, err, describe(e), r.stdout)
		}
	}
}

// needsCgroups is a behaviour's needs: the box's control group, which
// counts the CPU and memory of every process of the run, for the reason why.
func needsCgroups(why string) func(*Sandbox, string) string {
	return func(s *Sandbox, _ string) string {
		if s.cg == nil {
			return why
		}
		return ""
	}
}

// goNeedsMemoryCgroup: a Go program that allocates without end stops only
// at its address-space limit, gigabytes away, without a memory cgroup.
func goNeedsMemoryCgroup(s *Sandbox, lang string) string {
	if lang == "go" && s.cg == nil {
		return "without a memory cgroup a Go program stops only at its address-space limit, gigabytes away"
	}
	return ""
}

// wantMemoryExceeded is the check of a program over its memory limit.
func wantMemoryExceeded(t *testing.T, e Execution, _ time.Duration) {
	t.Helper()
	if !e.MemoryExceeded {
		t.Errorf("got %s, want MemoryExceeded", describe(e))
	}
}

// verdictLimits are the limits of the cases about what a program says or
// does to itself.
var verdictLimits = Limits{CPUTime: time.Second, WallTime: 3 * time.Second, MemoryMB: 128, OutputBytes: 8 << 10}

// behaviours is the suite's table, by verdict.
var behaviours = []behaviour{
	{
		verdict: "accepted",
		name:    "sum",
		code: map[string]string{
			"python": "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n",
			"c":      "#include <stdio.h>\nint main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;printf(\"%ld\\n\",a+b);return 0;}\n",
			"cpp":    "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n",
			"java": `import java.util.*;
public class Main { public static void main(String[] x) { Scanner in = new Scanner(System.in); System.out.println(in.nextLong() + in.nextLong()); } }
`,
			"go":         "package main\nimport \"fmt\"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }\n",
			"javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n",
			"typescript": "import { readFileSync } from 'fs';\nconst [a, b] = readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n",
			"rust":       "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); }\n",
			"kotlin":     "fun main() { val (a, b) = readLine()!!.trim().split(Regex(\"\\\\s+\")).map { it.toLong() }; println(a + b) }\n",
			"csharp":     "using System;\nclass P { static void Main() { var t = Console.In.ReadToEnd().Split((char[])null, StringSplitOptions.RemoveEmptyEntries); Console.WriteLine(long.Parse(t[0]) + long.Parse(t[1])); } }\n",
			"ruby":       "a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n",
			"php":        "<?php\n[$a, $b] = array_map('intval', preg_split('/\\s+/', trim(stream_get_contents(STDIN))));\necho $a + $b, \"\\n\";\n",
			"perl":       "my ($a, $b) = split ' ', do { local $/; <STDIN> };\nprint $a + $b, \"\\n\";\n",
			"lua":        "local a, b = io.read('n', 'n')\nprint(a + b)\n",
			"bash":       "read -r a b\necho $((a + b))\n",
		},
		stdin: "2 40\n",
		more:  []struct{ stdin, stdout string }{{"1000 1\n", "1001\n"}, {"-5 5\n", "0\n"}},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "42\n" || e.ExitCode != 0 || e.Signal != "" || e.TimedOut || e.MemoryExceeded || e.OutputExceeded {
				t.Errorf("got %s", describe(e))
			}
			if e.MemoryKB <= 0 || e.WallMS < 0 {
				t.Errorf("no usage: %s", describe(e))
			}
		},
	},
	{
		verdict: "accepted",
		name:    "peak memory",
		code: map[string]string{
			"c": `#include <stdlib.h>
#include <string.h>
#include <stdio.h>
int main(void){ volatile char *p = malloc(40 << 20); for (int i = 0; i < (40 << 20); i += 4096) p[i] = 1; printf("%d\n", p[12288]); return 0; }
`,
		},
		lim: Limits{MemoryMB: 64},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "1\n" || e.MemoryExceeded || e.MemoryKB < 40<<10 || e.MemoryKB > 64<<10 {
				t.Errorf("got %s, want about 40 MiB used", describe(e))
			}
		},
	},
	{
		verdict: "wrong output",
		name:    "off by one",
		code: map[string]string{
			"python":     "import sys\nprint(sum(map(int, sys.stdin.read().split())) + 1)\n",
			"c":          "#include <stdio.h>\nint main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;printf(\"%ld\\n\",a+b+1);return 0;}\n",
			"cpp":        "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b+1<<\"\\n\";}\n",
			"java":       "public class Main { public static void main(String[] x) { System.out.println(43); } }\n",
			"go":         "package main\nimport \"fmt\"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b + 1) }\n",
			"javascript": "console.log(43);\n",
			"ruby":       "puts 43\n",
			"php":        "<?php\necho 43, \"\\n\";\n",
			"perl":       "print \"43\\n\";\n",
			"lua":        "print(43)\n",
			"bash":       "echo 43\n",
		},
		stdin: "2 40\n",
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "43\n" || e.ExitCode != 0 || e.Signal != "" || e.TimedOut || e.MemoryExceeded {
				t.Errorf("got %s", describe(e))
			}
		},
	},
	{
		verdict: "runtime error",
		name:    "exit 3",
		code: map[string]string{
			"python": "import sys\nprint('bye')\nsys.exit(3)\n",
			"c":      "#include <stdio.h>\nint main(void){puts(\"bye\");return 3;}\n",
			"cpp":    "#include <cstdio>\nint main(){std::puts(\"bye\");return 3;}\n",
			"bash":   "echo bye\nexit 3\n",
			"perl":   "print \"bye\\n\";\nexit 3;\n",
			"lua":    "print('bye')\nos.exit(3)\n",
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if e.ExitCode != 3 || e.Signal != "" || string(e.Stdout) != "bye\n" || e.MemoryExceeded || e.TimedOut {
				t.Errorf("got %s", describe(e))
			}
		},
	},
	{
		verdict: "runtime error",
		name:    "segfault",
		code: map[string]string{
			"python": "import ctypes\nctypes.string_at(0)\n",
			"c":      "int main(void){volatile int *p = 0; *p = 1; return 0;}\n",
			"cpp":    "int main(){volatile int *p = nullptr; *p = 1;}\n",
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if e.Signal != "SIGSEGV" || e.ExitCode != -1 || e.MemoryExceeded || e.TimedOut {
				t.Errorf("got %s, want SIGSEGV", describe(e))
			}
		},
	},
	{
		verdict: "runtime error",
		name:    "exception",
		code: map[string]string{
			"python":     "raise RuntimeError('boom')\n",
			"cpp":        "#include <stdexcept>\nint main(){throw std::runtime_error(\"boom\");}\n",
			"java":       "public class Main { public static void main(String[] x) { throw new IllegalStateException(\"boom\"); } }\n",
			"go":         "package main\nfunc main() { panic(\"boom\") }\n",
			"javascript": "throw new Error('boom');\n",
			"typescript": "throw new Error('boom');\n",
			"rust":       "fn main() { panic!(\"boom\"); }\n",
			"kotlin":     "fun main() { throw IllegalStateException(\"boom\") }\n",
			"csharp":     "class P { static void Main() { throw new System.InvalidOperationException(\"boom\"); } }\n",
			"ruby":       "raise 'boom'\n",
			"php":        "<?php\nthrow new Exception('boom');\n",
			"perl":       "die \"boom\\n\";\n",
			"lua":        "error('boom')\n",
			"bash":       "echo \"${undefined_thing:?boom}\"\n",
		},
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if (e.ExitCode == 0 && e.Signal == "") || !bytes.Contains(e.Stderr, []byte("boom")) || e.MemoryExceeded {
				t.Errorf("got %s, want a failure saying boom", describe(e))
			}
		},
	},
	{
		verdict: "runtime error",
		name:    "SIGXCPU sent to itself",
		code:    map[string]string{"c": "#include <signal.h>\n#include <unistd.h>\nint main(void){kill(getpid(), SIGXCPU); pause(); return 0;}\n"},
		lim:     verdictLimits,
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if e.TimedOut || e.Signal != "SIGXCPU" {
				t.Errorf("got %s, want killed by SIGXCPU, not out of time", describe(e))
			}
		},
	},
	{
		verdict: "runtime error",
		name:    "claims to be out of memory",
		code: map[string]string{
			"c":      "#include <stdio.h>\nint main(void){fputs(\"fatal: out of memory\\nCannot allocate memory\\n\", stderr); return 1;}\n",
			"python": "import sys\nsys.stderr.write('MemoryError\\n')\nsys.exit(1)\n",
		},
		lim:   verdictLimits,
		needs: needsCgroups("without a memory cgroup, stderr is all there is to go by"),
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if e.MemoryExceeded || e.ExitCode != 1 {
				t.Errorf("got %s, want exit 1, not over the memory limit", describe(e))
			}
		},
	},
	{
		verdict: "time limit",
		name:    "busy loop",
		code: map[string]string{
			"python":     "while True:\n    pass\n",
			"c":          "int main(void){volatile unsigned long i=0; for(;;) i++;}\n",
			"cpp":        "int main(){volatile unsigned long i=0; for(;;) i++;}\n",
			"typescript": "for (;;) {}\n",
			"rust":       "fn main() { loop {} }\n",
			"kotlin":     "fun main() { var i = 0L; while (true) i++ }\n",
			"csharp":     "class P { static void Main() { long i = 0; while (true) i++; } }\n",
			"ruby":       "loop {}\n",
			"php":        "<?php\nwhile (true) {}\n",
			"perl":       "1 while 1;\n",
			"lua":        "while true do end\n",
			"bash":       "while :; do :; done\n",
		},
		misbehaves: true,
		check: func(t *testing.T, e Execution, elapsed time.Duration) {
			if !e.TimedOut || e.MemoryExceeded {
				t.Errorf("got %s, want TimedOut", describe(e))
			}
			if !stoppedInTime(elapsed, testLimits) {
				t.Errorf("Run took %v, wall limit %v", elapsed, testLimits.WallTime)
			}
			// Unless the machine is so busy that the wall limit came first.
			if e.TimeMS < testLimits.CPUTime.Milliseconds() && elapsed < testLimits.WallTime {
				t.Errorf("TimeMS %d below the CPU limit", e.TimeMS)
			}
		},
	},
	{
		// The parent only waits: its own CPU time stays near zero while its
		// child burns; the group counts the child and stops it at the CPU
		// limit, long before the wall limit.
		verdict: "time limit",
		name:    "CPU of a child",
		code: map[string]string{
			"c": `#define _POSIX_C_SOURCE 200809L
#include <sys/wait.h>
#include <unistd.h>
int main(void){ if (fork() == 0) { volatile unsigned long i = 0; for (;;) i++; } wait(0); return 0; }
`,
		},
		lim:        Limits{CPUTime: 300 * time.Millisecond, WallTime: 5 * time.Second, MemoryMB: 64},
		misbehaves: true,
		needs:      needsCgroups("the CPU time of a child is its group's to count"),
		check: func(t *testing.T, e Execution, elapsed time.Duration) {
			// Stopped by the CPU limit, not by the wall limit.
			if !e.TimedOut || e.TimeMS < 300 || e.Starved || elapsed >= 5*time.Second {
				t.Errorf("got %s after %v, want TimedOut at the CPU limit", describe(e), elapsed)
			}
		},
	},
	{
		// Processes that fork spinners without end: the process limit
		// (the pids cgroup, or RLIMIT_NPROC of the box's own uid) stops
		// the forks, the CPU or the wall limit the spinners.
		verdict: "time limit",
		name:    "fork bomb",
		code: map[string]string{
			"bash": "while :; do ( while :; do :; done ) & done\n",
			"perl": "while (1) { my $p = fork; if (defined $p && $p == 0) { 1 while 1; } }\n",
			"ruby": "loop { fork { loop {} } rescue nil }\n",
			"php":  "<?php\nwhile (true) { if (pcntl_fork() === 0) { while (true) {} } }\n",
			"lua":  "while true do io.popen('while :; do :; done') end\n",
		},
		misbehaves: true,
		check: func(t *testing.T, e Execution, elapsed time.Duration) {
			if !e.TimedOut && !e.MemoryExceeded {
				t.Errorf("got %s, want TimedOut or MemoryExceeded", describe(e))
			}
			if !stoppedInTime(elapsed, testLimits) {
				t.Errorf("Run took %v, wall limit %v", elapsed, testLimits.WallTime)
			}
		},
	},
	{
		verdict: "time limit",
		name:    "sleep",
		code: map[string]string{
			"python": "import time\ntime.sleep(60)\n",
			"c":      "#include <unistd.h>\nint main(void){sleep(60);return 0;}\n",
		},
		check: func(t *testing.T, e Execution, elapsed time.Duration) {
			if !e.TimedOut || e.Signal != "SIGKILL" || e.Starved {
				t.Errorf("got %s, want TimedOut by the wall limit, not starved", describe(e))
			}
			if elapsed < testLimits.WallTime || !stoppedInTime(elapsed, testLimits) {
				t.Errorf("Run took %v, wall limit %v", elapsed, testLimits.WallTime)
			}
		},
	},
	{
		verdict: "memory limit",
		name:    "memory hog",
		code: map[string]string{
			"python": "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n",
			"c": `#include <stdlib.h>
#include <string.h>
int main(void){ for(;;){ char *p = malloc(1<<20); memset(p, 1, 1<<20); } }
`,
			"cpp": `#include <vector>
#include <cstdio>
int main(){ std::vector<std::vector<char>> v; for(;;) v.emplace_back(1<<20, 'x'); }
`,
			"java": `import java.util.*;
public class Main { public static void main(String[] x) { List<byte[]> a = new ArrayList<>(); for (;;) a.add(new byte[1 << 20]); } }
`,
			"go": `package main

func main() {
	var a [][]byte
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		a = append(a, b)
	}
}
`,
			"javascript": "const a = [];\nfor (;;) a.push(new Array(1 << 17).fill(1.5));\n",
			"typescript": "const a: number[][] = [];\nfor (;;) a.push(new Array(1 << 17).fill(1.5));\n",
			"rust": `fn main() {
    let mut v: Vec<Vec<u8>> = Vec::new();
    let mut total = 0u64;
    loop {
        let b = vec![1u8; 1 << 20];
        total += b[(total as usize) % b.len()] as u64;
        v.push(b);
        if total == u64::MAX {
            println!("{}", v.len());
        }
    }
}
`,
			"kotlin": "fun main() { val a = ArrayList<ByteArray>(); while (true) a.add(ByteArray(1 shl 20)) }\n",
			"csharp": `using System.Collections.Generic;
class P { static void Main() { var a = new List<byte[]>(); for (;;) { var b = new byte[1 << 20]; for (int i = 0; i < b.Length; i += 4096) b[i] = 1; a.Add(b); } } }
`,
			"ruby": "a = []\nloop { a << 'x' * (1 << 20) }\n",
			"php":  "<?php\n$a = [];\nwhile (true) { $a[] = str_repeat('x', 1 << 20); }\n",
			"perl": "my @a;\nwhile (1) { push @a, 'x' x (1 << 20); }\n",
			"lua":  "local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1 << 20) .. #t end\n",
			"bash": "a=x\nwhile :; do a=$a$a; done\n",
		},
		// Without a memory cgroup, Go stops only at its address-space
		// limit, gigabytes away.
		lim:        Limits{CPUTime: 4 * time.Second, WallTime: 8 * time.Second, MemoryMB: 64, OutputBytes: 8 << 10},
		misbehaves: true,
		needs:      goNeedsMemoryCgroup,
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if !e.MemoryExceeded || e.TimedOut || (e.ExitCode == 0 && e.Signal == "") {
				t.Errorf("got %s, want MemoryExceeded", describe(e))
			}
		},
	},
	{
		verdict: "memory limit",
		name:    "huge static array",
		code: map[string]string{
			"c":   "static volatile char a[1L<<30];\nint main(void){a[12345]=1;return 0;}\n",
			"cpp": "static volatile char a[1L<<30];\nint main(){a[12345]=1;}\n",
			"go":  "package main\n\nvar a [1 << 30]byte\n\nfunc main() { a[12345] = 1 }\n",
		},
		misbehaves: true,
		check:      wantMemoryExceeded,
	},
	{
		verdict:    "memory limit",
		name:       "node past its heap",
		code:       map[string]string{"javascript": "const a = [];\nfor (;;) a.push(new Array(1 << 16).fill(1.5));\n"},
		lim:        verdictLimits,
		misbehaves: true,
		check:      wantMemoryExceeded,
	},
	{
		// Buffers live off the JavaScript heap, where --max-old-space-size
		// does not look: only the group stops them.
		verdict:    "memory limit",
		name:       "off the managed heap",
		code:       map[string]string{"javascript": "const a = [];\nfor (;;) a.push(Buffer.alloc(1 << 20, 1));\n"},
		lim:        Limits{CPUTime: 3 * time.Second, MemoryMB: 64},
		misbehaves: true,
		needs:      needsCgroups("only a memory cgroup stops memory off the JavaScript heap"),
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if !e.MemoryExceeded || e.TimedOut {
				t.Errorf("got %s, want MemoryExceeded", describe(e))
			}
		},
	},
	{
		verdict: "output limit",
		name:    "output flood",
		code: map[string]string{
			"python": "import sys\nwhile True:\n    sys.stdout.write('x' * 4096)\n",
			"c":      "#include <stdio.h>\nint main(void){for(;;) fputs(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\\n\", stdout);}\n",
			"cpp":    "#include <iostream>\nint main(){for(;;) std::cout << \"xxxxxxxxxxxxxxx\\n\";}\n",
			"ruby":   "s = 'x' * 4096\nloop { $stdout.write(s) }\n",
			"php":    "<?php\n$s = str_repeat('x', 4096);\nwhile (true) { echo $s; }\n",
			"perl":   "my $s = 'x' x 4096;\nwhile (1) { print $s; }\n",
			"lua":    "local s = string.rep('x', 4096)\nwhile true do io.write(s) end\n",
			"bash":   "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done\n",
		},
		misbehaves: true,
		check: func(t *testing.T, e Execution, elapsed time.Duration) {
			if !e.OutputExceeded || len(e.Stdout) != testLimits.OutputBytes || e.TimedOut || e.MemoryExceeded {
				t.Errorf("got %s (%d bytes of stdout), want OutputExceeded with %d bytes", describe(e), len(e.Stdout), testLimits.OutputBytes)
			}
			if elapsed >= testLimits.WallTime {
				t.Errorf("Run took %v: the flood was not stopped at the cap", elapsed)
			}
		},
	},
	{
		verdict: "output limit",
		name:    "stderr flood",
		code: map[string]string{
			// 20,000 unbuffered writes, each a wake-up of the reader: enough
			// to overflow the capture many times over, few enough that
			// the host's reader keeps up while other tests load the machine.
			"python": "import sys\nfor i in range(20000):\n    sys.stderr.write('line %d\\n' % i)\nprint('done')\n",
		},
		misbehaves: true,
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "done\n" || e.ExitCode != 0 || len(e.Stderr) > 5<<10 ||
				!bytes.HasPrefix(e.Stderr, []byte("line 0\n")) || !bytes.HasSuffix(e.Stderr, []byte("line 19999\n")) ||
				!bytes.Contains(e.Stderr, []byte("bytes omitted")) {
				t.Errorf("got %s", describe(e))
			}
		},
	},
	{
		verdict: "stdin",
		name:    "big stdin",
		code: map[string]string{
			"python": "import sys\ndata = sys.stdin.buffer.read()\nprint(len(data), data.count(b'\\n'))\n",
			"c":      "#include <stdio.h>\nint main(void){long n=0,l=0;int c;while((c=getchar())!=EOF){n++;if(c=='\\n')l++;}printf(\"%ld %ld\\n\",n,l);return 0;}\n",
		},
		stdin: strings.Repeat("123456789 123456789 123456789 123456789 123456789\n", 20000),
		check: func(t *testing.T, e Execution, _ time.Duration) {
			if string(e.Stdout) != "1000000 20000\n" {
				t.Errorf("got %s", describe(e))
			}
		},
	},
}

// compileErrorCases are, per language, a program that does not compile and
// what its compiler says about it.
var compileErrorCases = map[string]struct{ code, want string }{
	"c":          {"int main(void){ return undeclared_thing; }\n", "undeclared_thing"},
	"cpp":        {"int main(){ return undeclared_thing; }\n", "undeclared_thing"},
	"python":     {"print('hi'\n", "SyntaxError"},
	"java":       {"public class Main { public static void main(String[] x) { undeclaredThing(); } }\n", "undeclaredThing"},
	"go":         {"package main\nfunc main() { undeclaredThing() }\n", "undeclaredThing"},
	"javascript": {"function f( {\n  return 1;\n}\n", "SyntaxError"},
	"typescript": {"const x: number = 'a';\nconsole.log(x);\n", "TS2322"},
	"rust":       {"fn main() { let x: i32 = undeclared_thing; println!(\"{}\", x); }\n", "undeclared_thing"},
	"kotlin":     {"fun main() { undeclaredThing() }\n", "undeclaredThing"},
	"csharp":     {"class P { static void Main() { undeclaredThing(); } }\n", "undeclaredThing"},
	"ruby":       {"def f(\n  1\nend\n", "syntax error"},
	"php":        {"<?php\nfunction f( {\n", "syntax error"},
	"perl":       {"my $x = ;\n", "syntax error"},
	"lua":        {"local x = = 1\n", "unexpected symbol"},
	"bash":       {"if then fi\n", "syntax error"},
}

// driverCases are, per language, a question's driver (reading two numbers,
// calling the learner's add, printing its result), a solution, and a
// solution that does not compile with what its compiler says about it.
var driverCases = map[string]struct{ driver, solution, broken, want string }{
	"python": {
		driver:   "from solution import *\na, b = map(int, input().split())\nprint(add(a, b))\n",
		solution: "def add(a, b):\n    return a + b\n",
		broken:   "def add(a, b)\n    return a + b\n",
		want:     "SyntaxError",
	},
	"c": {
		driver:   "#include <stdio.h>\nlong add(long a, long b);\nint main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;printf(\"%ld\\n\",add(a,b));return 0;}\n",
		solution: "long add(long a, long b){return a+b;}\n",
		broken:   "long add(long a, long b){return a+c;}\n",
		want:     "undeclared",
	},
	"cpp": {
		driver:   "#include <iostream>\nlong add(long a, long b);\nint main(){long a,b;std::cin>>a>>b;std::cout<<add(a,b)<<\"\\n\";}\n",
		solution: "long add(long a, long b){return a+b;}\n",
		broken:   "long add(long a, long b){return a+c;}\n",
		want:     "was not declared",
	},
	"java": {
		driver: `import java.util.*;
public class Main { public static void main(String[] x) { Scanner in = new Scanner(System.in); long a = in.nextLong(), b = in.nextLong(); System.out.println(new Solution().add(a, b)); } }
`,
		solution: "class Solution { long add(long a, long b) { return a + b; } }\n",
		broken:   "class Solution { long add(long a, long b) { return a + c; } }\n",
		want:     "cannot find symbol",
	},
	"go": {
		driver:   "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(add(a, b))\n}\n",
		solution: "package main\n\nfunc add(a, b int64) int64 { return a + b }\n",
		broken:   "package main\n\nfunc add(a, b int64) int64 { return a + c }\n",
		want:     "undefined: c",
	},
	"javascript": {
		driver:   "const { add } = require('./solution.js');\nconst [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(add(a, b));\n",
		solution: "function add(a, b) { return a + b; }\nmodule.exports = { add };\n",
		broken:   "function add(a, b) { return a + ; }\nmodule.exports = { add };\n",
		want:     "SyntaxError",
	},
	"typescript": {
		driver:   "import { readFileSync } from 'fs';\nimport { add } from './solution';\nconst [a, b] = readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(add(a, b));\n",
		solution: "export function add(a: number, b: number): number { return a + b; }\n",
		broken:   "export function add(a: number, b: number): number { return a + c; }\n",
		want:     "Cannot find name 'c'",
	},
	"rust": {
		driver:   "mod solution;\nuse solution::*;\nuse std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", add(v[0], v[1])); }\n",
		solution: "pub fn add(a: i64, b: i64) -> i64 { a + b }\n",
		broken:   "pub fn add(a: i64, b: i64) -> i64 { a + c }\n",
		want:     "cannot find value `c`",
	},
	"kotlin": {
		driver:   "fun main() { val (a, b) = readLine()!!.trim().split(\" \").map { it.toLong() }; println(Solution().add(a, b)) }\n",
		solution: "class Solution { fun add(a: Long, b: Long): Long = a + b }\n",
		broken:   "class Solution { fun add(a: Long, b: Long): Long = a + c }\n",
		want:     "unresolved reference: c",
	},
	"csharp": {
		driver:   "using System;\nclass Program { static void Main() { var t = Console.ReadLine().Split(' '); Console.WriteLine(new Solution().Add(long.Parse(t[0]), long.Parse(t[1]))); } }\n",
		solution: "public class Solution { public long Add(long a, long b) { return a + b; } }\n",
		broken:   "public class Solution { public long Add(long a, long b) { return a + c; } }\n",
		want:     "CS0103",
	},
	"ruby": {
		driver:   "require_relative 'solution'\na, b = STDIN.read.split.map(&:to_i)\nputs add(a, b)\n",
		solution: "def add(a, b)\n  a + b\nend\n",
		broken:   "def add(a, b)\n  a +\nend\n",
		want:     "syntax error",
	},
	"php": {
		driver:   "<?php\nrequire __DIR__ . '/solution.php';\n[$a, $b] = array_map('intval', preg_split('/\\s+/', trim(stream_get_contents(STDIN))));\necho add($a, $b), \"\\n\";\n",
		solution: "<?php\nfunction add($a, $b) { return $a + $b; }\n",
		broken:   "<?php\nfunction add($a, $b) { return $a + ; }\n",
		want:     "syntax error",
	},
	"perl": {
		driver:   "do './solution.pl';\ndie $@ if $@;\nmy ($a, $b) = split ' ', <STDIN>;\nprint add($a, $b), \"\\n\";\n",
		solution: "sub add { my ($a, $b) = @_; return $a + $b; }\n",
		broken:   "sub add { my ($a, $b) = @_; return $a + ; }\n",
		want:     "syntax error",
	},
	"lua": {
		driver:   "dofile('solution.lua')\nlocal a, b = io.read('n', 'n')\nprint(add(a, b))\n",
		solution: "function add(a, b)\n  return a + b\nend\n",
		broken:   "function add(a, b)\n  return a +\nend\n",
		want:     "unexpected symbol",
	},
	"bash": {
		driver:   "source ./solution.sh\nread -r a b\nadd \"$a\" \"$b\"\n",
		solution: "add() {\n  echo $(( $1 + $2 ))\n}\n",
		broken:   "add() {\n  echo $(( $1 + $2 ))\n",
		want:     "syntax error",
	},
}

// TestSuiteCoversLanguages: the compile errors and drivers have a case in
// every language of the table.
func TestSuiteCoversLanguages(t *testing.T) {
	for _, l := range toolchain.Languages() {
		if _, ok := compileErrorCases[l.ID]; !ok {
			t.Errorf("no compile error case for %s", l.ID)
		}
		if _, ok := driverCases[l.ID]; !ok {
			t.Errorf("no driver case for %s", l.ID)
		}
	}
	for _, c := range behaviours {
		if c.verdict == "accepted" && c.name == "sum" {
			for _, l := range toolchain.Languages() {
				if _, ok := c.code[l.ID]; !ok {
					t.Errorf("no smoke (sum) case for %s", l.ID)
				}
			}
		}
	}
}

// expectCompileError compiles src in s and checks that it does not
// compile: a *CompileError, short, whose output has want and names file.
func expectCompileError(t *testing.T, s *Sandbox, src Source, want, file string) {
	t.Helper()
	p, err := s.Compile(context.Background(), src)
	var ce *CompileError
	if !errors.As(err, &ce) {
		if p != nil {
			p.Close()
		}
		t.Fatalf("Compile = %v, want a *CompileError", err)
	}
	if !strings.Contains(ce.Output, want) || !strings.Contains(strings.ToLower(ce.Output), file) {
		t.Errorf("compiler output lacks %q or %q:\n%s", want, file, ce.Output)
	}
	if ce.Error() == "" || strings.Contains(ce.Error(), "\n") {
		t.Errorf("Error() = %q, want a short sentence", ce.Error())
	}
}
