//go:build linux

package seccomp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"testing"
)

// The tests in this file run the filters in a small classic-BPF interpreter
// that follows the kernel's rules for seccomp programs; bwrap_test.go loads
// them into the kernel.

const (
	auditArchI386 = 0x40000003 // AUDIT_ARCH_I386
	auditArchARM  = 0x40000028 // AUDIT_ARCH_ARM
	clonePidfd    = 0x1000     // CLONE_PIDFD
	cloneNewTime  = 0x80       // CLONE_NEWTIME
)

// seccompData is struct seccomp_data.
type seccompData struct {
	nr   uint32
	arch uint32
	ip   uint64
	args [6]uint64
}

func (d seccompData) bytes() []byte {
	b := make([]byte, 64)
	binary.LittleEndian.PutUint32(b[0:], d.nr)
	binary.LittleEndian.PutUint32(b[4:], d.arch)
	binary.LittleEndian.PutUint64(b[8:], d.ip)
	for i, a := range d.args {
		binary.LittleEndian.PutUint64(b[16+8*i:], a)
	}
	return b
}

// decode parses an encoded program, checking what the kernel checks when it
// loads one (bpf_check_classic, seccomp_check_filter) for the instructions
// this package emits.
func decode(t testing.TB, p []byte) []insn {
	t.Helper()
	if len(p) == 0 || len(p)%8 != 0 {
		t.Fatalf("program of %d bytes is not a non-empty array of 8-byte sock_filter", len(p))
	}
	n := len(p) / 8
	if n > maxInsns {
		t.Fatalf("program has %d instructions, more than BPF_MAXINSNS %d", n, maxInsns)
	}
	prog := make([]insn, n)
	for i := range prog {
		b := p[8*i:]
		prog[i] = insn{binary.LittleEndian.Uint16(b), b[2], b[3], binary.LittleEndian.Uint32(b[4:])}
	}
	for pc, in := range prog {
		switch in.code {
		case opLdAbsW:
			if in.k >= 64 || in.k%4 != 0 {
				t.Fatalf("insn %d: load from offset %d outside struct seccomp_data", pc, in.k)
			}
		case opJa:
			if uint64(pc)+1+uint64(in.k) >= uint64(n) {
				t.Fatalf("insn %d: ja %d out of the program", pc, in.k)
			}
		case opJeqK, opJgeK, opJsetK:
			if pc+1+int(max(in.jt, in.jf)) >= n {
				t.Fatalf("insn %d: jump out of the program", pc)
			}
		case opRetK:
		default:
			t.Fatalf("insn %d: unexpected opcode %#x", pc, in.code)
		}
	}
	if prog[n-1].code != opRetK {
		t.Fatalf("last instruction is not a return")
	}
	return prog
}

// eval runs prog on d and returns the filter's verdict.
func eval(t testing.TB, prog []insn, d seccompData) uint32 {
	t.Helper()
	data := d.bytes()
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.code {
		case opLdAbsW:
			acc = binary.LittleEndian.Uint32(data[in.k:])
		case opJa:
			pc += int(in.k)
		case opJeqK, opJgeK, opJsetK:
			var c bool
			switch in.code {
			case opJeqK:
				c = acc == in.k
			case opJgeK:
				c = acc >= in.k
			default:
				c = acc&in.k != 0
			}
			if c {
				pc += int(in.jt)
			} else {
				pc += int(in.jf)
			}
		case opRetK:
			return in.k
		}
	}
	t.Fatalf("fell off the end of the program")
	return 0
}

var (
	allow = uint32(retAllow)
	eperm = uint32(retErrno | errnoEPERM)
	nosys = uint32(retErrno | errnoENOSYS)
	kill  = uint32(retKillProcess)
)

func verdict(v uint32) string {
	switch v {
	case allow:
		return "ALLOW"
	case eperm:
		return "EPERM"
	case nosys:
		return "ENOSYS"
	case kill:
		return "KILL_PROCESS"
	}
	return fmt.Sprintf("%#x", v)
}

// filterFor is an architecture's program, decoded, with helpers to query it.
type filterFor struct {
	t    *testing.T
	a    *arch
	prog []insn
}

func newFilter(t *testing.T, goarch string) *filterFor {
	t.Helper()
	p, err := ProgramFor(goarch)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := lookupArch(goarch)
	return &filterFor{t, a, decode(t, p)}
}

func (f *filterFor) nr(name string) uint32 {
	f.t.Helper()
	nr, ok := f.a.nums[name]
	if !ok {
		f.t.Fatalf("%s has no system call %q", f.a.goarch, name)
	}
	return nr
}

func (f *filterFor) call(name string, args ...uint64) uint32 {
	f.t.Helper()
	d := seccompData{nr: f.nr(name), arch: f.a.auditArch}
	copy(d.args[:], args)
	return eval(f.t, f.prog, d)
}

func (f *filterFor) expect(want uint32, name string, args ...uint64) {
	f.t.Helper()
	if got := f.call(name, args...); got != want {
		f.t.Errorf("%s: %s(%#x) = %s, want %s", f.a.goarch, name, args, verdict(got), verdict(want))
	}
}

func forArches(t *testing.T, fn func(t *testing.T, f *filterFor)) {
	for _, goarch := range []string{"amd64", "arm64"} {
		t.Run(goarch, func(t *testing.T) { fn(t, newFilter(t, goarch)) })
	}
}

// The policy names only real system calls: a typo would leave a call allowed.
func TestPolicyNamesExist(t *testing.T) {
	for _, r := range policy {
		if _, ok := sysnumAMD64[r.name]; !ok {
			if _, ok := sysnumARM64[r.name]; !ok {
				t.Errorf("policy names %q, which neither amd64 nor arm64 has", r.name)
			}
		}
	}
	// Every call the brief names, on amd64 (arm64 lacks a few legacy ones).
	for _, name := range []string{
		"io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "perf_event_open",
		"bpf", "add_key", "keyctl", "request_key", "ptrace", "personality", "name_to_handle_at",
		"open_by_handle_at", "kexec_load", "kexec_file_load", "init_module", "finit_module",
		"delete_module", "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
		"fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns", "clone", "clone3",
		"fanotify_init", "socket", "socketpair",
	} {
		if !slices.ContainsFunc(policy, func(r rule) bool { return r.name == name }) {
			t.Errorf("policy does not name %q", name)
		}
		if _, ok := sysnumAMD64[name]; !ok {
			t.Errorf("amd64 has no %q", name)
		}
	}
}

func TestDenied(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		n := 0
		for _, r := range policy {
			if _, ok := f.a.nums[r.name]; !ok || r.act != actDeny {
				continue
			}
			n++
			f.expect(eperm, r.name)
			f.expect(eperm, r.name, 1, 2, 3, 4, 5, 6)
		}
		if n < 30 {
			t.Errorf("only %d unconditional denials checked", n)
		}
		f.expect(nosys, "clone3")
		f.expect(nosys, "clone3", 0x1000, 88)
		// Not in Docker's list without capabilities: denied by default.
		for _, name := range []string{"chroot", "reboot", "swapon", "syslog", "acct", "kcmp", "pidfd_getfd",
			"settimeofday", "clock_settime", "sethostname", "quotactl", "lookup_dcookie", "mbind", "listns"} {
			f.expect(eperm, name)
		}
	})
}

func TestDockerAllowed(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		n := 0
		for _, name := range append(slices.Clone(dockerAllowed), f.a.extra...) {
			if _, ok := f.a.nums[name]; !ok {
				continue
			}
			want, arg0 := allow, uint64(0)
			if i := slices.IndexFunc(policy, func(r rule) bool { return r.name == name }); i >= 0 {
				switch policy[i].act {
				case actDeny:
					want = eperm
				case actNoSys:
					want = nosys
				case actSocket:
					arg0 = syscall.AF_UNIX
				}
			}
			n++
			f.expect(want, name, arg0)
		}
		if n < 250 {
			t.Errorf("only %d of Docker's names are system calls of %s", n, f.a.goarch)
		}
		for _, name := range []string{"read", "write", "openat", "close", "mmap", "mprotect", "munmap", "brk",
			"rt_sigaction", "rt_sigprocmask", "futex", "execve", "exit_group", "wait4", "getpid", "pipe2",
			"epoll_pwait", "getrandom", "rseq", "sched_getaffinity", "prlimit64", "madvise", "membarrier",
			"pidfd_open", "pidfd_send_signal", "waitid", "set_robust_list", "statx", "newfstatat", "prctl",
			"seccomp", "memfd_create", "connect", "bind", "listen", "accept4", "sendmsg", "recvmsg", "kill"} {
			f.expect(allow, name)
		}
		if f.a.goarch == "amd64" {
			for _, name := range []string{"arch_prctl", "fork", "vfork", "open", "stat", "select", "poll", "time", "modify_ldt"} {
				f.expect(allow, name)
			}
		}
	})
}

func TestClone(t *testing.T) {
	const (
		sigchld = uint64(syscall.SIGCHLD)
		thread  = syscall.CLONE_VM | syscall.CLONE_FS | syscall.CLONE_FILES | syscall.CLONE_SIGHAND |
			syscall.CLONE_THREAD | syscall.CLONE_SYSVSEM | syscall.CLONE_SETTLS |
			syscall.CLONE_PARENT_SETTID | syscall.CLONE_CHILD_CLEARTID
	)
	nsFlags := map[string]uint64{
		"CLONE_NEWNS": syscall.CLONE_NEWNS, "CLONE_NEWUTS": syscall.CLONE_NEWUTS,
		"CLONE_NEWIPC": syscall.CLONE_NEWIPC, "CLONE_NEWUSER": syscall.CLONE_NEWUSER,
		"CLONE_NEWPID": syscall.CLONE_NEWPID, "CLONE_NEWNET": syscall.CLONE_NEWNET,
		"CLONE_NEWCGROUP": syscall.CLONE_NEWCGROUP, "CLONE_NEWTIME": cloneNewTime,
	}
	forArches(t, func(t *testing.T, f *filterFor) {
		f.expect(allow, "clone", sigchld)
		f.expect(allow, "clone", thread)
		f.expect(allow, "clone", syscall.CLONE_VM|syscall.CLONE_VFORK|sigchld)
		f.expect(allow, "clone", clonePidfd|sigchld)
		f.expect(allow, "clone", 0)
		// The kernel reads only the low 32 bits of clone's flags.
		f.expect(allow, "clone", 0xffffffff_00000000|sigchld)
		var all uint64
		for name, flag := range nsFlags {
			all |= flag
			if got := f.call("clone", flag|sigchld); got != eperm {
				t.Errorf("clone(%s|SIGCHLD) = %s, want EPERM", name, verdict(got))
			}
			if got := f.call("clone", flag|thread); got != eperm {
				t.Errorf("clone(%s|thread flags) = %s, want EPERM", name, verdict(got))
			}
		}
		f.expect(eperm, "clone", all)
		f.expect(eperm, "clone", 0xffffffff)
		if f.a.goarch == "amd64" {
			f.expect(allow, "fork")
			f.expect(allow, "vfork")
		}
	})
}

func TestPersonality(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		for _, v := range []uint64{0, 0x8, 0x20000, 0x20008, 0xffffffff} {
			f.expect(allow, "personality", v)
		}
		for _, v := range []uint64{
			0x0040000,       // ADDR_NO_RANDOMIZE
			0x0400000,       // READ_IMPLIES_EXEC
			0x0040000 | 0x8, // ADDR_NO_RANDOMIZE | PER_LINUX32
			0x0200000,       // ADDR_COMPAT_LAYOUT
			0x4000000,       // ADDR_LIMIT_3GB
			0x0800000,       // ADDR_LIMIT_32BIT
			1, 0x10, 0xfffffffe,
		} {
			f.expect(eperm, "personality", v)
		}
	})
}

func TestPtrace(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		f.expect(allow, "ptrace", 0)     // PTRACE_TRACEME
		f.expect(allow, "ptrace", 17, 1) // PTRACE_DETACH
		for _, req := range []uint64{1, 2, 4, 5, 7, 12, 13, 16, 24, 0x4206 /* SEIZE */, 0x4207 /* INTERRUPT */, 0x4201, 0x100000000 | 16} {
			f.expect(eperm, "ptrace", req, 1)
		}
	})
}

func TestLocks(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		f.expect(eperm, "flock", 3, 2)
		for _, cmd := range []uint64{6, 7, 37, 38} { // F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW
			f.expect(eperm, "fcntl", 3, cmd, 0)
		}
		for _, cmd := range []uint64{0, 1, 2, 3, 4, 5, 36, 1030 /* F_DUPFD_CLOEXEC */, 1033 /* F_ADD_SEALS */} {
			f.expect(allow, "fcntl", 3, cmd, 0)
		}
	})
}

func TestSocketFamilies(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		for _, name := range []string{"socket", "socketpair"} {
			for _, fam := range []uint64{syscall.AF_UNIX, syscall.AF_INET, syscall.AF_INET6} {
				f.expect(allow, name, fam, syscall.SOCK_STREAM, 0)
				f.expect(allow, name, fam, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
			}
			for fam := uint64(0); fam < 64; fam++ {
				if fam == syscall.AF_UNIX || fam == syscall.AF_INET || fam == syscall.AF_INET6 {
					continue
				}
				f.expect(eperm, name, fam, syscall.SOCK_STREAM, 0)
			}
			f.expect(eperm, name, 40 /* AF_VSOCK */, syscall.SOCK_STREAM, 0)
			f.expect(eperm, name, syscall.AF_NETLINK, syscall.SOCK_RAW, 0)
			f.expect(eperm, name, syscall.AF_PACKET, syscall.SOCK_RAW, 0)
			f.expect(eperm, name, 0xffff)
		}
	})
}

func TestArchitectureCheck(t *testing.T) {
	amd := newFilter(t, "amd64")
	getpid := amd.nr("getpid")
	for _, c := range []struct {
		name string
		d    seccompData
		want uint32
	}{
		{"native getpid", seccompData{nr: getpid, arch: auditArchX86_64}, allow},
		{"i386 (int 0x80) getpid", seccompData{nr: 20, arch: auditArchI386}, kill},
		{"i386 (int 0x80) socketcall", seccompData{nr: 102, arch: auditArchI386}, kill},
		{"i386 nr of x86_64 mount", seccompData{nr: amd.nr("mount"), arch: auditArchI386}, kill},
		{"x32 getpid", seccompData{nr: x32SyscallBit | getpid, arch: auditArchX86_64}, kill},
		{"x32 mount", seccompData{nr: x32SyscallBit | amd.nr("mount"), arch: auditArchX86_64}, kill},
		{"x32 execve (x32 number 520)", seccompData{nr: x32SyscallBit | 520, arch: auditArchX86_64}, kill},
		{"aarch64 on amd64", seccompData{nr: getpid, arch: auditArchAARCH64}, kill},
		{"unknown number", seccompData{nr: 1000, arch: auditArchX86_64}, eperm},
		{"number -1", seccompData{nr: 0xffffffff, arch: auditArchX86_64}, kill}, // has the x32 bit
		{"number 0x80000000", seccompData{nr: 0x80000000, arch: auditArchX86_64}, eperm},
	} {
		if got := eval(t, amd.prog, c.d); got != c.want {
			t.Errorf("amd64: %s = %s, want %s", c.name, verdict(got), verdict(c.want))
		}
	}
	arm := newFilter(t, "arm64")
	for _, c := range []struct {
		name string
		d    seccompData
		want uint32
	}{
		{"native getpid", seccompData{nr: arm.nr("getpid"), arch: auditArchAARCH64}, allow},
		{"aarch32 getpid", seccompData{nr: 20, arch: auditArchARM}, kill},
		{"x86_64 on arm64", seccompData{nr: arm.nr("getpid"), arch: auditArchX86_64}, kill},
		{"unknown number", seccompData{nr: 1000, arch: auditArchAARCH64}, eperm},
		{"number -1", seccompData{nr: 0xffffffff, arch: auditArchAARCH64}, eperm},
	} {
		if got := eval(t, arm.prog, c.d); got != c.want {
			t.Errorf("arm64: %s = %s, want %s", c.name, verdict(got), verdict(c.want))
		}
	}
}

// Every number from 0 to past the last system call gets the action the
// policy gives its name: checks the search tree against a plain lookup.
func TestEveryNumber(t *testing.T) {
	forArches(t, func(t *testing.T, f *filterFor) {
		acts := f.a.actions()
		byNr := map[uint32]string{}
		for name, nr := range f.a.nums {
			byNr[nr] = name
		}
		for nr := uint32(0); nr < 1200; nr++ {
			want := eperm
			switch acts[byNr[nr]] {
			case actAllow:
				want = allow
			case actNoSys:
				want = nosys
			case actClone, actPersonality, actSocket, actPtrace, actFcntl:
				want = allow // with arg0 = 0: a plain fork, PER_LINUX, PTRACE_TRACEME, and...
				if name := byNr[nr]; name == "socket" || name == "socketpair" {
					want = eperm // ...AF_UNSPEC
				}
			}
			d := seccompData{nr: nr, arch: f.a.auditArch}
			if got := eval(t, f.prog, d); got != want {
				t.Errorf("%s: nr %d (%q) = %s, want %s", f.a.goarch, nr, byNr[nr], verdict(got), verdict(want))
			}
		}
	})
}

// A search tree whose left halves exceed a conditional jump's reach uses
// JA trampolines; check it on a synthetic, alternating policy.
func TestLongJumps(t *testing.T) {
	var segs []segment
	for i := uint32(0); i < 800; i++ {
		act := actDeny
		if i%2 == 1 {
			act = actAllow
		}
		if i%7 == 3 {
			act = actSocket
		}
		segs = append(segs, segment{start: 3 * i, act: act})
	}
	code, err := search(segs, errnoEPERM)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) > maxInsns {
		t.Skipf("synthetic tree too large (%d instructions)", len(code))
	}
	prog := decode(t, encode(append([]insn{ld(offNr)}, code...)))
	sawJA := slices.ContainsFunc(prog, func(in insn) bool { return in.code == opJa })
	if !sawJA {
		t.Fatalf("no JA trampoline in a %d-instruction tree", len(prog))
	}
	for i, s := range segs {
		for _, nr := range []uint32{s.start, s.start + 2} {
			want := eperm
			if s.act == actAllow {
				want = allow
			}
			if got := eval(t, prog, seccompData{nr: nr}); got != want {
				t.Fatalf("segment %d, nr %d: %s, want %s", i, nr, verdict(got), verdict(want))
			}
		}
	}
}

func TestMarkerErrno(t *testing.T) {
	a, _ := lookupArch("amd64")
	code, err := compile(a, 4000)
	if err != nil {
		t.Fatal(err)
	}
	prog := decode(t, encode(code))
	for _, c := range []struct {
		name string
		arg0 uint64
		want uint32
	}{{"mount", 0, retErrno | 4000}, {"clone", syscall.CLONE_NEWUSER, retErrno | 4000}, {"clone3", 0, nosys}, {"getpid", 0, allow}} {
		d := seccompData{nr: a.nums[c.name], arch: a.auditArch, args: [6]uint64{c.arg0}}
		if got := eval(t, prog, d); got != c.want {
			t.Errorf("%s = %s, want %s", c.name, verdict(got), verdict(c.want))
		}
	}
}

func TestAPI(t *testing.T) {
	if _, err := ProgramFor("386"); !errors.Is(err, ErrUnsupportedArch) {
		t.Errorf("ProgramFor(386) error = %v, want ErrUnsupportedArch", err)
	}
	if _, err := Allowed("riscv64"); !errors.Is(err, ErrUnsupportedArch) {
		t.Errorf("Allowed(riscv64) error = %v, want ErrUnsupportedArch", err)
	}
	p, err := Program()
	if _, ok := arches[runtime.GOARCH]; !ok {
		if !errors.Is(err, ErrUnsupportedArch) {
			t.Errorf("Program() on %s: error = %v, want ErrUnsupportedArch", runtime.GOARCH, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	q, _ := ProgramFor(runtime.GOARCH)
	if !slices.Equal(p, q) {
		t.Error("Program() differs from ProgramFor(runtime.GOARCH)")
	}
	p[0] ^= 0xff // the caller owns its copy
	if r, _ := Program(); slices.Equal(p, r) {
		t.Error("Program() returns a shared slice")
	}
	t.Logf("%s filter: %d instructions", runtime.GOARCH, len(q)/8)

	allowed, err := Allowed(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Denials() {
		if slices.Contains(allowed, d.Syscall) {
			t.Errorf("Allowed lists %q, which Denials lists", d.Syscall)
		}
		if d.Reason == "" || (d.Errno != syscall.EPERM && d.Errno != syscall.ENOSYS) {
			t.Errorf("bad denial %+v", d)
		}
	}
	if !slices.Contains(allowed, "read") || slices.Contains(allowed, "mount") {
		t.Errorf("Allowed(%s) looks wrong: %v", runtime.GOARCH, allowed)
	}
}

// The Linux values spelled out in seccomp.go and filter.go.
func TestLinuxConstants(t *testing.T) {
	ns := uint32(syscall.CLONE_NEWNS | syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUSER |
		syscall.CLONE_NEWPID | syscall.CLONE_NEWNET | syscall.CLONE_NEWCGROUP | cloneNewTime)
	if cloneNamespaceFlags != ns {
		t.Errorf("cloneNamespaceFlags = %#x, want %#x", cloneNamespaceFlags, ns)
	}
	if fams := []uint32{syscall.AF_UNIX, syscall.AF_INET, syscall.AF_INET6}; !slices.Equal(allowedSocketFamilies, fams) {
		t.Errorf("allowedSocketFamilies = %v, want %v", allowedSocketFamilies, fams)
	}
	if errnoEPERM != uint32(syscall.EPERM) || errnoENOSYS != uint32(syscall.ENOSYS) {
		t.Error("errno values")
	}
}
