// Package codementor is the shared vocabulary of the CodeMentor pipeline: the
// names of every Kafka stream, table and processor group, the messages that
// travel on them, and their JSON codecs. Processors, views, emitters and the
// web tier import this package instead of each other.
package codementor

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lovoo/goka"
)

// Streams, tables and groups. Every topic the application uses is named here.
const (
	// SubmissionRequests carries a SubmissionRequest per learner submission,
	// keyed by submission ID. The web tier's emitter writes it.
	SubmissionRequests goka.Stream = "submission-requests"
	// RunJobs carries a Job per submission to judge, keyed by submission ID.
	// The tracker emits it; the judge's share group consumes it as a queue.
	RunJobs goka.Stream = "run-jobs"
	// RunEvents carries the judge's progress (RunEvent), keyed by submission
	// ID. It is co-partitioned with SubmissionRequests: both feed the tracker.
	RunEvents goka.Stream = "run-events"
	// ReviewJobs carries a ReviewJob per judged submission, keyed by
	// submission ID. The tracker emits it once the verdict is recorded; the
	// reviewer's share group consumes it as a queue.
	ReviewJobs goka.Stream = "review-jobs"
	// ReviewEvents carries the reviewer's progress (ReviewEvent), keyed by
	// submission ID and co-partitioned with the tracker's other inputs.
	ReviewEvents goka.Stream = "review-events"
	// SubmissionNudges carries a Nudge for each submission that made no
	// progress for a while, keyed by submission ID and co-partitioned with
	// the tracker's other inputs: the tracker emits its job again.
	SubmissionNudges goka.Stream = "submission-nudges"
	// LearnerEvents carries a LearnerEvent each time one of a learner's
	// submissions starts or stops being in flight, keyed by user. The
	// tracker emits it; the learners group keeps the count.
	LearnerEvents goka.Stream = "learner-events"
	// DeadLetters carries every message a processor could not read (a
	// DeadLetter with the reason), keyed as the original. Nothing consumes
	// it: `codementor dlq list` shows it, `codementor dlq replay` sends
	// messages back to their topics once the cause is fixed.
	DeadLetters goka.Stream = "dead-letters"

	// QuestionsTable is the compacted table of questions keyed by question ID.
	// The web tier's question emitter writes it directly; processors look it up.
	QuestionsTable goka.Table = "questions"
	// RuntimesTable is the compacted table of the languages the judges can
	// run, keyed by language ID. Each judge instance writes what its machine
	// has when it starts; the web tier lists and accepts those.
	RuntimesTable goka.Table = "runtimes"

	// TrackerGroup owns the submission table: the fast, stateful state machine.
	TrackerGroup goka.Group = "tracker"
	// JudgeGroup is the share group (a queue, not a consumer group) of the
	// judges: the slow step (compile, run, check), keeping no state. Each
	// judging slot of every instance is a member taking one job at a time.
	JudgeGroup goka.Group = "judge"
	// LearnersGroup keeps, per learner, the submissions in flight (queued
	// or being judged): the web tier refuses a learner's submission beyond
	// the limit, whichever instance takes it.
	LearnersGroup goka.Group = "learners"
	// ReviewerGroup is the share group of the reviewers: they ask the LLM for
	// a review of each judged submission and stream it back, keeping no state
	// either, apart from the judge so that a slow or failing LLM never delays
	// a verdict.
	ReviewerGroup goka.Group = "reviewer"
)

// ShareGroups lists the share groups, configured at start-up.
var ShareGroups = []goka.Group{JudgeGroup, ReviewerGroup}

// Queues lists the streams that share groups consume as job queues. Nothing
// is partitioned by their keys, so their partition count is their own.
var Queues = []goka.Stream{RunJobs, ReviewJobs}

// SubmissionsTable is the tracker's group table: one Submission per ID.
var SubmissionsTable = goka.GroupTable(TrackerGroup)

// LearnersTable is the learners group's table: one Learner per user.
var LearnersTable = goka.GroupTable(LearnersGroup)

// Streams lists every stream topic, for explicit creation at start-up.
var Streams = []goka.Stream{SubmissionRequests, RunJobs, RunEvents, ReviewJobs, ReviewEvents, SubmissionNudges, LearnerEvents, DeadLetters}

// Tables lists every (compacted) table topic, for explicit creation at start-up.
var Tables = []goka.Table{QuestionsTable, SubmissionsTable, RuntimesTable, LearnersTable}

// Submission statuses: queued → running → reviewing → done, or failed for an
// internal fault. The verdict is final from reviewing on: the review follows
// it and never changes it.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusReviewing = "reviewing"
	StatusDone      = "done"
	StatusFailed    = "failed"
)

// Verdicts of a submission and of a single test.
const (
	VerdictAccepted            = "accepted"
	VerdictWrongAnswer         = "wrong_answer"
	VerdictTimeLimitExceeded   = "time_limit_exceeded"
	VerdictMemoryLimitExceeded = "memory_limit_exceeded"
	VerdictRuntimeError        = "runtime_error"
	VerdictCompilationError    = "compilation_error"
	VerdictOutputLimitExceeded = "output_limit_exceeded"
	VerdictInternalError       = "internal_error"
	// VerdictSkipped marks a test not run: an earlier one failed and the
	// question stops at the first failure, or an earlier one exceeded its
	// time or memory limit (unless the question runs all tests).
	VerdictSkipped = "skipped"
)

// Review statuses: pending → running → done or failed, or skipped when
// reviews are off or the submission could not be judged.
const (
	ReviewPending = "pending"
	ReviewRunning = "running"
	ReviewDone    = "done"
	ReviewFailed  = "failed"
	ReviewSkipped = "skipped"
)

// Checker kinds: how a program's output is compared with the expected output.
const (
	CheckerExact      = "exact"      // byte for byte
	CheckerWhitespace = "whitespace" // the same tokens, whatever the spacing (default)
	CheckerFloat      = "float"      // tokens equal, numbers within a tolerance
)

// Test is one input and its expected output. Hidden tests' data never leaves
// the server.
type Test struct {
	Input  string `json:"input"`
	Output string `json:"output"`
	Hidden bool   `json:"hidden"`
}

// Checker chooses the comparison of outputs.
type Checker struct {
	Kind string `json:"kind"`
	// Tolerance is the absolute or relative error allowed by the float checker.
	Tolerance float64 `json:"tolerance,omitempty"`
}

// Question is a problem with its tests, as stored in QuestionsTable.
type Question struct {
	ID            string  `json:"id"`
	Title         string  `json:"title"`
	Statement     string  `json:"statement"`
	Difficulty    string  `json:"difficulty,omitempty"`
	TimeLimitMS   int     `json:"time_limit_ms"`
	MemoryLimitMB int     `json:"memory_limit_mb"`
	Checker       Checker `json:"checker"`
	// StopOnFailure ends judging at the first failed test; the rest are skipped.
	StopOnFailure bool `json:"stop_on_failure"`
	// RunAllTests runs every test even after one exceeded its time or memory
	// limit. By default the rest are skipped: each would most likely run to
	// its limit too, holding a judging slot for a verdict already known.
	// Wrong answers and runtime errors always go on to the next test.
	RunAllTests bool `json:"run_all_tests,omitempty"`
	// StarterCode maps a language ID to the code the editor starts with.
	StarterCode map[string]string `json:"starter_code,omitempty"`
	// Drivers maps a language ID to driver code compiled with the learner's
	// code: the driver holds the program's entry point (reading the input,
	// calling the learner's function, printing the result) and the learner
	// writes only the function. A language without a driver reads stdin and
	// writes stdout itself. Drivers are never shown to learners.
	Drivers   map[string]string `json:"drivers,omitempty"`
	Tests     []Test            `json:"tests"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// SubmissionRequest is what a learner submitted, as emitted by the web tier.
type SubmissionRequest struct {
	ID         string    `json:"id"`
	User       string    `json:"user"`
	QuestionID string    `json:"question_id"`
	Language   string    `json:"language"`
	Code       string    `json:"code"`
	CreatedAt  time.Time `json:"created_at"`
}

// Job asks the judge to run one submission against its question's tests.
type Job struct {
	SubmissionID string `json:"submission_id"`
	// User is the learner who submitted it: the judge shares its slots
	// fairly between learners.
	User       string `json:"user,omitempty"`
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
}

// RunEvent kinds, in the order the judge emits them.
const (
	RunStarted  = "started"  // compilation succeeded or is not needed; tests begin
	RunTest     = "test"     // one test finished
	RunFinished = "finished" // the final verdict
)

// RunEvent is the judge's progress on one submission.
type RunEvent struct {
	SubmissionID string `json:"submission_id"`
	Kind         string `json:"kind"`
	// TestCount is the number of tests, on RunStarted and RunFinished.
	TestCount int `json:"test_count,omitempty"`
	// Test is the result of one test, on RunTest.
	Test *TestResult `json:"test,omitempty"`
	// Verdict, CompileOutput and Error come with RunFinished. A finished
	// event also carries every test's result, so it stands on its own even
	// if an earlier test event was lost to a redelivery.
	Verdict       string       `json:"verdict,omitempty"`
	Tests         []TestResult `json:"tests,omitempty"`
	CompileOutput string       `json:"compile_output,omitempty"`
	Error         string       `json:"error,omitempty"`
	At            time.Time    `json:"at"`
}

// TestResult is the outcome of one test. A hidden test's result holds its
// index, verdict, time and memory, and a message that depends on the
// verdict alone: ExitCode, Signal, Input, Expected, Output and Stderr are
// filled for sample tests only, since what the program did with a hidden
// input would give it away.
type TestResult struct {
	Index    int    `json:"index"`
	Verdict  string `json:"verdict"`
	TimeMS   int64  `json:"time_ms"`
	MemoryKB int64  `json:"memory_kb"`
	Hidden   bool   `json:"hidden"`
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
}

// Review is the LLM's review of a submission.
type Review struct {
	Status string `json:"status"`
	// Reason explains a failed or skipped review, or a cut-off one, in a
	// sentence the UI can show.
	Reason string `json:"reason,omitempty"`
	// Attempt identifies the reviewer run that writes the review: a job
	// redelivered to another reviewer starts a new attempt, which supersedes
	// the old one's output.
	Attempt string `json:"attempt,omitempty"`
	Model   string `json:"model,omitempty"`
	// Text is the review as the model wrote it (Markdown); it grows while
	// the review is running.
	Text string `json:"text,omitempty"`
	// Truncated is set when the model stopped before the end (length limit,
	// broken or stalled stream): Text is what arrived.
	Truncated bool `json:"truncated,omitempty"`
	// Parts is the finished review's structure, parsed from Text.
	Parts      *ReviewParts `json:"parts,omitempty"`
	StartedAt  time.Time    `json:"started_at,omitzero"`
	FinishedAt time.Time    `json:"finished_at,omitzero"`
}

// Final reports whether the review will not change any more.
func (r *Review) Final() bool {
	return r.Status == ReviewDone || r.Status == ReviewFailed || r.Status == ReviewSkipped
}

// ReviewParts is the structure of a review: what a mentor says about a
// submission. Fields the model did not write are empty.
type ReviewParts struct {
	Summary         string   `json:"summary,omitempty"`
	Correctness     string   `json:"correctness,omitempty"`
	Complexity      string   `json:"complexity,omitempty"`
	TimeComplexity  string   `json:"time_complexity,omitempty"`
	SpaceComplexity string   `json:"space_complexity,omitempty"`
	Style           string   `json:"style,omitempty"`
	NextSteps       []string `json:"next_steps,omitempty"`
}

// ReviewJob asks the reviewer to review one judged submission. It carries
// what the learner may see: hidden tests' data is never in it.
type ReviewJob struct {
	SubmissionID  string       `json:"submission_id"`
	QuestionID    string       `json:"question_id"`
	Language      string       `json:"language"`
	Code          string       `json:"code"`
	Verdict       string       `json:"verdict"`
	TestCount     int          `json:"test_count"`
	Tests         []TestResult `json:"tests"`
	CompileOutput string       `json:"compile_output,omitempty"`
}

// ReviewEvent kinds, in the order the reviewer emits them.
const (
	ReviewStarted  = "started"  // an attempt began; its text starts empty
	ReviewDelta    = "delta"    // more text of the attempt
	ReviewFinished = "finished" // the final review (done, failed or skipped)
)

// ReviewEvent is the reviewer's progress on one submission.
type ReviewEvent struct {
	SubmissionID string `json:"submission_id"`
	Kind         string `json:"kind"`
	Attempt      string `json:"attempt,omitempty"`
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

// Submission is the state of one submission, as kept in SubmissionsTable and
// sent whole in every SSE event.
type Submission struct {
	ID         string `json:"id"`
	User       string `json:"user"`
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
	Status     string `json:"status"`
	// Verdict is empty until the submission is judged.
	Verdict       string       `json:"verdict,omitempty"`
	TestCount     int          `json:"test_count"`
	Tests         []TestResult `json:"tests"`
	CompileOutput string       `json:"compile_output,omitempty"`
	Error         string       `json:"error,omitempty"`
	Review        Review       `json:"review"`
	// Version grows by one with every change; SSE events use it as their id.
	Version int64 `json:"version"`
	// Requeued counts the times its job was emitted again because it made
	// no progress for a while (a lost message, a stuck worker).
	Requeued  int       `json:"requeued,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Final reports whether the submission will not change any more: it is
// judged and reviewed, or failed.
func (s *Submission) Final() bool {
	return s.Status == StatusDone || s.Status == StatusFailed
}

// SchemaVersion is the version of every message's schema, written into each
// as "v". A change that older readers would misread raises it; a reader
// refuses a message with a newer version (a processor sends it to the
// dead-letter topic) instead of misreading it. Messages without "v" are
// from before versioning: version 1.
const SchemaVersion = 1

// ErrSchemaVersion is returned by Decode for a message whose schema is newer
// than this program's.
var ErrSchemaVersion = errors.New("unknown schema version")

// JSONCodec encodes and decodes *T as JSON objects carrying the schema
// version, so any Kafka client can read the topics. Decode returns a fresh *T.
type JSONCodec[T any] struct{}

// Encode accepts a *T or a T.
func (JSONCodec[T]) Encode(value any) ([]byte, error) {
	var b []byte
	var err error
	switch v := value.(type) {
	case *T:
		b, err = json.Marshal(v)
	case T:
		b, err = json.Marshal(&v)
	default:
		var zero T
		return nil, fmt.Errorf("encode: got %T, want %T", value, &zero)
	}
	if err != nil || len(b) < 2 || b[0] != '{' {
		return b, err
	}
	version := fmt.Sprintf(`{"v":%d`, SchemaVersion)
	if string(b) == "{}" {
		return []byte(version + "}"), nil
	}
	return append([]byte(version+","), b[1:]...), nil
}

// Decode returns a *T, or an error wrapping ErrSchemaVersion for a message
// of a newer schema.
func (JSONCodec[T]) Decode(data []byte) (any, error) {
	var zero T
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode %T: %w", zero, err)
	}
	if head.V > SchemaVersion {
		return nil, fmt.Errorf("decode %T: %w %d: this program reads up to %d", zero, ErrSchemaVersion, head.V, SchemaVersion)
	}
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", zero, err)
	}
	return v, nil
}

// Nudge says that a submission made no progress since Version: if it is
// still at that version, the tracker emits its job again.
type Nudge struct {
	SubmissionID string    `json:"submission_id"`
	Version      int64     `json:"version"`
	At           time.Time `json:"at"`
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

// Codecs of every topic.
type (
	QuestionCodec          = JSONCodec[Question]
	SubmissionRequestCodec = JSONCodec[SubmissionRequest]
	JobCodec               = JSONCodec[Job]
	RunEventCodec          = JSONCodec[RunEvent]
	ReviewJobCodec         = JSONCodec[ReviewJob]
	ReviewEventCodec       = JSONCodec[ReviewEvent]
	SubmissionCodec        = JSONCodec[Submission]
	RuntimeCodec           = JSONCodec[Runtime]
	DeadLetterCodec        = JSONCodec[DeadLetter]
	LearnerEventCodec      = JSONCodec[LearnerEvent]
	NudgeCodec             = JSONCodec[Nudge]
	LearnerCodec           = JSONCodec[Learner]
)
