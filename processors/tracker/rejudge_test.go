package tracker

import (
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// A contest submission's judgement goes out as a Result on the three
// re-keyed streams (again when its finished event comes again); a rejudge
// starts a new round whose job carries it, moves the old verdict to the
// history, ignores the old round's late events, keeps the review, and its
// result names the judgement it replaces. A rejudge delivered again does
// nothing.
func TestRejudgeAndResults(t *testing.T) {
	tt, jobs, reviews := runWithReviews(t)
	contest := tt.NewQueueTracker(string(codementor.ContestResults))
	learner := tt.NewQueueTracker(string(codementor.LearnerResults))
	question := tt.NewQueueTracker(string(codementor.QuestionResults))
	created := time.Now().UTC().Add(-time.Minute)
	req := &codementor.SubmissionRequest{ID: "s1", User: "alice", QuestionID: "q", ContestID: "cup", Language: "python", Code: "x", CreatedAt: created}
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))
	if _, v, ok := jobs.Next(); !ok || v.(*codementor.Job).Round != 0 {
		t.Fatalf("first job = %+v, %v", v, ok)
	}
	if s := state(tt, "s1"); s.ContestID != "cup" {
		t.Fatalf("contest not recorded: %+v", s)
	}
	sub := codementor.SubtaskResult{Index: 0, Points: 40, Verdict: codementor.VerdictWrongAnswer, Tests: []int{0}}
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, codementor.RunEvent{Kind: codementor.RunSubtask, Subtask: &sub}))
	if s := state(tt, "s1"); len(s.Subtasks) != 1 || s.Subtasks[0].Verdict != codementor.VerdictWrongAnswer {
		t.Fatalf("subtask event not folded in: %+v", s.Subtasks)
	}
	wrong := codementor.RunEvent{Kind: codementor.RunFinished, TestCount: 1, Verdict: codementor.VerdictWrongAnswer, Score: 60, MaxScore: 100,
		Tests:    []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictWrongAnswer, TimeMS: 7, MemoryKB: 900}},
		Subtasks: []codementor.SubtaskResult{sub, {Index: 1, Points: 60, Earned: 60, Verdict: codementor.VerdictAccepted, Tests: []int{1}}}}
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, wrong))
	s := state(tt, "s1")
	if s.Score != 60 || s.MaxScore != 100 || len(s.Subtasks) != 2 || s.JudgedAt.IsZero() {
		t.Fatalf("finished: %+v", s)
	}
	checkResult := func(q interface {
		Next() (string, any, bool)
	}, key string, round int, verdict codementor.Verdict, prev codementor.Verdict) {
		t.Helper()
		k, v, ok := q.Next()
		if !ok {
			t.Fatalf("no result keyed %s", key)
		}
		r := v.(*codementor.Result)
		if k != key || r.SubmissionID != "s1" || r.Judgement.Round != round || r.Judgement.Verdict != verdict || !r.CreatedAt.Equal(created) {
			t.Fatalf("result %s: %+v", k, r)
		}
		if (prev == "") != (r.Previous == nil) || (r.Previous != nil && r.Previous.Verdict != prev) {
			t.Fatalf("result %s: previous %+v, want %q", k, r.Previous, prev)
		}
	}
	checkResult(contest, "cup/alice", 0, codementor.VerdictWrongAnswer, "")
	checkResult(learner, "alice", 0, codementor.VerdictWrongAnswer, "")
	checkResult(question, "q", 0, codementor.VerdictWrongAnswer, "")
	if _, _, ok := reviews.Next(); !ok {
		t.Fatal("no review job")
	}
	done := &codementor.Review{Status: codementor.ReviewDone, Text: "fine"}
	tt.Consume(string(codementor.ReviewEvents), "s1", raw(t, codementor.ReviewEvent{Kind: codementor.ReviewFinished, Review: done}))
	// The finished event again: the results again.
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, wrong))
	checkResult(contest, "cup/alice", 0, codementor.VerdictWrongAnswer, "")
	checkResult(learner, "alice", 0, codementor.VerdictWrongAnswer, "")
	checkResult(question, "q", 0, codementor.VerdictWrongAnswer, "")

	rj := codementor.Rejudge{ID: "rj1", SubmissionID: "s1", Reason: "test fixed"}
	tt.Consume(string(codementor.Rejudges), "s1", raw(t, rj))
	s = state(tt, "s1")
	if s.Round != 1 || s.Status != codementor.StatusQueued || s.Verdict != "" || len(s.Tests) != 0 || s.Score != 0 || len(s.Subtasks) != 0 {
		t.Fatalf("rejudged: %+v", s)
	}
	if len(s.History) != 1 || s.History[0].Verdict != codementor.VerdictWrongAnswer || s.History[0].Score != 60 || s.History[0].RejudgeID != "rj1" ||
		s.History[0].TimeMS != 7 || s.History[0].Reason != "test fixed" {
		t.Fatalf("history: %+v", s.History)
	}
	if _, v, ok := jobs.Next(); !ok || v.(*codementor.Job).Round != 1 {
		t.Fatalf("rejudge job = %+v, %v", v, ok)
	}
	version := s.Version
	tt.Consume(string(codementor.Rejudges), "s1", raw(t, rj))
	if _, _, ok := jobs.Next(); ok || state(tt, "s1").Version != version {
		t.Fatal("a rejudge delivered again was applied again")
	}
	// A late event of round 0 changes nothing.
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, wrong))
	if s := state(tt, "s1"); s.Verdict != "" || s.Version != version {
		t.Fatalf("an event of the superseded round was taken: %+v", s)
	}
	if _, _, ok := contest.Next(); ok {
		t.Fatal("an event of the superseded round sent a result")
	}
	right := codementor.RunEvent{Kind: codementor.RunFinished, Round: 1, TestCount: 1, Verdict: codementor.VerdictAccepted, Score: 100, MaxScore: 100,
		Tests: []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted}}}
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, right))
	s = state(tt, "s1")
	if s.Status != codementor.StatusDone || s.Verdict != codementor.VerdictAccepted || s.Score != 100 || s.Review.Text != "fine" {
		t.Fatalf("judged again: %+v", s)
	}
	if _, _, ok := reviews.Next(); ok {
		t.Error("a rejudged submission was sent for review again")
	}
	checkResult(contest, "cup/alice", 1, codementor.VerdictAccepted, codementor.VerdictWrongAnswer)
	checkResult(question, "q", 1, codementor.VerdictAccepted, codementor.VerdictWrongAnswer)

	// A second rejudge, then the first again: only the second applies.
	tt.Consume(string(codementor.Rejudges), "s1", raw(t, codementor.Rejudge{ID: "rj2", SubmissionID: "s1"}))
	tt.Consume(string(codementor.Rejudges), "s1", raw(t, rj))
	if s := state(tt, "s1"); s.Round != 2 || len(s.History) != 2 {
		t.Fatalf("after two rejudges: round %d, history %+v", s.Round, s.History)
	}
}

// Runs are never rejudged and never sent as results.
func TestRunsHaveNoResults(t *testing.T) {
	run := &codementor.Submission{ID: "r", Kind: codementor.KindRun, Status: codementor.StatusDone, Verdict: codementor.VerdictAccepted}
	if next, job := Rejudge(run, &codementor.Rejudge{ID: "x"}, time.Now()); next != nil || job != nil {
		t.Errorf("a run was rejudged: %+v", next)
	}
	if r := ResultOf(run, time.Now()); r != nil {
		t.Errorf("a run has a result: %+v", r)
	}
	if r := ResultOf(&codementor.Submission{ID: "s", Status: codementor.StatusQueued}, time.Now()); r != nil {
		t.Errorf("a submission not judged has a result: %+v", r)
	}
}
