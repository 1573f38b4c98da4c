package kfake

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
)

// Group commit (a CodeMentor patch, see README.md). With SyncWrites, run()
// does not fsync a batch it writes to a segment: it notes the files it wrote
// (gcDirty) and hands them, with the response that acknowledges the write,
// to the group commit's goroutine (gcSubmit). That goroutine fsyncs every
// file handed to it since its last round, all at once, and only then writes
// the responses. run() goes on with other requests meanwhile, and one round
// covers the batches of every producer that wrote in that time. A
// connection's next request is not read before its response is written, so
// a connection's responses keep their order.
//
// What the patch does not change: a fetch can return a batch before it is
// synced (as Kafka serves what is in the page cache); a crash then loses
// only batches no producer had been told were written.

// groupCommit fsyncs files written by run() and then releases the responses
// that acknowledge those writes.
type groupCommit struct {
	c    *Cluster
	wake chan struct{} // capacity 1

	mu    sync.Mutex
	files map[file]struct{}
	resps []deferredResp
}

// deferredResp is a response that may go out once its files are synced.
type deferredResp struct {
	cc   *clientConn
	resp clientResp
}

func newGroupCommit(c *Cluster) *groupCommit {
	return &groupCommit{c: c, wake: make(chan struct{}, 1), files: make(map[file]struct{})}
}

// gcDirty notes files run() wrote that must be synced before the current
// request is answered.
func (c *Cluster) gcDirty(fs ...file) {
	for _, f := range fs {
		if f != nil {
			c.gcFiles = append(c.gcFiles, f)
		}
	}
}

// gcSubmit hands the files written since the last call to the group commit,
// with the response that waits for them (nil: none waits). It reports
// whether it took the response; when nothing waits to be synced it does not,
// and the caller writes the response at once.
func (c *Cluster) gcSubmit(cc *clientConn, resp *clientResp) bool {
	if c.gc == nil || len(c.gcFiles) == 0 {
		return false
	}
	g := c.gc
	g.mu.Lock()
	for _, f := range c.gcFiles {
		g.files[f] = struct{}{}
	}
	if resp != nil {
		g.resps = append(g.resps, deferredResp{cc, *resp})
	}
	g.mu.Unlock()
	clear(c.gcFiles)
	c.gcFiles = c.gcFiles[:0]
	select {
	case g.wake <- struct{}{}:
	default:
	}
	return resp != nil
}

// run syncs and answers until the cluster dies. Responses still waiting
// then are dropped, as run() drops them: their connections are closing.
func (g *groupCommit) run() {
	for {
		select {
		case <-g.c.die:
			return
		case <-g.wake:
		}
		g.mu.Lock()
		files, resps := g.files, g.resps
		g.files, g.resps = make(map[file]struct{}, len(files)), nil
		g.mu.Unlock()

		// The files are synced concurrently: the file system commits its
		// journal once for all of them.
		var (
			wg     sync.WaitGroup
			failed atomic.Bool
		)
		for f := range files {
			wg.Go(func() {
				err := f.Sync()
				if errors.Is(err, os.ErrClosed) {
					// run() closed the file meanwhile (a segment roll syncs
					// it first; a compaction rewrites it without): sync the
					// file systems instead.
					err = syncFS()
				}
				if err != nil {
					failed.Store(true)
					g.c.cfg.logger.Logf(LogLevelError, "group commit: fsync: %v", err)
				}
			})
		}
		wg.Wait()

		for _, r := range resps {
			if failed.Load() {
				// The write may not be on disk: fail the request rather than
				// acknowledge it. Its connection is closed and the client
				// retries (an idempotent producer without duplicates).
				r.resp = clientResp{corr: r.resp.corr, err: errors.New("group commit: fsync failed, the write is not acknowledged")}
			}
			select {
			case r.cc.respCh <- r.resp:
			case <-r.cc.done:
			case <-g.c.die:
				return
			}
		}
	}
}
