package web

import (
	"testing"
	"time"
)

// TestConfig: settings left zero take the defaults; impossible ones are
// refused by New.
func TestConfig(t *testing.T) {
	if got := (Config{}).withDefaults(); got.Addr != "127.0.0.1:8080" || got.Heartbeat != DefaultHeartbeat {
		t.Errorf("defaults: %+v", got)
	}
	for _, bad := range []Config{{MaxInFlight: -1}, {Heartbeat: -time.Second}} {
		if _, err := New(bad, Deps{}); err == nil {
			t.Errorf("New took %+v", bad)
		}
	}
}
