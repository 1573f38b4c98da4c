package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/cgroups"
	"github.com/codementor/codementor/sandbox/internal/helper"
	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// Config of the sandbox.
type Config struct {
	// WorkDir is the parent directory of the per-submission work
	// directories (created if missing), e.g. <data-dir>/sandbox. Every
	// directory above it must be searchable by others (o+x): bwrap runs as
	// the boxes' uids (Config.UIDs) and must reach it.
	WorkDir string
	// Bwrap is the path of bwrap; "" looks "bwrap" up on PATH.
	Bwrap string
	// Helper is the path of the sandbox's helper, the program that runs as
	// PID 1 of every box (cmd/sandbox-init, package boxinit). "" takes
	// $CODEMENTOR_SANDBOX_INIT, or else HelperName beside the running
	// executable (where `make build` and the container image put it).
	Helper string
	// DisableCgroups keeps the sandbox from using control groups even where
	// it could: limits and measures are then rlimits and heuristics only.
	DisableCgroups bool
	// WarmBoxes is the number of sandboxes kept started ahead per
	// language, for the next submissions (see pool.go): 0 means 1, a
	// negative number none.
	WarmBoxes int
	// CompileOutputMB bounds what a compiler may write (the program, its
	// class files), where the service can mount a tmpfs for it (as root);
	// 0 means DefaultCompileOutputMB.
	CompileOutputMB int
	// UIDs are the host uids boxes run as, one per running box, when the
	// service runs as root; the zero value means DefaultUIDs. Several
	// processes may share a range (they lock the uids they use in
	// WorkDir), but nothing else may use it.
	UIDs UIDRange
	// Unsafe lets New go on where bwrap or namespaces are unavailable, for
	// local development only: programs then run WITHOUT a sandbox — as
	// the box's uid when the service runs as root, under rlimits and cgroups
	// where available, with an empty environment, in their own work dir,
	// but seeing the host's files, processes and network. New logs it
	// loudly. Without Unsafe, New fails with ErrUnavailable instead.
	Unsafe bool
	// NoZygote starts every run of a program afresh, as the other
	// languages' are, rather than fork it from a zygote: a runtime started
	// once per box (Python), which saves the interpreter's start-up per
	// test (see boxinit/zygote.go).
	NoZygote bool
}

// withDefaults returns c with its zero fields set to their defaults: Bwrap
// "bwrap" (looked up on PATH), WarmBoxes 1, CompileOutputMB (or a negative
// one) DefaultCompileOutputMB, UIDs DefaultUIDs. Helper's default depends on
// the environment: see Helper.
func (c Config) withDefaults() Config {
	if c.Bwrap == "" {
		c.Bwrap = "bwrap"
	}
	if c.WarmBoxes == 0 {
		c.WarmBoxes = 1
	}
	if c.CompileOutputMB <= 0 {
		c.CompileOutputMB = DefaultCompileOutputMB
	}
	if c.UIDs == (UIDRange{}) {
		c.UIDs = DefaultUIDs
	}
	return c
}

// Validate reports every problem of c, its zero fields taken as their
// defaults, joined with errors.Join. New calls it; a service may call it
// sooner, with the rest of its configuration.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.WorkDir == "" {
		errs = append(errs, errors.New("Config.WorkDir is required"))
	}
	if err := c.UIDs.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// HelperName is the helper's file name beside the service's executable.
const HelperName = helper.Name

// Limits for one run of a program against one input, and how it is run.
// Zero fields take defaults: CPUTime 2 s, WallTime 2×CPUTime+1 s, MemoryMB
// 256, OutputBytes 64 KiB, StackKB min(MemoryMB, 64 MiB), Processes 64,
// FileSizeKB 16 MiB. Run refuses, with an error wrapping ErrBadLimits, a
// negative StackKB, Processes or FileSizeKB, one above its ceiling
// (MaxStackKB, MaxProcesses, MaxFileSizeKB), and Args beyond MaxArgs or
// MaxArgsBytes or holding a NUL byte or invalid UTF-8.
//
// Limits is comparable (Args is a pointer for that): a zero Limits means the
// defaults.
type Limits struct {
	CPUTime     time.Duration // CPU time (user+sys) limit: the question's time limit
	WallTime    time.Duration // wall-clock limit, always on (e.g. 2×CPU + 1s)
	MemoryMB    int           // memory limit: the memory cgroup's and RLIMIT_AS, each plus the language's slack, and a managed runtime's heap
	OutputBytes int           // stdout cap (stdout and stderr together with MergeStderr); beyond it the run stops and OutputExceeded is set
	// StackKB is RLIMIT_STACK, the main thread's stack; for Java, -Xss
	// too (in whole MiB, rounded up), which bounds every Java thread's. A
	// program recursing past it dies of SIGSEGV (Java throws
	// StackOverflowError). The memory limit bounds what the stack really
	// takes, whatever StackKB says.
	StackKB int
	// Processes is RLIMIT_NPROC, and with cgroups the box's pids.max (plus
	// the helper's allowance): the processes and threads that may exist
	// at once in the box, counting the program itself, its threads (a
	// runtime's too: the JVM starts 14, node 7) and the threads of the
	// sandbox's helper (PID 1 of the box, a Go program: 9 or 10 here).
	// So a single-threaded C program may fork about Processes-10
	// children. A fork or a thread creation past it fails (EAGAIN); the
	// machine is not affected.
	Processes int
	// FileSizeKB is RLIMIT_FSIZE: the largest file the program may write
	// (in /tmp, its only writable place, itself at most 16 MiB). A write
	// past it kills the program with SIGXFSZ (Python ignores the signal
	// and gets an OSError instead).
	FileSizeKB int
	// Args, if not nil, are the program's command-line arguments,
	// appended to the language's command as separate words, never through
	// a shell: C's argv[1:], Python's sys.argv[1:], Java's args, node's
	// process.argv.slice(2).
	Args *[]string
	// MergeStderr sends the program's stderr into the pipe of its stdout,
	// interleaved as written (each write whole): Execution.Stdout holds
	// both, within OutputBytes, and Execution.Stderr is empty.
	MergeStderr bool
}

// Ceilings of Limits' fields (see Limits).
const (
	MaxStackKB    = 1 << 20 // 1 GiB
	MaxProcesses  = compileProcesses
	MaxFileSizeKB = 1 << 20 // 1 GiB (/tmp holds 16 MiB)
	MaxArgs       = 256
	// MaxArgsBytes bounds the arguments' bytes, one more per argument:
	// they travel to the helper in a message of 64 KiB, where JSON may
	// make a byte six.
	MaxArgsBytes = 8 << 10
)

// Execution is what one run did.
type Execution struct {
	Stdout []byte // at most OutputBytes
	// Stderr keeps its first 3 KiB and last 1 KiB, with a marker line
	// between them when more was written; empty with Limits.MergeStderr.
	Stderr []byte
	// ExitCode is the exit status, or -1 when the program was killed by a
	// signal.
	ExitCode int
	Signal   string // e.g. "SIGSEGV", "SIGKILL"; "" when it exited normally
	TimeMS   int64  // CPU time (user+sys) of everything the program ran
	WallMS   int64
	// MemoryKB is the run's peak memory: as its memory cgroup counts it
	// (every process), or without cgroups the peak resident size of the
	// largest process it ran.
	MemoryKB int64
	TimedOut bool // CPU or wall limit hit
	// Starved says the run hit its wall limit while it wanted the CPU and
	// did not get it (other boxes, or the service, had it): its CPU time
	// says nothing about the program. The caller runs it again or reports
	// an internal fault, never a time limit.
	Starved bool
	// MemoryExceeded says the program died for want of memory: the OOM
	// killer of its memory cgroup struck, or an allocation failed under
	// the memory limit (without cgroups most likely; see memoryExceeded).
	MemoryExceeded bool
	OutputExceeded bool
	// Forked says a zygote forked the run rather than start it afresh
	// (Config.NoZygote); Fresh says why a run the zygote was to fork was
	// started afresh ("" if it was not).
	Forked bool
	Fresh  string
}

// Source is a submission to compile. Without a driver, Code is the whole
// program: it reads stdin and writes stdout itself. With a driver (the
// question's own code, holding the entry point), Code is the learner's part
// and the two are compiled, or loaded, together. Per language, the driver
// goes to the entry file and the code to the solution file:
//
//	python      main.py    solution.py    the driver does "from solution import *"
//	c           main.c     solution.c     gcc -O2 -std=c17 main.c solution.c -lm
//	cpp         main.cpp   solution.cpp   g++ -O2 -std=c++17 main.cpp solution.cpp
//	java        Main.java  Solution.java  class Main, class Solution (without a driver, class Main)
//	go          main.go    solution.go    both package main
//	javascript  main.js    solution.js    the driver does require('./solution.js')
//	typescript  main.ts    solution.ts    the driver does import { f } from './solution'
//	rust        main.rs    solution.rs    the driver does mod solution; use solution::*;
//	kotlin      main.kt    solution.kt    the driver's fun main (class MainKt), the learner's class Solution
//	csharp      main.cs    solution.cs    the driver's class Program, the learner's class Solution
//	ruby        main.rb    solution.rb    the driver does require_relative 'solution'
//	php         main.php   solution.php   the driver does require __DIR__ . '/solution.php'
//	perl        main.pl    solution.pl    the driver does do './solution.pl'
//	lua         main.lua   solution.lua   the driver does dofile('solution.lua')
//	bash        main.sh    solution.sh    the driver does source ./solution.sh
//
// CompilerOptions are added to the compiler's command line, as separate
// words, after the compiler's own options and before the sources (where
// the language's compile command has an {options} placeholder, there): an
// option given again overrides the language's (gcc's -O0 its -O2). The
// caller checks them against its allow-list (codementor.CheckCompilerOptions);
// Compile refuses, with an error wrapping ErrBadOptions, options for a
// language without a compile step (Python and JavaScript: a syntax check is
// not one), more than MaxCompilerOptions or MaxCompilerOptionBytes, and
// options that do not start with "-" (the compiler would take them for
// files), hold a NUL byte or are not valid UTF-8.
//
// Files are written beside the sources, in the work dir (subdirectories as
// their names say), before compiling: the program reads them (under /box,
// or relative to its working directory), never writes them (the work dir is
// read-only in runs), and the compiler finds them too (a header, a class).
// Compile refuses, with an error wrapping ErrBadFiles, before anything is
// written: more than MaxFiles files or MaxFilesBytes bytes in all, a name
// that is not a plain relative path (absolute, with a "." or ".." component,
// a backslash, a control character; see archive.Unzip), the same name
// twice or a name that is another's directory, and a name of the program's
// own, or a directory of such a name: the entry and solution files (both,
// driver or not), the compiler's output (main) and, for every language,
// the class files of the entry and the solution (Main.class,
// Main$Inner.class, Solution.class). The files given are read-only to the
// compiler: one that replaces a file given at the top of the work dir (as a
// linker replaces its output) fails Compile with ErrBadFiles too; one that
// writes into it (javac, given Helper.class beside a class Helper of
// Main.java) fails the compilation with its own message. The compiler can
// write at the top of the work dir only: a Java class in a package
// directory of Files must come compiled.
type Source struct {
	Language        string
	Code            string
	Driver          string
	CompilerOptions []string
	Files           []File
	// Runs is how many times the caller means to run the program (its
	// tests), 0 if it cannot tell. A language with a zygote starts one only
	// for ZygoteMinRuns runs or more, or an unknown number: for fewer, its
	// start costs more than forking the runs saves.
	Runs int
}

// ZygoteMinRuns is the fewest runs a zygote is started for (see
// Source.Runs). Measured with Python: a zygote's start costs about a fresh
// interpreter's and a half, a forked run about half a fresh one, and the
// syntax check is a run too.
const ZygoteMinRuns = 3

// File is a file given with a submission (Source.Files).
type File struct {
	Name string // a plain relative path, slash-separated: "input.txt", "data/graph.txt"
	Data []byte
}

// Bounds of Source's CompilerOptions and Files.
const (
	MaxCompilerOptions     = 64
	MaxCompilerOptionBytes = 4 << 10 // in all
	MaxFiles               = 100
	MaxFilesBytes          = 16 << 20 // in all; compiled languages' work dirs hold 64 MiB (Config.CompileOutputMB)
)

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
	// ErrBadOptions is returned by Compile (wrapped, saying why) for
	// compiler options it refuses (see Source).
	ErrBadOptions = errors.New("bad compiler options")
	// ErrBadFiles is returned by Compile (wrapped, saying which file and
	// why) for files it refuses (see Source).
	ErrBadFiles = errors.New("bad files")
	// ErrBadLimits is returned by Run (wrapped, saying why) for limits it
	// refuses (see Limits).
	ErrBadLimits = errors.New("bad limits")
)

// Defaults and fixed limits.
const (
	defaultCPUTime     = 2 * time.Second
	defaultMemoryMB    = 256
	defaultOutputBytes = 64 << 10

	runTmpSize       = 16 << 20 // the program's /tmp
	runFileSize      = 16 << 20
	runOpenFiles     = 64
	runProcesses     = 64 // threads too, the helper's included (see Limits.Processes)
	compileProcesses = 256
	maxStack         = 64 << 20
	stderrHead       = 3 << 10
	stderrTail       = 1 << 10
	compileCPU       = 20 * time.Second
	compileWall      = 30 * time.Second
	compileMemory    = 1 << 30
	compileTmpSize   = 128 << 20
	compileOutput    = 8 << 10
)

// Sandbox compiles and runs untrusted programs in bubblewrap. It is safe for
// concurrent use.
type Sandbox struct {
	cfg       Config
	log       *slog.Logger
	bwrap     string
	prlimit   string
	helper    *helper.Copy // the helper executable's copy the boxes run
	baseBinds []string     // bwrap arguments binding the base system read-only
	ownUIDs   bool         // run boxes as uids of their own (the service runs as root)
	uids      *uidPool     // those uids; nil when the service is not root
	// boundOutput says compilers write into a tmpfs of CompileOutputMB.
	boundOutput bool
	// toolchains are the languages this machine has, by ID; offered the
	// same in the table's order.
	toolchains map[string]*toolchain.Toolchain
	offered    []*toolchain.Toolchain
	// cg is the machine's usable cgroup hierarchy, nil if none.
	cg *cgroups.Hierarchy
	// pool keeps sandboxes started ahead; nil with Config.WarmBoxes < 0.
	pool *warmPool
	// unsafe says programs run without bwrap (Config.Unsafe).
	unsafe bool
}

// New checks that bwrap exists and works (it runs /usr/bin/true in a sandbox
// once), finds the cgroups it can use, prepares cfg.WorkDir, finds the
// languages' toolchains and their versions, and starts preparing their
// caches and the sandboxes kept ahead. cfg's zero fields take their
// defaults (see Config), and cfg must Validate. Errors that mean this
// machine cannot sandbox wrap ErrUnavailable, unless cfg.Unsafe lets it run
// programs without a sandbox.
//
// ctx bounds New's own work, the self-test and the toolchains' probes:
// cancelling it makes New return its error. What goes on in the background
// once New has returned (the caches' preparation, the sandboxes started
// ahead) does not stop with it.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Sandbox, error) {
	if log == nil {
		log = slog.Default()
	}
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	s := &Sandbox{cfg: cfg, log: log, ownUIDs: os.Geteuid() == 0}
	noSandbox, err := s.findTools()
	if err != nil {
		return nil, err
	}
	if err := s.prepareHost(); err != nil {
		return nil, err
	}
	if err := s.chooseMode(ctx, noSandbox); err != nil {
		return nil, err
	}
	if err := s.offerLanguages(ctx); err != nil {
		return nil, err
	}
	if n := cfg.WarmBoxes; n > 0 {
		s.pool = newWarmPool(s, n)
		for _, tc := range s.offered {
			s.pool.fill(tc)
		}
	}
	s.logReady()
	return s, nil
}

// findTools finds bwrap and prlimit. noSandbox says why this machine
// cannot sandbox (bwrap is missing) when Config.Unsafe lets New go on
// without a sandbox; err, that New cannot go on.
func (s *Sandbox) findTools() (noSandbox, err error) {
	path, err := exec.LookPath(s.cfg.Bwrap)
	if err != nil {
		noSandbox = fmt.Errorf("%w: bwrap not found (%v): install the Debian package bubblewrap (apt-get install bubblewrap)", ErrUnavailable, err)
		if !s.cfg.Unsafe {
			return nil, noSandbox
		}
	} else if s.bwrap, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("new sandbox: %w", err)
	}
	// prlimit runs inside the sandbox, where /usr is the host's.
	s.prlimit = "/usr/bin/prlimit"
	if _, err := os.Stat(s.prlimit); err != nil {
		return nil, fmt.Errorf("%w: %s not found: install the Debian package util-linux", ErrUnavailable, s.prlimit)
	}
	return noSandbox, nil
}

// prepareHost prepares the work dir (the helper's copy, the boxes' uids'
// locks, the removal of what is stale) and finds what the host offers: a
// tmpfs for compile output, the base system's binds, cgroups.
func (s *Sandbox) prepareHost() error {
	if err := s.prepareWorkDir(); err != nil {
		return err
	}
	var err error
	if s.helper, err = helper.Install(s.cfg.WorkDir, s.cfg.Helper); err != nil {
		return fmt.Errorf("new sandbox: %w", helperError(err))
	}
	if s.ownUIDs {
		if s.uids, err = newUIDPool(s.cfg.UIDs, s.cfg.WorkDir); err != nil {
			return fmt.Errorf("new sandbox: %w", err)
		}
	}
	s.removeStale()
	s.boundOutput = s.probeMount()
	s.baseBinds = baseBinds()
	if !s.cfg.DisableCgroups {
		if s.cg, err = cgroups.Detect(); err != nil {
			s.log.Warn("sandbox: no usable cgroups: memory, processes and CPU are limited by rlimits only, and MemoryExceeded is a guess", "err", err)
		}
	}
	return nil
}

// chooseMode runs the self-test, unless noSandbox already says why this
// machine cannot sandbox. Where it cannot, New fails, unless Config.Unsafe
// lets programs run without a sandbox: chooseMode then says so, loudly, and
// runs the self-test without one.
func (s *Sandbox) chooseMode(ctx context.Context, noSandbox error) error {
	if noSandbox == nil {
		noSandbox = s.checkWithCgroups(ctx)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("new sandbox: %w", err)
	}
	if noSandbox == nil {
		return nil
	}
	if !s.cfg.Unsafe {
		return noSandbox
	}
	s.unsafe = true
	s.log.Error("sandbox: UNSAFE MODE: no sandbox on this machine, and Config.Unsafe is set: learners' programs run WITHOUT bubblewrap and are NOT isolated: "+
		"they see the host's files, processes and network, and can harm the host and each other. Never use this mode with untrusted users.",
		"why", noSandbox, "runs_as_uid", os.Geteuid(), "own_uids", s.ownUIDs)
	if err := s.checkWithCgroups(ctx); err != nil {
		return fmt.Errorf("new sandbox (unsafe mode): %w", err)
	}
	return nil
}

// offerLanguages finds the languages' toolchains, checks that no box can
// read this executable through their binds, and starts preparing their
// caches, in the background: cancelling ctx stops the probes, not that.
func (s *Sandbox) offerLanguages(ctx context.Context) error {
	s.offered = toolchain.Find(ctx, s.log)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("new sandbox: find the toolchains: %w", err)
	}
	s.toolchains = map[string]*toolchain.Toolchain{}
	for _, tc := range s.offered {
		s.toolchains[tc.Lang.ID] = tc
	}
	if err := s.checkSelfUnbound(); err != nil {
		return err
	}
	toolchain.Prepare(context.WithoutCancel(ctx), s.offered, toolchain.Caches{Dir: s.cfg.WorkDir, Helper: s.helper.Path(), TempPrefix: workDirPrefix, Log: s.log})
	return nil
}

// logReady says what the sandbox is made of.
func (s *Sandbox) logReady() {
	cgroupInfo := "none (rlimits only)"
	if s.cg != nil {
		cgroupInfo = s.cg.String()
	}
	uids := fmt.Sprintf("%d-%d", s.cfg.UIDs.First, s.cfg.UIDs.First+s.cfg.UIDs.Count-1)
	s.log.Info("sandbox ready", "bwrap", s.bwrap, "unsafe", s.unsafe, "work_dir", s.cfg.WorkDir, "uids", uids, "cgroups", cgroupInfo, "runtimes", s.Runtimes())
}

// checkWithCgroups runs the self-test, and again without cgroups if they
// are what fails.
func (s *Sandbox) checkWithCgroups(ctx context.Context) error {
	err := s.selfTest(ctx)
	if err == nil || s.cg == nil || ctx.Err() != nil {
		return err
	}
	cg := s.cg
	s.cg = nil
	if err2 := s.selfTest(ctx); err2 != nil {
		s.cg = cg // the cgroups were not what failed
		return err2
	}
	s.log.Error("sandbox: cgroups do not work in the sandbox: limiting by rlimits only", "cgroups", cg, "err", err)
	return nil
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

// selfTest runs /usr/bin/true in a sandbox, within 20 s or until ctx is
// done.
func (s *Sandbox) selfTest(ctx context.Context) error {
	dir, err := os.MkdirTemp(s.cfg.WorkDir, workDirPrefix("selftest"))
	if err != nil {
		return fmt.Errorf("new sandbox: self-test dir: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		return fmt.Errorf("new sandbox: self-test dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	o, err := s.run(ctx, boxConfig{dir: dir, tmpSize: 1 << 20, processes: 16}, &job{
		argv:   []string{"/usr/bin/true"},
		rlim:   boxinit.Rlimits{CPUSeconds: 5, AddressSpace: 64 << 20, FileSize: 1 << 20, OpenFiles: 16, Processes: 16, Stack: 8 << 20},
		memory: 64 << 20,
		wall:   15 * time.Second, stdoutCap: 4 << 10, stderrCap: 4 << 10,
	})
	if err == nil && (o.report == nil || !o.report.Exited || o.report.ExitCode != 0) {
		err = fmt.Errorf("/usr/bin/true failed: %s", o.stderr.bytes())
	}
	if err == nil && s.cg != nil && (o.cg == nil || o.cg.CPU <= 0) {
		err = fmt.Errorf("/usr/bin/true did not run in its cgroup (%+v)", o.cg)
	}
	if err != nil && (s.cg != nil || s.unsafe) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: bwrap %s cannot run a sandbox: %v (it needs unprivileged user namespaces: check sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1, kernel.apparmor_restrict_unprivileged_userns=0; in a container, allow unshare/mount)",
			ErrUnavailable, s.bwrap, err)
	}
	return nil
}

// Close stops keeping sandboxes started ahead and kills those waiting. The
// Programs compiled remain usable; Compile starts each sandbox it needs.
func (s *Sandbox) Close() error {
	s.pool.close()
	return nil
}

// Languages returns the IDs of the languages of the table whose toolchain
// exists on this machine.
func (s *Sandbox) Languages() []string {
	ids := make([]string, len(s.offered))
	for i, tc := range s.offered {
		ids[i] = tc.Lang.ID
	}
	return ids
}

// Runtime is a language this sandbox offers, with its toolchain's version.
type Runtime struct {
	ID      string // language ID, as in codementor.Languages
	Version string // e.g. "3.11.2", "17.0.15", "1.26.8"
}

// Runtimes returns the languages whose toolchain exists on this machine,
// with the toolchains' versions, in the table's order.
func (s *Sandbox) Runtimes() []Runtime {
	rts := make([]Runtime, 0, len(s.offered))
	for _, tc := range s.offered {
		rts = append(rts, Runtime{ID: tc.Lang.ID, Version: tc.Version})
	}
	return rts
}
