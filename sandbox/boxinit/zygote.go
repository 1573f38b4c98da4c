package boxinit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A zygote is a language runtime the helper starts once per box (request
// "zygote") and asks, for each run that names it, for a process that runs
// the program from a pristine state: the zygote forks, its child forks the
// run's process and exits, so that the run's process is the helper's child
// like a program the helper starts itself (it waits for it, gets its rusage,
// and reaps what it leaves).
//
// The protocol, on a SOCK_SEQPACKET socket at the zygote's fd 3:
//
//	zygote → helper  "ready"                      once it serves
//	helper → zygote  argv, NUL-separated          with fds stdin, stdout, stderr, go
//	run    → helper  "pid N"                      once it is the helper's child, on its stdio
//	helper                                        sets its rlimits, writes "g" on go
//	run                                           closes every other fd and runs argv's program
//
// The zygote runs none of the learner's code; what it must guarantee (a
// pristine state per run, nothing a run does reaching the zygote or the
// next run) is the language's, in package toolchain. The helper checks after
// every run that the zygote is alive, not stopped, and has the attributes
// (rlimits, priority, scheduling, CPUs, threads) it started with: a run
// of the same uid can signal it or prlimit it, nothing more (it is not
// dumpable, and the seccomp filter forbids ptrace). Otherwise it starts a new
// one before it reports the run.
type zygote struct {
	pid  int
	sock int // our end of its control socket
	// out is the read end of the pipe of its stdout and stderr: what it
	// says, should it fail to start.
	out *os.File
	// key is what it was started with (argv, environment, directory):
	// runs must match it.
	key string
	// threads are its threads when it served.
	threads     int
	fingerprint string
	// reaped says it died and was reaped: its PID is no longer its own.
	reaped bool
}

const (
	// zygoteStartTimeout bounds a zygote's start (a runtime with its
	// modules: tens of milliseconds, seconds on a loaded machine).
	zygoteStartTimeout = 20 * time.Second
	// zygoteForkTimeout bounds the wait for a run's process to say it is
	// ready.
	zygoteForkTimeout = 5 * time.Second
)

// zygoteKey identifies a zygote started with argv, env and dir.
func zygoteKey(argv, env []string, dir string) string {
	return strings.Join(argv, "\x00") + "\x01" + strings.Join(env, "\x00") + "\x01" + dir
}

// startZygote starts the zygote req asks for (Argv, Env, Dir), replacing
// any other, and says why it could not.
func (h *helper) startZygote(req Request) error {
	h.stopZygote()
	if len(req.Argv) == 0 {
		return errors.New("no zygote command")
	}
	dir := req.Dir
	if dir == "" {
		dir = BoxDir
	}
	env := mergeEnv(os.Environ(), req.Env)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("zygote socket: %w", err)
	}
	theirs := os.NewFile(uintptr(fds[1]), "zygote")
	defer theirs.Close()
	// Its stdio is of the kinds a run's is (a memfd, pipes): the runtime
	// sizes its buffers by them once, and the run's replace them.
	stdin, err := emptyMemfd()
	if err != nil {
		unix.Close(fds[0])
		return err
	}
	defer stdin.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		unix.Close(fds[0])
		return fmt.Errorf("zygote pipe: %w", err)
	}
	defer outW.Close()
	pid, err := syscall.ForkExec(req.Argv[0], req.Argv, &syscall.ProcAttr{
		Dir:   dir,
		Env:   env,
		Files: []uintptr{stdin.Fd(), outW.Fd(), outW.Fd(), theirs.Fd()},
	})
	if err != nil {
		unix.Close(fds[0])
		outR.Close()
		return fmt.Errorf("start the zygote %s: %w", req.Argv[0], err)
	}
	z := &zygote{pid: pid, sock: fds[0], out: outR, key: zygoteKey(req.Argv, req.Env, req.Dir)}
	h.zyg, h.zygReq = z, &req
	msg, err := z.recv(zygoteStartTimeout)
	if err != nil || string(msg) != "ready" {
		why := z.said()
		h.stopZygote()
		if err == nil {
			err = fmt.Errorf("it said %q", msg)
		}
		return fmt.Errorf("the zygote did not start: %v%s", err, why)
	}
	if f, err := procStat(pid); err == nil {
		z.threads = numThreads(f)
	}
	z.fingerprint = procFingerprint(pid)
	return nil
}

// emptyMemfd returns an empty sealed memfd.
func emptyMemfd() (*os.File, error) {
	fd, err := unix.MemfdCreate("stdin", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd: %w", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("seal memfd: %w", err)
	}
	return os.NewFile(uintptr(fd), "stdin"), nil
}

// said returns the start of what the zygote wrote on its stdout and
// stderr, for an error message, once it is gone or stopped.
func (z *zygote) said() string {
	_ = z.out.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	buf := make([]byte, 2048)
	n, _ := z.out.Read(buf)
	if n == 0 {
		return ""
	}
	return ": " + strings.TrimSpace(string(buf[:n]))
}

// stopZygote kills the zygote, if any, and reaps it.
func (h *helper) stopZygote() {
	z := h.zyg
	if z == nil {
		return
	}
	h.zyg = nil
	if !z.reaped && z.pid > 1 {
		_ = unix.Kill(z.pid, unix.SIGKILL)
		for {
			_, err := unix.Wait4(z.pid, nil, 0, nil)
			if err != unix.EINTR {
				break
			}
		}
	}
	unix.Close(z.sock)
	z.out.Close()
}

// recv waits up to timeout for a message from the zygote or a run it
// forked.
func (z *zygote) recv(timeout time.Duration) ([]byte, error) {
	deadline := time.Now().Add(timeout)
	buf := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil, errors.New("timed out")
		}
		pfd := []unix.PollFd{{Fd: int32(z.sock), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(left.Milliseconds())+1)
		if err == unix.EINTR || (err == nil && n == 0) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		m, _, err := unix.Recvfrom(z.sock, buf, unix.MSG_DONTWAIT)
		switch {
		case err == unix.EINTR || err == unix.EAGAIN:
			continue
		case err != nil:
			return nil, err
		case m == 0:
			return nil, errors.New("it closed its socket")
		}
		return buf[:m], nil
	}
}

// usable says why the zygote cannot serve req ("" if it can).
func (h *helper) zygoteUnusable(req Request) string {
	z := h.zyg
	switch {
	case z == nil:
		return "no zygote"
	case z.key != zygoteKey(req.Zygote, req.Env, req.Dir):
		return "the zygote was started for another command"
	}
	return ""
}

// fork asks the zygote for a process running req's program on stdio, sets
// its rlimits and lets it go. It returns its PID, a child of ours.
func (h *helper) forkZygote(req Request, stdio []*os.File) (int, error) {
	z := h.zyg
	goR, goW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer goW.Close()
	rights := unix.UnixRights(int(stdio[0].Fd()), int(stdio[1].Fd()), int(stdio[2].Fd()), int(goR.Fd()))
	err = unix.Sendmsg(z.sock, []byte(strings.Join(req.Argv, "\x00")), rights, nil, 0)
	goR.Close()
	if err != nil {
		return 0, fmt.Errorf("send to the zygote: %w", err)
	}
	msg, err := z.recv(zygoteForkTimeout)
	if err != nil {
		return 0, fmt.Errorf("no process from the zygote: %w", err)
	}
	s, ok := strings.CutPrefix(string(msg), "pid ")
	pid, perr := strconv.Atoi(s)
	if !ok || perr != nil || pid <= 1 || pid == z.pid {
		return 0, fmt.Errorf("the zygote said %q", msg)
	}
	// Ours now (its parent, the zygote's child, has exited): nobody but
	// us can reap it, so the PID is its until we do.
	if ppid, err := procPPID(pid); err != nil || ppid != os.Getpid() {
		_ = unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("the zygote's process %d is not ours (parent %d, %v)", pid, ppid, err)
	}
	if req.Rlimits != nil {
		// As a fresh start's, which the program may read: RLIMIT_NPROC
		// counts the zygote's thread too (as it counts the helper's),
		// one process fewer for the program.
		if err := req.Rlimits.apply(pid); err != nil {
			_ = unix.Kill(pid, unix.SIGKILL)
			return 0, err
		}
	}
	if _, err := goW.Write([]byte("g")); err != nil {
		_ = unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("release the zygote's process: %w", err)
	}
	return pid, nil
}

// checkZygote, after a run, says what is wrong with the zygote ("" if
// nothing): gone, stopped, or its attributes changed.
func (h *helper) checkZygote() string {
	z := h.zyg
	if z == nil {
		return ""
	}
	if z.reaped {
		return "it is gone"
	}
	f, err := procStat(z.pid)
	switch {
	case err != nil:
		return "it is gone"
	case f[0][0] != 'S' && f[0][0] != 'R':
		return fmt.Sprintf("it is in state %c", f[0][0])
	case numThreads(f) != z.threads:
		return fmt.Sprintf("it has %d threads, not %d", numThreads(f), z.threads)
	case killedOrStopped(z.pid):
		return "it was sent SIGKILL or SIGSTOP"
	}
	if fp := procFingerprint(z.pid); fp != z.fingerprint {
		return "its attributes changed: " + fp
	}
	return ""
}

// renewZygote replaces a zygote a run killed or changed, or that failed
// to fork it, and says why it had to ("" if it did not). A zygote that
// does not start again is not asked for again: the runs start afresh.
func (h *helper) renewZygote(failed string) string {
	why := failed
	if h.zyg != nil {
		why = h.checkZygote()
	}
	if why == "" || h.zygReq == nil {
		return ""
	}
	req := *h.zygReq
	if err := h.startZygote(req); err != nil {
		h.zygReq = nil
		return why + "; a new one did not start: " + err.Error()
	}
	return why
}

// killedOrStopped says whether pid has SIGKILL or SIGSTOP pending: on its
// way out or to a stop (which a run may send it and return before it
// lands).
func killedOrStopped(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return true
	}
	const mask = 1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1)
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "SigPnd" && name != "ShdPnd") {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(value), 16, 64)
		if err != nil || n&mask != 0 {
			return true
		}
	}
	return false
}

// procStat returns the fields of /proc/<pid>/stat after the command name:
// f[0] is field 3 (state).
func procStat(pid int) ([][]byte, error) {
	return statFields("/proc/" + strconv.Itoa(pid) + "/stat")
}

// statFields returns the fields of a /proc/<pid>/stat file after the
// command name (field 2), which may hold spaces and parentheses: the fields
// that follow start after its last ')'.
func statFields(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, errors.New("bad stat")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return nil, errors.New("bad stat")
	}
	return f, nil
}

func procState(pid int) (byte, error) {
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return f[0][0], nil
}

func procPPID(pid int) (int, error) {
	f, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(f[1]))
}

// numThreads returns the number of threads in the fields of a
// /proc/<pid>/stat (0 if unknown).
func numThreads(f [][]byte) int {
	if len(f) < 18 {
		return 0
	}
	n, _ := strconv.Atoi(string(f[17])) // field 20, num_threads
	return n
}

// procFingerprint describes what another process of our uid could change
// about process pid (0: the helper itself) and its next child: rlimits,
// priority, scheduling policy, CPU affinity.
func procFingerprint(pid int) string {
	var b strings.Builder
	for res := 0; res < 16; res++ {
		var rl unix.Rlimit
		if unix.Prlimit(pid, res, nil, &rl) == nil {
			fmt.Fprintf(&b, "%d:%d/%d ", res, rl.Cur, rl.Max)
		}
	}
	prio, _ := unix.Getpriority(unix.PRIO_PROCESS, pid)
	policy, _, _ := unix.RawSyscall(unix.SYS_SCHED_GETSCHEDULER, uintptr(pid), 0, 0)
	var cpus unix.CPUSet
	_ = unix.SchedGetaffinity(pid, &cpus)
	fmt.Fprintf(&b, "prio %d policy %d cpus %v", prio, policy, cpus)
	return b.String()
}

// otherProcesses returns the processes of the box but the helper and the
// zygote, not counting zombies (those of ours are reaped by the caller).
func (h *helper) otherProcesses() []int {
	var out []int
	for _, pid := range h.runPIDs() {
		if s, err := procState(pid); err == nil && s != 'Z' {
			out = append(out, pid)
		}
	}
	return out
}

// runPIDs returns the processes the runs started: in a sandbox, those of
// its PID namespace but the helper and the zygote; without, our
// descendants but the zygote.
func (h *helper) runPIDs() []int {
	var pids []int
	if h.unsafe {
		pids = descendants()
	} else {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			if pid, err := strconv.Atoi(e.Name()); err == nil && pid != 1 {
				pids = append(pids, pid)
			}
		}
	}
	if h.zyg == nil || h.zyg.reaped {
		return pids
	}
	out := pids[:0]
	for _, pid := range pids {
		if pid != h.zyg.pid {
			out = append(out, pid)
		}
	}
	return out
}
