// Package metrics holds the Prometheus metrics of a CodeMentor process and
// serves them: submissions by verdict, the time each stage takes, sandbox
// runs and SSE clients at the moment, dead letters, and the consumer lag of
// every processor partition. They live in one registry per process, served
// at /metrics by the web tier and by a processor's own listener.
package metrics

import (
	"net/http"
	"strconv"
	"sync"

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
	// SandboxRuns is the number of programs running in sandboxes now.
	SandboxRuns = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "codementor_sandbox_runs_in_flight",
		Help: "Learners' programs running in a sandbox (compiles and tests) at the moment.",
	})
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

	lag = &lagCollector{
		desc: prometheus.NewDesc("codementor_consumer_lag",
			"Messages of an input partition not yet processed by this process's processor.",
			[]string{"group", "topic", "partition"}, nil),
		procs: map[int]watched{},
	}
)

func init() {
	registry.MustRegister(Verdicts, Reviews, StageSeconds, SandboxRuns, SSEClients, DeadLetters, lag,
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
