package openapitest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const spec = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "security": [{"bearer": []}],
  "paths": {
    "/items/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z]+$"}}],
      "get": {
        "responses": {
          "200": {
            "description": "ok",
            "headers": {"X-Version": {"required": true, "schema": {"type": "integer"}}},
            "content": {"application/json": {"schema": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}}
          },
          "401": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "404": {"description": "no", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {"Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}}
  }
}`

// TestCheck: what Check lets through and what it refuses.
func TestCheck(t *testing.T) {
	v := Load(t, []byte(spec))
	json := http.Header{"Content-Type": {"application/json"}}
	good := http.Header{"Content-Type": {"application/json"}, "X-Version": {"3"}}
	tests := []struct {
		name, path string
		token      bool
		status     int
		header     http.Header
		body       string
		refused    string // in the error; "" if accepted
	}{
		{"a documented answer", "/items/abc", true, 200, good, `{"n":1}`, ""},
		{"an undocumented status", "/items/abc", true, 500, json, `{"error":"x"}`, "status is not supported"},
		{"a body outside the schema", "/items/abc", true, 200, good, `{"n":"1"}`, "at '/n': got string, want integer"},
		{"a required header missing", "/items/abc", true, 200, json, `{"n":1}`, "X-Version"},
		{"another content type", "/items/abc", true, 200, http.Header{"Content-Type": {"text/plain"}, "X-Version": {"3"}}, `x`, "Content-Type"},
		{"an invalid path refused", "/items/ABC", true, 404, json, `{"error":"x"}`, ""},
		{"an invalid path accepted", "/items/ABC", true, 200, good, `{"n":1}`, "not refused with a 4xx"},
		{"no token refused", "/items/abc", false, 401, json, `{"error":"x"}`, ""},
		{"no token accepted", "/items/abc", false, 200, good, `{"n":1}`, "not refused with a 4xx"},
		{"no operation, refused", "/other", true, 404, json, `{"error":"x"}`, ""},
		{"no operation, answered", "/other", true, 200, json, `{"error":"x"}`, "not a 4xx"},
		{"no operation, refused without the error", "/other", true, 404, json, `{}`, "not an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.token {
				req.Header.Set("Authorization", "Bearer x")
			}
			err := v.Check(req, nil, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.refused != "" && err == nil:
				t.Errorf("accepted, want an error about %q", tt.refused)
			case tt.refused != "" && !strings.Contains(err.Error(), tt.refused):
				t.Errorf("error %q does not mention %q", err, tt.refused)
			}
		})
	}
}

// TestCheckPageAnswers: outside /api/, a document with a web page's answers
// lets a GET or HEAD of no operation get the page's 404 or a redirect that
// drops the trailing slash, and nothing else.
func TestCheckPageAnswers(t *testing.T) {
	withPage := strings.Replace(spec, `"schemas": {`, `"responses": {
      "PageNotFound": {"description": "the page", "content": {"text/html": {}}},
      "PageMoved": {"description": "moved", "headers": {"Location": {"required": true, "schema": {"type": "string"}}}}
    },
    "schemas": {`, 1)
	html := http.Header{"Content-Type": {"text/html; charset=UTF-8"}}
	json := http.Header{"Content-Type": {"application/json"}}
	moved := func(to string) http.Header { return http.Header{"Location": {to}} }
	tests := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		refused            string // in the error; "" if accepted
	}{
		{"the page's 404", "GET", "/nope", 404, html, "<!doctype html>", ""},
		{"the page's 404, headers only", "HEAD", "/nope", 404, html, "", ""},
		{"the API's 404 still", "GET", "/nope", 404, json, `{"error":"x"}`, ""},
		{"the page under /api/", "GET", "/api/nope", 404, html, "<!doctype html>", "Content-Type"},
		{"the page for a POST", "POST", "/nope", 404, html, "<!doctype html>", "Content-Type"},
		{"the page with 200", "GET", "/nope", 200, html, "<!doctype html>", "not a 4xx"},
		{"a trailing slash dropped", "GET", "/other/", 308, moved("/other"), "", ""},
		{"a trailing slash dropped, query kept", "GET", "/other/?x=1", 308, moved("/other?x=1"), "", ""},
		{"moved elsewhere", "GET", "/other/", 308, moved("/elsewhere"), "", "want \"/other\""},
		{"moved without a trailing slash", "GET", "/other", 308, moved("/other"), "", "no trailing slash"},
	}
	v := Load(t, []byte(withPage))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Authorization", "Bearer x")
			err := v.Check(req, nil, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.refused != "" && err == nil:
				t.Errorf("accepted, want an error about %q", tt.refused)
			case tt.refused != "" && !strings.Contains(err.Error(), tt.refused):
				t.Errorf("error %q does not mention %q", err, tt.refused)
			}
		})
	}
	// Without the page's answers in the document, the page's 404 is refused.
	if err := Load(t, []byte(spec)).Check(httptest.NewRequest("GET", "/nope", nil), nil, 404, html, []byte("<!doctype html>")); err == nil {
		t.Error("a document without PageNotFound let the page's 404 through")
	}
}
