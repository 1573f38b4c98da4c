package broker

import (
	"log/slog"
	"testing"
	"time"
)

// TestConfigIsValidated: Start refuses a broker that would keep nothing on
// disk, or whose jobs' locks are too short to renew.
func TestConfigIsValidated(t *testing.T) {
	for _, bad := range []Config{{}, {DataDir: t.TempDir(), JobLock: time.Millisecond}} {
		if b, err := Start(bad, slog.New(slog.DiscardHandler)); err == nil {
			b.Close()
			t.Errorf("Start took %+v", bad)
		}
	}
	if got := (Config{DataDir: "d"}).withDefaults(); got.Addr != "127.0.0.1:0" || got.JobLock != DefaultJobLock {
		t.Errorf("defaults: %+v", got)
	}
}
