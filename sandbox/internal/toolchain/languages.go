package toolchain

import (
	"fmt"
	"strings"

	"github.com/codementor/codementor/sandbox/boxinit"
)

// Language says how to build and run programs of one language. The table
// below is data: supporting a language is adding an entry (and, for a
// toolchain found at run time, a finder in toolchain.go). Every path an
// entry names must also exist inside the sandbox: the base binds give /usr,
// /bin, /lib, /lib64, /etc/ld.so.cache and /etc/alternatives; Binds and the
// finder add the rest.
//
// Arguments, environment entries, Requires and Binds may hold placeholders,
// expanded per toolchain (see Expand): {sources} (the source files, entry
// first), {mem} and {stack} (the run's memory and stack limits in MiB), and
// the variables a finder sets, such as {java_home}, {goroot} or {node}.
type Language struct {
	// ID is the language ID of submissions (codementor.Languages).
	ID string
	// Entry is the file holding the program's entry point, in the work
	// dir (/box): the learner's code, or the question's driver when there
	// is one.
	Entry string
	// Solution is the file the learner's code goes to when a driver takes
	// Entry; the two are compiled (or loaded) together.
	Solution string
	// Compile is the compiler's argv, run in /box; nil when the language
	// has no compile step. For interpreted languages it is a syntax check
	// that writes nothing.
	Compile []string
	// CompileEnv is added to the compiler's environment.
	CompileEnv []string
	// CheckOnly says that the compile step only checks the sources and
	// writes nothing: it runs in the program's own, read-only sandbox.
	CheckOnly bool
	// Run is the program's argv, run in /box with the work dir read-only.
	Run []string
	// RunEnv is added to the program's environment.
	RunEnv []string
	// Requires lists host files that must exist for the language to be
	// offered on this machine (the interpreter or the compiler).
	Requires []string
	// Binds lists host paths bound read-only at the same place on top of the
	// base binds; paths missing on the host are skipped.
	Binds []string
	// Version is the argv that prints the toolchain's version (run once,
	// outside the sandbox, by Find), and VersionPrefix what precedes the
	// version in its output ("" for the first word). A finder that knows
	// the version better sets the placeholder {version}, which then wins.
	Version       []string
	VersionPrefix string
	// AddressSpaceSlackMB is added to the memory limit to get RLIMIT_AS: the
	// address space a runtime maps without really using it (shared
	// libraries, the interpreter's arenas), so that a program using up to
	// the memory limit still fits. Managed runtimes (the JVM, Go, Node)
	// reserve gigabytes they never use: theirs is large, and their memory
	// is bounded by their own flags ({mem} in Run and RunEnv) and by the
	// memory cgroup.
	AddressSpaceSlackMB int
	// MemorySlackMB is added to the memory limit to get the memory cgroup's
	// limit: the resident memory of the runtime itself beyond what its
	// flags bound (the JVM's code, metaspace and threads beside -Xmx).
	MemorySlackMB int
	// Native is set when the compiler produces an ELF executable at
	// /box/main: a program whose static data (data + bss) do not fit in
	// the memory limit is then not run at all but reported as over the
	// memory limit, as the kernel would kill it in exec.
	Native bool
	// OOMMarkers are stderr substrings by which the runtime says that an
	// allocation failed (see OutOfMemoryMarkers).
	OOMMarkers []string
	// Zygote, for a runtime that can fork each run from a process
	// started once per box (see sandbox/boxinit/zygote.go), returns the
	// zygote's argv for the run's argv (expanded, without arguments); nil
	// for the others.
	Zygote func(run []string) []string
}

// pythonSyntaxCheck is the "compiler" of Python: it parses the files named
// by its arguments without running them or writing anything, so that a
// syntax error is reported as a compile error rather than as a runtime error
// of every test.
const pythonSyntaxCheck = `import sys
bad = False
for name in sys.argv[1:]:
    try:
        with open(name, "rb") as f:
            compile(f.read(), name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        import traceback
        sys.stderr.write("".join(traceback.format_exception_only(type(e), e)))
        bad = True
sys.exit(1 if bad else 0)
`

// javaFlags start the JVM fast (class data sharing, the C1 compiler only, the
// serial collector, no perf-data file in /tmp); javacFlags pass them to the
// compiler's JVM.
var (
	javaFlags  = []string{"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData"}
	javacFlags = prefixAll("-J", javaFlags)
	// javaRunFlags run a program: the heap and the stacks bounded by the
	// run's limits, the JVM's own messages on stderr. The JVM's warnings
	// (unified logging) go to stdout by default, where they would count as
	// the program's output.
	javaRunFlags = concat(javaFlags, []string{
		"-Xlog:disable", "-Xlog:all=warning:stderr",
		"-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr", "-Xmx{mem}m", "-Xss{stack}m",
	})
)

// kotlinCompiler is the Kotlin compiler's argv, up to its options: the
// compiler's main class run straight on the JVM (not the kotlinc script,
// which needs bash and a preloader that class data sharing cannot see),
// with the JVM flags of javac and, once made, the compiler's class data
// archive ({kotlinc_cds}).
var kotlinCompiler = concat([]string{"{java_home}/bin/java"}, javaFlags, []string{
	"{kotlinc_cds}", "-Xmx768m", "-cp", "{kotlinc_cp}", "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler",
})

// syntaxCheckEach is the argv of a "compiler" that checks each source file
// with a checker that takes one file: sh runs "$0" plus the checker's
// flags on every file, stopping at the first that fails, and prints what
// the checker said of that file only (not the "Syntax OK" of those before).
// (No braces in the script: they would be placeholders.)
func syntaxCheckEach(checker ...string) []string {
	return concat([]string{"/bin/sh", "-c", `for f; do if ! out=$("$0" ` + strings.Join(checker[1:], " ") + ` "$f" 2>&1); then printf '%s\n' "$out"; exit 1; fi; done`, checker[0]}, []string{"{sources}"})
}

// goEnv is the environment of the Go toolchain, in the sandbox and when Prepare
// warms the build cache: no network, no toolchain switch, no cgo, no user
// configuration, everything it writes under /tmp except the executable.
// The build cache is read through GOCACHEPROG (see boxinit/gocache.go): the shared,
// read-only, warm cache plus a private layer in /tmp.
var goEnv = []string{
	"PATH={goroot}/bin:/usr/bin:/bin",
	"GOROOT={goroot}",
	"HOME=/tmp",
	"XDG_CONFIG_HOME=/tmp/.config",
	"GOPATH=/tmp/go",
	"GOCACHE=/tmp/go-build",
	"GOENV=off",
	"GOTOOLCHAIN=local",
	"GOPROXY=off",
	"GOSUMDB=off",
	"GOFLAGS=",
	"CGO_ENABLED=0",
}

// goBuild is the Go compiler's argv (file-list mode, no module).
var goBuild = []string{"{goroot}/bin/go", "build", "-trimpath", "-buildvcs=false", "-o", "main"}

// table is the language table. Python runs without the site module (-S:
// the standard library only, not the host's dist-packages, and faster to
// start), ignoring PYTHON* variables (-E) and the user site (-s), writing no
// bytecode (-B); /box, the script's directory, is on sys.path so that a
// driver can import the solution.
var table = []Language{
	{
		ID:       "python",
		Entry:    "main.py",
		Solution: "solution.py",
		// The syntax check has the program's options: the zygote that
		// forks the runs forks it too.
		Compile:             []string{"/usr/bin/python3", "-E", "-s", "-S", "-B", "-c", pythonSyntaxCheck, "{sources}"},
		CheckOnly:           true,
		Run:                 []string{"/usr/bin/python3", "-E", "-s", "-S", "-B", "main.py"},
		Requires:            []string{"/usr/bin/python3"},
		Version:             []string{"/usr/bin/python3", "--version"},
		VersionPrefix:       "Python ",
		AddressSpaceSlackMB: 32,
		MemorySlackMB:       8,
		OOMMarkers:          []string{"MemoryError"},
		Zygote:              pythonZygote,
	},
	{
		ID:                  "c",
		Entry:               "main.c",
		Solution:            "solution.c",
		Compile:             []string{"/usr/bin/gcc", "-O2", "-std=c17", "-o", "main", "{sources}", "-lm"},
		Run:                 []string{"/box/main"},
		Requires:            []string{"/usr/bin/gcc"},
		Version:             []string{"/usr/bin/gcc", "-dumpfullversion"},
		AddressSpaceSlackMB: 8,
		MemorySlackMB:       4,
		Native:              true,
	},
	{
		ID:                  "cpp",
		Entry:               "main.cpp",
		Solution:            "solution.cpp",
		Compile:             []string{"/usr/bin/g++", "-O2", "-std=c++17", "-o", "main", "{sources}"},
		Run:                 []string{"/box/main"},
		Requires:            []string{"/usr/bin/g++"},
		Version:             []string{"/usr/bin/g++", "-dumpfullversion"},
		AddressSpaceSlackMB: 16,
		MemorySlackMB:       4,
		Native:              true,
		OOMMarkers:          []string{"std::bad_alloc"},
	},
	{
		// Without a driver the learner writes class Main; with one, the
		// driver is class Main and the learner writes class Solution. The
		// heap is bounded by -Xmx, everything else by the memory cgroup.
		ID:       "java",
		Entry:    "Main.java",
		Solution: "Solution.java",
		Compile: concat([]string{"{java_home}/bin/javac"}, javacFlags, []string{
			"{javac_cds}", "-J-Xmx512m", "-proc:none", "-encoding", "UTF-8", "-d", ".", "{sources}",
		}),
		Run:                 concat([]string{"{java_home}/bin/java"}, javaRunFlags, []string{"-cp", "/box", "Main"}),
		Requires:            []string{"{java_home}/bin/java", "{java_home}/bin/javac"},
		Binds:               []string{"{java_binds}"},
		Version:             []string{"{java_home}/bin/java", "-version"},
		VersionPrefix:       `version "`,
		AddressSpaceSlackMB: 4096,
		MemorySlackMB:       64,
		OOMMarkers:          []string{"java.lang.OutOfMemoryError"},
	},
	{
		// Both files are package main, built together with the machine's Go
		// toolchain. GOMEMLIMIT makes the collector work harder near the
		// limit; the memory cgroup enforces it.
		ID:                  "go",
		Entry:               "main.go",
		Solution:            "solution.go",
		Compile:             concat(goBuild, []string{"{sources}"}),
		CompileEnv:          append(goEnv, "GOCACHEPROG="+boxinit.Path+" "+boxinit.GoCacheVerb+" "+goCacheBoxDir+" /tmp/gocache"),
		Run:                 []string{"/box/main"},
		RunEnv:              []string{"GOMEMLIMIT={mem}MiB"},
		Requires:            []string{"{goroot}/bin/go"},
		Binds:               []string{"{goroot}"},
		Version:             []string{"{goroot}/bin/go", "version"},
		VersionPrefix:       "go version go",
		AddressSpaceSlackMB: 2048,
		MemorySlackMB:       8,
		Native:              true,
		OOMMarkers:          []string{"runtime: out of memory"},
	},
	{
		// The driver loads the solution with require('./solution.js'). The
		// "compiler" is node's syntax check of each file.
		ID:                  "javascript",
		Entry:               "main.js",
		Solution:            "solution.js",
		Compile:             []string{"/bin/sh", "-c", `for f; do "$0" --check "$f" || exit 1; done`, "{node}", "{sources}"},
		CheckOnly:           true,
		Run:                 []string{"{node}", "--max-old-space-size={mem}", "main.js"},
		Requires:            []string{"{node}"},
		Binds:               []string{"{node_binds}"},
		Version:             []string{"{node}", "--version"},
		VersionPrefix:       "v",
		AddressSpaceSlackMB: 2048,
		MemorySlackMB:       64,
		OOMMarkers:          []string{"JavaScript heap out of memory"},
	},
	{
		// tsc, strict, type-checks and compiles the sources to CommonJS
		// beside them (main.js, solution.js), writing nothing when they
		// do not type-check; node runs them as it runs JavaScript. The
		// driver does import { f } from './solution'. The declarations
		// are node's and ES2022's (not the DOM's, a third of tsc's time),
		// and tsc does not check them (--skipLibCheck). With the source
		// maps tsc writes, node's stack traces name the TypeScript
		// sources' lines.
		ID:       "typescript",
		Entry:    "main.ts",
		Solution: "solution.ts",
		Compile: []string{
			"{node}", "{tsc}", "--pretty", "false", "--noEmitOnError", "--strict", "--skipLibCheck",
			"--target", "es2022", "--lib", "es2022", "--module", "commonjs", "--moduleResolution", "node",
			"--types", "node", "--typeRoots", "{ts_types}", "--newLine", "lf", "--sourceMap", "{sources}",
		},
		Run:                 []string{"{node}", "--enable-source-maps", "--max-old-space-size={mem}", "main.js"},
		Requires:            []string{"{node}", "{tsc}", "{ts_types}/node/index.d.ts"},
		Binds:               []string{"{node_binds}", "{ts_binds}"},
		Version:             []string{"{node}", "{tsc}", "--version"},
		VersionPrefix:       "Version ",
		AddressSpaceSlackMB: 2048,
		MemorySlackMB:       64,
		OOMMarkers:          []string{"JavaScript heap out of memory"},
	},
	{
		// The driver, main.rs, declares the learner's file as a module
		// (mod solution; use solution::*;): rustc finds it beside main.rs,
		// the crate's root and only source on its command line. Debian's
		// rustc, not a rustup toolchain under a home directory. One codegen
		// unit: one LLVM thread (each thread's stack is reserved at the
		// stack limit, and a dozen of them would not fit in the
		// compiler's address space), and small programs optimize better.
		ID:                  "rust",
		Entry:               "main.rs",
		Solution:            "solution.rs",
		Compile:             []string{"/usr/bin/rustc", "-O", "--edition", "2021", "-C", "codegen-units=1", "-C", "debuginfo=0", "{options}", "-o", "main", "main.rs"},
		Run:                 []string{"/box/main"},
		Requires:            []string{"/usr/bin/rustc"},
		Version:             []string{"/usr/bin/rustc", "--version"},
		VersionPrefix:       "rustc ",
		AddressSpaceSlackMB: 16,
		MemorySlackMB:       4,
		Native:              true,
		OOMMarkers:          []string{"memory allocation of"},
	},
	{
		// Without a driver the learner writes fun main() in main.kt; with
		// one, the driver's main.kt holds it and the learner writes class
		// Solution in solution.kt. Either way the entry point is the class
		// MainKt. The program runs on the JVM as Java does, with the
		// Kotlin standard library on its class path.
		ID:                  "kotlin",
		Entry:               "main.kt",
		Solution:            "solution.kt",
		Compile:             concat(kotlinCompiler, []string{"-kotlin-home", "{kotlin_home}", "-no-reflect", "-d", ".", "{sources}"}),
		Run:                 concat([]string{"{java_home}/bin/java"}, javaRunFlags, []string{"-cp", "/box:{kotlin_stdlib}", "MainKt"}),
		Requires:            []string{"{java_home}/bin/java", "{kotlin_stdlib}"},
		Binds:               []string{"{kotlin_binds}"},
		Version:             concat(kotlinCompiler, []string{"-version"}),
		VersionPrefix:       "kotlinc-jvm ",
		AddressSpaceSlackMB: 4096,
		MemorySlackMB:       64,
		OOMMarkers:          []string{"java.lang.OutOfMemoryError"},
	},
	{
		// mcs compiles main.cs (and the learner's solution.cs with a
		// driver, whose class Program calls the learner's class Solution)
		// into main.exe; mono runs it, its heap bounded by the collector's
		// max-heap-size. mcs is a script around mono: its own heap is
		// bounded the same way, by the compiler's memory limit. With the
		// debugging symbols mcs writes (main.exe.mdb), mono --debug names
		// the sources' lines in stack traces.
		ID:                  "csharp",
		Entry:               "main.cs",
		Solution:            "solution.cs",
		Compile:             []string{"/usr/bin/mono", "/usr/lib/mono/4.5/mcs.exe", "-optimize+", "-debug", "-nologo", "-out:main.exe", "{sources}"},
		CompileEnv:          []string{"MONO_GC_PARAMS=max-heap-size=768m"},
		Run:                 []string{"/usr/bin/mono", "--debug", "main.exe"},
		RunEnv:              []string{"MONO_GC_PARAMS=max-heap-size={mem}m"},
		Requires:            []string{"/usr/bin/mono", "/usr/lib/mono/4.5/mcs.exe"},
		Binds:               []string{"/etc/mono"},
		Version:             []string{"/usr/bin/mono", "--version"},
		VersionPrefix:       "version ",
		AddressSpaceSlackMB: 2048,
		MemorySlackMB:       64,
		OOMMarkers:          []string{"OutOfMemoryException"},
	},
	{
		// Ruby without RubyGems (faster to start; the standard library
		// stays). The driver does require_relative 'solution'. The
		// "compiler" is ruby -c, a syntax check that runs nothing.
		ID:                  "ruby",
		Entry:               "main.rb",
		Solution:            "solution.rb",
		Compile:             syntaxCheckEach("/usr/bin/ruby", "--disable-gems", "-c"),
		CheckOnly:           true,
		Run:                 []string{"/usr/bin/ruby", "--disable-gems", "main.rb"},
		Requires:            []string{"/usr/bin/ruby"},
		Version:             []string{"/usr/bin/ruby", "--version"},
		VersionPrefix:       "ruby ",
		AddressSpaceSlackMB: 128,
		MemorySlackMB:       16,
		OOMMarkers:          []string{"failed to allocate memory", "NoMemoryError"},
	},
	{
		// PHP without any php.ini (-n): only the extensions built into the
		// interpreter, none of those loaded from the ini files (curl,
		// sockets, mysqli, ...); its memory_limit is the run's, its errors
		// go to stderr, not to stdout where they would count as output.
		// The driver does require __DIR__ . '/solution.php'. php -l checks
		// the syntax of one file, running nothing.
		ID:                  "php",
		Entry:               "main.php",
		Solution:            "solution.php",
		Compile:             syntaxCheckEach(concat([]string{"/usr/bin/php"}, phpFlags, []string{"-l"})...),
		CheckOnly:           true,
		Run:                 concat([]string{"/usr/bin/php"}, phpFlags, []string{"-d", "memory_limit={mem}M", "main.php"}),
		Requires:            []string{"/usr/bin/php"},
		Version:             []string{"/usr/bin/php", "-n", "--version"},
		VersionPrefix:       "PHP ",
		AddressSpaceSlackMB: 128,
		MemorySlackMB:       32,
		OOMMarkers:          []string{"Allowed memory size"},
	},
	{
		// The driver does do './solution.pl'. perl -c checks the syntax;
		// it runs BEGIN blocks and use statements, here in the program's
		// own sandbox, under the compiler's limits.
		ID:                  "perl",
		Entry:               "main.pl",
		Solution:            "solution.pl",
		Compile:             syntaxCheckEach("/usr/bin/perl", "-c"),
		CheckOnly:           true,
		Run:                 []string{"/usr/bin/perl", "main.pl"},
		Requires:            []string{"/usr/bin/perl"},
		Version:             []string{"/usr/bin/perl", "-e", "print $^V"},
		VersionPrefix:       "v",
		AddressSpaceSlackMB: 32,
		MemorySlackMB:       8,
		OOMMarkers:          []string{"Out of memory"},
	},
	{
		// Lua 5.4; the driver does dofile('solution.lua'). luac -p parses
		// without writing anything, one file at a time (5.4.4's luac
		// aborts with a double free when -p is given several).
		ID:                  "lua",
		Entry:               "main.lua",
		Solution:            "solution.lua",
		Compile:             syntaxCheckEach("/usr/bin/luac5.4", "-p"),
		CheckOnly:           true,
		Run:                 []string{"/usr/bin/lua5.4", "main.lua"},
		Requires:            []string{"/usr/bin/lua5.4", "/usr/bin/luac5.4"},
		Version:             []string{"/usr/bin/lua5.4", "-v"},
		VersionPrefix:       "Lua ",
		AddressSpaceSlackMB: 16,
		MemorySlackMB:       4,
		OOMMarkers:          []string{"not enough memory"},
	},
	{
		// bash without startup files; the driver does source ./solution.sh.
		// bash -n parses without running.
		ID:                  "bash",
		Entry:               "main.sh",
		Solution:            "solution.sh",
		Compile:             syntaxCheckEach("/bin/bash", "--norc", "--noprofile", "-n"),
		CheckOnly:           true,
		Run:                 []string{"/bin/bash", "--norc", "--noprofile", "main.sh"},
		Requires:            []string{"/bin/bash"},
		Version:             []string{"/bin/bash", "--version"},
		VersionPrefix:       "version ",
		AddressSpaceSlackMB: 16,
		MemorySlackMB:       8,
		OOMMarkers:          []string{"cannot allocate"},
	},
}

// phpFlags run PHP without any ini file, its errors on stderr only (the CLI
// would print them on stdout and log them to stderr too).
var phpFlags = []string{"-n", "-d", "display_errors=stderr", "-d", "log_errors=0", "-d", "html_errors=0"}

// genericOOMMarkers are stderr substrings meaning an allocation failed,
// whatever the language: the C library's and the kernel's words for ENOMEM.
var genericOOMMarkers = []string{"Cannot allocate memory", "out of memory", "Out of memory"}

// Languages returns the table's entries, in its order. They are shared:
// read only.
func Languages() []*Language {
	out := make([]*Language, len(table))
	for i := range table {
		out[i] = &table[i]
	}
	return out
}

// Lookup returns the table entry of id, or nil.
func Lookup(id string) *Language {
	for i := range table {
		if table[i].ID == id {
			return &table[i]
		}
	}
	return nil
}

// OutOfMemoryMarkers returns the stderr substrings by which a program of l
// says that an allocation failed: the runtime's own words, then any
// language's.
func (l *Language) OutOfMemoryMarkers() []string {
	return append(l.OOMMarkers[:len(l.OOMMarkers):len(l.OOMMarkers)], genericOOMMarkers...)
}

// Sources returns the files of a submission, entry first.
func (l *Language) Sources(withDriver bool) []string {
	if withDriver {
		return []string{l.Entry, l.Solution}
	}
	return []string{l.Entry}
}

// Expand replaces the placeholders {name} of args by vars[name]. An
// argument that is exactly "{name}" becomes the elements of the list (none,
// one or more); a placeholder inside a longer argument takes the list's
// elements joined by spaces. An unknown placeholder is an error.
func Expand(args []string, vars map[string][]string) ([]string, error) {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if strings.HasPrefix(a, "{") && strings.HasSuffix(a, "}") && strings.Count(a, "{") == 1 {
			v, ok := vars[a[1:len(a)-1]]
			if !ok {
				return nil, fmt.Errorf("unknown placeholder %s", a)
			}
			out = append(out, v...)
			continue
		}
		var b strings.Builder
		rest := a
		for {
			i := strings.IndexByte(rest, '{')
			j := strings.IndexByte(rest[max(i, 0):], '}')
			if i < 0 || j < 0 {
				b.WriteString(rest)
				break
			}
			name := rest[i+1 : i+j]
			v, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("unknown placeholder {%s} in %q", name, a)
			}
			b.WriteString(rest[:i])
			b.WriteString(strings.Join(v, " "))
			rest = rest[i+j+1:]
		}
		out = append(out, b.String())
	}
	return out, nil
}

func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func prefixAll(prefix string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = prefix + s
	}
	return out
}
