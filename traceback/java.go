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
	// kotlincDiagnostic is the first line of a kotlinc message, followed by
	// the source line and a caret as javac's: "main.kt:5:13: error:
	// unresolved reference: solve".
	kotlincDiagnostic = regexp.MustCompile(`^(\S+?):\d+:\d+: (?:error|warning|info|exception): `)
)

// hideJava drops the frames of the driver's classes (Main and its nested,
// local, anonymous and lambda classes, whose file is Main.java) and the
// source line and caret that javac quotes under a message located in
// Main.java, keeping the message and its details ("symbol:", "location:",
// "required:", "found:", "reason:"). "Caused by:", "Suppressed:" and
// "... N more" stay.
func hideJava(d *dialect, lines []string) []string {
	return hideJVM(d, lines, javacDiagnostic, strings.TrimSuffix(d.file, ".java"))
}

// hideKotlin drops the frames of the driver's classes (MainKt, the class of
// main.kt's functions, and its nested and lambda classes) and the source
// line and caret that kotlinc quotes under a message located in main.kt, as
// hideJava does for Java.
func hideKotlin(d *dialect, lines []string) []string {
	name := strings.TrimSuffix(d.file, ".kt")
	return hideJVM(d, lines, kotlincDiagnostic, strings.ToUpper(name[:1])+name[1:]+"Kt")
}

// hideJVM drops the frames of the driver's classes (class, whose file is
// the driver's) and the source line and caret a compiler quotes under a
// message located in the driver, whose first line diagnostic matches.
func hideJVM(d *dialect, lines []string, diagnostic *regexp.Regexp, class string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := body(lines[i])
		if m := javaFrame.FindStringSubmatch(line); m != nil && javaDriverFrame(d, class, m[1], m[2]) {
			continue
		}
		out = append(out, lines[i])
		if m := diagnostic.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			// The source line comes right after the message's first line,
			// the caret under it.
			i = pastCaret(lines, i)
		}
	}
	return out
}

// javaDriverFrame says whether a frame of method (class.method, maybe after
// a module) at source (Main.java:5, Unknown Source) is the driver's, whose
// class is class.
func javaDriverFrame(d *dialect, class, method, source string) bool {
	file, _, _ := strings.Cut(source, ":")
	if d.isDriver(file) {
		return true
	}
	// Without debug information the file is unknown: go by the class.
	return strings.HasPrefix(method, class+".") || strings.HasPrefix(method, class+"$")
}
