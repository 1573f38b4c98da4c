package traceback

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestHideDriverEdges covers formats and corner cases the captured programs
// do not: bare file names, CRLF, other directories, names that only look
// like the driver's, formats of other versions.
func TestHideDriverEdges(t *testing.T) {
	for _, c := range []struct {
		name, lang, in, want string
	}{
		{"unknown language", "cobol", "main.py:3: error", "main.py:3: error"},
		{"empty", "python", "", ""},
		{"no trailing newline", "python", "x = main.py:3", "x = " + Driver},
		{
			"python bare name", "python",
			"error at main.py:12 and solution.py:3\n",
			"error at " + Driver + " and solution.py:3\n",
		},
		{
			"python longer names", "python",
			"domain.py:3 /box/main.pyc mymain.py:4 _main.py:5 solution.py:6",
			"domain.py:3 /box/main.pyc mymain.py:4 _main.py:5 solution.py:6",
		},
		{
			"python location that goes on", "python",
			"main.py:12abc",
			Driver + ":12abc",
		},
		{
			"python host dir and CRLF", "python",
			"Traceback (most recent call last):\r\n" +
				"  File \"/var/lib/codementor/box-7/main.py\", line 9, in <module>\r\n" +
				"    print(solve(n))\r\n" +
				"          ^^^^^^^^\r\n" +
				"  File \"/var/lib/codementor/box-7/solution.py\", line 2, in solve\r\n" +
				"    return 1 / n\r\n" +
				"ZeroDivisionError: division by zero\r\n",
			"Traceback (most recent call last):\r\n" +
				"  File \"/var/lib/codementor/box-7/solution.py\", line 2, in solve\r\n" +
				"    return 1 / n\r\n" +
				"ZeroDivisionError: division by zero\r\n",
		},
		{
			"python mutual recursion through the driver", "python",
			"Traceback (most recent call last):\n" +
				"  File \"/box/solution.py\", line 2, in f\n" +
				"    return g(n)\n" +
				"  File \"/box/main.py\", line 3, in g\n" +
				"    return f(n)\n" +
				"  [Previous 2 lines repeated 330 more times]\n" +
				"RecursionError: maximum recursion depth exceeded\n",
			"Traceback (most recent call last):\n" +
				"  File \"/box/solution.py\", line 2, in f\n" +
				"    return g(n)\n" +
				"RecursionError: maximum recursion depth exceeded\n",
		},
		{
			"python syntax error in the driver", "python",
			"  File \"main.py\", line 3\n    x = (\n        ^\nSyntaxError: '(' was never closed\n",
			"SyntaxError: '(' was never closed\n",
		},
		{
			"python frame line without its source", "python",
			"  File \"<frozen runpy>\", line 88, in _run_code\n  File \"/box/main.py\", line 4, in <module>\n  File \"/box/solution.py\", line 1, in <module>\nValueError\n",
			"  File \"<frozen runpy>\", line 88, in _run_code\n  File \"/box/solution.py\", line 1, in <module>\nValueError\n",
		},
		{
			"python warning whose source is unknown", "python",
			"/box/main.py:4: UserWarning: w\n  + Exception Group Traceback (most recent call last):\n",
			Driver + ": UserWarning: w\n  + Exception Group Traceback (most recent call last):\n",
		},
		{
			"java frames without debug information", "java",
			"Exception in thread \"main\" java.lang.IllegalStateException\n" +
				"\tat Solution.solve(Solution.java:3)\n" +
				"\tat Main$$Lambda$14/0x0000000800c03000.run(Unknown Source)\n" +
				"\tat Main$Helper.call(Unknown Source)\n" +
				"\tat java.base/java.lang.Thread.run(Thread.java:833)\n" +
				"\tSuppressed: java.lang.RuntimeException: close\n" +
				"\t\tat Solution.close(Solution.java:9)\n" +
				"\t\tat Main.main(Main.java:7)\n" +
				"\t\t... 1 more\n",
			"Exception in thread \"main\" java.lang.IllegalStateException\n" +
				"\tat Solution.solve(Solution.java:3)\n" +
				"\tat java.base/java.lang.Thread.run(Thread.java:833)\n" +
				"\tSuppressed: java.lang.RuntimeException: close\n" +
				"\t\tat Solution.close(Solution.java:9)\n" +
				"\t\t... 1 more\n",
		},
		{
			"javac note without a line", "java",
			"Note: Main.java uses unchecked or unsafe operations.\nNote: Recompile with -Xlint:unchecked for details.\n",
			"Note: " + Driver + " uses unchecked or unsafe operations.\nNote: Recompile with -Xlint:unchecked for details.\n",
		},
		{
			"java learner class named like the driver", "java",
			"\tat SolutionMain.run(SolutionMain.java:3)\n\tat Mainly.run(Solution.java:4)\n",
			"\tat SolutionMain.run(SolutionMain.java:3)\n\tat Mainly.run(Solution.java:4)\n",
		},
		{
			"node ESM and eval frames", "javascript",
			"Error: boom\n" +
				"    at solve (file:///box/solution.js:2:9)\n" +
				"    at file:///box/main.js:3:1\n" +
				"    at async ModuleJob.run (node:internal/modules/esm/module_job:195:25)\n" +
				"    at eval (eval at <anonymous> (/box/main.js:5:1), <anonymous>:1:1)\n",
			"Error: boom\n" +
				"    at solve (file:///box/solution.js:2:9)\n" +
				"    at async ModuleJob.run (node:internal/modules/esm/module_job:195:25)\n" +
				"    at eval (eval at <anonymous> (" + Driver + "), <anonymous>:1:1)\n",
		},
		{
			"node header without a caret", "javascript",
			"main.js:7\nconsole.log(solve(driverInput));\nTypeError: x\n",
			"TypeError: x\n",
		},
		{
			"tsc with a host directory", "typescript",
			"/tmp/x/main.ts(3,5): error TS2304: Cannot find name 'driverInput'.\nsolution.ts(1,17): error TS7006: Parameter 'n' implicitly has an 'any' type.\n",
			Driver + ": error TS2304: Cannot find name 'driverInput'.\nsolution.ts(1,17): error TS7006: Parameter 'n' implicitly has an 'any' type.\n",
		},
		{
			"typescript frames of the compiled driver", "typescript",
			"Error: boom\n    at solve (/box/solution.js:2:9)\n    at Object.<anonymous> (/box/main.js:7:9)\n",
			"Error: boom\n    at solve (/box/solution.js:2:9)\n",
		},
		{
			"rust secondary location in the driver", "rust",
			"error[E0061]: this function takes 1 argument but 2 arguments were supplied\n" +
				" --> solution.rs:3:5\n" +
				"  |\n" +
				"3 |     helper(n, 2)\n" +
				"  |     ^^^^^^ -  - supplied 2 arguments\n" +
				"  |\n" +
				"note: function defined here\n" +
				"  ::: main.rs:9:4\n" +
				"   |\n" +
				"9  | fn helper(driver_n: i64) -> i64 {\n" +
				"   |    ^^^^^^ ------------\n" +
				"...\n" +
				"   = note: see issue #1\n",
			"error[E0061]: this function takes 1 argument but 2 arguments were supplied\n" +
				" --> solution.rs:3:5\n" +
				"  |\n" +
				"3 |     helper(n, 2)\n" +
				"  |     ^^^^^^ -  - supplied 2 arguments\n" +
				"  |\n" +
				"note: function defined here\n" +
				"  ::: " + Driver + "\n" +
				"   = note: see issue #1\n",
		},
		{
			"rust help quoting the driver", "rust",
			" --> main.rs:4:29\n  |\n4 |     let x: i64 = solution::solve(driver_n);\n  |                  ^^^^ expected `i64`\n  |\nhelp: try\n  |\n4 |     let x: i64 = solution::solve(driver_n).into();\n  |                                        +++++++\n",
			" --> " + Driver + "\n  | expected `i64`\nhelp: try\n",
		},
		{
			"kotlin frames without debug information", "kotlin",
			"Exception in thread \"main\" java.lang.IllegalStateException\n\tat Solution.solve(Unknown Source)\n\tat MainKt.main(Unknown Source)\n\tat MainKt$main$1.invoke(Unknown Source)\n\tat MainKtHelper.run(Unknown Source)\n",
			"Exception in thread \"main\" java.lang.IllegalStateException\n\tat Solution.solve(Unknown Source)\n\tat MainKtHelper.run(Unknown Source)\n",
		},
		{
			"kotlin warning in the driver", "kotlin",
			"main.kt:3:9: warning: variable 'driverUnused' is never used\n    val driverUnused = 1\n        ^\nsolution.kt:1:1: error: expecting a top level declaration\n",
			Driver + ": warning: variable 'driverUnused' is never used\nsolution.kt:1:1: error: expecting a top level declaration\n",
		},
		{
			"mono frames without debugging symbols", "csharp",
			"System.Exception: boom\n" +
				"  at Solution.Solve (System.Int32 n) [0x00006] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n" +
				"  at Program+<>c.<Main>b__0_0 (System.Int32 n) [0x00000] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n" +
				"  at Program.Main () [0x00006] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n" +
				"  at ProgramHelper.Run () [0x00006] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n",
			"System.Exception: boom\n" +
				"  at Solution.Solve (System.Int32 n) [0x00006] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n" +
				"  at ProgramHelper.Run () [0x00006] in <d1ce895d49cb4a19b33e8e09587e4a19>:0 \n",
		},
		{
			"ruby frames with CRLF", "ruby",
			"/box/solution.rb:2:in `solve': boom (RuntimeError)\r\n\tfrom /box/main.rb:5:in `<main>'\r\n\tfrom solution.rb:9:in `helper'\r\n",
			"/box/solution.rb:2:in `solve': boom (RuntimeError)\r\n\tfrom solution.rb:9:in `helper'\r\n",
		},
		{
			"php warning and frames", "php",
			"Warning: Undefined variable $driverInput in /box/main.php on line 4\n#0 main.php(12): solve(0)\n#1 /box/solution.php(3): helper()\n",
			"Warning: Undefined variable $driverInput in " + Driver + "\n#1 /box/solution.php(3): helper()\n",
		},
		{
			"perl die in the driver", "perl",
			"Died at main.pl line 3.\nboom at /box/solution.pl line 2.\n\t...propagated at /box/main.pl line 6.\n",
			"Died at " + Driver + ".\nboom at /box/solution.pl line 2.\n\t...propagated at " + Driver + ".\n",
		},
		{
			"lua frames with directories", "lua",
			"lua5.4: /box/solution.lua:2: boom\nstack traceback:\n\t/box/solution.lua:2: in function 'solve'\n\t/box/main.lua:3: in local 'run'\n\t(...tail calls...)\n",
			"lua5.4: /box/solution.lua:2: boom\nstack traceback:\n\t/box/solution.lua:2: in function 'solve'\n\t(...tail calls...)\n",
		},
		{
			"bash with a directory", "bash",
			"/box/main.sh: line 4: driver_input: unbound variable\n./solution.sh: line 2: x: unbound variable\n",
			Driver + ": driver_input: unbound variable\n./solution.sh: line 2: x: unbound variable\n",
		},
		{
			"go deadlock", "go",
			"fatal error: all goroutines are asleep - deadlock!\n\n" +
				"goroutine 1 [chan receive]:\n" +
				"main.main()\n" +
				"\t/tmp/x/main.go:5 +0x25\n" +
				"\n" +
				"goroutine 6 [chan send]:\n" +
				"main.solve(0xc000012345)\n" +
				"\t/tmp/x/solution.go:4 +0x1d\n" +
				"created by main.main in goroutine 1\n" +
				"\t/tmp/x/main.go:4 +0x1f\n" +
				"exit status 2\n",
			"fatal error: all goroutines are asleep - deadlock!\n\n" +
				"goroutine 1 [chan receive]:\n" +
				"\n" +
				"goroutine 6 [chan send]:\n" +
				"main.solve(0xc000012345)\n" +
				"\t/tmp/x/solution.go:4 +0x1d\n" +
				"exit status 2\n",
		},
		{
			"go frame path without directory", "go",
			"main.main()\n\tmain.go:8 +0xbe\n",
			"",
		},
		{
			"c at top level, inlined from", "c",
			"main.c: At top level:\n" +
				"main.c:9:1: warning: data definition has no type or storage class\n" +
				"    9 | driver_table[3];\n" +
				"      | ^~~~~~~~~~~~\n" +
				"In function 'solve',\n" +
				"    inlined from 'main' at main.c:12:5:\n" +
				"solution.c:3:12: warning: array subscript 5 is outside array bounds\n" +
				"    3 |     return a[5];\n" +
				"      |            ~^~~\n",
			Driver + ": warning: data definition has no type or storage class\n" +
				"In function 'solve',\n" +
				"    inlined from 'main' at " + Driver + ":\n" +
				"solution.c:3:12: warning: array subscript 5 is outside array bounds\n" +
				"    3 |     return a[5];\n" +
				"      |            ~^~~\n",
		},
		{
			"cpp assertion and included from", "cpp",
			"main: main.cpp:8: int main(): Assertion `driver_ok(r)' failed.\n" +
				"main: solution.cpp:3: int solve(int): Assertion `n > 0' failed.\n" +
				"In file included from main.cpp:3:\n" +
				"solution.cpp:1:1: error: 'x' does not name a type\n",
			"main: " + Driver + ": Assertion failed.\n" +
				"main: solution.cpp:3: int solve(int): Assertion `n > 0' failed.\n" +
				"In file included from " + Driver + ":\n" +
				"solution.cpp:1:1: error: 'x' does not name a type\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := HideDriver(c.lang, c.in); got != c.want {
				t.Errorf("HideDriver(%q, %q) mismatch\n--- want\n%s\n--- got\n%s", c.lang, c.in, c.want, got)
			}
		})
	}
}

// FuzzHideDriver checks that no text, however it mimics the formats,
// keeps a mention of the driver's file. The language is picked by a byte.
func FuzzHideDriver(f *testing.F) {
	langs := slices.Sorted(maps.Keys(dialects))
	paths, err := filepath.Glob(filepath.Join("testdata", "captured", "*", "*.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(slices.Index(langs, filepath.Base(filepath.Dir(p)))), string(b))
	}
	f.Add(uint8(slices.Index(langs, "python")), "main.py:1:main.py main.py/main.py \"main.py\", line 3x")
	f.Fuzz(func(t *testing.T, pick uint8, text string) {
		lang := langs[int(pick)%len(langs)]
		got := HideDriver(lang, text)
		for _, d := range dialects[lang] {
			if m := mentionCheck(d.file).FindString(got); m != "" {
				t.Errorf("HideDriver(%q, %q) = %q: still mentions the driver (%q)", lang, text, got, m)
			}
		}
	})
}
