package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// questionSummary is a question in the list.
type questionSummary struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	Difficulty    string `json:"difficulty,omitempty"`
	TimeLimitMS   int    `json:"time_limit_ms"`
	MemoryLimitMB int    `json:"memory_limit_mb"`
	TestCount     int    `json:"test_count"`
	// Status is the caller's progress: "solved" (an accepted submission),
	// "attempted" (judged submissions, none accepted) or "" (none).
	Status string `json:"status"`
	// Submissions counts the caller's judged submissions to it.
	Submissions int `json:"submissions"`
	// LastVerdict is the verdict of the caller's latest judged submission.
	LastVerdict codementor.Verdict `json:"last_verdict,omitempty"`
	// BestScore is the caller's best score on it.
	BestScore int `json:"best_score"`
	// Attempts counts every learner's judged submissions to it, and
	// AcceptanceRate the percent of them accepted.
	Attempts       int     `json:"attempts"`
	AcceptanceRate float64 `json:"acceptance_rate"`
}

// publicQuestion is a question as learners see it: only sample tests, and
// no drivers.
type publicQuestion struct {
	codementor.Question
	Tests       []codementor.Test `json:"tests"`
	TestCount   int               `json:"test_count"`
	HiddenTests int               `json:"hidden_tests"`
	// HasReference says whether the question has a reference solution
	// (never shown): a run's custom inputs are then checked against it.
	HasReference bool `json:"has_reference"`
}

func public(q *codementor.Question) publicQuestion {
	p := publicQuestion{Question: *q, Tests: []codementor.Test{}, TestCount: len(q.Tests)}
	p.Drivers = nil // the judge's own code
	p.HasReference, p.Reference = q.Reference != nil, nil
	for _, t := range q.Tests {
		if t.Hidden {
			p.HiddenTests++
			continue
		}
		p.Tests = append(p.Tests, t)
	}
	return p
}

func (s *Server) listQuestions(c echo.Context) error {
	qs, err := s.Questions.List()
	if err != nil {
		return err
	}
	p, err := s.progressOf(identity(c).User)
	if err != nil {
		return err
	}
	out := make([]questionSummary, 0, len(qs))
	for _, q := range qs {
		st, err := s.statsOf(q.ID)
		if err != nil {
			return err
		}
		sum := questionSummary{ID: q.ID, Title: q.Title, Difficulty: q.Difficulty,
			TimeLimitMS: q.TimeLimitMS, MemoryLimitMB: q.MemoryLimitMB, TestCount: len(q.Tests),
			Attempts: st.Attempts, AcceptanceRate: percent(st.Accepted, st.Attempts)}
		if qp := p.Questions[q.ID]; qp != nil {
			sum.Status, sum.Submissions, sum.LastVerdict, sum.BestScore = qp.Status(), len(qp.Verdicts), qp.Last, qp.BestScore
		}
		out = append(out, sum)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getQuestion(c echo.Context) error {
	q, err := s.Questions.Get(c.Param("id"))
	if err != nil {
		if errors.Is(err, views.ErrNotFound) {
			return notFound(fmt.Sprintf("question %q", c.Param("id")))
		}
		return err
	}
	return c.JSON(http.StatusOK, public(q))
}

// putQuestion creates or replaces a question (admins only).
func (s *Server) putQuestion(c echo.Context) error {
	if !identity(c).Admin {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only admins may create or change questions"}
	}
	id := c.Param("id")
	var q codementor.Question
	if err := bind(c, &q); err != nil {
		return err
	}
	if q.ID == "" {
		q.ID = id
	}
	if q.ID != id {
		return invalid("the body's id %q differs from the path's %q", q.ID, id)
	}
	q.Normalize()
	if err := q.Validate(); err != nil {
		return err
	}
	q.UpdatedAt = s.now().UTC()
	status := http.StatusOK
	if _, err := s.Questions.Get(id); errors.Is(err, views.ErrNotFound) {
		status = http.StatusCreated
	}
	if err := s.QuestionEmitter.Emit(c.Request().Context(), q.ID, &q); err != nil {
		return unavailable(err)
	}
	// Read-your-writes: answer once this instance's view holds the write,
	// so the caller's next request here (a GET, a submission to the new
	// question) sees it. The write is durable already; a view that does not
	// catch up within the bound only delays the answer.
	ctx, cancel := context.WithTimeout(c.Request().Context(), viewWait)
	defer cancel()
	if _, err := s.Questions.Await(ctx, q.ID, func(v *codementor.Question) bool { return !v.UpdatedAt.Before(q.UpdatedAt) }); err != nil {
		s.Log.Warn("the questions view did not show a question just written", "question", q.ID, "err", err)
	}
	return c.JSON(status, public(&q))
}

// viewWait bounds the wait for this instance's views to show a write it
// just made.
const viewWait = 5 * time.Second

func unavailable(err error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
		Message: fmt.Sprintf("could not queue the request, nothing was stored; try again: %v", err)}
}
