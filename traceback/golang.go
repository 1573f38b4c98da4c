package traceback

import (
	"regexp"
	"strings"
)

// goFrameFile is the second line of a frame of a Go stack trace,
// "\t./main.go:8 +0xbe" (the offset is absent for an inlined call); the
// first names the function: "main.main()", "main.solve(...)", "created by
// main.main in goroutine 1".
var goFrameFile = regexp.MustCompile(`^\t(\S+):\d+(?: \+0x[0-9a-f]+)?$`)

// hideGo drops the frames whose file is main.go: the file line and the
// function line above it. "panic:", "goroutine N [running]:", the frames of
// the runtime and of the learner's code, "exit status 2" (go run) stay.
// Compiler messages ("./main.go:13:18: undefined: solve") quote no source;
// scrub rewrites their location.
func hideGo(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if m := goFrameFile.FindStringSubmatch(body(l)); m != nil && d.isDriver(m[1]) {
			if n := len(out); n > 0 && goFunctionLine(body(out[n-1])) {
				out = out[:n-1]
			}
			continue
		}
		out = append(out, l)
	}
	return out
}

// goFunctionLine says whether line may be the function line of a frame: it
// is not blank, not indented, and not a goroutine's header.
func goFunctionLine(line string) bool {
	return line != "" && line[0] != '\t' && line[0] != ' ' && !strings.HasPrefix(line, "goroutine ")
}
