// Package webtest has in-memory fakes of what the web tier reads and writes
// through: map-backed views of the submission, questions, runtimes,
// learners, progress and question-stats tables, and emitters that write
// into those views as the pipeline would (a submission request becomes a
// queued submission, a question is stored, a judged submission counts in
// its learner's progress and its question's statistics). A test drives package web's handlers with them, without Kafka,
// and pushes later states of a submission with Submissions.Put to drive the
// Server-Sent Event streams.
//
// Reads return a copy of what is stored, as the real views decode a fresh
// value on every read; a key the fake does not hold gives an error wrapping
// views.ErrNotFound.
package webtest

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/processors/progress"
	"github.com/codementor/codementor/processors/stats"
	"github.com/codementor/codementor/processors/tracker"
	"github.com/codementor/codementor/views"
)

// Pipeline is a fake of everything behind the web tier, wired as the real
// one is: what its emitters accept lands in its views at once.
type Pipeline struct {
	Submissions       *Submissions
	Questions         *Questions
	Runtimes          *Runtimes
	Learners          *Learners
	Progress          *Progress
	QuestionStats     *QuestionStats
	SubmissionEmitter *SubmissionEmitter
	QuestionEmitter   *QuestionEmitter
	RejudgeEmitter    *RejudgeEmitter
	// Contests, what ContestEmitter accepts, and Standings, the contests'
	// rows (a test puts them, as the standings group would).
	Contests       *Contests
	ContestEmitter *ContestEmitter
	Standings      *Standings
	TestData       *TestData
}

// New returns an empty pipeline: submissions emitted are queued in its
// submission view, which keeps its learners view's in-flight sets and
// feeds its progress and question-stats views, and questions and contests
// emitted are stored in their views.
func New() *Pipeline {
	p := &Pipeline{Questions: NewQuestions(), Runtimes: NewRuntimes(), Learners: NewLearners(),
		Progress: NewProgress(), QuestionStats: NewQuestionStats()}
	p.Submissions = NewSubmissions()
	p.Submissions.Learners = p.Learners
	p.Submissions.Progress, p.Submissions.QuestionStats = p.Progress, p.QuestionStats
	p.SubmissionEmitter = &SubmissionEmitter{Submissions: p.Submissions}
	p.QuestionEmitter = &QuestionEmitter{Questions: p.Questions}
	p.RejudgeEmitter = &RejudgeEmitter{Submissions: p.Submissions}
	p.Contests, p.Standings = NewContests(), NewStandings()
	p.ContestEmitter = &ContestEmitter{Contests: p.Contests}
	p.TestData = NewTestData()
	return p
}

// table is a map of *T that wakes its waiters on every change.
type table[T any] struct {
	name    string // in errors
	mu      sync.Mutex
	values  map[string]*T
	changed chan struct{} // closed and replaced by every change
}

func newTable[T any](name string) table[T] {
	return table[T]{name: name, values: map[string]*T{}, changed: make(chan struct{})}
}

// Get returns a copy of the value of key.
func (t *table[T]) Get(key string) (*T, error) {
	v, _ := t.get(key)
	if v == nil {
		return nil, fmt.Errorf("%s in %s: %w", key, t.name, views.ErrNotFound)
	}
	return v, nil
}

// get returns a copy of the value of key (nil if none), and the channel
// the next change closes.
func (t *table[T]) get(key string) (*T, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.values[key]
	if !ok {
		return nil, t.changed
	}
	c := *v
	return &c, t.changed
}

// put stores a copy of v under key and wakes the waiters.
func (t *table[T]) put(key string, v *T) {
	c := *v
	t.update(key, func(*T) *T { return &c })
}

// update stores under key what next makes of the current value (nil if
// none), and wakes the waiters; next may keep the current value, and must
// not keep a value of its caller's.
func (t *table[T]) update(key string, next func(cur *T) *T) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.values[key] = next(t.values[key])
	close(t.changed)
	t.changed = make(chan struct{})
}

// Await returns the value of key once ok accepts it, or ctx's error.
func (t *table[T]) Await(ctx context.Context, key string, ok func(*T) bool) (*T, error) {
	for {
		v, changed := t.get(key)
		if v != nil && ok(v) {
			return v, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for %s in %s: %w", key, t.name, ctx.Err())
		}
	}
}

// Lookup returns the value of key, waiting up to within for it to be put;
// then an error wrapping views.ErrNotFound. When ctx ends, ctx's error.
func (t *table[T]) Lookup(ctx context.Context, key string, within time.Duration) (*T, error) {
	wctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	v, err := t.Await(wctx, key, func(*T) bool { return true })
	if err != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("%q is not in %s: %w (waited %s)", key, t.name, views.ErrNotFound, within)
	}
	return v, err
}

// list returns a copy of every value, sorted by key.
func (t *table[T]) list() []*T {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*T, 0, len(t.values))
	for _, k := range slices.Sorted(maps.Keys(t.values)) {
		c := *t.values[k]
		out = append(out, &c)
	}
	return out
}

// Submissions is a fake of the submission view (*views.Submissions),
// publishing every Put to its own hub.
type Submissions struct {
	table[codementor.Submission]
	hub *views.Hub
	// Learners, when not nil, is kept as the tracker and the learners
	// processor keep the learners table: a submission is in flight from
	// its queued state until it has a verdict or is final.
	Learners *Learners
	// Progress and QuestionStats, when not nil, are kept as the progress
	// and question-stats processors keep their tables: each new judgement
	// of a graded submission (a verdict, or a rejudge's) is applied to
	// them.
	Progress      *Progress
	QuestionStats *QuestionStats
}

// NewSubmissions returns an empty view.
func NewSubmissions() *Submissions {
	return &Submissions{table: newTable[codementor.Submission]("the submission table"), hub: views.NewHub()}
}

// Put stores sub as the submission's new state, as the tracker would, and
// publishes it to the subscribers.
func (s *Submissions) Put(sub *codementor.Submission) {
	prev, _ := s.get(sub.ID)
	s.put(sub.ID, sub)
	if s.Learners != nil && !sub.IsRun() {
		s.Learners.setInFlight(sub.User, sub.ID, sub.CreatedAt, sub.Verdict == "" && !sub.Final())
	}
	if r := tracker.ResultOf(sub, time.Now()); r != nil && (prev == nil || !prev.Graded() || prev.Round != sub.Round) {
		if s.Progress != nil {
			s.Progress.Apply(r)
		}
		if s.QuestionStats != nil {
			s.QuestionStats.Apply(r)
		}
	}
	c := *sub
	s.hub.Publish(&c)
}

// SubscribeUser subscribes to every change of user's submissions.
func (s *Submissions) SubscribeUser(user string) *views.Subscription {
	return s.hub.SubscribeUser(user)
}

// SubscribeSubmission subscribes to the changes of one submission.
func (s *Submissions) SubscribeSubmission(id string) *views.Subscription {
	return s.hub.SubscribeSubmission(id)
}

// Unsubscribe ends sub. It is safe to call more than once.
func (s *Submissions) Unsubscribe(sub *views.Subscription) { s.hub.Unsubscribe(sub) }

// UserSubmissions returns the IDs of user's submissions, newest first.
func (s *Submissions) UserSubmissions(user string) []string { return s.hub.UserSubmissions(user) }

// QuestionSubmissions returns the IDs of the submissions to question.
func (s *Submissions) QuestionSubmissions(question string) []string {
	return s.hub.QuestionSubmissions(question)
}

// ContestSubmissions returns the IDs of the submissions made in contest.
func (s *Submissions) ContestSubmissions(contest string) []string {
	return s.hub.ContestSubmissions(contest)
}

// UserRuns returns the IDs of user's runs, newest first.
func (s *Submissions) UserRuns(user string) []string { return s.hub.UserRuns(user) }

// UserActiveRuns returns the IDs of user's runs queued or running.
func (s *Submissions) UserActiveRuns(user string) []string { return s.hub.UserActiveRuns(user) }

// Counts returns how many submissions and runs are queued and being judged.
func (s *Submissions) Counts() (queued, running int) { return s.hub.Counts() }

// Subscribers returns the number of open subscriptions: a test waits for
// a stream to have subscribed before it puts the change the stream should
// carry.
func (s *Submissions) Subscribers() int { return s.hub.Subscribers() }

// Questions is a fake of the questions view (*views.Questions).
type Questions struct{ table[codementor.Question] }

// NewQuestions returns an empty view.
func NewQuestions() *Questions {
	return &Questions{newTable[codementor.Question]("the questions table")}
}

// Put stores q.
func (q *Questions) Put(v *codementor.Question) { q.put(v.ID, v) }

// List returns every question, sorted by ID.
func (q *Questions) List() ([]*codementor.Question, error) { return q.list(), nil }

// Runtimes is a fake of the runtimes view (*views.Runtimes).
type Runtimes struct{ table[codementor.Runtime] }

// NewRuntimes returns an empty view.
func NewRuntimes() *Runtimes { return &Runtimes{newTable[codementor.Runtime]("the runtimes table")} }

// Put stores r, as a judge announcing its language would.
func (r *Runtimes) Put(v *codementor.Runtime) { r.put(v.ID, v) }

// List returns every runtime, sorted by ID.
func (r *Runtimes) List() ([]*codementor.Runtime, error) { return r.list(), nil }

// Learners is a fake of the learners view (*views.Learners).
type Learners struct{ table[codementor.Learner] }

// NewLearners returns an empty view.
func NewLearners() *Learners { return &Learners{newTable[codementor.Learner]("the learners table")} }

// Put stores l.
func (l *Learners) Put(v *codementor.Learner) { l.put(v.User, v) }

// InFlight returns the IDs of user's submissions in flight, sorted.
func (l *Learners) InFlight(user string) ([]string, error) {
	v, _ := l.get(user)
	if v == nil {
		return nil, nil
	}
	return slices.Sorted(maps.Keys(v.InFlight)), nil
}

// setInFlight adds submission id to user's in-flight set, or removes it.
func (l *Learners) setInFlight(user, id string, since time.Time, in bool) {
	l.update(user, func(cur *codementor.Learner) *codementor.Learner {
		next := &codementor.Learner{User: user, InFlight: map[string]time.Time{}}
		if cur != nil {
			maps.Copy(next.InFlight, cur.InFlight)
		}
		if in {
			next.InFlight[id] = since
		} else {
			delete(next.InFlight, id)
		}
		return next
	})
}

// Progress is a fake of the progress view (*views.Progress).
type Progress struct{ table[codementor.Progress] }

// NewProgress returns an empty view.
func NewProgress() *Progress { return &Progress{newTable[codementor.Progress]("the progress table")} }

// Put stores p as its learner's progress.
func (p *Progress) Put(v *codementor.Progress) { p.put(v.User, v) }

// Apply folds r into its learner's progress, as the progress processor
// does.
func (p *Progress) Apply(r *codementor.Result) {
	p.update(r.User, func(cur *codementor.Progress) *codementor.Progress {
		if next := progress.Apply(cur, r, r.User, time.Now().UTC()); next != nil {
			return next
		}
		return cur
	})
}

// QuestionStats is a fake of the question-stats view
// (*views.QuestionStats).
type QuestionStats struct {
	table[codementor.QuestionStats]
}

// NewQuestionStats returns an empty view.
func NewQuestionStats() *QuestionStats {
	return &QuestionStats{newTable[codementor.QuestionStats]("the question-stats table")}
}

// Put stores v as its question's statistics.
func (q *QuestionStats) Put(v *codementor.QuestionStats) { q.put(v.QuestionID, v) }

// Apply folds r into its question's statistics, as the question-stats
// processor does.
func (q *QuestionStats) Apply(r *codementor.Result) {
	q.update(r.QuestionID, func(cur *codementor.QuestionStats) *codementor.QuestionStats {
		if next := stats.Apply(cur, r, r.QuestionID, time.Now().UTC()); next != nil {
			return next
		}
		return cur
	})
}

// SubmissionEmitter is a fake of the submission-request emitter
// (*emitters.Submissions). A request it accepts becomes a queued
// submission in Submissions, if not nil, unless it holds that submission
// already (a redelivery changes nothing), as with the tracker.
type SubmissionEmitter struct {
	Submissions *Submissions
	// Now is the tracker's clock; nil: time.Now.
	Now func() time.Time

	failing
	requests []*codementor.SubmissionRequest
}

// failing is an emitter's failure on demand: its Emit takes mu and returns
// err when set.
type failing struct {
	mu  sync.Mutex
	err error
}

// Fail makes every Emit from now on fail with err (nil: succeed again).
func (f *failing) Fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// Emit accepts r under key.
func (e *SubmissionEmitter) Emit(ctx context.Context, key string, r *codementor.SubmissionRequest) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return fmt.Errorf("emit %s: %w", key, e.err)
	}
	c := *r
	e.requests = append(e.requests, &c)
	if e.Submissions == nil {
		return nil
	}
	if _, err := e.Submissions.Get(key); err == nil {
		return nil
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	sub := codementor.NewSubmission(r, now().UTC())
	sub.ID = key
	e.Submissions.Put(sub)
	return nil
}

// Requests returns copies of the requests accepted so far, in order.
func (e *SubmissionEmitter) Requests() []*codementor.SubmissionRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests)
}

// QuestionEmitter is a fake of the questions emitter (*emitters.Questions):
// what it accepts is stored in Questions, if not nil.
type QuestionEmitter struct {
	Questions *Questions

	failing
}

// Emit accepts q under key.
func (e *QuestionEmitter) Emit(ctx context.Context, key string, q *codementor.Question) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return fmt.Errorf("emit %s: %w", key, e.err)
	}
	if e.Questions != nil {
		e.Questions.put(key, q)
	}
	return nil
}

// RejudgeEmitter is a fake of the rejudge emitter (*emitters.Rejudges): a
// rejudge it accepts starts the submission's next round in Submissions, if
// not nil, as the tracker does.
type RejudgeEmitter struct {
	Submissions *Submissions

	failing
	rejudges []*codementor.Rejudge
}

// Emit accepts r under key.
func (e *RejudgeEmitter) Emit(ctx context.Context, key string, r *codementor.Rejudge) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return fmt.Errorf("emit %s: %w", key, e.err)
	}
	c := *r
	e.rejudges = append(e.rejudges, &c)
	if e.Submissions == nil {
		return nil
	}
	if cur, err := e.Submissions.Get(key); err == nil {
		if next, _ := tracker.Rejudge(cur, r, time.Now().UTC()); next != nil {
			e.Submissions.Put(next)
		}
	}
	return nil
}

// Rejudges returns copies of the rejudges accepted so far, in order.
func (e *RejudgeEmitter) Rejudges() []*codementor.Rejudge {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.rejudges)
}

// TestData is a fake of the test-data writer (*emitters.TestDataWriter):
// a map of the chunks written and not deleted.
type TestData struct {
	failing
	chunks  map[string]*codementor.TestDataChunk
	written int // chunks written, ever
	deleted int // chunks deleted, ever
}

// NewTestData returns an empty test-data table.
func NewTestData() *TestData { return &TestData{chunks: map[string]*codementor.TestDataChunk{}} }

// Put stores every chunk, or fails (storing none) after Fail.
func (d *TestData) Put(ctx context.Context, chunks iter.Seq[*codementor.TestDataChunk]) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return fmt.Errorf("write test data: %w", d.err)
	}
	for c := range chunks {
		d.chunks[codementor.TestDataKey(c.QuestionID, c.Version, c.Test, c.Part, c.Index)] = c
		d.written++
	}
	return nil
}

// Delete deletes the chunks under keys (even after Fail: the fake fails
// writes only).
func (d *TestData) Delete(ctx context.Context, keys []string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.chunks, k)
		d.deleted++
	}
	return nil
}

// Get returns the chunk under key, or an error wrapping views.ErrNotFound.
func (d *TestData) Get(key string) (*codementor.TestDataChunk, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.chunks[key]
	if !ok {
		return nil, fmt.Errorf("%s in test-data: %w", key, views.ErrNotFound)
	}
	return c, nil
}

// Counts returns the chunks held now, written ever and deleted ever.
func (d *TestData) Counts() (held, written, deleted int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.chunks), d.written, d.deleted
}
