// Package archive extracts the files a submission brings beside its code
// (Judge0's additional_files, a zip archive sent base64-encoded) in memory,
// under bounds: a zip archive is a small input that can claim, or expand
// to, anything. It knows nothing of the sandbox: the caller passes the files
// on (sandbox.Source.Files), and the sandbox checks them again.
package archive

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/codementor/codementor/internal/relpath"
)

// File is one file of an archive.
type File struct {
	Name string // a plain relative path, slash-separated (see Unzip)
	Data []byte
}

// Limits bound what Unzip extracts. Zero fields take the defaults.
type Limits struct {
	MaxFiles int   // regular files (directories are not counted); default DefaultMaxFiles
	MaxBytes int64 // their total size once uncompressed; default DefaultMaxBytes
}

// Defaults of Limits.
const (
	DefaultMaxFiles = 100
	DefaultMaxBytes = 16 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	return l
}

// Every error of Unzip wraps ErrInvalid and, for a broken rule, one of the
// others.
var (
	// ErrInvalid: the data is not an archive Unzip accepts.
	ErrInvalid = errors.New("invalid archive")
	// ErrTooMany: more than Limits.MaxFiles files.
	ErrTooMany = errors.New("too many files")
	// ErrTooLarge: the files, uncompressed, exceed Limits.MaxBytes.
	ErrTooLarge = errors.New("files too large")
	// ErrBadName: a name that is not a plain relative path (see
	// relpath.Check): absolute, with a ".." or "." component, a
	// backslash, a control character, or too long.
	ErrBadName = relpath.ErrBadName
	// ErrBadType: an entry that is neither a regular file nor a directory
	// (a symbolic link, a device, a pipe, a socket).
	ErrBadType = errors.New("not a regular file")
	// ErrDuplicate: two entries of one name, or a file that is also
	// another's directory.
	ErrDuplicate = errors.New("duplicate name")
	// ErrUnsupported: an encrypted entry, or a compression method other
	// than store and deflate.
	ErrUnsupported = errors.New("unsupported entry")
)

// Unzip returns the regular files of the zip archive data, in the order of
// its central directory, within lim. Directory entries are skipped (a
// file's name says its directories). It refuses the whole archive, with an
// error saying which rule and which entry, when
//   - an entry's name is not a plain relative path (ErrBadName): the
//     archive's own names, before any cleaning, so that "a/../b" is refused,
//     not taken for "b"; directory entries' names too;
//   - an entry is a symbolic link, device, pipe or socket (ErrBadType);
//   - two entries share a name, or a file's name is another's directory
//     (ErrDuplicate);
//   - it holds more than lim.MaxFiles files (ErrTooMany);
//   - the files hold more than lim.MaxBytes in all (ErrTooLarge): counted
//     while they are inflated, the sizes the archive claims are not trusted
//     (a zip bomb stops at the limit, having cost at most that much memory);
//   - an entry is encrypted or compressed other than by store or deflate
//     (ErrUnsupported), or the archive is corrupt (a CRC mismatch, a
//     truncated entry).
func Unzip(data []byte, lim Limits) ([]File, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// (ErrInsecurePath, under GODEBUG=zipinsecurepath=0, comes with
		// a usable reader: the names are checked below, with a reason.)
		return nil, fmt.Errorf("%w: not a zip archive: %v", ErrInvalid, err)
	}
	entries, err := check(zr.File, lim)
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(entries))
	budget := lim.MaxBytes
	for _, f := range entries {
		b, err := inflate(f, budget)
		if err != nil {
			return nil, err
		}
		budget -= int64(len(b))
		files = append(files, File{Name: f.Name, Data: b})
	}
	return files, nil
}

// check applies the rules that need no inflating to the archive's entries,
// and returns its regular files.
func check(entries []*zip.File, lim Limits) ([]*zip.File, error) {
	var files []*zip.File
	var names []string
	var claimed uint64
	for _, f := range entries {
		t := f.Mode().Type()
		dir := t == fs.ModeDir || strings.HasSuffix(f.Name, "/")
		name := f.Name
		if dir {
			name = strings.TrimSuffix(name, "/")
		}
		if err := relpath.Check(name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		switch {
		case dir && (t == fs.ModeDir || t == 0):
			continue
		case t != 0:
			return nil, fmt.Errorf("%w: %w: %q is a %s", ErrInvalid, ErrBadType, f.Name, typeName(t))
		case f.Flags&0x1 != 0:
			return nil, fmt.Errorf("%w: %w: %q is encrypted", ErrInvalid, ErrUnsupported, f.Name)
		case f.Method != zip.Store && f.Method != zip.Deflate:
			return nil, fmt.Errorf("%w: %w: %q is compressed by method %d (only store and deflate are supported)", ErrInvalid, ErrUnsupported, f.Name, f.Method)
		}
		if len(files) == lim.MaxFiles {
			return nil, fmt.Errorf("%w: %w: more than %d files", ErrInvalid, ErrTooMany, lim.MaxFiles)
		}
		// What the archive claims is checked at once (claimed stays
		// within MaxBytes: no overflow), what it holds while reading (see
		// inflate).
		if f.UncompressedSize64 > uint64(lim.MaxBytes)-claimed {
			return nil, fmt.Errorf("%w: %w: the files claim more than %d bytes uncompressed (at %q)", ErrInvalid, ErrTooLarge, lim.MaxBytes, f.Name)
		}
		claimed += f.UncompressedSize64
		files = append(files, f)
		names = append(names, f.Name)
	}
	if c := relpath.Conflicts(names); c != "" {
		return nil, fmt.Errorf("%w: %w: %s", ErrInvalid, ErrDuplicate, c)
	}
	return files, nil
}

// inflate reads f, which may take at most budget bytes, whatever its header
// says.
func inflate(f *zip.File, budget int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalid, f.Name, err)
	}
	defer rc.Close()
	// The header's size, when it fits the budget, saves reallocations; it
	// is a hint, never a bound.
	buf := bytes.NewBuffer(make([]byte, 0, min(int64(f.UncompressedSize64), budget)))
	n, err := io.Copy(buf, io.LimitReader(rc, budget+1))
	if n > budget {
		return nil, fmt.Errorf("%w: %w: the files take more than their limit uncompressed (at %q)", ErrInvalid, ErrTooLarge, f.Name)
	}
	if err != nil {
		// archive/zip checks the CRC and the size the header claims.
		return nil, fmt.Errorf("%w: %q is corrupt, or holds more or less than its header says: %v", ErrInvalid, f.Name, err)
	}
	return buf.Bytes(), nil
}

// typeName names the type of an entry refused.
func typeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeSymlink != 0:
		return "symbolic link"
	case t&fs.ModeDevice != 0:
		return "device"
	case t&fs.ModeNamedPipe != 0:
		return "named pipe"
	case t&fs.ModeSocket != 0:
		return "socket"
	}
	return "special file"
}
