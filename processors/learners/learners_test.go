package learners

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/gokatest"

	codementor "github.com/codementor/codementor"
)

func TestApply(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	in := func(id string, at time.Time) *codementor.LearnerEvent {
		return &codementor.LearnerEvent{User: "alice", SubmissionID: id, InFlight: true, At: at}
	}
	out := func(id string) *codementor.LearnerEvent {
		return &codementor.LearnerEvent{User: "alice", SubmissionID: id, At: now}
	}
	l := Apply(nil, in("a", now), "alice", now)
	if l == nil || len(l.InFlight) != 1 || l.User != "alice" {
		t.Fatalf("after a: %+v", l)
	}
	if Apply(l, in("a", now), "alice", now) != nil {
		t.Error("a redelivered start changed the learner")
	}
	l2 := Apply(l, in("b", now), "alice", now)
	if len(l2.InFlight) != 2 || len(l.InFlight) != 1 {
		t.Fatalf("b: %+v (the earlier state changed: %+v)", l2, l)
	}
	l3 := Apply(l2, out("a"), "alice", now)
	if _, ok := l3.InFlight["a"]; ok || len(l3.InFlight) != 1 {
		t.Fatalf("after a's end: %+v", l3)
	}
	if Apply(l3, out("a"), "alice", now) != nil {
		t.Error("a redelivered end changed the learner")
	}
	// An entry whose end never came stops counting after MaxAge.
	later := now.Add(MaxAge + time.Minute)
	l4 := Apply(l3, in("c", later), "alice", later)
	if _, ok := l4.InFlight["b"]; ok || len(l4.InFlight) != 1 {
		t.Errorf("after MaxAge: %+v", l4)
	}
}

// TestGraph runs the group on goka's tester: events in, the table follows,
// and an undecodable event goes to the dead-letter topic.
func TestGraph(t *testing.T) {
	tt := gokatest.Run(t, Graph)
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	send := func(id string, inFlight bool) {
		b, _ := json.Marshal(codementor.LearnerEvent{User: "bob", SubmissionID: id, InFlight: inFlight, At: time.Now()})
		tt.Consume(string(codementor.LearnerEvents), "bob", b)
	}
	send("s1", true)
	send("s2", true)
	send("s1", false)
	tt.Consume(string(codementor.LearnerEvents), "bob", []byte("{"))
	v := tt.TableValue(codementor.LearnersTable, "bob")
	if l, ok := v.(*codementor.Learner); !ok || len(l.InFlight) != 1 || l.InFlight["s2"].IsZero() {
		t.Fatalf("table: %+v", v)
	}
	if _, v, ok := dead.Next(); !ok || v.(*codementor.DeadLetter).Key != "bob" {
		t.Errorf("dead letter %+v %v", v, ok)
	}
}
