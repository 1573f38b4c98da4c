package watchdog

import (
	"context"
	"testing"
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
)

// TestSweepNudgesOnlyStalledSubmissions writes submissions of every status,
// recent and old, into the table and sweeps it once: only the old ones not
// final are nudged, with the version they were seen at.
func TestSweepNudgesOnlyStalledSubmissions(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	now := time.Now()
	old := now.Add(-10 * time.Minute)
	subs := map[string]*codementor.Submission{
		"queued-old":    {Status: codementor.StatusQueued, UpdatedAt: old, Version: 1},
		"running-old":   {Status: codementor.StatusRunning, UpdatedAt: old, Version: 4},
		"reviewing-old": {Status: codementor.StatusReviewing, UpdatedAt: old, Version: 9},
		"done-old":      {Status: codementor.StatusDone, UpdatedAt: old, Version: 12},
		"failed-old":    {Status: codementor.StatusFailed, UpdatedAt: old, Version: 3},
		"queued-new":    {Status: codementor.StatusQueued, UpdatedAt: now, Version: 1},
		// Runs: the final one past the retention is expired, not nudged;
		// a recent one and one stalled before its verdict are not.
		"run-expired": {Kind: codementor.KindRun, Status: codementor.StatusDone, UpdatedAt: now.Add(-2 * time.Hour), Version: 5},
		"run-recent":  {Kind: codementor.KindRun, Status: codementor.StatusDone, UpdatedAt: old, Version: 5},
		"run-stalled": {Kind: codementor.KindRun, Status: codementor.StatusQueued, UpdatedAt: old, Version: 1},
	}
	for id, s := range subs {
		s.ID = id
		kafkatest.Emit(c, goka.Stream(codementor.SubmissionsTable), id, s)
	}
	_, view := kafkatest.Views(c)
	w, err := New(Config{StallAfter: 3 * time.Minute, Every: time.Hour, RunRetention: time.Hour}, view,
		kafkatest.Emitter[codementor.Nudge](c, codementor.SubmissionNudges), kafkatest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	nudges := kafkatest.Read[codementor.Nudge](c, codementor.SubmissionNudges)
	got := map[string]int64{}
	for range 5 {
		key, n := nudges.Next(10 * time.Second)
		if key != n.SubmissionID {
			t.Errorf("nudge keyed %s for %s", key, n.SubmissionID)
		}
		if n.Expire != (key == "run-expired") {
			t.Errorf("nudge of %s has Expire %v", key, n.Expire)
		}
		got[key] = n.Version
	}
	want := map[string]int64{"queued-old": 1, "running-old": 4, "reviewing-old": 9, "run-stalled": 1, "run-expired": 5}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s nudged at version %d, want %d (nudges %v)", id, got[id], v, got)
		}
	}
	if key, n, ok := nudges.TryNext(time.Second); ok {
		t.Errorf("unexpected nudge of %s: %+v", key, n)
	}
}

// TestConfig: settings left zero take the defaults; impossible ones are
// refused by New.
func TestConfig(t *testing.T) {
	if got := (Config{}).withDefaults(); got != DefaultConfig() {
		t.Errorf("zero config with defaults = %+v, want %+v", got, DefaultConfig())
	}
	if _, err := New(Config{StallAfter: -time.Second}, nil, nil, nil); err == nil {
		t.Error("New took a negative StallAfter")
	}
}
