package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/codementor/codementor/auth"
)

// sessionCookie carries the bearer token of a browser: EventSource cannot
// send an Authorization header. It is HttpOnly (page scripts never see the
// token) and SameSite=Lax; unsafe cross-origin requests are refused by
// http.CrossOriginProtection whichever way they authenticate.
const sessionCookie = "codementor_session"

// crossOriginProtection refuses unsafe (not GET, HEAD or OPTIONS) requests
// that a browser marks as coming from another site, with the API's error
// body. Clients that are not browsers send no such marks and pass.
func crossOriginProtection() *http.CrossOriginProtection {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":"cross_origin","message":"requests that change anything must come from this site's own pages"}}` + "\n"))
	}))
	return p
}

// siteConfig is what the page needs to know before anyone signs in.
type siteConfig struct {
	DevAuth bool `json:"dev_auth"`
}

func (s *Server) siteConfig(c echo.Context) error {
	return c.JSON(http.StatusOK, siteConfig{DevAuth: s.cfg.DevAuth})
}

// sessionInfo is who the caller is.
type sessionInfo struct {
	User  string `json:"user"`
	Admin bool   `json:"admin"`
}

func (s *Server) getSession(c echo.Context) error {
	id := identity(c)
	return c.JSON(http.StatusOK, sessionInfo{User: id.User, Admin: id.Admin})
}

type sessionRequest struct {
	Token string `json:"token"`
}

// createSession signs a browser in with a token issued elsewhere (the
// deployment's identity provider, or `POST /api/dev/login`).
func (s *Server) createSession(c echo.Context) error {
	var req sessionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return invalid("token is required")
	}
	id, err := s.Auth.Verify(req.Token)
	if err != nil {
		return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "the token is invalid or expired; ask for a new one"}
	}
	s.setSessionCookie(c, req.Token)
	return c.JSON(http.StatusOK, sessionInfo{User: id.User, Admin: id.Admin})
}

// deleteSession signs the browser out.
func (s *Server) deleteSession(c echo.Context) error {
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(c)})
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) setSessionCookie(c echo.Context, token string) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		MaxAge:   int(s.Auth.TTL() / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secureRequest(c),
	})
}

// secureRequest reports whether the browser reached us over HTTPS (directly
// or through a proxy that says so), so the cookie may be marked Secure.
func secureRequest(c echo.Context) bool {
	return c.Request().TLS != nil || c.Request().Header.Get("X-Forwarded-Proto") == "https"
}

// bearer returns the request's token: the Authorization header's, or the
// session cookie's.
func bearer(c echo.Context) (string, bool) {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	const prefix = "Bearer "
	if len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):], true
	}
	if h != "" {
		return "", false
	}
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	return "", false
}

// authenticate requires a valid token, in the Authorization header or the
// session cookie.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok, ok := bearer(c)
		if !ok {
			return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "send Authorization: Bearer <token>, or sign in; get a token by signing in"}
		}
		id, err := s.Auth.Verify(tok)
		if err != nil {
			return &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "the token is invalid or expired: sign in again"}
		}
		c.Set(identityKey, id)
		return next(c)
	}
}

const identityKey = "identity"

func identity(c echo.Context) auth.Identity { return c.Get(identityKey).(auth.Identity) }
