package traceback

import (
	"regexp"
	"strings"
)

var (
	// rustLocation is the line that locates a rustc message, or a part of
	// it, under its first line: " --> main.rs:7:20", "  ::: main.rs:3:8".
	rustLocation = regexp.MustCompile(`^\s*(?:-->|:::)\s+(\S+?):\d+:\d+$`)
	// rustQuote is a line of the source rustc quotes under a location,
	// with its line number ("7 |     let x = solve(n);"), a line of carets
	// and labels under it ("  |         ^^^^^ not found"), or the dots of
	// lines left out ("...").
	rustQuote = regexp.MustCompile(`^\s*(?:\d*\s*\||\.\.\.\s*$)`)
	// rustLabel is a line of markers (^, -, ~, and + under a suggested
	// addition) under a quoted line with the label that ends it: "  |          ---   ^^^^ expected `i64`, found struct
	// `String`", or the label alone under the "|" of a marker above it.
	rustLabel = regexp.MustCompile(`^\s*\|[\s^~|+-]*?\s([^\s^~|+-].*)$`)
)

// hideRust drops the source rustc quotes under a location in the driver
// (the "-->" or ":::" line, and the quoted lines, markers and suggestions
// that follow until the next location), keeping the labels of the markers
// ("  | expected `i64`, found struct `String`") but for help, which may
// quote the driver; scrub rewrites the locations themselves, and those of a
// panic ("panicked at 'boom', main.rs:9:5"). The message, its notes ("=
// note: ...") and what is quoted from the learner's file stay.
func hideRust(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	inDriver := false // the last location was in the driver
	for _, l := range lines {
		line := body(l)
		if m := rustLocation.FindStringSubmatch(line); m != nil {
			inDriver = d.isDriver(m[1])
		} else if inDriver && rustQuote.MatchString(line) {
			if m := rustLabel.FindStringSubmatch(line); m != nil && !strings.HasPrefix(m[1], "help:") {
				out = append(out, "  | "+m[1])
			}
			continue
		}
		out = append(out, l)
	}
	return out
}
