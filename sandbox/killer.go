package sandbox

import (
	"os/exec"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

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
