package review

import (
	"embed"
	"fmt"
	"strings"
	"text/template"

	codementor "github.com/codementor/codementor"
)

// The prompts live in templates: their wording is not Go code.
//
//go:embed prompts/*.tmpl
var promptFS embed.FS

var prompts = template.Must(template.New("prompts").
	Funcs(template.FuncMap{"fence": fence}).
	ParseFS(promptFS, "prompts/*.tmpl"))

// Limits of what the user message shows.
const (
	maxListedTests  = 30
	maxSampleBytes  = 600     // per input, expected output, output and stderr of a sample test
	maxCompileBytes = 2 << 10 // of the compiler output
	maxMessageBytes = 300     // of a test's message
)

// promptData is what the templates render.
type promptData struct {
	AnswerLanguage   string
	Title            string
	Statement        string
	LanguageID       string
	LanguageName     string
	Verdict          codementor.Verdict // the verdict's ID, e.g. wrong_answer
	VerdictText      string             // the verdict in words, e.g. wrong answer
	Accepted         bool
	CompilationError bool
	Passed, Total    int
	Tests            []promptTest
	MoreTests        int // tests not listed
	CompileOutput    promptText
	Code             string
}

// promptTest is one test's line in the user message. ExitCode, Signal,
// Input, Expected, Output and Stderr stay empty for a hidden test.
type promptTest struct {
	Number                          int
	Hidden                          bool
	Ran                             bool
	Verdict                         codementor.Verdict
	TimeMS, MemoryKB                int64
	ExitCode                        int
	Signal                          string
	Message                         string
	Input, Expected, Output, Stderr promptText
}

// promptText is a text cut to a size, with the number of bytes left out.
type promptText struct {
	Text string
	Cut  int
}

// Prompt renders the system and user messages asking for a review of in,
// written in answerLanguage, from the embedded templates.
func Prompt(in Input, answerLanguage string) (system, user string, err error) {
	d := promptData{
		AnswerLanguage:   answerLanguage,
		Title:            oneLine(in.Title),
		Statement:        strings.TrimSpace(in.Statement),
		LanguageID:       in.Language,
		LanguageName:     languageName(in.Language),
		Verdict:          in.Verdict,
		VerdictText:      strings.ReplaceAll(string(in.Verdict), "_", " "),
		Accepted:         in.Verdict == codementor.VerdictAccepted,
		CompilationError: in.Verdict == codementor.VerdictCompilationError,
		Total:            max(in.TestCount, len(in.Tests)),
		Code:             strings.TrimRight(in.Code, "\n"),
	}
	if d.CompilationError {
		d.CompileOutput = cut(in.CompileOutput, maxCompileBytes)
	}
	// Failing tests first, then the rest, each in their order.
	var failing, rest []codementor.TestResult
	for _, t := range in.Tests {
		switch t.Verdict {
		case codementor.VerdictAccepted:
			d.Passed++
			rest = append(rest, t)
		case codementor.VerdictSkipped:
			rest = append(rest, t)
		default:
			failing = append(failing, t)
		}
	}
	for _, t := range append(failing, rest...) {
		if len(d.Tests) == maxListedTests {
			d.MoreTests++
			continue
		}
		d.Tests = append(d.Tests, newPromptTest(t))
	}

	var b strings.Builder
	if err := prompts.ExecuteTemplate(&b, "system.tmpl", d); err != nil {
		return "", "", fmt.Errorf("render system prompt: %w", err)
	}
	system = b.String()
	b.Reset()
	if err := prompts.ExecuteTemplate(&b, "user.tmpl", d); err != nil {
		return "", "", fmt.Errorf("render user prompt: %w", err)
	}
	return system, b.String(), nil
}

func newPromptTest(t codementor.TestResult) promptTest {
	p := promptTest{
		Number: t.Index + 1, Hidden: t.Hidden, Ran: t.Verdict != codementor.VerdictSkipped, Verdict: t.Verdict,
		TimeMS: t.TimeMS, MemoryKB: t.MemoryKB, ExitCode: t.ExitCode, Signal: t.Signal,
		Message: oneLine(clip(t.Message, maxMessageBytes)),
	}
	// A hidden test's data never reaches the model, even if it was
	// (wrongly) filled in: nor its exit code or signal, which tell of its
	// input too.
	if t.Hidden {
		p.ExitCode, p.Signal = 0, ""
	} else {
		p.Input = cut(t.Input, maxSampleBytes)
		p.Expected = cut(t.Expected, maxSampleBytes)
		p.Output = cut(t.Output, maxSampleBytes)
		p.Stderr = cut(t.Stderr, maxSampleBytes)
	}
	return p
}

// cut keeps the first n bytes of s, on a character boundary, without its
// final newline.
func cut(s string, n int) promptText {
	s = strings.TrimSuffix(s, "\n")
	if len(s) <= n {
		return promptText{Text: s}
	}
	k := n
	for k > 0 && k < len(s) && (s[k]&0xC0) == 0x80 {
		k-- // not in the middle of a character
	}
	return promptText{Text: s[:k], Cut: len(s) - k}
}

func languageName(id string) string {
	for _, l := range codementor.Languages {
		if l.ID == id {
			return l.Name
		}
	}
	return id
}

// fence returns a Markdown code fence longer than any run of backticks in
// s, so that s cannot close it.
func fence(s string) string {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}
