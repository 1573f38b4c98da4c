package sandbox

import (
	"context"
	"os"
	"testing"
	"time"
)

// TestCgroupRemovedWithItsBox checks that a box's control group goes with
// the box, on a machine that has cgroups (this test says which it uses);
// what the group adds to the verdicts is the behaviour suite's.
func TestCgroupRemovedWithItsBox(t *testing.T) {
	s := sandbox(t)
	if s.cg == nil {
		t.Skip("no usable cgroups on this machine")
	}
	t.Logf("using %s", s.cg)
	p := compile(t, "python", "print(1)\n")
	if _, err := p.Run(context.Background(), nil, testLimits); err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	b := p.idle[0]
	p.mu.Unlock()
	dirs := b.cg.Dirs()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the box outlived Close")
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s left behind: %v", d, err)
		}
	}
}
