package systemtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// kafkaScript runs scripts/kafka.sh with args on the cluster the suite runs
// on (the script knows it by KAFKA_DIR and KAFKA_PORT, which its `run` set)
// and returns its output.
func kafkaScript(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("../scripts/kafka.sh", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/kafka.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestBrokerFailover runs on a three-broker Apache Kafka cluster (`make
// test` starts one: KAFKA_NODES=3), topics with three replicas and
// min.insync.replicas 2. In the middle of a steady load it kills the broker
// that leads the most submission-requests partitions and later starts it
// again: every submission that got 202 reaches its right verdict, every
// refusal is a 503, and no request hangs.
func TestBrokerFailover(t *testing.T) {
	nodes, _ := strconv.Atoi(os.Getenv("KAFKA_NODES"))
	if externalBrokers() == nil || nodes < 3 || os.Getenv("KAFKA_DIR") == "" {
		if os.Getenv("CODEMENTOR_TEST_REQUIRE_KAFKA_CLUSTER") != "" {
			t.Fatal("CODEMENTOR_TEST_REQUIRE_KAFKA_CLUSTER is set, but the suite does not run on a three-broker cluster started by scripts/kafka.sh")
		}
		t.Skip("needs a three-broker cluster started by scripts/kafka.sh (KAFKA_NODES=3 scripts/kafka.sh run ...)")
	}
	c := newCluster(t, "CODEMENTOR_REPLICATION=3")
	for range 2 {
		c.waitReady(c.addProcessor("--max-concurrent", "2"))
	}
	c.web = c.addWeb()

	type result struct {
		id      string
		verdict codementor.Verdict
	}
	var (
		mu       sync.Mutex
		accepted []result
		refused  = map[int]int{}
		slowest  time.Duration
	)
	// Learners submit steadily, one every 800 ms each, for 45 s; the client
	// gives up on a request after 30 s (a hang).
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for u := range 4 {
		cl := login(t, c.web, testUser(fmt.Sprintf("steady%d", u)), false)
		cl.http.Timeout = 30 * time.Second
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(800 * time.Millisecond):
				}
				code, verdict := aPlusB, codementor.VerdictAccepted
				if i%3 == 2 {
					code, verdict = aPlusBWrong, codementor.VerdictWrongAnswer
				}
				began := time.Now()
				status, _, body, err := cl.try("POST", "/api/submissions", map[string]string{"question_id": "a-plus-b", "language": "python", "code": code})
				took := time.Since(began)
				mu.Lock()
				slowest = max(slowest, took)
				switch {
				case err != nil:
					refused[-1]++
					t.Errorf("a submission failed after %s: %v", took.Round(time.Millisecond), err)
				case status == http.StatusAccepted:
					var s codementor.Submission
					if json.Unmarshal(body, &s) != nil || s.ID == "" {
						t.Errorf("202 with %s", body)
					}
					accepted = append(accepted, result{s.ID, verdict})
				default:
					refused[status]++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(10 * time.Second)
	leader := kafkaScript(t, "leader", string(codementor.SubmissionRequests))
	kafkaScript(t, "broker-kill", leader)
	t.Logf("killed broker %s, the leader of the most submission-requests partitions", leader)
	time.Sleep(20 * time.Second)
	kafkaScript(t, "broker-start", leader)
	t.Logf("broker %s started again", leader)
	time.Sleep(15 * time.Second)
	close(stop)
	wg.Wait()

	t.Logf("%d accepted, refused %v, slowest request %s", len(accepted), refused, slowest.Round(time.Millisecond))
	for status, n := range refused {
		if status != http.StatusServiceUnavailable {
			t.Errorf("%d submissions refused with %d; only 503 may be", n, status)
		}
	}
	if len(accepted) < 50 {
		t.Errorf("only %d submissions accepted in 45 s", len(accepted))
	}
	admin := login(t, c.web, "admin", true)
	ids := make([]string, len(accepted))
	for i, r := range accepted {
		ids[i] = r.id
	}
	poll(t, admin, ids, 3*time.Minute)
	for _, r := range accepted {
		var s codementor.Submission
		admin.do(t, "GET", "/api/submissions/"+r.id, nil, &s)
		if s.Status != codementor.StatusDone || s.Verdict != r.verdict {
			t.Errorf("%s: %s %s, want done %s", r.id, s.Status, s.Verdict, r.verdict)
		}
	}
}
