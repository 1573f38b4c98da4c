package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/cgroups"

	"golang.org/x/sys/unix"
)

// A run in a box: its descriptors, limits and kill switch, and the
// collection of what happened.

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

// unsafeProcesses is RLIMIT_NPROC without a sandbox (see boxRlimits).
const unsafeProcesses = 1 << 14

// job is one program to run in a box.
type job struct {
	argv []string // the program, inside the box
	// args are the program's arguments, after argv: verbatim, even where
	// argv's sandbox paths become the host's (Config.Unsafe).
	args []string
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
	merge      bool // stderr joins stdout (compilers, Limits.MergeStderr)
	// killOnOverflow kills the process when stdout goes over stdoutCap.
	killOnOverflow bool
	// zygote, if set, is the argv of the zygote that forks the program
	// (see toolchain.Language.Zygote), inside the box.
	zygote []string
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
	b.runMu.Lock()
	defer b.runMu.Unlock()
	if b.broken.Load() || (b.cg != nil && b.cg.Removed()) {
		return nil, errors.New("sandbox: run on a broken box")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := openRunFiles(j)
	if err != nil {
		return nil, err
	}
	defer f.close()
	var zygote []string
	if j.zygote != nil {
		// Before the run is measured: the zygote's start is not the
		// program's.
		if zygote, err = b.startZygote(ctx, j); err != nil {
			return nil, err
		}
	}
	req := b.request(j, zygote)
	passed := []*os.File{f.stdin, f.outW, f.errW}
	var mark cgroups.Mark
	if b.cg != nil {
		err = b.cg.SetProcesses(j.rlim.Processes + helperThreads)
		if err == nil {
			mark, err = b.cg.Begin(j.memory)
		}
		if err != nil {
			b.kill()
			return nil, err
		}
		passed = append(passed, b.cg.CPUFile())
	}

	start := time.Now()
	err = b.send(req, passed...)
	// The helper holds its copies now: ours of what the program writes to
	// must go, so that reads end when the program's processes are gone.
	closeFiles(f.stdin, f.outW, f.errW)
	if err != nil {
		b.kill()
		return nil, fmt.Errorf("%w: send run request: %v", errBoxLost, err)
	}
	w := b.watchRun(ctx, j, f)
	fault := b.await(req.ID, w)
	w.o.wall = time.Since(start)
	w.timer.Stop()
	w.stopCancel()
	if fault != nil || b.broken.Load() && w.o.report == nil {
		b.kill()
	}
	b.awaitOutput(w, f)
	if fault != nil {
		return nil, fault
	}
	return b.conclude(ctx, w, mark)
}

// runFiles are a run's descriptors: the program's stdin, and the pipes of
// its stdout and stderr (the same pipe when merged). files are those still
// to close.
type runFiles struct {
	stdin      *os.File
	outR, outW *os.File
	errR, errW *os.File
	files      []*os.File
}

// openRunFiles makes j's stdin (a sealed memfd) and its output pipes.
func openRunFiles(j *job) (*runFiles, error) {
	stdin, err := sealedFile("stdin", j.stdin)
	if err != nil {
		return nil, err
	}
	f := &runFiles{stdin: stdin, files: []*os.File{stdin}}
	if f.outR, f.outW, err = f.pipe(); err != nil {
		f.close()
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	f.errR, f.errW = f.outR, f.outW
	if !j.merge {
		if f.errR, f.errW, err = f.pipe(); err != nil {
			f.close()
			return nil, fmt.Errorf("stderr pipe: %w", err)
		}
	}
	return f, nil
}

// pipe opens a pipe whose ends f closes.
func (f *runFiles) pipe() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err == nil {
		f.files = append(f.files, r, w)
	}
	return r, w, err
}

// close closes every descriptor of the run.
func (f *runFiles) close() { closeFiles(f.files...) }

// request returns the helper's run request for j: its argv and environment
// (with the host's paths, without a sandbox), its CPU limit and rlimits.
// With a cgroup the helper sets the rlimits and reads the group's CPU
// usage; without one, the program starts through prlimit in a shell (see
// boxinit's launchShell), so that ru_maxrss, the only measure of its
// memory, starts from the shell's. zygote, if set, is the argv of the
// box's zygote that forks it (see startZygote).
func (b *box) request(j *job, zygote []string) boxinit.Request {
	b.nextID++
	req := boxinit.Request{Op: "run", ID: b.nextID, Argv: j.argv, Env: j.env, CPULimitMS: j.cpuLimit.Milliseconds()}
	if b.paths != nil {
		req.Argv, req.Env = b.hostPaths(j.argv), b.hostPaths(j.env)
		req.Dir, req.Tmp = b.dir, b.tmp
	}
	req.Zygote = zygote
	req.Argv = append(req.Argv[:len(req.Argv):len(req.Argv)], j.args...)
	rl := b.s.boxRlimits(j.rlim)
	switch {
	case b.cg != nil:
		req.CPUUsage = true
		req.Rlimits = &rl
	case req.Zygote != nil:
		// Forked from the zygote, whose resident size its ru_maxrss
		// starts from, as a fresh interpreter's starts from its own:
		// the helper sets its rlimits. (Should the zygote fail, it
		// starts afresh from the helper, whose size it then starts
		// from.)
		req.Rlimits = &rl
	default:
		req.Shell = true
		req.Argv = append(rlimitArgs(rl, b.s.prlimit), req.Argv...)
	}
	return req
}

// boxRlimits returns the rlimits a program gets for r: r, but without a
// sandbox RLIMIT_NPROC, which then counts the uid's processes on the whole
// host (the box has no user namespace of its own), so that it means
// nothing: the pids cgroup, if any, bounds the box's.
func (s *Sandbox) boxRlimits(r boxinit.Rlimits) boxinit.Rlimits {
	if !s.unsafe {
		return r
	}
	r.Processes = unsafeProcesses
	// Raising it past the hard limit needs a capability the box's uid has
	// not.
	var hard unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &hard) == nil && hard.Max < uint64(r.Processes) {
		r.Processes = int(hard.Max)
	}
	return r
}

// runWatch is the host's watch over a run: the captures of its output, and
// the reasons to stop it (output over its cap, the wall limit, ctx).
type runWatch struct {
	o                              *outcome
	overflowed, timedOut, canceled atomic.Bool
	// stop asks the waiting loop (see await) to kill the run.
	stop       chan struct{}
	readers    sync.WaitGroup
	timer      *time.Timer
	stopCancel func() bool
}

// watchRun starts reading the run's output and the timers that stop it.
func (b *box) watchRun(ctx context.Context, j *job, f *runFiles) *runWatch {
	w := &runWatch{o: &outcome{stdout: &capture{limit: j.stdoutCap}}, stop: make(chan struct{}, 1)}
	if j.killOnOverflow {
		w.o.stdout.overflow = func() { w.overflowed.Store(true); w.stopRun() }
	}
	w.readers.Go(func() {
		if err := w.o.stdout.drain(f.outR); err != nil {
			b.s.log.Warn("sandbox: read stdout", "err", err)
		}
	})
	if !j.merge {
		w.o.stderr = &capture{limit: j.stderrCap, tailSize: j.stderrTail}
		w.readers.Go(func() {
			if err := w.o.stderr.drain(f.errR); err != nil {
				b.s.log.Warn("sandbox: read stderr", "err", err)
			}
		})
	}
	w.timer = time.AfterFunc(j.wall, func() { w.timedOut.Store(true); w.stopRun() })
	w.stopCancel = context.AfterFunc(ctx, func() { w.canceled.Store(true); w.stopRun() })
	return w
}

// stopRun asks the waiting loop to kill the run.
func (w *runWatch) stopRun() {
	select {
	case w.stop <- struct{}{}:
	default:
	}
}

// await waits for the end of run id: the helper's report (in w.o), or the
// helper's end. When w asks, it tells the helper to kill the run, and kills
// the box should the helper not stop it within helperGrace. Its error is a
// fault of the box, not of the program.
func (b *box) await(id uint64, w *runWatch) error {
	var grace <-chan time.Time // set once the helper was told to kill the run
	started := false
	for {
		select {
		case ev, ok := <-b.events:
			switch {
			case !ok:
				b.broken.Store(true)
				if !started && grace == nil {
					return fmt.Errorf("%w: %s", errBoxLost, b.diag.bytes())
				}
				return nil
			case ev.ID != id:
				// A report of an earlier run: ignore.
			case ev.Event == "started":
				started = true
			case ev.Event == "exited":
				w.o.report = &ev
				return nil
			case ev.Event == "error":
				b.broken.Store(true)
				return b.runFault(ev, grace != nil)
			}
		case <-w.stop:
			if grace == nil {
				if err := b.send(boxinit.Request{Op: "kill", ID: id}); err != nil {
					b.kill()
				}
				grace = time.After(helperGrace)
			}
		case <-grace:
			b.s.log.Error("sandbox: the helper did not stop a run: killing the box")
			b.kill()
			grace = nil
		}
	}
}

// runFault is the fault of a run the helper refused or failed (ev, an
// "error" report): the box was lost if the last run left it unfit (another
// box will do), an internal fault otherwise, none if the helper was killing
// the run.
func (b *box) runFault(ev boxinit.Report, killing bool) error {
	switch {
	case ev.Dirty != "":
		b.s.log.Warn("sandbox: discarding a box the program left dirty", "why", ev.Dirty)
		return fmt.Errorf("%w: %s", errBoxLost, ev.Error)
	case !killing:
		return fmt.Errorf("sandbox init: %s", ev.Error)
	}
	return nil
}

// awaitOutput waits until the run's output has been read to its end. Should
// something still hold a pipe after helperGrace, the box goes.
func (b *box) awaitOutput(w *runWatch, f *runFiles) {
	done := make(chan struct{})
	go func() { w.readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(helperGrace):
		b.s.log.Error("sandbox: output pipes still open after the run ended")
		b.kill()
		_ = f.outR.Close()
		_ = f.errR.Close()
		<-done
	}
}

// conclude completes the run's outcome: what the box's group measured, and
// why the host stopped the run. A run ctx stopped returns ctx's error.
func (b *box) conclude(ctx context.Context, w *runWatch, mark cgroups.Mark) (*outcome, error) {
	o := w.o
	if b.cg != nil {
		st, err := b.cg.End(mark)
		if err != nil {
			b.kill()
			return nil, fmt.Errorf("read cgroup: %w", err)
		}
		o.cg = &st
	}
	o.timedOut, o.outputExceeded = w.timedOut.Load(), w.overflowed.Load()
	if w.canceled.Load() && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if o.report == nil && !o.timedOut && !o.outputExceeded {
		// Not killed by us, yet the helper died without reporting: the
		// program is the only suspect. Its run counts as killed.
		b.s.log.Warn("sandbox: the init process died without reporting", "diagnostics", string(b.diag.bytes()))
	}
	return o, nil
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

// zygoteKey identifies a zygote by its argv and environment.
func zygoteKey(argv, env []string) string {
	return strings.Join(argv, "\x00") + "\x01" + strings.Join(env, "\x00")
}

// startZygote asks the helper to start the zygote of j's runs, unless it
// runs or failed to start already, and returns its argv as the helper knows
// it (the host's paths without a sandbox), nil if it did not start: the
// runs then start afresh. Its error is a fault of the box.
func (b *box) startZygote(ctx context.Context, j *job) ([]string, error) {
	req := boxinit.Request{Op: "zygote", Argv: j.zygote, Env: j.env}
	if b.paths != nil {
		req.Argv, req.Env = b.hostPaths(j.zygote), b.hostPaths(j.env)
		req.Dir, req.Tmp = b.dir, b.tmp
	}
	key := zygoteKey(req.Argv, req.Env)
	switch key {
	case b.zygote:
		return req.Argv, nil
	case b.zygoteFailed:
		return nil, nil
	}
	b.nextID++
	req.ID = b.nextID
	if err := b.send(req); err != nil {
		b.kill()
		return nil, fmt.Errorf("%w: send zygote request: %v", errBoxLost, err)
	}
	timer := time.NewTimer(zygoteStartTimeout)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-b.events:
			switch {
			case !ok:
				b.broken.Store(true)
				return nil, fmt.Errorf("%w: %s", errBoxLost, b.diag.bytes())
			case ev.ID != req.ID:
			case ev.Error != "":
				b.zygoteFailed = key
				b.s.log.Warn("sandbox: the zygote did not start: runs start afresh", "argv0", req.Argv[0], "err", ev.Error)
				return nil, nil
			default:
				b.zygote = key
				return req.Argv, nil
			}
		case <-timer.C:
			b.kill()
			return nil, fmt.Errorf("%w: the zygote did not start within %v", errBoxLost, zygoteStartTimeout)
		case <-ctx.Done():
			b.kill()
			return nil, ctx.Err()
		}
	}
}
