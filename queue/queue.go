// Package queue consumes a Kafka topic as a queue of jobs through a share
// group (KIP-932, "queues for Kafka"): every record is a job that one member
// of the group holds under a time-limited lock, renewed while the job runs,
// and acknowledges on its own when the job is done. Unlike a consumer group,
// a share group is not bound to partitions: any number of members take jobs
// from the same partitions, a slow job holds up no other, and capacity grows
// with the members, not with the partition count.
//
// A Queue runs one member per slot (and per spare, a member that takes jobs
// only while every slot holds one), each its own client with one job at a
// time: a share consumer accepts whatever the previous poll returned when it
// polls again, so one client cannot hold a job while it takes the next.
// A member that dies (kill -9, a lost machine) loses its locks when its
// connection closes or its lock expires, and its job is delivered again to
// another member: delivery is at least once, and handlers are idempotent.
//
// When an instance stops, its members stop polling, wait until no share
// fetch of any of them is in flight, and only then leave. A fetch in flight
// when a member stops can still take a job, which leaving releases, and
// every taking counts a delivery. Had the members left one by one, each
// release would have handed the job to the next member's fetch still in
// flight: within one stop a job reached the brokers' delivery limit and was
// archived, never run. This way a stop counts at most one delivery against
// a job (one per instance when several stop at once).
package queue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/codementor/codementor/metrics"
)

// Outcome is what a handler made of a job.
type Outcome int

const (
	// Done: the job's results are written; it is never delivered again.
	Done Outcome = iota
	// Retry: the job must come round again (this instance is stopping, or
	// its results could not be written); it is released at once, to any
	// member, and its delivery counts towards MaxDelivery.
	Retry
	// Defer: not now, nothing went wrong (the handler keeps its last slot
	// for another learner, say): the job is written again at the end of the
	// queue, a new record whose deliveries start over, this one is
	// acknowledged, and the member pauses for DeferPause before it takes
	// the next.
	Defer
	// Yielded: the job gave its slot up to another (it was preempted): it is
	// written again at the end of the queue like a deferred job, marked so
	// that it comes back with Job.Yielded set, and the member takes the
	// next job at once.
	Yielded
)

// yieldedHeader marks a job written again after it yielded its slot.
const yieldedHeader = "codementor-yielded"

// DeferPause is how long a member that deferred a job waits before it
// takes the next: without it, members with nothing they may run would
// cycle deferred jobs through the topic as fast as the brokers answer.
const DeferPause = 100 * time.Millisecond

func (o Outcome) ack() kgo.AckStatus {
	if o == Retry {
		return kgo.AckRelease
	}
	return kgo.AckAccept
}

// Written is Done once wait (for the brokers' acknowledgement of what the
// job wrote) returns nil, and Retry when it fails or takes over 30 s: the
// job then comes round again. It waits even after ctx ended.
func Written(ctx context.Context, job Job, wait func(context.Context) error, log *slog.Logger) Outcome {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := wait(wctx); err != nil {
		log.Error("what the job wrote was not acknowledged; it comes round again", "key", job.Key, "err", err)
		return Retry
	}
	return Done
}

// Job is one record of the queue.
type Job struct {
	Key       string
	Value     []byte
	Topic     string
	Partition int32
	Offset    int64
	// Timestamp is when the job was written.
	Timestamp time.Time
	// Delivery counts the deliveries of this record: 1 the first time, more
	// after a member released it, died holding it, or let its lock expire.
	Delivery int32
	// Yielded is set on a job that gave its slot up to another once
	// already (Outcome Yielded).
	Yielded bool
}

// Handler does one job. Its context ends when the queue stops, after
// Config.Drain: a handler that must not be cut short (the judge) finishes
// within it, one that can start over elsewhere (a review) returns Retry.
// The handler writes its results and waits for the brokers to have them
// before it returns Done: the job is acknowledged right after.
type Handler func(ctx context.Context, job Job) Outcome

// Config of a queue.
type Config struct {
	Brokers []string
	// Group is the share group; Topic the topic of its jobs.
	Group string
	Topic string
	// Slots is the number of jobs this instance does at once: one member
	// of the share group each.
	Slots int
	// Spares are members beyond Slots that take jobs only while this
	// instance holds Slots jobs already: jobs that wait here for one to end
	// (the judge's, to preempt one; see processors/judge).
	Spares int
	// ClientID prefixes each member's client ID.
	ClientID string
	// Drain is how long jobs running when the queue stops may go on before
	// their context ends.
	Drain time.Duration
	// MaxDelivery is the delivery at which a job is not run again but given
	// to Poisoned (it failed or took its member down every time before):
	// the brokers' group.share.delivery.count.limit (5 by default), after
	// which they would drop the record without a word.
	MaxDelivery int32
	// Poisoned records a job delivered MaxDelivery times (a dead letter, a
	// failed result) instead of the handler: Done once that is written.
	Poisoned Handler
}

// Queue consumes jobs from a share group.
type Queue struct {
	cfg      Config
	log      *slog.Logger
	held     atomic.Int64               // jobs held now
	admin    atomic.Pointer[kgo.Client] // for Depth, while Run runs
	fetching fetching                   // the members' share fetches in flight
}

// withDefaults fills the settings left zero: a slot, DefaultMaxDelivery.
func (cfg Config) withDefaults() Config {
	cfg.Slots = cmp.Or(cfg.Slots, 1)
	cfg.MaxDelivery = cmp.Or(cfg.MaxDelivery, DefaultMaxDelivery)
	return cfg
}

// Validate reports settings no queue can work with.
func (cfg Config) Validate() error {
	var errs []error
	if len(cfg.Brokers) == 0 || cfg.Group == "" || cfg.Topic == "" {
		errs = append(errs, fmt.Errorf("queue: Brokers, Group and Topic are required, got %v, %q and %q", cfg.Brokers, cfg.Group, cfg.Topic))
	}
	if cfg.Slots < 1 || cfg.Spares < 0 {
		errs = append(errs, fmt.Errorf("queue %s: Slots must be at least 1 and Spares at least 0, got %d and %d", cfg.Group, cfg.Slots, cfg.Spares))
	}
	if cfg.MaxDelivery < 1 || cfg.Drain < 0 {
		errs = append(errs, fmt.Errorf("queue %s: MaxDelivery must be at least 1 and Drain at least 0, got %d and %s", cfg.Group, cfg.MaxDelivery, cfg.Drain))
	}
	return errors.Join(errs...)
}

// New returns a queue of cfg; nothing runs until Run. Settings left zero
// take their defaults (withDefaults).
func New(cfg Config, log *slog.Logger) (*Queue, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Queue{cfg: cfg, log: log}, nil
}

// DefaultMaxDelivery is the brokers' default delivery count limit.
const DefaultMaxDelivery = 5

// Held returns the number of jobs this instance holds now.
func (q *Queue) Held() int64 { return q.held.Load() }

// Run runs every member until ctx ends, then lets the jobs in hand finish
// (Config.Drain), acknowledges them, leaves the group and returns.
func (q *Queue) Run(ctx context.Context, h Handler) error {
	admin, err := kgo.NewClient(kgo.SeedBrokers(q.cfg.Brokers...), kgo.ClientID(q.cfg.ClientID+"-"+q.cfg.Group+"-admin"))
	if err != nil {
		return fmt.Errorf("create the admin client of share group %s: %w", q.cfg.Group, err)
	}
	q.admin.Store(admin)
	defer func() {
		q.admin.Store(nil)
		admin.Close()
	}()
	errc := make(chan error, q.cfg.Slots+q.cfg.Spares)
	var members sync.WaitGroup
	for n := range q.cfg.Slots + q.cfg.Spares {
		members.Go(func() { errc <- q.member(ctx, n, n >= q.cfg.Slots, h) })
	}
	members.Wait()
	close(errc)
	var errs []error
	for err := range errc {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Depth returns the jobs of the queue not done yet, in every partition:
// waiting, or held by a member of any instance. It asks the group's
// coordinator (DescribeShareGroupOffsets, its lag).
func (q *Queue) Depth(ctx context.Context) (int64, error) {
	admin := q.admin.Load()
	if admin == nil {
		return 0, errors.New("the queue is not running")
	}
	req := kmsg.NewPtrDescribeShareGroupOffsetsRequest()
	g := kmsg.NewDescribeShareGroupOffsetsRequestGroup()
	g.GroupID = q.cfg.Group // every topic of the group (none named)
	req.Groups = append(req.Groups, g)
	resp, err := req.RequestWith(ctx, admin)
	if err != nil {
		return 0, fmt.Errorf("describe the offsets of share group %s: %w", q.cfg.Group, err)
	}
	var depth int64
	for _, g := range resp.Groups {
		if err := kerr.ErrorForCode(g.ErrorCode); err != nil {
			return 0, fmt.Errorf("describe the offsets of share group %s: %w", q.cfg.Group, err)
		}
		for _, t := range g.Topics {
			if t.Topic != q.cfg.Topic {
				continue
			}
			for _, p := range t.Partitions {
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					return 0, fmt.Errorf("share group %s, %s/%d: %w", q.cfg.Group, t.Topic, p.Partition, err)
				}
				// -1: no state yet (nothing consumed) or a broker without lag.
				depth += max(p.Lag, 0)
			}
		}
	}
	return depth, nil
}

// member is one slot, or a spare: a share consumer that takes one job at a
// time.
func (q *Queue) member(ctx context.Context, n int, spare bool, h Handler) error {
	log := q.log.With("member", n)
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(q.cfg.Brokers...),
		kgo.ClientID(q.cfg.ClientID+"-"+q.cfg.Group+"-"+strconv.Itoa(n)),
		kgo.ShareGroup(q.cfg.Group),
		kgo.ConsumeTopics(q.cfg.Topic),
		// One job at a time, and none taken ahead: a job waiting in this
		// client's buffer would be locked away from idle members.
		kgo.ShareMaxRecords(1),
		kgo.ShareMaxRecordsStrict(),
		kgo.FetchMaxWait(fetchMaxWait),
		kgo.WithLogger(logger{log}),
		kgo.WithHooks(&q.fetching),
	)
	if err != nil {
		return fmt.Errorf("create member %d of share group %s: %w", n, q.cfg.Group, err)
	}
	defer func() {
		// See the package doc. No member polls once ctx has ended, so no
		// new fetch starts; the brokers answer a fetch within its max wait.
		q.fetching.waitNone(fetchMaxWait + 2*time.Second)
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := cl.LeaveGroupContext(lctx); err != nil {
			log.Warn("leave the share group", "group", q.cfg.Group, "err", err)
		}
		cl.Close()
	}()

	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if spare && !q.whileBusy(ctx) {
			break
		}
		fetches := cl.PollRecords(ctx, 1)
		if ctx.Err() != nil {
			// A poll cut short may still have taken a job: release it.
			fetches.EachRecord(func(r *kgo.Record) { r.Ack(kgo.AckRelease) })
			break
		}
		failed := false
		fetches.EachError(func(topic string, p int32, err error) {
			if errors.Is(err, context.Canceled) || errors.Is(err, kgo.ErrClientClosed) {
				return
			}
			failed = true
			log.Warn("share fetch failed", "group", q.cfg.Group, "topic", topic, "partition", p, "err", err)
		})
		if failed {
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
		} else {
			backoff = 100 * time.Millisecond
		}
		fetches.EachRecord(func(r *kgo.Record) { q.handle(ctx, cl, r, h, log) })
	}
	return nil
}

// handle runs one job while renewing its lock, then acknowledges it.
func (q *Queue) handle(ctx context.Context, cl *kgo.Client, r *kgo.Record, h Handler, log *slog.Logger) {
	q.held.Add(1)
	metrics.QueueHeld.WithLabelValues(q.cfg.Group).Inc()
	defer func() {
		q.held.Add(-1)
		metrics.QueueHeld.WithLabelValues(q.cfg.Group).Dec()
	}()
	job := Job{Key: string(r.Key), Value: r.Value, Topic: r.Topic, Partition: r.Partition, Offset: r.Offset,
		Timestamp: r.Timestamp, Delivery: r.DeliveryCount(), Yielded: yielded(r)}

	// The job's context outlives the queue's by Drain.
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stopDrain := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(q.cfg.Drain, cancel)
		context.AfterFunc(jctx, func() { t.Stop() })
	})
	defer stopDrain()

	stopRenew := renew(jctx, cl, r, log)
	var out Outcome
	if job.Delivery >= q.cfg.MaxDelivery && q.cfg.Poisoned != nil {
		metrics.QueuePoisoned.WithLabelValues(q.cfg.Group).Inc()
		log.Error("job delivered too often: not run again", "group", q.cfg.Group, "key", job.Key,
			"topic", job.Topic, "partition", job.Partition, "offset", job.Offset, "delivery", job.Delivery)
		out = q.cfg.Poisoned(jctx, job)
	} else {
		out = h(jctx, job)
	}
	stopRenew()
	if out == Defer || out == Yielded {
		out = q.requeue(jctx, cl, r, out, log)
	}
	r.Ack(out.ack())
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer fcancel()
	if err := cl.FlushAcks(fctx); err != nil {
		// The lock expires and the job comes round again: at least once.
		log.Warn("acknowledge a job", "group", q.cfg.Group, "key", job.Key, "err", err)
	}
}

// fetchMaxWait is how long the brokers hold a member's share fetch while
// they have no job for it (kgo's default for share groups). It bounds how
// long a stopping instance waits for its members' fetches in flight.
const fetchMaxWait = 500 * time.Millisecond

// fetching counts share fetches written to a broker whose response has not
// been read: a kgo hook on every member's client.
type fetching struct{ n atomic.Int64 }

const shareFetchKey = int16(kmsg.ShareFetch)

func (f *fetching) OnBrokerWrite(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key == shareFetchKey && err == nil {
		f.n.Add(1)
	}
}

func (f *fetching) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, _ error) {
	if key == shareFetchKey {
		f.n.Add(-1)
	}
}

// waitNone waits until no fetch is in flight, or within has passed (a
// connection that died with a fetch in flight reads no response).
func (f *fetching) waitNone(within time.Duration) {
	deadline := time.Now().Add(within)
	for f.n.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
}

// whileBusy waits until this instance holds Slots jobs: false if ctx ended
// first.
func (q *Queue) whileBusy(ctx context.Context) bool {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for q.held.Load() < int64(q.cfg.Slots) {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// requeue writes r again at the end of its topic (marked as yielded if
// it was), then, for a deferred job, pauses: Done, or Retry if the write
// failed.
func (q *Queue) requeue(ctx context.Context, cl *kgo.Client, r *kgo.Record, why Outcome, log *slog.Logger) Outcome {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The copy keeps the job's time: how long it has waited goes on.
	copied := &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Timestamp: r.Timestamp}
	if why == Yielded && !yielded(r) {
		copied.Headers = append(slices.Clone(r.Headers), kgo.RecordHeader{Key: yieldedHeader, Value: []byte("1")})
	}
	if err := cl.ProduceSync(pctx, copied).FirstErr(); err != nil {
		log.Warn("write a job again at the end of its queue", "group", q.cfg.Group, "key", string(r.Key), "err", err)
		return Retry
	}
	if why == Yielded {
		metrics.QueueYielded.WithLabelValues(q.cfg.Group).Inc()
		return Done
	}
	metrics.QueueDeferred.WithLabelValues(q.cfg.Group).Inc()
	select {
	case <-ctx.Done():
	case <-time.After(DeferPause):
	}
	return Done
}

func yielded(r *kgo.Record) bool {
	return slices.ContainsFunc(r.Headers, func(h kgo.RecordHeader) bool { return h.Key == yieldedHeader })
}

// renew extends r's lock at a third of its duration until stop is called:
// a short lock, renewed, lets a job outlive its lock while one whose member
// died is delivered again soon.
func renew(ctx context.Context, cl *kgo.Client, r *kgo.Record, log *slog.Logger) (stop func()) {
	every := 5 * time.Second
	if d := time.Until(r.AcquisitionDeadline()); !r.AcquisitionDeadline().IsZero() && d > 0 {
		every = max(d/3, 200*time.Millisecond)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
			r.Ack(kgo.AckRenew)
			fctx, fcancel := context.WithTimeout(rctx, every)
			if err := cl.FlushAcks(fctx); err != nil && rctx.Err() == nil {
				log.Warn("renew a job's lock", "key", string(r.Key), "err", err)
			}
			fcancel()
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// logger passes kgo's warnings and errors to slog.
type logger struct{ log *slog.Logger }

func (l logger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (l logger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	lvl := slog.LevelWarn
	if level == kgo.LogLevelError {
		lvl = slog.LevelError
	}
	l.log.Log(context.Background(), lvl, "kafka client: "+msg, keyvals...)
}
