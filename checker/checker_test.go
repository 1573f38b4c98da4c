package checker

import (
	"testing"

	codementor "github.com/codementor/codementor"
)

func TestCheck(t *testing.T) {
	ws := codementor.Checker{Kind: codementor.CheckerWhitespace}
	exact := codementor.Checker{Kind: codementor.CheckerExact}
	float := codementor.Checker{Kind: codementor.CheckerFloat, Tolerance: 1e-6}
	tests := []struct {
		name      string
		c         codementor.Checker
		want, got string
		ok        bool
		why       string
	}{
		{"ws equal", ws, "1 2\n3\n", "1  2 3", true, ""},
		{"ws trailing newline", ws, "42\n", "42", true, ""},
		{"ws differs", ws, "1 2 3", "1 2 4", false, `token 3 differs: expected "3", got "4"`},
		{"ws short", ws, "1 2 3", "1 2", false, "the output ends after 2 tokens; expected 3"},
		{"ws empty", ws, "1", "", false, "the output is empty"},
		{"ws long", ws, "1", "1 2", false, "the output has 2 tokens; expected only 1"},
		{"ws no tolerance", ws, "1.0", "1.00", false, `token 1 differs: expected "1.0", got "1.00"`},
		{"exact equal", exact, "a\nb\n", "a\nb\n", true, ""},
		{"exact line", exact, "a\nb\n", "a\nc\n", false, `line 2 differs: expected "b", got "c"`},
		{"exact missing newline", exact, "a\n", "a", false, "the output has 1 lines; expected 2"},
		{"float abs", float, "3.14159265", "3.1415929", true, ""},
		{"float rel", float, "1000000000", "1000000100", true, ""},
		{"float off", float, "3.14159", "3.15", false, `token 1 differs: expected "3.14159", got "3.15"`},
		{"float nan", float, "1", "nan", false, `token 1 differs: expected "1", got "nan"`},
		{"float words", float, "YES 1.5", "YES 1.5000001", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := Check(tt.c, tt.want, tt.got)
			if ok != tt.ok || why != tt.why {
				t.Errorf("Check(%q, %q) = %v, %q; want %v, %q", tt.want, tt.got, ok, why, tt.ok, tt.why)
			}
		})
	}
}

func TestCheckLinesAsJudge0(t *testing.T) {
	c := codementor.Checker{Kind: codementor.CheckerLines}
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"3\n", "3", true},
		{"1 2\n3", "1 2   \n3\n\n", true},
		{"hello", "  hello  \n", true},
		{"1 2", "1  2", false},
		{"a\nb", "a\n\nb", false},
	} {
		if ok, why := Check(c, tc.want, tc.got); ok != tc.ok {
			t.Errorf("Check(lines, %q, %q) = %v (%s), want %v", tc.want, tc.got, ok, why, tc.ok)
		}
	}
}
