// Package progress is the processor group that keeps each learner's
// progress: per question, the current verdict of every graded submission,
// the latest submission's verdict and the best score. The tracker sends it a
// Result for every judgement, keyed by user; the web tier reads the table
// through a view to show each learner's status on every question without
// reading their submissions. A Result may come more than once, and a
// rejudge's after the judgement it replaces: the round of each verdict is
// kept, so that the same judgement again or an older one changes nothing.
package progress

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
)

// Graph returns the progress group's graph. Results are decoded and checked
// inside the callback, so one that cannot be read or used goes to the
// dead-letter topic.
func Graph(log *slog.Logger) *goka.GroupGraph {
	p := &processor{now: time.Now}
	return goka.DefineGroup(codementor.ProgressGroup,
		deadletter.CheckedInput(codementor.LearnerResults, codementor.ProgressGroup, log, check, p.result),
		deadletter.Output(),
		goka.Persist(new(codementor.ProgressCodec)),
	)
}

type processor struct {
	now func() time.Time
}

// check refuses a result the table cannot hold: one that does not name its
// submission, question or verdict, or is keyed by another user.
func check(ctx goka.Context, r *codementor.Result) error {
	var errs []error
	if r.SubmissionID == "" || r.QuestionID == "" || r.Judgement.Verdict == "" {
		errs = append(errs, fmt.Errorf("result without a submission ID (%q), question ID (%q) or verdict (%q)", r.SubmissionID, r.QuestionID, r.Judgement.Verdict))
	}
	if r.User != "" && r.User != ctx.Key() {
		errs = append(errs, fmt.Errorf("result of user %q keyed by %q", r.User, ctx.Key()))
	}
	return errors.Join(errs...)
}

func (p *processor) result(ctx goka.Context, r *codementor.Result) {
	var cur *codementor.Progress
	if v := ctx.Value(); v != nil {
		cur = v.(*codementor.Progress)
	}
	if next := Apply(cur, r, ctx.Key(), p.now().UTC()); next != nil {
		ctx.SetValue(next)
	}
}

// Apply folds r into a copy of cur (nil: none yet) and returns it, or nil
// when nothing changes: r's judgement is already there, or one of a later
// round. cur is not changed: the copy shares the questions r is not about.
func Apply(cur *codementor.Progress, r *codementor.Result, user string, now time.Time) *codementor.Progress {
	j := r.Judgement
	var old *codementor.QuestionProgress
	if cur != nil {
		old = cur.Questions[r.QuestionID]
	}
	if old != nil {
		if _, ok := old.Verdicts[r.SubmissionID]; ok && old.Rounds[r.SubmissionID] >= j.Round {
			return nil
		}
	}
	q := &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{}}
	if old != nil {
		*q = *old
		q.Verdicts = maps.Clone(old.Verdicts)
		q.Rounds = maps.Clone(old.Rounds)
		q.Scores = maps.Clone(old.Scores)
	}
	id := r.SubmissionID
	q.Verdicts[id] = j.Verdict
	q.Rounds = setOrDelete(q.Rounds, id, j.Round)
	q.Scores = setOrDelete(q.Scores, id, j.Score)
	if j.MaxScore != 0 {
		q.MaxScore = j.MaxScore
	}
	q.BestScore = 0
	for _, s := range q.Scores {
		q.BestScore = max(q.BestScore, s)
	}
	if q.LastID == "" || q.LastID == id || r.CreatedAt.After(q.LastAt) || (r.CreatedAt.Equal(q.LastAt) && id > q.LastID) {
		q.Last, q.LastAt, q.LastID = j.Verdict, r.CreatedAt, id
	}

	next := &codementor.Progress{User: user, Questions: map[string]*codementor.QuestionProgress{}, UpdatedAt: now}
	if cur != nil {
		maps.Copy(next.Questions, cur.Questions)
	}
	next.Questions[r.QuestionID] = q
	return next
}

// setOrDelete sets m[key] to v, or deletes it when v is 0, and returns m
// (made when nil and needed; nil when it ends empty).
func setOrDelete(m map[string]int, key string, v int) map[string]int {
	if v == 0 {
		delete(m, key)
		if len(m) == 0 {
			return nil
		}
		return m
	}
	if m == nil {
		m = map[string]int{}
	}
	m[key] = v
	return m
}
