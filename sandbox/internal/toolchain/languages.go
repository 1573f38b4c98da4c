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
	// version in its output ("" for the first word).
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
)

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
		ID:                  "python",
		Entry:               "main.py",
		Solution:            "solution.py",
		Compile:             []string{"/usr/bin/python3", "-I", "-S", "-c", pythonSyntaxCheck, "{sources}"},
		CheckOnly:           true,
		Run:                 []string{"/usr/bin/python3", "-E", "-s", "-S", "-B", "main.py"},
		Requires:            []string{"/usr/bin/python3"},
		Version:             []string{"/usr/bin/python3", "--version"},
		VersionPrefix:       "Python ",
		AddressSpaceSlackMB: 32,
		MemorySlackMB:       8,
		OOMMarkers:          []string{"MemoryError"},
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
		Run: concat([]string{"{java_home}/bin/java"}, javaFlags, []string{
			// The JVM's own warnings (unified logging) go to stdout by
			// default, where they would count as the program's output.
			"-Xlog:disable", "-Xlog:all=warning:stderr",
			"-XX:+ExitOnOutOfMemoryError", "-XX:+DisplayVMOutputToStderr", "-Xmx{mem}m", "-Xss{stack}m", "-cp", "/box", "Main",
		}),
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
}

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
