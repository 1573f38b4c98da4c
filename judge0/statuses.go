package judge0

import (
	"cmp"
	"fmt"

	"golang.org/x/sys/unix"

	codementor "github.com/codementor/codementor"
)

// Status is a Judge0 submission status.
type Status struct {
	ID          int    `json:"id"`
	Description string `json:"description"`
}

// Judge0's statuses (app/enumerations/status.rb), by id.
var (
	InQueue         = Status{1, "In Queue"}
	Processing      = Status{2, "Processing"}
	Accepted        = Status{3, "Accepted"}
	WrongAnswer     = Status{4, "Wrong Answer"}
	TimeLimit       = Status{5, "Time Limit Exceeded"}
	CompileError    = Status{6, "Compilation Error"}
	SIGSEGV         = Status{7, "Runtime Error (SIGSEGV)"}
	SIGXFSZ         = Status{8, "Runtime Error (SIGXFSZ)"}
	SIGFPE          = Status{9, "Runtime Error (SIGFPE)"}
	SIGABRT         = Status{10, "Runtime Error (SIGABRT)"}
	NZEC            = Status{11, "Runtime Error (NZEC)"}
	RuntimeOther    = Status{12, "Runtime Error (Other)"}
	InternalError   = Status{13, "Internal Error"}
	ExecFormatError = Status{14, "Exec Format Error"}
)

// Statuses are all of Judge0's statuses, in order: GET /statuses.
var Statuses = []Status{InQueue, Processing, Accepted, WrongAnswer, TimeLimit, CompileError,
	SIGSEGV, SIGXFSZ, SIGFPE, SIGABRT, NZEC, RuntimeOther, InternalError, ExecFormatError}

// Outcome is how Judge0 reports a run's state: its status, isolate's
// message, the exit code and signal (nil: none yet, or none).
type Outcome struct {
	Status     Status
	Message    *string
	ExitCode   *int
	ExitSignal *int
}

// StatusOf derives Judge0's view of a run: queued is In Queue, running is
// Processing, a failed run an Internal Error; a judged run's status comes
// from its verdict (a compilation error's from the run's) and, for a
// runtime error, from its signal (SIGSEGV 7, SIGXFSZ 8, SIGFPE 9, SIGABRT
// 10, any other 12) or its exit code (NZEC 11). A case without an expected
// output that ran and ended well is Accepted, as in Judge0. Memory and
// output limits, which Judge0 reports as the signal that enforced them,
// are Runtime Error (Other) with the judge's message. Messages are
// isolate's where Judge0 shows them ("Exited with error status 1", "Caught
// fatal signal 11", "Time limit exceeded").
func StatusOf(sub *codementor.Submission) Outcome {
	switch sub.Status {
	case codementor.StatusQueued:
		return Outcome{Status: InQueue}
	case codementor.StatusRunning:
		return Outcome{Status: Processing}
	case codementor.StatusFailed:
		return Outcome{Status: InternalError, Message: text(cmp.Or(sub.Error, "the run failed in the judge"))}
	}
	if sub.Verdict == codementor.VerdictCompilationError {
		return Outcome{Status: CompileError}
	}
	if len(sub.Tests) == 0 {
		if sub.Verdict == codementor.VerdictInternalError || sub.Verdict == "" {
			return Outcome{Status: InternalError, Message: text(cmp.Or(sub.Error, "the run ended without a result"))}
		}
		// A verdict without a test result: what the verdict alone says.
		return Outcome{Status: verdictStatus(sub.Verdict, "", 0), Message: optional(sub.Error)}
	}
	tr := &sub.Tests[0]
	out := Outcome{Status: verdictStatus(tr.Verdict, tr.Signal, tr.ExitCode)}
	code := max(tr.ExitCode, 0) // a signal's -1 is isolate's no exit code: 0
	out.ExitCode = &code
	if n := signalNumber(tr.Signal); n > 0 {
		out.ExitSignal = &n
	}
	switch {
	case tr.Verdict == codementor.VerdictTimeLimitExceeded:
		out.Message = text("Time limit exceeded")
	case out.Status == InternalError:
		out.Message = text(cmp.Or(tr.Message, sub.Error, "the judge could not run the program"))
	case tr.Verdict == codementor.VerdictMemoryLimitExceeded:
		out.Message = text(cmp.Or(tr.Message, "Memory limit exceeded"))
	case tr.Verdict == codementor.VerdictOutputLimitExceeded && out.Status == RuntimeOther:
		out.Message = text(cmp.Or(tr.Message, "Output limit exceeded"))
	case out.ExitSignal != nil && out.Status != Accepted && out.Status != WrongAnswer:
		out.Message = text(fmt.Sprintf("Caught fatal signal %d", *out.ExitSignal))
	case out.Status == NZEC:
		out.Message = text(fmt.Sprintf("Exited with error status %d", tr.ExitCode))
	}
	return out
}

// verdictStatus is the status of one case's verdict.
func verdictStatus(v codementor.Verdict, signal string, exit int) Status {
	switch v {
	case codementor.VerdictAccepted:
		return Accepted
	case codementor.VerdictWrongAnswer:
		return WrongAnswer
	case codementor.VerdictTimeLimitExceeded:
		return TimeLimit
	case codementor.VerdictCompilationError:
		return CompileError
	case codementor.VerdictRuntimeError:
		switch signal {
		case "":
			if exit != 0 {
				return NZEC
			}
			return RuntimeOther
		case "SIGSEGV":
			return SIGSEGV
		case "SIGXFSZ":
			return SIGXFSZ
		case "SIGFPE":
			return SIGFPE
		case "SIGABRT":
			return SIGABRT
		}
		return RuntimeOther
	case codementor.VerdictOutputLimitExceeded:
		if signal == "SIGXFSZ" { // a file over max_file_size, as in Judge0
			return SIGXFSZ
		}
		return RuntimeOther
	case codementor.VerdictMemoryLimitExceeded:
		return RuntimeOther
	}
	return InternalError // internal_error, skipped, or a verdict this package does not know
}

// signalNumber is the number of a signal named as the sandbox names them
// ("SIGSEGV"); 0 for none or an unknown name.
func signalNumber(name string) int {
	if name == "" {
		return 0
	}
	return int(unix.SignalNum(name))
}

func text(s string) *string { return &s }

// optional is nil for "", else &s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
