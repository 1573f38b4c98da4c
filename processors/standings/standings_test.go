package standings

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/gokatest"

	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
)

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// result is the result of submission id of alice in contest c1, judged
// verdict with score of 100 in round.
func result(id string, round int, verdict codementor.Verdict, score int) *codementor.Result {
	return &codementor.Result{SubmissionID: id, User: "alice", QuestionID: "q1", ContestID: "c1", Language: "python",
		Judgement: codementor.Judgement{Round: round, Verdict: verdict, Score: score, MaxScore: 100, JudgedAt: t0.Add(time.Minute)},
		CreatedAt: t0, At: t0.Add(time.Minute)}
}

// run starts the group on goka's tester and returns the tester; the
// processor stops at the end of the test.
func run(t *testing.T) *tester.Tester {
	t.Helper()
	tt := gokatest.Run(t, Graph)
	return tt
}

// consume sends r under key, as JSON.
func consume(t *testing.T, tt *tester.Tester, key string, r *codementor.Result) {
	t.Helper()
	b, err := new(codementor.ResultCodec).Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	tt.Consume(string(codementor.ContestResults), key, b)
}

// standing returns the table's row of key (nil if none).
func standing(t *testing.T, tt *tester.Tester, key string) *codementor.Standing {
	t.Helper()
	v := tt.TableValue(codementor.StandingsTable, key)
	if v == nil {
		return nil
	}
	return v.(*codementor.Standing)
}

// rawStanding returns the table's row of key as stored.
func rawStanding(t *testing.T, tt *tester.Tester, key string) string {
	t.Helper()
	b, err := json.Marshal(standing(t, tt, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestResults: each judgement lands in its participant's row; a result
// delivered again changes nothing, one of an older round is ignored, and a
// rejudge's replaces the submission's entry.
func TestResults(t *testing.T) {
	tt := run(t)
	key := codementor.ContestRowKey("c1", "alice")
	consume(t, tt, key, result("s1", 0, codementor.VerdictWrongAnswer, 40))
	consume(t, tt, key, result("s2", 0, codementor.VerdictAccepted, 100))
	st := standing(t, tt, key)
	if st == nil || st.ContestID != "c1" || st.User != "alice" || len(st.Entries) != 2 || st.UpdatedAt.IsZero() {
		t.Fatalf("after two results: %+v", st)
	}
	if e := st.Entries["s1"]; e.Verdict != codementor.VerdictWrongAnswer || e.Score != 40 || e.MaxScore != 100 || !e.CreatedAt.Equal(t0) {
		t.Errorf("s1's entry: %+v", e)
	}

	t.Run("redelivered", func(t *testing.T) {
		before := rawStanding(t, tt, key)
		consume(t, tt, key, result("s2", 0, codementor.VerdictAccepted, 100))
		consume(t, tt, key, result("s1", 0, codementor.VerdictWrongAnswer, 40))
		if after := rawStanding(t, tt, key); after != before {
			t.Errorf("a redelivered result changed the row:\n%s\n%s", before, after)
		}
	})
	t.Run("rejudged", func(t *testing.T) {
		consume(t, tt, key, result("s1", 1, codementor.VerdictAccepted, 100))
		st := standing(t, tt, key)
		if e := st.Entries["s1"]; e.Round != 1 || e.Verdict != codementor.VerdictAccepted || e.Score != 100 || len(st.Entries) != 2 {
			t.Errorf("after s1's rejudge: %+v", st)
		}
	})
	t.Run("older round", func(t *testing.T) {
		before := rawStanding(t, tt, key)
		consume(t, tt, key, result("s1", 0, codementor.VerdictWrongAnswer, 40))
		if after := rawStanding(t, tt, key); after != before {
			t.Errorf("a result of an older round changed the row:\n%s\n%s", before, after)
		}
	})
	t.Run("another participant", func(t *testing.T) {
		r := result("b1", 0, codementor.VerdictAccepted, 100)
		r.User = "bob"
		consume(t, tt, codementor.ContestRowKey("c1", "bob"), r)
		if st := standing(t, tt, codementor.ContestRowKey("c1", "bob")); st == nil || st.User != "bob" || len(st.Entries) != 1 {
			t.Errorf("bob's row: %+v", st)
		}
		if st := standing(t, tt, key); len(st.Entries) != 2 {
			t.Errorf("bob's result reached alice's row: %+v", st)
		}
	})
}

// TestBadResults: a result that cannot be read, or that is not its key's,
// goes to the dead-letter topic, and no row changes.
func TestBadResults(t *testing.T) {
	tt := run(t)
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	key := codementor.ContestRowKey("c1", "alice")
	noContest := result("s3", 0, codementor.VerdictAccepted, 100)
	noContest.ContestID = ""
	for _, c := range []struct {
		name, key string
		value     []byte
	}{
		{"not JSON", key, []byte("{")},
		{"newer schema", key, []byte(`{"v":99,"submission_id":"s1"}`)},
		{"another row's key", codementor.ContestRowKey("c1", "bob"), encode(t, result("s1", 0, codementor.VerdictAccepted, 100))},
		{"no contest", codementor.ContestRowKey("", "alice"), encode(t, noContest)},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt.Consume(string(codementor.ContestResults), c.key, c.value)
			_, v, ok := dead.Next()
			if !ok {
				t.Fatal("no dead letter")
			}
			if d := v.(*codementor.DeadLetter); d.Key != c.key || d.Group != string(codementor.StandingsGroup) || d.Reason == "" || len(d.Value) == 0 {
				t.Errorf("dead letter %+v", d)
			}
			if st := standing(t, tt, c.key); st != nil {
				t.Errorf("a row was written: %+v", st)
			}
		})
	}
}

func encode(t *testing.T, r *codementor.Result) []byte {
	t.Helper()
	b, err := new(codementor.ResultCodec).Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
