package queue_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/queue"
)

// log records what a handler saw.
type log struct {
	mu       sync.Mutex
	calls    map[string][]int32 // key → deliveries seen
	done     map[string]time.Time
	poisoned map[string]int32
}

func newLog() *log {
	return &log{calls: map[string][]int32{}, done: map[string]time.Time{}, poisoned: map[string]int32{}}
}

func (l *log) call(j queue.Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls[j.Key] = append(l.calls[j.Key], j.Delivery)
}

func (l *log) finish(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.done[key] = time.Now()
}

func (l *log) snapshot() (calls map[string][]int32, done map[string]time.Time, poisoned map[string]int32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls, done, poisoned = map[string][]int32{}, map[string]time.Time{}, map[string]int32{}
	for k, v := range l.calls {
		calls[k] = append([]int32(nil), v...)
	}
	for k, v := range l.done {
		done[k] = v
	}
	for k, v := range l.poisoned {
		poisoned[k] = v
	}
	return calls, done, poisoned
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run runs a queue of cfg with h until the test ends or stop is called.
func run(t *testing.T, c *kafkatest.Cluster, slots int, drain time.Duration, h queue.Handler, poisoned queue.Handler) (stop func()) {
	t.Helper()
	q, err := queue.New(queue.Config{Brokers: c.Brokers, Group: string(codementor.JudgeGroup), Topic: string(codementor.RunJobs),
		Slots: slots, ClientID: "test", Drain: drain, Poisoned: poisoned}, kafkatest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("queue: %v", err)
				}
			case <-time.After(30 * time.Second):
				t.Error("the queue did not stop within 30 s")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// runQueue runs a queue of slots and spares with h until the test ends.
func runQueue(t *testing.T, c *kafkatest.Cluster, slots, spares int, h queue.Handler) *queue.Queue {
	q, err := queue.New(queue.Config{Brokers: c.Brokers, Group: string(codementor.JudgeGroup), Topic: string(codementor.RunJobs),
		Slots: slots, Spares: spares, ClientID: "test"}, kafkatest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- q.Run(ctx, h) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return q
}

// hold holds a job until release is closed (Done) or ctx ends (Retry).
func hold(ctx context.Context, release <-chan struct{}) queue.Outcome {
	select {
	case <-release:
		return queue.Done
	case <-ctx.Done():
		return queue.Retry
	}
}

func emit(c *kafkatest.Cluster, keys ...string) {
	for _, k := range keys {
		kafkatest.Emit(c, codementor.RunJobs, k, &codementor.Job{SubmissionID: k})
	}
}

// sleep waits d or until ctx ends, and says whether it slept the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-time.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}

// TestSlowJobHoldsUpNobody puts a slow job and then quick ones on one
// partition: with free slots the quick ones finish long before the slow
// one, each job runs once, and the jobs written before the group's first
// member joined are delivered (share.auto.offset.reset=earliest).
func TestSlowJobHoldsUpNobody(t *testing.T) {
	c := kafkatest.Start(t, 1, 0)
	emit(c, "slow", "quick-1", "quick-2")
	l := newLog()
	run(t, c, 3, 0, func(ctx context.Context, j queue.Job) queue.Outcome {
		l.call(j)
		if j.Key == "slow" {
			sleep(ctx, 3*time.Second)
		}
		l.finish(j.Key)
		return queue.Done
	}, nil)
	waitFor(t, 30*time.Second, "every job done", func() bool {
		_, done, _ := l.snapshot()
		return len(done) == 3
	})
	calls, done, _ := l.snapshot()
	for _, k := range []string{"quick-1", "quick-2"} {
		if !done[k].Before(done["slow"].Add(-time.Second)) {
			t.Errorf("%s finished %s after the slow job began... it waited behind it", k, done[k].Sub(done["slow"]))
		}
	}
	for k, d := range calls {
		if len(d) != 1 || d[0] != 1 {
			t.Errorf("%s delivered %v, want once", k, d)
		}
	}
}

// TestRetryComesRoundThenPoisoned releases a job every time: it comes round
// again, with its delivery counted, until the last delivery, which goes to
// Poisoned instead of the handler.
func TestRetryComesRoundThenPoisoned(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	emit(c, "bad", "good")
	l := newLog()
	run(t, c, 2, 0, func(ctx context.Context, j queue.Job) queue.Outcome {
		l.call(j)
		if j.Key == "bad" {
			return queue.Retry
		}
		l.finish(j.Key)
		return queue.Done
	}, func(ctx context.Context, j queue.Job) queue.Outcome {
		l.mu.Lock()
		l.poisoned[j.Key] = j.Delivery
		l.mu.Unlock()
		return queue.Done
	})
	// The two jobs may be on different partitions: the bad one can be
	// poisoned before the good one's first delivery.
	waitFor(t, 30*time.Second, "the bad job poisoned and the good one done", func() bool {
		_, d, p := l.snapshot()
		return p["bad"] != 0 && !d["good"].IsZero()
	})
	calls, done, poisoned := l.snapshot()
	if got := calls["bad"]; len(got) != queue.DefaultMaxDelivery-1 || got[len(got)-1] != queue.DefaultMaxDelivery-1 {
		t.Errorf("the bad job was run at deliveries %v, want 1 to %d", got, queue.DefaultMaxDelivery-1)
	}
	if poisoned["bad"] != queue.DefaultMaxDelivery {
		t.Errorf("poisoned at delivery %d", poisoned["bad"])
	}
	if done["good"].IsZero() || len(calls["good"]) != 1 {
		t.Errorf("the good job: runs %v", calls["good"])
	}
}

// TestLockRenewedWhileJobRuns runs a job three times longer than the lock
// (one second): renewed, it is never delivered to the idle member.
func TestLockRenewedWhileJobRuns(t *testing.T) {
	c := kafkatest.Start(t, 1, time.Second)
	emit(c, "long")
	l := newLog()
	run(t, c, 2, 0, func(ctx context.Context, j queue.Job) queue.Outcome {
		l.call(j)
		sleep(ctx, 3500*time.Millisecond)
		l.finish(j.Key)
		return queue.Done
	}, nil)
	waitFor(t, 30*time.Second, "the job done", func() bool {
		_, done, _ := l.snapshot()
		return len(done) == 1
	})
	time.Sleep(1500 * time.Millisecond) // a lost lock would redeliver it by now
	if calls, _, _ := l.snapshot(); len(calls["long"]) != 1 {
		t.Fatalf("delivered %v, want once", calls["long"])
	}
}

// TestStopHandsJobsOver stops an instance holding a job: with no drain the
// job's context ends, it is released, and another instance has it at once.
// With a drain, the job in hand finishes first and is not run again.
func TestStopHandsJobsOver(t *testing.T) {
	c := kafkatest.Start(t, 1, 0)
	l := newLog()
	started := make(chan struct{}, 10)
	h := func(ctx context.Context, j queue.Job) queue.Outcome {
		l.call(j)
		started <- struct{}{}
		if !sleep(ctx, 2*time.Second) {
			return queue.Retry
		}
		l.finish(j.Key)
		return queue.Done
	}
	stopFirst := run(t, c, 1, 0, h, nil)
	emit(c, "cut")
	<-started
	run(t, c, 1, 0, h, nil)
	stopped := time.Now()
	stopFirst()
	waitFor(t, 20*time.Second, "the released job done elsewhere", func() bool {
		_, done, _ := l.snapshot()
		return !done["cut"].IsZero()
	})
	if calls, done, _ := l.snapshot(); len(calls["cut"]) != 2 || calls["cut"][1] != 2 {
		t.Errorf("deliveries %v, want 1 then 2", calls["cut"])
	} else {
		t.Logf("done elsewhere %s after the stop", done["cut"].Sub(stopped).Round(time.Millisecond))
	}

	// With a drain the job finishes where it is.
	l2 := newLog()
	h2 := func(ctx context.Context, j queue.Job) queue.Outcome {
		l2.call(j)
		started <- struct{}{}
		if !sleep(ctx, time.Second) {
			return queue.Retry
		}
		l2.finish(j.Key)
		return queue.Done
	}
	c2 := kafkatest.Start(t, 1, 0)
	stopDraining := run(t, c2, 1, 10*time.Second, h2, nil)
	emit(c2, "drained")
	<-started
	stopDraining()
	run(t, c2, 1, 0, h2, nil)
	time.Sleep(2 * time.Second)
	if calls, done, _ := l2.snapshot(); len(calls["drained"]) != 1 || done["drained"].IsZero() {
		t.Errorf("drained job: deliveries %v, done %v", calls["drained"], !done["drained"].IsZero())
	}
}

// TestDepthCountsJobsNotDone: the depth counts the jobs waiting and the one
// in hand, and falls to zero once all are done.
func TestDepthCountsJobsNotDone(t *testing.T) {
	c := kafkatest.Start(t, 1, 0)
	release := make(chan struct{})
	q := runQueue(t, c, 1, 0, func(ctx context.Context, j queue.Job) queue.Outcome { return hold(ctx, release) })
	emit(c, "a", "b", "c", "d")
	depth := func() int64 {
		d, _ := q.Depth(context.Background())
		return d
	}
	waitFor(t, 20*time.Second, "a depth of 4 with one job in hand", func() bool { return depth() == 4 && q.Held() == 1 })
	close(release)
	waitFor(t, 20*time.Second, "a depth of 0", func() bool { return depth() == 0 })
}

// TestSpareAndYield: one slot and one spare. The spare takes a job only
// while the slot is busy; a job that yields goes to the end of the queue
// and comes back marked as yielded, as a new record (its deliveries start
// over); the instance never holds more than slot and spare. (A member gets
// its partitions on a heartbeat, 5 s apart at least: under make test's load
// that took over 20 s once, so each step may take a minute.)
func TestSpareAndYield(t *testing.T) {
	c := kafkatest.Start(t, 1, 0)
	release := make(chan struct{})
	var mu sync.Mutex
	yielded := map[string][]bool{}
	var most int64
	var qp atomic.Pointer[queue.Queue]
	q := runQueue(t, c, 1, 1, func(ctx context.Context, j queue.Job) queue.Outcome {
		mu.Lock()
		yielded[j.Key] = append(yielded[j.Key], j.Yielded)
		if q := qp.Load(); q != nil {
			most = max(most, q.Held())
		}
		mu.Unlock()
		if j.Key == "b" && !j.Yielded {
			return queue.Yielded
		}
		if j.Delivery != 1 {
			t.Errorf("%s: delivery %d, want 1", j.Key, j.Delivery)
		}
		return hold(ctx, release)
	})
	qp.Store(q)
	emit(c, "a")
	waitFor(t, time.Minute, "a in hand", func() bool { return q.Held() == 1 })
	emit(c, "b", "c")
	waitFor(t, time.Minute, "b yielded and c in the spare's hand", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(yielded["b"]) == 1 && len(yielded["c"]) == 1
	})
	time.Sleep(500 * time.Millisecond)
	if h := q.Held(); h != 2 {
		t.Errorf("held %d jobs with one slot and one spare busy, want 2", h)
	}
	close(release)
	waitFor(t, time.Minute, "b back, marked", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(yielded["b"]) == 2
	})
	mu.Lock()
	defer mu.Unlock()
	if yielded["b"][1] != true || yielded["a"][0] || yielded["c"][0] {
		t.Errorf("yielded marks %v: want only b's second delivery marked", yielded)
	}
	if most > 2 {
		t.Errorf("held %d jobs at once, want at most 2", most)
	}
}

// TestConfigIsValidated: New refuses a queue without brokers, group or
// topic, or with negative spares.
func TestConfigIsValidated(t *testing.T) {
	for _, bad := range []queue.Config{{}, {Brokers: []string{"b"}, Group: "g"}, {Brokers: []string{"b"}, Group: "g", Topic: "t", Spares: -1}} {
		if _, err := queue.New(bad, kafkatest.Quiet); err == nil {
			t.Errorf("New took %+v", bad)
		}
	}
	if _, err := queue.New(queue.Config{Brokers: []string{"b"}, Group: "g", Topic: "t"}, kafkatest.Quiet); err != nil {
		t.Errorf("New refused a config with defaults to fill: %v", err)
	}
}
