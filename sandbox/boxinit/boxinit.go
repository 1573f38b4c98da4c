// Package boxinit is the sandbox's helper: the program bubblewrap runs as
// PID 1 of every box, built on its own (cmd/sandbox-init) and bound
// read-only into the box at Path. Everything bound into a box is readable
// by the code in it, so this program holds nothing but itself: no question,
// no configuration, no secret. It imports nothing of the service.
//
// The helper is started with argv
//
//	/sandbox-init serve
//
// and fd 3 one end of a SOCK_SEQPACKET socket pair whose other end the
// service holds. It then runs the programs the service asks for, one at a
// time, for as long as the service keeps the box (a Program's whole life):
// for each Request (JSON, with the program's stdin, stdout and stderr and
// the run's cgroup files passed as SCM_RIGHTS) it starts the program, waits
// for it, kills and reaps whatever it left behind, empties /tmp and the
// System V IPC objects and keyrings the program made, and sends a Report:
// how the program ended (its real signal, which bwrap's own status, 128+n,
// cannot tell from an exit code) and its rusage, without bwrap's or the
// helper's.
//
// The same program is the go command's GOCACHEPROG in Go compilations (see
// gocache.go).
package boxinit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	// BoxDir is the program's work dir inside a box.
	BoxDir = "/box"
	// Path is where the helper is bound inside a box.
	Path = "/sandbox-init"
	// Verb is the helper's argument as PID 1 of a box.
	Verb = "serve"
	// VerbUnsafe runs the helper without a box (Config.Unsafe).
	VerbUnsafe = "serve-unsafe"
	// CtrlFD is the helper's end of the control socket.
	CtrlFD = 3
	// MaxMessage bounds a Request or Report.
	MaxMessage = 64 << 10
	// MaxRequestFD bounds the descriptors passed with a Request.
	MaxRequestFD = 16
	// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on
	// every Linux architecture Go supports.
	clockTicks = 100
	// initIdleExit ends a sandbox nobody asked anything of for that long:
	// a Program the service forgot to Close.
	initIdleExit = 10 * time.Minute
	// maxTmpEntries bounds the cleaning of /tmp after a run: past it the
	// sandbox reports itself dirty and the service discards it.
	maxTmpEntries = 4096
)

// launchScript starts its arguments as a background job and writes the
// job's PID on fd 3. The job waits, before it execs its arguments, until fd 4
// reaches its end: until the helper has reaped the shell and become the job's
// parent, so that no one but the helper can reap the program. The job gets
// the shell's stdin back (a background job's is /dev/null), and neither fd 3
// nor fd 4.
const launchScript = `exec 5<&0
(read x <&4; exec "$@" <&5 5<&- 4<&-) 3>&- &
echo $! >&3`

// Rlimits are the program's resource limits. The helper sets them on the
// program before its first instruction (or, launching through the shell,
// prlimit(1) does), so that neither bwrap nor the helper runs under them.
type Rlimits struct {
	CPUSeconds   int   // soft RLIMIT_CPU (SIGXCPU); the hard one (SIGKILL) is a second more
	AddressSpace int64 // RLIMIT_AS, bytes
	FileSize     int64 // RLIMIT_FSIZE, bytes
	OpenFiles    int   // RLIMIT_NOFILE
	Processes    int   // RLIMIT_NPROC: counted per user namespace, so per sandbox
	Stack        int64 // RLIMIT_STACK, bytes
}

// args returns the prlimit argv prefix applying r.
// Request is a message from the service to the helper.
type Request struct {
	// Op is "run" (start a program), "kill" (kill run ID's processes) or
	// "zygote" (start the zygote Argv, with Env in Dir, for the runs that
	// name it: see zygote.go).
	Op string `json:"op"`
	ID uint64 `json:"id"`
	// Argv and Env (added to the sandbox's environment) of the program.
	Argv []string `json:"argv,omitempty"`
	Env  []string `json:"env,omitempty"`
	// Dir is the program's working directory and Tmp the directory emptied
	// after it; "" for /box and /tmp (in a sandbox).
	Dir string `json:"dir,omitempty"`
	Tmp string `json:"tmp,omitempty"`
	// CPULimitMS: the helper kills the program beyond it (0: no limit).
	CPULimitMS int64 `json:"cpu_limit_ms,omitempty"`
	// Rlimits are applied to the program before it runs its first
	// instruction. Shell launches the program through launchScript
	// instead (Argv then holds prlimit(1) and the limits): slower, but its
	// ru_maxrss starts from the shell's, not from the helper's (needed
	// without a memory cgroup).
	Rlimits *Rlimits `json:"Rlimits,omitempty"`
	Shell   bool     `json:"shell,omitempty"`
	// CPUUsage says that the box's cgroup's CPU usage file is passed after
	// stdin, stdout and stderr: the CPU limit then counts every process
	// and thread of the run.
	CPUUsage bool `json:"cpu_usage,omitempty"`
	// Zygote, if set, is the command of the zygote (started by an earlier
	// "zygote" request with this Env and Dir) that forks the program
	// rather than start it; without one, the program starts as usual and
	// the report says why.
	Zygote []string `json:"zygote,omitempty"`
}

// Report is a message from the helper to the service.
type Report struct {
	// Event is "ready" once the helper serves, "started" once the
	// program runs, "exited" when it and all it left behind are gone,
	// "error" when the helper could not run it.
	Event    string `json:"event"`
	ID       uint64 `json:"id,omitempty"`
	Error    string `json:"error,omitempty"`
	Exited   bool   `json:"exited,omitempty"`
	ExitCode int    `json:"exit_code,omitempty"`
	Signal   int    `json:"signal,omitempty"`
	// CPUKilled says the helper killed the program for going over its CPU
	// limit.
	CPUKilled bool  `json:"cpu_killed,omitempty"`
	UserUS    int64 `json:"user_us,omitempty"`
	SysUS     int64 `json:"sys_us,omitempty"`
	MaxRSSKB  int64 `json:"max_rss_kb,omitempty"`
	WallUS    int64 `json:"wall_us,omitempty"`
	// HelperUS is the helper's own CPU time during the run, which the
	// box's cgroup counts with the program's.
	HelperUS int64 `json:"helper_us,omitempty"`
	// WaitUS, when the service had the run killed (its wall limit), is
	// the longest any of its threads had waited, runnable, for a CPU
	// (schedstat's run_delay): how long the machine starved it, as
	// opposed to a program that sleeps or blocks.
	WaitUS int64 `json:"wait_us,omitempty"`
	// Dirty says the sandbox could not be made clean for the next run
	// (something left in /tmp or in the IPC namespace, or the helper's own
	// attributes changed): the service must not use it again.
	Dirty string `json:"dirty,omitempty"`
	// Forked says a zygote forked the program; Fresh, why it was started
	// afresh although the request named a zygote. ZygoteRenewed says why
	// the zygote was replaced after the run (the run killed it, stopped
	// it or changed its limits).
	Forked        bool   `json:"forked,omitempty"`
	Fresh         string `json:"fresh,omitempty"`
	ZygoteRenewed string `json:"zygote_renewed,omitempty"`
}

// Main runs the helper as args (os.Args) ask and returns its exit code:
//
//	<helper> serve                                     PID 1 of a box
//	<helper> serve-unsafe                              without a box (Config.Unsafe)
//	<helper> codementor-sandbox-gocacheprog RO RW      the go command's GOCACHEPROG
func Main(args []string) int {
	switch {
	case len(args) == 4 && args[1] == GoCacheVerb:
		return goCacheProgMain(args[2], args[3])
	case len(args) == 2 && args[1] == Verb && os.Getpid() == 1:
		return serve(CtrlFD, false)
	case len(args) == 2 && args[1] == VerbUnsafe:
		return serve(CtrlFD, true)
	}
	fmt.Fprintf(os.Stderr, "usage: %s serve | serve-unsafe | %s RO RW\n"+
		"This is CodeMentor's sandbox helper: the sandbox starts it, people do not.\n", filepath.Base(args[0]), GoCacheVerb)
	return 2
}

// helper is the state of the serving helper.
type helper struct {
	ctrl int
	// unsafe says the helper runs without a sandbox (Config.Unsafe): no
	// PID namespace to kill(-1) in, no IPC namespace or keyrings of its own
	// to empty. It is then a child subreaper, and kills and reaps its
	// descendants instead.
	unsafe bool
	// mu guards current, the run under way (0: none), and wait, the
	// longest wait for a CPU of its threads when it was killed.
	mu      sync.Mutex
	current uint64
	wait    time.Duration
	sendMu  sync.Mutex
	// fingerprint is what the program could change of the helper: it is
	// checked after every run.
	fingerprint string
	// dirty says why the last run left the sandbox unfit for another (""
	// if it did not): the cleaning happens after the report, off the
	// run's path, and the next request is refused.
	dirty string
	// zyg is the box's zygote, nil without one (see zygote.go);
	// zygReq, the request that started the last one, to start it again
	// should it fail.
	zyg    *zygote
	zygReq *Request
}

// serve is the helper's main: it serves requests on the control socket
// until the service closes it, and returns the exit code.
func serve(ctrl int, unsafe bool) int {
	h := &helper{ctrl: ctrl, unsafe: unsafe}
	if unsafe {
		// Orphans of the programs become our children, to be killed.
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			h.send(Report{Event: "error", Error: fmt.Sprintf("prctl(PR_SET_CHILD_SUBREAPER): %v", err)})
			return 1
		}
	}
	// Only the control socket may stay open, and it must not reach the
	// programs: bwrap hands us every descriptor it inherited.
	if err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		h.send(Report{Event: "error", Error: fmt.Sprintf("close_range: %v", err)})
		return 1
	}
	// Not dumpable: the programs (same uid) can neither ptrace the helper
	// nor open its descriptors or memory through /proc/1.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		h.send(Report{Event: "error", Error: fmt.Sprintf("prctl(PR_SET_DUMPABLE): %v", err)})
		return 1
	}
	// PID 1 only receives the signals it handles; handle them all and drop
	// them, so that a program cannot kill its reporter with, say, SIGTERM
	// (which the Go runtime would turn into an exit).
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	go func() {
		for range sigs {
		}
	}()
	// The programs are started and released (ptrace) by this thread.
	runtime.LockOSThread()
	h.fingerprint = procFingerprint(0)

	requests := make(chan Request)
	files := make(chan []*os.File)
	go h.read(requests, files)
	h.send(Report{Event: "ready"})
	idle := time.NewTimer(initIdleExit)
	for {
		select {
		case req, ok := <-requests:
			if !ok {
				h.stopZygote()
				return 0 // the service closed the socket
			}
			fs := <-files
			if req.Op == "zygote" {
				closeAll(fs)
				r := Report{Event: "zygote", ID: req.ID}
				if err := h.startZygote(req); err != nil {
					r.Error = err.Error()
				}
				h.send(r)
			} else {
				h.run(req, fs)
			}
			idle.Reset(initIdleExit)
		case <-idle.C:
			h.stopZygote()
			return 0
		}
	}
}

// read receives the service's messages: run requests go to the main loop,
// kill requests are carried out at once.
func (h *helper) read(requests chan<- Request, files chan<- []*os.File) {
	defer close(requests)
	buf := make([]byte, MaxMessage)
	oob := make([]byte, unix.CmsgSpace(4*MaxRequestFD))
	for {
		n, oobn, _, _, err := unix.Recvmsg(h.ctrl, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		var fs []*os.File
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if fds, err := unix.ParseUnixRights(&m); err == nil {
					for _, fd := range fds {
						fs = append(fs, os.NewFile(uintptr(fd), "request"))
					}
				}
			}
		}
		var req Request
		if err := json.Unmarshal(buf[:n], &req); err != nil {
			closeAll(fs)
			h.send(Report{Event: "error", Error: fmt.Sprintf("bad request: %v", err)})
			continue
		}
		switch req.Op {
		case "kill":
			closeAll(fs)
			h.mu.Lock()
			if h.current == req.ID && h.current != 0 {
				h.wait = h.longestWait()
				h.killAll()
			}
			h.mu.Unlock()
		case "run", "zygote":
			requests <- req
			files <- fs
		default:
			closeAll(fs)
		}
	}
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// send writes a report to the service.
func (h *helper) send(r Report) {
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	h.sendMu.Lock()
	defer h.sendMu.Unlock()
	for {
		err := unix.Sendmsg(h.ctrl, b, nil, nil, 0)
		if err != unix.EINTR {
			return
		}
	}
}

// run carries out one run request and reports: it starts the program,
// says so, waits until the program and everything it left are gone, reports
// how it ended, and cleans the box for the next run.
func (h *helper) run(req Request, fs []*os.File) {
	defer closeAll(fs)
	selfStart := selfCPU()
	if h.refuse(req, fs) {
		return
	}
	cpuFD := -1
	if req.CPUUsage {
		cpuFD = int(fs[3].Fd())
	}
	env := mergeEnv(os.Environ(), req.Env)
	h.setCurrent(req.ID)
	defer h.setCurrent(0)
	// The CPU limit counts from here: the group's usage includes the
	// helper's own (a fraction of a millisecond per run).
	cpuBase, _ := readCPUFD(cpuFD)
	var pid int
	var err error
	var forked bool
	fresh, failed := "", ""
	if req.Zygote != nil {
		if fresh = h.zygoteUnusable(req); fresh == "" {
			pid, err = h.forkZygote(req, fs[:3])
			if forked = err == nil; !forked {
				// renewZygote starts another after the run.
				fresh, failed = err.Error(), err.Error()
				h.stopZygote()
				h.killLeftovers()
			}
		}
	}
	if !forked {
		pid, err = startProgram(req, env, fs[:3])
	}
	if err != nil {
		h.killLeftovers()
		h.fail(req.ID, "%v", err)
		return
	}
	start := time.Now()
	// Our copies of the program's stdio must go, so that the service sees
	// the end of its output when the program's processes are gone.
	closeAll(fs[:3])
	h.send(Report{Event: "started", ID: req.ID})

	done := make(chan struct{})
	cpuKilled := make(chan bool, 1)
	go func() { cpuKilled <- watchCPU(pid, req.CPULimitMS, cpuFD, cpuBase, done) }()
	e := waitProgram(pid, start)
	close(done)
	killed := <-cpuKilled
	user, sys, maxRSS := h.killLeftovers()
	r := e.report(req.ID, killed, user, sys, maxRSS)
	r.Forked, r.Fresh = forked, fresh
	// Before the report: the service measures the next run from it, and
	// a new zygote's start must not count in it.
	r.ZygoteRenewed = h.renewZygote(failed)
	r.HelperUS = (selfCPU() - selfStart).Microseconds()
	h.mu.Lock()
	r.WaitUS = h.wait.Microseconds()
	h.mu.Unlock()
	h.send(r)
	tmp := req.Tmp
	if tmp == "" {
		tmp = "/tmp"
	}
	h.dirty = h.clean(tmp)
}

// refuse reports, and says, that the helper cannot run req: the last run
// left the box dirty, or the request is malformed (fs are its descriptors).
func (h *helper) refuse(req Request, fs []*os.File) bool {
	want := 3
	if req.CPUUsage {
		want++
	}
	switch {
	case h.dirty != "":
		h.send(Report{Event: "error", ID: req.ID, Dirty: h.dirty, Error: "the sandbox is dirty: " + h.dirty})
	case len(req.Argv) == 0 || len(fs) != want:
		h.fail(req.ID, "bad run request (%d descriptors)", len(fs))
	default:
		return false
	}
	return true
}

// fail reports that run id failed, and why.
func (h *helper) fail(id uint64, format string, args ...any) {
	h.send(Report{Event: "error", ID: id, Error: fmt.Sprintf(format, args...)})
}

// setCurrent makes id the run under way (0: none), the one a kill request
// may stop; a new run's longest wait for a CPU starts at none.
func (h *helper) setCurrent(id uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.current = id
	if id != 0 {
		h.wait = 0
	}
}

// startProgram starts req's program with env on stdio, in req's directory
// (BoxDir by default): through the shell, or directly (see launchShell and
// launchDirect). It returns its PID.
func startProgram(req Request, env []string, stdio []*os.File) (int, error) {
	dir := req.Dir
	if dir == "" {
		dir = BoxDir
	}
	if req.Shell {
		return launchShell(req.Argv, env, dir, stdio)
	}
	return launchDirect(req.Argv, env, dir, stdio, req.Rlimits)
}

// ending is how a program ended, as wait4 said, and how long it ran since
// it started.
type ending struct {
	ws   unix.WaitStatus
	ru   unix.Rusage
	err  error
	wall time.Duration
}

// waitProgram waits until the program pid, started at start, has ended.
func waitProgram(pid int, start time.Time) ending {
	var e ending
	for {
		_, e.err = unix.Wait4(pid, &e.ws, 0, &e.ru)
		if e.err == nil && e.ws.Stopped() {
			// The program made us its tracer (PTRACE_TRACEME, which
			// the seccomp filter lets through for our own use) and
			// stopped: it gets no further.
			_ = unix.Kill(pid, unix.SIGKILL)
			continue
		}
		if e.err != unix.EINTR {
			break
		}
	}
	e.wall = time.Since(start)
	return e
}

// report returns the report of run id that ended as e: cpuKilled says the
// helper killed it past its CPU limit; user, sys and maxRSS are what the
// processes it left behind took.
func (e ending) report(id uint64, cpuKilled bool, user, sys, maxRSS int64) Report {
	r := Report{
		Event:     "exited",
		ID:        id,
		CPUKilled: cpuKilled,
		UserUS:    e.ru.Utime.Sec*1e6 + e.ru.Utime.Usec + user,
		SysUS:     e.ru.Stime.Sec*1e6 + e.ru.Stime.Usec + sys,
		MaxRSSKB:  max(e.ru.Maxrss, maxRSS),
		WallUS:    e.wall.Microseconds(),
	}
	switch {
	case e.err != nil:
		r.Error = fmt.Sprintf("wait for the program: %v", e.err)
		r.Signal = int(unix.SIGKILL)
	case e.ws.Exited():
		r.Exited, r.ExitCode = true, e.ws.ExitStatus()
	case e.ws.Signaled():
		r.Signal = int(e.ws.Signal())
	}
	return r
}

// selfCPU returns the CPU time of the helper (all its threads) so far.
func selfCPU() time.Duration {
	var ru unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mergeEnv returns base with the variables of extra added or replaced.
func mergeEnv(base, extra []string) []string {
	out := make([]string, 0, len(base)+len(extra))
	keys := map[string]int{}
	for _, kv := range append(append([]string{}, base...), extra...) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := keys[k]; ok {
			out[i] = kv
			continue
		}
		keys[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// launchDirect starts argv under ptrace, which stops it right after its
// exec, before its first instruction: its rlimits are then set, and it is
// let go. It is a child of the helper (this thread's: the ptrace calls must
// come from it), born in the box's cgroup.
func launchDirect(argv, env []string, dir string, stdio []*os.File, rl *Rlimits) (int, error) {
	pid, err := syscall.ForkExec(argv[0], argv, &syscall.ProcAttr{
		Dir:   dir,
		Env:   env,
		Files: []uintptr{stdio[0].Fd(), stdio[1].Fd(), stdio[2].Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", argv[0], err)
	}
	var ws unix.WaitStatus
	for {
		_, err = unix.Wait4(pid, &ws, unix.WALL, nil)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil || !ws.Stopped() {
		return 0, fmt.Errorf("start %s: not stopped after exec (%v, status %#x)", argv[0], err, uint32(ws))
	}
	fail := func(err error) (int, error) {
		_ = unix.Kill(pid, unix.SIGKILL)
		_ = unix.PtraceDetach(pid)
		return 0, err
	}
	if rl != nil {
		if err := rl.apply(pid); err != nil {
			return fail(err)
		}
	}
	if err := unix.PtraceDetach(pid); err != nil {
		return fail(fmt.Errorf("release %s: %w", argv[0], err))
	}
	return pid, nil
}

// launchShell starts argv (prlimit and the program) through a small shell
// in the background, and the shell exits at once: the program is
// reparented to us (PID 1), and we wait for it ourselves. Started by this
// process directly, it would carry our own resident size (the Go runtime's,
// recorded when the vforked child execs) as the floor of its ru_maxrss;
// forked from a shell, it carries the shell's, well under a MiB. env resets
// the signals the shell ignores in background jobs (SIGINT, SIGQUIT).
func launchShell(argv, env []string, dir string, stdio []*os.File) (int, error) {
	pidR, pidW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer pidR.Close()
	goR, goW, err := os.Pipe()
	if err != nil {
		pidW.Close()
		return 0, err
	}
	defer goW.Close()
	shell := append([]string{"/bin/sh", "-c", launchScript, "sh", "/usr/bin/env", "--default-signal"}, argv...)
	cmd := exec.Command(shell[0], shell[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio[0], stdio[1], stdio[2]
	cmd.ExtraFiles = []*os.File{pidW, goR} // fds 3 and 4
	err = cmd.Start()
	pidW.Close()
	goR.Close()
	if err != nil {
		return 0, fmt.Errorf("start %s: %w", shell[0], err)
	}
	out, err := io.ReadAll(io.LimitReader(pidR, 64))
	_ = cmd.Wait() // the job, blocked on fd 4, is ours now
	pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || perr != nil || pid <= 1 {
		return 0, fmt.Errorf("launch %s: no pid (%q, %v, %v, shell %v)", argv[0], out, err, perr, cmd.ProcessState)
	}
	return pid, nil // goW closes: go
}

// apply sets r on process pid (which runs as our uid).
func (r *Rlimits) apply(pid int) error {
	set := func(res int, cur, max uint64) error {
		if err := unix.Prlimit(pid, res, &unix.Rlimit{Cur: cur, Max: max}, nil); err != nil {
			return fmt.Errorf("prlimit %d: %w", res, err)
		}
		return nil
	}
	for _, l := range []struct {
		res      int
		cur, max uint64
	}{
		{unix.RLIMIT_CPU, uint64(r.CPUSeconds), uint64(r.CPUSeconds + 1)},
		{unix.RLIMIT_AS, uint64(r.AddressSpace), uint64(r.AddressSpace)},
		{unix.RLIMIT_FSIZE, uint64(r.FileSize), uint64(r.FileSize)},
		{unix.RLIMIT_NOFILE, uint64(r.OpenFiles), uint64(r.OpenFiles)},
		{unix.RLIMIT_NPROC, uint64(r.Processes), uint64(r.Processes)},
		{unix.RLIMIT_CORE, 0, 0},
		{unix.RLIMIT_STACK, uint64(r.Stack), uint64(r.Stack)},
		{unix.RLIMIT_MSGQUEUE, 0, 0},
	} {
		if err := set(l.res, l.cur, l.max); err != nil {
			return err
		}
	}
	return nil
}

// readCPUFD reads a cgroup's CPU usage file (-1: none).
func readCPUFD(fd int) (time.Duration, bool) {
	if fd < 0 {
		return 0, false
	}
	buf := make([]byte, 4096)
	n, err := unix.Pread(fd, buf, 0)
	if err != nil {
		return 0, false
	}
	return CgroupCPUUsage(buf[:n])
}

// watchCPU polls the CPU time of the program and kills it once it is over
// limitMS, so that a busy loop stops at the time limit rather than at
// RLIMIT_CPU's whole-second margin. It returns whether it killed the
// program. With a control group (cpuFD >= 0, its CPU usage file, which read
// cpuBase when the run began) it counts every process and thread of the
// run; without, the program's threads and the children it reaped, and
// processes left running on their own are bounded by RLIMIT_CPU and the wall
// limit instead.
func watchCPU(pid int, limitMS int64, cpuFD int, cpuBase time.Duration, done <-chan struct{}) bool {
	if limitMS <= 0 {
		return false
	}
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	selfBase := selfCPU()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return false
		case <-t.C:
		}
		var ms int64
		var ok bool
		if cpuFD >= 0 {
			// The group's, less what the helper itself used meanwhile.
			var d time.Duration
			d, ok = readCPUFD(cpuFD)
			ms = (d - cpuBase - (selfCPU() - selfBase)).Milliseconds()
		} else {
			ms, ok = procCPUMS(path)
		}
		if ok && ms > limitMS {
			// Not yet reaped (we are its only reaper): pid is still ours.
			_ = unix.Kill(pid, unix.SIGKILL)
			return true
		}
	}
}

// procCPUMS returns utime+stime+cutime+cstime of a /proc/<pid>/stat file, in
// milliseconds.
func procCPUMS(path string) (int64, bool) {
	f, err := statFields(path)
	// f[0] is field 3 (state); utime..cstime are fields 14..17.
	if err != nil || len(f) < 15 {
		return 0, false
	}
	var ticks int64
	for _, s := range f[11:15] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return ticks * 1000 / clockTicks, true
}

// inSandbox reports whether this process may kill(-1): only as PID 1 and not
// root, so that it can never run on a host.
func inSandbox() bool {
	return os.Getpid() == 1 && os.Getuid() != 0 && os.Geteuid() != 0
}

// killAll kills every process the programs started: in a sandbox, every
// other process of its PID namespace (kill(-1) from PID 1 only reaches
// those); without, our descendants.
func (h *helper) killAll() {
	switch {
	case h.unsafe:
		for _, pid := range h.runPIDs() {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	case inSandbox() && h.zyg != nil:
		// Everything but the zygote.
		for _, pid := range h.otherProcesses() {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	case inSandbox():
		_ = unix.Kill(-1, unix.SIGKILL)
	}
}

// killLeftovers kills every process the programs left (background
// children, daemons) and reaps them, returning their CPU time in
// microseconds and their largest peak resident size in KiB.
func (h *helper) killLeftovers() (userUS, sysUS, maxRSSKB int64) {
	if !h.unsafe && !inSandbox() {
		return 0, 0, 0
	}
	for {
		h.killAll()
		var ws unix.WaitStatus
		var ru unix.Rusage
		flags := unix.WALL
		if h.zyg != nil {
			// The zygote lives on: wait for the others only.
			flags |= unix.WNOHANG
		}
		pid, err := unix.Wait4(-1, &ws, flags, &ru)
		switch {
		case err == nil && pid > 0 && h.zyg != nil && !h.zyg.reaped && pid == h.zyg.pid:
			// The run killed the zygote: renewZygote replaces it.
			h.zyg.reaped = true
		case err == nil && pid > 0:
			userUS += ru.Utime.Sec*1e6 + ru.Utime.Usec
			sysUS += ru.Stime.Sec*1e6 + ru.Stime.Usec
			maxRSSKB = max(maxRSSKB, ru.Maxrss)
		case err == nil: // WNOHANG: none to reap now
			if len(h.otherProcesses()) == 0 {
				return userUS, sysUS, maxRSSKB
			}
			time.Sleep(100 * time.Microsecond)
		case err == unix.EINTR:
		default: // ECHILD: none left
			return userUS, sysUS, maxRSSKB
		}
	}
}

// descendants returns the PIDs of this process's descendants (as a child
// subreaper, every process the programs started and left is one), from
// /proc/<pid>/task/<tid>/children.
func descendants() []int {
	var out []int
	queue := []int{os.Getpid()}
	for len(queue) > 0 && len(out) < 1<<16 {
		pid := queue[0]
		queue = queue[1:]
		tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		if err != nil {
			continue
		}
		for _, t := range tasks {
			b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/children")
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}

// longestWait returns the longest time any thread of the run's processes
// waited, runnable, for a CPU since it started (/proc/<pid>/task/<tid>/
// schedstat: on-CPU ns, run-queue wait ns, slices). Threads are the run's
// own: each run's processes are new.
func (h *helper) longestWait() time.Duration {
	var longest int64
	for _, pid := range h.runPIDs() {
		dir := "/proc/" + strconv.Itoa(pid) + "/task"
		tasks, _ := os.ReadDir(dir)
		for _, t := range tasks {
			b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
			if err != nil {
				continue
			}
			if f := strings.Fields(string(b)); len(f) >= 2 {
				if ns, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					longest = max(longest, ns)
				}
			}
		}
	}
	return time.Duration(longest)
}

// clean removes what the last run left in the sandbox for the next one to
// find, and says what it could not: files in tmp, System V IPC objects,
// keys; and changes to the helper's own limits, priority or CPUs, which the
// next program would inherit. Without a sandbox, the IPC objects and keys
// of the uid are the host's, shared with others: they are left alone.
func (h *helper) clean(tmp string) string {
	var problems []string
	if err := cleanDir(tmp, maxTmpEntries); err != nil {
		problems = append(problems, err.Error())
	}
	if fp := procFingerprint(0); fp != h.fingerprint {
		problems = append(problems, "the helper's attributes changed: "+fp)
	}
	if h.unsafe {
		return strings.Join(problems, "; ")
	}
	if err := cleanIPC(); err != nil {
		problems = append(problems, err.Error())
	}
	for _, ring := range []int{unix.KEY_SPEC_USER_KEYRING, unix.KEY_SPEC_USER_SESSION_KEYRING} {
		// Only if it exists (the common case: it does not).
		if id, err := unix.KeyctlGetKeyringID(ring, false); err == nil {
			if _, err := unix.KeyctlInt(unix.KEYCTL_CLEAR, id, 0, 0, 0); err != nil {
				problems = append(problems, fmt.Sprintf("clear keyring %d: %v", ring, err))
			}
		}
	}
	return strings.Join(problems, "; ")
}

// cleanDir empties dir, at most limit entries deep and wide in all.
func cleanDir(dir string, limit int) error {
	n := 0
	var rm func(path string) error
	rm = func(path string) error {
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if n++; n > limit {
				return fmt.Errorf("more than %d entries in %s", limit, dir)
			}
			p := filepath.Join(path, e.Name())
			if e.IsDir() { // not a link: ReadDir does not follow them
				_ = os.Chmod(p, 0o700)
				if err := rm(p); err != nil {
					return err
				}
			}
			if err := os.Remove(p); err != nil {
				return err
			}
		}
		return nil
	}
	if err := rm(dir); err != nil {
		return fmt.Errorf("clean %s: %w", dir, err)
	}
	return nil
}

// cleanIPC removes the System V shared memory segments, semaphore sets and
// message queues of the sandbox's IPC namespace. (POSIX message queues
// cannot be made: RLIMIT_MSGQUEUE is 0.)
func cleanIPC() error {
	if ipcCount() == 0 {
		return nil // the usual case, in three system calls
	}
	var errs []error
	for _, kind := range []struct {
		file string
		rm   func(id int) error
	}{
		{"shm", func(id int) error { _, err := unix.SysvShmCtl(id, unix.IPC_RMID, nil); return err }},
		{"sem", func(id int) error { return ipcRemove(unix.SYS_SEMCTL, id) }},
		{"msg", func(id int) error { return ipcRemove(unix.SYS_MSGCTL, id) }},
	} {
		b, err := os.ReadFile("/proc/sysvipc/" + kind.file)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for _, line := range lines[1:] { // a header, then key id ...
			f := strings.Fields(line)
			if len(f) < 2 {
				continue
			}
			id, err := strconv.Atoi(f[1])
			if err == nil {
				err = kind.rm(id)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("remove %s %s: %w", kind.file, f[1], err))
			}
		}
	}
	if n := ipcCount(); n != 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%d System V IPC objects remain", n))
	}
	return errors.Join(errs...)
}

// ipcCount returns the number of System V IPC objects of the namespace (-1
// if it cannot tell): the used_ids of SHM_INFO, the semusz of SEM_INFO, the
// msgpool of MSG_INFO.
func ipcCount() int {
	const shmInfo, semInfo, msgInfo = 14, 19, 12
	var buf [128]byte // struct shm_info, seminfo, msginfo: all smaller
	n := 0
	// SHM_INFO returns the highest index, and fills used_ids (first int).
	if _, _, e := unix.Syscall(unix.SYS_SHMCTL, 0, shmInfo, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		return -1
	}
	n += int(*(*int32)(unsafe.Pointer(&buf[0])))
	// SEM_INFO: semusz (the eighth int) is the number of sets.
	if _, _, e := unix.Syscall6(unix.SYS_SEMCTL, 0, 0, semInfo, uintptr(unsafe.Pointer(&buf[0])), 0, 0); e != 0 {
		return -1
	}
	n += int(*(*int32)(unsafe.Pointer(&buf[28])))
	// MSG_INFO: msgpool (the first int) is the number of queues.
	if _, _, e := unix.Syscall(unix.SYS_MSGCTL, 0, msgInfo, uintptr(unsafe.Pointer(&buf[0]))); e != 0 {
		return -1
	}
	n += int(*(*int32)(unsafe.Pointer(&buf[0])))
	return n
}

func ipcRemove(call uintptr, id int) error {
	var err error
	if call == unix.SYS_SEMCTL {
		_, _, e := unix.Syscall6(call, uintptr(id), 0, uintptr(unix.IPC_RMID), 0, 0, 0)
		if e != 0 {
			err = e
		}
	} else {
		_, _, e := unix.Syscall(call, uintptr(id), uintptr(unix.IPC_RMID), 0)
		if e != 0 {
			err = e
		}
	}
	return err
}

// CgroupCPUUsage parses a CPU usage file the helper polls: cpuacct.usage (v1,
// nanoseconds) or cpu.stat (v2, usage_usec).
func CgroupCPUUsage(b []byte) (time.Duration, bool) {
	if rest, ok := bytes.CutPrefix(b, []byte("usage_usec ")); ok {
		line, _, _ := bytes.Cut(rest, []byte("\n"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 10, 64)
		return time.Duration(n) * time.Microsecond, err == nil
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64)
	return time.Duration(n), err == nil
}
