package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// One run of a hello-world program in the sandbox, and, for comparison, the
// same hello world (our own, trusted) run bare.

const (
	helloPython = "print('hello')\n"
	helloC      = "#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"
)

func benchmarkRun(b *testing.B, lang, code string) {
	p := compile(b, lang, code)
	ctx := context.Background()
	for b.Loop() {
		e, err := p.Run(ctx, nil, Limits{})
		if err != nil || string(e.Stdout) != "hello\n" {
			b.Fatalf("Run: %v %s", err, describe(e))
		}
	}
}

func BenchmarkRunPython(b *testing.B) { benchmarkRun(b, "python", helloPython) }

func BenchmarkRunC(b *testing.B) { benchmarkRun(b, "c", helloC) }

func benchmarkBare(b *testing.B, argv ...string) {
	for b.Loop() {
		out, err := exec.Command(argv[0], argv[1:]...).Output()
		if err != nil || string(out) != "hello\n" {
			b.Fatalf("%v: %q %v", argv, out, err)
		}
	}
}

func BenchmarkBarePython(b *testing.B) {
	src := filepath.Join(b.TempDir(), "main.py")
	if err := os.WriteFile(src, []byte(helloPython), 0o644); err != nil {
		b.Fatal(err)
	}
	benchmarkBare(b, "/usr/bin/python3", "-I", "-S", src)
}

func BenchmarkBareC(b *testing.B) {
	dir := b.TempDir()
	src, bin := filepath.Join(dir, "main.c"), filepath.Join(dir, "main")
	if err := os.WriteFile(src, []byte(helloC), 0o644); err != nil {
		b.Fatal(err)
	}
	if out, err := exec.Command("/usr/bin/gcc", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		b.Fatalf("gcc: %v\n%s", err, out)
	}
	benchmarkBare(b, bin)
}
