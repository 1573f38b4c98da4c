// Package web is CodeMentor's HTTP API: JSON endpoints for questions and
// submissions, Server-Sent Event streams of submission state, sign-in, and
// health. Handlers read from goka views and write through goka emitters,
// behind the small interfaces of Deps; they never talk to processors
// directly.
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/callback"
	"github.com/codementor/codementor/health"
	"github.com/codementor/codementor/metrics"
	"github.com/codementor/codementor/web/ui"
)

// Config of the web tier.
type Config struct {
	Addr string
	// DevAuth enables POST /api/dev/login, which hands out tokens to anyone.
	DevAuth bool
	// Heartbeat is the interval of SSE keep-alive comments.
	Heartbeat time.Duration
	// MaxInFlight caps a learner's submissions in flight (queued or being
	// judged) across every web instance; 0: no cap. Admins are exempt.
	MaxInFlight int
	// MaxRunsInFlight caps a user's runs queued or being judged (the Run
	// button, the Judge0 API), apart from submissions; 0: no cap.
	MaxRunsInFlight int
}

// DefaultHeartbeat is the interval of SSE keep-alive comments: well within
// the idle timeouts of proxies (often 30 to 60 s).
const DefaultHeartbeat = 15 * time.Second

// withDefaults fills the settings left zero: 127.0.0.1:8080,
// DefaultHeartbeat.
func (cfg Config) withDefaults() Config {
	cfg.Addr = cmp.Or(cfg.Addr, "127.0.0.1:8080")
	cfg.Heartbeat = cmp.Or(cfg.Heartbeat, DefaultHeartbeat)
	return cfg
}

// Validate reports settings the web tier cannot serve with.
func (cfg Config) Validate() error {
	var errs []error
	if cfg.Heartbeat < 0 {
		errs = append(errs, fmt.Errorf("web: Heartbeat must be positive, got %s", cfg.Heartbeat))
	}
	if cfg.MaxInFlight < 0 || cfg.MaxRunsInFlight < 0 {
		errs = append(errs, fmt.Errorf("web: MaxInFlight and MaxRunsInFlight must be 0 (no cap) or positive, got %d and %d", cfg.MaxInFlight, cfg.MaxRunsInFlight))
	}
	return errors.Join(errs...)
}

// Deps are the components the handlers use.
type Deps struct {
	Submissions       SubmissionView
	Questions         QuestionView
	Runtimes          RuntimeView
	Learners          LearnerView
	Progress          ProgressView
	QuestionStats     QuestionStatsView
	SubmissionEmitter SubmissionEmitter
	QuestionEmitter   QuestionEmitter
	RejudgeEmitter    RejudgeEmitter
	// Contests, ContestEmitter and Standings serve the contests and their
	// leaderboards.
	Contests       ContestView
	ContestEmitter ContestEmitter
	Standings      StandingView

	Auth *auth.Authority
	// Callbacks checks the callback URLs of runs (the Judge0 API's
	// callback_url); nil refuses every internal address.
	Callbacks *callback.Guard
	// Ready reports why the process cannot serve yet, or nil.
	Ready func(ctx context.Context) error
	Log   *slog.Logger
	// TestData writes large questions' hidden test data, apart from their
	// records; nil refuses questions with more than
	// codementor.InlineTestDataBytes of test data.
	TestData TestDataWriter
}

// Server serves the API.
type Server struct {
	Deps
	cfg      Config
	echo     *echo.Echo
	shutdown chan struct{}
	once     sync.Once
	pending  pending
	// userLocks serializes a learner's submissions on this instance.
	userLocks userLocks
	now       func() time.Time
	// questionLocks serializes the writes of a question on this instance:
	// each writes its test data, its record, then deletes the test data it
	// replaced.
	questionLocks userLocks
}

// New builds the server and its routes.
func New(cfg Config, deps Deps) (*Server, error) { return newServer(cfg, deps, ui.Files) }

// newServer is New with the learner's page taken from page (tests pass a
// page of their own).
func newServer(cfg Config, deps Deps, page func() (fs.FS, error)) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{Deps: deps, cfg: cfg, shutdown: make(chan struct{}), now: time.Now}
	if s.Callbacks == nil {
		s.Callbacks, _ = callback.NewGuard(nil)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.Server.RegisterOnShutdown(func() { s.once.Do(func() { close(s.shutdown) }) })
	e.Use(middleware.Recover())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true, LogError: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelDebug
			if v.Status >= 500 && v.Status != http.StatusServiceUnavailable {
				level = slog.LevelError
			}
			s.Log.Log(c.Request().Context(), level, "http", "method", v.Method, "uri", v.URI, "status", v.Status, "latency", v.Latency, "err", v.Error)
			return nil
		},
	}))

	checks := echo.WrapHandler(health.Handler(deps.Ready))
	e.GET("/healthz", checks)
	e.GET("/readyz", checks)
	e.GET("/metrics", echo.WrapHandler(metrics.Handler()))
	s.routePage(e, page)

	// Unsafe cross-origin requests are refused, so that a session cookie
	// cannot be used by another site (Sec-Fetch-Site / Origin checks).
	api := e.Group("/api", echo.WrapMiddleware(crossOriginProtection().Handler))
	api.GET("/openapi.json", s.openAPI)
	api.GET("/config", s.siteConfig)
	api.POST("/session", s.createSession, middleware.BodyLimit("16K"))
	api.DELETE("/session", s.deleteSession)
	if cfg.DevAuth {
		api.POST("/dev/login", s.devLogin, middleware.BodyLimit("4K"))
	}
	authed := api.Group("", s.authenticate)
	authed.GET("/session", s.getSession)
	authed.GET("/languages", s.languages)
	authed.GET("/questions", s.listQuestions)
	authed.GET("/questions/:id", s.getQuestion)
	authed.GET("/questions/:id/stats", s.getQuestionStats)
	authed.GET("/me/progress", s.myProgress)
	authed.PUT("/questions/:id", s.putQuestion, limitBody(MaxQuestionBodyBytes, questionBodyLimit))
	authed.POST("/questions/:id/rejudge", s.rejudgeQuestion, middleware.BodyLimit("16K"))
	authed.POST("/submissions", s.createSubmission, middleware.BodyLimit("1M"))
	authed.GET("/submissions", s.listSubmissions)
	authed.GET("/submissions/:id", s.getSubmission)
	authed.GET("/submissions/:id/events", s.submissionEvents)
	authed.GET("/events", s.userEvents)
	authed.POST("/runs", s.createRun, middleware.BodyLimit("4M"))
	authed.GET("/runs/:id", s.getRun)
	authed.GET("/runs/:id/events", s.runEvents)
	// Contests and their leaderboards. A contest's participant list may be
	// long: 100,000 names of up to 64 bytes.
	authed.GET("/contests", s.listContests)
	authed.GET("/contests/:id", s.getContest)
	authed.PUT("/contests/:id", s.putContest, middleware.BodyLimit("16M"))
	authed.POST("/contests/:id/rejudge", s.rejudgeContest, middleware.BodyLimit("16K"))
	authed.GET("/contests/:id/leaderboard", s.getLeaderboard)
	authed.GET("/contests/:id/leaderboard/events", s.leaderboardEvents)
	s.judge0Routes(e)
	s.echo = e
	return s, nil
}

// MaxQuestionBodyBytes caps the body of PUT /api/questions/{id}: a
// question's 64 MiB of test data (codementor.MaxQuestionTestDataBytes) in
// JSON, whose escapes (a newline is two bytes) make it larger.
const MaxQuestionBodyBytes = 128 << 20

// questionBodyLimit is what a question body over MaxQuestionBodyBytes is
// told.
var questionBodyLimit = fmt.Sprintf("the most a question's body may have (%d MiB); its tests may hold %d MiB of data in all, %d MiB per input or output",
	MaxQuestionBodyBytes>>20, codementor.MaxQuestionTestDataBytes>>20, codementor.MaxTestDataBytes>>20)

// limitBody refuses a request body over n bytes with 413, saying that it is
// over limit, what limit says: at once when the Content-Length says so,
// otherwise when the handler reads past n (see bind).
func limitBody(n int64, limit string) echo.MiddlewareFunc {
	tooLarge := func() *Error {
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("the request body is over %d bytes, %s", n, limit)}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if req.ContentLength > n {
				return tooLarge()
			}
			req.Body = &limitedBody{ReadCloser: http.MaxBytesReader(c.Response(), req.Body, n), tooLarge: tooLarge}
			return next(c)
		}
	}
}

// limitedBody turns the error of a read past the limit into the 413 that
// says which limit.
type limitedBody struct {
	io.ReadCloser
	tooLarge func() *Error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return n, b.tooLarge()
	}
	return n, err
}

// Run serves on cfg.Addr until ctx ends, then shuts down, ending open SSE
// streams, within 10 seconds.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.echo.Start(s.cfg.Addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.once.Do(func() { close(s.shutdown) })
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.echo.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// language is a language a learner may submit in.
type language struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"version"`
}

// languages lists the languages whose toolchain the judges have, with the
// versions they reported.
func (s *Server) languages(c echo.Context) error {
	out := []language{}
	for _, l := range codementor.Languages {
		if rt, err := s.Runtimes.Get(l.ID); err == nil {
			out = append(out, language{ID: l.ID, Name: l.Name, Version: rt.Version})
		}
	}
	return c.JSON(http.StatusOK, out)
}

type loginRequest struct {
	User  string `json:"user"`
	Admin bool   `json:"admin"`
}

func (s *Server) devLogin(c echo.Context) error {
	var req loginRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if !auth.ValidUser(req.User) {
		return invalid("user must be 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit")
	}
	tok, err := s.Auth.Issue(auth.Identity{User: req.User, Admin: req.Admin})
	if err != nil {
		return err
	}
	s.setSessionCookie(c, tok)
	return c.JSON(http.StatusOK, map[string]string{"token": tok})
}
