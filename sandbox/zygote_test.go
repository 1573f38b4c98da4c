package sandbox

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pythonState, on "check", describes everything of the interpreter and the
// process that a run could leave for the next one, or that a zygote's
// child could have that a fresh interpreter has not; on "plant", it changes
// all of it, and starts children that outlive it.
const pythonState = `import sys, os
mods_at_start = sorted(sys.modules)
finders_at_start = sorted(sys.path_importer_cache)
main_at_start = sorted(k for k in vars(sys.modules['__main__']) if k != 'mods_at_start' and k != 'finders_at_start')
import builtins, gc, json, resource, signal, subprocess, time
cmd = sys.stdin.read().strip()
if cmd == "plant":
    json.planted = True
    builtins.planted = True
    sys.modules["planted"] = json
    sys.path.append("/planted")
    sys.setrecursionlimit(77)
    sys.setswitchinterval(0.5)
    gc.disable()
    os.environ["PLANTED"] = "1"
    os.umask(0o077)
    os.chdir("/tmp")
    signal.signal(signal.SIGUSR1, lambda *a: None)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    os.kill(os.getpid(), signal.SIGUSR2)
    fd = os.open("/tmp/planted", os.O_CREAT | os.O_WRONLY)
    os.dup2(fd, 9, inheritable=True)
    r, w = os.pipe()
    os.set_inheritable(w, True)
    subprocess.Popen(["/bin/sleep", "30"], pass_fds=(w,))
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(30)
        os._exit(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 64))
    os.nice(3)
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print("planted")
    sys.exit(0)
status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
others = []
for p in os.listdir("/proc"):
    if p.isdigit() and int(p) not in (1, os.getpid()):
        with open("/proc/%s/stat" % p) as f:
            others.append(f.read().rsplit(")", 1)[1].split()[0])
fds = sorted(os.listdir("/proc/self/fd"))
umask = os.umask(0)
os.umask(umask)
print("modules", mods_at_start)
print("finders", finders_at_start)
print("main", main_at_start)
print("argv", sys.argv, sys.orig_argv, sys.path, sys.flags)
print("json", getattr(json, "planted", None), getattr(builtins, "planted", None), "planted" in sys.modules)
print("interpreter", sys.getrecursionlimit(), sys.getswitchinterval(), gc.isenabled())
print("environ", sorted(os.environ.items()))
print("cwd", os.getcwd(), "umask", umask)
print("signals", [(s, str(signal.getsignal(s))) for s in sorted(signal.valid_signals()) if s not in (signal.SIGKILL, signal.SIGSTOP)])
print("mask", [status[k].strip() for k in ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")])
print("fds", fds, "tmp", sorted(os.listdir("/tmp")))
print("limits", [resource.getrlimit(getattr(resource, n)) for n in sorted(dir(resource)) if n.startswith("RLIMIT_")])
print("sched", os.getpriority(os.PRIO_PROCESS, 0), sorted(os.sched_getaffinity(0)), status["NoNewPrivs"].strip(), status["Seccomp"].strip())
print("procs", sorted(others))
`

// TestZygoteRunsArePristine checks that a run the Python zygote forks finds
// the interpreter and the process as a fresh interpreter would (compared
// with a run started afresh), and nothing of the runs before it: modules
// and their state, builtins, sys.path, environment, working directory,
// umask, signal handlers, masks and pending signals, descriptors, files in
// /tmp, children, rlimits, priority and CPUs.
func TestZygoteRunsArePristine(t *testing.T) {
	ctx := context.Background()
	p := compile(t, "python", pythonState)
	check := func(p *Program, what string) string {
		t.Helper()
		e, err := p.Run(ctx, []byte("check"), testLimits)
		checkStart(t, p, e, err)
		if err != nil || e.ExitCode != 0 || !strings.Contains(string(e.Stdout), "procs") {
			t.Fatalf("%s: %v %s", what, err, describe(e))
		}
		return string(e.Stdout)
	}
	// Beside the helper and the run: the zygote alone (sleeping, or not
	// yet back to its wait for the next run), or none for a fresh start.
	procs := regexp.MustCompile(`(?m)^procs .*$`)
	withoutProcs := func(out, want string) string {
		t.Helper()
		if got := procs.FindString(out); !regexp.MustCompile(want).MatchString(got) {
			t.Errorf("%q, want %s", got, want)
		}
		return procs.ReplaceAllString(out, "")
	}
	const zygoteOnly = `^procs \['[SR]'\]$`
	first := withoutProcs(check(p, "first run"), zygoteOnly)
	e, err := p.Run(ctx, []byte("plant"), testLimits)
	if err != nil || string(e.Stdout) != "planted\n" {
		t.Fatalf("plant: %v %s", err, describe(e))
	}
	for i := 0; i < 2; i++ {
		if after := withoutProcs(check(p, "after plant"), zygoteOnly); after != first {
			t.Errorf("run %d after the plant differs from the first:\n%s", i, diffLines(first, after))
		}
	}
	fresh := withoutProcs(check(compileWith(t, freshMode().sandbox(t), Source{Language: "python", Code: pythonState}), "fresh"), `^procs \[\]$`)
	if first != fresh {
		t.Errorf("a forked run differs from a fresh one:\n%s", diffLines(fresh, first))
	}
}

// diffLines returns the lines of b that are not those of a, marked.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
		}
	}
	return strings.Join(out, "\n")
}

// zygoteTampering, on each command, tries something on the zygote (the
// only process of the box beside the helper and itself) and says what it
// got.
const zygoteTampering = `import os, signal, sys, resource
cmd = sys.stdin.read().strip()
z = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())]
if len(z) != 1:
    print("processes", z)
    sys.exit(3)
z = z[0]
def attempt(f):
    try:
        f()
        return "done"
    except OSError as e:
        return e.__class__.__name__
if cmd == "read":
    for name in ("mem", "environ", "maps", "fd", "cwd/main.py"):
        path = "/proc/%d/%s" % (z, name)
        print(name, attempt(lambda: os.listdir(path) if name == "fd" else open(path, "rb").read(1)))
elif cmd == "ptrace":
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    print("ptrace", libc.ptrace(16, z, 0, 0), ctypes.get_errno())  # PTRACE_ATTACH
elif cmd == "signals":
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGHUP, signal.SIGCONT):
        os.kill(z, s)
    print("signalled")
elif cmd == "stop":
    os.kill(z, signal.SIGSTOP)
    print("stopped")
elif cmd == "kill":
    os.kill(z, signal.SIGKILL)
    print("killed")
elif cmd == "prlimit":
    resource.prlimit(z, resource.RLIMIT_NOFILE, (4, 4))
    print("limited")
elif cmd == "nice":
    os.setpriority(os.PRIO_PROCESS, z, 10)
    print("niced")
else:
    print("zygote", z, open("/proc/self/status").read().count("SigBlk:\t0000000000000000"))
`

// TestZygoteTampering checks that a run cannot read the zygote's memory,
// environment or descriptors, nor trace it; that what it can do to it (send
// signals, stop it, kill it, change its limits or priority) never reaches
// the next run: signals stay pending, unseen, and a zygote that was stopped,
// killed or changed is replaced before the next run, which is forked as
// usual.
func TestZygoteTampering(t *testing.T) {
	ctx := context.Background()
	p := compile(t, "python", zygoteTampering)
	run := func(cmd string) Execution {
		t.Helper()
		e, err := p.Run(ctx, []byte(cmd), testLimits)
		checkStart(t, p, e, err)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		return e
	}
	zygote := func() string {
		t.Helper()
		e := run("")
		f := strings.Fields(string(e.Stdout))
		if len(f) != 3 || f[0] != "zygote" || f[2] != "1" {
			t.Fatalf("probe: %s", describe(e))
		}
		return f[1]
	}
	z := zygote()
	if e := run("read"); string(e.Stdout) != "mem PermissionError\nenviron PermissionError\nmaps PermissionError\nfd PermissionError\ncwd/main.py PermissionError\n" {
		t.Errorf("read the zygote: %s", describe(e))
	}
	if e := run("ptrace"); string(e.Stdout) != "ptrace -1 1\n" { // EPERM
		t.Errorf("ptrace the zygote: %s", describe(e))
	}
	if e := run("signals"); string(e.Stdout) != "signalled\n" {
		t.Errorf("signal the zygote: %s", describe(e))
	}
	if got := zygote(); got != z {
		t.Errorf("signals other than SIGKILL and SIGSTOP replaced the zygote (%s, then %s)", z, got)
	}
	for _, cmd := range []string{"stop", "kill", "prlimit", "nice"} {
		start := time.Now()
		if e := run(cmd); e.ExitCode != 0 {
			t.Errorf("%s: %s", cmd, describe(e))
		}
		got := zygote()
		if got == z {
			t.Errorf("%s: the zygote %s was kept", cmd, z)
		}
		t.Logf("%s: zygote %s replaced by %s within %v", cmd, z, got, time.Since(start).Round(time.Millisecond))
		z = got
	}
}

// TestZygoteOnlyForSeveralRuns: a program its caller runs once or twice
// starts each run afresh (a zygote would cost more than it saves); one run
// more often, or an unknown number of times, is forked.
func TestZygoteOnlyForSeveralRuns(t *testing.T) {
	for runs, forked := range map[int]bool{0: true, 1: false, ZygoteMinRuns - 1: false, ZygoteMinRuns: true, 10: true} {
		p := compileSource(t, Source{Language: "python", Code: "print(6 * 7)\n", Runs: runs})
		e, err := p.Run(context.Background(), nil, testLimits)
		if err != nil || string(e.Stdout) != "42\n" || e.Forked != forked || e.Fresh != "" {
			t.Errorf("Runs %d: %v %s forked %v (%q), want forked %v", runs, err, describe(e), e.Forked, e.Fresh, forked)
		}
	}
}
