// Package questions ships CodeMentor's starter set of coding questions: classic
// easy and medium stdin/stdout problems that the application loads into
// QuestionsTable on its first start, with starter code in every language of
// codementor.Languages. Most are whole programs; a question with drivers
// (two-sum-function) asks, LeetCode-style, for a function only, which the
// judge compiles with the question's driver for the language.
//
// Each question is one JSON file, starter/<id>.json, in the JSON shape of
// codementor.Question, embedded into the binary. The files are generated from
// the sources in internal/gen (see there how to regenerate them); reference
// solutions under testdata/solutions, in Python and C++ for every question and
// in Java, Go and JavaScript for some, are run against every test by this
// package's tests, with the question's driver when it has one. The file names
// a driver and the learner's code take are those of layouts in
// solutions_test.go: main.py and solution.py, main.c and solution.c, and so on,
// Main.java and Solution.java for Java.
package questions

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/codementor/codementor"
)

//go:embed starter/*.json
var starterFiles embed.FS

// Starter returns the starter questions sorted by ID, each normalized and
// validated. Every call decodes the embedded files afresh, so callers may
// modify what they get. An error names the file at fault and wraps the cause,
// codementor.ErrInvalid for a question that does not validate.
func Starter() ([]codementor.Question, error) {
	return loadAll(starterFiles)
}

// loadAll loads every starter/*.json file of fsys.
func loadAll(fsys fs.FS) ([]codementor.Question, error) {
	names, err := fs.Glob(fsys, "starter/*.json")
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	qs := make([]codementor.Question, 0, len(names))
	for _, name := range names {
		q, err := load(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("questions: %s: %w", name, err)
		}
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(a, b codementor.Question) int { return strings.Compare(a.ID, b.ID) })
	return qs, nil
}

// load decodes, normalizes and validates one question file, whose name must
// be its question's ID.
func load(fsys fs.FS, name string) (codementor.Question, error) {
	var q codementor.Question
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return q, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return q, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return q, fmt.Errorf("unexpected data after the question")
	}
	q.Normalize()
	if err := q.Validate(); err != nil {
		return q, err
	}
	if want := strings.TrimSuffix(path.Base(name), ".json"); q.ID != want {
		return q, fmt.Errorf("%w question: id %q does not match the file name, want %q", codementor.ErrInvalid, q.ID, want)
	}
	return q, nil
}
