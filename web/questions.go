package web

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"reflect"
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
	// Rejudge offers, in the answer to an admin's edit of the question's
	// tests, to judge its submissions again.
	Rejudge *rejudgeOffer `json:"rejudge,omitempty"`
}

// rejudgeOffer says how many submissions an edit of a question's tests may
// have judged wrongly, and where to have them judged again.
type rejudgeOffer struct {
	Submissions int    `json:"submissions"`
	URL         string `json:"url"`
}

// judgingChanged reports whether an edit changes what a submission's
// verdict depends on: the tests, their subtasks, the checker, the limits.
func judgingChanged(old, rec *codementor.Question) bool {
	return !codementor.SameTestData(old, rec) || !reflect.DeepEqual(old.Subtasks, rec.Subtasks) || old.Checker != rec.Checker ||
		old.TimeLimitMS != rec.TimeLimitMS || old.MemoryLimitMB != rec.MemoryLimitMB || !maps.Equal(old.Drivers, rec.Drivers) ||
		old.StopOnFailure != rec.StopOnFailure || old.RunAllTests != rec.RunAllTests
}

func public(q *codementor.Question) publicQuestion {
	p := publicQuestion{Question: *q, Tests: []codementor.Test{}, TestCount: len(q.Tests)}
	p.Drivers = nil // the judge's own code
	// Where the hidden tests' data is stored is the server's business.
	p.TestData = nil
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
	withheld, err := s.withheld(identity(c))
	if err != nil {
		return err
	}
	out := make([]questionSummary, 0, len(qs))
	for _, q := range qs {
		if withheld(q.ID) {
			continue
		}
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
	q, err := s.visibleTo(identity(c))(c.Param("id"))
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
	rec, chunks := codementor.SplitTestData(&q, 0)
	if err := checkRecordSize(rec); err != nil {
		return err
	}
	unlock := s.questionLocks.lock(id)
	defer unlock()
	ctx := c.Request().Context()
	status := http.StatusOK
	old, err := s.Questions.Get(id)
	switch {
	case errors.Is(err, views.ErrNotFound):
		status, old = http.StatusCreated, nil
	case err != nil:
		return err
	}
	if err := s.storeQuestion(ctx, old, rec, chunks); err != nil {
		return err
	}
	// Read-your-writes: answer once this instance's view holds the write,
	// so the caller's next request here (a GET, a submission to the new
	// question) sees it. The write is durable already; a view that does not
	// catch up within the bound only delays the answer.
	wctx, cancel := context.WithTimeout(ctx, viewWait)
	defer cancel()
	if _, err := s.Questions.Await(wctx, rec.ID, func(v *codementor.Question) bool { return !v.UpdatedAt.Before(rec.UpdatedAt) }); err != nil {
		s.Log.Warn("the questions view did not show a question just written", "question", rec.ID, "err", err)
	}
	out := public(rec)
	if old != nil && judgingChanged(old, rec) {
		if n := len(s.Submissions.QuestionSubmissions(rec.ID)); n > 0 {
			out.Rejudge = &rejudgeOffer{Submissions: n, URL: "/api/questions/" + rec.ID + "/rejudge"}
		}
	}
	return c.JSON(status, out)
}

// checkRecordSize refuses a record too large for a Kafka message.
func checkRecordSize(rec *codementor.Question) error {
	b, err := new(codementor.QuestionCodec).Encode(rec)
	if err != nil {
		return fmt.Errorf("encode question %s: %w", rec.ID, err)
	}
	if len(b) > codementor.MaxQuestionRecordBytes {
		return invalid("the question without its hidden tests' data (statement, starter code, drivers, reference and sample tests) is %d bytes encoded, at most %d (%d KiB) allowed",
			len(b), codementor.MaxQuestionRecordBytes, codementor.MaxQuestionRecordBytes>>10)
	}
	return nil
}

// storeQuestion writes rec, the record of a question, replacing old (nil:
// none): first its test data's chunks, unless old has the same version
// (they are stored already), then the record, then it deletes the chunks
// of old's version. A reader of any record thus finds its chunks, but for
// a record replaced meanwhile. What fails leaves the question as it was.
func (s *Server) storeQuestion(ctx context.Context, old, rec *codementor.Question, chunks iter.Seq[*codementor.TestDataChunk]) error {
	version := func(q *codementor.Question) string {
		if q == nil || q.TestData == nil {
			return ""
		}
		return q.TestData.Version
	}
	fresh := rec.TestData != nil && version(old) != rec.TestData.Version
	if fresh {
		if s.TestData == nil {
			return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
				Message: fmt.Sprintf("this server cannot store questions with more than %d bytes of test data", codementor.InlineTestDataBytes)}
		}
		start := time.Now()
		if err := s.TestData.Put(ctx, chunks); err != nil {
			s.forget(ctx, rec, "not every chunk could be written")
			return unavailable(err)
		}
		s.Log.Info("test data stored", "question", rec.ID, "version", rec.TestData.Version, "bytes", rec.TestData.Bytes, "took", time.Since(start))
	}
	if err := s.QuestionEmitter.Emit(ctx, rec.ID, rec); err != nil {
		if fresh {
			s.forget(ctx, rec, "its record could not be written")
		}
		return unavailable(err)
	}
	if old != nil && old.TestData != nil && version(old) != version(rec) {
		s.forget(ctx, old, "a new version replaced it")
	}
	return nil
}

// forget deletes the chunks of q's test data, why, on a context of its
// own: a client gone must not leave them behind. Chunks it fails to delete
// stay in the table, unread, and are logged.
func (s *Server) forget(ctx context.Context, q *codementor.Question, why string) {
	keys := q.TestDataKeys()
	if len(keys) == 0 || s.TestData == nil {
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.TestData.Delete(dctx, keys); err != nil {
		s.Log.Error("could not delete a question's test data; its chunks stay in the table unread", "question", q.ID,
			"version", q.TestData.Version, "chunks", len(keys), "why", why, "err", err)
		return
	}
	s.Log.Info("test data deleted", "question", q.ID, "version", q.TestData.Version, "chunks", len(keys), "why", why)
}

// viewWait bounds the wait for this instance's views to show a write it
// just made.
const viewWait = 5 * time.Second

func unavailable(err error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
		Message: fmt.Sprintf("could not queue the request, nothing was stored; try again: %v", err)}
}
