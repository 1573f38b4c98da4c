package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	codementor "github.com/codementor/codementor"
)

// Report is the outcome of a run. Its JSON field names are stable; every
// duration is in milliseconds (fields ending in _ms), every time since the
// start of the run (the first submission's scheduled departure).
type Report struct {
	RunID     string    `json:"run_id"`
	URL       string    `json:"url"`
	StartedAt time.Time `json:"started_at"`
	Config    RunConfig `json:"config"`
	// OK is true when every planned submission was accepted by the API and
	// finished with the expected verdict; Reason says why not, in a line.
	OK     bool   `json:"ok"`
	Reason string `json:"reason"`
	// Interrupted: the run was stopped (Ctrl-C) before its end.
	Interrupted bool `json:"interrupted"`
	// TimedOut: some submissions were still not final after the timeout.
	TimedOut bool `json:"timed_out"`
	// SubmitWindowMS is the time over which the submissions were issued,
	// ElapsedMS the whole run (until the last final state or the timeout).
	SubmitWindowMS float64 `json:"submit_window_ms"`
	ElapsedMS      float64 `json:"elapsed_ms"`
	// MaxScheduleLagMS is how late the generator issued its latest
	// submission: near 0 when the generator kept up with the schedule.
	MaxScheduleLagMS float64    `json:"max_schedule_lag_ms"`
	Counts           Counts     `json:"counts"`
	Throughput       Throughput `json:"throughput"`
	Latency          Latencies  `json:"latency"`
	// Verdicts counts the final verdicts of the finished submissions
	// ("none" for a failed one without a verdict).
	Verdicts map[string]int `json:"verdicts"`
	// Submissions is every planned submission, in the order of the plan.
	Submissions []SubmissionResult `json:"submissions"`
	// Contest is what a --contest run adds: the contest, the leaderboard's
	// update latencies and its check against the recomputation.
	Contest *ContestReport `json:"contest,omitempty"`
	// QueueDepth is the judging queue's depth scraped every second from
	// the start of the run to its end (--record-queue), and
	// QueueScrapeFailures the scrapes that got no value (gaps).
	QueueDepth          []QueueSample `json:"queue_depth,omitempty"`
	QueueScrapeFailures int           `json:"queue_scrape_failures,omitempty"`
}

// RunConfig is the configuration of the run, as reported.
type RunConfig struct {
	Rate       float64   `json:"rate"`
	DurationMS float64   `json:"duration_ms"`
	Learners   int       `json:"learners"`
	Questions  []string  `json:"questions"`
	Languages  []string  `json:"languages"`
	Weights    []float64 `json:"weights"`
	WrongRatio float64   `json:"wrong_ratio"`
	Program    string    `json:"program"`
	TimeoutMS  float64   `json:"timeout_ms"`
}

// Counts of a run.
type Counts struct {
	// Planned is rate × duration; Submitted the POSTs that left.
	Planned   int `json:"planned"`
	Submitted int `json:"submitted"`
	// Accepted got 202 from the API; Rejected got anything else, or no
	// answer (RejectedByStatus: "503", "422", ..., "no answer").
	Accepted         int            `json:"accepted"`
	Rejected         int            `json:"rejected"`
	RejectedByStatus map[string]int `json:"rejected_by_status"`
	// Finished reached a final state (done or failed); WrongResults are
	// finished with another verdict than expected, or failed (Failed).
	Finished     int `json:"finished"`
	WrongResults int `json:"wrong_results"`
	Failed       int `json:"failed"`
	// Unfinished were accepted (or still waiting for the API's answer) but
	// not final at the end.
	Unfinished int `json:"unfinished"`
	// PeakInFlight is the most submissions sent and not yet final (or
	// rejected) at once.
	PeakInFlight int `json:"peak_in_flight"`
	// StreamReconnects counts event streams the generator had to reopen;
	// UnmatchedSubmissions are submissions seen on a stream whose POST
	// never returned their ID; BadEvents were undecodable.
	StreamReconnects     int `json:"stream_reconnects"`
	UnmatchedSubmissions int `json:"unmatched_submissions"`
	BadEvents            int `json:"bad_events"`
}

// Throughput of a run: submissions accepted per second over the submit
// window, and finished per second from the start to the last final state.
type Throughput struct {
	// AcceptedPerS is Accepted over AcceptedWindowMS: the duration of the
	// run, or the time it submitted for when it was stopped early.
	AcceptedPerS     float64 `json:"accepted_per_s"`
	AcceptedWindowMS float64 `json:"accepted_window_ms"`
	// FinishedPerS is Finished over FinishedWindowMS: from the start to the
	// last final state.
	FinishedPerS     float64 `json:"finished_per_s"`
	FinishedWindowMS float64 `json:"finished_window_ms"`
}

// Latencies of the steps of a submission, each since its POST left.
type Latencies struct {
	// Accepted: until the API's 202 (the request emitted to Kafka and
	// acknowledged); accepted submissions only.
	Accepted Latency `json:"submit_to_accepted"`
	// FirstEvent: until the first event about it on its learner's stream.
	FirstEvent Latency `json:"submit_to_first_event"`
	// Verdict: until the first state with a verdict (status reviewing).
	Verdict Latency `json:"submit_to_verdict"`
	// Final: until the final state (done or failed).
	Final Latency `json:"submit_to_final"`
}

// Latency summarises a sample of durations, in milliseconds.
type Latency struct {
	Count  int     `json:"count"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// Outcomes of a submission.
const (
	OutcomeOK           = "ok"            // finished with the expected verdict
	OutcomeWrongResult  = "wrong_result"  // finished otherwise
	OutcomeRejected     = "rejected"      // not accepted by the API
	OutcomeUnfinished   = "unfinished"    // not final at the end
	OutcomeNotSubmitted = "not_submitted" // the run was stopped before its time
)

// SubmissionResult is one submission of the run. Times are milliseconds;
// the *_ms latencies are since SubmitMS and null when it never happened.
type SubmissionResult struct {
	Index        int                `json:"index"`
	Learner      int                `json:"learner"`
	Question     string             `json:"question"`
	Language     string             `json:"language"`
	WrongProgram bool               `json:"wrong_program"`
	Expected     codementor.Verdict `json:"expected_verdict"`
	// Kind is the kind of program of a contest submission, ExpectedScore
	// and Score its expected and last seen score (contest runs only).
	Kind          string `json:"kind,omitempty"`
	ExpectedScore *int   `json:"expected_score,omitempty"`
	Score         *int   `json:"score,omitempty"`
	ID            string `json:"id"`
	// ScheduledMS is when it was due, SubmitMS when its POST left.
	ScheduledMS float64 `json:"scheduled_ms"`
	SubmitMS    float64 `json:"submit_ms"`
	// HTTPStatus of the POST; 0 without an answer.
	HTTPStatus   int      `json:"http_status"`
	ResponseMS   *float64 `json:"response_ms"`
	FirstEventMS *float64 `json:"first_event_ms"`
	VerdictMS    *float64 `json:"verdict_ms"`
	FinalMS      *float64 `json:"final_ms"`
	// Status and Verdict are the last seen.
	Status  codementor.Status  `json:"status"`
	Verdict codementor.Verdict `json:"verdict"`
	Outcome string             `json:"outcome"`
	Error   string             `json:"error,omitempty"`
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return round3(float64(d) / float64(time.Millisecond)) }

// since returns the milliseconds from a to b, or nil when b never happened.
func since(a, b time.Time) *float64 {
	if b.IsZero() || a.IsZero() {
		return nil
	}
	v := ms(b.Sub(a))
	return &v
}

// report gathers the records once every goroutine of the run has ended.
func (r *runner) report(end time.Time, dispatched, maxLag time.Duration) *Report {
	cfg := r.cfg
	rep := &Report{
		RunID: r.runID, URL: r.api.base, StartedAt: r.start.UTC().Truncate(time.Millisecond),
		Config: RunConfig{
			Rate: cfg.Rate, DurationMS: ms(cfg.Duration), Learners: cfg.Learners,
			Questions: cfg.Questions, Languages: cfg.Languages, Weights: cfg.Weights,
			WrongRatio: cfg.WrongRatio, Program: cfg.Program, TimeoutMS: ms(cfg.Timeout),
		},
		MaxScheduleLagMS: ms(maxLag),
		Verdicts:         map[string]int{},
		Counts:           Counts{Planned: len(r.records), RejectedByStatus: map[string]int{}},
	}
	if cfg.Contest { // the rate mode's knobs: the contest's are in Contest
		rep.Config.Rate, rep.Config.WrongRatio, rep.Config.Program = 0, 0, ""
	}
	var accepted, first, verdict, final []time.Duration
	lastFinal := r.start
	for _, rec := range r.records {
		expected := rec.Expected
		s := SubmissionResult{
			Index: rec.Index, Learner: rec.Learner, Question: rec.Question, Language: rec.Language,
			WrongProgram: rec.Wrong, Expected: expected, ID: rec.id, ScheduledMS: ms(rec.At),
			HTTPStatus: rec.status, Status: rec.obs.status, Verdict: rec.obs.verdict, Error: rec.err,
			Kind: rec.Kind,
		}
		if rec.ExpectedScore >= 0 {
			s.ExpectedScore = &rec.ExpectedScore
			if rec.obs.verdict != "" {
				score := rec.obs.score
				s.Score = &score
			}
		}
		switch {
		case rec.sent.IsZero():
			s.Outcome = OutcomeNotSubmitted
			rep.Submissions = append(rep.Submissions, s)
			continue
		case rec.cut:
			s.Outcome = OutcomeUnfinished
		}
		rep.Counts.Submitted++
		s.SubmitMS = ms(rec.sent.Sub(r.start))
		s.ResponseMS = since(rec.sent, rec.answered)
		if rec.id == "" {
			if !rec.cut {
				s.Outcome = OutcomeRejected
				rep.Counts.Rejected++
				key := "no answer"
				if rec.status != 0 {
					key = strconv.Itoa(rec.status)
				}
				rep.Counts.RejectedByStatus[key]++
			} else {
				rep.Counts.Unfinished++
			}
			rep.Submissions = append(rep.Submissions, s)
			continue
		}
		rep.Counts.Accepted++
		accepted = append(accepted, rec.answered.Sub(rec.sent))
		s.FirstEventMS = since(rec.sent, rec.obs.first)
		s.VerdictMS = since(rec.sent, rec.obs.verdictAt)
		s.FinalMS = since(rec.sent, rec.obs.finalAt)
		if !rec.obs.first.IsZero() {
			first = append(first, rec.obs.first.Sub(rec.sent))
		}
		if !rec.obs.verdictAt.IsZero() {
			verdict = append(verdict, rec.obs.verdictAt.Sub(rec.sent))
		}
		switch {
		case rec.obs.finalAt.IsZero():
			s.Outcome = OutcomeUnfinished
			rep.Counts.Unfinished++
		default:
			rep.Counts.Finished++
			final = append(final, rec.obs.finalAt.Sub(rec.sent))
			if rec.obs.finalAt.After(lastFinal) {
				lastFinal = rec.obs.finalAt
			}
			v := string(rec.obs.verdict)
			if v == "" {
				v = "none"
			}
			rep.Verdicts[v]++
			if rec.obs.status == codementor.StatusFailed {
				rep.Counts.Failed++
			}
			if rec.obs.status == codementor.StatusDone && rec.obs.verdict == expected && (rec.ExpectedScore < 0 || rec.obs.score == rec.ExpectedScore) {
				s.Outcome = OutcomeOK
			} else {
				s.Outcome = OutcomeWrongResult
				rep.Counts.WrongResults++
			}
		}
		rep.Submissions = append(rep.Submissions, s)
	}
	for _, l := range r.learners {
		rep.Counts.UnmatchedSubmissions += len(l.early)
	}
	rep.Counts.StreamReconnects = int(r.reconnects.Load())
	rep.Counts.BadEvents = int(r.badEvents.Load())
	rep.Latency = Latencies{
		Accepted: summarize(accepted), FirstEvent: summarize(first),
		Verdict: summarize(verdict), Final: summarize(final),
	}
	rep.ElapsedMS = ms(end.Sub(r.start))
	rep.SubmitWindowMS = ms(dispatched)
	window := cfg.Duration
	if dispatched < window && r.submitted.Load() < int64(len(r.records)) {
		window = dispatched // stopped early
	}
	rep.Throughput.AcceptedWindowMS = ms(window)
	if window > 0 {
		rep.Throughput.AcceptedPerS = round3(float64(rep.Counts.Accepted) / window.Seconds())
	}
	if d := lastFinal.Sub(r.start); rep.Counts.Finished > 0 && d > 0 {
		rep.Throughput.FinishedWindowMS = ms(d)
		rep.Throughput.FinishedPerS = round3(float64(rep.Counts.Finished) / d.Seconds())
	}
	for _, p := range rep.InFlight() {
		rep.Counts.PeakInFlight = max(rep.Counts.PeakInFlight, p.N)
	}
	return rep
}

// evaluate sets OK and Reason from the counts.
func (r *Report) evaluate() {
	var why []string
	c := r.Counts
	switch {
	case r.Interrupted && c.Submitted < c.Planned:
		why = append(why, fmt.Sprintf("interrupted after %d of %d submissions", c.Submitted, c.Planned))
	case r.Interrupted:
		why = append(why, "interrupted while waiting for the outstanding submissions")
	}
	if c.Rejected > 0 {
		why = append(why, fmt.Sprintf("%d of %d submissions rejected by the API (%s)", c.Rejected, c.Submitted, countList(c.RejectedByStatus, "status ")))
	}
	if c.WrongResults > 0 {
		wrong := map[string]int{}
		for _, s := range r.Submissions {
			if s.Outcome == OutcomeWrongResult {
				got := string(s.Verdict)
				if s.Status == codementor.StatusFailed {
					got = "failed " + orNone(string(s.Verdict))
				}
				want := string(s.Expected)
				if s.ExpectedScore != nil {
					want = fmt.Sprintf("%s %d", want, *s.ExpectedScore)
					if s.Score != nil {
						got = fmt.Sprintf("%s %d", got, *s.Score)
					}
				}
				what := s.Language + " " + s.Question
				if s.Kind != "" {
					what += " " + s.Kind
				}
				wrong[fmt.Sprintf("%s: expected %s, got %s", what, want, orNone(got))]++
			}
		}
		why = append(why, fmt.Sprintf("%d wrong results (%s)", c.WrongResults, countList(wrong, "")))
	}
	switch {
	case c.Unfinished > 0 && r.Interrupted:
		why = append(why, fmt.Sprintf("%d of %d submitted still in flight", c.Unfinished, c.Submitted))
	case c.Unfinished > 0:
		why = append(why, fmt.Sprintf("%d of %d submitted not final %s after the last was sent", c.Unfinished, c.Submitted, time.Duration(r.Config.TimeoutMS)*time.Millisecond))
	}
	if len(why) == 0 && c.Finished != c.Planned {
		why = append(why, fmt.Sprintf("%d of %d submissions finished", c.Finished, c.Planned))
	}
	if ct := r.Contest; ct != nil {
		why = append(why, ct.problems()...)
	}
	r.OK = len(why) == 0
	r.Reason = strings.Join(why, "; ")
}

// countList formats counts as "a ×2, b ×1", the largest first.
func countList(m map[string]int, prefix string) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		p := prefix
		if _, err := strconv.Atoi(k); err != nil {
			p = ""
		}
		parts[i] = fmt.Sprintf("%s%s ×%d", p, k, m[k])
	}
	return strings.Join(parts, ", ")
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the
// nearest-rank method: the smallest value with at least p% of the sample at
// or below it. It is 0 for an empty sample.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)) - 1e-9))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return Latency{
		Count: len(s), P50MS: ms(Percentile(s, 50)), P90MS: ms(Percentile(s, 90)),
		P99MS: ms(Percentile(s, 99)), MaxMS: ms(s[len(s)-1]), MeanMS: ms(sum / time.Duration(len(s))),
	}
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// InFlightPoint is the number of submissions in flight from T (ms since
// the start) on.
type InFlightPoint struct {
	TMS float64 `json:"t_ms"`
	N   int     `json:"n"`
}

// InFlight is the number of submissions in flight over the run, as a step
// function: a submission is in flight from its POST until its final state,
// its rejection, or the end of the run.
func (r *Report) InFlight() []InFlightPoint {
	type change struct {
		t float64
		d int
	}
	var ch []change
	for _, s := range r.Submissions {
		if s.Outcome == OutcomeNotSubmitted {
			continue
		}
		end := r.ElapsedMS
		switch {
		case s.FinalMS != nil:
			end = s.SubmitMS + *s.FinalMS
		case s.Outcome == OutcomeRejected && s.ResponseMS != nil:
			end = s.SubmitMS + *s.ResponseMS
		}
		ch = append(ch, change{s.SubmitMS, +1}, change{end, -1})
	}
	sort.Slice(ch, func(i, j int) bool {
		if ch[i].t != ch[j].t {
			return ch[i].t < ch[j].t
		}
		return ch[i].d < ch[j].d
	})
	out := []InFlightPoint{{0, 0}}
	n := 0
	for _, c := range ch {
		n += c.d
		if last := &out[len(out)-1]; last.TMS == c.t {
			last.N = n
		} else {
			out = append(out, InFlightPoint{c.t, n})
		}
	}
	return out
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes the report for people: what ran, the counts, the
// throughput, the four latencies and the outcome.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	c := r.Counts
	cfg := r.Config
	langs := strings.Join(cfg.Languages, ", ")
	if len(cfg.Weights) > 0 {
		var parts []string
		for i, l := range cfg.Languages {
			parts = append(parts, fmt.Sprintf("%s=%s", l, fmtFloat(cfg.Weights[i])))
		}
		langs = strings.Join(parts, ", ")
	}
	fmt.Fprintf(&b, "codementor loadgen run %s against %s\n", r.RunID, r.URL)
	if ct := r.Contest; ct != nil {
		fmt.Fprintf(&b, "  contest %s (%s): %d learners × %d submissions over %s, %s in %s; programs %s\n\n",
			ct.ID, ct.Scoring, cfg.Learners, ct.PerLearner, time.Duration(cfg.DurationMS*float64(time.Millisecond)),
			strings.Join(cfg.Questions, ", "), langs, countList(ct.Kinds, ""))
	} else {
		fmt.Fprintf(&b, "  %s/s for %s: %d learners, %s in %s, %s%% wrong programs, program %s\n\n",
			fmtFloat(cfg.Rate), time.Duration(cfg.DurationMS*float64(time.Millisecond)), cfg.Learners,
			strings.Join(cfg.Questions, ", "), langs, fmtFloat(math.Round(cfg.WrongRatio*1000)/10), cfg.Program)
	}

	row := func(label string, n int, note string) {
		fmt.Fprintln(&b, strings.TrimRight(fmt.Sprintf("  %-16s %7d   %s", label, n, note), " "))
	}
	b.WriteString("submissions\n")
	planned := "rate × duration"
	if r.Contest != nil {
		planned = "learners × per learner"
	}
	row("planned", c.Planned, planned)
	row("submitted", c.Submitted, "POSTs sent")
	row("accepted", c.Accepted, "202 from the API")
	rej := ""
	if c.Rejected > 0 {
		rej = countList(c.RejectedByStatus, "status ")
	}
	row("rejected", c.Rejected, rej)
	row("finished", c.Finished, "reached done or failed")
	row("wrong results", c.WrongResults, "finished with another verdict than expected (or failed)")
	row("unfinished", c.Unfinished, "not final at the end")
	b.WriteString("\nthroughput\n")
	fmt.Fprintf(&b, "  %-16s %7.1f/s over the %.1fs of submitting\n", "accepted", r.Throughput.AcceptedPerS, r.Throughput.AcceptedWindowMS/1000)
	fmt.Fprintf(&b, "  %-16s %7.1f/s over the %.1fs from the start to the last final state\n", "finished", r.Throughput.FinishedPerS, r.Throughput.FinishedWindowMS/1000)
	fmt.Fprintf(&b, "  %-16s %7d\n", "peak in flight", c.PeakInFlight)
	fmt.Fprintf(&b, "  %-16s %7.1f ms (how late the generator issued a submission)\n", "schedule lag max", r.MaxScheduleLagMS)

	fmt.Fprintf(&b, "\n%-24s %7s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max")
	lat := func(label string, l Latency) {
		fmt.Fprintf(&b, "  %-22s %7d %9.1f %9.1f %9.1f %9.1f\n", label, l.Count, l.P50MS, l.P90MS, l.P99MS, l.MaxMS)
	}
	lat("submit → 202", r.Latency.Accepted)
	lat("submit → first event", r.Latency.FirstEvent)
	lat("submit → verdict", r.Latency.Verdict)
	lat("submit → final", r.Latency.Final)

	if len(r.Verdicts) > 0 {
		fmt.Fprintf(&b, "\nverdicts  %s\n", countList(r.Verdicts, ""))
	}
	if c.StreamReconnects > 0 || c.UnmatchedSubmissions > 0 || c.BadEvents > 0 {
		fmt.Fprintf(&b, "streams   %d reconnects, %d unmatched submissions, %d undecodable events\n",
			c.StreamReconnects, c.UnmatchedSubmissions, c.BadEvents)
	}
	if r.Contest != nil {
		r.Contest.writeTable(&b)
	}
	switch {
	case r.OK && r.Contest != nil:
		b.WriteString("\nresult    OK: every submission accepted and judged as expected; the leaderboard showed every judgement and equals the recomputation\n")
	case r.OK:
		b.WriteString("\nresult    OK: every submission accepted and judged as expected\n")
	default:
		fmt.Fprintf(&b, "\nresult    FAIL: %s\n", r.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
