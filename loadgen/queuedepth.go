package loadgen

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The gauge --record-queue scrapes: the depth of the judging share group's
// queue (jobs waiting or held, over every instance; metrics/metrics.go). It
// is what the chart's autoscaler scales the processors on.
const (
	queueMetric = "codementor_queue_depth"
	queueGroup  = "judge"
	// scrapeEvery is how often the depth is scraped during a run.
	scrapeEvery = time.Second
	// scrapeTimeout bounds one scrape (the service asks the brokers for the
	// depth, with 2 s of its own).
	scrapeTimeout = 5 * time.Second
)

// QueueSample is one scrape of the judging queue's depth during a run,
// with the run's own counts then: what went into the queue and what came
// out, as the generator saw it.
type QueueSample struct {
	// TS is when the scrape was sent, in seconds since the start of the run.
	TS    float64 `json:"t_s"`
	Depth float64 `json:"depth"`
	// Accepted is the submissions the API had accepted (202) by then,
	// Judged those whose verdict their learner's stream had shown.
	Accepted int64 `json:"accepted"`
	Judged   int64 `json:"judged"`
}

// queueRecorder scrapes the depth every scrapeEvery until stopped.
type queueRecorder struct {
	url string
	hc  *http.Client

	mu      sync.Mutex
	samples []QueueSample
	failed  int // scrapes without a value
	parent  context.Context
	start   time.Time
	counts  func() (accepted, judged int64)
	stop    context.CancelFunc
	done    chan struct{}
}

func newQueueRecorder(metricsURL string) *queueRecorder {
	return &queueRecorder{url: metricsURL, hc: &http.Client{Timeout: scrapeTimeout}}
}

// check scrapes once, to find out before the run starts that the depth
// cannot be read.
func (q *queueRecorder) check(ctx context.Context) error {
	if _, err := q.scrape(ctx); err != nil {
		return fmt.Errorf("--record-queue: %w", err)
	}
	return nil
}

// begin scrapes every scrapeEvery from now on, times counted from start,
// until finish is called or ctx ends; counts gives the run's accepted and
// judged submissions when a scrape is sent.
func (q *queueRecorder) begin(ctx context.Context, start time.Time, counts func() (accepted, judged int64)) {
	q.parent, q.start, q.counts = ctx, start, counts
	ctx, q.stop = context.WithCancel(ctx)
	q.done = make(chan struct{})
	go func() {
		defer close(q.done)
		t := time.NewTicker(scrapeEvery)
		defer t.Stop()
		for {
			q.sample(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// sample scrapes once and keeps the sample, or counts the failure (unless
// ctx ended).
func (q *queueRecorder) sample(ctx context.Context) {
	at := time.Now()
	accepted, judged := q.counts()
	d, err := q.scrape(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			q.failed++
		}
		return
	}
	q.samples = append(q.samples, QueueSample{TS: at.Sub(q.start).Seconds(), Depth: d, Accepted: accepted, Judged: judged})
}

// finish stops the scraping, scrapes once more (the end of the run; not
// when the run was interrupted) and returns the samples and how many
// scrapes failed.
func (q *queueRecorder) finish() ([]QueueSample, int) {
	q.stop()
	<-q.done
	if q.parent.Err() == nil {
		q.sample(q.parent)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.samples, q.failed
}

func (q *queueRecorder) scrape(ctx context.Context) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, q.url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := q.hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", q.url, unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("scrape %s: answered %d", q.url, resp.StatusCode)
	}
	d, ok, err := parseQueueDepth(resp.Body, queueGroup)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", q.url, err)
	}
	if !ok {
		return 0, fmt.Errorf("scrape %s: no %s{group=%q} (is the judge running in that process? a web-only instance has none)", q.url, queueMetric, queueGroup)
	}
	return d, nil
}

// parseQueueDepth finds codementor_queue_depth{group="<group>"} in a
// Prometheus text exposition (read by Prometheus' own parser) and returns
// its value.
func parseQueueDepth(r io.Reader, group string) (float64, bool, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return 0, false, err
	}
	for _, m := range families[queueMetric].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() != "group" || l.GetValue() != group {
				continue
			}
			if g := m.GetGauge(); g != nil {
				return g.GetValue(), true, nil
			}
			return m.GetUntyped().GetValue(), true, nil // no # TYPE line
		}
	}
	return 0, false, nil
}

// WriteQueueCSV writes the recorded depth of the judging queue as CSV:
// a header `seconds,depth,accepted,judged`, then one row per scrape:
// seconds since the start of the run (to the millisecond), the depth, and
// the submissions accepted and judged by then (see QueueSample).
func (r *Report) WriteQueueCSV(w io.Writer) error {
	if r.QueueDepth == nil {
		return errors.New("the run recorded no queue depth")
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"seconds", "depth", "accepted", "judged"})
	for _, s := range r.QueueDepth {
		_ = cw.Write([]string{strconv.FormatFloat(s.TS, 'f', 3, 64), strconv.FormatFloat(s.Depth, 'f', -1, 64),
			strconv.FormatInt(s.Accepted, 10), strconv.FormatInt(s.Judged, 10)})
	}
	cw.Flush()
	return cw.Error()
}
