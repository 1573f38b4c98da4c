package traceback

import (
	"regexp"
	"strings"
)

// A CPython traceback frame is
//
//	File "/box/main.py", line 5, in <module>
//	  driver_answer = solve(driver_case)
//	                  ^^^^^^^^^^^^^^^^^^
//
// the source and caret lines (3.11's ^^^ and ~~^~~) indented deeper than the
// frame. A SyntaxError's location has no ", in f". In an exception group's
// traceback every line has a margin ("  | ", "    | "). A RecursionError
// folds its repeated frames into "  [Previous line repeated 996 more
// times]" at the frame's indentation.
var (
	pythonFrame = regexp.MustCompile(`^(\s*\|)?(\s*)File "([^"]*)", line \d+`)
	// pythonWarning is the first line of a warning: path:line: Category:
	// message, followed by the source line, indented by two spaces.
	pythonWarning = regexp.MustCompile(`^(\S+):\d+: \w+: `)
)

// hidePython drops the driver's frames, with their source and caret lines
// and the "[Previous line repeated N more times]" that follows them, and the
// source line quoted under a warning raised in the driver. The chains
// ("During handling of the above exception...") are left as they are: each
// traceback in them is made of frames.
func hidePython(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := body(lines[i])
		if m := pythonFrame.FindStringSubmatch(line); m != nil && d.isDriver(m[3]) {
			margin, indent := m[1], len(m[2])
			for i+1 < len(lines) && pythonUnder(body(lines[i+1]), margin, indent) {
				i++
			}
			if i+1 < len(lines) && pythonRepeat(body(lines[i+1]), margin, indent) {
				i++
			}
			continue
		}
		out = append(out, lines[i])
		if m := pythonWarning.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) &&
			i+1 < len(lines) && pythonWarningSource(body(lines[i+1])) {
			i++
		}
	}
	return out
}

// pythonUnder says whether line belongs to a frame at margin and indent: a
// non-blank line with the same margin, indented deeper.
func pythonUnder(line, margin string, indent int) bool {
	rest, ok := strings.CutPrefix(line, margin)
	if !ok || isBlank(rest) {
		return false
	}
	return len(rest)-len(strings.TrimLeft(rest, " \t")) > indent
}

// pythonRepeat says whether line is the "[Previous line repeated N more
// times]" (or "[Previous N lines repeated ...]") of a frame at margin and
// indent.
func pythonRepeat(line, margin string, indent int) bool {
	rest, ok := strings.CutPrefix(line, margin)
	if !ok {
		return false
	}
	trimmed := strings.TrimLeft(rest, " \t")
	return len(rest)-len(trimmed) == indent && strings.HasPrefix(trimmed, "[Previous ")
}

// pythonWarningSource says whether line is the source line the warnings
// module quotes under a warning ("  warnings.warn(...)"), rather than the
// start of a traceback that happens to follow the warning.
func pythonWarningSource(line string) bool {
	rest, ok := strings.CutPrefix(line, "  ")
	if !ok || isBlank(rest) {
		return false
	}
	for _, p := range []string{"File \"", "+ ", "| ", "[Previous "} {
		if strings.HasPrefix(rest, p) {
			return false
		}
	}
	return true
}
