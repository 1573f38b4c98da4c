package codementor

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  a  b\tc ", []string{"a", "b", "c"}},
		{`'a b' "c \"d\"" e\ f`, []string{"a b", `c "d"`, "e f"}},
		{`x'y'z ""`, []string{"xyz", ""}},
	} {
		got, err := SplitWords(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitWords(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`'a`, `"a`, `a\`} {
		if _, err := SplitWords(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("SplitWords(%q) error = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestRunValidate(t *testing.T) {
	ok := &Run{From: RunFromJudge0, Cases: []RunCase{{Input: "1"}}, TimeLimitMS: 1000, CompilerOptions: []string{"-O2"}}
	if err := ok.Validate("c"); err != nil {
		t.Fatalf("valid run refused: %v", err)
	}
	for _, tc := range []struct {
		run  Run
		lang string
		want string
	}{
		{Run{From: "x", Cases: []RunCase{{}}}, "c", "from must be"},
		{Run{From: RunFromPage}, "c", "at least one case"},
		{Run{From: RunFromPage, Cases: make([]RunCase, MaxRunCases+1)}, "c", "at most 20 cases"},
		{Run{From: RunFromJudge0, Cases: []RunCase{{}}, TimeLimitMS: MaxRunTimeLimitMS + 1}, "c", "time_limit_ms must be between"},
		{Run{From: RunFromJudge0, Cases: []RunCase{{}}, MemoryLimitKB: 100}, "c", "memory_limit_kb must be between"},
		{Run{From: RunFromJudge0, Cases: []RunCase{{}}, CompilerOptions: []string{"-o/etc/passwd"}}, "c", `compiler option "-o/etc/passwd" is not allowed`},
		{Run{From: RunFromJudge0, Cases: []RunCase{{}}, CompilerOptions: []string{"-O2"}}, "python", "takes no options"},
	} {
		err := tc.run.Validate(tc.lang)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want an ErrInvalid saying %q", tc.run, err, tc.want)
		}
	}
}
