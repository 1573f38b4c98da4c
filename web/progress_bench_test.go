package web

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// BenchmarkListQuestions100kSubmissions measures GET /api/questions (the
// whole request: authentication, the handler, the JSON answer) with 20
// questions and 100,000 graded submissions of 5,000 learners, applied to
// the progress and question-stats fakes through the processors' Apply.
// The answer reads one learner's progress and the questions' statistics,
// whatever the number of submissions.
func BenchmarkListQuestions100kSubmissions(b *testing.B) {
	const questions, learners, each = 20, 5000, 20
	h := newHarness(b, Config{})
	for q := range questions {
		h.p.Questions.Put(fixtureQuestion(fmt.Sprintf("q%02d", q)))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	verdicts := []codementor.Verdict{codementor.VerdictAccepted, codementor.VerdictWrongAnswer, codementor.VerdictTimeLimitExceeded}
	for u := range learners {
		user := fmt.Sprintf("learner%04d", u)
		for k := range each {
			v := verdicts[rng.IntN(len(verdicts))]
			score := 0
			if v == codementor.VerdictAccepted {
				score = 100
			}
			created := t0.Add(time.Duration(u*each+k) * time.Second)
			r := &codementor.Result{SubmissionID: codementor.NewSubmissionID(created), User: user,
				QuestionID: fmt.Sprintf("q%02d", rng.IntN(questions)), Language: []string{"python", "go", "cpp"}[rng.IntN(3)],
				Judgement: codementor.Judgement{Verdict: v, Score: score, MaxScore: 100, TimeMS: rng.Int64N(2000), MemoryKB: 1000 + rng.Int64N(100000)},
				CreatedAt: created, At: created.Add(time.Second)}
			h.p.Progress.Apply(r)
			h.p.QuestionStats.Apply(r)
		}
	}
	token := h.token(b, "learner0042", false)
	req := httptest.NewRequest(http.MethodGet, "/api/questions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.s.echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET /api/questions: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.s.echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET /api/questions: %d", rec.Code)
		}
	}
}
