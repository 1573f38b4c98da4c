package sandbox

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
	"github.com/codementor/codementor/sandbox/internal/cgroups"
	"github.com/codementor/codementor/sandbox/internal/toolchain"

	"golang.org/x/sys/unix"
)

// Programs: a submission compiled in a work dir of its own, and its runs,
// each in one of its boxes, with the verdicts' flags.

// Program is a compiled submission in its own work directory, with the
// sandbox that runs its tests one after the other. Run may be called
// concurrently (each concurrent run gets a sandbox of its own); Close must
// come after the last Run.
type Program struct {
	s    *Sandbox
	tc   *toolchain.Toolchain
	lang *toolchain.Language
	dir  string
	// idle are the program's sandboxes waiting for a run (one, unless
	// runs were concurrent); closed says Close was called, starting counts
	// the sandboxes being started ahead of the first run.
	mu          sync.Mutex
	idle        []*box
	closed      bool
	starting    sync.WaitGroup
	prestarting bool
	// staticBytes is the memory an ELF executable maps at exec (its PT_LOAD
	// segments), 0 for interpreted languages.
	staticBytes int64
	// runs is Source.Runs.
	runs int
}

// Compile makes a fresh work dir, writes the source and the files given
// into it (see Source) and, if the language has a compile step, compiles it
// in the sandbox (limits: 20 s of CPU, 30 s wall, 1 GiB of memory, 8 KiB of
// messages kept). A program that does not compile yields a *CompileError;
// options and files it refuses, errors wrapping ErrBadOptions and
// ErrBadFiles; other errors are internal faults. The caller must Close the
// Program.
func (s *Sandbox) Compile(ctx context.Context, src Source) (*Program, error) {
	tc := s.toolchains[src.Language]
	if tc == nil {
		return nil, fmt.Errorf("compile %q: %w", src.Language, ErrUnknownLanguage)
	}
	lang := tc.Lang
	if err := checkCompilerOptions(lang, src.CompilerOptions); err != nil {
		return nil, fmt.Errorf("compile %s: %w", lang.ID, err)
	}
	if err := checkFiles(lang, src.Files); err != nil {
		return nil, fmt.Errorf("compile %s: %w", lang.ID, err)
	}
	// A sandbox started ahead brings its work dir, in which nothing ran.
	warm := s.pool.take(tc)
	var dir string
	if warm != nil {
		dir = warm.dir
	} else {
		var err error
		if dir, err = s.newWorkDir(lang); err != nil {
			return nil, fmt.Errorf("compile: make work dir: %w", err)
		}
	}
	p := &Program{s: s, tc: tc, lang: lang, dir: dir, runs: src.Runs}
	ok := false
	defer func() {
		if !ok {
			if warm != nil {
				warm.b.close()
			}
			_ = p.Close()
		}
	}()
	files := map[string]string{lang.Entry: src.Code}
	if src.Driver != "" {
		files = map[string]string{lang.Entry: src.Driver, lang.Solution: src.Code}
	}
	for name, text := range files {
		if err := writeNew(filepath.Join(dir, name), text); err != nil {
			return nil, fmt.Errorf("compile: write source: %w", err)
		}
	}
	given, err := writeFiles(dir, src.Files)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	defer given.close()
	// The sandbox user may read the work dir from now on (while it
	// compiles, it owns it), never write it in a run.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("compile: chmod work dir: %w", err)
	}
	compiler := lang.Compile != nil && !lang.CheckOnly
	if compiler {
		// The program's sandbox starts while it compiles (it binds the work
		// dir, where the executable will appear), ready for the first run.
		p.prestart()
	} else if warm != nil {
		p.idle = append(p.idle, warm.b) // the program's own sandbox
		warm = nil
	}
	if lang.Compile != nil {
		var compilerBox *box
		if compiler && warm != nil {
			compilerBox, warm = warm.b, nil
		}
		if err := p.compile(ctx, src.Driver != "", src.CompilerOptions, compilerBox); err != nil {
			return nil, err
		}
	}
	if compiler {
		if err := checkPlaced(dir, given); err != nil {
			return nil, fmt.Errorf("compile %s: %w", lang.ID, err)
		}
	}
	ok = true
	return p, nil
}

// writeNew creates path, which must not exist, with text.
func writeNew(path, text string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// compile runs the compiler, with options opts, in p's work dir, once the
// toolchain's cache is ready.
func (p *Program) compile(ctx context.Context, withDriver bool, opts []string, b *box) error {
	s, tc := p.s, p.tc
	select {
	case <-tc.Ready():
	case <-ctx.Done():
		return ctx.Err()
	}
	// The compiler uses the toolchain's cache if its box binds it: a box
	// started ahead may have started before the cache was made.
	cache := false
	if !p.lang.CheckOnly {
		cache = tc.HasCache()
		if b != nil {
			cache = b.cache
		}
	}
	j, err := p.compileJob(withDriver, opts, cache)
	if err != nil {
		return fmt.Errorf("compile %s: %w", p.lang.ID, err)
	}
	if p.lang.CheckOnly {
		// Forked by the zygote of the runs, which starts for it, with
		// the runs' environment.
		if z := p.zygoteJob(); z != nil {
			j.zygote, j.env = z.zygote, z.env
		}
	}
	var o *outcome
	if p.lang.CheckOnly {
		// A syntax check writes nothing: it runs in the program's own
		// sandbox, which then serves the runs.
		o, err = p.runJob(ctx, j)
	} else {
		o, err = p.compileInBox(ctx, j, b)
	}
	if err != nil {
		return fmt.Errorf("compile %s: %w", p.lang.ID, err)
	}
	if err := p.compileFailure(o); err != nil {
		return err
	}
	if p.lang.Native {
		n, err := staticSize(filepath.Join(p.dir, "main"))
		if err != nil {
			return fmt.Errorf("compile %s: %w", p.lang.ID, err)
		}
		p.staticBytes = n
	}
	s.log.Debug("sandbox: compiled", "language", p.lang.ID, "dir", p.dir,
		"cpu_ms", (o.report.UserUS+o.report.SysUS)/1000, "wall_ms", o.report.WallUS/1000)
	return nil
}

// compileJob returns the compiler's job: its command, with options opts
// (checked) and the sources (the driver's too, withDriver) and the cache's
// flags (with cache, when the box binds it), and the compilers' limits.
func (p *Program) compileJob(withDriver bool, opts []string, cache bool) (*job, error) {
	vars := p.tc.Vars(map[string][]string{"sources": p.lang.Sources(withDriver), "options": opts}, cache)
	compile, err := withOptions(p.lang.Compile, opts)
	if err != nil {
		return nil, err
	}
	argv, err := toolchain.Expand(compile, vars)
	if err != nil {
		return nil, err
	}
	env, err := toolchain.Expand(p.lang.CompileEnv, vars)
	if err != nil {
		return nil, err
	}
	return &job{
		argv: argv, env: env,
		rlim: boxinit.Rlimits{
			CPUSeconds: int(compileCPU / time.Second), AddressSpace: compileMemory + int64(p.lang.AddressSpaceSlackMB)<<20,
			FileSize: 64 << 20, OpenFiles: 256, Processes: compileProcesses, Stack: maxStack,
		},
		memory:   compileMemory + int64(p.lang.MemorySlackMB)<<20,
		cpuLimit: compileCPU, wall: compileWall,
		stdoutCap: compileOutput, merge: true,
	}, nil
}

// compileFailure says how a compilation that ended as o failed: a
// *CompileError with the compiler's messages and why it stopped, or an
// internal fault when the machine starved it; nil if it succeeded.
func (p *Program) compileFailure(o *outcome) error {
	out := string(o.stdout.bytes())
	if o.stdout.exceeded() {
		out += "\n[compiler output truncated]"
	}
	r := o.report
	switch {
	case o.timedOut && starved(o, Execution{TimeMS: cpuTime(o).Milliseconds()}, Limits{CPUTime: compileCPU}):
		// Not the learner's doing: an internal fault, not a verdict.
		return fmt.Errorf("compile %s: the machine was too busy: the compiler waited for a CPU most of its %v", p.lang.ID, compileWall)
	case o.timedOut || (r != nil && r.CPUKilled):
		return &CompileError{Output: out + fmt.Sprintf("\ncompilation stopped: it ran out of time (limits: %v of CPU, %v in all)", compileCPU, compileWall)}
	case r == nil:
		return &CompileError{Output: out + "\ncompilation was killed"}
	case !r.Exited:
		return &CompileError{Output: out + fmt.Sprintf("\nthe compiler was killed by %s", unix.SignalName(syscall.Signal(r.Signal)))}
	case r.ExitCode != 0:
		if outputFull(p.dir) {
			out += fmt.Sprintf("\ncompilation stopped: the compiler wrote more than %d MiB, the limit of its output", p.s.cfg.CompileOutputMB)
		}
		return &CompileError{Output: out}
	}
	return nil
}

// compileInBox runs a compiler in a sandbox of its own, with the work dir
// writable: b if not nil (started ahead on the work dir), a new one if nil.
// It closes the sandbox.
func (p *Program) compileInBox(ctx context.Context, j *job, b *box) (*outcome, error) {
	s := p.s
	// The compiler writes into the work dir: the box's uid owns it while
	// the box runs (startBox gives it).
	var o *outcome
	var err error
	if b != nil {
		o, err = b.run(ctx, j)
		b.kill() // its processes are all gone: it goes away in the background
	} else {
		o, err = s.run(ctx, s.warmConfig(p.tc, p.dir), j)
	}
	// Back to root, so that nothing the program does later can write it.
	// The directory itself is ours (its parent is not the sandbox's), and
	// chown on it follows no link.
	if s.ownUIDs {
		if err := os.Chown(p.dir, 0, 0); err != nil {
			return nil, fmt.Errorf("chown work dir back: %w", err)
		}
	}
	return o, err
}

// runBox is how the program's sandboxes bind: the work dir read-only.
func (p *Program) runBox() boxConfig {
	return boxConfig{tc: p.tc, dir: p.dir, tmpSize: runTmpSize, processes: runProcesses}
}

// prestart starts a sandbox for the program's runs in the background.
func (p *Program) prestart() {
	p.prestarting = true
	p.starting.Add(1)
	go func() {
		defer p.starting.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*helperGrace)
		defer cancel()
		b, err := p.s.startBox(ctx, p.runBox())
		if err != nil {
			p.s.log.Warn("sandbox: start a sandbox ahead", "err", err)
			return
		}
		p.putBox(b)
	}()
}

// getBox returns an idle sandbox of the program, or a new one.
func (p *Program) getBox(ctx context.Context) (*box, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errors.New("the program is closed")
		}
		n := len(p.idle)
		if n == 0 && p.prestarting {
			// The sandbox started ahead is nearly there.
			p.mu.Unlock()
			p.starting.Wait()
			p.mu.Lock()
			p.prestarting = false
			p.mu.Unlock()
			continue
		}
		if n == 0 {
			p.mu.Unlock()
			return p.s.startBox(ctx, p.runBox())
		}
		b := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		select {
		case <-b.exited: // the helper quit while idle
			b.close()
		default:
			return b, nil
		}
	}
}

// putBox gives back a sandbox after a run: kept for the next run if it can
// serve again, closed if not.
func (p *Program) putBox(b *box) {
	p.mu.Lock()
	if !b.broken.Load() && !p.closed {
		p.idle = append(p.idle, b)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	b.kill()
}

// runJob runs j in one of the program's sandboxes, in a second one if the
// first turns out dead before the program started.
func (p *Program) runJob(ctx context.Context, j *job) (*outcome, error) {
	for attempt := 0; ; attempt++ {
		b, err := p.getBox(ctx)
		if err != nil {
			return nil, err
		}
		o, err := b.run(ctx, j)
		p.putBox(b)
		if errors.Is(err, errBoxLost) && attempt == 0 {
			p.s.log.Warn("sandbox: a sandbox died before its run: trying another", "err", err)
			continue
		}
		return o, err
	}
}

// staticSize returns the memory an ELF executable maps at exec: the sum of
// its PT_LOAD segments' sizes in memory (code, data, bss). It refuses
// anything but a regular file.
func staticSize(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0, fmt.Errorf("open executable: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("stat executable: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("executable %s is not a regular file", path)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return 0, fmt.Errorf("read executable: %w", err)
	}
	var n uint64
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			n += p.Memsz
		}
	}
	return int64(min(n, math.MaxInt64)), nil
}

// withDefaults fills zero limits.
func (l Limits) withDefaults() Limits {
	if l.CPUTime <= 0 {
		l.CPUTime = defaultCPUTime
	}
	if l.WallTime <= 0 {
		l.WallTime = 2*l.CPUTime + time.Second
	}
	if l.MemoryMB <= 0 {
		l.MemoryMB = defaultMemoryMB
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = defaultOutputBytes
	}
	return l
}

// rlimits returns the program's resource limits under lim.
func (p *Program) rlimits(lim Limits) boxinit.Rlimits {
	mem := int64(lim.MemoryMB) << 20
	return boxinit.Rlimits{
		CPUSeconds:   int(math.Ceil(lim.CPUTime.Seconds())) + 1,
		AddressSpace: mem + int64(p.lang.AddressSpaceSlackMB)<<20,
		FileSize:     lim.fileSize(),
		OpenFiles:    runOpenFiles,
		Processes:    lim.processes(),
		Stack:        lim.stack(),
	}
}

// zygote returns the argv of the zygote that forks the program's runs of
// command run (expanded, without arguments), nil if they start afresh
// (Config.NoZygote, or a language without).
func (p *Program) zygote(run []string) []string {
	if p.s.cfg.NoZygote || p.lang.Zygote == nil || p.runs > 0 && p.runs < ZygoteMinRuns {
		return nil
	}
	return p.lang.Zygote(run)
}

// zygoteJob returns a run of the program (its command under the default
// limits) with its zygote, nil if it has none.
func (p *Program) zygoteJob() *job {
	argv, env, err := p.runCommand(Limits{}.withDefaults())
	if err != nil {
		return nil
	}
	if z := p.zygote(argv); z != nil {
		return &job{argv: argv, env: env, zygote: z}
	}
	return nil
}

// runCommand returns the program's argv, without its arguments, and extra
// environment under lim.
func (p *Program) runCommand(lim Limits) (argv, env []string, err error) {
	vars := p.tc.Vars(map[string][]string{
		"mem":   {strconv.Itoa(lim.MemoryMB)},
		"stack": {strconv.FormatInt(lim.stackMB(), 10)},
	}, false)
	if argv, err = toolchain.Expand(p.lang.Run, vars); err == nil {
		env, err = toolchain.Expand(p.lang.RunEnv, vars)
	}
	return argv, env, err
}

// Run runs the program once on stdin under lim. Its error is an internal
// fault or the cancellation of ctx (which kills the run), never the
// program's own failure, which Execution describes.
func (p *Program) Run(ctx context.Context, stdin []byte, lim Limits) (Execution, error) {
	if err := lim.validate(); err != nil {
		return Execution{}, fmt.Errorf("run %s program: %w", p.lang.ID, err)
	}
	lim = lim.withDefaults()
	rl := p.rlimits(lim)
	if limit := int64(lim.MemoryMB+p.lang.MemorySlackMB) << 20; p.staticBytes > limit {
		// The kernel would kill it in exec, or the memory cgroup at once.
		return Execution{
			ExitCode: -1, Signal: "SIGKILL", MemoryExceeded: true, MemoryKB: p.staticBytes >> 10,
			Stderr: fmt.Appendf(nil, "the program's static data (%d MiB) do not fit in the memory limit of %d MiB\n", p.staticBytes>>20, lim.MemoryMB),
		}, nil
	}
	argv, env, err := p.runCommand(lim)
	if err != nil {
		return Execution{}, fmt.Errorf("run %s program: %w", p.lang.ID, err)
	}
	o, err := p.runJob(ctx, &job{
		argv: argv, args: lim.args(), env: env, rlim: rl, cpuLimit: lim.CPUTime, wall: lim.WallTime,
		memory:    int64(lim.MemoryMB+p.lang.MemorySlackMB) << 20,
		stdin:     stdin,
		stdoutCap: lim.OutputBytes, stderrCap: stderrHead, stderrTail: stderrTail,
		merge:          lim.MergeStderr,
		killOnOverflow: true,
		zygote:         p.zygote(argv),
	})
	if err != nil {
		return Execution{}, fmt.Errorf("run %s program: %w", p.lang.ID, err)
	}
	e := p.execution(o, lim)
	p.s.log.Debug("sandbox: run", "language", p.lang.ID, "exit", e.ExitCode, "signal", e.Signal,
		"cpu_ms", e.TimeMS, "wall_ms", e.WallMS, "memory_kb", e.MemoryKB,
		"timed_out", e.TimedOut, "memory_exceeded", e.MemoryExceeded, "output_exceeded", e.OutputExceeded)
	return e, nil
}

// execution is what a run under lim that ended as o did: the helper's
// report, corrected by what the box's group measured, and the verdicts'
// flags.
func (p *Program) execution(o *outcome, lim Limits) Execution {
	e := Execution{
		Stdout:         o.stdout.bytes(),
		OutputExceeded: o.outputExceeded,
	}
	if r := o.report; r != nil {
		e.Forked, e.Fresh = r.Forked, r.Fresh
		if r.ZygoteRenewed != "" {
			p.s.log.Warn("sandbox: a run left the zygote unfit: a new one replaced it", "language", p.lang.ID, "why", r.ZygoteRenewed)
		}
	}
	if o.stderr != nil { // nil: merged into stdout
		e.Stderr = o.stderr.bytes()
	}
	if r := o.report; r != nil {
		e.TimeMS = (r.UserUS + r.SysUS) / 1000
		e.WallMS = r.WallUS / 1000
		e.MemoryKB = r.MaxRSSKB
		if r.Exited {
			e.ExitCode = r.ExitCode
		} else {
			e.ExitCode, e.Signal = -1, unix.SignalName(syscall.Signal(r.Signal))
		}
		// SIGXCPU is RLIMIT_CPU's only past the CPU limit: a program
		// can send it to itself.
		e.TimedOut = r.CPUKilled || (r.Signal == int(syscall.SIGXCPU) && e.TimeMS >= lim.CPUTime.Milliseconds())
	} else {
		// Killed with its sandbox before the helper could report.
		e.ExitCode, e.Signal = -1, "SIGKILL"
		e.WallMS = o.wall.Milliseconds()
	}
	if o.cg != nil {
		e.TimeMS = cpuTime(o).Milliseconds()
		if o.cg.PeakBytes > 0 {
			e.MemoryKB = o.cg.PeakBytes >> 10
		}
	}
	e.TimedOut = e.TimedOut || o.timedOut || e.TimeMS > lim.CPUTime.Milliseconds()
	e.Starved = starved(o, e, lim)
	e.MemoryExceeded = p.memoryExceeded(&e, lim, o.cg)
	return e
}

// cpuTime is the CPU time of everything a job ran: as its box's group
// counts it (every process and thread, less the helper's own), or as the
// helper's report does without a group.
func cpuTime(o *outcome) time.Duration {
	if o.cg != nil {
		cpu := o.cg.CPU
		if o.report != nil {
			cpu -= time.Duration(o.report.HelperUS) * time.Microsecond
		}
		return max(cpu, 0)
	}
	if o.report != nil {
		return time.Duration(o.report.UserUS+o.report.SysUS) * time.Microsecond
	}
	return 0
}

// starved says whether a run killed at its wall limit (o.timedOut) was
// kept from the CPU: under its CPU limit, one of its threads waited,
// runnable, for at least half the time it was not running. The time before
// the program started counts as waiting too: the helper that starts it runs
// in the box's idle group, and on a busy machine it can wait most of the
// wall limit for a CPU (the host's clock starts when it sends the request;
// the program's, WallUS, when it starts). A program that sleeps or blocks
// on input waits for no CPU, and is out of time. A run whose helper sent no
// report (it did not stop the run within its grace, so the box was killed)
// is starved when under its CPU limit: the helper, which stops a sleeping
// program at once, itself got no CPU for seconds.
func starved(o *outcome, e Execution, lim Limits) bool {
	if !o.timedOut || e.TimeMS >= lim.CPUTime.Milliseconds() {
		return false
	}
	if o.report == nil {
		return true
	}
	off := o.wall - time.Duration(e.TimeMS)*time.Millisecond
	waited := time.Duration(o.report.WaitUS) * time.Microsecond
	if o.report.WallUS > 0 {
		waited += max(o.wall-time.Duration(o.report.WallUS)*time.Microsecond, 0)
	}
	return waited*2 >= off
}

// memoryExceeded says whether a failed run died for want of memory: the
// memory cgroup's OOM killer killed one of its processes (cg, when the run
// had a group), or an allocation failed under RLIMIT_AS. For the latter the
// kernel does not say so; the heuristics, in order:
//   - the runtime said so on stderr (on stdout, where stderr merges into
//     it): Python's MemoryError, C++'s
//     std::bad_alloc, the C library's "Cannot allocate memory" (see
//     Language.OutOfMemoryMarkers). With a memory cgroup, only when
//     the run's peak reached half the limit: the program writes its own
//     stderr, and the group tells how much memory it really took;
//   - it died of SIGSEGV, SIGBUS, SIGABRT or (without a group) SIGKILL (a
//     null pointer from a failed malloc, an abort from an allocator) with a
//     peak memory of at least 80% of the memory limit.
//
// A run that timed out or overflowed its output is never a memory failure.
func (p *Program) memoryExceeded(e *Execution, lim Limits, cg *cgroups.Stats) bool {
	if e.TimedOut || e.OutputExceeded || (e.ExitCode == 0 && e.Signal == "") {
		return false
	}
	if cg != nil && cg.OOMKills > 0 {
		return true
	}
	stderr := e.Stderr
	if lim.MergeStderr {
		stderr = e.Stdout
	}
	for _, m := range p.lang.OutOfMemoryMarkers() {
		if bytes.Contains(stderr, []byte(m)) && (cg == nil || e.MemoryKB*2 >= int64(lim.MemoryMB)*1024) {
			return true
		}
	}
	switch e.Signal {
	case "SIGKILL":
		if cg != nil {
			return false // the group would have said so
		}
		fallthrough
	case "SIGSEGV", "SIGBUS", "SIGABRT":
		return e.MemoryKB*100 >= int64(lim.MemoryMB)*1024*80
	}
	return false
}

// Close kills the program's sandboxes and removes the work dir.
// os.RemoveAll does not follow the symbolic links the program may have
// planted.
func (p *Program) Close() error {
	p.starting.Wait()
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, b := range idle {
		b.kill() // it goes away in the background
	}
	if p.dir == "" {
		return nil
	}
	if !strings.HasPrefix(p.dir, p.s.cfg.WorkDir+string(filepath.Separator)) {
		return fmt.Errorf("close program: work dir %s is outside %s", p.dir, p.s.cfg.WorkDir)
	}
	if err := removeWorkDir(p.dir); err != nil {
		return fmt.Errorf("close program: %w", err)
	}
	p.dir = ""
	return nil
}
