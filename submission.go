package codementor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

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
		Status:     StatusQueued,
		Tests:      []TestResult{},
		Review:     Review{Status: ReviewPending},
		Version:    1,
		CreatedAt:  created,
		UpdatedAt:  now,
	}
}
