package tracker

import (
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// A run is judged like a submission but never reviewed, never counted in
// the learner's submissions in flight, sends its callback once final (again
// when its finished event comes again), and is deleted by an expiry nudge
// once final.
func TestRunLifecycle(t *testing.T) {
	tt, jobs, reviews := runWithReviews(t)
	learners := tt.NewQueueTracker(string(codementor.LearnerEvents))
	callbacks := tt.NewQueueTracker(string(codementor.RunCallbacks))
	run := &codementor.Run{From: codementor.RunFromJudge0, Cases: []codementor.RunCase{{Input: "1 2"}}, CallbackURL: "https://hooks.example.com/x"}
	req := &codementor.SubmissionRequest{ID: "r1", User: "alice", Language: "python", Code: "print(3)", Kind: codementor.KindRun, Run: run, CreatedAt: time.Now()}
	tt.Consume(string(codementor.SubmissionRequests), "r1", raw(t, req))
	_, v, ok := jobs.Next()
	if !ok || v.(*codementor.Job).Kind != codementor.KindRun || v.(*codementor.Job).Run.Cases[0].Input != "1 2" {
		t.Fatalf("job = %+v, %v; want the run's job with its cases", v, ok)
	}
	finished := codementor.RunEvent{Kind: codementor.RunFinished, TestCount: 1, Verdict: codementor.VerdictAccepted,
		Tests: []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictAccepted, Unchecked: true, Output: "3\n"}}}
	tt.Consume(string(codementor.RunEvents), "r1", raw(t, finished))
	s := state(tt, "r1")
	if s.Status != codementor.StatusDone || s.Review.Status != codementor.ReviewSkipped || s.Review.Reason != RunReason || !s.Final() {
		t.Fatalf("finished run: %+v", s)
	}
	if _, _, ok := reviews.Next(); ok {
		t.Error("a run was sent for review")
	}
	if _, _, ok := learners.Next(); ok {
		t.Error("a run was counted as a submission in flight")
	}
	_, cb, ok := callbacks.Next()
	if !ok || cb.(*codementor.Callback).URL != run.CallbackURL || cb.(*codementor.Callback).Submission.Verdict != codementor.VerdictAccepted {
		t.Fatalf("callback = %+v, %v", cb, ok)
	}
	tt.Consume(string(codementor.RunEvents), "r1", raw(t, finished))
	if _, _, ok := callbacks.Next(); !ok {
		t.Error("a finished event delivered again did not send the callback again")
	}

	// An expiry nudge of an older version, then of the current one.
	nudge := func(version int64) {
		tt.Consume(string(codementor.SubmissionNudges), "r1", raw(t, codementor.Nudge{SubmissionID: "r1", Version: version, Expire: true}))
	}
	nudge(s.Version - 1)
	if state(tt, "r1") == nil {
		t.Fatal("an expiry nudge of an old version deleted the run")
	}
	nudge(s.Version)
	if s := state(tt, "r1"); s != nil {
		t.Fatalf("the expired run is still in the table: %+v", s)
	}
	nudge(s.Version) // again, after the deletion: nothing happens
}

// Expiry never deletes a submission, nor a run still being judged.
func TestExpiryKeepsSubmissionsAndLiveRuns(t *testing.T) {
	n := &codementor.Nudge{Version: 3, Expire: true}
	for _, s := range []*codementor.Submission{
		{Version: 3, Status: codementor.StatusDone},
		{Version: 3, Status: codementor.StatusRunning, Kind: codementor.KindRun},
	} {
		if Expired(s, n) {
			t.Errorf("Expired(%+v) = true", s)
		}
	}
	if !Expired(&codementor.Submission{Version: 3, Status: codementor.StatusFailed, Kind: codementor.KindRun}, n) {
		t.Error("a failed run past its retention is not expired")
	}
}
