package questions

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/codementor/codementor"
)

func starter(t *testing.T) []codementor.Question {
	t.Helper()
	qs, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func TestStarter(t *testing.T) {
	qs := starter(t)
	if len(qs) < 8 {
		t.Errorf("Starter returned %d questions, want at least 8", len(qs))
	}
	checkers := map[codementor.CheckerKind]int{}
	for i, q := range qs {
		if i > 0 && qs[i-1].ID >= q.ID {
			t.Errorf("questions not sorted by unique ID: %q before %q", qs[i-1].ID, q.ID)
		}
		checkers[q.Checker.Kind]++
		if q.Difficulty != "easy" && q.Difficulty != "medium" {
			t.Errorf("%s: difficulty %q, want easy or medium", q.ID, q.Difficulty)
		}
		if q.TimeLimitMS < 1000 || q.TimeLimitMS > 2000 {
			t.Errorf("%s: time limit %d ms, want 1000 to 2000", q.ID, q.TimeLimitMS)
		}
		if len(q.Tests) < 5 {
			t.Errorf("%s: %d tests, want at least 5", q.ID, len(q.Tests))
		}
		samples := 0
		for j, test := range q.Tests {
			if !test.Hidden {
				samples++
				if j >= 2 || samples != j+1 {
					t.Errorf("%s: sample test %d comes after a hidden one or past the first two", q.ID, j)
				}
			}
			if test.Input == "" || test.Output == "" || !strings.HasSuffix(test.Input, "\n") {
				t.Errorf("%s: test %d has an empty input or output, or an input not ending in a newline", q.ID, j)
			}
		}
		if samples == 0 || samples == len(q.Tests) {
			t.Errorf("%s: %d samples of %d tests, want at least one sample and one hidden test", q.ID, samples, len(q.Tests))
		}
		for _, section := range []string{"## Input", "## Output", "## Constraints"} {
			if !strings.Contains(q.Statement, section) {
				t.Errorf("%s: statement has no %q section", q.ID, section)
			}
		}
		// The page shows the sample tests below the statement.
		if strings.Contains(q.Statement, "## Example") {
			t.Errorf("%s: the statement repeats the sample tests as examples", q.ID)
		}
		for _, l := range codementor.Languages {
			if !strings.Contains(q.StarterCode[l.ID], "TODO") {
				t.Errorf("%s: starter code for %s is missing or has no TODO", q.ID, l.ID)
			}
		}
	}
	for _, kind := range []codementor.CheckerKind{codementor.CheckerWhitespace, codementor.CheckerExact, codementor.CheckerFloat} {
		if checkers[kind] == 0 {
			t.Errorf("no question uses the %s checker", kind)
		}
	}
}

// entryPoints are, per language, a piece of code only a whole program has:
// where it starts, or how it reads the input.
var entryPoints = map[string]string{
	"python":     "sys.stdin",
	"c":          "main(",
	"cpp":        "main(",
	"java":       "void main(",
	"go":         "func main(",
	"javascript": "readFileSync(0",
	"typescript": "readFileSync(0",
	"rust":       "fn main(",
	"kotlin":     "fun main(",
	"csharp":     "void Main(",
	"ruby":       "$stdin",
	"php":        "STDIN",
	"perl":       "<STDIN>",
	"lua":        "io.read(",
	"bash":       "read -r",
}

// TestDrivers checks that a question with drivers has one for every
// language, each a whole program without TODOs, and that its starter code is
// then only a function; a question without drivers has whole programs as
// starter code.
func TestDrivers(t *testing.T) {
	functions := 0
	for _, q := range starter(t) {
		if len(q.Drivers) > 0 {
			functions++
		}
		for _, l := range codementor.Languages {
			entry, ok := entryPoints[l.ID]
			if !ok {
				t.Fatalf("no entry point known for language %q", l.ID)
			}
			program := q.StarterCode[l.ID]
			if len(q.Drivers) > 0 {
				driver, ok := q.Drivers[l.ID]
				if !ok {
					t.Errorf("%s: has drivers, but none for %s", q.ID, l.ID)
					continue
				}
				if strings.Contains(driver, "TODO") {
					t.Errorf("%s: the %s driver has a TODO", q.ID, l.ID)
				}
				if strings.Contains(program, entry) {
					t.Errorf("%s: the %s starter code has %q: with a driver it must be only the function", q.ID, l.ID, entry)
				}
				program = driver
			}
			if !strings.Contains(program, entry) {
				t.Errorf("%s: the %s program has no %q", q.ID, l.ID, entry)
			}
		}
	}
	if functions == 0 {
		t.Error("no question has drivers")
	}
}

// TestStarterFreshCopies checks that callers may modify what Starter returns.
func TestStarterFreshCopies(t *testing.T) {
	a := starter(t)
	for i := range a {
		a[i].Tests[0].Output = "changed"
		a[i].StarterCode["python"] = "changed"
		if a[i].Drivers != nil {
			a[i].Drivers["python"] = "changed"
		}
	}
	for _, q := range starter(t) {
		if q.Tests[0].Output == "changed" || q.StarterCode["python"] == "changed" || q.Drivers["python"] == "changed" {
			t.Errorf("%s: a change to one Starter result shows in the next", q.ID)
		}
	}
}

// TestMessageSize keeps each question, as written to QuestionsTable, well
// below the 1 MiB that Kafka brokers and Sarama producers accept by default
// (Producer.MaxMessageBytes).
func TestMessageSize(t *testing.T) {
	const max = 900_000
	for _, q := range starter(t) {
		data, err := codementor.QuestionCodec{}.Encode(&q)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > max {
			t.Errorf("%s: %d bytes encoded, want at most %d", q.ID, len(data), max)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	const good = `{"id":"sum","title":"Sum","statement":"","time_limit_ms":1000,"memory_limit_mb":256,` +
		`"checker":{"kind":"whitespace"},"stop_on_failure":false,"tests":[{"input":"1 2\n","output":"3\n","hidden":false}],` +
		`"updated_at":"0001-01-01T00:00:00Z"}`
	if qs, err := loadAll(fstest.MapFS{"starter/sum.json": {Data: []byte(good)}}); err != nil || len(qs) != 1 {
		t.Fatalf("loading a good file: %v, %d questions", err, len(qs))
	}
	for _, tc := range []struct {
		name, file, data string
		invalid          bool
	}{
		{"syntax", "sum.json", `{"id": "sum",`, false},
		{"unknown field", "sum.json", strings.Replace(good, `"title"`, `"titel"`, 1), false},
		{"trailing data", "sum.json", good + "{}", false},
		{"invalid", "sum.json", strings.Replace(good, `"kind":"whitespace"`, `"kind":"fuzzy"`, 1), true},
		{"no tests", "sum.json", strings.Replace(good, `[{"input":"1 2\n","output":"3\n","hidden":false}]`, `[]`, 1), true},
		{"file name", "add.json", good, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadAll(fstest.MapFS{"starter/" + tc.file: {Data: []byte(tc.data)}})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "starter/"+tc.file) {
				t.Errorf("error %q does not name the file", err)
			}
			if got := errors.Is(err, codementor.ErrInvalid); got != tc.invalid {
				t.Errorf("errors.Is(%q, ErrInvalid) = %v, want %v", err, got, tc.invalid)
			}
		})
	}
}
