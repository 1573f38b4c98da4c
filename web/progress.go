package web

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/processors/progress"
	"github.com/codementor/codementor/processors/tracker"
	"github.com/codementor/codementor/views"
)

// progressOf returns user's progress: the progress view's (an empty one
// when it holds none), with user's latest judged submissions that it does
// not show yet folded in, as the progress group will: a learner who just
// saw a verdict sees it counted. Only submissions made within
// recentSubmission are looked at, newest first, up to the first the view
// shows.
func (s *Server) progressOf(user string) (*codementor.Progress, error) {
	p, err := s.Progress.Get(user)
	if errors.Is(err, views.ErrNotFound) {
		p, err = &codementor.Progress{User: user}, nil
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, id := range s.Submissions.UserSubmissions(user) {
		if at, ok := codementor.SubmissionIDTime(id); !ok || at.Before(now.Add(-recentSubmission)) || shows(p, id) {
			break
		}
		sub, err := s.Submissions.Get(id)
		if err != nil {
			continue
		}
		if r := tracker.ResultOf(sub, now); r != nil {
			if next := progress.Apply(p, r, user, now.UTC()); next != nil {
				p = next
			}
		}
	}
	return p, nil
}

// shows reports whether p holds a verdict of submission id.
func shows(p *codementor.Progress, id string) bool {
	for _, q := range p.Questions {
		if _, ok := q.Verdicts[id]; ok {
			return true
		}
	}
	return false
}

// percent returns n of total in percent, to one decimal (0 when total is).
func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(1000*float64(n)/float64(total)) / 10
}

// questionStats is GET /api/questions/{id}/stats.
type questionStats struct {
	QuestionID string `json:"question_id"`
	Attempts   int    `json:"attempts"`
	Accepted   int    `json:"accepted"`
	// AcceptanceRate is Accepted of Attempts, in percent.
	AcceptanceRate float64                  `json:"acceptance_rate"`
	Languages      map[string]languageStats `json:"languages"`
}

// languageStats are a question's statistics in one language.
type languageStats struct {
	Attempts int          `json:"attempts"`
	Accepted int          `json:"accepted"`
	TimeMS   distribution `json:"time_ms"`
	MemoryKB distribution `json:"memory_kb"`
}

// distribution summarizes the accepted submissions' values, each the lower
// bound of its histogram bucket (within 5% below the value).
type distribution struct {
	P50 int64 `json:"p50"`
	P90 int64 `json:"p90"`
	Max int64 `json:"max"`
}

func distributionOf(h codementor.Histogram) distribution {
	return distribution{P50: h.Percentile(0.5), P90: h.Percentile(0.9), Max: h.Percentile(1)}
}

// statsOf returns the statistics of question id, zero when there are none
// yet.
func (s *Server) statsOf(id string) (*codementor.QuestionStats, error) {
	st, err := s.QuestionStats.Get(id)
	if errors.Is(err, views.ErrNotFound) {
		return &codementor.QuestionStats{QuestionID: id}, nil
	}
	return st, err
}

// getQuestionStats returns a question's statistics: attempts, acceptance,
// and per language the accepted submissions' time and memory.
func (s *Server) getQuestionStats(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.visibleTo(identity(c))(id); err != nil {
		if errors.Is(err, views.ErrNotFound) {
			return notFound(fmt.Sprintf("question %q", id))
		}
		return err
	}
	st, err := s.statsOf(id)
	if err != nil {
		return err
	}
	out := questionStats{QuestionID: id, Attempts: st.Attempts, Accepted: st.Accepted,
		AcceptanceRate: percent(st.Accepted, st.Attempts), Languages: map[string]languageStats{}}
	for lang, ls := range st.Languages {
		out.Languages[lang] = languageStats{Attempts: ls.Attempts, Accepted: ls.Accepted,
			TimeMS: distributionOf(ls.TimeMS), MemoryKB: distributionOf(ls.MemoryKB)}
	}
	return c.JSON(http.StatusOK, out)
}

// percentile places an accepted submission among the accepted submissions
// of its question in its language.
type percentile struct {
	Language string `json:"language"`
	// FasterThan and LessMemoryThan are the percent of them strictly
	// slower, and using strictly more memory (as far as the histograms'
	// buckets tell).
	FasterThan     float64 `json:"faster_than"`
	LessMemoryThan float64 `json:"less_memory_than"`
	// Among is how many there are, this one included.
	Among int `json:"among"`
}

// percentileOf returns sub's percentile, or nil when it is not accepted or
// the statistics do not count its language's accepted submissions yet.
func (s *Server) percentileOf(sub *codementor.Submission) *percentile {
	if !sub.Graded() || sub.Verdict != codementor.VerdictAccepted {
		return nil
	}
	st, err := s.QuestionStats.Get(sub.QuestionID)
	if err != nil {
		if !errors.Is(err, views.ErrNotFound) {
			s.Log.Warn("no percentile: the question-stats view cannot answer", "question", sub.QuestionID, "err", err)
		}
		return nil
	}
	ls := st.Languages[sub.Language]
	if ls == nil || ls.TimeMS.Total() == 0 {
		return nil
	}
	j := sub.Judgement()
	return &percentile{Language: sub.Language,
		FasterThan:     math.Round(1000*ls.TimeMS.FractionAbove(j.TimeMS)) / 10,
		LessMemoryThan: math.Round(1000*ls.MemoryKB.FractionAbove(j.MemoryKB)) / 10,
		Among:          ls.TimeMS.Total()}
}

// myProgress is GET /api/me/progress.
type myProgress struct {
	User string `json:"user"`
	// Solved counts the questions solved, Attempted those tried but not
	// solved.
	Solved       int                            `json:"solved"`
	Attempted    int                            `json:"attempted"`
	ByDifficulty map[string]*difficultyProgress `json:"by_difficulty"`
	Questions    []questionProgress             `json:"questions"`
}

// difficultyProgress counts the questions of one difficulty.
type difficultyProgress struct {
	Solved    int `json:"solved"`
	Attempted int `json:"attempted"`
	Total     int `json:"total"`
}

// questionProgress is the caller's progress on one question tried.
type questionProgress struct {
	QuestionID  string `json:"question_id"`
	Title       string `json:"title"`
	Difficulty  string `json:"difficulty"`
	Status      string `json:"status"`
	Submissions int    `json:"submissions"`
	BestScore   int    `json:"best_score"`
	MaxScore    int    `json:"max_score"`
}

// unrated is the difficulty of the questions without one, in
// by_difficulty.
const unrated = "unrated"

// myProgress returns the caller's progress: the questions solved and tried,
// in all and per difficulty, and each question tried.
func (s *Server) myProgress(c echo.Context) error {
	user := identity(c).User
	qs, err := s.Questions.List()
	if err != nil {
		return err
	}
	p, err := s.progressOf(user)
	if err != nil {
		return err
	}
	withheld, err := s.withheld(identity(c))
	if err != nil {
		return err
	}
	out := myProgress{User: user, ByDifficulty: map[string]*difficultyProgress{}, Questions: []questionProgress{}}
	byID := map[string]*codementor.Question{}
	for _, q := range qs {
		if withheld(q.ID) {
			continue
		}
		byID[q.ID] = q
		d := q.Difficulty
		if d == "" {
			d = unrated
		}
		if out.ByDifficulty[d] == nil {
			out.ByDifficulty[d] = &difficultyProgress{}
		}
		dp := out.ByDifficulty[d]
		dp.Total++
		switch p.Questions[q.ID].Status() {
		case "solved":
			dp.Solved++
		case "attempted":
			dp.Attempted++
		}
	}
	for _, id := range slices.Sorted(maps.Keys(p.Questions)) {
		qp := p.Questions[id]
		status := qp.Status()
		if status == "" {
			continue
		}
		row := questionProgress{QuestionID: id, Status: status, Submissions: len(qp.Verdicts), BestScore: qp.BestScore, MaxScore: qp.MaxScore}
		if q := byID[id]; q != nil {
			row.Title, row.Difficulty = q.Title, q.Difficulty
			if row.MaxScore == 0 {
				row.MaxScore = q.MaxScore()
			}
		}
		if status == "solved" {
			out.Solved++
		} else {
			out.Attempted++
		}
		out.Questions = append(out.Questions, row)
	}
	return c.JSON(http.StatusOK, out)
}
