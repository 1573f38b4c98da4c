package views_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/processors/progress"
	"github.com/codementor/codementor/processors/stats"
	"github.com/codementor/codementor/views"
)

// Results emitted as the tracker emits them, over two partitions, reach
// the progress and question-stats views through the real processors; a
// redelivered result is counted once, and a rejudge moves its count.
func TestResultsReachTheViews(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	popts := func() []goka.ProcessorOption {
		return append(c.Kafka.ProcessorOptions("test", kafkatest.Quiet), goka.WithStorageBuilder(storage.MemoryBuilder()))
	}
	pp, err := goka.NewProcessor(c.Brokers, progress.Graph(kafkatest.Quiet), popts()...)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := goka.NewProcessor(c.Brokers, stats.Graph(kafkatest.Quiet), popts()...)
	if err != nil {
		t.Fatal(err)
	}
	vopts := append(c.Kafka.ViewOptions("test", kafkatest.Quiet), goka.WithViewStorageBuilder(storage.MemoryBuilder()))
	pv, err := views.NewProgress(c.Brokers, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := views.NewQuestionStats(c.Brokers, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return pp.Run(gctx) })
	g.Go(func() error { return sp.Run(gctx) })
	g.Go(func() error { return pv.Run(gctx) })
	g.Go(func() error { return sv.Run(gctx) })
	defer func() {
		cancel()
		if err := g.Wait(); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	emit := func(r *codementor.Result) {
		t.Helper()
		kafkatest.Emit(c, codementor.LearnerResults, r.User, r)
		kafkatest.Emit(c, codementor.QuestionResults, r.QuestionID, r)
	}
	wrong := codementor.Judgement{Verdict: codementor.VerdictWrongAnswer, TimeMS: 5, MemoryKB: 900}
	for i, user := range []string{"alice", "bob", "carol", "dave"} {
		for _, q := range []string{"q1", "q2"} {
			emit(&codementor.Result{SubmissionID: fmt.Sprint(user, q), User: user, QuestionID: q, Language: "go",
				Judgement: wrong, CreatedAt: t0.Add(time.Duration(i) * time.Second), At: t0})
		}
	}
	// alice's submission to q1 is rejudged accepted, and delivered twice.
	rejudged := &codementor.Result{SubmissionID: "aliceq1", User: "alice", QuestionID: "q1", Language: "go",
		Judgement: codementor.Judgement{Round: 1, Verdict: codementor.VerdictAccepted, Score: 100, MaxScore: 100, TimeMS: 40, MemoryKB: 2000},
		Previous:  &wrong, CreatedAt: t0, At: t0.Add(time.Minute)}
	emit(rejudged)
	emit(rejudged)
	// Then eve's: once q1 counts it, both deliveries were applied before
	// (one partition per key, in order).
	emit(&codementor.Result{SubmissionID: "eveq1", User: "eve", QuestionID: "q1", Language: "go", Judgement: wrong, CreatedAt: t0, At: t0})

	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		q1, err1 := sv.Get("q1")
		q2, err2 := sv.Get("q2")
		alice, err3 := pv.Get("alice")
		dave, err4 := pv.Get("dave")
		if err1 == nil && err2 == nil && err3 == nil && err4 == nil &&
			q1.Attempts == 5 && q2.Attempts == 4 && q2.Accepted == 0 &&
			alice.Questions["q1"].Status() == "solved" && alice.Questions["q1"].BestScore == 100 && alice.Questions["q2"].Status() == "attempted" &&
			dave.Questions["q2"].Status() == "attempted" {
			if q1.Accepted != 1 || q1.Languages["go"].TimeMS.Total() != 1 || len(q1.Recent) != 6 {
				t.Errorf("q1 = %+v, want the rejudge counted once", q1)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: q1 %+v %v, q2 %+v %v, alice %+v %v, dave %+v %v", q1, err1, q2, err2, alice, err3, dave, err4)
		}
	}
}
