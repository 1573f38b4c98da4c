// Package kafkatest gives a test the real thing to run against: an embedded
// Kafka-protocol broker (package broker) with every topic and share group of
// the application, emitters into its topics, and a reader of what landed in
// them.
package kafkatest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"
	"github.com/twmb/franz-go/pkg/kgo"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/broker"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/kafka"
	"github.com/codementor/codementor/views"
)

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Cluster is a test's broker.
type Cluster struct {
	t       testing.TB
	Brokers []string
	Kafka   kafka.Config
}

// Start starts a broker with partitions partitions per topic and jobLock as
// the share groups' lock duration (0: the default), creates the topics and
// configures the share groups. It is stopped at the end of the test.
func Start(t testing.TB, partitions int, jobLock time.Duration) *Cluster {
	t.Helper()
	b, err := broker.Start(broker.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), JobLock: jobLock}, Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	kc := kafka.Config{Brokers: []string{b.Addr()}, Partitions: partitions, QueuePartitions: 1, Replication: 1, StreamRetention: time.Hour}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafka.EnsureTopics(ctx, kc, Quiet); err != nil {
		t.Fatal(err)
	}
	return &Cluster{t: t, Brokers: kc.Brokers, Kafka: kc}
}

// Emitter returns an emitter of T into topic, finished at the end of the
// test.
func Emitter[T any](c *Cluster, topic goka.Stream) *emitters.Emitter[T] {
	c.t.Helper()
	em, err := emitters.New[T](c.Brokers, topic, c.Kafka.EmitterOptions("test", Quiet)...)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { _ = em.Finish() })
	return em
}

// Emit writes v under key into topic and waits for the brokers.
func Emit[T any](c *Cluster, topic goka.Stream, key string, v *T) {
	c.t.Helper()
	em := Emitter[T](c, topic)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := em.Emit(ctx, key, v); err != nil {
		c.t.Fatal(err)
	}
}

// Reader reads a topic from its start, in the order of each partition.
type Reader[T any] struct {
	c  *Cluster
	cl *kgo.Client
}

// Read returns a reader of topic.
func Read[T any](c *Cluster, topic goka.Stream) *Reader[T] {
	c.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.ConsumeTopics(string(topic)),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(cl.Close)
	return &Reader[T]{c: c, cl: cl}
}

// Next returns the next message's key and value, or fails the test if
// none comes within wait.
func (r *Reader[T]) Next(wait time.Duration) (string, *T) {
	r.c.t.Helper()
	key, v, ok := r.TryNext(wait)
	if !ok {
		r.c.t.Fatalf("no message within %s", wait)
	}
	return key, v
}

// TryNext returns the next message, or false if none comes within wait.
func (r *Reader[T]) TryNext(wait time.Duration) (string, *T, bool) {
	r.c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	var fs kgo.Fetches
	for fs.NumRecords() == 0 {
		if fs = r.cl.PollRecords(ctx, 1); ctx.Err() != nil {
			return "", nil, false
		}
	}
	rec := fs.Records()[0]
	v, err := new(codementor.JSONCodec[T]).Decode(rec.Value)
	if err != nil {
		r.c.t.Fatalf("decode %s: %v", rec.Value, err)
	}
	return string(rec.Key), v.(*T), true
}

// EmitRaw writes value as it is under key into topic, bypassing codecs.
func EmitRaw(c *Cluster, topic goka.Stream, key string, value []byte) {
	c.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...))
	if err != nil {
		c.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: string(topic), Key: []byte(key), Value: value}).FirstErr(); err != nil {
		c.t.Fatal(err)
	}
}

// Views runs views of the questions and submission tables, kept in memory,
// and returns them once they have caught up.
func Views(c *Cluster) (*views.Questions, *views.Submissions) {
	c.t.Helper()
	opts := append(c.Kafka.ViewOptions("test", Quiet), goka.WithViewStorageBuilder(storage.MemoryBuilder()))
	qs, err := views.NewQuestions(c.Brokers, opts...)
	if err != nil {
		c.t.Fatal(err)
	}
	subs, err := views.NewSubmissions(c.Brokers, Quiet, opts...)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- qs.Run(ctx) }()
	go func() { done <- subs.Run(ctx) }()
	c.t.Cleanup(func() {
		cancel()
		for range 2 {
			if err := <-done; err != nil {
				c.t.Errorf("view: %v", err)
			}
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := qs.WaitRecovered(wctx); err != nil {
		c.t.Fatal(err)
	}
	if err := subs.WaitRecovered(wctx); err != nil {
		c.t.Fatal(err)
	}
	return qs, subs
}
