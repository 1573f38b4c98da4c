package review

import (
	"sync"
	"time"
)

// Breaker states.
const (
	breakerClosed   = "closed"    // calls go through; failures are counted
	breakerOpen     = "open"      // calls fail fast until the cooldown ends
	breakerHalfOpen = "half-open" // one probe call goes through; the rest fail fast
)

// breaker is a circuit breaker over the attempts to reach the language
// model. Consecutive failures of the outage kind (5xx, network errors,
// stalls, malformed streams) open it after threshold of them; a success
// closes it. Open, it refuses calls for cooldown, then lets one probe call
// through (half-open): the probe's success closes it, its failure reopens
// it. It is safe for concurrent use.
type breaker struct {
	threshold int
	cooldown  time.Duration
	// now is the clock, replaceable in tests.
	now func() time.Time

	mu       sync.Mutex
	state    string
	failures int       // consecutive failures, while closed
	openedAt time.Time // when it last opened
	probing  bool      // a half-open probe call is under way
}

func newBreaker(threshold int, cooldown time.Duration) *breaker {
	return &breaker{threshold: max(threshold, 1), cooldown: cooldown, now: time.Now, state: breakerClosed}
}

// allow reports whether a call may go through. If not, resume is when
// calls are expected to be let through again (zero while a probe is under
// way). Every allowed call must be followed by exactly one of success,
// failure or release.
func (b *breaker) allow() (ok bool, resume time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerClosed:
		return true, time.Time{}
	case breakerOpen:
		end := b.openedAt.Add(b.cooldown)
		if b.now().Before(end) {
			return false, end
		}
		b.state, b.probing = breakerHalfOpen, true
		return true, time.Time{}
	default: // half-open
		if b.probing {
			return false, time.Time{}
		}
		b.probing = true
		return true, time.Time{}
	}
}

// blocked reports, without changing the state, whether allow would refuse
// a call now, and the resume time it would give.
func (b *breaker) blocked() (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerOpen:
		end := b.openedAt.Add(b.cooldown)
		return b.now().Before(end), end
	case breakerHalfOpen:
		return b.probing, time.Time{}
	}
	return false, time.Time{}
}

// success records a call that reached a working server. It reports whether
// the breaker closed because of it.
func (b *breaker) success() (closed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	closed = b.state != breakerClosed
	b.state, b.failures, b.probing = breakerClosed, 0, false
	return closed
}

// failure records a call that failed as an outage does. It reports whether
// the breaker opened because of it.
func (b *breaker) failure() (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case breakerClosed:
		b.failures++
		if b.failures >= b.threshold {
			b.state, b.openedAt, b.failures = breakerOpen, b.now(), 0
			return true
		}
	case breakerHalfOpen:
		b.state, b.openedAt, b.probing = breakerOpen, b.now(), false
		return true
	}
	// Open: a call let through before it opened failed too; the cooldown
	// runs from the opening.
	return false
}

// release records a call that ended without telling anything about the
// server (the caller gave up, or the request could not be made): a
// half-open breaker lets the next call probe instead.
func (b *breaker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == breakerHalfOpen {
		b.probing = false
	}
}

// current returns the breaker's state, for logs and tests.
func (b *breaker) current() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}
