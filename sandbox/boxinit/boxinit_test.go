package boxinit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProcCPUMS(t *testing.T) {
	f := filepath.Join(t.TempDir(), "stat")
	stat := "42 (a (b) c) R 1 42 42 0 -1 4194304 100 0 0 0 150 25 7 3 20 0 1 0 100 1000 100\n"
	if err := os.WriteFile(f, []byte(stat), 0o644); err != nil {
		t.Fatal(err)
	}
	if ms, ok := procCPUMS(f); !ok || ms != 1850 {
		t.Errorf("procCPUMS = %d, %v; want 1850", ms, ok)
	}
}
