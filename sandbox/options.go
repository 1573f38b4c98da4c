package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/codementor/codementor/internal/relpath"
	"github.com/codementor/codementor/sandbox/internal/toolchain"

	"golang.org/x/sys/unix"
)

// The options of a submission and of its runs beyond code and limits:
// compiler options and files (Source), arguments, stderr merged, stack,
// processes and file size (Limits); what they may be, and where they go.

// checkCompilerOptions reports why lang cannot take opts (see Source).
func checkCompilerOptions(lang *toolchain.Language, opts []string) error {
	if len(opts) == 0 {
		return nil
	}
	if lang.Compile == nil || lang.CheckOnly {
		return fmt.Errorf("%w: %s has no compile step to take them", ErrBadOptions, lang.ID)
	}
	if _, err := withOptions(lang.Compile, opts); err != nil {
		return err
	}
	if len(opts) > MaxCompilerOptions {
		return fmt.Errorf("%w: %d options, at most %d allowed", ErrBadOptions, len(opts), MaxCompilerOptions)
	}
	n := 0
	for _, o := range opts {
		n += len(o)
		switch {
		case !strings.HasPrefix(o, "-"):
			return fmt.Errorf("%w: %q does not start with \"-\": the compiler would take it for a file", ErrBadOptions, o)
		case strings.ContainsRune(o, 0) || !utf8.ValidString(o):
			return fmt.Errorf("%w: %q holds a NUL byte or invalid UTF-8", ErrBadOptions, o)
		}
	}
	if n > MaxCompilerOptionBytes {
		return fmt.Errorf("%w: %d bytes of options, at most %d allowed", ErrBadOptions, n, MaxCompilerOptionBytes)
	}
	return nil
}

// withOptions returns the compile command template compile with opts in it:
// at its {options} placeholder if it has one, or else just before its
// {sources}. It fails when it has neither.
func withOptions(compile, opts []string) ([]string, error) {
	if slices.Contains(compile, "{options}") || len(opts) == 0 {
		return compile, nil
	}
	i := slices.Index(compile, "{sources}")
	if i < 0 {
		return nil, fmt.Errorf("%w: the compile command has no place for them", ErrBadOptions)
	}
	return slices.Concat(compile[:i], opts, compile[i:]), nil
}

// reserved says whether name, the first component of a file's name, is one
// of lang's program's own (see Source): its entry and solution files, the
// compiler's output (the word after -o, a /box/ path the program runs), and
// the class files of the entry and the solution.
func reserved(lang *toolchain.Language, name string) bool {
	if name == lang.Entry || name == lang.Solution {
		return true
	}
	for i, a := range lang.Compile {
		if a == "-o" && i+1 < len(lang.Compile) && name == lang.Compile[i+1] {
			return true
		}
	}
	for _, a := range lang.Run {
		if rest, ok := strings.CutPrefix(a, boxDir+"/"); ok && name == rest {
			return true
		}
	}
	if class, ok := strings.CutSuffix(name, ".class"); ok {
		for _, src := range []string{lang.Entry, lang.Solution} {
			stem := strings.TrimSuffix(src, path.Ext(src))
			if class == stem || strings.HasPrefix(class, stem+"$") {
				return true
			}
		}
	}
	return false
}

// checkFiles reports why files cannot go into a work dir of lang (see
// Source), naming the first file at fault.
func checkFiles(lang *toolchain.Language, files []File) error {
	if len(files) > MaxFiles {
		return fmt.Errorf("%w: %d files, at most %d allowed", ErrBadFiles, len(files), MaxFiles)
	}
	names := make([]string, len(files))
	total := 0
	for i, f := range files {
		if err := relpath.Check(f.Name); err != nil {
			return fmt.Errorf("%w: %w", ErrBadFiles, err)
		}
		if top, _, _ := strings.Cut(f.Name, "/"); reserved(lang, top) {
			return fmt.Errorf("%w: %q clashes with the program's own %s", ErrBadFiles, f.Name, top)
		}
		if total += len(f.Data); total > MaxFilesBytes {
			return fmt.Errorf("%w: more than %d bytes in all", ErrBadFiles, MaxFilesBytes)
		}
		names[i] = f.Name
	}
	if c := relpath.Conflicts(names); c != "" {
		return fmt.Errorf("%w: %s", ErrBadFiles, c)
	}
	return nil
}

// placed is what writeFiles made at the top of a work dir, each entry held
// open (O_PATH) so that its inode cannot be reused while the compiler runs:
// checkPlaced tells whether the compiler wrote over one. close closes them.
type placed map[string]*os.File

// writeFiles writes files (checked) into dir, in which nothing ran yet:
// regular files 0644 and directories 0755, the service's, created anew,
// through an os.Root, which follows no link out of dir.
func writeFiles(dir string, files []File) (top placed, err error) {
	if len(files) == 0 {
		return nil, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	for _, f := range files {
		if d := path.Dir(f.Name); d != "." {
			if err := mkdirs(root, d); err != nil {
				return nil, fmt.Errorf("write %s: %w", f.Name, err)
			}
		}
		if err := writeIn(root, f); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	top = placed{}
	defer func() {
		if err != nil {
			top.close()
		}
	}()
	for _, f := range files {
		name, _, _ := strings.Cut(f.Name, "/")
		if top[name] != nil {
			continue
		}
		h, err := root.OpenFile(name, unix.O_PATH|unix.O_NOFOLLOW, 0)
		if err != nil {
			return nil, err
		}
		top[name] = h
	}
	return top, nil
}

// close closes the handles of what was placed.
func (top placed) close() {
	for _, h := range top {
		h.Close()
	}
}

// mkdirs makes directory d of root and those above it, 0755 whatever the
// umask.
func mkdirs(root *os.Root, d string) error {
	if up := path.Dir(d); up != "." {
		if err := mkdirs(root, up); err != nil {
			return err
		}
	}
	if err := root.Mkdir(d, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made for a file before; Lstat would tell a link
		}
		return err
	}
	return root.Chmod(d, 0o755)
}

// writeIn creates f in root, 0644 whatever the umask. It must not exist.
func writeIn(root *os.Root, f File) error {
	w, err := root.OpenFile(f.Name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return err
	}
	_, err = w.Write(f.Data)
	if err == nil {
		err = w.Chmod(0o644)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkPlaced reports a file or directory of top, at the top of dir, that
// the compiler replaced: it wrote its output over one of the files given.
// Lstat follows no link.
func checkPlaced(dir string, top placed) error {
	for name, h := range top {
		held, err1 := h.Stat()
		found, err2 := os.Lstat(dir + "/" + name)
		if err1 != nil || err2 != nil || !os.SameFile(held, found) {
			return fmt.Errorf("%w: the compiler wrote over %q: its output has that name", ErrBadFiles, name)
		}
	}
	return nil
}

// validate reports why Run refuses l (see Limits).
func (l Limits) validate() error {
	for _, c := range []struct {
		name   string
		v, max int
	}{
		{"StackKB", l.StackKB, MaxStackKB},
		{"Processes", l.Processes, MaxProcesses},
		{"FileSizeKB", l.FileSizeKB, MaxFileSizeKB},
	} {
		if c.v < 0 || c.v > c.max {
			return fmt.Errorf("%w: %s %d is not between 0 (the default) and %d", ErrBadLimits, c.name, c.v, c.max)
		}
	}
	args := l.args()
	if len(args) > MaxArgs {
		return fmt.Errorf("%w: %d arguments, at most %d allowed", ErrBadLimits, len(args), MaxArgs)
	}
	n := 0
	for _, a := range args {
		n += len(a) + 1
		if strings.ContainsRune(a, 0) || !utf8.ValidString(a) {
			return fmt.Errorf("%w: argument %q holds a NUL byte or invalid UTF-8", ErrBadLimits, a)
		}
	}
	if n > MaxArgsBytes {
		return fmt.Errorf("%w: %d bytes of arguments, at most %d allowed", ErrBadLimits, n, MaxArgsBytes)
	}
	return nil
}

// args returns the program's arguments.
func (l Limits) args() []string {
	if l.Args == nil {
		return nil
	}
	return *l.Args
}

// stack is the program's stack limit in bytes: StackKB, or by default its
// memory limit, at most 64 MiB.
func (l Limits) stack() int64 {
	if l.StackKB > 0 {
		return int64(l.StackKB) << 10
	}
	return min(int64(l.MemoryMB)<<20, maxStack)
}

// stackMB is the stack limit in whole MiB, rounded up: Java's -Xss.
func (l Limits) stackMB() int64 { return max(1, (l.stack()+1<<20-1)>>20) }

// processes is the run's RLIMIT_NPROC.
func (l Limits) processes() int {
	if l.Processes > 0 {
		return l.Processes
	}
	return runProcesses
}

// fileSize is the run's RLIMIT_FSIZE in bytes.
func (l Limits) fileSize() int64 {
	if l.FileSizeKB > 0 {
		return int64(l.FileSizeKB) << 10
	}
	return runFileSize
}
