package toolchain

import (
	"testing"

	"github.com/codementor/codementor"
)

func TestLanguageTableCoversCodementorLanguages(t *testing.T) {
	for _, l := range codementor.Languages {
		entry := Lookup(l.ID)
		if entry == nil {
			t.Errorf("language %q of codementor.Languages has no entry in the sandbox's table", l.ID)
			continue
		}
		if entry.Entry == "" || entry.Solution == "" || len(entry.Run) == 0 || len(entry.Requires) == 0 {
			t.Errorf("language %q: incomplete entry %+v", l.ID, entry)
		}
	}
	seen := map[string]bool{}
	for _, l := range table {
		if seen[l.ID] {
			t.Errorf("language %q twice in the table", l.ID)
		}
		seen[l.ID] = true
	}
}
