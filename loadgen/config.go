// Package loadgen is `codementor loadgen`, the load generator: simulated
// learners sign in, keep their event stream open, and submit correct and
// wrong programs on a fixed schedule (open loop: a submission leaves on time
// whatever happened to the earlier ones); every submission is followed on its
// learner's stream until it is final, its verdict checked, and the latencies
// of the pipeline's steps reported as a table, JSON and an SVG plot.
package loadgen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	codementor "github.com/codementor/codementor"
)

// Programs: what the simulated learners submit.
const (
	// ProgramStandard is a learner-like program in each language.
	ProgramStandard = "standard"
	// ProgramTrivial is the cheapest real submission: a Python one-liner, to
	// measure the pipeline rather than the judging.
	ProgramTrivial = "trivial"
	// ProgramWaiting is a Python a-plus-b that waits 50 ms per test before
	// answering, as a program blocked on I/O would: it holds a judging slot
	// without using the CPU, so a run shows how judging capacity grows with
	// processor instances even on a machine with few cores.
	ProgramWaiting = "waiting"
)

// Config of a load run.
type Config struct {
	// URL of the service, e.g. http://127.0.0.1:8080.
	URL string
	// Rate is the submissions per second, in total over all learners.
	Rate float64
	// Duration is how long submissions are issued: Rate × Duration of them.
	Duration time.Duration
	// Learners is the number of simulated learners, each with its own user
	// and event stream; submissions go to them in turn.
	Learners int
	// Questions and Languages the submissions are for, in turn.
	Questions []string
	Languages []string
	// Weights gives each of Languages its share of the submissions (--mix);
	// nil shares them equally.
	Weights []float64
	// WrongRatio is the share of submissions that are wrong programs,
	// expected to be judged wrong_answer; the rest are expected accepted.
	WrongRatio float64
	// Program is ProgramStandard, ProgramTrivial or ProgramWaiting.
	Program string
	// Timeout is the longest wait, after the last submission, for the
	// outstanding ones to become final.
	Timeout time.Duration
	// JSONPath and SVGPath, if set, receive the report as JSON and the plot
	// (Main writes them; Run does not).
	JSONPath, SVGPath string
}

// Defaults of the flags.
const (
	DefaultURL        = "http://127.0.0.1:8080"
	DefaultRate       = 10
	DefaultDuration   = 30 * time.Second
	DefaultLearners   = 50
	DefaultWrongRatio = 0.3
	DefaultTimeout    = 2 * time.Minute
	DefaultQuestion   = "a-plus-b"
	DefaultLanguage   = "python"
)

// Limits that keep a mistyped flag from turning into a denial of service.
const (
	maxRate        = 10000
	maxLearners    = 10000
	maxSubmissions = 1_000_000
)

const flagsUsage = `usage: codementor loadgen [flags]

Simulated learners sign in (dev sign-in must be on: codementor dev, or web
--dev-auth), keep their SSE stream /api/events open, and submit correct and
wrong programs at --rate per second in total for --duration (open loop: on
schedule, whatever happened to the earlier ones). Each submission is followed
until it is final and its verdict checked (accepted, or wrong_answer for a
wrong program). Then a table of throughput and latencies is printed.

Exit status: 0 when every submission was accepted by the API and finished
with the expected verdict, 1 otherwise (with the reason), 2 for bad flags.

flags:
`

// ParseFlags reads the flags of `codementor loadgen` and validates them. -h
// prints the usage to stderr and returns flag.ErrHelp.
func ParseFlags(args []string, stderr io.Writer) (Config, error) {
	cfg := Config{}
	fs := flag.NewFlagSet("codementor loadgen", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; the usage goes to stderr
	fs.Usage = func() {
		fmt.Fprint(stderr, flagsUsage)
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	var questions, languages, mix string
	fs.StringVar(&cfg.URL, "url", DefaultURL, "base URL of the service")
	fs.Float64Var(&cfg.Rate, "rate", DefaultRate, "submissions per second, in total over all learners")
	fs.DurationVar(&cfg.Duration, "duration", DefaultDuration, "how long submissions are issued (rate × duration submissions)")
	fs.IntVar(&cfg.Learners, "learners", DefaultLearners, "simulated learners, each signed in as its own user with its own event stream")
	fs.StringVar(&questions, "question", DefaultQuestion, "question(s) to submit to, comma-separated (programs ship for: "+strings.Join(programQuestions(), ", ")+")")
	fs.StringVar(&languages, "languages", DefaultLanguage, "languages to submit in, comma-separated, in equal shares: "+strings.Join(languageIDs(), ", "))
	fs.StringVar(&mix, "mix", "", "languages with their shares instead of --languages, e.g. python=3,java=1")
	fs.Float64Var(&cfg.WrongRatio, "wrong-ratio", DefaultWrongRatio, "share of submissions that are wrong programs (expected wrong_answer), 0 to 1")
	fs.StringVar(&cfg.Program, "program", ProgramStandard, "standard (a learner-like program per language), trivial (a Python one-liner: the cheapest real submission, for pipeline throughput) or waiting (Python that waits 50 ms per test without using the CPU, for judging capacity per processor instance)")
	fs.DurationVar(&cfg.Timeout, "timeout", DefaultTimeout, "longest wait after the last submission for the outstanding ones to become final")
	fs.StringVar(&cfg.JSONPath, "json", "", "write the report as JSON to this file")
	fs.StringVar(&cfg.SVGPath, "svg", "", "write a plot (completion latency per submission, submissions in flight) as SVG to this file")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q; flags start with --", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	var errs []error
	cfg.Questions = splitList(questions)
	cfg.Languages = splitList(languages)
	if mix != "" {
		if set["languages"] {
			errs = append(errs, errors.New("--mix and --languages both choose the languages: give one of them"))
		}
		if langs, weights, err := parseMix(mix); err != nil {
			errs = append(errs, err)
		} else {
			cfg.Languages, cfg.Weights = langs, weights
		}
	}
	if cfg.Program != ProgramStandard && !set["languages"] && mix == "" {
		cfg.Languages = []string{"python"}
	}
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	// Find out now, not after the run, that an output cannot be written.
	for name, path := range map[string]string{"--json": cfg.JSONPath, "--svg": cfg.SVGPath} {
		if path == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			errs = append(errs, fmt.Errorf("%s %s: the directory %s does not exist", name, path, filepath.Dir(path)))
		}
	}
	return cfg, errors.Join(errs...)
}

// Validate reports every problem of the configuration, each naming its flag.
func (cfg *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("--url must be an http:// or https:// URL such as %s, got %q", DefaultURL, cfg.URL)
	}
	if !(cfg.Rate > 0 && cfg.Rate <= maxRate) {
		add("--rate must be above 0 and at most %d submissions per second, got %v", maxRate, cfg.Rate)
	}
	if cfg.Duration <= 0 {
		add("--duration must be positive, e.g. 30s, got %v", cfg.Duration)
	} else if cfg.Rate > 0 && cfg.Rate*cfg.Duration.Seconds() > maxSubmissions {
		add("--rate × --duration is %.0f submissions; at most %d in a run", cfg.Rate*cfg.Duration.Seconds(), maxSubmissions)
	}
	if cfg.Learners < 1 || cfg.Learners > maxLearners {
		add("--learners must be from 1 to %d, got %d", maxLearners, cfg.Learners)
	}
	if !(cfg.WrongRatio >= 0 && cfg.WrongRatio <= 1) {
		add("--wrong-ratio must be from 0 to 1, got %v", cfg.WrongRatio)
	}
	if cfg.Timeout < 0 {
		add("--timeout must not be negative, got %v", cfg.Timeout)
	}
	if cfg.Program != ProgramStandard && cfg.Program != ProgramTrivial && cfg.Program != ProgramWaiting {
		add("--program must be %s, %s or %s, got %q", ProgramStandard, ProgramTrivial, ProgramWaiting, cfg.Program)
	}
	if len(cfg.Questions) == 0 {
		add("--question names no question")
	}
	if len(cfg.Languages) == 0 {
		add("--languages names no language")
	}
	if cfg.Weights != nil && len(cfg.Weights) != len(cfg.Languages) {
		add("%d weights for %d languages", len(cfg.Weights), len(cfg.Languages))
	}
	for _, l := range cfg.Languages {
		if !codementor.KnownLanguage(l) {
			add("language %q is not one the service knows: %s", l, strings.Join(languageIDs(), ", "))
		} else if cfg.Program != ProgramStandard && l != "python" {
			add("--program %s is a Python program: submit it in python only, got %q", cfg.Program, l)
		}
	}
	for _, q := range cfg.Questions {
		if _, ok := programs[q]; !ok {
			add("no programs for question %q: the load generator ships correct and wrong programs for %s", q, strings.Join(programQuestions(), ", "))
		} else if cfg.Program != ProgramStandard && q != "a-plus-b" {
			add("--program %s solves a-plus-b only, got question %q", cfg.Program, q)
		}
		for _, l := range cfg.Languages {
			if _, ok := programs[q][l]; !ok && codementor.KnownLanguage(l) && programs[q] != nil {
				add("no %s program for question %q", l, q)
			}
		}
	}
	if hasDuplicates(cfg.Languages) {
		add("a language appears twice in %q", strings.Join(cfg.Languages, ","))
	}
	if hasDuplicates(cfg.Questions) {
		add("a question appears twice in %q", strings.Join(cfg.Questions, ","))
	}
	return errors.Join(errs...)
}

// Planned is the number of submissions of the run: Rate × Duration, one
// every 1/Rate seconds from 0 while within Duration.
func (cfg *Config) Planned() int {
	n := cfg.Rate * cfg.Duration.Seconds()
	return int(math.Ceil(n - 1e-9))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func hasDuplicates(xs []string) bool {
	s := slices.Clone(xs)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(xs)
}

// parseMix reads "python=3,java=1" into languages and their weights.
func parseMix(s string) ([]string, []float64, error) {
	var langs []string
	var weights []float64
	for _, p := range splitList(s) {
		name, w, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		f, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if !ok || name == "" || err != nil || !(f > 0) || math.IsInf(f, 0) {
			return nil, nil, fmt.Errorf("--mix takes language=share pairs with positive shares, e.g. python=3,java=1; got %q", p)
		}
		langs = append(langs, name)
		weights = append(weights, f)
	}
	if len(langs) == 0 {
		return nil, nil, errors.New("--mix names no language")
	}
	return langs, weights, nil
}

func languageIDs() []string {
	var ids []string
	for _, l := range codementor.Languages {
		ids = append(ids, l.ID)
	}
	return ids
}
