package review

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	clk := &clock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := newBreaker(3, 10*time.Second)
	b.now = clk.Now
	allow := func(want bool) {
		t.Helper()
		if ok, _ := b.allow(); ok != want {
			t.Fatalf("allow = %v, want %v (state %s)", ok, want, b.current())
		}
	}

	// Failures count only when consecutive.
	allow(true)
	b.failure()
	allow(true)
	b.failure()
	allow(true)
	b.success()
	allow(true)
	b.failure()
	allow(true)
	b.failure()
	if b.current() != breakerClosed {
		t.Fatalf("opened after 2 consecutive failures: %s", b.current())
	}
	allow(true)
	if !b.failure() || b.current() != breakerOpen {
		t.Fatalf("not open after 3 consecutive failures: %s", b.current())
	}

	// Open: refused until the cooldown ends, with the time it ends.
	ok, resume := b.allow()
	if ok || !resume.Equal(clk.Now().Add(10*time.Second)) {
		t.Fatalf("allow = %v, resume %s", ok, resume)
	}
	if blocked, _ := b.blocked(); !blocked {
		t.Fatal("blocked = false while open")
	}
	clk.Add(9 * time.Second)
	allow(false)
	clk.Add(time.Second)
	if blocked, _ := b.blocked(); blocked || b.current() != breakerOpen {
		t.Fatalf("blocked after the cooldown, or blocked changed the state to %s", b.current())
	}
	clk.Add(-time.Second)

	// Half-open: one probe at a time; its failure reopens.
	clk.Add(time.Second)
	allow(true)
	if b.current() != breakerHalfOpen {
		t.Fatalf("state %s, want half-open", b.current())
	}
	if blocked, _ := b.blocked(); !blocked {
		t.Fatal("blocked = false during the probe")
	}
	if ok, resume := b.allow(); ok || !resume.IsZero() {
		t.Fatalf("a second call went through during the probe (resume %s)", resume)
	}
	if !b.failure() || b.current() != breakerOpen {
		t.Fatalf("a failed probe left the breaker %s", b.current())
	}
	allow(false)

	// A released probe (the caller gave up) lets the next call probe.
	clk.Add(10 * time.Second)
	allow(true)
	b.release()
	if b.current() != breakerHalfOpen {
		t.Fatalf("state %s after release, want half-open", b.current())
	}
	allow(true)

	// A successful probe closes it, and the count starts again.
	if !b.success() || b.current() != breakerClosed {
		t.Fatalf("a successful probe left the breaker %s", b.current())
	}
	for range 2 {
		allow(true)
		b.failure()
	}
	if b.current() != breakerClosed {
		t.Fatalf("the failure count was not reset: %s", b.current())
	}
}

func TestBreakerThresholdOne(t *testing.T) {
	b := newBreaker(1, time.Minute)
	b.allow()
	if !b.failure() {
		t.Fatal("one failure did not open a breaker with threshold 1")
	}
	// A late failure of a call let through before the opening changes
	// nothing.
	if b.failure() || b.current() != breakerOpen {
		t.Fatalf("state %s", b.current())
	}
}
