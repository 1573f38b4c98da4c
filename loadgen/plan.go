package loadgen

import (
	"math"
	"time"

	codementor "github.com/codementor/codementor"
)

// planned is one submission of the run, decided before it starts.
type planned struct {
	Index    int
	At       time.Duration // when it leaves, since the start of the run
	Learner  int
	Question string
	Language string
	Wrong    bool
	// Kind is the kind of program of a contest submission (KindCorrect,
	// ...), "" in the rate mode.
	Kind string
	// Expected is the verdict the program should get, and ExpectedScore
	// its score of the question's points (-1: not checked).
	Expected      codementor.Verdict
	ExpectedScore int
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
			Index:         i,
			At:            at[i],
			Learner:       i % cfg.Learners,
			Question:      cfg.Questions[q],
			Language:      cfg.Languages[best],
			Wrong:         math.Floor(float64(k+1)*cfg.WrongRatio+1e-9) > math.Floor(float64(k)*cfg.WrongRatio+1e-9),
			Expected:      codementor.VerdictAccepted,
			ExpectedScore: -1,
		}
		if out[i].Wrong {
			out[i].Expected = codementor.VerdictWrongAnswer
		}
	}
	return out
}

// wrr is a smooth weighted round robin (as nginx's upstreams): the shares
// hold at every point of a sequence, not only at its end.
type wrr struct {
	weights, current []float64
	total            float64
}

func newWRR(weights []float64) *wrr {
	w := &wrr{weights: weights, current: make([]float64, len(weights))}
	for _, x := range weights {
		w.total += x
	}
	return w
}

// next returns the index of the next pick.
func (w *wrr) next() int {
	best := 0
	for j, x := range w.weights {
		w.current[j] += x
		if w.current[j] > w.current[best] {
			best = j
		}
	}
	w.current[best] -= w.total
	return best
}

// Shape of a contest's schedule: burstShare of the submissions in the
// first burstWindow of the duration, as many in the last, the rest evenly
// between.
const (
	burstShare  = 0.3
	burstWindow = 0.1
)

// ContestSchedule returns when each of n submissions of a contest leaves,
// since its start: a burst at the start and one at the end, a trickle
// between. The times are the quantiles (i+½)/n of that density, in order.
func ContestSchedule(n int, duration time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	d := float64(duration)
	for i := range out {
		u := (float64(i) + 0.5) / float64(n)
		var f float64 // the share of the duration
		switch {
		case u < burstShare:
			f = u / burstShare * burstWindow
		case u < 1-burstShare:
			f = burstWindow + (u-burstShare)/(1-2*burstShare)*(1-2*burstWindow)
		default:
			f = 1 - burstWindow + (u-(1-burstShare))/burstShare*burstWindow
		}
		out[i] = time.Duration(f * d)
	}
	return out
}

// contestPlan decides every submission of a contest run: Learners ×
// PerLearner of them on ContestSchedule; the learners in turn (so each
// learner's first submission is in the first burst for most, its last in
// the last); a learner's j-th submission to question (learner + j) mod
// the number of questions; the kind by a weighted round robin per question
// over the kinds the question has; the language by one over the languages.
func contestPlan(cfg *Config) []planned {
	at := ContestSchedule(cfg.Planned(), cfg.Duration)
	type chooser struct {
		kinds []string
		w     *wrr
	}
	perQuestion := make([]chooser, len(cfg.Questions))
	for i, q := range cfg.Questions {
		cq := contestQuestions[q]
		var ks []string
		var ws []float64
		for j, k := range cfg.Kinds {
			if cq.programs[k] != nil {
				ks, ws = append(ks, k), append(ws, cfg.KindWeights[j])
			}
		}
		if len(ks) == 0 { // none of the mix: it gets correct programs
			ks, ws = []string{KindCorrect}, []float64{1}
		}
		perQuestion[i] = chooser{ks, newWRR(ws)}
	}
	weights := cfg.Weights
	if weights == nil {
		weights = make([]float64, len(cfg.Languages))
		for i := range weights {
			weights[i] = 1
		}
	}
	langs := newWRR(weights)
	out := make([]planned, len(at))
	for i := range out {
		learner, j := i%cfg.Learners, i/cfg.Learners
		q := (learner + j) % len(cfg.Questions)
		c := perQuestion[q]
		kind := c.kinds[c.w.next()]
		e := contestQuestions[cfg.Questions[q]].expect[kind]
		out[i] = planned{
			Index: i, At: at[i], Learner: learner, Question: cfg.Questions[q], Language: cfg.Languages[langs.next()],
			Wrong: kind != KindCorrect, Kind: kind, Expected: e.Verdict, ExpectedScore: e.Score,
		}
	}
	return out
}
