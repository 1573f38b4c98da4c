// Package sandbox compiles and runs learners' programs — hostile code — in
// bubblewrap (bwrap), under resource limits.
//
// # Use
//
//	sb, err := sandbox.New(sandbox.Config{WorkDir: dataDir + "/sandbox"}, log)
//	p, err := sb.Compile(ctx, "cpp", code) // *CompileError if it does not compile
//	defer p.Close()
//	e, err := p.Run(ctx, input, sandbox.Limits{CPUTime: 2 * time.Second, MemoryMB: 256})
//
// Run's error is an internal fault (or ctx's); the program's own failures are
// in the Execution: exit code, signal, CPU and wall time, peak memory, and
// the TimedOut, MemoryExceeded and OutputExceeded flags. A Sandbox and its
// Programs are safe for concurrent use.
//
// # Languages
//
// languages.go holds the language table: per language, the source file
// name, the compiler's and the program's argv, the files whose presence
// means the toolchain is installed, extra read-only binds and the address
// space slack of its runtime. Python has a "compile" step too: a syntax
// check, so that a syntax error is a compile error rather than a runtime
// error on every test. Languages lists the entries whose toolchain exists.
//
// # Process tree
//
//	service (root)
//	└─ bwrap                                  started as host uid 65534 (nobody)
//	   └─ /sandbox-init  PID 1 of the sandbox  a copy of the service's own executable
//	      ├─ sh -c '(...) &'                   exits at once; its job is reparented to PID 1
//	      └─ job → env --default-signal → prlimit --cpu --as ... → program  (execs, one process)
//
// bwrap runs as nobody, not as root: bwrap started by root maps to host root
// with every capability. It creates new user, PID, mount, network, IPC, UTS
// and cgroup namespaces (--unshare-all), forbids further user namespaces
// (--disable-userns), drops all capabilities, starts a new session (no
// TIOCSTI on the service's terminal), and dies with its parent. The
// environment is cleared to PATH, HOME=/box, LANG=C.UTF-8 (and PWD, set by
// bwrap). The file system is a read-only tmpfs root holding read-only binds
// of /usr, the /bin, /lib... links or directories as the host has them,
// /etc/ld.so.cache and /etc/alternatives — not /, /root, /work or the host's
// /tmp — plus a new /proc for the PID namespace, a minimal /dev (remounted
// read-only, so the program cannot fill it), a size-limited /tmp tmpfs (16
// MiB for runs), and the work directory at /box: read-write for the
// compiler, read-only for runs. The network namespace has only a down
// loopback: no network at all.
//
// The work directory of a Program is created root-owned under
// Config.WorkDir, handed to nobody for the compilation, and given back to
// root (0755) before any run: the program can read its executable but write
// nothing there. Close removes it with os.RemoveAll, which does not follow
// links the program may have planted; the service never otherwise reads or
// writes in it after untrusted code ran (it reads the compiler's executable
// once, with O_NOFOLLOW, to size its static data).
//
// # The helper
//
// bwrap's own report of a run is poor: it turns a death by signal n into exit
// status 128+n, and the rusage of bwrap includes bwrap. So bwrap runs, as
// PID 1 of the sandbox (--as-pid-1), a small helper: the service's own
// executable, copied once into Config.WorkDir (the original may live in a
// directory nobody cannot reach) and recognised by its argv in this package's
// init function, which runs the helper and exits before the service's main.
// The helper
//
//   - closes (CLOEXEC) every descriptor but stdin, stdout, stderr, so that
//     the program inherits nothing else;
//   - makes itself non-dumpable, so that the program (same uid) can neither
//     ptrace it nor open /proc/1/fd or /proc/1/mem, and handles and drops
//     every signal, so that the program cannot kill it (PID 1 of a PID
//     namespace only receives the signals it handles);
//   - starts the program through a shell's background job: the shell exits
//     at once, the job is reparented to the helper, and only then (a pipe
//     tells it) execs the program, which the helper alone can wait for with
//     wait4. The program's ru_maxrss then starts from the shell's tiny
//     resident size, not from the Go runtime's (a vforked child records its
//     parent's resident size when it execs). env resets the signals the
//     shell ignores in background jobs;
//   - polls the program's CPU time in /proc every 10 ms and kills it past
//     the CPU limit, so that a busy loop stops at the limit rather than at
//     RLIMIT_CPU's whole-second margin;
//   - when the program has exited, kills (kill(-1) from PID 1 reaches only
//     the sandbox) and reaps everything it left behind, adding their CPU time
//     and peak memory;
//   - writes a JSON report (exit code or signal, user and system time, peak
//     resident size, wall time) on a pipe only it holds, and exits; the
//     kernel tears the PID namespace down with it.
//
// # Limits
//
// prlimit(1) sets the program's rlimits, so that bwrap and the helper do not
// run under them: RLIMIT_CPU (ceil(CPUTime)+1 s soft, one more second hard),
// RLIMIT_AS (MemoryMB plus the language's slack), RLIMIT_FSIZE 16 MiB,
// RLIMIT_NOFILE 64, RLIMIT_NPROC 64, RLIMIT_CORE 0 and RLIMIT_STACK
// min(MemoryMB, 64 MiB). RLIMIT_NPROC is counted per user namespace, hence
// per sandbox, although every sandbox runs as the same host uid (and it
// counts the helper's few threads). The wall limit is always on: a host timer
// kills the helper through a pidfd, the kernel kills the rest of the PID
// namespace before letting PID 1 die, and bwrap, which waits for PID 1,
// exits after that — so when Run returns nothing of the program is alive.
// Cancelling ctx does the same. stdout is read through a pipe with a cap:
// past it the run is killed and OutputExceeded set. stderr keeps its first 3
// KiB and its last 1 KiB. stdin is a sealed memfd: the program can neither
// change it nor block the service by not reading it.
//
// Compilation runs the same way with its own limits: 20 s of CPU, 30 s wall,
// 1 GiB of address space (g++ with bits/stdc++.h needs about 200 MiB), a 128
// MiB /tmp, compiler messages kept up to 8 KiB.
//
// # Memory
//
// Without a memory cgroup the kernel does not say that a program died for
// want of memory; MemoryExceeded is a heuristic (see
// Program.memoryExceeded): the runtime said so on stderr (MemoryError,
// std::bad_alloc, "Cannot allocate memory"), or a native executable's static
// data do not fit in the address-space limit (the kernel kills it in exec
// with SIGSEGV), or the program died of SIGSEGV, SIGBUS, SIGABRT or SIGKILL
// with a peak resident size of at least 80% of the limit. A C program whose
// single huge malloc fails and which then dereferences NULL is reported as a
// segmentation fault, not as a memory failure.
//
// # Requirements
//
// bwrap (Debian package bubblewrap), unprivileged user namespaces, util-linux
// (prlimit), coreutils (env) and /bin/sh; every directory above
// Config.WorkDir searchable by others, and Config.WorkDir on a file system
// that allows executables (not mounted noexec). Run as root the sandbox runs as nobody
// (uid 65534); run as another user, as that user. New checks all this by
// running /usr/bin/true in a sandbox and returns an error wrapping
// ErrUnavailable, saying what to fix, when it cannot.
//
// Not yet: cgroups (exact memory accounting, a pids limit, CPU accounting of
// detached processes), seccomp, one host uid per concurrent sandbox.
//
// # Housekeeping
//
// Config.WorkDir may be shared by several processes. It holds one helper
// copy per build of the service (its mtime refreshed hourly while in use) and
// the Programs' work dirs; New removes those untouched for a day, left by
// older builds or crashed processes, so a Program must not be kept that long.
package sandbox
