package judge

import (
	"context"
	"sync"
	"time"

	"github.com/codementor/codementor/queue"
)

// fairSlots shares an instance's judging slots between learners.
//
// A quarter of them (at least one, when there are two or more) are kept for
// learners with nothing running here: a learner with a job running may take
// a slot only while more than that reserve is free, and otherwise defers
// the job (it goes to the end of the queue). One learner's flood of slow
// submissions (or a few learners') then never makes another learner wait
// for a slot, and a lone learner still uses three quarters of the slots (on
// two slots: one).
//
// When every slot is taken by a different learner's slow job (a coding test
// where many submit a program that runs for seconds), the reserve cannot
// help: a job of a learner with nothing running then waits for a slot, and
// after preemptAfter it preempts a job whose current test has run that long
// (a quick program's test takes milliseconds), taking its slot at once. The
// preempted job stops, is written again at the end of the queue and is
// never preempted again, nor preempts others, nor takes a free slot while
// a job that never yielded waits: it loses at most the work of one start,
// and everyone gets a turn. The instance holds a few jobs beyond its slots
// (spares) so that it sees who waits.
type fairSlots struct {
	mu           sync.Mutex
	slots        int
	reserve      int
	preemptAfter time.Duration // 0: never preempt
	busy         int
	running      map[string]int // learner → jobs running
	waiting      map[string]int // learner → jobs waiting for a slot
	fresh        int            // jobs waiting that never yielded
	jobs         map[*slot]struct{}
	changed      chan struct{} // closed (and replaced) when a slot frees or a job becomes preemptible
	losses       []loss        // preemptions in the last lossWindow, oldest first
}

// slot is a running job.
type slot struct {
	f    *fairSlots
	user string
	// yielded: the job was preempted once already; it is not again.
	yielded bool
	// began is when it took its slot; testSince when its current test
	// began (zero while compiling).
	began, testSince time.Time
	cancel           context.CancelFunc
	// preempted: the job gave its slot to another at once; its work is
	// being cancelled, and its release frees nothing.
	preempted bool
}

func newFairSlots(slots int, preemptAfter time.Duration) *fairSlots {
	return &fairSlots{slots: slots, reserve: reserveOf(slots), preemptAfter: preemptAfter, running: map[string]int{},
		waiting: map[string]int{}, jobs: map[*slot]struct{}{}, changed: make(chan struct{})}
}

func reserveOf(slots int) int {
	if slots > 1 {
		return max(1, slots/4)
	}
	return 0
}

// spares is how many jobs an instance of slots holds beyond them, waiting
// for a slot: half as many, at least one. Those are the jobs that can
// preempt at once when every slot is taken by a slow job; a job held here
// waits for this instance's slots, but only while all are busy, and no
// longer than it takes a test to run for preemptAfter or a slot to free.
func spares(slots int) int { return max(1, slots/2) }

// take returns a slot for a job of user (yielded: preempted once already)
// whose work is cancelled through cancel on preemption, waiting for one if
// the learner has nothing running here. Otherwise, or when ctx ends first,
// it returns the job's outcome instead: queue.Defer (the free slots are
// kept for other learners) or queue.Retry. A job of no known learner
// (written before jobs named theirs) is never deferred.
func (f *fairSlots) take(ctx context.Context, user string, yielded bool, cancel context.CancelFunc) (*slot, queue.Outcome) {
	s := &slot{f: f, user: user, yielded: yielded, cancel: cancel}
	f.mu.Lock()
	if user != "" && f.running[user]+f.waiting[user] > 0 {
		// The learner has a job here already: a slot beyond the reserve,
		// or the end of the queue.
		defer f.mu.Unlock()
		if f.slots-f.busy > f.reserve {
			f.busy++
			f.start(s)
			return s, queue.Done
		}
		return nil, queue.Defer
	}
	f.waiting[user]++
	if !yielded {
		f.fresh++
	}
	defer func() {
		f.mu.Lock()
		if f.waiting[user]--; f.waiting[user] == 0 {
			delete(f.waiting, user)
		}
		if !yielded {
			if f.fresh--; f.fresh == 0 {
				f.broadcast() // jobs that yielded may take free slots now
			}
		}
		f.mu.Unlock()
	}()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		// A job that yielded once takes a free slot only when no other
		// waits for one: it has had its turn.
		if f.busy < f.slots && (!yielded || f.fresh == 0) {
			f.busy++
			f.start(s)
			f.mu.Unlock()
			return s, queue.Done
		}
		if ctx.Err() != nil {
			f.mu.Unlock()
			return nil, queue.Retry
		}
		var wake <-chan time.Time
		if !yielded && user != "" && f.preemptAfter > 0 {
			now := time.Now()
			victim, next := f.victim(now)
			if victim != nil {
				// The slot passes to s at once: the victim's work is
				// cancelled, and for the moment it takes to stop, the
				// instance runs one job more than its slots.
				victim.preempted = true
				f.losses = append(f.losses, loss{now, now.Sub(victim.began)})
				f.stop(victim)
				f.start(s)
				f.mu.Unlock()
				victim.cancel()
				return s, queue.Done
			}
			if !next.IsZero() {
				timer = resetTimer(timer, time.Until(next))
				wake = timer.C
			}
		}
		changed := f.changed
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, queue.Retry
		case <-changed:
		case <-wake:
		}
		f.mu.Lock()
	}
}

// victim returns the job to preempt now: one that may be preempted and
// whose test has run preemptAfter, the learner with the most jobs running
// first, then the longest test. With none, next is when the first may be
// (zero: none may be).
func (f *fairSlots) victim(now time.Time) (victim *slot, next time.Time) {
	if wait := f.overBudget(now); wait > 0 {
		return nil, now.Add(wait)
	}
	for s := range f.jobs {
		if s.yielded || s.preempted || s.testSince.IsZero() {
			continue
		}
		at := s.testSince.Add(f.preemptAfter)
		if at.After(now) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		if victim == nil || f.running[s.user] > f.running[victim.user] ||
			f.running[s.user] == f.running[victim.user] && s.testSince.Before(victim.testSince) {
			victim = s
		}
	}
	return victim, next
}

// lossWindow and lossBudget: preemption throws away at most a tenth of the
// slots' time over the last minute. When every job is long (a burst of
// heavy programs), preempting gains nobody anything, and this bounds what
// it costs; when a few slow jobs hold the slots, it is far below.
const (
	lossWindow = time.Minute
	lossBudget = 10 // percent
)

// loss is the work a preemption threw away.
type loss struct {
	at   time.Time
	lost time.Duration
}

// overBudget returns how long until preemption is within its budget again
// (0: it is now).
func (f *fairSlots) overBudget(now time.Time) time.Duration {
	for len(f.losses) > 0 && now.Sub(f.losses[0].at) >= lossWindow {
		f.losses = f.losses[1:]
	}
	var lost time.Duration
	for _, l := range f.losses {
		lost += l.lost
	}
	if lost < time.Duration(f.slots)*lossWindow*lossBudget/100 {
		return 0
	}
	return lossWindow - now.Sub(f.losses[0].at)
}

// testing records that s's job began a test (or its tests, after the
// compile) and reports whether it still runs: false once preempted, when
// nothing it does counts any more.
func (s *slot) testing() bool {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.preempted {
		return false
	}
	if s.testSince.IsZero() {
		f.broadcast() // a new job that may be preempted in time
	}
	s.testSince = time.Now()
	return true
}

// finish reports whether s's job may give its result: false if it was
// preempted. From then on it is not preempted.
func (s *slot) finish() bool {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.yielded = true
	return !s.preempted
}

// release frees s's slot, unless s gave it to another.
func (s *slot) release() {
	f := s.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.preempted {
		return
	}
	f.stop(s)
	f.free()
}

func (f *fairSlots) start(s *slot) {
	s.began = time.Now()
	f.running[s.user]++
	f.jobs[s] = struct{}{}
}

func (f *fairSlots) stop(s *slot) {
	delete(f.jobs, s)
	if f.running[s.user]--; f.running[s.user] == 0 {
		delete(f.running, s.user)
	}
}

func (f *fairSlots) free() {
	f.busy--
	f.broadcast()
}

func (f *fairSlots) broadcast() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func resetTimer(t *time.Timer, d time.Duration) *time.Timer {
	if t == nil {
		return time.NewTimer(d)
	}
	t.Reset(d)
	return t
}
