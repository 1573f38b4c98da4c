package judge

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/metrics"
)

// Chunks is the test-data table as the judge reads it (*views.TestData):
// its view's local storage is this process's copy of the topic.
type Chunks interface {
	// Lookup returns the chunk under key, waiting up to within for the
	// view to hold it.
	Lookup(ctx context.Context, key string, within time.Duration) (*codementor.TestDataChunk, error)
}

// DefaultTestDataCacheBytes is the test data a judge keeps in memory by
// default: eight questions at the largest size allowed.
const DefaultTestDataCacheBytes = 8 * codementor.MaxQuestionTestDataBytes

// chunkPoll is how long a read waits for a missing chunk before it checks
// whether the question was replaced meanwhile (its old chunks deleted).
const chunkPoll = time.Second

// TestDataCache gives the judge every test's data of a question whose
// hidden tests' data is stored apart (codementor.SplitTestData): read from
// the test-data table and assembled once per question version, then kept
// in memory, the least recently used versions dropped first once the cache
// holds more than its bound. A submission to a question whose tests did not
// change reads nothing. It is safe for concurrent use; jobs that need the
// same version at once share one read.
type TestDataCache struct {
	chunks   Chunks
	maxBytes int64
	log      *slog.Logger

	mu      sync.Mutex
	lru     *list.List               // of *cached, most recently used first
	entries map[string]*list.Element // by cacheKey
	loading map[string]*loading      // reads in progress, by cacheKey
	bytes   int64
	// hits and misses count look-ups of data stored apart, as
	// metrics.TestDataLookups does for the whole process.
	hits, misses int64
}

// cached is the assembled data of a question version.
type cached struct {
	key, question string
	tests         []codementor.Test // hidden tests' data; samples' left empty
	bytes         int64
}

// loading is a read of a version in progress; done is closed once it ends.
type loading struct {
	done  chan struct{}
	tests []codementor.Test
	err   error
}

// NewTestDataCache returns a cache that reads chunks from chunks and keeps
// up to maxBytes of test data (DefaultTestDataCacheBytes if 0). A version
// larger than the whole cache is read for every job that needs it.
func NewTestDataCache(chunks Chunks, maxBytes int64, log *slog.Logger) *TestDataCache {
	if maxBytes <= 0 {
		maxBytes = DefaultTestDataCacheBytes
	}
	return &TestDataCache{chunks: chunks, maxBytes: maxBytes, log: log, lru: list.New(),
		entries: map[string]*list.Element{}, loading: map[string]*loading{}}
}

func cacheKey(q *codementor.Question) string { return q.ID + "@" + q.TestData.Version }

// errReplaced says that a question's record was replaced while its chunks
// were read: the chunks of the version read may be gone.
var errReplaced = errors.New("the question was replaced while its test data was read")

// Tests returns the tests of rec (a record of the questions table) with
// every test's data: rec's own when its data is in the record, otherwise
// from the cache or read from the test-data table, waiting up to within
// for the chunks to reach this process's view. current, if not nil,
// returns the question's record now: a read that waits for a chunk checks
// it, and gives up with an error wrapping errReplaced when the version
// changed (its chunks are deleted after the new record is written).
func (c *TestDataCache) Tests(ctx context.Context, rec *codementor.Question, within time.Duration, current func() (*codementor.Question, error)) ([]codementor.Test, error) {
	if rec.TestData == nil {
		return rec.Tests, nil
	}
	key := cacheKey(rec)
	for {
		c.mu.Lock()
		if el, ok := c.entries[key]; ok {
			c.lru.MoveToFront(el)
			e := el.Value.(*cached)
			c.hits++
			c.mu.Unlock()
			metrics.TestDataLookups.WithLabelValues("hit").Inc()
			return merge(rec, e.tests)
		}
		if l, ok := c.loading[key]; ok {
			c.mu.Unlock()
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, fmt.Errorf("wait for the test data of question %s version %s: %w", rec.ID, rec.TestData.Version, ctx.Err())
			}
			if l.err == nil {
				c.mu.Lock()
				c.hits++
				c.mu.Unlock()
				metrics.TestDataLookups.WithLabelValues("hit").Inc()
				return merge(rec, l.tests)
			}
			continue // that read failed: try ourselves
		}
		l := &loading{done: make(chan struct{})}
		c.loading[key] = l
		c.misses++
		c.mu.Unlock()

		metrics.TestDataLookups.WithLabelValues("miss").Inc()
		l.tests, l.err = c.read(ctx, rec, within, current)
		c.mu.Lock()
		delete(c.loading, key)
		if l.err == nil {
			c.add(&cached{key: key, question: rec.ID, tests: l.tests, bytes: rec.TestData.Bytes})
		}
		c.mu.Unlock()
		close(l.done)
		if l.err != nil {
			return nil, l.err
		}
		return merge(rec, l.tests)
	}
}

// read assembles rec's test data from the chunks.
func (c *TestDataCache) read(ctx context.Context, rec *codementor.Question, within time.Duration, current func() (*codementor.Question, error)) ([]codementor.Test, error) {
	start := time.Now()
	deadline := start.Add(within)
	var read int64
	get := func(key string) (*codementor.TestDataChunk, error) {
		for {
			wait := min(chunkPoll, time.Until(deadline))
			ch, err := c.chunks.Lookup(ctx, key, max(wait, 0))
			if err == nil {
				read += int64(len(ch.Data))
				return ch, nil
			}
			if ctx.Err() != nil || time.Now().After(deadline) {
				return nil, err
			}
			if current != nil {
				if now, cerr := current(); cerr == nil && (now.TestData == nil || now.TestData.Version != rec.TestData.Version) {
					return nil, fmt.Errorf("%w: %w", errReplaced, err)
				}
			}
		}
	}
	tests, err := codementor.AssembleTestData(rec, get)
	metrics.TestDataReadBytes.Add(float64(read))
	if err != nil {
		return nil, fmt.Errorf("test data of question %s version %s: %w", rec.ID, rec.TestData.Version, err)
	}
	for i := range tests {
		if !tests[i].Hidden {
			tests[i].Input, tests[i].Output = "", "" // the record has them
		}
	}
	took := time.Since(start)
	metrics.TestDataFetchSeconds.Observe(took.Seconds())
	c.log.Info("test data read", "question", rec.ID, "version", rec.TestData.Version, "bytes", read, "took", took)
	return tests, nil
}

// add keeps e, dropping the question's other versions (a job always reads
// the latest record) and the least recently used versions beyond the bound.
// The caller holds c.mu.
func (c *TestDataCache) add(e *cached) {
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if old := el.Value.(*cached); old.question == e.question {
			c.remove(el)
		}
		el = next
	}
	if e.bytes > c.maxBytes {
		c.log.Warn("test data larger than the judge's cache: it is read for every job", "question", e.question, "bytes", e.bytes, "cache_bytes", c.maxBytes)
		return
	}
	for c.bytes+e.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.bytes += e.bytes
	metrics.TestDataCacheBytes.Set(float64(c.bytes))
}

// remove drops el. The caller holds c.mu.
func (c *TestDataCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cached)
	delete(c.entries, e.key)
	c.bytes -= e.bytes
	metrics.TestDataCacheBytes.Set(float64(c.bytes))
}

// Stats returns the look-ups of data stored apart so far: hits (in the
// cache, or shared with a read in progress) and misses (read from the
// table).
func (c *TestDataCache) Stats() (hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Bytes returns the test data the cache holds.
func (c *TestDataCache) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// merge returns rec's tests with the hidden tests' data of data, read for
// rec's version.
func merge(rec *codementor.Question, data []codementor.Test) ([]codementor.Test, error) {
	tests := make([]codementor.Test, len(rec.Tests))
	copy(tests, rec.Tests)
	for i := range tests {
		t := &tests[i]
		if !t.Hidden {
			continue
		}
		// The version covers the hidden tests' positions and hashes, so
		// this holds unless the cache is wrong.
		if i >= len(data) || !data[i].Hidden || data[i].SHA256 != t.SHA256 {
			return nil, fmt.Errorf("question %s version %s test %d: %w: the cached data is of another test", rec.ID, rec.TestData.Version, i, codementor.ErrTestData)
		}
		t.Input, t.Output = data[i].Input, data[i].Output
	}
	return tests, nil
}

// WithTestData wraps qs so that the questions it returns hold every test's
// data (Judge and JudgeRun read q.Tests): that of a question stored apart
// comes from c. A question replaced while its data was read is looked up
// again, once.
func WithTestData(qs Questions, c *TestDataCache) Questions { return &withTestData{qs: qs, cache: c} }

type withTestData struct {
	qs    Questions
	cache *TestDataCache
}

// Lookup implements Questions.
func (w *withTestData) Lookup(ctx context.Context, id string, within time.Duration) (*codementor.Question, error) {
	for attempt := 0; ; attempt++ {
		q, err := w.qs.Lookup(ctx, id, within)
		if err != nil || q.TestData == nil {
			return q, err
		}
		current := func() (*codementor.Question, error) { return w.qs.Lookup(ctx, id, 0) }
		tests, err := w.cache.Tests(ctx, q, within, current)
		if errors.Is(err, errReplaced) && attempt == 0 {
			continue
		}
		if err != nil {
			return nil, err
		}
		out := *q
		out.Tests = tests
		return &out, nil
	}
}
