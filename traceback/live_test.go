package traceback

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireToolchains, set (in CI), turns the skip of a language whose
// toolchain is missing into a failure, so that the live test cannot pass
// without running.
const requireToolchains = "CODEMENTOR_TEST_REQUIRE_TOOLCHAINS"

// commandTimeout bounds one compilation or run of a test program; a cold Go
// build cache makes the first Go build the slowest.
const commandTimeout = 3 * time.Minute

// toolchains lists the commands each language's programs need.
var toolchains = map[string][]string{
	"python":     {"python3"},
	"c":          {"gcc"},
	"cpp":        {"g++"},
	"java":       {"javac", "java"},
	"go":         {"go"},
	"javascript": {"node"},
}

// pythonCheck is the sandbox's syntax check of Python sources
// (sandbox/languages.go), which prints a SyntaxError as
// traceback.format_exception_only formats it.
const pythonCheck = `import sys, traceback
bad = False
for name in sys.argv[1:]:
    try:
        with open(name, "rb") as f:
            compile(f.read(), name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        bad = True
sys.exit(1 if bad else 0)
`

// TestHideDriverLive builds and runs the programs of testdata/programs with
// this machine's toolchains, as the sandbox does, and checks what HideDriver
// makes of their output, so that the rules follow the toolchains' versions.
// With -update it rewrites testdata/captured: the outputs and their goldens.
func TestHideDriverLive(t *testing.T) {
	if testing.Short() {
		t.Skip("runs compilers: not in -short mode")
	}
	// The Go programs share the user's build cache: the standard library is
	// most likely compiled there already (these programs are ours).
	goCache := t.TempDir()
	if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil && strings.TrimSpace(string(out)) != "" && strings.TrimSpace(string(out)) != "off" {
		goCache = strings.TrimSpace(string(out))
	}
	for _, c := range programCases {
		t.Run(c.lang+"/"+c.name, func(t *testing.T) {
			t.Parallel()
			for _, tool := range toolchains[c.lang] {
				if _, err := exec.LookPath(tool); err != nil {
					if os.Getenv(requireToolchains) != "" {
						t.Fatalf("%s is required (%s is set): %v", tool, requireToolchains, err)
					}
					t.Skipf("no %s: %v", tool, err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			in := runProgram(ctx, t, c, goCache)
			got := HideDriver(c.lang, in)
			checkHidden(t, c, in, got)
			if *update {
				writeFile(t, c.capturedPath(".txt"), in)
				writeFile(t, c.capturedPath(".golden"), got)
			}
		})
	}
}

// runProgram copies c's programs into a work dir, compiles them and, if that
// succeeds, runs them, with the sandbox's file names and flags. It returns
// what a learner would be shown, the compiler's output or the program's
// stderr, with the work dir replaced by /box; it fails t unless the programs
// fail.
func runProgram(ctx context.Context, t testing.TB, c programCase, goCache string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{c.driverFile(), c.solutionFile()} {
		writeFile(t, filepath.Join(dir, f), readFile(t, filepath.Join(c.programDir(), f)))
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8"}
	var compile [][]string
	var run []string
	switch c.lang {
	case "python":
		compile = [][]string{{"python3", "-I", "-S", "-c", pythonCheck, "main.py", "solution.py"}}
		run = []string{"python3", "-E", "-s", "-S", "-B", "main.py"}
	case "c":
		compile = [][]string{{"gcc", "-O2", "-std=c17", "-o", "main", "main.c", "solution.c", "-lm"}}
		run = []string{filepath.Join(dir, "main")}
	case "cpp":
		compile = [][]string{{"g++", "-O2", "-std=c++17", "-o", "main", "main.cpp", "solution.cpp"}}
		run = []string{filepath.Join(dir, "main")}
	case "java":
		compile = [][]string{{"javac", "-J-XX:+UseSerialGC", "-proc:none", "-encoding", "UTF-8", "-d", ".", "Main.java", "Solution.java"}}
		run = []string{"java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
			"-Xlog:disable", "-Xlog:all=warning:stderr", "-cp", dir, "Main"}
	case "go":
		env = append(env, "GOCACHE="+goCache, "GOPATH="+filepath.Join(dir, "gopath"), "GOENV=off",
			"GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=", "CGO_ENABLED=0")
		if c.goRun {
			run = []string{"go", "run", "main.go", "solution.go"}
		} else {
			compile = [][]string{{"go", "build", "-trimpath", "-buildvcs=false", "-o", "main", "main.go", "solution.go"}}
			run = []string{filepath.Join(dir, "main")}
		}
	case "javascript":
		// The sandbox checks the files one by one and stops at the first
		// that does not parse.
		compile = [][]string{{"node", "--check", "main.js"}, {"node", "--check", "solution.js"}}
		run = []string{"node", "main.js"}
	default:
		t.Fatalf("no runner for %s", c.lang)
	}
	box := func(b []byte) string {
		s := string(b)
		if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
			s = strings.ReplaceAll(s, real, "/box")
		}
		return strings.ReplaceAll(s, dir, "/box")
	}
	for _, argv := range compile {
		out, err := command(ctx, dir, env, argv).CombinedOutput()
		if err != nil {
			if ctx.Err() != nil {
				t.Fatalf("%s: %v", strings.Join(argv, " "), ctx.Err())
			}
			return box(out)
		}
	}
	var stderr bytes.Buffer
	cmd := command(ctx, dir, env, run)
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ctx.Err() != nil {
		t.Fatalf("%s: want a failure, got err %v (ctx %v), stderr\n%s", strings.Join(run, " "), err, ctx.Err(), stderr.String())
	}
	return box(stderr.Bytes())
}

func command(ctx context.Context, dir string, env, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	return cmd
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
