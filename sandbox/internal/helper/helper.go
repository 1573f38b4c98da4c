// Package helper installs the sandbox's helper, the small data-free program
// that runs as PID 1 of every box (cmd/sandbox-init, package boxinit), where
// the boxes' uids can reach it: a copy in the work dir, named after its
// content's hash, so that every process and build with the same helper
// shares one copy. A copy, not the original: the original may sit in a
// private directory, or be replaced by a deployment while the service runs.
// The package keeps the copy fresh while it is in use and tells which
// entries of the work dir are copies no process uses any more.
package helper

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Name is the helper's file name beside the service's executable.
const Name = "codementor-sandbox-init"

const (
	// TouchEvery is how often a running service refreshes its copy's
	// mtime, so that other processes never take it for unused: a copy
	// untouched for two of them is no process's.
	TouchEvery = time.Hour
	// partialAfter is the age past which a copy left half-written (by a
	// process that died while writing it) is removed.
	partialAfter = 24 * time.Hour
	prefix       = "helper-"
	// legacyPrefix named the copies of older builds, which were the whole
	// service, questions included.
	legacyPrefix = "init-"
)

// Copy is the helper's copy in a work dir. It is safe for concurrent use.
type Copy struct {
	dir        string // the work dir
	configured string // the original's path as configured; "" to find it
	path       string // the copy's; never changes
	mu         sync.Mutex
	touched    time.Time // when the copy's mtime was last refreshed
}

// Install copies the helper executable into dir under a name made of its
// content's hash, unless that copy exists. configured is the original's
// path; "" takes $CODEMENTOR_SANDBOX_INIT, or else Name beside the running
// executable (where `make build` and the container image put it). An error
// for which Unusable is true says there is no usable helper to copy.
func Install(dir, configured string) (*Copy, error) {
	c := &Copy{dir: dir, configured: configured}
	if err := c.install(); err != nil {
		return nil, err
	}
	return c, nil
}

// Path returns the copy's host path.
func (c *Copy) Path() string { return c.path }

// Refresh keeps the copy fresh: once per TouchEvery it refreshes the copy's
// mtime, putting the copy back should another process have removed it, and
// says it is due, so that the caller refreshes what else it keeps in the
// work dir.
func (c *Copy) Refresh() (due bool, err error) {
	c.mu.Lock()
	if time.Since(c.touched) < TouchEvery {
		c.mu.Unlock()
		return false, nil
	}
	err = c.touchLocked()
	c.mu.Unlock()
	if errors.Is(err, os.ErrNotExist) {
		err = c.install()
	}
	return true, err
}

// install copies the helper into the work dir unless the copy is there.
func (c *Copy) install() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	src, err := find(c.configured)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(src)
	if err != nil {
		return unusable(fmt.Errorf("the sandbox helper: %v (build it with `make build`, or go build -o %s ./cmd/sandbox-init, beside the service's executable)",
			err, Name))
	}
	if !bytes.HasPrefix(body, []byte("\x7fELF")) {
		return unusable(fmt.Errorf("the sandbox helper %s is not an executable", src))
	}
	sum := sha256.Sum256(body)
	dst := filepath.Join(c.dir, prefix+hex.EncodeToString(sum[:12]))
	if c.path == "" {
		c.path = dst // by Install, before any concurrent use; never changed after
	} else if dst != c.path {
		return fmt.Errorf("install helper: %s changed (now %s, was %s)", src, dst, c.path)
	}
	if have, err := os.Lstat(dst); err == nil && have.Mode().IsRegular() && have.Size() == int64(len(body)) {
		return c.touchLocked()
	}
	if err := writeCopy(c.dir, dst, body); err != nil {
		return fmt.Errorf("install helper: %w", err)
	}
	c.touched = time.Now()
	return nil
}

// writeCopy writes body to dst, executable, through a temporary file in dir
// renamed into place: other processes see the whole copy or none.
func writeCopy(dir, dst string, body []byte) error {
	tmp, err := os.CreateTemp(dir, "."+prefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(body); err != nil {
		tmp.Close()
		return fmt.Errorf("copy: %w", err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// touchLocked refreshes the copy's mtime; c.mu is held.
func (c *Copy) touchLocked() error {
	now := time.Now()
	if err := os.Chtimes(c.path, now, now); err != nil {
		return fmt.Errorf("touch helper: %w", err)
	}
	c.touched = now
	return nil
}

// find returns the path of the helper executable: configured,
// $CODEMENTOR_SANDBOX_INIT, or Name beside the running executable.
func find(configured string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	if p := os.Getenv("CODEMENTOR_SANDBOX_INIT"); p != "" {
		return p, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", unusable(fmt.Errorf("the sandbox helper: cannot tell where this executable is: %v", err))
	}
	if exe, err = filepath.EvalSymlinks(exe); err != nil {
		return "", unusable(fmt.Errorf("the sandbox helper: %v", err))
	}
	return filepath.Join(filepath.Dir(exe), Name), nil
}

// Unused says whether name, an entry of a work dir last modified at mod, is
// a helper's copy (ours), and whether no process uses it any more: a copy of
// any build, or a copy an older build made of the whole service, untouched
// for two TouchEvery; a copy left half-written for a day. The copy in use is
// the caller's to spare.
func Unused(name string, mod time.Time) (ours, unused bool) {
	age := time.Since(mod)
	switch {
	case strings.HasPrefix(name, prefix), strings.HasPrefix(name, legacyPrefix), strings.HasPrefix(name, "."+legacyPrefix):
		return true, age > 2*TouchEvery
	case strings.HasPrefix(name, "."+prefix):
		return true, age >= partialAfter
	}
	return false, false
}

// unusableError says there is no usable helper: the machine cannot sandbox
// until one is installed.
type unusableError struct{ error }

func (e unusableError) Unwrap() error { return e.error }

func unusable(err error) error { return unusableError{err} }

// Unusable reports whether err says there is no usable helper (none where
// it should be, or not an executable), rather than that copying it failed.
func Unusable(err error) bool {
	var u unusableError
	return errors.As(err, &u)
}
