package loadgen

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

func TestPercentile(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	ten := hundred[:10]
	tests := []struct {
		sample []time.Duration
		p      float64
		want   time.Duration
	}{
		{hundred, 50, 50 * time.Millisecond},
		{hundred, 90, 90 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 100, 100 * time.Millisecond},
		{hundred, 0.1, 1 * time.Millisecond},
		{ten, 50, 5 * time.Millisecond},
		{ten, 90, 9 * time.Millisecond},
		{ten, 99, 10 * time.Millisecond}, // nearest rank: ⌈9.9⌉ = 10th
		{hundred[:1], 50, time.Millisecond},
		{nil, 50, 0},
	}
	for _, tt := range tests {
		if got := Percentile(tt.sample, tt.p); got != tt.want {
			t.Errorf("Percentile(%d values, %v) = %v, want %v", len(tt.sample), tt.p, got, tt.want)
		}
	}
	l := summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond})
	if l.Count != 3 || l.P50MS != 2 || l.MaxMS != 3 || l.MeanMS != 2 || l.P99MS != 3 {
		t.Errorf("summarize unsorted sample: %+v", l)
	}
}

func TestSchedule(t *testing.T) {
	tests := []struct {
		rate     float64
		duration time.Duration
		n        int
		last     time.Duration
	}{
		{10, 3 * time.Second, 30, 2900 * time.Millisecond},
		{2.5, 3 * time.Second, 8, 2800 * time.Millisecond}, // 7.5 → 0, 0.4, ..., 2.8 s
		{1, time.Second, 1, 0},
		{0.5, 3 * time.Second, 2, 2 * time.Second},
		{100, 30 * time.Second, 3000, 29990 * time.Millisecond},
		{3, time.Second, 3, 666666666},
	}
	for _, tt := range tests {
		s := Schedule(tt.rate, tt.duration)
		if len(s) != tt.n {
			t.Errorf("Schedule(%v, %v): %d submissions, want %d", tt.rate, tt.duration, len(s), tt.n)
			continue
		}
		if s[0] != 0 || s[len(s)-1] != tt.last {
			t.Errorf("Schedule(%v, %v): first %v last %v, want 0 and %v", tt.rate, tt.duration, s[0], s[len(s)-1], tt.last)
		}
		gap := time.Duration(float64(time.Second) / tt.rate)
		for i := 1; i < len(s); i++ {
			if d := s[i] - s[i-1]; d < gap-time.Microsecond || d > gap+time.Microsecond {
				t.Fatalf("Schedule(%v, %v): gap %v at %d, want %v", tt.rate, tt.duration, d, i, gap)
			}
		}
		if s[len(s)-1] >= tt.duration {
			t.Errorf("Schedule(%v, %v): the last leaves at %v, not within the duration", tt.rate, tt.duration, s[len(s)-1])
		}
	}
}

func TestPlanSharesEvenly(t *testing.T) {
	cfg := Config{Rate: 10, Duration: 4 * time.Second, Learners: 3, Questions: []string{"a-plus-b"},
		Languages: []string{"python", "java"}, Weights: []float64{3, 1}, WrongRatio: 0.3}
	p := plan(&cfg)
	if len(p) != 40 {
		t.Fatalf("%d planned, want 40", len(p))
	}
	perLang := map[string]int{}
	wrong := map[string]int{}
	for i, s := range p {
		if s.Index != i || s.Learner != i%3 || s.At != time.Duration(i)*100*time.Millisecond {
			t.Errorf("submission %d: %+v", i, s)
		}
		perLang[s.Language]++
		if s.Wrong {
			wrong[s.Language]++
		}
	}
	if perLang["python"] != 30 || perLang["java"] != 10 {
		t.Errorf("languages %v, want python 30 and java 10 (weights 3:1)", perLang)
	}
	if wrong["python"] != 9 || wrong["java"] != 3 {
		t.Errorf("wrong programs %v, want python 9 and java 3 (30%%)", wrong)
	}
	// The shares hold along the way too: any 4 in a row have 3 python.
	for i := 0; i+4 <= len(p); i += 4 {
		n := 0
		for _, s := range p[i : i+4] {
			if s.Language == "python" {
				n++
			}
		}
		if n != 3 {
			t.Errorf("submissions %d to %d: %d python of 4", i, i+3, n)
		}
	}
	for _, ratio := range []float64{0, 0.5, 1} {
		cfg := Config{Rate: 10, Duration: time.Second, Learners: 1, Questions: []string{"a-plus-b"}, Languages: []string{"python"}, WrongRatio: ratio}
		n := 0
		for _, s := range plan(&cfg) {
			if s.Wrong {
				n++
			}
		}
		if want := int(ratio * 10); n != want {
			t.Errorf("wrong ratio %v: %d of 10 wrong, want %d", ratio, n, want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := ParseFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.URL != DefaultURL || cfg.Rate != DefaultRate || cfg.Duration != DefaultDuration || cfg.Learners != DefaultLearners ||
		!slices.Equal(cfg.Questions, []string{"a-plus-b"}) || !slices.Equal(cfg.Languages, []string{"python"}) ||
		cfg.WrongRatio != 0.3 || cfg.Program != ProgramStandard || cfg.Timeout != 2*time.Minute || cfg.Weights != nil {
		t.Errorf("defaults: %+v", cfg)
	}
	dir := t.TempDir()
	cfg, err = ParseFlags([]string{"--url", "http://h:1/", "--rate", "2.5", "--duration", "1m", "--learners", "7",
		"--mix", "python=3, java=1", "--wrong-ratio", "0", "--timeout", "5s", "--json", dir + "/r.json", "--svg", dir + "/r.svg"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Rate != 2.5 || cfg.Duration != time.Minute || cfg.Learners != 7 || !slices.Equal(cfg.Languages, []string{"python", "java"}) ||
		!slices.Equal(cfg.Weights, []float64{3, 1}) || cfg.WrongRatio != 0 || cfg.Timeout != 5*time.Second || cfg.JSONPath != dir+"/r.json" {
		t.Errorf("parsed: %+v", cfg)
	}
	if cfg.Planned() != 150 {
		t.Errorf("planned %d, want 150", cfg.Planned())
	}
	if _, err := ParseFlags([]string{"-h"}, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "--wrong-ratio") && !strings.Contains(stderr.String(), "-wrong-ratio") {
		t.Errorf("-h: %v; usage %q", err, stderr.String())
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, "--rate"},
		{[]string{"--rate", "-1"}, "--rate"},
		{[]string{"--duration", "0s"}, "--duration"},
		{[]string{"--learners", "0"}, "--learners"},
		{[]string{"--wrong-ratio", "1.5"}, "--wrong-ratio"},
		{[]string{"--url", "127.0.0.1:8080"}, "--url"},
		{[]string{"--languages", "cobol"}, `"cobol"`},
		{[]string{"--languages", "python,python"}, "twice"},
		{[]string{"--question", "two-sum"}, `no programs for question "two-sum"`},
		{[]string{"--program", "fancy"}, "--program"},
		{[]string{"--program", "trivial", "--languages", "java"}, "Python"},
		{[]string{"--program", "waiting", "--languages", "go"}, "Python"},
		{[]string{"--mix", "python"}, "--mix"},
		{[]string{"--mix", "python=0"}, "--mix"},
		{[]string{"--mix", "python=1", "--languages", "java"}, "give one of them"},
		{[]string{"--json", "/nonexistent-dir/r.json"}, "does not exist"},
		{[]string{"--rate", "10000", "--duration", "1000s"}, "at most"},
		{[]string{"--nope"}, "nope"},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, tt := range bad {
		if _, err := ParseFlags(tt.args, io.Discard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFlags(%q) = %v, want an error with %q", tt.args, err, tt.want)
		}
	}
	var out, errOut bytes.Buffer
	if code := Main(t.Context(), []string{"--rate", "0"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--rate") {
		t.Errorf("Main with a bad flag: exit %d, stderr %q", code, errOut.String())
	}
	cfg, err = ParseFlags([]string{"--program", "trivial"}, io.Discard)
	if err != nil || !slices.Equal(cfg.Languages, []string{"python"}) {
		t.Errorf("--program trivial: %+v %v", cfg, err)
	}
}

func TestProgramsForEveryLanguage(t *testing.T) {
	for _, l := range codementor.Languages {
		p, ok := programFor(ProgramStandard, "a-plus-b", l.ID)
		if !ok {
			t.Errorf("no a-plus-b program in %s", l.ID)
			continue
		}
		// PHP's and Perl's variables have a sigil: $a + $b.
		correct, wrong := strings.ReplaceAll(p.Correct, "$", ""), strings.ReplaceAll(p.Wrong, "$", "")
		if p.Correct == p.Wrong || !strings.Contains(correct, "a + b") || !strings.Contains(wrong, "a - b") || strings.Contains(p.Correct, "OP") {
			t.Errorf("%s: correct %q, wrong %q", l.ID, p.Correct, p.Wrong)
		}
	}
	if p, ok := programFor(ProgramTrivial, "a-plus-b", "python"); !ok || strings.Count(p.Correct, "\n") != 1 {
		t.Errorf("trivial program: %q", p.Correct)
	}
	if _, ok := programFor(ProgramTrivial, "a-plus-b", "java"); ok {
		t.Error("a trivial program in java")
	}
	if p, ok := programFor(ProgramWaiting, "a-plus-b", "python"); !ok || !strings.Contains(p.Correct, "time.sleep(0.05)") || !strings.Contains(p.Wrong, "a - b") {
		t.Errorf("waiting program: %q", p)
	}
}

func TestReadEvents(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than the reader's buffer
	stream := "retry: 2000\n\n" +
		": ping\n\n" +
		"id: 1\nevent: submission\ndata: {\"id\":\"a\"}\n\n" +
		"event: submission\r\ndata: first\r\ndata:second\r\n\r\n" + // CRLF, two data lines, no space
		": ping\n\n" +
		"data: unnamed\n\n" +
		"id: 3\nevent: submission\ndata: " + long + "\n\n" +
		"event: end\n\n" + // no data: no event
		"id: 4\nevent: submission\ndata: cut off" // the stream ends mid-event
	type ev struct{ id, name, data string }
	var got []ev
	err := readEvents(strings.NewReader(stream), func(id, name string, data []byte) {
		got = append(got, ev{id, name, string(data)})
	})
	if !errors.Is(err, io.EOF) {
		t.Errorf("error %v, want EOF", err)
	}
	want := []ev{{"1", "submission", `{"id":"a"}`}, {"1", "submission", "first\nsecond"}, {"1", "message", "unnamed"}, {"3", "submission", long}}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: %.80v, want %.80v", i, got[i], want[i])
		}
	}
}

// syntheticRun is a finished run of 10 submissions made up without a
// service: #3 rejected with 503, #5 never final, #7 judged wrongly, the rest
// as expected.
func syntheticRun() *Report {
	cfg := Config{URL: "http://service.test", Rate: 10, Duration: time.Second, Learners: 2, Questions: []string{"a-plus-b"},
		Languages: []string{"python"}, WrongRatio: 0.3, Program: ProgramStandard, Timeout: time.Second}
	r := &runner{cfg: cfg, api: &api{base: cfg.URL}, runID: "synthetic", wake: make(chan struct{}, 1)}
	for i := range cfg.Learners {
		r.learners = append(r.learners, &learner{index: i, subs: map[string]*record{}, early: map[string]*observation{}})
	}
	r.start = time.Now()
	for _, p := range plan(&cfg) {
		rec := &record{planned: p, learner: r.learners[p.Learner]}
		rec.sent = r.start.Add(p.At)
		rec.answered = rec.sent.Add(2 * time.Millisecond)
		if p.Index == 3 {
			rec.status, rec.err = 503, "the queue is unreachable"
			r.records = append(r.records, rec)
			continue
		}
		rec.status, rec.id = 202, fmt.Sprintf("sub%d", p.Index)
		rec.obs.first = rec.sent.Add(5 * time.Millisecond)
		if p.Index == 5 {
			rec.obs.status = codementor.StatusRunning
			r.records = append(r.records, rec)
			continue
		}
		took := time.Duration(100+10*p.Index) * time.Millisecond
		rec.obs.verdictAt = rec.sent.Add(took - time.Millisecond)
		rec.obs.finalAt = rec.sent.Add(took)
		rec.obs.status = codementor.StatusDone
		rec.obs.verdict = codementor.VerdictAccepted
		if p.Wrong != (p.Index == 7) {
			rec.obs.verdict = codementor.VerdictWrongAnswer
		}
		r.records = append(r.records, rec)
	}
	r.submitted.Store(10)
	rep := r.report(r.start.Add(2*time.Second), 900*time.Millisecond, time.Millisecond)
	rep.TimedOut = true
	rep.evaluate()
	return rep
}

func TestReportCountsAndTable(t *testing.T) {
	rep := syntheticRun()
	c := rep.Counts
	if c.Planned != 10 || c.Submitted != 10 || c.Accepted != 9 || c.Rejected != 1 || c.RejectedByStatus["503"] != 1 ||
		c.Finished != 8 || c.WrongResults != 1 || c.Unfinished != 1 {
		t.Errorf("counts: %+v", c)
	}
	if rep.OK || !strings.Contains(rep.Reason, "1 of 10 submissions rejected by the API (status 503 ×1)") ||
		!strings.Contains(rep.Reason, "1 wrong results") || !strings.Contains(rep.Reason, "not final") {
		t.Errorf("OK %v, reason %q", rep.OK, rep.Reason)
	}
	if l := rep.Latency.Accepted; l.Count != 9 || l.P50MS != 2 || l.MaxMS != 2 {
		t.Errorf("submit → 202: %+v", l)
	}
	if l := rep.Latency.FirstEvent; l.Count != 9 || l.P99MS != 5 {
		t.Errorf("submit → first event: %+v", l)
	}
	if l := rep.Latency.Final; l.Count != 8 || l.P50MS != 140 || l.MaxMS != 190 {
		t.Errorf("submit → final: %+v", l)
	}
	if rep.Throughput.AcceptedPerS != 9 {
		t.Errorf("accepted/s %v, want 9 over the second of submitting", rep.Throughput.AcceptedPerS)
	}
	if rep.Counts.PeakInFlight < 2 {
		t.Errorf("peak in flight %d", rep.Counts.PeakInFlight)
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run synthetic", "planned", "accepted", "rejected", "status 503 ×1", "finished", "wrong results", "unfinished",
		"throughput", "/s", "submit → 202", "submit → first event", "submit → verdict", "submit → final", "p50", "p90", "p99", "max", "FAIL:"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"run_id", "url", "config", "ok", "reason", "counts", "throughput", "latency", "verdicts", "submissions", "max_schedule_lag_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	counts := m["counts"].(map[string]any)
	for _, k := range []string{"planned", "submitted", "accepted", "rejected", "rejected_by_status", "finished", "wrong_results", "unfinished", "peak_in_flight"} {
		if _, ok := counts[k]; !ok {
			t.Errorf("JSON counts lack %q", k)
		}
	}
	lat := m["latency"].(map[string]any)
	for _, k := range []string{"submit_to_accepted", "submit_to_first_event", "submit_to_verdict", "submit_to_final"} {
		l, ok := lat[k].(map[string]any)
		if !ok {
			t.Errorf("JSON latency lacks %q", k)
			continue
		}
		for _, f := range []string{"count", "p50_ms", "p90_ms", "p99_ms", "max_ms"} {
			if _, ok := l[f]; !ok {
				t.Errorf("JSON latency %s lacks %q", k, f)
			}
		}
	}
	subs := m["submissions"].([]any)
	if len(subs) != 10 || subs[3].(map[string]any)["outcome"] != OutcomeRejected || subs[5].(map[string]any)["final_ms"] != nil {
		t.Errorf("JSON submissions: %v", subs)
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	rep := syntheticRun()
	var b bytes.Buffer
	if err := rep.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.Strict = true
	elements := map[string]int{}
	ids := map[string]bool{}
	var text strings.Builder
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, b.String())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root.Name.Local == "" {
				root = tok
			}
			elements[tok.Name.Local]++
			for _, a := range tok.Attr {
				if a.Name.Local == "id" {
					ids[a.Value] = true
				}
			}
		case xml.CharData:
			text.Write(tok)
		}
	}
	if root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("root element %v", root.Name)
	}
	// 8 finished submissions as points, plus the legend's 3 dots.
	if elements["circle"] != 8+3 {
		t.Errorf("%d circles, want 11", elements["circle"])
	}
	for _, id := range []string{"axes", "in-flight", "points-correct", "points-wrong-program", "points-unexpected", "legend", "x-label", "y-label", "y2-label"} {
		if !ids[id] {
			t.Errorf("no element with id %q", id)
		}
	}
	for _, want := range []string{"submit → final (ms)", "submissions in flight", "time since the start", "correct program", "wrong program", "unexpected result (1)", "1 unfinished, 1 rejected"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the plot's text lacks %q", want)
		}
	}
	if elements["title"] != 1 || elements["path"] != 1 {
		t.Errorf("elements %v", elements)
	}

	// An empty run still plots.
	empty := &Report{Config: RunConfig{Rate: 1, DurationMS: 1000}}
	b.Reset()
	if err := empty.WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
		t.Errorf("empty plot: %v", err)
	}
}
