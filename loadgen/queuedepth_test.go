package loadgen

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseQueueDepth(t *testing.T) {
	tests := []struct {
		name, text string
		want       float64
		found      bool
		err        bool
	}{
		{"the service's exposition", `# HELP codementor_queue_depth Jobs of a share group's queue not done yet.
# TYPE codementor_queue_depth gauge
codementor_queue_depth{group="notifier"} 0
codementor_queue_depth{group="judge"} 186
codementor_queue_depth{group="reviewer"} 3
`, 186, true, false},
		{"other labels, a timestamp", `codementor_queue_depth{instance="a,b}",group="judge"} 4.5 1700000000000` + "\n", 4.5, true, false},
		{"an escaped quote before it", `codementor_queue_depth{x="say \"hi\"",group="judge"} 2` + "\n", 2, true, false},
		{"a longer name is another metric", `codementor_queue_depth_total{group="judge"} 9` + "\n", 0, false, false},
		{"only other groups", `codementor_queue_depth{group="reviewer"} 9` + "\n", 0, false, false},
		{"a bad value", `codementor_queue_depth{group="judge"} many` + "\n", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := parseQueueDepth(strings.NewReader(tt.text), "judge")
			if (err != nil) != tt.err || found != tt.found || got != tt.want {
				t.Errorf("got %v, %v, %v; want %v, %v, error %v", got, found, err, tt.want, tt.found, tt.err)
			}
		})
	}
}

func TestRecordQueue(t *testing.T) {
	f := &fakeService{}
	base := f.start(t)
	path := filepath.Join(t.TempDir(), "depth.csv")
	var stdout, stderr bytes.Buffer
	args := []string{"--url", base, "--rate", "40", "--duration", "2s", "--learners", "4", "--record-queue", path}
	if code := Main(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 3 || strings.Join(rows[0], ",") != "seconds,depth,accepted,judged" {
		t.Fatalf("want a header and a row a second of a 2 s run, got:\n%s", data)
	}
	last, lastJudged := -1.0, 0
	for _, row := range rows[1:] {
		at, err1 := strconv.ParseFloat(row[0], 64)
		d, err2 := strconv.ParseFloat(row[1], 64)
		accepted, err3 := strconv.Atoi(row[2])
		judged, err4 := strconv.Atoi(row[3])
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || at < last || d < 0 || d > 80 ||
			judged > accepted || accepted > 80 || judged < lastJudged {
			t.Errorf("row %q (after %v s, %d judged)", row, last, lastJudged)
		}
		last, lastJudged = at, judged
	}
	// The last scrape is at the end of the run, when every submission
	// was judged.
	if end := rows[len(rows)-1]; end[2] != "80" || end[3] != "80" {
		t.Errorf("the last row %q, want 80 accepted and judged", end)
	}
	if first, _ := strconv.ParseFloat(rows[1][0], 64); first > 0.5 {
		t.Errorf("the first scrape at %v s, want it at the start", first)
	}
	if !strings.Contains(stderr.String(), "samples of the judging queue's depth") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

func TestRecordQueueNeedsTheMetric(t *testing.T) {
	f := &fakeService{noMetrics: true}
	base := f.start(t)
	var stdout, stderr bytes.Buffer
	args := []string{"--url", base, "--rate", "1", "--duration", "1s", "--learners", "1", "--record-queue", filepath.Join(t.TempDir(), "d.csv")}
	if code := Main(t.Context(), args, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{"--record-queue", `codementor_queue_depth{group="judge"}`, base + "/metrics"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("stderr %q lacks %q", stderr.String(), w)
		}
	}
}

func TestMetricsURLNeedsRecordQueue(t *testing.T) {
	_, err := ParseFlags([]string{"--metrics-url", "http://127.0.0.1:9464/metrics"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--metrics-url applies to --record-queue only") {
		t.Errorf("got %v", err)
	}
	_, err = ParseFlags([]string{"--record-queue", filepath.Join(t.TempDir(), "d.csv"), "--metrics-url", "127.0.0.1:9464"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--metrics-url must be an http://") {
		t.Errorf("got %v", err)
	}
}
