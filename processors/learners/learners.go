// Package learners is the processor group that keeps, per learner, the
// submissions in flight: accepted and waiting in the queue or being judged.
// The tracker tells it when each starts and stops being in flight; the web
// tier reads the table through a view and refuses a learner's submission
// beyond the limit, whichever web instance takes it. Keeping the set rather
// than a count makes every event idempotent: a redelivered one changes
// nothing.
package learners

import (
	"log/slog"
	"maps"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
)

// MaxAge is how long a submission counts as in flight at most: one whose
// end was never told (a message lost for good) stops counting after it.
const MaxAge = time.Hour

// Graph returns the learners group's graph. Events are decoded inside the
// callback, so an undecodable one goes to the dead-letter topic.
func Graph(log *slog.Logger) *goka.GroupGraph {
	l := &learners{now: time.Now}
	return goka.DefineGroup(codementor.LearnersGroup,
		deadletter.Input(codementor.LearnerEvents, codementor.LearnersGroup, log, l.event),
		deadletter.Output(),
		goka.Persist(new(codementor.LearnerCodec)),
	)
}

type learners struct {
	now func() time.Time
}

func (l *learners) event(ctx goka.Context, ev *codementor.LearnerEvent) {
	var cur *codementor.Learner
	if v := ctx.Value(); v != nil {
		cur = v.(*codementor.Learner)
	}
	if next := Apply(cur, ev, ctx.Key(), l.now()); next != nil {
		ctx.SetValue(next)
	}
}

// Apply folds ev into a copy of cur (nil: none yet) and returns it, or nil
// when nothing changes. Entries older than MaxAge are dropped on the way.
func Apply(cur *codementor.Learner, ev *codementor.LearnerEvent, user string, now time.Time) *codementor.Learner {
	next := &codementor.Learner{User: user, InFlight: map[string]time.Time{}}
	if cur != nil {
		maps.Copy(next.InFlight, cur.InFlight)
	}
	changed := false
	for id, since := range next.InFlight {
		if now.Sub(since) > MaxAge {
			delete(next.InFlight, id)
			changed = true
		}
	}
	_, had := next.InFlight[ev.SubmissionID]
	switch {
	case ev.InFlight && !had && now.Sub(ev.At) <= MaxAge:
		next.InFlight[ev.SubmissionID] = ev.At
		changed = true
	case !ev.InFlight && had:
		delete(next.InFlight, ev.SubmissionID)
		changed = true
	}
	if !changed {
		return nil
	}
	return next
}
