package tracker

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/gokatest"

	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
)

// run starts the tracker on a goka tester and returns it with a tracker of
// the jobs it emits.
func run(t *testing.T) (*tester.Tester, *tester.QueueTracker) {
	tt, jobs, _ := runWithReviews(t)
	return tt, jobs
}

// runWithReviews is run with a tracker of the review jobs too.
func runWithReviews(t *testing.T) (*tester.Tester, *tester.QueueTracker, *tester.QueueTracker) {
	t.Helper()
	tt := gokatest.Run(t, Graph)
	return tt, tt.NewQueueTracker(string(codementor.RunJobs)), tt.NewQueueTracker(string(codementor.ReviewJobs))
}

func raw(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func state(tt *tester.Tester, id string) *codementor.Submission {
	v := tt.TableValue(codementor.SubmissionsTable, id)
	if v == nil {
		return nil
	}
	return v.(*codementor.Submission)
}

func TestSubmissionLifecycle(t *testing.T) {
	tt, jobs, reviews := runWithReviews(t)
	req := &codementor.SubmissionRequest{ID: "s1", User: "alice", QuestionID: "a-plus-b", Language: "python", Code: "print(3)", CreatedAt: time.Now()}
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))

	s := state(tt, "s1")
	if s == nil || s.Status != codementor.StatusQueued || s.Version != 1 || s.User != "alice" || s.Review.Status != codementor.ReviewPending {
		t.Fatalf("after request: %+v", s)
	}
	key, v, ok := jobs.Next()
	if !ok || key != "s1" || v.(*codementor.Job).Code != "print(3)" {
		t.Fatalf("job = %v %v %v", key, v, ok)
	}

	// A redelivered request while queued re-emits the job but changes nothing.
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))
	if s := state(tt, "s1"); s.Version != 1 {
		t.Errorf("redelivered request changed the state: %+v", s)
	}
	if _, _, ok := jobs.Next(); !ok {
		t.Error("redelivered request while queued did not re-emit the job")
	}

	ev := func(e codementor.RunEvent) { tt.Consume(string(codementor.RunEvents), "s1", raw(t, e)) }
	ev(codementor.RunEvent{Kind: codementor.RunStarted, TestCount: 2})
	if s := state(tt, "s1"); s.Status != codementor.StatusRunning || s.TestCount != 2 || s.Version != 2 || s.Tests == nil {
		t.Fatalf("after started: %+v", s)
	}
	t1 := codementor.TestResult{Index: 1, Verdict: codementor.VerdictAccepted}
	t0 := codementor.TestResult{Index: 0, Verdict: codementor.VerdictAccepted}
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t1})
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t0})
	ev(codementor.RunEvent{Kind: codementor.RunTest, Test: &t0}) // redelivered
	s = state(tt, "s1")
	if len(s.Tests) != 2 || s.Tests[0].Index != 0 || s.Tests[1].Index != 1 || s.Version != 4 {
		t.Fatalf("after tests: %+v", s)
	}
	finished := codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictAccepted, TestCount: 2, Tests: []codementor.TestResult{t0, t1}}
	ev(finished)
	s = state(tt, "s1")
	if s.Status != codementor.StatusReviewing || s.Verdict != codementor.VerdictAccepted || s.Version != 5 || s.Review.Status != codementor.ReviewPending {
		t.Fatalf("after finished: %+v", s)
	}
	key, v, ok = reviews.Next()
	if rj, _ := v.(*codementor.ReviewJob); !ok || key != "s1" || rj.Verdict != codementor.VerdictAccepted || rj.Code != "print(3)" || len(rj.Tests) != 2 {
		t.Fatalf("review job = %v %+v %v", key, v, ok)
	}
	// The verdict is recorded once: a rerun's events change nothing, and a
	// redelivered finished event only re-emits the review job.
	ev(codementor.RunEvent{Kind: codementor.RunStarted, TestCount: 2})
	ev(codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictWrongAnswer})
	if got := state(tt, "s1"); got.Version != 5 || got.Verdict != codementor.VerdictAccepted {
		t.Errorf("the verdict changed after it was recorded: %+v", got)
	}
	if _, _, ok := reviews.Next(); !ok {
		t.Error("a redelivered finished event before the review started did not re-emit the review job")
	}

	rev := func(e codementor.ReviewEvent) { tt.Consume(string(codementor.ReviewEvents), "s1", raw(t, e)) }
	rev(codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "a1", Model: "m"})
	rev(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a1", Offset: 0, Text: "Good "})
	rev(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a1", Offset: 5, Text: "work."})
	s = state(tt, "s1")
	if s.Status != codementor.StatusReviewing || s.Review.Status != codementor.ReviewRunning || s.Review.Text != "Good work." || s.Version != 8 {
		t.Fatalf("while reviewing: %+v", s)
	}
	ev(finished)
	if _, _, ok := reviews.Next(); ok {
		t.Error("a redelivered finished event re-emitted the review job after the review started")
	}
	done := &codementor.Review{Status: codementor.ReviewDone, Text: "Good work.", Parts: &codementor.ReviewParts{Summary: "Good work."}}
	rev(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: "a1", Review: done})
	s = state(tt, "s1")
	if s.Status != codementor.StatusDone || s.Review.Status != codementor.ReviewDone || s.Review.Parts == nil || s.Review.Attempt != "a1" || s.Review.Model != "m" || s.Version != 9 {
		t.Fatalf("after the review: %+v", s)
	}

	// Once final, nothing changes it: not a rerun's events, not a duplicate
	// request, not a late review event.
	ev(codementor.RunEvent{Kind: codementor.RunStarted, TestCount: 2})
	ev(codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictWrongAnswer})
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, req))
	rev(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a1", Offset: 10, Text: " More."})
	rev(codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "a2"})
	if got := state(tt, "s1"); got.Version != 9 || got.Verdict != codementor.VerdictAccepted || got.Status != codementor.StatusDone || got.Review.Text != "Good work." {
		t.Errorf("final state changed: %+v", got)
	}
	if _, _, ok := jobs.Next(); ok {
		t.Error("a request for a final submission emitted a job")
	}
}

func TestInternalErrorFails(t *testing.T) {
	tt, _ := run(t)
	tt.Consume(string(codementor.SubmissionRequests), "s2", raw(t, codementor.SubmissionRequest{ID: "s2", User: "bob", QuestionID: "q", Language: "c", Code: "x"}))
	tt.Consume(string(codementor.RunEvents), "s2", raw(t, codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictInternalError, Error: "boom"}))
	if s := state(tt, "s2"); s.Status != codementor.StatusFailed || s.Error != "boom" || s.Review.Status != codementor.ReviewSkipped || s.Review.Reason != NotJudgedReason {
		t.Errorf("state = %+v, want failed with the error and the review skipped", s)
	}
}

// reviewing is a submission whose verdict is recorded.
func reviewing() *codementor.Submission {
	return &codementor.Submission{ID: "s", Status: codementor.StatusReviewing, Verdict: codementor.VerdictWrongAnswer,
		Review: codementor.Review{Status: codementor.ReviewPending}, Version: 5}
}

func TestApplyReviewAttempts(t *testing.T) {
	now := time.Now()
	cur := reviewing()
	step := func(ev codementor.ReviewEvent) *codementor.Submission {
		t.Helper()
		if next := ApplyReview(cur, &ev, now); next != nil {
			cur = next
			return next
		}
		return nil
	}
	step(codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "a"})
	step(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a", Offset: 0, Text: "abc"})
	if step(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a", Offset: 0, Text: "abc"}) != nil {
		t.Error("a duplicate delta was applied")
	}
	if step(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a", Offset: 7, Text: "xyz"}) != nil {
		t.Error("a delta past the end of the text was applied")
	}
	// The job was redelivered to another reviewer: its attempt takes over.
	step(codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "b"})
	if cur.Review.Text != "" || cur.Review.Attempt != "b" {
		t.Fatalf("a new attempt did not restart the text: %+v", cur.Review)
	}
	if step(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a", Offset: 0, Text: "old"}) != nil {
		t.Error("a superseded attempt's delta was applied")
	}
	if step(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: "a", Review: &codementor.Review{Status: codementor.ReviewDone, Text: "old"}}) != nil {
		t.Error("a superseded attempt's review was taken")
	}
	if step(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: "b", Review: &codementor.Review{Status: codementor.ReviewRunning}}) != nil {
		t.Error("a finished event without a final review was taken")
	}
	step(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "b", Offset: 0, Text: "new"})
	step(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: "b", Review: &codementor.Review{Status: codementor.ReviewFailed, Reason: "timeout", Text: "new", Truncated: true}})
	if cur.Status != codementor.StatusDone || cur.Review.Status != codementor.ReviewFailed || cur.Review.Reason != "timeout" || cur.Verdict != codementor.VerdictWrongAnswer {
		t.Fatalf("after the review failed: %+v", cur)
	}
}

func TestApplyReviewSkippedWithoutStart(t *testing.T) {
	next := ApplyReview(reviewing(), &codementor.ReviewEvent{Kind: codementor.ReviewFinished, Review: &codementor.Review{Status: codementor.ReviewSkipped, Reason: "off"}}, time.Now())
	if next == nil || next.Status != codementor.StatusDone || next.Review.Status != codementor.ReviewSkipped || next.Version != 6 {
		t.Fatalf("skipped review: %+v", next)
	}
	// Review events for a submission not yet judged change nothing.
	queued := &codementor.Submission{Status: codementor.StatusRunning, Review: codementor.Review{Status: codementor.ReviewPending}}
	if ApplyReview(queued, &codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "a"}, time.Now()) != nil {
		t.Error("a review started before the verdict")
	}
}

func TestReviewJobHidesHiddenTests(t *testing.T) {
	cur := &codementor.Submission{ID: "s", Status: codementor.StatusRunning, Version: 3, Tests: []codementor.TestResult{}}
	_, job := Apply(cur, &codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictWrongAnswer, Tests: []codementor.TestResult{
		{Index: 0, Verdict: codementor.VerdictAccepted, Input: "1", Expected: "2", Output: "2"},
		{Index: 1, Verdict: codementor.VerdictWrongAnswer, Hidden: true, Input: "SECRET-IN", Expected: "SECRET-OUT", Output: "x", Stderr: "y"},
	}}, time.Now())
	if job == nil || len(job.Tests) != 2 {
		t.Fatalf("job = %+v", job)
	}
	if h := job.Tests[1]; h.Input != "" || h.Expected != "" || h.Output != "" || h.Stderr != "" {
		t.Errorf("hidden test data in the review job: %+v", h)
	}
	if s := job.Tests[0]; s.Input != "1" || s.Expected != "2" {
		t.Errorf("sample test data missing from the review job: %+v", s)
	}
}

func TestPoisonMessagesGoToTheDeadLetterTopic(t *testing.T) {
	tt, jobs := run(t)
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	tt.Consume(string(codementor.SubmissionRequests), "bad", []byte("{not json"))
	tt.Consume(string(codementor.RunEvents), "bad", []byte("\x00\x01"))
	tt.Consume(string(codementor.ReviewEvents), "bad", []byte("[1,2"))
	tt.Consume(string(codementor.SubmissionRequests), "future", []byte(`{"v":99,"id":"future"}`))
	var letters []*codementor.DeadLetter
	for {
		_, v, ok := dead.Next()
		if !ok {
			break
		}
		letters = append(letters, v.(*codementor.DeadLetter))
	}
	if len(letters) != 4 {
		t.Fatalf("%d dead letters, want 4", len(letters))
	}
	if dl := letters[0]; dl.Topic != string(codementor.SubmissionRequests) || dl.Key != "bad" || string(dl.Value) != "{not json" || dl.Group != string(codementor.TrackerGroup) || dl.Reason == "" {
		t.Errorf("dead letter %+v", dl)
	}
	if dl := letters[3]; !strings.Contains(dl.Reason, "unknown schema version 99") {
		t.Errorf("the newer schema's reason: %q", dl.Reason)
	}
	tt.Consume(string(codementor.ReviewEvents), "nobody", raw(t, codementor.ReviewEvent{Kind: codementor.ReviewStarted}))
	tt.Consume(string(codementor.RunEvents), "nobody", raw(t, codementor.RunEvent{Kind: codementor.RunStarted}))
	if state(tt, "bad") != nil || state(tt, "nobody") != nil || state(tt, "future") != nil {
		t.Error("undecodable or orphan messages created state")
	}
	// The processor still works after them.
	tt.Consume(string(codementor.SubmissionRequests), "ok", raw(t, codementor.SubmissionRequest{ID: "ok", User: "u", QuestionID: "q", Language: "c", Code: "x"}))
	if state(tt, "ok") == nil {
		t.Fatal("processor stopped after a poison message")
	}
	if key, _, _ := jobs.Next(); key != "ok" {
		t.Errorf("job key = %q", key)
	}
}

func TestApplyIgnoresUnknownKinds(t *testing.T) {
	cur := &codementor.Submission{Status: codementor.StatusQueued, Version: 1}
	if next, _ := Apply(cur, &codementor.RunEvent{Kind: "weird"}, time.Now()); next != nil {
		t.Error("unknown event kind changed the state")
	}
	if ApplyReview(reviewing(), &codementor.ReviewEvent{Kind: "weird"}, time.Now()) != nil {
		t.Error("unknown review event kind changed the state")
	}
	if next, _ := Apply(cur, &codementor.RunEvent{Kind: codementor.RunTest}, time.Now()); next != nil {
		t.Error("a test event without a test changed the state")
	}
}

func TestNudge(t *testing.T) {
	now := time.Now()
	for _, tt := range []struct {
		status      codementor.Status
		version     int64
		job, review bool
		changes     bool
	}{
		{codementor.StatusQueued, 1, true, false, true},
		{codementor.StatusRunning, 5, true, false, true},
		{codementor.StatusReviewing, 9, false, true, true},
		{codementor.StatusDone, 12, false, false, false},
		{codementor.StatusFailed, 3, false, false, false},
	} {
		cur := &codementor.Submission{ID: "s", User: "u", QuestionID: "q", Status: tt.status, Version: tt.version,
			Review: codementor.Review{Status: codementor.ReviewPending}}
		if tt.status == codementor.StatusReviewing {
			cur.Verdict = codementor.VerdictAccepted
		}
		next, job, review := Nudge(cur, &codementor.Nudge{SubmissionID: "s", Version: tt.version}, now)
		if (next != nil) != tt.changes || (job != nil) != tt.job || (review != nil) != tt.review {
			t.Errorf("%s: next %v, job %v, review %v", tt.status, next != nil, job != nil, review != nil)
			continue
		}
		if next == nil {
			continue
		}
		if next.Version != tt.version+1 || next.Requeued != 1 || next.Status != tt.status || cur.Version != tt.version {
			t.Errorf("%s: next %+v (cur %+v)", tt.status, next, cur)
		}
		if job != nil && (job.User != "u" || job.SubmissionID != "s") {
			t.Errorf("%s: job %+v", tt.status, job)
		}
		// A second nudge of the same look, or of an older one, does nothing.
		if n, j, r := Nudge(next, &codementor.Nudge{SubmissionID: "s", Version: tt.version}, now); n != nil || j != nil || r != nil {
			t.Errorf("%s: a second nudge of version %d acted", tt.status, tt.version)
		}
	}
}

// TestLearnerEventsAndNudges: a submission tells the learners group it is in
// flight when its job goes out and that it is not once its verdict is in; a
// nudge of a stalled submission emits its job again, once per version.
func TestLearnerEventsAndNudges(t *testing.T) {
	tt, jobs := run(t)
	learners := tt.NewQueueTracker(string(codementor.LearnerEvents))
	next := func() (string, *codementor.LearnerEvent) {
		t.Helper()
		key, v, ok := learners.Next()
		if !ok {
			t.Fatal("no learner event")
		}
		return key, v.(*codementor.LearnerEvent)
	}
	tt.Consume(string(codementor.SubmissionRequests), "s1", raw(t, codementor.SubmissionRequest{ID: "s1", User: "carol", QuestionID: "q", Language: "python", Code: "x"}))
	if key, ev := next(); key != "carol" || ev.SubmissionID != "s1" || !ev.InFlight {
		t.Fatalf("first learner event %s %+v", key, ev)
	}
	if _, _, ok := jobs.Next(); !ok {
		t.Fatal("no job")
	}
	nudge := func(version int64) {
		tt.Consume(string(codementor.SubmissionNudges), "s1", raw(t, codementor.Nudge{SubmissionID: "s1", Version: version}))
	}
	nudge(1)
	if _, v, ok := jobs.Next(); !ok || v.(*codementor.Job).SubmissionID != "s1" {
		t.Fatalf("no job after the nudge: %v", v)
	}
	if s := state(tt, "s1"); s.Version != 2 || s.Requeued != 1 || s.Status != codementor.StatusQueued {
		t.Fatalf("after the nudge: %+v", s)
	}
	if _, ev := next(); !ev.InFlight {
		t.Fatalf("the nudge's learner event %+v", ev)
	}
	nudge(1) // the same look again
	if _, v, ok := jobs.Next(); ok {
		t.Fatalf("a second nudge of version 1 emitted %v", v)
	}
	tt.Consume(string(codementor.RunEvents), "s1", raw(t, codementor.RunEvent{Kind: codementor.RunFinished, Verdict: codementor.VerdictWrongAnswer, TestCount: 1,
		Tests: []codementor.TestResult{{Index: 0, Verdict: codementor.VerdictWrongAnswer}}}))
	if key, ev := next(); key != "carol" || ev.InFlight {
		t.Fatalf("after the verdict: %s %+v", key, ev)
	}
}
