package toolchain

import (
	_ "embed"
	"slices"
)

// pythonZygoteCode is the Python zygote's program (zygote_python.py): data
// free, it is readable in every box that runs it.
//
//go:embed zygote_python.py
var pythonZygoteCode string

// pythonZygote is the Python zygote's argv: the interpreter with the run's
// options (so that sys.flags are the program's), running the zygote's code
// instead of the entry file.
func pythonZygote(run []string) []string {
	if len(run) < 2 {
		return nil
	}
	return append(slices.Clone(run[:len(run)-1]), "-c", pythonZygoteCode)
}
