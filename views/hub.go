package views

import (
	"sort"
	"sync"
	"time"

	codementor "github.com/codementor/codementor"
)

// Hub fans every change of the submission table out to subscribers and keeps
// an index of each user's submissions, and apart from them of each user's
// runs (which are not in a learner's history), and the count of those not
// final. The submission view owns one, fed by its callback, and at start by a
// scan of what its local storage held; fakes of the view use one of their
// own.
type Hub struct {
	mu       sync.Mutex
	subs     map[*Subscription]struct{}
	byUser   map[string]map[string]time.Time // user → submission ID → created at
	runs     map[string]map[string]time.Time // user → run ID → created at
	runOwner map[string]string               // run ID → user
	active   map[string]codementor.Status    // ID → status, of those queued or running
	// activeRuns holds, per user, the IDs of the runs queued or running:
	// the web tier's runs-in-flight limit reads it on every run.
	activeRuns map[string]map[string]struct{}
	// byQuestion and byContest hold the IDs of the submissions (not runs)
	// to each question and in each contest: what a rejudge judges again.
	byQuestion map[string]map[string]struct{}
	byContest  map[string]map[string]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[*Subscription]struct{}{}, byUser: map[string]map[string]time.Time{},
		runs: map[string]map[string]time.Time{}, runOwner: map[string]string{}, active: map[string]codementor.Status{},
		activeRuns: map[string]map[string]struct{}{}, byQuestion: map[string]map[string]struct{}{}, byContest: map[string]map[string]struct{}{}}
}

// Subscription receives changes of the submissions it matches. When the
// subscriber falls too far behind, C is closed and Lagged reports true: the
// subscriber reconnects and catches up from the view.
type Subscription struct {
	C      <-chan *codementor.Submission
	c      chan *codementor.Submission
	user   string
	id     string
	lagged bool
}

// subscriptionBuffer is how many changes a subscriber may fall behind.
const subscriptionBuffer = 256

// SubscribeUser subscribes to every change of user's submissions.
func (h *Hub) SubscribeUser(user string) *Subscription { return h.subscribe(user, "") }

// SubscribeSubmission subscribes to the changes of one submission.
func (h *Hub) SubscribeSubmission(id string) *Subscription { return h.subscribe("", id) }

func (h *Hub) subscribe(user, id string) *Subscription {
	c := make(chan *codementor.Submission, subscriptionBuffer)
	s := &Subscription{C: c, c: c, user: user, id: id}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Unsubscribe ends s. It is safe to call more than once.
func (h *Hub) Unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok { // a lagged subscription is gone already
		delete(h.subs, s)
		close(s.c)
	}
}

// Lagged reports whether s was ended because its subscriber fell behind.
func (h *Hub) Lagged(s *Subscription) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return s.lagged
}

// Index records sub in the per-user index without notifying anyone.
func (h *Hub) Index(sub *codementor.Submission) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.index(sub)
}

func (h *Hub) index(sub *codementor.Submission) {
	index := h.byUser
	if sub.IsRun() {
		index = h.runs
		h.runOwner[sub.ID] = sub.User
	}
	ids := index[sub.User]
	if ids == nil {
		ids = map[string]time.Time{}
		index[sub.User] = ids
	}
	ids[sub.ID] = sub.CreatedAt
	if !sub.IsRun() {
		addTo(h.byQuestion, sub.QuestionID, sub.ID)
		if sub.ContestID != "" {
			addTo(h.byContest, sub.ContestID, sub.ID)
		}
	}
	if sub.Status == codementor.StatusQueued || sub.Status == codementor.StatusRunning {
		h.active[sub.ID] = sub.Status
		if sub.IsRun() {
			if h.activeRuns[sub.User] == nil {
				h.activeRuns[sub.User] = map[string]struct{}{}
			}
			h.activeRuns[sub.User][sub.ID] = struct{}{}
		}
	} else {
		delete(h.active, sub.ID)
		h.endRun(sub.User, sub.ID)
	}
}

// addTo adds id to the set index[key].
func addTo(index map[string]map[string]struct{}, key, id string) {
	if index[key] == nil {
		index[key] = map[string]struct{}{}
	}
	index[key][id] = struct{}{}
}

// QuestionSubmissions returns the IDs of the submissions to question, in
// no particular order.
func (h *Hub) QuestionSubmissions(question string) []string { return h.members(h.byQuestion, question) }

// ContestSubmissions returns the IDs of the submissions made in contest, in
// no particular order.
func (h *Hub) ContestSubmissions(contest string) []string { return h.members(h.byContest, contest) }

func (h *Hub) members(index map[string]map[string]struct{}, key string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(index[key]))
	for id := range index[key] {
		ids = append(ids, id)
	}
	return ids
}

// endRun removes a run from its user's active runs.
func (h *Hub) endRun(user, id string) {
	if runs := h.activeRuns[user]; runs != nil {
		if delete(runs, id); len(runs) == 0 {
			delete(h.activeRuns, user)
		}
	}
}

// UserActiveRuns returns the IDs of user's runs queued or running.
func (h *Hub) UserActiveRuns(user string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(h.activeRuns[user]))
	for id := range h.activeRuns[user] {
		ids = append(ids, id)
	}
	return ids
}

// Forget removes a deleted run from the index.
func (h *Hub) Forget(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.active, id)
	user, ok := h.runOwner[id]
	if !ok {
		return
	}
	delete(h.runOwner, id)
	h.endRun(user, id)
	if ids := h.runs[user]; ids != nil {
		if delete(ids, id); len(ids) == 0 {
			delete(h.runs, user)
		}
	}
}

// Counts returns how many submissions and runs are queued and how many are
// being judged.
func (h *Hub) Counts() (queued, running int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, st := range h.active {
		if st == codementor.StatusQueued {
			queued++
		} else {
			running++
		}
	}
	return queued, running
}

// Publish records sub in the index and hands it to every matching
// subscriber without blocking.
func (h *Hub) Publish(sub *codementor.Submission) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.index(sub)
	for s := range h.subs {
		if (s.id != "" && s.id != sub.ID) || (s.user != "" && (s.user != sub.User || sub.IsRun())) {
			continue // a learner's stream is of their submissions, not their runs
		}
		select {
		case s.c <- sub:
		default:
			s.lagged = true
			delete(h.subs, s)
			close(s.c)
		}
	}
}

// Subscribers returns the number of open subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// UserSubmissions returns the IDs of user's submissions, newest first.
func (h *Hub) UserSubmissions(user string) []string { return h.newestFirst(h.byUser, user) }

// UserRuns returns the IDs of user's runs, newest first.
func (h *Hub) UserRuns(user string) []string { return h.newestFirst(h.runs, user) }

func (h *Hub) newestFirst(index map[string]map[string]time.Time, user string) []string {
	h.mu.Lock()
	ids := make([]string, 0, len(index[user]))
	created := make(map[string]time.Time, len(index[user]))
	for id, t := range index[user] {
		ids = append(ids, id)
		created[id] = t
	}
	h.mu.Unlock()
	sort.Slice(ids, func(i, j int) bool {
		if !created[ids[i]].Equal(created[ids[j]]) {
			return created[ids[i]].After(created[ids[j]])
		}
		return ids[i] > ids[j]
	})
	return ids
}
