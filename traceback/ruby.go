package traceback

import "regexp"

var (
	// rubyFrame is a frame of a Ruby backtrace below its first line:
	// "\tfrom /box/main.rb:9:in `<main>'".
	rubyFrame = regexp.MustCompile("^\\s+from (\\S+?):\\d+(?::in .*)?$")
	// rubySyntax is the first line of a syntax error of ruby -c, which may
	// quote the source line and put a caret under it: "main.rb:3: syntax
	// error, unexpected ')'".
	rubySyntax = regexp.MustCompile(`^(\S+?):\d+: `)
)

// hideRuby drops the driver's frames ("from main.rb:9:in ...") and the
// source line and caret quoted under a syntax error located in the driver.
// The first line of a backtrace holds the message: it stays, its location
// rewritten by scrub.
func hideRuby(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for i := 0; i < len(lines); i++ {
		line := body(lines[i])
		if m := rubyFrame.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			continue
		}
		out = append(out, lines[i])
		if m := rubySyntax.FindStringSubmatch(line); m != nil && d.isDriver(m[1]) {
			i = pastCaret(lines, i)
		}
	}
	return out
}
