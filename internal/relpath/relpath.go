// Package relpath holds the rules for the names of the files a submission
// brings beside its code (Judge0's additional_files): plain relative paths
// that stay inside the directory they are written to, whatever reads them.
// Package archive applies them to a zip archive's entries, package sandbox
// to the files it writes into a program's work dir.
package relpath

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a name.
const (
	MaxBytes          = 1024 // a whole name
	MaxComponentBytes = 255  // one component (NAME_MAX)
	MaxDepth          = 16   // components
)

// ErrBadName is wrapped by Check's errors.
var ErrBadName = errors.New("bad file name")

// Check reports why name is not a plain relative path: components separated
// by single slashes, none of them empty, "." or "..", no leading or trailing
// slash, no backslash (a separator elsewhere, and a favourite of traversal
// tricks), no NUL or other control character, valid UTF-8, and within
// MaxBytes, MaxComponentBytes and MaxDepth. Such a name, joined to a
// directory, names a file inside it, unless a component is a symbolic link:
// the writer must not follow those.
func Check(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadName, name, why) }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > MaxBytes:
		return bad(fmt.Sprintf("longer than %d bytes", MaxBytes))
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.HasPrefix(name, "/"):
		return bad("absolute")
	case strings.HasSuffix(name, "/"):
		return bad("a directory")
	case strings.ContainsRune(name, '\\'):
		return bad("backslash")
	case strings.ContainsFunc(name, unicode.IsControl):
		return bad("control character")
	}
	parts := strings.Split(name, "/")
	if len(parts) > MaxDepth {
		return bad(fmt.Sprintf("more than %d levels deep", MaxDepth))
	}
	for _, p := range parts {
		switch {
		case p == "":
			return bad("empty component")
		case p == "." || p == "..":
			return bad(fmt.Sprintf("%q component", p))
		case len(p) > MaxComponentBytes:
			return bad(fmt.Sprintf("a component longer than %d bytes", MaxComponentBytes))
		}
	}
	return nil
}

// Conflicts returns a description of the first pair of names that cannot be
// files of one directory together: the same name twice, or a name that is
// another's directory ("a" and "a/b"); "" if there is none.
func Conflicts(names []string) string {
	files := make(map[string]bool, len(names))
	for _, n := range names {
		if files[n] {
			return fmt.Sprintf("%q appears twice", n)
		}
		files[n] = true
	}
	for _, n := range names {
		for i := strings.IndexByte(n, '/'); i >= 0; i = next(n, i) {
			if files[n[:i]] {
				return fmt.Sprintf("%q is a file and the directory of %q", n[:i], n)
			}
		}
	}
	return ""
}

// next returns the index of the slash after the one at i in n, or -1.
func next(n string, i int) int {
	j := strings.IndexByte(n[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}
