package judge

import "sync"

// fairSlots shares an instance's judging slots between learners: a learner
// may take every slot but the last free one, which is kept for a learner
// with nothing running here. One learner's flood of slow submissions then
// never makes another learner wait for a slot, and a lone learner still
// uses all slots but one. With one slot there is nothing to keep.
type fairSlots struct {
	mu      sync.Mutex
	slots   int
	busy    int
	running map[string]int // learner → jobs running
}

func newFairSlots(slots int) *fairSlots {
	return &fairSlots{slots: slots, running: map[string]int{}}
}

// take takes a slot for a job of user and returns its release, or false if
// none is free or the one left is kept for another learner. A job of no
// known learner (written before jobs named theirs) is never held back.
func (f *fairSlots) take(user string) (release func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	free := f.slots - f.busy
	if free < 1 || user != "" && f.slots > 1 && free == 1 && f.running[user] > 0 {
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
