package codementor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Status is where a submission is: queued → running → reviewing → done, or failed for an
// internal fault. The verdict is final from reviewing on: the review follows
// it and never changes it.
type Status string

// The statuses of a submission.
const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusReviewing Status = "reviewing"
	StatusDone      Status = "done"
	StatusFailed    Status = "failed"
)

// SubmissionRequest is what a learner submitted, as emitted by the web tier.
type SubmissionRequest struct {
	ID         string `json:"id"`
	User       string `json:"user"`
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
	// Kind is KindRun for a run, whose Run says what to run; QuestionID
	// may then be empty (a Judge0 submission).
	Kind Kind `json:"kind,omitempty"`
	Run  *Run `json:"run,omitempty"`
	// ContestID is the contest the submission is made in, if any.
	ContestID string    `json:"contest_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Submission is the state of one submission, as kept in SubmissionsTable and
// sent whole in every SSE event.
type Submission struct {
	ID         string `json:"id"`
	User       string `json:"user"`
	QuestionID string `json:"question_id"`
	Language   string `json:"language"`
	Code       string `json:"code"`
	// Kind and Run: see SubmissionRequest. A run is never reviewed.
	Kind Kind `json:"kind,omitempty"`
	Run  *Run `json:"run,omitempty"`
	// ContestID is the contest the submission was made in, if any.
	ContestID string `json:"contest_id,omitempty"`
	Status    Status `json:"status"`
	// Verdict is empty until the submission is judged.
	Verdict       Verdict      `json:"verdict,omitempty"`
	TestCount     int          `json:"test_count"`
	Tests         []TestResult `json:"tests"`
	CompileOutput string       `json:"compile_output,omitempty"`
	Error         string       `json:"error,omitempty"`
	// Score and MaxScore: the points the judged submission earned of what
	// its question is worth (the sum of its subtasks' points, or
	// DefaultQuestionPoints for all or nothing). Zero until judged.
	Score    int `json:"score,omitempty"`
	MaxScore int `json:"max_score,omitempty"`
	// Subtasks are the results of the question's subtasks, as they finish.
	Subtasks []SubtaskResult `json:"subtasks,omitempty"`
	// Round counts the judgements: 0 the first, one more for each rejudge.
	// Run events of another round are ignored.
	Round int `json:"round,omitempty"`
	// RejudgeID is the rejudge that started the current round, if any.
	RejudgeID string `json:"rejudge_id,omitempty"`
	// History holds the earlier judgements, oldest first: each rejudge
	// moves the current one there.
	History []Judgement `json:"history,omitempty"`
	// JudgedAt is when the current judgement's verdict came.
	JudgedAt time.Time `json:"judged_at,omitzero"`
	Review   Review    `json:"review"`
	// Version grows by one with every change; SSE events use it as their id.
	Version int64 `json:"version"`
	// Requeued counts the times its job was emitted again because it made
	// no progress for a while (a lost message, a stuck worker).
	Requeued  int       `json:"requeued,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Final reports whether the submission will not change any more: it is
// judged and reviewed, or failed.
func (s *Submission) Final() bool {
	return s.Status == StatusDone || s.Status == StatusFailed
}

// ReviewStatus is where a review is: pending → running → done or failed, or skipped when
// reviews are off or the submission could not be judged.
type ReviewStatus string

// The statuses of a review.
const (
	ReviewPending ReviewStatus = "pending"
	ReviewRunning ReviewStatus = "running"
	ReviewDone    ReviewStatus = "done"
	ReviewFailed  ReviewStatus = "failed"
	ReviewSkipped ReviewStatus = "skipped"
)

// Review is the LLM's review of a submission.
type Review struct {
	Status ReviewStatus `json:"status"`
	// Reason explains a failed or skipped review, or a cut-off one, in a
	// sentence the UI can show.
	Reason string `json:"reason,omitempty"`
	// Attempt identifies the reviewer run that writes the review: a job
	// redelivered to another reviewer starts a new attempt, which supersedes
	// the old one's output.
	Attempt string `json:"attempt,omitempty"`
	Model   string `json:"model,omitempty"`
	// Text is the review as the model wrote it (Markdown); it grows while
	// the review is running.
	Text string `json:"text,omitempty"`
	// Truncated is set when the model stopped before the end (length limit,
	// broken or stalled stream): Text is what arrived.
	Truncated bool `json:"truncated,omitempty"`
	// Parts is the finished review's structure, parsed from Text.
	Parts      *ReviewParts `json:"parts,omitempty"`
	StartedAt  time.Time    `json:"started_at,omitzero"`
	FinishedAt time.Time    `json:"finished_at,omitzero"`
}

// Final reports whether the review will not change any more.
func (r *Review) Final() bool {
	return r.Status == ReviewDone || r.Status == ReviewFailed || r.Status == ReviewSkipped
}

// ReviewParts is the structure of a review: what a mentor says about a
// submission. Fields the model did not write are empty.
type ReviewParts struct {
	Summary         string   `json:"summary,omitempty"`
	Correctness     string   `json:"correctness,omitempty"`
	Complexity      string   `json:"complexity,omitempty"`
	TimeComplexity  string   `json:"time_complexity,omitempty"`
	SpaceComplexity string   `json:"space_complexity,omitempty"`
	Style           string   `json:"style,omitempty"`
	NextSteps       []string `json:"next_steps,omitempty"`
}

// IsRun reports whether s is a run rather than a graded submission.
func (s *Submission) IsRun() bool { return s.Kind == KindRun }

// NewSubmissionID returns a new submission ID: the creation time in
// milliseconds then random bits, in hex, so IDs sort roughly by age and
// cannot be guessed.
func NewSubmissionID(now time.Time) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // never happens on Linux
	}
	return fmt.Sprintf("%012x%s", now.UnixMilli(), hex.EncodeToString(b[:]))
}

// SubmissionIDTime returns the creation time NewSubmissionID wrote into
// id, or false if id is not of its form.
func SubmissionIDTime(id string) (time.Time, bool) {
	if len(id) != 28 {
		return time.Time{}, false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(id[:12], 16, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms), true
}

// NewSubmission is the queued state of a submission just requested.
func NewSubmission(req *SubmissionRequest, now time.Time) *Submission {
	created := req.CreatedAt
	if created.IsZero() {
		created = now
	}
	return &Submission{
		ID:         req.ID,
		User:       req.User,
		QuestionID: req.QuestionID,
		Language:   req.Language,
		Code:       req.Code,
		Kind:       req.Kind,
		Run:        req.Run,
		ContestID:  req.ContestID,
		Status:     StatusQueued,
		Tests:      []TestResult{},
		Review:     Review{Status: ReviewPending},
		Version:    1,
		CreatedAt:  created,
		UpdatedAt:  now,
	}
}

// SubtaskResult is the outcome of one subtask.
type SubtaskResult struct {
	Index  int    `json:"index"`
	Name   string `json:"name,omitempty"`
	Points int    `json:"points"`
	// Earned is Points when every test of the subtask passed, else 0.
	Earned int `json:"earned"`
	// Verdict is accepted, or the first failing test's verdict.
	Verdict Verdict `json:"verdict"`
	Tests   []int   `json:"tests"`
}

// Judgement is one judgement of a submission, as kept in its History.
type Judgement struct {
	Round    int     `json:"round"`
	Verdict  Verdict `json:"verdict"`
	Score    int     `json:"score"`
	MaxScore int     `json:"max_score,omitempty"`
	// TimeMS and MemoryKB are the most any test took.
	TimeMS   int64 `json:"time_ms"`
	MemoryKB int64 `json:"memory_kb"`
	// Tests are the verdicts of its tests, in order.
	Tests    []Verdict `json:"tests,omitempty"`
	JudgedAt time.Time `json:"judged_at,omitzero"`
	// RejudgeID is the rejudge that ended this judgement, and Reason why
	// (both empty for the current one).
	RejudgeID string `json:"rejudge_id,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// Judgement returns s's current judgement (the zero Judgement's Verdict is
// empty while s is not judged).
func (s *Submission) Judgement() Judgement {
	j := Judgement{Round: s.Round, Verdict: s.Verdict, Score: s.Score, MaxScore: s.MaxScore, JudgedAt: s.JudgedAt}
	for _, tr := range s.Tests {
		j.TimeMS = max(j.TimeMS, tr.TimeMS)
		j.MemoryKB = max(j.MemoryKB, tr.MemoryKB)
		j.Tests = append(j.Tests, tr.Verdict)
	}
	return j
}

// Graded reports whether s counts in progress, statistics and standings:
// a submission (not a run) whose verdict is in.
func (s *Submission) Graded() bool { return !s.IsRun() && s.Verdict != "" }
