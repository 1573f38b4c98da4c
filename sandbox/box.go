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
// socket (see run.go for a run), and its end.

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
	// zygoteStartTimeout bounds a zygote's start, the helper's own bound
	// and then some.
	zygoteStartTimeout = 25 * time.Second
)

// boxConfig says what a box binds.
type boxConfig struct {
	tc       *toolchain.Toolchain // for its extra binds; nil for none
	cache    bool                 // bind tc's cache too (compilation)
	dir      string               // host work dir, bound at /box
	writable bool                 // bind /box read-write (compilation) rather than read-only
	tmpSize  int64                // size of the /tmp tmpfs
	// processes bounds the processes and threads of the box's cgroup,
	// beyond the helper's own (RLIMIT_NPROC bounds the program's closer),
	// until a run sets its own (see box.run).
	processes int
}

// helperThreads is the allowance of the helper's own threads in a box's
// cgroup.
const helperThreads = 32

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
	// cache says the box binds its toolchain's cache (boxConfig.cache,
	// once the cache is made).
	cache bool
	// uid is the host uid the box runs as, its own (see uids.go); 0 when
	// the service does not run as root (the box then runs as the service).
	uid int
	// Without a sandbox (Config.Unsafe): paths turns the sandbox's paths
	// (/box, /tmp, /sandbox-init, the caches) in arguments and environment
	// into the host's; dir is the work dir, tmp the box's own temporary
	// directory. Both nil and "" in a sandbox.
	paths    *strings.Replacer
	dir, tmp string
	// zygote is the key (see zygoteKey) of the zygote the helper runs for
	// the box's runs, "" for none; zygoteFailed, of the one that did not
	// start (not asked for again).
	zygote, zygoteFailed string
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
	b, l, err := s.prepareBox(c)
	if err != nil {
		return nil, err
	}
	if err := b.start(l); err != nil {
		return nil, err
	}
	// The box runs: from here on b.watch gives back what it holds.
	cgErr := b.makeCgroup(c)
	go b.watch()
	if cgErr != nil {
		b.kill()
		closeFiles(l.infoR)
		return nil, fmt.Errorf("sandbox: no cgroup for the box: %w", cgErr)
	}
	adopted := b.adoptHelper(l.infoR)
	if err := b.awaitReady(ctx, adopted); err != nil {
		return nil, err
	}
	return b, nil
}

// launch is what starting a box opens: the command, the descriptors bwrap
// and the helper inherit (ours of them are closed once the command started,
// or failed to), and the ends we read.
type launch struct {
	cmd          *exec.Cmd
	ctrl         *os.File // the helper's end of the control socket (fd 3)
	infoR, infoW *os.File // bwrap's --info-fd; nil without a sandbox
	diagR, diagW *os.File // bwrap's and the helper's stdout and stderr
	filter       *os.File // the seccomp filter; nil without a sandbox
}

// prepareBox makes a box, with its control socket, a uid of its own (and
// the work dir, if its compiler writes there), and the command that starts
// it. On failure it gives back what it took.
func (s *Sandbox) prepareBox(c boxConfig) (*box, *launch, error) {
	b, l, err := s.newBox()
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*box, *launch, error) {
		l.close()
		b.conn.Close()
		b.giveUID()
		return nil, nil, err
	}
	if err := b.takeUID(c); err != nil {
		return fail(err)
	}
	// A cache made later is for the boxes started later.
	c.cache = c.cache && c.tc != nil && c.tc.HasCache()
	b.cache = c.cache
	if err := l.openPipes(!s.unsafe); err != nil {
		return fail(err)
	}
	if l.cmd, err = s.boxCmd(b, c, l); err != nil {
		return fail(err)
	}
	return b, l, nil
}

// newBox makes a box and its control socket: ours is the box's conn, the
// other end the helper's, in the launch returned.
func (s *Sandbox) newBox() (*box, *launch, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("control socket: %w", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	fc, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		theirs.Close()
		return nil, nil, fmt.Errorf("control socket: %w", err)
	}
	b := &box{s: s, conn: fc.(*net.UnixConn), events: make(chan boxinit.Report, 4), exited: make(chan struct{}), diag: &capture{limit: 4 << 10}}
	return b, &launch{ctrl: theirs}, nil
}

// takeUID gives the box a uid of its own, when the service runs as root,
// and the work dir to that uid if the box's compiler writes into it
// (Program.compileInBox gives it back to root). The uid goes back to the
// range once everything of the box is gone (see watch), or now if it does
// not start.
func (b *box) takeUID(c boxConfig) error {
	if b.s.uids == nil {
		return nil
	}
	uid, err := b.s.uids.take()
	if err != nil {
		return err
	}
	b.uid = uid
	if c.writable {
		if err := os.Chown(c.dir, b.uid, b.uid); err != nil {
			return fmt.Errorf("chown work dir: %w", err)
		}
	}
	return nil
}

// giveUID gives the box's uid back to the range, if it has one.
func (b *box) giveUID() {
	if b.uid != 0 {
		b.s.uids.give(b.uid)
	}
}

// openPipes opens the pipes bwrap reports on: its --info-fd (if info) and
// its and the helper's output.
func (l *launch) openPipes(info bool) error {
	var err error
	if info {
		if l.infoR, l.infoW, err = os.Pipe(); err != nil {
			return fmt.Errorf("info pipe: %w", err)
		}
	}
	if l.diagR, l.diagW, err = os.Pipe(); err != nil {
		return fmt.Errorf("diagnostics pipe: %w", err)
	}
	return nil
}

// closeTheirs closes ours of the descriptors bwrap and the helper inherit.
func (l *launch) closeTheirs() { closeFiles(l.ctrl, l.infoW, l.diagW, l.filter) }

// close closes every descriptor of the launch.
func (l *launch) close() {
	l.closeTheirs()
	closeFiles(l.infoR, l.diagR)
}

// closeFiles closes the files that are not nil.
func closeFiles(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

// boxCmd returns the command starting the box: bwrap, or without a sandbox
// the helper itself (see unsafeCmd).
func (s *Sandbox) boxCmd(b *box, c boxConfig, l *launch) (*exec.Cmd, error) {
	if s.unsafe {
		return s.unsafeCmd(b, c, l.ctrl, l.diagW)
	}
	filter, err := seccomp.File()
	if err != nil {
		return nil, err
	}
	l.filter = filter
	return &exec.Cmd{
		Path:        s.bwrap,
		Args:        append([]string{s.bwrap}, s.bwrapArgs(c)...),
		Env:         []string{},
		Dir:         "/",
		Stdout:      l.diagW,
		Stderr:      l.diagW,
		ExtraFiles:  []*os.File{l.ctrl, l.infoW, filter}, // fds 3, 4 and 5
		SysProcAttr: s.procAttr(b.uid),
	}, nil
}

// start starts the box's command, and the readers of its messages and of
// the helper's reports. On failure it gives back what the box took.
func (b *box) start(l *launch) error {
	b.cmd = l.cmd
	b.k = &killer{cmd: b.cmd, pidfd: -1}
	err := b.cmd.Start()
	l.closeTheirs()
	if err != nil {
		l.close()
		b.conn.Close()
		if b.tmp != "" {
			os.RemoveAll(b.tmp)
		}
		b.giveUID()
		return fmt.Errorf("start sandbox: %w", err)
	}
	go func() {
		_ = b.diag.drain(l.diagR)
		l.diagR.Close()
	}()
	go b.read()
	return nil
}

// makeCgroup gives the box its control group, when the machine has them:
// capped at one CPU for a run's box, two for a compiler's.
func (b *box) makeCgroup(c boxConfig) error {
	if b.s.cg == nil {
		return nil
	}
	cpus := cgroups.RunCPUs
	if c.writable {
		cpus = cgroups.CompileCPUs
	}
	var err error
	b.cg, err = b.s.cg.NewGroup(c.processes+helperThreads, cpus)
	return err
}

// watch waits until the box's command has exited, makes sure nothing of
// the box is left, gives back what the box held (its cgroup, temporary
// directory and uid), and closes exited.
func (b *box) watch() {
	s := b.s
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
	// Every process of the box is gone: the PID namespace went with the
	// helper, or (without a sandbox) the cgroup and the process group were
	// killed.
	b.giveUID()
	close(b.exited)
}

// adoptHelper tells the killer the helper's host PID (read from bwrap's
// info, or without a sandbox the command's own), and moves the helper, and
// so every program it starts, into the box's group while it starts up. The
// channel returned says how the move went.
func (b *box) adoptHelper(info *os.File) <-chan error {
	var pid int
	var err error
	if b.s.unsafe {
		pid = b.cmd.Process.Pid
	} else {
		pid, err = readChildPID(info, time.Now().Add(helperGrace))
	}
	b.k.setHelper(pid, err == nil)
	adopted := make(chan error, 1)
	if b.cg != nil && err == nil {
		go func() {
			// A box that dies at once has its group removed by watch,
			// under runMu: not while the helper moves into it.
			b.runMu.Lock()
			defer b.runMu.Unlock()
			adopted <- b.cg.Adopt(pid)
		}()
	} else {
		adopted <- nil
	}
	return adopted
}

// awaitReady waits until the helper says it serves and has joined its group
// (adopted). It kills the box if either fails, if neither comes within
// helperGrace, or when ctx is done.
func (b *box) awaitReady(ctx context.Context, adopted <-chan error) error {
	timer := time.NewTimer(helperGrace)
	defer timer.Stop()
	select {
	case ev, ok := <-b.events:
		if ok && ev.Event == "ready" {
			if err := <-adopted; err != nil {
				b.kill()
				return err
			}
			return nil
		}
		b.kill()
		if ok {
			return fmt.Errorf("sandbox did not start: %s", ev.Error)
		}
		return b.startFailure()
	case <-timer.C:
		b.kill()
		return fmt.Errorf("sandbox did not start within %v: %s", helperGrace, b.diag.bytes())
	case <-ctx.Done():
		b.kill()
		return ctx.Err()
	}
}

// startFailure says why a box whose helper went away before serving did not
// start: what bwrap said, once it is gone too.
func (b *box) startFailure() error {
	select {
	case <-b.exited:
		return fmt.Errorf("sandbox did not start (%v): %s", b.cmd.ProcessState, b.diag.bytes())
	case <-time.After(helperGrace):
		return fmt.Errorf("sandbox did not start: %s", b.diag.bytes())
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
	if c.cache {
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
