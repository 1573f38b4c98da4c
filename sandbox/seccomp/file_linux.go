package seccomp

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// File returns Program in a new, sealed memfd, positioned at offset 0, for
// one bubblewrap to read with --seccomp FD (pass it in exec.Cmd.ExtraFiles
// and close it once the command has started). bwrap reads the descriptor to
// its end, moving the offset that all its copies share: never hand one File
// to two bwraps. The descriptor is close-on-exec; exec.Cmd's ExtraFiles
// clears that flag on the copy it passes.
func File() (*os.File, error) {
	prog, err := Program()
	if err != nil {
		return nil, err
	}
	fd, err := unix.MemfdCreate("codementor-seccomp", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("seccomp: memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), "codementor-seccomp")
	fail := func(op string, err error) (*os.File, error) {
		f.Close()
		return nil, fmt.Errorf("seccomp: %s: %w", op, err)
	}
	if _, err := f.Write(prog); err != nil {
		return fail("write memfd", err)
	}
	seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		return fail("seal memfd", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return fail("seek memfd", err)
	}
	return f, nil
}
