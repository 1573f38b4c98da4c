package loadgen

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
)

// maxExamples is how many mismatches a report describes.
const maxExamples = 10

// check compares the leaderboard with one recomputed from every
// submission's final state, with the service's own rules
// (codementor.ApplyResult, Contest.Row, Contest.RankRows), again until they
// agree or deadline passes: the board is eventually consistent. The
// states it read are left in states.
func (c *contestRun) check(ctx context.Context, deadline time.Time, states map[string]*codementor.Submission, rep *CheckReport) {
	for {
		rep.Attempts++
		want, graded, err := c.recompute(ctx, states)
		if err == nil {
			var got []codementor.LeaderboardRow
			if got, err = c.fetchBoard(ctx); err == nil {
				rep.Checked = true
				rep.Rows, rep.Graded = len(want), graded
				rep.Mismatches, rep.Examples = compareRows(want, got)
				rep.StreamChecked = c.board.pages == 1
				if rep.StreamChecked {
					rep.StreamMismatches, rep.StreamExamples = compareRows(got, sortedRows(c.board.streamRows()))
				}
				rep.Top = got[:min(len(got), 10)]
				if rep.Mismatches == 0 && rep.StreamMismatches == 0 {
					return
				}
			}
		}
		if err != nil {
			rep.Checked, rep.Reason = false, err.Error()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return
		}
		select {
		case <-time.After(500 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// recompute fetches the final state of every submission the API accepted
// (those not final in states again) and computes the ranked leaderboard
// from them: a row for every learner who submitted. It returns the rows
// and the number of graded submissions they hold.
func (c *contestRun) recompute(ctx context.Context, states map[string]*codementor.Submission) ([]codementor.LeaderboardRow, int, error) {
	a := c.r.api
	var ct codementor.Contest
	r, err := a.get(ctx, "/api/contests/"+c.id, c.adminToken, &ct)
	if err != nil {
		return nil, 0, err
	}
	if r.status != http.StatusOK {
		return nil, 0, fmt.Errorf("GET /api/contests/%s answered %d: %s", c.id, r.status, r.message())
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(loginParallelism)
	users := map[string]bool{}
	for _, rec := range c.r.records {
		if rec.id == "" {
			continue
		}
		users[rec.learner.user] = true
		mu.Lock() // the reads below write states
		s := states[rec.id]
		mu.Unlock()
		if s != nil && s.Final() {
			continue
		}
		g.Go(func() error {
			var s codementor.Submission
			path := "/api/submissions/" + rec.id
			r, err := a.get(gctx, path, rec.learner.token, &s)
			if err != nil {
				return err
			}
			if r.status != http.StatusOK {
				return fmt.Errorf("GET %s as %s answered %d: %s", path, rec.learner.user, r.status, r.message())
			}
			if s.ID != rec.id || s.ContestID != c.id || s.User != rec.learner.user {
				return fmt.Errorf("GET %s: submission %q of %q in contest %q, want %s of %s in %s", path, s.ID, s.User, s.ContestID, rec.id, rec.learner.user, c.id)
			}
			mu.Lock()
			states[rec.id] = &s
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, fmt.Errorf("read the submissions' final states: %w", err)
	}
	rows, graded := Recompute(&ct, states, slices.Collect(maps.Keys(users)))
	return rows, graded, nil
}

// Recompute is the leaderboard of contest from its submissions' states:
// each graded one (a verdict in) folded into its user's standing as the
// standings group folds results, then a row per user (every one of users,
// with or without graded submissions) ranked by the contest's rule. It also
// returns the number of graded submissions.
func Recompute(contest *codementor.Contest, states map[string]*codementor.Submission, users []string) ([]codementor.LeaderboardRow, int) {
	standings := map[string]*codementor.Standing{}
	graded := 0
	ids := slices.Sorted(maps.Keys(states))
	for _, id := range ids {
		s := states[id]
		if !s.Graded() || s.ContestID != contest.ID {
			continue
		}
		graded++
		res := &codementor.Result{SubmissionID: s.ID, User: s.User, QuestionID: s.QuestionID, ContestID: s.ContestID,
			Language: s.Language, Judgement: s.Judgement(), CreatedAt: s.CreatedAt, At: s.JudgedAt}
		if next := codementor.ApplyResult(standings[s.User], res, s.JudgedAt); next != nil {
			standings[s.User] = next
		}
	}
	rows := make([]codementor.LeaderboardRow, 0, len(users))
	for _, u := range users {
		rows = append(rows, contest.Row(u, standings[u], time.Time{}))
	}
	contest.RankRows(rows)
	return rows, graded
}

// fetchBoard reads the whole leaderboard, page by page, as the admin (the
// live board).
func (c *contestRun) fetchBoard(ctx context.Context) ([]codementor.LeaderboardRow, error) {
	var all []codementor.LeaderboardRow
	for offset := 0; ; {
		var page struct {
			Total int                         `json:"total"`
			Rows  []codementor.LeaderboardRow `json:"rows"`
		}
		path := fmt.Sprintf("/api/contests/%s/leaderboard?offset=%d&limit=%d", c.id, offset, boardPage)
		r, err := c.r.api.get(ctx, path, c.adminToken, &page)
		if err != nil {
			return nil, err
		}
		if r.status != http.StatusOK {
			return nil, fmt.Errorf("GET %s answered %d: %s", path, r.status, r.message())
		}
		all = append(all, page.Rows...)
		offset += len(page.Rows)
		if len(page.Rows) == 0 || offset >= page.Total {
			return all, nil
		}
	}
}

// compareRows compares two leaderboards row by row (rank, user, score,
// solved, penalty, the tie-break time, every question's cell) and returns
// the number of rows that differ and a description of the first.
func compareRows(want, got []codementor.LeaderboardRow) (int, []string) {
	n := 0
	var examples []string
	note := func(format string, args ...any) {
		n++
		if len(examples) < maxExamples {
			examples = append(examples, fmt.Sprintf(format, args...))
		}
	}
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			note("row %d missing: want %s", i+1, describeRow(&want[i]))
		case i >= len(want):
			note("row %d extra: got %s", i+1, describeRow(&got[i]))
		case !sameRow(&want[i], &got[i]):
			note("row %d: want %s, got %s", i+1, describeRow(&want[i]), describeRow(&got[i]))
		}
	}
	return n, examples
}

func sameRow(a, b *codementor.LeaderboardRow) bool {
	return a.Rank == b.Rank && a.User == b.User && a.Score == b.Score && a.Solved == b.Solved && a.Penalty == b.Penalty &&
		a.Last.Equal(b.Last) && slices.Equal(a.Questions, b.Questions)
}

// describeRow is a row in a line: "#2 ann 140 (1 solved, penalty 0, last
// 12:00:03.5) A 40/2 tries, B 100/1 solved@0".
func describeRow(r *codementor.LeaderboardRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s %v (%d solved, penalty %d", r.Rank, r.User, r.Score, r.Solved, r.Penalty)
	if !r.Last.IsZero() {
		fmt.Fprintf(&b, ", last %s", r.Last.UTC().Format("15:04:05.000"))
	}
	b.WriteString(")")
	for _, q := range r.Questions {
		name := q.Label
		if name == "" {
			name = q.QuestionID
		}
		fmt.Fprintf(&b, " %s %v/%d tries", name, q.Score, q.Tries)
		if q.Rejected > 0 {
			fmt.Fprintf(&b, " %d rejected", q.Rejected)
		}
		if q.Solved {
			fmt.Fprintf(&b, " solved@%d", q.SolvedMinute)
		}
		if q.Pending > 0 {
			fmt.Fprintf(&b, " %d pending", q.Pending)
		}
	}
	return b.String()
}

// sortedRows orders rows by rank, then user, as the board lists them.
func sortedRows(m map[string]codementor.LeaderboardRow) []codementor.LeaderboardRow {
	rows := make([]codementor.LeaderboardRow, 0, len(m))
	for _, r := range m {
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b codementor.LeaderboardRow) int {
		if a.Rank != b.Rank {
			return a.Rank - b.Rank
		}
		return strings.Compare(a.User, b.User)
	})
	return rows
}
