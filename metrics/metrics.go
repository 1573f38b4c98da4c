// Package metrics holds the Prometheus metrics of a CodeMentor process and
// serves them: submissions by verdict, the time each stage takes, sandbox
// runs and SSE clients at the moment, dead letters, and the consumer lag of
// every processor partition. They live in one registry per process, served
// at /metrics by the web tier and by a processor's own listener.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/lovoo/goka"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stages of a submission, for StageSeconds.
const (
	StageQueued  = "queued"  // from the job's emit until the judge starts it
	StageCompile = "compile" // compiling (or checking) the code
	StageRun     = "run"     // running every test
	StageReview  = "review"  // writing the review, model calls included
)

var (
	registry = prometheus.NewRegistry()

	// Verdicts counts the verdicts the tracker records, by verdict.
	Verdicts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_submissions_judged_total",
		Help: "Submissions whose verdict was recorded, by verdict.",
	}, []string{"verdict"})
	// Reviews counts finished reviews by status (done, failed, skipped).
	Reviews = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_reviews_total",
		Help: "Reviews finished by this process's reviewer, by status.",
	}, []string{"status"})
	// StageSeconds is the time each stage of a submission took.
	StageSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "codementor_stage_seconds",
		Help:    "Time a submission spent in each stage: queued, compile, run, review.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"stage"})
	// IntakeSeconds is the time the web tier took to accept a submission,
	// by step: "check" (the learner's limit, from the views), "emit" (until
	// the brokers acknowledged it) and "total" (the whole request).
	IntakeSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "codementor_intake_seconds",
		Help:    "Time the web tier took to accept a submission, by step: check, emit, total.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"step"})
	// SandboxRuns is the number of programs running in sandboxes now.
	SandboxRuns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "codementor_sandbox_runs_in_flight",
		Help: "Learners' programs running in a sandbox (compiles and tests) at the moment.",
	})
	// SandboxStarts counts test runs by how their process started:
	// "forked" from the box's zygote, "fresh" (a language without one, a
	// program of fewer than sandbox.ZygoteMinRuns tests, or --no-zygote), or
	// "fallback": started afresh because the zygote could not fork it (the
	// log says why).
	SandboxStarts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_sandbox_run_starts_total",
		Help: "Test runs by how their process started: forked from the box's zygote (Python, 3 tests or more), fresh, or fallback (fresh because the zygote could not fork it).",
	}, []string{"start"})
	// SSEClients is the number of open SSE streams.
	SSEClients = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "codementor_sse_clients",
		Help: "Open Server-Sent Events streams.",
	})
	// DeadLetters counts messages sent to the dead-letter topic, by group.
	DeadLetters = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_dead_letters_total",
		Help: "Messages a processor could not read and sent to the dead-letter topic.",
	}, []string{"group"})

	// QueueHeld is the number of jobs this process's share-group members
	// hold now (running, or waiting for their result to be written).
	QueueHeld = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "codementor_queue_jobs_in_flight",
		Help: "Jobs of a share group (judge, reviewer) this process holds at the moment.",
	}, []string{"group"})
	// QueuePoisoned counts jobs delivered so often that they were not run
	// again but sent to the dead-letter topic.
	QueuePoisoned = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_queue_jobs_poisoned_total",
		Help: "Jobs delivered the most times allowed without a result, sent to the dead-letter topic instead of run again.",
	}, []string{"group"})

	// QueueDeferred counts jobs put back at the end of their queue because
	// they could not run here now (fair sharing of the judging slots).
	QueueDeferred = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_queue_jobs_deferred_total",
		Help: "Jobs written again at the end of their queue because this instance kept its last free slot for another learner.",
	}, []string{"group"})
	// QueueYielded counts jobs stopped to give their slot to a waiting
	// learner (preempted) and written again at the end of their queue.
	QueueYielded = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_queue_jobs_preempted_total",
		Help: "Jobs stopped after their current test ran past --preempt-after, to give the slot to a learner with nothing running, and written again at the end of their queue (a job is preempted at most once).",
	}, []string{"group"})

	// Nudges counts submissions found without progress for too long, whose
	// job the tracker was asked to emit again, by status.
	Nudges = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_submissions_nudged_total",
		Help: "Submissions that made no progress for too long and were nudged (their job emitted again if still stalled), by status.",
	}, []string{"status"})
	// Callbacks counts runs' callbacks, sent or failed for good.
	Callbacks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_callbacks_total",
		Help: "Callbacks of final runs (the Judge0 API's callback_url), by outcome: sent, or failed after every attempt.",
	}, []string{"outcome"})
	// Requeued counts jobs the tracker emitted again after a nudge.
	Requeued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_jobs_requeued_total",
		Help: "Jobs the tracker emitted again for a submission that made no progress, by the submission's status.",
	}, []string{"status"})

	queues = &queueCollector{
		desc: prometheus.NewDesc("codementor_queue_depth",
			"Jobs of a share group's queue not done yet, over every instance: waiting, or held by a member.",
			[]string{"group"}, nil),
		depths: map[int]watchedQueue{},
	}

	lag = &lagCollector{
		desc: prometheus.NewDesc("codementor_consumer_lag",
			"Messages of an input partition not yet processed by this process's processor.",
			[]string{"group", "topic", "partition"}, nil),
		procs: map[int]watched{},
	}
)

func init() {
	registry.MustRegister(TestDataLookups, TestDataReadBytes, TestDataFetchSeconds, TestDataCacheBytes, Verdicts, Reviews, StageSeconds, IntakeSeconds, SandboxRuns, SandboxStarts, SSEClients, DeadLetters, QueueHeld, QueuePoisoned, QueueDeferred, QueueYielded, Nudges, Callbacks, Requeued, queues, lag,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Handler serves the registry in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{Registry: registry})
}

// WatchProcessor reports the consumer lag of the processor that current
// returns (the one running now) under group, until the returned function is
// called.
func WatchProcessor(group string, current func() *goka.Processor) (stop func()) {
	lag.mu.Lock()
	defer lag.mu.Unlock()
	lag.seq++
	key := lag.seq
	lag.procs[key] = watched{group, current}
	return func() {
		lag.mu.Lock()
		defer lag.mu.Unlock()
		delete(lag.procs, key)
	}
}

// WatchQueue reports the depth of group's queue (jobs not done yet, from
// depth) when scraped, until the returned function is called.
func WatchQueue(group string, depth func(context.Context) (int64, error)) (stop func()) {
	queues.mu.Lock()
	defer queues.mu.Unlock()
	queues.seq++
	key := queues.seq
	queues.depths[key] = watchedQueue{group, depth}
	return func() {
		queues.mu.Lock()
		defer queues.mu.Unlock()
		delete(queues.depths, key)
	}
}

// queueCollector asks every watched queue for its depth when scraped.
type queueCollector struct {
	desc   *prometheus.Desc
	mu     sync.Mutex
	seq    int
	depths map[int]watchedQueue
}

type watchedQueue struct {
	group string
	depth func(context.Context) (int64, error)
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	qs := make([]watchedQueue, 0, len(c.depths))
	for _, q := range c.depths {
		qs = append(qs, q)
	}
	c.mu.Unlock()
	seen := map[string]bool{}
	for _, q := range qs {
		if seen[q.group] {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		d, err := q.depth(ctx)
		cancel()
		if err != nil {
			continue // not running, or the brokers are away: no sample
		}
		seen[q.group] = true
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(d), q.group)
	}
}

// lagCollector reads goka's statistics of every watched processor when
// scraped.
type lagCollector struct {
	desc  *prometheus.Desc
	mu    sync.Mutex
	seq   int
	procs map[int]watched
}

type watched struct {
	group   string
	current func() *goka.Processor
}

func (c *lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *lagCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	procs := make([]watched, 0, len(c.procs))
	for _, w := range c.procs {
		procs = append(procs, w)
	}
	c.mu.Unlock()
	type key struct{ group, topic, partition string }
	lags := map[key]float64{}
	for _, w := range procs {
		p := w.current()
		if p == nil {
			continue
		}
		for part, st := range p.Stats().Group {
			for topic, in := range st.Input {
				lags[key{w.group, topic, strconv.Itoa(int(part))}] += float64(max(in.OffsetLag, 0))
			}
		}
	}
	for k, v := range lags {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, k.group, k.topic, k.partition)
	}
}
