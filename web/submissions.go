package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/views"
)

type submitRequest struct {
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
	// ContestID, if set, is the contest the submission is made in.
	ContestID string `json:"contest_id,omitempty"`
}

// emitTimeout bounds the wait for the brokers to acknowledge a submission.
const emitTimeout = 10 * time.Second

func (s *Server) createSubmission(c echo.Context) error {
	began := time.Now()
	var req submitRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.QuestionID == "" {
		return invalid("question_id is required")
	}
	if err := s.validateCode(req.Language, req.Code); err != nil {
		return err
	}
	// A contest's window is checked at the time the submission is made
	// at: the time it keeps. A submission in a contest needs only that the
	// question exists: the contest's checks (it has started, the question
	// is in it) make it visible, and before the start the learner is told
	// the contest has not started rather than that the question is unknown.
	var at time.Time
	if req.ContestID != "" {
		if err := s.checkQuestion(req.QuestionID, s.exists); err != nil {
			return err
		}
		at = s.now().UTC()
		if err := s.checkContest(req.ContestID, req.QuestionID, identity(c), at); err != nil {
			return err
		}
	} else if err := s.checkQuestion(req.QuestionID, s.visibleTo(identity(c))); err != nil {
		return err
	}
	sub, err := s.intake(c.Request().Context(), identity(c), &codementor.SubmissionRequest{
		QuestionID: req.QuestionID, Language: req.Language, Code: req.Code, ContestID: req.ContestID, CreatedAt: at}, s.checkInFlight)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/submissions/"+sub.ID)
	metrics.IntakeSeconds.WithLabelValues("total").Observe(time.Since(began).Seconds())
	return c.JSON(http.StatusAccepted, sub)
}

// inFlightRetry is the Retry-After of a submission refused for the
// learner's limit: about the time a typical submission takes to be judged.
const inFlightRetry = 5 * time.Second

// checkInFlight refuses a submission of user beyond the limit of
// submissions in flight (queued or being judged). The learners table knows
// those of every web instance; those this instance accepted in the last
// moments may not have reached it yet, and count too until judged.
func (s *Server) checkInFlight(user string) error {
	if s.cfg.MaxInFlight <= 0 {
		return nil
	}
	ids, err := s.Learners.InFlight(user)
	if err != nil {
		return err
	}
	for _, p := range s.pending.forUser(user, s.now()) {
		if !p.IsRun() {
			ids = append(ids, p.ID)
		}
	}
	// A submission whose verdict this instance's view has is not in flight,
	// whatever the learners table (which may lag) says.
	inFlight := map[string]bool{}
	for _, id := range ids {
		if sub, err := s.Submissions.Get(id); err != nil || sub.Verdict == "" && !sub.Final() {
			inFlight[id] = true
		}
	}
	if n := len(inFlight); n >= s.cfg.MaxInFlight {
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_in_flight", RetryAfter: inFlightRetry,
			Message: fmt.Sprintf("you have %d submissions waiting or being judged, and at most %d may be; submit again once one has its verdict", n, s.cfg.MaxInFlight)}
	}
	return nil
}

// userLocks serializes work per user.
type userLocks struct {
	mu    sync.Mutex
	locks map[string]*userLock
}

type userLock struct {
	sync.Mutex
	users int // holders and waiters
}

// lock locks user's lock and returns its unlock.
func (u *userLocks) lock(user string) (unlock func()) {
	u.mu.Lock()
	if u.locks == nil {
		u.locks = map[string]*userLock{}
	}
	l := u.locks[user]
	if l == nil {
		l = &userLock{}
		u.locks[user] = l
	}
	l.users++
	u.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		u.mu.Lock()
		if l.users--; l.users == 0 {
			delete(u.locks, user)
		}
		u.mu.Unlock()
	}
}

// validateCode checks a language (known, and run by some judge) and code.
func (s *Server) validateCode(language, code string) error {
	switch {
	case language == "":
		return invalid("language is required; GET /api/languages lists them")
	case !codementor.KnownLanguage(language):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "unsupported_language",
			Message: fmt.Sprintf("language %q is not supported; GET /api/languages lists the supported ones", language)}
	case strings.TrimSpace(code) == "":
		return invalid("code is empty")
	case len(code) > codementor.MaxCodeBytes:
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("code is %d bytes; at most %d are allowed", len(code), codementor.MaxCodeBytes)}
	case !utf8.ValidString(code) || strings.ContainsRune(code, 0):
		return invalid("code must be UTF-8 text without NUL bytes")
	}
	if _, err := s.Runtimes.Get(language); err != nil {
		if errors.Is(err, views.ErrNotFound) {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "unsupported_language",
				Message: fmt.Sprintf("no judge of this deployment can run %q yet; GET /api/languages lists the available ones", language)}
		}
		return err
	}
	return nil
}

// checkQuestion checks that question id is found by find (s.exists, or
// s.visibleTo a caller): unknown_question otherwise.
func (s *Server) checkQuestion(id string, find func(id string) (*codementor.Question, error)) error {
	if _, err := find(id); err != nil {
		if errors.Is(err, views.ErrNotFound) {
			return &Error{Status: http.StatusUnprocessableEntity, Code: "unknown_question",
				Message: fmt.Sprintf("question %q does not exist; GET /api/questions lists them", id)}
		}
		return err
	}
	return nil
}

// exists returns question id whoever asks, or an error wrapping
// views.ErrNotFound.
func (s *Server) exists(id string) (*codementor.Question, error) { return s.Questions.Get(id) }

// visibleTo returns a finder of the questions who may see: those that
// exist and are not withheld from who (see withheld); any other is an
// error wrapping views.ErrNotFound.
func (s *Server) visibleTo(who auth.Identity) func(id string) (*codementor.Question, error) {
	return func(id string) (*codementor.Question, error) {
		q, err := s.Questions.Get(id)
		if err != nil {
			return nil, err
		}
		withheld, err := s.withheld(who)
		if err != nil {
			return nil, err
		}
		if withheld(id) {
			return nil, fmt.Errorf("question %q is withheld until one of its contests starts: %w", id, views.ErrNotFound)
		}
		return q, nil
	}
}

// lookup returns the submission if the caller may see it: its owner or an
// admin. Anyone else gets 404, as if it did not exist.
func (s *Server) lookup(c echo.Context, id string) (*codementor.Submission, error) {
	sub, err := s.Submissions.Get(id)
	if errors.Is(err, views.ErrNotFound) {
		sub = s.pending.get(id, s.now())
		if sub == nil {
			sub = s.awaitRecent(c.Request().Context(), id)
		}
		if sub == nil {
			return nil, notFound(fmt.Sprintf("submission %q", id))
		}
	} else if err != nil {
		return nil, err
	}
	if who := identity(c); sub.User != who.User && !who.Admin {
		return nil, notFound(fmt.Sprintf("submission %q", id))
	}
	return sub, nil
}

// recentSubmission and recentWait: a submission whose ID says it was
// accepted in the last recentSubmission, but that this instance's view does
// not hold yet (another web instance accepted it a moment ago, or this one
// did before it restarted), is waited for up to recentWait.
const (
	recentSubmission = 2 * time.Minute
	recentWait       = 5 * time.Second
)

// awaitRecent waits for a recently accepted submission to reach the view;
// nil if id is not recent or it did not come in time.
func (s *Server) awaitRecent(ctx context.Context, id string) *codementor.Submission {
	at, ok := codementor.SubmissionIDTime(id)
	if now := s.now(); !ok || at.Before(now.Add(-recentSubmission)) || at.After(now.Add(time.Minute)) {
		return nil
	}
	sub, err := s.Submissions.Lookup(ctx, id, recentWait)
	if err != nil {
		return nil
	}
	return sub
}

func (s *Server) getSubmission(c echo.Context) error {
	sub, err := s.lookup(c, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		*codementor.Submission
		Percentile *percentile `json:"percentile,omitempty"`
	}{sub, s.percentileOf(sub)})
}

// listSubmissions returns the caller's submissions, newest first (limit, at
// most 500, default 50), of one question if question_id is given.
func (s *Server) listSubmissions(c echo.Context) error {
	limit := 50
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return invalid("limit must be a whole number from 1 to 500")
		}
		limit = n
	}
	out, err := s.userSubmissions(identity(c).User, c.QueryParam("question_id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// userSubmissions returns user's submissions, of question if it is not
// empty, newest first, at most limit of them (0: all).
func (s *Server) userSubmissions(user, question string, limit int) ([]*codementor.Submission, error) {
	return s.userItems(user, false, func(sub *codementor.Submission) bool {
		return question == "" || sub.QuestionID == question
	}, limit)
}

// userItems returns user's submissions, or with runs their runs, that keep
// accepts, newest first, at most limit of them (0: all): those this
// instance accepted that its view has not caught up with, then the view's.
func (s *Server) userItems(user string, runs bool, keep func(*codementor.Submission) bool, limit int) ([]*codementor.Submission, error) {
	out := []*codementor.Submission{}
	full := func() bool { return limit > 0 && len(out) >= limit }
	for _, p := range s.pending.forUser(user, s.now()) {
		if _, err := s.Submissions.Get(p.ID); errors.Is(err, views.ErrNotFound) && p.IsRun() == runs && keep(p) && !full() {
			out = append(out, p)
		}
	}
	ids := s.Submissions.UserSubmissions(user)
	if runs {
		ids = s.Submissions.UserRuns(user)
	}
	for _, id := range ids {
		if full() {
			break
		}
		sub, err := s.Submissions.Get(id)
		if errors.Is(err, views.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if keep(sub) {
			out = append(out, sub)
		}
	}
	return out, nil
}

// pending holds submissions this instance accepted that its view has not
// caught up with yet, so that the Location it returned answers at once. It
// is read on every submission (the learner's in-flight count), so it is
// indexed by user, and the expired go at most once a second: a burst holds
// thousands.
type pending struct {
	mu     sync.Mutex
	items  map[string]pendingItem
	byUser map[string]map[string]struct{} // user → IDs of items
	swept  time.Time
}

type pendingItem struct {
	sub     *codementor.Submission
	expires time.Time
}

// pendingTTL is how long an accepted submission is served from memory.
const pendingTTL = time.Minute

func (p *pending) add(sub *codementor.Submission, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.items == nil {
		p.items, p.byUser = map[string]pendingItem{}, map[string]map[string]struct{}{}
	}
	if now.Sub(p.swept) >= time.Second {
		p.swept = now
		for id, it := range p.items {
			if now.After(it.expires) {
				p.removeLocked(id, it.sub.User)
			}
		}
	}
	p.items[sub.ID] = pendingItem{sub: sub, expires: now.Add(pendingTTL)}
	if p.byUser[sub.User] == nil {
		p.byUser[sub.User] = map[string]struct{}{}
	}
	p.byUser[sub.User][sub.ID] = struct{}{}
}

func (p *pending) removeLocked(id, user string) {
	delete(p.items, id)
	if subs := p.byUser[user]; subs != nil {
		if delete(subs, id); len(subs) == 0 {
			delete(p.byUser, user)
		}
	}
}

func (p *pending) get(id string, now time.Time) *codementor.Submission {
	p.mu.Lock()
	defer p.mu.Unlock()
	if it, ok := p.items[id]; ok && now.Before(it.expires) {
		return it.sub
	}
	return nil
}

// forUser returns user's pending submissions, newest first.
func (p *pending) forUser(user string, now time.Time) []*codementor.Submission {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*codementor.Submission
	for id := range p.byUser[user] {
		if it := p.items[id]; now.Before(it.expires) {
			out = append(out, it.sub)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}
