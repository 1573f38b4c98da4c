package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// A 10-test submission, compile included, in each language: sandboxed, and
// bare (our own program, trusted, compiled and run with the same toolchain
// and flags, outside any sandbox) for comparison. Each iteration does both,
// one after the other, so that a machine's changing load weighs on both
// alike; the metrics are the mean of each and their ratio, the sandbox's
// cost:
//
//	go test -run '^$' -bench Submission -benchtime 20x ./sandbox/
//
// Each test's input is two numbers; the program prints their sum.

const benchTests = 10

var benchPrograms = map[string]string{
	"python": "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n",
	"c":      "#include <stdio.h>\nint main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;printf(\"%ld\\n\",a+b);return 0;}\n",
	"cpp":    "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n",
	"java": `import java.io.*;
import java.util.*;
public class Main { public static void main(String[] x) throws IOException { StringTokenizer t = new StringTokenizer(new BufferedReader(new InputStreamReader(System.in)).readLine()); System.out.println(Long.parseLong(t.nextToken()) + Long.parseLong(t.nextToken())); } }
`,
	"go":         "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar a, b int64\n\tfmt.Scan(&a, &b)\n\tfmt.Println(a + b)\n}\n",
	"javascript": "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n",
	"typescript": "import { readFileSync } from 'fs';\nconst [a, b] = readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n",
	"rust":       "use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); }\n",
	"kotlin":     "fun main() { val (a, b) = readLine()!!.trim().split(' ').map { it.toLong() }; println(a + b) }\n",
	"csharp":     "using System;\nclass P { static void Main() { var t = Console.ReadLine().Split(' '); Console.WriteLine(long.Parse(t[0]) + long.Parse(t[1])); } }\n",
	"ruby":       "a, b = STDIN.read.split.map(&:to_i)\nputs a + b\n",
	"php":        "<?php\n[$a, $b] = array_map('intval', explode(' ', trim(fgets(STDIN))));\necho $a + $b, \"\\n\";\n",
	"perl":       "my ($a, $b) = split ' ', <STDIN>;\nprint $a + $b, \"\\n\";\n",
	"lua":        "local a, b = io.read('n', 'n')\nprint(a + b)\n",
	"bash":       "read -r a b\necho $((a + b))\n",
}

func benchInput(i int) ([]byte, string) {
	return []byte(fmt.Sprintf("%d %d\n", i, 1000*i)), strconv.Itoa(1001*i) + "\n"
}

// For the languages with a zygote (Python), each iteration also runs the
// submission with every run started afresh (Config.NoZygote, the sandbox
// before the zygotes), and the CPU each side took (the whole machine's,
// from /proc/stat: the service, bubblewrap, the helper, the zygote and the
// programs alike) is reported too.
func BenchmarkSubmission(b *testing.B) {
	s := sandbox(b)
	fresh := freshMode().sandbox(b)
	for _, l := range toolchain.Languages() {
		code, ok := benchPrograms[l.ID]
		if !ok || s.toolchains[l.ID] == nil {
			continue
		}
		<-s.toolchains[l.ID].Prepared()
		b.Run(l.ID, func(b *testing.B) {
			var bare, boxed, afresh, bareCPU, boxedCPU, afreshCPU time.Duration
			for b.Loop() {
				start, cpu0 := time.Now(), machineCPU(b)
				submitBare(b, s.toolchains[l.ID], code)
				mid, cpu1 := time.Now(), machineCPU(b)
				submitSandboxed(b, s, l.ID, code)
				end, cpu2 := time.Now(), machineCPU(b)
				bare, boxed = bare+mid.Sub(start), boxed+end.Sub(mid)
				bareCPU, boxedCPU = bareCPU+cpu1-cpu0, boxedCPU+cpu2-cpu1
				if l.Zygote != nil {
					submitSandboxed(b, fresh, l.ID, code)
					afresh, afreshCPU = afresh+time.Since(end), afreshCPU+machineCPU(b)-cpu2
				}
			}
			n := float64(b.N)
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / n }
			b.ReportMetric(ms(bare), "bare-ms/op")
			b.ReportMetric(ms(boxed), "sandboxed-ms/op")
			b.ReportMetric(float64(boxed)/float64(bare), "ratio")
			b.ReportMetric(ms(bareCPU), "bare-cpu-ms/op")
			b.ReportMetric(ms(boxedCPU), "sandboxed-cpu-ms/op")
			b.ReportMetric(float64(boxedCPU)/float64(bareCPU), "cpu-ratio")
			if l.Zygote != nil {
				b.ReportMetric(ms(afresh), "fresh-ms/op")
				b.ReportMetric(ms(afreshCPU), "fresh-cpu-ms/op")
			}
		})
	}
}

// machineCPU returns the CPU time the machine has spent so far, all CPUs
// together, idle and I/O wait excepted (/proc/stat: user, nice, system,
// irq, softirq, steal; in USER_HZ ticks).
func machineCPU(b testing.TB) time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		b.Fatalf("/proc/stat: %q", line)
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100
}

func submitSandboxed(b *testing.B, s *Sandbox, lang, code string) {
	ctx := context.Background()
	p, err := s.Compile(ctx, Source{Language: lang, Code: code})
	if err != nil {
		b.Fatal(err)
	}
	for i := range benchTests {
		in, want := benchInput(i)
		e, err := p.Run(ctx, in, Limits{})
		if err != nil || string(e.Stdout) != want {
			b.Fatalf("Run: %v %s", err, describe(e))
		}
	}
	p.Close()
}

// submitBare compiles and runs code like the sandbox does, with the
// toolchain's own commands, outside the sandbox.
func submitBare(b *testing.B, tc *toolchain.Toolchain, code string) {
	l := tc.Lang
	dir, err := os.MkdirTemp("", "bench-bare-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, l.Entry), []byte(code), 0o644); err != nil {
		b.Fatal(err)
	}
	vars := tc.Vars(map[string][]string{"sources": {l.Entry}, "mem": {"256"}, "stack": {"64"}}, false)
	cache, cacheInBox := tc.Cache()
	switch {
	case cache != "" && l.ID == "java":
		vars["javac_cds"] = []string{"-J-XX:SharedArchiveFile=" + cache}
	case cache != "" && l.ID == "kotlin":
		vars["kotlinc_cds"] = []string{"-XX:SharedArchiveFile=" + cache}
	}
	// In the sandbox the program sees its work dir at /box, its own
	// /tmp, the helper at /sandbox-init and the cache at its place.
	boxPaths := func(args []string) []string {
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, boxDir, dir)
		}
		return args
	}
	envPaths := func(env []string) []string {
		for i, a := range env {
			a = strings.ReplaceAll(a, "=/tmp", "="+dir+"/tmp")
			a = strings.ReplaceAll(a, " /tmp/", " "+dir+"/tmp/")
			if cache != "" {
				a = strings.ReplaceAll(a, cacheInBox, cache)
			}
			env[i] = strings.ReplaceAll(a, boxinit.Path, testSandbox.helper.Path())
		}
		return env
	}
	if l.Compile != nil {
		argv, _ := toolchain.Expand(l.Compile, vars)
		env, _ := toolchain.Expand(l.CompileEnv, vars)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir, cmd.Env = dir, append([]string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8"}, envPaths(env)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	argv, _ := toolchain.Expand(l.Run, vars)
	argv = boxPaths(argv)
	env, _ := toolchain.Expand(l.RunEnv, vars)
	for i := range benchTests {
		in, want := benchInput(i)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir, cmd.Env = dir, append([]string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C.UTF-8"}, env...)
		cmd.Stdin = strings.NewReader(string(in))
		out, err := cmd.Output()
		if err != nil || string(out) != want {
			b.Fatalf("%v: %q %v", argv, out, err)
		}
	}
}

// humanEvalStyle is a HumanEval-style submission: a function and its
// check, one test, no input.
const humanEvalStyle = `from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    for idx, elem in enumerate(numbers):
        for idx2, elem2 in enumerate(numbers):
            if idx != idx2 and abs(elem - elem2) < threshold:
                return True
    return False


def check(candidate):
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False


check(has_close_elements)
print("ok")
`

// BenchmarkOneTestPython judges HumanEval-style Python submissions (compile,
// that is the syntax check, then one run) on every CPU at once, as the judge
// does (Source.Runs 1: no zygote for so few runs), with a zygote all the
// same, and in a sandbox without zygotes or warm sandboxes (before the
// zygotes): submissions per second, and per core.
//
//	go test -run '^$' -bench OneTestPython -benchtime 200x ./sandbox/
func BenchmarkOneTestPython(b *testing.B) {
	for _, m := range []struct {
		name string
		s    *Sandbox
		runs int
	}{{"judge", sandbox(b), 1}, {"zygote", sandbox(b), 0}, {"fresh", freshMode().sandbox(b), 1}} {
		b.Run(m.name, func(b *testing.B) {
			b.SetParallelism(1) // GOMAXPROCS workers: one per core
			start, cpu0 := time.Now(), machineCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p, err := m.s.Compile(context.Background(), Source{Language: "python", Code: humanEvalStyle, Runs: m.runs})
					if err != nil {
						b.Error(err)
						return
					}
					e, err := p.Run(context.Background(), nil, Limits{})
					p.Close()
					if err != nil || string(e.Stdout) != "ok\n" {
						b.Errorf("Run: %v %s", err, describe(e))
						return
					}
				}
			})
			elapsed, cpu := time.Since(start), machineCPU(b)-cpu0
			perSecond := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(perSecond, "judged/s")
			b.ReportMetric(perSecond/float64(runtime.GOMAXPROCS(0)), "judged/s/core")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
