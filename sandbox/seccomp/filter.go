package seccomp

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// The classic BPF the kernel runs for seccomp, written by hand: the
// instructions are few, and this keeps the package free of dependencies.
//
// Layout of a program:
//
//	ld  [arch]                     ; seccomp_data.arch
//	jeq AUDIT_ARCH_native, +1      ; another ABI:
//	ret KILL_PROCESS               ;   kill
//	ld  [nr]                       ; seccomp_data.nr
//	jset 0x40000000, kill          ; amd64 only: an x32 call: kill
//	<binary search over the system call numbers, by ranges of equal action;
//	 each leaf returns ALLOW or ERRNO, or checks arg0 first>
//
// Every leaf is emitted in place (returns are duplicated, not shared), so
// each piece of code is position-independent and the only long jumps are the
// search tree's, which get a JA trampoline when they exceed the 255
// instructions a conditional jump can skip.

// insn is a struct sock_filter.
type insn struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

// Opcodes (linux/bpf_common.h).
const (
	opLdAbsW = 0x20 // BPF_LD | BPF_W | BPF_ABS
	opJa     = 0x05 // BPF_JMP | BPF_JA
	opJeqK   = 0x15 // BPF_JMP | BPF_JEQ | BPF_K
	opJgeK   = 0x35 // BPF_JMP | BPF_JGE | BPF_K
	opJsetK  = 0x45 // BPF_JMP | BPF_JSET | BPF_K
	opRetK   = 0x06 // BPF_RET | BPF_K
)

// Return values (linux/seccomp.h).
const (
	retKillProcess = 0x80000000 // SECCOMP_RET_KILL_PROCESS
	retErrno       = 0x00050000 // SECCOMP_RET_ERRNO | errno
	retAllow       = 0x7fff0000 // SECCOMP_RET_ALLOW
)

// Offsets in struct seccomp_data. Arguments are 64 bits wide; on the
// little-endian architectures supported here their low half comes first.
const (
	offNr      = 0
	offArch    = 4
	offArg0Low = 16
	offArg1Low = 24
)

const (
	errnoEPERM  = 1    // EPERM on Linux
	errnoENOSYS = 38   // ENOSYS on Linux
	maxInsns    = 4096 // BPF_MAXINSNS
)

func ret(k uint32) insn                { return insn{code: opRetK, k: k} }
func ld(off uint32) insn               { return insn{code: opLdAbsW, k: off} }
func jeq(k uint32, jt, jf uint8) insn  { return insn{code: opJeqK, jt: jt, jf: jf, k: k} }
func jset(k uint32, jt, jf uint8) insn { return insn{code: opJsetK, jt: jt, jf: jf, k: k} }

// segment is a range of system call numbers, from start to the next
// segment's start, with one action.
type segment struct {
	start uint32
	act   action
}

// compile returns the filter for a; denials other than ENOSYS fail with
// denyErrno (EPERM; tests use a marker value to tell the filter's refusals
// from the kernel's).
func compile(a *arch, denyErrno uint32) ([]insn, error) {
	byNr := map[uint32]action{}
	for name, act := range a.actions() {
		nr := a.nums[name]
		byNr[nr] = act
	}
	nrs := make([]uint32, 0, len(byNr))
	for nr := range byNr {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })

	// Ranges of equal action, covering 0 to 2^32-1; numbers not listed are
	// denied.
	var segs []segment
	push := func(start uint32, act action) {
		if n := len(segs); n > 0 && segs[n-1].act == act {
			return // extends the previous range
		}
		segs = append(segs, segment{start, act})
	}
	next := uint32(0)
	for _, nr := range nrs {
		if nr > next {
			push(next, actDeny)
		}
		push(nr, byNr[nr])
		next = nr + 1
	}
	push(next, actDeny)

	prog := []insn{
		ld(offArch),
		jeq(a.auditArch, 1, 0),
		ret(retKillProcess),
		ld(offNr),
	}
	if a.x32 {
		prog = append(prog, jset(x32SyscallBit, 0, 1), ret(retKillProcess))
	}
	tree, err := search(segs, denyErrno)
	if err != nil {
		return nil, err
	}
	prog = append(prog, tree...)
	if len(prog) > maxInsns {
		return nil, fmt.Errorf("seccomp: filter for %s has %d instructions, more than %d", a.goarch, len(prog), maxInsns)
	}
	return prog, nil
}

// search returns code that, with the system call number in the accumulator,
// runs the leaf of the segment the number falls in.
func search(segs []segment, denyErrno uint32) ([]insn, error) {
	if len(segs) == 1 {
		return leaf(segs[0].act, denyErrno)
	}
	mid := len(segs) / 2
	left, err := search(segs[:mid], denyErrno)
	if err != nil {
		return nil, err
	}
	right, err := search(segs[mid:], denyErrno)
	if err != nil {
		return nil, err
	}
	var code []insn
	if len(left) <= 255 {
		code = append(code, insn{code: opJgeK, jt: uint8(len(left)), k: segs[mid].start})
	} else {
		// jge → the JA over left; else skip the JA, into left.
		code = append(code, insn{code: opJgeK, jt: 0, jf: 1, k: segs[mid].start}, insn{code: opJa, k: uint32(len(left))})
	}
	code = append(code, left...)
	return append(code, right...), nil
}

// leaf returns the code for one action.
func leaf(act action, denyErrno uint32) ([]insn, error) {
	deny := ret(retErrno | denyErrno)
	switch act {
	case actAllow:
		return []insn{ret(retAllow)}, nil
	case actDeny:
		return []insn{deny}, nil
	case actNoSys:
		return []insn{ret(retErrno | errnoENOSYS)}, nil
	case actClone:
		return []insn{ld(offArg0Low), jset(cloneNamespaceFlags, 0, 1), deny, ret(retAllow)}, nil
	case actPersonality:
		return oneOf(dockerPersonalities, deny), nil
	case actSocket:
		return oneOf(allowedSocketFamilies, deny), nil
	case actPtrace:
		return oneOf(allowedPtrace, deny), nil
	case actFcntl:
		return noneOf(offArg1Low, fcntlLockCommands, deny), nil
	}
	return nil, fmt.Errorf("seccomp: unknown action %d", act)
}

// noneOf denies the call if the low half of the argument at off is one of
// values, and allows it otherwise.
func noneOf(off uint32, values []uint32, deny insn) []insn {
	m := len(values)
	code := []insn{ld(off)}
	for i, v := range values {
		code = append(code, jeq(v, uint8(m-i), 0)) // to the deny after the allow
	}
	return append(code, ret(retAllow), deny)
}

// oneOf allows the call if the low half of arg0 is one of values, and
// returns deny otherwise.
func oneOf(values []uint32, deny insn) []insn {
	m := len(values)
	code := []insn{ld(offArg0Low)}
	for i, v := range values {
		code = append(code, jeq(v, uint8(m-i), 0)) // to the ALLOW after the deny
	}
	return append(code, deny, ret(retAllow))
}

// encode returns the program as an array of struct sock_filter, in the byte
// order of the supported architectures (all little-endian).
func encode(prog []insn) []byte {
	b := make([]byte, 0, 8*len(prog))
	for _, in := range prog {
		b = binary.LittleEndian.AppendUint16(b, in.code)
		b = append(b, in.jt, in.jf)
		b = binary.LittleEndian.AppendUint32(b, in.k)
	}
	return b
}
