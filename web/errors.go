package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// Error is an error with its HTTP status and a stable machine-readable code.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, when set, is sent as the Retry-After header (seconds).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func invalid(format string, args ...any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: fmt.Sprintf(format, args...)}
}

func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

// handleError is the one place errors become HTTP responses:
// {"error": {"code": "...", "message": "..."}}.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	e := classify(err)
	if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		s.Log.Error("request failed", "method", c.Request().Method, "uri", c.Request().RequestURI, "err", err)
	}
	if e.RetryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(max(e.RetryAfter.Round(time.Second), time.Second)/time.Second)))
	}
	body := map[string]any{"error": map[string]string{"code": e.Code, "message": e.Message}}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(e.Status)
	} else {
		err = c.JSON(e.Status, body)
	}
	if err != nil {
		s.Log.Debug("write error response", "err", err)
	}
}

func classify(err error) *Error {
	var e *Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, codementor.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "invalid", Message: err.Error()}
	case errors.Is(err, views.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	case errors.Is(err, views.ErrNotReady):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the service is starting or reconnecting to the queue; try again"}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the service is busy or the queue is unreachable; try again"}
	case errors.As(err, &he):
		code := map[int]string{
			http.StatusNotFound:              "not_found",
			http.StatusMethodNotAllowed:      "method_not_allowed",
			http.StatusRequestEntityTooLarge: "too_large",
			http.StatusUnauthorized:          "unauthenticated",
			http.StatusBadRequest:            "bad_request",
			http.StatusUnsupportedMediaType:  "unsupported_media_type",
		}[he.Code]
		if code == "" {
			code = "error"
		}
		return &Error{Status: he.Code, Code: code, Message: fmt.Sprint(he.Message)}
	default:
		return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; it has been logged"}
	}
}

// bind decodes a JSON request body strictly: unknown fields and trailing data
// are errors, reported as 400 with what is wrong. A body past its route's
// limit is refused with 413 whatever it holds: the decoder keeps a value
// that ends in the read that crossed the limit and drops that read's error,
// so the error is taken from the body itself.
func bind(c echo.Context, v any) error {
	body := &readError{r: c.Request().Body}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	trailing := err == nil && dec.More()
	var he *echo.HTTPError
	var mbe *http.MaxBytesError
	var limit *Error
	switch {
	case errors.As(body.err, &he): // the body limit
		return he
	case errors.As(body.err, &limit): // the body limit, saying which (limitBody)
		return limit
	case errors.As(body.err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)}
	case err != nil:
		return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "the body is not valid JSON for this request: " + err.Error()}
	case trailing:
		return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: "the body has data after the JSON value"}
	}
	return nil
}

// readError is a reader that keeps the first error of r.
type readError struct {
	r   io.Reader
	err error
}

func (r *readError) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if r.err == nil {
		r.err = err
	}
	return n, err
}
