package autoscale

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/scaling-burst.svg from the recorded burst")

// The recorded burst (testdata/burst-contest.md says how it was made).
const (
	burstFile = "testdata/burst-contest.csv"
	// burstJobs is the submissions the run judged; burstReplicas the
	// instances that judged them (one codementor dev, 2 slots); an
	// instance of 2 slots holds 3 jobs (a spare member: see the README's
	// judge), so a second that starts with 3 in the queue keeps it busy.
	burstJobs, burstReplicas, burstBusyDepth = 600, 1, 3
)

const (
	chartValues = "../deploy/helm/codementor/values.yaml"
	plotFile    = "../docs/scaling-burst.svg"
)

// burstModel is the queue model of the plot: the throughput calibrated on
// the recording; a new replica judging 30 s after its creation (a
// processor took 11 s from its start to /readyz on this machine, with its
// caches warm; scheduling and starting the container come on top);
// Prometheus scraping every 15 s.
func burstModel(t testing.TB, rec Recording) Model {
	t.Helper()
	mu, err := rec.Throughput(burstReplicas, burstBusyDepth)
	if err != nil {
		t.Fatal(err)
	}
	return Model{JobsPerReplicaSecond: mu, StartupDelay: 30 * time.Second, ScrapeInterval: 15 * time.Second}
}

// chartRule is the rule of the chart's own values.yaml.
func chartRule(t testing.TB) Rule {
	t.Helper()
	r, err := FromValues(chartValues)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRecordedBurst plays the recorded burst through the chart's rule,
// checks what the rule must do with it, and keeps docs/scaling-burst.svg
// equal to the plot of it (go test ./autoscale/ -run RecordedBurst -update
// rewrites it).
func TestRecordedBurst(t *testing.T) {
	rule := chartRule(t)
	rec, err := ReadRecording(burstFile)
	if err != nil {
		t.Fatal(err)
	}
	m := burstModel(t, rec)
	// Long enough for the way back to minReplicas: the window after the
	// last high recommendation, then the halvings (12, 6, 3, 2).
	tail := 8 * time.Minute
	steps, err := SimulateQueue(rule, m, rec, rule.MinReplicas, tail)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the recording", func(t *testing.T) {
		// Every job came in and was judged, and the depth is what came in
		// less what was judged (give or take the jobs between the 202 and
		// the tracker's job, or between the verdict and its event).
		last := len(rec.Depth) - 1
		if rec.Accepted[last] != burstJobs || rec.Judged[last] < burstJobs-rec.Depth[last] {
			t.Errorf("at the end %v accepted, %v judged, depth %v; want %d in all", rec.Accepted[last], rec.Judged[last], rec.Depth[last], burstJobs)
		}
		for i := range rec.Depth {
			if d := rec.Depth[i] - (rec.Accepted[i] - rec.Judged[i]); math.Abs(d) > 10 {
				t.Errorf("at %d s: depth %v, accepted − judged %v", i, rec.Depth[i], rec.Accepted[i]-rec.Judged[i])
			}
		}
	})

	t.Run("the model on the recording's capacity", func(t *testing.T) {
		// One rate for the whole run cannot give back a run whose rate
		// varied: the instance judged 9 of the first 183 jobs in the first
		// 10 s, while it took the burst in, and the model judges at its
		// busy rate from the start, so its peak is lower. What it must
		// give back is when the queue drained: that is the work over the
		// capacity.
		fixed := rule
		fixed.MinReplicas, fixed.MaxReplicas = burstReplicas, burstReplicas
		same, err := SimulateQueue(fixed, m, rec, burstReplicas, 0)
		if err != nil {
			t.Fatal(err)
		}
		var simPeak, recPeak float64
		simEnd, recEnd := 0, 0
		for i, s := range same {
			simPeak, recPeak = max(simPeak, s.Depth), max(recPeak, s.Recorded)
			if s.Depth >= 1 {
				simEnd = i
			}
			if s.Recorded >= 1 {
				recEnd = i
			}
		}
		t.Logf("on %d replica(s) at %.2f jobs/s: peak %.0f (recorded %.0f), empty from %d s (recorded %d s)", burstReplicas, m.JobsPerReplicaSecond, simPeak, recPeak, simEnd+1, recEnd+1)
		if math.Abs(float64(simEnd-recEnd)) > 15 || simPeak > recPeak {
			t.Errorf("the model does not fit the recording: peak %.0f for %.0f, empty from %d s for %d s", simPeak, recPeak, simEnd+1, recEnd+1)
		}
	})

	t.Run("closed loop", func(t *testing.T) {
		checkScaling(t, rule, m, steps)
	})

	// The recorded depth as it was, then an empty queue, straight to the
	// rule: what it makes of the demand on a fixed capacity.
	openDepth := append(slices.Clone(rec.Depth), make([]float64, int(tail/time.Second))...)
	openSteps := Simulate(rule, openDepth, rule.MinReplicas)

	t.Run("open loop", func(t *testing.T) {
		steps := openSteps
		if steps[0].Replicas != rule.MinReplicas {
			t.Errorf("starts at %d replicas, want %d", steps[0].Replicas, rule.MinReplicas)
		}
		peak := 0
		for i, s := range steps {
			peak = max(peak, s.Replicas)
			if s.Replicas < rule.MinReplicas || s.Replicas > rule.MaxReplicas {
				t.Errorf("at %v s: %d replicas", s.At, s.Replicas)
			}
			// A depth beyond the target and the tolerance adds replicas at
			// once, until the max.
			if i > 0 && steps[i-1].Replicas < rule.MaxReplicas &&
				s.Depth > rule.QueueDepthPerReplica*float64(steps[i-1].Replicas)*(1+rule.Tolerance) && s.Replicas <= steps[i-1].Replicas {
				t.Errorf("at %v s: depth %v on %d replicas, and no scale-up", s.At, s.Depth, steps[i-1].Replicas)
			}
		}
		if want := min(rule.MaxReplicas, int(math.Ceil(slices.Max(rec.Depth)/rule.QueueDepthPerReplica))); peak != want {
			t.Errorf("peak %d replicas, want %d for a recorded peak of %.0f", peak, want, slices.Max(rec.Depth))
		}
		if end := steps[len(steps)-1]; end.Replicas != rule.MinReplicas {
			t.Errorf("at the end (%v s) %d replicas, want %d", end.At, end.Replicas, rule.MinReplicas)
		}
	})

	// What autoscaling changed, for docs/AUTOSCALING.md: the peak depth and
	// the mean wait (Little: the depth's integral over the jobs), against
	// the recording and against 2 replicas without autoscaling.
	pinned := rule
	pinned.MaxReplicas = rule.MinReplicas
	flat, err := SimulateQueue(pinned, m, rec, rule.MinReplicas, tail)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(name string, steps []QueueStep, depth func(QueueStep) float64) {
		peak, sum, lastBusy := 0.0, 0.0, 0.0
		for _, s := range steps {
			d := depth(s)
			peak, sum = max(peak, d), sum+d
			if d > 0 {
				lastBusy = s.At
			}
		}
		t.Logf("%s: peak depth %.0f, mean time in the queue %.1f s, queue empty for good from %.0f s", name, peak, sum/burstJobs, lastBusy+1)
	}
	summary("recorded, 1 instance", steps, func(s QueueStep) float64 { return s.Recorded })
	summary(" 2 replicas, no autoscaling", flat, func(s QueueStep) float64 { return s.Depth })
	summary(" autoscaled", steps, func(s QueueStep) float64 { return s.Depth })
	t.Logf("throughput %.2f jobs/s a replica; replicas: %s", m.JobsPerReplicaSecond, timeline(steps))
	var openTimeline []QueueStep
	for _, s := range openSteps {
		openTimeline = append(openTimeline, QueueStep{At: s.At, Replicas: s.Replicas})
	}
	t.Logf("open loop, replicas: %s", timeline(openTimeline))

	var b bytes.Buffer
	if err := WritePlot(&b, rule, m, steps, openSteps, PlotInfo{Recording: "burst-contest.csv", RecordedReplicas: burstReplicas}); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(plotFile, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(plotFile)
	if err != nil {
		t.Fatalf("%v (go test ./autoscale/ -run RecordedBurst -update writes it)", err)
	}
	if !bytes.Equal(old, b.Bytes()) {
		t.Errorf("%s is not what the rule makes of the recorded burst: regenerate it with go test ./autoscale/ -run RecordedBurst -update, and look at it", plotFile)
	}
}

// checkScaling asserts what the rule must do with a burst.
func checkScaling(t *testing.T, rule Rule, m Model, steps []QueueStep) {
	t.Helper()
	if steps[0].Replicas != rule.MinReplicas {
		t.Errorf("starts at %d replicas, want minReplicas %d", steps[0].Replicas, rule.MinReplicas)
	}
	scrape := int(m.ScrapeInterval / time.Second)
	sync := int(rule.SyncPeriod / time.Second)
	window := int(rule.ScaleDown.StabilizationWindow / time.Second)
	peak := 0
	for _, s := range steps {
		peak = max(peak, s.Replicas)
		if s.Replicas < rule.MinReplicas || s.Replicas > rule.MaxReplicas || s.Ready > s.Replicas {
			t.Errorf("at %v s: %d replicas, %d ready: outside [%d, %d]", s.At, s.Replicas, s.Ready, rule.MinReplicas, rule.MaxReplicas)
		}
	}
	if peak <= rule.MinReplicas {
		t.Fatalf("never scaled up (peak %d replicas): the burst does not test the rule", peak)
	}

	// Up: once the depth is beyond the target on the replicas there are,
	// they grow by the next scrape and sync.
	first := -1
	for i, s := range steps {
		if s.Depth > rule.QueueDepthPerReplica*float64(s.Replicas)*(1+rule.Tolerance) {
			first = i
			break
		}
	}
	if first < 0 {
		t.Fatal("the depth never exceeds the target")
	}
	grew := -1
	for i := first; i < len(steps) && i <= first+scrape+sync; i++ {
		if steps[i].Replicas > steps[first].Replicas {
			grew = i
			break
		}
	}
	if grew < 0 {
		t.Errorf("the depth %.0f exceeded the target on %d replicas at %d s, and they did not grow within %d s",
			steps[first].Depth, steps[first].Replicas, first, scrape+sync)
	}
	// And at every sync that sees a depth beyond the target, below the max.
	for i := sync; i < len(steps); i += sync {
		seen := steps[i-i%scrape].Depth // the latest scrape
		before := steps[i-1].Replicas
		if before < rule.MaxReplicas && seen > rule.QueueDepthPerReplica*float64(before)*(1+rule.Tolerance) && steps[i].Replicas <= before {
			t.Errorf("at %d s the HPA saw depth %.0f on %d replicas and did not scale up", i, seen, before)
		}
	}

	// No flapping: no scale-down within the window after a scale-up.
	lastUp := math.MinInt
	for i := 1; i < len(steps); i++ {
		switch {
		case steps[i].Replicas > steps[i-1].Replicas:
			lastUp = i
		case steps[i].Replicas < steps[i-1].Replicas && i-lastUp <= window:
			t.Errorf("scaled down at %d s, %d s after a scale-up (window %d s)", i, i-lastUp, window)
		}
	}

	// Down: back to the min once the queue has been empty for the window,
	// plus the halvings (one a period) and a sync.
	drained := 0
	for i, s := range steps {
		if s.Depth > 0 || s.Arrivals > 0 {
			drained = i + 1
		}
	}
	halvings := int(math.Ceil(math.Log2(float64(peak) / float64(rule.MinReplicas))))
	by := drained + window + halvings*int(rule.ScaleDown.Policies[0].Period/time.Second) + sync + scrape
	if by >= len(steps) {
		t.Fatalf("the simulation ends at %d s, before %d s", len(steps), by)
	}
	for i := by; i < len(steps); i++ {
		if steps[i].Replicas != rule.MinReplicas {
			t.Fatalf("at %d s, %d s after the queue drained, %d replicas, want %d", i, i-drained, steps[i].Replicas, rule.MinReplicas)
		}
	}
	// Not before the window has passed since the last scale-up, either.
	for i := lastUp; i < len(steps) && i <= lastUp+window; i++ {
		if steps[i].Replicas < steps[lastUp].Replicas {
			t.Errorf("at %d s below the %d of the last scale-up at %d s", i, steps[lastUp].Replicas, lastUp)
		}
	}
}

// timeline is the replicas' changes: "2 at 0 s, 6 at 15 s, ...".
func timeline(steps []QueueStep) string {
	var b bytes.Buffer
	for i, s := range steps {
		if i == 0 || s.Replicas != steps[i-1].Replicas {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%d at %.0f s", s.Replicas, s.At)
		}
	}
	return b.String()
}
