package autoscale

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Recording is a burst recorded by `codementor loadgen --record-queue`,
// one value a second from the start of the run: the queue's depth, and the
// submissions the run had accepted and seen judged by then.
type Recording struct {
	Depth, Accepted, Judged []float64
}

// ReadRecording reads what `codementor loadgen --record-queue` writes: a CSV
// with the header seconds,depth,accepted,judged and a row per scrape, in
// time order. Each second's values are those of the latest scrape up to
// half a second after it (a scrape lands a few milliseconds after its
// second), or the previous second's (0 before the first).
func ReadRecording(path string) (Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return Recording{}, fmt.Errorf("read the recording: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return Recording{}, fmt.Errorf("read the recording %s: %w", path, err)
	}
	if len(rows) < 2 || strings.Join(rows[0], ",") != "seconds,depth,accepted,judged" {
		return Recording{}, fmt.Errorf("read the recording %s: want a header seconds,depth,accepted,judged and at least one row", path)
	}
	var at []float64
	cols := make([][]float64, 3)
	for i, row := range rows[1:] {
		var vs [4]float64
		for j := range vs {
			v, err := strconv.ParseFloat(row[j], 64)
			if err != nil {
				return Recording{}, fmt.Errorf("read the recording %s, row %d: %w", path, i+2, err)
			}
			vs[j] = v
		}
		if len(at) > 0 && vs[0] < at[len(at)-1] {
			return Recording{}, fmt.Errorf("read the recording %s, row %d: time goes back", path, i+2)
		}
		at = append(at, vs[0])
		for j := range cols {
			cols[j] = append(cols[j], vs[j+1])
		}
	}
	return Recording{Depth: perSecond(at, cols[0]), Accepted: perSecond(at, cols[1]), Judged: perSecond(at, cols[2])}, nil
}

// Arrivals is the jobs that arrived in each second: the submissions
// accepted in it. (Derived from the depth alone, as depth(t) - depth(t-1)
// plus what was judged, they would miss the jobs judged within the second
// they came while the queue was near empty.)
func (r Recording) Arrivals() []float64 {
	return increments(r.Accepted)
}

// Throughput is what one of the recording's replicas judged a second while
// the queue kept every slot busy: the verdicts of the seconds that started
// with at least busyDepth jobs in the queue (the jobs a replica holds: its
// slots and spares), over those seconds and the replicas.
func (r Recording) Throughput(replicas int, busyDepth float64) (float64, error) {
	judged := increments(r.Judged)
	busy, sum := 0, 0.0
	for t := 1; t < len(r.Depth); t++ {
		if r.Depth[t-1] >= busyDepth*float64(replicas) {
			busy++
			sum += judged[t]
		}
	}
	if busy == 0 || replicas < 1 {
		return 0, fmt.Errorf("the queue never held %v jobs a replica: no throughput to measure", busyDepth)
	}
	return sum / float64(busy) / float64(replicas), nil
}

// increments is each second's change of a count (the first second's is
// its value).
func increments(counts []float64) []float64 {
	out := make([]float64, len(counts))
	prev := 0.0
	for t, c := range counts {
		out[t], prev = max(0, c-prev), c
	}
	return out
}

// perSecond resamples a series at the times at to one value a second, as
// ReadRecording says.
func perSecond(at, values []float64) []float64 {
	if len(at) == 0 {
		return nil
	}
	n := int(math.Floor(at[len(at)-1]+0.5)) + 1
	out := make([]float64, n)
	j, v := 0, 0.0
	for t := range n {
		for j < len(at) && at[j] <= float64(t)+0.5 {
			v = values[j]
			j++
		}
		out[t] = v
	}
	return out
}

// Step is the autoscaler's state after one HPA sync of Simulate.
type Step struct {
	At       float64 // seconds since the start
	Depth    float64 // the metric the HPA saw
	Decision         // what it computed, and the replicas after it
}

// Simulate feeds the queue's depth, one value a second from the start
// (Recording.Depth), to the rule, open loop: the depth is what it was,
// whatever the replicas (the recording's demand on its own fixed capacity).
// KEDA polls every PollingInterval and the HPA syncs every SyncPeriod from
// the start (KEDA first when both fall on the same second); start is the
// replicas at the start. One Step per HPA sync.
func Simulate(rule Rule, depth []float64, start int) []Step {
	c := NewController(rule, start, 0)
	var steps []Step
	for t := range len(depth) {
		now := time.Duration(t) * time.Second
		if now%rule.PollingInterval == 0 {
			c.Poll(now, depth[t])
		}
		if now%rule.SyncPeriod == 0 {
			steps = append(steps, Step{At: float64(t), Depth: depth[t], Decision: c.Sync(now, depth[t])})
		}
	}
	return steps
}

// Model is the queue of SimulateQueue: what a replica judges, how long a
// new one takes to judge, and how stale the metric is.
type Model struct {
	// JobsPerReplicaSecond is what one replica judges a second while it has
	// work (Recording.Throughput).
	JobsPerReplicaSecond float64
	// StartupDelay is how long a new replica takes from its creation to its
	// first job: scheduling, starting, joining the groups and reading the
	// questions view. An assumption, not a measurement.
	StartupDelay time.Duration
	// ScrapeInterval is how often Prometheus scrapes the depth: the HPA and
	// KEDA see the latest scrape.
	ScrapeInterval time.Duration
}

// Validate reports the problems of the model.
func (m Model) Validate() error {
	var errs []error
	if !(m.JobsPerReplicaSecond > 0) {
		errs = append(errs, fmt.Errorf("the jobs a replica judges a second must be above 0, got %v", m.JobsPerReplicaSecond))
	}
	if m.StartupDelay < 0 {
		errs = append(errs, fmt.Errorf("the start-up delay must not be negative, got %v", m.StartupDelay))
	}
	if m.ScrapeInterval < time.Second || m.ScrapeInterval%time.Second != 0 {
		errs = append(errs, fmt.Errorf("the scrape interval must be whole seconds, at least 1, got %v", m.ScrapeInterval))
	}
	return errors.Join(errs...)
}

// QueueStep is one second of SimulateQueue.
type QueueStep struct {
	At       float64 // seconds since the start
	Recorded float64 // the recorded depth (0 past the recording)
	Arrivals float64 // the jobs that arrived in this second
	Depth    float64 // the simulated depth at its end
	Replicas int     // the deployment's replicas then
	Ready    int     // the replicas judging from then on
}

// SimulateQueue plays a recorded burst against the rule, closed loop. A
// recording made on a fixed capacity shows the demand, not what autoscaling
// would have made of it, so only its arrivals are kept (the submissions
// accepted each second) and a fluid queue is played with them:
//
//	depth(t) = max(0, depth(t-1) + arrivals(t) - ready(t) × JobsPerReplicaSecond)
//
// where ready(t) is the replicas created at least StartupDelay before t
// (those at the start are ready; a scale-down removes the newest first,
// as a ReplicaSet does with pods not ready yet, and at once: a stopping
// judge finishes what it holds, but takes no more). Prometheus scrapes the
// simulated depth every ScrapeInterval; KEDA polls and the HPA syncs as in
// Simulate, on the latest scrape. After the recording, tail more seconds
// without arrivals show the way back to minReplicas. start is the replicas
// at the start.
//
// What it leaves out: jobs are a fluid (a replica judges a fraction of one
// in a second; no job is longer than another), a replica judges at one
// rate whatever the load (the recording's instance judged slower while it
// took a burst in, on two cores shared with the broker, the web tier and
// the load generator), and the share group gives a new replica work at
// once (it does: members join without a rebalance).
func SimulateQueue(rule Rule, m Model, rec Recording, start int, tail time.Duration) ([]QueueStep, error) {
	if err := errors.Join(rule.Validate(), m.Validate()); err != nil {
		return nil, err
	}
	arr := rec.Arrivals()
	n := len(arr) + int(tail/time.Second)
	c := NewController(rule, start, 0)
	// readyAt holds when each replica starts judging, oldest first.
	readyAt := make([]time.Duration, start)
	steps := make([]QueueStep, 0, n)
	depth, scraped, ready := 0.0, 0.0, start
	for t := range n {
		now := time.Duration(t) * time.Second
		s := QueueStep{At: float64(t)}
		if t < len(arr) {
			s.Recorded, s.Arrivals = rec.Depth[t], arr[t]
		}
		// The second up to now: what came, less what the replicas ready
		// since the last second judged.
		depth = max(0, depth+s.Arrivals-float64(ready)*m.JobsPerReplicaSecond)
		s.Depth = depth
		if now%m.ScrapeInterval == 0 {
			scraped = depth
		}
		if now%rule.PollingInterval == 0 {
			c.Poll(now, scraped)
		}
		if now%rule.SyncPeriod == 0 {
			c.Sync(now, scraped)
		}
		for len(readyAt) < c.Replicas() {
			readyAt = append(readyAt, now+m.StartupDelay)
		}
		readyAt = readyAt[:c.Replicas()]
		ready = 0
		for _, r := range readyAt {
			if r <= now {
				ready++
			}
		}
		s.Replicas, s.Ready = c.Replicas(), ready
		steps = append(steps, s)
	}
	return steps, nil
}
