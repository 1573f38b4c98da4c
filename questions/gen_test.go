package questions

import (
	"bytes"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/codementor/codementor/questions/internal/gen"
)

var update = flag.Bool("update", false, "rewrite starter/*.json from internal/gen")

// TestStarterFilesUpToDate checks that the shipped JSON files are exactly what
// internal/gen builds; with -update it rewrites them instead.
func TestStarterFilesUpToDate(t *testing.T) {
	want, err := gen.Files()
	if err != nil {
		t.Fatal(err)
	}
	have, err := filepath.Glob(filepath.Join("starter", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		for _, name := range have {
			if _, ok := want[filepath.Base(name)]; !ok {
				if err := os.Remove(name); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, data := range want {
			if err := os.WriteFile(filepath.Join("starter", name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	for _, name := range have {
		if _, ok := want[filepath.Base(name)]; !ok {
			t.Errorf("%s is not built by internal/gen; run go test ./questions/ -run TestStarterFilesUpToDate -update", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		data, err := os.ReadFile(filepath.Join("starter", name))
		if err != nil {
			t.Errorf("%v; run go test ./questions/ -run TestStarterFilesUpToDate -update", err)
			continue
		}
		if !bytes.Equal(data, want[name]) {
			t.Errorf("starter/%s is stale; run go test ./questions/ -run TestStarterFilesUpToDate -update", name)
		}
	}
}
