package sandbox

import "os"

// language says how to build and run programs of one language. The table
// below is data: supporting a language is adding an entry, and every path an
// entry names must also exist inside the sandbox (the base binds give /usr,
// /bin, /lib, /lib64, /etc/ld.so.cache and /etc/alternatives).
type language struct {
	// ID is the language ID of submissions (codementor.Languages).
	ID string
	// Source is the file the code is written to, in the work dir (/box).
	Source string
	// Compile is the compiler's argv, run in /box with the work dir
	// writable; nil when the language has no compile step.
	Compile []string
	// Run is the program's argv, run in /box with the work dir read-only.
	Run []string
	// Requires lists host files that must exist for the language to be
	// offered on this machine (the interpreter or the compiler).
	Requires []string
	// Binds lists host paths bound read-only at the same place on top of the
	// base binds; paths missing on the host are skipped.
	Binds []string
	// AddressSpaceSlackMB is added to the memory limit to get RLIMIT_AS: the
	// address space a runtime maps without really using it (shared
	// libraries, the interpreter's arenas), so that a program using up to
	// the memory limit still fits.
	AddressSpaceSlackMB int
	// Native is set when the compiler produces an ELF executable at
	// /box/main: its static size (data + bss) is then checked against the
	// memory limit, because the kernel kills a program whose static arrays
	// do not fit with a bare SIGSEGV during exec.
	Native bool
	// OOMMarkers are stderr substrings by which the runtime says that an
	// allocation failed (see memoryExceeded).
	OOMMarkers []string
}

// pythonSyntaxCheck is the "compiler" of Python: it parses main.py without
// running it or writing anything, so that a syntax error is reported as a
// compile error rather than as a runtime error of every test.
const pythonSyntaxCheck = `import sys, traceback
try:
    compile(open("main.py", "rb").read(), "main.py", "exec", dont_inherit=True)
except (SyntaxError, ValueError) as e:
    traceback.print_exception_only(type(e), e)
    sys.exit(1)
`

// languages is the language table. Python runs isolated (-I: no environment
// variables, no script directory or user site on sys.path) and without the
// site module (-S: the standard library only, not the host's
// dist-packages, and about 3 ms faster to start).
var languages = []language{
	{
		ID:                  "python",
		Source:              "main.py",
		Compile:             []string{"/usr/bin/python3", "-I", "-S", "-c", pythonSyntaxCheck},
		Run:                 []string{"/usr/bin/python3", "-I", "-S", "main.py"},
		Requires:            []string{"/usr/bin/python3"},
		AddressSpaceSlackMB: 32,
		OOMMarkers:          []string{"MemoryError"},
	},
	{
		ID:                  "c",
		Source:              "main.c",
		Compile:             []string{"/usr/bin/gcc", "-O2", "-std=c17", "-o", "main", "main.c", "-lm"},
		Run:                 []string{"/box/main"},
		Requires:            []string{"/usr/bin/gcc"},
		AddressSpaceSlackMB: 8,
		Native:              true,
	},
	{
		ID:                  "cpp",
		Source:              "main.cpp",
		Compile:             []string{"/usr/bin/g++", "-O2", "-std=c++17", "-o", "main", "main.cpp"},
		Run:                 []string{"/box/main"},
		Requires:            []string{"/usr/bin/g++"},
		AddressSpaceSlackMB: 16,
		Native:              true,
		OOMMarkers:          []string{"std::bad_alloc"},
	},
}

// genericOOMMarkers are stderr substrings meaning an allocation failed,
// whatever the language: the C library's and the kernel's words for ENOMEM.
var genericOOMMarkers = []string{"Cannot allocate memory", "out of memory", "Out of memory"}

// lookupLanguage returns the table entry of id, or nil.
func lookupLanguage(id string) *language {
	for i := range languages {
		if languages[i].ID == id {
			return &languages[i]
		}
	}
	return nil
}

// available reports whether the language's toolchain exists on this machine.
func (l *language) available() bool {
	for _, p := range l.Requires {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}
