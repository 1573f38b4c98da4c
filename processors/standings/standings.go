// Package standings is the processor group that keeps the contests'
// leaderboard rows: one Standing per contest participant, keyed by
// ContestRowKey(contest, user), holding the current judgement of each of
// their contest submissions. The tracker sends a Result for every judgement
// of a contest submission (a rejudge's too); the web tier ranks a contest's
// rows through a view of the table. Results may come more than once: a
// result already applied, or one of an older round than the entry holds,
// changes nothing.
package standings

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
)

// Graph returns the standings group's graph. Results are decoded inside
// the callback, so an undecodable one goes to the dead-letter topic, as
// does one whose key is not its contest row's.
func Graph(log *slog.Logger) *goka.GroupGraph {
	s := &standings{now: time.Now, log: log}
	return goka.DefineGroup(codementor.StandingsGroup,
		deadletter.Input(codementor.ContestResults, codementor.StandingsGroup, log, s.result),
		deadletter.Output(),
		goka.Persist(new(codementor.StandingCodec)),
	)
}

type standings struct {
	now func() time.Time
	log *slog.Logger
}

func (s *standings) result(ctx goka.Context, r *codementor.Result) {
	if err := Check(ctx.Key(), r); err != nil {
		deadletter.Refuse(ctx, codementor.StandingsGroup, s.log, r, err)
		return
	}
	var cur *codementor.Standing
	if v := ctx.Value(); v != nil {
		cur = v.(*codementor.Standing)
	}
	if next := codementor.ApplyResult(cur, r, s.now().UTC()); next != nil {
		ctx.SetValue(next)
	}
}

// Check reports why a result under key cannot be applied to a standing: it
// names no contest, user, submission or question, or key is not its
// contest row's.
func Check(key string, r *codementor.Result) error {
	switch {
	case r.ContestID == "" || r.User == "" || r.SubmissionID == "" || r.QuestionID == "":
		return fmt.Errorf("result of submission %q lacks its contest, user, submission or question", r.SubmissionID)
	case key != codementor.ContestRowKey(r.ContestID, r.User):
		return fmt.Errorf("result of submission %s is keyed %q, not by its contest row %q", r.SubmissionID, key, codementor.ContestRowKey(r.ContestID, r.User))
	}
	return nil
}
