// Package reviewtest is an httptest server that speaks the OpenAI
// chat-completions protocol, answering each request as a script says:
// streamed or plain answers, error statuses, hangs, broken and malformed
// streams. Tests of the review package and of its users point a reviewer's
// base URL at it.
package reviewtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"
)

// chatPath is where the server answers chat completions.
const chatPath = "/v1/chat/completions"

// Response kinds.
const (
	kindStream = iota
	kindPlain
	kindStatus
	kindHang
	kindCutOff
	kindMalformed
)

// Response is a scripted answer to one request. Build it with Stream,
// Plain, Status, Hang, CutOff or Malformed.
type Response struct {
	kind       int
	chunks     []string
	delay      time.Duration // between the chunks of a stream
	finish     string
	status     int
	retryAfter string
}

// Stream answers with an event stream: a role chunk, one content chunk per
// string (each flushed, the delay set by WithDelay apart), a final chunk
// with finish_reason "stop" (see WithFinish), then data: [DONE].
func Stream(chunks ...string) Response {
	return Response{kind: kindStream, chunks: chunks, finish: "stop"}
}

// WithDelay sets the delay between the chunks of a stream: after the first
// content chunk, before each following chunk and the final one.
func (r Response) WithDelay(d time.Duration) Response {
	r.delay = d
	return r
}

// WithFinish sets the finish reason of a stream or plain answer, e.g.
// "length".
func (r Response) WithFinish(reason string) Response {
	r.finish = reason
	return r
}

// Plain answers with a non-streamed application/json chat.completion, even
// if a stream was asked for.
func Plain(text string) Response {
	return Response{kind: kindPlain, chunks: []string{text}, finish: "stop"}
}

// Status answers with code and an OpenAI-style error body
// {"error":{"message","type","code"}}, and a Retry-After header if
// retryAfter is not empty.
func Status(code int, retryAfter string) Response {
	return Response{kind: kindStatus, status: code, retryAfter: retryAfter}
}

// Hang never answers: the handler returns when the client goes away or the
// server closes.
func Hang() Response { return Response{kind: kindHang} }

// CutOff streams the chunks, then drops the connection: no finish reason,
// no [DONE].
func CutOff(chunks ...string) Response { return Response{kind: kindCutOff, chunks: chunks} }

// Malformed streams a line of invalid JSON (data: {not json) before each
// valid chunk, so the valid text still arrives, and ends normally. With no
// chunks it sends only invalid lines, then [DONE].
func Malformed(chunks ...string) Response {
	return Response{kind: kindMalformed, chunks: chunks, finish: "stop"}
}

// Request is a request the server received.
type Request struct {
	At     time.Time
	Header http.Header
	Body   []byte
	// Chat is Body decoded; zero if it did not decode.
	Chat openai.ChatCompletionRequest
}

// Server is a scripted chat-completions server.
type Server struct {
	// URL is the base URL to use as the reviewer's base URL; it ends in /v1.
	URL string

	srv    *httptest.Server
	script []Response
	quit   chan struct{}

	mu     sync.Mutex
	reqs   []Request
	marker []byte // see Only
	n      int    // requests the script answered
}

// New starts a server that answers the n-th request to POST
// /v1/chat/completions with script[n], the last entry repeating (a short
// stream if script is empty). A request that is not a JSON chat completion
// with a model and messages gets a 400. The server closes when the test
// ends.
func New(t testing.TB, script ...Response) *Server {
	t.Helper()
	if len(script) == 0 {
		script = []Response{Stream("OK")}
	}
	s := &Server{script: script, quit: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(func() {
		close(s.quit) // ends hanging and delayed handlers
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
	return s
}

// Only makes the script answer only the requests whose body contains
// marker, such as a comment in the reviewed code; any other request, such as
// a review an earlier test left in a shared cluster's queue, gets a short
// stream at once and does not advance the script. Requests still lists
// every request.
func (s *Server) Only(marker string) *Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marker = []byte(marker)
	return s
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != chatPath || r.Method != http.MethodPost {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path))
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{At: time.Now(), Header: r.Header.Clone(), Body: body}
	err := json.Unmarshal(body, &req.Chat)
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	resp := Stream("OK")
	if s.marker == nil || bytes.Contains(body, s.marker) {
		resp = s.script[min(s.n, len(s.script)-1)]
		s.n++
	}
	s.mu.Unlock()
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "", "the body is not a JSON chat completion request: "+err.Error())
		return
	case req.Chat.Model == "":
		writeError(w, http.StatusBadRequest, "", "model is required")
		return
	case len(req.Chat.Messages) == 0:
		writeError(w, http.StatusBadRequest, "", "messages must not be empty")
		return
	}
	model := req.Chat.Model
	switch resp.kind {
	case kindStatus:
		writeError(w, resp.status, resp.retryAfter, "")
	case kindHang:
		select {
		case <-r.Context().Done():
		case <-s.quit:
		}
	case kindPlain:
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(openai.ChatCompletionResponse{
			ID: "chatcmpl-test", Object: "chat.completion", Created: time.Now().Unix(), Model: model,
			Choices: []openai.ChatCompletionChoice{{
				Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: resp.chunks[0]},
				FinishReason: openai.FinishReason(resp.finish),
			}},
		})
	default:
		s.stream(w, r, resp, model)
	}
}

// stream writes resp as an event stream.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, resp Response, model string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(line string) {
		io.WriteString(w, line+"\n\n")
		rc.Flush()
	}
	chunk := func(delta openai.ChatCompletionStreamChoiceDelta, finish string) string {
		b, _ := json.Marshal(openai.ChatCompletionStreamResponse{
			ID: "chatcmpl-test", Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: model,
			Choices: []openai.ChatCompletionStreamChoice{{Delta: delta, FinishReason: openai.FinishReason(finish)}},
		})
		return "data: " + string(b)
	}
	wait := func() bool {
		if resp.delay <= 0 {
			return true
		}
		t := time.NewTimer(resp.delay)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
		case <-s.quit:
		}
		return false
	}

	if resp.kind == kindMalformed && len(resp.chunks) == 0 {
		send("data: {not json")
		send(`data: {"choices": [`)
		send("data: {not json either}")
		send("data: [DONE]")
		return
	}
	send(chunk(openai.ChatCompletionStreamChoiceDelta{Role: openai.ChatMessageRoleAssistant}, ""))
	for i, c := range resp.chunks {
		if i > 0 && !wait() {
			return
		}
		if resp.kind == kindMalformed {
			send("data: {not json")
		}
		send(chunk(openai.ChatCompletionStreamChoiceDelta{Content: c}, ""))
	}
	if resp.kind == kindCutOff {
		// Drop the connection in the middle of the stream.
		if conn, _, err := rc.Hijack(); err == nil {
			conn.Close()
			return
		}
		panic(http.ErrAbortHandler)
	}
	if len(resp.chunks) > 0 && !wait() {
		return
	}
	if resp.finish != "" {
		send(chunk(openai.ChatCompletionStreamChoiceDelta{}, resp.finish))
	}
	send("data: [DONE]")
}

// writeError writes an OpenAI-style error.
func writeError(w http.ResponseWriter, code int, retryAfter, message string) {
	typ, errCode := "invalid_request_error", any(nil)
	switch {
	case code == http.StatusUnauthorized:
		message, errCode = "Incorrect API key provided.", "invalid_api_key"
	case code == http.StatusNotFound && message == "":
		message, errCode = "The model does not exist or you do not have access to it.", "model_not_found"
	case code == http.StatusTooManyRequests:
		typ, errCode = "requests", "rate_limit_exceeded"
		message = "Rate limit reached for requests."
	case code >= 500:
		typ, message = "server_error", "The server had an error while processing your request."
	}
	if message == "" {
		message = http.StatusText(code)
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": message, "type": typ, "code": errCode}})
}
