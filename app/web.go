package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/kafka"
	"github.com/codementor/codementor/questions"
	"github.com/codementor/codementor/views"
	"github.com/codementor/codementor/web"
)

// The goka views and emitters are what the web tier reads and writes
// through.
var (
	_ web.SubmissionView    = (*views.Submissions)(nil)
	_ web.QuestionView      = (*views.Questions)(nil)
	_ web.RuntimeView       = (*views.Runtimes)(nil)
	_ web.LearnerView       = (*views.Learners)(nil)
	_ web.ProgressView      = (*views.Progress)(nil)
	_ web.QuestionStatsView = (*views.QuestionStats)(nil)
	_ web.SubmissionEmitter = (*emitters.Submissions)(nil)
	_ web.QuestionEmitter   = (*emitters.Questions)(nil)
	_ web.RejudgeEmitter    = (*emitters.Rejudges)(nil)
	_ web.ContestView       = (*views.Contests)(nil)
	_ web.ContestEmitter    = (*emitters.Contests)(nil)
	_ web.StandingView      = (*views.Standings)(nil)
)

// addWeb adds the web tier: its views, emitters, the starter questions
// (with --seed-questions) and the HTTP server.
func (a *App) addWeb(kc kafka.Config, slot, clientID string) error {
	log := a.log
	secret, err := auth.Secret(a.cfg.JWTSecret, a.cfg.DataDir)
	if err != nil {
		return err
	}
	authority, err := auth.New(secret, a.cfg.TokenTTL)
	if err != nil {
		return err
	}
	v, err := a.tableViews(kc, slot, clientID)
	if err != nil {
		return err
	}
	subs, qs := v.submissions, v.questions
	vopts := a.viewOptions(kc, slot, clientID)
	rts, err := views.NewRuntimes(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	lv, err := views.NewLearners(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	pv, err := views.NewProgress(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	qsv, err := views.NewQuestionStats(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	a.components["progress-view"] = pv.Run
	a.components["question-stats-view"] = qsv.Run
	a.checks = append(a.checks, recovered("progress view", pv.Recovered), recovered("question-stats view", qsv.Recovered))
	se, err := emitter[codementor.SubmissionRequest](a, kc, clientID, codementor.SubmissionRequests)
	if err != nil {
		return err
	}
	qe, err := emitter[codementor.Question](a, kc, clientID, goka.Stream(codementor.QuestionsTable))
	if err != nil {
		return err
	}
	tde, err := emitter[codementor.TestDataChunk](a, kc, clientID, goka.Stream(codementor.TestDataTable))
	if err != nil {
		return err
	}
	rje, err := emitter[codementor.Rejudge](a, kc, clientID, codementor.Rejudges)
	if err != nil {
		return err
	}

	a.components["runtimes-view"] = rts.Run
	a.components["learners-view"] = lv.Run
	a.checks = append(a.checks, recovered("runtimes view", rts.Recovered), recovered("learners view", lv.Recovered), a.runtimesListed(rts))
	if a.cfg.SeedQuestions {
		var seeded atomic.Bool
		a.components["seed"] = func(ctx context.Context) error {
			err := questions.Seed(ctx, qs, qe, log)
			seeded.Store(err == nil)
			return err
		}
		a.checks = append(a.checks, recovered("starter questions", seeded.Load))
	}
	// Contests and their leaderboards.
	cv, err := views.NewContests(kc.Brokers, vopts...)
	if err != nil {
		return err
	}
	sv, err := views.NewStandings(kc.Brokers, log.With("component", "views"), vopts...)
	if err != nil {
		return err
	}
	ce, err := emitter[codementor.Contest](a, kc, clientID, goka.Stream(codementor.ContestsTable))
	if err != nil {
		return err
	}
	a.components["contests-view"] = cv.Run
	a.components["standings-view"] = sv.Run
	a.checks = append(a.checks, recovered("contests view", cv.Recovered), recovered("standings view", sv.Recovered))

	guard, err := a.cfg.callbackGuard()
	if err != nil {
		return err
	}
	srv, err := web.New(web.Config{Addr: a.cfg.HTTPAddr, DevAuth: a.cfg.DevAuth, MaxInFlight: a.cfg.MaxInFlight, MaxRunsInFlight: a.cfg.MaxRunsInFlight}, web.Deps{
		Submissions: subs, Questions: qs, Runtimes: rts, Learners: lv, SubmissionEmitter: se, QuestionEmitter: qe, RejudgeEmitter: rje,
		Progress: pv, QuestionStats: qsv,
		Contests: cv, ContestEmitter: ce, Standings: sv,
		Auth: authority, Callbacks: guard, Ready: a.ready, Log: log.With("component", "web"),
		TestData: emitters.NewTestDataWriter(tde),
	})
	if err != nil {
		return err
	}
	a.components["web"] = srv.Run
	return nil
}

// runtimesListed is ready once the runtimes view lists a language: without
// one no submission can be accepted. When this process runs a judge too, it
// waits for every language that judge announced.
func (a *App) runtimesListed(rts *views.Runtimes) func(context.Context) error {
	return func(context.Context) error {
		want := a.announced.Load()
		if want == nil {
			list, err := rts.List()
			if err != nil {
				return err
			}
			if len(list) == 0 {
				return errors.New("no judge has announced the languages it runs yet: start a processor")
			}
			return nil
		}
		for _, id := range *want {
			if _, err := rts.Get(id); err != nil {
				return fmt.Errorf("the runtimes view does not list %s yet", id)
			}
		}
		return nil
	}
}
