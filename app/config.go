package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/callback"
	"github.com/codementor/codementor/processors/judge"
	"github.com/codementor/codementor/processors/watchdog"
	"github.com/codementor/codementor/review"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/web"
)

// Roles of the binary.
const (
	RoleDev       = "dev"       // everything in one process
	RoleBroker    = "broker"    // the embedded broker alone
	RoleProcessor = "processor" // the processor groups
	RoleWeb       = "web"       // emitters, views and the HTTP API
	RoleTopics    = "topics"    // create the topics, then exit: a deployment's set-up step
)

// Roles lists every role.
var Roles = []string{RoleDev, RoleBroker, RoleProcessor, RoleWeb, RoleTopics}

// EnvPrefix prefixes the environment variable of every flag.
const EnvPrefix = "CODEMENTOR_"

// Config of one process. Every flag has an environment fallback:
// --http-addr is CODEMENTOR_HTTP_ADDR, and so on.
type Config struct {
	Role     string
	HTTPAddr string
	DataDir  string
	// KafkaAddr is where the embedded broker listens.
	KafkaAddr string
	// Brokers of an external Kafka cluster; empty in dev mode means the
	// embedded broker.
	Brokers         []string
	Partitions      int
	QueuePartitions int
	Replication     int
	StreamRetention time.Duration
	DevAuth         bool
	// JWTSecret signs tokens; from CODEMENTOR_JWT_SECRET only (never a flag,
	// which any user of the machine could read in the process list).
	JWTSecret     string
	TokenTTL      time.Duration
	MaxConcurrent int
	// PreemptAfter: a test running this long may be stopped for a learner
	// with nothing running who waits for a slot (0: never).
	PreemptAfter time.Duration
	// TestDataCacheMB bounds the test data a judge keeps in memory, by
	// question version (0: judge.DefaultTestDataCacheBytes).
	TestDataCacheMB int
	// MaxInFlight caps a learner's submissions waiting or being judged.
	MaxInFlight int
	// MaxRunsInFlight caps a user's runs waiting or being judged.
	MaxRunsInFlight int
	// CallbackAllow lists the internal addresses (IPs or CIDR prefixes)
	// runs' callbacks may reach; every other internal one is refused.
	CallbackAllow string
	// RunRetention is how long a final run is kept.
	RunRetention time.Duration
	// StallAfter is how long a submission may make no progress before its
	// job is emitted again.
	StallAfter time.Duration
	// SandboxDir holds the per-submission work directories. The sandbox
	// user must be able to reach it, so it is not under the data dir, which
	// may sit in a private home directory.
	SandboxDir string
	// SandboxHelper is the path of the sandbox's helper
	// (codementor-sandbox-init); "" finds it as sandbox.Config.Helper says.
	SandboxHelper string
	// SandboxUIDs are the host uids boxes run as, one per running box.
	SandboxUIDs sandbox.UIDRange
	// UnsafeNoSandbox runs learners' code without isolation where the
	// machine cannot sandbox it: local development only.
	UnsafeNoSandbox bool
	// NoZygote starts every test's process afresh (sandbox.Config.NoZygote).
	NoZygote bool
	// Review configures the LLM review; its API key comes from
	// OPENAI_API_KEY only, never a flag.
	Review            review.Config
	ReviewConcurrency int
	SeedQuestions     bool
	// MetricsAddr is where a processor serves /metrics, /healthz and
	// /readyz; empty serves nothing (the web tier serves them on its port).
	MetricsAddr string
	LogLevel    slog.Level
}

// ParseFlags reads the configuration of role from args and the environment
// (getenv), and validates it. -h prints the usage to out.
func ParseFlags(role string, args []string, getenv func(string) string, out io.Writer) (Config, error) {
	cfg := Config{Role: role}
	fs := flag.NewFlagSet("codementor "+role, flag.ContinueOnError)
	fs.SetOutput(out)
	var envErrs []error
	strEnv := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	str := func(p *string, name, def, usage string) { strEnv(p, name, envName(name), def, usage) }
	num := func(p *int, name string, def int, usage string) {
		if v := getenv(envName(name)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q is not a whole number", envName(name), v))
			}
			def = n
		}
		fs.IntVar(p, name, def, usage+" (env "+envName(name)+")")
	}
	boolean := func(p *bool, name string, def bool, usage string) {
		if v := getenv(envName(name)); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q is not true or false", envName(name), v))
			}
			def = b
		}
		fs.BoolVar(p, name, def, usage+" (env "+envName(name)+")")
	}
	duration := func(p *time.Duration, name string, def time.Duration, usage string) {
		if v := getenv(envName(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				envErrs = append(envErrs, fmt.Errorf("%s=%q is not a duration such as 30s or 168h", envName(name), v))
			}
			def = d
		}
		fs.DurationVar(p, name, def, usage+" (env "+envName(name)+")")
	}

	var brokers, logLevel string
	str(&cfg.DataDir, "data-dir", "./data", "directory for the broker's data, local table storage and sandboxes")
	str(&logLevel, "log-level", "info", "debug, info, warn or error")
	if role == RoleDev || role == RoleBroker {
		str(&cfg.KafkaAddr, "kafka-addr", "127.0.0.1:9092", "listen address of the embedded Kafka broker")
	}
	if role != RoleBroker {
		defBrokers := "127.0.0.1:9092"
		if role == RoleDev {
			defBrokers = ""
		}
		str(&brokers, "brokers", defBrokers, "comma-separated Kafka bootstrap brokers (dev: empty runs the embedded broker)")
		num(&cfg.Partitions, "partitions", 12, "partitions of every topic created but the job queues; the ceiling on parallel tracker instances")
		num(&cfg.QueuePartitions, "queue-partitions", 1, "partitions of the job queues (run-jobs, review-jobs) created; judges and reviewers share each partition, so one serves up to thousands of jobs a second")
		num(&cfg.Replication, "replication", 1, "replication factor of every topic created")
		duration(&cfg.StreamRetention, "stream-retention", 7*24*time.Hour, "retention of the stream topics (tables are compacted)")
	}
	if role == RoleDev || role == RoleWeb {
		str(&cfg.HTTPAddr, "http-addr", "127.0.0.1:8080", "HTTP listen address")
		duration(&cfg.TokenTTL, "token-ttl", 24*time.Hour, "lifetime of issued tokens")
		boolean(&cfg.SeedQuestions, "seed-questions", true, "load the starter questions that are missing from the questions table")
		num(&cfg.MaxInFlight, "max-in-flight", 8, "submissions a learner may have waiting or being judged at once, across every web instance (admins exempt); 0: no limit")
		num(&cfg.MaxRunsInFlight, "max-runs-in-flight", web.DefaultMaxRunsInFlight, "runs (the Run button, the Judge0 API) a user may have waiting or being judged at once, apart from submissions (admins exempt); 0: no limit")
	}
	if role == RoleDev || role == RoleWeb || role == RoleProcessor {
		str(&cfg.CallbackAllow, "callback-allow", "", "comma-separated IP addresses or CIDR prefixes of internal receivers runs' callbacks may reach (loopback, private, link-local and metadata addresses are refused otherwise)")
	}
	if role == RoleWeb {
		boolean(&cfg.DevAuth, "dev-auth", false, "enable POST /api/dev/login, which signs anyone in: never in production")
	}
	if role == RoleDev || role == RoleProcessor {
		num(&cfg.MaxConcurrent, "max-concurrent", runtime.NumCPU(), "submissions judged at once by this instance")
		duration(&cfg.PreemptAfter, "preempt-after", judge.DefaultPreemptAfter, "when every slot is busy and a learner with nothing running waits, a job whose current test has run this long goes back to the end of the queue (once per job); 0: never")
		num(&cfg.TestDataCacheMB, "test-data-cache-mb", judge.DefaultTestDataCacheBytes>>20, "MiB of questions' test data the judge keeps in memory, by version, so that it is read once per version (a question holds up to 64 MiB)")
		duration(&cfg.StallAfter, "stall-after", watchdog.DefaultConfig().StallAfter, "a submission without progress this long (queued, judged or reviewed) has its job emitted again")
		duration(&cfg.RunRetention, "run-retention", watchdog.DefaultRunRetention, "how long a run (the Run button, the Judge0 API) is kept after it ended; submissions are kept for good")
		str(&cfg.SandboxDir, "sandbox-dir", filepath.Join(os.TempDir(), "codementor-sandbox"), "parent of the sandboxes' work directories; every directory above it must be searchable by others (the boxes' uids)")
		str(&cfg.SandboxHelper, "sandbox-helper", "", "path of the sandbox's helper, the data-free program that runs as PID 1 of every box; empty: $CODEMENTOR_SANDBOX_INIT, or "+sandbox.HelperName+" beside this executable")
		num(&cfg.SandboxUIDs.First, "sandbox-uid-first", sandbox.DefaultUIDs.First, "first host uid of the range boxes run as (one uid per running box; no account needed, nothing else may use them)")
		num(&cfg.SandboxUIDs.Count, "sandbox-uids", sandbox.DefaultUIDs.Count, "how many uids the range has: at least the boxes running at once, on every process of this machine")
		boolean(&cfg.NoZygote, "no-zygote", false, "start every test's interpreter afresh, rather than fork it from the zygote each box starts once (Python): slower, for comparison or should a zygote misbehave")
		boolean(&cfg.UnsafeNoSandbox, "unsafe-no-sandbox", false, "where the machine cannot sandbox, run learners' code WITHOUT isolation: local development only, never with untrusted users")

		rc := review.DefaultConfig()
		strEnv(&cfg.Review.BaseURL, "review-base-url", "OPENAI_BASE_URL", rc.BaseURL, "base URL of the OpenAI-compatible chat-completions server that writes reviews (Ollama: http://127.0.0.1:11434/v1)")
		strEnv(&cfg.Review.Model, "review-model", "CODEMENTOR_REVIEW_MODEL", rc.Model, "model that writes reviews")
		str(&cfg.Review.ReasoningEffort, "review-reasoning-effort", rc.ReasoningEffort, "reasoning effort sent to reasoning models (o-series, gpt-5 and later); empty sends none")
		str(&cfg.Review.AnswerLanguage, "review-language", rc.AnswerLanguage, "language the reviews are written in")
		duration(&cfg.Review.Timeout, "review-timeout", rc.Timeout, "deadline of one review, retries included; then it fails")
		duration(&cfg.Review.StallTimeout, "review-stall-timeout", rc.StallTimeout, "longest wait for the model's response or its next piece")
		num(&cfg.Review.MaxTokens, "review-max-tokens", rc.MaxTokens, "most tokens a review may take")
		num(&cfg.ReviewConcurrency, "review-concurrency", 8, "reviews written at once by this instance")
		num(&cfg.Review.BreakerFailures, "review-breaker-failures", rc.BreakerFailures, "failed calls in a row after which reviews fail fast for a while")
		duration(&cfg.Review.BreakerCooldown, "review-breaker-cooldown", rc.BreakerCooldown, "how long reviews fail fast before the model is tried again")
		cfg.Review.MinBackoff, cfg.Review.MaxBackoff = rc.MinBackoff, rc.MaxBackoff
		cfg.Review.APIKey = getenv("OPENAI_API_KEY")
	}
	if role == RoleProcessor {
		str(&cfg.MetricsAddr, "metrics-addr", "", "listen address for /metrics, /healthz and /readyz, e.g. 127.0.0.1:9464; empty: none")
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q; flags start with --", fs.Args())
	}
	if role == RoleDev {
		cfg.DevAuth = true
	}
	cfg.JWTSecret = getenv(EnvPrefix + "JWT_SECRET")
	for _, b := range strings.Split(brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			cfg.Brokers = append(cfg.Brokers, b)
		}
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		envErrs = append(envErrs, fmt.Errorf("log level %q is not one of debug, info, warn, error", logLevel))
	}
	return cfg, errors.Join(append(envErrs, cfg.Validate())...)
}

func envName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate reports every problem a person must fix before the process can
// start, each naming the flag.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty"))
	}
	if cfg.Role != RoleBroker {
		if cfg.Role != RoleDev && len(cfg.Brokers) == 0 {
			errs = append(errs, errors.New("--brokers is required: the Kafka bootstrap brokers, e.g. 127.0.0.1:9092"))
		}
		if cfg.Partitions < 1 || cfg.Partitions > 1000 {
			errs = append(errs, fmt.Errorf("--partitions must be from 1 to 1000, got %d", cfg.Partitions))
		}
		if cfg.QueuePartitions < 1 || cfg.QueuePartitions > 1000 {
			errs = append(errs, fmt.Errorf("--queue-partitions must be from 1 to 1000, got %d", cfg.QueuePartitions))
		}
		if cfg.Replication < 1 || cfg.Replication > 10 {
			errs = append(errs, fmt.Errorf("--replication must be from 1 to 10, got %d", cfg.Replication))
		}
		if cfg.StreamRetention < time.Hour {
			errs = append(errs, fmt.Errorf("--stream-retention must be at least 1h, got %s", cfg.StreamRetention))
		}
	}
	if cfg.Role == RoleDev || cfg.Role == RoleWeb {
		if cfg.HTTPAddr == "" {
			errs = append(errs, errors.New("--http-addr must not be empty"))
		}
		if cfg.MaxInFlight < 0 || cfg.MaxInFlight > 10000 {
			errs = append(errs, fmt.Errorf("--max-in-flight must be from 0 (no limit) to 10000, got %d", cfg.MaxInFlight))
		}
		if cfg.MaxRunsInFlight < 0 || cfg.MaxRunsInFlight > 10000 {
			errs = append(errs, fmt.Errorf("--max-runs-in-flight must be from 0 (no limit) to 10000, got %d", cfg.MaxRunsInFlight))
		}
		if cfg.TokenTTL < time.Minute {
			errs = append(errs, fmt.Errorf("--token-ttl must be at least 1m, got %s", cfg.TokenTTL))
		}
		if !cfg.DevAuth && cfg.JWTSecret == "" {
			errs = append(errs, fmt.Errorf("set %sJWT_SECRET to a random secret of at least %d bytes (or use --dev-auth on a development machine)", EnvPrefix, auth.MinSecretBytes))
		}
		if cfg.JWTSecret != "" && len(cfg.JWTSecret) < auth.MinSecretBytes {
			errs = append(errs, fmt.Errorf("%sJWT_SECRET must be at least %d bytes, got %d", EnvPrefix, auth.MinSecretBytes, len(cfg.JWTSecret)))
		}
	}
	if _, err := callback.NewGuard(strings.Split(cfg.CallbackAllow, ",")); err != nil {
		errs = append(errs, fmt.Errorf("--callback-allow: %w", err))
	}
	if cfg.Role == RoleDev || cfg.Role == RoleProcessor {
		if cfg.SandboxDir == "" {
			errs = append(errs, errors.New("--sandbox-dir must not be empty"))
		}
		if cfg.StallAfter < 10*time.Second {
			errs = append(errs, fmt.Errorf("--stall-after must be at least 10s, got %s", cfg.StallAfter))
		}
		if cfg.RunRetention != 0 && cfg.RunRetention < time.Minute { // 0: the default
			errs = append(errs, fmt.Errorf("--run-retention must be at least 1m, got %s", cfg.RunRetention))
		}
		if cfg.PreemptAfter != 0 && cfg.PreemptAfter < 100*time.Millisecond {
			errs = append(errs, fmt.Errorf("--preempt-after must be 0 (never) or at least 100ms, got %s", cfg.PreemptAfter))
		}
		if cfg.MaxConcurrent < 1 || cfg.MaxConcurrent > 256 {
			errs = append(errs, fmt.Errorf("--max-concurrent must be from 1 to 256, got %d", cfg.MaxConcurrent))
		}
		if cfg.TestDataCacheMB != 0 && (cfg.TestDataCacheMB < 64 || cfg.TestDataCacheMB > 1<<20) {
			errs = append(errs, fmt.Errorf("--test-data-cache-mb must be from 64 (one question at the largest) to 1048576, got %d", cfg.TestDataCacheMB))
		}
		if cfg.ReviewConcurrency < 1 || cfg.ReviewConcurrency > 256 {
			errs = append(errs, fmt.Errorf("--review-concurrency must be from 1 to 256, got %d", cfg.ReviewConcurrency))
		}
		if err := cfg.Review.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("the review settings (--review-*): %w", err))
		}
	}
	return errors.Join(errs...)
}

// LogValue prints the configuration with the secret redacted.
func (cfg Config) LogValue() slog.Value {
	redact := func(s string) string {
		if s == "" {
			return "(unset)"
		}
		return "[redacted]"
	}
	return slog.GroupValue(
		slog.String("role", cfg.Role), slog.String("http_addr", cfg.HTTPAddr), slog.String("data_dir", cfg.DataDir),
		slog.String("kafka_addr", cfg.KafkaAddr), slog.Any("brokers", cfg.Brokers), slog.Int("partitions", cfg.Partitions), slog.Int("queue_partitions", cfg.QueuePartitions),
		slog.Int("replication", cfg.Replication), slog.Duration("stream_retention", cfg.StreamRetention),
		slog.Bool("dev_auth", cfg.DevAuth), slog.String("jwt_secret", redact(cfg.JWTSecret)), slog.Duration("token_ttl", cfg.TokenTTL),
		slog.Int("max_concurrent", cfg.MaxConcurrent), slog.Duration("preempt_after", cfg.PreemptAfter), slog.Int("max_in_flight", cfg.MaxInFlight), slog.Duration("stall_after", cfg.StallAfter), slog.String("sandbox_dir", cfg.SandboxDir), slog.String("sandbox_helper", cfg.SandboxHelper), slog.Any("sandbox_uids", cfg.SandboxUIDs),
		slog.Bool("unsafe_no_sandbox", cfg.UnsafeNoSandbox), slog.Bool("no_zygote", cfg.NoZygote), slog.Bool("seed_questions", cfg.SeedQuestions),
		slog.String("openai_api_key", redact(cfg.Review.APIKey)), slog.String("review_base_url", cfg.Review.BaseURL),
		slog.String("review_model", cfg.Review.Model), slog.String("review_language", cfg.Review.AnswerLanguage),
		slog.Duration("review_timeout", cfg.Review.Timeout), slog.Int("review_concurrency", cfg.ReviewConcurrency),
		slog.Int("test_data_cache_mb", cfg.TestDataCacheMB),
		slog.String("log_level", cfg.LogLevel.String()),
	)
}

// callbackGuard is the guard of runs' callback URLs, with the operator's
// allow-list.
func (cfg *Config) callbackGuard() (*callback.Guard, error) {
	return callback.NewGuard(strings.Split(cfg.CallbackAllow, ","))
}
