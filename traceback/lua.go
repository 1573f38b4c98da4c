package traceback

import "regexp"

// luaFrame is a frame of a Lua stack traceback: "\tmain.lua:12: in main
// chunk", "\t/box/main.lua:3: in local 'f'"; "\t[C]: in ?" is the C side.
var luaFrame = regexp.MustCompile(`^\s+(\S+?):\d+: in `)

// hideLua drops the driver's frames; scrub rewrites the locations of the
// messages ("lua5.4: main.lua:5: attempt to call a nil value", luac's
// "luac5.4: main.lua:3: unexpected symbol"). Lua quotes no source.
func hideLua(d *dialect, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if m := luaFrame.FindStringSubmatch(body(l)); m != nil && d.isDriver(m[1]) {
			continue
		}
		out = append(out, l)
	}
	return out
}
