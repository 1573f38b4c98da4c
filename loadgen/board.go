package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	codementor "github.com/codementor/codementor"
)

// boardPage is the most rows one leaderboard request or stream serves: a
// contest of more learners takes a stream per page.
const boardPage = 500

// cellKey names a leaderboard cell: a user's row, a question's column.
type cellKey struct{ user, question string }

// board follows a contest's leaderboard on the admin's streams: when each
// cell's tries first reached each count, and every user's latest row.
type board struct {
	api       *api
	contestID string
	pages     int

	mu sync.Mutex
	// reached[k][n-1] is when the cell first showed n tries.
	reached map[cellKey][]time.Time
	// rows is each user's row as the streams last sent it.
	rows   map[string]codementor.LeaderboardRow
	events int
	bad    int
	// cells, once logCells is called, holds every state each cell was in,
	// from the state then: the rejudge phase tells its updates by the
	// cells, as a rejudge changes no tries.
	cells      map[cellKey][]cellSeen
	reconnects atomic.Int64
	// changed is signalled (without blocking) after each event.
	changed chan struct{}
}

// cellSeen is a state of a cell (its label left out) and when the
// streams first showed it.
type cellSeen struct {
	at   time.Time
	cell codementor.QuestionCell
}

// logCells starts the cells' log at now, from every row's cells as the
// streams last sent them.
func (b *board) logCells(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cells = map[cellKey][]cellSeen{}
	for _, row := range b.rows {
		b.logRowLocked(&row, now)
	}
}

// logRowLocked adds the cells of row that changed to the log; the caller
// holds mu.
func (b *board) logRowLocked(row *codementor.LeaderboardRow, now time.Time) {
	for _, cell := range row.Questions {
		cell.Label = ""
		k := cellKey{row.User, cell.QuestionID}
		if log := b.cells[k]; len(log) > 0 && log[len(log)-1].cell == cell {
			continue
		}
		b.cells[k] = append(b.cells[k], cellSeen{now, cell})
	}
}

// boardBody is the part of a leaderboard event (the whole board, or a diff
// of rows) the generator reads.
type boardBody struct {
	Rows []codementor.LeaderboardRow `json:"rows"`
}

// open starts a stream per page as token and returns once every stream
// has sent its first event (the board then sends every change).
func (b *board) open(ctx context.Context, token string, wg *sync.WaitGroup) error {
	b.reached = map[cellKey][]time.Time{}
	b.rows = map[string]codementor.LeaderboardRow{}
	b.changed = make(chan struct{}, 1)
	connected := make(chan error, b.pages)
	for p := range b.pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.stream(ctx, token, p*boardPage, connected)
		}()
	}
	timer := time.NewTimer(connectTimeout)
	defer timer.Stop()
	for range b.pages {
		select {
		case err := <-connected:
			if err != nil {
				return err
			}
		case <-timer.C:
			return fmt.Errorf("the leaderboard's event stream (GET %s%s) sent no first event within %s", b.api.base, b.path(0), connectTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (b *board) path(offset int) string {
	return fmt.Sprintf("/api/contests/%s/leaderboard/events?offset=%d&limit=%d", b.contestID, offset, boardPage)
}

// stream keeps one page's stream open until ctx ends, reconnecting (the
// first event of a connection is the whole page again). The first
// connection's outcome, once its first event came, goes to connected.
func (b *board) stream(ctx context.Context, token string, offset int, connected chan<- error) {
	first := true
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if !first {
			b.reconnects.Add(1)
		}
		resp, err := b.openStream(ctx, token, offset)
		if err != nil && first {
			connected <- err
			return
		}
		if err == nil {
			backoff = 100 * time.Millisecond
			got := false
			err = readEvents(resp.Body, func(_, name string, data []byte) {
				if name != "leaderboard" && name != "rows" {
					return // "me": the admin has no row
				}
				b.observe(name, data, time.Now())
				if first && !got {
					got = true
					connected <- nil
				}
			})
			resp.Body.Close()
			if first && !got {
				if err == nil || errors.Is(err, io.EOF) {
					err = errors.New("it ended before its first event")
				}
				connected <- fmt.Errorf("the leaderboard's event stream (GET %s%s): %v", b.api.base, b.path(offset), err)
				return
			}
			first = false
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (b *board) openStream(ctx context.Context, token string, offset int) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.api.base+b.path(offset), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := b.api.hc.Do(req)
	if err != nil {
		return nil, b.api.unreachable("GET "+b.path(offset), err)
	}
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		msg := (&response{status: resp.StatusCode, body: data}).message()
		return nil, fmt.Errorf("the leaderboard's event stream (GET %s) answered %d: %s", b.path(offset), resp.StatusCode, msg)
	}
	return resp, nil
}

// observe records one event that arrived at now.
func (b *board) observe(name string, data []byte, now time.Time) {
	var body boardBody
	err := json.Unmarshal(data, &body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.events++
	if err != nil {
		b.bad++
		return
	}
	for _, row := range body.Rows {
		if row.User == "" {
			b.bad++
			continue
		}
		b.rows[row.User] = row
		if b.cells != nil {
			b.logRowLocked(&row, now)
		}
		for _, cell := range row.Questions {
			k := cellKey{row.User, cell.QuestionID}
			for n := len(b.reached[k]) + 1; n <= cell.Tries; n++ {
				b.reached[k] = append(b.reached[k], now)
			}
		}
	}
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// shown reports whether the board showed j, and when first.
func (b *board) shown(j *judgement) (time.Time, bool) {
	times := b.reached[j.key]
	if len(times) < j.ordinal {
		return time.Time{}, false
	}
	return times[j.ordinal-1], true
}

// awaitShown returns once the board showed every judgement, at deadline,
// or when ctx ends.
func (b *board) awaitShown(ctx context.Context, judged []judgement, deadline time.Time) {
	b.await(ctx, deadline, func() bool {
		for i := range judged {
			if _, ok := b.shown(&judged[i]); !ok {
				return false
			}
		}
		return true
	})
}

// await returns once done (called with mu held) reports true after an
// event, at deadline, or when ctx ends.
func (b *board) await(ctx context.Context, deadline time.Time, done func() bool) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		b.mu.Lock()
		all := done()
		b.mu.Unlock()
		if all {
			return
		}
		select {
		case <-b.changed:
		case <-timer.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// latencies fills the update latencies, the updates ahead of the learner's
// stream, and the judgements never shown.
func (b *board) latencies(judged []judgement, states map[string]*codementor.Submission, rep *BoardReport) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var sample, fromJudged []time.Duration
	for i := range judged {
		j := &judged[i]
		at, ok := b.shown(j)
		if !ok {
			rep.Missing++
			if len(rep.MissingExamples) < 5 {
				rep.MissingExamples = append(rep.MissingExamples, fmt.Sprintf("%s's submission %s to %s (its judgement %d there, %s): the row showed %d tries",
					j.key.user, j.rec.id, j.key.question, j.ordinal, j.rec.obs.verdict, len(b.reached[j.key])))
			}
			continue
		}
		d := at.Sub(j.verdictAt)
		if d < 0 {
			rep.Ahead++
			d = 0
		}
		sample = append(sample, d)
		if s := states[j.rec.id]; s != nil && !s.JudgedAt.IsZero() {
			fromJudged = append(fromJudged, max(at.Sub(s.JudgedAt), 0))
		}
	}
	rep.UpdateLatency = summarize(sample)
	rep.FromJudged = summarize(fromJudged)
	rep.Events = b.events
	rep.BadEvents = b.bad
}

// streamRows returns every user's row as the streams last sent it.
func (b *board) streamRows() map[string]codementor.LeaderboardRow {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]codementor.LeaderboardRow, len(b.rows))
	for u, r := range b.rows {
		out[u] = r
	}
	return out
}
