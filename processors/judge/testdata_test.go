package judge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lovoo/goka"
	"github.com/lovoo/goka/storage"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/emitters"
	"github.com/codementor/codementor/internal/kafkatest"
	"github.com/codementor/codementor/sandbox"
	"github.com/codementor/codementor/views"
)

// echoQuestion is a question whose tests' outputs are their inputs: a
// sample and hidden tests of the given sizes, seeded by seed.
func echoQuestion(id string, seed int, sizes ...int) *codementor.Question {
	q := &codementor.Question{ID: id, Title: "Echo", Tests: []codementor.Test{{Input: "1 2\n", Output: "1 2\n"}}}
	for i, n := range sizes {
		data := strings.Repeat(fmt.Sprintf("%d %d\n", seed, i), n)[:n]
		q.Tests = append(q.Tests, codementor.Test{Input: data, Output: data, Hidden: true})
	}
	q.Normalize()
	return q
}

// fakeChunks is a map of chunks that counts reads. A key in missing is
// not found.
type fakeChunks struct {
	mu      sync.Mutex
	chunks  map[string]*codementor.TestDataChunk
	reads   atomic.Int64
	gate    chan struct{} // if not nil, every read waits for it
	missing map[string]bool
}

func (f *fakeChunks) Lookup(ctx context.Context, key string, within time.Duration) (*codementor.TestDataChunk, error) {
	if f.gate != nil {
		<-f.gate
	}
	f.reads.Add(1)
	f.mu.Lock()
	c, ok := f.chunks[key]
	gone := f.missing[key]
	f.mu.Unlock()
	if !ok || gone {
		select {
		case <-time.After(within):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %w", key, views.ErrNotFound)
	}
	return c, nil
}

// store splits q (in chunks of chunkBytes) into f and returns its record.
func (f *fakeChunks) store(q *codementor.Question, chunkBytes int) *codementor.Question {
	rec, chunks := codementor.SplitTestData(q, chunkBytes)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.chunks == nil {
		f.chunks = map[string]*codementor.TestDataChunk{}
	}
	for c := range chunks {
		f.chunks[codementor.TestDataKey(c.QuestionID, c.Version, c.Test, c.Part, c.Index)] = c
	}
	return rec
}

// fakeQuestions is a questions table of records.
type fakeQuestions struct {
	mu   sync.Mutex
	recs map[string]*codementor.Question
}

func (f *fakeQuestions) put(rec *codementor.Question) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.recs == nil {
		f.recs = map[string]*codementor.Question{}
	}
	f.recs[rec.ID] = rec
}

func (f *fakeQuestions) Lookup(_ context.Context, id string, _ time.Duration) (*codementor.Question, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if q, ok := f.recs[id]; ok {
		c := *q
		return &c, nil
	}
	return nil, fmt.Errorf("%s: %w", id, views.ErrNotFound)
}

// sameTests fails t unless got holds want's tests' data.
func sameTests(t testing.TB, got, want *codementor.Question) {
	t.Helper()
	if len(got.Tests) != len(want.Tests) {
		t.Fatalf("%d tests, want %d", len(got.Tests), len(want.Tests))
	}
	for i := range want.Tests {
		if got.Tests[i].Input != want.Tests[i].Input || got.Tests[i].Output != want.Tests[i].Output || got.Tests[i].Hidden != want.Tests[i].Hidden {
			t.Errorf("test %d: %d/%d bytes, want %d/%d", i, len(got.Tests[i].Input), len(got.Tests[i].Output), len(want.Tests[i].Input), len(want.Tests[i].Output))
		}
	}
}

func TestTestDataCacheReadsAVersionOnce(t *testing.T) {
	const chunk = 10 << 10
	chunks := &fakeChunks{}
	qs := &fakeQuestions{}
	q := echoQuestion("echo", 1, 150_000, 0, 70_000)
	rec := chunks.store(q, chunk)
	qs.put(rec)
	cache := NewTestDataCache(chunks, 0, quiet)
	lookup := WithTestData(qs, cache)

	got, err := lookup.Lookup(t.Context(), "echo", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameTests(t, got, q)
	first := chunks.reads.Load()
	if want := int64(len(rec.TestDataKeys())); first != want {
		t.Errorf("first look-up read %d chunks, want %d", first, want)
	}
	// Judging it: every test passes with a program that echoes.
	echo := func(_ context.Context, _ int, stdin string) (sandbox.Execution, error) {
		return sandbox.Execution{Stdout: []byte(stdin), TimeMS: 1}, nil
	}
	if final, _, _, _ := judgeFake(t, t.Context(), got, echo, nil); final.Verdict != codementor.VerdictAccepted {
		t.Errorf("verdict %s: %+v", final.Verdict, final.Tests)
	}

	for range 3 {
		again, err := lookup.Lookup(t.Context(), "echo", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		sameTests(t, again, q)
	}
	if n := chunks.reads.Load(); n != first {
		t.Errorf("later look-ups read %d more chunks", n-first)
	}
	if hits, misses := cache.Stats(); hits != 3 || misses != 1 {
		t.Errorf("%d hits and %d misses, want 3 and 1", hits, misses)
	}

	// A new statement keeps the version: nothing is read. A sample changed
	// shows, from the record.
	rec2 := *rec
	rec2.Statement = "new"
	rec2.Tests = append([]codementor.Test(nil), rec.Tests...)
	rec2.Tests[0].Input, rec2.Tests[0].Output = "3 4\n", "3 4\n"
	qs.put(&rec2)
	got, err = lookup.Lookup(t.Context(), "echo", time.Second)
	if err != nil || got.Statement != "new" || got.Tests[0].Input != "3 4\n" || got.Tests[1].Input != q.Tests[1].Input {
		t.Fatalf("after a new statement: %v", err)
	}
	if n := chunks.reads.Load(); n != first {
		t.Errorf("a new statement read %d chunks", n-first)
	}

	// New hidden data is a new version: read, and the old one dropped.
	q3 := echoQuestion("echo", 2, 150_000, 0, 70_000)
	rec3 := chunks.store(q3, chunk)
	qs.put(rec3)
	got, err = lookup.Lookup(t.Context(), "echo", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameTests(t, got, q3)
	if cache.Bytes() != rec3.TestData.Bytes {
		t.Errorf("the cache holds %d bytes, want only the new version's %d", cache.Bytes(), rec3.TestData.Bytes)
	}

	// A question with its data in its record reads no chunk.
	small := echoQuestion("small", 1, 100)
	smallRec, _ := codementor.SplitTestData(small, chunk)
	qs.put(smallRec)
	before := chunks.reads.Load()
	if got, err := lookup.Lookup(t.Context(), "small", time.Second); err != nil || got.Tests[1].Input != small.Tests[1].Input || chunks.reads.Load() != before {
		t.Errorf("small question: %v, %d chunks read", err, chunks.reads.Load()-before)
	}
}

func TestTestDataCacheDropsTheLeastRecentlyUsed(t *testing.T) {
	chunks := &fakeChunks{}
	qs := &fakeQuestions{}
	var recs []*codementor.Question
	for i := range 3 {
		rec := chunks.store(echoQuestion(fmt.Sprintf("q%d", i), i, 200_000), 64<<10)
		qs.put(rec)
		recs = append(recs, rec)
	}
	size := recs[0].TestData.Bytes
	cache := NewTestDataCache(chunks, 2*size, quiet) // room for two
	lookup := WithTestData(qs, cache)
	reads := func(id string) int64 {
		t.Helper()
		before := chunks.reads.Load()
		if _, err := lookup.Lookup(t.Context(), id, time.Second); err != nil {
			t.Fatal(err)
		}
		return chunks.reads.Load() - before
	}
	if reads("q0") == 0 || reads("q1") == 0 || reads("q0") != 0 {
		t.Fatal("q0 and q1 are not both cached")
	}
	if reads("q2") == 0 { // drops q1, used least recently
		t.Fatal("q2 was not read")
	}
	if cache.Bytes() != 2*size {
		t.Errorf("the cache holds %d bytes, want %d", cache.Bytes(), 2*size)
	}
	if reads("q0") != 0 || reads("q2") != 0 || reads("q1") == 0 {
		t.Error("the least recently used version was not the one dropped")
	}

	// A version larger than the cache is read for every job, and kept out.
	tiny := NewTestDataCache(chunks, size-1, quiet)
	before := chunks.reads.Load()
	for range 2 {
		if _, err := WithTestData(qs, tiny).Lookup(t.Context(), "q0", time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if n := chunks.reads.Load() - before; n != 2*int64(len(recs[0].TestDataKeys())) || tiny.Bytes() != 0 {
		t.Errorf("too large a version: %d reads, %d bytes kept", n, tiny.Bytes())
	}
}

func TestTestDataCacheSharesAReadInProgress(t *testing.T) {
	chunks := &fakeChunks{gate: make(chan struct{})}
	qs := &fakeQuestions{}
	rec := chunks.store(echoQuestion("echo", 1, 300_000), 64<<10)
	qs.put(rec)
	lookup := WithTestData(qs, NewTestDataCache(chunks, 0, quiet))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := lookup.Lookup(t.Context(), "echo", 5*time.Second)
			errs <- err
		})
	}
	time.Sleep(50 * time.Millisecond) // all four waiting
	close(chunks.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n, want := chunks.reads.Load(), int64(len(rec.TestDataKeys())); n != want {
		t.Errorf("four jobs at once read %d chunks, want one read of %d", n, want)
	}
}

func TestTestDataOfAReplacedQuestion(t *testing.T) {
	chunks := &fakeChunks{missing: map[string]bool{}}
	qs := &fakeQuestions{}
	old := chunks.store(echoQuestion("echo", 1, 300_000), 64<<10)
	q := echoQuestion("echo", 2, 300_000)
	rec := chunks.store(q, 64<<10)
	// The job read the old record; its chunks were deleted once the new
	// one was written.
	for _, k := range old.TestDataKeys() {
		chunks.missing[k] = true
	}
	qs.put(rec)
	replaced := &oneStale{fakeQuestions: qs, stale: old}
	start := time.Now()
	got, err := WithTestData(replaced, NewTestDataCache(chunks, 0, quiet)).Lookup(t.Context(), "echo", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameTests(t, got, q)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s: it waited for the deleted chunks instead of reading the record again", took)
	}

	// Chunks that never come: an error that names the chunk, within the wait.
	gone := chunks.store(echoQuestion("gone", 3, 300_000), 64<<10)
	chunks.missing[gone.TestDataKeys()[2]] = true
	qs.put(gone)
	_, err = WithTestData(qs, NewTestDataCache(chunks, 0, quiet)).Lookup(t.Context(), "gone", 1500*time.Millisecond)
	if !errors.Is(err, views.ErrNotFound) || !strings.Contains(err.Error(), gone.TestDataKeys()[2]) {
		t.Errorf("a chunk that never comes: %v", err)
	}
}

// oneStale answers the first look-up with stale, then as fakeQuestions.
type oneStale struct {
	*fakeQuestions
	stale *codementor.Question
	once  sync.Once
}

func (o *oneStale) Lookup(ctx context.Context, id string, within time.Duration) (*codementor.Question, error) {
	var q *codementor.Question
	o.once.Do(func() { q = o.stale })
	if q != nil {
		return q, nil
	}
	return o.fakeQuestions.Lookup(ctx, id, within)
}

// TestTestDataFromTheTable stores a question's chunks and record on a real
// broker and reads them through views, as the judge does; deleted chunks
// leave the view.
func TestTestDataFromTheTable(t *testing.T) {
	c := kafkatest.Start(t, 2, 0)
	q := echoQuestion("echo", 1, 900_000, 900_000, 900_000)
	rec, chunks := codementor.SplitTestData(q, 0)
	em := kafkatest.Emitter[codementor.TestDataChunk](c, goka.Stream(codementor.TestDataTable))
	var acks emitters.Acks
	for ch := range chunks {
		em.Send(&acks, codementor.TestDataKey(ch.QuestionID, ch.Version, ch.Test, ch.Part, ch.Index), ch)
	}
	if err := acks.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	kafkatest.Emit(c, goka.Stream(codementor.QuestionsTable), rec.ID, rec)

	qs, _ := kafkatest.Views(c)
	td, err := views.NewTestData(c.Brokers, append(c.Kafka.ViewOptions("test", quiet), goka.WithViewStorageBuilder(storage.MemoryBuilder()))...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- td.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	cache := NewTestDataCache(td, 0, quiet)
	start := time.Now()
	got, err := WithTestData(qs, cache).Lookup(t.Context(), "echo", 20*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sameTests(t, got, q)
	first := time.Since(start)
	start = time.Now()
	if _, err := WithTestData(qs, cache).Lookup(t.Context(), "echo", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes of test data: first look-up %s, cached %s", rec.TestData.Bytes, first, time.Since(start))

	keys := rec.TestDataKeys()
	var dels emitters.Acks
	for _, k := range keys {
		em.SendDelete(&dels, k)
	}
	if err := dels.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := td.Lookup(t.Context(), keys[len(keys)-1], 0); err == nil {
		// The view may lag a little behind the deletes.
		deadline := time.Now().Add(10 * time.Second)
		for err == nil && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			_, err = td.Get(keys[len(keys)-1])
		}
		if !errors.Is(err, views.ErrNotFound) {
			t.Errorf("a deleted chunk stays in the view: %v", err)
		}
	}
}
