//go:build linux

package seccomp

// These tests load the filters into the kernel the way the sandbox does:
// bubblewrap started as an unprivileged host uid (nobody when the tests run
// as root), with every namespace unshared, all capabilities dropped and the
// program on descriptor 3 (--seccomp 3).
//
// Safety: every refused call is made only by a process that is already
// under the filter and unprivileged, inside such a box, and with harmless
// arguments (bad pointers and descriptors, or flags that do nothing) so that
// even a broken filter would let nothing happen. Outside a filter, the tests
// only run /usr/bin/true and a 32-bit getpid.
//
// The probe is this test binary, re-executed in the box with
// SECCOMP_TEST_PROBE set; it makes raw system calls and prints their errno.
// Most refused calls would fail in such a box anyway (no capabilities), and
// with EPERM: so the probe also runs under a variant of the filter whose
// refusals return a marker errno, which only the filter can produce.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	probeEnv    = "SECCOMP_TEST_PROBE"
	probeBin    = "/probe/seccomp.test"
	markerErrno = 4000 // returned by the test-only variant of the filter for refusals
	nobody      = 65534
	exitSIGSYS  = 128 + int(syscall.SIGSYS) // bwrap's status for a command killed by SIGSYS
)

func TestMain(m *testing.M) {
	if p := os.Getenv(probeEnv); p != "" {
		os.Exit(runProbe(p))
	}
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// ---- the host side ----

// shared holds what the box tests share: a world-readable directory with a
// copy of this test binary, made once.
var shared struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	skip string
}

// boxReady skips t where bubblewrap cannot run here, and prepares the probe.
func boxReady(t *testing.T) {
	t.Helper()
	if _, ok := arches[runtime.GOARCH]; !ok {
		t.Skipf("no filter for %s", runtime.GOARCH)
	}
	shared.once.Do(func() {
		if _, err := exec.LookPath("bwrap"); err != nil {
			shared.skip = "bwrap not installed (Debian package bubblewrap)"
			return
		}
		dir, err := os.MkdirTemp("", "seccomp-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		if shared.err = os.Chmod(dir, 0o755); shared.err != nil {
			return
		}
		self, err := os.Executable()
		if err != nil {
			shared.err = err
			return
		}
		shared.bin = filepath.Join(dir, "seccomp.test")
		if shared.err = copyFile(self, shared.bin, 0o755); shared.err != nil {
			return
		}
		// bwrap itself must work here, without a filter.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := boxCommand(ctx, nil, boxOpts{}, "/usr/bin/true").CombinedOutput()
		if err != nil {
			shared.skip = fmt.Sprintf("bwrap does not work here: %v: %s", err, out)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	if shared.skip != "" {
		t.Skip(shared.skip)
	}
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// boxOpts are a box's extra arguments.
type boxOpts struct {
	binds []string          // extra bwrap arguments (binds, --chdir)
	env   map[string]string // environment, on top of PATH, HOME and LANG
}

// boxCommand returns the bwrap command running argv in a box, under prog
// (nil: no filter), as nobody when the tests run as root.
func boxCommand(ctx context.Context, prog *os.File, o boxOpts, argv ...string) *exec.Cmd {
	args := []string{
		"--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
		"--ro-bind", "/usr", "/usr",
	}
	for _, d := range []string{"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"} {
		fi, err := os.Lstat(d)
		switch {
		case err != nil:
		case fi.Mode()&os.ModeSymlink != 0:
			if target, err := os.Readlink(d); err == nil {
				args = append(args, "--symlink", target, d)
			}
		case fi.IsDir():
			args = append(args, "--ro-bind", d, d)
		}
	}
	for _, p := range []string{"/etc/ld.so.cache", "/etc/alternatives"} {
		if _, err := os.Stat(p); err == nil {
			args = append(args, "--ro-bind", p, p)
		}
	}
	args = append(args,
		"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
		"--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
	)
	for k, v := range o.env {
		args = append(args, "--setenv", k, v)
	}
	if shared.bin != "" {
		args = append(args, "--ro-bind", shared.bin, probeBin)
	}
	args = append(args, o.binds...)
	cmd := exec.CommandContext(ctx, "bwrap", args...)
	if prog != nil {
		cmd.Args = append(cmd.Args, "--seccomp", "3")
		cmd.ExtraFiles = []*os.File{prog}
	}
	cmd.Args = append(cmd.Args, "--")
	cmd.Args = append(cmd.Args, argv...)
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		// bwrap started by root maps the box to host root: never.
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// programFile returns prog in a memfd at offset 0, for bwrap to read.
func programFile(t *testing.T, prog []byte) *os.File {
	t.Helper()
	fd, err := unix.MemfdCreate("seccomp-test", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "seccomp-test")
	t.Cleanup(func() { f.Close() })
	if _, err := f.Write(prog); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	return f
}

// boxResult is how a box ended.
type boxResult struct {
	stdout, stderr string
	exit           int // bwrap's exit status: 128+n for a command killed by signal n
}

// runBox runs argv in a box under prog and returns its output and status.
func runBox(t *testing.T, prog []byte, o boxOpts, timeout time.Duration, argv ...string) boxResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var f *os.File
	switch {
	case prog == nil:
	case bytes.Equal(prog, realProgram(t)):
		var err error
		if f, err = File(); err != nil {
			t.Fatal(err)
		}
		defer f.Close()
	default:
		f = programFile(t, prog)
	}
	cmd := boxCommand(ctx, f, o, argv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := boxResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.exit = ee.ExitCode()
	default:
		t.Fatalf("bwrap %q: %v (ctx: %v)\nstdout:\n%s\nstderr:\n%s", argv, err, ctx.Err(), r.stdout, r.stderr)
	}
	return r
}

// TestFile checks File's memfd: Program's bytes from offset 0, sealed.
func TestFile(t *testing.T) {
	f, err := File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := realProgram(t); !bytes.Equal(got, want) {
		t.Fatalf("File holds %d bytes, not Program's %d", len(got), len(want))
	}
	if _, err := f.WriteAt([]byte{0}, 0); err == nil {
		t.Error("File's memfd is writable")
	}
}

func realProgram(t *testing.T) []byte {
	t.Helper()
	p, err := Program()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func markerProgram(t *testing.T) []byte {
	t.Helper()
	a, err := lookupArch(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	code, err := compile(a, markerErrno)
	if err != nil {
		t.Fatal(err)
	}
	return encode(code)
}

// runProbeBox runs the probe named name in a box under prog and returns
// the errno it reported for each call.
func runProbeBox(t *testing.T, prog []byte, name string) (map[string]syscall.Errno, boxResult) {
	t.Helper()
	r := runBox(t, prog, boxOpts{env: map[string]string{probeEnv: name}}, 2*time.Minute, probeBin)
	got := map[string]syscall.Errno{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		got[f[0]] = syscall.Errno(n)
	}
	return got, r
}

// TestProbeSyscalls checks, in the kernel, the verdict on each refused and
// each allowed call of the policy (see probes): with the real filter,
// refusals fail with EPERM (clone3 with ENOSYS); with the marker variant,
// they fail with the marker, so the filter, not the kernel, refused them.
func TestProbeSyscalls(t *testing.T) {
	boxReady(t)
	for _, variant := range []struct {
		name string
		prog []byte
		deny syscall.Errno
	}{
		{"real", realProgram(t), syscall.EPERM},
		{"marker", markerProgram(t), markerErrno},
	} {
		t.Run(variant.name, func(t *testing.T) {
			got, r := runProbeBox(t, variant.prog, "syscalls")
			if r.exit != 0 || !strings.Contains(r.stdout, "probe-done") {
				t.Fatalf("probe exited %d\nstdout:\n%s\nstderr:\n%s", r.exit, r.stdout, r.stderr)
			}
			for _, p := range probes() {
				e, ok := got[p.name]
				if !ok {
					t.Errorf("%s: not reported", p.name)
					continue
				}
				switch p.want {
				case wantDeny:
					if e != variant.deny {
						t.Errorf("%s: errno %d (%v), want %d (%v): not refused by the filter", p.name, int(e), e, int(variant.deny), variant.deny)
					}
				case wantNoSys:
					if e != syscall.ENOSYS {
						t.Errorf("%s: errno %d (%v), want ENOSYS", p.name, int(e), e)
					}
				case wantAllow:
					if e != 0 && !slices.Contains(p.okErrnos, e) {
						t.Errorf("%s: errno %d (%v), want success", p.name, int(e), e)
					}
				}
			}
			if t.Failed() {
				t.Logf("probe output:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
		})
	}
}

// TestX32Killed makes an x32 system call (getpid with bit 0x40000000) under
// the filter: the process must die by SIGSYS.
func TestX32Killed(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("x32 is an amd64 ABI")
	}
	boxReady(t)
	r := runBox(t, realProgram(t), boxOpts{env: map[string]string{probeEnv: "x32"}}, time.Minute, probeBin)
	if r.exit != exitSIGSYS || !strings.Contains(r.stdout, "x32-before") || strings.Contains(r.stdout, "x32-after") {
		t.Fatalf("x32 getpid: exit %d, want %d (SIGSYS)\nstdout:\n%s\nstderr:\n%s", r.exit, exitSIGSYS, r.stdout, r.stderr)
	}
}

// TestI386Killed makes a 32-bit system call (getpid through int $0x80, from
// a 64-bit C program) under the filter: the process must die by SIGSYS.
func TestI386Killed(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("int $0x80 is an amd64 (i386) entry")
	}
	boxReady(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc not installed")
	}
	dir := boxDir(t)
	src := filepath.Join(dir, "int80.c")
	if err := os.WriteFile(src, []byte(int80C), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O0", "-o", filepath.Join(dir, "int80"), src).CombinedOutput(); err != nil {
		t.Skipf("gcc cannot build the int $0x80 program here: %v\n%s", err, out)
	}
	o := boxOpts{binds: []string{"--ro-bind", dir, "/w"}}
	// Control, without a filter: a 32-bit getpid is harmless, and tells
	// whether this kernel has the 32-bit entry at all.
	ctl := runBox(t, nil, o, time.Minute, "/w/int80")
	if ctl.exit != 0 || !strings.Contains(ctl.stdout, "int80-after") {
		t.Skipf("the kernel does not run 32-bit system calls (no IA32 emulation?): exit %d\n%s%s", ctl.exit, ctl.stdout, ctl.stderr)
	}
	r := runBox(t, realProgram(t), o, time.Minute, "/w/int80")
	if r.exit != exitSIGSYS || !strings.Contains(r.stdout, "int80-before") || strings.Contains(r.stdout, "int80-after") {
		t.Fatalf("int $0x80 getpid: exit %d, want %d (SIGSYS)\nstdout:\n%s\nstderr:\n%s", r.exit, exitSIGSYS, r.stdout, r.stderr)
	}
}

const int80C = `#include <stdio.h>
#include <sys/resource.h>

int main(void) {
	struct rlimit no_core = {0, 0};
	setrlimit(RLIMIT_CORE, &no_core);
	printf("int80-before\n");
	fflush(stdout);
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) /* i386 getpid */ : "memory");
	printf("int80-after %ld\n", r);
	return 0;
}
`

// boxDir returns a directory a box may write into (owned by nobody when the
// tests run as root), under the shared world-readable directory.
func boxDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp(shared.dir, "w-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRuntimes compiles and runs a program in each language under the
// filter, as the sandbox will. A language is skipped only where its
// toolchain is not installed.
func TestRuntimes(t *testing.T) {
	boxReady(t)
	prog := realProgram(t)

	type lang struct {
		name   string
		tool   string // looked up on PATH; skipped if absent
		files  map[string]string
		script string // run by /bin/sh in /w
		want   string
		setup  func(t *testing.T, tool string, o *boxOpts)
	}
	langs := []lang{
		{
			name: "python", tool: "/usr/bin/python3",
			script: `python3 -c 'print(1)' && python3 main.py`,
			files: map[string]string{"main.py": `import socket, subprocess, sys, threading
out = []
t = threading.Thread(target=lambda: out.append(sum(range(10))))
t.start(); t.join()
subprocess.run(["/bin/true"], check=True)
socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
print("python ok", out[0], sys.version_info[:2])
`},
			want: "python ok 45",
		},
		{
			name: "c", tool: "gcc",
			script: `gcc -O2 -pthread -o main main.c && ./main`,
			files: map[string]string{"main.c": `#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *work(void *p) { *(int *)p = 42; return NULL; }

int main(void) {
	int v = 0;
	pthread_t th; /* glibc tries clone3 first: ENOSYS, then clone */
	if (pthread_create(&th, NULL, work, &v) != 0) return 1;
	pthread_join(th, NULL);
	pid_t pid = fork();
	if (pid == 0) _exit(7);
	int st;
	waitpid(pid, &st, 0);
	printf("c ok %d %d\n", v, WEXITSTATUS(st));
	return 0;
}
`},
			want: "c ok 42 7",
		},
		{
			name: "cpp", tool: "g++",
			script: `g++ -O2 -std=c++17 -pthread -o main main.cpp && ./main`,
			files: map[string]string{"main.cpp": `#include <iostream>
#include <thread>
#include <vector>

int main() {
	std::vector<int> v(4);
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++) ts.emplace_back([&v, i] { v[i] = i * i; });
	for (auto &t : ts) t.join();
	std::cout << "cpp ok " << v[3] << std::endl;
}
`},
			want: "cpp ok 9",
		},
		{
			name: "java", tool: "javac",
			script: `javac -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 Main.java && java -XX:+UseSerialGC -XX:-UsePerfData -cp . Main`,
			files: map[string]string{"Main.java": `public class Main {
	public static void main(String[] args) throws Exception {
		int[] v = new int[1];
		Thread t = new Thread(() -> v[0] = 42);
		t.start();
		t.join();
		Process p = new ProcessBuilder("/bin/true").start();
		System.out.println("java ok " + v[0] + " " + p.waitFor() + " " + System.getProperty("java.specification.version"));
	}
}
`},
			want: "java ok 42 0",
			setup: func(t *testing.T, javac string, o *boxOpts) {
				// The JDK, found through javac, and its configuration,
				// which Debian keeps in /etc/java-NN-openjdk.
				real, err := filepath.EvalSymlinks(javac)
				if err != nil {
					t.Fatal(err)
				}
				home := filepath.Dir(filepath.Dir(real))
				o.env["PATH"] = filepath.Join(home, "bin") + ":/usr/bin:/bin"
				o.env["JAVA_HOME"] = home
				if !strings.HasPrefix(home, "/usr/") {
					o.binds = append(o.binds, "--ro-bind", home, home)
				}
				etc, _ := filepath.Glob("/etc/java-*-openjdk")
				for _, d := range etc {
					o.binds = append(o.binds, "--ro-bind", d, d)
				}
			},
		},
		{
			name: "go", tool: "go",
			script: `go build -o main main.go && ./main`,
			files: map[string]string{"main.go": `package main

import (
	"fmt"
	"os/exec"
	"runtime"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	sums := make([]int, 8)
	for i := range sums {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // forces new threads
			for j := 0; j < 1000; j++ {
				sums[i] += j
			}
		}()
	}
	wg.Wait()
	if err := exec.Command("/bin/true").Run(); err != nil {
		panic(err)
	}
	fmt.Println("go ok", sums[7], runtime.Version())
}
`},
			want: "go ok 499500",
			setup: func(t *testing.T, goTool string, o *boxOpts) {
				out, err := exec.Command(goTool, "env", "GOROOT").Output()
				if err != nil {
					t.Fatal(err)
				}
				root := strings.TrimSpace(string(out))
				if real, err := filepath.EvalSymlinks(root); err == nil {
					root = real
				}
				if !strings.HasPrefix(root, "/usr/") {
					o.binds = append(o.binds, "--ro-bind", root, root)
				}
				o.env["PATH"] = filepath.Join(root, "bin") + ":/usr/bin:/bin"
				for k, v := range map[string]string{
					"GOROOT": root, "GOCACHE": "/tmp/gocache", "GOPATH": "/tmp/gopath",
					"CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOENV": "off", "GOTELEMETRY": "off",
					"GOFLAGS": "", "GO111MODULE": "",
				} {
					o.env[k] = v
				}
			},
		},
		{
			name: "node", tool: "node",
			script: `node -e 'console.log(1)' && node main.js`,
			files: map[string]string{"main.js": `const fs = require("fs");
const cp = require("child_process");
const { Worker } = require("worker_threads");
(async () => {
	const status = await fs.promises.readFile("/proc/self/status", "utf8");
	const seccomp = status.split("\n").find((l) => l.startsWith("Seccomp:")).split(/\s+/)[1];
	cp.execFileSync("/bin/true");
	const fromWorker = await new Promise((resolve, reject) => {
		const w = new Worker("require('worker_threads').parentPort.postMessage(6 * 7)", { eval: true });
		w.on("message", resolve);
		w.on("error", reject);
	});
	await new Promise((r) => setTimeout(r, 10));
	console.log("node ok", fromWorker, "seccomp", seccomp, process.version);
})().catch((e) => { console.error(e); process.exit(1); });
`},
			want: "node ok 42 seccomp 2",
			setup: func(t *testing.T, node string, o *boxOpts) {
				real, err := filepath.EvalSymlinks(node)
				if err != nil {
					t.Fatal(err)
				}
				prefix := filepath.Dir(filepath.Dir(real))
				if !strings.HasPrefix(real, "/usr/") {
					o.binds = append(o.binds, "--ro-bind", prefix, prefix)
				}
				o.env["PATH"] = filepath.Dir(real) + ":/usr/bin:/bin"
			},
		},
	}
	for _, l := range langs {
		t.Run(l.name, func(t *testing.T) {
			tool, err := exec.LookPath(l.tool)
			if err != nil {
				t.Skipf("%s not installed", l.tool)
			}
			dir := boxDir(t)
			for name, src := range l.files {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			o := boxOpts{
				binds: []string{"--bind", dir, "/w", "--chdir", "/w"},
				env:   map[string]string{},
			}
			if l.setup != nil {
				l.setup(t, tool, &o)
			}
			// The script first checks that the filter is loaded.
			script := `grep -q '^Seccomp:[[:space:]]*2$' /proc/self/status || { echo "no seccomp filter" >&2; exit 99; }; ` + l.script
			start := time.Now()
			r := runBox(t, prog, o, 8*time.Minute, "/bin/sh", "-c", script)
			if r.exit != 0 || !strings.Contains(r.stdout, l.want) {
				t.Fatalf("exit %d, want 0 and %q in stdout\nstdout:\n%s\nstderr:\n%s", r.exit, l.want, r.stdout, r.stderr)
			}
			t.Logf("%s in %v: %s", l.name, time.Since(start).Round(time.Millisecond), strings.TrimSpace(r.stdout))
		})
	}
}

// ---- the probe, inside the box ----

type want int

const (
	wantDeny  want = iota // refused: EPERM (or the marker)
	wantNoSys             // refused with ENOSYS
	wantAllow             // succeeds
)

type probe struct {
	name     string
	want     want
	okErrnos []syscall.Errno // for wantAllow: errors that are not the filter's
	call     func() syscall.Errno
}

func sys(nr uintptr, args ...uintptr) func() syscall.Errno {
	return func() syscall.Errno {
		var a [6]uintptr
		copy(a[:], args)
		r, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
		closeIfFd(nr, r, e)
		return e
	}
}

// closeIfFd closes a descriptor a call returned, should it have succeeded.
func closeIfFd(nr, r uintptr, e syscall.Errno) {
	if e != 0 {
		return
	}
	switch nr {
	case unix.SYS_SOCKET, unix.SYS_USERFAULTFD, unix.SYS_IO_URING_SETUP, unix.SYS_PERF_EVENT_OPEN,
		unix.SYS_BPF, unix.SYS_FANOTIFY_INIT, unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_OPEN_TREE,
		unix.SYS_FSOPEN, unix.SYS_FSMOUNT, unix.SYS_FSPICK, unix.SYS_PIDFD_OPEN, unix.SYS_MEMFD_CREATE,
		unix.SYS_EVENTFD2, unix.SYS_EPOLL_CREATE1, unix.SYS_TIMERFD_CREATE:
		unix.Close(int(r))
	}
}

func socketPair(family int) func() syscall.Errno {
	return func() syscall.Errno {
		var fds [2]int32
		_, _, e := unix.Syscall6(unix.SYS_SOCKETPAIR, uintptr(family), unix.SOCK_STREAM, 0, uintptr(unsafe.Pointer(&fds)), 0, 0)
		if e == 0 {
			unix.Close(int(fds[0]))
			unix.Close(int(fds[1]))
		}
		return e
	}
}

// rawClone calls clone(2) with flags and no new stack (a fork); a child, if
// one is made, exits at once. It returns the child's pid.
//
//go:norace
func rawClone(flags uintptr) (uintptr, syscall.Errno) {
	r, _, e := unix.RawSyscall6(unix.SYS_CLONE, flags, 0, 0, 0, 0, 0)
	if e == 0 && r == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return r, e
}

func cloneCall(flags uintptr) func() syscall.Errno {
	return func() syscall.Errno {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		pid, e := rawClone(flags | uintptr(syscall.SIGCHLD))
		if e == 0 {
			var ws unix.WaitStatus
			unix.Wait4(int(pid), &ws, 0, nil)
		}
		return e
	}
}

func seccompMode() syscall.Errno {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return syscall.EIO
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Seccomp:" && f[1] == "2" {
			return 0
		}
	}
	return syscall.EINVAL // not in filter mode
}

// probes lists the calls the probe makes, with harmless arguments.
func probes() []probe {
	const (
		afVsock     = 40
		afAlg       = 38
		afXDP       = 44
		afKey       = 15
		afBluetooth = 31
		bad         = ^uintptr(0) // -1: no such descriptor
	)
	p := []probe{
		{name: "filter_mode", want: wantAllow, call: seccompMode},

		{name: "io_uring_setup", want: wantDeny, call: sys(unix.SYS_IO_URING_SETUP, 1, 0)},
		{name: "io_uring_enter", want: wantDeny, call: sys(unix.SYS_IO_URING_ENTER, bad, 0, 0, 0, 0, 0)},
		{name: "io_uring_register", want: wantDeny, call: sys(unix.SYS_IO_URING_REGISTER, bad, 0, 0, 0)},
		// UFFD_USER_MODE_ONLY is allowed to anyone: the kernel would succeed.
		{name: "userfaultfd", want: wantDeny, call: sys(unix.SYS_USERFAULTFD, unix.O_CLOEXEC|1)},
		{name: "perf_event_open", want: wantDeny, call: sys(unix.SYS_PERF_EVENT_OPEN, 0, 0, bad, bad, 0)},
		{name: "bpf", want: wantDeny, call: sys(unix.SYS_BPF, 0xffff, 0, 0)},
		{name: "add_key", want: wantDeny, call: sys(unix.SYS_ADD_KEY, 0, 0, 0, 0, 0)},
		{name: "keyctl", want: wantDeny, call: sys(unix.SYS_KEYCTL, 0xffff, 0, 0, 0, 0)},
		{name: "request_key", want: wantDeny, call: sys(unix.SYS_REQUEST_KEY, 0, 0, 0, 0)},
		{name: "ptrace", want: wantDeny, call: sys(unix.SYS_PTRACE, unix.PTRACE_PEEKDATA, 0x3fffffff, 0, 0)},
		{name: "flock", want: wantDeny, call: sys(unix.SYS_FLOCK, 0, unix.LOCK_SH|unix.LOCK_NB)},
		{name: "fcntl_setlk", want: wantDeny, call: sys(unix.SYS_FCNTL, 0, unix.F_SETLK, 0)},
		{name: "fcntl_ofd_setlk", want: wantDeny, call: sys(unix.SYS_FCNTL, 0, unix.F_OFD_SETLK, 0)},
		{name: "fcntl_getfl", want: wantAllow, call: sys(unix.SYS_FCNTL, 0, unix.F_GETFL, 0)},
		{name: "ptrace_attach", want: wantDeny, call: sys(unix.SYS_PTRACE, unix.PTRACE_ATTACH, 1, 0, 0)},
		{name: "ptrace_seize", want: wantDeny, call: sys(unix.SYS_PTRACE, unix.PTRACE_SEIZE, 1, 0, 0)},
		{name: "process_vm_readv", want: wantDeny, call: sys(unix.SYS_PROCESS_VM_READV, 0x3fffffff, 0, 0, 0, 0, 0)},
		{name: "process_vm_writev", want: wantDeny, call: sys(unix.SYS_PROCESS_VM_WRITEV, 0x3fffffff, 0, 0, 0, 0, 0)},
		{name: "personality_ADDR_NO_RANDOMIZE", want: wantDeny, call: sys(unix.SYS_PERSONALITY, 0x0040000)},
		{name: "personality_READ_IMPLIES_EXEC", want: wantDeny, call: sys(unix.SYS_PERSONALITY, 0x0400000)},
		{name: "name_to_handle_at", want: wantDeny, call: sys(unix.SYS_NAME_TO_HANDLE_AT, bad, 0, 0, 0, 0)},
		{name: "open_by_handle_at", want: wantDeny, call: sys(unix.SYS_OPEN_BY_HANDLE_AT, bad, 0, 0)},
		{name: "kexec_load", want: wantDeny, call: sys(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0xffffffff)},
		{name: "kexec_file_load", want: wantDeny, call: sys(unix.SYS_KEXEC_FILE_LOAD, bad, bad, 0, 0, 0xffffffff)},
		{name: "init_module", want: wantDeny, call: sys(unix.SYS_INIT_MODULE, 0, 0, 0)},
		{name: "finit_module", want: wantDeny, call: sys(unix.SYS_FINIT_MODULE, bad, 0, 0)},
		{name: "delete_module", want: wantDeny, call: sys(unix.SYS_DELETE_MODULE, 0, 0)},
		{name: "mount", want: wantDeny, call: sys(unix.SYS_MOUNT, 0, 0, 0, 0, 0)},
		{name: "umount2", want: wantDeny, call: sys(unix.SYS_UMOUNT2, 0, 0)},
		{name: "pivot_root", want: wantDeny, call: sys(unix.SYS_PIVOT_ROOT, 0, 0)},
		{name: "move_mount", want: wantDeny, call: sys(unix.SYS_MOVE_MOUNT, bad, 0, bad, 0, 0)},
		{name: "open_tree", want: wantDeny, call: sys(unix.SYS_OPEN_TREE, bad, 0, 0)},
		{name: "open_tree_attr", want: wantDeny, call: sys(unix.SYS_OPEN_TREE_ATTR, bad, 0, 0, 0, 0)},
		{name: "fsopen", want: wantDeny, call: sys(unix.SYS_FSOPEN, 0, 0)},
		{name: "fsconfig", want: wantDeny, call: sys(unix.SYS_FSCONFIG, bad, 0, 0, 0, 0)},
		{name: "fsmount", want: wantDeny, call: sys(unix.SYS_FSMOUNT, bad, 0, 0)},
		{name: "fspick", want: wantDeny, call: sys(unix.SYS_FSPICK, bad, 0, 0)},
		{name: "mount_setattr", want: wantDeny, call: sys(unix.SYS_MOUNT_SETATTR, bad, 0, 0, 0, 0)},
		// unshare(0) does nothing, and the kernel would let it.
		{name: "unshare_0", want: wantDeny, call: sys(unix.SYS_UNSHARE, 0)},
		{name: "setns", want: wantDeny, call: sys(unix.SYS_SETNS, bad, 0)},
		{name: "clone3", want: wantNoSys, call: sys(unix.SYS_CLONE3, 0, 0)},
		{name: "fanotify_init", want: wantDeny, call: sys(unix.SYS_FANOTIFY_INIT, 0, 0)},
		{name: "chroot", want: wantDeny, call: sys(unix.SYS_CHROOT, 0)}, // not in Docker's list
		{name: "unknown_1000", want: wantDeny, call: sys(1000)},         // no such call: the default action
		{name: "socket_AF_VSOCK", want: wantDeny, call: sys(unix.SYS_SOCKET, afVsock, unix.SOCK_STREAM, 0)},
		{name: "socket_AF_NETLINK", want: wantDeny, call: sys(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW, 0)},
		{name: "socket_AF_PACKET", want: wantDeny, call: sys(unix.SYS_SOCKET, unix.AF_PACKET, unix.SOCK_RAW, 0)},
		{name: "socket_AF_ALG", want: wantDeny, call: sys(unix.SYS_SOCKET, afAlg, unix.SOCK_SEQPACKET, 0)},
		{name: "socket_AF_XDP", want: wantDeny, call: sys(unix.SYS_SOCKET, afXDP, unix.SOCK_RAW, 0)},
		{name: "socket_AF_KEY", want: wantDeny, call: sys(unix.SYS_SOCKET, afKey, unix.SOCK_RAW, 2)},
		{name: "socket_AF_BLUETOOTH", want: wantDeny, call: sys(unix.SYS_SOCKET, afBluetooth, unix.SOCK_STREAM, 0)},
		{name: "socketpair_AF_NETLINK", want: wantDeny, call: socketPair(unix.AF_NETLINK)},
		{name: "socketpair_AF_VSOCK", want: wantDeny, call: socketPair(afVsock)},

		{name: "getpid", want: wantAllow, call: sys(unix.SYS_GETPID)},
		{name: "gettid", want: wantAllow, call: sys(unix.SYS_GETTID)},
		{name: "kill_self_0", want: wantAllow, call: func() syscall.Errno { return errnoOf(unix.Kill(os.Getpid(), 0)) }},
		{name: "uname", want: wantAllow, call: func() syscall.Errno { var u unix.Utsname; return errnoOf(unix.Uname(&u)) }},
		{name: "socket_AF_UNIX", want: wantAllow, call: sys(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)},
		{name: "socket_AF_INET", want: wantAllow, call: sys(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)},
		{name: "socket_AF_INET_dgram", want: wantAllow, call: sys(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)},
		{name: "socket_AF_INET6", want: wantAllow, okErrnos: []syscall.Errno{syscall.EAFNOSUPPORT}, call: sys(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM, 0)},
		{name: "socketpair_AF_UNIX", want: wantAllow, call: socketPair(unix.AF_UNIX)},
		{name: "clone_fork", want: wantAllow, call: cloneCall(0)},
		{name: "mmap_mprotect_munmap", want: wantAllow, call: func() syscall.Errno {
			b, err := unix.Mmap(-1, 0, 1<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
			if err != nil {
				return errnoOf(err)
			}
			b[0] = 1
			if err := unix.Mprotect(b, unix.PROT_READ); err != nil {
				return errnoOf(err)
			}
			return errnoOf(unix.Munmap(b))
		}},
		{name: "personality_query", want: wantAllow, call: sys(unix.SYS_PERSONALITY, 0xffffffff)},
		{name: "personality_PER_LINUX", want: wantAllow, call: sys(unix.SYS_PERSONALITY, 0)},
		{name: "pipe2", want: wantAllow, call: func() syscall.Errno {
			var p [2]int
			err := unix.Pipe2(p[:], unix.O_CLOEXEC)
			if err == nil {
				unix.Close(p[0])
				unix.Close(p[1])
			}
			return errnoOf(err)
		}},
		{name: "eventfd2", want: wantAllow, call: sys(unix.SYS_EVENTFD2, 0, unix.EFD_CLOEXEC)},
		{name: "epoll_create1", want: wantAllow, call: sys(unix.SYS_EPOLL_CREATE1, unix.EPOLL_CLOEXEC)},
		{name: "timerfd_create", want: wantAllow, call: sys(unix.SYS_TIMERFD_CREATE, unix.CLOCK_MONOTONIC, unix.TFD_CLOEXEC)},
		{name: "memfd_create", want: wantAllow, call: func() syscall.Errno {
			fd, err := unix.MemfdCreate("probe", unix.MFD_CLOEXEC)
			if err == nil {
				unix.Close(fd)
			}
			return errnoOf(err)
		}},
		{name: "pidfd_open", want: wantAllow, call: sys(unix.SYS_PIDFD_OPEN, uintptr(os.Getpid()), 0)},
		{name: "getrandom", want: wantAllow, call: func() syscall.Errno {
			var b [16]byte
			_, err := unix.Getrandom(b[:], 0)
			return errnoOf(err)
		}},
		{name: "prctl_get_name", want: wantAllow, call: func() syscall.Errno {
			var b [16]byte
			return errnoOf(unix.Prctl(unix.PR_GET_NAME, uintptr(unsafe.Pointer(&b[0])), 0, 0, 0))
		}},
		{name: "sched_getaffinity", want: wantAllow, call: func() syscall.Errno {
			var s unix.CPUSet
			return errnoOf(unix.SchedGetaffinity(0, &s))
		}},
		{name: "prlimit64_get", want: wantAllow, call: func() syscall.Errno {
			var r unix.Rlimit
			return errnoOf(unix.Prlimit(0, unix.RLIMIT_NOFILE, nil, &r))
		}},
		{name: "openat_read", want: wantAllow, call: func() syscall.Errno {
			_, err := os.ReadFile("/proc/self/cmdline")
			return errnoOf(err)
		}},
	}
	for name, flag := range map[string]uintptr{
		"NEWNS": unix.CLONE_NEWNS, "NEWUTS": unix.CLONE_NEWUTS, "NEWIPC": unix.CLONE_NEWIPC,
		"NEWUSER": unix.CLONE_NEWUSER, "NEWPID": unix.CLONE_NEWPID, "NEWNET": unix.CLONE_NEWNET,
		"NEWCGROUP": unix.CLONE_NEWCGROUP,
	} {
		p = append(p, probe{name: "clone_" + name, want: wantDeny, call: cloneCall(flag)})
	}
	return p
}

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return syscall.EIO
}

// runProbe runs inside the box, under the filter.
func runProbe(name string) int {
	// A process killed by the filter must not leave a core behind.
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	switch name {
	case "syscalls":
		for _, p := range probes() {
			fmt.Printf("%s %d\n", p.name, int(p.call()))
		}
		fmt.Println("probe-done")
		return 0
	case "x32":
		if runtime.GOARCH != "amd64" {
			return 2
		}
		fmt.Println("x32-before")
		unix.RawSyscall(x32SyscallBit|unix.SYS_GETPID, 0, 0, 0)
		fmt.Println("x32-after")
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown probe %q\n", name)
	return 2
}
