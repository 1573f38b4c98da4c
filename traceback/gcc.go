package traceback

import "regexp"

var (
	// gccDiagnostic is a message located in a file, "main.c:7:37: error:
	// ...", "main.cpp:10:23:   required from here", "main.c:3:5: note:".
	gccDiagnostic = regexp.MustCompile(`^(\S+?):\d+(?::\d+)?: `)
	// gccContext names the function or scope of the messages that follow:
	// "main.c: In function ‘main’:", "main.cpp: At global scope:".
	gccContext = regexp.MustCompile(`^(\S+): (?:In |At )`)
	// gccQuote is a line of the source gcc quotes under a message, with its
	// line number ("    7 |     solve(3, 4);"), or a line of carets,
	// ranges, labels and fix-it hints under it ("      |     ^~~~~").
	gccQuote = regexp.MustCompile(`^\s*\d*\s*\|`)
	// gccAssert is what assert(3) prints: "prog: file:line: function:
	// Assertion `expr' failed.", the expression being source.
	gccAssert = regexp.MustCompile(`^(.*?): (\S+):\d+: .*: Assertion .* failed\.$`)
)

// hideGCC drops gcc's and g++'s source quotes under messages located in the
// driver, and the "main.c: In function ‘main’:" lines naming the driver's
// functions; scrub then rewrites the locations ("main.c:7:37: error: ..."
// becomes "the question's driver: error: ...", "In file included from
// main.cpp:1:" and the linker's "main.c:(.text.startup+0xc): undefined
// reference to `solve'" likewise). A failed assert in the driver loses its
// expression. Messages located in the learner's file keep their quotes.
func hideGCC(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	inDriver := false // the last message was located in the driver
	for _, l := range lines {
		line := body(l)
		if inDriver && gccQuote.MatchString(line) {
			continue
		}
		inDriver = false
		if m := gccContext.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			continue
		}
		if m := gccAssert.FindStringSubmatch(line); m != nil && d.isDriver(m[2]) {
			out = append(out, m[1]+": "+Driver+": Assertion failed.")
			continue
		}
		if m := gccDiagnostic.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			inDriver = true
		}
		out = append(out, l)
	}
	return out
}
