package web

import (
	"html"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/codementor/codementor/web/ui"
)

// pageCSP lets the page load only its own scripts, styles, fonts and API:
// Markdown from question authors and the LLM is sanitized in the browser,
// and this is the second line. Styles may be inline because the editor
// writes its own style elements.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// pageRoutes are the page's own addresses: each serves index.html, and the
// app shows what the address names.
var pageRoutes = []string{"/", "/signin", "/questions/:id"}

// routePage serves the learner's page and its assets.
func (s *Server) routePage(e *echo.Echo) {
	files, err := ui.Files()
	if err != nil {
		s.Log.Warn("the learner's page is not available", "err", err)
	}
	for _, r := range pageRoutes {
		e.Match([]string{http.MethodGet, http.MethodHead}, r, func(c echo.Context) error { return servePage(c, files, err) })
	}
	e.GET("/assets/*", func(c echo.Context) error {
		if files == nil {
			return notFound("asset")
		}
		name := path.Clean("assets/" + c.Param("*"))
		if !strings.HasPrefix(name, "assets/") {
			return notFound("asset")
		}
		// The build gzipped scripts and styles beside the originals.
		if gz, err := fs.ReadFile(files, name+".gz"); err == nil {
			h := c.Response().Header()
			h.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if acceptsGzip(c.Request().Header.Get(echo.HeaderAcceptEncoding)) {
				h.Set(echo.HeaderContentEncoding, "gzip")
				return assetBlob(c, name, gz)
			}
		}
		f, err := fs.ReadFile(files, name)
		if err != nil {
			return notFound("asset " + c.Param("*"))
		}
		return assetBlob(c, name, f)
	})
}

func assetBlob(c echo.Context, name string, body []byte) error {
	h := c.Response().Header()
	// Asset names carry a hash of their content: they never change.
	h.Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	return c.Blob(http.StatusOK, contentType(name), body)
}

func servePage(c echo.Context, files fs.FS, notBuilt error) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set(echo.HeaderCacheControl, "no-cache")
	if notBuilt != nil {
		return c.HTML(http.StatusServiceUnavailable, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CodeMentor</title></head>`+
			`<body><h1>CodeMentor</h1><p>`+html.EscapeString(notBuilt.Error())+`</p><p>The API is under <code>/api</code>.</p></body></html>`)
	}
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, page)
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip: named
// (or "*") without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.ToLower(params), " ", "")
		return !strings.HasPrefix(q, "q=0") || strings.HasPrefix(q, "q=0.") && strings.Trim(q[4:], "0") != ""
	}
	return false
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".woff2":
		return "font/woff2"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return "application/octet-stream"
}
