package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

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

// A body past its route's limit is refused, also when its length is not
// declared and its JSON value ends in the read that crossed the limit.
func TestBindBodyLimit(t *testing.T) {
	for _, c := range []struct {
		name   string
		body   string
		status int // 0: bound
	}{
		{"within", `{"user": "alice"}`, 0},
		{"trailing data", `{"user": "alice"} {}`, http.StatusBadRequest},
		{"value ends past the limit", `{"user": "` + strings.Repeat("a", 1500) + `"}`, http.StatusRequestEntityTooLarge},
		{"white space past the limit", `{"user": "alice"}` + strings.Repeat(" ", 1500), http.StatusRequestEntityTooLarge},
		{"far past the limit", `{"user": "` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			h := middleware.BodyLimit("1K")(func(ec echo.Context) error {
				var v struct {
					User string `json:"user"`
				}
				err = bind(ec, &v)
				return nil
			})
			req := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(c.body)))
			req.ContentLength = -1 // chunked: only the read stops it
			if herr := h(echo.New().NewContext(req, httptest.NewRecorder())); herr != nil {
				t.Fatal(herr)
			}
			status := 0
			if err != nil {
				status = classify(err).Status
			}
			if status != c.status {
				t.Errorf("bind: %v (%d), want %d", err, status, c.status)
			}
		})
	}
}
