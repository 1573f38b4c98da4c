// Package gen builds the JSON files of the starter questions from the sources
// kept beside it: a Markdown statement per question (statements/<id>.md), its
// starter code in every language (code/<id>.py, .c, .cpp, .java, .go.txt,
// .js, .ts, .rs, .kt, .cs, .rb, .php, .pl, .lua, .sh), for a question whose
// learners write only a function its drivers (drivers/<id>.<ext>, the same
// extensions), and in Go the question's
// settings, its test inputs (hand-written or generated from a fixed seed) and
// a solver that computes every expected output.
//
// Go sources are kept as .go.txt files: as .go files they would make code/
// and drivers/ Go packages, each with a dozen main functions, and break
// go build ./... and go vet ./....
//
// After changing anything here, rewrite questions/starter/*.json with
//
//	go test ./questions/ -run TestStarterFilesUpToDate -update
//
// The same test, without -update, fails when the shipped files are stale.
package gen

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/codementor/codementor"
)

//go:embed statements/*.md code/* drivers/*
var sources embed.FS

// examplesHeading would start examples in a statement: the page shows the
// sample tests under the statement, so a statement does not repeat them.
const examplesHeading = "## Example"

// extensions maps a language ID to the extension of its starter code and
// driver files.
var extensions = map[string]string{
	"python":     "py",
	"c":          "c",
	"cpp":        "cpp",
	"java":       "java",
	"go":         "go.txt",
	"javascript": "js",
	"typescript": "ts",
	"rust":       "rs",
	"kotlin":     "kt",
	"csharp":     "cs",
	"ruby":       "rb",
	"php":        "php",
	"perl":       "pl",
	"lua":        "lua",
	"bash":       "sh",
}

// problem is the source of one question.
type problem struct {
	id, title, difficulty      string
	timeLimitMS, memoryLimitMB int
	checker                    codementor.Checker
	// samples are the inputs of the tests shown to learners, in order.
	samples []string
	// hidden returns the inputs of the hidden tests, drawing any randomness
	// from r only, so that they are the same on every run.
	hidden func(r *rng) []string
	// solve returns the expected output of an input.
	solve func(input string) string
	// function marks a question whose learners write only a function: its
	// starter code is the function's skeleton, and a driver per language,
	// drivers/<id>.<ext>, reads the input, calls it and prints the result.
	function bool
}

// Questions builds every starter question, sorted by ID, normalized and valid.
func Questions() ([]codementor.Question, error) {
	var qs []codementor.Question
	for _, p := range problems() {
		q, err := p.build()
		if err != nil {
			return nil, fmt.Errorf("gen: %s: %w", p.id, err)
		}
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(a, b codementor.Question) int { return strings.Compare(a.ID, b.ID) })
	for i := 1; i < len(qs); i++ {
		if qs[i].ID == qs[i-1].ID {
			return nil, fmt.Errorf("gen: duplicate question ID %q", qs[i].ID)
		}
	}
	return qs, nil
}

// Files returns the content of every starter question's JSON file, keyed by
// its name, "<id>.json".
func Files() (map[string][]byte, error) {
	qs, err := Questions()
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(qs))
	for i := range qs {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&qs[i]); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", qs[i].ID, err)
		}
		files[qs[i].ID+".json"] = buf.Bytes()
	}
	return files, nil
}

func (p problem) build() (q codementor.Question, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	var tests []codementor.Test
	for _, in := range p.samples {
		tests = append(tests, codementor.Test{Input: in, Output: p.solve(in)})
	}
	for _, in := range p.hidden(newRNG(p.id)) {
		tests = append(tests, codementor.Test{Input: in, Output: p.solve(in), Hidden: true})
	}
	md, err := sources.ReadFile("statements/" + p.id + ".md")
	if err != nil {
		return q, err
	}
	if bytes.Contains(md, []byte(examplesHeading)) {
		return q, fmt.Errorf("the statement has examples (%q): the page shows the sample tests below it", examplesHeading)
	}
	statement := string(md)
	starter, err := perLanguage("code", p.id)
	if err != nil {
		return q, err
	}
	var drivers map[string]string
	if p.function {
		if drivers, err = perLanguage("drivers", p.id); err != nil {
			return q, err
		}
	}
	q = codementor.Question{
		ID:            p.id,
		Title:         p.title,
		Statement:     statement,
		Difficulty:    p.difficulty,
		TimeLimitMS:   p.timeLimitMS,
		MemoryLimitMB: p.memoryLimitMB,
		Checker:       p.checker,
		StarterCode:   starter,
		Drivers:       drivers,
		Tests:         tests,
	}
	q.Normalize()
	return q, q.Validate()
}

// perLanguage reads dir/<id>.<ext> for every language, keyed by language ID.
func perLanguage(dir, id string) (map[string]string, error) {
	files := make(map[string]string)
	for _, l := range codementor.Languages {
		ext, ok := extensions[l.ID]
		if !ok {
			return nil, fmt.Errorf("no file extension for language %q", l.ID)
		}
		code, err := sources.ReadFile(dir + "/" + id + "." + ext)
		if err != nil {
			return nil, err
		}
		files[l.ID] = string(code)
	}
	return files, nil
}

// rng is a small SplitMix64 generator. It is written out here rather than
// taken from math/rand so that generated tests never change with Go releases.
type rng struct{ state uint64 }

// newRNG seeds a generator from a question ID.
func newRNG(id string) *rng {
	h := fnv.New64a()
	h.Write([]byte(id))
	return &rng{state: h.Sum64()}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	z := r.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.next()%uint64(hi-lo+1)) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// shuffle permutes s in place.
func shuffle[T any](r *rng, s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}
