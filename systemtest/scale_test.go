package systemtest

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/twmb/franz-go/pkg/kgo"
)

// cluster is a deployment in separate processes: a broker (embedded, unless
// the suite runs on a Kafka cluster), processors and a web instance.
type cluster struct {
	t          testing.TB
	dir        string
	brokers    string
	broker     *process // the embedded broker's process, if any
	web        string   // the first web instance
	webs       int
	processors []*process
	// extraEnv overrides the environment of every process started after
	// it is set (e.g. CODEMENTOR_PARTITIONS=2).
	extraEnv []string
}

func startCluster(t testing.TB, processors int, env ...string) *cluster {
	t.Helper()
	c := newCluster(t, env...)
	for i := 0; i < processors; i++ {
		c.addProcessor()
	}
	// Load starts once every processor runs every group: a group still
	// forming is not the steady state the tests kill processors in.
	for _, p := range c.processors {
		c.waitReady(p)
	}
	c.web = c.addWeb()
	return c
}

// newCluster is a cluster with only its brokers: those the suite runs on,
// or an embedded broker of its own. Its processes get env on top of the
// defaults.
func newCluster(t testing.TB, env ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, dir: t.TempDir(), extraEnv: env}
	if b := externalBrokers(); b != nil {
		c.brokers = strings.Join(b, ",")
	} else {
		c.brokers = freeAddr(t)
		c.startBroker()
	}
	return c
}

// addWeb starts a web instance (its own views of every table) and returns
// its base URL once it is ready.
func (c *cluster) addWeb() string {
	c.t.Helper()
	addr := freeAddr(c.t)
	c.webs++
	name := "web-" + strconv.Itoa(c.webs)
	spawn(c.t, name, c.env("CODEMENTOR_JWT_SECRET="+strings.Repeat("w", 32)),
		"web", "--http-addr", addr, "--dev-auth", "--data-dir", filepath.Join(c.dir, name))
	waitHTTP(c.t, name, "http://"+addr+"/readyz")
	return "http://" + addr
}

// waitHTTP waits up to 2 minutes for url to answer 200.
func waitHTTP(t testing.TB, name, url string) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not ready within 120 s", name)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (c *cluster) startBroker() {
	c.broker = spawn(c.t, "broker", nil, "broker", "--kafka-addr", c.brokers, "--data-dir", filepath.Join(c.dir, "broker"))
}

// restartBroker stops the broker and starts it again on the same data: the
// embedded one, or the Apache Kafka that `make test` started (through
// scripts/kafka.sh, which told it where with KAFKA_DIR and KAFKA_PORT).
func (c *cluster) restartBroker() {
	c.t.Helper()
	if c.broker != nil {
		if _, err := c.broker.stop(c.t, 30*time.Second); err != nil {
			c.t.Errorf("the broker exited with %v after SIGTERM", err)
		}
		c.startBroker()
		return
	}
	if os.Getenv("KAFKA_DIR") == "" {
		c.t.Skip("the Kafka cluster was not started by scripts/kafka.sh: it cannot be restarted from here")
	}
	for _, step := range []string{"down", "up"} {
		if out, err := exec.Command("../scripts/kafka.sh", step).CombinedOutput(); err != nil {
			c.t.Fatalf("scripts/kafka.sh %s: %v\n%s", step, err, out)
		}
	}
}

// env is what every process of the cluster shares: the brokers and the
// topic layout.
func (c *cluster) env(extra ...string) []string {
	// One learner sends the whole load of these tests: no limit on their
	// submissions in flight (TestFairShares tests the limit).
	return append([]string{"CODEMENTOR_BROKERS=" + c.brokers, "CODEMENTOR_PARTITIONS=4", "CODEMENTOR_REPLICATION=1",
		"CODEMENTOR_STREAM_RETENTION=24h", "CODEMENTOR_LOG_LEVEL=info", "CODEMENTOR_MAX_IN_FLIGHT=0"}, append(c.extraEnv, extra...)...)
}

// addProcessor starts a processor with one judging slot, or the flags in
// extra (e.g. "--max-concurrent", "12").
func (c *cluster) addProcessor(extra ...string) *process {
	n := len(c.processors)
	ops := freeAddr(c.t)
	if len(extra) == 0 {
		extra = []string{"--max-concurrent", "1"}
	}
	p := spawn(c.t, fmt.Sprintf("processor-%d", n), c.env(), append([]string{"processor",
		"--data-dir", filepath.Join(c.dir, "processor-"+strconv.Itoa(n)),
		"--sandbox-dir", filepath.Join(os.TempDir(), "codementor-sandbox-test"), "--metrics-addr", ops}, extra...)...)
	p.ops = "http://" + ops
	c.processors = append(c.processors, p)
	return p
}

// waitReady waits until p's /readyz says every group runs.
func (c *cluster) waitReady(p *process) {
	c.t.Helper()
	waitHTTP(c.t, p.name, p.ops+"/readyz")
}

// TestKillProcessorUnderLoad runs three processor processes and two web
// processes, kills a processor with SIGKILL in the middle of a stream of
// submissions and stops another with SIGTERM: every submission still reaches
// its final state with the right verdict, and no learner's stream (on the
// web instance that did not take the submissions) ever shows a state going
// backwards. The submissions are made in a contest: the leaderboard, kept
// by the standings group on the processors killed and stopped, ends equal
// to its recomputation from every submission's final state.
func TestKillProcessorUnderLoad(t *testing.T) {
	// The watchdog's safety net within the test's patience: a submission
	// that stalls (see the note on issue 12: one in a few full runs on
	// Apache Kafka stayed reviewing after the graceful stop) is nudged
	// after 20 s, and the log below names it.
	c := startCluster(t, 3, "CODEMENTOR_STALL_AFTER=20s")
	user := testUser("alice")
	alice := login(t, c.web, user, false)
	// The learner's stream is on another web instance than the one taking
	// the submissions: every instance has full views and streams any
	// submission.
	events := login(t, c.addWeb(), user, false).stream(t, "/api/events", "")

	admin := login(t, c.web, testUser("root"), true)
	contest := runningContest(t, admin, "kill")

	want := map[string]codementor.Verdict{} // submission → verdict
	submit := func(n int) {
		for i := 0; i < n; i++ {
			code, verdict := aPlusB, codementor.VerdictAccepted
			if len(want)%3 == 2 {
				code, verdict = aPlusBWrong, codementor.VerdictWrongAnswer
			}
			want[submitIn(t, alice, contest.ID, code).ID] = verdict
			time.Sleep(50 * time.Millisecond)
		}
	}
	states := map[string][]*codementor.Submission{}
	finals := map[string]*codementor.Submission{}
	// collect reads the stream until every submission so far is final.
	collect := func(within time.Duration) {
		deadline := time.Now().Add(within)
		for len(finals) < len(want) {
			_, s, ok := events.within(t, time.Until(deadline))
			if !ok {
				// Say where each one that is not final stands.
				for id := range want {
					if finals[id] == nil {
						var now codementor.Submission
						code := alice.do(t, "GET", "/api/submissions/"+id, nil, &now)
						t.Errorf("%s not final: %d states streamed; GET %d: status %s, verdict %q, review %s, version %d, requeued %d",
							id, len(states[id]), code, now.Status, now.Verdict, now.Review.Status, now.Version, now.Requeued)
						logKeyed(t, c.brokers, id)
					}
				}
				t.Fatalf("no event within %s", within)
			}
			if _, ours := want[s.ID]; !ours {
				continue
			}
			states[s.ID] = append(states[s.ID], s)
			if s.Final() {
				finals[s.ID] = s
			}
		}
	}

	submit(12)
	victim := c.processors[0]
	victim.signal(syscall.SIGKILL)
	killed := time.Now()
	submit(18)
	collect(3 * time.Minute)
	t.Logf("%d submissions final %s after the kill -9", len(finals), time.Since(killed).Round(time.Millisecond))

	// A graceful stop drains: the judge finishes what it holds.
	submit(10)
	took, err := c.processors[1].stop(t, 90*time.Second)
	if err != nil {
		t.Errorf("processor-1 exited with %v after SIGTERM", err)
	}
	t.Logf("processor-1 stopped %s after SIGTERM", took.Round(time.Millisecond))
	collect(3 * time.Minute)

	for id, verdict := range want {
		f := finals[id]
		if f.Requeued > 0 {
			t.Logf("%s stalled: the watchdog emitted its job again %d times", id, f.Requeued)
			logKeyed(t, c.brokers, id)
		}
		if f.Status != codementor.StatusDone || f.Verdict != verdict || len(f.Tests) != f.TestCount || f.TestCount == 0 {
			t.Errorf("%s: status %s verdict %s (want %s), %d of %d tests", id, f.Status, f.Verdict, verdict, len(f.Tests), f.TestCount)
		}
		for i, tr := range f.Tests {
			if tr.Index != i {
				t.Errorf("%s: test %d recorded at position %d", id, tr.Index, i)
			}
		}
		assertProgress(t, states[id])
		// The verdict, once shown, never changes.
		for _, s := range states[id] {
			if s.Verdict != "" && s.Verdict != f.Verdict {
				t.Errorf("%s: the stream showed verdict %s, then %s", id, s.Verdict, f.Verdict)
			}
		}
	}

	checkBoard(t, admin, contest, finals, []string{user})
}

// TestBrokerRestartLosesNothing stops the broker (SIGTERM) while submissions
// are being judged and starts it again on the same data: every submission
// acknowledged before, and every one after, reaches the right verdict.
func TestBrokerRestartLosesNothing(t *testing.T) {
	c := startCluster(t, 1)
	alice := login(t, c.web, testUser("alice"), false)
	want := map[string]codementor.Verdict{}
	for i := 0; i < 10; i++ {
		code, verdict := aPlusB, codementor.VerdictAccepted
		if i%2 == 1 {
			code, verdict = aPlusBWrong, codementor.VerdictWrongAnswer
		}
		want[alice.submit(t, "a-plus-b", "python", code).ID] = verdict
	}
	pending := 0
	for id := range want {
		var s codementor.Submission
		if alice.do(t, "GET", "/api/submissions/"+id, nil, &s) == http.StatusOK && !s.Final() {
			pending++
		}
	}
	t.Logf("restarting the broker with %d of %d submissions not final yet", pending, len(want))
	c.restartBroker()
	// The web tier takes submissions again once it reaches the broker.
	deadline := time.Now().Add(2 * time.Minute)
	for len(want) < 15 {
		var sub codementor.Submission
		code := alice.do(t, "POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": aPlusB}, &sub)
		switch {
		case code == http.StatusAccepted:
			want[sub.ID] = codementor.VerdictAccepted
		case code == http.StatusServiceUnavailable && time.Now().Before(deadline):
			time.Sleep(500 * time.Millisecond)
		default:
			t.Fatalf("submit after the restart: status %d", code)
		}
	}
	for id, verdict := range want {
		states := alice.stream(t, "/api/submissions/"+id+"/events", "").untilFinal(t, id, 3*time.Minute)
		if f := states[len(states)-1]; f.Status != codementor.StatusDone || f.Verdict != verdict {
			t.Errorf("%s: status %s verdict %s (%s), want done %s", id, f.Status, f.Verdict, f.Error, verdict)
		}
	}
}

// logKeyed logs every record of submission id in the job and event topics.
func logKeyed(t testing.TB, brokers, id string) {
	t.Helper()
	for topic, recs := range keyed(t, brokers, id, string(codementor.RunJobs), string(codementor.RunEvents),
		string(codementor.ReviewJobs), string(codementor.ReviewEvents)) {
		for _, r := range recs {
			t.Logf("  %s %s", topic, r)
		}
	}
}

// keyed returns, per topic, a line for each record of key (its partition,
// offset and value), read from the start: what a test that gives up on a
// submission says about where its messages went.
func keyed(t testing.TB, brokers string, key string, topics ...string) map[string][]string {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(brokers, ",")...), kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Logf("read %v: %v", topics, err)
		return nil
	}
	defer cl.Close()
	out := map[string][]string{}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		fetches := cl.PollFetches(ctx)
		cancel()
		if fetches.NumRecords() == 0 {
			return out
		}
		fetches.EachRecord(func(r *kgo.Record) {
			if string(r.Key) == key {
				out[r.Topic] = append(out[r.Topic], fmt.Sprintf("%d/%d %s %s", r.Partition, r.Offset, r.Timestamp.Format("15:04:05.000"), r.Value))
			}
		})
	}
}
