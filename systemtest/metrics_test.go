package systemtest

import (
	"bufio"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// scrape reads a Prometheus text exposition with hc: series (name with
// labels) → value.
func scrape(t testing.TB, hc *http.Client, url string) map[string]float64 {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetrics: /metrics counts a judged submission by verdict, times its
// intake and stages, and shows the open SSE streams, the tracker's consumer lag and
// the queues' depth and jobs in hand.
func TestMetrics(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, testUser("alice"), false)
	web := checkedHTTP(t)
	before := scrape(t, web, in.Base+"/metrics")
	events := alice.stream(t, "/api/events", "")
	sub := alice.submit(t, "a-plus-b", "python", aPlusBWrong)
	events.untilFinal(t, sub.ID, finalWithin)

	m := scrape(t, web, in.Base+"/metrics")
	judged := `codementor_submissions_judged_total{verdict="wrong_answer"}`
	if m[judged] < before[judged]+1 {
		t.Errorf("%s went from %v to %v", judged, before[judged], m[judged])
	}
	for _, stage := range []string{"queued", "compile", "run"} {
		series := `codementor_stage_seconds_count{stage="` + stage + `"}`
		if m[series] < before[series]+1 {
			t.Errorf("%s went from %v to %v", series, before[series], m[series])
		}
	}
	for _, step := range []string{"check", "emit", "total"} {
		series := `codementor_intake_seconds_count{step="` + step + `"}`
		if m[series] < before[series]+1 {
			t.Errorf("%s went from %v to %v", series, before[series], m[series])
		}
	}
	// Python's tests are forked from the box's zygote: the a-plus-b's
	// 11, and not one of them started afresh.
	forked, fallback := `codementor_sandbox_run_starts_total{start="forked"}`, `codementor_sandbox_run_starts_total{start="fallback"}`
	if m[forked] < before[forked]+11 || m[fallback] != before[fallback] {
		t.Errorf("%s went from %v to %v, %s from %v to %v", forked, before[forked], m[forked], fallback, before[fallback], m[fallback])
	}
	if m["codementor_sse_clients"] < 1 {
		t.Errorf("codementor_sse_clients = %v with a stream open", m["codementor_sse_clients"])
	}
	reviews := `codementor_reviews_total{status="` + string(codementor.ReviewSkipped) + `"}`
	if m[reviews] < before[reviews]+1 {
		t.Errorf("%s went from %v to %v", reviews, before[reviews], m[reviews])
	}
	lag := false
	for series := range m {
		if strings.HasPrefix(series, `codementor_consumer_lag{group="tracker",partition="`) && strings.Contains(series, `topic="submission-requests"`) {
			lag = true
		}
	}
	if !lag {
		t.Error("no consumer lag series for the tracker's submission-requests partitions")
	}
	// The queues: their depth over every instance and the jobs in hand here,
	// both back to 0 once the worker has acknowledged its last job (a
	// moment after the submission is final).
	for _, group := range []string{"judge", "reviewer"} {
		depth, held := `codementor_queue_depth{group="`+group+`"}`, `codementor_queue_jobs_in_flight{group="`+group+`"}`
		deadline := time.Now().Add(10 * time.Second)
		for {
			d, dok := m[depth]
			h, hok := m[held]
			if dok && hok && d == 0 && h == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("the %s queue: depth %v (reported: %v), jobs in flight %v (reported: %v); want both 0 with nothing left to do", group, d, dok, h, hok)
				break
			}
			time.Sleep(100 * time.Millisecond)
			m = scrape(t, web, in.Base+"/metrics")
		}
	}
}

// TestProcessorOpsEndpoints: a processor process serves /healthz, /readyz
// and /metrics on --metrics-addr.
func TestProcessorOpsEndpoints(t *testing.T) {
	c := startCluster(t, 1)
	p := c.processors[0]
	resp, err := http.Get(p.ops + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	m := scrape(t, http.DefaultClient, p.ops+"/metrics")
	if _, ok := m["codementor_sandbox_runs_in_flight"]; !ok {
		t.Error("no codementor_sandbox_runs_in_flight on the processor")
	}
}
