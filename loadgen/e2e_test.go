package loadgen

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/codementor/codementor/internal/devtest"
)

// startService runs a `codementor dev` instance in the process, as the
// system tests do (the embedded broker, the real sandbox), and returns its
// base URL once /readyz says ready.
func startService(t *testing.T) string {
	t.Helper()
	return devtest.Launch(t, devtest.Config(t, t.TempDir()), devtest.Ready).Base
}

// TestEndToEnd drives a real service: Python at 10/s for 3 s from 5
// learners, 30% wrong; a small contest; then one correct and one wrong
// program in every language the service offers.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole service")
	}
	base := startService(t)

	t.Run("python", func(t *testing.T) {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		args := []string{"--url", base, "--rate", "10", "--duration", "3s", "--learners", "5", "--languages", "python",
			"--wrong-ratio", "0.3", "--timeout", "60s", "--json", filepath.Join(dir, "r.json"), "--svg", filepath.Join(dir, "r.svg")}
		code := Main(t.Context(), args, &stdout, &stderr)
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		if code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		data, err := os.ReadFile(filepath.Join(dir, "r.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rep Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		c := rep.Counts
		if !rep.OK || c.Planned != 30 || c.Submitted != 30 || c.Accepted != 30 || c.Rejected != 0 || c.Finished != 30 ||
			c.WrongResults != 0 || c.Unfinished != 0 || c.UnmatchedSubmissions != 0 || c.BadEvents != 0 {
			t.Errorf("report: ok %v %q, counts %+v", rep.OK, rep.Reason, c)
		}
		if rep.Verdicts["accepted"] != 21 || rep.Verdicts["wrong_answer"] != 9 {
			t.Errorf("verdicts %v, want 21 accepted and 9 wrong_answer", rep.Verdicts)
		}
		l := rep.Latency
		if l.Accepted.Count != 30 || l.FirstEvent.Count != 30 || l.Verdict.Count != 30 || l.Final.Count != 30 ||
			!(l.Accepted.P50MS > 0 && l.Accepted.P50MS <= l.Final.P50MS && l.Verdict.P50MS <= l.Final.P50MS) {
			t.Errorf("latencies %+v", l)
		}
		users := map[int]bool{}
		for _, s := range rep.Submissions {
			users[s.Learner] = true
			if s.ID == "" || s.HTTPStatus != 202 || s.Status != "done" || s.Outcome != OutcomeOK {
				t.Errorf("submission %+v", s)
			}
		}
		if len(users) != 5 {
			t.Errorf("%d learners submitted, want 5", len(users))
		}
		if svg, err := os.ReadFile(filepath.Join(dir, "r.svg")); err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("svg: %v", err)
		}
	})

	// A small contest: the generator's questions written as admin, 6
	// learners submitting correct, partial, wrong and too-slow programs;
	// the leaderboard's stream shows every judgement and the board equals
	// the recomputation from the final states. Then a test of pair sums
	// changed and the question rejudged: the correct and partial programs'
	// verdicts change, the wrong ones' do not, floor sums is untouched.
	t.Run("contest", func(t *testing.T) {
		dir := t.TempDir()
		var stdout, stderr bytes.Buffer
		args := []string{"--url", base, "--contest", "--learners", "6", "--per-learner", "3", "--duration", "4s", "--scoring", "icpc",
			"--timeout", "90s", "--settle", "20s", "--rejudge", "--json", filepath.Join(dir, "r.json")}
		code := Main(t.Context(), args, &stdout, &stderr)
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		if code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		data, err := os.ReadFile(filepath.Join(dir, "r.json"))
		if err != nil {
			t.Fatal(err)
		}
		var rep Report
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		ct := rep.Contest
		if !rep.OK || ct == nil || ct.Board.UpdateLatency.Count != 18 || ct.Board.Missing != 0 || !ct.Check.Checked ||
			ct.Check.Rows != 6 || ct.Check.Graded != 18 || ct.Check.Mismatches != 0 || ct.Check.StreamMismatches != 0 {
			t.Errorf("report: ok %v %q, contest %+v", rep.OK, rep.Reason, ct)
		}
		if ct != nil && (ct.Kinds[KindPartial] == 0 || ct.Kinds[KindSlow] == 0) {
			t.Errorf("kinds %v: want partial and slow programs too", ct.Kinds)
		}
		if ct == nil {
			return
		}
		pairs, changed := 0, 0
		for _, s := range rep.Submissions {
			if s.Question == pairSumsID {
				pairs++
				if s.Kind != KindWrong {
					changed++
				}
			}
		}
		if rj := ct.Rejudge; rj == nil || rj.Question != pairSumsID || rj.Rejudged != pairs || rj.Queued != pairs || rj.Final != pairs ||
			rj.Changed != changed || rj.Wrong != 0 || rj.Others != 18-pairs || rj.OthersTouched != 0 || rj.Offer == nil ||
			rj.Board.ScoreChanged != changed || rj.Board.Missing != 0 || rj.Check.Mismatches != 0 || !rj.Restored {
			t.Errorf("rejudge %+v; want %d rejudged, %d changed", rj, pairs, changed)
		}
	})

	t.Run("every language", func(t *testing.T) {
		var langs []struct{ ID string }
		resp, err := http.Post(base+"/api/dev/login", "application/json", strings.NewReader(`{"user":"lister"}`))
		if err != nil {
			t.Fatal(err)
		}
		var tok struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		req, _ := http.NewRequest("GET", base+"/api/languages", nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&langs)
		resp.Body.Close()
		var ids []string
		for _, l := range langs {
			ids = append(ids, l.ID)
		}
		if len(ids) == 0 {
			t.Fatal("the service offers no language")
		}
		if len(ids) < 6 {
			t.Logf("the service offers only %v", ids)
		}
		// Two of each language, one correct and one wrong (ratio 0.5),
		// from a learner per language: a learner has at most a few
		// submissions in flight.
		rate := float64(len(ids))
		var stdout, stderr bytes.Buffer
		args := []string{"--url", base, "--rate", fmtFloat(rate), "--duration", "2s", "--learners", strconv.Itoa(len(ids)),
			"--languages", strings.Join(ids, ","), "--wrong-ratio", "0.5", "--timeout", "90s"}
		code := Main(t.Context(), args, &stdout, &stderr)
		t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
		if code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		if !strings.Contains(stdout.String(), "accepted ×"+strconv.Itoa(len(ids))) || !strings.Contains(stdout.String(), "wrong_answer ×"+strconv.Itoa(len(ids))) {
			t.Errorf("verdicts: want %d accepted and %d wrong_answer", len(ids), len(ids))
		}
	})
}

// TestUnreachableService: a URL nobody listens on is a clear error, exit 1.
func TestUnreachableService(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(t.Context(), []string{"--url", "http://" + devtest.FreeAddr(t), "--rate", "1", "--duration", "1s"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	msg := stderr.String()
	if !strings.Contains(msg, "cannot reach the service at http://127.0.0.1:") || !strings.Contains(msg, "connection refused") ||
		!strings.Contains(msg, "is codementor running there?") || strings.Count(strings.TrimSpace(msg), "\n") != 0 {
		t.Errorf("stderr %q", msg)
	}
}
