package kafka

import (
	"fmt"
	"hash"
	"log/slog"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
)

// gokaLogger adapts slog to goka's logger interface.
type gokaLogger struct{ log *slog.Logger }

func (l gokaLogger) Print(v ...any)                 { l.log.Info(fmt.Sprint(v...)) }
func (l gokaLogger) Println(v ...any)               { l.log.Info(fmt.Sprint(v...)) }
func (l gokaLogger) Printf(format string, v ...any) { l.log.Info(fmt.Sprintf(format, v...)) }

// The builders make a fresh sarama configuration for every client: goka's
// *WithConfig builders write the client ID into the one config they share,
// a data race once two processors start together.

func producerBuilder(brokers []string, clientID string, hasher func() hash.Hash32) (goka.Producer, error) {
	c := Sarama(clientID)
	c.Producer.Partitioner = sarama.NewCustomHashPartitioner(hasher)
	return goka.NewProducer(brokers, c)
}

func consumerGroupBuilder(brokers []string, group, clientID string) (sarama.ConsumerGroup, error) {
	return sarama.NewConsumerGroup(brokers, group, Sarama(clientID))
}

func consumerBuilder(brokers []string, clientID string) (sarama.Consumer, error) {
	return sarama.NewConsumer(brokers, Sarama(clientID))
}

func (cfg Config) topicManagerBuilder(brokers []string) (goka.TopicManager, error) {
	return goka.NewTopicManager(brokers, Sarama("codementor-topic-manager"), cfg.TopicManagerConfig())
}

// ProcessorOptions wire a processor to cfg's cluster with our client
// configuration instead of goka's global defaults.
func (cfg Config) ProcessorOptions(clientID string, log *slog.Logger) []goka.ProcessorOption {
	return []goka.ProcessorOption{
		goka.WithClientID(clientID),
		goka.WithProducerBuilder(producerBuilder),
		goka.WithConsumerGroupBuilder(consumerGroupBuilder),
		goka.WithConsumerSaramaBuilder(consumerBuilder),
		goka.WithTopicManagerBuilder(cfg.topicManagerBuilder),
		goka.WithLogger(gokaLogger{log}),
	}
}

// ViewOptions wire a view to cfg's cluster.
func (cfg Config) ViewOptions(clientID string, log *slog.Logger) []goka.ViewOption {
	return []goka.ViewOption{
		goka.WithViewClientID(clientID),
		goka.WithViewConsumerSaramaBuilder(consumerBuilder),
		goka.WithViewTopicManagerBuilder(cfg.topicManagerBuilder),
		goka.WithViewLogger(gokaLogger{log}),
		// A broker restart must not end the view: it reconnects.
		goka.WithViewAutoReconnect(),
	}
}

// EmitterOptions wire an emitter to cfg's cluster.
func (cfg Config) EmitterOptions(clientID string, log *slog.Logger) []goka.EmitterOption {
	return []goka.EmitterOption{
		goka.WithEmitterClientID(clientID),
		goka.WithEmitterProducerBuilder(producerBuilder),
		goka.WithEmitterTopicManagerBuilder(cfg.topicManagerBuilder),
		goka.WithEmitterLogger(gokaLogger{log}),
	}
}
