package sandbox

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// The options of a submission and its runs (options.go): compiler options,
// files, arguments, stderr merged, stack, processes and file size limits.

// probes are programs that show, by the mode on their stdin ("args",
// "files", "merge", "stack N", "fork N", "fsize N"), what they were given
// and what they may do.
var probes = map[string]string{
	"c": `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/probe.h"

static int depth(long n, volatile char *up) {
	volatile char buf[1024];
	buf[0] = (char)n;
	if (n == 0) return up[0];
	int r = depth(n - 1, buf); /* buf lives across the call: no loop */
	return r + buf[0] - up[0];
}

static void cat(const char *path) {
	FILE *f = fopen(path, "r");
	if (!f) { printf("cannot read %s\n", path); return; }
	int c;
	while ((c = fgetc(f)) != EOF) putchar(c);
	fclose(f);
}

int main(int argc, char **argv) {
	char mode[16] = "";
	long n = 0;
	if (scanf("%15s %ld", mode, &n) < 1) return 2;
	if (!strcmp(mode, "args")) {
		for (int i = 1; i < argc; i++) printf("[%s]\n", argv[i]);
	} else if (!strcmp(mode, "files")) {
		cat("data/in.txt");
		cat("top.txt");
		int fd = open("data/in.txt", O_WRONLY | O_APPEND);
		int nd = open("data/new.txt", O_WRONLY | O_CREAT, 0644);
		puts(fd < 0 && nd < 0 ? "read-only" : "written");
		puts(PROBE_HEADER);
	} else if (!strcmp(mode, "merge")) {
		for (int i = 0; i < 3; i++) { dprintf(1, "out %d\n", i); dprintf(2, "err %d\n", i); }
	} else if (!strcmp(mode, "spew")) {
		char b[1024];
		memset(b, 'e', sizeof b);
		for (long i = 0; i < n; i += sizeof b) if (write(2, b, sizeof b) < 0) return 1;
	} else if (!strcmp(mode, "stack")) {
		char top = 0;
		printf("%d\n", depth(n, &top));
	} else if (!strcmp(mode, "fork")) {
		int c = 0;
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p < 0) break;
			if (p == 0) { pause(); _exit(0); }
			c++;
		}
		printf("%d\n", c);
	} else if (!strcmp(mode, "fsize")) {
		/* $TMPDIR without a sandbox (Config.Unsafe), where /tmp is the host's. */
		char path[4096];
		snprintf(path, sizeof path, "%s/f", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) { perror(path); return 1; }
		char b[4096];
		memset(b, 'x', sizeof b);
		long w = 0;
		while (w < n) { ssize_t k = write(fd, b, sizeof b); if (k <= 0) break; w += k; }
		printf("wrote %ld\n", w);
	}
	return 0;
}
`,
	"python": `import os, sys
mode, *rest = sys.stdin.read().split()
if mode == "args":
    for a in sys.argv[1:]:
        print("[" + a + "]")
elif mode == "files":
    print(open("data/in.txt").read(), end="")
    print(open("top.txt").read(), end="")
    try:
        open("data/in.txt", "a").write("x")
        print("written")
    except OSError:
        print("read-only")
elif mode == "merge":
    for i in range(3):
        print("out", i, flush=True)
        print("err", i, file=sys.stderr, flush=True)
elif mode == "fsize":
    try:
        with open("/tmp/f", "wb") as f:
            f.write(b"x" * int(rest[0]))
        print("wrote", rest[0])
    except OSError as e:
        print("errno", e.errno)
`,
	"java": `import java.nio.file.*;

public class Main {
	static int depth(int n) { return n == 0 ? 0 : depth(n - 1) + 1; }

	public static void main(String[] args) throws Exception {
		String[] in = new String(System.in.readAllBytes()).trim().split("\\s+");
		switch (in[0]) {
		case "args":
			for (String a : args) System.out.println("[" + a + "]");
			break;
		case "files":
			System.out.print(Files.readString(Path.of("data/in.txt")));
			System.out.print(Files.readString(Path.of("top.txt")));
			try {
				Files.writeString(Path.of("data/in.txt"), "x", StandardOpenOption.APPEND);
				System.out.println("written");
			} catch (java.io.IOException e) {
				System.out.println("read-only");
			}
			break;
		case "merge":
			for (int i = 0; i < 3; i++) {
				System.out.println("out " + i);
				System.out.flush();
				System.err.println("err " + i);
				System.err.flush();
			}
			break;
		case "stack":
			try {
				System.out.println(depth(Integer.parseInt(in[1])));
			} catch (StackOverflowError e) {
				System.out.println("overflow");
			}
			break;
		}
	}
}
`,
	"javascript": `const fs = require('fs');
const [mode] = fs.readFileSync(0, 'utf8').trim().split(/\s+/);
if (mode === 'args') {
  for (const a of process.argv.slice(2)) console.log('[' + a + ']');
} else if (mode === 'files') {
  process.stdout.write(fs.readFileSync('data/in.txt', 'utf8'));
  process.stdout.write(fs.readFileSync('top.txt', 'utf8'));
  try {
    fs.appendFileSync('data/in.txt', 'x');
    console.log('written');
  } catch (e) {
    console.log('read-only');
  }
} else if (mode === 'merge') {
  for (let i = 0; i < 3; i++) {
    fs.writeSync(1, 'out ' + i + '\n');
    fs.writeSync(2, 'err ' + i + '\n');
  }
}
`,
}

// probeFiles are the files the probes are compiled with.
var probeFiles = []File{
	{Name: "data/in.txt", Data: []byte("in 1 2 3\n")},
	{Name: "top.txt", Data: []byte("top ✓\n")},
	{Name: "lib/probe.h", Data: []byte("#define PROBE_HEADER \"from the header\"\n")},
}

// probeArgs are arguments a shell would have mangled.
var probeArgs = []string{"plain", "two words", `"double" 'single'`, "ünïcødé ✓ 日本", "", "-v", "--help", "$HOME", "*", "a;b|c&&d", "/box/x /tmp/y", "new\nline"}

// probeLimits are generous enough for the JVM.
var probeLimits = Limits{CPUTime: 2 * time.Second, WallTime: 6 * time.Second, MemoryMB: 256, OutputBytes: 8 << 10}

func wantArgs(args []string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteString("[" + a + "]\n")
	}
	return b.String()
}

// runProbe runs p in mode under lim, failing the test on an internal fault.
func runProbe(t *testing.T, p *Program, mode string, lim Limits) Execution {
	t.Helper()
	e, _, err := runFairly(t, p, []byte(mode), lim)
	if err != nil {
		t.Fatalf("Run(%s): %v", mode, err)
	}
	return e
}

// TestOptions: arguments, files and stderr merged, per language; stack,
// processes and file size limits where the language shows them.
func TestOptions(t *testing.T) {
	sandbox(t)
	for _, lang := range []string{"c", "python", "java", "javascript"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p := compileSource(t, Source{Language: lang, Code: probes[lang], Files: probeFiles})
			t.Run("args", func(t *testing.T) {
				lim := probeLimits
				lim.Args = &probeArgs
				if e := runProbe(t, p, "args", lim); string(e.Stdout) != wantArgs(probeArgs) || e.ExitCode != 0 {
					t.Errorf("got %s, want stdout %q", describe(e), wantArgs(probeArgs))
				}
				if e := runProbe(t, p, "args", probeLimits); len(e.Stdout) != 0 || e.ExitCode != 0 {
					t.Errorf("without Args: got %s, want no arguments", describe(e))
				}
				if lang != "c" {
					return
				}
				// At the bounds, with what JSON makes six bytes of one:
				// the run request still fits its message.
				most := make([]string, MaxArgs)
				for i := range most {
					most[i] = strings.Repeat("<\x01", MaxArgsBytes/MaxArgs/2-1) + "<"
				}
				lim.Args, lim.OutputBytes = &most, 64<<10
				if e := runProbe(t, p, "args", lim); string(e.Stdout) != wantArgs(most) {
					t.Errorf("%d arguments of %d bytes: got %.200s", len(most), len(most[0]), describe(e))
				}
			})
			t.Run("files", func(t *testing.T) {
				want := "in 1 2 3\ntop ✓\nread-only\n"
				if lang == "c" {
					want += "from the header\n"
				}
				if e := runProbe(t, p, "files", probeLimits); string(e.Stdout) != want || e.ExitCode != 0 {
					t.Errorf("got %s, want stdout %q", describe(e), want)
				}
			})
			t.Run("merge", func(t *testing.T) {
				lim := probeLimits
				lim.MergeStderr = true
				const want = "out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n"
				if e := runProbe(t, p, "merge", lim); string(e.Stdout) != want || len(e.Stderr) != 0 || e.ExitCode != 0 {
					t.Errorf("got %s, want stdout %q and no stderr", describe(e), want)
				}
				if e := runProbe(t, p, "merge", probeLimits); string(e.Stdout) != "out 0\nout 1\nout 2\n" || string(e.Stderr) != "err 0\nerr 1\nerr 2\n" {
					t.Errorf("without MergeStderr: got %s", describe(e))
				}
			})
			switch lang {
			case "c":
				testCLimits(t, p)
			case "python":
				t.Run("file size", func(t *testing.T) {
					// Python ignores SIGXFSZ: the write fails with EFBIG.
					lim := probeLimits
					lim.FileSizeKB = 1024
					if e := runProbe(t, p, "fsize 2097152", lim); string(e.Stdout) != "errno 27\n" {
						t.Errorf("got %s, want EFBIG", describe(e))
					}
				})
			case "java":
				t.Run("stack", func(t *testing.T) {
					// -Xss follows StackKB: a deep recursion overflows
					// in 1 MiB, not in 64.
					lim := probeLimits
					lim.StackKB = 1024
					if e := runProbe(t, p, "stack 100000", lim); string(e.Stdout) != "overflow\n" {
						t.Errorf("1 MiB of stack: got %s, want a StackOverflowError", describe(e))
					}
					lim.StackKB = 64 << 10
					if e := runProbe(t, p, "stack 100000", lim); string(e.Stdout) != "100000\n" {
						t.Errorf("64 MiB of stack: got %s, want 100000", describe(e))
					}
				})
			}
		})
	}
}

// testCLimits checks the stack, processes, file size and output limits
// with the C probe p.
func testCLimits(t *testing.T, p *Program) {
	t.Run("stack", func(t *testing.T) {
		// 4000 frames of over 1 KiB.
		lim := probeLimits
		lim.StackKB = 1024
		if e := runProbe(t, p, "stack 4000", lim); e.Signal != "SIGSEGV" || e.MemoryExceeded {
			t.Errorf("1 MiB of stack: got %s, want SIGSEGV", describe(e))
		}
		lim.StackKB = 16 << 10
		if e := runProbe(t, p, "stack 4000", lim); e.ExitCode != 0 || e.Signal != "" {
			t.Errorf("16 MiB of stack: got %s, want success", describe(e))
		}
	})
	t.Run("processes", func(t *testing.T) {
		lim := probeLimits
		lim.Processes = 20
		e := runProbe(t, p, "fork 100", lim)
		n, err := strconv.Atoi(strings.TrimSpace(string(e.Stdout)))
		if err != nil || n >= 20 || n < 5 || e.ExitCode != 0 {
			t.Errorf("20 processes: got %s, want fewer than 20 children and a clean exit", describe(e))
		}
		t.Logf("20 processes: %d children (the helper's threads count)", n)
		// Beyond the default (64), in the same box: the pids cgroup
		// follows.
		lim.Processes = 150
		if e := runProbe(t, p, "fork 100", lim); string(e.Stdout) != "100\n" {
			t.Errorf("150 processes: got %s, want 100 children", describe(e))
		}
	})
	t.Run("file size", func(t *testing.T) {
		lim := probeLimits
		lim.FileSizeKB = 1024
		if e := runProbe(t, p, "fsize 2097152", lim); e.Signal != "SIGXFSZ" {
			t.Errorf("1 MiB files: got %s, want SIGXFSZ", describe(e))
		}
		lim.FileSizeKB = 4096
		if e := runProbe(t, p, "fsize 2097152", lim); string(e.Stdout) != "wrote 2097152\n" {
			t.Errorf("4 MiB files: got %s, want 2 MiB written", describe(e))
		}
	})
	t.Run("merged output cap", func(t *testing.T) {
		lim := probeLimits
		lim.MergeStderr = true
		if e := runProbe(t, p, "spew 65536", lim); !e.OutputExceeded || len(e.Stdout) != lim.OutputBytes {
			t.Errorf("64 KiB on stderr merged, cap %d: got %s, want OutputExceeded", lim.OutputBytes, describe(e))
		}
	})
}

// TestOptionsInEveryMode: arguments reach the program verbatim, stderr
// merges, the file size limit holds and files are read-only in every mode:
// through prlimit(1) in a shell without cgroups, with the sandbox's paths
// made the host's (but in arguments) without a sandbox.
func TestOptionsInEveryMode(t *testing.T) {
	for _, m := range sandboxModes {
		t.Run(m.name, func(t *testing.T) {
			s := m.sandbox(t)
			p := compileWith(t, s, Source{Language: "c", Code: probes["c"], Files: probeFiles})
			lim := probeLimits
			lim.Args, lim.MergeStderr, lim.FileSizeKB = &probeArgs, true, 1024
			if e := runProbe(t, p, "args", lim); string(e.Stdout) != wantArgs(probeArgs) {
				t.Errorf("args: got %s, want %q", describe(e), wantArgs(probeArgs))
			}
			if e := runProbe(t, p, "merge", lim); string(e.Stdout) != "out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n" {
				t.Errorf("merge: got %s", describe(e))
			}
			if e := runProbe(t, p, "fsize 2097152", lim); e.Signal != "SIGXFSZ" {
				t.Errorf("file size: got %s, want SIGXFSZ", describe(e))
			}
			const files = "in 1 2 3\ntop ✓\nread-only\nfrom the header\n"
			if e := runProbe(t, p, "files", lim); string(e.Stdout) != files {
				t.Errorf("files: got %s, want %q", describe(e), files)
			}
		})
	}
}

func TestCompilerOptions(t *testing.T) {
	s := sandbox(t)
	t.Run("c", func(t *testing.T) {
		t.Parallel()
		const code = `#include <stdio.h>
int main(void) {
#ifdef ONLINE_JUDGE
	puts("judge");
#else
	puts("local");
#endif
#ifdef GREETING
	puts(GREETING);
#endif
	return 0;
}
`
		// Each option one word: no shell splits or expands it.
		greeting := `"a b;$(echo c) *"`
		for _, c := range []struct {
			opts []string
			want string
		}{
			{nil, "local\n"},
			{[]string{"-O0", "-DONLINE_JUDGE", "-DGREETING=" + greeting}, "judge\na b;$(echo c) *\n"},
		} {
			p := compileSource(t, Source{Language: "c", Code: code, CompilerOptions: c.opts})
			if e := runProbe(t, p, "", testLimits); string(e.Stdout) != c.want {
				t.Errorf("options %q: got %s, want %q", c.opts, describe(e), c.want)
			}
		}
	})
	t.Run("java", func(t *testing.T) {
		t.Parallel()
		// A redundant cast: a warning, an error with -Werror.
		code := "public class Main { public static void main(String[] a) { int x = (int) 1; System.out.println(x); } }\n"
		_, err := s.Compile(context.Background(), Source{Language: "java", Code: code, CompilerOptions: []string{"-Xlint:all", "-Werror"}})
		var ce *CompileError
		if !errors.As(err, &ce) || !strings.Contains(ce.Output, "redundant cast") {
			t.Errorf("Compile with -Xlint:all -Werror = %v, want a compile error on the redundant cast", err)
		} else {
			t.Log(ce.Output)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, c := range []struct {
			lang string
			opts []string
			want string
		}{
			{"python", []string{"-O"}, "no compile step"},
			{"javascript", []string{"--strict"}, "no compile step"},
			{"c", []string{"O2"}, `does not start with "-"`},
			{"c", []string{"-DX=\x00"}, "NUL"},
			{"c", make([]string, MaxCompilerOptions+1), "options, at most"},
		} {
			_, err := s.Compile(context.Background(), Source{Language: c.lang, Code: "x", CompilerOptions: c.opts})
			if !errors.Is(err, ErrBadOptions) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Compile(%s, %q) = %v, want ErrBadOptions saying %q", c.lang, c.opts, err, c.want)
			}
		}
	})
}

// TestFilesFromArchive: the web tier's path for Judge0's additional_files,
// a zip archive extracted by package archive, whose files convert to
// sandbox.File as they are.
func TestFilesFromArchive(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range probeFiles {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	extracted, err := archive.Unzip(buf.Bytes(), archive.Limits{MaxFiles: MaxFiles, MaxBytes: MaxFilesBytes})
	if err != nil {
		t.Fatal(err)
	}
	files := make([]File, len(extracted))
	for i, f := range extracted {
		files[i] = File(f)
	}
	p := compileSource(t, Source{Language: "python", Code: probes["python"], Files: files})
	if e := runProbe(t, p, "files", probeLimits); string(e.Stdout) != "in 1 2 3\ntop ✓\nread-only\n" {
		t.Errorf("got %s", describe(e))
	}
}

// TestFilesRefused: files that would clash with the program's own, or leave
// its work dir, are refused before anything is written.
func TestFilesRefused(t *testing.T) {
	s := sandbox(t)
	many := make([]File, MaxFiles+1)
	for i := range many {
		many[i].Name = "f" + strconv.Itoa(i)
	}
	escape := "escape-" + strconv.Itoa(os.Getpid())
	for _, c := range []struct {
		lang  string
		files []File
		want  string
	}{
		{"python", []File{{Name: "main.py"}}, "clashes with the program's own main.py"},
		{"python", []File{{Name: "solution.py/x"}}, "clashes"},
		{"c", []File{{Name: "main"}}, "clashes with the program's own main"},
		{"c", []File{{Name: "main/x"}}, "clashes"},
		{"c", []File{{Name: "solution.c"}}, "clashes"},
		{"java", []File{{Name: "Main.class"}}, "clashes"},
		{"java", []File{{Name: "Main$Inner.class"}}, "clashes"},
		{"java", []File{{Name: "Solution.class"}}, "clashes"},
		{"javascript", []File{{Name: "main.js"}}, "clashes"},
		{"c", []File{{Name: "a"}, {Name: "a"}}, "appears twice"},
		{"c", []File{{Name: "a"}, {Name: "a/b"}}, "directory of"},
		{"c", many, "files, at most"},
		{"c", []File{{Name: "big", Data: make([]byte, MaxFilesBytes+1)}}, "bytes in all"},
		// Hostile: out of the work dir.
		{"python", []File{{Name: "../" + escape}}, `".." component`},
		{"python", []File{{Name: "a/../../" + escape}}, `".." component`},
		{"python", []File{{Name: "/tmp/" + escape}}, "absolute"},
		{"python", []File{{Name: `..\` + escape}}, "backslash"},
		{"python", []File{{Name: "./" + escape}}, `"." component`},
		{"python", []File{{Name: "a//" + escape}}, "empty component"},
		{"python", []File{{Name: escape + "\x00"}}, "control character"},
		{"python", []File{{Name: ""}}, "empty"},
	} {
		_, err := s.Compile(context.Background(), Source{Language: c.lang, Code: "x", Files: c.files})
		if !errors.Is(err, ErrBadFiles) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%s, %.60q) = %v, want ErrBadFiles saying %q", c.lang, c.files, err, c.want)
		}
	}
	for _, dir := range []string{s.cfg.WorkDir, filepath.Dir(s.cfg.WorkDir), "/tmp"} {
		if _, err := os.Lstat(filepath.Join(dir, escape)); err == nil {
			t.Errorf("%s written", filepath.Join(dir, escape))
		}
	}
}

func TestLimitsRefused(t *testing.T) {
	p := compile(t, "python", "print('never')\n")
	tooMany := make([]string, MaxArgs+1)
	tooLong := []string{strings.Repeat("x", MaxArgsBytes)}
	nul := []string{"a\x00b"}
	notUTF8 := []string{"\xff"}
	for _, c := range []struct {
		lim  Limits
		want string
	}{
		{Limits{StackKB: -1}, "StackKB -1"},
		{Limits{Processes: MaxProcesses + 1}, "Processes"},
		{Limits{FileSizeKB: MaxFileSizeKB + 1}, "FileSizeKB"},
		{Limits{Args: &tooMany}, "arguments, at most"},
		{Limits{Args: &tooLong}, "bytes of arguments"},
		{Limits{Args: &nul}, "NUL"},
		{Limits{Args: &notUTF8}, "UTF-8"},
	} {
		if e, err := p.Run(context.Background(), nil, c.lim); !errors.Is(err, ErrBadLimits) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Run(%+v) = %s, %v; want ErrBadLimits saying %q", c.lim, describe(e), err, c.want)
		}
	}
}

func TestWithOptions(t *testing.T) {
	opts := []string{"-O0", "-DX"}
	for _, c := range []struct {
		compile, want []string
	}{
		{[]string{"gcc", "-O2", "-o", "main", "{sources}", "-lm"}, []string{"gcc", "-O2", "-o", "main", "-O0", "-DX", "{sources}", "-lm"}},
		{[]string{"tsc", "{options}", "--outDir", ".", "{sources}"}, []string{"tsc", "{options}", "--outDir", ".", "{sources}"}},
		{[]string{"sh", "-c", "script"}, nil},
	} {
		got, err := withOptions(c.compile, opts)
		if strings.Join(got, " ") != strings.Join(c.want, " ") || (c.want == nil) != errors.Is(err, ErrBadOptions) {
			t.Errorf("withOptions(%q) = %q, %v; want %q", c.compile, got, err, c.want)
		}
	}
	vars := map[string][]string{"sources": {"main.c"}, "options": opts}
	got, err := toolchain.Expand([]string{"tsc", "{options}", "{sources}"}, vars)
	if want := "tsc -O0 -DX main.c"; err != nil || strings.Join(got, " ") != want {
		t.Errorf("{options} expands to %q, %v; want %q", got, err, want)
	}
}

// TestCheckPlaced: a compiler that writes its output over a file given (it
// replaces it) fails the compilation.
func TestCheckPlaced(t *testing.T) {
	dir := t.TempDir()
	top, err := writeFiles(dir, []File{{Name: "out", Data: []byte("given")}, {Name: "d/f", Data: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	defer top.close()
	for _, name := range []string{"out", "d", "d/f"} {
		fi, err := os.Lstat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o644)
		if fi.IsDir() {
			want = os.ModeDir | 0o755
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode(), want)
		}
	}
	if err := checkPlaced(dir, top); err != nil {
		t.Errorf("checkPlaced before the compiler = %v", err)
	}
	// What a linker does: unlink, create.
	if err := os.Remove(filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "out"), []byte("compiled"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := checkPlaced(dir, top); !errors.Is(err, ErrBadFiles) || !strings.Contains(err.Error(), `"out"`) {
		t.Errorf("checkPlaced after the compiler replaced out = %v, want ErrBadFiles naming it", err)
	}
	// writeFiles creates, never overwrites, and follows no link.
	if err := os.Symlink("/etc", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"out", "link/x"} {
		if _, err := writeFiles(dir, []File{{Name: name}}); !errors.Is(err, syscall.EEXIST) && !strings.Contains(fmt.Sprint(err), "escapes") {
			t.Errorf("writeFiles(%s) = %v, want a refusal", name, err)
		}
	}
}

// TestEveryAllowedCompilerOptionCompiles: each language's allow-list of
// compiler options (codementor.CompilerOptionsAllowed, which the web tier
// checks a run's options against) holds only options its compiler takes:
// a program compiled with every one of them at once runs. (tsc takes no
// --target=X, rustc no second --edition: both were on the list.)
func TestEveryAllowedCompilerOptionCompiles(t *testing.T) {
	s := sandbox(t)
	programs := map[string]string{
		"c":          "#include <stdio.h>\nint main(void) { puts(\"ok\"); return 0; }\n",
		"cpp":        "#include <cstdio>\nint main() { std::puts(\"ok\"); return 0; }\n",
		"go":         "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"ok\") }\n",
		"java":       "public class Main { public static void main(String[] a) { System.out.println(\"ok\"); } }\n",
		"kotlin":     "fun main() { println(\"ok\") }\n",
		"csharp":     "class Program { static void Main() { System.Console.WriteLine(\"ok\"); } }\n",
		"rust":       "fn main() { println!(\"ok\"); }\n",
		"typescript": "console.log(\"ok\");\n",
	}
	for _, lang := range s.Languages() {
		opts := codementor.CompilerOptionsAllowed(lang)
		if len(opts) == 0 {
			continue
		}
		code, ok := programs[lang]
		if !ok {
			t.Errorf("%s allows compiler options but this test has no program in it", lang)
			continue
		}
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			p, err := s.Compile(context.Background(), Source{Language: lang, Code: code, CompilerOptions: opts})
			if err != nil {
				t.Fatalf("compile with %q: %v", opts, err)
			}
			defer p.Close()
			e, err := p.Run(context.Background(), nil, Limits{})
			if err != nil || string(e.Stdout) != "ok\n" {
				t.Errorf("run: %q (stderr %q, exit %d), %v", e.Stdout, e.Stderr, e.ExitCode, err)
			}
		})
	}
}
