// Package deadletter keeps the messages no processor could read out of the
// way and within reach: a processor sends each to the dead-letter topic with
// the reason instead of stopping on it (and stopping on it again after every
// restart); List shows them, and Replay sends them back to their topics once
// the cause is fixed (a processor that reads the newer schema, say).
package deadletter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/IBM/sarama"
	"github.com/lovoo/goka"
	"github.com/lovoo/goka/codec"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/kafka"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/queue"
)

// Output is the graph edge a processor group needs to send dead letters.
func Output() goka.Edge {
	return goka.Output(codementor.DeadLetters, new(codementor.DeadLetterCodec))
}

// Input is the graph edge of a group's input stream whose messages fn
// handles as *T. They are decoded here, not by goka: one that cannot be
// decoded goes to the dead-letter topic of group, with the reason, instead
// of stopping the processor on it after every restart. The group needs
// Output too.
func Input[T any](stream goka.Stream, group goka.Group, log *slog.Logger, fn func(ctx goka.Context, msg *T)) goka.Edge {
	return CheckedInput(stream, group, log, nil, fn)
}

// CheckedInput is Input for messages that must also pass check (nil: any
// message): one that decodes but that check refuses goes to the dead-letter
// topic too, with check's error as the reason.
func CheckedInput[T any](stream goka.Stream, group goka.Group, log *slog.Logger, check func(ctx goka.Context, msg *T) error, fn func(ctx goka.Context, msg *T)) goka.Edge {
	return goka.Input(stream, new(codec.Bytes), func(ctx goka.Context, msg any) {
		raw := msg.([]byte)
		v, err := codementor.JSONCodec[T]{}.Decode(raw)
		if err == nil && check != nil {
			err = check(ctx, v.(*T))
		}
		if err != nil {
			send(ctx, group, raw, err, log)
			return
		}
		fn(ctx, v.(*T))
	})
}

// send records the message the callback is handling as a dead letter of
// group, with the reason it could not be read.
func send(ctx goka.Context, group goka.Group, raw []byte, reason error, log *slog.Logger) {
	ctx.Emit(codementor.DeadLetters, ctx.Key(),
		letter(string(group), string(ctx.Topic()), ctx.Partition(), ctx.Offset(), ctx.Key(), raw, reason, log))
}

// letter is the dead letter of a message of group at topic/partition/offset,
// counted and logged.
func letter(group, topic string, partition int32, offset int64, key string, value []byte, reason error, log *slog.Logger) *codementor.DeadLetter {
	metrics.DeadLetters.WithLabelValues(group).Inc()
	log.Error("message sent to the dead-letter topic", "topic", topic, "partition", partition,
		"offset", offset, "key", key, "err", reason)
	return &codementor.DeadLetter{
		Topic: topic, Partition: partition, Offset: offset, Key: key,
		Value: value, Group: group, Reason: reason.Error(), At: time.Now().UTC(),
	}
}

// Jobs sets aside the jobs a share-group worker cannot handle: it sends
// each to the dead-letter topic and hands it back to the queue once that is
// written.
type Jobs struct {
	group string
	em    *emitters.DeadLetters
	log   *slog.Logger
}

// NewJobs returns the dead letters of group's jobs, written through em.
func NewJobs(group goka.Group, em *emitters.DeadLetters, log *slog.Logger) *Jobs {
	return &Jobs{group: string(group), em: em, log: log}
}

// Decode returns job's value as *T. A value that cannot be decoded is set
// aside: Decode then returns nil and the outcome to hand back to the queue.
func Decode[T any](ctx context.Context, j *Jobs, job queue.Job) (*T, queue.Outcome) {
	v, err := codementor.JSONCodec[T]{}.Decode(job.Value)
	if err != nil {
		return nil, j.SetAside(ctx, new(emitters.Acks), job, err)
	}
	return v.(*T), queue.Done
}

// SetAside sends job to the dead-letter topic with the reason, after the
// messages acks already holds (the events that end its submission, say),
// and returns the outcome once every one is written: Done, or Retry.
func (j *Jobs) SetAside(ctx context.Context, acks *emitters.Acks, job queue.Job, reason error) queue.Outcome {
	j.em.Send(acks, job.Key, letter(j.group, job.Topic, job.Partition, job.Offset, job.Key, job.Value, reason, j.log))
	return queue.Written(ctx, job, acks.Wait, j.log)
}

// Poisoned sets aside a job delivered too often without a result (it took
// its worker down, or what it wrote never reached the brokers, every time),
// after the messages acks holds.
func (j *Jobs) Poisoned(ctx context.Context, acks *emitters.Acks, job queue.Job) queue.Outcome {
	return j.SetAside(ctx, acks, job, fmt.Errorf("delivered %d times without a result", job.Delivery))
}

// List returns every dead letter in the topic, oldest first.
func List(ctx context.Context, brokers []string) ([]codementor.DeadLetter, error) {
	client, err := sarama.NewClient(brokers, kafka.Sarama("codementor-dlq"))
	if err != nil {
		return nil, fmt.Errorf("connect to Kafka at %v: %w", brokers, err)
	}
	defer client.Close()
	topic := string(codementor.DeadLetters)
	partitions, err := client.Partitions(topic)
	if err != nil {
		return nil, fmt.Errorf("partitions of %s: %w", topic, err)
	}
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	var out []codementor.DeadLetter
	for _, p := range partitions {
		end, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		if err != nil {
			return nil, fmt.Errorf("end of %s/%d: %w", topic, p, err)
		}
		start, err := client.GetOffset(topic, p, sarama.OffsetOldest)
		if err != nil {
			return nil, fmt.Errorf("start of %s/%d: %w", topic, p, err)
		}
		if start >= end {
			continue
		}
		pc, err := consumer.ConsumePartition(topic, p, start)
		if err != nil {
			return nil, fmt.Errorf("read %s/%d: %w", topic, p, err)
		}
		for offset := start; offset < end; {
			select {
			case m := <-pc.Messages():
				offset = m.Offset + 1
				v, err := new(codementor.DeadLetterCodec).Decode(m.Value)
				if err != nil {
					out = append(out, codementor.DeadLetter{Topic: topic, Partition: p, Offset: m.Offset, Key: string(m.Key),
						Value: m.Value, Reason: fmt.Sprintf("the dead letter itself cannot be read: %v", err)})
					continue
				}
				out = append(out, *v.(*codementor.DeadLetter))
			case err := <-pc.Errors():
				pc.Close()
				return nil, fmt.Errorf("read %s/%d: %w", topic, p, err)
			case <-ctx.Done():
				pc.Close()
				return nil, ctx.Err()
			}
		}
		pc.Close()
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// ErrNotReplayable is returned for a dead letter whose topic is not one a
// processor reads.
var ErrNotReplayable = errors.New("not a topic processors read")

// Replay sends each dead letter's original bytes back to its topic under
// its key, partitioned as goka partitions (so the message lands where its
// key's state is). A message that still cannot be read comes back to the
// dead-letter topic: replaying never stops a processor.
func Replay(ctx context.Context, brokers []string, letters []codementor.DeadLetter, log *slog.Logger) error {
	opts := kafka.Config{Brokers: brokers}.EmitterOptions("codementor-dlq", log)
	inputs := map[string]bool{}
	for _, s := range codementor.Streams {
		if s != codementor.DeadLetters {
			inputs[string(s)] = true
		}
	}
	emitters := map[string]*goka.Emitter{}
	defer func() {
		for _, e := range emitters {
			_ = e.Finish()
		}
	}()
	for _, dl := range letters {
		if !inputs[dl.Topic] {
			return fmt.Errorf("dead letter %s/%d/%d: %s %w", dl.Topic, dl.Partition, dl.Offset, dl.Topic, ErrNotReplayable)
		}
		e, ok := emitters[dl.Topic]
		if !ok {
			var err error
			if e, err = goka.NewEmitter(brokers, goka.Stream(dl.Topic), new(codec.Bytes), opts...); err != nil {
				return fmt.Errorf("emitter for %s: %w", dl.Topic, err)
			}
			emitters[dl.Topic] = e
		}
		promise, err := e.Emit(dl.Key, dl.Value)
		if err != nil {
			return fmt.Errorf("replay %s/%d/%d: %w", dl.Topic, dl.Partition, dl.Offset, err)
		}
		done := make(chan error, 1)
		promise.Then(func(err error) { done <- err })
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("replay %s/%d/%d: %w", dl.Topic, dl.Partition, dl.Offset, err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Refuse sends msg, which fn of an Input decoded but cannot apply (its key
// does not match its content, say), to the dead-letter topic of group with
// the reason, so that it is kept for a look and a replay instead of being
// dropped. The group needs Output.
func Refuse[T any](ctx goka.Context, group goka.Group, log *slog.Logger, msg *T, reason error) {
	raw, err := codementor.JSONCodec[T]{}.Encode(msg)
	if err != nil {
		reason = fmt.Errorf("%w (and encoding it failed: %w)", reason, err)
	}
	send(ctx, group, raw, reason, log)
}
