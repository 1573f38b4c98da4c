package systemtest

import (
	"sort"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/review/reviewtest"
)

// BenchmarkSubmitToVerdict measures one learner's submissions of a correct
// a-plus-b (11 tests) in Python and in Java through the whole dev process:
// the POST until 202 (emitted and acknowledged by the broker), the POST
// until the verdict arrives on the learner's open SSE stream, and until the
// final state (here with the review skipped: no model is configured).
//
//	go test -run '^$' -bench SubmitToVerdict -benchtime 40x ./systemtest/
func BenchmarkSubmitToVerdict(b *testing.B) {
	in := start(b, b.TempDir())
	alice := login(b, in.Base, "alice", false)
	for _, lang := range []string{"python", "java"} {
		b.Run(lang, func(b *testing.B) { submitToVerdict(b, alice, lang) })
	}
}

func submitToVerdict(b *testing.B, alice *client, lang string) {
	events := alice.stream(b, "/api/events", "")
	var post, verdict, final []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sub := alice.submit(b, "a-plus-b", lang, programs[lang].correct)
		post = append(post, time.Since(t0))
		deadline := time.Now().Add(finalWithin)
		for {
			_, s := events.next(b, time.Until(deadline))
			if s.ID != sub.ID {
				continue
			}
			if s.Verdict != "" && len(verdict) < len(post) {
				verdict = append(verdict, time.Since(t0))
				if s.Verdict != "accepted" {
					b.Fatalf("verdict %s", s.Verdict)
				}
			}
			if s.Final() {
				final = append(final, time.Since(t0))
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(percentile(post, 50), "post-p50-ms")
	b.ReportMetric(percentile(post, 99), "post-p99-ms")
	b.ReportMetric(percentile(verdict, 50), "verdict-p50-ms")
	b.ReportMetric(percentile(verdict, 99), "verdict-p99-ms")
	b.ReportMetric(percentile(final, 50), "final-p50-ms")
	b.ReportMetric(percentile(final, 99), "final-p99-ms")
}

// BenchmarkReviewPipeline measures what the pipeline adds to the model's
// own time: a model that streams a review in 6 pieces 50 ms apart and ends
// the stream 50 ms after the last (300 ms in all) answers every review; each
// iteration submits a wrong a-plus-b in Python and reads its stream. It
// reports the time from the verdict on the stream to the review's first
// text on the stream, and to the finished review beyond the model's 300 ms.
//
//	go test -run '^$' -bench ReviewPipeline -benchtime 20x ./systemtest/
func BenchmarkReviewPipeline(b *testing.B) {
	llm := reviewtest.New(b, reviewtest.Stream(reviewPieces...).WithDelay(50*time.Millisecond))
	rc := review.DefaultConfig()
	rc.APIKey, rc.BaseURL = testAPIKey, llm.URL
	cfg := devConfig(b, b.TempDir())
	cfg.Review = rc
	in := devtest.Launch(b, cfg, devtest.Ready)
	alice := login(b, in.Base, "alice", false)
	events := alice.stream(b, "/api/events", "")
	modelTime := time.Duration(len(reviewPieces)) * 50 * time.Millisecond
	var first, done []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sub := alice.submit(b, "a-plus-b", "python", aPlusBWrong)
		var verdictAt, firstAt time.Time
		deadline := time.Now().Add(finalWithin)
		for {
			_, s := events.next(b, time.Until(deadline))
			if s.ID != sub.ID {
				continue
			}
			if s.Verdict != "" && verdictAt.IsZero() {
				verdictAt = time.Now()
			}
			if s.Review.Text != "" && firstAt.IsZero() {
				firstAt = time.Now()
			}
			if s.Final() {
				if s.Review.Status != "done" {
					b.Fatalf("review %+v", s.Review)
				}
				first = append(first, firstAt.Sub(verdictAt))
				done = append(done, time.Since(verdictAt)-modelTime)
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(percentile(first, 50), "first-text-p50-ms")
	b.ReportMetric(percentile(first, 99), "first-text-p99-ms")
	b.ReportMetric(percentile(done, 50), "done-overhead-p50-ms")
	b.ReportMetric(percentile(done, 99), "done-overhead-p99-ms")
}

func percentile(d []time.Duration, p int) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return float64(s[i].Microseconds()) / 1000
}
