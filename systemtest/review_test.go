package systemtest

import (
	"bytes"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/questions"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/review/reviewtest"
)

const testAPIKey = "sk-codementor-test-key-0123456789"

// reviewPieces is a review as a model streams it.
var reviewPieces = []string{
	"## Summary\nThe program subtracts ",
	"instead of adding.\n\n## Correctness\n",
	"The first sample expects 3 but the program prints -1.\n\n",
	"## Complexity\nTime: O(1)\nSpace: O(1)\n\n",
	"## Style\nShort and clear.\n\n",
	"## Next steps\n- Re-read the statement.\n- Check the operator on line 3.\n",
}

// reviewConfig is devConfig with reviews written by the server at baseURL.
func reviewConfig(t *testing.T, baseURL string, timeout time.Duration) (cfgDir string, cfg review.Config) {
	t.Helper()
	cfg = review.DefaultConfig()
	cfg.APIKey = testAPIKey
	cfg.BaseURL = baseURL
	cfg.Timeout = timeout
	cfg.StallTimeout = min(timeout/2, 2*time.Second)
	cfg.MinBackoff = 100 * time.Millisecond
	cfg.MaxBackoff = 500 * time.Millisecond
	return t.TempDir(), cfg
}

// startReviewing starts a dev instance whose reviews come from baseURL.
func startReviewing(t *testing.T, dataDir string, rc review.Config) *instance {
	t.Helper()
	cfg := devConfig(t, dataDir)
	cfg.Review = rc
	cfg.ReviewConcurrency = 2
	return devtest.Launch(t, cfg, devtest.Ready)
}

func TestReviewStreamsAfterTheVerdict(t *testing.T) {
	llm := reviewtest.New(t, reviewtest.Stream(reviewPieces...).WithDelay(300*time.Millisecond))
	dir, rc := reviewConfig(t, llm.URL, 30*time.Second)
	in := startReviewing(t, dir, rc)
	alice := login(t, in.Base, "alice", false)
	events := alice.stream(t, "/api/events", "")
	// On a shared cluster the reviewer also takes jobs other tests left in
	// the queue: this submission's code tells its prompt apart.
	tag := "# " + testUser("review")
	sub := alice.submit(t, "a-plus-b", "python", aPlusBWrong+tag+"\n")
	states := events.untilFinal(t, sub.ID, finalWithin)
	assertProgress(t, states)

	final := states[len(states)-1]
	want := strings.Join(reviewPieces, "")
	if final.Status != codementor.StatusDone || final.Verdict != codementor.VerdictWrongAnswer {
		t.Fatalf("final: status %s verdict %s", final.Status, final.Verdict)
	}
	r := final.Review
	if r.Status != codementor.ReviewDone || r.Text != want || r.Truncated || r.Model != rc.Model || r.StartedAt.IsZero() || r.FinishedAt.IsZero() {
		t.Fatalf("final review: %+v", r)
	}
	if r.Parts == nil || !strings.Contains(r.Parts.Summary, "subtracts") || r.Parts.TimeComplexity != "O(1)" || len(r.Parts.NextSteps) != 2 {
		t.Errorf("review parts: %+v", r.Parts)
	}

	// The verdict is visible, and final, before the review begins; the
	// review's text then grows on the stream before the finished review.
	verdictAt, partial := -1, 0
	for i, s := range states {
		if s.Verdict != "" && verdictAt < 0 {
			verdictAt = i
			if s.Status != codementor.StatusReviewing || s.Review.Text != "" || s.Review.Status != codementor.ReviewPending {
				t.Errorf("the first state with the verdict: status %s, review %+v", s.Status, s.Review)
			}
		}
		if verdictAt >= 0 && s.Verdict != final.Verdict {
			t.Errorf("the verdict changed from %s to %s", final.Verdict, s.Verdict)
		}
		if s.Review.Text != "" && verdictAt < 0 {
			t.Errorf("review text before the verdict: %+v", s)
		}
		if !s.Final() && s.Review.Status == codementor.ReviewRunning && s.Review.Text != "" && len(s.Review.Text) < len(want) {
			if !strings.HasPrefix(want, s.Review.Text) {
				t.Errorf("partial review %q is not a prefix of the review", s.Review.Text)
			}
			partial++
		}
	}
	if verdictAt < 0 || partial < 2 {
		t.Errorf("want the verdict first, then at least 2 partial reviews on the stream; got verdict at %d, %d partial, %d states", verdictAt, partial, len(states))
	}

	// What the model was shown: the question, the code and the verdicts;
	// never a hidden test's data, never a secret.
	var ours []reviewtest.Request
	for _, r := range llm.Requests() {
		if bytes.Contains(r.Body, []byte(tag)) {
			ours = append(ours, r)
		}
	}
	if len(ours) != 1 {
		t.Fatalf("%d requests to the model about this submission, want 1", len(ours))
	}
	body := ours[0].Body
	for _, s := range []string{"Sum of Two Numbers", "print(a - b)", string(codementor.VerdictWrongAnswer)} {
		if !bytes.Contains(body, []byte(s)) {
			t.Errorf("the prompt lacks %q", s)
		}
	}
	if bytes.Contains(body, []byte(testAPIKey)) || bytes.Contains(body, []byte(alice.token)) {
		t.Error("a secret is in the prompt")
	}
	if got := ours[0].Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		t.Errorf("Authorization = %q", got)
	}
	starter, err := questions.Starter()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range starter {
		if q.ID != "a-plus-b" {
			continue
		}
		for _, tc := range q.Tests {
			for _, data := range []string{strings.TrimSpace(tc.Input), strings.TrimSpace(tc.Output)} {
				if tc.Hidden && len(data) >= 8 && bytes.Contains(body, []byte(data)) {
					t.Errorf("the prompt holds hidden test data %q", data)
				}
			}
		}
	}
}

// TestReviewFaultsNeverDelayVerdicts: with the model failing, hanging or
// rate-limiting, the verdict arrives as usual and the review ends within its
// deadline: failed, or done once the rate limit lifts.
func TestReviewFaultsNeverDelayVerdicts(t *testing.T) {
	waitsMostly(t)
	faults := map[string]struct {
		script []reviewtest.Response
		want   codementor.ReviewStatus
	}{
		"server error": {[]reviewtest.Response{reviewtest.Status(503, "")}, codementor.ReviewFailed},
		"hang":         {[]reviewtest.Response{reviewtest.Hang()}, codementor.ReviewFailed},
		"malformed":    {[]reviewtest.Response{reviewtest.Malformed()}, codementor.ReviewFailed},
		"rate limited": {[]reviewtest.Response{reviewtest.Status(429, "1"), reviewtest.Stream(reviewPieces...)}, codementor.ReviewDone},
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			llm := reviewtest.New(t, fault.script...)
			dir, rc := reviewConfig(t, llm.URL, 4*time.Second)
			in := startReviewing(t, dir, rc)
			alice := login(t, in.Base, "alice", false)
			events := alice.stream(t, "/api/events", "")
			sub := alice.submit(t, "a-plus-b", "python", aPlusB)

			var verdictSeen time.Time
			var final *codementor.Submission
			deadline := time.Now().Add(finalWithin)
			for final == nil {
				_, s := events.next(t, time.Until(deadline))
				if s.ID != sub.ID {
					continue
				}
				if s.Verdict != "" && verdictSeen.IsZero() {
					verdictSeen = time.Now()
					if s.Verdict != codementor.VerdictAccepted || s.Review.Final() {
						t.Errorf("the verdict came as %s with review %+v", s.Verdict, s.Review)
					}
				}
				if s.Final() {
					final = s
				}
			}
			if verdictSeen.IsZero() {
				t.Fatal("no state showed the verdict before the final one")
			}
			if final.Status != codementor.StatusDone || final.Verdict != codementor.VerdictAccepted {
				t.Errorf("final: status %s verdict %s", final.Status, final.Verdict)
			}
			if final.Review.Status != fault.want || (fault.want == codementor.ReviewFailed) != (final.Review.Reason != "") {
				t.Errorf("review: %+v, want %s (with a reason if failed)", final.Review, fault.want)
			}
			// Bounded: the review's deadline, plus the trip through Kafka.
			if took := time.Since(verdictSeen); took > rc.Timeout+20*time.Second {
				t.Errorf("the failed review took %s after the verdict; its deadline is %s", took, rc.Timeout)
			}
			if len(llm.Requests()) == 0 {
				t.Error("the model was never called")
			}
		})
	}
}

// TestReviewInterruptedByShutdownResumes: a review cut short when its
// processor stops is handed back to Kafka and written after the restart.
func TestReviewInterruptedByShutdownResumes(t *testing.T) {
	waitsMostly(t)
	// On a shared cluster the reviewer also takes reviews earlier tests left
	// in the queue: the servers answer those at once, so that they neither
	// hold the reviewer's slots nor count as this review's call.
	tag := "# " + testUser("resume")
	hanging := reviewtest.New(t, reviewtest.Hang()).Only(tag)
	dir, rc := reviewConfig(t, hanging.URL, 60*time.Second)
	rc.StallTimeout = 50 * time.Second
	in := startReviewing(t, dir, rc)
	user := testUser("alice")
	alice := login(t, in.Base, user, false)
	events := alice.stream(t, "/api/events", "")
	sub := alice.submit(t, "a-plus-b", "python", aPlusB+tag+"\n")
	deadline := time.Now().Add(finalWithin)
	for {
		_, s := events.next(t, time.Until(deadline))
		if s.ID == sub.ID && s.Review.Status == codementor.ReviewRunning {
			break
		}
	}
	for !asked(hanging, tag) {
		if time.Now().After(deadline) {
			t.Fatal("the model was never asked about this submission")
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.Stop()

	llm := reviewtest.New(t, reviewtest.Stream(reviewPieces...)).Only(tag)
	rc.BaseURL = llm.URL
	in = startReviewing(t, dir, rc)
	alice = login(t, in.Base, user, false)
	states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	final := states[len(states)-1]
	if final.Review.Status != codementor.ReviewDone || final.Review.Text != strings.Join(reviewPieces, "") {
		t.Errorf("after the restart the review is %+v", final.Review)
	}
}

// asked says whether srv was sent a request whose body contains tag.
func asked(srv *reviewtest.Server, tag string) bool {
	for _, r := range srv.Requests() {
		if bytes.Contains(r.Body, []byte(tag)) {
			return true
		}
	}
	return false
}
