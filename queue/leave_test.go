package queue_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/queue"
)

// TestStopLosesNoJob stops one of two instances while jobs stream in,
// three times (the last while it is still joining): every job must be done
// by the other, and no stop may count
// more than one delivery against a job. When members left one by one, a
// job taken by one stopping member's last fetch was released into the next
// one's, and on Apache Kafka 4.4 one stop in four pushed a job to the
// delivery limit: archived, never run.
//
// It runs on the embedded broker, or on the brokers in
// CODEMENTOR_TEST_QUEUE_BROKERS (make test-kafka sets them).
func TestStopLosesNoJob(t *testing.T) {
	var brokers []string
	if env := os.Getenv("CODEMENTOR_TEST_QUEUE_BROKERS"); env != "" {
		brokers = strings.Split(env, ",")
	} else {
		brokers = kafkatest.Start(t, 4, 0).Brokers
	}
	producer, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(producer.Close) // after the topic is deleted
	// A topic and a group of their own: the brokers may serve the system
	// suite at the same time.
	tag := fmt.Sprint(time.Now().UnixNano())
	group, topic := "stop-test-"+tag, "stop-test-"+tag
	createTopic(t, producer, topic)
	var mu sync.Mutex
	done := map[string]bool{}
	type delivery struct {
		by string // the instance
		n  int32
	}
	deliveries := map[string][]delivery{} // key → each time a handler got it
	start := func(name string) (stop func()) {
		q, err := queue.New(queue.Config{Brokers: brokers, Group: group, Topic: topic, Slots: 8, ClientID: "stop-test"}, kafkatest.Quiet)
		if err != nil {
			t.Fatal(err)
		}
		qctx, qcancel := context.WithCancel(context.Background())
		ended := make(chan error, 1)
		go func() {
			ended <- q.Run(qctx, func(ctx context.Context, j queue.Job) queue.Outcome {
				mu.Lock()
				defer mu.Unlock()
				deliveries[j.Key] = append(deliveries[j.Key], delivery{name, j.Delivery})
				if ctx.Err() != nil {
					return queue.Retry
				}
				done[j.Key] = true
				return queue.Done
			})
		}()
		return func() {
			qcancel()
			if err := <-ended; err != nil {
				t.Errorf("instance %s: %v", name, err)
			}
		}
	}
	defer start("stays")()
	// Twice the instance stops long after it joined; the last time it
	// starts while the jobs stream in and stops some 50 jobs later, while
	// its members are still joining.
	for round, joining := range []bool{false, false, true} {
		name := fmt.Sprint("stops-", round)
		var stopOne func()
		if !joining {
			stopOne = start(name)
			time.Sleep(6 * time.Second) // both instances have joined
		}
		var keys []string
		stopped := make(chan struct{})
		for i := range 300 {
			k := fmt.Sprintf("%s-%d-%d", tag, round, i)
			keys = append(keys, k)
			pctx, pcancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := producer.ProduceSync(pctx, &kgo.Record{Topic: topic, Key: []byte(k), Value: []byte("{}")}).FirstErr()
			pcancel()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case joining && i == 100:
				stopOne = start(name)
			case i == 150:
				go func() { stopOne(); close(stopped) }()
			}
			time.Sleep(5 * time.Millisecond)
		}
		<-stopped
		deadline := time.Now().Add(40 * time.Second)
		for {
			mu.Lock()
			var missing []string
			took := 0
			for _, k := range keys {
				if !done[k] {
					missing = append(missing, fmt.Sprintf("%s (deliveries %v)", k, deliveries[k]))
				}
				if len(deliveries[k]) > 0 && deliveries[k][0].by == name {
					took++
				}
			}
			mu.Unlock()
			if len(missing) == 0 {
				if took == 0 && !joining {
					t.Fatalf("round %d: the stopping instance took no job: the stop tested nothing", round)
				}
				t.Logf("round %d: the stopping instance took %d of %d jobs first", round, took, len(keys))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %d jobs not done within 40 s: %v", round, len(missing), missing)
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		for _, k := range keys {
			for _, d := range deliveries[k] {
				if d.n > 2 {
					t.Errorf("round %d: job %s got delivery %d after one stop (deliveries %v): a stop counted more than one", round, k, d.n, deliveries[k])
				}
			}
		}
		mu.Unlock()
	}
}

// createTopic creates a topic of one partition for the test, deleted at its
// end.
func createTopic(t *testing.T, cl *kgo.Client, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = topic, 1, -1
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.Topics[0].ErrorCode)
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	t.Cleanup(func() {
		del := kmsg.NewPtrDeleteTopicsRequest()
		dt := kmsg.NewDeleteTopicsRequestTopic()
		dt.Topic = &topic
		del.Topics = append(del.Topics, dt)
		del.TopicNames = append(del.TopicNames, topic)
		_, _ = del.RequestWith(context.Background(), cl)
	})
	// Wait until producing to it works (metadata spreads to every broker).
	for ctx.Err() == nil {
		if cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte("warm-up"), Value: []byte("{}")}).FirstErr() == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("topic %s: not writable within 30 s", topic)
}
