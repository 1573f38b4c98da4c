package systemtest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/devtest"
)

const (
	// echoProgram writes its input: right on every test of echoTests.
	echoProgram = "import sys\nsys.stdout.write(sys.stdin.read())\n"
	// echoWrong drops its input's last line.
	echoWrong = "import sys\nsys.stdout.write(sys.stdin.read().rsplit('\\n', 2)[0])\n"
)

// echoData is n bytes of lines of numbers, different for each seed.
func echoData(seed, n int) string {
	var b strings.Builder
	b.Grow(n + 32)
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d %d\n", seed*7919+i, i*i%1000003)
	}
	return b.String()[:n-1] + "\n"
}

// echoTests is a sample and hidden tests of the given input sizes, each
// expecting its input back.
func echoTests(sizes ...int) []map[string]any {
	tests := []map[string]any{{"input": "1 2\n", "output": "1 2\n"}}
	for i, n := range sizes {
		d := echoData(i, n)
		tests = append(tests, map[string]any{"input": d, "output": d, "hidden": true})
	}
	return tests
}

// TestLargeTestData stores a question whose tests are far larger than a
// Kafka message (three tests of 900 KB and one of 16 MiB each way): the
// judge reads them from the test-data table once, judges a right and a
// wrong program, and judges the next submission without reading them
// again.
func TestLargeTestData(t *testing.T) {
	in := start(t, t.TempDir())
	admin := login(t, in.Base, "root", true)
	alice := login(t, in.Base, testUser("alice"), false)
	admin.http.Timeout = 2 * time.Minute
	metricsHTTP := checkedHTTP(t)

	q := map[string]any{"title": "Echo", "statement": "Print the input.", "checker": map[string]any{"kind": "exact"},
		"tests": echoTests(900_000, 900_000, 900_000, codementor.MaxTestDataBytes)}
	start := time.Now()
	if code := admin.do(t, "PUT", "/api/questions/big-echo", q, nil); code != http.StatusCreated {
		t.Fatalf("store the question: %d", code)
	}
	t.Logf("stored a question of %.1f MiB of test data in %s", float64(3*2*900_000+2*codementor.MaxTestDataBytes)/(1<<20), time.Since(start))

	var pub struct {
		Tests       []codementor.Test `json:"tests"`
		TestCount   int               `json:"test_count"`
		HiddenTests int               `json:"hidden_tests"`
	}
	if code := alice.do(t, "GET", "/api/questions/big-echo", nil, &pub); code != 200 || len(pub.Tests) != 1 || pub.Tests[0].Input != "1 2\n" ||
		pub.TestCount != 5 || pub.HiddenTests != 4 {
		t.Errorf("a learner sees %d: %d tests shown, %d in all, %d hidden", code, len(pub.Tests), pub.TestCount, pub.HiddenTests)
	}

	const (
		miss  = `codementor_test_data_lookups_total{result="miss"}`
		hit   = `codementor_test_data_lookups_total{result="hit"}`
		read  = `codementor_test_data_read_bytes_total`
		fetch = `codementor_test_data_fetch_seconds_sum`
	)
	judge := func(code string, want codementor.Verdict) (time.Duration, map[string]float64) {
		t.Helper()
		before := scrape(t, metricsHTTP, in.Base+"/metrics")
		start := time.Now()
		sub := alice.submit(t, "big-echo", "python", code)
		states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
		took := time.Since(start)
		f := states[len(states)-1]
		if f.Verdict != want || len(f.Tests) != 5 {
			t.Errorf("verdict %s with %d tests, want %s: %s %+v", f.Verdict, len(f.Tests), want, f.Error, f.Tests)
		}
		after := scrape(t, metricsHTTP, in.Base+"/metrics")
		delta := map[string]float64{}
		for _, k := range []string{miss, hit, read, fetch} {
			delta[k] = after[k] - before[k]
		}
		return took, delta
	}
	took, d := judge(echoProgram, codementor.VerdictAccepted)
	t.Logf("first submission judged in %s: test data read in %.3f s (%v bytes)", took, d[fetch], d[read])
	if d[miss] != 1 || d[read] < 2*codementor.MaxTestDataBytes {
		t.Errorf("first submission: %v misses, %v bytes read; want one read of the question's test data", d[miss], d[read])
	}
	for i, c := range []struct {
		code string
		want codementor.Verdict
	}{{echoWrong, codementor.VerdictWrongAnswer}, {echoProgram, codementor.VerdictAccepted}} {
		took, d := judge(c.code, c.want)
		t.Logf("submission %d judged in %s from the cache", i+2, took)
		if d[miss] != 0 || d[hit] != 1 || d[read] != 0 {
			t.Errorf("submission %d: %v misses, %v hits, %v bytes read; want the cached data", i+2, d[miss], d[hit], d[read])
		}
	}

}

// TestLargestQuestion stores a question with the most test data allowed,
// 64 MiB, and judges a submission to it. It runs on Apache Kafka only (the
// second pass of make test): moving 64 MiB through the race detector's
// instrumented web tier and judge takes a minute and a half per pass, and
// the broker whose limits matter is the real one. That a byte more is
// refused, naming the limit, the web tier's tests check.
func TestLargestQuestion(t *testing.T) {
	brokers := requireKafka(t)
	cfg := devConfig(t, t.TempDir())
	// On the three-broker cluster the failover test made the topics with
	// three replicas; a process must be configured as they are.
	cfg.Replication = min(3, len(brokers))
	in := devtest.Launch(t, cfg, devtest.Ready)
	admin := login(t, in.Base, "root", true)
	alice := login(t, in.Base, testUser("alice"), false)
	admin.http.Timeout = 2 * time.Minute
	const eight = 8 << 20
	huge := map[string]any{"title": "Huge", "checker": map[string]any{"kind": "exact"}, "tests": echoTests(eight, eight, eight, eight-4)}
	start := time.Now()
	if code := admin.do(t, "PUT", "/api/questions/huge", huge, nil); code != http.StatusCreated && code != http.StatusOK {
		t.Fatalf("store a question of 64 MiB: %d", code)
	}
	t.Logf("stored a question of 64 MiB of test data in %s", time.Since(start))
	sub := alice.submit(t, "huge", "python", echoProgram)
	states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	if f := states[len(states)-1]; f.Verdict != codementor.VerdictAccepted {
		t.Errorf("the 64 MiB question: verdict %s: %s", f.Verdict, f.Error)
	}
}
