// Package health serves the health checks of every process: GET /healthz
// (the process is up) and GET /readyz (it can do its work), the same on the
// web tier's port and on a processor's --metrics-addr.
package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// Warning is what a readiness check returns for a part of the work that is
// off while the rest is ready (reviews without a model, say): /readyz
// answers 200 and lists it under "warnings".
type Warning struct{ Err error }

func (w *Warning) Error() string { return w.Err.Error() }
func (w *Warning) Unwrap() error { return w.Err }

// Warn wraps err as a Warning.
func Warn(err error) error { return &Warning{Err: err} }

// Handler answers GET /healthz with 200 {"status":"ok"}, and GET /readyz
// with 200 {"status":"ready"} when ready returns nil or only Warnings (then
// listed as "warnings": [...]), else with 503 and the API's error body,
// {"error":{"code":"not_ready","message":<why>}}. Any other path is 404.
func Handler(ready func(context.Context) error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		warnings, err := split(ready(r.Context()))
		if err != nil {
			write(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]string{"code": "not_ready", "message": err.Error()}})
			return
		}
		body := map[string]any{"status": "ready"}
		if len(warnings) > 0 {
			body["warnings"] = warnings
		}
		write(w, http.StatusOK, body)
	})
	return mux
}

// split takes the Warnings out of err (errors.Join's tree included): their
// messages, and the rest joined.
func split(err error) (warnings []string, rest error) {
	if err == nil {
		return nil, nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var errs []error
		for _, e := range j.Unwrap() {
			w, r := split(e)
			warnings = append(warnings, w...)
			if r != nil {
				errs = append(errs, r)
			}
		}
		return warnings, errors.Join(errs...)
	}
	if w := (*Warning)(nil); errors.As(err, &w) {
		return []string{w.Error()}, nil
	}
	return nil, err
}

func write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
