package sandbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// TestUIDPool: two pools on one directory (two processes) never hand out
// the same uid; a uid given back is taken again; a full range says so.
func TestUIDPool(t *testing.T) {
	dir := t.TempDir()
	r := UIDRange{First: 70000, Count: 4}
	a, err := newUIDPool(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newUIDPool(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range []*uidPool{a, b, a, b} {
		uid, err := p.take()
		if err != nil {
			t.Fatal(err)
		}
		if seen[uid] || uid < r.First || uid >= r.First+r.Count {
			t.Fatalf("uid %d handed out twice or out of range (%v)", uid, seen)
		}
		seen[uid] = true
	}
	if _, err := a.take(); !errors.Is(err, errNoUID) {
		t.Fatalf("take from a full range = %v, want errNoUID", err)
	}
	for uid := range seen {
		if a.held[uid] != nil {
			a.give(uid)
			if got, err := b.take(); err != nil || got != uid {
				t.Fatalf("the uid %d given back by one process: the other took %d, %v", uid, got, err)
			}
			break
		}
	}
	for _, bad := range []UIDRange{{First: 0, Count: 10}, {First: 65530, Count: 10}, {First: 70000, Count: 0}} {
		if _, err := newUIDPool(bad, dir); err == nil {
			t.Errorf("range %+v accepted", bad)
		}
	}
}

// TestBoxesHaveUIDsOfTheirOwn: programs that run at the same time run as
// different host uids of the range.
func TestBoxesHaveUIDsOfTheirOwn(t *testing.T) {
	s := sandbox(t)
	if s.uids == nil {
		t.Skip("not root: boxes run as the service's uid")
	}
	const n = 4
	uids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := compile(t, "python", "import os, time\nprint(os.getuid())\ntime.sleep(0.3)\n")
			defer p.Close()
			e, err := p.Run(context.Background(), nil, testLimits)
			if err != nil || e.ExitCode != 0 {
				t.Errorf("run: %v %s", err, describe(e))
			}
			uids[i] = string(e.Stdout)
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, u := range uids {
		if seen[u] {
			t.Errorf("two boxes ran as one uid: %q", uids)
		}
		seen[u] = true
		var uid int
		if _, err := fmt.Sscan(u, &uid); err != nil || uid < s.cfg.UIDs.First || uid >= s.cfg.UIDs.First+s.cfg.UIDs.Count {
			t.Errorf("uid %q is not of the range %+v", u, s.cfg.UIDs)
		}
	}
}
