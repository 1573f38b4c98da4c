package systemtest

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/loadgen"
)

// leaderboard is the body of GET /api/contests/{id}/leaderboard.
type leaderboard struct {
	Total   int                         `json:"total"`
	Frozen  bool                        `json:"frozen"`
	Rows    []codementor.LeaderboardRow `json:"rows"`
	Me      *codementor.LeaderboardRow  `json:"me"`
	Version int64                       `json:"version"`
}

// rowsEvent is the data of a leaderboard stream's rows event.
type rowsEvent struct {
	Rows []codementor.LeaderboardRow `json:"rows"`
}

// order lists the users of rows with their scores, best first.
func order(rows []codementor.LeaderboardRow) string {
	var out []string
	for _, r := range rows {
		out = append(out, r.User+"="+strconv.FormatFloat(r.Score, 'f', -1, 64))
	}
	return strings.Join(out, " ")
}

// TestContestEndToEnd: a contest through the whole pipeline. Submissions
// outside the rules are refused; partial scores come from subtasks; the
// leaderboard (a table kept by the standings processor) ranks the
// participants and streams each change. Then the author fixes a wrong test
// and rejudges the question: exactly the affected verdicts and scores
// change, each owner's stream shows the new judgement with the old one in
// its history, and the leaderboard follows, live.
func TestContestEndToEnd(t *testing.T) {
	waitsMostly(t)
	in := start(t, t.TempDir())
	admin := login(t, in.Base, "root", true)
	suffix := strings.ToLower(codementor.NewSubmissionID(time.Now())[16:24])
	alice, bob, carol, dave := testUser("alice"), testUser("bob"), testUser("carol"), testUser("dave")
	qid, cid := "sum-"+suffix, "cup-"+suffix

	// Test 2's expected output is wrong: 100000 + 1 is not 100000.
	q := codementor.Question{ID: qid, Title: "Sum", Statement: "Print a+b.", TimeLimitMS: 2000, MemoryLimitMB: 128,
		Tests: []codementor.Test{{Input: "1 2\n", Output: "3\n"}, {Input: "10 20\n", Output: "30\n", Hidden: true},
			{Input: "100000 1\n", Output: "100000\n", Hidden: true}, {Input: "5000 5000\n", Output: "5000\n", Hidden: true}},
		Subtasks: []codementor.Subtask{{Name: "small", Points: 40, Tests: []int{0, 1}}, {Name: "large", Points: 60, Tests: []int{2, 3}}}}
	if status := admin.do(t, "PUT", "/api/questions/"+qid, q, nil); status != http.StatusCreated {
		t.Fatalf("PUT question: %d", status)
	}
	other := codementor.Question{ID: "other-" + suffix, Title: "Other", TimeLimitMS: 1000, MemoryLimitMB: 64,
		Tests: []codementor.Test{{Input: "1\n", Output: "1\n"}}}
	if status := admin.do(t, "PUT", "/api/questions/"+other.ID, other, nil); status != http.StatusCreated {
		t.Fatalf("PUT question: %d", status)
	}
	now := time.Now().UTC()
	contest := codementor.Contest{ID: cid, Title: "Cup", Start: now.Add(-time.Minute), End: now.Add(time.Hour),
		Questions: []codementor.ContestQuestion{{QuestionID: qid, Points: 100}}, Participants: []string{alice, bob, carol}}
	if status := admin.do(t, "PUT", "/api/contests/"+cid, contest, nil); status != http.StatusCreated {
		t.Fatalf("PUT contest: %d", status)
	}
	later := contest
	later.ID, later.Start, later.End = "later-"+suffix, now.Add(time.Hour), now.Add(2*time.Hour)
	if status := admin.do(t, "PUT", "/api/contests/"+later.ID, later, nil); status != http.StatusCreated {
		t.Fatalf("PUT contest: %d", status)
	}

	const (
		right   = "a, b = map(int, input().split())\nprint(a + b)\n"
		partial = "a, b = map(int, input().split())\nprint(a + b if a < 1000 else a)\n" // right on small numbers only
		wrong   = "print(0)\n"
	)
	clients := map[string]*client{}
	for _, u := range []string{alice, bob, carol, dave} {
		clients[u] = login(t, in.Base, u, false)
	}
	submit := func(user, question, contestID, code string) (int, string, *codementor.Submission) {
		t.Helper()
		status, _, body := clients[user].raw(t, "POST", "/api/submissions",
			map[string]string{"question_id": question, "language": "python", "code": code, "contest_id": contestID})
		var sub codementor.Submission
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if status == http.StatusAccepted {
			if err := json.Unmarshal(body, &sub); err != nil {
				t.Fatal(err)
			}
		} else if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%d %s", status, body)
		}
		return status, e.Error.Code, &sub
	}
	for _, c := range []struct {
		name, user, question, contest string
		status                        int
		code                          string
	}{
		{"not a participant", dave, qid, cid, http.StatusForbidden, "not_a_participant"},
		{"not started", alice, qid, later.ID, http.StatusForbidden, "contest_not_started"},
		{"question not in the contest", alice, other.ID, cid, http.StatusUnprocessableEntity, "question_not_in_contest"},
		{"unknown contest", alice, qid, "nope-" + suffix, http.StatusUnprocessableEntity, "unknown_contest"},
	} {
		if status, code, _ := submit(c.user, c.question, c.contest, right); status != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, status, code, c.status, c.code)
		}
	}

	board := admin.stream(t, "/api/contests/"+cid+"/leaderboard/events", "")
	streams := map[string]*sse{}
	final := map[string]*codementor.Submission{}
	for user, code := range map[string]string{alice: partial, bob: right, carol: wrong} {
		streams[user] = clients[user].stream(t, "/api/events", "")
		status, ecode, sub := submit(user, qid, cid, code)
		if status != http.StatusAccepted {
			t.Fatalf("%s's submission: %d %s", user, status, ecode)
		}
		seen := streams[user].untilFinal(t, sub.ID, finalWithin)
		final[user] = seen[len(seen)-1]
	}
	// With the wrong test, the right program loses the large subtask and
	// the partial one gets it by accident.
	for user, want := range map[string]struct {
		verdict codementor.Verdict
		score   int
	}{alice: {codementor.VerdictAccepted, 100}, bob: {codementor.VerdictWrongAnswer, 40}, carol: {codementor.VerdictWrongAnswer, 0}} {
		s := final[user]
		if s.Verdict != want.verdict || s.Score != want.score || s.MaxScore != 100 || s.ContestID != cid || len(s.Subtasks) != 2 {
			t.Errorf("%s: %s %d/%d in %q, subtasks %+v; want %s %d/100", user, s.Verdict, s.Score, s.MaxScore, s.ContestID, s.Subtasks, want.verdict, want.score)
		}
	}
	waitBoard := func(want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		var got string
		for time.Now().Before(deadline) {
			var lb leaderboard
			admin.do(t, "GET", "/api/contests/"+cid+"/leaderboard", nil, &lb)
			if got = order(lb.Rows); got == want {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("leaderboard %q, want %q", got, want)
	}
	waitBoard(alice + "=100 " + bob + "=40 " + carol + "=0")
	var mine leaderboard
	clients[bob].do(t, "GET", "/api/contests/"+cid+"/leaderboard", nil, &mine)
	if mine.Me == nil || mine.Me.User != bob || mine.Me.Rank != 2 || len(mine.Me.Questions) != 1 || mine.Me.Questions[0].Tries != 1 {
		t.Errorf("bob's own row: %+v", mine.Me)
	}
	// The stream showed every change.
	drainRows(t, board, bob, 40)

	// The author fixes test 2 and rejudges the question.
	q.Tests[2].Output = "100001\n"
	q.Tests[3].Output = "10000\n"
	if status := admin.do(t, "PUT", "/api/questions/"+qid, q, nil); status != http.StatusOK {
		t.Fatalf("PUT question: %d", status)
	}
	var rj struct {
		ID          string `json:"id"`
		Submissions int    `json:"submissions"`
	}
	if status := admin.do(t, "POST", "/api/questions/"+qid+"/rejudge", map[string]string{"reason": "tests 3 and 4 fixed"}, &rj); status != http.StatusAccepted || rj.Submissions != 3 {
		t.Fatalf("rejudge: %d %+v", status, rj)
	}
	for user, want := range map[string]struct {
		verdict, was codementor.Verdict
		score        int
	}{alice: {codementor.VerdictWrongAnswer, codementor.VerdictAccepted, 40}, bob: {codementor.VerdictAccepted, codementor.VerdictWrongAnswer, 100},
		carol: {codementor.VerdictWrongAnswer, codementor.VerdictWrongAnswer, 0}} {
		var s *codementor.Submission
		for s == nil || !(s.Round == 1 && s.Final()) {
			_, s = streams[user].next(t, finalWithin)
		}
		if s.Verdict != want.verdict || s.Score != want.score || len(s.History) != 1 || s.History[0].Verdict != want.was ||
			s.History[0].Reason != "tests 3 and 4 fixed" || s.History[0].RejudgeID != rj.ID || s.Review.Status != final[user].Review.Status {
			t.Errorf("%s rejudged: %s %d, history %+v, review %s", user, s.Verdict, s.Score, s.History, s.Review.Status)
		}
	}
	waitBoard(bob + "=100 " + alice + "=40 " + carol + "=0")
	drainRows(t, board, bob, 100)
}

// drainRows reads the leaderboard stream until it shows user's row with
// score, and fails after a while.
func drainRows(t *testing.T, s *sse, user string, score float64) {
	t.Helper()
	timer := time.NewTimer(15 * time.Second)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatal("the leaderboard stream ended")
			}
			var rows []codementor.LeaderboardRow
			switch ev.Name {
			case "leaderboard":
				var lb leaderboard
				if err := json.Unmarshal(ev.Data, &lb); err != nil {
					t.Fatalf("%s: %v", ev, err)
				}
				rows = lb.Rows
			case "rows":
				var re rowsEvent
				if err := json.Unmarshal(ev.Data, &re); err != nil {
					t.Fatalf("%s: %v", ev, err)
				}
				rows = re.Rows
			}
			for _, r := range rows {
				if r.User == user && r.Score == score {
					return
				}
			}
		case <-timer.C:
			t.Fatalf("the leaderboard stream never showed %s with %v", user, score)
		}
	}
}

// runningContest creates, as admin, an ICPC contest of a-plus-b running
// from a minute ago for an hour, open to everyone.
func runningContest(t *testing.T, admin *client, prefix string) *codementor.Contest {
	t.Helper()
	now := time.Now().UTC()
	c := &codementor.Contest{ID: prefix + "-" + strings.ToLower(codementor.NewSubmissionID(now)[16:24]), Title: prefix, Start: now.Add(-time.Minute),
		End: now.Add(time.Hour), Questions: []codementor.ContestQuestion{{QuestionID: "a-plus-b", Points: 100}}, Scoring: codementor.ScoringICPC}
	if status := admin.do(t, "PUT", "/api/contests/"+c.ID, c, c); status != http.StatusCreated {
		t.Fatalf("PUT contest: %d", status)
	}
	return c
}

// submitIn submits Python code to a-plus-b in contest as c and returns the
// queued submission.
func submitIn(t *testing.T, c *client, contest, code string) *codementor.Submission {
	t.Helper()
	var sub codementor.Submission
	if status := c.do(t, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": code,
		"contest_id": contest}, &sub); status != http.StatusAccepted {
		t.Fatalf("submit in %s: status %d", contest, status)
	}
	return &sub
}

// checkBoard checks that contest's leaderboard comes to equal (it is
// eventually consistent) its recomputation from the final states of
// every submission made in it by users.
func checkBoard(t *testing.T, admin *client, contest *codementor.Contest, finals map[string]*codementor.Submission, users []string) {
	t.Helper()
	want, graded := loadgen.Recompute(contest, finals, users)
	if graded != len(finals) {
		t.Fatalf("%d of %d submissions graded", graded, len(finals))
	}
	var board struct {
		Rows []codementor.LeaderboardRow `json:"rows"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		admin.do(t, "GET", "/api/contests/"+contest.ID+"/leaderboard?limit=500", nil, &board)
		if reflect.DeepEqual(board.Rows, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the leaderboard is %+v, its recomputation %+v", board.Rows, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
