package traceback

import "regexp"

// phpFrame is a frame of the stack trace PHP prints under an uncaught
// exception: "#0 /box/main.php(12): solve(0)", "#1 {main}".
var phpFrame = regexp.MustCompile(`^#\d+ (\S+?)\(\d+\): `)

// hidePHP drops the driver's frames; scrub rewrites the locations of the
// messages ("in /box/main.php:5", "in main.php on line 3"). PHP quotes no
// source.
func hidePHP(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if m := phpFrame.FindStringSubmatch(body(l)); m != nil && d.isDriver(m[1]) {
			continue
		}
		out = append(out, l)
	}
	return out
}
