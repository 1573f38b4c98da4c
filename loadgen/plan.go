package loadgen

import (
	"math"
	"time"
)

// planned is one submission of the run, decided before it starts.
type planned struct {
	Index    int
	At       time.Duration // when it leaves, since the start of the run
	Learner  int
	Question string
	Language string
	Wrong    bool
}

// Schedule returns when each submission of an open-loop run leaves, since
// its start: one every 1/rate seconds from 0 while within duration, so
// rate × duration of them.
func Schedule(rate float64, duration time.Duration) []time.Duration {
	cfg := Config{Rate: rate, Duration: duration}
	n := cfg.Planned()
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(float64(i) / rate * float64(time.Second))
	}
	return out
}

// plan decides every submission of the run, deterministically and evenly:
// learners in turn; languages in proportion to their weights (smooth
// weighted round robin, so the shares hold at every point of the run, not
// only at its end); within a language, the questions in turn; within a
// language and question, wrong programs spread evenly at WrongRatio
// (the k-th is wrong when ⌊(k+1)·ratio⌋ > ⌊k·ratio⌋), so that every
// language and question gets its share of wrong ones.
func plan(cfg *Config) []planned {
	at := Schedule(cfg.Rate, cfg.Duration)
	weights := cfg.Weights
	if weights == nil {
		weights = make([]float64, len(cfg.Languages))
		for i := range weights {
			weights[i] = 1
		}
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	current := make([]float64, len(weights))
	perLanguage := make([]int, len(cfg.Languages))
	perCombo := map[[2]int]int{}
	out := make([]planned, len(at))
	for i := range out {
		// Smooth weighted round robin (as nginx's upstreams).
		best := 0
		for j, w := range weights {
			current[j] += w
			if current[j] > current[best] {
				best = j
			}
		}
		current[best] -= total
		q := perLanguage[best] % len(cfg.Questions)
		perLanguage[best]++
		key := [2]int{best, q}
		k := perCombo[key]
		perCombo[key]++
		out[i] = planned{
			Index:    i,
			At:       at[i],
			Learner:  i % cfg.Learners,
			Question: cfg.Questions[q],
			Language: cfg.Languages[best],
			Wrong:    math.Floor(float64(k+1)*cfg.WrongRatio+1e-9) > math.Floor(float64(k)*cfg.WrongRatio+1e-9),
		}
	}
	return out
}
