package relpath

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, name := range []string{"a", "a/b/c.txt", ".hidden", "a..b", "..a", "C:x", "ünï ✓", strings.Repeat("d/", MaxDepth-1) + "f"} {
		if err := Check(name); err != nil {
			t.Errorf("Check(%q) = %v", name, err)
		}
	}
	for name, why := range map[string]string{
		"":                                   "empty",
		"/a":                                 "absolute",
		"a/":                                 "a directory",
		"..":                                 `".." component`,
		"a/../b":                             `".." component`,
		"./a":                                `"." component`,
		"a//b":                               "empty component",
		`a\b`:                                "backslash",
		"a\x00b":                             "control character",
		"a\u0085b":                           "control character",
		"\xff":                               "UTF-8",
		strings.Repeat("a", 256):             "component longer",
		strings.Repeat("d/", MaxDepth) + "f": "levels deep",
		strings.Repeat("abcd/", 205):         "longer than 1024",
	} {
		if err := Check(name); !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), why) {
			t.Errorf("Check(%.40q) = %v, want ErrBadName saying %q", name, err, why)
		}
	}
}

func TestConflicts(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"a", "b", "c/d", "c/e", "cc"}, ""},
		{[]string{"a", "b", "a"}, `"a" appears twice`},
		{[]string{"x/y/z", "x/y"}, `"x/y" is a file and the directory of "x/y/z"`},
		{[]string{"x", "x/y/z"}, `"x" is a file`},
	} {
		if got := Conflicts(c.names); got != c.want && !(c.want != "" && strings.HasPrefix(got, c.want)) {
			t.Errorf("Conflicts(%q) = %q, want %q", c.names, got, c.want)
		}
	}
}
