package codementor

import "time"

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
	// Last is the verdict of the latest submission (by creation time), and
	// LastAt when it was made.
	Last   Verdict   `json:"last,omitempty"`
	LastAt time.Time `json:"last_at,omitzero"`
	// BestScore is the best score of MaxScore.
	BestScore int `json:"best_score"`
	MaxScore  int `json:"max_score,omitempty"`
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
// its count.
type Histogram map[int64]int
