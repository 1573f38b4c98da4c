// Package tracker is the fast, stateful processor group that owns the
// submission table. It turns submission requests into queued submissions and
// judging jobs, and folds the judge's progress into each submission's state.
// Every decision is a pure function of the current state and the message, so
// redelivered messages change nothing (idempotence under at-least-once).
package tracker

import (
	"log/slog"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	codementor "github.com/codementor/codementor"
)

// Group is the tracker's consumer group; Table is the submission table it owns.
const Group = codementor.TrackerGroup

// Table is the submission table.
var Table = codementor.SubmissionsTable

// Graph returns the tracker's group graph. Inputs are decoded inside the
// callback, not by goka, so that an undecodable message is logged and skipped
// instead of stopping the processor on every restart.
func Graph(log *slog.Logger) *goka.GroupGraph {
	t := &tracker{log: log, now: time.Now}
	return goka.DefineGroup(Group,
		goka.Input(codementor.SubmissionRequests, new(codec.Bytes), t.request),
		goka.Input(codementor.RunEvents, new(codec.Bytes), t.event),
		goka.Output(codementor.RunJobs, new(codementor.JobCodec)),
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
func (t *tracker) request(ctx goka.Context, msg any) {
	req, err := new(codementor.SubmissionRequestCodec).Decode(msg.([]byte))
	if err != nil {
		t.log.Error("skipping undecodable submission request", "key", ctx.Key(), "partition", ctx.Partition(), "offset", ctx.Offset(), "err", err)
		return
	}
	next, job := Request(t.current(ctx), req.(*codementor.SubmissionRequest), ctx.Key(), t.now())
	if next != nil {
		ctx.SetValue(next)
	}
	if job != nil {
		ctx.Emit(codementor.RunJobs, ctx.Key(), job)
	}
}

// event handles a RunEvent.
func (t *tracker) event(ctx goka.Context, msg any) {
	ev, err := new(codementor.RunEventCodec).Decode(msg.([]byte))
	if err != nil {
		t.log.Error("skipping undecodable run event", "key", ctx.Key(), "partition", ctx.Partition(), "offset", ctx.Offset(), "err", err)
		return
	}
	cur := t.current(ctx)
	if cur == nil {
		t.log.Warn("run event for an unknown submission", "key", ctx.Key(), "kind", ev.(*codementor.RunEvent).Kind)
		return
	}
	if next := Apply(cur, ev.(*codementor.RunEvent), t.now()); next != nil {
		ctx.SetValue(next)
	}
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
	return &codementor.Job{SubmissionID: s.ID, QuestionID: s.QuestionID, Language: s.Language, Code: s.Code}
}

// Apply folds a run event into a copy of cur and returns it, or nil when the
// event changes nothing: a final submission never changes again, the status
// never moves backwards, and a test result already recorded is not recorded
// twice.
func Apply(cur *codementor.Submission, ev *codementor.RunEvent, now time.Time) *codementor.Submission {
	if cur.Final() {
		return nil
	}
	next := *cur
	next.Tests = append(make([]codementor.TestResult, 0, len(cur.Tests)+1), cur.Tests...)
	changed := false
	switch ev.Kind {
	case codementor.RunStarted:
		if next.Status == codementor.StatusQueued || next.TestCount != ev.TestCount {
			next.Status = codementor.StatusRunning
			next.TestCount = ev.TestCount
			changed = true
		}
	case codementor.RunTest:
		if ev.Test == nil {
			return nil
		}
		next.Status = codementor.StatusRunning
		changed = upsertTest(&next, *ev.Test)
		if next.Status != cur.Status {
			changed = true
		}
	case codementor.RunFinished:
		next.Verdict = ev.Verdict
		if ev.TestCount > 0 {
			next.TestCount = ev.TestCount
		}
		for _, tr := range ev.Tests {
			upsertTest(&next, tr)
		}
		next.CompileOutput = ev.CompileOutput
		next.Error = ev.Error
		next.Status = codementor.StatusDone
		if ev.Verdict == codementor.VerdictInternalError {
			next.Status = codementor.StatusFailed
		}
		changed = true
	default:
		return nil
	}
	if !changed {
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
