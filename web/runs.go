package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/views"
)

// Runs: code run on the question's samples and the learner's own inputs
// (the page's Run button), or on any input (the Judge0 API). A run travels
// as a submission does, through Kafka to the same judges, and streams the
// same way, but it is not a submission: not reviewed, not in the learner's
// history or progress, limited apart, deleted after the run retention.

type runRequest struct {
	QuestionID string   `json:"question_id"`
	Language   string   `json:"language"`
	Code       string   `json:"code"`
	Inputs     []string `json:"inputs"`
}

// DefaultMaxRunsInFlight caps a user's runs queued or being judged.
const DefaultMaxRunsInFlight = 100

func (s *Server) createRun(c echo.Context) error {
	var req runRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.QuestionID == "" {
		return invalid("question_id is required")
	}
	run := &codementor.Run{From: codementor.RunFromPage, Samples: true, Cases: make([]codementor.RunCase, 0, len(req.Inputs))}
	for _, in := range req.Inputs {
		run.Cases = append(run.Cases, codementor.RunCase{Input: in})
	}
	sub, err := s.submitRun(c.Request().Context(), identity(c), &codementor.SubmissionRequest{
		QuestionID: req.QuestionID, Language: req.Language, Code: req.Code, Kind: codementor.KindRun, Run: run})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/runs/"+sub.ID)
	return c.JSON(http.StatusAccepted, sub)
}

// submitRun queues the run r for who: it checks the language, the code, the
// question if it names one, the run's cases and options and its callback
// URL, and the caller's runs in flight; sets r's ID, user and creation time;
// emits it; and returns its queued state, readable at once through lookup.
func (s *Server) submitRun(ctx context.Context, who auth.Identity, r *codementor.SubmissionRequest) (*codementor.Submission, error) {
	if r.Kind != codementor.KindRun || r.Run == nil {
		return nil, errors.New("submitRun: not a run") // a caller's bug
	}
	if err := s.validateCode(r.Language, r.Code); err != nil {
		return nil, err
	}
	if r.QuestionID != "" {
		if err := s.checkQuestion(r.QuestionID, s.visibleTo(who)); err != nil {
			return nil, err
		}
	}
	if err := r.Run.Validate(r.Language); err != nil {
		return nil, &Error{Status: http.StatusUnprocessableEntity, Code: "invalid",
			Message: strings.TrimPrefix(err.Error(), codementor.ErrInvalid.Error()+": ")}
	}
	if len(r.Run.Files) > 0 {
		if _, err := archive.Unzip(r.Run.Files, archive.Limits{}); err != nil {
			return nil, &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: "files: " + err.Error()}
		}
	}
	if u := r.Run.CallbackURL; u != "" {
		if err := s.Callbacks.Check(ctx, u); err != nil {
			return nil, &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_callback", Message: err.Error()}
		}
	}
	return s.intake(ctx, who, r, s.checkRunsInFlight)
}

// intake queues r for who: one request of a user at a time on this
// instance, checked by limit first (admins are exempt), then emitted; the
// queued state is served from memory until the view has it. r.CreatedAt,
// when the caller set it, is kept: the time the caller checked r at.
func (s *Server) intake(ctx context.Context, who auth.Identity, r *codementor.SubmissionRequest, limit func(user string) error) (*codementor.Submission, error) {
	// One user's requests are checked against the limit and queued one at
	// a time on this instance: parallel requests cannot all slip in.
	unlock := s.userLocks.lock(who.User)
	defer unlock()
	locked := time.Now()
	if !who.Admin {
		if err := limit(who.User); err != nil {
			return nil, err
		}
	}
	checked := time.Now()
	metrics.IntakeSeconds.WithLabelValues("check").Observe(checked.Sub(locked).Seconds())
	now := s.now().UTC()
	r.ID, r.User = codementor.NewSubmissionID(now), who.User
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	ctx, cancel := context.WithTimeout(ctx, emitTimeout)
	defer cancel()
	if err := s.SubmissionEmitter.Emit(ctx, r.ID, r); err != nil {
		return nil, unavailable(err)
	}
	metrics.IntakeSeconds.WithLabelValues("emit").Observe(time.Since(checked).Seconds())
	sub := codementor.NewSubmission(r, now)
	s.pending.add(sub, now)
	return sub, nil
}

// checkRunsInFlight refuses a run of user beyond the limit of runs queued
// or being judged.
func (s *Server) checkRunsInFlight(user string) error {
	limit := s.cfg.MaxRunsInFlight
	if limit <= 0 {
		return nil
	}
	// The view's runs in flight, and those this instance accepted that the
	// view may not show yet or shows still in flight.
	inFlight := map[string]bool{}
	for _, id := range s.Submissions.UserActiveRuns(user) {
		inFlight[id] = true
	}
	for _, p := range s.pending.forUser(user, s.now()) {
		if sub, err := s.Submissions.Get(p.ID); p.IsRun() && (err != nil || !sub.Final()) {
			inFlight[p.ID] = true
		}
	}
	n := len(inFlight)
	if n >= limit {
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_runs", RetryAfter: inFlightRetry,
			Message: fmt.Sprintf("you have %d runs waiting or running, and at most %d may be; run again once one has ended", n, limit)}
	}
	return nil
}

// getRun returns one of the caller's runs.
func (s *Server) getRun(c echo.Context) error {
	sub, err := s.lookupRun(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sub)
}

// lookupRun is lookup for runs: a submission's ID is not a run's.
func (s *Server) lookupRun(c echo.Context, id string) (*codementor.Submission, error) {
	sub, err := s.lookup(c, id)
	if err != nil {
		return nil, err
	}
	if !sub.IsRun() {
		return nil, notFound(fmt.Sprintf("run %q", id))
	}
	return sub, nil
}

// awaitFinal returns the submission id once it is final, or its latest
// state when ctx ends first.
func (s *Server) awaitFinal(ctx context.Context, id string) (*codementor.Submission, error) {
	sub, err := s.Submissions.Await(ctx, id, func(v *codementor.Submission) bool { return v.Final() })
	if err == nil {
		return sub, nil
	}
	if latest, gerr := s.Submissions.Get(id); gerr == nil {
		return latest, nil
	}
	if p := s.pending.get(id, s.now()); p != nil {
		return p, nil
	}
	if errors.Is(err, views.ErrNotFound) {
		return nil, notFound(fmt.Sprintf("run %q", id))
	}
	return nil, err
}

// runWait bounds a wait for a run to end (the Judge0 API's wait=true): the
// longest a run may be judged, and a margin for the queue.
const runWait = 60 * time.Second
