package review

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sashabaranov/go-openai"

	codementor "github.com/codementor/codementor"
)

// finishGrace is how long the stream is still read after the finish reason
// arrived (for the [DONE] line): a server that never sends it does not hold
// a finished review up for a whole stall timeout.
const finishGrace = time.Second

// Causes of an attempt's end that are not the server's errors.
var (
	errStall    = errors.New("the language model sent nothing for too long")
	errDeadline = errors.New("the review deadline was reached")
	errCanceled = errors.New("the review was cancelled")
)

// run is one review: its attempts and the text passed on so far.
type run struct {
	r     *Reviewer
	ctx   context.Context // the caller's
	total context.Context // ctx with the review's deadline
	start time.Time
	req   openai.ChatCompletionRequest
	emit  func(string)

	text      strings.Builder // everything passed to emit
	attempts  int
	fails     []failure // the failed attempts that were retried or given up on
	malformed int       // chunks skipped because they were not JSON
}

// attempt is what one call to the server produced.
type attempt struct {
	began     time.Time
	info      callInfo
	streaming bool  // the response headers arrived: err, if any, broke the stream
	err       error // what ended the call or the stream; nil at the stream's end
	finish    openai.FinishReason
	refusal   strings.Builder
	capped    bool // the text reached maxTextBytes
}

// Review asks the model for a review of in. text is called, from the calling
// goroutine and in order, with each piece of the review as it arrives; the
// pieces concatenate to the returned review's Text. It returns a review with
// Status done (Text, Parts, Model, maybe Truncated and Reason) or failed
// (Reason), never anything else, within the configured Timeout whatever the
// server does. Cancelling ctx also ends it (failed).
func (r *Reviewer) Review(ctx context.Context, in Input, text func(delta string)) codementor.Review {
	if text == nil {
		text = func(string) {}
	}
	rn := &run{r: r, ctx: ctx, start: time.Now(), emit: text}
	res := rn.review(in)
	res.Model = r.cfg.Model
	r.log.Info("review finished", "model", r.cfg.Model, "status", res.Status, "attempts", rn.attempts,
		"duration", time.Since(rn.start).Round(time.Millisecond), "bytes", len(res.Text),
		"truncated", res.Truncated, "malformed_chunks", rn.malformed, "reason", res.Reason)
	return res
}

func (rn *run) review(in Input) codementor.Review {
	r := rn.r
	if r.client == nil {
		return rn.failed(r.SkipReason())
	}
	system, user, err := Prompt(in, r.cfg.AnswerLanguage)
	if err != nil {
		r.log.Error("rendering the review prompt", "err", err)
		return rn.failed("The review could not be written: its prompt could not be rendered.")
	}
	rn.req = r.cfg.request(system, user)
	total, cancel := context.WithTimeoutCause(rn.ctx, r.cfg.Timeout, errDeadline)
	defer cancel()
	rn.total = total

	for {
		if rn.ctx.Err() != nil {
			return rn.failed(reasonCanceled)
		}
		if ok, resume := r.breaker.allow(); !ok {
			if len(rn.fails) == 0 {
				return rn.failed(reasonPaused(resume, r.breaker.now()))
			}
			return rn.failed(reasonGaveUpPaused(rn.fails, time.Since(rn.start), resume, r.breaker.now()))
		}
		a := rn.try()
		res, final, f := rn.settle(a)
		if final {
			return res
		}
		rn.fails = append(rn.fails, f)
		if blocked, resume := r.breaker.blocked(); blocked {
			// The breaker opened (maybe on this failure): no use waiting.
			rn.warn(a, "the language model service "+f.String(), "status", a.info.status, "giving_up", "the circuit breaker is open")
			return rn.failed(reasonGaveUpPaused(rn.fails, time.Since(rn.start), resume, r.breaker.now()))
		}
		if res, final := rn.backoff(a, f); final {
			return res
		}
	}
}

// try makes one call and reads its stream, passing the text on, until the
// stream ends, breaks, stalls, or the text reaches maxTextBytes.
func (rn *run) try() *attempt {
	cfg := rn.r.cfg
	rn.attempts++
	a := &attempt{began: time.Now()}
	actx, cancel := context.WithCancelCause(rn.total)
	defer cancel(nil)
	// The watchdog: it ends the call if the headers, or the next chunk, do
	// not come within StallTimeout.
	stall := time.AfterFunc(cfg.StallTimeout, func() { cancel(errStall) })
	defer stall.Stop()

	stream, err := rn.r.client.CreateChatCompletionStream(withCallInfo(actx, &a.info), rn.req)
	if err != nil {
		a.err = rn.cause(err, actx)
		return a
	}
	defer stream.Close()
	a.streaming = true
	for {
		wait := cfg.StallTimeout
		if a.finish != "" {
			wait = min(wait, finishGrace)
		}
		stall.Reset(wait)
		raw, err := stream.RecvRaw()
		if errors.Is(err, io.EOF) {
			return a
		}
		if err != nil {
			a.err = rn.cause(err, actx)
			return a
		}
		var chunk openai.ChatCompletionStreamResponse
		if err := json.Unmarshal(raw, &chunk); err != nil {
			rn.malformed++
			rn.r.log.Debug("skipping a malformed chunk of the review stream", "model", cfg.Model, "bytes", len(raw), "err", err)
			continue
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue // only the first choice is read
			}
			if c.FinishReason != "" && c.FinishReason != openai.FinishReasonNull {
				a.finish = c.FinishReason
			}
			if c.Delta.Refusal != "" && a.refusal.Len() < 1<<10 {
				a.refusal.WriteString(c.Delta.Refusal)
			}
			if c.Delta.Content != "" && rn.pass(c.Delta.Content) {
				a.capped = true
				return a
			}
		}
	}
}

// pass hands piece on, cut so that the text stays within maxTextBytes. It
// reports whether the text is full.
func (rn *run) pass(piece string) (full bool) {
	room := maxTextBytes - rn.text.Len()
	if len(piece) > room {
		n := room
		for n > 0 && !utf8.RuneStart(piece[n]) {
			n-- // not in the middle of a character
		}
		piece, full = piece[:n], true
	}
	if piece != "" {
		rn.text.WriteString(piece)
		rn.emit(piece)
	}
	return full
}

// cause replaces an error that a context caused by the context's reason.
func (rn *run) cause(err error, actx context.Context) error {
	switch {
	case rn.ctx.Err() != nil:
		return errCanceled
	case errors.Is(context.Cause(rn.total), errDeadline):
		return errDeadline
	case errors.Is(context.Cause(actx), errStall):
		return errStall
	}
	return err
}

// settle decides what an attempt means for the review and for the
// breaker: a final review, or a failure to retry.
func (rn *run) settle(a *attempt) (res codementor.Review, final bool, f failure) {
	r := rn.r
	got := rn.text.Len() > 0
	switch {
	case errors.Is(a.err, errCanceled):
		if got {
			r.succeeded()
		} else {
			r.breaker.release()
		}
		return rn.failed(reasonCanceled), true, f
	case got:
		// Text was passed on: this is the review, complete or not.
		r.succeeded()
		return rn.done(a), true, f
	case a.finish != "":
		// The model finished without writing anything.
		r.succeeded()
		rn.warn(a, "the model finished without writing a review", "finish_reason", a.finish)
		switch a.finish {
		case openai.FinishReasonLength:
			return rn.failed(reasonLengthEmpty(r.cfg.MaxTokens)), true, f
		case openai.FinishReasonContentFilter:
			return rn.failed(reasonFilterEmpty), true, f
		}
		if a.refusal.Len() > 0 {
			return rn.failed(reasonRefused(r.redact(a.refusal.String()))), true, f
		}
		return rn.failed(reasonEmpty), true, f
	case a.err == nil:
		f = failure{kind: failEmpty}
	case errors.Is(a.err, errDeadline):
		// A call silent until the deadline is a hang, unless the deadline
		// came too soon after it began to tell.
		if time.Since(a.began) >= r.cfg.StallTimeout-10*time.Millisecond {
			r.failed()
		} else {
			r.breaker.release()
		}
		rn.warn(a, "the review deadline was reached")
		return rn.failed(reasonDeadline(r.cfg.Timeout, rn.fails)), true, f
	case errors.Is(a.err, errStall):
		f = failure{kind: failStall, after: r.cfg.StallTimeout, streaming: a.streaming}
	case a.streaming:
		f = failure{kind: failBroken}
	case a.info.status != 0:
		f = failure{kind: failStatus, status: a.info.status}
		if a.info.status != http.StatusTooManyRequests && a.info.status < 500 {
			// The server is there and refuses the request: retrying will
			// not help, and the breaker has nothing to count.
			r.succeeded()
			rn.warn(a, "the language model service refused the request", "status", a.info.status)
			return rn.failed(r.reasonRefusedStatus(a.info.status, a.err)), true, f
		}
	case isNetwork(a.err):
		f = failure{kind: failNetwork}
	default:
		// The request could not even be made (the client library refused
		// it): nothing to retry, nothing about the server.
		r.breaker.release()
		rn.warn(a, "the review request could not be made")
		return rn.failed(reasonLocal(r.redact(a.err.Error()))), true, f
	}
	if f.kind == failStatus && f.status == http.StatusTooManyRequests {
		r.succeeded() // rate limits say the server is up
	} else {
		r.failed()
	}
	return res, false, f
}

// backoff waits before the next attempt, or gives the review up if the
// wait would pass the deadline.
func (rn *run) backoff(a *attempt, f failure) (codementor.Review, bool) {
	cfg := rn.r.cfg
	ceiling := cfg.MinBackoff
	for i := 1; i < len(rn.fails) && ceiling < cfg.MaxBackoff; i++ {
		ceiling *= 2
	}
	wait := rn.r.jitter(min(ceiling, cfg.MaxBackoff))
	if a.info.hasRetry {
		ra := a.info.retryAfter
		wait = max(wait, ra+rn.r.jitter(min(ra/10+100*time.Millisecond, time.Second)))
	}
	deadline, _ := rn.total.Deadline()
	left := time.Until(deadline)
	if wait >= left {
		rn.warn(a, "the language model service "+f.String(), "status", a.info.status, "giving_up", "the next try would pass the deadline")
		var asked time.Duration
		if a.info.hasRetry && a.info.retryAfter >= left {
			asked = a.info.retryAfter
		}
		return rn.failed(reasonGaveUp(rn.fails, time.Since(rn.start), asked)), true
	}
	rn.warn(a, "the language model service "+f.String(), "status", a.info.status, "retry_in", wait.Round(time.Millisecond))
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return codementor.Review{}, false
	case <-rn.total.Done():
		if rn.ctx.Err() != nil {
			return rn.failed(reasonCanceled), true
		}
		return rn.failed(reasonDeadline(cfg.Timeout, rn.fails)), true
	}
}

// done is the review of the text passed on, which an attempt ended.
func (rn *run) done(a *attempt) codementor.Review {
	cfg := rn.r.cfg
	text := rn.text.String()
	res := codementor.Review{Status: codementor.ReviewDone, Text: text}
	switch {
	case a.capped:
		res.Truncated, res.Reason = true, reasonCapped
	case a.finish == openai.FinishReasonLength:
		res.Truncated, res.Reason = true, reasonLength(cfg.MaxTokens)
	case a.finish == openai.FinishReasonContentFilter:
		res.Truncated, res.Reason = true, reasonFilter
	case a.finish != "":
		if strings.TrimSpace(text) == "" {
			return rn.failed(reasonEmpty)
		}
	case errors.Is(a.err, errDeadline):
		res.Truncated, res.Reason = true, reasonDeadlineCut(cfg.Timeout)
	case errors.Is(a.err, errStall):
		res.Truncated, res.Reason = true, reasonStallCut(cfg.StallTimeout)
	default: // the stream broke, or ended without a finish reason
		res.Truncated, res.Reason = true, reasonCut
	}
	if res.Truncated {
		rn.warn(a, "the review stopped before the end", "finish_reason", a.finish)
	}
	res.Parts = Parse(text)
	return res
}

// failed is a failed review. Text keeps what was passed on, if anything, so
// that the pieces always concatenate to it.
func (rn *run) failed(reason string) codementor.Review {
	return codementor.Review{Status: codementor.ReviewFailed, Reason: reason, Text: rn.text.String()}
}

// warn logs a failed or incomplete attempt.
func (rn *run) warn(a *attempt, msg string, args ...any) {
	args = append([]any{"model", rn.r.cfg.Model, "attempt", rn.attempts, "took", time.Since(a.began).Round(time.Millisecond)}, args...)
	if a.err != nil {
		args = append(args, "err", clip(rn.r.redact(a.err.Error()), 300))
	}
	rn.r.log.Warn("review attempt: "+msg, args...)
}

func (r *Reviewer) succeeded() {
	if r.breaker.success() {
		r.log.Info("the language model answers again: reviews resume", "model", r.cfg.Model)
	}
}

func (r *Reviewer) failed() {
	if r.breaker.failure() {
		r.log.Warn("the language model keeps failing: reviews are paused", "model", r.cfg.Model, "for", r.cfg.BreakerCooldown)
	}
}

// redact removes the API key from s (a server's message may quote it).
func (r *Reviewer) redact(s string) string {
	if len(r.cfg.APIKey) < 8 {
		return s
	}
	return strings.ReplaceAll(s, r.cfg.APIKey, "[redacted]")
}

func isNetwork(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)
}

// fullJitter returns a random duration in [0, d].
func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// clip cuts s to at most n bytes, on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// apiMessage is the server's own explanation of an error, if it gave one.
func apiMessage(err error) string {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return strings.TrimSpace(ae.Message)
	}
	return ""
}
