package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/codementor/codementor/health"
	"github.com/codementor/codementor/metrics"
)

// serveOps serves what operators need from a process without the web tier:
// /metrics, /healthz and /readyz.
func (a *App) serveOps(addr string) func(context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	checks := health.Handler(a.ready)
	mux.Handle("GET /healthz", checks)
	mux.Handle("GET /readyz", checks)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return func(ctx context.Context) error {
		errc := make(chan error, 1)
		go func() { errc <- srv.ListenAndServe() }()
		a.log.Info("serving /metrics, /healthz and /readyz", "addr", addr)
		select {
		case err := <-errc:
			return fmt.Errorf("ops listener on %s: %w", addr, err)
		case <-ctx.Done():
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
