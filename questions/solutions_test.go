package questions

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/codementor/codementor"
	"github.com/codementor/codementor/checker"
)

// Trusted programs run directly, outside any sandbox: the reference
// solutions in testdata/solutions and the starter code. Python runs isolated
// and without site packages, and C and C++ compile with -O2, as in the
// sandbox; Go builds without cgo.
const (
	python = "/usr/bin/python3"
	// runTimeout stops a program that hangs; time limits are checked apart.
	runTimeout = 20 * time.Second
)

// layout says where a program of one language goes: the file of a whole
// program or of a question's driver, and the file of the learner's function
// beside a driver. Reference solutions are testdata/solutions/<id>.<ext>.
type layout struct{ ext, main, solution string }

var layouts = map[string]layout{
	"python":     {"py", "main.py", "solution.py"},
	"c":          {"c", "main.c", "solution.c"},
	"cpp":        {"cpp", "main.cpp", "solution.cpp"},
	"java":       {"java", "Main.java", "Solution.java"},
	"go":         {"go", "main.go", "solution.go"},
	"javascript": {"js", "main.js", "solution.js"},
}

// toolchains names the programs each language needs.
var toolchains = map[string][]string{
	"python":     {python},
	"c":          {"gcc"},
	"cpp":        {"g++"},
	"java":       {"javac", "java"},
	"go":         {"go"},
	"javascript": {"node"},
}

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

// build writes code, a program for question q in language lang, into a new
// temporary directory, compiles it, and returns the argv that runs it. For
// a question with a driver in lang, code is the learner's function: it goes
// to the layout's solution file and the driver to its main file, and the two
// are compiled together. With strict, the code must also compile free of
// warnings (C: gcc -Wall -Wextra, C++: g++ -Wall -Wextra, Java: javac
// -Xlint:all; unused parameters of a function skeleton are allowed), and Go
// code must be gofmt-formatted. build skips the test when a tool is missing.
func build(t *testing.T, q codementor.Question, lang, code string, strict bool) []string {
	t.Helper()
	var tools []string
	for _, name := range toolchains[lang] {
		tools = append(tools, tool(t, name))
	}
	l, ok := layouts[lang]
	if !ok {
		t.Fatalf("no way to build language %q", lang)
	}
	dir := t.TempDir()
	sources := []string{filepath.Join(dir, l.main)}
	if driver, ok := q.Drivers[lang]; ok {
		writeFile(t, sources[0], driver)
		sources = append(sources, filepath.Join(dir, l.solution))
		writeFile(t, sources[1], code)
	} else {
		writeFile(t, sources[0], code)
	}
	exe := filepath.Join(dir, "main")
	var warnings []string
	if strict {
		warnings = []string{"-Wall", "-Wextra", "-Werror"}
		if len(q.Drivers) > 0 {
			warnings = append(warnings, "-Wno-unused-parameter")
		}
	}
	switch lang {
	case "python":
		return []string{tools[0], "-I", "-S", sources[0]}
	case "c":
		args := append([]string{"-O2", "-std=c17"}, warnings...)
		run(t, dir, nil, tools[0], append(append(args, "-o", exe), append(sources, "-lm")...)...)
		return []string{exe}
	case "cpp":
		args := append([]string{"-O2", "-std=c++17"}, warnings...)
		run(t, dir, nil, tools[0], append(append(args, "-o", exe), sources...)...)
		return []string{exe}
	case "java":
		// The compiler's own virtual machine starts faster with these.
		args := []string{"-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-encoding", "UTF-8", "-d", dir}
		if strict {
			args = append(args, "-Xlint:all", "-Werror")
		}
		run(t, dir, nil, tools[0], append(args, sources...)...)
		return []string{tools[1], "-XX:+UseSerialGC", "-cp", dir, "Main"}
	case "go":
		if strict {
			for _, s := range sources {
				if data, err := os.ReadFile(s); err != nil {
					t.Fatal(err)
				} else if formatted, err := format.Source(data); err != nil || !bytes.Equal(formatted, data) {
					t.Errorf("%s is not gofmt-formatted (%v)", filepath.Base(s), err)
				}
			}
		}
		env := []string{"CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local", "GOWORK=off"}
		if _, err := os.UserCacheDir(); err != nil && os.Getenv("GOCACHE") == "" {
			// No default build cache: each build has its own.
			env = append(env, "GOCACHE="+filepath.Join(dir, "gocache"))
		} else {
			goWarmUp.Do(func() { warmUpGo(tools[0], env) })
		}
		cmd := append([]string{"build", "-o", exe}, sources...)
		run(t, dir, env, tools[0], cmd...)
		return []string{exe}
	case "javascript":
		for _, s := range sources {
			run(t, dir, nil, tools[0], "--check", s)
		}
		return []string{tools[0], sources[0]}
	}
	t.Fatalf("no way to build language %q", lang)
	return nil
}

var goWarmUp sync.Once

// warmUpGo builds a program that imports the standard packages the Go
// programs here use, so that with a cold build cache one build compiles
// them, rather than every one of the parallel builds that follow. Errors are
// left to those builds to report.
func warmUpGo(goTool string, env []string) {
	dir, err := os.MkdirTemp("", "questions-go-warm-up")
	if err != nil {
		return
	}
	defer os.RemoveAll(dir)
	const program = `package main

import (
	_ "bufio"
	_ "fmt"
	_ "io"
	_ "os"
	_ "slices"
	_ "sort"
	_ "strconv"
	_ "strings"
)

func main() {}
`
	if os.WriteFile(filepath.Join(dir, "main.go"), []byte(program), 0o644) != nil {
		return
	}
	cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, "main"), "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Run()
}

// run runs a compiler in dir, with env added to the environment, and fails
// the test if it fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// check compares a program's output with the expected output the way the
// judge does.
func check(c codementor.Checker, want, got string) error {
	if ok, why := checker.Check(c, want, got); !ok {
		return errors.New(why)
	}
	return nil
}

// solution returns the path of q's reference solution in lang.
func solution(q codementor.Question, lang string) string {
	return filepath.Join("testdata", "solutions", q.ID+"."+layouts[lang].ext)
}

// required lists the questions that must have a reference solution in a
// language beyond Python and C++, which every question must have.
var required = map[string][]string{
	"java":       {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"go":         {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"javascript": {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
}

// TestReferenceSolutions runs the reference solutions of every question
// against all its tests: Python and C++ ones for every question, others for
// some. A question's driver, if it has one, is compiled with the solution,
// which is then only the function. Each must use at most half its
// question's time limit in CPU time, so that the limit leaves room to slower
// solutions; the Python ones, the slowest, run one at a time before anything
// else in this package runs in parallel, the others in parallel.
func TestReferenceSolutions(t *testing.T) {
	qs := starter(t)
	for _, q := range qs {
		for _, lang := range []string{"python", "cpp"} {
			if _, err := os.Stat(solution(q, lang)); err != nil {
				t.Errorf("%s: no reference solution: %v", q.ID, err)
			}
		}
	}
	for lang, ids := range required {
		for _, id := range ids {
			if _, err := os.Stat(solution(codementor.Question{ID: id}, lang)); err != nil {
				t.Errorf("%s: no %s reference solution: %v", id, lang, err)
			}
		}
	}
	extensions := map[string]bool{}
	for _, l := range layouts {
		extensions["."+l.ext] = true
	}
	solutions, _ := filepath.Glob(filepath.Join("testdata", "solutions", "*"))
	for _, s := range solutions {
		id := strings.TrimSuffix(filepath.Base(s), filepath.Ext(s))
		if !containsID(qs, id) || !extensions[filepath.Ext(s)] {
			t.Errorf("%s is the solution of no question in any language", s)
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
				r := runSolution(t, q, "python")
				if r.cpu > slowest.cpu {
					slowest.id, slowest.test, slowest.cpu, slowest.wall, slowest.limit = q.ID, r.test, r.cpu, r.wall, q.TimeLimitMS
				}
			})
		}
		t.Logf("slowest Python reference: %s test %d, %v CPU (%v wall) of a %d ms limit",
			slowest.id, slowest.test, slowest.cpu.Round(time.Millisecond), slowest.wall.Round(time.Millisecond), slowest.limit)
	})

	for _, lang := range []string{"c", "cpp", "java", "go", "javascript"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			for _, q := range qs {
				if _, err := os.Stat(solution(q, lang)); err != nil {
					continue
				}
				t.Run(q.ID, func(t *testing.T) {
					t.Parallel()
					runSolution(t, q, lang)
				})
			}
		})
	}
}

// slowTest is the test of a question a program took the most CPU time on.
type slowTest struct {
	test      int
	cpu, wall time.Duration
}

// runSolution builds q's reference solution in lang and runs it on every
// test, which it must pass within its CPU budget. It returns the slowest
// test.
func runSolution(t *testing.T, q codementor.Question, lang string) slowTest {
	code, err := os.ReadFile(solution(q, lang))
	if err != nil {
		t.Fatal(err)
	}
	argv := build(t, q, lang, string(code), false)
	budget := time.Duration(q.TimeLimitMS) * time.Millisecond / 2
	var most slowTest
	defer func() {
		t.Logf("slowest test: %d, %v CPU of a %d ms limit", most.test, most.cpu.Round(time.Millisecond), q.TimeLimitMS)
	}()
	for i, test := range q.Tests {
		r, err := execute(argv, test.Input)
		if err != nil {
			t.Errorf("test %d: %v", i, err)
			continue
		}
		if err := check(q.Checker, test.Output, r.stdout); err != nil {
			t.Errorf("test %d: wrong answer: %v", i, err)
		}
		if r.cpu > budget {
			// CPU time grows while the machine is busy (the suite runs
			// packages in parallel): the least of three runs is the
			// program's own cost.
			for range 2 {
				if again, err := execute(argv, test.Input); err == nil && again.cpu < r.cpu {
					r.cpu, r.wall = again.cpu, again.wall
				}
			}
		}
		if r.cpu > budget {
			t.Errorf("test %d: %v of CPU time (the least of three runs), more than half the %d ms limit", i, r.cpu, q.TimeLimitMS)
		}
		if r.cpu > most.cpu {
			most = slowTest{i, r.cpu, r.wall}
		}
	}
	return most
}

func containsID(qs []codementor.Question, id string) bool {
	for _, q := range qs {
		if q.ID == id {
			return true
		}
	}
	return false
}

// TestStarterCode checks that every question's starter code compiles, with
// its driver if the question has one (see build for the warnings
// refused), runs on every test without crashing, and is not a solution: it
// fails at least one test. It runs in parallel, after the timed Python runs of
// TestReferenceSolutions.
func TestStarterCode(t *testing.T) {
	t.Parallel()
	for _, q := range starter(t) {
		for _, l := range codementor.Languages {
			t.Run(q.ID+"-"+l.ID, func(t *testing.T) {
				t.Parallel()
				code, ok := q.StarterCode[l.ID]
				if !ok {
					t.Fatal("no starter code")
				}
				argv := build(t, q, l.ID, code, true)
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
