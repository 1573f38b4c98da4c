package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseFlagsDefaultsAndEnv(t *testing.T) {
	cfg, err := ParseFlags(RoleDev, nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.DataDir != "./data" || cfg.KafkaAddr != "127.0.0.1:9092" || len(cfg.Brokers) != 0 ||
		cfg.Partitions != 12 || cfg.Replication != 1 || !cfg.DevAuth || !cfg.SeedQuestions || cfg.StreamRetention != 168*time.Hour {
		t.Errorf("dev defaults: %+v", cfg)
	}
	cfg, err = ParseFlags(RoleWeb, []string{"--http-addr", "127.0.0.1:9000"}, env(map[string]string{
		"CODEMENTOR_BROKERS": "k1:9092, k2:9092", "CODEMENTOR_HTTP_ADDR": "127.0.0.1:1", "CODEMENTOR_PARTITIONS": "6",
		"CODEMENTOR_JWT_SECRET": strings.Repeat("s", 32),
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:9000" || len(cfg.Brokers) != 2 || cfg.Brokers[1] != "k2:9092" || cfg.Partitions != 6 || cfg.DevAuth {
		t.Errorf("web: the flag must beat the env, the env the default: %+v", cfg)
	}
}

func TestParseFlagsReviewSettings(t *testing.T) {
	cfg, err := ParseFlags(RoleProcessor, []string{"--review-timeout", "30s"}, env(map[string]string{
		"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "CODEMENTOR_REVIEW_MODEL": "llama3.1",
		"CODEMENTOR_REVIEW_LANGUAGE": "Deutsch",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Review
	if r.APIKey != "sk-test" || r.BaseURL != "http://127.0.0.1:11434/v1" || r.Model != "llama3.1" || r.AnswerLanguage != "Deutsch" ||
		r.Timeout != 30*time.Second || r.StallTimeout <= 0 || r.MaxTokens <= 0 || r.BreakerFailures <= 0 || r.MaxBackoff <= 0 || cfg.ReviewConcurrency != 8 {
		t.Errorf("review settings: %+v", cfg)
	}
	// Without a key the processor starts, with reviews skipped.
	cfg, err = ParseFlags(RoleDev, nil, env(nil), io.Discard)
	if err != nil || cfg.Review.APIKey != "" || cfg.Review.Model == "" || cfg.Review.BaseURL == "" {
		t.Errorf("dev without a key: %+v, %v", cfg.Review, err)
	}
}

func TestParseFlagsRejects(t *testing.T) {
	tests := []struct {
		role string
		args []string
		env  map[string]string
		want string
	}{
		{RoleWeb, nil, nil, "CODEMENTOR_JWT_SECRET"},
		{RoleWeb, nil, map[string]string{"CODEMENTOR_JWT_SECRET": "short"}, "at least 32 bytes"},
		{RoleProcessor, []string{"--brokers", ""}, nil, "--brokers is required"},
		{RoleDev, []string{"--partitions", "0"}, nil, "--partitions must be from 1 to 1000"},
		{RoleDev, nil, map[string]string{"CODEMENTOR_PARTITIONS": "many"}, `CODEMENTOR_PARTITIONS="many" is not a whole number`},
		{RoleDev, nil, map[string]string{"CODEMENTOR_STREAM_RETENTION": "1m"}, "--stream-retention must be at least 1h"},
		{RoleDev, []string{"extra"}, nil, "unexpected arguments"},
		{RoleDev, []string{"--log-level", "loud"}, nil, "log level"},
		{RoleProcessor, []string{"--max-concurrent", "0"}, nil, "--max-concurrent"},
		{RoleProcessor, []string{"--review-concurrency", "0"}, nil, "--review-concurrency"},
		{RoleProcessor, []string{"--preempt-after", "10ms"}, nil, "--preempt-after must be 0 (never) or at least 100ms"},
		{RoleDev, []string{"--review-timeout", "5m"}, nil, "review"},
		{RoleDev, nil, map[string]string{"OPENAI_BASE_URL": "ftp://x"}, "review"},
	}
	for _, tt := range tests {
		_, err := ParseFlags(tt.role, tt.args, env(tt.env), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %v %v: err = %v, want it to mention %q", tt.role, tt.args, tt.env, err, tt.want)
		}
	}
}

func TestConfigLogRedactsSecret(t *testing.T) {
	cfg := Config{Role: RoleWeb, JWTSecret: "super-secret-value-that-is-long-enough"}
	cfg.Review.APIKey = "sk-very-secret-key"
	if s := cfg.LogValue().String(); strings.Contains(s, "super-secret") || strings.Contains(s, "sk-very") || !strings.Contains(s, "[redacted]") {
		t.Errorf("log value %s", s)
	}
}

func TestLockSlotGivesEachInstanceItsOwnDir(t *testing.T) {
	dir := t.TempDir()
	a, unlockA, err := lockSlot(dir, "web")
	if err != nil {
		t.Fatal(err)
	}
	b, unlockB, err := lockSlot(dir, "web")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two instances got %s", a)
	}
	unlockA()
	c, unlockC, err := lockSlot(dir, "web")
	if err != nil {
		t.Fatal(err)
	}
	if c != a {
		t.Errorf("after unlock got %s, want the freed %s", c, a)
	}
	unlockB()
	unlockC()
}

// TestNewReportsStartFailures: a process that cannot start says why (here:
// no Kafka answers) instead of crashing.
func TestNewReportsStartFailures(t *testing.T) {
	cfg, err := ParseFlags(RoleTopics, []string{"--brokers", "127.0.0.1:1", "--data-dir", t.TempDir()}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if a != nil || err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("New = %v, %v; want the error naming the unreachable broker", a, err)
	}
}
