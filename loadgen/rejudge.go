package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	codementor "github.com/codementor/codementor"
)

// maxTellApart bounds the submissions of one learner to the rejudged
// question whose leaderboard updates the rejudge phase tells apart: it
// computes the learner's cell for every combination of their submissions
// judged again or not (2^10 at most).
const maxTellApart = 10

// RejudgeReport is what --rejudge adds to a contest's report: a test of
// one of the contest's questions changed, that question rejudged in the
// contest, and what came of it.
type RejudgeReport struct {
	// ID names the rejudge (the generator sends it); Reason is its reason.
	ID     string `json:"id"`
	Reason string `json:"reason"`
	// Question is the question changed and rejudged; Test the number
	// (from 1) of its test changed, which expected Was and now expects Now.
	Question string `json:"question"`
	Test     int    `json:"test"`
	Was      string `json:"was"`
	Now      string `json:"now"`
	// NotMade says why the rejudge was not made (empty: it was).
	NotMade string `json:"not_made,omitempty"`
	// Interrupted: the run was stopped during the rejudge.
	Interrupted bool `json:"interrupted,omitempty"`
	// Offer is the rejudge offered by the answer to the PUT of the changed
	// question (nil: none).
	Offer *RejudgeOffer `json:"offer"`
	// Queued is the number of submissions the rejudge's 202 counted.
	Queued int `json:"queued"`
	// Kinds is, per kind of program, what it should get before and after
	// the change and what came of the rejudged ones.
	Kinds []RejudgeKind `json:"kinds"`
	// Rejudged counts the contest's submissions to the question (those the
	// API accepted): each should be judged again. Final counts those final
	// in the new round on their learner's stream, Unfinished those not
	// (within --timeout). Changed got another verdict or score than their
	// first judgement, Unchanged the same. Wrong got another verdict or
	// score than their kind should under the changed test, or a state that
	// is not what a rejudge makes (its round, its history with exactly the
	// first judgement and the rejudge's id and reason, its review kept);
	// UnexpectedChanges are those of Wrong of a kind the change leaves
	// alone whose judgement changed.
	Rejudged           int      `json:"rejudged"`
	Final              int      `json:"final"`
	Changed            int      `json:"changed"`
	Unchanged          int      `json:"unchanged"`
	Wrong              int      `json:"wrong"`
	UnexpectedChanges  int      `json:"unexpected_changes"`
	Unfinished         int      `json:"unfinished"`
	WrongExamples      []string `json:"wrong_examples,omitempty"`
	UnfinishedExamples []string `json:"unfinished_examples,omitempty"`
	// Others counts the contest's submissions to its other questions;
	// OthersTouched those of them the rejudge touched (a new round on the
	// stream or in the state, a history, another verdict or score).
	Others         int      `json:"others"`
	OthersTouched  int      `json:"others_touched"`
	OthersExamples []string `json:"others_examples,omitempty"`
	// JudgedAgain is, per rejudged submission, from the POST of the
	// rejudge to its new verdict on its learner's stream.
	JudgedAgain Latency `json:"judged_again"`
	// Board is what the admin's leaderboard streams showed of it.
	Board RejudgeBoard `json:"leaderboard"`
	// Check compares the leaderboard with the recomputation from every
	// submission's state after the rejudge.
	Check CheckReport `json:"check"`
	// Restored: the question was PUT back as it was; RestoreError says
	// why not. The submissions keep the judgements of the changed test.
	Restored     bool   `json:"restored"`
	RestoreError string `json:"restore_error,omitempty"`
}

// RejudgeOffer is the "rejudge" of the answer to a PUT of a question
// whose tests changed.
type RejudgeOffer struct {
	Submissions int    `json:"submissions"`
	URL         string `json:"url"`
}

// RejudgeKind is one kind of program's part of a rejudge.
type RejudgeKind struct {
	Kind string `json:"kind"`
	// Count is the rejudged submissions of the kind.
	Count int `json:"count"`
	// Before and After are what the kind should get before and after the
	// change.
	Before expectation `json:"before"`
	After  expectation `json:"after"`
	// Changed and Wrong count as RejudgeReport's do.
	Changed int `json:"changed"`
	Wrong   int `json:"wrong"`
}

// RejudgeBoard is what the admin's leaderboard streams showed of the
// rejudge.
type RejudgeBoard struct {
	// ScoreChanged counts the rejudged submissions whose score changed:
	// each should change its learner's row.
	ScoreChanged int `json:"score_changed"`
	// UpdateLatency is, per such submission, to the first leaderboard
	// event whose cell (the learner's, of the question) shows it: a state
	// of the cell that its new judgement explains and its old one does
	// not, whichever of the learner's other submissions there the board
	// shows judged again. It is measured from when the learner's stream
	// had shown every new verdict that state needs: its own, and those of
	// the learner's other submissions it takes (when another one's score
	// is better, the row changes only once that one is judged again too).
	UpdateLatency Latency `json:"update_latency"`
	// Ahead counts updates shown before the learner's stream showed the
	// verdict; they count as 0 ms.
	Ahead int `json:"ahead"`
	// Masked counts changed scores the cell cannot show apart: another
	// submission of the learner to the question hides it (a better score),
	// or the learner made more than maxTellApart there.
	Masked int `json:"masked"`
	// Missing counts changed scores no event ever showed.
	Missing         int      `json:"missing"`
	MissingExamples []string `json:"missing_examples,omitempty"`
	// Events counts the events received during the rejudge.
	Events int `json:"events"`
}

// seen is a snapshot of what a learner's stream showed of a submission:
// its first round and its latest later one.
type seen struct {
	first, again observation
	round        int
	rejudgeID    string
}

func snapshot(rec *record) seen {
	rec.learner.mu.Lock()
	defer rec.learner.mu.Unlock()
	return seen{first: rec.obs, again: rec.again, round: rec.againRound, rejudgeID: rec.againID}
}

// rejudge is the --rejudge phase, after the contest and its check: as the
// admin it changes a test of one of the contest's questions (PUT, which
// should offer a rejudge), rejudges the question in the contest, follows
// every submission to it on its learner's stream (open still) until it is
// final in the new round, checks each one, measures the leaderboard's
// updates, checks the leaderboard again, and puts the question back.
func (c *contestRun) rejudge(ctx context.Context, progress io.Writer) *RejudgeReport {
	cfg := c.r.cfg
	qid := rejudgeQuestion(cfg.Questions)
	cq := contestQuestions[qid]
	rep := &RejudgeReport{ID: c.id + "-rejudge", Question: qid, Test: cq.change.test + 1}
	changed, was, now, err := cq.changed(c.r.runID)
	if err != nil {
		rep.NotMade = err.Error()
		return rep
	}
	rep.Was, rep.Now = was, now
	rep.Reason = fmt.Sprintf("loadgen run %s: hidden test %d of %s now expects %s instead of %s, a deliberate mistake",
		c.r.runID, rep.Test, qid, now, was)
	var targets, others []*record
	for _, rec := range c.r.records {
		switch {
		case rec.id == "":
		case rec.Question == qid:
			targets = append(targets, rec)
		default:
			others = append(others, rec)
		}
	}
	rep.Rejudged, rep.Others = len(targets), len(others)
	for _, k := range cq.Kinds() {
		rk := RejudgeKind{Kind: k, Before: cq.expect[k], After: cq.change.expect[k]}
		for _, rec := range targets {
			if rec.Kind == k {
				rk.Count++
			}
		}
		if rk.Count > 0 {
			rep.Kinds = append(rep.Kinds, rk)
		}
	}
	eventsBefore := c.board.eventCount()
	c.board.logCells(time.Now())
	fmt.Fprintf(progress, "loadgen: rejudge: hidden test %d of %s now expects %s instead of %s; rejudging its %d submissions in the contest (rejudge %s)\n",
		rep.Test, qid, now, was, len(targets), rep.ID)

	orig := cq.question()
	defer c.restoreQuestion(ctx, &orig, rep)
	r, err := c.putQuestion(ctx, &changed)
	if err != nil {
		rep.NotMade = err.Error()
		return rep
	}
	var put struct {
		Rejudge *RejudgeOffer `json:"rejudge"`
	}
	if err := json.Unmarshal(r.body, &put); err != nil {
		rep.NotMade = fmt.Sprintf("PUT /api/questions/%s answered %d with an undecodable body: %v", qid, r.status, err)
		return rep
	}
	rep.Offer = put.Rejudge
	sent := time.Now()
	if err := c.postRejudge(ctx, rep); err != nil {
		rep.NotMade = err.Error()
		return rep
	}

	c.awaitAgain(ctx, targets, time.Now().Add(cfg.Timeout))
	snaps := map[*record]seen{}
	final := 0
	for _, rec := range c.r.records {
		if rec.id != "" {
			snaps[rec] = snapshot(rec)
			if rec.Question == qid && !snaps[rec].again.finalAt.IsZero() {
				final++
			}
		}
	}
	cases := c.boardCases(qid, targets, snaps, &rep.Board)
	deadline := time.Now().Add(cfg.Settle)
	if ctx.Err() == nil {
		fmt.Fprintf(progress, "loadgen: rejudge: %d of %d final in the new round %.1fs after the rejudge; waiting up to %s for the leaderboard to show the %d changed scores\n",
			final, len(targets), time.Since(sent).Seconds(), cfg.Settle, len(cases))
		c.board.await(ctx, deadline, func() bool {
			for _, bc := range cases {
				if _, _, ok := c.board.showsLocked(bc); !ok {
					return false
				}
			}
			return true
		})
	}
	states := map[string]*codementor.Submission{}
	if ctx.Err() == nil {
		c.check(ctx, deadline, states, &rep.Check)
	}
	if ctx.Err() != nil {
		rep.Interrupted = true
		rep.Check.Reason = "interrupted"
	}
	c.board.rejudgeLatencies(cases, &rep.Board)
	rep.Board.Events = c.board.eventCount() - eventsBefore

	var judgedAgain []time.Duration
	for _, rec := range targets {
		sn := snaps[rec]
		if !sn.again.verdictAt.IsZero() {
			judgedAgain = append(judgedAgain, max(sn.again.verdictAt.Sub(sent), 0))
		}
		c.checkRejudged(rec, sn, states[rec.id], cq, rep)
	}
	rep.JudgedAgain = summarize(judgedAgain)
	for _, rec := range others {
		if why := c.touched(snaps[rec], states[rec.id], c.states[rec.id]); why != "" {
			rep.OthersTouched++
			if len(rep.OthersExamples) < maxExamples {
				rep.OthersExamples = append(rep.OthersExamples, fmt.Sprintf("%s's submission %s to %s: %s", rec.learner.user, rec.id, rec.Question, why))
			}
		}
	}
	return rep
}

// postRejudge rejudges the question in the contest and records the count
// the 202 gives.
func (c *contestRun) postRejudge(ctx context.Context, rep *RejudgeReport) error {
	a := c.r.api
	path := "/api/contests/" + c.id + "/rejudge"
	pctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	r, err := a.do(pctx, http.MethodPost, path, c.adminToken, map[string]string{"question_id": rep.Question, "reason": rep.Reason, "id": rep.ID})
	if err != nil {
		return a.unreachable("POST "+path, err)
	}
	if r.status != http.StatusAccepted {
		return fmt.Errorf("POST %s answered %d: %s", path, r.status, r.message())
	}
	var out struct {
		ID          string `json:"id"`
		Submissions int    `json:"submissions"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.ID != rep.ID {
		return fmt.Errorf("POST %s answered 202 with %s; want the rejudge's id %q and its count of submissions", path, strings.TrimSpace(string(r.body)), rep.ID)
	}
	rep.Queued = out.Submissions
	return nil
}

// restoreQuestion puts q back as it was, even when ctx ended.
func (c *contestRun) restoreQuestion(ctx context.Context, q *codementor.Question, rep *RejudgeReport) {
	if _, err := c.putQuestion(context.WithoutCancel(ctx), q); err != nil {
		rep.RestoreError = err.Error()
		return
	}
	rep.Restored = true
}

// awaitAgain returns once every one of recs is final in a later round on
// its learner's stream, at deadline, or when ctx ends.
func (c *contestRun) awaitAgain(ctx context.Context, recs []*record, deadline time.Time) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	done := 0 // recs[:done] are final: they stay so
	for {
		for done < len(recs) {
			rec := recs[done]
			rec.learner.mu.Lock()
			final := !rec.again.finalAt.IsZero()
			rec.learner.mu.Unlock()
			if !final {
				break
			}
			done++
		}
		if done == len(recs) {
			return
		}
		select {
		case <-c.r.rejudged:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// checkRejudged checks one rejudged submission: what its learner's stream
// showed of the new round (sn) and its state read afterwards (st) against
// what its kind should get under the changed test and what a rejudge makes
// of a submission; it counts it in rep.
func (c *contestRun) checkRejudged(rec *record, sn seen, st *codementor.Submission, cq *contestQuestion, rep *RejudgeReport) {
	ki := slices.IndexFunc(rep.Kinds, func(k RejudgeKind) bool { return k.Kind == rec.Kind })
	who := fmt.Sprintf("%s's %s submission %s", rec.learner.user, rec.Kind, rec.id)
	if sn.again.finalAt.IsZero() {
		rep.Unfinished++
		if len(rep.UnfinishedExamples) < maxExamples {
			what := "its stream showed no new round"
			if sn.round > 0 {
				what = fmt.Sprintf("its stream showed round %d %s", sn.round, orNone(string(sn.again.status)))
			}
			rep.UnfinishedExamples = append(rep.UnfinishedExamples, who+": "+what)
		}
		return
	}
	rep.Final++
	old := expectation{sn.first.verdict, sn.first.score}
	got := expectation{sn.again.verdict, sn.again.score}
	before, want := cq.expect[rec.Kind], cq.change.expect[rec.Kind]
	if got != old {
		rep.Changed++
		if ki >= 0 {
			rep.Kinds[ki].Changed++
		}
	} else {
		rep.Unchanged++
	}
	var why []string
	if got != want {
		why = append(why, fmt.Sprintf("judged %s %d, want %s %d", got.Verdict, got.Score, want.Verdict, want.Score))
		if before == want && got != old {
			rep.UnexpectedChanges++
			why[0] += fmt.Sprintf(" (the change leaves its kind alone; it was %s %d)", old.Verdict, old.Score)
		}
	}
	pre := c.states[rec.id]
	round := 1
	if pre != nil {
		round = pre.Round + 1
	}
	if sn.round != round || sn.rejudgeID != rep.ID {
		why = append(why, fmt.Sprintf("its stream showed round %d of rejudge %q, want round %d of %q", sn.round, sn.rejudgeID, round, rep.ID))
	}
	switch {
	case st == nil:
		why = append(why, "its state was not read after the rejudge")
	default:
		if st.Round != round || st.RejudgeID != rep.ID {
			why = append(why, fmt.Sprintf("its state is in round %d of rejudge %q, want round %d of %q", st.Round, st.RejudgeID, round, rep.ID))
		}
		if st.Verdict != got.Verdict || st.Score != got.Score {
			why = append(why, fmt.Sprintf("its state says %s %d, its stream said %s %d", st.Verdict, st.Score, got.Verdict, got.Score))
		}
		why = append(why, historyProblems(st, pre, old, rep)...)
	}
	if len(why) == 0 {
		return
	}
	rep.Wrong++
	if ki >= 0 {
		rep.Kinds[ki].Wrong++
	}
	if len(rep.WrongExamples) < maxExamples {
		rep.WrongExamples = append(rep.WrongExamples, who+": "+strings.Join(why, "; "))
	}
}

// historyProblems compares a rejudged submission's history with the one
// the rejudge should have made: the earlier history (of pre, its state
// before) and then its first judgement as the stream showed it (old), with
// the rejudge's id and reason; and its review, which a rejudge keeps.
func historyProblems(st, pre *codementor.Submission, old expectation, rep *RejudgeReport) []string {
	var why []string
	var earlier []codementor.Judgement
	if pre != nil {
		earlier = pre.History
	}
	want := len(earlier)
	if old.Verdict != "" {
		want++
	}
	if len(st.History) != want {
		return append(why, fmt.Sprintf("its history holds %d judgements, want %d", len(st.History), want))
	}
	if old.Verdict != "" {
		h := st.History[want-1]
		round := 0
		if pre != nil {
			round = pre.Round
		}
		if h.Verdict != old.Verdict || h.Score != old.Score || h.RejudgeID != rep.ID || h.Reason != rep.Reason || h.Round != round {
			why = append(why, fmt.Sprintf("its history's last judgement is round %d %s %d ended by rejudge %q (%q), want round %d %s %d ended by %q (%q)",
				h.Round, h.Verdict, h.Score, h.RejudgeID, h.Reason, round, old.Verdict, old.Score, rep.ID, rep.Reason))
		}
	}
	if pre != nil && (st.Review.Status != pre.Review.Status || st.Review.Text != pre.Review.Text) {
		why = append(why, fmt.Sprintf("its review changed (status %s, was %s)", orNone(string(st.Review.Status)), orNone(string(pre.Review.Status))))
	}
	return why
}

// touched says how the rejudge touched a submission to another question
// (empty: not): sn is what its stream showed, st its state after the
// rejudge, pre before.
func (c *contestRun) touched(sn seen, st, pre *codementor.Submission) string {
	switch {
	case sn.round > 0:
		return fmt.Sprintf("its stream showed round %d (rejudge %q)", sn.round, sn.rejudgeID)
	case st == nil:
		return "its state was not read after the rejudge"
	case st.Round != 0 || st.RejudgeID != "" || len(st.History) > 0:
		return fmt.Sprintf("its state is in round %d of rejudge %q with %d earlier judgements", st.Round, st.RejudgeID, len(st.History))
	case pre != nil && (st.Verdict != pre.Verdict || st.Score != pre.Score):
		return fmt.Sprintf("its judgement went from %s %d to %s %d", pre.Verdict, pre.Score, st.Verdict, st.Score)
	}
	return ""
}

// boardCase is a rejudged submission whose score changed: the cells of
// its learner's row that show its new judgement.
type boardCase struct {
	rec      *record
	key      cellKey
	old, now expectation
	// shows are the states of the cell its new judgement explains and its
	// old one does not, each with the time the learner's stream had shown
	// every new verdict it needs (the earliest, over the combinations of
	// the learner's submissions judged again that make it).
	shows map[codementor.QuestionCell]time.Time
}

// boardCases returns the rejudged submissions of the question whose
// score changed and whose change the leaderboard can show, and counts
// them (and those it cannot) in rep. For each learner it computes the
// cell for every combination of their submissions there judged again or
// not, from their states before and their new verdicts: a submission is
// shown by the cells that come only with its new judgement.
func (c *contestRun) boardCases(qid string, targets []*record, snaps map[*record]seen, rep *RejudgeBoard) []*boardCase {
	qi := slices.IndexFunc(c.contest.Questions, func(q codementor.ContestQuestion) bool { return q.QuestionID == qid })
	byUser := map[string][]*record{}
	var users []string
	for _, rec := range targets {
		u := rec.learner.user
		if byUser[u] == nil {
			users = append(users, u)
		}
		byUser[u] = append(byUser[u], rec)
	}
	var out []*boardCase
	for _, u := range users {
		recs := byUser[u]
		olds := make([]*codementor.StandingEntry, len(recs))
		news := make([]*codementor.StandingEntry, len(recs))
		judgedAt := make([]time.Time, len(recs)) // the new verdict on the stream
		var mine []int                           // the submissions whose score changed
		for i, rec := range recs {
			sn, pre := snaps[rec], c.states[rec.id]
			if pre == nil {
				continue // not read before: not counted on either side
			}
			entry := func(v codementor.Verdict, score int) *codementor.StandingEntry {
				return &codementor.StandingEntry{QuestionID: qid, Verdict: v, Score: score, MaxScore: pre.MaxScore, CreatedAt: pre.CreatedAt}
			}
			if pre.Verdict != "" {
				olds[i] = entry(pre.Verdict, pre.Score)
			}
			// Not judged again (yet): the board keeps the old judgement.
			news[i] = olds[i]
			if sn.again.verdict != "" {
				news[i] = entry(sn.again.verdict, sn.again.score)
				judgedAt[i] = sn.again.verdictAt
				if olds[i] != nil && news[i].Score != olds[i].Score {
					mine = append(mine, i)
				}
			}
		}
		rep.ScoreChanged += len(mine)
		if len(mine) == 0 {
			continue
		}
		if len(recs) > maxTellApart || qi < 0 {
			rep.Masked += len(mine)
			continue
		}
		cells := make([]codementor.QuestionCell, 1<<len(recs))
		// ready[mask] is when the stream had shown the new verdicts of
		// mask's submissions; zero when one of them has none (the same
		// cell comes without it).
		ready := make([]time.Time, len(cells))
		for mask := range cells {
			for i := range recs {
				if mask&(1<<i) == 0 {
					continue
				}
				if judgedAt[i].IsZero() {
					ready[mask] = time.Time{}
					break
				}
				if judgedAt[i].After(ready[mask]) {
					ready[mask] = judgedAt[i]
				}
			}
			st := &codementor.Standing{ContestID: c.id, User: u, Entries: map[string]codementor.StandingEntry{}}
			for i, rec := range recs {
				e := olds[i]
				if mask&(1<<i) != 0 {
					e = news[i]
				}
				if e != nil {
					st.Entries[rec.id] = *e
				}
			}
			cell := c.contest.Row(u, st, time.Time{}).Questions[qi]
			cell.Label = ""
			cells[mask] = cell
		}
		for _, i := range mine {
			with, without := map[codementor.QuestionCell]time.Time{}, map[codementor.QuestionCell]bool{}
			for mask, cell := range cells {
				switch {
				case mask&(1<<i) == 0:
					without[cell] = true
				case ready[mask].IsZero():
				case with[cell].IsZero() || ready[mask].Before(with[cell]):
					with[cell] = ready[mask]
				}
			}
			for cell := range without {
				delete(with, cell)
			}
			if len(with) == 0 {
				rep.Masked++
				continue
			}
			out = append(out, &boardCase{rec: recs[i], key: cellKey{u, qid},
				old: expectation{olds[i].Verdict, olds[i].Score}, now: expectation{news[i].Verdict, news[i].Score}, shows: with})
		}
	}
	return out
}

// showsLocked reports when the streams first showed bc, and from when
// the learner's stream had shown what that state of the cell needs; the
// caller holds b.mu.
func (b *board) showsLocked(bc *boardCase) (at, from time.Time, ok bool) {
	for _, s := range b.cells[bc.key] {
		if from, ok := bc.shows[s.cell]; ok {
			return s.at, from, true
		}
	}
	return time.Time{}, time.Time{}, false
}

// rejudgeLatencies fills the leaderboard's part of the rejudge report.
func (b *board) rejudgeLatencies(cases []*boardCase, rep *RejudgeBoard) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var sample []time.Duration
	for _, bc := range cases {
		at, from, ok := b.showsLocked(bc)
		if !ok {
			rep.Missing++
			if len(rep.MissingExamples) < 5 {
				last := "nothing"
				if log := b.cells[bc.key]; len(log) > 0 {
					cell := log[len(log)-1].cell
					last = fmt.Sprintf("%v points, %d tries, %d rejected, solved %v", cell.Score, cell.Tries, cell.Rejected, cell.Solved)
				}
				rep.MissingExamples = append(rep.MissingExamples, fmt.Sprintf("%s's submission %s to %s (%s %d, judged again %s %d): the cell showed %s at last",
					bc.key.user, bc.rec.id, bc.key.question, bc.old.Verdict, bc.old.Score, bc.now.Verdict, bc.now.Score, last))
			}
			continue
		}
		d := at.Sub(from)
		if d < 0 {
			rep.Ahead++
			d = 0
		}
		sample = append(sample, d)
	}
	rep.UpdateLatency = summarize(sample)
}

// eventCount is the number of events the streams received so far.
func (b *board) eventCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.events
}

// problems are the reasons the rejudge failed the run.
func (r *RejudgeReport) problems() []string {
	var why []string
	switch {
	case r.NotMade != "":
		why = append(why, "not made: "+r.NotMade)
	case r.Interrupted:
		why = append(why, "interrupted")
	default:
		url := "/api/questions/" + r.Question + "/rejudge"
		switch {
		case r.Offer == nil:
			why = append(why, fmt.Sprintf("the answer to the PUT of the changed question offered no rejudge (want \"rejudge\": {\"submissions\": %d or more, \"url\": %q})", r.Rejudged, url))
		case r.Offer.Submissions < r.Rejudged || r.Offer.URL != url:
			why = append(why, fmt.Sprintf("the answer to the PUT of the changed question offered a rejudge of %d submissions at %q; want %d or more at %q",
				r.Offer.Submissions, r.Offer.URL, r.Rejudged, url))
		}
		if r.Queued != r.Rejudged {
			why = append(why, fmt.Sprintf("the rejudge's 202 counts %d submissions; the contest has %d to %s", r.Queued, r.Rejudged, r.Question))
		}
		if r.Wrong > 0 {
			why = append(why, fmt.Sprintf("%d of %d rejudged submissions judged wrongly in the new round, %d of them of a kind the change leaves alone (first: %s)",
				r.Wrong, r.Rejudged, r.UnexpectedChanges, r.WrongExamples[0]))
		}
		if r.Unfinished > 0 {
			why = append(why, fmt.Sprintf("%d of %d rejudged submissions not final in a new round within --timeout (first: %s)", r.Unfinished, r.Rejudged, r.UnfinishedExamples[0]))
		}
		if r.OthersTouched > 0 {
			why = append(why, fmt.Sprintf("the rejudge of %s touched %d of the %d submissions to the other questions (first: %s)", r.Question, r.OthersTouched, r.Others, r.OthersExamples[0]))
		}
		if r.Board.Missing > 0 {
			why = append(why, fmt.Sprintf("the leaderboard stream never showed %d of %d changed scores (first: %s)",
				r.Board.Missing, r.Board.Missing+r.Board.UpdateLatency.Count, r.Board.MissingExamples[0]))
		}
		why = append(why, r.Check.problems("after it, ")...)
	}
	if r.RestoreError != "" {
		why = append(why, "the question was not put back: "+r.RestoreError)
	}
	for i := range why {
		why[i] = "rejudge: " + why[i]
	}
	return why
}

// writeTable writes the rejudge's part of the report.
func (r *RejudgeReport) writeTable(b *strings.Builder) {
	fmt.Fprintf(b, "\nrejudge %s of %s: hidden test %d expects %s instead of %s\n", r.ID, r.Question, r.Test, r.Now, r.Was)
	restored := "  the question was put back as it was afterwards (its submissions keep the judgements of the changed test)\n"
	if !r.Restored {
		restored = fmt.Sprintf("  the question was NOT put back: %s\n", orNone(r.RestoreError))
	}
	if r.NotMade != "" {
		fmt.Fprintf(b, "  not made: %s\n%s", r.NotMade, restored)
		return
	}
	if r.Offer != nil {
		fmt.Fprintf(b, "  PUT of the changed question: 200 with a rejudge offer of %d submissions (%s)\n", r.Offer.Submissions, r.Offer.URL)
	} else {
		b.WriteString("  PUT of the changed question: no rejudge offered\n")
	}
	fmt.Fprintf(b, "  POST rejudge of %s in the contest: 202, %d submissions queued (the contest has %d to it)\n", r.Question, r.Queued, r.Rejudged)
	fmt.Fprintf(b, "  %-9s %6s  %-24s  %-24s %8s %6s\n", "kind", "count", "before", "after", "changed", "wrong")
	for _, k := range r.Kinds {
		note := ""
		if k.Before == k.After {
			note = "  (unaffected)"
		}
		fmt.Fprintf(b, "  %-9s %6d  %-24s  %-24s %8d %6d%s\n", k.Kind, k.Count, fmt.Sprintf("%s %d", k.Before.Verdict, k.Before.Score),
			fmt.Sprintf("%s %d", k.After.Verdict, k.After.Score), k.Changed, k.Wrong, note)
	}
	fmt.Fprintf(b, "  rejudged %d: %d final in the new round, %d changed, %d unchanged, %d wrong (%d unexpected changes), %d not final\n",
		r.Rejudged, r.Final, r.Changed, r.Unchanged, r.Wrong, r.UnexpectedChanges, r.Unfinished)
	for _, e := range append(slices.Clone(r.WrongExamples), r.UnfinishedExamples...) {
		fmt.Fprintf(b, "    %s\n", e)
	}
	fmt.Fprintf(b, "  other questions: %d submissions, %d touched (a new round, a history or another judgement)\n", r.Others, r.OthersTouched)
	for _, e := range r.OthersExamples {
		fmt.Fprintf(b, "    %s\n", e)
	}
	fmt.Fprintf(b, "%-24s %7s %9s %9s %9s %9s\n", "  latency (ms)", "count", "p50", "p90", "p99", "max")
	for _, l := range []struct {
		label string
		l     Latency
	}{{"rejudge → new verdict", r.JudgedAgain}, {"leaderboard update", r.Board.UpdateLatency}} {
		fmt.Fprintf(b, "  %-22s %7d %9.1f %9.1f %9.1f %9.1f\n", l.label, l.l.Count, l.l.P50MS, l.l.P90MS, l.l.P99MS, l.l.MaxMS)
	}
	fmt.Fprintf(b, "  (rejudge → new verdict: from the POST to the new round's verdict on the learner's stream; leaderboard update: per rejudged submission whose score changed (%d), from its new verdict on the learner's stream (and those of the learner's other submissions to the question the cell's new state needs) to the first leaderboard event whose cell shows it; %d shown ahead of the learner's stream (as 0), %d masked by another submission of the learner, %d never shown; %d events)\n",
		r.Board.ScoreChanged, r.Board.Ahead, r.Board.Masked, r.Board.Missing, r.Board.Events)
	for _, e := range r.Board.MissingExamples {
		fmt.Fprintf(b, "    %s\n", e)
	}
	b.WriteString("  after the rejudge:\n")
	r.Check.write(b)
	b.WriteString(restored)
}
