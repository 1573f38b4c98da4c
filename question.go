package codementor

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// CheckerKind is how a program's output is compared with the expected output.
type CheckerKind string

// The checker kinds.
const (
	CheckerExact      CheckerKind = "exact"      // byte for byte
	CheckerWhitespace CheckerKind = "whitespace" // the same tokens, whatever the spacing (default)
	CheckerFloat      CheckerKind = "float"      // tokens equal, numbers within a tolerance
	// CheckerLines compares as Judge0 does: each line's trailing blanks
	// and the whole text's leading and trailing blanks ignored.
	CheckerLines CheckerKind = "lines"
)

// Test is one input and its expected output. Hidden tests' data never leaves
// the server.
type Test struct {
	Input  string `json:"input"`
	Output string `json:"output"`
	Hidden bool   `json:"hidden"`
	// InputBytes, OutputBytes and SHA256 (TestHash) describe the data of a
	// test in a stored record. In a record whose TestData is set, a hidden
	// test's Input and Output are empty: its data is in TestDataTable (see
	// SplitTestData). Records from before have none of them.
	InputBytes  int    `json:"input_bytes,omitempty"`
	OutputBytes int    `json:"output_bytes,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
}

// Checker chooses the comparison of outputs.
type Checker struct {
	Kind CheckerKind `json:"kind"`
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
	Drivers map[string]string `json:"drivers,omitempty"`
	Tests   []Test            `json:"tests"`
	// TestData, set in the record of a question with more than
	// InlineTestDataBytes of test data, says where its hidden tests' data
	// is stored (TestDataTable). Nil: every test's data is in Tests.
	TestData *TestDataRef `json:"test_data,omitempty"`
	// Subtasks group the tests into batches worth points (DMOJ's batches,
	// IOI's subtasks): a subtask scores its points when every one of its
	// tests passes. With subtasks every test belongs to exactly one; a
	// failed test skips the rest of its subtask only. Without subtasks a
	// question is all or nothing, worth DefaultQuestionPoints.
	Subtasks []Subtask `json:"subtasks,omitempty"`
	// Reference is the question's reference solution, if an admin stored
	// one: a run's custom input gets its expected output from it. It is
	// never shown to learners.
	Reference *Solution `json:"reference,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Subtask is a group of a question's tests worth points.
type Subtask struct {
	Name   string `json:"name,omitempty"`
	Points int    `json:"points"`
	// Tests are the indices (from 0) of the subtask's tests in Question.Tests.
	Tests []int `json:"tests"`
}

// DefaultQuestionPoints is what a question without subtasks is worth.
const DefaultQuestionPoints = 100

// MaxScore is what the question is worth: the sum of its subtasks' points,
// or DefaultQuestionPoints without subtasks.
func (q *Question) MaxScore() int {
	if len(q.Subtasks) == 0 {
		return DefaultQuestionPoints
	}
	n := 0
	for _, st := range q.Subtasks {
		n += st.Points
	}
	return n
}

// SubtaskOf returns the index of the subtask test i belongs to, or -1.
func (q *Question) SubtaskOf(i int) int {
	for k, st := range q.Subtasks {
		for _, t := range st.Tests {
			if t == i {
				return k
			}
		}
	}
	return -1
}

// Language is a programming language submissions may be written in.
type Language struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Languages accepted in submissions. The sandbox has an entry for each; a
// deployment offers those whose toolchain its judges have (RuntimesTable).
var Languages = []Language{
	{ID: "python", Name: "Python 3"},
	{ID: "c", Name: "C (gcc)"},
	{ID: "cpp", Name: "C++17 (g++)"},
	{ID: "java", Name: "Java 17"},
	{ID: "go", Name: "Go"},
	{ID: "javascript", Name: "JavaScript (Node.js)"},
	{ID: "typescript", Name: "TypeScript"},
	{ID: "rust", Name: "Rust"},
	{ID: "kotlin", Name: "Kotlin"},
	{ID: "csharp", Name: "C# (Mono)"},
	{ID: "ruby", Name: "Ruby"},
	{ID: "php", Name: "PHP"},
	{ID: "perl", Name: "Perl"},
	{ID: "lua", Name: "Lua"},
	{ID: "bash", Name: "Bash"},
}

// Solution is a program in one language.
type Solution struct {
	Language string `json:"language"`
	Code     string `json:"code"`
}

// KnownLanguage reports whether id names one of Languages.
func KnownLanguage(id string) bool {
	for _, l := range Languages {
		if l.ID == id {
			return true
		}
	}
	return false
}

// Limits on questions and submissions: each has a default and a hard ceiling.
const (
	DefaultTimeLimitMS    = 2000
	MaxTimeLimitMS        = 10000
	DefaultMemoryLimitMB  = 256
	MaxMemoryLimitMB      = 1024
	MinMemoryLimitMB      = 16
	MaxCodeBytes          = 64 << 10
	MaxTests              = 100
	MaxSubtasks           = 50
	MaxSubtaskPoints      = 10000
	MaxTestDataBytes      = 16 << 20 // per input or output; see testdata.go for the rest
	MaxStatementBytes     = 64 << 10
	DefaultFloatTolerance = 1e-6
)

// ErrInvalid is wrapped by every validation error; the web tier maps it to 422.
var ErrInvalid = errors.New("invalid")

var questionID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidQuestionID reports whether id is a well-formed question ID: lower-case
// letters, digits and dashes, at most 64 characters.
func ValidQuestionID(id string) bool { return questionID.MatchString(id) }

// Normalize fills defaults: limits, the checker kind and its tolerance.
func (q *Question) Normalize() {
	if q.TimeLimitMS == 0 {
		q.TimeLimitMS = DefaultTimeLimitMS
	}
	if q.MemoryLimitMB == 0 {
		q.MemoryLimitMB = DefaultMemoryLimitMB
	}
	if q.Checker.Kind == "" {
		q.Checker.Kind = CheckerWhitespace
	}
	if q.Checker.Kind == CheckerFloat && q.Checker.Tolerance == 0 {
		q.Checker.Tolerance = DefaultFloatTolerance
	}
}

// Validate checks a normalized question against the limits. Every error wraps
// ErrInvalid and says which field is wrong and what is allowed.
func (q *Question) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !ValidQuestionID(q.ID) {
		add("id %q must be 1 to 64 lower-case letters, digits or dashes", q.ID)
	}
	if strings.TrimSpace(q.Title) == "" {
		add("title is required")
	}
	if len(q.Statement) > MaxStatementBytes {
		add("statement is %d bytes, at most %d allowed", len(q.Statement), MaxStatementBytes)
	}
	if q.TimeLimitMS < 1 || q.TimeLimitMS > MaxTimeLimitMS {
		add("time_limit_ms must be between 1 and %d, got %d", MaxTimeLimitMS, q.TimeLimitMS)
	}
	if q.MemoryLimitMB < MinMemoryLimitMB || q.MemoryLimitMB > MaxMemoryLimitMB {
		add("memory_limit_mb must be between %d and %d, got %d", MinMemoryLimitMB, MaxMemoryLimitMB, q.MemoryLimitMB)
	}
	switch q.Checker.Kind {
	case CheckerExact, CheckerWhitespace, CheckerLines:
	case CheckerFloat:
		if q.Checker.Tolerance <= 0 || q.Checker.Tolerance >= 1 {
			add("checker.tolerance must be between 0 and 1, got %g", q.Checker.Tolerance)
		}
	default:
		add("checker.kind %q is not one of exact, whitespace, float, lines", q.Checker.Kind)
	}
	if r := q.Reference; r != nil {
		switch {
		case !KnownLanguage(r.Language):
			add("reference.language %q is not a known language", r.Language)
		case strings.TrimSpace(r.Code) == "" || len(r.Code) > MaxCodeBytes:
			add("reference.code must be 1 to %d bytes", MaxCodeBytes)
		}
	}
	for lang := range q.StarterCode {
		if !KnownLanguage(lang) {
			add("starter_code has unknown language %q", lang)
		}
	}
	for lang, d := range q.Drivers {
		if !KnownLanguage(lang) {
			add("drivers has unknown language %q", lang)
		}
		if len(d) > MaxCodeBytes {
			add("drivers[%s] is %d bytes, at most %d allowed", lang, len(d), MaxCodeBytes)
		}
	}
	if len(q.Tests) == 0 {
		add("at least one test is required")
	}
	if len(q.Tests) > MaxTests {
		add("%d tests, at most %d allowed per question", len(q.Tests), MaxTests)
	}
	for i, t := range q.Tests {
		if len(t.Input) > MaxTestDataBytes {
			add("tests[%d].input is %d bytes, at most %d (%s) allowed per input or output", i, len(t.Input), MaxTestDataBytes, mib(MaxTestDataBytes))
		}
		if len(t.Output) > MaxTestDataBytes {
			add("tests[%d].output is %d bytes, at most %d (%s) allowed per input or output", i, len(t.Output), MaxTestDataBytes, mib(MaxTestDataBytes))
		}
	}
	all, samples := q.TestDataBytes()
	if all > MaxQuestionTestDataBytes {
		add("the tests' inputs and outputs add up to %d bytes, at most %d (%s) allowed per question", all, MaxQuestionTestDataBytes, mib(MaxQuestionTestDataBytes))
	}
	if samples > MaxSampleDataBytes {
		add("the sample tests' (hidden: false) inputs and outputs add up to %d bytes, at most %d (%s) allowed: learners see them on the question's page; make large tests hidden",
			samples, MaxSampleDataBytes, mib(MaxSampleDataBytes))
	}
	problems = append(problems, q.validateSubtasks()...)
	if len(problems) > 0 {
		return fmt.Errorf("%w question: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// mib writes n bytes in KiB or MiB, for messages.
func mib(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// validateSubtasks checks that the subtasks, if any, cover every test
// exactly once and are worth something.
func (q *Question) validateSubtasks() []string {
	if len(q.Subtasks) == 0 {
		return nil
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if len(q.Subtasks) > MaxSubtasks {
		add("%d subtasks, at most %d allowed", len(q.Subtasks), MaxSubtasks)
	}
	owner := make([]int, len(q.Tests))
	for i := range owner {
		owner[i] = -1
	}
	total := 0
	for k, st := range q.Subtasks {
		if st.Points < 0 || st.Points > MaxSubtaskPoints {
			add("subtasks[%d].points must be between 0 and %d, got %d", k, MaxSubtaskPoints, st.Points)
		}
		total += st.Points
		if len(st.Tests) == 0 {
			add("subtasks[%d] has no tests", k)
		}
		for _, t := range st.Tests {
			switch {
			case t < 0 || t >= len(q.Tests):
				add("subtasks[%d].tests has %d, but the tests are numbered 0 to %d", k, t, len(q.Tests)-1)
			case owner[t] >= 0:
				add("test %d is in subtasks[%d] and subtasks[%d]; each test belongs to one subtask", t, owner[t], k)
			default:
				owner[t] = k
			}
		}
	}
	if total <= 0 {
		add("the subtasks are worth no points; give at least one some")
	}
	for i, o := range owner {
		if o < 0 {
			add("test %d is in no subtask; with subtasks every test belongs to one", i)
			break
		}
	}
	return problems
}
