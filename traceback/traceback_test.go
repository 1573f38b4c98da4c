package traceback

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/captured from the toolchains of this machine (with TestHideDriverLive)")

// programCase is a driver and a solution under testdata/programs/<lang>/<name>
// that fail to compile or fail when run, and what the learner must still see
// once the driver is hidden. testdata/captured/<lang>/<name>.txt is what the
// toolchains printed, with the work dir replaced by /box, and .golden what
// HideDriver makes of it.
type programCase struct {
	lang, name string
	// goRun runs a Go program with `go run` (absolute paths, "exit status
	// 2") instead of the sandbox's `go build -trimpath`.
	goRun bool
	// want must survive: the learner's locations, the messages.
	want []string
	// hidden must not survive, beyond the driver's own lines (see
	// checkHidden).
	hidden []string
}

var programCases = []programCase{
	{lang: "python", name: "zerodiv", want: []string{
		`File "/box/solution.py", line 2, in solve`, "return 10 // n", "ZeroDivisionError: integer division or modulo by zero",
	}},
	{lang: "python", name: "missing", want: []string{"Traceback (most recent call last):", "NameError: name 'solve' is not defined"}},
	{lang: "python", name: "recursion", want: []string{
		`File "/box/solution.py", line 2, in solve`, "[Previous line repeated", "RecursionError: maximum recursion depth exceeded",
	}},
	{lang: "python", name: "chain", want: []string{
		`File "/box/solution.py", line 3, in solve`, "KeyError: 'missing'",
		"During handling of the above exception, another exception occurred:",
		`File "/box/solution.py", line 5, in solve`, "ValueError: bad value for n=3",
		"The above exception was the direct cause of the following exception:",
		"RuntimeError: the driver could not use the answer",
	}},
	{lang: "python", name: "import", want: []string{`File "/box/solution.py", line 3, in <module>`, "IndexError: list index out of range"}},
	{lang: "python", name: "syntax", want: []string{`File "solution.py", line 2`, "SyntaxError: '(' was never closed"}},
	{lang: "python", name: "badreturn", want: []string{"TypeError: sequence item 0: expected str instance, int found"}},
	{lang: "python", name: "group", want: []string{
		Driver + ": UserWarning: driver deprecation notice",
		"ExceptionGroup: driver collected failures (2 sub-exceptions)",
		`File "/box/solution.py", line 2, in solve`, "ValueError: learner value 2",
	}},

	{lang: "c", name: "implicit", want: []string{
		Driver + ": warning: implicit declaration of function", Driver + ": undefined reference to `solve'",
		"collect2: error: ld returned 1 exit status",
	}},
	{lang: "c", name: "undefined", want: []string{Driver + ": undefined reference to `solve'"}},
	{lang: "c", name: "assert", want: []string{"main: " + Driver + ": Assertion failed."}, hidden: []string{"driver expects a count"}},
	{lang: "c", name: "syntax", want: []string{"solution.c: In function", "solution.c:2:17: error: expected", "    2 |     return n * 2"}},
	{lang: "c", name: "conflict", want: []string{
		Driver + ": error: too many arguments to function", Driver + ": note: declared here",
	}, hidden: []string{"int solve(int n);"}},

	{lang: "cpp", name: "undeclared", want: []string{Driver + ": error:", "was not declared in this scope"}},
	{lang: "cpp", name: "undefined", want: []string{Driver + ": undefined reference to `solve("}},
	{lang: "cpp", name: "throw", want: []string{"terminate called after throwing an instance of 'std::out_of_range'"}},
	{lang: "cpp", name: "template", want: []string{"from " + Driver + ":", Driver + ":   required from here", "error: no match for"}},
	{lang: "cpp", name: "syntax", want: []string{"solution.cpp:3:23: error: expected", "    3 |     return nums.size()"}},

	{lang: "java", name: "arith", want: []string{
		`Exception in thread "main" java.lang.ArithmeticException: / by zero`, "\tat Solution.solve(Solution.java:3)",
	}},
	{lang: "java", name: "missing", want: []string{
		Driver + ": error: cannot find symbol", "  symbol:   method solve(int)", "  location: class Solution", "1 error",
	}},
	{lang: "java", name: "args", want: []string{
		Driver + ": error: method solve in class Solution cannot be applied to given types;",
		"  required: int", "  found:    int,String", "  reason: actual and formal argument lists differ in length",
	}},
	{lang: "java", name: "caused", want: []string{
		"java.lang.RuntimeException: driver gave up",
		"Caused by: java.lang.IllegalStateException: learner wrapped it", "\tat Solution.solve(Solution.java:6)",
		"Caused by: java.lang.IllegalArgumentException: negative n: -1", "\tat Solution.helper(Solution.java:12)",
		"\t... 3 more",
	}},
	{lang: "java", name: "npe", want: []string{"java.lang.NullPointerException: Cannot read the array length"}},
	{lang: "java", name: "syntax", want: []string{"Solution.java:3: error: ';' expected", "        return n * 2"}},

	{lang: "go", name: "divide", want: []string{
		"panic: runtime error: integer divide by zero", "goroutine 1 [running]:", "main.solve(...)\n\t./solution.go:5",
	}, hidden: []string{"driverSolve"}},
	{lang: "go", name: "gorun", goRun: true, want: []string{
		"panic: runtime error: integer divide by zero", "main.solve(...)\n\t/box/solution.go:5", "exit status 2",
	}, hidden: []string{"driverSolve"}},
	{lang: "go", name: "undefined", want: []string{"# command-line-arguments", Driver + ": undefined: solve"}},
	{lang: "go", name: "redeclared", want: []string{
		"./solution.go:5:6: main redeclared in this block", "\t" + Driver + ": other declaration of main",
	}},
	{lang: "go", name: "goroutine", want: []string{"panic: assignment to entry in nil map", "main.solve(...)\n\t./solution.go:5"}, hidden: []string{"created by"}},
	{lang: "go", name: "syntax", want: []string{"./solution.go:5:1: syntax error: unexpected"}},

	{lang: "javascript", name: "throw", want: []string{
		"/box/solution.js:3\n", "RangeError: n must be positive", "at solve (/box/solution.js:3:15)",
	}, hidden: []string{"at Object.<anonymous>"}},
	{lang: "javascript", name: "notfunction", want: []string{"TypeError: solve is not a function"}, hidden: []string{"at Object.<anonymous>"}},
	{lang: "javascript", name: "require", want: []string{
		"Error: Cannot find module './learner-helper.js'", "- /box/solution.js", "at Object.<anonymous> (/box/solution.js:1:16)",
	}},
	{lang: "javascript", name: "syntax", want: []string{"/box/solution.js:2\n", "SyntaxError: Unexpected token ';'"}},
	{lang: "javascript", name: "recursion", want: []string{"RangeError: Maximum call stack size exceeded", "at solve (/box/solution.js:2:"}},
	{lang: "javascript", name: "driversyntax", want: []string{"SyntaxError: Unexpected token ')'"}},
	{lang: "typescript", name: "missing", want: []string{Driver + ": error TS2724: '\"./solution\"' has no exported member named 'solve'. Did you mean 'solveIt'?"}},
	{lang: "typescript", name: "null", want: []string{"TypeError: Cannot read properties of null (reading 'length')"}, hidden: []string{"at Object.<anonymous>"}},
	{lang: "typescript", name: "throw", want: []string{"/box/solution.ts:3\n", "RangeError: n must be positive", "at solve (/box/solution.ts:3:15)"}, hidden: []string{"at Object.<anonymous>"}},
	{lang: "typescript", name: "type", want: []string{"solution.ts(2,11): error TS2322: Type 'string' is not assignable to type 'number'."}},

	{lang: "rust", name: "mismatch", want: []string{"error[E0308]: mismatched types", " --> " + Driver, "  | expected `i64`, found struct `String`"}},
	{lang: "rust", name: "panic", want: []string{"thread 'main' panicked at 'index out of bounds: the len is 0 but the index is 0', solution.rs:2:5"}},
	{lang: "rust", name: "private", want: []string{"error[E0603]: function `solve` is private", " --> solution.rs:1:1", "1 | fn solve(n: i64) -> i64 {"}},
	{lang: "rust", name: "syntax", want: []string{"error: expected `;`, found `doubled`", "2 |     let doubled = n * 2"}},

	{lang: "kotlin", name: "divide", want: []string{"java.lang.ArithmeticException: / by zero", "\tat Solution.helper(solution.kt:4)", "\tat Solution.solve(solution.kt:2)"}, hidden: []string{"MainKt"}},
	{lang: "kotlin", name: "syntax", want: []string{"solution.kt:3:22: error: expecting ')'", "        return n * (2"}},
	{lang: "kotlin", name: "throw", want: []string{"java.lang.IllegalArgumentException: n must be positive: 0", "\tat Solution.solve(solution.kt:3)"}, hidden: []string{"MainKt"}},
	{lang: "kotlin", name: "unresolved", want: []string{Driver + ": error: unresolved reference: solve"}},

	{lang: "csharp", name: "missing", want: []string{Driver + ": error CS1061: Type `Solution' does not contain a definition for `Solve'", "solution.cs(1,14): (Location of the symbol related to previous error)"}},
	{lang: "csharp", name: "null", want: []string{"System.NullReferenceException: Object reference not set to an instance of an object"}, hidden: []string{"Program.Main"}},
	{lang: "csharp", name: "syntax", want: []string{"solution.cs(5,19): error CS1525: Unexpected symbol `;'"}},
	{lang: "csharp", name: "throw", want: []string{"System.ArgumentException: n must be positive", "  at Solution.Solve (System.Int32 n) [0x00011] in /box/solution.cs:11"}, hidden: []string{"Program.Main"}},

	{lang: "ruby", name: "driversyntax", want: []string{Driver + ": syntax error, unexpected ')', expecting end-of-input"}},
	{lang: "ruby", name: "nomethod", want: []string{"undefined method `join' for nil:NilClass (NoMethodError)"}},
	{lang: "ruby", name: "raise", want: []string{"/box/solution.rb:2:in `solve': n must be positive (ArgumentError)"}, hidden: []string{"<main>"}},
	{lang: "ruby", name: "syntax", want: []string{"solution.rb:3: syntax error, unexpected `end', expecting ')'"}},

	{lang: "php", name: "syntax", want: []string{"Parse error: syntax error, unexpected token \";\" in solution.php on line 5"}},
	{lang: "php", name: "throw", want: []string{"Uncaught InvalidArgumentException: n must be positive in /box/solution.php:6", "#1 {main}", "  thrown in /box/solution.php on line 6"}},
	{lang: "php", name: "type", want: []string{"must be of type int, string given, called in " + Driver + " and defined in /box/solution.php:3"}},
	{lang: "php", name: "undefined", want: []string{"Call to undefined function solve() in " + Driver}},

	{lang: "perl", name: "die", want: []string{"n must be positive at /box/solution.pl line 6."}},
	{lang: "perl", name: "syntax", want: []string{"syntax error at solution.pl line 6, near \"* ;\""}},
	{lang: "perl", name: "undefined", want: []string{"Undefined subroutine &main::solve called at " + Driver + "."}},

	{lang: "lua", name: "error", want: []string{"lua5.4: solution.lua:3: n must be positive", "\tsolution.lua:3: in function 'solve'"}, hidden: []string{"main chunk"}},
	{lang: "lua", name: "nilcall", want: []string{"lua5.4: " + Driver + ": attempt to call a nil value (global 'solve')"}},
	{lang: "lua", name: "syntax", want: []string{"luac5.4: solution.lua:3: unexpected symbol near 'end'"}},

	{lang: "bash", name: "notfound", want: []string{Driver + ": solve: command not found"}},
	{lang: "bash", name: "syntax", want: []string{"solution.sh: line 4: syntax error near unexpected token `}'"}},
	{lang: "bash", name: "unset", want: []string{"n must be positive"}},
}

// TestHideDriver rewrites the outputs captured in testdata/captured and
// compares them with their goldens.
func TestHideDriver(t *testing.T) {
	for _, c := range programCases {
		t.Run(c.lang+"/"+c.name, func(t *testing.T) {
			in := readFile(t, c.capturedPath(".txt"))
			got := HideDriver(c.lang, in)
			checkHidden(t, c, in, got)
			if want := readFile(t, c.capturedPath(".golden")); got != want {
				t.Errorf("HideDriver(%q, %s) mismatch\n--- want\n%s\n--- got\n%s", c.lang, c.capturedPath(".txt"), want, got)
			}
		})
	}
}

func (c programCase) programDir() string {
	return filepath.Join("testdata", "programs", c.lang, c.name)
}

func (c programCase) capturedPath(ext string) string {
	return filepath.Join("testdata", "captured", c.lang, c.name+ext)
}

// driverFile is the driver's file name in testdata/programs.
func (c programCase) driverFile() string {
	return dialects[c.lang][0].file
}

// solutionFile is the learner's file name.
func (c programCase) solutionFile() string {
	if c.lang == "java" {
		return "Solution.java"
	}
	return "solution" + filepath.Ext(c.driverFile())
}

// checkHidden checks got, what HideDriver made of in (the output of c's
// programs with the work dir at /box), for what a learner must and must not
// see: no mention of the driver's file, none of the driver's lines that
// speak of the driver (the test drivers name their variables driver...),
// nothing of c.hidden; every location in the learner's file, and c.want.
func checkHidden(t testing.TB, c programCase, in, got string) {
	t.Helper()
	for _, d := range dialects[c.lang] {
		if m := mentionCheck(d.file).FindString(got); m != "" {
			t.Errorf("the driver's file is still mentioned (%q) in\n%s", m, got)
		}
	}
	driver := readFile(t, filepath.Join(c.programDir(), c.driverFile()))
	for _, line := range strings.Split(driver, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(strings.ToLower(line), "driver") && strings.Contains(got, line) {
			t.Errorf("the driver's line %q is still quoted in\n%s", line, got)
		}
	}
	for _, h := range c.hidden {
		if strings.Contains(got, h) {
			t.Errorf("%q is still in\n%s", h, got)
		}
	}
	at := regexp.MustCompile(regexp.QuoteMeta(c.solutionFile()) + `(:\d|", line \d|\(\d| line \d)`)
	if n, m := len(at.FindAllString(in, -1)), len(at.FindAllString(got, -1)); n != m {
		t.Errorf("%d locations in %s before, %d after; got\n%s", n, c.solutionFile(), m, got)
	}
	for _, w := range c.want {
		if !strings.Contains(got, w) {
			t.Errorf("%q is missing from\n%s", w, got)
		}
	}
}

// mentionCheck matches a mention of file that HideDriver must have
// rewritten: the name, not inside a longer one.
func mentionCheck(file string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)(?:^|[^\w.$-])` + regexp.QuoteMeta(file) + `(?:[^\w/-]|$)`)
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
