// Package traceback keeps a question's driver hidden in what a program built
// from the driver and a learner's solution prints.
//
// A question may have a driver per language: its own code, holding the entry
// point, compiled or loaded with the learner's code (main.py + solution.py,
// main.c + solution.c, main.cpp + solution.cpp, Main.java + Solution.java,
// main.go + solution.go, main.js + solution.js, and main + solution with the
// extension of TypeScript, Rust, Kotlin, C#, Ruby, PHP, Perl, Lua and Bash). Drivers are never shown to
// learners, yet tracebacks, stack traces and compiler messages name the
// driver's file and lines and quote its source. HideDriver rewrites such
// text: the driver's frames go, with the source lines and carets under them;
// a message located in the driver keeps its words but says "the question's
// driver" instead of the file and line, and loses its quoted source. The
// learner's own locations, and every message, stay.
//
// The rules work line by line on the formats of CPython 3, gcc and g++,
// javac and the JVM, the Go compiler and runtime, Node.js, tsc (whose
// TypeScript runs on node: its driver is main.ts, and main.js once
// compiled), rustc and Rust's panics, kotlinc, mcs and mono, Ruby, PHP,
// Perl, Lua and Bash, wherever the files lie (/box in the sandbox, a host directory without one), and a last
// pass replaces any mention of the driver's file that survives them. Text
// a program prints itself may mimic these formats and be rewritten too.
package traceback

import (
	"regexp"
	"strings"
)

// Driver is what a rewritten message says instead of the driver's file and
// line.
const Driver = "the question's driver"

// HideDriver returns text (a program's stderr, or compiler output) with
// everything that reveals the driver of language removed: the driver file's
// paths with line numbers, its stack frames, and its quoted source lines and
// carets; the learner's own frames and the error message itself stay.
// language is a submission's language ID (one of codementor.Languages);
// text of any other language is returned unchanged.
func HideDriver(language, text string) string {
	if text == "" {
		return text
	}
	for _, d := range dialects[language] {
		lines := d.hide(d, strings.Split(text, "\n"))
		for i, l := range lines {
			lines[i] = d.scrub(l)
		}
		text = strings.Join(lines, "\n")
	}
	return text
}

// dialect is what HideDriver knows of one language: the driver's file name,
// and the rules that drop the driver's frames and quoted source.
type dialect struct {
	// file is the driver's file name, without a directory.
	file string
	// mention matches a mention of the driver's file, with its directory
	// and the location that follows it (see mentionPattern).
	mention *regexp.Regexp
	// hide drops the lines of the language's formats that belong to the
	// driver: frames, quoted source, carets. What it keeps, scrub then
	// rewrites.
	hide func(d *dialect, lines []string) []string
}

// dialects maps a language ID to its dialects, applied in turn: one per
// file of the driver (TypeScript's driver is main.ts, which tsc and the
// stack traces name, and main.js, which node runs). It is never modified.
var dialects = map[string][]*dialect{
	"python":     {newDialect("main.py", hidePython, "")},
	"c":          {newDialect("main.c", hideGCC, "")},
	"cpp":        {newDialect("main.cpp", hideGCC, "")},
	"java":       {newDialect("Main.java", hideJava, "")},
	"go":         {newDialect("main.go", hideGo, "")},
	"javascript": {newDialect("main.js", hideNode, "")},
	"typescript": {newDialect("main.ts", hideNode, parenLocation), newDialect("main.js", hideNode, "")},
	"rust":       {newDialect("main.rs", hideRust, "")},
	"kotlin":     {newDialect("main.kt", hideKotlin, "")},
	"csharp":     {newDialect("main.cs", hideMono, parenLocation)},
	"ruby":       {newDialect("main.rb", hideRuby, "")},
	"php":        {newDialect("main.php", hidePHP, `|\(\d+\)| on line \d+`)},
	"perl":       {newDialect("main.pl", hideNothing, `| line \d+`)},
	"lua":        {newDialect("main.lua", hideLua, "")},
	"bash":       {newDialect("main.sh", hideNothing, `|: line \d+`)},
}

// parenLocation is the location tsc and mcs put after a file name:
// "main.ts(3,5)".
const parenLocation = `|\(\d+,\d+\)`

// newDialect returns the dialect of a driver file, whose rules are hide and
// whose tools put a location after the file name in the usual forms (see
// mentionPattern) or in those of the alternatives location ("|" and a
// pattern each, "" for none).
func newDialect(file string, hide func(*dialect, []string) []string, location string) *dialect {
	return &dialect{file: file, mention: regexp.MustCompile(mentionPattern(file, location)), hide: hide}
}

// hideNothing is the rule of a language whose messages quote no source and
// hold no stack frames: scrub rewrites their locations.
func hideNothing(_ *dialect, lines []string) []string { return lines }

// mentionPattern returns the pattern of a mention of file: what precedes
// it (the line's start or a character that cannot be part of a name), its
// directory if any, then the location, if any, that tools put after it:
// :line[:column] (most), ", line N" (Python), :(.section+0x1f) (the
// linker), " +0x1d" (Go's stack traces), or one of the alternatives of
// location, the dialect's own. A longer name that merely ends with file
// (domain.py, Foo$Main.java) does not match. Whether the name goes on after
// the match (main.pyc) is checked by scrub, RE2 having no look-ahead.
func mentionPattern(file, location string) string {
	const (
		before = `(^|[^\w.$-])`
		dir    = "(?:file://)?(?:[^\\s\"'`()\\[\\]<>{},;:‘’“”]*/)?"
	)
	located := `((?:(?::\d+)+|", line \d+|:\([^)\s]*\)` + location + `)?(?: \+0x[0-9a-f]+)?)`
	return before + dir + regexp.QuoteMeta(file) + located
}

// scrub replaces every mention of the driver's file in line, with its
// directory and location, by Driver.
func (d *dialect) scrub(line string) string {
	if !strings.Contains(line, d.file) {
		return line
	}
	var b strings.Builder
	last := 0
	for _, m := range d.mention.FindAllStringSubmatchIndex(line, -1) {
		end, located := m[1], m[4]
		if end < len(line) && isNameByte(line[end]) {
			// What looked like a location goes on (main.py:12abc): the
			// name alone is the mention. Without a location, the name
			// itself goes on (main.pyc): no mention.
			if located == end {
				continue
			}
			end = located
		}
		b.WriteString(line[last:m[3]]) // up to the end of what precedes the path
		b.WriteString(Driver)
		if end > located && line[located] == '"' {
			b.WriteByte('"') // Python's `"main.py", line 3`: keep the quotes paired
		}
		last = end
	}
	b.WriteString(line[last:])
	return b.String()
}

// isDriver says whether path names the driver's file, in any directory.
func (d *dialect) isDriver(path string) bool {
	path = strings.TrimPrefix(path, "file://")
	return path == d.file || strings.HasSuffix(path, "/"+d.file)
}

// isNameByte says whether c may continue a file name.
func isNameByte(c byte) bool {
	return c == '_' || c == '-' || c == '/' ||
		'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// body is line without the carriage return of a CRLF line ending.
func body(line string) string {
	return strings.TrimSuffix(line, "\r")
}

// isBlank says whether line holds only white space.
func isBlank(line string) bool {
	return strings.TrimSpace(line) == ""
}

// caretLine matches a line that only points at a column: javac's and
// node's "   ^", Python's "^^^^" and "~~^~~".
var caretLine = regexp.MustCompile(`^\s*[\^~]+\s*$`)

// pastCaret returns the index of the caret line under the diagnostic at
// lines[i], one or two lines down (after the quoted source line), or i when
// there is none: the lines a driver's diagnostic shows of its source.
func pastCaret(lines []string, i int) int {
	switch {
	case i+1 < len(lines) && caretLine.MatchString(body(lines[i+1])):
		return i + 1
	case i+2 < len(lines) && caretLine.MatchString(body(lines[i+2])):
		return i + 2
	}
	return i
}
