package judge

import "sync"

// fairSlots shares an instance's judging slots between learners: a quarter
// of them (at least one, when there are two or more) are kept for learners
// with nothing running here. A learner with a job running may take a slot
// only while more than that reserve is free. One learner's flood of slow
// submissions (or a few learners') then never makes another learner wait
// for a slot, and a lone learner still uses three quarters of the slots
// (on two slots: one).
type fairSlots struct {
	mu      sync.Mutex
	slots   int
	reserve int
	busy    int
	running map[string]int // learner → jobs running
}

func newFairSlots(slots int) *fairSlots {
	reserve := 0
	if slots > 1 {
		reserve = max(1, slots/4)
	}
	return &fairSlots{slots: slots, reserve: reserve, running: map[string]int{}}
}

// take takes a slot for a job of user and returns its release, or false if
// none is free or those left are kept for other learners. A job of no known
// learner (written before jobs named theirs) is never held back.
func (f *fairSlots) take(user string) (release func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	free := f.slots - f.busy
	if free < 1 || user != "" && f.running[user] > 0 && free <= f.reserve {
		return nil, false
	}
	f.busy++
	f.running[user]++
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.busy--
		if f.running[user]--; f.running[user] == 0 {
			delete(f.running, user)
		}
	}, true
}
