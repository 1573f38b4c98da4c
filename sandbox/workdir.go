package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/codementor/codementor/sandbox/internal/helper"
	"github.com/codementor/codementor/sandbox/internal/toolchain"

	"golang.org/x/sys/unix"
)

// Housekeeping of Config.WorkDir: its checks, the Programs' work dirs, and
// the removal of what crashed processes and other builds left.

// staleAfter is the age past which New removes work dirs and caches that no
// process uses any more.
const staleAfter = 24 * time.Hour

// prepareWorkDir creates the work dir, root-owned and searchable (0711), and
// checks that it is ours and that the sandbox user can reach it.
func (s *Sandbox) prepareWorkDir() error {
	dir, err := filepath.Abs(s.cfg.WorkDir)
	if err != nil {
		return fmt.Errorf("new sandbox: work dir: %w", err)
	}
	s.cfg.WorkDir = dir
	if err := os.MkdirAll(dir, 0o711); err != nil {
		return fmt.Errorf("new sandbox: create work dir: %w", err)
	}
	// Not a link, and ours: in a shared directory such as /tmp, someone
	// else could have made it first.
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("new sandbox: work dir: %w", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || st == nil || int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: work dir %s must be a directory owned by uid %d, not a link or someone else's", ErrUnavailable, dir, os.Geteuid())
	}
	if err := os.Chmod(dir, 0o711); err != nil {
		return fmt.Errorf("new sandbox: chmod work dir: %w", err)
	}
	if !s.ownUIDs {
		return nil
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("new sandbox: work dir: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%w: work dir %s is out of reach of the sandbox's users (uids %d-%d): %s has mode %v; make it searchable (chmod o+x) or choose another work dir",
				ErrUnavailable, dir, s.cfg.UIDs.First, s.cfg.UIDs.First+s.cfg.UIDs.Count-1, d, fi.Mode().Perm())
		}
		if d == "/" {
			return nil
		}
	}
}

// checkSelfUnbound fails when the service's own executable can be read
// from inside a box: it embeds the starter questions, hidden tests
// included, and a box binds /usr and the toolchains' directories.
func (s *Sandbox) checkSelfUnbound() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("new sandbox: where is this executable: %w", err)
	}
	return s.checkUnbound(exe)
}

// checkUnbound fails when exe is inside a directory every box binds.
func (s *Sandbox) checkUnbound(exe string) error {
	exe, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return fmt.Errorf("new sandbox: %w", err)
	}
	for _, src := range s.bindSources() {
		if rel, err := filepath.Rel(src, exe); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return fmt.Errorf("%w: this executable (%s) is inside %s, which every box can read, and it holds the questions' hidden tests: "+
				"install it elsewhere (the container image uses /opt/codementor/bin)", ErrUnavailable, exe, src)
		}
	}
	return nil
}

// bindSources returns the host paths a box may bind read-only, but the
// work dirs and caches: the base system's and every toolchain's.
func (s *Sandbox) bindSources() []string {
	var srcs []string
	args := s.baseBinds
	for _, tc := range s.toolchains {
		args = append(args[:len(args):len(args)], tc.BindArgs(false)...)
	}
	for i := 0; i+2 < len(args); i++ {
		if args[i] == "--ro-bind" {
			if p, err := filepath.EvalSymlinks(args[i+1]); err == nil {
				srcs = append(srcs, p)
			}
		}
	}
	return srcs
}

// ensureHelper keeps the helper's copy fresh, and puts it back should another
// process have removed it; the caches are refreshed with it.
func (s *Sandbox) ensureHelper() error {
	due, err := s.helper.Refresh()
	if due {
		toolchain.Touch(s.offered)
	}
	return helperError(err)
}

// helperError makes an error saying that there is no usable helper one of
// ErrUnavailable.
func helperError(err error) error {
	if helper.Unusable(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// workDirPrefix is the prefix of the directories this process makes in the
// work dir for kind (a language, "tmp", ...): "<kind>-<pid>-", so that
// another process can tell when they are left over.
func workDirPrefix(kind string) string {
	return kind + "-" + strconv.Itoa(os.Getpid()) + "-"
}

// removeStale removes, from the work dir, the helper copies no process uses
// (see helper.Unused), the caches of other toolchains and the directories of
// other processes once untouched for staleAfter, and at once the
// directories of processes that are gone (their sandboxes died with them).
func (s *Sandbox) removeStale() {
	entries, err := os.ReadDir(s.cfg.WorkDir)
	if err != nil {
		s.log.Warn("sandbox: list work dir", "err", err)
		return
	}
	kinds := append([]string{"tmp", "selftest"}, toolchain.ScratchKinds()...)
	for _, l := range toolchain.Languages() {
		kinds = append(kinds, l.ID)
	}
	for _, ent := range entries {
		path := filepath.Join(s.cfg.WorkDir, ent.Name())
		fi, err := ent.Info()
		if path == s.helper.Path() || err != nil || !stale(ent.Name(), fi.ModTime(), kinds) {
			continue
		}
		if err := removeWorkDir(path); err != nil {
			s.log.Warn("sandbox: remove stale entry", "path", path, "err", err)
		} else {
			s.log.Debug("sandbox: removed stale entry", "path", path)
		}
	}
}

// stale says whether name, an entry of the work dir last modified at mod, is
// ours and left over: a helper copy no process uses, a cache untouched for
// staleAfter, or the directory of a kind (see workDirPrefix) of a process
// that is gone, or untouched for staleAfter.
func stale(name string, mod time.Time, kinds []string) bool {
	if ours, unused := helper.Unused(name, mod); ours {
		return unused
	}
	old := time.Since(mod) >= staleAfter
	if strings.HasPrefix(name, toolchain.CachePrefix) {
		return old
	}
	for _, k := range kinds {
		if rest, ok := strings.CutPrefix(name, k+"-"); ok {
			pidStr, _, ok := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidStr)
			gone := ok && err == nil && pid > 0 && pid != os.Getpid() && unix.Kill(pid, 0) == unix.ESRCH
			return gone || old
		}
	}
	return false
}

// DefaultCompileOutputMB bounds what a compiler may write (Config's
// CompileOutputMB): a program and its class files take a few MiB.
const DefaultCompileOutputMB = 64

// newWorkDir makes a Program's work dir for lang in the work dir. A
// compiler writes into it: there it is a tmpfs of its own, of
// Config.CompileOutputMB, where the service may mount one (it runs as
// root), so that a compiler given a small source that expands (a 50 KB
// Java source into 200 MB of class files) fills it and fails rather than
// the host's disk.
func (s *Sandbox) newWorkDir(lang *toolchain.Language) (string, error) {
	dir, err := os.MkdirTemp(s.cfg.WorkDir, workDirPrefix(lang.ID))
	if err != nil {
		return "", err
	}
	if lang.Compile == nil || lang.CheckOnly || !s.boundOutput {
		return dir, nil
	}
	opts := fmt.Sprintf("size=%dm,nr_inodes=16384,mode=0700,uid=0,gid=0", s.cfg.CompileOutputMB)
	if err := unix.Mount("codementor-box", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("mount the work dir's tmpfs: %w", err)
	}
	return dir, nil
}

// removeWorkDir removes a work dir, its tmpfs first if it has one.
// os.RemoveAll does not follow the links a program may have planted.
func removeWorkDir(dir string) error {
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EPERM) {
		return fmt.Errorf("unmount %s: %w", dir, err)
	}
	return os.RemoveAll(dir)
}

// outputFull says whether the work dir's tmpfs is (nearly) full: its
// compiler ran out of room.
func outputFull(dir string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
		return false
	}
	return st.Bavail*uint64(st.Bsize) < 1<<20 || st.Ffree < 16
}

// probeMount says whether this process can mount a tmpfs (root, or a
// mount namespace of its own).
func (s *Sandbox) probeMount() bool {
	dir, err := os.MkdirTemp(s.cfg.WorkDir, workDirPrefix("tmp"))
	if err != nil {
		return false
	}
	defer os.Remove(dir)
	if err := unix.Mount("codementor-probe", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m"); err != nil {
		s.log.Warn("sandbox: cannot mount a tmpfs: what a compiler writes is bounded only by RLIMIT_FSIZE per file", "err", err)
		return false
	}
	_ = unix.Unmount(dir, unix.MNT_DETACH)
	return true
}
