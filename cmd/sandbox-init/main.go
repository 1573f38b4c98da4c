// Command sandbox-init is the sandbox's helper, PID 1 of every box that runs
// a learner's program (package sandbox/boxinit). It is built apart from the
// service and installed beside it as codementor-sandbox-init, so that what a
// box can read holds no question and no secret.
package main

import (
	"os"

	"github.com/codementor/codementor/sandbox/boxinit"
	"golang.org/x/sys/unix"
)

func main() {
	// Straight to exit_group: os.Exit would first run the race detector's
	// exit hook, which sleeps a second in -race builds.
	unix.Exit(boxinit.Main(os.Args))
}
