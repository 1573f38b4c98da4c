// Package openapitest checks HTTP exchanges against an OpenAPI document, so
// that a test fails on an answer the API's contract does not allow. Wrap a
// test's HTTP client with Transport, or pass a handler test's request and
// recorded answer to Check.
package openapitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator checks requests and their answers against one document.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	// bodies validates JSON bodies against the document's schemas, each
	// compiled once (kin-openapi compiles a 3.1 schema again on every
	// validation: 3-10 ms an answer under the race detector).
	bodies *bodySchemas
}

// New loads and validates an OpenAPI document (JSON or YAML). Answers to
// requests that match no operation must fit its components/schemas/Error,
// if it has one; outside /api/, a GET or HEAD may instead get a web page's
// answers, if the document has them: components/responses/PageNotFound (a
// 404 with an HTML body) or PageMoved (a 308 to the same address without
// its trailing slash).
func New(spec []byte) (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	// NewRouter validates the document (examples included) first.
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	bodies, err := newBodySchemas(spec)
	if err != nil {
		return nil, err
	}
	return &Validator{doc: doc, router: router, bodies: bodies}, nil
}

// Load is New for tests: it fails t on an error.
func Load(t testing.TB, spec []byte) *Validator {
	t.Helper()
	v, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Doc returns the document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Check checks one exchange: req (whose body was reqBody) and its answer.
// The answer must be one the request's operation documents: its status,
// headers and, for a JSON or text body, the body. A request the document
// does not allow (a value out of its limits, no token, a route it does not
// have) must be refused with a 4xx, with the error schema's body when no
// operation matches it. The body of a Server-Sent Events stream is not
// checked: pass nil.
func (v *Validator) Check(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	what := fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), status)
	route, pathParams, routeErr := v.router.FindRoute(req)
	if routeErr != nil {
		if err := v.checkUnrouted(req, status, header, body); err != nil {
			return fmt.Errorf("%s: no operation of the document matches (%v), and %w", what, routeErr, err)
		}
		return nil
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    presentCredentials,
	}
	in := &openapi3filter.RequestValidationInput{Request: withBody(req, reqBody), PathParams: pathParams, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(req.Context(), in)
	if reqErr != nil && (status < 400 || status > 499) {
		return fmt.Errorf("%s: the request is outside the document, yet it was not refused with a 4xx: %v\nbody: %s", what, reqErr, excerpt(body))
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	jsonBody := v.bodies != nil && body != nil && isJSON(header)
	if jsonBody {
		// The status and headers here; the body below, with a schema
		// compiled once.
		o := *opts
		o.ExcludeResponseBody = true
		out.Options = &o
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return fmt.Errorf("%s: the answer is outside the document: %v\nbody: %s", what, err, excerpt(body))
	}
	if jsonBody {
		if err := v.bodies.check(route, status, header.Get("Content-Type"), body); err != nil {
			return fmt.Errorf("%s: the answer is outside the document: %v\nbody: %s", what, err, excerpt(body))
		}
	}
	return nil
}

// isJSON reports whether an answer's body is JSON.
func isJSON(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "application/json"
}

// bodySchemas are the document's response schemas, compiled once each by
// their JSON pointer in the document.
type bodySchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// docURL names the document for the compiler.
const docURL = "mem:///openapi.json"

func newBodySchemas(spec []byte) (*bodySchemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(spec))
	if err != nil {
		return nil, nil // YAML: kin-openapi validates bodies itself
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, fmt.Errorf("load the OpenAPI document's schemas: %w", err)
	}
	return &bodySchemas{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// check validates body, of the content type ct, against the schema the
// route's operation documents for status.
func (b *bodySchemas) check(route *routers.Route, status int, ct string, body []byte) error {
	ref, key := responseOf(route.Operation.Responses, status)
	if ref == nil || ref.Value == nil || len(ref.Value.Content) == 0 {
		return nil // kin-openapi has judged the status
	}
	mt := ref.Value.Content.Get(ct)
	if mt == nil {
		return fmt.Errorf("the Content-Type %q is not documented", ct)
	}
	if mt.Schema == nil {
		return nil
	}
	mtKey := ""
	for k, m := range ref.Value.Content {
		if m == mt {
			mtKey = k
		}
	}
	base := ref.Ref
	if base == "" {
		base = "#/paths/" + pointerToken(route.Path) + "/" + strings.ToLower(route.Method) + "/responses/" + pointerToken(key)
	}
	schema, err := b.schema(base + "/content/" + pointerToken(mtKey) + "/schema")
	if err != nil {
		return err
	}
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return schema.Validate(value)
}

// schema compiles the schema at ptr, once.
func (b *bodySchemas) schema(ptr string) (*jsonschema.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.compiled[ptr]; ok {
		return s, nil
	}
	s, err := b.compiler.Compile(docURL + ptr)
	if err != nil {
		return nil, fmt.Errorf("compile the schema at %s: %w", ptr, err)
	}
	b.compiled[ptr] = s
	return s, nil
}

// responseOf returns the response documented for status (its code, its
// range such as 4XX, or default) and its key.
func responseOf(rs *openapi3.Responses, status int) (*openapi3.ResponseRef, string) {
	for _, key := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if ref := rs.Value(key); ref != nil {
			return ref, key
		}
	}
	return nil, ""
}

// pointerToken escapes s as a token of a JSON pointer in a URL fragment.
func pointerToken(s string) string {
	return url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
}

// CheckSchema checks that value, encoded as JSON, fits the document's
// components/schemas/name: for what a test holds without an exchange, such
// as the data of a Server-Sent Event.
func (v *Validator) CheckSchema(name string, value any) error {
	ref := v.doc.Components.Schemas[name]
	if ref == nil {
		return fmt.Errorf("the document has no schema %q", name)
	}
	data, err := json.Marshal(value)
	if err != nil {
		return err
	}
	var decoded any
	if err := json.Unmarshal(data, &decoded); err != nil {
		return err
	}
	if err := ref.Value.VisitJSON(decoded, openapi3.EnableJSONSchema2020()); err != nil {
		return fmt.Errorf("%s does not fit the schema %s: %w", excerpt(data), name, err)
	}
	return nil
}

// errorSchema is the schema of the answer to a request no operation
// matches (a server's 404 or 405, or 401 without a token).
const errorSchema = "Error"

// The web page's answers to an address of none of its operations (see New).
const (
	pageNotFound = "PageNotFound"
	pageMoved    = "PageMoved"
)

// checkUnrouted checks the answer to a request no operation matches.
func (v *Validator) checkUnrouted(req *http.Request, status int, header http.Header, body []byte) error {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	if page := req.Method == http.MethodGet || req.Method == http.MethodHead; page && !strings.HasPrefix(req.URL.Path, "/api/") && !strings.HasPrefix(req.URL.Path, "/judge0/") {
		switch {
		case status == http.StatusPermanentRedirect && v.doc.Components.Responses[pageMoved] != nil:
			want := strings.TrimRight(req.URL.EscapedPath(), "/")
			if want == req.URL.EscapedPath() || want == "" {
				return fmt.Errorf("the page moved, but its address has no trailing slash to drop")
			}
			if loc, _, _ := strings.Cut(header.Get("Location"), "?"); loc != want {
				return fmt.Errorf("the page moved to %q, want %q: the address without its trailing slash", header.Get("Location"), want)
			}
			return nil
		case status == http.StatusNotFound && v.doc.Components.Responses[pageNotFound] != nil && (mt == "text/html" || req.Method == http.MethodHead):
			return nil
		}
	}
	if status < 400 || status > 499 {
		return fmt.Errorf("the answer is not a 4xx")
	}
	if req.Method == http.MethodHead || v.doc.Components.Schemas[errorSchema] == nil {
		return nil
	}
	if mt != "application/json" {
		return fmt.Errorf("the answer's Content-Type is %q, not application/json", header.Get("Content-Type"))
	}
	if err := v.CheckSchema(errorSchema, json.RawMessage(body)); err != nil {
		return fmt.Errorf("the answer is not an error: %w", err)
	}
	return nil
}

// presentCredentials accepts a request that carries the scheme's
// credentials, whatever they are: the server decides whether they are
// valid, and the document only says where they go.
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	req, scheme := in.RequestValidationInput.Request, in.SecurityScheme
	switch {
	case scheme.Type == "http" && strings.EqualFold(scheme.Scheme, "bearer"):
		if h := req.Header.Get("Authorization"); len(h) > len("Bearer ") && strings.EqualFold(h[:len("Bearer ")], "Bearer ") {
			return nil
		}
	case scheme.Type == "apiKey" && scheme.In == "cookie":
		if c, err := req.Cookie(scheme.Name); err == nil && c.Value != "" {
			return nil
		}
	case scheme.Type == "apiKey" && scheme.In == "header":
		if req.Header.Get(scheme.Name) != "" {
			return nil
		}
	}
	return in.NewError(errors.New("no credentials"))
}

// withBody returns a shallow copy of req whose body reads body.
func withBody(req *http.Request, body []byte) *http.Request {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r
}

// readBody reads req's body whole and returns it with a copy of req that
// reads it again.
func readBody(req *http.Request) ([]byte, *http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, req, nil
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	return body, withBody(req, body), nil
}

// isEventStream reports whether an answer is a Server-Sent Events stream,
// whose body may never end.
func isEventStream(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/event-stream"
}

// excerpt is the start of a body, for a message.
func excerpt(body []byte) string {
	const max = 2000
	if len(body) > max {
		return string(body[:max]) + "…"
	}
	return string(body)
}

// Transport returns an http.RoundTripper that sends each request with next
// (http.DefaultTransport if nil) and fails t with Errorf on every exchange
// Check refuses. The answer reaches the caller unchanged; its body has been
// read whole first, except a Server-Sent Events stream's. Exchanges that end
// after t has finished are not checked.
func (v *Validator) Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	tr := &transport{v: v, t: t, next: next}
	t.Cleanup(func() {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.done = true
	})
	return tr
}

type transport struct {
	v    *Validator
	t    testing.TB
	next http.RoundTripper
	mu   sync.Mutex
	done bool // t has finished: reporting to it would panic
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, req, err := readBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := tr.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	var body []byte
	if !isEventStream(resp.Header) {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err := tr.v.Check(req, reqBody, resp.StatusCode, resp.Header, body); err != nil {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		if !tr.done {
			tr.t.Errorf("OpenAPI: %v", err)
		}
	}
	return resp, nil
}

// Record serves req with h, as a handler test does, fails t with Errorf if
// Check refuses the exchange, and returns the recorded answer. h must not
// stream without end.
func (v *Validator) Record(t testing.TB, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	reqBody, req, err := readBody(req)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body []byte
	if !isEventStream(rec.Header()) {
		body = rec.Body.Bytes()
	}
	if err := v.Check(req, reqBody, rec.Code, rec.Header(), body); err != nil {
		t.Errorf("OpenAPI: %v", err)
	}
	return rec
}
