package toolchain

import (
	"io"
	"log/slog"
	"strings"
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

// TestKotlinCompilationsDoNotWaitForTheirCache: Prepare closes Kotlin's
// Ready at once (its archive is made at idle priority, however long that
// takes) and Java's only once its archive is made or failed.
func TestKotlinCompilationsDoNotWaitForTheirCache(t *testing.T) {
	tool := func(id string) *Toolchain {
		// A JVM that does not exist: the archives fail at once.
		return &Toolchain{Lang: Lookup(id), made: make(chan struct{}), ready: make(chan struct{}), vars: map[string][]string{
			"java_home": {"/nonexistent/jvm"}, "kotlin_home": {"/nonexistent/kotlin"}, "kotlinc_cp": {"/nonexistent/kotlin/lib/kotlin-compiler.jar"},
		}}
	}
	kotlin, java := tool("kotlin"), tool("java")
	block := make(chan struct{})
	Prepare(t.Context(), []*Toolchain{kotlin, java}, Caches{
		Dir:        t.TempDir(),
		TempPrefix: func(kind string) string { <-block; return kind + "-" },
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	select {
	case <-kotlin.Ready():
	default:
		t.Error("Kotlin's compilations wait for its cache")
	}
	select {
	case <-java.Ready():
		t.Error("Java's compilations do not wait for its cache")
	case <-kotlin.Prepared():
		t.Error("Kotlin's cache is prepared before it was made")
	default:
	}
	close(block)
	for _, tc := range []*Toolchain{kotlin, java} {
		<-tc.Prepared()
		<-tc.Ready()
		if tc.HasCache() {
			t.Errorf("%s has a cache made with a JVM that does not exist", tc.Lang.ID)
		}
	}
}

// TestFindReportsVersions: every toolchain this machine has reports a
// version; Kotlin's is its release, not the "1.3-SNAPSHOT" Debian's
// compiler prints.
func TestFindReportsVersions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every toolchain's version command")
	}
	for _, tc := range Find(t.Context(), slog.New(slog.NewTextHandler(io.Discard, nil))) {
		if tc.Version == "" || strings.Contains(tc.Version, "SNAPSHOT") {
			t.Errorf("%s: version %q", tc.Lang.ID, tc.Version)
		}
	}
}
