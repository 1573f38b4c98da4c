package web

import (
	"errors"
	"html"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
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
var pageRoutes = []string{"/", "/signin", "/questions/:id", "/contests", "/contests/:id", "/me"}

// faviconCache lets browsers keep the icon a day: its address has no hash.
const faviconCache = "public, max-age=86400"

// routePage serves the learner's page, its assets and its icon. Any other
// address outside /api/ that a browser may open (GET or HEAD) gets the page
// with status 404, and the app shows its "Not found" view; one that only
// adds a trailing slash to a page's address is redirected there. The API's
// group answers its own unknown addresses with JSON.
func (s *Server) routePage(e *echo.Echo, page func() (fs.FS, error)) {
	files, err := page()
	if err != nil {
		s.Log.Warn("the learner's page is not available", "err", err)
	}
	for _, r := range pageRoutes {
		e.Match([]string{http.MethodGet, http.MethodHead}, r, func(c echo.Context) error {
			// Echo's :id also takes "a/b" and "a/": only one segment is a
			// question's or a contest's address.
			if !isPagePath(c.Request().URL.EscapedPath()) {
				return pageNotFound(c, files, err)
			}
			return servePage(c, http.StatusOK, files, err)
		})
	}
	// A middleware, not a route of its own: a route for every other address
	// would also take those whose method is wrong, which get 405.
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			herr := next(c)
			if errors.Is(herr, echo.ErrNotFound) && !IsAPIPath(c.Request().URL.Path) {
				return pageNotFound(c, files, err)
			}
			return herr
		}
	})
	e.GET("/favicon.ico", func(c echo.Context) error {
		if files == nil {
			return notFound("icon")
		}
		icon, err := fs.ReadFile(files, "favicon.ico")
		if err != nil {
			return notFound("icon")
		}
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, faviconCache)
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		return c.Blob(http.StatusOK, "image/x-icon", icon)
	})
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

// IsAPIPath reports whether a path is under one of the APIs (/api, the
// Judge0 API's /judge0), which answer in JSON, never with the page.
func IsAPIPath(p string) bool {
	for _, root := range []string{"/api", "/judge0"} {
		if p == root || strings.HasPrefix(p, root+"/") {
			return true
		}
	}
	return false
}

// isPagePath reports whether an escaped path is one of the page's own
// addresses: /, /signin, /contests, /me, or /questions/ or /contests/ and
// one segment.
func isPagePath(p string) bool {
	switch p {
	case "/", "/signin", "/contests", "/me":
		return true
	}
	for _, prefix := range []string{"/questions/", "/contests/"} {
		if id, ok := strings.CutPrefix(p, prefix); ok {
			return id != "" && !strings.Contains(id, "/")
		}
	}
	return false
}

// pageNotFound answers an address that is none of the page's: a GET or
// HEAD gets the page itself with status 404 (the app shows "Not found"
// and a link home), or, if the address is a page's with a trailing slash,
// a permanent redirect there; any other method, and any request to a binary
// built without the page, gets the API's 404.
func pageNotFound(c echo.Context, files fs.FS, notBuilt error) error {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead || notBuilt != nil {
		return notFound("page " + r.URL.Path)
	}
	// The stripped path is one of the page's, never "//host": the redirect
	// cannot lead to another site.
	if p := strings.TrimRight(r.URL.EscapedPath(), "/"); p != r.URL.EscapedPath() && p != "" && isPagePath(p) {
		if r.URL.RawQuery != "" {
			p += "?" + r.URL.RawQuery
		}
		return c.Redirect(http.StatusPermanentRedirect, p)
	}
	return servePage(c, http.StatusNotFound, files, notBuilt)
}

// servePage answers with index.html and status, or 503 with why the page
// was not built into the binary.
func servePage(c echo.Context, status int, files fs.FS, notBuilt error) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set(echo.HeaderCacheControl, "no-cache")
	if notBuilt != nil {
		return c.HTML(http.StatusServiceUnavailable, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CodeMentor</title></head>`+
			`<body><h1>CodeMentor</h1><p>`+html.EscapeString(notBuilt.Error())+`</p><p>The API is under <code>/api</code>.</p></body></html>`)
	}
	if c.Request().Method == http.MethodHead {
		h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		return c.NoContent(status)
	}
	page, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return err
	}
	return c.HTMLBlob(status, page)
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
