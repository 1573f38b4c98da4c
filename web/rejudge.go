package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// rejudgeRequest is the body of a rejudge: why, and which submissions
// (those of one contest, or of one question).
type rejudgeRequest struct {
	// ID names the rejudge; optional. A client that sends the same ID
	// again (a retry after an error) has each submission judged again
	// once, not once per request.
	ID         string `json:"id"`
	Reason     string `json:"reason"`
	ContestID  string `json:"contest_id"`
	QuestionID string `json:"question_id"`
}

// rejudgeResponse says which rejudge was queued and for how many
// submissions.
type rejudgeResponse struct {
	ID          string `json:"id"`
	Submissions int    `json:"submissions"`
	QuestionID  string `json:"question_id,omitempty"`
	ContestID   string `json:"contest_id,omitempty"`
}

// maxRejudgeReason bounds a rejudge's reason, kept in every submission's
// history.
const maxRejudgeReason = 500

// rejudgeQuestion judges again every submission to a question, or those
// of it made in one contest (admins only).
func (s *Server) rejudgeQuestion(c echo.Context) error {
	req, err := s.rejudgeBody(c)
	if err != nil {
		return err
	}
	req.QuestionID = c.Param("id")
	if _, err := s.Questions.Get(req.QuestionID); err != nil {
		if errors.Is(err, views.ErrNotFound) {
			return notFound(fmt.Sprintf("question %q", req.QuestionID))
		}
		return err
	}
	return s.rejudge(c, req, s.Submissions.QuestionSubmissions(req.QuestionID))
}

// rejudgeContest judges again every submission made in a contest, or
// those of one of its questions (admins only).
func (s *Server) rejudgeContest(c echo.Context) error {
	req, err := s.rejudgeBody(c)
	if err != nil {
		return err
	}
	req.ContestID = c.Param("id")
	ct, err := s.contest(req.ContestID)
	if err != nil {
		return err
	}
	if _, ok := ct.Question(req.QuestionID); req.QuestionID != "" && !ok {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "question_not_in_contest",
			Message: fmt.Sprintf("question %q is not in contest %q; GET /api/contests/%s lists its questions", req.QuestionID, req.ContestID, req.ContestID)}
	}
	return s.rejudge(c, req, s.Submissions.ContestSubmissions(req.ContestID))
}

// rejudgeBody checks the caller is an admin and reads the body, which may
// be empty.
func (s *Server) rejudgeBody(c echo.Context) (rejudgeRequest, error) {
	var req rejudgeRequest
	if !identity(c).Admin {
		return req, &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only admins may rejudge submissions"}
	}
	if c.Request().ContentLength != 0 {
		if err := bind(c, &req); err != nil && !errors.Is(err, io.EOF) {
			return req, err
		}
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if len(req.Reason) > maxRejudgeReason {
		return req, invalid("reason is %d bytes, at most %d allowed", len(req.Reason), maxRejudgeReason)
	}
	if req.ID != "" && !codementor.ValidQuestionID(req.ID) {
		return req, invalid("id %q must be 1 to 64 lower-case letters, digits or dashes", req.ID)
	}
	if req.ID == "" {
		req.ID = newRejudgeID()
	}
	return req, nil
}

// rejudgeParallel bounds the rejudges emitted at once.
const rejudgeParallel = 64

// rejudge emits a rejudge of every submission of ids that matches req and
// answers 202 with their count. Each is judged again through the same
// pipeline, in a new round; a rejudge emitted twice with the same ID (a
// redelivery, a client's retry) is applied once per submission.
func (s *Server) rejudge(c echo.Context, req rejudgeRequest, ids []string) error {
	who := identity(c)
	var matched []string
	for _, id := range ids {
		sub, err := s.Submissions.Get(id)
		if err != nil {
			continue // gone from the view: nothing to judge again
		}
		if sub.IsRun() || (req.ContestID != "" && sub.ContestID != req.ContestID) || (req.QuestionID != "" && sub.QuestionID != req.QuestionID) {
			continue
		}
		matched = append(matched, id)
	}
	out := rejudgeResponse{ID: req.ID, Submissions: len(matched), QuestionID: req.QuestionID, ContestID: req.ContestID}
	g, ctx := errgroup.WithContext(c.Request().Context())
	g.SetLimit(rejudgeParallel)
	now := s.now().UTC()
	for _, id := range matched {
		g.Go(func() error {
			ectx, cancel := context.WithTimeout(ctx, emitTimeout)
			defer cancel()
			r := &codementor.Rejudge{ID: out.ID, SubmissionID: id, Reason: req.Reason, By: who.User, At: now}
			if err := s.RejudgeEmitter.Emit(ectx, id, r); err != nil {
				return fmt.Errorf("rejudge %s: %w", id, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable",
			Message: fmt.Sprintf("could not queue every rejudge (some may be queued); send the request again with \"id\": %q, and each submission is judged again once: %v", out.ID, err)}
	}
	s.Log.Info("rejudge queued", "rejudge", out.ID, "question", req.QuestionID, "contest", req.ContestID, "submissions", out.Submissions, "by", who.User)
	return c.JSON(http.StatusAccepted, out)
}

// newRejudgeID returns a new random rejudge ID.
func newRejudgeID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on Linux
	return "rj-" + hex.EncodeToString(b[:])
}
