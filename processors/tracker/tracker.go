// Package tracker is the fast, stateful processor group that owns the
// submission table. It turns submission requests into queued submissions and
// judging jobs, folds the judge's progress into each submission's state,
// hands every judged submission to the reviewer, and folds the review in.
// Every decision is a pure function of the current state and the message, so
// redelivered messages change nothing (idempotence under at-least-once).
//
// A message that changes nothing still writes the state back to the table.
// goka's SetValue writes the local storage first and the table topic after,
// and a message is committed only once that write is acknowledged. A process
// killed in between keeps the new state in its local storage but not in the
// topic, which every view reads; after the restart the message comes again,
// finds its own effect already in local storage and changes nothing. Were
// nothing written then, a submission that had just become final would look
// unfinished to every view for good, since nothing changes a final state.
package tracker

import (
	"cmp"
	"log/slog"
	"slices"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/metrics"
)

// Graph returns the tracker's group graph. Inputs are decoded inside the
// callback, not by goka, so that an undecodable message goes to the
// dead-letter topic instead of stopping the processor on every restart.
func Graph(log *slog.Logger) *goka.GroupGraph {
	t := &tracker{log: log, now: time.Now}
	return goka.DefineGroup(codementor.TrackerGroup,
		deadletter.Input(codementor.SubmissionRequests, codementor.TrackerGroup, log, t.request),
		deadletter.Input(codementor.RunEvents, codementor.TrackerGroup, log, t.event),
		deadletter.Input(codementor.ReviewEvents, codementor.TrackerGroup, log, t.review),
		deadletter.Input(codementor.SubmissionNudges, codementor.TrackerGroup, log, t.nudge),
		deadletter.Input(codementor.Rejudges, codementor.TrackerGroup, log, t.rejudge),
		goka.Output(codementor.RunJobs, new(codementor.JobCodec)),
		goka.Output(codementor.ReviewJobs, new(codementor.ReviewJobCodec)),
		goka.Output(codementor.LearnerEvents, new(codementor.LearnerEventCodec)),
		goka.Output(codementor.RunCallbacks, new(codementor.CallbackCodec)),
		goka.Output(codementor.ContestResults, new(codementor.ResultCodec)),
		goka.Output(codementor.LearnerResults, new(codementor.ResultCodec)),
		goka.Output(codementor.QuestionResults, new(codementor.ResultCodec)),
		deadletter.Output(),
		goka.Persist(new(codementor.SubmissionCodec)),
	)
}

type tracker struct {
	log *slog.Logger
	now func() time.Time
}

func (t *tracker) current(ctx goka.Context) *codementor.Submission {
	if v := ctx.Value(); v != nil {
		return v.(*codementor.Submission)
	}
	return nil
}

// request handles a SubmissionRequest.
func (t *tracker) request(ctx goka.Context, req *codementor.SubmissionRequest) {
	cur := t.current(ctx)
	next, job := Request(cur, req, ctx.Key(), t.now())
	store(ctx, cur, next)
	if job != nil {
		ctx.Emit(codementor.RunJobs, ctx.Key(), job)
		t.inFlight(ctx, cmp.Or(next, cur), true)
	}
}

// inFlight tells the learners group that s started (a job was emitted) or
// stopped (its verdict is in) being in flight. Telling it again is harmless.
// Runs are not counted there: the web tier limits them apart.
func (t *tracker) inFlight(ctx goka.Context, s *codementor.Submission, in bool) {
	if s.IsRun() {
		return
	}
	ctx.Emit(codementor.LearnerEvents, s.User, &codementor.LearnerEvent{User: s.User, SubmissionID: s.ID, InFlight: in, At: s.CreatedAt})
}

// event handles a RunEvent.
func (t *tracker) event(ctx goka.Context, ev *codementor.RunEvent) {
	cur := t.current(ctx)
	if cur == nil {
		t.log.Warn("run event for an unknown submission", "key", ctx.Key(), "kind", ev.Kind)
		return
	}
	next, job := Apply(cur, ev, t.now())
	store(ctx, cur, next)
	if next != nil && cur.Verdict == "" && next.Verdict != "" {
		metrics.Verdicts.WithLabelValues(string(next.Verdict)).Inc()
	}
	if job != nil {
		ctx.Emit(codementor.ReviewJobs, ctx.Key(), job)
	}
	if s := cmp.Or(next, cur); ev.Kind == codementor.RunFinished && ev.Round == s.Round && s.Verdict != "" {
		t.inFlight(ctx, s, false)
		// The judgement's result for the standings, progress and
		// statistics, again if the finished event comes again: each
		// consumer takes the same judgement once.
		if r := ResultOf(s, t.now()); r != nil {
			if r.ContestID != "" {
				ctx.Emit(codementor.ContestResults, codementor.ContestRowKey(r.ContestID, r.User), r)
			}
			ctx.Emit(codementor.LearnerResults, r.User, r)
			ctx.Emit(codementor.QuestionResults, r.QuestionID, r)
		}
		// A final run's callback, again if the finished event comes again
		// (the first emit may not have been acknowledged): receivers get
		// it at least once.
		if s.IsRun() && s.Final() && s.Run != nil && s.Run.CallbackURL != "" {
			ctx.Emit(codementor.RunCallbacks, ctx.Key(), &codementor.Callback{URL: s.Run.CallbackURL, Submission: s, At: t.now().UTC()})
		}
	}
}

// nudge handles a Nudge from the watchdog.
func (t *tracker) nudge(ctx goka.Context, n *codementor.Nudge) {
	cur := t.current(ctx)
	if cur == nil {
		if !n.Expire { // an expiry nudge may come again after the deletion
			t.log.Warn("nudge for an unknown submission", "key", ctx.Key())
		}
		return
	}
	if n.Expire {
		if Expired(cur, n) {
			ctx.Delete()
		}
		return
	}
	next, job, review := Nudge(cur, n, t.now())
	store(ctx, cur, next)
	if next == nil {
		return
	}
	metrics.Requeued.WithLabelValues(string(cur.Status)).Inc()
	t.log.Warn("submission made no progress: its job is emitted again", "submission", cur.ID, "status", cur.Status, "version", cur.Version)
	if job != nil {
		ctx.Emit(codementor.RunJobs, ctx.Key(), job)
		t.inFlight(ctx, next, true)
	}
	if review != nil {
		ctx.Emit(codementor.ReviewJobs, ctx.Key(), review)
	}
}

// rejudge handles a Rejudge.
func (t *tracker) rejudge(ctx goka.Context, r *codementor.Rejudge) {
	cur := t.current(ctx)
	if cur == nil {
		t.log.Warn("rejudge of an unknown submission", "key", ctx.Key(), "rejudge", r.ID)
		return
	}
	next, job := Rejudge(cur, r, t.now())
	store(ctx, cur, next)
	if job != nil {
		t.log.Info("submission judged again", "submission", cur.ID, "round", next.Round, "rejudge", r.ID, "by", r.By)
		ctx.Emit(codementor.RunJobs, ctx.Key(), job)
	}
}

// Rejudge decides what a rejudge does to cur: a copy in a new judgement
// round, queued, with its current judgement (if judged) moved to its
// history, and the job to emit; or nil, nil for a run, or a rejudge
// applied already (it started the current round or ended an earlier one).
// The review, if finished, is kept: a rejudge judges again, it does not
// review again.
func Rejudge(cur *codementor.Submission, r *codementor.Rejudge, now time.Time) (*codementor.Submission, *codementor.Job) {
	if cur.IsRun() || r.ID == "" || cur.RejudgeID == r.ID {
		return nil, nil
	}
	for _, h := range cur.History {
		if h.RejudgeID == r.ID {
			return nil, nil
		}
	}
	next := *cur
	next.History = append([]codementor.Judgement(nil), cur.History...)
	if cur.Verdict != "" {
		j := cur.Judgement()
		j.RejudgeID, j.Reason = r.ID, r.Reason
		next.History = append(next.History, j)
	}
	next.Round = cur.Round + 1
	next.RejudgeID = r.ID
	next.Status = codementor.StatusQueued
	next.Verdict, next.TestCount, next.Tests, next.Subtasks = "", 0, []codementor.TestResult{}, nil
	next.Score, next.MaxScore, next.CompileOutput, next.Error, next.JudgedAt = 0, 0, "", "", time.Time{}
	next.Requeued = 0
	next.Version = cur.Version + 1
	next.UpdatedAt = now
	return &next, jobOf(&next)
}

// ResultOf is the result of s's current judgement, or nil when s is not
// graded (a run, or not judged yet). Previous is the judgement the current
// one replaced, if a rejudge did.
func ResultOf(s *codementor.Submission, now time.Time) *codementor.Result {
	if !s.Graded() {
		return nil
	}
	r := &codementor.Result{SubmissionID: s.ID, User: s.User, QuestionID: s.QuestionID, ContestID: s.ContestID, Language: s.Language,
		Judgement: s.Judgement(), CreatedAt: s.CreatedAt, At: now.UTC()}
	if n := len(s.History); n > 0 && s.Round > 0 {
		prev := s.History[n-1]
		r.Previous = &prev
	}
	return r
}

// review handles a ReviewEvent.
func (t *tracker) review(ctx goka.Context, ev *codementor.ReviewEvent) {
	cur := t.current(ctx)
	if cur == nil {
		t.log.Warn("review event for an unknown submission", "key", ctx.Key(), "kind", ev.Kind)
		return
	}
	store(ctx, cur, ApplyReview(cur, ev, t.now()))
}

// store writes next, the state a message led to, or when the message changed
// nothing (next is nil), the current state cur again: the table topic may
// lack it (see the package doc). It is the same value, version included, so
// views and SSE clients see nothing new when the topic had it already. This
// costs a write per redelivered or duplicate message: only redelivery (a
// restart, a rebalance, a job judged or reviewed twice) produces them.
func store(ctx goka.Context, cur, next *codementor.Submission) {
	switch {
	case next != nil:
		ctx.SetValue(next)
	case cur != nil:
		ctx.SetValue(cur)
	}
}

// Nudge decides what a nudge does to cur: when cur is not final and still
// at the nudge's version (it made no progress since the watchdog looked),
// a copy one version on (so a second nudge of the same look does nothing)
// and the job to emit again: the run job while queued or being judged, the
// review job while being reviewed. Otherwise all nil.
func Nudge(cur *codementor.Submission, n *codementor.Nudge, now time.Time) (*codementor.Submission, *codementor.Job, *codementor.ReviewJob) {
	if cur.Final() || cur.Version != n.Version {
		return nil, nil, nil
	}
	next := *cur
	next.Version++
	next.Requeued++
	next.UpdatedAt = now
	if cur.Status == codementor.StatusReviewing {
		return &next, nil, reviewJobOf(cur)
	}
	return &next, jobOf(cur), nil
}

// Expired reports whether an expiry nudge deletes cur: a final run, still
// at the nudge's version. Submissions are never deleted.
func Expired(cur *codementor.Submission, n *codementor.Nudge) bool {
	return n.Expire && cur.IsRun() && cur.Final() && cur.Version == n.Version
}

// Request decides what a submission request does to the current state cur
// (nil if none): the new state (nil: unchanged) and the job to emit (nil:
// none). A redelivered request for a submission still queued emits its job
// again, since the first emit may not have been acknowledged; the judge's
// results are idempotent, so a duplicate job costs time, never correctness.
func Request(cur *codementor.Submission, req *codementor.SubmissionRequest, key string, now time.Time) (*codementor.Submission, *codementor.Job) {
	if cur != nil {
		if cur.Status == codementor.StatusQueued {
			return nil, jobOf(cur)
		}
		return nil, nil
	}
	s := codementor.NewSubmission(req, now)
	s.ID = key
	return s, jobOf(s)
}

func jobOf(s *codementor.Submission) *codementor.Job {
	return &codementor.Job{SubmissionID: s.ID, User: s.User, QuestionID: s.QuestionID, Language: s.Language, Code: s.Code,
		Kind: s.Kind, Run: s.Run, Round: s.Round}
}

// Apply folds a run event into a copy of cur and returns it (nil: the event
// changes nothing), and the review job to emit once the verdict is in (nil:
// none). The verdict is recorded once: after it, and in a final submission,
// run events change nothing; the status never moves backwards; a test result
// already recorded is not recorded twice. A finished event redelivered while
// the review has not started emits the review job again, since the first
// emit may not have been acknowledged.
func Apply(cur *codementor.Submission, ev *codementor.RunEvent, now time.Time) (*codementor.Submission, *codementor.ReviewJob) {
	if cur.Final() || ev.Round != cur.Round {
		return nil, nil // a final submission, or a round a rejudge superseded
	}
	if cur.Status == codementor.StatusReviewing {
		if ev.Kind == codementor.RunFinished && cur.Review.Status == codementor.ReviewPending {
			return nil, reviewJobOf(cur)
		}
		return nil, nil
	}
	next := *cur
	next.Tests = append(make([]codementor.TestResult, 0, len(cur.Tests)+1), cur.Tests...)
	changed := false
	var job *codementor.ReviewJob
	switch ev.Kind {
	case codementor.RunStarted:
		if next.Status == codementor.StatusQueued || next.TestCount != ev.TestCount {
			next.Status = codementor.StatusRunning
			next.TestCount = ev.TestCount
			changed = true
		}
	case codementor.RunTest:
		if ev.Test == nil {
			return nil, nil
		}
		next.Status = codementor.StatusRunning
		changed = upsertTest(&next, *ev.Test)
		if next.Status != cur.Status {
			changed = true
		}
	case codementor.RunSubtask:
		if ev.Subtask == nil {
			return nil, nil
		}
		next.Status = codementor.StatusRunning
		changed = upsertSubtask(&next, *ev.Subtask) || next.Status != cur.Status
	case codementor.RunFinished:
		next.Verdict = ev.Verdict
		next.Score, next.MaxScore = ev.Score, ev.MaxScore
		next.Subtasks = nil
		for _, st := range ev.Subtasks {
			upsertSubtask(&next, st)
		}
		next.JudgedAt = now
		if ev.TestCount > 0 {
			next.TestCount = ev.TestCount
		}
		for _, tr := range ev.Tests {
			upsertTest(&next, tr)
		}
		next.CompileOutput = ev.CompileOutput
		next.Error = ev.Error
		changed = true
		switch {
		case ev.Verdict == codementor.VerdictInternalError:
			// Nothing the learner wrote was judged: there is nothing to review.
			next.Status = codementor.StatusFailed
			if !cur.Review.Final() {
				next.Review = codementor.Review{Status: codementor.ReviewSkipped, Reason: NotJudgedReason, FinishedAt: now}
			}
		case cur.IsRun():
			next.Status = codementor.StatusDone
			next.Review = codementor.Review{Status: codementor.ReviewSkipped, Reason: RunReason, FinishedAt: now}
		case cur.Round > 0 && cur.Review.Final():
			// Judged again: the review of the first judgement stays.
			next.Status = codementor.StatusDone
		default:
			next.Status = codementor.StatusReviewing
			job = reviewJobOf(&next)
		}
	default:
		return nil, nil
	}
	if !changed {
		return nil, nil
	}
	next.Version = cur.Version + 1
	next.UpdatedAt = now
	return &next, job
}

// NotJudgedReason is the review's reason when judging failed; RunReason a
// run's, which is never reviewed.
const (
	NotJudgedReason = "not reviewed: the submission could not be judged"
	RunReason       = "not reviewed: runs are not reviewed, submissions are"
)

// reviewJobOf is the review job of a judged submission. It strips hidden
// tests' data once more, though the judge never sends it.
func reviewJobOf(s *codementor.Submission) *codementor.ReviewJob {
	tests := make([]codementor.TestResult, len(s.Tests))
	for i, tr := range s.Tests {
		if tr.Hidden {
			tr.Input, tr.Expected, tr.Output, tr.Stderr = "", "", "", ""
		}
		tests[i] = tr
	}
	return &codementor.ReviewJob{
		SubmissionID: s.ID, QuestionID: s.QuestionID, Language: s.Language, Code: s.Code,
		Verdict: s.Verdict, TestCount: s.TestCount, Tests: tests, CompileOutput: s.CompileOutput,
	}
}

// ApplyReview folds a review event into a copy of cur and returns it, or nil
// when the event changes nothing. Only a submission being reviewed takes
// review events. An attempt's start replaces the text of an earlier attempt
// (a job redelivered to another reviewer); a delta is taken only from the
// current attempt and only at the end of its text, so duplicates and
// leftovers of a superseded attempt are dropped; the finished review of the
// current attempt (or of any, before one started) ends the submission. So
// does a finished review without an attempt, whatever attempt was running:
// the reviewer answered a job without starting one (reviews off, no free
// slot, no such question), which happens only once the attempts before it
// were cut short (a session ended, a process was killed) and their jobs came
// back; no other answer is coming.
func ApplyReview(cur *codementor.Submission, ev *codementor.ReviewEvent, now time.Time) *codementor.Submission {
	if cur.Status != codementor.StatusReviewing || cur.Review.Final() {
		return nil
	}
	next := *cur
	r := &next.Review
	switch ev.Kind {
	case codementor.ReviewStarted:
		if r.Status == codementor.ReviewRunning && r.Attempt == ev.Attempt {
			return nil
		}
		*r = codementor.Review{Status: codementor.ReviewRunning, Attempt: ev.Attempt, Model: ev.Model, StartedAt: ev.At}
	case codementor.ReviewDelta:
		if r.Status != codementor.ReviewRunning || r.Attempt != ev.Attempt || ev.Offset != len(r.Text) || ev.Text == "" {
			return nil
		}
		r.Text += ev.Text
	case codementor.ReviewFinished:
		if ev.Review == nil || !ev.Review.Final() || (ev.Attempt != "" && r.Attempt != "" && r.Attempt != ev.Attempt) {
			return nil
		}
		fin := *ev.Review
		fin.Attempt = ev.Attempt
		if fin.StartedAt.IsZero() && r.Attempt == ev.Attempt {
			fin.StartedAt = r.StartedAt
		}
		if fin.Model == "" && r.Attempt == ev.Attempt {
			fin.Model = r.Model
		}
		*r = fin
		next.Status = codementor.StatusDone
	default:
		return nil
	}
	next.Version = cur.Version + 1
	next.UpdatedAt = now
	return &next
}

// upsertTest records tr in index order, replacing an earlier result of the
// same test, and reports whether anything changed.
func upsertTest(s *codementor.Submission, tr codementor.TestResult) bool {
	for i := range s.Tests {
		switch {
		case s.Tests[i].Index == tr.Index:
			if s.Tests[i] == tr {
				return false
			}
			s.Tests[i] = tr
			return true
		case s.Tests[i].Index > tr.Index:
			s.Tests = append(s.Tests[:i], append([]codementor.TestResult{tr}, s.Tests[i:]...)...)
			return true
		}
	}
	s.Tests = append(s.Tests, tr)
	return true
}

// upsertSubtask records st in index order, replacing an earlier result of
// the same subtask, and reports whether anything changed.
func upsertSubtask(s *codementor.Submission, st codementor.SubtaskResult) bool {
	for i := range s.Subtasks {
		switch {
		case s.Subtasks[i].Index == st.Index:
			if slices.Equal(s.Subtasks[i].Tests, st.Tests) && s.Subtasks[i].Earned == st.Earned && s.Subtasks[i].Verdict == st.Verdict &&
				s.Subtasks[i].Points == st.Points && s.Subtasks[i].Name == st.Name {
				return false
			}
			s.Subtasks = slices.Clone(s.Subtasks)
			s.Subtasks[i] = st
			return true
		case s.Subtasks[i].Index > st.Index:
			s.Subtasks = slices.Insert(slices.Clone(s.Subtasks), i, st)
			return true
		}
	}
	s.Subtasks = append(slices.Clone(s.Subtasks), st)
	return true
}
