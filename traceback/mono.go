package traceback

import (
	"regexp"
	"strings"
)

// monoFrame is a frame of a stack trace of mono: "  at Program.Main ()
// [0x00006] in /box/main.cs:12", "  at Solution.F (System.Int32 n)
// [0x00011] in <d1ce895d49cb4a19b33e8e09587e4a19>:0" without debugging
// symbols, "  at (wrapper managed-to-native) ...".
var monoFrame = regexp.MustCompile(`^\s*at\s+(\S+)\s.*?(?: in (\S+?):\d+)?\s*$`)

// hideMono drops the frames of the driver: those in main.cs, and those of
// its class Program (with its nested and compiler-made classes, Program+X
// and Program/X) where the file is unknown. mcs's messages quote no source:
// scrub rewrites their locations ("main.cs(5,40): error CS1061: ...").
func hideMono(d *dialect, lines []string) []string {
	class := "Program"
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if m := monoFrame.FindStringSubmatch(body(l)); m != nil {
			method, file := m[1], m[2]
			if d.isDriver(file) || strings.HasPrefix(method, class+".") || strings.HasPrefix(method, class+"+") || strings.HasPrefix(method, class+"/") {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}
