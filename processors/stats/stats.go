// Package stats is the processor group that keeps each question's
// statistics: the graded submissions (attempts) and those accepted, in all
// and per language, and per language the distributions of accepted
// submissions' largest test time and memory. The tracker sends it a Result
// for every judgement, keyed by question ID; the web tier reads the table
// through a view for the question list's acceptance rate, a question's
// statistics page and an accepted submission's percentile.
//
// A Result may come more than once: the group remembers the last
// RecentSize judgements it applied (submission ID and round) and skips one
// of them that comes again. A rejudge's Result carries the judgement it
// replaces: its contribution moves from that one to the new one, and the
// submission is not counted as a new attempt.
package stats

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
)

// RecentSize is how many judgements a question's statistics remember, to
// skip one delivered again. Redeliveries come close together (a processor
// that restarts reads again what it had not committed), well within the
// last RecentSize of the question's judgements.
const RecentSize = 256

// Graph returns the question-stats group's graph. Results are decoded and
// checked inside the callback, so one that cannot be read or used goes to
// the dead-letter topic.
func Graph(log *slog.Logger) *goka.GroupGraph {
	p := &processor{now: time.Now}
	return goka.DefineGroup(codementor.QuestionStatsGroup,
		deadletter.CheckedInput(codementor.QuestionResults, codementor.QuestionStatsGroup, log, check, p.result),
		deadletter.Output(),
		goka.Persist(new(codementor.QuestionStatsCodec)),
	)
}

type processor struct {
	now func() time.Time
}

// check refuses a result the table cannot hold: one that does not name its
// submission, language or verdict, or is keyed by another question.
func check(ctx goka.Context, r *codementor.Result) error {
	var errs []error
	if r.SubmissionID == "" || r.Language == "" || r.Judgement.Verdict == "" {
		errs = append(errs, fmt.Errorf("result without a submission ID (%q), language (%q) or verdict (%q)", r.SubmissionID, r.Language, r.Judgement.Verdict))
	}
	if r.QuestionID != ctx.Key() {
		errs = append(errs, fmt.Errorf("result of question %q keyed by %q", r.QuestionID, ctx.Key()))
	}
	return errors.Join(errs...)
}

func (p *processor) result(ctx goka.Context, r *codementor.Result) {
	var cur *codementor.QuestionStats
	if v := ctx.Value(); v != nil {
		cur = v.(*codementor.QuestionStats)
	}
	if next := Apply(cur, r, ctx.Key(), p.now().UTC()); next != nil {
		ctx.SetValue(next)
	}
}

// RecentKey names r's judgement in QuestionStats.Recent.
func RecentKey(r *codementor.Result) string {
	return fmt.Sprintf("%s#%d", r.SubmissionID, r.Judgement.Round)
}

// Apply folds r into a copy of cur (nil: none yet) and returns it, or nil
// when r's judgement is among the recent ones applied. cur is not changed:
// the copy shares the languages r is not about.
func Apply(cur *codementor.QuestionStats, r *codementor.Result, question string, now time.Time) *codementor.QuestionStats {
	key := RecentKey(r)
	next := &codementor.QuestionStats{QuestionID: question, Languages: map[string]*codementor.LanguageStats{}}
	if cur != nil {
		if slices.Contains(cur.Recent, key) {
			return nil
		}
		next.Attempts, next.Accepted = cur.Attempts, cur.Accepted
		maps.Copy(next.Languages, cur.Languages)
	}
	ls := &codementor.LanguageStats{TimeMS: codementor.Histogram{}, MemoryKB: codementor.Histogram{}}
	if old := next.Languages[r.Language]; old != nil {
		*ls = *old
		ls.TimeMS, ls.MemoryKB = cloneHistogram(old.TimeMS), cloneHistogram(old.MemoryKB)
	}
	next.Languages[r.Language] = ls

	if prev := r.Previous; prev != nil {
		// A rejudge: the submission was counted as an attempt already.
		count(next, ls, prev, -1)
	} else {
		next.Attempts++
		ls.Attempts++
	}
	count(next, ls, &r.Judgement, 1)

	// A new slice: cur's must not change.
	var recent []string
	if cur != nil {
		recent = cur.Recent
	}
	next.Recent = append(slices.Clone(recent[max(0, len(recent)-RecentSize+1):]), key)
	next.UpdatedAt = now
	return next
}

// count adds (n = 1) or removes (n = -1) an accepted judgement's
// contribution; counts never go below 0.
func count(qs *codementor.QuestionStats, ls *codementor.LanguageStats, j *codementor.Judgement, n int) {
	if j.Verdict != codementor.VerdictAccepted {
		return
	}
	qs.Accepted = max(0, qs.Accepted+n)
	ls.Accepted = max(0, ls.Accepted+n)
	ls.TimeMS.Add(j.TimeMS, n)
	ls.MemoryKB.Add(j.MemoryKB, n)
}

func cloneHistogram(h codementor.Histogram) codementor.Histogram {
	if h == nil {
		return codementor.Histogram{}
	}
	return maps.Clone(h)
}
