package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

func runBody(question, language, code string, inputs ...string) map[string]any {
	if inputs == nil {
		inputs = []string{}
	}
	return map[string]any{"question_id": question, "language": language, "code": code, "inputs": inputs}
}

// A run is queued with the samples and the inputs, readable by its owner
// at its Location, and never among the learner's submissions or progress.
func TestRunIsNotASubmission(t *testing.T) {
	eachView(t, Config{}, func(t *testing.T, h *harness) {
		r := h.send(t, "POST", "/api/runs", h.alice, runBody("a-plus-b", "python", "print(3)", "5 6\n", ""))
		if r.status != http.StatusAccepted {
			t.Fatalf("POST /api/runs: %d %s", r.status, r.body)
		}
		var run codementor.Submission
		r.decode(t, &run)
		if !run.IsRun() || run.Run == nil || !run.Run.Samples || run.Run.From != codementor.RunFromPage || len(run.Run.Cases) != 2 ||
			run.Run.Cases[0].Input != "5 6\n" || run.Status != codementor.StatusQueued {
			t.Fatalf("queued run: %+v", run)
		}
		if loc := r.header.Get("Location"); loc != "/api/runs/"+run.ID {
			t.Errorf("Location %q", loc)
		}
		if g := h.send(t, "GET", "/api/runs/"+run.ID, h.alice, nil); g.status != http.StatusOK {
			t.Errorf("GET own run: %d %s", g.status, g.body)
		}
		if g := h.send(t, "GET", "/api/runs/"+run.ID, h.bob, nil); g.status != http.StatusNotFound {
			t.Errorf("GET another's run: %d, want 404", g.status)
		}
		var subs []codementor.Submission
		h.send(t, "GET", "/api/submissions", h.alice, nil).decode(t, &subs)
		if len(subs) != 0 {
			t.Errorf("the run is among the submissions: %+v", subs)
		}
		if g := h.send(t, "GET", "/api/questions", h.alice, nil); strings.Contains(string(g.body), `"attempted"`) {
			t.Errorf("a run counts as an attempt: %s", g.body)
		}
		// A submission's ID is not a run's.
		var sub codementor.Submission
		h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)")).decode(t, &sub)
		if g := h.send(t, "GET", "/api/runs/"+sub.ID, h.alice, nil); g.status != http.StatusNotFound {
			t.Errorf("a submission read as a run: %d", g.status)
		}
	})
}

func TestRunValidation(t *testing.T) {
	h := newHarness(t, Config{})
	many := make([]string, codementor.MaxRunCases+1)
	for _, c := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"no question", runBody("", "python", "print(1)"), "invalid"},
		{"unknown question", runBody("nope", "python", "print(1)"), "unknown_question"},
		{"unknown language", runBody("a-plus-b", "cobol", "x"), "unsupported_language"},
		{"language no judge runs", runBody("a-plus-b", "java", "x"), "unsupported_language"},
		{"blank code", runBody("a-plus-b", "python", "  "), "invalid"},
		{"too many inputs", runBody("a-plus-b", "python", "print(1)", many...), "invalid"},
	} {
		r := h.send(t, "POST", "/api/runs", h.alice, c.body)
		if r.status != http.StatusUnprocessableEntity || r.errorCode() != c.code {
			t.Errorf("%s: %d %s, want 422 %s", c.name, r.status, r.body, c.code)
		}
	}
}

// Runs have their own limit, apart from submissions'.
func TestRunsInFlightLimit(t *testing.T) {
	eachView(t, Config{MaxInFlight: 1, MaxRunsInFlight: 2}, func(t *testing.T, h *harness) {
		post := func() response {
			return h.send(t, "POST", "/api/runs", h.alice, runBody("a-plus-b", "python", "print(3)"))
		}
		var first codementor.Submission
		post().decode(t, &first)
		if r := post(); r.status != http.StatusAccepted {
			t.Fatalf("second run: %d %s", r.status, r.body)
		}
		if r := post(); r.status != http.StatusTooManyRequests || r.errorCode() != "too_many_runs" {
			t.Fatalf("third run: %d %s, want 429 too_many_runs", r.status, r.body)
		}
		if r := h.send(t, "POST", "/api/submissions", h.alice, submit("a-plus-b", "python", "print(3)")); r.status != http.StatusAccepted {
			t.Errorf("a submission beside two runs: %d %s", r.status, r.body)
		}
		h.p.Submissions.Put(judged(&first, true, time.Now()))
		if r := post(); r.status != http.StatusAccepted {
			t.Errorf("after a run ended: %d %s", r.status, r.body)
		}
	})
}

// The reference solution is stored but never shown.
func TestReferenceIsNeverShown(t *testing.T) {
	h := newHarness(t, Config{})
	q := fixtureQuestion("with-ref")
	q.Reference = &codementor.Solution{Language: "python", Code: "print(SECRET_REFERENCE)"}
	if r := h.send(t, "PUT", "/api/questions/with-ref", h.admin, q); r.status != http.StatusCreated || strings.Contains(string(r.body), "SECRET_REFERENCE") {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	stored, err := h.p.Questions.Get("with-ref")
	if err != nil || stored.Reference == nil {
		t.Fatalf("reference not stored: %+v %v", stored, err)
	}
	r := h.send(t, "GET", "/api/questions/with-ref", h.alice, nil)
	if strings.Contains(string(r.body), "SECRET_REFERENCE") || !strings.Contains(string(r.body), `"has_reference":true`) {
		t.Errorf("GET shows the reference or hides that there is one: %s", r.body)
	}
	q.Reference.Language = "cobol"
	if r := h.send(t, "PUT", "/api/questions/with-ref", h.admin, q); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a reference in an unknown language: %d %s", r.status, r.body)
	}
}
