package stats

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

const (
	ok    = codementor.VerdictAccepted
	wrong = codementor.VerdictWrongAnswer
)

// judgement is a judgement of round with verdict v, time ms and memory kb.
func judgement(round int, v codementor.Verdict, ms, kb int64) codementor.Judgement {
	return codementor.Judgement{Round: round, Verdict: v, TimeMS: ms, MemoryKB: kb}
}

// result is submission id's judgement j in lang, replacing prev if not nil.
func result(id, lang string, j codementor.Judgement, prev *codementor.Judgement) *codementor.Result {
	return &codementor.Result{SubmissionID: id, User: "alice", QuestionID: "q", Language: lang, Judgement: j, Previous: prev,
		CreatedAt: t0, At: t0.Add(time.Minute)}
}

func TestApply(t *testing.T) {
	acc := func(ms, kb int64) codementor.Judgement { return judgement(0, ok, ms, kb) }
	wa := judgement(0, wrong, 30, 900)
	// h is a histogram of values and their counts.
	h := func(kv ...int64) codementor.Histogram {
		out := codementor.Histogram{}
		for i := 0; i < len(kv); i += 2 {
			out[codementor.Bucket(kv[i])] += int(kv[i+1])
		}
		return out
	}
	type lang = codementor.LanguageStats
	tests := []struct {
		name    string
		results []*codementor.Result
		changed []bool
		// want: attempts, accepted and the languages.
		attempts, accepted int
		langs              map[string]*lang
		recent             []string
	}{
		{
			name:     "attempts and accepted per language",
			results:  []*codementor.Result{result("a", "python", acc(12, 1000), nil), result("b", "python", wa, nil), result("c", "go", acc(3, 500), nil)},
			changed:  []bool{true, true, true},
			attempts: 3, accepted: 2,
			langs: map[string]*lang{
				"python": {Attempts: 2, Accepted: 1, TimeMS: h(12, 1), MemoryKB: h(1000, 1)},
				"go":     {Attempts: 1, Accepted: 1, TimeMS: h(3, 1), MemoryKB: h(500, 1)},
			},
			recent: []string{"a#0", "b#0", "c#0"},
		},
		{
			name:     "the same judgement again changes nothing",
			results:  []*codementor.Result{result("a", "python", acc(12, 1000), nil), result("a", "python", acc(12, 1000), nil)},
			changed:  []bool{true, false},
			attempts: 1, accepted: 1,
			langs:  map[string]*lang{"python": {Attempts: 1, Accepted: 1, TimeMS: h(12, 1), MemoryKB: h(1000, 1)}},
			recent: []string{"a#0"},
		},
		{
			name: "a rejudge to wrong removes the accepted one, without a new attempt",
			results: []*codementor.Result{result("a", "python", acc(12, 1000), nil), result("b", "python", acc(12, 2000), nil),
				result("a", "python", judgement(1, wrong, 12, 1000), &codementor.Judgement{Round: 0, Verdict: ok, TimeMS: 12, MemoryKB: 1000})},
			changed:  []bool{true, true, true},
			attempts: 2, accepted: 1,
			langs:  map[string]*lang{"python": {Attempts: 2, Accepted: 1, TimeMS: h(12, 1), MemoryKB: h(2000, 1)}},
			recent: []string{"a#0", "b#0", "a#1"},
		},
		{
			name: "a rejudge to accepted moves it into the histograms; then again, nothing",
			results: []*codementor.Result{result("a", "python", wa, nil),
				result("a", "python", judgement(1, ok, 500, 4000), &wa),
				result("a", "python", judgement(1, ok, 500, 4000), &wa)},
			changed:  []bool{true, true, false},
			attempts: 1, accepted: 1,
			langs:  map[string]*lang{"python": {Attempts: 1, Accepted: 1, TimeMS: h(500, 1), MemoryKB: h(4000, 1)}},
			recent: []string{"a#0", "a#1"},
		},
		{
			name: "an accepted rejudged accepted moves buckets",
			results: []*codementor.Result{result("a", "go", acc(100, 1000), nil),
				result("a", "go", judgement(1, ok, 200, 1000), &codementor.Judgement{Verdict: ok, TimeMS: 100, MemoryKB: 1000})},
			changed:  []bool{true, true},
			attempts: 1, accepted: 1,
			langs:  map[string]*lang{"go": {Attempts: 1, Accepted: 1, TimeMS: h(200, 1), MemoryKB: h(1000, 1)}},
			recent: []string{"a#0", "a#1"},
		},
		{
			name: "a rejudge whose first judgement was never counted does not go below zero",
			results: []*codementor.Result{
				result("a", "go", judgement(1, wrong, 1, 1), &codementor.Judgement{Verdict: ok, TimeMS: 100, MemoryKB: 1000})},
			changed:  []bool{true},
			attempts: 0, accepted: 0,
			langs:  map[string]*lang{"go": {TimeMS: h(), MemoryKB: h()}},
			recent: []string{"a#1"},
		},
	}
	now := t0.Add(time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cur *codementor.QuestionStats
			for i, r := range tt.results {
				before, _ := json.Marshal(cur)
				next := Apply(cur, r, "q", now)
				if after, _ := json.Marshal(cur); string(before) != string(after) {
					t.Fatalf("result %d changed its input:\n%s\n%s", i, before, after)
				}
				if (next != nil) != tt.changed[i] {
					t.Fatalf("result %d: changed = %v, want %v", i, next != nil, tt.changed[i])
				}
				if next != nil {
					cur = next
				}
			}
			if cur.QuestionID != "q" || !cur.UpdatedAt.Equal(now) || cur.Attempts != tt.attempts || cur.Accepted != tt.accepted {
				t.Errorf("question %q at %s: %d attempts, %d accepted; want %d, %d", cur.QuestionID, cur.UpdatedAt, cur.Attempts, cur.Accepted, tt.attempts, tt.accepted)
			}
			if !reflect.DeepEqual(cur.Languages, tt.langs) {
				got, _ := json.Marshal(cur.Languages)
				want, _ := json.Marshal(tt.langs)
				t.Errorf("languages mismatch (-want +got):\n-%s\n+%s", want, got)
			}
			if !reflect.DeepEqual(cur.Recent, tt.recent) {
				t.Errorf("recent = %q, want %q", cur.Recent, tt.recent)
			}
		})
	}
}

// TestRecentWindow: the window keeps the last RecentSize judgements, so a
// redelivery within them is skipped and one older is counted again.
func TestRecentWindow(t *testing.T) {
	var cur *codementor.QuestionStats
	for i := range RecentSize + 10 {
		cur = Apply(cur, result(fmt.Sprint("s", i), "python", judgement(0, wrong, 1, 1), nil), "q", t0)
	}
	if len(cur.Recent) != RecentSize || cur.Recent[0] != "s10#0" || cur.Attempts != RecentSize+10 {
		t.Fatalf("%d recent from %s, %d attempts", len(cur.Recent), cur.Recent[0], cur.Attempts)
	}
	if Apply(cur, result("s10", "python", judgement(0, wrong, 1, 1), nil), "q", t0) != nil {
		t.Error("a judgement in the window was counted again")
	}
	if next := Apply(cur, result("s9", "python", judgement(0, wrong, 1, 1), nil), "q", t0); next == nil || next.Attempts != RecentSize+11 {
		t.Error("a judgement past the window was not counted")
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
		tt.Consume(string(codementor.QuestionResults), key, b)
	}
	send("q", result("a", "python", judgement(0, ok, 10, 100), nil))
	send("q", result("b", "python", judgement(0, wrong, 10, 100), nil))
	send("q", result("a", "python", judgement(0, ok, 10, 100), nil)) // again
	tt.Consume(string(codementor.QuestionResults), "q", []byte("{"))
	send("other", result("c", "python", judgement(0, ok, 10, 100), nil)) // q's, keyed by other
	send("q", result("d", "", judgement(0, ok, 10, 100), nil))           // no language
	v := tt.TableValue(codementor.QuestionStatsTable, "q")
	qs, isStats := v.(*codementor.QuestionStats)
	if !isStats || qs.Attempts != 2 || qs.Accepted != 1 || qs.Languages["python"].TimeMS.Total() != 1 {
		t.Fatalf("table: %+v", v)
	}
	if v := tt.TableValue(codementor.QuestionStatsTable, "other"); v != nil {
		t.Errorf("other: %+v, want nothing", v)
	}
	for _, key := range []string{"q", "other", "q"} {
		_, v, ok := dead.Next()
		if dl, isLetter := v.(*codementor.DeadLetter); !ok || !isLetter || dl.Key != key || dl.Group != string(codementor.QuestionStatsGroup) || dl.Reason == "" {
			t.Fatalf("dead letter %+v %v, want one keyed %s", v, ok, key)
		}
	}
	if _, v, ok := dead.Next(); ok {
		t.Errorf("one more dead letter: %+v", v)
	}
}
