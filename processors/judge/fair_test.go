package judge

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/codementor/codementor/queue"
)

func take(t *testing.T, f *fairSlots, user string) (*slot, bool) {
	t.Helper()
	// A learner with nothing running waits for a slot: ask without waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, out := f.take(ctx, user, false, func() {})
	if s == nil && out != queue.Defer && out != queue.Retry {
		t.Fatalf("take for %s: no slot and outcome %v", user, out)
	}
	return s, s != nil
}

func TestFairSlotsKeepSomeForOtherLearners(t *testing.T) {
	tests := []struct {
		slots, alice int // alice's jobs that may run when she is alone
	}{{1, 1}, {2, 1}, {3, 2}, {4, 3}, {8, 6}, {16, 12}}
	for _, tt := range tests {
		f := newFairSlots(tt.slots, 0)
		n := 0
		for {
			if _, ok := take(t, f, "alice"); !ok {
				break
			}
			n++
		}
		if n != tt.alice {
			t.Errorf("%d slots: alice alone ran %d, want %d", tt.slots, n, tt.alice)
		}
		// The rest go to learners with nothing running, one each.
		for i := n; i < tt.slots; i++ {
			if _, ok := take(t, f, fmt.Sprintf("learner-%d", i)); !ok {
				t.Errorf("%d slots: a learner with nothing running found no slot with %d busy", tt.slots, i)
			}
		}
		if _, ok := take(t, f, "bob"); ok {
			t.Errorf("%d slots: a job took a slot with all busy", tt.slots)
		}
	}
	f := newFairSlots(2, 0)
	s, _ := take(t, f, "alice")
	if _, ok := take(t, f, ""); !ok {
		t.Error("a job of no known learner was held back")
	}
	s.release()
	if _, ok := take(t, f, "alice"); !ok {
		t.Error("alice could not take a slot once hers was released")
	}
}

// waiter takes a slot in the background.
type waiter struct {
	s   chan *slot
	out chan queue.Outcome
}

func wait(f *fairSlots, ctx context.Context, user string, yielded bool) waiter {
	w := waiter{make(chan *slot, 1), make(chan queue.Outcome, 1)}
	go func() {
		s, out := f.take(ctx, user, yielded, func() {})
		w.s <- s
		w.out <- out
	}()
	return w
}

func (w waiter) got(t *testing.T, within time.Duration) *slot {
	t.Helper()
	select {
	case s := <-w.s:
		return s
	case <-time.After(within):
		return nil
	}
}

// running takes a slot for user with cancel as its preemption, and starts
// its tests.
func running(t *testing.T, f *fairSlots, user string, yielded bool) (*slot, chan struct{}) {
	t.Helper()
	preempted := make(chan struct{})
	s, _ := f.take(context.Background(), user, yielded, func() { close(preempted) })
	if s == nil {
		t.Fatalf("no slot for %s", user)
	}
	s.testing()
	return s, preempted
}

func TestPreemption(t *testing.T) {
	const after = 50 * time.Millisecond
	t.Run("a waiting learner preempts the longest test and takes its slot", func(t *testing.T) {
		f := newFairSlots(2, after)
		alice, alicePreempted := running(t, f, "alice", false)
		time.Sleep(after / 2)
		carol, _ := running(t, f, "carol", false)
		bob := wait(f, context.Background(), "bob", false)
		s := bob.got(t, 10*time.Second)
		if s == nil {
			t.Fatal("bob got no slot")
		}
		select {
		case <-alicePreempted:
		default:
			t.Fatal("alice's job, whose test ran longest, was not preempted")
		}
		if alice.testing() || alice.finish() {
			t.Error("a preempted job's progress and result still count")
		}
		alice.release() // gave its slot away: frees nothing
		if _, ok := take(t, f, "dave"); ok {
			t.Error("a slot was free after the hand-over")
		}
		if !carol.finish() {
			t.Error("carol's job was preempted too")
		}
		carol.release()
		s.release()
		if f.busy != 0 || len(f.running) != 0 || len(f.jobs) != 0 || len(f.waiting) != 0 || f.fresh != 0 {
			t.Errorf("left behind: busy %d, running %v, jobs %d, waiting %v, fresh %d", f.busy, f.running, len(f.jobs), f.waiting, f.fresh)
		}
	})
	t.Run("no preemption of a yielded job, a compiling one, or by a yielded or over-share one", func(t *testing.T) {
		f := newFairSlots(2, after)
		_, yieldedPreempted := running(t, f, "alice", true)
		compiling, _ := f.take(context.Background(), "carol", false, func() { t.Error("a compiling job was preempted") })
		again := wait(f, context.Background(), "bob", true)
		if s, out := f.take(context.Background(), "alice", false, func() {}); s != nil || out != queue.Defer {
			t.Errorf("alice's second job with all busy: %v, %v; want it deferred", s, out)
		}
		ctx, cancel := context.WithCancel(context.Background())
		dave := wait(f, ctx, "dave", false)
		time.Sleep(4 * after)
		select {
		case <-yieldedPreempted:
			t.Fatal("a job preempted before was preempted again")
		default:
		}
		if again.got(t, 0) != nil || dave.got(t, 0) != nil {
			t.Fatal("a waiter got a slot with none free")
		}
		cancel()
		if dave.got(t, 10*time.Second) != nil || <-dave.out != queue.Retry {
			t.Error("a waiter whose context ended did not give up with Retry")
		}
		compiling.release()
		if again.got(t, 10*time.Second) == nil {
			t.Error("a yielded job did not get the slot that freed")
		}
	})
	t.Run("a job that yielded lets one that never did go first", func(t *testing.T) {
		f := newFairSlots(1, 0) // no preemption: both wait for the slot
		alice, _ := running(t, f, "alice", false)
		again := wait(f, context.Background(), "bob", true)
		ctx, cancel := context.WithCancel(context.Background())
		fresh := wait(f, ctx, "carol", false)
		time.Sleep(50 * time.Millisecond)
		alice.release()
		s := fresh.got(t, 10*time.Second)
		if s == nil {
			t.Fatal("the job that never yielded did not get the free slot")
		}
		if again.got(t, 50*time.Millisecond) != nil {
			t.Fatal("the yielded job got a slot too")
		}
		s.release()
		if again.got(t, 10*time.Second) == nil {
			t.Error("the yielded job did not get the slot once nobody else waited")
		}
		cancel()
	})
}

// TestPreemptionBudget: once preemption threw away a tenth of the slots'
// time over the last minute, no job is preempted until it is within budget.
func TestPreemptionBudget(t *testing.T) {
	const after = 20 * time.Millisecond
	f := newFairSlots(1, after)
	// Six seconds lost already on one slot: the budget of a minute.
	f.losses = append(f.losses, loss{time.Now(), 6 * time.Second})
	_, preempted := running(t, f, "alice", false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bob := wait(f, ctx, "bob", false)
	if bob.got(t, 10*after) != nil {
		t.Fatal("a job was preempted over budget")
	}
	select {
	case <-preempted:
		t.Fatal("a job was preempted over budget")
	default:
	}
	// A minute later the loss has left the window.
	f.mu.Lock()
	f.losses[0].at = time.Now().Add(-lossWindow)
	f.broadcast()
	f.mu.Unlock()
	if bob.got(t, 10*time.Second) == nil {
		t.Fatal("no preemption once within budget again")
	}
}

// TestConfig: settings left zero take the defaults, but for PreemptAfter
// (zero: never); impossible ones are refused by NewWorker.
func TestConfig(t *testing.T) {
	got := (Config{Slots: 3}).withDefaults()
	want := DefaultConfig(3)
	want.PreemptAfter = 0
	if got != want {
		t.Errorf("config with defaults = %+v, want %+v", got, want)
	}
	for _, bad := range []Config{{Slots: -1}, {Slots: 1, OutputLimit: -1}, {Slots: 1, PreemptAfter: -time.Second}} {
		if _, err := NewWorker(nil, bad, nil, nil, nil, nil, nil); err == nil {
			t.Errorf("NewWorker took %+v", bad)
		}
	}
}
