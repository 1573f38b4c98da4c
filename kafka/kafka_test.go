package kafka

import (
	"log/slog"
	"testing"
	"time"
)

// TestConfig: a layout left zero takes the defaults; EnsureTopics refuses
// one no cluster can take before it connects.
func TestConfig(t *testing.T) {
	got := Config{Brokers: []string{"b"}}.WithDefaults()
	if got.Partitions != 12 || got.QueuePartitions != 1 || got.Replication != 1 || got.StreamRetention != DefaultStreamRetention {
		t.Errorf("defaults: %+v", got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the defaults do not validate: %v", err)
	}
	for _, bad := range []Config{{}, {Brokers: []string{"b"}, Replication: -1}, {Brokers: []string{"b"}, StreamRetention: time.Second}} {
		if err := EnsureTopics(t.Context(), bad, slog.New(slog.DiscardHandler)); err == nil {
			t.Errorf("EnsureTopics took %+v", bad)
		}
	}
}
