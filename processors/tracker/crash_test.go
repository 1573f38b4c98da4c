package tracker

import (
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/tester"

	codementor "github.com/codementor/codementor"
)

// judgeRun is the judge's events for one run of a correct submission with n
// tests, in the order it emits them.
func judgeRun(id string, n int) []codementor.RunEvent {
	evs := []codementor.RunEvent{{SubmissionID: id, Kind: codementor.RunStarted, TestCount: n}}
	var tests []codementor.TestResult
	for i := range n {
		tr := codementor.TestResult{Index: i, Verdict: codementor.VerdictAccepted, TimeMS: 10, Hidden: i >= 2}
		tests = append(tests, tr)
		evs = append(evs, codementor.RunEvent{SubmissionID: id, Kind: codementor.RunTest, Test: &tr})
	}
	return append(evs, codementor.RunEvent{SubmissionID: id, Kind: codementor.RunFinished, Verdict: codementor.VerdictAccepted, TestCount: n, Tests: tests})
}

// lastWritten is the last value of key in the table topic (what views and the
// web tier see), reading on from q's position, or last if nothing new.
func lastWritten(q *tester.QueueTracker, key string, last *codementor.Submission) *codementor.Submission {
	for {
		k, v, ok := q.Next()
		if !ok {
			return last
		}
		if k == key {
			last = v.(*codementor.Submission)
		}
	}
}

// TestCrashAfterTheLocalWrite replays the message order of a submission left
// in reviewing by `codementor dev` killed with SIGKILL and restarted (round 1
// of the crash experiment). goka's SetValue writes the processor's local
// storage first and the table topic afterwards: the tracker took the review
// (local storage: done), then the kill came before the table topic had the
// write and before the review event was committed. After the restart the
// local storage still says done, so the redelivered review event, a second
// judge run (run-jobs redelivered to the judge) and a second review
// (review-jobs redelivered to the reviewer) all change nothing; unless the
// tracker writes the state again, the table topic, and with it every view,
// stays at reviewing for good.
func TestCrashAfterTheLocalWrite(t *testing.T) {
	tt, _, _ := runWithReviews(t)
	table := tt.NewQueueTracker(string(codementor.SubmissionsTable))
	const id = "01a24ce3ddc93e190cfc7bf87219"
	req := codementor.SubmissionRequest{ID: id, User: "alice", QuestionID: "a-plus-b", Language: "python", Code: "print(3)", CreatedAt: time.Now()}
	skipped := codementor.ReviewEvent{SubmissionID: id, Kind: codementor.ReviewFinished,
		Review: &codementor.Review{Status: codementor.ReviewSkipped, Reason: "Reviews are off"}}

	// Before the kill: the request, the first judge run, all written.
	tt.Consume(string(codementor.SubmissionRequests), id, raw(t, req))
	for _, ev := range judgeRun(id, 11) {
		tt.Consume(string(codementor.RunEvents), id, raw(t, ev))
	}
	seen := lastWritten(table, id, nil)
	if seen == nil || seen.Status != codementor.StatusReviewing {
		t.Fatalf("before the kill the table topic holds %+v, want reviewing", seen)
	}
	// The first review event, taken into local storage only.
	done := ApplyReview(state(tt, id), &skipped, time.Now())
	if done == nil || done.Status != codementor.StatusDone {
		t.Fatalf("the review did not end the submission: %+v", done)
	}
	tt.SetTableValue(codementor.SubmissionsTable, id, done)

	// After the restart, in the order the tracker consumed them.
	tt.Consume(string(codementor.ReviewEvents), id, raw(t, skipped))
	for _, ev := range judgeRun(id, 11) {
		tt.Consume(string(codementor.RunEvents), id, raw(t, ev))
	}
	tt.Consume(string(codementor.ReviewEvents), id, raw(t, skipped))

	got := lastWritten(table, id, seen)
	if local := state(tt, id); !reflect.DeepEqual(got, local) || got.Status != codementor.StatusDone {
		t.Errorf("the table topic (what views see) ends at %s v%d; the tracker's local state is %s v%d", got.Status, got.Version, local.Status, local.Version)
	}
}

// TestReviewWithoutAttemptAfterAnAttempt: an attempt started, then its job
// came back (the reviewer's session ended, or the process was killed) and was
// answered without an attempt (reviews off since the restart, no free slot,
// no such question). The answer must end the review: no other is coming.
func TestReviewWithoutAttemptAfterAnAttempt(t *testing.T) {
	now := time.Now()
	cur := ApplyReview(reviewing(), &codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: "a", At: now}, now)
	cur = ApplyReview(cur, &codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: "a", Text: "Half a"}, now)
	for _, r := range []codementor.Review{{Status: codementor.ReviewSkipped, Reason: "off"}, {Status: codementor.ReviewFailed, Reason: "busy"}} {
		next := ApplyReview(cur, &codementor.ReviewEvent{Kind: codementor.ReviewFinished, Review: &r, At: now.Add(time.Second)}, now)
		if next == nil || next.Status != codementor.StatusDone || next.Review.Status != r.Status || next.Review.Reason != r.Reason ||
			next.Review.Model != "" || !next.Review.StartedAt.IsZero() || next.Review.Text != "" {
			t.Errorf("answer %s without an attempt after attempt a: %+v", r.Status, next)
		}
	}
}

// The model below runs one submission through the tracker, the judge and the
// reviewer on a Kafka-like log with goka's delivery rules, under kill -9s of
// the whole process at random moments, and checks where it ends. The rules
// (goka v1.1.16 with sarama, read from their source):
//   - A partition's callbacks run one at a time, each input topic in its own
//     order; which input goes next is arbitrary.
//   - SetValue writes the local storage (LevelDB, which survives a kill)
//     first, then produces the table topic. Outputs are acknowledged in the
//     order they were produced (one idempotent producer, one request in
//     flight); the table's local offset is stored when its write is acked
//     (never for offset 0).
//   - A message is marked once its callback returned and all its outputs
//     were acked; a mark only moves forward (so a later message without
//     outputs marks past an earlier one still waiting for its acks); the
//     mark is committed every second.
//   - A kill loses what was not acked, except that the broker may have kept
//     a prefix of it. On restart every group resumes at its committed
//     offsets, and the tracker's table replays the table topic after its
//     stored offset over its local storage.
//   - The judge is deterministic; the reviewer skips, fails before starting
//     or streams an attempt, by chance on each job.

type output struct {
	topic string // "table", or the stream
	value any
	in    int // input of the message that produced it
	off   int // its offset
	last  bool
}

type proc struct {
	inputs    []string
	pos       []int // next offset to consume, per input
	marked    []int
	committed []int
	pending   []output
}

func newProc(inputs ...string) *proc {
	n := len(inputs)
	return &proc{inputs: inputs, pos: make([]int, n), marked: make([]int, n), committed: make([]int, n)}
}

func (p *proc) mark(in, off int) { p.marked[in] = max(p.marked[in], off+1) }

// emit queues outs as the outputs of message off of input in; a message
// without outputs is marked at once.
func (p *proc) emit(in, off int, outs []output) {
	if len(outs) == 0 {
		p.mark(in, off)
		return
	}
	for i := range outs {
		outs[i].in, outs[i].off, outs[i].last = in, off, i == len(outs)-1
	}
	p.pending = append(p.pending, outs...)
}

type world struct {
	t   *testing.T
	rng *rand.Rand
	now time.Time
	log map[string][]any // topic → messages

	tracker, judge, reviewer *proc
	local                    *codementor.Submission // the tracker's local storage
	stored                   int                    // the table's stored offset, -1: none
	attempts                 int
}

const simID = "s"

func newWorld(t *testing.T, seed uint64) *world {
	w := &world{t: t, rng: rand.New(rand.NewPCG(seed, 1)), now: time.Date(2026, 12, 6, 19, 45, 0, 0, time.UTC), log: map[string][]any{}, stored: -1,
		tracker:  newProc(string(codementor.SubmissionRequests), string(codementor.RunEvents), string(codementor.ReviewEvents)),
		judge:    newProc(string(codementor.RunJobs)),
		reviewer: newProc(string(codementor.ReviewJobs)),
	}
	w.log[string(codementor.SubmissionRequests)] = []any{&codementor.SubmissionRequest{ID: simID, User: "u", QuestionID: "q", Language: "python", Code: "x"}}
	return w
}

func (w *world) tick() time.Time { w.now = w.now.Add(time.Millisecond); return w.now }

// consume runs p's callback on its next message of input in.
func (w *world) consume(p *proc, in int) {
	off := p.pos[in]
	msg := w.log[p.inputs[in]][off]
	p.pos[in]++
	var outs []output
	switch p {
	case w.tracker:
		outs = w.track(msg)
	case w.judge:
		for _, ev := range judgeRun(simID, 2) {
			ev.At = w.tick()
			outs = append(outs, output{topic: string(codementor.RunEvents), value: &ev})
		}
	case w.reviewer:
		at := func(ev codementor.ReviewEvent) output {
			ev.SubmissionID, ev.At = simID, w.tick()
			return output{topic: string(codementor.ReviewEvents), value: &ev}
		}
		switch w.rng.IntN(3) {
		case 0:
			outs = []output{at(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Review: &codementor.Review{Status: codementor.ReviewSkipped, Reason: "off"}})}
		case 1:
			outs = []output{at(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Review: &codementor.Review{Status: codementor.ReviewFailed, Reason: "busy"}})}
		default:
			w.attempts++
			a := fmt.Sprintf("a%d", w.attempts)
			outs = []output{
				at(codementor.ReviewEvent{Kind: codementor.ReviewStarted, Attempt: a, Model: "m"}),
				at(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: a, Offset: 0, Text: "Good "}),
				at(codementor.ReviewEvent{Kind: codementor.ReviewDelta, Attempt: a, Offset: 5, Text: "work."}),
				at(codementor.ReviewEvent{Kind: codementor.ReviewFinished, Attempt: a, Review: &codementor.Review{Status: codementor.ReviewDone, Text: "Good work."}}),
			}
		}
	}
	p.emit(in, off, outs)
}

// track runs the tracker's callback for msg on a goka.Context made of the
// model.
func (w *world) track(msg any) []output {
	ctx := &simContext{w: w}
	t := &tracker{log: slog.New(slog.DiscardHandler), now: w.tick}
	switch msg := msg.(type) {
	case *codementor.SubmissionRequest:
		t.request(ctx, msg)
	case *codementor.RunEvent:
		t.event(ctx, msg)
	case *codementor.ReviewEvent:
		t.review(ctx, msg)
	}
	return ctx.outs
}

// simContext is the goka.Context of a callback in the model: the tracker's
// local storage and its outputs. Only the methods the tracker uses on valid
// messages are implemented.
type simContext struct {
	gokaContext // nil
	w           *world
	outs        []output
}

type gokaContext interface{ goka.Context }

func (c *simContext) Key() string { return simID }

// Value decodes the stored value afresh, as goka does.
func (c *simContext) Value() any {
	if c.w.local == nil {
		return nil
	}
	return c.roundTrip(c.w.local)
}

func (c *simContext) SetValue(v any, _ ...goka.ContextOption) {
	s := c.roundTrip(v)
	c.w.local = s
	c.outs = append(c.outs, output{topic: "table", value: c.roundTrip(s)})
}

func (c *simContext) Emit(topic goka.Stream, _ string, v any, _ ...goka.ContextOption) {
	c.outs = append(c.outs, output{topic: string(topic), value: v})
}

func (c *simContext) roundTrip(v any) *codementor.Submission {
	b, err := new(codementor.SubmissionCodec).Encode(v)
	if err != nil {
		c.w.t.Fatal(err)
	}
	s, err := new(codementor.SubmissionCodec).Decode(b)
	if err != nil {
		c.w.t.Fatal(err)
	}
	return s.(*codementor.Submission)
}

// ack acknowledges p's oldest pending output: the broker has it.
func (w *world) ack(p *proc) {
	o := p.pending[0]
	p.pending = p.pending[1:]
	w.log[o.topic] = append(w.log[o.topic], o.value)
	if o.topic == "table" && len(w.log["table"]) > 1 {
		w.stored = len(w.log["table"]) - 1
	}
	if o.last {
		p.mark(o.in, o.off)
	}
}

// kill stops everything at once; the broker may have kept part of what was
// in flight. Then everything starts again.
func (w *world) kill() {
	for _, p := range []*proc{w.tracker, w.judge, w.reviewer} {
		for _, o := range p.pending[:w.rng.IntN(len(p.pending)+1)] {
			w.log[o.topic] = append(w.log[o.topic], o.value)
		}
		p.pending = nil
		copy(p.pos, p.committed)
		copy(p.marked, p.committed)
	}
	// The table replays the topic after its stored offset over local storage.
	if t := w.log["table"]; len(t) > w.stored+1 {
		w.local = t[len(t)-1].(*codementor.Submission)
	}
}

type action func()

// actions lists what may happen next, but for a kill.
func (w *world) actions() []action {
	var as []action
	for _, p := range []*proc{w.tracker, w.judge, w.reviewer} {
		for in := range p.inputs {
			if p.pos[in] < len(w.log[p.inputs[in]]) {
				as = append(as, func() { w.consume(p, in) })
			}
		}
		if len(p.pending) > 0 {
			as = append(as, func() { w.ack(p) })
		}
		if !reflect.DeepEqual(p.marked, p.committed) {
			as = append(as, func() { copy(p.committed, p.marked) })
		}
	}
	return as
}

// simulate runs the world to its end with up to kills kills and returns a
// description of what went wrong, or "".
func (w *world) simulate(kills int) string {
	for steps := 0; ; steps++ {
		if steps > 20000 {
			return "did not settle in 20000 steps"
		}
		as := w.actions()
		if len(as) == 0 {
			break
		}
		// A kill lands at any moment while work is going on.
		if kills > 0 && w.rng.IntN(25) == 0 {
			kills--
			w.kill()
			continue
		}
		as[w.rng.IntN(len(as))]()
	}
	return w.verdict()
}

var rank = map[codementor.Status]int{codementor.StatusQueued: 0, codementor.StatusRunning: 1, codementor.StatusReviewing: 2, codementor.StatusDone: 3, codementor.StatusFailed: 3}

func (w *world) verdict() string {
	table := w.log["table"]
	if len(table) == 0 {
		return "nothing was written to the table"
	}
	last := table[len(table)-1].(*codementor.Submission)
	switch {
	case !reflect.DeepEqual(last, w.local):
		return fmt.Sprintf("the table topic ends at %s v%d, the tracker's state is %s v%d", last.Status, last.Version, w.local.Status, w.local.Version)
	case last.Status != codementor.StatusDone || last.Verdict != codementor.VerdictAccepted || !last.Review.Final():
		return fmt.Sprintf("ended %s (verdict %q, review %s)", last.Status, last.Verdict, last.Review.Status)
	}
	// What views see never goes back. (The local storage may: a restart
	// replays table writes the broker kept over it.)
	for i := 1; i < len(table); i++ {
		a, b := table[i-1].(*codementor.Submission), table[i].(*codementor.Submission)
		switch {
		case rank[b.Status] < rank[a.Status]:
			return fmt.Sprintf("the table topic moved back from %s to %s", a.Status, b.Status)
		case b.Version < a.Version:
			return fmt.Sprintf("the table topic's version moved back from %d to %d", a.Version, b.Version)
		case a.Final() && !reflect.DeepEqual(a, b):
			return fmt.Sprintf("the table topic changed after it was final: %s → %s (review %s → %s)", a.Status, b.Status, a.Review.Status, b.Review.Status)
		}
	}
	return ""
}

var killSeeds = flag.Int("kill-seeds", 1500, "seeds of TestRedeliveryAfterKills")

// TestRedeliveryAfterKills runs the model over many seeds: every one must end
// done, with the table topic holding the tracker's state, and no status or
// version moving backwards.
func TestRedeliveryAfterKills(t *testing.T) {
	seeds := *killSeeds
	if testing.Short() {
		seeds = min(seeds, 300)
	}
	failed := 0
	first := map[string]uint64{} // a kind of failure → its first seed
	for seed := range uint64(seeds) {
		w := newWorld(t, seed)
		if why := w.simulate(1 + int(seed%3)); why != "" {
			failed++
			kind := strings.Map(func(r rune) rune {
				if unicode.IsDigit(r) {
					return '#'
				}
				return r
			}, why)
			if _, ok := first[kind]; !ok {
				first[kind] = seed
				t.Errorf("seed %d: %s", seed, why)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d seeds went wrong", failed, seeds)
	}
}
