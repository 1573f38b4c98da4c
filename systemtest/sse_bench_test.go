package systemtest

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// BenchmarkSSEStreams opens b.N learners' /api/events streams on one web
// process (a deployment's: broker, processor and web in processes of their
// own) and reports what each open stream costs that process, from its own
// /metrics before and after: resident memory, and Go heap plus goroutine
// stacks.
//
//	go test -run '^$' -bench SSEStreams -benchtime 2000x ./systemtest/
func BenchmarkSSEStreams(b *testing.B) {
	c := startCluster(b, 1)
	alice := login(b, c.web, testUser("sse"), false)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	usage := func() (rss, goMem, streams float64) {
		time.Sleep(2 * time.Second) // let the server settle
		m := scrape(b, checkedHTTP(b), c.web+"/metrics")
		return m["process_resident_memory_bytes"], m["go_memstats_heap_inuse_bytes"] + m["go_memstats_stack_inuse_bytes"], m["codementor_sse_clients"]
	}
	rss0, go0, _ := usage()

	b.ResetTimer()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ready := make(chan struct{}, b.N)
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequestWithContext(ctx, "GET", c.web+"/api/events", nil)
		req.Header.Set("Authorization", "Bearer "+alice.token)
		go func() {
			resp, err := client.Do(req)
			if err != nil {
				ready <- struct{}{}
				return
			}
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			_, _ = r.ReadString('\n') // "retry: 2000": the stream is open
			ready <- struct{}{}
			_, _ = io.Copy(io.Discard, r) // until the stream is cancelled
		}()
	}
	for i := 0; i < b.N; i++ {
		<-ready
	}
	b.StopTimer()
	rss1, go1, open := usage()
	if open < float64(b.N) {
		b.Fatalf("the server counts %v open streams, want %d", open, b.N)
	}
	b.ReportMetric((rss1-rss0)/float64(b.N)/1024, "rss-KiB/stream")
	b.ReportMetric((go1-go0)/float64(b.N)/1024, "heap+stack-KiB/stream")
	b.ReportMetric(rss1/(1<<20), "rss-MiB-total")
}
