package codementor

import (
	"fmt"
	"slices"
	"strings"
)

// Kind says what a submission is for.
type Kind string

// The kinds of submission.
const (
	// KindSubmission is a learner's answer to a question: judged on all of
	// its tests, reviewed, kept in the learner's history and progress.
	KindSubmission Kind = ""
	// KindRun runs code on given inputs (the page's Run button, the Judge0
	// API): judged by the same judges in the same sandbox and streamed the
	// same way, but never reviewed, never in the learner's history or
	// progress, and deleted after the run retention.
	KindRun Kind = "run"
)

// Where a run comes from.
const (
	RunFromPage   = "page"   // the Run button: the question's samples plus the learner's inputs
	RunFromJudge0 = "judge0" // the Judge0-compatible API: one input, Judge0's options
)

// Run is what a run runs beyond its code and language: its cases, and the
// options the Judge0 API may set. Zero fields take the question's settings,
// or without a question the defaults (DefaultTimeLimitMS and so on).
type Run struct {
	// From is RunFromPage or RunFromJudge0.
	From string `json:"from"`
	// Samples runs the question's sample tests before Cases.
	Samples bool `json:"samples,omitempty"`
	// Cases are the inputs given with the run, after the samples.
	Cases []RunCase `json:"cases"`
	// TimeLimitMS is each run's CPU time limit; ExtraTimeMS is how much
	// longer a program may run before it is stopped (it is over the limit
	// all the same: Judge0's cpu_extra_time); WallLimitMS its wall clock.
	TimeLimitMS int `json:"time_limit_ms,omitempty"`
	ExtraTimeMS int `json:"extra_time_ms,omitempty"`
	WallLimitMS int `json:"wall_limit_ms,omitempty"`
	// MemoryLimitKB, StackLimitKB, MaxProcesses and MaxFileSizeKB bound
	// one run: memory, its stack, its processes and threads, a file it
	// writes.
	MemoryLimitKB int `json:"memory_limit_kb,omitempty"`
	StackLimitKB  int `json:"stack_limit_kb,omitempty"`
	MaxProcesses  int `json:"max_processes,omitempty"`
	MaxFileSizeKB int `json:"max_file_size_kb,omitempty"`
	// MergeStderr sends the program's standard error to its standard
	// output, interleaved as written.
	MergeStderr bool `json:"merge_stderr,omitempty"`
	// Args are the program's command-line arguments.
	Args []string `json:"args,omitempty"`
	// CompilerOptions are added to the compiler's command line; each must be
	// on the language's allow-list (CompilerOptionsAllowed).
	CompilerOptions []string `json:"compiler_options,omitempty"`
	// Files is a zip archive whose files are put beside the program
	// (Judge0's additional_files), read-only.
	Files []byte `json:"files,omitempty"`
	// Repeat runs each case this many times (Judge0's number_of_runs):
	// the time and memory reported are the averages; 0 means once.
	Repeat int `json:"repeat,omitempty"`
	// CallbackURL, if set, is sent the run's final state (the Judge0 API's
	// callback_url): by the notifier, never by the judge.
	CallbackURL string `json:"callback_url,omitempty"`
}

// RunCase is one input of a run, with the output it should give if known.
type RunCase struct {
	Input string `json:"input"`
	// Expected is the expected output; nil: none given, and then, for a
	// run of the page with a question that has a reference solution, the
	// reference's output on Input; otherwise the case is not checked.
	Expected *string `json:"expected,omitempty"`
}

// Limits of runs, checked by Run.Validate (Judge0 CE's maxima where it has
// them).
const (
	MaxRunCases       = 20
	MaxRunInputBytes  = 1 << 20
	MaxRunTimeLimitMS = 15000 // Judge0: max_cpu_time_limit 15 s
	MaxRunExtraTimeMS = 5000
	MaxRunWallLimitMS = 20000
	MaxRunMemoryKB    = 512000 // Judge0: max_memory_limit
	MinRunMemoryKB    = 16384
	MaxRunStackKB     = 128000
	MaxRunProcesses   = 120
	MaxRunFileSizeKB  = 4096
	MaxRunArgsBytes   = 4096
	MaxRunFilesBytes  = 2 << 20
	MaxRunRepeat      = 20
)

// compilerOptions lists, per language, the compiler options a run may ask
// for: flags that change optimisation, warnings and the language standard,
// never where files go or what is loaded (-o, -I, -fplugin, @file and the
// like are refused).
var compilerOptions = map[string][]string{
	"c":          {"-O0", "-O1", "-O2", "-O3", "-Os", "-g", "-Wall", "-Wextra", "-Werror", "-pedantic", "-std=c89", "-std=c99", "-std=c11", "-std=c17", "-std=gnu11", "-std=gnu17", "-lm", "-DONLINE_JUDGE", "-fsanitize=undefined"},
	"cpp":        {"-O0", "-O1", "-O2", "-O3", "-Os", "-g", "-Wall", "-Wextra", "-Werror", "-pedantic", "-std=c++11", "-std=c++14", "-std=c++17", "-std=c++20", "-std=gnu++17", "-std=gnu++20", "-lm", "-DONLINE_JUDGE", "-fsanitize=undefined"},
	"rust":       {"-O", "-g", "-Copt-level=0", "-Copt-level=1", "-Copt-level=2", "-Copt-level=3"},
	"go":         {"-race=false"},
	"java":       {"-g", "-nowarn", "-Xlint", "-Xlint:all", "-Werror", "-deprecation"},
	"kotlin":     {"-nowarn", "-Werror"},
	"csharp":     {"-optimize", "-optimize+", "-optimize-", "-debug", "-warnaserror", "-checked", "-checked+", "-unsafe"},
	"typescript": {"--strict", "--noImplicitAny", "--strictNullChecks", "--noUnusedLocals", "--noUnusedParameters"},
}

// CompilerOptionsAllowed returns the compiler options a run of language may
// ask for (nil: none).
func CompilerOptionsAllowed(language string) []string { return compilerOptions[language] }

// CheckCompilerOptions reports the first option not on language's allow-list.
func CheckCompilerOptions(language string, opts []string) error {
	for _, o := range opts {
		if !slices.Contains(compilerOptions[language], o) {
			allowed := compilerOptions[language]
			if len(allowed) == 0 {
				return fmt.Errorf("%w: the %s compiler takes no options here", ErrInvalid, language)
			}
			return fmt.Errorf("%w: compiler option %q is not allowed for %s; allowed: %s", ErrInvalid, o, language, strings.Join(allowed, " "))
		}
	}
	return nil
}

// SplitWords splits a command line into words as a POSIX shell would
// without expansions: blanks separate words, single quotes keep everything,
// double quotes keep all but \" and \\, a backslash outside quotes keeps
// the next character.
func SplitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	quote := rune(0)
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch r {
			case '"':
				quote = 0
			case '\\':
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\':
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("%w: unterminated quote or escape in %q", ErrInvalid, s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Validate reports every problem of a run of language, joined, each wrapping
// ErrInvalid. The caller checks the code and the question.
func (r *Run) Validate(language string) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if r.From != RunFromPage && r.From != RunFromJudge0 {
		add("from must be %q or %q", RunFromPage, RunFromJudge0)
	}
	if len(r.Cases) > MaxRunCases {
		add("at most %d cases may be run at once, got %d", MaxRunCases, len(r.Cases))
	}
	if !r.Samples && len(r.Cases) == 0 {
		add("a run needs at least one case")
	}
	for i, c := range r.Cases {
		if len(c.Input) > MaxRunInputBytes || c.Expected != nil && len(*c.Expected) > MaxRunInputBytes {
			add("case %d: input and expected output may be at most %d bytes each", i+1, MaxRunInputBytes)
		}
	}
	bound := func(name string, v, lo, hi int) {
		if v != 0 && (v < lo || v > hi) {
			add("%s must be between %d and %d, got %d", name, lo, hi, v)
		}
	}
	bound("time_limit_ms", r.TimeLimitMS, 1, MaxRunTimeLimitMS)
	bound("extra_time_ms", r.ExtraTimeMS, 0, MaxRunExtraTimeMS)
	bound("wall_limit_ms", r.WallLimitMS, 1, MaxRunWallLimitMS)
	bound("memory_limit_kb", r.MemoryLimitKB, MinRunMemoryKB, MaxRunMemoryKB)
	bound("stack_limit_kb", r.StackLimitKB, 1, MaxRunStackKB)
	bound("max_processes", r.MaxProcesses, 1, MaxRunProcesses)
	bound("max_file_size_kb", r.MaxFileSizeKB, 1, MaxRunFileSizeKB)
	bound("repeat", r.Repeat, 1, MaxRunRepeat)
	if n := len(strings.Join(r.Args, " ")); n > MaxRunArgsBytes {
		add("args are %d bytes, at most %d allowed", n, MaxRunArgsBytes)
	}
	if len(r.Files) > MaxRunFilesBytes {
		add("files are %d bytes, at most %d allowed", len(r.Files), MaxRunFilesBytes)
	}
	if err := CheckCompilerOptions(language, r.CompilerOptions); err != nil {
		add("%s", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}
