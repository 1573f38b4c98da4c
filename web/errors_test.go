package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("get x: %w", views.ErrNotFound), http.StatusNotFound, "not_found"},
		// A view still starting (or reconnecting) is a retry, not a server fault.
		{fmt.Errorf("get python from runtimes: %w (%w)", views.ErrNotReady, errors.New("View is either not running")), http.StatusServiceUnavailable, "unavailable"},
		{fmt.Errorf("emit: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, "unavailable"},
		{fmt.Errorf("bad: %w", codementor.ErrInvalid), http.StatusUnprocessableEntity, "invalid"},
		{errors.New("boom"), http.StatusInternalServerError, "internal"},
	}
	for _, tt := range tests {
		if e := classify(tt.err); e.Status != tt.status || e.Code != tt.code {
			t.Errorf("classify(%v) = %d %s, want %d %s", tt.err, e.Status, e.Code, tt.status, tt.code)
		}
	}
}
