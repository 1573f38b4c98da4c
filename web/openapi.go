package web

import (
	"bytes"
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// openAPIDoc is the OpenAPI 3.1 document of every route of the server.
// TestOpenAPIRoutes checks that it and the routes agree both ways, and the
// system tests check every answer they see against it (web/openapitest).
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the API's OpenAPI 3.1 document, as JSON.
func OpenAPI() []byte { return bytes.Clone(openAPIDoc) }

// openAPI serves the document, to anyone: it holds nothing secret.
func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}
