package questions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor"
	"github.com/codementor/codementor/checker"
)

// Trusted programs run directly, outside any sandbox: the reference
// solutions in testdata/solutions and the starter code. Python runs isolated
// and without site packages, and C and C++ compile with -O2, as in the sandbox.
const (
	python = "/usr/bin/python3"
	gcc    = "gcc"
	gxx    = "g++"
	// runTimeout stops a program that hangs; time limits are checked apart.
	runTimeout = 20 * time.Second
)

// tool returns the path of a program the test needs, or skips the test.
func tool(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs programs; skipped in -short mode")
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found: %v", name, err)
	}
	return path
}

// result is what one run of a program produced.
type result struct {
	stdout, stderr string
	// cpu is the user and system time of the process; wall the elapsed time.
	cpu, wall time.Duration
}

// execute runs argv with input on its standard input. An error reports a
// failure to start, a timeout or a non-zero exit, with the standard error.
func execute(argv []string, input string) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = strings.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start)}
	if cmd.ProcessState != nil {
		r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		return r, fmt.Errorf("%s: %v; stderr: %s", strings.Join(argv, " "), err, clip(r.stderr))
	}
	return r, nil
}

// compile builds a C or C++ source into dir and returns the executable.
func compile(t *testing.T, compiler, source, dir string, flags ...string) string {
	t.Helper()
	exe := filepath.Join(dir, strings.TrimSuffix(filepath.Base(source), filepath.Ext(source)))
	args := append(flags, "-o", exe, source)
	if out, err := exec.Command(compiler, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", compiler, strings.Join(args, " "), err, out)
	}
	return exe
}

// check compares a program's output with the expected output the way the
// judge does.
func check(c codementor.Checker, want, got string) error {
	if ok, why := checker.Check(c, want, got); !ok {
		return errors.New(why)
	}
	return nil
}

// TestReferenceSolutions runs the Python and C++ reference solution of every
// question against all its tests. The Python ones run one at a time, before
// anything else in this package runs in parallel, and each must use at most
// half its question's time limit in CPU time, so that the limit leaves Python
// programs room.
func TestReferenceSolutions(t *testing.T) {
	py := tool(t, python)
	cxx := tool(t, gxx)
	qs := starter(t)
	for _, q := range qs {
		for _, ext := range []string{".py", ".cpp"} {
			if _, err := os.Stat(filepath.Join("testdata", "solutions", q.ID+ext)); err != nil {
				t.Errorf("%s: no reference solution: %v", q.ID, err)
			}
		}
	}
	solutions, _ := filepath.Glob(filepath.Join("testdata", "solutions", "*"))
	for _, s := range solutions {
		id := strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
		if !containsID(qs, id) {
			t.Errorf("%s is the solution of no question", s)
		}
	}

	t.Run("python", func(t *testing.T) {
		var slowest struct {
			id        string
			test      int
			cpu, wall time.Duration
			limit     int
		}
		for _, q := range qs {
			t.Run(q.ID, func(t *testing.T) {
				source := filepath.Join("testdata", "solutions", q.ID+".py")
				budget := time.Duration(q.TimeLimitMS) * time.Millisecond / 2
				var most time.Duration
				defer func() { t.Logf("slowest test: %v CPU of a %d ms limit", most.Round(time.Millisecond), q.TimeLimitMS) }()
				for i, test := range q.Tests {
					r, err := execute([]string{py, "-I", "-S", source}, test.Input)
					if err != nil {
						t.Errorf("test %d: %v", i, err)
						continue
					}
					if err := check(q.Checker, test.Output, r.stdout); err != nil {
						t.Errorf("test %d: wrong answer: %v", i, err)
					}
					if r.cpu > budget {
						t.Errorf("test %d: %v of CPU time, more than half the %d ms limit", i, r.cpu, q.TimeLimitMS)
					}
					most = max(most, r.cpu)
					if r.cpu > slowest.cpu {
						slowest.id, slowest.test, slowest.cpu, slowest.wall, slowest.limit = q.ID, i, r.cpu, r.wall, q.TimeLimitMS
					}
				}
			})
		}
		t.Logf("slowest Python reference: %s test %d, %v CPU (%v wall) of a %d ms limit",
			slowest.id, slowest.test, slowest.cpu.Round(time.Millisecond), slowest.wall.Round(time.Millisecond), slowest.limit)
	})

	t.Run("cpp", func(t *testing.T) {
		for _, q := range qs {
			t.Run(q.ID, func(t *testing.T) {
				t.Parallel()
				exe := compile(t, cxx, filepath.Join("testdata", "solutions", q.ID+".cpp"), t.TempDir(), "-O2", "-std=c++17")
				for i, test := range q.Tests {
					r, err := execute([]string{exe}, test.Input)
					if err != nil {
						t.Errorf("test %d: %v", i, err)
						continue
					}
					if err := check(q.Checker, test.Output, r.stdout); err != nil {
						t.Errorf("test %d: wrong answer: %v", i, err)
					}
					if r.cpu > time.Duration(q.TimeLimitMS)*time.Millisecond/2 {
						t.Errorf("test %d: %v of CPU time, more than half the %d ms limit", i, r.cpu, q.TimeLimitMS)
					}
				}
			})
		}
	})
}

func containsID(qs []codementor.Question, id string) bool {
	for _, q := range qs {
		if q.ID == id {
			return true
		}
	}
	return false
}

// TestStarterCode checks that every question's starter code compiles (C with
// gcc -std=c17, C++ with g++ -std=c++17, both free of -Wall -Wextra
// warnings), runs on every test without crashing, and is not a solution: it
// fails at least one test. It runs in parallel, after the timed Python runs of
// TestReferenceSolutions.
func TestStarterCode(t *testing.T) {
	t.Parallel()
	py := tool(t, python)
	cc := tool(t, gcc)
	cxx := tool(t, gxx)
	for _, q := range starter(t) {
		for _, l := range codementor.Languages {
			t.Run(q.ID+"-"+l.ID, func(t *testing.T) {
				t.Parallel()
				code, ok := q.StarterCode[l.ID]
				if !ok {
					t.Fatal("no starter code")
				}
				dir := t.TempDir()
				var argv []string
				switch l.ID {
				case "python":
					source := filepath.Join(dir, "main.py")
					writeFile(t, source, code)
					argv = []string{py, "-I", "-S", source}
				case "c":
					source := filepath.Join(dir, "main.c")
					writeFile(t, source, code)
					argv = []string{compile(t, cc, source, dir, "-O2", "-std=c17", "-Wall", "-Wextra", "-Werror", "-lm")}
				case "cpp":
					source := filepath.Join(dir, "main.cpp")
					writeFile(t, source, code)
					argv = []string{compile(t, cxx, source, dir, "-O2", "-std=c++17", "-Wall", "-Wextra", "-Werror")}
				default:
					t.Fatalf("no way to run language %q", l.ID)
				}
				passed := 0
				for i, test := range q.Tests {
					r, err := execute(argv, test.Input)
					if err != nil {
						t.Errorf("test %d: %v", i, err)
					} else if check(q.Checker, test.Output, r.stdout) == nil {
						passed++
					}
				}
				if passed == len(q.Tests) {
					t.Errorf("the starter code passes all %d tests: it must not be a solution", passed)
				}
			})
		}
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
