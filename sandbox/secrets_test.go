package sandbox

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor/questions"
)

// scanProgram walks everything the box can read under the directory on its
// first line of stdin (but /proc, /sys and /dev) and prints each file
// holding one of the needles on the next lines (hex, one per line, all
// needleLen bytes long), then "scanned <files> <bytes>".
//
// It reads files in chunks and looks at every 8-byte aligned word: an
// occurrence of a needleLen-byte needle always covers an aligned word, at
// one of 8 offsets into the needle, so a set of those words (with a bitmap
// in front) finds every occurrence at one lookup per 8 bytes.
const scanProgram = `package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

const needleLen = 32

func main() {
	var needles [][]byte
	sc := bufio.NewScanner(os.Stdin)
	sc.Scan()
	root := sc.Text()
	for sc.Scan() {
		if b, err := hex.DecodeString(sc.Text()); err == nil && len(b) == needleLen {
			needles = append(needles, b)
		}
	}
	words := map[uint64]bool{}
	var bits [1 << 16]uint64
	for _, n := range needles {
		for off := 0; off < 8; off++ {
			w := binary.LittleEndian.Uint64(n[off:])
			words[w] = true
			h := (w * 0x9E3779B97F4A7C15) >> 42
			bits[h>>6] |= 1 << (h & 63)
		}
	}
	paths := make(chan string, 256)
	var mu sync.Mutex
	var files, total int64
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20+needleLen)
			for p := range paths {
				f, err := os.Open(p)
				if err != nil {
					continue
				}
				keep, read, hit := 0, int64(0), false
				for !hit {
					n, err := io.ReadFull(f, buf[keep:])
					n += keep
					read += int64(n - keep)
					data := buf[:n]
					for a := 0; a+8 <= n && !hit; a += 8 {
						w := binary.LittleEndian.Uint64(data[a:])
						h := (w * 0x9E3779B97F4A7C15) >> 42
						if bits[h>>6]&(1<<(h&63)) == 0 || !words[w] {
							continue
						}
						for _, nd := range needles {
							lo := max(a-needleLen+8, 0)
							if i := bytes.Index(data[lo:min(a+needleLen, n)], nd); i >= 0 {
								hit = true
								mu.Lock()
								fmt.Printf("found %q in %s\n", nd, p)
								mu.Unlock()
								break
							}
						}
					}
					if err != nil {
						break
					}
					// Keep the tail, aligned, so that a needle across two
					// chunks is seen whole.
					keep = needleLen + 8
					copy(buf, data[n-keep:])
				}
				f.Close()
				mu.Lock()
				files++
				total += read
				mu.Unlock()
			}
		}()
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (p == "/proc" || p == "/sys" || p == "/dev") {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			paths <- p
		}
		return nil
	})
	close(paths)
	wg.Wait()
	fmt.Printf("scanned %d %d\n", files, total)
}
`

// questionNeedles returns, per starter question, 32-byte pieces of what a
// box must never hold: the start of its file as embedded in the service,
// and a piece of its longest hidden input and output (varied enough not to
// occur by chance).
func questionNeedles(t *testing.T) [][]byte {
	t.Helper()
	qs, err := questions.Starter()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("../questions/starter/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("the starter questions' files: %v", err)
	}
	var needles [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(b) < 32 {
			t.Fatalf("%s: %v", f, err)
		}
		needles = append(needles, b[:32])
	}
	piece := func(s string) []byte {
		for i := len(s) / 2; i+32 <= len(s); i++ {
			w := s[i : i+32]
			distinct := map[rune]bool{}
			for _, r := range w {
				distinct[r] = true
			}
			if len(distinct) >= 12 {
				return []byte(w)
			}
		}
		return nil
	}
	for _, q := range qs {
		var in, out string
		for _, tc := range q.Tests {
			if tc.Hidden && len(tc.Input) > len(in) {
				in = tc.Input
			}
			if tc.Hidden && len(tc.Output) > len(out) {
				out = tc.Output
			}
		}
		for _, s := range []string{in, out} {
			if p := piece(s); p != nil {
				needles = append(needles, p)
			}
		}
	}
	return needles
}

// TestBoxHoldsNoQuestionData scans every file a box can read, the system
// and the toolchains' directories included, for the starter questions'
// data: the helper, the caches, the work dir and the binds must hold none.
// The scanner's own work dir (where the needles could be) holds only its
// source and executable: the needles come on stdin.
func TestBoxHoldsNoQuestionData(t *testing.T) {
	t.Parallel()
	s := sandbox(t)
	needles := questionNeedles(t)
	if len(needles) < 13 {
		t.Fatalf("only %d needles", len(needles))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := s.Compile(ctx, Source{Language: "go", Code: scanProgram})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var stdin strings.Builder
	stdin.WriteString("/\n")
	for _, n := range needles {
		stdin.WriteString(hex.EncodeToString(n) + "\n")
	}
	e, err := p.Run(ctx, []byte(stdin.String()), Limits{CPUTime: 3 * time.Minute, WallTime: 4 * time.Minute, MemoryMB: 256, OutputBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	out := string(e.Stdout)
	var files, bytes int64
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "found ") {
			t.Errorf("a box can read question data: %s", line)
		}
		if rest, ok := strings.CutPrefix(line, "scanned "); ok {
			if _, err := fmt.Sscan(rest, &files, &bytes); err != nil {
				t.Errorf("bad summary %q", line)
			}
		}
	}
	if e.ExitCode != 0 || files < 1000 {
		t.Fatalf("the scan did not finish: %s", describe(e))
	}
	t.Logf("scanned %d files, %d MiB, in %d ms of CPU, %d ms wall", files, bytes>>20, e.TimeMS, e.WallMS)
}

// TestScannerFindsNeedles checks the scan itself: a file holding a needle
// at any offset, across chunk boundaries too, is found.
func TestScannerFindsNeedles(t *testing.T) {
	t.Parallel()
	s := sandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The needle is in the program's own source, across the scan's first
	// chunk boundary.
	needle := "needle: 0123456789abcdefghijklm!"
	code := scanProgram + "\nvar _ = `" + strings.Repeat("x", 1<<20-5) + needle + "`\n"
	p, err := s.Compile(ctx, Source{Language: "go", Code: code})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	e, err := p.Run(ctx, []byte("/box\n"+hex.EncodeToString([]byte(needle))+"\n"), Limits{CPUTime: 3 * time.Minute, WallTime: 4 * time.Minute, MemoryMB: 256, OutputBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(e.Stdout), "found") || !strings.Contains(string(e.Stdout), "/box/main.go") {
		t.Errorf("the scanner missed a needle in its own source: %s", describe(e))
	}
}

// TestRefusesAnExecutableInABind: a service installed where boxes can read
// it (/usr/local/bin) would hand them its embedded questions.
func TestRefusesAnExecutableInABind(t *testing.T) {
	s := sandbox(t)
	for exe, bad := range map[string]bool{"/usr/bin/true": true, os.Args[0]: false, s.helper.Path(): false} {
		err := s.checkUnbound(exe)
		if bad && (err == nil || !errors.Is(err, ErrUnavailable)) {
			t.Errorf("checkUnbound(%s) = %v; want ErrUnavailable", exe, err)
		}
		if !bad && err != nil {
			t.Errorf("checkUnbound(%s) = %v", exe, err)
		}
	}
}

// TestCompileOutputBounded: a small source that makes a compiler write
// much more than the limit (here javac: 1,500 classes of 64 KB each from
// 70 KB of source) fails to compile, says why, and leaves nothing behind.
func TestCompileOutputBounded(t *testing.T) {
	t.Parallel()
	s := sandbox(t)
	if !s.boundOutput {
		t.Skip("this process cannot mount a tmpfs: compile output is bounded per file only")
	}
	var src strings.Builder
	src.WriteString("public class Main { public static void main(String[] a) { System.out.println(Big.B.length()); } }\n")
	src.WriteString("interface Big { String A = \"" + strings.Repeat("x", 1000) + "\"; String B = A" + strings.Repeat("+A", 63) + "; }\n")
	for i := range 1500 {
		fmt.Fprintf(&src, "class K%d { String s = Big.B; }\n", i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := s.Compile(ctx, Source{Language: "java", Code: src.String()})
	var ce *CompileError
	if !errors.As(err, &ce) {
		if err == nil {
			p.Close()
		}
		t.Fatalf("Compile = %v, want a CompileError", err)
	}
	if !strings.Contains(ce.Output, fmt.Sprintf("wrote more than %d MiB", s.cfg.CompileOutputMB)) {
		t.Errorf("the compile error does not say the output was too large:\n%s", ce.Output)
	}
}
