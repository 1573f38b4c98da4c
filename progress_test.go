package codementor

import (
	"math"
	"testing"
)

func TestBucket(t *testing.T) {
	tests := []struct {
		v, want int64
	}{
		{-5, 0}, {0, 0}, {1, 1}, {19, 19}, {20, 20}, {21, 21}, {40, 40}, {41, 40}, {42, 42},
		{1000, 964}, {math.MaxInt64, bucketBounds[len(bucketBounds)-1]},
	}
	for _, tt := range tests {
		if got := Bucket(tt.v); got != tt.want {
			t.Errorf("Bucket(%d) = %d, want %d", tt.v, got, tt.want)
		}
	}
	// Every bucket is at most about 5% wide, and every value is in the
	// bucket whose bound is the largest not above it.
	for i := 1; i < len(bucketBounds); i++ {
		lo, hi := bucketBounds[i-1], bucketBounds[i]
		if hi <= lo || (lo >= 20 && float64(hi-lo) > 0.0501*float64(lo)) {
			t.Fatalf("bucket %d: [%d, %d)", i-1, lo, hi)
		}
		if Bucket(hi-1) != lo || Bucket(hi) != hi || Bucket(lo) != lo {
			t.Fatalf("Bucket around [%d, %d): %d %d %d", lo, hi, Bucket(lo), Bucket(hi-1), Bucket(hi))
		}
	}
	if n := len(bucketBounds); n > 1000 {
		t.Errorf("%d buckets", n)
	}
}

func TestHistogram(t *testing.T) {
	h := Histogram{}
	if h.Percentile(0.5) != 0 || h.FractionBelow(3) != 0 || h.FractionAbove(3) != 0 || h.Total() != 0 {
		t.Fatal("an empty histogram is not all zeros")
	}
	for v := int64(1); v <= 10; v++ {
		h.Add(v, 1)
	}
	h.Add(1000, 2) // bucket 964, to 1012
	tests := []struct {
		p    float64
		want int64
	}{{0, 1}, {0.1, 2}, {0.5, 6}, {0.9, 964}, {0.8, 10}, {1, 964}}
	for _, tt := range tests {
		if got := h.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %d, want %d", tt.p, got, tt.want)
		}
	}
	if got, want := h.FractionBelow(5), 4.0/12; got != want {
		t.Errorf("FractionBelow(5) = %v, want %v", got, want)
	}
	if got, want := h.FractionAbove(5), 7.0/12; got != want {
		t.Errorf("FractionAbove(5) = %v, want %v", got, want)
	}
	if got, want := h.FractionAbove(1001), 0.0; got != want {
		t.Errorf("FractionAbove(1001) = %v, want %v (same bucket)", got, want)
	}
	h.Add(1001, -1)
	h.Add(1000, -1)
	h.Add(7, -3)
	if _, ok := h[964]; ok || h.Total() != 9 {
		t.Errorf("after removals: %v", h)
	}
	if _, ok := h[7]; ok {
		t.Errorf("a count below 0 stayed: %v", h)
	}
}

func TestQuestionProgressStatus(t *testing.T) {
	var none *QuestionProgress
	tests := []struct {
		q    *QuestionProgress
		want string
	}{
		{none, ""},
		{&QuestionProgress{}, ""},
		{&QuestionProgress{Verdicts: map[string]Verdict{"a": VerdictWrongAnswer}}, "attempted"},
		{&QuestionProgress{Verdicts: map[string]Verdict{"a": VerdictWrongAnswer, "b": VerdictAccepted}}, "solved"},
	}
	for _, tt := range tests {
		if got := tt.q.Status(); got != tt.want {
			t.Errorf("%+v.Status() = %q, want %q", tt.q, got, tt.want)
		}
	}
}
