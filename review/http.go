package review

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"
)

// maxPlainBody caps the body of a plain (non-streamed) answer converted to
// a stream.
const maxPlainBody = 4 << 20

// callInfo is what the HTTP layer saw of one call: go-openai's errors carry
// neither the response headers nor, for every error, the status code. The
// doer fills it in from the goroutine that made the call.
type callInfo struct {
	status     int           // the response's status code; 0 without a response
	retryAfter time.Duration // the server's Retry-After, if hasRetry
	hasRetry   bool
	plain      bool // a plain JSON answer was converted into a stream
}

type callInfoKey struct{}

func withCallInfo(ctx context.Context, info *callInfo) context.Context {
	return context.WithValue(ctx, callInfoKey{}, info)
}

// doer is the HTTP client given to go-openai. It records each response's
// status and Retry-After into the callInfo of the request's context, and
// turns a plain JSON chat completion answering a streamed request (servers
// that ignore "stream": true) into the equivalent event stream.
type doer struct {
	client *http.Client
	now    func() time.Time
}

// Do implements openai.HTTPDoer.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = displayURL(ue.URL) // no query or credentials in logs
		}
		return nil, err
	}
	info, _ := req.Context().Value(callInfoKey{}).(*callInfo)
	if info != nil {
		info.status = resp.StatusCode
		info.retryAfter, info.hasRetry = retryAfter(resp.Header, d.now())
	}
	if resp.StatusCode == http.StatusOK && wantsStream(req) && isJSON(resp.Header.Get("Content-Type")) {
		if plain := plainToStream(resp); info != nil {
			info.plain = plain
		}
	}
	return resp, nil
}

func wantsStream(req *http.Request) bool {
	return strings.Contains(req.Header.Get("Accept"), "text/event-stream")
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// retryAfter parses the Retry-After header (delay-seconds or HTTP-date), or
// the retry-after-ms header some servers send instead.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 && ms < 1e9 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s < 0 || s > 1e6 {
			return 0, false
		}
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// plainToStream replaces the body of resp, a plain chat completion, with the
// event stream a streaming server would have sent: one chunk with the whole
// content and the finish reason, then [DONE]. A body that is not a chat
// completion with a choice is left as it was (read back from memory), for
// the stream reader to reject. It reports whether it converted the body.
func plainToStream(resp *http.Response) bool {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPlainBody))
	resp.Body.Close()
	if err != nil {
		// Hand the reader what arrived, then the error.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(data), errReader{err}))
		return false
	}
	var cc openai.ChatCompletionResponse
	if json.Unmarshal(data, &cc) != nil || len(cc.Choices) == 0 {
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return false
	}
	choice := cc.Choices[0]
	finish := choice.FinishReason
	if finish == "" || finish == openai.FinishReasonNull {
		finish = openai.FinishReasonStop // a complete, non-streamed answer
	}
	chunk := openai.ChatCompletionStreamResponse{
		ID: cc.ID, Object: "chat.completion.chunk", Created: cc.Created, Model: cc.Model,
		Choices: []openai.ChatCompletionStreamChoice{{
			Delta:        openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant, Content: choice.Message.Content, Refusal: choice.Message.Refusal},
			FinishReason: finish,
		}},
	}
	line, err := json.Marshal(chunk)
	if err != nil {
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return false
	}
	body := fmt.Sprintf("data: %s\n\ndata: [DONE]\n\n", line)
	resp.Body = io.NopCloser(strings.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Type", "text/event-stream")
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return true
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
