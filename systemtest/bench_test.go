package systemtest

import (
	"sort"
	"testing"
	"time"
)

// BenchmarkSubmitToVerdict measures one learner's submissions of a correct
// a-plus-b (11 tests) in Python and in Java through the whole dev process:
// the POST until 202 (emitted and acknowledged by the broker) and the POST
// until the final verdict arrives on the learner's open SSE stream.
//
//	go test -run '^$' -bench SubmitToVerdict -benchtime 40x ./systemtest/
func BenchmarkSubmitToVerdict(b *testing.B) {
	in := start(b, b.TempDir())
	alice := login(b, in.base, "alice", false)
	for _, lang := range []string{"python", "java"} {
		b.Run(lang, func(b *testing.B) { submitToVerdict(b, alice, lang) })
	}
}

func submitToVerdict(b *testing.B, alice *client, lang string) {
	events := alice.stream(b, "/api/events", "")
	var post, final []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		sub := alice.submit(b, "a-plus-b", lang, programs[lang].correct)
		post = append(post, time.Since(t0))
		states := events.untilFinal(b, sub.ID, finalWithin)
		final = append(final, time.Since(t0))
		if v := states[len(states)-1].Verdict; v != "accepted" {
			b.Fatalf("verdict %s", v)
		}
	}
	b.StopTimer()
	b.ReportMetric(percentile(post, 50), "post-p50-ms")
	b.ReportMetric(percentile(post, 99), "post-p99-ms")
	b.ReportMetric(percentile(final, 50), "final-p50-ms")
	b.ReportMetric(percentile(final, 99), "final-p99-ms")
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
