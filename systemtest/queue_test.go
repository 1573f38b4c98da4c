package systemtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// sleepy creates (as admin on base) a question whose one test allows a
// program to wait a few seconds: what slow submissions are judged against.
func sleepy(t testing.TB, admin *client) string {
	t.Helper()
	id := "sleepy-" + codementor.NewSubmissionID(time.Now())[12:20]
	q := map[string]any{"id": id, "title": "Sleepy echo", "statement": "Print the number.", "time_limit_ms": 3000,
		"tests": []map[string]any{{"input": "7\n", "output": "7\n"}}}
	if code := admin.do(t, "PUT", "/api/questions/"+id, q, nil); code != http.StatusCreated {
		t.Fatalf("create %s: status %d", id, code)
	}
	return id
}

// sleeper is a correct answer to sleepy that waits d first, without CPU.
func sleeper(d time.Duration) string {
	return fmt.Sprintf("import time\ntime.sleep(%g)\nprint(input())\n", d.Seconds())
}

// poll waits until every submission in ids is final and returns when each
// became so, as seen by polling (every 50 ms).
func poll(t testing.TB, c *client, ids []string, within time.Duration) map[string]time.Time {
	t.Helper()
	final := map[string]time.Time{}
	deadline := time.Now().Add(within)
	for len(final) < len(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d submissions final within %s", len(final), len(ids), within)
		}
		for _, id := range ids {
			if _, ok := final[id]; ok {
				continue
			}
			// 404 until the tracker has it: after a restart, until the
			// tracker has caught up with the requests accepted before.
			status, _, body := c.raw(t, "GET", "/api/submissions/"+id, nil)
			var s codementor.Submission
			if status == http.StatusOK && json.Unmarshal(body, &s) == nil && s.Final() {
				final[id] = time.Now()
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return final
}

// TestFairShares floods the judge from one learner: beyond the limit of
// submissions in flight the API answers 429 with Retry-After and says how
// many are in flight; another learner's submission, sent right after, is
// judged while the flood drains, not after it (two judging slots, one of
// which no learner holds alone while another waits).
func TestFairShares(t *testing.T) {
	in := start(t, t.TempDir())
	admin := login(t, in.Base, testUser("admin"), true)
	q := sleepy(t, admin)
	alice := login(t, in.Base, testUser("alice"), false)
	var accepted []string
	refused := 0
	for range 12 {
		var sub codementor.Submission
		status, header, body := alice.raw(t, "POST", "/api/submissions", map[string]string{"question_id": q, "language": "python", "code": sleeper(time.Second)})
		switch status {
		case http.StatusAccepted:
			if err := json.Unmarshal(body, &sub); err != nil {
				t.Fatal(err)
			}
			accepted = append(accepted, sub.ID)
		case http.StatusTooManyRequests:
			refused++
			if ra, err := strconv.Atoi(header.Get("Retry-After")); err != nil || ra < 1 {
				t.Errorf("429 with Retry-After %q", header.Get("Retry-After"))
			}
			if !strings.Contains(string(body), "too_many_in_flight") || !strings.Contains(string(body), "8 submissions") {
				t.Errorf("429 body %s", body)
			}
		default:
			t.Fatalf("submit: status %d %s", status, body)
		}
	}
	if len(accepted) != 8 || refused != 4 {
		t.Errorf("%d accepted, %d refused; want 8 and 4 (the limit is 8)", len(accepted), refused)
	}
	// Admins are not limited.
	for range 2 {
		admin.submit(t, "a-plus-b", "python", aPlusB)
	}

	bob := login(t, in.Base, testUser("bob"), false)
	sent := time.Now()
	b := bob.submit(t, "a-plus-b", "python", aPlusB)
	bobDone := poll(t, bob, []string{b.ID}, 2*time.Minute)[b.ID]
	aliceDone := poll(t, alice, accepted, 3*time.Minute)
	before := 0
	for _, at := range aliceDone {
		if at.Before(bobDone) {
			before++
		}
	}
	t.Logf("bob's submission was final %s after it was sent, after %d of alice's %d", bobDone.Sub(sent).Round(time.Millisecond), before, len(accepted))
	if before > 2 {
		t.Errorf("bob's submission waited for %d of alice's flood", before)
	}
	var s codementor.Submission
	if bob.do(t, "GET", "/api/submissions/"+b.ID, nil, &s); s.Verdict != codementor.VerdictAccepted {
		t.Errorf("bob's verdict %s", s.Verdict)
	}
	// Once judged, alice may submit again.
	alice.submit(t, q, "python", sleeper(0))
}

// TestCrashRightAfterAccepting kills `codementor dev` with SIGKILL right
// after it accepted 50 submissions (from 10 learners), starts it again on
// its data, and checks that all 50 reach their right final state. Twice,
// or CODEMENTOR_TEST_CRASH_ROUNDS times.
func TestCrashRightAfterAccepting(t *testing.T) {
	waitsMostly(t)
	if externalBrokers() != nil {
		t.Skip("the embedded broker dies with the process; on Apache Kafka the kill tests are the cluster's")
	}
	rounds := 2
	if v := os.Getenv("CODEMENTOR_TEST_CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CODEMENTOR_TEST_CRASH_ROUNDS=%q is not a positive whole number", v)
		}
		rounds = n
	}
	dir := t.TempDir()
	http1, kafka1 := freeAddr(t), freeAddr(t)
	run := func(round int) *process {
		p := spawn(t, fmt.Sprintf("dev-%d", round), nil, "dev", "--http-addr", http1, "--kafka-addr", kafka1,
			"--data-dir", dir, "--sandbox-dir", filepath.Join(os.TempDir(), "codementor-sandbox-test"), "--partitions", "4")
		waitHTTP(t, "dev", "http://"+http1+"/readyz")
		return p
	}
	base := "http://" + http1
	for round := range rounds {
		p := run(2 * round)
		want := map[string]codementor.Verdict{}
		users := map[string]*client{}
		var ids []string
		for i := range 50 {
			u := fmt.Sprintf("crash-%d-%d", round, i%10)
			if users[u] == nil {
				users[u] = login(t, base, u, false)
			}
			code, verdict := aPlusB, codementor.VerdictAccepted
			if i%3 == 2 {
				code, verdict = aPlusBWrong, codementor.VerdictWrongAnswer
			}
			id := users[u].submit(t, "a-plus-b", "python", code).ID
			want[id] = verdict
			ids = append(ids, id)
		}
		p.signal(syscall.SIGKILL)
		<-p.done
		run(2*round + 1)
		admin := login(t, base, "admin", true)
		poll(t, admin, ids, 3*time.Minute)
		for id, verdict := range want {
			var s codementor.Submission
			admin.do(t, "GET", "/api/submissions/"+id, nil, &s)
			if s.Status != codementor.StatusDone || s.Verdict != verdict || len(s.Tests) != s.TestCount {
				t.Errorf("round %d, %s: status %s, verdict %s (want %s), %d of %d tests", round, id, s.Status, s.Verdict, verdict, len(s.Tests), s.TestCount)
			}
		}
	}
}

// TestKillWhileGroupsForm kills one of three processors at moments while
// the groups are still forming (no waiting for readiness), then sends 60
// submissions in a contest: every one is judged, and the leaderboard (the
// standings group formed then too) ends equal to its recomputation. CODEMENTOR_TEST_KILL_AFTER lists the
// moments (seconds after start); by default 0.5 and 3.
func TestKillWhileGroupsForm(t *testing.T) {
	waitsMostly(t)
	moments := []string{"0.5", "3"}
	if v := os.Getenv("CODEMENTOR_TEST_KILL_AFTER"); v != "" {
		moments = strings.Split(v, ",")
	}
	for _, m := range moments {
		after, err := time.ParseDuration(m + "s")
		if err != nil {
			t.Fatalf("CODEMENTOR_TEST_KILL_AFTER: %v", err)
		}
		t.Run(m+"s", func(t *testing.T) {
			c := newCluster(t)
			for range 3 {
				c.addProcessor()
			}
			time.Sleep(after)
			c.processors[0].signal(syscall.SIGKILL)
			c.web = c.addWeb()
			admin := login(t, c.web, "admin", true)
			contest := runningContest(t, admin, "forming")
			var mu sync.Mutex
			var ids, users []string
			var wg sync.WaitGroup
			for u := range 12 {
				user := testUser(fmt.Sprintf("kill%d", u))
				users = append(users, user)
				wg.Add(1)
				go func() {
					defer wg.Done()
					cl := login(t, c.web, user, false)
					for range 5 {
						id := submitIn(t, cl, contest.ID, aPlusB).ID
						mu.Lock()
						ids = append(ids, id)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			sent := time.Now()
			final := poll(t, admin, ids, 90*time.Second)
			last := sent
			for _, at := range final {
				if at.After(last) {
					last = at
				}
			}
			t.Logf("killed %s after start; 60 submissions final %s after the last was sent", after, last.Sub(sent).Round(time.Millisecond))
			finals := map[string]*codementor.Submission{}
			for _, id := range ids {
				var s codementor.Submission
				admin.do(t, "GET", "/api/submissions/"+id, nil, &s)
				if s.Verdict != codementor.VerdictAccepted {
					t.Errorf("%s: %s %s", id, s.Status, s.Verdict)
				}
				finals[id] = &s
			}
			checkBoard(t, admin, contest, finals, users)
		})
	}
}
