package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/cgroups"
	"github.com/codementor/codementor/sandbox/internal/toolchain"
	"github.com/codementor/codementor/sandbox/seccomp"

	"golang.org/x/sys/unix"
)

// The host side of a sandbox (a box): bwrap and the helper it runs as PID 1,
// started once and then asked to run programs one at a time over a control
// socket; each run's descriptors, limits, kill switch and the collection of
// what happened.

const (
	// boxDir is where the work dir appears inside the sandbox.
	boxDir = boxinit.BoxDir
	// infoFD is bwrap's --info-fd, which tells the helper's host PID; the
	// control socket is boxinit.CtrlFD.
	infoFD = 4
	// seccompFD is bwrap's --seccomp: the filter (package seccomp) it loads
	// before it execs the helper, which every program inherits.
	seccompFD = 5
	// helperGrace bounds the waits for the helper: to start, to stop a run
	// it was told to kill, to die once killed; and for the output pipes to
	// reach their end.
	helperGrace = 5 * time.Second
)

// rlimitArgs returns the prlimit argv prefix applying r.
func rlimitArgs(r boxinit.Rlimits, prlimit string) []string {
	return []string{
		prlimit,
		fmt.Sprintf("--cpu=%d:%d", r.CPUSeconds, r.CPUSeconds+1),
		fmt.Sprintf("--as=%d", r.AddressSpace),
		fmt.Sprintf("--fsize=%d", r.FileSize),
		fmt.Sprintf("--nofile=%d", r.OpenFiles),
		fmt.Sprintf("--nproc=%d", r.Processes),
		"--core=0",
		"--msgqueue=0",
		fmt.Sprintf("--stack=%d", r.Stack),
		"--",
	}
}

// boxConfig says what a box binds.
type boxConfig struct {
	tc       *toolchain.Toolchain // for its extra binds; nil for none
	cache    bool                 // bind tc's cache too (compilation)
	dir      string               // host work dir, bound at /box
	writable bool                 // bind /box read-write (compilation) rather than read-only
	tmpSize  int64                // size of the /tmp tmpfs
	// processes bounds the processes and threads of the box's cgroup,
	// beyond the helper's own (RLIMIT_NPROC bounds the program's closer).
	processes int
}

// helperThreads is the allowance of the helper's own threads in a box's
// cgroup.
const helperThreads = 32

// unsafeProcesses is RLIMIT_NPROC without a sandbox (see box.run).
const unsafeProcesses = 1 << 14

// job is one program to run in a box.
type job struct {
	argv []string // the program, inside the box
	env  []string // added to the base environment, "NAME=value"
	rlim boxinit.Rlimits
	// memory limits the run's resident memory, swap included, in the box's
	// cgroup when the machine has cgroups.
	memory   int64
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
	// (it did not stop the run in time) before it could write one.
	report *boxinit.Report
	stdout *capture
	stderr *capture // nil when merged into stdout
	// wall is how long the run took, seen from the host.
	wall time.Duration

	timedOut       bool // the wall timer fired
	outputExceeded bool // stdout went over its cap and the job was killed

	// cg is what the box's control group measured of the run, nil
	// without one.
	cg *cgroups.Stats
}

// box is a running sandbox: bwrap, and the helper serving run requests.
type box struct {
	s      *Sandbox
	cmd    *exec.Cmd
	conn   *net.UnixConn
	k      *killer
	events chan boxinit.Report // the helper's reports; closed when it is gone
	exited chan struct{}       // closed once bwrap (hence everything) is gone
	diag   *capture            // bwrap's and the helper's own messages
	cg     *cgroups.Group      // the box's control group; nil without cgroups
	nextID uint64
	// broken is set when the box must not run anything again.
	broken atomic.Bool
	// runMu is held by a run, and by the removal of the box's cgroup,
	// which waits for it.
	runMu sync.Mutex
	// uid is the host uid the box runs as, its own (see uids.go); 0 when
	// the service does not run as root (the box then runs as the service).
	uid int
	// Without a sandbox (Config.Unsafe): paths turns the sandbox's paths
	// (/box, /tmp, /sandbox-init, the caches) in arguments and environment
	// into the host's; dir is the work dir, tmp the box's own temporary
	// directory. Both nil and "" in a sandbox.
	paths    *strings.Replacer
	dir, tmp string
}

// bwrapArgs returns bwrap's arguments for a box.
func (s *Sandbox) bwrapArgs(c boxConfig) []string {
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
	if c.tc != nil {
		args = append(args, c.tc.BindArgs(c.cache)...)
	}
	bind := "--ro-bind"
	if c.writable {
		bind = "--bind"
	}
	return append(args,
		"--proc", "/proc",
		"--dev", "/dev",
		"--size", strconv.FormatInt(c.tmpSize, 10), "--tmpfs", "/tmp",
		bind, c.dir, boxDir,
		"--ro-bind", s.helper.Path(), boxinit.Path,
		"--info-fd", strconv.Itoa(infoFD),
		"--seccomp", strconv.Itoa(seccompFD),
		"--chdir", boxDir,
		// Last: the root and /dev are tmpfs the program could fill.
		"--remount-ro", "/dev",
		"--remount-ro", "/",
		"--",
		boxinit.Path, boxinit.Verb,
	)
}

// procAttr returns how bwrap is started: its own process group, killed if
// this process dies, and as the box's uid (when the service runs as root).
func (s *Sandbox) procAttr(uid int) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if uid != 0 {
		a.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(uid), Groups: []uint32{}}
	}
	return a
}

// startBox starts a box and waits until its helper serves.
func (s *Sandbox) startBox(ctx context.Context, c boxConfig) (*box, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.ensureHelper(); err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	// Ours of the helper's end goes once it started (or failed to): the
	// socket must end with the helper.
	defer theirs.Close()
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	b := &box{s: s, conn: fc.(*net.UnixConn), events: make(chan boxinit.Report, 4), exited: make(chan struct{}), diag: &capture{limit: 4 << 10}}
	// The box's own uid, back to the range once everything of the box is
	// gone (below), or now if it does not start.
	started := false
	if s.uids != nil {
		if b.uid, err = s.uids.take(); err != nil {
			b.conn.Close()
			return nil, err
		}
		defer func() {
			if !started {
				s.uids.give(b.uid)
			}
		}()
		// The compiler writes into the work dir: the box's uid owns it
		// while the box runs (Program.compileInBox gives it back to root).
		if c.writable {
			if err := os.Chown(c.dir, b.uid, b.uid); err != nil {
				b.conn.Close()
				return nil, fmt.Errorf("chown work dir: %w", err)
			}
		}
	}
	var infoR, infoW *os.File
	if !s.unsafe {
		if infoR, infoW, err = os.Pipe(); err != nil {
			b.conn.Close()
			return nil, fmt.Errorf("info pipe: %w", err)
		}
	}
	diagR, diagW, err := os.Pipe()
	if err != nil {
		b.conn.Close()
		if infoR != nil {
			infoR.Close()
			infoW.Close()
		}
		return nil, fmt.Errorf("diagnostics pipe: %w", err)
	}
	if s.unsafe {
		b.cmd, err = s.unsafeCmd(b, c, theirs, diagW)
		if err != nil {
			b.conn.Close()
			diagR.Close()
			diagW.Close()
			return nil, err
		}
	} else {
		filter, err := seccomp.File()
		if err != nil {
			b.conn.Close()
			diagR.Close()
			diagW.Close()
			infoR.Close()
			infoW.Close()
			return nil, err
		}
		defer filter.Close()
		b.cmd = &exec.Cmd{
			Path:        s.bwrap,
			Args:        append([]string{s.bwrap}, s.bwrapArgs(c)...),
			Env:         []string{},
			Dir:         "/",
			Stdout:      diagW,
			Stderr:      diagW,
			ExtraFiles:  []*os.File{theirs, infoW, filter}, // fds 3, 4 and 5
			SysProcAttr: s.procAttr(b.uid),
		}
	}
	b.k = &killer{cmd: b.cmd, pidfd: -1}
	err = b.cmd.Start()
	theirs.Close()
	if infoW != nil {
		infoW.Close()
	}
	diagW.Close()
	if err != nil {
		b.conn.Close()
		if infoR != nil {
			infoR.Close()
		}
		diagR.Close()
		if b.tmp != "" {
			os.RemoveAll(b.tmp)
		}
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	go func() {
		_ = b.diag.drain(diagR)
		diagR.Close()
	}()
	go b.read()
	var cgErr error
	if s.cg != nil {
		cpus := cgroups.RunCPUs
		if c.writable {
			cpus = cgroups.CompileCPUs
		}
		b.cg, cgErr = s.cg.NewGroup(c.processes+helperThreads, cpus)
	}
	go func() {
		_ = b.cmd.Wait()
		if s.unsafe {
			// No PID namespace took the programs with the helper: kill
			// its process group (its session's), the cgroup the rest.
			_ = unix.Kill(-b.cmd.Process.Pid, unix.SIGKILL)
		} else if !b.k.waitHelper(helperGrace) {
			s.log.Error("sandbox: init process still alive after bwrap exited")
		}
		b.k.close()
		if b.cg != nil {
			b.runMu.Lock()
			err := b.cg.Remove()
			b.runMu.Unlock()
			if err != nil {
				s.log.Error("sandbox: remove a box's cgroup", "err", err)
			}
		}
		if b.tmp != "" {
			if err := os.RemoveAll(b.tmp); err != nil {
				s.log.Error("sandbox: remove a box's temporary directory", "err", err)
			}
		}
		if b.uid != 0 {
			// Every process of the box is gone: the PID namespace went
			// with the helper, or (without a sandbox) the cgroup and the
			// process group were killed.
			s.uids.give(b.uid)
		}
		close(b.exited)
	}()
	started = true
	if cgErr != nil {
		b.kill()
		return nil, fmt.Errorf("sandbox: no cgroup for the box: %w", cgErr)
	}
	var pid int
	var infoErr error
	if s.unsafe {
		pid = b.cmd.Process.Pid
	} else {
		pid, infoErr = readChildPID(infoR, time.Now().Add(helperGrace))
	}
	b.k.setHelper(pid, infoErr == nil)
	// The helper, and so every program it starts, joins the box's group
	// while it starts up.
	adopted := make(chan error, 1)
	if b.cg != nil && infoErr == nil {
		go func() { adopted <- b.cg.Adopt(pid) }()
	} else {
		adopted <- nil
	}

	timer := time.NewTimer(helperGrace)
	defer timer.Stop()
	select {
	case ev, ok := <-b.events:
		if ok && ev.Event == "ready" {
			if err := <-adopted; err != nil {
				b.kill()
				return nil, err
			}
			return b, nil
		}
		b.kill()
		if ok {
			return nil, fmt.Errorf("sandbox did not start: %s", ev.Error)
		}
		// The helper is gone: so is bwrap, or it soon will be.
		select {
		case <-b.exited:
			return nil, fmt.Errorf("sandbox did not start (%v): %s", b.cmd.ProcessState, b.diag.bytes())
		case <-time.After(helperGrace):
			return nil, fmt.Errorf("sandbox did not start: %s", b.diag.bytes())
		}
	case <-timer.C:
		b.kill()
		return nil, fmt.Errorf("sandbox did not start within %v: %s", helperGrace, b.diag.bytes())
	case <-ctx.Done():
		b.kill()
		return nil, ctx.Err()
	}
}

// read forwards the helper's reports to b.events until the socket ends.
func (b *box) read() {
	defer close(b.events)
	buf := make([]byte, boxinit.MaxMessage)
	for {
		n, err := b.conn.Read(buf)
		if err != nil || n == 0 {
			return
		}
		var r boxinit.Report
		if err := json.Unmarshal(buf[:n], &r); err != nil {
			b.s.log.Error("sandbox: bad report from the helper", "err", err)
			b.kill()
			return
		}
		b.events <- r
	}
}

// send writes a request, with descriptors, to the helper.
func (b *box) send(req boxinit.Request, files ...*os.File) error {
	msg, err := json.Marshal(req)
	if err != nil {
		return err
	}
	var oob []byte
	if len(files) > 0 {
		fds := make([]int, len(files))
		for i, f := range files {
			fds[i] = int(f.Fd())
		}
		oob = unix.UnixRights(fds...)
	}
	_, _, err = b.conn.WriteMsgUnix(msg, oob, nil)
	return err
}

// kill kills the box, everything in it with the helper, and closes it.
func (b *box) kill() {
	b.broken.Store(true)
	b.k.kill()
	b.conn.Close()
}

// close kills the box and waits until it is gone.
func (b *box) close() {
	b.kill()
	select {
	case <-b.exited:
	case <-time.After(2 * helperGrace):
		b.s.log.Error("sandbox: a box outlived its kill")
	}
}

// run runs j in a new box bound as c and closes the box.
func (s *Sandbox) run(ctx context.Context, c boxConfig, j *job) (*outcome, error) {
	b, err := s.startBox(ctx, c)
	if err != nil {
		return nil, err
	}
	defer b.kill() // it goes away in the background
	return b.run(ctx, j)
}

// run runs j in the box and waits until every process it started is gone.
// Its error is an internal fault, or the cancellation of ctx. Afterwards
// b.broken says whether the box can run another job.
func (b *box) run(ctx context.Context, j *job) (*outcome, error) {
	s := b.s
	b.runMu.Lock()
	defer b.runMu.Unlock()
	if b.broken.Load() || (b.cg != nil && b.cg.Removed()) {
		return nil, errors.New("sandbox: run on a broken box")
	}
	if err := ctx.Err(); err != nil {
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
	b.nextID++
	req := boxinit.Request{Op: "run", ID: b.nextID, Argv: j.argv, Env: j.env, CPULimitMS: j.cpuLimit.Milliseconds()}
	if b.paths != nil {
		req.Argv, req.Env = b.hostPaths(j.argv), b.hostPaths(j.env)
		req.Dir, req.Tmp = b.dir, b.tmp
	}
	passed := []*os.File{stdin, outW, errW}
	rl := j.rlim
	if s.unsafe {
		// RLIMIT_NPROC counts the uid's processes on the whole host
		// (no user namespace of the box's own): meaningless here. The pids
		// cgroup, if any, bounds the box's.
		rl.Processes = unsafeProcesses
		// Raising it past the hard limit needs a capability the box's
		// uid has not.
		var hard unix.Rlimit
		if unix.Getrlimit(unix.RLIMIT_NPROC, &hard) == nil && hard.Max < uint64(rl.Processes) {
			rl.Processes = int(hard.Max)
		}
	}
	var mark cgroups.Mark
	if b.cg != nil {
		if mark, err = b.cg.Begin(j.memory); err != nil {
			b.kill()
			return nil, err
		}
		req.CPUUsage = true
		passed = append(passed, b.cg.CPUFile())
		req.Rlimits = &rl
	} else {
		// Without a memory cgroup, ru_maxrss is the only measure of
		// memory: launch through the shell (see launchShell).
		req.Shell = true
		req.Argv = append(rlimitArgs(rl, s.prlimit), req.Argv...)
	}

	start := time.Now()
	err = b.send(req, passed...)
	// The helper holds its copies now: ours of what the program writes to
	// must go, so that reads end when the program's processes are gone.
	for _, f := range []*os.File{stdin, outW, errW} {
		_ = f.Close()
	}
	if err != nil {
		b.kill()
		return nil, fmt.Errorf("%w: send run request: %v", errBoxLost, err)
	}

	o := &outcome{stdout: &capture{limit: j.stdoutCap}}
	var overflowed, timedOut, canceled atomic.Bool
	stop := make(chan struct{}, 1) // asks the waiting loop below to kill the run
	stopRun := func() {
		select {
		case stop <- struct{}{}:
		default:
		}
	}
	if j.killOnOverflow {
		o.stdout.overflow = func() { overflowed.Store(true); stopRun() }
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
	timer := time.AfterFunc(j.wall, func() { timedOut.Store(true); stopRun() })
	stopCancel := context.AfterFunc(ctx, func() { canceled.Store(true); stopRun() })

	var fault error
	var grace <-chan time.Time // set once the helper was told to kill the run
	started := false
wait:
	for {
		select {
		case ev, ok := <-b.events:
			switch {
			case !ok:
				b.broken.Store(true)
				if !started && grace == nil {
					fault = fmt.Errorf("%w: %s", errBoxLost, b.diag.bytes())
				}
				break wait
			case ev.ID != req.ID:
				// A report of an earlier run: ignore.
			case ev.Event == "started":
				started = true
			case ev.Event == "exited":
				o.report = &ev
				break wait
			case ev.Event == "error":
				switch {
				case ev.Dirty != "":
					// The last run left it unfit: another box will do.
					s.log.Warn("sandbox: discarding a box the program left dirty", "why", ev.Dirty)
					fault = fmt.Errorf("%w: %s", errBoxLost, ev.Error)
				case grace == nil:
					fault = fmt.Errorf("sandbox init: %s", ev.Error)
				}
				b.broken.Store(true)
				break wait
			}
		case <-stop:
			if grace == nil {
				if err := b.send(boxinit.Request{Op: "kill", ID: req.ID}); err != nil {
					b.kill()
				}
				grace = time.After(helperGrace)
			}
		case <-grace:
			s.log.Error("sandbox: the helper did not stop a run: killing the box")
			b.kill()
			grace = nil
		}
	}
	o.wall = time.Since(start)
	timer.Stop()
	stopCancel()
	if fault != nil || b.broken.Load() && o.report == nil {
		b.kill()
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(helperGrace):
		// Something still holds a pipe: the box must go.
		s.log.Error("sandbox: output pipes still open after the run ended")
		b.kill()
		_ = outR.Close()
		_ = errR.Close()
		<-done
	}
	if fault != nil {
		return nil, fault
	}
	if b.cg != nil {
		st, err := b.cg.End(mark)
		if err != nil {
			b.kill()
			return nil, fmt.Errorf("read cgroup: %w", err)
		}
		o.cg = &st
	}
	o.timedOut, o.outputExceeded = timedOut.Load(), overflowed.Load()
	if canceled.Load() && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if o.report == nil && !o.timedOut && !o.outputExceeded {
		// Not killed by us, yet the helper died without reporting: the
		// program is the only suspect. Its run counts as killed.
		s.log.Warn("sandbox: the init process died without reporting", "diagnostics", string(b.diag.bytes()))
	}
	return o, nil
}

// unsafeCmd returns the command starting the helper without a sandbox
// (Config.Unsafe): as the box's uid (the service runs as root), in its own session,
// in the work dir, with the sandbox's environment but a temporary directory
// of the box's own as TMPDIR; killed if this process dies.
func (s *Sandbox) unsafeCmd(b *box, c boxConfig, ctrl, diag *os.File) (*exec.Cmd, error) {
	tmp, err := os.MkdirTemp(s.cfg.WorkDir, workDirPrefix("tmp"))
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	if b.uid != 0 {
		if err := os.Chown(tmp, b.uid, b.uid); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("temporary directory: %w", err)
		}
	}
	b.dir, b.tmp = c.dir, tmp
	pairs := []string{boxinit.Path, s.helper.Path(), boxDir, c.dir, "/tmp", tmp}
	if c.tc != nil && c.tc.HasCache() {
		host, inBox := c.tc.Cache()
		pairs = append([]string{inBox, host}, pairs...)
	}
	b.paths = strings.NewReplacer(pairs...)
	attr := &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	if b.uid != 0 {
		attr.Credential = &syscall.Credential{Uid: uint32(b.uid), Gid: uint32(b.uid), Groups: []uint32{}}
	}
	return &exec.Cmd{
		Path:        s.helper.Path(),
		Args:        []string{boxinit.Path, boxinit.VerbUnsafe},
		Env:         []string{"PATH=/usr/bin:/bin", "HOME=" + c.dir, "LANG=C.UTF-8", "PWD=" + c.dir, "TMPDIR=" + tmp},
		Dir:         c.dir,
		Stdout:      diag,
		Stderr:      diag,
		ExtraFiles:  []*os.File{ctrl}, // fd 3
		SysProcAttr: attr,
	}, nil
}

// hostPaths returns list with the sandbox's paths made the host's.
func (b *box) hostPaths(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = b.paths.Replace(s)
	}
	return out
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

// killer kills a box. It kills the helper, PID 1 of the sandbox's PID
// namespace, through a pidfd: the kernel then kills every process of the
// namespace and only lets the helper die once they are all gone, and bwrap,
// which waits for the helper, exits after that. Until the helper's PID is
// known a kill is only recorded; if it never becomes known, bwrap itself is
// killed (its --die-with-parent child follows).
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

// errBoxLost is a box that died (or was found dead) before the program
// started: the run can be tried again in another box.
var errBoxLost = errors.New("the sandbox died")
