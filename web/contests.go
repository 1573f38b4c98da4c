package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/views"
)

// contestSummary is a contest in the list.
type contestSummary struct {
	ID             string             `json:"id"`
	Title          string             `json:"title"`
	Start          time.Time          `json:"start"`
	End            time.Time          `json:"end"`
	Phase          codementor.Phase   `json:"phase"`
	Scoring        codementor.Scoring `json:"scoring"`
	FreezeMinutes  int                `json:"freeze_minutes"`
	QuestionCount  int                `json:"question_count"`
	CanParticipate bool               `json:"can_participate"`
}

// contestDetail is a contest as GET /api/contests/:id shows it.
type contestDetail struct {
	codementor.Contest
	Questions []contestQuestion `json:"questions"`
	// QuestionsHidden says the questions are withheld until the start.
	QuestionsHidden bool             `json:"questions_hidden"`
	Phase           codementor.Phase `json:"phase"`
	// Now is the server's time, for countdowns.
	Now            time.Time `json:"now"`
	Frozen         bool      `json:"frozen"`
	CanParticipate bool      `json:"can_participate"`
}

// contestQuestion is a question of a contest with what the questions
// table says of it.
type contestQuestion struct {
	QuestionID string `json:"question_id"`
	Label      string `json:"label"`
	Points     int    `json:"points"`
	Title      string `json:"title"`
	Difficulty string `json:"difficulty"`
}

// canParticipate reports whether who may submit to c, now or once it
// starts: c is open to them and not over.
func canParticipate(c *codementor.Contest, who auth.Identity, now time.Time) bool {
	return c.Open(who.User) && c.Phase(now) != codementor.PhaseOver
}

// listContests lists every contest, newest start first.
func (s *Server) listContests(c echo.Context) error {
	list, err := s.Contests.List()
	if err != nil {
		return err
	}
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b *codementor.Contest) int {
		if d := b.Start.Compare(a.Start); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	now, who := s.now(), identity(c)
	out := make([]contestSummary, 0, len(list))
	for _, ct := range list {
		out = append(out, contestSummary{ID: ct.ID, Title: ct.Title, Start: ct.Start, End: ct.End, Phase: ct.Phase(now),
			Scoring: ct.Scoring, FreezeMinutes: ct.FreezeMinutes, QuestionCount: len(ct.Questions),
			CanParticipate: canParticipate(ct, who, now)})
	}
	return c.JSON(http.StatusOK, out)
}

// contest returns the contest id, or a 404.
func (s *Server) contest(id string) (*codementor.Contest, error) {
	ct, err := s.Contests.Get(id)
	if errors.Is(err, views.ErrNotFound) {
		return nil, notFound(fmt.Sprintf("contest %q", id))
	}
	return ct, err
}

// getContest shows a contest. Its questions are withheld from learners
// until it starts; its participant list is shown to admins only.
func (s *Server) getContest(c echo.Context) error {
	ct, err := s.contest(c.Param("id"))
	if err != nil {
		return err
	}
	now, who := s.now(), identity(c)
	d := contestDetail{Contest: *ct, Questions: []contestQuestion{}, Phase: ct.Phase(now), Now: now.UTC(),
		Frozen: ct.Frozen(now), CanParticipate: canParticipate(ct, who, now)}
	if !who.Admin {
		d.Participants = nil
	}
	if d.Phase == codementor.PhaseUpcoming && !who.Admin {
		d.QuestionsHidden = true
		return c.JSON(http.StatusOK, d)
	}
	for _, q := range ct.Questions {
		cq := contestQuestion{QuestionID: q.QuestionID, Label: q.Label, Points: q.Points}
		if v, err := s.Questions.Get(q.QuestionID); err == nil {
			cq.Title, cq.Difficulty = v.Title, v.Difficulty
		} else if !errors.Is(err, views.ErrNotFound) {
			return err
		}
		d.Questions = append(d.Questions, cq)
	}
	return c.JSON(http.StatusOK, d)
}

// putContest creates or replaces a contest (admins only). Its questions
// must exist.
func (s *Server) putContest(c echo.Context) error {
	if !identity(c).Admin {
		return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "only admins may create or change contests"}
	}
	id := c.Param("id")
	var ct codementor.Contest
	if err := bind(c, &ct); err != nil {
		return err
	}
	if ct.ID == "" {
		ct.ID = id
	}
	if ct.ID != id {
		return invalid("the body's id %q differs from the path's %q", ct.ID, id)
	}
	ct.Normalize()
	if err := ct.Validate(); err != nil {
		return err
	}
	var unknown []string
	for _, q := range ct.Questions {
		if _, err := s.Questions.Get(q.QuestionID); errors.Is(err, views.ErrNotFound) {
			unknown = append(unknown, q.QuestionID)
		} else if err != nil {
			return err
		}
	}
	if len(unknown) > 0 {
		return invalid("no such question: %s; create the questions first (PUT /api/questions/{id})", strings.Join(unknown, ", "))
	}
	ct.UpdatedAt = s.now().UTC()
	status := http.StatusOK
	if _, err := s.Contests.Get(id); errors.Is(err, views.ErrNotFound) {
		status = http.StatusCreated
	}
	if err := s.ContestEmitter.Emit(c.Request().Context(), ct.ID, &ct); err != nil {
		return unavailable(err)
	}
	// Read-your-writes, as putQuestion does.
	ctx, cancel := context.WithTimeout(c.Request().Context(), viewWait)
	defer cancel()
	if _, err := s.Contests.Await(ctx, ct.ID, func(v *codementor.Contest) bool { return !v.UpdatedAt.Before(ct.UpdatedAt) }); err != nil {
		s.Log.Warn("the contests view did not show a contest just written", "contest", ct.ID, "err", err)
	}
	return c.JSON(status, ct)
}

// checkContest checks a submission of who to question in contest id at
// at: the contest exists and has the question, is running, and is open to
// who. Nothing is emitted when it refuses.
func (s *Server) checkContest(id, question string, who auth.Identity, at time.Time) error {
	ct, err := s.Contests.Get(id)
	if errors.Is(err, views.ErrNotFound) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "unknown_contest",
			Message: fmt.Sprintf("contest %q does not exist; GET /api/contests lists them", id)}
	}
	if err != nil {
		return err
	}
	if _, ok := ct.Question(question); !ok {
		return &Error{Status: http.StatusUnprocessableEntity, Code: "question_not_in_contest",
			Message: fmt.Sprintf("question %q is not in contest %q; GET /api/contests/%s lists its questions", question, id, id)}
	}
	switch ct.Phase(at) {
	case codementor.PhaseUpcoming:
		return &Error{Status: http.StatusForbidden, Code: "contest_not_started",
			Message: fmt.Sprintf("contest %q starts at %s; submit then", id, ct.Start.Format(time.RFC3339))}
	case codementor.PhaseOver:
		return &Error{Status: http.StatusForbidden, Code: "contest_over",
			Message: fmt.Sprintf("contest %q ended at %s; submit without contest_id to practise", id, ct.End.Format(time.RFC3339))}
	}
	if !ct.Open(who.User) {
		return &Error{Status: http.StatusForbidden, Code: "not_a_participant",
			Message: fmt.Sprintf("you are not among the participants of contest %q", id)}
	}
	return nil
}

// withheld returns whether a question is withheld from who: a learner does
// not see, nor submit or run code to, a question that is in a contest
// while none of its contests has started (a coding test's problems are
// secret until it starts). A question in no contest, or in one that has
// started, is public; admins see every question.
func (s *Server) withheld(who auth.Identity) (func(question string) bool, error) {
	if who.Admin {
		return func(string) bool { return false }, nil
	}
	contests, err := s.Contests.List()
	if err != nil {
		return nil, err
	}
	now := s.now()
	secret := map[string]bool{} // question → withheld so far
	for _, ct := range contests {
		started := ct.Phase(now) != codementor.PhaseUpcoming
		for _, q := range ct.Questions {
			if hidden, seen := secret[q.QuestionID]; !seen || hidden {
				secret[q.QuestionID] = !started // public once any of its contests started
			}
		}
	}
	return func(question string) bool { return secret[question] }, nil
}
