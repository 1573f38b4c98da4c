package traceback

import "regexp"

var (
	// nodeHeader is the first line node prints for an uncaught exception or
	// a syntax error, "/box/main.js:6", followed by the source line and a
	// caret under the column.
	nodeHeader = regexp.MustCompile(`^(\S+):\d+$`)
	// nodeFrame is a frame of a V8 stack trace: "    at f (/box/main.js:6:17)",
	// "    at /box/main.js:6:17", "    at async f (file:///box/main.js:6:17)".
	nodeFrame = regexp.MustCompile(`^\s+at\s(?:.*?\()?([^\s()]+):\d+:\d+\)?\s*$`)
)

// hideNode drops the driver's frames and the header node prints above an
// uncaught exception or a syntax error located in the driver (the path, the
// source line, the caret, the blank line under them). The frames of node's own modules (node:internal/...)
// say nothing of the driver and stay, as do the learner's frames and header.
// The driver's path in "Require stack:" and in an error's requireStack is
// left to scrub.
func hideNode(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := body(lines[i])
		if m := nodeFrame.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			continue
		}
		if m := nodeHeader.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			if i+1 < len(lines) && !isBlank(lines[i+1]) && !caretLine.MatchString(body(lines[i+1])) {
				i++ // the source line
			}
			if i+1 < len(lines) && caretLine.MatchString(body(lines[i+1])) {
				i++
			}
			if i+1 < len(lines) && isBlank(lines[i+1]) {
				i++ // the blank line that ends the header
			}
			continue
		}
		out = append(out, lines[i])
	}
	return out
}
