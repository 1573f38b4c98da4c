package review

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The reasons of failed and incomplete reviews are sentences a learner can
// read. None quotes the API key or anything from the request headers.

// failKind is the kind of a failed attempt that may be retried.
type failKind int

const (
	failStatus  failKind = iota + 1 // 429 or 5xx
	failNetwork                     // the server could not be reached
	failStall                       // no headers, or no next chunk, within StallTimeout
	failEmpty                       // the stream ended without content or finish reason
	failBroken                      // the stream broke before any text
)

// failure is one failed attempt that may be retried.
type failure struct {
	kind      failKind
	status    int           // failStatus
	after     time.Duration // failStall
	streaming bool          // failStall: the headers had arrived
}

// String says what the language model service did, after "the language
// model service".
func (f failure) String() string {
	switch f.kind {
	case failStatus:
		return fmt.Sprintf("answered %d", f.status)
	case failNetwork:
		return "could not be reached"
	case failStall:
		if f.streaming {
			return "stopped sending for " + fmtDuration(f.after)
		}
		return "did not answer within " + fmtDuration(f.after)
	case failEmpty:
		return "sent an empty or malformed answer"
	default:
		return "broke off its answer"
	}
}

const (
	reasonCanceled    = "The review was cancelled before it finished."
	reasonEmpty       = "The review could not be written: the model returned an empty review."
	reasonFilterEmpty = "The review could not be written: the model's content filter blocked the answer."
	reasonFilter      = "The model's content filter stopped the review before the end; the review is incomplete."
	reasonCut         = "The model stopped before the end; the review is incomplete."
)

var reasonCapped = fmt.Sprintf("The review was longer than %d KiB and was cut there.", maxTextBytes>>10)

func reasonLength(tokens int) string {
	return fmt.Sprintf("The model reached its length limit of %d tokens before the end; the review is incomplete.", tokens)
}

func reasonLengthEmpty(tokens int) string {
	return fmt.Sprintf("The review could not be written: the model reached its limit of %d tokens before writing anything "+
		"(its reasoning may have used them all); raise the review max tokens setting.", tokens)
}

func reasonRefused(msg string) string {
	return fmt.Sprintf("The review could not be written: the model declined to review this submission (%s).", oneLine(clip(msg, 200)))
}

func reasonStallCut(stall time.Duration) string {
	return fmt.Sprintf("The model stopped sending for %s before the end; the review is incomplete.", fmtDuration(stall))
}

func reasonDeadlineCut(timeout time.Duration) string {
	return fmt.Sprintf("The review did not finish within %s; it is incomplete.", fmtDuration(timeout))
}

func reasonDeadline(timeout time.Duration, fails []failure) string {
	if len(fails) == 0 {
		return fmt.Sprintf("The review did not finish within %s.", fmtDuration(timeout))
	}
	return fmt.Sprintf("The review did not finish within %s: the language model service %s.", fmtDuration(timeout), kept(fails))
}

// reasonGaveUp is the reason of a review given up because the next wait
// would pass the deadline; asked is the server's Retry-After, if that is
// what was too long.
func reasonGaveUp(fails []failure, elapsed, asked time.Duration) string {
	last := fails[len(fails)-1]
	if last.kind == failStatus && last.status == http.StatusTooManyRequests {
		s := fmt.Sprintf("The review could not be written: the language model service is rate-limiting requests (it %s in %s", kept(fails), fmtDuration(elapsed))
		if asked > 0 {
			s += " and asked to wait " + fmtDuration(asked)
		}
		return s + ")."
	}
	return fmt.Sprintf("The review could not be written: the language model service %s in %s.", kept(fails), fmtDuration(elapsed))
}

func reasonPaused(resume, now time.Time) string {
	return "Reviews are paused because the language model is failing; they resume " + resumeWhen(resume, now) + "."
}

func reasonGaveUpPaused(fails []failure, elapsed time.Duration, resume, now time.Time) string {
	return fmt.Sprintf("The review could not be written: the language model service %s in %s, and reviews are now paused "+
		"because it is failing; they resume %s.", kept(fails), fmtDuration(elapsed), resumeWhen(resume, now))
}

func reasonLocal(msg string) string {
	return fmt.Sprintf("The review could not be written: the request could not be made (%s); check the review model and reasoning effort settings.",
		oneLine(clip(msg, 200)))
}

// reasonRefusedStatus is the reason of a request the server refused with
// status (a 4xx other than 429), saying what to check.
func (r *Reviewer) reasonRefusedStatus(status int, err error) string {
	code := strings.TrimSpace(fmt.Sprintf("%d %s", status, http.StatusText(status)))
	switch status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("The review could not be written: the language model service rejected the API key (%s); "+
			"check the API key the reviewer is configured with.", code)
	case http.StatusForbidden:
		return fmt.Sprintf("The review could not be written: the language model service refused access (%s); "+
			"check the API key the reviewer is configured with and whether it may use model %q.", code, r.cfg.Model)
	case http.StatusNotFound:
		return fmt.Sprintf("The review could not be written: the language model service answered %s; "+
			"check the review model name (%q) and the base URL (%s).", code, r.cfg.Model, displayURL(r.cfg.BaseURL))
	}
	if msg := oneLine(clip(r.redact(apiMessage(err)), 200)); msg != "" {
		return fmt.Sprintf("The review could not be written: the language model service refused the request (%s: %s).", code, msg)
	}
	return fmt.Sprintf("The review could not be written: the language model service refused the request (%s).", code)
}

// kept says what the language model service did in fails: "answered 503
// three times", or "failed three times (answered 503, could not be
// reached)".
func kept(fails []failure) string {
	var kinds []string
	for _, f := range fails {
		if s := f.String(); !slices.Contains(kinds, s) {
			kinds = append(kinds, s)
		}
	}
	if len(kinds) == 1 {
		if len(fails) == 1 {
			return kinds[0]
		}
		return kinds[0] + " " + count(len(fails))
	}
	return fmt.Sprintf("failed %s (%s)", count(len(fails)), strings.Join(kinds, ", "))
}

func count(n int) string {
	words := []string{"", "once", "twice", "three times", "four times", "five times", "six times", "seven times", "eight times", "nine times", "ten times"}
	if n > 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprintf("%d times", n)
}

func resumeWhen(resume, now time.Time) string {
	if resume.IsZero() {
		return "as soon as a test request to it succeeds"
	}
	return fmt.Sprintf("in about %s (at %s UTC)", fmtDuration(resume.Sub(now)), resume.UTC().Format("15:04:05"))
}

// fmtDuration writes d for people: "400 ms", "1.5s", "12s", "3 min".
func fmtDuration(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
	case d < 10*time.Second:
		s := strconv.FormatFloat(d.Seconds(), 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + "s"
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	default:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
}

// displayURL is the base URL without credentials or query, to show.
func displayURL(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "(unparsable)"
	}
	return u.Scheme + "://" + u.Host + u.Path
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
