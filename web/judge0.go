package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/callback"
	"github.com/codementor/codementor/judge0"
)

// The Judge0 CE 1.13.1 compatible API, under /judge0: a Judge0 submission
// is a run of one case (package judge0 translates both ways), queued by
// submitRun and judged like any run. Its answers are Judge0's, errors
// included: {"field": ["message"]} for a 422, {"error": "message"} for the
// rest, an empty 401; never the {"error": {"code", "message"}} of /api.
//
// Differences from Judge0: a token (X-Auth-Token, or Authorization:
// Bearer) is a user's, and a submission is its owner's alone (anyone
// else's is 404); GET /submissions lists the caller's; deletion is off.

const judge0Prefix = "/judge0"

// judge0Routes mounts the Judge0 API on e: its routes, CORS for any origin
// (Judge0 allows any; the token travels in a header, never a cookie), and
// Judge0's error bodies for every answer under /judge0.
func (s *Server) judge0Routes(e *echo.Echo) {
	e.Pre(middleware.CORSWithConfig(middleware.CORSConfig{
		Skipper:      func(c echo.Context) bool { return !isJudge0(c.Request()) },
		AllowOrigins: []string{"*"},
		AllowMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowHeaders: []string{echo.HeaderContentType, echo.HeaderAuthorization, "X-Auth-Token", "X-Auth-User",
			"X-Judge0-App", "X-Judge0-App-Version", "Tokens"},
		// Browsers cache a preflight this long (seconds).
		MaxAge: 3600,
	}))
	apiErrors := e.HTTPErrorHandler
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if isJudge0(c.Request()) {
			s.judge0Error(err, c)
			return
		}
		apiErrors(err, c)
	}
	g := e.Group(judge0Prefix, s.judge0Authenticate)
	g.GET("/about", s.judge0About)
	g.GET("/config_info", s.judge0ConfigInfo)
	g.GET("/workers", s.judge0Workers)
	g.GET("/statuses", s.judge0Statuses)
	g.GET("/languages", s.judge0Languages)
	g.GET("/languages/all", s.judge0AllLanguages)
	g.GET("/languages/:id", s.judge0Language)
	// A submission's texts: code (64 KiB), stdin and expected output (1 MiB
	// each), additional files (2 MiB), base64 encoded (4/3 larger).
	g.POST("/submissions", s.judge0Create, middleware.BodyLimit("8M"))
	g.GET("/submissions", s.judge0List)
	g.POST("/submissions/batch", s.judge0CreateBatch, middleware.BodyLimit("64M"))
	g.GET("/submissions/batch", s.judge0GetBatch)
	g.GET("/submissions/:token", s.judge0Get)
	g.DELETE("/submissions/:token", s.judge0Delete)
}

// isJudge0 reports whether r is for the Judge0 API.
func isJudge0(r *http.Request) bool {
	p := r.URL.Path
	return p == judge0Prefix || strings.HasPrefix(p, judge0Prefix+"/")
}

// judge0Failure is an answer of the Judge0 API that is not a success:
// its status and Judge0's body (nil: none).
type judge0Failure struct {
	status int
	body   any
	// retryAfter, when set, is sent as Retry-After.
	retryAfter time.Duration
}

func (f *judge0Failure) Error() string { return fmt.Sprintf("judge0 %d: %v", f.status, f.body) }

// judge0Message is Judge0's {"error": message} answer.
func judge0Message(status int, format string, args ...any) *judge0Failure {
	return &judge0Failure{status: status, body: judge0.Object{{Key: "error", Value: fmt.Sprintf(format, args...)}}}
}

// judge0NotFound is Rails' answer to a record or route it does not have.
var judge0NotFound = &judge0Failure{status: http.StatusNotFound,
	body: judge0.Object{{Key: "status", Value: http.StatusNotFound}, {Key: "error", Value: "Not Found"}}}

// judge0Error writes err as the Judge0 API answers it.
func (s *Server) judge0Error(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	f := judge0FailureOf(err)
	if f.status >= 500 && f.status != http.StatusServiceUnavailable {
		s.Log.Error("request failed", "method", c.Request().Method, "uri", c.Request().RequestURI, "err", err)
	}
	if f.retryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(max(f.retryAfter.Round(time.Second), time.Second)/time.Second)))
	}
	if f.body == nil || c.Request().Method == http.MethodHead {
		err = c.NoContent(f.status)
	} else {
		err = c.JSON(f.status, f.body)
	}
	if err != nil {
		s.Log.Debug("write error response", "err", err)
	}
}

// judge0FailureOf maps an error to Judge0's answer: its own failures as
// they are; submitRun's refusals to the field they concern, where one
// does, else {"error": message} with their status; a missing route or
// record as Rails answers it.
func judge0FailureOf(err error) *judge0Failure {
	var f *judge0Failure
	if errors.As(err, &f) {
		return f
	}
	e := classify(err)
	field := map[string]string{"invalid_callback": "callback_url", "unsupported_language": "language_id"}[e.Code]
	switch {
	case e.Status == http.StatusUnauthorized:
		return &judge0Failure{status: http.StatusUnauthorized}
	case e.Status == http.StatusNotFound:
		return judge0NotFound
	case e.Status == http.StatusMethodNotAllowed:
		return &judge0Failure{status: e.Status, body: judge0.Object{{Key: "status", Value: e.Status}, {Key: "error", Value: "Method Not Allowed"}}}
	case e.Status == http.StatusUnprocessableEntity && field != "":
		return &judge0Failure{status: e.Status, body: judge0.Errors{field: {e.Message}}}
	}
	f = judge0Message(e.Status, "%s", e.Message)
	f.retryAfter = e.RetryAfter
	return f
}

// judge0Authenticate requires a token in X-Auth-Token, Judge0's header, or
// as Authorization: Bearer; never the session cookie, since any origin may
// call the API. Judge0 answers 401 without a body.
func (s *Server) judge0Authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		tok := c.Request().Header.Get("X-Auth-Token")
		if h := c.Request().Header.Get(echo.HeaderAuthorization); tok == "" && strings.HasPrefix(h, "Bearer ") {
			tok = strings.TrimPrefix(h, "Bearer ")
		}
		id, err := s.Auth.Verify(tok)
		if tok == "" || err != nil {
			return &judge0Failure{status: http.StatusUnauthorized}
		}
		c.Set(identityKey, id)
		return next(c)
	}
}

func (s *Server) judge0About(c echo.Context) error { return c.JSON(http.StatusOK, judge0.About()) }

func (s *Server) judge0Statuses(c echo.Context) error {
	return c.JSON(http.StatusOK, judge0.Statuses)
}

// judge0ConfigInfo: max_queue_size is the runs a user may have waiting or
// running; the callbacks' tries and timeout are the notifier's.
func (s *Server) judge0ConfigInfo(c echo.Context) error {
	sender := callback.DefaultSenderConfig()
	queue := s.cfg.MaxRunsInFlight
	if queue <= 0 {
		queue = math.MaxInt32
	}
	return c.JSON(http.StatusOK, judge0.ConfigInfo(judge0.Deployment{MaxQueueSize: queue,
		CallbacksMaxTries: sender.Attempts, CallbacksTimeoutSeconds: sender.Timeout.Seconds()}))
}

// judge0Workers: one queue, the submissions and runs waiting and being
// judged, and the judges that announced languages.
func (s *Server) judge0Workers(c echo.Context) error {
	rts, err := s.Runtimes.List()
	if err != nil {
		return err
	}
	var judges []string
	for _, rt := range rts {
		if !slices.Contains(judges, rt.Judge) {
			judges = append(judges, rt.Judge)
		}
	}
	queued, running := s.Submissions.Counts()
	return c.JSON(http.StatusOK, judge0.Workers(queued, running, len(judges)))
}

// judge0Versions returns the languages the judges run, with their versions.
func (s *Server) judge0Versions() (judge0.Versions, error) {
	rts, err := s.Runtimes.List()
	if err != nil {
		return nil, err
	}
	vs := judge0.Versions{}
	for _, rt := range rts {
		vs[rt.ID] = rt.Version
	}
	return vs, nil
}

// judge0LanguagesByName returns the languages offered, by name as Judge0
// sorts them.
func (s *Server) judge0LanguagesByName() ([]*judge0.Language, judge0.Versions, error) {
	vs, err := s.judge0Versions()
	if err != nil {
		return nil, nil, err
	}
	langs := vs.Offered()
	slices.SortFunc(langs, func(a, b *judge0.Language) int { return strings.Compare(a.Name(vs[a.Lang]), b.Name(vs[b.Lang])) })
	return langs, vs, nil
}

func (s *Server) judge0Languages(c echo.Context) error { return s.judge0LanguageList(c, false) }

// judge0AllLanguages: Judge0 lists its archived languages too; none is here.
func (s *Server) judge0AllLanguages(c echo.Context) error { return s.judge0LanguageList(c, true) }

// judge0LanguageList lists the languages offered, by name; withArchived
// adds each one's is_archived, as /languages/all does.
func (s *Server) judge0LanguageList(c echo.Context, withArchived bool) error {
	langs, vs, err := s.judge0LanguagesByName()
	if err != nil {
		return err
	}
	out := make([]judge0.Object, 0, len(langs))
	for _, l := range langs {
		o := judge0.Object{{Key: "id", Value: l.ID}, {Key: "name", Value: l.Name(vs[l.Lang])}}
		if withArchived {
			o = append(o, judge0.Member{Key: "is_archived", Value: false})
		}
		out = append(out, o)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) judge0Language(c echo.Context) error {
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		return judge0NotFound
	}
	l, ok := judge0.ByID(id)
	if !ok {
		return judge0NotFound
	}
	version, offered := vs[l.Lang]
	if !offered {
		return judge0NotFound
	}
	var compile any
	if l.CompileCmd != "" {
		compile = l.CompileCmd
	}
	return c.JSON(http.StatusOK, judge0.Object{{Key: "id", Value: l.ID}, {Key: "name", Value: l.Name(version)},
		{Key: "is_archived", Value: false}, {Key: "source_file", Value: l.SourceFile},
		{Key: "compile_cmd", Value: compile}, {Key: "run_cmd", Value: l.RunCmd}})
}

// judge0Query is what every submission route reads from the query, as
// Judge0 does: base64_encoded and wait are on only as "true"; fields
// naming attributes that do not exist is a 400.
type judge0Query struct {
	base64 bool
	wait   bool
	fields []string
}

func judge0QueryOf(c echo.Context) (judge0Query, error) {
	q := judge0Query{base64: c.QueryParam("base64_encoded") == "true", wait: c.QueryParam("wait") == "true"}
	fields, err := judge0.ParseFields(c.QueryParam("fields"))
	if err != nil {
		return q, judge0Message(http.StatusBadRequest, "%s", err.Error())
	}
	q.fields = fields
	return q, nil
}

// judge0Parse turns one submission into a run request, or Judge0's answer
// to it.
func (s *Server) judge0Parse(obj map[string]any, b64 bool, vs judge0.Versions) (*codementor.SubmissionRequest, error) {
	r, err := judge0.ParseObject(obj, judge0.ParseOptions{Base64: b64, Offered: func(lang string) bool { _, ok := vs[lang]; return ok }})
	var errs judge0.Errors
	if errors.As(err, &errs) {
		return nil, &judge0Failure{status: http.StatusUnprocessableEntity, body: errs}
	}
	return r, err
}

// judge0Body reads a request's JSON body: an object (an empty body is an
// empty one, as Rails takes it), numbers kept as written.
func judge0Body(c echo.Context) (map[string]any, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, judge0Message(http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes", mbe.Limit)
		}
		return nil, err // the body limit's own 413, or the client went away
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	obj, err := judge0.DecodeObject(body)
	if err != nil {
		return nil, judge0Message(http.StatusBadRequest, "%s", strings.TrimPrefix(err.Error(), judge0.ErrMalformed.Error()+": "))
	}
	return obj, nil
}

// judge0Create queues a submission. Without wait=true the answer is its
// token alone; with it, the run once final (or, if it is not within
// runWait, as it is then), with the fields asked for.
func (s *Server) judge0Create(c echo.Context) error {
	q, err := judge0QueryOf(c)
	if err != nil {
		return err
	}
	obj, err := judge0Body(c)
	if err != nil {
		return err
	}
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	r, err := s.judge0Parse(obj, q.base64, vs)
	if err != nil {
		return err
	}
	sub, err := s.submitRun(c.Request().Context(), identity(c), r)
	if err != nil {
		return err
	}
	token := judge0.Token(sub.ID)
	if !q.wait {
		return c.JSON(http.StatusCreated, judge0.Object{{Key: "token", Value: token}})
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), runWait)
	defer cancel()
	ctx, cancelShutdown := s.untilShutdown(ctx)
	defer cancelShutdown()
	if final, err := s.awaitFinal(ctx, sub.ID); err == nil {
		sub = final
	} else if c.Request().Context().Err() != nil {
		return err
	}
	out, err := judge0.Render(sub, judge0.RenderOptions{Fields: q.fields, Base64: q.base64, Versions: vs})
	if errors.Is(err, judge0.ErrNotUTF8) {
		return c.JSON(http.StatusCreated, judge0.Object{{Key: "token", Value: token}, {Key: "error", Value: err.Error()}})
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, out)
}

// untilShutdown returns a context that ends with ctx or when the server
// shuts down.
func (s *Server) untilShutdown(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-s.shutdown:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// judge0Visible returns the caller's Judge0 run id (any other submission
// or run is not found, as in Judge0).
func (s *Server) judge0Visible(c echo.Context, token string) (*codementor.Submission, error) {
	id, ok := judge0.ParseToken(token)
	if !ok {
		return nil, judge0NotFound
	}
	sub, err := s.lookupRun(c, id)
	if err != nil {
		return nil, err
	}
	if sub.Run == nil || sub.Run.From != codementor.RunFromJudge0 {
		return nil, judge0NotFound
	}
	return sub, nil
}

func (s *Server) judge0Get(c echo.Context) error {
	q, err := judge0QueryOf(c)
	if err != nil {
		return err
	}
	sub, err := s.judge0Visible(c, c.Param("token"))
	if err != nil {
		return err
	}
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	out, err := judge0.Render(sub, judge0.RenderOptions{Fields: q.fields, Base64: q.base64, Versions: vs})
	if errors.Is(err, judge0.ErrNotUTF8) {
		return judge0Message(http.StatusBadRequest, "%s", err.Error())
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// judge0Delete: deletion is off here (config_info's
// enable_submission_delete), as in a default Judge0; runs are deleted
// after the run retention.
func (s *Server) judge0Delete(c echo.Context) error {
	if _, err := judge0QueryOf(c); err != nil {
		return err
	}
	return judge0Message(http.StatusBadRequest, "delete not allowed")
}

// judge0BatchSize checks the size of a batch as Judge0 does.
func judge0BatchSize(n int) error {
	switch {
	case n > judge0.MaxBatchSize:
		return judge0Message(http.StatusBadRequest, "number of submissions in a batch should be less than or equal to %d", judge0.MaxBatchSize)
	case n == 0:
		return judge0Message(http.StatusBadRequest, "there should be at least one submission in a batch")
	}
	return nil
}

// judge0CreateBatch queues up to MaxBatchSize submissions: the answer has,
// for each in order, its token or what was wrong with it; 201 if any was
// queued. A submission refused for want of room (the runs-in-flight limit,
// the queue) is {"error": message}; when none was queued for that reason,
// the whole answer is that refusal, so that a client retries.
func (s *Server) judge0CreateBatch(c echo.Context) error {
	b64 := c.QueryParam("base64_encoded") == "true"
	obj, err := judge0Body(c)
	if err != nil {
		return err
	}
	items, _ := obj["submissions"].([]any)
	if err := judge0BatchSize(len(items)); err != nil {
		return err
	}
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	out := make([]any, 0, len(items))
	created := false
	var busy *judge0Failure
	for i, item := range items {
		sobj, ok := item.(map[string]any)
		if !ok {
			out = append(out, judge0.Errors{"submission": {fmt.Sprintf("%d must be a JSON object", i+1)}})
			continue
		}
		r, err := s.judge0Parse(sobj, b64, vs)
		if err == nil {
			var sub *codementor.Submission
			if sub, err = s.submitRun(c.Request().Context(), identity(c), r); err == nil {
				out = append(out, judge0.Object{{Key: "token", Value: judge0.Token(sub.ID)}})
				created = true
				continue
			}
		}
		if c.Request().Context().Err() != nil {
			return err
		}
		f := judge0FailureOf(err)
		if f.status == http.StatusTooManyRequests || f.status == http.StatusServiceUnavailable {
			busy = cmp.Or(busy, f)
		}
		out = append(out, f.body)
	}
	switch {
	case created:
		return c.JSON(http.StatusCreated, out)
	case busy != nil:
		return busy
	}
	return c.JSON(http.StatusUnprocessableEntity, out)
}

// judge0GetBatch returns the submissions of tokens= (or a Tokens header),
// in order: null for one the caller does not have.
func (s *Server) judge0GetBatch(c echo.Context) error {
	q, err := judge0QueryOf(c)
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(cmp.Or(c.Request().Header.Get("Tokens"), c.QueryParam("tokens")))
	tokens := strings.Split(raw, ",")
	for len(tokens) > 0 && tokens[len(tokens)-1] == "" { // Ruby's split drops trailing empty parts
		tokens = tokens[:len(tokens)-1]
	}
	if err := judge0BatchSize(len(tokens)); err != nil {
		return err
	}
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	out := make([]any, 0, len(tokens))
	for _, tok := range tokens {
		sub, err := s.judge0Visible(c, tok)
		if judge0FailureOf(err).status == http.StatusNotFound {
			out = append(out, nil)
			continue
		}
		if err != nil {
			return err
		}
		r, err := judge0RenderOneOfMany(sub, q, vs)
		if err != nil {
			return err
		}
		out = append(out, r)
	}
	return c.JSON(http.StatusOK, judge0.Object{{Key: "submissions", Value: out}})
}

// judge0RenderOneOfMany renders one submission of a list as q asks: output
// that is not UTF-8 without base64_encoded=true fails the whole list, as
// in Judge0.
func judge0RenderOneOfMany(sub *codementor.Submission, q judge0Query, vs judge0.Versions) (judge0.Object, error) {
	o, err := judge0.Render(sub, judge0.RenderOptions{Fields: q.fields, Base64: q.base64, Versions: vs})
	if errors.Is(err, judge0.ErrNotUTF8) {
		return nil, judge0Message(http.StatusBadRequest, "%s", judge0.ErrManyNotUTF8.Error())
	}
	return o, err
}

// judge0List returns the caller's Judge0 submissions, newest first, a page
// at a time (page from 1, per_page default 20), with Judge0's meta.
func (s *Server) judge0List(c echo.Context) error {
	q, err := judge0QueryOf(c)
	if err != nil {
		return err
	}
	page, perPage := 1, 20
	if v := c.QueryParam("page"); v != "" {
		page = judge0.RubyToI(v)
	}
	if v := c.QueryParam("per_page"); v != "" {
		perPage = judge0.RubyToI(v)
	}
	switch {
	case page <= 0:
		return judge0Message(http.StatusBadRequest, "invalid page: %d", page)
	case perPage <= 0:
		return judge0Message(http.StatusBadRequest, "invalid per_page: %d", perPage)
	}
	vs, err := s.judge0Versions()
	if err != nil {
		return err
	}
	runs, err := s.userItems(identity(c).User, true, func(r *codementor.Submission) bool {
		return r.Run != nil && r.Run.From == codementor.RunFromJudge0
	}, 0)
	if err != nil {
		return err
	}
	total := len(runs)
	pages := max((total+perPage-1)/perPage, 1)
	from := min((page-1)*perPage, total) // at most 2^31 each: no overflow
	to := min(from+perPage, total)
	out := make([]judge0.Object, 0, to-from)
	for _, r := range runs[from:to] {
		o, err := judge0RenderOneOfMany(r, q, vs)
		if err != nil {
			return err
		}
		out = append(out, o)
	}
	var next, prev any
	if page < pages {
		next = page + 1
	}
	if page > 1 {
		prev = page - 1
	}
	return c.JSON(http.StatusOK, judge0.Object{{Key: "submissions", Value: out}, {Key: "meta", Value: judge0.Object{
		{Key: "current_page", Value: page}, {Key: "next_page", Value: next}, {Key: "prev_page", Value: prev},
		{Key: "total_pages", Value: pages}, {Key: "total_count", Value: total}}}})
}
