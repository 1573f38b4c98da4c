// Package sandbox compiles and runs learners' programs — hostile code — in
// bubblewrap (bwrap), under resource limits.
//
// # Use
//
//	sb, err := sandbox.New(ctx, sandbox.Config{WorkDir: dataDir + "/sandbox"}, log)
//	p, err := sb.Compile(ctx, sandbox.Source{Language: "cpp", Code: code, Driver: driver})
//	// *CompileError if it does not compile
//	defer p.Close()
//	e, err := p.Run(ctx, input, sandbox.Limits{CPUTime: 2 * time.Second, MemoryMB: 256})
//
// Run's error is an internal fault (or ctx's); the program's own failures are
// in the Execution: exit code, signal, CPU and wall time, peak memory, and
// the TimedOut, MemoryExceeded and OutputExceeded flags. A Sandbox and its
// Programs are safe for concurrent use. Runtimes lists the languages this
// machine has, with their toolchains' versions.
//
// # Languages and drivers
//
// Package internal/toolchain holds the language table (languages.go): per
// language, the entry and solution file names, the compiler's and the
// program's argv and environment (with placeholders such as {sources},
// {mem}, {java_home}), the files whose presence means the toolchain is
// installed, the command printing its version, extra read-only binds, the
// address-space and memory slack of its runtime and its out-of-memory
// messages. It finds the toolchains that do not sit at a fixed path (the
// JDK through javac, Go through `go env GOROOT`, node, the TypeScript
// compiler npm installed globally through tsc, the Kotlin compiler through
// kotlinc and its JVM through java, each with its links resolved), runs
// each version command once, outside the sandbox (our toolchains are
// trusted; the code they are given is not), and binds into the sandbox only
// what the toolchain needs: GOROOT, the JDK's configuration links' targets
// (/etc/java-NN-openjdk), node's prefix and npm's global node_modules when
// outside /usr, Mono's /etc/mono.
//
// A Source with a Driver (the question's code, holding the entry point) is
// compiled with the learner's code as the solution: main.py + solution.py,
// main.c + solution.c, main.cpp + solution.cpp, Main.java + Solution.java,
// main.go + solution.go (both package main), main.js + solution.js,
// main.ts + solution.ts, main.rs + solution.rs, main.kt + solution.kt,
// main.cs + solution.cs, and main + solution with the extension of Ruby,
// PHP, Perl, Lua and Bash (see Source). Without a driver the learner's code
// is the entry file.
//
// The interpreted languages (Python, JavaScript, Ruby, PHP, Perl, Lua, Bash)
// have a "compile" step too: a syntax check of every source file (Python's
// compile(), node --check, ruby -c, php -l, perl -c, luac -p, bash -n), so
// that a syntax error is a compile error rather than a runtime error on
// every test; it writes nothing and runs in the program's own sandbox (perl
// -c runs BEGIN blocks: there, under the compiler's limits). C, C++, Java,
// Go, TypeScript (tsc, to JavaScript that node runs), Rust (Debian's rustc
// -O), Kotlin (the compiler's main class on the JVM) and C# (mcs, run by
// mono) compile in a sandbox of their own with the work dir writable.
//
// Managed runtimes cannot live under an address-space limit near the
// question's memory limit (the JVM reserves gigabytes, Go, V8 and Mono too):
// their RLIMIT_AS is the limit plus gigabytes, and their memory is bounded
// by their own flags (-Xmx and -Xss, GOMEMLIMIT, --max-old-space-size,
// MONO_GC_PARAMS=max-heap-size, PHP's memory_limit) and by the memory
// cgroup. Java and Kotlin run with -XX:+UseSerialGC -XX:TieredStopAtLevel=1
// -Xshare:auto -XX:-UsePerfData (no hsperfdata in /tmp),
// -XX:+ExitOnOutOfMemoryError and -XX:+DisplayVMOutputToStderr (the JVM's
// own messages never on stdout), javac with the same flags through -J and
// the class data archive below.
//
// Three caches make compiling fast; New prepares them in the background,
// once per toolchain (they stay in Config.WorkDir, named after the
// toolchain's version and executable, across restarts and processes), and
// compilations of Java and Go wait for theirs:
//   - a dynamic class data archive of javac (-XX:ArchiveClassesAtExit over a
//     sample program), bound read-only and passed with -J-XX:SharedArchiveFile;
//   - the same of the Kotlin compiler (about 1 s a compilation instead of 2),
//     made at idle CPU priority (chrt --idle 0), so that it never takes a CPU
//     from judging: Kotlin's compilations do not wait for it, and those whose
//     sandbox started before it was made go without;
//   - a Go build cache warm with the standard packages programs commonly
//     import, built outside the sandbox with the sandbox's own Go
//     environment (no cgo, -trimpath, GOTOOLCHAIN=local, GOPROXY=off, ...).
//     Inside the sandbox the go command reaches it through GOCACHEPROG (see
//     boxinit/gocache.go): the helper serves the shared cache read-only, bound
//     at /run/codementor/gocache, under a private writable layer in the
//     compilation's /tmp (bwrap 0.8 has no overlay mounts).
//
// # Process tree
//
//	service (root)
//	└─ bwrap                                  started as a host uid of the box's own (60000-60999)
//	   └─ /sandbox-init serve  PID 1          the helper, cmd/sandbox-init
//	      ├─ program   one at a time, started per request, all killed after it
//	      └─ zygote    Python: started once, forks the programs (see Zygotes)
//
// A box (a bwrap and its helper) serves one Program for its whole life: the
// Program's runs (tests) are requests to the helper over a control socket,
// each with its own stdin, stdout and stderr (passed as descriptors), limits
// and environment. Concurrent runs of a Program get a box each. Close kills
// the Program's boxes. Starting a box costs about 10 ms, a Python test 6: the
// Sandbox keeps one started ahead per language (Config.WarmBoxes; see
// pool.go), with a fresh work dir where nothing ran, and the next Program of
// the language takes it (the compiler's box, or for the interpreted
// languages, the program's own); a compiled program's own box starts while it compiles.
//
// bwrap runs as an unprivileged host uid, not as root: bwrap started by root
// maps to host root with every capability. Each running box has a uid of its
// own (see uids.go), from Config.UIDs (isolate's 60000-60999 by default),
// locked in the work dir so that processes sharing a machine never share a
// uid, and given back once every process of the box is gone: the kernel's
// per-uid state (keyrings, the pending-signal and inotify limits, file
// ownership) never crosses boxes. It creates new user, PID, mount, network, IPC, UTS
// and cgroup namespaces (--unshare-all), forbids further user namespaces
// (--disable-userns), drops all capabilities, starts a new session (no
// TIOCSTI on the service's terminal), loads the seccomp filter (below), and
// dies with its parent. The
// environment is cleared to PATH, HOME=/box, LANG=C.UTF-8 (and PWD, set by
// bwrap), plus the language's own variables. The file system is a read-only
// tmpfs root holding read-only binds of /usr, the /bin, /lib... links or
// directories as the host has them, /etc/ld.so.cache and /etc/alternatives,
// the toolchain's binds — not /, /root, /work or the host's /tmp — plus a
// new /proc for the PID namespace, a minimal /dev (remounted read-only, so
// the program cannot fill it), a size-limited /tmp tmpfs (16 MiB for runs),
// and the work directory at /box: read-write for the compiler, read-only for
// runs. The network namespace has only a down loopback: no network at all.
//
// The work directory of a Program is created root-owned under
// Config.WorkDir (for a compiled language, as a tmpfs of
// Config.CompileOutputMB, 64 MiB, mounted by the service when it can: a
// compiler that writes more fails, and the compile error says so), handed
// to the compiler box's uid for the compilation, and given back to root
// (0755) before any run: the program can read its executable but write
// nothing there. Close removes it with os.RemoveAll, which does not follow
// links the program may have planted; the service never otherwise reads or
// writes in it after untrusted code ran (it reads the compiler's executable
// once, with O_NOFOLLOW, to size its static data).
//
// # The helper
//
// bwrap's own report of a run is poor (it turns a death by signal n into exit
// status 128+n, and its rusage includes bwrap), and starting a bwrap per test
// costs more than a Python test. So bwrap runs, as PID 1 of the sandbox
// (--as-pid-1), a small server: a program of its own (cmd/sandbox-init,
// package boxinit, about 2.5 MB), built apart from the service and installed
// beside it as codementor-sandbox-init (Config.Helper). Everything bound into
// a box is readable by the code in it, so the helper holds no question, no
// configuration and no secret: it imports nothing of the service. New copies
// it into Config.WorkDir (the original may live in a directory nobody cannot
// reach) under a name made of its content's hash, so every process and build
// with the same helper shares one copy (package internal/helper); and New
// refuses to start where a box could read the service's own executable
// (under /usr, say), which embeds the starter questions. The helper
//
//   - closes (CLOEXEC) every descriptor but stdin, stdout, stderr and its
//     control socket, so that programs inherit nothing else; the descriptors
//     it receives are CLOEXEC too;
//   - makes itself non-dumpable, so that programs (same uid) can neither
//     ptrace it nor open /proc/1/fd or /proc/1/mem, and handles and drops
//     every signal, so that programs cannot kill it (PID 1 of a PID
//     namespace only receives the signals it handles);
//   - per request, starts the program under ptrace, which stops it right
//     after its exec, before its first instruction: sets its rlimits
//     (prlimit(2): the helper itself never runs under them) and lets it go.
//     It is the helper's child, born in the box's cgroup. (Without cgroups,
//     through a small shell instead: see Memory.);
//   - polls the run's CPU time every 10 ms (the cgroup's: every process and
//     thread) and kills the program past the CPU limit, so that a busy loop
//     stops at the limit rather than at RLIMIT_CPU's whole-second margin;
//   - when the program has exited, kills (kill(-1) from PID 1 reaches only
//     the sandbox) and reaps everything it left behind, and reports on the
//     control socket (JSON): exit code or signal, user and system time, wall
//     time, its own CPU time;
//   - then, before the next request, empties /tmp, removes the System V IPC
//     objects and clears the keyrings the program made (POSIX message queues
//     cannot be made: RLIMIT_MSGQUEUE is 0), and checks that nothing changed
//     its own rlimits, scheduling or CPU affinity, which the next program
//     would inherit (a program of the same uid may prlimit it). If it cannot,
//     it refuses the next request: the service discards the box and runs the
//     test in a new one. So each test starts with an empty /tmp and no
//     process, object or key of the tests before it;
//   - exits when the service closes the socket, or after 10 minutes without
//     a request; the kernel tears the PID namespace down with it.
//
// # Zygotes
//
// Most of a Python test's time is the interpreter's start. So the box of a
// Python Program run ZygoteMinRuns times or more (Source.Runs, or an
// unknown number of times) starts, once, a zygote: the interpreter with the
// run's options running the zygote's own program
// (toolchain/zygote_python.py, data free, passed with -c), which loads
// nothing of the learner's code. It starts before the syntax check, outside
// any run's measures. For fewer runs its start (about a fresh interpreter's
// and a half) would cost more than forking saves (about half a fresh start
// per run). For each run (the syntax check too) the helper passes the zygote the run's argv and
// descriptors; the zygote forks, the child forks the run's process and
// exits, so that the run's process is the helper's child, as a program the
// helper starts is; the helper sets its rlimits and lets it go, and waits
// for it, measures it, kills what it leaves and cleans the box exactly as
// for a fresh start (boxinit/zygote.go). The forked process puts the
// interpreter as `python3 <options> main.py args` would: sys.argv,
// sys.orig_argv, sys.path, sys.modules, the path importer cache, __main__,
// the signal mask, the descriptors (only 0, 1 and 2), and the top-level
// handling of exceptions, SystemExit and KeyboardInterrupt (tracebacks
// without the zygote's frame). At its end it does what the interpreter's
// finalization does that a program can see (non-daemon threads joined,
// atexit functions, sys.stdout and sys.stderr flushed, exit status 120 if
// stdout cannot be, the program's modules cleared so that its objects are
// finalized and its files flushed, its cycles collected), but not the
// teardown of the zygote's own objects, which would copy every page of
// them: gc.freeze keeps them out of the runs' collections too.
//
// The zygote is not dumpable (no ptrace, no /proc/<pid>/mem, fd or
// environ for the runs, of the same uid), blocks every signal (those a run
// sends stay pending, never delivered; fork clears the run's own), holds
// nothing writable that a run shares (its memory is copied on write), and
// the runs close its socket before the learner's code runs. What a run of
// the same uid can still do to it (stop it, kill it, change its rlimits,
// priority or CPUs) the helper finds after the run, and replaces the zygote
// before it reports the run, so that the next run is forked from a pristine
// one (and measured without the new zygote's start). A run the zygote
// cannot fork (it did not start, or failed) starts afresh, and says why
// (Execution.Fresh; the judge counts it in codementor_sandbox_run_starts_total
// and logs it). Config.NoZygote (the processor's --no-zygote) starts every run
// afresh. What a forked run sees that a fresh interpreter's does not: the
// zygote's frame under its module's (sys._getframe), the zygote as one
// more process of the box (and one process fewer under RLIMIT_NPROC),
// gc.get_freeze_count() above 0, the same string hash seed in every run of
// the submission, and objects still alive at exit not finalized unless the
// program's modules held them (Python does not promise it).
//
// # Limits
//
// The helper sets the program's rlimits: RLIMIT_CPU (ceil(CPUTime)+1 s soft,
// one more second hard), RLIMIT_AS (MemoryMB plus the language's slack),
// RLIMIT_FSIZE (FileSizeKB, by default 16 MiB), RLIMIT_NOFILE 64,
// RLIMIT_NPROC (Processes, by default 64), RLIMIT_CORE 0, RLIMIT_MSGQUEUE 0
// and RLIMIT_STACK (StackKB, by default min(MemoryMB, 64 MiB); Java's -Xss
// follows it). RLIMIT_NPROC is counted per user namespace, hence per
// sandbox, the helper's threads included (9 or 10 here); the
// box's pids cgroup, where there is one, is set per run to Processes plus
// an allowance of 32 for the helper. A write past RLIMIT_FSIZE kills the
// program with SIGXFSZ, a recursion past RLIMIT_STACK with SIGSEGV. Run
// refuses limits below zero or above their ceilings (ErrBadLimits). The wall
// limit is always on: a host timer asks the helper to kill the run; should
// the helper not report within 5 s, the host kills it through a pidfd, the
// kernel kills the rest of the PID namespace before letting PID 1 die, and
// the box is discarded. Cancelling ctx does the same. stdout is read through
// a pipe with a cap: past it the run is killed and OutputExceeded set.
// stderr keeps its first 3 KiB and its last 1 KiB; with Limits.MergeStderr
// the program's stderr is the pipe of its stdout (one pipe: interleaved as
// written, within the stdout cap). stdin is a sealed memfd: the program can
// neither change it nor block the service by not reading it.
//
// # Options
//
// A run's Limits.Args are appended to the language's command as separate
// words (argv, never a shell; verbatim even without a sandbox, where the
// sandbox's paths in the command become the host's), within MaxArgs and
// MaxArgsBytes (the run request is one message of 64 KiB to the helper).
// A Source's CompilerOptions go into the compiler's argv before the sources
// (or at an {options} placeholder of the language's compile command), each
// a word starting with "-": the caller's allow-list decides which (see
// codementor.CheckCompilerOptions); a language without a compile step takes
// none. A Source's Files are written by the service into the fresh work dir
// beside the sources, before anything runs there, through an os.Root
// (O_EXCL, no link followed), as root-owned files 0644 and directories 0755:
// the compiler and the program read them, the program never writes them
// (the work dir is read-only in runs), and the compiler can replace one at
// the top of the work dir only (it owns that directory while it runs), which
// Compile then refuses. Their names are plain relative paths (the rules of
// internal/relpath, shared with package archive, which extracts Judge0's
// additional_files from a zip archive within the same bounds), never one of
// the program's own files.
//
// Compilation runs the same way with its own limits: 20 s of CPU, 30 s wall,
// 1 GiB of memory (g++ with bits/stdc++.h needs about 200 MiB), 256
// processes, a 128 MiB /tmp, 64 MiB of output, compiler messages kept up to
// 8 KiB.
//
// # Seccomp
//
// Every box runs under a seccomp-bpf filter (package seccomp), built by the
// service in pure Go and passed to bwrap on a descriptor (--seccomp), which
// loads it before it execs the helper: the helper and every compiler and
// program inherit it. Docker's default allow list is the base; on top of it
// io_uring, userfaultfd, perf_event_open, bpf, add_key, keyctl,
// request_key, ptrace (but PTRACE_TRACEME and PTRACE_DETACH, which the
// helper uses to start each program), process_vm_readv/writev, personality
// beyond Docker's values, name_to_handle_at, open_by_handle_at, kexec,
// module loading, the mount family, unshare, setns, clone with a namespace
// flag, fanotify_init, flock and fcntl's record locks (every box shares the
// inodes of its read-only binds: a lock would cross boxes), and sockets of
// families other than AF_UNIX, AF_INET and AF_INET6 (AF_VSOCK, the host's
// channel to the hypervisor, is not namespaced) fail with EPERM, so that
// runtimes that probe keep working; clone3 fails with ENOSYS, so that
// glibc falls back to clone, whose flags the filter can see. The filter
// checks the architecture: 32-bit and x32 system calls kill the process.
//
// # Hidden data
//
// Everything bound into a box can be read by the code in it. Nothing bound
// holds question data: the helper is data-free, the caches are built from
// sample programs, the work dir holds only the submission and its driver,
// and New refuses to start where the service's own executable (which embeds
// the starter questions) lies under a bound directory. A test scans every
// file a box can read for the starter questions' data. What a run reports
// is the caller's to filter: the judge shows a hidden test's verdict, time
// and memory only, and removes the driver's frames and source from stderr
// and compiler messages (package traceback).
//
// # Control groups
//
// Where the machine allows (cgroup v2, or v1's memory, pids and cpuacct
// hierarchies, and the cpu controller if there is one; New detects which
// and logs it), each box has a control group (see package
// internal/cgroups), under a parent "codementor" group beside the
// service's own group, created by the service before the box starts and
// removed after it. The service moves the helper into it while the box starts; every
// program is born in it. (A group per test would mean moving each program
// into it, and after a quiet spell a move waits for an RCU grace period:
// milliseconds per test.) The service sets the memory limit (the question's,
// plus the language's slack, above what the group holds when the limit is
// set: the helper's few MiB), swap included (none), and measures each run by
// difference: CPU
// time (every process and thread, less the helper's own), peak memory (reset
// per run) and OOM kills. pids.max bounds processes and threads. So
// MemoryExceeded is exact (the OOM killer struck) for every language,
// managed runtimes included, a fork bomb stops at the limit, and CPU time
// counts processes the program detached. With the cpu controller each box
// weighs the same (v1 cpu.shares 1024, v2 cpu.weight 100) and is capped
// (cfs quota, cpu.max) at one CPU for runs and two for compilers (javac
// compiles in threads), whatever it forks (with autogroups, each
// setsid would otherwise be a scheduling group of its own), under a parent
// that is an idle group (cpu.idle, Linux 5.15+: scheduled like SCHED_IDLE
// tasks; before 5.15 it weighs half a default group), so that a thread of
// the service that wakes takes a CPU from the boxes at once and boxes share
// what the service leaves. When the host kills a run at its wall limit, the helper first
// reads how long its threads waited, runnable, for a CPU (schedstat): a run
// under its CPU limit that waited half the time it was not running is
// Starved, and the judge runs it again rather than call it out of time.
// Config.DisableCgroups turns them off.
//
// # Memory
//
// Without a memory cgroup the kernel does not say that a program died for
// want of memory; MemoryExceeded is then a heuristic (see
// Program.memoryExceeded; with a memory cgroup the stderr messages count only
// when the run's peak reached half its limit): the runtime said so on
// stderr (MemoryError,
// std::bad_alloc, java.lang.OutOfMemoryError, "JavaScript heap out of
// memory", Rust's "memory allocation of N bytes failed", Mono's
// OutOfMemoryException, Ruby's "failed to allocate memory", PHP's "Allowed
// memory size", Lua's "not enough memory", Bash's "cannot allocate", "Cannot
// allocate memory"), or the program died of SIGSEGV,
// SIGBUS, SIGABRT or SIGKILL with a peak resident size of at least 80% of the
// limit. Without a cgroup the helper also starts programs through a small
// shell that exits at once (then env --default-signal and prlimit(1)), so
// that their ru_maxrss starts from the shell's resident size, not from the
// helper's. A native executable (C, C++, Go, Rust) whose static data do not
// fit in the memory limit is not run: it is reported as over the limit.
//
// # Requirements
//
// bwrap (Debian package bubblewrap), unprivileged user namespaces, util-linux
// (prlimit), coreutils (env) and /bin/sh; every directory above
// Config.WorkDir searchable by others, and Config.WorkDir on a file system
// that allows executables (not mounted noexec); the helper,
// codementor-sandbox-init, beside the service's executable (or
// Config.Helper). Run as root the sandbox runs boxes as uids of their own
// and uses cgroups and a tmpfs for compile output; run as another user, as
// that user, with cgroups only if delegated and compile output bounded per
// file only. New checks all this by running
// /usr/bin/true in a sandbox and returns an error wrapping ErrUnavailable,
// saying what to fix, when it cannot. The languages' toolchains: python3,
// gcc, g++, a JDK (openjdk-17-jdk-headless), Go, node (nodejs), TypeScript
// (npm's typescript and @types/node, global), rustc, kotlin, mono-mcs and
// mono-runtime, ruby, php-cli, perl, lua5.4, bash; a missing one is not
// offered (see Runtimes).
//
// Still open: a driver of an interpreted language (Python, JavaScript, Ruby,
// PHP, Perl, Lua, Bash) is
// readable by the program it runs, as the interpreter must read it: drivers
// must hold no secret. A hidden test's time and memory remain a slow
// channel. The per-uid separation, the tmpfs for compile output and the cpu
// weights need the service to run as root; the cpu weights need the cpu
// controller (with cgroup v2, delegated with memory and pids). This machine
// mounts cgroup v1 with every controller bound to a v1 hierarchy, so the v2
// code paths are not exercised by the suite here.
//
// # Unsafe local mode
//
// Where bwrap is missing or cannot make namespaces (a container without user
// namespaces, a developer's laptop) New fails with ErrUnavailable, unless
// Config.Unsafe is set: it then logs, at level error, that learners'
// programs are NOT isolated, and runs them without bubblewrap. The helper
// starts directly, as the box's uid when the service runs as root, in its own
// session, with the sandbox's empty environment (PATH, HOME and PWD the
// work dir, LANG, and TMPDIR, a temporary directory of the box's own,
// emptied after each run), in the Program's work dir; the sandbox's paths in
// commands (/box, /tmp, /sandbox-init, the caches) become the host's. The
// rlimits and cgroups apply as above, except RLIMIT_NPROC (it counts the uid's
// processes on the whole host: the pids cgroup bounds a box's). With no PID
// namespace the helper cannot kill(-1); it is a child subreaper instead and
// kills and reaps its descendants after each run (and the service kills its
// process group and its cgroup's processes if it dies). Programs see the
// host's files, processes and network, share /tmp, System V IPC and keys
// with the host's processes of their uid, and can signal each other: this mode is for local
// development with trusted code, never for learners.
//
// # Housekeeping
//
// Config.WorkDir may be shared by several processes. It holds one copy per
// helper build (its mtime refreshed hourly while in use),
// the toolchains' caches and the Programs' work dirs; New removes those
// untouched for a day, left by older builds or crashed processes, so a
// Program must not be kept that long. New also removes the cgroups of dead
// processes.
package sandbox
