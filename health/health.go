// Package health serves the health checks of every process: GET /healthz
// (the process is up) and GET /readyz (it can do its work), the same on the
// web tier's port and on a processor's --metrics-addr.
package health

import (
	"context"
	"encoding/json"
	"net/http"
)

// Handler answers GET /healthz with 200 {"status":"ok"}, and GET /readyz
// with 200 {"status":"ready"} when ready returns nil, else with 503 and the
// API's error body, {"error":{"code":"not_ready","message":<why>}}. Any
// other path is 404.
func Handler(ready func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(r.Context()); err != nil {
			write(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "not_ready", "message": err.Error()}})
			return
		}
		write(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return mux
}

func write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
