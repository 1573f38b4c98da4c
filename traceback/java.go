package traceback

import (
	"regexp"
	"strings"
)

var (
	// javaFrame is a stack trace's frame, "\tat Main.main(Main.java:5)";
	// also "(Unknown Source)", "(Native Method)", a module prefix
	// (java.base/...) and a suppressed exception's deeper indentation.
	javaFrame = regexp.MustCompile(`^\s*at\s+([^\s(]+)\(([^()]*)\)`)
	// javacDiagnostic is the first line of a javac message:
	// "Main.java:5: error: cannot find symbol".
	javacDiagnostic = regexp.MustCompile(`^(\S+):\d+: `)
)

// hideJava drops the frames of the driver's classes (Main and its nested,
// local, anonymous and lambda classes, whose file is Main.java) and the
// source line and caret that javac quotes under a message located in
// Main.java, keeping the message and its details ("symbol:", "location:",
// "required:", "found:", "reason:"). "Caused by:", "Suppressed:" and
// "... N more" stay.
func hideJava(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := body(lines[i])
		if m := javaFrame.FindStringSubmatch(line); m != nil && javaDriverFrame(d, m[1], m[2]) {
			continue
		}
		out = append(out, lines[i])
		if m := javacDiagnostic.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			// The source line comes right after the message's first line,
			// the caret under it.
			switch {
			case i+1 < len(lines) && caretLine.MatchString(body(lines[i+1])):
				i++
			case i+2 < len(lines) && caretLine.MatchString(body(lines[i+2])):
				i += 2
			}
		}
	}
	return out
}

// javaDriverFrame says whether a frame of method (class.method, maybe after
// a module) at source (Main.java:5, Unknown Source) is the driver's.
func javaDriverFrame(d *dialect, method, source string) bool {
	file, _, _ := strings.Cut(source, ":")
	if d.isDriver(file) {
		return true
	}
	// Without debug information the file is unknown: go by the class.
	class := strings.TrimSuffix(d.file, ".java")
	return strings.HasPrefix(method, class+".") || strings.HasPrefix(method, class+"$")
}
