// Package checker compares a program's output with the expected output the
// way a question asks: exactly, token by token (whitespace-insensitive), or
// with numbers compared within a tolerance.
package checker

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	codementor "github.com/codementor/codementor"
)

// Check compares got with want under c. When they differ it returns a short
// explanation a learner can act on (which token or line differs).
func Check(c codementor.Checker, want, got string) (ok bool, why string) {
	switch c.Kind {
	case codementor.CheckerExact:
		if want == got {
			return true, ""
		}
		return false, exactDiff(want, got)
	case codementor.CheckerFloat:
		return tokens(want, got, c.Tolerance)
	case codementor.CheckerLines:
		w, g := JudgeLines(want), JudgeLines(got)
		if w == g {
			return true, ""
		}
		return false, exactDiff(w, g)
	default:
		return tokens(want, got, -1)
	}
}

// tokens compares whitespace-separated tokens; with tol >= 0 numeric tokens
// may differ by tol, absolutely or relatively.
func tokens(want, got string, tol float64) (bool, string) {
	w, g := strings.Fields(want), strings.Fields(got)
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] == g[i] {
			continue
		}
		if tol >= 0 && closeEnough(w[i], g[i], tol) {
			continue
		}
		return false, fmt.Sprintf("token %d differs: expected %s, got %s", i+1, quote(w[i]), quote(g[i]))
	}
	switch {
	case len(g) < len(w):
		if len(g) == 0 {
			return false, "the output is empty"
		}
		return false, fmt.Sprintf("the output ends after %d tokens; expected %d", len(g), len(w))
	case len(g) > len(w):
		return false, fmt.Sprintf("the output has %d tokens; expected only %d", len(g), len(w))
	}
	return true, ""
}

// JudgeLines is text as Judge0 compares it: every line's trailing blanks
// dropped, then the leading and trailing blanks of the whole.
func JudgeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r\v\f")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func closeEnough(want, got string, tol float64) bool {
	a, err1 := strconv.ParseFloat(want, 64)
	b, err2 := strconv.ParseFloat(got, 64)
	if err1 != nil || err2 != nil || math.IsNaN(b) || math.IsInf(b, 0) {
		return false
	}
	diff := math.Abs(a - b)
	return diff <= tol || diff <= tol*math.Abs(a)
}

func exactDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if wl[i] != gl[i] {
			return fmt.Sprintf("line %d differs: expected %s, got %s", i+1, quote(wl[i]), quote(gl[i]))
		}
	}
	return fmt.Sprintf("the output has %d lines; expected %d", len(gl), len(wl))
}

// quote shows a token briefly and unambiguously.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strconv.Quote(s)
}
