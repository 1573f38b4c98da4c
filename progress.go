package codementor

import (
	"maps"
	"math"
	"slices"
	"sort"
	"time"
)

// Progress is a learner's progress, as the progress group keeps it: per
// question, the current verdict of each graded submission.
type Progress struct {
	User string `json:"user"`
	// Questions maps a question ID to the learner's results on it.
	Questions map[string]*QuestionProgress `json:"questions"`
	UpdatedAt time.Time                    `json:"updated_at"`
}

// QuestionProgress is a learner's results on one question.
type QuestionProgress struct {
	// Verdicts maps each graded submission's ID to its current verdict.
	Verdicts map[string]Verdict `json:"verdicts"`
	// Rounds maps a submission's ID to the round of its verdict in
	// Verdicts, when not 0 (a rejudge's); Scores to its score, when not 0.
	Rounds map[string]int `json:"rounds,omitempty"`
	Scores map[string]int `json:"scores,omitempty"`
	// Last is the verdict of the latest submission (by creation time), and
	// LastAt when it was made; LastID names it.
	Last   Verdict   `json:"last,omitempty"`
	LastAt time.Time `json:"last_at,omitzero"`
	LastID string    `json:"last_id,omitempty"`
	// BestScore is the best score of MaxScore.
	BestScore int `json:"best_score"`
	MaxScore  int `json:"max_score,omitempty"`
}

// Solved reports whether one of the submissions is accepted now.
func (q *QuestionProgress) Solved() bool {
	for _, v := range q.Verdicts {
		if v == VerdictAccepted {
			return true
		}
	}
	return false
}

// Status is the learner's status on the question, as the question list
// shows it: "solved" (a submission accepted now), "attempted" (graded
// submissions, none accepted) or "" (none).
func (q *QuestionProgress) Status() string {
	switch {
	case q == nil || len(q.Verdicts) == 0:
		return ""
	case q.Solved():
		return "solved"
	}
	return "attempted"
}

// QuestionStats is what the question-stats group keeps of a question.
type QuestionStats struct {
	QuestionID string `json:"question_id"`
	// Attempts counts graded submissions; Accepted those accepted now.
	Attempts int `json:"attempts"`
	Accepted int `json:"accepted"`
	// Languages holds the same per language, with the distributions of
	// accepted submissions' time and memory.
	Languages map[string]*LanguageStats `json:"languages"`
	// Recent names the last results applied (submission ID and round), so
	// that one delivered again is not counted twice.
	Recent    []string  `json:"recent,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LanguageStats are a question's statistics in one language.
type LanguageStats struct {
	Attempts int `json:"attempts"`
	Accepted int `json:"accepted"`
	// TimeMS and MemoryKB count accepted submissions per bucket of their
	// largest test time and memory (see Histogram).
	TimeMS   Histogram `json:"time_ms"`
	MemoryKB Histogram `json:"memory_kb"`
}

// Histogram counts values per bucket: map from a bucket's lower bound to
// its count. The buckets are those of Bucket, about 5% wide: what a
// histogram tells of a value is accurate to that.
type Histogram map[int64]int

// bucketBounds are the lower bounds of the buckets, ascending: 0 to 20 one
// apart, then each a twentieth (5%) above the one before, up to the
// largest int64 that leaves room for the next step.
var bucketBounds = func() []int64 {
	var b []int64
	for v := int64(0); ; v += max(1, v/20) {
		b = append(b, v)
		if v > math.MaxInt64-max(1, v/20) {
			return b
		}
	}
}()

// Bucket returns the lower bound of the bucket of v, which holds values
// from it to about 5% above (one value below 20). A negative v is in
// bucket 0.
func Bucket(v int64) int64 {
	if v <= 0 {
		return 0
	}
	i := sort.Search(len(bucketBounds), func(i int) bool { return bucketBounds[i] > v })
	return bucketBounds[i-1]
}

// Add counts v (n may be negative: a count that falls to 0 or below is
// removed).
func (h Histogram) Add(v int64, n int) {
	b := Bucket(v)
	if h[b]+n <= 0 {
		delete(h, b)
		return
	}
	h[b] += n
}

// Total returns the number of values counted.
func (h Histogram) Total() int {
	n := 0
	for _, c := range h {
		n += c
	}
	return n
}

// Percentile returns the bucket (its lower bound) of the value at fraction
// p (0 to 1) of the values in ascending order: Percentile(0.5) is the
// median's, Percentile(1) the largest's. An empty histogram gives 0.
func (h Histogram) Percentile(p float64) int64 {
	total := h.Total()
	if total == 0 {
		return 0
	}
	rank := min(max(int(math.Ceil(p*float64(total))), 1), total)
	n := 0
	for _, b := range slices.Sorted(maps.Keys(h)) {
		if n += h[b]; n >= rank {
			return b
		}
	}
	panic("unreachable: the counts sum to total")
}

// FractionBelow returns the fraction (0 to 1) of the values in buckets
// below v's: those certainly smaller than v. An empty histogram gives 0.
func (h Histogram) FractionBelow(v int64) float64 {
	own := Bucket(v)
	return h.fraction(func(b int64) bool { return b < own })
}

// FractionAbove returns the fraction (0 to 1) of the values in buckets
// above v's: those certainly larger than v. An empty histogram gives 0.
func (h Histogram) FractionAbove(v int64) float64 {
	own := Bucket(v)
	return h.fraction(func(b int64) bool { return b > own })
}

// fraction returns the fraction of the values in the buckets keep accepts.
func (h Histogram) fraction(keep func(bucket int64) bool) float64 {
	n, total := 0, 0
	for b, c := range h {
		total += c
		if keep(b) {
			n += c
		}
	}
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}
