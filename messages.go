package codementor

import "time"

// Job asks the judge to run one submission against its question's tests.
type Job struct {
	SubmissionID string `json:"submission_id"`
	// User is the learner who submitted it: the judge shares its slots
	// fairly between learners.
	User       string `json:"user,omitempty"`
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
	// Kind and Run: a run's cases and options (see SubmissionRequest).
	Kind Kind `json:"kind,omitempty"`
	Run  *Run `json:"run,omitempty"`
	// Round is the submission's judgement round (Submission.Round): the
	// judge writes it into every event, and the tracker ignores events of
	// a round that a rejudge has superseded.
	Round int `json:"round,omitempty"`
}

// EventKind is the kind of a RunEvent.
type EventKind string

// The kinds of RunEvent, in the order the judge emits them.
const (
	RunStarted  EventKind = "started"  // compilation succeeded or is not needed; tests begin
	RunTest     EventKind = "test"     // one test finished
	RunSubtask  EventKind = "subtask"  // every test of one subtask finished
	RunFinished EventKind = "finished" // the final verdict
)

// Verdict is the outcome of a submission or of a single test.
type Verdict string

// The verdicts.
const (
	VerdictAccepted            Verdict = "accepted"
	VerdictWrongAnswer         Verdict = "wrong_answer"
	VerdictTimeLimitExceeded   Verdict = "time_limit_exceeded"
	VerdictMemoryLimitExceeded Verdict = "memory_limit_exceeded"
	VerdictRuntimeError        Verdict = "runtime_error"
	VerdictCompilationError    Verdict = "compilation_error"
	VerdictOutputLimitExceeded Verdict = "output_limit_exceeded"
	VerdictInternalError       Verdict = "internal_error"
	// VerdictSkipped marks a test not run: an earlier one failed and the
	// question stops at the first failure, or an earlier one exceeded its
	// time or memory limit (unless the question runs all tests).
	VerdictSkipped Verdict = "skipped"
)

// RunEvent is the judge's progress on one submission.
type RunEvent struct {
	SubmissionID string    `json:"submission_id"`
	Kind         EventKind `json:"kind"`
	// Round is the job's Round.
	Round int `json:"round,omitempty"`
	// TestCount is the number of tests, on RunStarted and RunFinished.
	TestCount int `json:"test_count,omitempty"`
	// Test is the result of one test, on RunTest.
	Test *TestResult `json:"test,omitempty"`
	// Subtask is the result of one subtask, on RunSubtask.
	Subtask *SubtaskResult `json:"subtask,omitempty"`
	// Verdict, CompileOutput and Error come with RunFinished. A finished
	// event also carries every test's result, so it stands on its own even
	// if an earlier test event was lost to a redelivery.
	Verdict       Verdict      `json:"verdict,omitempty"`
	Tests         []TestResult `json:"tests,omitempty"`
	CompileOutput string       `json:"compile_output,omitempty"`
	Error         string       `json:"error,omitempty"`
	// Score, MaxScore and Subtasks come with a graded submission's
	// RunFinished: the points earned of what the question is worth, and
	// every subtask's result.
	Score    int             `json:"score,omitempty"`
	MaxScore int             `json:"max_score,omitempty"`
	Subtasks []SubtaskResult `json:"subtasks,omitempty"`
	At       time.Time       `json:"at"`
}

// TestResult is the outcome of one test. A hidden test's result holds its
// index, verdict, time and memory, and a message that depends on the
// verdict alone: ExitCode, Signal, Input, Expected, Output and Stderr are
// filled for sample tests only, since what the program did with a hidden
// input would give it away.
type TestResult struct {
	Index    int     `json:"index"`
	Verdict  Verdict `json:"verdict"`
	TimeMS   int64   `json:"time_ms"`
	MemoryKB int64   `json:"memory_kb"`
	Hidden   bool    `json:"hidden"`
	// ExitCode is the program's exit status (absent: 0, or hidden);
	// Signal names a fatal signal.
	ExitCode int    `json:"exit_code,omitempty"`
	Signal   string `json:"signal,omitempty"`
	// Message explains a failure in a sentence a learner can act on.
	Message  string `json:"message,omitempty"`
	Input    string `json:"input,omitempty"`
	Expected string `json:"expected,omitempty"`
	Output   string `json:"output,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
	// WallMS is the run's wall-clock time.
	WallMS int64 `json:"wall_ms,omitempty"`
	// Unchecked says that a run's case had no expected output: the
	// verdict says only that the program ran and ended well.
	Unchecked bool `json:"unchecked,omitempty"`
	// Source says where a run's case came from: "sample" (a sample test
	// of the question) or "custom" (an input of the run); "" for a
	// submission's test.
	Source string `json:"source,omitempty"`
	// OutputBase64 and StderrBase64 are a Judge0 run's output and
	// standard error, base64 encoded, when they are not UTF-8: Output and
	// Stderr then have U+FFFD for each byte that is not (JSON carries text
	// only), and the Judge0 API serves these, as Judge0 does. (Strings,
	// not byte slices: a TestResult stays comparable.)
	OutputBase64 string `json:"output_base64,omitempty"`
	StderrBase64 string `json:"stderr_base64,omitempty"`
}

// ReviewJob asks the reviewer to review one judged submission. It carries
// what the learner may see: hidden tests' data is never in it.
type ReviewJob struct {
	SubmissionID  string       `json:"submission_id"`
	QuestionID    string       `json:"question_id"`
	Language      string       `json:"language"`
	Code          string       `json:"code"`
	Verdict       Verdict      `json:"verdict"`
	TestCount     int          `json:"test_count"`
	Tests         []TestResult `json:"tests"`
	CompileOutput string       `json:"compile_output,omitempty"`
}

// ReviewEventKind is the kind of a ReviewEvent.
type ReviewEventKind string

// The kinds of ReviewEvent, in the order the reviewer emits them.
const (
	ReviewStarted  ReviewEventKind = "started"  // an attempt began; its text starts empty
	ReviewDelta    ReviewEventKind = "delta"    // more text of the attempt
	ReviewFinished ReviewEventKind = "finished" // the final review (done, failed or skipped)
)

// ReviewEvent is the reviewer's progress on one submission.
type ReviewEvent struct {
	SubmissionID string          `json:"submission_id"`
	Kind         ReviewEventKind `json:"kind"`
	Attempt      string          `json:"attempt,omitempty"`
	// Model comes with ReviewStarted.
	Model string `json:"model,omitempty"`
	// Offset is where Text goes in the attempt's text, on ReviewDelta: a
	// delta whose offset is not the length of the text recorded so far is a
	// duplicate or belongs to a lost stretch, and is ignored.
	Offset int    `json:"offset,omitempty"`
	Text   string `json:"text,omitempty"`
	// Review is the final review, on ReviewFinished.
	Review *Review   `json:"review,omitempty"`
	At     time.Time `json:"at"`
}

// Nudge says that a submission made no progress since Version: if it is
// still at that version, the tracker emits its job again. With Expire, it
// says instead that a final run is past the run retention: the tracker
// deletes it.
type Nudge struct {
	SubmissionID string    `json:"submission_id"`
	Version      int64     `json:"version"`
	Expire       bool      `json:"expire,omitempty"`
	At           time.Time `json:"at"`
}

// Callback asks the notifier to send a final run to its callback URL.
type Callback struct {
	URL        string      `json:"url"`
	Submission *Submission `json:"submission"`
	At         time.Time   `json:"at"`
}

// LearnerEvent says that a learner's submission started (InFlight) or
// stopped being in flight: accepted and waiting or being judged, until its
// verdict.
type LearnerEvent struct {
	User         string    `json:"user"`
	SubmissionID string    `json:"submission_id"`
	InFlight     bool      `json:"in_flight"`
	At           time.Time `json:"at"`
}

// Learner is what the learners table keeps of one learner.
type Learner struct {
	User string `json:"user"`
	// InFlight maps each submission in flight to when it was accepted.
	InFlight map[string]time.Time `json:"in_flight"`
}

// Runtime is a language a judge can run, as stored in RuntimesTable.
type Runtime struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
	// Judge names the instance that wrote the entry last.
	Judge     string    `json:"judge"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DeadLetter is a message a processor could not read, as kept in
// DeadLetters: where it came from, why it was refused, and its bytes.
type DeadLetter struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
	Key       string `json:"key"`
	// Value is the original message, byte for byte.
	Value  []byte    `json:"value"`
	Group  string    `json:"group"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// Rejudge asks the tracker to judge a submission again (an admin fixed a
// test, or rejudges a whole contest). ID names the admin's request: a
// redelivered Rejudge of a request already applied changes nothing.
type Rejudge struct {
	ID           string    `json:"id"`
	SubmissionID string    `json:"submission_id"`
	Reason       string    `json:"reason,omitempty"`
	By           string    `json:"by,omitempty"`
	At           time.Time `json:"at"`
}

// Result is one judgement of a graded submission, as the tracker emits it
// to ContestResults, LearnerResults and QuestionResults once the verdict
// is in. Previous is the judgement it replaces (a rejudge), nil for the
// first: aggregations take the difference. The same judgement may come
// more than once (at-least-once delivery): SubmissionID and Round name it.
type Result struct {
	SubmissionID string     `json:"submission_id"`
	User         string     `json:"user"`
	QuestionID   string     `json:"question_id"`
	ContestID    string     `json:"contest_id,omitempty"`
	Language     string     `json:"language"`
	Judgement    Judgement  `json:"judgement"`
	Previous     *Judgement `json:"previous,omitempty"`
	// CreatedAt is when the submission was made: contests rank by it.
	CreatedAt time.Time `json:"created_at"`
	At        time.Time `json:"at"`
}
