// Package kafka holds what every CodeMentor component needs to talk to Kafka:
// the sarama configuration goka runs on, and the explicit creation and check
// of every topic the application uses.
package kafka

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// Config says where the cluster is and how to lay out topics on it.
type Config struct {
	Brokers []string
	// Partitions of every topic but the queues. It is the ceiling on
	// parallel instances of the tracker.
	Partitions int
	// QueuePartitions of the job queues (codementor.Queues), consumed by
	// share groups: each partition is shared by about members ÷ partitions
	// members, so with fewer partitions every judging slot sees more of the
	// queue (one: every slot takes any job). 1 if not set.
	QueuePartitions int
	// Replication of every topic: 1 for a single broker, 3 in production.
	Replication int
	// StreamRetention of the stream topics (tables are compacted, kept forever).
	StreamRetention time.Duration
}

// DefaultStreamRetention is how long stream topics keep their messages.
const DefaultStreamRetention = 7 * 24 * time.Hour

// WithDefaults fills the settings left zero: 12 partitions, 1 partition of
// each queue, replication 1, DefaultStreamRetention.
func (cfg Config) WithDefaults() Config {
	cfg.Partitions = cmp.Or(cfg.Partitions, 12)
	cfg.QueuePartitions = cmp.Or(cfg.QueuePartitions, 1)
	cfg.Replication = cmp.Or(cfg.Replication, 1)
	cfg.StreamRetention = cmp.Or(cfg.StreamRetention, DefaultStreamRetention)
	return cfg
}

// Validate reports a layout no cluster can take.
func (cfg Config) Validate() error {
	var errs []error
	if len(cfg.Brokers) == 0 {
		errs = append(errs, errors.New("kafka: no brokers given"))
	}
	if cfg.Partitions < 1 || cfg.QueuePartitions < 1 || cfg.Replication < 1 {
		errs = append(errs, fmt.Errorf("kafka: Partitions, QueuePartitions and Replication must be at least 1, got %d, %d and %d",
			cfg.Partitions, cfg.QueuePartitions, cfg.Replication))
	}
	if cfg.StreamRetention < time.Minute {
		errs = append(errs, fmt.Errorf("kafka: StreamRetention must be at least a minute, got %s", cfg.StreamRetention))
	}
	return errors.Join(errs...)
}

// Sarama returns the client configuration shared by emitters, processors,
// views and the topic set-up. Each call returns a fresh copy.
func Sarama(clientID string) *sarama.Config {
	c := goka.DefaultConfig()
	c.ClientID = clientID
	// goka pins 2.0.0, older than the oldest protocol Kafka 4 speaks (2.1).
	c.Version = sarama.V4_0_0_0
	// A new group must see every submission already in the topic, not only
	// those produced after it joined.
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	// An acknowledged submission must survive the loss of the leader.
	c.Producer.RequiredAcks = sarama.WaitForAll
	// goka waits up to 100 ms to fill a batch, so every EmitSync costs
	// 100 ms. With all three flush triggers at zero sarama sends as soon as it
	// can and batches only while a request is in flight.
	c.Producer.Flush.Frequency = 0
	c.Producer.Flush.Bytes = 0
	c.Producer.Flush.Messages = 0
	// Idempotent producing keeps retried batches from duplicating messages.
	c.Producer.Idempotent = true
	c.Net.MaxOpenRequests = 1
	c.Producer.Retry.Backoff = 250 * time.Millisecond
	// The judge's callback runs a whole submission; the partition consumer
	// must not give up on it after goka's default of one second.
	c.Consumer.MaxProcessingTime = 90 * time.Second
	// A member busy in a callback rejoins a rebalance only when the callback
	// returns. The judge (45 s at most) finishes within this, so a rebalance
	// does not evict it and redeliver its work; the reviewer hands its job
	// back at once.
	c.Consumer.Group.Rebalance.Timeout = 90 * time.Second
	// A member that dies without leaving (kill -9, a lost machine) holds its
	// partitions until its session expires: 6 s, the brokers' default
	// minimum, instead of sarama's 10 s, with a heartbeat every 2 s.
	c.Consumer.Group.Session.Timeout = 6 * time.Second
	c.Consumer.Group.Heartbeat.Interval = 2 * time.Second
	c.Metadata.Retry.Max = 10
	return c
}

// TopicManagerConfig is goka's topic manager configuration for cfg: the
// replication and retention we chose, never goka's defaults (replication 2,
// one hour).
func (cfg Config) TopicManagerConfig() *goka.TopicManagerConfig {
	tm := goka.NewTopicManagerConfig()
	tm.Table.Replication = cfg.Replication
	tm.Stream.Replication = cfg.Replication
	tm.Stream.Retention = cfg.StreamRetention
	tm.MismatchBehavior = goka.TMConfigMismatchBehaviorFail
	return tm
}

// EnsureTopics creates every stream (with the configured retention) and every
// table (compacted) that does not exist yet, and checks that existing ones
// have the configured partition count. Topics from earlier runs are kept.
// Then it configures the share groups (EnsureShareGroups).
func EnsureTopics(ctx context.Context, cfg Config, log *slog.Logger) error {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	admin, err := newAdmin(ctx, cfg.Brokers)
	if err != nil {
		return err
	}
	defer admin.Close()

	existing, err := admin.ListTopics()
	if err != nil {
		return fmt.Errorf("list topics on %v: %w", cfg.Brokers, err)
	}
	retention := strconv.FormatInt(cfg.StreamRetention.Milliseconds(), 10)
	want := map[string]map[string]*string{}
	for _, s := range codementor.Streams {
		want[string(s)] = map[string]*string{"cleanup.policy": ptr("delete"), "retention.ms": &retention}
	}
	for _, t := range codementor.Tables {
		want[string(t)] = map[string]*string{"cleanup.policy": ptr("compact")}
	}
	queues := map[string]bool{}
	for _, q := range codementor.Queues {
		queues[string(q)] = true
	}
	for name, entries := range want {
		partitions := cfg.Partitions
		if queues[name] {
			partitions = cfg.QueuePartitions
		}
		if d, ok := existing[name]; ok {
			switch {
			case queues[name] && int(d.NumPartitions) != partitions:
				// Nothing partitions a queue's jobs: any count works.
				log.Warn("job queue topic has another partition count than configured; each partition is shared by about members ÷ partitions judges, so fewer let every slot take more of the jobs: recreate it while it is empty to change it",
					"topic", name, "partitions", d.NumPartitions, "configured", partitions)
			case !queues[name] && int(d.NumPartitions) != partitions:
				return fmt.Errorf("topic %s has %d partitions, but %d are configured: use --partitions %d or recreate the topic", name, d.NumPartitions, partitions, d.NumPartitions)
			}
			continue
		}
		detail := &sarama.TopicDetail{
			NumPartitions:     int32(partitions),
			ReplicationFactor: int16(cfg.Replication),
			ConfigEntries:     entries,
		}
		if err := admin.CreateTopic(name, detail, false); err != nil {
			if errors.Is(err, sarama.ErrTopicAlreadyExists) {
				continue // another instance created it meanwhile
			}
			return fmt.Errorf("create topic %s (%d partitions, replication %d): %w", name, partitions, cfg.Replication, err)
		}
		log.Info("created topic", "topic", name, "partitions", partitions, "replication", cfg.Replication, "config", flatten(entries))
	}
	if err := waitTopics(ctx, admin, want); err != nil {
		return err
	}
	return EnsureShareGroups(ctx, cfg.Brokers, log)
}

// newAdmin connects, retrying until ctx ends, so that a component may start
// before its broker does.
func newAdmin(ctx context.Context, brokers []string) (sarama.ClusterAdmin, error) {
	cfg := Sarama("codementor-admin")
	for {
		admin, err := sarama.NewClusterAdmin(brokers, cfg)
		if err == nil {
			return admin, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Kafka at %v: %w (last error: %w)", brokers, ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// waitTopics returns once the metadata of every created topic is visible.
func waitTopics(ctx context.Context, admin sarama.ClusterAdmin, want map[string]map[string]*string) error {
	for {
		existing, err := admin.ListTopics()
		if err == nil {
			missing := 0
			for name := range want {
				if _, ok := existing[name]; !ok {
					missing++
				}
			}
			if missing == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for topics: %w", ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func ptr(s string) *string { return &s }

func flatten(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = *v
	}
	return out
}
