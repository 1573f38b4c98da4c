package progress

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/codementor/codementor/internal/gokatest"

	codementor "github.com/codementor/codementor"
)

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

// result is a judgement of submission id of question q made at second s.
func result(id, q string, s int, round int, v codementor.Verdict, score int) *codementor.Result {
	return &codementor.Result{SubmissionID: id, User: "alice", QuestionID: q, Language: "python",
		Judgement: codementor.Judgement{Round: round, Verdict: v, Score: score, MaxScore: 100},
		CreatedAt: t0.Add(time.Duration(s) * time.Second), At: t0.Add(time.Hour)}
}

const (
	ok    = codementor.VerdictAccepted
	wrong = codementor.VerdictWrongAnswer
	tle   = codementor.VerdictTimeLimitExceeded
)

func TestApply(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tests := []struct {
		name    string
		results []*codementor.Result
		// changed says which results changed the progress.
		changed []bool
		want    *codementor.QuestionProgress // of question "q"
	}{
		{
			name:    "first",
			results: []*codementor.Result{result("a", "q", 1, 0, wrong, 0)},
			changed: []bool{true},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong},
				Last: wrong, LastAt: at(1), LastID: "a", MaxScore: 100},
		},
		{
			name:    "the same again changes nothing",
			results: []*codementor.Result{result("a", "q", 1, 0, wrong, 0), result("a", "q", 1, 0, wrong, 0)},
			changed: []bool{true, false},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong},
				Last: wrong, LastAt: at(1), LastID: "a", MaxScore: 100},
		},
		{
			name: "the latest by creation time is last, whatever the order of the verdicts",
			results: []*codementor.Result{result("b", "q", 2, 0, ok, 100), result("a", "q", 1, 0, wrong, 0),
				result("c", "q", 3, 0, tle, 40)},
			changed: []bool{true, true, true},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong, "b": ok, "c": tle},
				Scores: map[string]int{"b": 100, "c": 40}, BestScore: 100, Last: tle, LastAt: at(3), LastID: "c", MaxScore: 100},
		},
		{
			name: "a rejudge replaces the verdict and the best score; the older round then changes nothing",
			results: []*codementor.Result{result("a", "q", 1, 0, ok, 100), result("b", "q", 2, 0, wrong, 30),
				result("a", "q", 1, 1, wrong, 50), result("a", "q", 1, 0, ok, 100), result("a", "q", 1, 1, wrong, 50)},
			changed: []bool{true, true, true, false, false},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong, "b": wrong},
				Rounds: map[string]int{"a": 1}, Scores: map[string]int{"a": 50, "b": 30}, BestScore: 50,
				Last: wrong, LastAt: at(2), LastID: "b", MaxScore: 100},
		},
		{
			name:    "a rejudge of the latest submission changes the last verdict",
			results: []*codementor.Result{result("a", "q", 1, 0, ok, 100), result("a", "q", 1, 2, tle, 0)},
			changed: []bool{true, true},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": tle},
				Rounds: map[string]int{"a": 2}, Last: tle, LastAt: at(1), LastID: "a", MaxScore: 100},
		},
		{
			name:    "two made at the same time: the larger ID is the latest",
			results: []*codementor.Result{result("b", "q", 1, 0, ok, 100), result("a", "q", 1, 0, wrong, 0)},
			changed: []bool{true, true},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong, "b": ok},
				Scores: map[string]int{"b": 100}, BestScore: 100, Last: ok, LastAt: at(1), LastID: "b", MaxScore: 100},
		},
		{
			name:    "other questions are apart",
			results: []*codementor.Result{result("a", "q", 1, 0, wrong, 0), result("x", "other", 2, 0, ok, 100)},
			changed: []bool{true, true},
			want: &codementor.QuestionProgress{Verdicts: map[string]codementor.Verdict{"a": wrong},
				Last: wrong, LastAt: at(1), LastID: "a", MaxScore: 100},
		},
	}
	now := t0.Add(2 * time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cur *codementor.Progress
			for i, r := range tt.results {
				before, _ := json.Marshal(cur)
				next := Apply(cur, r, "alice", now)
				if after, _ := json.Marshal(cur); string(before) != string(after) {
					t.Fatalf("result %d changed its input:\n%s\n%s", i, before, after)
				}
				if (next != nil) != tt.changed[i] {
					t.Fatalf("result %d (%+v): changed = %v, want %v", i, r, next != nil, tt.changed[i])
				}
				if next != nil {
					cur = next
				}
			}
			if cur.User != "alice" || !cur.UpdatedAt.Equal(now) {
				t.Errorf("user %q, updated at %s", cur.User, cur.UpdatedAt)
			}
			if got := cur.Questions["q"]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mismatch (-want +got):\n-%+v\n+%+v", tt.want, got)
			}
		})
	}
}

// TestGraph runs the group on goka's tester: results in, the table follows,
// and a result that cannot be read or used goes to the dead-letter topic.
func TestGraph(t *testing.T) {
	tt := gokatest.Run(t, Graph)
	dead := tt.NewQueueTracker(string(codementor.DeadLetters))
	send := func(key string, r *codementor.Result) {
		b, err := new(codementor.ResultCodec).Encode(r)
		if err != nil {
			t.Fatal(err)
		}
		tt.Consume(string(codementor.LearnerResults), key, b)
	}
	send("alice", result("a", "q", 1, 0, wrong, 0))
	send("alice", result("b", "q", 2, 0, ok, 100))
	send("alice", result("a", "q", 1, 0, wrong, 0)) // again
	tt.Consume(string(codementor.LearnerResults), "alice", []byte("{"))
	send("bob", result("c", "q", 3, 0, ok, 100))  // alice's, keyed by bob
	send("alice", result("d", "", 3, 0, ok, 100)) // no question
	send("alice", result("e", "q", 3, 0, "", 0))  // no verdict
	v := tt.TableValue(codementor.ProgressTable, "alice")
	pr, isProgress := v.(*codementor.Progress)
	if !isProgress || pr.User != "alice" || len(pr.Questions) != 1 {
		t.Fatalf("table: %+v", v)
	}
	if q := pr.Questions["q"]; q.Status() != "solved" || len(q.Verdicts) != 2 || q.Last != ok || q.BestScore != 100 {
		t.Errorf("alice on q: %+v", q)
	}
	if v := tt.TableValue(codementor.ProgressTable, "bob"); v != nil {
		t.Errorf("bob: %+v, want nothing", v)
	}
	for _, key := range []string{"alice", "bob", "alice", "alice"} {
		_, v, ok := dead.Next()
		if dl, isLetter := v.(*codementor.DeadLetter); !ok || !isLetter || dl.Key != key || dl.Group != string(codementor.ProgressGroup) || dl.Reason == "" {
			t.Fatalf("dead letter %+v %v, want one keyed %s", v, ok, key)
		}
	}
	if _, v, ok := dead.Next(); ok {
		t.Errorf("one more dead letter: %+v", v)
	}
}

// BenchmarkDecode measures what the web tier's progress view pays on each
// read: decoding a learner's progress of 20 submissions to 20 questions
// (the view decodes the stored value on every Get).
func BenchmarkDecode(b *testing.B) {
	var p *codementor.Progress
	for i := range 20 {
		created := t0.Add(time.Duration(i) * time.Second)
		r := result(codementor.NewSubmissionID(created), fmt.Sprintf("q%02d", i), i, 0, ok, 100)
		p = Apply(p, r, "alice", t0)
	}
	data, err := new(codementor.ProgressCodec).Encode(p)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := new(codementor.ProgressCodec).Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(data)), "bytes")
}
