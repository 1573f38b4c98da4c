package views_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/views"
)

// The question-stats view keeps what it decoded, until the key changes:
// then Get shows the new value. The progress view reads learners' progress.
func TestQuestionStatsAndProgressViews(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	stats := goka.Stream(codementor.QuestionStatsTable)
	kafkatest.Emit(c, stats, "q1", &codementor.QuestionStats{QuestionID: "q1", Attempts: 1})
	kafkatest.Emit(c, goka.Stream(codementor.ProgressTable), "alice", &codementor.Progress{User: "alice",
		Questions: map[string]*codementor.QuestionProgress{"q1": {Verdicts: map[string]codementor.Verdict{"s1": codementor.VerdictAccepted}}}})

	vopts := append(c.Kafka.ViewOptions("test", kafkatest.Quiet), goka.WithViewStorageBuilder(storage.MemoryBuilder()))
	qs, err := views.NewQuestionStats(c.Brokers, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	pv, err := views.NewProgress(c.Brokers, vopts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 2)
	go func() { ran <- qs.Run(ctx) }()
	go func() { ran <- pv.Run(ctx) }()
	defer func() {
		cancel()
		for range 2 {
			if err := <-ran; err != nil {
				t.Errorf("Run: %v", err)
			}
		}
	}()
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if qs.WaitRecovered(wctx) != nil || pv.WaitRecovered(wctx) != nil {
		t.Fatal("the views did not recover within 30 s")
	}

	if v, err := qs.Get("q1"); err != nil || v.Attempts != 1 {
		t.Fatalf("Get(q1) = %+v, %v", v, err)
	}
	if _, err := qs.Get("q2"); !errors.Is(err, views.ErrNotFound) {
		t.Errorf("Get(q2): %v, want not found", err)
	}
	if p, err := pv.Get("alice"); err != nil || p.Questions["q1"].Status() != "solved" {
		t.Errorf("progress of alice = %+v, %v", p, err)
	}
	kafkatest.Emit(c, stats, "q1", &codementor.QuestionStats{QuestionID: "q1", Attempts: 2})
	kafkatest.Emit(c, stats, "q2", &codementor.QuestionStats{QuestionID: "q2", Attempts: 5})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		v1, err1 := qs.Get("q1")
		v2, err2 := qs.Get("q2")
		if err1 == nil && err2 == nil && v1.Attempts == 2 && v2.Attempts == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the change: q1 %+v %v, q2 %+v %v", v1, err1, v2, err2)
		}
	}
}
