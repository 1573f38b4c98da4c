package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The in-sandbox helper. bwrap runs a copy of the host's own executable as
// PID 1 of the sandbox (--as-pid-1), with argv
//
//	/sandbox-init run <cpu-limit-ms> <prlimit argv...> <program argv...>
//
// The package's init function recognises that argv (and PID 1) and runs
// initMain instead of the host program's main. The helper starts the program
// (through a shell that exits at once, see initMain), waits for it, kills and
// reaps whatever it left behind, and reports on fd 3 (JSON lines, see
// initReport) how the program ended — its real signal, which bwrap's own
// status (128+n) cannot tell from an exit code, and the rusage of the
// processes the program ran, without bwrap's, the helper's or the shell's.

// launchScript starts its arguments as a background job and writes the
// job's PID on fd 3. The job waits, before it execs its arguments, until fd 4
// reaches its end: until the helper has reaped the shell and become the job's
// parent, so that no one but the helper can reap the program. The job gets
// the shell's stdin back (a background job's is /dev/null), and neither fd 3
// nor fd 4.
const launchScript = `exec 5<&0
(read x <&4; exec "$@" <&5 5<&- 4<&-) 3>&- &
echo $! >&3`

const (
	initPath     = "/sandbox-init" // where the helper is bound inside the box
	initVerb     = "run"
	initStatusFD = 3
	// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on
	// every Linux architecture Go supports.
	clockTicks = 100
)

// initReport is one line the helper writes on its status descriptor.
type initReport struct {
	// Event is "started" once the program runs, "exited" when it and all
	// it left behind are gone, "error" when the helper could not start it.
	Event    string `json:"event"`
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
}

func init() {
	if len(os.Args) >= 4 && os.Args[0] == initPath && os.Args[1] == initVerb && os.Getpid() == 1 {
		// Straight to exit_group: os.Exit would first run the race
		// detector's exit hook, which sleeps a second in -race builds.
		unix.Exit(initMain(os.Args[2], os.Args[3:]))
	}
}

// initMain is the helper's main: it runs argv, reports, and returns the
// helper's exit code.
func initMain(cpuLimitArg string, argv []string) int {
	status := os.NewFile(initStatusFD, "status")
	enc := json.NewEncoder(status)
	fail := func(format string, args ...any) int {
		_ = enc.Encode(initReport{Event: "error", Error: fmt.Sprintf(format, args...)})
		return 1
	}
	// Only stdin, stdout and stderr may reach the program: bwrap hands us
	// every descriptor it inherited, the status pipe among them.
	if err := unix.CloseRange(3, math.MaxUint32, unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fail("close_range: %v", err)
	}
	// Not dumpable: the program (same uid) can neither ptrace the helper nor
	// open its descriptors or memory through /proc/1.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fail("prctl(PR_SET_DUMPABLE): %v", err)
	}
	// PID 1 only receives the signals it handles; handle them all and drop
	// them, so that the program cannot kill its reporter with, say, SIGTERM
	// (which the Go runtime would turn into an exit).
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	go func() {
		for range sigs {
		}
	}()
	cpuLimitMS, err := strconv.ParseInt(cpuLimitArg, 10, 64)
	if err != nil {
		return fail("bad CPU limit %q: %v", cpuLimitArg, err)
	}

	// The program is started by a small shell in the background, and the
	// shell exits at once: the program is reparented to us (PID 1), and we
	// wait for it ourselves. Started by this process directly, it would
	// carry our own resident size (the Go runtime's, recorded when the
	// vforked child execs) as the floor of its ru_maxrss; forked from a
	// shell, it carries the shell's, well under a MiB. env resets the
	// signals the shell ignores in background jobs (SIGINT, SIGQUIT).
	pidR, pidW, err := os.Pipe()
	if err != nil {
		return fail("pipe: %v", err)
	}
	goR, goW, err := os.Pipe()
	if err != nil {
		return fail("pipe: %v", err)
	}
	shell := append([]string{"/bin/sh", "-c", launchScript, "sh", "/usr/bin/env", "--default-signal"}, argv...)
	cmd := exec.Command(shell[0], shell[1:]...)
	cmd.Env = os.Environ()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{pidW, goR} // fds 3 and 4
	if err := cmd.Start(); err != nil {
		return fail("start %s: %v", shell[0], err)
	}
	pidW.Close()
	goR.Close()
	out, err := io.ReadAll(io.LimitReader(pidR, 64))
	pidR.Close()
	_ = cmd.Wait() // the job, blocked on fd 4, is ours now
	pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || perr != nil || pid <= 1 {
		return fail("launch %s: no pid (%q, %v, %v, shell %v)", argv[0], out, err, perr, cmd.ProcessState)
	}
	start := time.Now()
	goW.Close() // go
	_ = enc.Encode(initReport{Event: "started"})

	done := make(chan struct{})
	cpuKilled := make(chan bool, 1)
	go func() { cpuKilled <- watchCPU(pid, cpuLimitMS, done) }()
	var ws unix.WaitStatus
	var ru unix.Rusage
	for {
		_, err = unix.Wait4(pid, &ws, 0, &ru)
		if err != unix.EINTR {
			break
		}
	}
	wall := time.Since(start)
	close(done)
	killed := <-cpuKilled
	if err != nil {
		return fail("wait for the program: %v", err)
	}
	user, sys, maxRSS := killLeftovers()
	r := initReport{
		Event:     "exited",
		CPUKilled: killed,
		UserUS:    ru.Utime.Sec*1e6 + ru.Utime.Usec + user,
		SysUS:     ru.Stime.Sec*1e6 + ru.Stime.Usec + sys,
		MaxRSSKB:  max(ru.Maxrss, maxRSS),
		WallUS:    wall.Microseconds(),
	}
	switch {
	case ws.Exited():
		r.Exited, r.ExitCode = true, ws.ExitStatus()
	case ws.Signaled():
		r.Signal = int(ws.Signal())
	}
	if err := enc.Encode(r); err != nil {
		return 1
	}
	return 0
}

// watchCPU polls the CPU time of the program (its threads and the children
// it reaped) and kills it once it is over limitMS, so that a busy loop stops
// at the time limit rather than at RLIMIT_CPU's whole-second margin. It
// returns whether it killed the program. Processes the program left running
// on their own are bounded by RLIMIT_CPU and the wall limit instead.
func watchCPU(pid int, limitMS int64, done <-chan struct{}) bool {
	if limitMS <= 0 {
		return false
	}
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return false
		case <-t.C:
		}
		ms, ok := procCPUMS(path)
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
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields that follow start after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); utime..cstime are fields 14..17.
	if len(f) < 15 {
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

// killLeftovers kills every other process of the sandbox's PID namespace
// (background children, daemons the program left) and reaps them, returning
// their CPU time in microseconds and their largest peak resident size in
// KiB. kill(-1) from PID 1 only reaches the processes of its own PID
// namespace; it is refused unless this process is PID 1 and not root, so
// that it can never run on a host.
func killLeftovers() (userUS, sysUS, maxRSSKB int64) {
	if os.Getpid() != 1 || os.Getuid() == 0 || os.Geteuid() == 0 {
		return 0, 0, 0
	}
	for {
		_ = unix.Kill(-1, unix.SIGKILL)
		var ws unix.WaitStatus
		var ru unix.Rusage
		_, err := unix.Wait4(-1, &ws, 0, &ru)
		switch err {
		case nil:
			userUS += ru.Utime.Sec*1e6 + ru.Utime.Usec
			sysUS += ru.Stime.Sec*1e6 + ru.Stime.Usec
			maxRSSKB = max(maxRSSKB, ru.Maxrss)
		case unix.EINTR:
		default: // ECHILD: none left
			return userUS, sysUS, maxRSSKB
		}
	}
}
