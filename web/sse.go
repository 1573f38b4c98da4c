package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/views"
)

// stream writes Server-Sent Events.
type stream struct {
	w http.ResponseWriter
	f http.Flusher
}

func openStream(c echo.Context) (*stream, error) {
	f, ok := c.Response().Writer.(http.Flusher)
	if !ok {
		return nil, fmt.Errorf("the response writer cannot flush")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set(echo.HeaderCacheControl, "no-cache")
	h.Set("X-Accel-Buffering", "no") // tell proxies not to buffer the stream
	c.Response().WriteHeader(http.StatusOK)
	s := &stream{w: c.Response(), f: f}
	// Reconnect quickly after a dropped connection.
	if _, err := fmt.Fprint(s.w, "retry: 2000\n\n"); err != nil {
		return nil, err
	}
	s.f.Flush()
	metrics.SSEClients.Inc()
	return s, nil
}

// send writes one event: its id, its name and the JSON of v on one line.
func (s *stream) send(id, event string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", event, err)
	}
	if _, err := fmt.Fprintf(s.w, "id: %s\nevent: %s\ndata: %s\n\n", id, event, data); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// mark sets the client's last event id without an event: a frame with an
// id and no data (browsers' EventSource keeps the id, dispatches nothing).
func (s *stream) mark(id string) error {
	if _, err := fmt.Fprintf(s.w, "id: %s\n\n", id); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// close accounts for the end of the stream.
func (s *stream) close() { metrics.SSEClients.Dec() }

func (s *stream) ping() error {
	if _, err := fmt.Fprint(s.w, ": ping\n\n"); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// lastEventID parses the Last-Event-ID header (0 when absent or malformed).
func lastEventID(c echo.Context) int64 {
	v := c.Request().Header.Get("Last-Event-ID")
	if v == "" {
		v = c.QueryParam("last_event_id")
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

// submissionEvents streams one submission: its current state, then every
// change, then an "end" event once it is final. Event ids are the
// submission's version; a reconnect with Last-Event-ID receives the current
// state only if it is newer. Every event carries the whole submission, so
// the latest state is all a reconnecting client can have missed.
func (s *Server) submissionEvents(c echo.Context) error { return s.streamOne(c, s.lookup) }

// runEvents streams one run's changes, as submissionEvents does a
// submission's.
func (s *Server) runEvents(c echo.Context) error { return s.streamOne(c, s.lookupRun) }

// streamOne streams the changes of the submission or run that lookup finds.
func (s *Server) streamOne(c echo.Context, lookup func(echo.Context, string) (*codementor.Submission, error)) error {
	id := c.Param("id")
	// Subscribe before reading the current state so no change falls between.
	sub := s.Submissions.SubscribeSubmission(id)
	defer s.Submissions.Unsubscribe(sub)
	cur, err := lookup(c, id)
	if err != nil {
		return err
	}
	st, err := openStream(c)
	if err != nil {
		return err
	}
	defer st.close()
	last := lastEventID(c)
	emit := func(x *codementor.Submission) (done bool, err error) {
		if x.Version > last {
			last = x.Version
			if err := st.send(strconv.FormatInt(x.Version, 10), "submission", x); err != nil {
				return true, err
			}
		}
		if x.Final() {
			return true, st.send(strconv.FormatInt(x.Version, 10), "end", map[string]string{"id": x.ID, "status": string(x.Status)})
		}
		return false, nil
	}
	if done, err := emit(cur); done || err != nil {
		return nil
	}
	return s.pump(c, st, sub, func(x *codementor.Submission) bool {
		done, err := emit(x)
		return done || err != nil
	})
}

// userEvents streams every change of the caller's submissions. On connect
// it sends the current state of those still in progress; with Last-Event-ID
// (the updated_at, in Unix microseconds, of the last event seen) it sends
// every submission changed since instead, so a reconnect loses nothing.
// Either is sent oldest change first: the id a client last saw never passes
// a change it has not seen, also when the stream drops in the middle.
func (s *Server) userEvents(c echo.Context) error {
	user := identity(c).User
	sub := s.Submissions.SubscribeUser(user)
	defer s.Submissions.Unsubscribe(sub)
	st, err := openStream(c)
	if err != nil {
		return err
	}
	defer st.close()
	connected := s.now()
	seen := map[string]int64{} // submission → last version sent
	var lastID int64           // of the last event sent
	emit := func(x *codementor.Submission) error {
		if seen[x.ID] >= x.Version {
			return nil
		}
		seen[x.ID] = x.Version
		lastID = x.UpdatedAt.UnixMicro()
		return st.send(strconv.FormatInt(lastID, 10), "submission", x)
	}
	// Clocks of processor instances may differ a little: look back further.
	since := time.UnixMicro(lastEventID(c)).Add(-5 * time.Second)
	var current []*codementor.Submission
	for _, id := range s.Submissions.UserSubmissions(user) {
		x, err := s.Submissions.Get(id)
		if err != nil {
			continue
		}
		if (lastEventID(c) == 0 && !x.Final()) || (lastEventID(c) != 0 && x.UpdatedAt.After(since)) {
			current = append(current, x)
		}
	}
	slices.SortStableFunc(current, func(a, b *codementor.Submission) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
	for _, x := range current {
		if err := emit(x); err != nil {
			return nil
		}
	}
	// The client has seen everything up to its connection: say so with an
	// id alone (no event), so that one that gets nothing more before a drop
	// resumes from here, and is sent what started and ended in between.
	if err := st.mark(strconv.FormatInt(max(lastID, connected.UnixMicro()), 10)); err != nil {
		return nil
	}
	return s.pump(c, st, sub, func(x *codementor.Submission) bool { return emit(x) != nil })
}

// pump forwards changes until handle says stop, the client goes away, the
// server shuts down, or the subscriber lags (then the client reconnects and
// catches up from the view).
func (s *Server) pump(c echo.Context, st *stream, sub *views.Subscription, handle func(*codementor.Submission) (stop bool)) error {
	tick := time.NewTicker(s.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case x, ok := <-sub.C:
			if !ok {
				return nil
			}
			if handle(x) {
				return nil
			}
		case <-tick.C:
			if st.ping() != nil {
				return nil
			}
		case <-c.Request().Context().Done():
			return nil
		case <-s.shutdown:
			return nil
		}
	}
}
