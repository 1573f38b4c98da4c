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
// sandbox; Go builds without cgo; TypeScript, Rust, Kotlin and C# compile
// with the sandbox's flags, and the interpreted languages are checked with
// the sandbox's syntax checks first.
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
	"typescript": {"ts", "main.ts", "solution.ts"},
	"rust":       {"rs", "main.rs", "solution.rs"},
	"kotlin":     {"kt", "main.kt", "solution.kt"},
	"csharp":     {"cs", "main.cs", "solution.cs"},
	"ruby":       {"rb", "main.rb", "solution.rb"},
	"php":        {"php", "main.php", "solution.php"},
	"perl":       {"pl", "main.pl", "solution.pl"},
	"lua":        {"lua", "main.lua", "solution.lua"},
	"bash":       {"sh", "main.sh", "solution.sh"},
}

// toolchains names the programs each language needs.
var toolchains = map[string][]string{
	"python":     {python},
	"c":          {"gcc"},
	"cpp":        {"g++"},
	"java":       {"javac", "java"},
	"go":         {"go"},
	"javascript": {"node"},
	"typescript": {"node", "tsc"},
	// Debian's rustc, as in the sandbox, not a rustup one on PATH.
	"rust":   {"/usr/bin/rustc"},
	"kotlin": {"kotlinc", "java"},
	"csharp": {"mcs", "mono"},
	"ruby":   {"ruby"},
	"php":    {"php"},
	"perl":   {"perl"},
	"lua":    {"lua5.4", "luac5.4"},
	"bash":   {"bash"},
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
// -Xlint:all; unused parameters of a function skeleton are allowed; Rust:
// rustc -D warnings but for unused code, which a skeleton has; C#: mcs
// -warnaserror but for unused variables), and Go code must be gofmt-formatted. (TypeScript compiles
// --strict either way; Kotlin's compiler warns of every unused variable of a
// skeleton, and the interpreted languages' checks of syntax errors only.)
// build skips the test when a tool is missing.
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
	case "typescript":
		if argv, ok := batched(t, lang, strict, q, code); ok {
			return argv
		}
		run(t, dir, nil, tools[0], append(tscArgs(t, tools[1]), sources...)...)
		return []string{tools[0], filepath.Join(dir, "main.js")}
	case "rust":
		// The driver declares the solution as a module: main.rs is the
		// crate's only source on the command line.
		args := []string{"-O", "--edition", "2021", "-C", "codegen-units=1", "-o", exe}
		if strict {
			args = append(args, "-D", "warnings", "-A", "unused")
		}
		run(t, dir, nil, tools[0], append(args, sources[0])...)
		return []string{exe}
	case "kotlin":
		if argv, ok := batched(t, lang, strict, q, code); ok {
			return argv
		}
		run(t, dir, nil, tools[0], append(kotlincArgs(dir), sources...)...)
		return kotlinRun(t, tools, dir, "MainKt")
	case "csharp":
		args := []string{"-optimize+", "-nologo", "-out:" + exe + ".exe"}
		if strict {
			// CS0219: a variable assigned, never read, as in a skeleton.
			args = append(args, "-warnaserror+", "-nowarn:219")
		}
		run(t, dir, nil, tools[0], append(args, sources...)...)
		return []string{tools[1], exe + ".exe"}
	case "ruby":
		for _, s := range sources {
			run(t, dir, nil, tools[0], "--disable-gems", "-c", s)
		}
		return []string{tools[0], "--disable-gems", sources[0]}
	case "php":
		flags := []string{"-n", "-d", "display_errors=stderr", "-d", "log_errors=0"}
		for _, s := range sources {
			run(t, dir, nil, tools[0], append(flags, "-l", s)...)
		}
		return append(append([]string{tools[0]}, flags...), sources[0])
	case "perl":
		for _, s := range sources {
			run(t, dir, nil, tools[0], "-c", s)
		}
		return []string{tools[0], sources[0]}
	case "lua":
		for _, s := range sources {
			run(t, dir, nil, tools[1], "-p", s)
		}
		return []string{tools[0], sources[0]}
	case "bash":
		for _, s := range sources {
			run(t, dir, nil, tools[0], "--norc", "--noprofile", "-n", s)
		}
		return []string{tools[0], "--norc", "--noprofile", sources[0]}
	}
	t.Fatalf("no way to build language %q", lang)
	return nil
}

// tscArgs returns the argv of tsc, before the sources, as the sandbox runs
// it: tsc.js beside the tsc command, node's declarations beside TypeScript.
func tscArgs(t *testing.T, tscTool string) []string {
	t.Helper()
	tsc, err := filepath.EvalSymlinks(tscTool)
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Dir(filepath.Dir(tsc))
	return []string{filepath.Join(pkg, "lib", "tsc.js"), "--pretty", "false", "--noEmitOnError", "--strict", "--skipLibCheck",
		"--target", "es2022", "--lib", "es2022", "--module", "commonjs", "--moduleResolution", "node",
		"--types", "node", "--typeRoots", filepath.Join(filepath.Dir(pkg), "@types"), "--newLine", "lf"}
}

// kotlincArgs returns the arguments of kotlinc, before the sources, that
// compile into dir. The compiler's own virtual machine starts faster with
// the -J flags.
func kotlincArgs(dir string) []string {
	return []string{"-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-no-reflect", "-d", dir}
}

// kotlinRun returns the argv that runs class, compiled into dir, with the
// standard library beside kotlinc (tools[0]) and java (tools[1]).
func kotlinRun(t *testing.T, tools []string, dir, class string) []string {
	t.Helper()
	kotlinc, err := filepath.EvalSymlinks(tools[0])
	if err != nil {
		t.Fatal(err)
	}
	stdlib := filepath.Join(filepath.Dir(filepath.Dir(kotlinc)), "lib", "kotlin-stdlib.jar")
	return []string{tools[1], "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", dir + ":" + stdlib, class}
}

// A batch is every program a test builds in a language whose compiler takes
// seconds to start (Kotlin's JVM, tsc on node): the test adds them all
// first (addBatch), and the first build of one of them compiles them all in
// one run of the compiler, each in a directory of its own (a Kotlin program
// in a package of its own too), rather than one run per program.
type batch struct {
	lang     string
	strict   bool
	dir      string
	programs map[string]int // by batchKey, their directory's number
	sources  []string
	once     sync.Once
	err      error // the compiler's failure
}

var (
	batchesMu sync.Mutex
	batches   = map[string]*batch{}
)

// batchedLanguages are the languages compiled in batches.
var batchedLanguages = []string{"kotlin", "typescript"}

func batchKey(id, code string) string { return id + "\x00" + code }

// addBatch makes the batch of lang (strict or not) of the test t: programs
// maps each question to its code in lang. The programs are written into a
// directory of t's; a language whose tools are missing gets no batch.
func addBatch(t *testing.T, lang string, strict bool, qs []codementor.Question, code func(codementor.Question) (string, bool)) {
	t.Helper()
	for _, name := range toolchains[lang] {
		if _, err := exec.LookPath(name); err != nil || testing.Short() {
			return
		}
	}
	b := &batch{lang: lang, strict: strict, dir: t.TempDir(), programs: map[string]int{}}
	l := layouts[lang]
	for _, q := range qs {
		c, ok := code(q)
		if !ok {
			continue
		}
		n := len(b.programs)
		b.programs[batchKey(q.ID, c)] = n
		dir := filepath.Join(b.dir, fmt.Sprintf("p%d", n))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{l.main: c}
		if driver, ok := q.Drivers[lang]; ok {
			files = map[string]string{l.main: driver, l.solution: c}
		}
		for name, text := range files {
			if lang == "kotlin" {
				text = fmt.Sprintf("package p%d\n\n", n) + text
			}
			writeFile(t, filepath.Join(dir, name), text)
			b.sources = append(b.sources, filepath.Join(dir, name))
		}
	}
	batchesMu.Lock()
	batches[fmt.Sprint(lang, strict)] = b
	batchesMu.Unlock()
}

// batched returns the argv of q's program code in lang, compiled with its
// batch, if it has one.
func batched(t *testing.T, lang string, strict bool, q codementor.Question, code string) ([]string, bool) {
	t.Helper()
	batchesMu.Lock()
	b := batches[fmt.Sprint(lang, strict)]
	batchesMu.Unlock()
	if b == nil {
		return nil, false
	}
	n, ok := b.programs[batchKey(q.ID, code)]
	if !ok {
		return nil, false
	}
	var tools []string
	for _, name := range toolchains[lang] {
		tools = append(tools, tool(t, name))
	}
	b.once.Do(func() {
		var argv []string
		switch lang {
		case "kotlin":
			argv = append([]string{tools[0]}, append(kotlincArgs(b.dir), b.sources...)...)
		case "typescript":
			argv = append([]string{tools[0]}, append(tscArgs(t, tools[1]), b.sources...)...)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = b.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("%s (the batch of %d programs): %v\n%s", strings.Join(argv[:2], " "), len(b.programs), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	dir := filepath.Join(b.dir, fmt.Sprintf("p%d", n))
	if lang == "kotlin" {
		return kotlinRun(t, tools, b.dir, fmt.Sprintf("p%d.MainKt", n)), true
	}
	return []string{tools[0], filepath.Join(dir, "main.js")}, true
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
	"typescript": {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"rust":       {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"kotlin":     {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"csharp":     {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"ruby":       {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"php":        {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"perl":       {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	"lua":        {"a-plus-b", "two-sum", "valid-parentheses", "max-subarray", "two-sum-function"},
	// Bash loops over the 10^5 numbers of the others' largest tests for
	// about half their time limit or more.
	"bash": {"a-plus-b"},
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

	for _, lang := range batchedLanguages {
		addBatch(t, lang, false, qs, func(q codementor.Question) (string, bool) {
			code, err := os.ReadFile(solution(q, lang))
			return string(code), err == nil
		})
	}
	for _, l := range codementor.Languages {
		lang := l.ID
		if lang == "python" { // above
			continue
		}
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
	qs := starter(t)
	for _, lang := range batchedLanguages {
		addBatch(t, lang, true, qs, func(q codementor.Question) (string, bool) {
			code, ok := q.StarterCode[lang]
			return code, ok
		})
	}
	for _, q := range qs {
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
