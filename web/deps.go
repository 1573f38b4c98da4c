package web

import (
	"context"
	"iter"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// The handlers' view of the tables and of the streams they write to: what
// they use and no more. The goka views and emitters of packages views and
// emitters implement them; package webtest has in-memory fakes. Reads of a
// key the table does not hold return an error wrapping views.ErrNotFound; a
// view that cannot answer yet, one wrapping views.ErrNotReady.

// SubmissionView is the submission table and its changes
// (*views.Submissions).
type SubmissionView interface {
	// Get returns the submission id.
	Get(id string) (*codementor.Submission, error)
	// Lookup returns the submission id, waiting up to within for the view
	// to hold it; when ctx ends, ctx's error.
	Lookup(ctx context.Context, id string, within time.Duration) (*codementor.Submission, error)
	// UserSubmissions returns the IDs of user's submissions, newest first.
	UserSubmissions(user string) []string
	// QuestionSubmissions and ContestSubmissions return the IDs of the
	// submissions (not runs) to a question and made in a contest.
	QuestionSubmissions(question string) []string
	ContestSubmissions(contest string) []string
	// UserRuns returns the IDs of user's runs, newest first.
	UserRuns(user string) []string
	// UserActiveRuns returns the IDs of user's runs queued or running.
	UserActiveRuns(user string) []string
	// Await returns the submission once ok accepts it, or ctx's error.
	Await(ctx context.Context, id string, ok func(*codementor.Submission) bool) (*codementor.Submission, error)
	// Counts returns how many submissions and runs are queued and how
	// many are being judged.
	Counts() (queued, running int)
	// SubscribeUser subscribes to every change of user's submissions.
	SubscribeUser(user string) *views.Subscription
	// SubscribeSubmission subscribes to the changes of submission id.
	SubscribeSubmission(id string) *views.Subscription
	// Unsubscribe ends sub; a second call does nothing.
	Unsubscribe(sub *views.Subscription)
}

// QuestionView is the questions table (*views.Questions).
type QuestionView interface {
	// Get returns the question id.
	Get(id string) (*codementor.Question, error)
	// List returns every question, sorted by ID; callers must not change
	// them.
	List() ([]*codementor.Question, error)
	// Await returns the question id once ok accepts it, waiting for changes
	// until ctx ends.
	Await(ctx context.Context, id string, ok func(*codementor.Question) bool) (*codementor.Question, error)
}

// RuntimeView is the runtimes table (*views.Runtimes): the languages the
// judges run.
type RuntimeView interface {
	// Get returns the runtime of language id.
	Get(id string) (*codementor.Runtime, error)
	// List returns every language some judge runs.
	List() ([]*codementor.Runtime, error)
}

// LearnerView is the learners table (*views.Learners).
type LearnerView interface {
	// InFlight returns the IDs of user's submissions in flight.
	InFlight(user string) ([]string, error)
}

// SubmissionEmitter queues submission requests (*emitters.Submissions).
type SubmissionEmitter interface {
	// Emit writes r under key and returns once the brokers have it, or ctx
	// ended (then it may still be written).
	Emit(ctx context.Context, key string, r *codementor.SubmissionRequest) error
}

// QuestionEmitter writes questions (*emitters.Questions).
type QuestionEmitter interface {
	// Emit writes q under key and returns once the brokers have it, or ctx
	// ended (then it may still be written).
	Emit(ctx context.Context, key string, q *codementor.Question) error
}

// ProgressView is the progress table (*views.Progress): each learner's
// verdicts per question.
type ProgressView interface {
	// Get returns user's progress; callers must not change it.
	Get(user string) (*codementor.Progress, error)
}

// QuestionStatsView is the question-stats table (*views.QuestionStats).
type QuestionStatsView interface {
	// Get returns the statistics of question id; callers must not change
	// them.
	Get(id string) (*codementor.QuestionStats, error)
}

// RejudgeEmitter queues rejudges (*emitters.Rejudges).
type RejudgeEmitter interface {
	// Emit writes r under key and returns once the brokers have it, or ctx
	// ended (then it may still be written).
	Emit(ctx context.Context, key string, r *codementor.Rejudge) error
}

// ContestView is the contests table (*views.Contests).
type ContestView interface {
	// Get returns the contest id.
	Get(id string) (*codementor.Contest, error)
	// List returns every contest, sorted by ID; callers must not change
	// them.
	List() ([]*codementor.Contest, error)
	// Await returns the contest id once ok accepts it, waiting for changes
	// until ctx ends.
	Await(ctx context.Context, id string, ok func(*codementor.Contest) bool) (*codementor.Contest, error)
}

// ContestEmitter writes contests (*emitters.Contests).
type ContestEmitter interface {
	// Emit writes c under key and returns once the brokers have it, or ctx
	// ended (then it may still be written).
	Emit(ctx context.Context, key string, c *codementor.Contest) error
}

// StandingView is the standings table, indexed by contest, and its changes
// (*views.Standings).
type StandingView interface {
	// Leaderboard returns c's rows computed at cutoff (the zero time: every
	// submission counts), ranked best first, and the version of the rows
	// they were computed from; callers must not change them.
	Leaderboard(c *codementor.Contest, cutoff time.Time) ([]codementor.LeaderboardRow, uint64)
	// Row returns user's row of contest, or nil when they have none;
	// callers must not change it.
	Row(contest, user string) *codementor.Standing
	// Subscribe subscribes to the changes of contest's rows.
	Subscribe(contest string) *views.BoardSubscription
	// Unsubscribe ends sub; a second call does nothing.
	Unsubscribe(sub *views.BoardSubscription)
}

// TestDataWriter writes and deletes the chunks of questions' test data in
// the test-data table (*emitters.TestDataWriter).
type TestDataWriter interface {
	// Put writes every chunk and returns once the brokers have them all, or
	// with the first error, or when ctx ends.
	Put(ctx context.Context, chunks iter.Seq[*codementor.TestDataChunk]) error
	// Delete deletes the chunks under keys and returns once the brokers
	// have every tombstone, or with the first error, or when ctx ends.
	Delete(ctx context.Context, keys []string) error
}
