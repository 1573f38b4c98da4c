package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The host side of one sandboxed process: bwrap's argv, its descriptors, the
// kill switch, and the collection of what happened.

const (
	// sandboxUID and sandboxGID are the host identity bwrap runs as when
	// the service runs as root (nobody/nogroup): never host root.
	sandboxUID = 65534
	sandboxGID = 65534
	// boxDir is where the work dir appears inside the sandbox.
	boxDir = "/box"
	// infoFD is bwrap's --info-fd, which tells the helper's host PID; the
	// helper's status pipe is initStatusFD.
	infoFD = 4
	// helperGrace bounds the waits for the helper to die after bwrap exits,
	// and for the output pipes to reach their end.
	helperGrace = 5 * time.Second
)

// rlimits are the program's resource limits, set by prlimit(1) between the
// helper and the program, so that neither bwrap nor the helper runs under
// them.
type rlimits struct {
	CPUSeconds   int   // soft RLIMIT_CPU (SIGXCPU); the hard one (SIGKILL) is a second more
	AddressSpace int64 // RLIMIT_AS, bytes
	FileSize     int64 // RLIMIT_FSIZE, bytes
	OpenFiles    int   // RLIMIT_NOFILE
	Processes    int   // RLIMIT_NPROC: counted per user namespace, so per sandbox
	Stack        int64 // RLIMIT_STACK, bytes
}

// args returns the prlimit argv prefix applying r.
func (r rlimits) args(prlimit string) []string {
	return []string{
		prlimit,
		fmt.Sprintf("--cpu=%d:%d", r.CPUSeconds, r.CPUSeconds+1),
		fmt.Sprintf("--as=%d", r.AddressSpace),
		fmt.Sprintf("--fsize=%d", r.FileSize),
		fmt.Sprintf("--nofile=%d", r.OpenFiles),
		fmt.Sprintf("--nproc=%d", r.Processes),
		"--core=0",
		fmt.Sprintf("--stack=%d", r.Stack),
		"--",
	}
}

// job is one process to run in the sandbox.
type job struct {
	lang     *language // for its extra binds; nil for none
	dir      string    // host work dir, bound at /box
	writable bool      // bind /box read-write (compilation) rather than read-only
	tmpSize  int64     // size of the /tmp tmpfs
	argv     []string  // the program, inside the box
	rlim     rlimits
	cpuLimit time.Duration // the helper kills the program beyond it; 0 = only RLIMIT_CPU
	wall     time.Duration // always on
	stdin    []byte

	stdoutCap  int  // bytes of stdout kept
	stderrCap  int  // bytes of the head of stderr kept
	stderrTail int  // bytes of the tail of stderr kept, too
	merge      bool // stderr joins stdout (compilers)
	// killOnOverflow kills the process when stdout goes over stdoutCap.
	killOnOverflow bool
}

// outcome is what the host saw of a job.
type outcome struct {
	// report is the helper's exit report, nil when the helper was killed
	// (wall limit, output cap, cancellation) before it could write one.
	report *initReport
	stdout *capture
	stderr *capture // nil when merged into stdout

	// hostUsage is bwrap's rusage, which includes the helper and, when the
	// helper was killed, the program too; hostWall the time bwrap ran.
	hostUsage *syscall.Rusage
	hostWall  time.Duration

	timedOut       bool // the wall timer fired
	outputExceeded bool // stdout went over its cap and the job was killed
}

// bwrapArgs returns bwrap's arguments for j.
func (s *Sandbox) bwrapArgs(j *job) []string {
	args := []string{
		"--unshare-all", "--unshare-user", "--disable-userns",
		"--die-with-parent", "--new-session", "--as-pid-1",
		"--cap-drop", "ALL",
		"--hostname", "sandbox",
		"--clearenv",
		"--setenv", "PATH", "/usr/bin:/bin",
		"--setenv", "HOME", boxDir,
		"--setenv", "LANG", "C.UTF-8",
	}
	args = append(args, s.baseBinds...)
	if j.lang != nil {
		for _, b := range j.lang.Binds {
			if _, err := os.Stat(b); err == nil {
				args = append(args, "--ro-bind", b, b)
			}
		}
	}
	bind := "--ro-bind"
	if j.writable {
		bind = "--bind"
	}
	args = append(args,
		"--proc", "/proc",
		"--dev", "/dev",
		"--size", strconv.FormatInt(j.tmpSize, 10), "--tmpfs", "/tmp",
		bind, j.dir, boxDir,
		"--ro-bind", s.helper, initPath,
		"--info-fd", strconv.Itoa(infoFD),
		"--chdir", boxDir,
		// Last: the root and /dev are tmpfs the program could fill.
		"--remount-ro", "/dev",
		"--remount-ro", "/",
		"--",
		initPath, initVerb, strconv.FormatInt(j.cpuLimit.Milliseconds(), 10),
	)
	args = append(args, j.rlim.args(s.prlimit)...)
	return append(args, j.argv...)
}

// procAttr returns how bwrap is started: its own process group, killed if
// this process dies, and as nobody when the service runs as root.
func (s *Sandbox) procAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if s.asNobody {
		a.Credential = &syscall.Credential{Uid: sandboxUID, Gid: sandboxGID, Groups: []uint32{}}
	}
	return a
}

// run runs j in the sandbox and waits until every process of the sandbox is
// gone. Its error is an internal fault, or the cancellation of ctx.
func (s *Sandbox) run(ctx context.Context, j *job) (*outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.ensureHelper(); err != nil {
		return nil, err
	}
	var files []*os.File // every descriptor still to close
	defer func() {
		for _, f := range files {
			_ = f.Close()
		}
	}()
	stdin, err := sealedFile("stdin", j.stdin)
	if err != nil {
		return nil, err
	}
	files = append(files, stdin)
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		if err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	outR, outW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	errR, errW := outR, outW
	if !j.merge {
		if errR, errW, err = pipe(); err != nil {
			return nil, fmt.Errorf("stderr pipe: %w", err)
		}
	}
	statusR, statusW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("status pipe: %w", err)
	}
	infoR, infoW, err := pipe()
	if err != nil {
		return nil, fmt.Errorf("info pipe: %w", err)
	}

	cmd := &exec.Cmd{
		Path:        s.bwrap,
		Args:        append([]string{s.bwrap}, s.bwrapArgs(j)...),
		Env:         []string{},
		Dir:         "/",
		Stdin:       stdin,
		Stdout:      outW,
		Stderr:      errW,
		ExtraFiles:  []*os.File{statusW, infoW}, // fds 3 and 4
		SysProcAttr: s.procAttr(),
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start bwrap: %w", err)
	}
	// The children hold their ends now: ours must go, so that reads end
	// when the last process of the sandbox is gone.
	for _, f := range []*os.File{stdin, outW, errW, statusW, infoW} {
		_ = f.Close()
	}

	o := &outcome{stdout: &capture{limit: j.stdoutCap}}
	k := &killer{cmd: cmd, pidfd: -1}
	var overflowed, timedOut, canceled atomic.Bool
	if j.killOnOverflow {
		o.stdout.overflow = func() { overflowed.Store(true); k.kill() }
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := o.stdout.drain(outR); err != nil {
			s.log.Warn("sandbox: read stdout", "err", err)
		}
	})
	if !j.merge {
		o.stderr = &capture{limit: j.stderrCap, tailSize: j.stderrTail}
		wg.Go(func() {
			if err := o.stderr.drain(errR); err != nil {
				s.log.Warn("sandbox: read stderr", "err", err)
			}
		})
	}
	var reports []initReport
	wg.Go(func() {
		dec := json.NewDecoder(io.LimitReader(statusR, 64<<10))
		for {
			var r initReport
			if dec.Decode(&r) != nil {
				return
			}
			reports = append(reports, r)
		}
	})

	pid, infoErr := readChildPID(infoR, start.Add(j.wall))
	k.setHelper(pid, infoErr == nil)
	timer := time.AfterFunc(j.wall-time.Since(start), func() { timedOut.Store(true); k.kill() })
	stopCancel := context.AfterFunc(ctx, func() { canceled.Store(true); k.kill() })
	waitErr := cmd.Wait()
	o.hostWall = time.Since(start)
	timer.Stop()
	stopCancel()
	if !k.waitHelper(helperGrace) {
		s.log.Error("sandbox: init process still alive after bwrap exited", "pid", pid)
	}
	k.close()

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(helperGrace):
		// Something outside the sandbox holds a pipe: stop reading.
		s.log.Error("sandbox: output pipes still open after the sandbox ended")
		_ = outR.Close()
		_ = errR.Close()
		_ = statusR.Close()
		<-done
	}

	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		o.hostUsage = ru
	}
	o.timedOut, o.outputExceeded = timedOut.Load(), overflowed.Load()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return nil, fmt.Errorf("wait for bwrap: %w", waitErr)
	}
	started := false
	for i := range reports {
		switch reports[i].Event {
		case "started":
			started = true
		case "exited":
			o.report = &reports[i]
		case "error":
			return nil, fmt.Errorf("sandbox init: %s", reports[i].Error)
		}
	}
	if canceled.Load() && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if !started {
		msg := ""
		if o.stderr != nil {
			msg = string(o.stderr.bytes())
		} else {
			msg = string(o.stdout.bytes())
		}
		return nil, fmt.Errorf("sandbox did not start (bwrap %v): %s", cmd.ProcessState, msg)
	}
	if o.report == nil && !o.timedOut && !o.outputExceeded {
		// Not killed by us, yet the helper died without reporting: the
		// program is the only suspect. Its run counts as killed.
		s.log.Warn("sandbox: the init process died without reporting", "bwrap", cmd.ProcessState.String())
	}
	return o, nil
}

// readChildPID reads bwrap's --info-fd JSON for the host PID of the
// sandbox's PID 1 (the helper).
func readChildPID(f *os.File, deadline time.Time) (int, error) {
	defer f.Close()
	if err := f.SetReadDeadline(deadline); err != nil {
		return 0, fmt.Errorf("info deadline: %w", err)
	}
	var info struct {
		ChildPID int `json:"child-pid"`
	}
	if err := json.NewDecoder(io.LimitReader(f, 64<<10)).Decode(&info); err != nil {
		return 0, fmt.Errorf("read bwrap info: %w", err)
	}
	if info.ChildPID <= 0 {
		return 0, errors.New("bwrap info has no child-pid")
	}
	return info.ChildPID, nil
}

// killer kills a running sandbox. It kills the helper, PID 1 of the
// sandbox's PID namespace, through a pidfd: the kernel then kills every
// process of the namespace and only lets the helper die once they are all
// gone, and bwrap, which waits for the helper, exits after that. Until the
// helper's PID is known a kill is only recorded; if it never becomes known,
// bwrap itself is killed (its --die-with-parent child follows).
type killer struct {
	mu        sync.Mutex
	cmd       *exec.Cmd
	pidfd     int
	known     bool // setHelper was called
	requested bool
	fallback  *time.Timer
}

func (k *killer) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.requested = true
	k.signal()
}

// signal kills what can be killed; k.mu is held.
func (k *killer) signal() {
	if !k.known {
		return
	}
	if k.pidfd >= 0 {
		_ = unix.PidfdSendSignal(k.pidfd, unix.SIGKILL, nil, 0)
	} else {
		_ = k.cmd.Process.Kill()
	}
	if k.fallback == nil {
		// bwrap exits once its child is gone; should it not, kill it too.
		k.fallback = time.AfterFunc(helperGrace, func() { _ = k.cmd.Process.Kill() })
	}
}

// setHelper records the helper's PID (ok false: it will not be known) and
// carries out a kill requested before.
func (k *killer) setHelper(pid int, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.known = true
	if ok {
		if fd, err := unix.PidfdOpen(pid, 0); err == nil {
			k.pidfd = fd
		}
	} else {
		// No helper PID: bwrap failed, or hangs before starting it.
		k.requested = true
	}
	if k.requested {
		k.signal()
	}
}

// waitHelper waits until the helper has exited, killing it if it is still
// there after grace; it reports whether the helper is gone.
func (k *killer) waitHelper(grace time.Duration) bool {
	k.mu.Lock()
	fd := k.pidfd
	k.mu.Unlock()
	if fd < 0 {
		return true
	}
	for attempt := 0; attempt < 2; attempt++ {
		deadline := time.Now().Add(grace)
		for {
			left := time.Until(deadline)
			if left <= 0 {
				break
			}
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			n, err := unix.Poll(fds, int(left.Milliseconds())+1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n > 0 {
				return err == nil
			}
		}
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
	}
	return false
}

func (k *killer) close() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.fallback != nil {
		k.fallback.Stop()
	}
	if k.pidfd >= 0 {
		_ = unix.Close(k.pidfd)
		k.pidfd = -1
	}
}

// sealedFile returns a memfd holding data, sealed against any change and
// positioned at its start: the program's stdin, which it can neither block
// on nor alter.
func sealedFile(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create %s: %w", name, err)
	}
	f := os.NewFile(uintptr(fd), name)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	seals := unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("rewind %s: %w", name, err)
	}
	return f, nil
}
