// Package broker runs an embedded Kafka-protocol broker (franz-go's kfake)
// for a single machine: `codementor dev` and `codementor broker`, and the
// integration tests. Its data lives in a directory and survives restarts.
package broker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Config of the embedded broker.
type Config struct {
	// Addr is the listen address, e.g. 127.0.0.1:9092 (port 0 picks a free one).
	Addr string
	// DataDir holds the broker's log segments and offsets.
	DataDir string
	// JobLock is how long a share-group member holds a job without renewing
	// its lock before the job goes to another (default 10 s).
	JobLock time.Duration
}

// Broker is a running embedded broker.
type Broker struct {
	cluster *kfake.Cluster
	addr    string
	log     *slog.Logger
}

// DefaultJobLock is the brokers' default lock of a share group's job.
const DefaultJobLock = 10 * time.Second

// withDefaults fills the settings left zero: a free port, DefaultJobLock.
func (cfg Config) withDefaults() Config {
	cfg.Addr = cmp.Or(cfg.Addr, "127.0.0.1:0")
	cfg.JobLock = cmp.Or(cfg.JobLock, DefaultJobLock)
	return cfg
}

// Validate reports settings no broker can work with.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.DataDir == "" {
		errs = append(errs, errors.New("embedded broker: DataDir is required: acknowledged messages are kept on disk"))
	}
	if cfg.JobLock < time.Second {
		errs = append(errs, fmt.Errorf("embedded broker: JobLock must be at least 1s, got %s", cfg.JobLock))
	}
	return errors.Join(errs...)
}

// Start listens on cfg.Addr and loads earlier data from cfg.DataDir.
// Settings left zero take their defaults (withDefaults).
func Start(cfg Config, log *slog.Logger) (*Broker, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create broker data dir: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s for the embedded broker (is another broker running there? choose another --kafka-addr): %w", cfg.Addr, err)
	}
	used := false
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.ListenFn(func(string, string) (net.Listener, error) {
			if used {
				return nil, fmt.Errorf("the embedded broker listens on one address only")
			}
			used = true
			return ln, nil
		}),
		kfake.DataDir(cfg.DataDir),
		// Acknowledged means on disk: a crash must not lose a submission the
		// API has accepted.
		kfake.SyncWrites(),
		kfake.ClusterID("codementor-dev"),
		kfake.WithLogger(logger{log}),
		kfake.BrokerConfigs(map[string]string{
			// Compact tables promptly so the data dir does not grow without end.
			"log.cleaner.backoff.ms": "60000",
			// Share groups (the judge's and the reviewer's queues): a new
			// member gets its partitions within a second, not five; a member
			// that dies without a word (a lost machine; a killed process
			// closes its connection, which releases its jobs at once) is
			// dropped after 6 s, like the classic groups' sessions; and a job
			// whose member stopped renewing its lock goes to another after
			// 10 s (members renew at a third of that).
			"group.share.heartbeat.interval.ms":   "1000",
			"group.share.session.timeout.ms":      "6000",
			"group.share.record.lock.duration.ms": strconv.FormatInt(cfg.JobLock.Milliseconds(), 10),
			"share.record.lock.sweep.interval.ms": "1000",
		}),
	)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("start embedded broker with data in %s: %w", cfg.DataDir, err)
	}
	return &Broker{cluster: c, addr: ln.Addr().String(), log: log}, nil
}

// Addr is the address clients connect to.
func (b *Broker) Addr() string { return b.addr }

// Run serves until ctx ends. The owner calls Close after every client of the
// broker has stopped.
func (b *Broker) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Close stops the broker, writing its state to the data dir.
func (b *Broker) Close() { b.cluster.Close() }

type logger struct{ log *slog.Logger }

func (l logger) Logf(level kfake.LogLevel, format string, args ...any) {
	var lvl slog.Level
	switch level {
	case kfake.LogLevelError:
		lvl = slog.LevelError
	case kfake.LogLevelWarn:
		lvl = slog.LevelWarn
	default: // kfake logs every request at info

		lvl = slog.LevelDebug
	}
	l.log.Log(context.Background(), lvl, fmt.Sprintf(format, args...))
}
