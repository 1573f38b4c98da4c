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

	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
)

// contestRun is the contest of a --contest run: its admin, the contest as
// the generator wrote it, and the admin's leaderboard streams.
type contestRun struct {
	r          *runner
	id         string
	adminUser  string
	adminToken string
	contest    codementor.Contest
	// created are the questions the run wrote (the service lacked them or
	// had another version).
	created []string
	board   *board
	// states are the submissions' final states the contest's check read.
	states map[string]*codementor.Submission
}

func newContestRun(r *runner) *contestRun {
	c := &contestRun{r: r, id: "loadgen-" + r.runID, adminUser: fmt.Sprintf("loadgen-%s-admin", r.runID)}
	c.board = &board{api: r.api, contestID: c.id, pages: (r.cfg.Learners + boardPage - 1) / boardPage}
	return c
}

// prepare signs the admin in, writes the contest's questions the service
// lacks and the contest itself, running from now until after the run.
func (c *contestRun) prepare(ctx context.Context, progress io.Writer) error {
	a := c.r.api
	if err := a.checkReady(ctx); err != nil {
		return err
	}
	tok, err := a.loginAs(ctx, c.adminUser, true)
	if err != nil {
		return err
	}
	c.adminToken = tok
	var session struct {
		Admin bool `json:"admin"`
	}
	if r, err := a.get(ctx, "/api/session", tok, &session); err != nil {
		return err
	} else if r.status == http.StatusOK && !session.Admin {
		return fmt.Errorf("the dev sign-in at %s did not grant the admin role to %s (GET /api/session says admin: false); "+
			"the contest run creates its questions and contest as admin", a.base, c.adminUser)
	}
	for _, id := range c.r.cfg.Questions {
		wrote, err := c.ensureQuestion(ctx, id)
		if err != nil {
			return err
		}
		if wrote {
			c.created = append(c.created, id)
		}
	}
	if len(c.created) > 0 {
		fmt.Fprintf(progress, "loadgen: wrote the questions %s\n", strings.Join(c.created, ", "))
	}
	return c.putContest(ctx)
}

// ensureQuestion writes the generator's question id unless the service
// has it already, as the generator would write it, and reports whether it
// wrote it. A question the service ships (a-plus-b) must be there.
func (c *contestRun) ensureQuestion(ctx context.Context, id string) (bool, error) {
	a := c.r.api
	cq := contestQuestions[id]
	var have servedQuestion
	r, err := a.get(ctx, "/api/questions/"+id, c.adminToken, &have)
	if err != nil {
		return false, err
	}
	switch {
	case r.status == http.StatusNotFound && cq.question == nil:
		return false, fmt.Errorf("the service at %s has no question %q (it ships with the service: was it deleted?)", a.base, id)
	case r.status == http.StatusOK && cq.question == nil:
		return false, nil
	case r.status != http.StatusOK && r.status != http.StatusNotFound:
		return false, fmt.Errorf("GET /api/questions/%s answered %d: %s", id, r.status, r.message())
	}
	q := cq.question()
	if r.status == http.StatusOK && have.same(&q) {
		return false, nil
	}
	if _, err := c.putQuestion(ctx, &q); err != nil {
		return false, err
	}
	return true, nil
}

// putQuestion writes q as the admin and returns the answer, 200 or 201.
func (c *contestRun) putQuestion(ctx context.Context, q *codementor.Question) (*response, error) {
	a := c.r.api
	pctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	r, err := a.do(pctx, http.MethodPut, "/api/questions/"+q.ID, c.adminToken, q)
	if err != nil {
		return nil, a.unreachable("PUT /api/questions/"+q.ID, err)
	}
	if r.status != http.StatusOK && r.status != http.StatusCreated {
		return r, fmt.Errorf("PUT /api/questions/%s answered %d: %s", q.ID, r.status, r.message())
	}
	return r, nil
}

// servedQuestion is what GET /api/questions/{id} shows of a question: its
// sample tests only, so the generator compares what it can see.
type servedQuestion struct {
	Title         string               `json:"title"`
	Statement     string               `json:"statement"`
	TimeLimitMS   int                  `json:"time_limit_ms"`
	MemoryLimitMB int                  `json:"memory_limit_mb"`
	Checker       codementor.Checker   `json:"checker"`
	TestCount     int                  `json:"test_count"`
	Tests         []codementor.Test    `json:"tests"`
	Subtasks      []codementor.Subtask `json:"subtasks"`
}

// same reports whether the served question is q, as far as it shows: the
// statement names the version of the hidden data.
func (s *servedQuestion) same(q *codementor.Question) bool {
	var samples []codementor.Test
	for _, t := range q.Tests {
		if !t.Hidden {
			samples = append(samples, t)
		}
	}
	if s.Title != q.Title || s.Statement != q.Statement || s.TimeLimitMS != q.TimeLimitMS || s.MemoryLimitMB != q.MemoryLimitMB ||
		s.Checker != q.Checker || s.TestCount != len(q.Tests) || len(s.Tests) != len(samples) || len(s.Subtasks) != len(q.Subtasks) {
		return false
	}
	for i := range samples {
		if s.Tests[i].Input != samples[i].Input || s.Tests[i].Output != samples[i].Output {
			return false
		}
	}
	for i, st := range q.Subtasks {
		if s.Subtasks[i].Points != st.Points || s.Subtasks[i].Name != st.Name || !slices.Equal(s.Subtasks[i].Tests, st.Tests) {
			return false
		}
	}
	return true
}

// putContest writes the contest: open to the run's learners, from a
// moment ago (by the earlier of this machine's clock and the service's)
// until well after the run, no freeze.
func (c *contestRun) putContest(ctx context.Context) error {
	a := c.r.api
	cfg := c.r.cfg
	pctx, cancel := context.WithTimeout(ctx, setupTimeout)
	defer cancel()
	now := time.Now()
	if r, err := a.do(pctx, http.MethodGet, "/readyz", "", nil); err == nil {
		if t, err := http.ParseTime(r.header.Get("Date")); err == nil && t.Before(now) {
			now = t
		}
	}
	start := now.Add(-2 * time.Second).Truncate(time.Second).UTC()
	end := start.Add(cfg.Duration + cfg.Timeout + cfg.Settle + 2*time.Minute).Truncate(time.Minute).Add(time.Minute)
	ct := codementor.Contest{
		ID: c.id, Title: "Load generator contest " + c.r.runID,
		Description: fmt.Sprintf("%d simulated learners, %d submissions each, over %s (codementor loadgen --contest).", cfg.Learners, cfg.PerLearner, cfg.Duration),
		Start:       start, End: end, Scoring: cfg.Scoring,
	}
	for _, q := range cfg.Questions {
		ct.Questions = append(ct.Questions, codementor.ContestQuestion{QuestionID: q, Points: contestQuestions[q].points})
	}
	for _, l := range c.r.learners {
		ct.Participants = append(ct.Participants, l.user)
	}
	ct.Normalize()
	r, err := a.do(pctx, http.MethodPut, "/api/contests/"+c.id, c.adminToken, &ct)
	if err != nil {
		return a.unreachable("PUT /api/contests/"+c.id, err)
	}
	switch r.status {
	case http.StatusOK, http.StatusCreated:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return fmt.Errorf("the service at %s has no contests (PUT /api/contests/%s answered %d: %s); the contest run needs a service with contests and leaderboards", a.base, c.id, r.status, r.message())
	default:
		return fmt.Errorf("PUT /api/contests/%s answered %d: %s", c.id, r.status, r.message())
	}
	c.contest = ct
	return nil
}

// servedContest is what GET /api/contests/{id} shows a learner.
type servedContest struct {
	Phase          codementor.Phase `json:"phase"`
	CanParticipate bool             `json:"can_participate"`
	Questions      []struct {
		QuestionID string `json:"question_id"`
		Label      string `json:"label"`
		Points     int    `json:"points"`
	} `json:"questions"`
	QuestionsHidden bool `json:"questions_hidden"`
}

// read has every learner join as a learner does: the list of contests,
// the contest, and each of its questions.
func (c *contestRun) read(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(loginParallelism)
	for _, l := range c.r.learners {
		g.Go(func() error { return c.readAs(gctx, l) })
	}
	return g.Wait()
}

func (c *contestRun) readAs(ctx context.Context, l *learner) error {
	a := c.r.api
	var list []struct {
		ID string `json:"id"`
	}
	r, err := a.get(ctx, "/api/contests", l.token, &list)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET /api/contests as %s answered %d: %s", l.user, r.status, r.message())
	}
	if !slices.ContainsFunc(list, func(x struct {
		ID string `json:"id"`
	}) bool {
		return x.ID == c.id
	}) {
		return fmt.Errorf("GET /api/contests as %s does not list the contest %s just written", l.user, c.id)
	}
	var ct servedContest
	path := "/api/contests/" + c.id
	if r, err = a.get(ctx, path, l.token, &ct); err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("GET %s as %s answered %d: %s", path, l.user, r.status, r.message())
	}
	if ct.Phase != codementor.PhaseRunning || !ct.CanParticipate || ct.QuestionsHidden || len(ct.Questions) != len(c.contest.Questions) {
		return fmt.Errorf("GET %s as %s: phase %q, can_participate %v, %d questions (hidden %v); want a running contest of %d questions the learner may take part in (the contest starts at %s: are the clocks of this machine and the service apart?)",
			path, l.user, ct.Phase, ct.CanParticipate, len(ct.Questions), ct.QuestionsHidden, len(c.contest.Questions), c.contest.Start.Format(time.RFC3339))
	}
	for _, q := range ct.Questions {
		if r, err = a.get(ctx, "/api/questions/"+q.QuestionID, l.token, nil); err != nil {
			return err
		}
		if r.status != http.StatusOK {
			return fmt.Errorf("GET /api/questions/%s as %s answered %d: %s", q.QuestionID, l.user, r.status, r.message())
		}
	}
	return nil
}

// finish waits for the leaderboard to show every judgement (up to
// Settle), measures the update latencies, and checks the leaderboard
// against the final states.
func (c *contestRun) finish(ctx context.Context, progress io.Writer) *ContestReport {
	cfg := c.r.cfg
	rep := &ContestReport{
		ID: c.id, Scoring: c.contest.Scoring, Questions: c.contest.Questions, Start: c.contest.Start, End: c.contest.End,
		PerLearner: cfg.PerLearner, Kinds: map[string]int{}, QuestionsWritten: c.created,
		Board: BoardReport{Streams: c.board.pages, MaxP99MS: ms(cfg.MaxBoardP99)},
	}
	for _, rec := range c.r.records {
		rep.Kinds[rec.Kind]++
	}
	deadline := time.Now().Add(cfg.Settle)
	judged := c.judged()
	if ctx.Err() == nil {
		fmt.Fprintf(progress, "loadgen: waiting up to %s for the leaderboard to show the %d judgements\n", cfg.Settle, len(judged))
		c.board.awaitShown(ctx, judged, deadline)
	}
	states := map[string]*codementor.Submission{}
	if ctx.Err() != nil {
		rep.Check.Reason = "interrupted"
	} else {
		c.check(ctx, deadline, states, &rep.Check)
	}
	c.states = states
	c.board.latencies(judged, states, &rep.Board)
	return rep
}

// judgement is a submission whose verdict its learner's stream showed:
// the leaderboard should show it too.
type judgement struct {
	rec       *record
	key       cellKey
	ordinal   int // among its learner's judgements of its question, by verdict time, from 1
	verdictAt time.Time
}

// judged returns the run's judgements, numbered per learner and question
// in the order their learners' streams showed the verdicts.
func (c *contestRun) judged() []judgement {
	var out []judgement
	for _, l := range c.r.learners {
		l.mu.Lock()
		for _, rec := range l.subs {
			if !rec.obs.verdictAt.IsZero() {
				out = append(out, judgement{rec: rec, key: cellKey{l.user, rec.Question}, verdictAt: rec.obs.verdictAt})
			}
		}
		l.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b judgement) int {
		if d := strings.Compare(a.key.user, b.key.user); d != 0 {
			return d
		}
		if d := strings.Compare(a.key.question, b.key.question); d != 0 {
			return d
		}
		if d := a.verdictAt.Compare(b.verdictAt); d != 0 {
			return d
		}
		return a.rec.Index - b.rec.Index
	})
	for i := range out {
		out[i].ordinal = 1
		if i > 0 && out[i-1].key == out[i].key {
			out[i].ordinal = out[i-1].ordinal + 1
		}
	}
	return out
}

// ContestReport is what a contest run adds to the report.
type ContestReport struct {
	ID         string                       `json:"id"`
	Scoring    codementor.Scoring           `json:"scoring"`
	Questions  []codementor.ContestQuestion `json:"questions"`
	Start      time.Time                    `json:"start"`
	End        time.Time                    `json:"end"`
	PerLearner int                          `json:"per_learner"`
	// Kinds counts the planned submissions per kind of program.
	Kinds map[string]int `json:"kinds"`
	// QuestionsWritten are the questions the run created or replaced.
	QuestionsWritten []string    `json:"questions_written"`
	Board            BoardReport `json:"leaderboard"`
	Check            CheckReport `json:"check"`
	// Rejudge is what --rejudge did afterwards, nil without it.
	Rejudge *RejudgeReport `json:"rejudge,omitempty"`
}

// BoardReport is what the admin's leaderboard streams showed.
type BoardReport struct {
	// Streams is the number of streams (one per page of 500 rows).
	Streams int `json:"streams"`
	// UpdateLatency is, per judgement, from its verdict on its learner's
	// stream to the first leaderboard event whose row shows it (the cell's
	// tries reaching the judgement's ordinal among the learner's
	// judgements of the question).
	UpdateLatency Latency `json:"update_latency"`
	// FromJudged is, per judgement, from its judged_at (the service's
	// clock) to the same leaderboard event: the whole way from the
	// verdict through the standings to the stream, meaningful when the
	// generator runs on the service's machine (one clock).
	FromJudged Latency `json:"judged_to_update"`
	// Ahead counts updates the leaderboard showed before the learner's
	// stream showed the verdict; they count as 0 ms.
	Ahead int `json:"ahead"`
	// Missing counts judgements no leaderboard event ever showed;
	// MissingExamples names a few.
	Missing         int      `json:"missing"`
	MissingExamples []string `json:"missing_examples,omitempty"`
	// Events counts the events received (leaderboard and rows).
	Events           int `json:"events"`
	StreamReconnects int `json:"stream_reconnects"`
	BadEvents        int `json:"bad_events"`
	// MaxP99MS is --max-leaderboard-p99 (0: not checked).
	MaxP99MS float64 `json:"max_p99_ms"`
}

// CheckReport is the comparison of the final leaderboard with the one
// recomputed from every submission's final state.
type CheckReport struct {
	// Checked: the comparison was made; Reason says why not.
	Checked bool   `json:"checked"`
	Reason  string `json:"reason,omitempty"`
	// Attempts counts the comparisons made until they agreed or Settle
	// passed (the leaderboard is eventually consistent).
	Attempts int `json:"attempts"`
	// Rows is the number of rows recomputed; Graded the submissions with a
	// verdict they were computed from.
	Rows   int `json:"rows"`
	Graded int `json:"graded"`
	// Mismatches counts the rows that differ (a row missing or extra
	// included); Examples describes the first.
	Mismatches int      `json:"mismatches"`
	Examples   []string `json:"examples,omitempty"`
	// StreamMismatches counts rows where the rows the stream sent, applied
	// as diffs by user, differ from the leaderboard (checked with one
	// stream only).
	StreamMismatches int      `json:"stream_mismatches"`
	StreamExamples   []string `json:"stream_examples,omitempty"`
	StreamChecked    bool     `json:"stream_checked"`
	// Top is the head of the final leaderboard.
	Top []codementor.LeaderboardRow `json:"top"`
}

// mustJSON is for messages.
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// problems are the reasons the contest part of a run failed.
func (c *ContestReport) problems() []string {
	var why []string
	b := &c.Board
	if b.Missing > 0 {
		why = append(why, fmt.Sprintf("the leaderboard stream never showed %d of %d judgements (first: %s)",
			b.Missing, b.Missing+b.UpdateLatency.Count, b.MissingExamples[0]))
	}
	if b.MaxP99MS > 0 && b.UpdateLatency.Count > 0 && b.UpdateLatency.P99MS >= b.MaxP99MS {
		why = append(why, fmt.Sprintf("leaderboard update p99 %.1f ms, not under --max-leaderboard-p99 %.0f ms", b.UpdateLatency.P99MS, b.MaxP99MS))
	}
	why = append(why, c.Check.problems("")...)
	if c.Rejudge != nil {
		why = append(why, c.Rejudge.problems()...)
	}
	return why
}

// problems are the reasons the check failed, each after prefix.
func (k *CheckReport) problems(prefix string) []string {
	var why []string
	switch {
	case !k.Checked:
		why = append(why, prefix+"the leaderboard was not checked: "+orNone(k.Reason))
	case k.Mismatches > 0:
		why = append(why, fmt.Sprintf("%sthe leaderboard differs from the recomputation from the final states in %d of %d rows (first: %s)",
			prefix, k.Mismatches, k.Rows, k.Examples[0]))
	}
	if k.StreamMismatches > 0 {
		why = append(why, fmt.Sprintf("%sthe leaderboard stream's rows, applied by user, differ from the leaderboard in %d rows (first: %s)",
			prefix, k.StreamMismatches, k.StreamExamples[0]))
	}
	return why
}

// writeTable writes the contest part of the report.
func (c *ContestReport) writeTable(b *strings.Builder) {
	fmt.Fprintf(b, "\ncontest %s (%s), %s to %s\n", c.ID, c.Scoring, c.Start.Format(time.RFC3339), c.End.Format(time.RFC3339))
	if len(c.QuestionsWritten) > 0 {
		fmt.Fprintf(b, "  questions written: %s\n", strings.Join(c.QuestionsWritten, ", "))
	}
	l := c.Board.UpdateLatency
	fmt.Fprintf(b, "%-24s %7s %9s %9s %9s %9s\n", "  latency (ms)", "count", "p50", "p90", "p99", "max")
	fmt.Fprintf(b, "  %-22s %7d %9.1f %9.1f %9.1f %9.1f\n", "leaderboard update", l.Count, l.P50MS, l.P90MS, l.P99MS, l.MaxMS)
	if j := c.Board.FromJudged; j.Count > 0 {
		fmt.Fprintf(b, "  %-22s %7d %9.1f %9.1f %9.1f %9.1f\n", "judged_at → update", j.Count, j.P50MS, j.P90MS, j.P99MS, j.MaxMS)
	}
	fmt.Fprintf(b, "  (leaderboard update: from the verdict on the learner's stream to the row on the admin's leaderboard stream; judged_at → update: from the verdict's time on the service's clock; %d events on %d stream(s), %d shown ahead of the learner's stream (as 0), %d never shown, %d reconnects, %d undecodable)\n",
		c.Board.Events, c.Board.Streams, c.Board.Ahead, c.Board.Missing, c.Board.StreamReconnects, c.Board.BadEvents)
	c.Check.write(b)
	if c.Rejudge != nil {
		c.Rejudge.writeTable(b)
	}
}

// write writes the check's lines.
func (k *CheckReport) write(b *strings.Builder) {
	switch {
	case !k.Checked:
		fmt.Fprintf(b, "  check: not made: %s\n", orNone(k.Reason))
	case k.Mismatches == 0:
		fmt.Fprintf(b, "  check: the leaderboard's %d rows equal the recomputation from %d graded submissions' final states (attempt %d)\n", k.Rows, k.Graded, k.Attempts)
	default:
		fmt.Fprintf(b, "  check: %d of %d rows differ from the recomputation from %d graded submissions (after %d attempts):\n", k.Mismatches, k.Rows, k.Graded, k.Attempts)
		for _, e := range k.Examples {
			fmt.Fprintf(b, "    %s\n", e)
		}
	}
	if k.StreamChecked && k.Checked {
		if k.StreamMismatches == 0 {
			b.WriteString("  stream: the rows it sent, applied by user, equal the leaderboard\n")
		} else {
			fmt.Fprintf(b, "  stream: %d rows differ from the leaderboard:\n", k.StreamMismatches)
			for _, e := range k.StreamExamples {
				fmt.Fprintf(b, "    %s\n", e)
			}
		}
	}
	if len(k.Top) > 0 {
		b.WriteString("  top of the leaderboard:\n")
		for i := range k.Top[:min(len(k.Top), 5)] {
			fmt.Fprintf(b, "    %s\n", describeRow(&k.Top[i]))
		}
	}
}
