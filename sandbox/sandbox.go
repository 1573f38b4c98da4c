package sandbox

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Config of the sandbox.
type Config struct {
	// WorkDir is the parent directory of the per-submission work
	// directories (created if missing), e.g. <data-dir>/sandbox. Every
	// directory above it must be searchable by others (o+x): bwrap runs as
	// nobody and must reach it.
	WorkDir string
	// Bwrap is the path of bwrap; "" looks "bwrap" up on PATH.
	Bwrap string
}

// Limits for one run of a program against one input. Zero fields take
// defaults: CPUTime 2 s, WallTime 2×CPUTime+1 s, MemoryMB 256,
// OutputBytes 64 KiB.
type Limits struct {
	CPUTime     time.Duration // CPU time (user+sys) limit: the question's time limit
	WallTime    time.Duration // wall-clock limit, always on (e.g. 2×CPU + 1s)
	MemoryMB    int           // memory limit (address space, plus the language's slack)
	OutputBytes int           // stdout cap; beyond it the run stops and OutputExceeded is set
}

// Execution is what one run did.
type Execution struct {
	Stdout []byte // at most OutputBytes
	// Stderr keeps its first 3 KiB and last 1 KiB, with a marker line
	// between them when more was written.
	Stderr []byte
	// ExitCode is the exit status, or -1 when the program was killed by a
	// signal.
	ExitCode int
	Signal   string // e.g. "SIGSEGV", "SIGKILL"; "" when it exited normally
	TimeMS   int64  // CPU time (user+sys) of everything the program ran
	WallMS   int64
	MemoryKB int64 // peak resident memory of the largest process it ran
	TimedOut bool  // CPU or wall limit hit
	// MemoryExceeded says the program most likely died because an
	// allocation failed under the memory limit (see memoryExceeded).
	MemoryExceeded bool
	OutputExceeded bool
}

// CompileError is returned by Compile when the learner's code does not
// compile. Output holds the compiler's messages, truncated to 8 KiB.
type CompileError struct{ Output string }

// Error returns a short sentence; the details are in Output.
func (e *CompileError) Error() string { return "the program does not compile" }

var (
	// ErrUnavailable is returned by New (wrapped, with the reason and the
	// fix) when this machine cannot sandbox programs.
	ErrUnavailable = errors.New("sandbox unavailable")
	// ErrUnknownLanguage is returned by Compile (wrapped) for a language
	// that is not in the table or whose toolchain is not installed.
	ErrUnknownLanguage = errors.New("unknown language")
)

// Defaults and fixed limits.
const (
	defaultCPUTime     = 2 * time.Second
	defaultMemoryMB    = 256
	defaultOutputBytes = 64 << 10

	runTmpSize     = 16 << 20 // the program's /tmp
	runFileSize    = 16 << 20
	runOpenFiles   = 64
	runProcesses   = 64 // threads too, the helper's included
	maxStack       = 64 << 20
	stderrHead     = 3 << 10
	stderrTail     = 1 << 10
	compileCPU     = 20 * time.Second
	compileWall    = 30 * time.Second
	compileMemory  = 1 << 30
	compileTmpSize = 128 << 20
	compileOutput  = 8 << 10
)

// Sandbox compiles and runs untrusted programs in bubblewrap. It is safe for
// concurrent use.
type Sandbox struct {
	cfg       Config
	log       *slog.Logger
	bwrap     string
	prlimit   string
	helper    string // host path of the helper executable (a copy of ours)
	helperMu  sync.Mutex
	touched   time.Time // when the helper's mtime was last refreshed
	baseBinds []string  // bwrap arguments binding the base system read-only
	asNobody  bool      // run bwrap as nobody (the service runs as root)
	languages []string
}

// Program is a compiled submission in its own work directory. Run may be
// called concurrently; Close must come after the last Run.
type Program struct {
	s    *Sandbox
	lang *language
	dir  string
	// staticBytes is the memory an ELF executable maps at exec (its PT_LOAD
	// segments), 0 for interpreted languages.
	staticBytes int64
}

// New checks that bwrap exists and works (it runs /usr/bin/true in a
// sandbox once) and prepares cfg.WorkDir. Errors that mean this machine
// cannot sandbox wrap ErrUnavailable.
func New(cfg Config, log *slog.Logger) (*Sandbox, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.WorkDir == "" {
		return nil, errors.New("new sandbox: Config.WorkDir is required")
	}
	s := &Sandbox{cfg: cfg, log: log, asNobody: os.Geteuid() == 0}
	bwrap := cfg.Bwrap
	if bwrap == "" {
		bwrap = "bwrap"
	}
	path, err := exec.LookPath(bwrap)
	if err != nil {
		return nil, fmt.Errorf("%w: bwrap not found (%v): install the Debian package bubblewrap (apt-get install bubblewrap)", ErrUnavailable, err)
	}
	if s.bwrap, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	// prlimit runs inside the sandbox, where /usr is the host's.
	s.prlimit = "/usr/bin/prlimit"
	if _, err := os.Stat(s.prlimit); err != nil {
		return nil, fmt.Errorf("%w: %s not found: install the Debian package util-linux", ErrUnavailable, s.prlimit)
	}
	if err := s.prepareWorkDir(); err != nil {
		return nil, err
	}
	if err := s.installHelper(); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	s.removeStale()
	s.baseBinds = baseBinds()
	for _, l := range languages {
		if l.available() {
			s.languages = append(s.languages, l.ID)
		}
	}
	if err := s.selfTest(); err != nil {
		return nil, err
	}
	log.Info("sandbox ready", "bwrap", s.bwrap, "work_dir", cfg.WorkDir, "as_nobody", s.asNobody, "languages", s.languages)
	return s, nil
}

// baseBinds returns the bwrap arguments giving every sandbox the host's
// /usr, read-only, and the top-level links or directories into it (/bin,
// /lib, ...) as the host has them, plus the dynamic linker's cache and the
// alternatives links.
func baseBinds() []string {
	args := []string{"--ro-bind", "/usr", "/usr"}
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
	return args
}

// selfTest runs /usr/bin/true in a sandbox.
func (s *Sandbox) selfTest() error {
	dir, err := os.MkdirTemp(s.cfg.WorkDir, "selftest-")
	if err != nil {
		return fmt.Errorf("new sandbox: self-test dir: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("new sandbox: self-test dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o, err := s.run(ctx, &job{
		dir: dir, tmpSize: 1 << 20, argv: []string{"/usr/bin/true"},
		rlim: rlimits{CPUSeconds: 5, AddressSpace: 64 << 20, FileSize: 1 << 20, OpenFiles: 16, Processes: 16, Stack: 8 << 20},
		wall: 15 * time.Second, stdoutCap: 4 << 10, stderrCap: 4 << 10,
	})
	if err == nil && (o.report == nil || !o.report.Exited || o.report.ExitCode != 0) {
		err = fmt.Errorf("/usr/bin/true failed: %s", o.stderr.bytes())
	}
	if err != nil {
		return fmt.Errorf("%w: bwrap %s cannot run a sandbox: %v (it needs unprivileged user namespaces: check sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0; in a container, allow unshare/mount)",
			ErrUnavailable, s.bwrap, err)
	}
	return nil
}

// Languages returns the IDs of the languages of the table whose toolchain
// exists on this machine.
func (s *Sandbox) Languages() []string {
	return append([]string(nil), s.languages...)
}

func (s *Sandbox) offers(id string) bool {
	for _, l := range s.languages {
		if l == id {
			return true
		}
	}
	return false
}

// Compile makes a fresh work dir, writes the source into it and, if the
// language has a compile step, compiles it in the sandbox (limits: 20 s of
// CPU, 30 s wall, 1 GiB of address space, 8 KiB of messages kept). A
// program that does not compile yields a *CompileError; other errors are
// internal faults. The caller must Close the Program.
func (s *Sandbox) Compile(ctx context.Context, language, code string) (*Program, error) {
	lang := lookupLanguage(language)
	if lang == nil || !s.offers(language) {
		return nil, fmt.Errorf("compile %q: %w", language, ErrUnknownLanguage)
	}
	dir, err := os.MkdirTemp(s.cfg.WorkDir, lang.ID+"-")
	if err != nil {
		return nil, fmt.Errorf("compile: make work dir: %w", err)
	}
	p := &Program{s: s, lang: lang, dir: dir}
	ok := false
	defer func() {
		if !ok {
			_ = p.Close()
		}
	}()
	src, err := os.OpenFile(filepath.Join(dir, lang.Source), os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("compile: write source: %w", err)
	}
	_, err = io.WriteString(src, code)
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("compile: write source: %w", err)
	}
	if lang.Compile != nil {
		if err := p.compile(ctx); err != nil {
			return nil, err
		}
	}
	// The sandbox user may read the work dir from now on, not write it.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("compile: chmod work dir: %w", err)
	}
	ok = true
	return p, nil
}

// compile runs the compiler in p's work dir.
func (p *Program) compile(ctx context.Context) error {
	s := p.s
	// The compiler writes into the work dir: the sandbox user owns it
	// while it runs.
	if s.asNobody {
		if err := os.Chown(p.dir, sandboxUID, sandboxGID); err != nil {
			return fmt.Errorf("compile: chown work dir: %w", err)
		}
	}
	o, err := s.run(ctx, &job{
		lang: p.lang, dir: p.dir, writable: true, tmpSize: compileTmpSize,
		argv: p.lang.Compile,
		rlim: rlimits{
			CPUSeconds: int(compileCPU / time.Second), AddressSpace: compileMemory, FileSize: 64 << 20,
			OpenFiles: 256, Processes: runProcesses, Stack: maxStack,
		},
		cpuLimit: compileCPU, wall: compileWall,
		stdoutCap: compileOutput, merge: true,
	})
	// Back to root, so that nothing the program does later can write it.
	// The directory itself is ours (its parent is not the sandbox's), and
	// chown on it follows no link.
	if s.asNobody {
		if err := os.Chown(p.dir, 0, 0); err != nil {
			return fmt.Errorf("compile: chown work dir back: %w", err)
		}
	}
	if err != nil {
		return fmt.Errorf("compile %s: %w", p.lang.ID, err)
	}
	out := string(o.stdout.bytes())
	if o.stdout.exceeded() {
		out += "\n[compiler output truncated]"
	}
	r := o.report
	switch {
	case o.timedOut || (r != nil && r.CPUKilled):
		return &CompileError{Output: out + fmt.Sprintf("\ncompilation stopped: it ran out of time (limits: %v of CPU, %v in all)", compileCPU, compileWall)}
	case r == nil:
		return &CompileError{Output: out + "\ncompilation was killed"}
	case !r.Exited:
		return &CompileError{Output: out + fmt.Sprintf("\nthe compiler was killed by %s", unix.SignalName(syscall.Signal(r.Signal)))}
	case r.ExitCode != 0:
		return &CompileError{Output: out}
	}
	if p.lang.Native {
		n, err := staticSize(filepath.Join(p.dir, "main"))
		if err != nil {
			return fmt.Errorf("compile %s: %w", p.lang.ID, err)
		}
		p.staticBytes = n
	}
	s.log.Debug("sandbox: compiled", "language", p.lang.ID, "dir", p.dir,
		"cpu_ms", (r.UserUS+r.SysUS)/1000, "wall_ms", r.WallUS/1000)
	return nil
}

// staticSize returns the memory an ELF executable maps at exec: the sum of
// its PT_LOAD segments' sizes in memory (code, data, bss). It refuses
// anything but a regular file.
func staticSize(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, fmt.Errorf("open executable: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat executable: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("executable %s is not a regular file", path)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return 0, fmt.Errorf("read executable: %w", err)
	}
	var n uint64
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			n += p.Memsz
		}
	}
	return int64(min(n, math.MaxInt64)), nil
}

// withDefaults fills zero limits.
func (l Limits) withDefaults() Limits {
	if l.CPUTime <= 0 {
		l.CPUTime = defaultCPUTime
	}
	if l.WallTime <= 0 {
		l.WallTime = 2*l.CPUTime + time.Second
	}
	if l.MemoryMB <= 0 {
		l.MemoryMB = defaultMemoryMB
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = defaultOutputBytes
	}
	return l
}

// rlimits returns the program's resource limits under lim.
func (p *Program) rlimits(lim Limits) rlimits {
	mem := int64(lim.MemoryMB) << 20
	return rlimits{
		CPUSeconds:   int(math.Ceil(lim.CPUTime.Seconds())) + 1,
		AddressSpace: mem + int64(p.lang.AddressSpaceSlackMB)<<20,
		FileSize:     runFileSize,
		OpenFiles:    runOpenFiles,
		Processes:    runProcesses,
		Stack:        min(mem, maxStack),
	}
}

// Run runs the program once on stdin under lim. Its error is an internal
// fault or the cancellation of ctx (which kills the run), never the
// program's own failure, which Execution describes.
func (p *Program) Run(ctx context.Context, stdin []byte, lim Limits) (Execution, error) {
	lim = lim.withDefaults()
	rl := p.rlimits(lim)
	o, err := p.s.run(ctx, &job{
		lang: p.lang, dir: p.dir, tmpSize: runTmpSize,
		argv: p.lang.Run, rlim: rl, cpuLimit: lim.CPUTime, wall: lim.WallTime,
		stdin:     stdin,
		stdoutCap: lim.OutputBytes, stderrCap: stderrHead, stderrTail: stderrTail,
		killOnOverflow: true,
	})
	if err != nil {
		return Execution{}, fmt.Errorf("run %s program: %w", p.lang.ID, err)
	}
	e := Execution{
		Stdout:         o.stdout.bytes(),
		Stderr:         o.stderr.bytes(),
		OutputExceeded: o.outputExceeded,
	}
	if r := o.report; r != nil {
		e.TimeMS = (r.UserUS + r.SysUS) / 1000
		e.WallMS = r.WallUS / 1000
		e.MemoryKB = r.MaxRSSKB
		if r.Exited {
			e.ExitCode = r.ExitCode
		} else {
			e.ExitCode, e.Signal = -1, unix.SignalName(syscall.Signal(r.Signal))
		}
		e.TimedOut = r.CPUKilled || r.Signal == int(syscall.SIGXCPU)
	} else {
		// Killed by the host before the helper could report: bwrap's
		// rusage holds the program's (and the helper's).
		e.ExitCode, e.Signal = -1, "SIGKILL"
		e.WallMS = o.hostWall.Milliseconds()
		if ru := o.hostUsage; ru != nil {
			e.TimeMS = (ru.Utime.Sec*1e6 + ru.Utime.Usec + ru.Stime.Sec*1e6 + ru.Stime.Usec) / 1000
			e.MemoryKB = ru.Maxrss
		}
	}
	e.TimedOut = e.TimedOut || o.timedOut || e.TimeMS > lim.CPUTime.Milliseconds()
	e.MemoryExceeded = p.memoryExceeded(&e, lim, rl)
	p.s.log.Debug("sandbox: run", "language", p.lang.ID, "exit", e.ExitCode, "signal", e.Signal,
		"cpu_ms", e.TimeMS, "wall_ms", e.WallMS, "memory_kb", e.MemoryKB,
		"timed_out", e.TimedOut, "memory_exceeded", e.MemoryExceeded, "output_exceeded", e.OutputExceeded)
	return e, nil
}

// memoryExceeded guesses whether a failed run died because an allocation
// failed under RLIMIT_AS. Without a memory cgroup the kernel does not say so;
// the heuristics, in order:
//   - the runtime said so on stderr: Python's MemoryError, C++'s
//     std::bad_alloc, the C library's "Cannot allocate memory" (see
//     OOMMarkers and genericOOMMarkers);
//   - a native executable whose static data and bss do not fit in the
//     address-space limit died of a signal (the kernel kills it in exec);
//   - it died of SIGSEGV, SIGBUS, SIGABRT or SIGKILL (a null pointer from a
//     failed malloc, an abort from an allocator) with a peak resident size of
//     at least 80% of the memory limit.
//
// A run that timed out or overflowed its output is never a memory failure.
func (p *Program) memoryExceeded(e *Execution, lim Limits, rl rlimits) bool {
	if e.TimedOut || e.OutputExceeded || (e.ExitCode == 0 && e.Signal == "") {
		return false
	}
	for _, m := range append(p.lang.OOMMarkers, genericOOMMarkers...) {
		if bytes.Contains(e.Stderr, []byte(m)) {
			return true
		}
	}
	switch e.Signal {
	case "SIGSEGV", "SIGBUS", "SIGABRT", "SIGKILL":
		if p.staticBytes > rl.AddressSpace {
			return true
		}
		return e.MemoryKB*100 >= int64(lim.MemoryMB)*1024*80
	}
	return false
}

// Close removes the work dir. os.RemoveAll does not follow the symbolic
// links the program may have planted.
func (p *Program) Close() error {
	if p.dir == "" {
		return nil
	}
	if !strings.HasPrefix(p.dir, p.s.cfg.WorkDir+string(filepath.Separator)) {
		return fmt.Errorf("close program: work dir %s is outside %s", p.dir, p.s.cfg.WorkDir)
	}
	if err := os.RemoveAll(p.dir); err != nil {
		return fmt.Errorf("close program: %w", err)
	}
	p.dir = ""
	return nil
}
