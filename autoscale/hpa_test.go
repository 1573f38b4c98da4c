package autoscale

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sec = time.Second

// testRule is the rule of testdata/values.yaml: the chart's values.
func testRule(t testing.TB) Rule {
	t.Helper()
	r, err := FromValues("testdata/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFromValues(t *testing.T) {
	got := testRule(t)
	want := Rule{
		MinReplicas: 2, MaxReplicas: 12, QueueDepthPerReplica: 10, ActivationQueueDepth: 1,
		PollingInterval: 15 * sec, CooldownPeriod: 300 * sec,
		ScaleUp: Behavior{StabilizationWindow: 0, Policies: []Policy{
			{Type: Pods, Value: 4, Period: 15 * sec}, {Type: Percent, Value: 100, Period: 15 * sec}}},
		ScaleDown: Behavior{StabilizationWindow: 300 * sec, Policies: []Policy{
			{Type: Percent, Value: 50, Period: 60 * sec}}},
		Tolerance: 0.1, SyncPeriod: 15 * sec,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mismatch (-want +got):\n-%+v\n+%+v", want, got)
	}
}

func TestFromValuesRefuses(t *testing.T) {
	base, err := os.ReadFile("testdata/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new string
		want           []string
	}{
		{"a key renamed", "queueDepthPerReplica: 10", "queueDepth: 10", []string{"processor.autoscaling.queueDepthPerReplica is missing"}},
		{"no scale-down policy", "percentPerPeriod: 50, ", "", []string{"scaleDown.podsPerPeriod or percentPerPeriod is missing"}},
		{"disabled", "enabled: true", "enabled: false", []string{"processor.autoscaling.enabled is false"}},
		{"min above max", "maxReplicas: 12", "maxReplicas: 1", []string{"maxReplicas must be at least 1 and at least minReplicas (2), got 1"}},
		{"a window over an hour", "stabilizationWindowSeconds: 300", "stabilizationWindowSeconds: 3601", []string{"scaleDown.stabilizationWindowSeconds must be from 0 to 3600"}},
		{"not YAML", "processor:", "processor: [", []string{"read the chart's values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(base), tt.old) {
				t.Fatalf("testdata/values.yaml lacks %q", tt.old)
			}
			path := filepath.Join(t.TempDir(), "values.yaml")
			if err := os.WriteFile(path, []byte(strings.Replace(string(base), tt.old, tt.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := FromValues(path)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want it to say %q", err, w)
				}
			}
		})
	}
	if _, err := FromValues(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("no error for a missing file")
	}
}

// TestProposal: the replica calculator of an External AverageValue
// metric, target 10 a replica, tolerance 10% on the usage ratio
// depth / (10 × replicas).
func TestProposal(t *testing.T) {
	tests := []struct {
		name     string
		replicas int
		depth    float64
		want     int
	}{
		{"on target", 2, 20, 2},
		{"5% above: within the tolerance", 2, 21, 2},
		{"15% above: ceil(23/10)", 2, 23, 3},
		{"10% below (0.9, not beyond 0.1)", 2, 18, 2},
		{"empty queue", 2, 0, 0},
		{"far above: ceil(200/10), before any limit", 2, 200, 20},
		{"7.5% below at 4", 4, 37, 4},
		{"25% below at 4", 4, 30, 3},
		{"5% below at 10", 10, 95, 10},
		{"11% below at 10", 10, 89, 9},
		{"one job over a round number", 3, 41, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewController(testRule(t), tt.replicas, 0)
			if got := c.Sync(0, tt.depth).Proposal; got != tt.want {
				t.Errorf("%d replicas, depth %v: proposal %d, want %d", tt.replicas, tt.depth, got, tt.want)
			}
		})
	}
}

// syncs runs the controller with an HPA sync (and a KEDA poll before it)
// every 15 s, at each of depths, and returns the replicas after each.
func syncs(c *Controller, from time.Duration, depths ...float64) []int {
	var out []int
	for i, d := range depths {
		now := from + time.Duration(i)*15*sec
		c.Poll(now, d)
		out = append(out, c.Sync(now, d).Replicas)
	}
	return out
}

func TestScaleUpLimit(t *testing.T) {
	r := testRule(t)

	// From 2, asked for 20: max(2 + 4 pods, 2 × 200%) = 6, then 15 s later
	// (the last change is out of the period) max(6 + 4, 12) = 12, the max.
	c := NewController(r, 2, 0)
	if got, want := syncs(c, 0, 200, 200, 200), []int{6, 12, 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("from 2 at depth 200: %v, want %v", got, want)
	}

	// From 5: the percent policy allows more (10) than the pods one (9).
	c = NewController(r, 5, 0)
	if got := c.Sync(0, 200).Replicas; got != 10 {
		t.Errorf("from 5 at depth 200: %d, want 10", got)
	}

	// Asked for less than the limit: granted.
	c = NewController(r, 2, 0)
	if got := c.Sync(0, 50).Replicas; got != 5 {
		t.Errorf("from 2 at depth 50: %d, want 5", got)
	}

	// Within the period, what was added counts: 5 s after 2 → 6 the
	// period started at 2, so 6 is still the limit.
	c = NewController(r, 2, 0)
	c.Sync(0, 200)
	if got := c.Sync(5*sec, 200).Replicas; got != 6 {
		t.Errorf("5 s after 2 → 6: %d, want 6", got)
	}
	if got := c.Sync(15*sec, 200).Replicas; got != 12 {
		t.Errorf("15 s after 2 → 6: %d, want 12", got)
	}
}

func TestScaleDownHeldThenHalved(t *testing.T) {
	r := testRule(t)
	c := NewController(r, 2, 0)
	// Up to 12 at 0 and 15 s; the queue is empty from 30 s on.
	if got := syncs(c, 0, 200, 200); !reflect.DeepEqual(got, []int{6, 12}) {
		t.Fatalf("scale-up %v", got)
	}
	depths := make([]float64, 40) // 30 s to 615 s, all 0
	got := syncs(c, 30*sec, depths...)
	at := func(s int) int { return got[(s-30)/15] }
	// The recommendation of 20 at 15 s holds 12 while it is in the
	// 300 s window (until 315 s, exclusive); then at most 50% of the
	// replicas at the start of each 60 s: 12 → 6 at 315, → 3 at 375,
	// → 2 (not 1: the min) at 435.
	for _, tt := range []struct{ at, want int }{
		{30, 12}, {300, 12}, {315, 6}, {330, 6}, {360, 6}, {375, 3}, {420, 3}, {435, 2}, {615, 2},
	} {
		if at(tt.at) != tt.want {
			t.Errorf("at %d s: %d replicas, want %d (all: %v)", tt.at, at(tt.at), tt.want, got)
		}
	}
}

func TestScaleDownWindowKeepsTheHighest(t *testing.T) {
	// Not the latest recommendation nor the mean: the highest of the
	// window. At 8 replicas, 80 → 40 → 10: 8 held while 80 is within 300 s.
	r := testRule(t)
	c := NewController(r, 8, 0)
	got := syncs(c, 0, 80, 40, 10, 10)
	if want := []int{8, 8, 8, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
	// 300 s after 80 only 40 (at 15 s) and 10s are within: 40 → 4.
	if got := c.Sync(300*sec, 10).Replicas; got != 4 {
		t.Errorf("at 300 s: %d, want 4", got)
	}
}

func TestClamping(t *testing.T) {
	r := testRule(t)
	tests := []struct {
		name         string
		start        int
		depth        float64
		want         int
		wantProposal int
	}{
		{"above max: to max, whatever the metric", 15, 500, 12, -1},
		{"below min: to min", 1, 0, 2, -1},
		{"asked for more than max", 12, 500, 12, 50},
		// Through the rate limit: 50% of 3 is 1, the min 2.
		{"asked for fewer than min", 3, 0, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewController(r, tt.start, 0)
			// Past every window, so that only the clamp decides.
			d := c.Sync(400*sec, tt.depth)
			if d.Replicas != tt.want || d.Proposal != tt.wantProposal {
				t.Errorf("from %d at depth %v: %+v, want %d replicas (proposal %d)", tt.start, tt.depth, d, tt.want, tt.wantProposal)
			}
		})
	}
}

func TestZeroAndActivation(t *testing.T) {
	// With minReplicas 2 (the chart), the HPA leaves a deployment at 0
	// alone: it is KEDA's to bring to 2 (TestKEDAPolls).
	r := testRule(t)
	c := NewController(r, 0, 0)
	if d := c.Sync(0, 50); d.Replicas != 0 || d.Proposal != -1 {
		t.Errorf("HPA at 0 replicas: %+v, want it disabled", d)
	}

	// minReplicas 0, KEDA and the HPA together: activation above 1 job,
	// back to 0 after 300 s of cooldown since the last active poll.
	r.MinReplicas = 0
	c = NewController(r, 0, 0)
	type step struct {
		at    int
		depth float64
		want  int
	}
	for _, s := range []step{
		{0, 1, 0},   // at the activation threshold, not above it: 0
		{15, 2, 1},  // above it: KEDA to 1; the HPA's ceil(2/10) = 1
		{30, 25, 3}, // the HPA from 1: ceil(25/10) = 3 ≤ max(1 + 4, 2)
		{45, 0, 3},  // inactive; the HPA's window holds 3 ...
		{60, 0, 3},
		{315, 0, 3},
		{330, 0, 1}, // ... until 330 s: 3 → int(1.5) = 1, the HPA's own min
		{345, 0, 0}, // KEDA: the last active poll (30 s) + 300 s < 345 s: 0
		{360, 0, 0}, // the HPA leaves 0 alone
		{375, 1, 0}, // not above the threshold
		{390, 3, 1}, // above: from 0 to 1 again
	} {
		now := time.Duration(s.at) * sec
		c.Poll(now, s.depth)
		c.Sync(now, s.depth)
		if c.Replicas() != s.want {
			t.Errorf("at %d s, depth %v: %d replicas, want %d", s.at, s.depth, c.Replicas(), s.want)
		}
	}
}

// TestKEDAPolls: KEDA's own decisions, the HPA aside.
func TestKEDAPolls(t *testing.T) {
	type poll struct {
		at    int
		depth float64
	}
	tests := []struct {
		name       string
		min, start int
		polls      []poll
		want       int
	}{
		{"min 2, inactive, at 0: to the min", 2, 0, []poll{{0, 0}}, 2},
		{"min 2, active, at 0: to max(min, 1)", 2, 0, []poll{{0, 5}}, 2},
		{"min 0, active, at 0: to 1", 0, 0, []poll{{0, 5}}, 1},
		{"min 0: the cooldown must be past, not reached", 0, 0, []poll{{30, 25}, {330, 0}}, 1},
		{"min 0: after the cooldown, to 0", 0, 0, []poll{{30, 25}, {330, 0}, {345, 0}}, 0},
		{"min 0, never active: no lastActiveTime, to 0 at once", 0, 3, []poll{{0, 0}}, 0},
		{"min 2, inactive, above the min: the HPA's to decide", 2, 5, []poll{{0, 0}, {600, 0}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testRule(t)
			r.MinReplicas = tt.min
			c := NewController(r, tt.start, 0)
			for _, p := range tt.polls {
				c.Poll(time.Duration(p.at)*sec, p.depth)
			}
			if c.Replicas() != tt.want {
				t.Errorf("%d replicas, want %d", c.Replicas(), tt.want)
			}
		})
	}
}

func TestSimulateOpenLoop(t *testing.T) {
	// A burst of 200 for a minute, then nothing: the recorded depth as
	// it was, whatever the replicas.
	var depth []float64
	for s := 0; s <= 600; s++ {
		d := 0.0
		if s >= 10 && s < 70 {
			d = 200
		}
		depth = append(depth, d)
	}
	steps := Simulate(testRule(t), depth, 2)
	if len(steps) != 41 {
		t.Fatalf("%d steps, want one per 15 s from 0 to 600", len(steps))
	}
	// The last 20 is recommended at 60 s: 12 until it leaves the window
	// at 360 s, then halved every 60 s down to the min.
	want := map[float64]int{0: 2, 15: 6, 30: 12, 60: 12, 75: 12, 345: 12, 360: 6, 405: 6, 420: 3, 465: 3, 480: 2, 600: 2}
	for _, s := range steps {
		if w, ok := want[s.At]; ok && s.Replicas != w {
			t.Errorf("at %v s: %d replicas, want %d", s.At, s.Replicas, w)
		}
	}
}

func TestReadRecording(t *testing.T) {
	// Scrapes a little after their seconds, one missing (second 3 has
	// the scrape of 3.5: up to half a second after).
	csv := "seconds,depth,accepted,judged\n" +
		"0.004,0,0,0\n1.02,10,11,1\n2.01,12,20,8\n3.5,4,20,16\n4.0,0,20,20\n"
	path := filepath.Join(t.TempDir(), "burst.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	rec, err := ReadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Recording{
		Depth:    []float64{0, 10, 12, 4, 0},
		Accepted: []float64{0, 11, 20, 20, 20},
		Judged:   []float64{0, 1, 8, 16, 20},
	}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("mismatch (-want +got):\n-%v\n+%v", want, rec)
	}
	if got, want := rec.Arrivals(), []float64{0, 11, 9, 0, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("arrivals %v, want %v", got, want)
	}
	// Seconds starting with at least 3 jobs: 2 (10 before it, 7 judged)
	// and 3 (12 before, 8 judged); 4 starts with 4 (4 judged): (7 + 8 +
	// 4) / 3 a replica, or half that each on 2 replicas (busy from 6).
	if got, err := rec.Throughput(1, 3); err != nil || got != 19.0/3 {
		t.Errorf("throughput %v, %v; want %v", got, err, 19.0/3)
	}
	if got, err := rec.Throughput(2, 3); err != nil || got != 15.0/2/2 {
		t.Errorf("throughput on 2 replicas %v, %v; want %v", got, err, 15.0/2/2)
	}
	if _, err := rec.Throughput(1, 50); err == nil {
		t.Error("a throughput from a queue never busy")
	}
	for name, bad := range map[string]string{
		"no header":   "0,0,0,0\n",
		"only depth":  "seconds,depth\n0,1\n",
		"time back":   "seconds,depth,accepted,judged\n2,0,0,0\n1,0,0,0\n",
		"not numbers": "seconds,depth,accepted,judged\n0,x,0,0\n",
	} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadRecording(path); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
