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
	// QueuePath, if set, receives the depth of the judging queue scraped
	// from MetricsURL every second during the run, as CSV (--record-queue).
	QueuePath string
	// MetricsURL is where the depth is scraped (--metrics-url); empty: the
	// service's own /metrics (URL + "/metrics"), which `codementor dev`
	// serves with its judge's gauges.
	MetricsURL string

	// Contest runs a contest instead (--contest): see ContestConfig.
	Contest bool
	ContestConfig
}

// ContestConfig is what a contest run adds: the generator creates its
// questions (as admin) and a contest of Questions running now; each of
// Learners reads it and makes PerLearner submissions over Duration, in
// bursts at the start and the end with a trickle between, of the kinds in
// Kinds (correct, partial, wrong, slow) in the proportions of KindWeights.
type ContestConfig struct {
	Scoring     codementor.Scoring
	PerLearner  int
	Kinds       []string
	KindWeights []float64
	// Settle is the longest wait, once every submission is final, for the
	// leaderboard to show every judgement and to equal the recomputation.
	Settle time.Duration
	// MaxBoardP99, if not 0, fails the run when the leaderboard update
	// latency's p99 is at or above it.
	MaxBoardP99 time.Duration
	// Rejudge, after the contest and its check, changes one test of one of
	// the generator's questions of the contest, rejudges that question in
	// the contest, and checks every submission's new judgement, the
	// leaderboard's updates and the leaderboard again (see rejudge.go).
	Rejudge bool
}

// Defaults of the flags.
const (
	DefaultContestDuration = time.Minute
	DefaultContestTimeout  = 10 * time.Minute
	DefaultPerLearner      = 3
	DefaultContestMix      = "correct=4,partial=2,wrong=3,slow=1"
	DefaultSettle          = 30 * time.Second
	DefaultURL             = "http://127.0.0.1:8080"
	DefaultRate            = 10
	DefaultDuration        = 30 * time.Second
	DefaultLearners        = 50
	DefaultWrongRatio      = 0.3
	DefaultTimeout         = 2 * time.Minute
	DefaultQuestion        = "a-plus-b"
	DefaultLanguage        = "python"
)

// Limits that keep a mistyped flag from turning into a denial of service.
const (
	maxRate        = 10000
	maxLearners    = 10000
	maxSubmissions = 1_000_000
	maxPerLearner  = 100
)

const flagsUsage = `usage: codementor loadgen [flags]

Simulated learners sign in (dev sign-in must be on: codementor dev, or web
--dev-auth), keep their SSE stream /api/events open, and submit correct and
wrong programs at --rate per second in total for --duration (open loop: on
schedule, whatever happened to the earlier ones). Each submission is followed
until it is final and its verdict checked (accepted, or wrong_answer for a
wrong program). Then a table of throughput and latencies is printed.

With --contest, a contest instead: as admin (dev sign-in with the admin
flag) the generator creates its contest questions if the service lacks them
(--question: by default loadgen-pair-sums, with subtasks, and
loadgen-floor-sums; a-plus-b may join) and a contest of them running now
(--scoring ioi or icpc) for its learners; each of --learners reads the
contest and its questions, then submits --per-learner programs over
--duration with contest_id, in bursts at the start and the end (30% of the
submissions in each tenth) and a trickle between: correct ones, partial ones
(a naive program: the small subtask's points, then time_limit_exceeded),
wrong ones and too-slow ones, mixed by --contest-mix. An admin leaderboard
stream is open all along: the latency of each leaderboard update (the rows
event showing a judgement, after the verdict on the learner's stream) is
reported as percentiles. At the end the leaderboard is compared, row by
row, with one recomputed from every submission's final state.

With --contest --rejudge, then, as admin, the generator changes one hidden
test of one of its questions in the contest (loadgen-pair-sums, else
loadgen-floor-sums: the test's expected output made wrong, so correct and
partial or slow programs get a new verdict and wrong ones keep theirs),
PUTs it (the answer must offer a rejudge), rejudges that question in the
contest (POST /api/contests/{id}/rejudge), follows every submission to it
on its learner's stream until it is final in the new round, checks each
new verdict and score, its history and that the other question's
submissions were not touched, measures from each changed score on the
learner's stream to its row on the leaderboard stream, compares the
leaderboard with the recomputation again, and puts the question back.

Exit status: 0 when every submission was accepted by the API and finished
with the expected verdict (and, with --contest, the leaderboard showed every
judgement and equals the recomputation, and its update p99 is under
--max-leaderboard-p99 when given; with --rejudge, every rejudged
submission got its expected verdict and score in the new round, the
others were untouched, and the leaderboard showed and equals it), 1
otherwise (with the reason), 2 for bad
flags.

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
	fs.StringVar(&cfg.QueuePath, "record-queue", "", "scrape "+queueMetric+"{group=\""+queueGroup+"\"} from --metrics-url every second during the run and write it to this file as CSV (seconds since the start, depth)")
	fs.StringVar(&cfg.MetricsURL, "metrics-url", "", "with --record-queue: the Prometheus endpoint to scrape (default: --url's /metrics, where codementor dev serves its judge's gauges; a processor's is on its --metrics-addr)")
	var scoring, contestMix string
	fs.BoolVar(&cfg.Contest, "contest", false, "run a contest (see above) instead of submitting at --rate")
	fs.StringVar(&scoring, "scoring", string(codementor.ScoringIOI), "with --contest: ioi (sum of each question's best score) or icpc (solved, then penalty)")
	fs.IntVar(&cfg.PerLearner, "per-learner", DefaultPerLearner, "with --contest: submissions of each learner")
	fs.StringVar(&contestMix, "contest-mix", DefaultContestMix, "with --contest: kinds of program and their shares (correct, partial, wrong, slow); a question gets only the kinds it has programs for")
	fs.DurationVar(&cfg.Settle, "settle", DefaultSettle, "with --contest: longest wait, once every submission is final, for the leaderboard to show every judgement and equal the recomputation")
	fs.DurationVar(&cfg.MaxBoardP99, "max-leaderboard-p99", 0, "with --contest: fail when the leaderboard update latency's p99 is at or above this (0: report only)")
	fs.BoolVar(&cfg.Rejudge, "rejudge", false, "with --contest: afterwards change a test of one of the contest's questions, rejudge it and check the new verdicts, history and leaderboard (see above)")
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
	cfg.Scoring = codementor.Scoring(scoring)
	if cfg.Contest {
		errs = append(errs, contestFlags(&cfg, set, contestMix)...)
	} else {
		for _, name := range []string{"scoring", "per-learner", "contest-mix", "settle", "max-leaderboard-p99", "rejudge"} {
			if set[name] {
				errs = append(errs, fmt.Errorf("--%s applies to --contest only", name))
			}
		}
	}
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
	for name, path := range map[string]string{"--json": cfg.JSONPath, "--svg": cfg.SVGPath, "--record-queue": cfg.QueuePath} {
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
	} else if !cfg.Contest && cfg.Rate > 0 && cfg.Rate*cfg.Duration.Seconds() > maxSubmissions {
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
	if cfg.MetricsURL != "" {
		if cfg.QueuePath == "" {
			add("--metrics-url applies to --record-queue only")
		} else if u, err := url.Parse(cfg.MetricsURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("--metrics-url must be an http:// or https:// URL such as %s/metrics, got %q", DefaultURL, cfg.MetricsURL)
		}
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
	if cfg.Contest {
		errs = append(errs, cfg.validateContest()...)
	}
	for _, q := range cfg.Questions {
		if cfg.Contest {
			break // validateContest checked them
		}
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

// contestFlags applies the defaults of contest mode where a flag was not
// given, reads --contest-mix, and refuses the flags of the rate mode.
func contestFlags(cfg *Config, set map[string]bool, mix string) []error {
	var errs []error
	for _, name := range []string{"rate", "wrong-ratio", "program", "mix"} {
		if set[name] {
			errs = append(errs, fmt.Errorf("--%s does not apply to --contest: its schedule is --learners × --per-learner submissions over --duration, its programs --contest-mix", name))
		}
	}
	if !set["question"] {
		cfg.Questions = slices.Clone(defaultContestQuestions)
	}
	if !set["duration"] {
		cfg.Duration = DefaultContestDuration
	}
	if !set["timeout"] {
		cfg.Timeout = DefaultContestTimeout
	}
	kinds, weights, err := parseKindMix(mix)
	if err != nil {
		return append(errs, err)
	}
	if !set["contest-mix"] {
		// The default mix keeps the kinds the questions have programs for.
		var ks []string
		var ws []float64
		for i, k := range kinds {
			for _, q := range cfg.Questions {
				if cq := contestQuestions[q]; cq != nil && cq.programs[k] != nil {
					ks, ws = append(ks, k), append(ws, weights[i])
					break
				}
			}
		}
		if len(ks) > 0 {
			kinds, weights = ks, ws
		}
	}
	cfg.Kinds, cfg.KindWeights = kinds, weights
	return errs
}

// parseKindMix reads "correct=4,wrong=1" into kinds and their weights.
func parseKindMix(s string) ([]string, []float64, error) {
	var ks []string
	var ws []float64
	for _, p := range splitList(s) {
		name, w, ok := strings.Cut(p, "=")
		name = strings.TrimSpace(name)
		f, err := strconv.ParseFloat(strings.TrimSpace(w), 64)
		if !ok || !slices.Contains(kinds, name) || err != nil || !(f > 0) || math.IsInf(f, 0) {
			return nil, nil, fmt.Errorf("--contest-mix takes kind=share pairs with positive shares, the kinds %s; e.g. %s; got %q", strings.Join(kinds, ", "), DefaultContestMix, p)
		}
		if slices.Contains(ks, name) {
			return nil, nil, fmt.Errorf("--contest-mix names %s twice", name)
		}
		ks, ws = append(ks, name), append(ws, f)
	}
	if len(ks) == 0 {
		return nil, nil, errors.New("--contest-mix names no kind of program")
	}
	return ks, ws, nil
}

// validateContest reports the problems of a contest run's configuration.
func (cfg *Config) validateContest() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if cfg.Scoring != codementor.ScoringIOI && cfg.Scoring != codementor.ScoringICPC {
		add("--scoring must be %s or %s, got %q", codementor.ScoringIOI, codementor.ScoringICPC, cfg.Scoring)
	}
	if cfg.PerLearner < 1 || cfg.PerLearner > maxPerLearner {
		add("--per-learner must be from 1 to %d, got %d", maxPerLearner, cfg.PerLearner)
	} else if cfg.Learners*cfg.PerLearner > maxSubmissions {
		add("--learners × --per-learner is %d submissions; at most %d in a run", cfg.Learners*cfg.PerLearner, maxSubmissions)
	}
	if cfg.Settle < 0 {
		add("--settle must not be negative, got %v", cfg.Settle)
	}
	if cfg.MaxBoardP99 < 0 {
		add("--max-leaderboard-p99 must not be negative, got %v", cfg.MaxBoardP99)
	}
	if len(cfg.Questions) > codementor.MaxContestQuestions {
		add("a contest has at most %d questions, got %d", codementor.MaxContestQuestions, len(cfg.Questions))
	}
	if len(cfg.Kinds) == 0 || len(cfg.KindWeights) != len(cfg.Kinds) {
		add("--contest-mix names no kind of program")
	}
	if cfg.Rejudge && rejudgeQuestion(cfg.Questions) == "" {
		var can []string
		for _, id := range contestQuestionIDs() {
			if contestQuestions[id].change != nil {
				can = append(can, id)
			}
		}
		add("--rejudge changes a test of one of the generator's own questions (%s); --question has none of them", strings.Join(can, ", "))
	}
	for _, q := range cfg.Questions {
		cq := contestQuestions[q]
		if cq == nil {
			add("no contest programs for question %q: --contest ships programs for %s", q, strings.Join(contestQuestionIDs(), ", "))
			continue
		}
		for _, k := range cq.Kinds() {
			if !slices.Contains(cfg.Kinds, k) {
				continue
			}
			for _, l := range cfg.Languages {
				if cq.programs[k][l] == "" && codementor.KnownLanguage(l) {
					add("no %s program of kind %s for question %q", l, k, q)
				}
			}
		}
	}
	for _, k := range cfg.Kinds {
		found := false
		for _, q := range cfg.Questions {
			if cq := contestQuestions[q]; cq != nil && cq.programs[k] != nil {
				found = true
			}
		}
		if !found {
			add("--contest-mix has %s programs, but no question of the contest has one (%s: %s)", k, k, strings.Join(questionsWithKind(k), ", "))
		}
	}
	return errs
}

func questionsWithKind(kind string) []string {
	var out []string
	for _, id := range contestQuestionIDs() {
		if contestQuestions[id].programs[kind] != nil {
			out = append(out, id)
		}
	}
	return out
}

// metricsURL is where --record-queue scrapes.
func (cfg *Config) metricsURL() string {
	if cfg.MetricsURL != "" {
		return cfg.MetricsURL
	}
	return strings.TrimRight(cfg.URL, "/") + "/metrics"
}

// Planned is the number of submissions of the run: Rate × Duration, one
// every 1/Rate seconds from 0 while within Duration; in a contest,
// Learners × PerLearner.
func (cfg *Config) Planned() int {
	if cfg.Contest {
		return cfg.Learners * cfg.PerLearner
	}
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
