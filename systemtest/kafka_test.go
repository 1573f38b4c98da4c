package systemtest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/app"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/kafka"
)

// requireKafkaEnv, set by `make test` beside CODEMENTOR_TEST_BROKERS, turns
// the skip of a test that needs a real Kafka cluster into a failure, so the
// suite cannot pass without having run on one.
const requireKafkaEnv = "CODEMENTOR_TEST_REQUIRE_KAFKA"

// externalBrokers is the Kafka cluster the suite runs on, or nil for the
// embedded broker of each test's process.
func externalBrokers() []string {
	if b := os.Getenv("CODEMENTOR_TEST_BROKERS"); b != "" {
		return strings.Split(b, ",")
	}
	return nil
}

// requireKafka returns the external cluster's brokers, or skips the test
// (fails it, with CODEMENTOR_TEST_REQUIRE_KAFKA=1) when there is none.
func requireKafka(t *testing.T) []string {
	t.Helper()
	if b := externalBrokers(); b != nil {
		return b
	}
	if os.Getenv(requireKafkaEnv) == "1" {
		t.Fatalf("%s=1 but CODEMENTOR_TEST_BROKERS names no Kafka cluster", requireKafkaEnv)
	}
	t.Skip("needs a Kafka cluster: set CODEMENTOR_TEST_BROKERS (make test starts one)")
	return nil
}

// TestRequireKafkaHasBrokers fails a run that was told it must use a real
// Kafka cluster but was given none.
func TestRequireKafkaHasBrokers(t *testing.T) {
	if os.Getenv(requireKafkaEnv) == "1" {
		requireKafka(t)
	}
}

// TestKafkaTopicSettings checks the topics the `topics` role creates on a
// real broker: partition counts as configured, tables compacted, streams
// deleted after the configured retention, and topic auto-creation off.
func TestKafkaTopicSettings(t *testing.T) {
	brokers := requireKafka(t)
	cfg := devConfig(t, t.TempDir())
	cfg.Role = app.RoleTopics
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err != nil {
		t.Fatalf("the topics role: %v", err)
	}

	admin, err := sarama.NewClusterAdmin(brokers, kafka.Sarama("codementor-systemtest"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	describe := func(typ sarama.ConfigResourceType, name string) map[string]string {
		t.Helper()
		entries, err := admin.DescribeConfig(sarama.ConfigResource{Type: typ, Name: name})
		if err != nil {
			t.Fatalf("describe %s: %v", name, err)
		}
		m := map[string]string{}
		for _, e := range entries {
			m[e.Name] = e.Value
		}
		return m
	}
	check := func(name, policy, retention string) {
		t.Helper()
		d, ok := topics[name]
		if !ok {
			t.Errorf("topic %s does not exist", name)
			return
		}
		partitions := cfg.Partitions
		if slices.Contains(codementor.Queues, goka.Stream(name)) {
			partitions = cfg.QueuePartitions
		}
		if int(d.NumPartitions) != partitions || int(d.ReplicationFactor) != cfg.Replication {
			t.Errorf("%s: %d partitions, replication %d; configured %d and %d", name, d.NumPartitions, d.ReplicationFactor, partitions, cfg.Replication)
		}
		c := describe(sarama.TopicResource, name)
		if c["cleanup.policy"] != policy {
			t.Errorf("%s: cleanup.policy %q, want %q", name, c["cleanup.policy"], policy)
		}
		if retention != "" && c["retention.ms"] != retention {
			t.Errorf("%s: retention.ms %q, want %q", name, c["retention.ms"], retention)
		}
	}
	for _, s := range codementor.Streams {
		check(string(s), "delete", strconv.FormatInt(cfg.StreamRetention.Milliseconds(), 10))
	}
	for _, tb := range codementor.Tables {
		check(string(tb), "compact", "")
	}

	brokerList, _, err := admin.DescribeCluster()
	if err != nil || len(brokerList) == 0 {
		t.Fatalf("describe cluster: %v", err)
	}
	if v := describe(sarama.BrokerResource, strconv.Itoa(int(brokerList[0].ID())))["auto.create.topics.enable"]; v != "false" {
		t.Errorf("the broker's auto.create.topics.enable is %q: a misspelt topic would be created silently", v)
	}
}

// TestSplitRoles runs the parts as a deployment does: the broker (the
// embedded one, or the real cluster), a processor and a web process, and
// judges a submission end to end through them.
func TestSplitRoles(t *testing.T) {
	dir := t.TempDir()
	brokers := externalBrokers()
	if brokers == nil {
		addr := freeAddr(t)
		devtest.Run(t, app.Config{Role: app.RoleBroker, DataDir: filepath.Join(dir, "broker"), KafkaAddr: addr})
		brokers = []string{addr}
	}
	base := devConfig(t, "")
	base.Brokers = brokers

	proc := base
	proc.Role, proc.DataDir, proc.HTTPAddr, proc.SeedQuestions, proc.DevAuth = app.RoleProcessor, filepath.Join(dir, "processor"), "", false, false
	devtest.Run(t, proc)

	web := base
	web.Role, web.DataDir, web.SandboxDir = app.RoleWeb, filepath.Join(dir, "web"), ""
	web.JWTSecret = strings.Repeat("k", 32)
	in := devtest.Launch(t, web, devtest.Ready)

	alice := login(t, in.Base, testUser("split"), false)
	sub := alice.submit(t, "a-plus-b", "python", aPlusB)
	states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	if f := states[len(states)-1]; f.Status != codementor.StatusDone || f.Verdict != codementor.VerdictAccepted {
		t.Errorf("final: status %s verdict %s", f.Status, f.Verdict)
	}
}
