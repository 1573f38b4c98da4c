package metrics

import "github.com/prometheus/client_golang/prometheus"

// Metrics of the judges' cache of test data (processors/judge).
var (
	// TestDataLookups counts the judges' look-ups of a question's test data
	// stored apart, by result: "hit" (in the cache, or being read for
	// another job) or "miss" (read from the test-data table and assembled).
	TestDataLookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "codementor_test_data_lookups_total",
		Help: "Look-ups of a question's test data stored apart by this process's judge, by result: hit (in the cache by version) or miss (read from the test-data table).",
	}, []string{"result"})
	// TestDataReadBytes counts the bytes of test data read from the
	// test-data table: a question whose data is cached adds nothing.
	TestDataReadBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "codementor_test_data_read_bytes_total",
		Help: "Bytes of test data this process's judge read from the test-data table (cache misses only).",
	})
	// TestDataFetchSeconds is the time a miss took: reading every chunk of
	// a question's version and assembling its tests.
	TestDataFetchSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "codementor_test_data_fetch_seconds",
		Help:    "Time this process's judge took to read and assemble a question's test data on a cache miss.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	})
	// TestDataCacheBytes is the test data the cache holds now.
	TestDataCacheBytes = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "codementor_test_data_cache_bytes",
		Help: "Bytes of test data this process's judge keeps in memory, by question version.",
	})
)
