package systemtest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/deadletter"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/kafka"
)

// TestPoisonMessagesGoToTheDeadLetterTopic: an undecodable message and one
// of a newer schema land in the dead-letter topic with their reasons, the
// pipeline keeps judging, `codementor dlq list` shows them, and a replayed
// one comes back to the dead-letter topic instead of stopping a processor.
func TestPoisonMessagesGoToTheDeadLetterTopic(t *testing.T) {
	cfg := devConfig(t, t.TempDir())
	brokers := externalBrokers()
	if brokers == nil {
		cfg.KafkaAddr = freeAddr(t)
		brokers = []string{cfg.KafkaAddr}
	}
	in := devtest.Launch(t, cfg, devtest.Ready)
	before := deadLetters(t, brokers)

	producer, err := sarama.NewSyncProducer(brokers, kafka.Sarama("codementor-systemtest"))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	poison := testUser("poison")
	future := testUser("future")
	for key, value := range map[string]string{poison: "{this is not json", future: `{"v":99,"id":"` + future + `","user":"x"}`} {
		if _, _, err := producer.SendMessage(&sarama.ProducerMessage{Topic: string(codementor.SubmissionRequests),
			Key: sarama.StringEncoder(key), Value: sarama.StringEncoder(value)}); err != nil {
			t.Fatal(err)
		}
	}
	got := waitDeadLetters(t, brokers, len(before)+2)
	reasons := map[string]string{}
	for _, dl := range got[len(before):] {
		reasons[dl.Key] = dl.Reason
		if dl.Topic != string(codementor.SubmissionRequests) || dl.Group != string(codementor.TrackerGroup) {
			t.Errorf("dead letter %+v", dl)
		}
	}
	if !strings.Contains(reasons[poison], "invalid character") || !strings.Contains(reasons[future], "unknown schema version 99") {
		t.Errorf("reasons %q", reasons)
	}

	// The pipeline still judges.
	alice := login(t, in.Base, testUser("alice"), false)
	sub := alice.submit(t, "a-plus-b", "python", aPlusB)
	states := alice.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	if v := states[len(states)-1].Verdict; v != codementor.VerdictAccepted {
		t.Errorf("verdict after the poison: %s", v)
	}

	// The command line shows them, and a replay of the newer one comes back.
	var out, errOut bytes.Buffer
	env := func(k string) string {
		if k == "CODEMENTOR_BROKERS" {
			return strings.Join(brokers, ",")
		}
		return ""
	}
	if code := deadletter.Main(context.Background(), []string{"list"}, env, &out, &errOut); code != 0 || !strings.Contains(out.String(), "unknown schema version 99") || !strings.Contains(out.String(), future) {
		t.Errorf("dlq list: %d\n%s%s", code, out.String(), errOut.String())
	}
	var source string
	for _, dl := range got {
		if dl.Key == future {
			source = deadletter.Source(dl)
		}
	}
	out.Reset()
	if code := deadletter.Main(context.Background(), []string{"replay", "--only", source}, env, &out, &errOut); code != 0 || !strings.Contains(out.String(), "replayed 1") {
		t.Errorf("dlq replay: %d\n%s%s", code, out.String(), errOut.String())
	}
	again := waitDeadLetters(t, brokers, len(before)+3)
	if last := again[len(again)-1]; last.Key != future || deadletter.Source(last) == source {
		t.Errorf("the replayed message's dead letter: %+v", last)
	}
	if code := deadletter.Main(context.Background(), []string{"replay"}, env, &out, &errOut); code != 2 {
		t.Errorf("dlq replay without a choice: exit %d", code)
	}
}

func deadLetters(t *testing.T, brokers []string) []codementor.DeadLetter {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := deadletter.List(ctx, brokers)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func waitDeadLetters(t *testing.T, brokers []string, n int) []codementor.DeadLetter {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := deadLetters(t, brokers)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d dead letters after 30 s, want %d: %+v", len(got), n, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
