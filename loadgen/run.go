package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	codementor "github.com/codementor/codementor"
)

const (
	// submitTimeout bounds one POST /api/submissions (the service itself
	// gives up on the brokers after 10 s).
	submitTimeout = 30 * time.Second
	// connectTimeout bounds the opening of every learner's stream.
	connectTimeout = 30 * time.Second
	// loginParallelism is how many learners sign in at once.
	loginParallelism = 16
)

// learner is one simulated learner: a user, its token and its stream.
type learner struct {
	index int
	user  string
	token string
	// lastID is the last event id of the stream, for Last-Event-ID on a
	// reconnect; only the stream's goroutine uses it.
	lastID string

	mu sync.Mutex
	// subs are the learner's submissions the API accepted, by ID.
	subs map[string]*record
	// early holds what the stream showed of submissions whose POST has not
	// returned yet: the first event may beat the 202.
	early map[string]*observation
}

// observation is what a learner's stream showed of one submission.
type observation struct {
	first     time.Time // the first event
	verdictAt time.Time // the first state with a verdict
	finalAt   time.Time // the first final state
	verdict   codementor.Verdict
	score     int
	status    codementor.Status // the latest status
}

// submissionState is the part of an event's submission the generator reads.
type submissionState struct {
	ID      string             `json:"id"`
	Status  codementor.Status  `json:"status"`
	Verdict codementor.Verdict `json:"verdict"`
	Score   int                `json:"score"`
	// Round counts the judgements (0 the first; a rejudge starts the
	// next) and RejudgeID names the rejudge that started it.
	Round     int    `json:"round"`
	RejudgeID string `json:"rejudge_id"`
}

// apply records a state seen at now and reports whether it is the first
// final one.
func (o *observation) apply(s *submissionState, now time.Time) bool {
	if o.first.IsZero() {
		o.first = now
	}
	if !o.finalAt.IsZero() {
		return false
	}
	o.status = s.Status
	if s.Verdict != "" {
		if o.verdictAt.IsZero() {
			o.verdictAt = now
		}
		o.verdict, o.score = s.Verdict, s.Score
	}
	if (&codementor.Submission{Status: s.Status}).Final() {
		o.finalAt = now
		return true
	}
	return false
}

// merge adds what was observed before the submission was known.
func (o *observation) merge(e *observation) {
	*o = *e
}

// record is one submission of the run.
type record struct {
	planned
	learner *learner
	sent    time.Time // the POST left; zero if it never did
	// Set under learner.mu.
	answered time.Time // the POST's answer, or its failure
	status   int       // HTTP status; 0 without an answer
	err      string    // why it was not accepted
	cut      bool      // the run ended before the POST was answered
	id       string
	obs      observation
	resolved bool // rejected or final: nothing more to wait for
	// again is what the stream showed of the latest later round (a
	// rejudge's), againRound that round and againID its rejudge.
	again      observation
	againRound int
	againID    string
}

// runner is one run in progress.
type runner struct {
	cfg      Config
	api      *api
	runID    string
	learners []*learner
	records  []*record
	start    time.Time

	// contest is the contest of a --contest run, nil otherwise.
	contest *contestRun

	submitted, accepted, rejected, finished, resolvedN atomic.Int64
	// judged counts the submissions whose verdict their stream showed.
	judged                atomic.Int64
	reconnects, badEvents atomic.Int64
	wake                  chan struct{}
	// rejudged is signalled (without blocking) when a submission's later
	// round becomes final on its learner's stream.
	rejudged chan struct{}
	posts    sync.WaitGroup
}

// Run signs the learners in, opens their streams, issues the submissions on
// schedule, waits up to cfg.Timeout for the outstanding ones, and reports.
// Progress lines go to progress (nil: none), rewritten in place when it is a
// terminal. An error means the run could not start (the service unreachable,
// dev sign-in off, a question or language it does not have); a run that
// started returns its report, also when ctx ends early (Interrupted).
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = io.Discard
	}
	hc := newHTTPClient(cfg.Learners)
	defer hc.CloseIdleConnections()
	r := &runner{
		cfg:      cfg,
		api:      &api{base: strings.TrimRight(cfg.URL, "/"), hc: hc},
		runID:    newRunID(),
		wake:     make(chan struct{}, 1),
		rejudged: make(chan struct{}, 1),
	}
	for i := range cfg.Learners {
		r.learners = append(r.learners, &learner{
			index: i, user: fmt.Sprintf("loadgen-%s-%d", r.runID, i),
			subs: map[string]*record{}, early: map[string]*observation{},
		})
	}
	if cfg.Contest {
		r.contest = newContestRun(r)
		if err := r.contest.prepare(ctx, progress); err != nil {
			return nil, err
		}
	}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}

	streamCtx, stopStreams := context.WithCancel(ctx)
	var streams sync.WaitGroup
	defer func() { stopStreams(); streams.Wait() }()
	// The leaderboard's streams outlive the learners': they show the last
	// judgements while the run settles.
	boardCtx, stopBoard := context.WithCancel(ctx)
	var boardStreams sync.WaitGroup
	defer func() { stopBoard(); boardStreams.Wait() }()
	if r.contest != nil {
		if err := r.contest.read(ctx); err != nil {
			return nil, err
		}
		if err := r.contest.board.open(boardCtx, r.contest.adminToken, &boardStreams); err != nil {
			return nil, err
		}
	}
	if err := r.openStreams(streamCtx, &streams); err != nil {
		return nil, err
	}

	var sched []planned
	if cfg.Contest {
		sched = contestPlan(&cfg)
	} else {
		sched = plan(&cfg)
	}
	for _, p := range sched {
		r.records = append(r.records, &record{planned: p, learner: r.learners[p.Learner]})
	}
	if cfg.Contest {
		fmt.Fprintf(progress, "loadgen: run %s: %d learners signed in and read contest %s, streams open; submitting %d programs over %s to %s\n",
			r.runID, cfg.Learners, r.contest.id, len(sched), cfg.Duration, r.api.base)
	} else {
		fmt.Fprintf(progress, "loadgen: run %s: %d learners signed in, streams open; submitting %s/s for %s (%d submissions) to %s\n",
			r.runID, cfg.Learners, fmtFloat(cfg.Rate), cfg.Duration, len(sched), r.api.base)
	}

	var queue *queueRecorder
	if cfg.QueuePath != "" {
		queue = newQueueRecorder(cfg.metricsURL())
		if err := queue.check(ctx); err != nil {
			return nil, err
		}
	}

	// The POSTs run on their own context: the end of the wait cuts them,
	// like the streams.
	postCtx, stopPosts := context.WithCancel(ctx)
	defer stopPosts()
	r.start = time.Now()
	if queue != nil {
		queue.begin(ctx, r.start, func() (int64, int64) { return r.accepted.Load(), r.judged.Load() })
	}
	prog := startProgress(progress, isTerminal(progress), r, len(sched))
	issued, maxLag := r.dispatch(ctx, postCtx)
	dispatched := time.Since(r.start)

	outstanding := int64(issued) - r.resolvedN.Load()
	if ctx.Err() == nil && outstanding > 0 {
		prog.note(fmt.Sprintf("all %d submitted in %.1fs; waiting up to %s for the %d outstanding", issued, dispatched.Seconds(), cfg.Timeout, outstanding))
	}
	timedOut := r.wait(ctx, issued)
	end := time.Now()
	var depths []QueueSample
	var scrapeFailures int
	if queue != nil {
		depths, scrapeFailures = queue.finish()
	}
	prog.stop()

	stopPosts()
	r.posts.Wait()
	if !cfg.Rejudge {
		stopStreams()
		streams.Wait()
	}

	var contest *ContestReport
	if r.contest != nil {
		contest = r.contest.finish(ctx, progress)
		if cfg.Rejudge && ctx.Err() == nil {
			// The learners' streams stayed open: they show the new rounds.
			contest.Rejudge = r.contest.rejudge(ctx, progress)
		}
		stopStreams()
		streams.Wait()
		stopBoard()
		boardStreams.Wait()
		contest.Board.StreamReconnects = int(r.contest.board.reconnects.Load())
	}
	rep := r.report(end, dispatched, maxLag)
	rep.Contest = contest
	rep.QueueDepth, rep.QueueScrapeFailures = depths, scrapeFailures
	if queue != nil && rep.QueueDepth == nil {
		rep.QueueDepth = []QueueSample{} // recorded, if nothing
	}
	rep.Interrupted = ctx.Err() != nil
	rep.TimedOut = timedOut
	rep.evaluate()
	return rep, nil
}

// setup checks the service, signs every learner in and checks the run's
// questions and languages.
func (r *runner) setup(ctx context.Context) error {
	if err := r.api.checkReady(ctx); err != nil {
		return err
	}
	first := r.learners[0]
	tok, err := r.api.login(ctx, first.user)
	if err != nil {
		return err
	}
	first.token = tok
	if err := r.api.checkLanguages(ctx, tok, r.cfg.Languages); err != nil {
		return err
	}
	if err := r.api.checkQuestions(ctx, tok, r.cfg.Questions); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(loginParallelism)
	for _, l := range r.learners[1:] {
		g.Go(func() error {
			tok, err := r.api.login(gctx, l.user)
			l.token = tok
			return err
		})
	}
	return g.Wait()
}

// openStreams starts every learner's stream and returns once all are open
// (the service then sends every change of the learner's submissions).
func (r *runner) openStreams(ctx context.Context, wg *sync.WaitGroup) error {
	connected := make(chan error, len(r.learners))
	for _, l := range r.learners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.stream(ctx, l, connected)
		}()
	}
	timer := time.NewTimer(connectTimeout)
	defer timer.Stop()
	for range r.learners {
		select {
		case err := <-connected:
			if err != nil {
				return err
			}
		case <-timer.C:
			return fmt.Errorf("the learners' event streams (GET %s/api/events) did not all open within %s", r.api.base, connectTimeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// stream keeps l's /api/events open until ctx ends, reconnecting with
// Last-Event-ID (the service then resends what changed meanwhile). The
// result of the first connection goes to connected.
func (r *runner) stream(ctx context.Context, l *learner, connected chan<- error) {
	first := true
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		if !first {
			r.reconnects.Add(1)
		}
		resp, err := r.openStream(ctx, l)
		if first {
			first = false
			connected <- err
			if err != nil {
				return
			}
		}
		if err == nil {
			backoff = 100 * time.Millisecond
			_ = readEvents(resp.Body, func(id, name string, data []byte) {
				if id != "" {
					l.lastID = id
				}
				if name == "submission" {
					r.observe(l, data, time.Now())
				}
			})
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (r *runner) openStream(ctx context.Context, l *learner) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.api.base+"/api/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Accept", "text/event-stream")
	if l.lastID != "" {
		req.Header.Set("Last-Event-ID", l.lastID)
	}
	resp, err := r.api.hc.Do(req)
	if err != nil {
		return nil, r.api.unreachable("GET /api/events", err)
	}
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		msg := (&response{status: resp.StatusCode, body: data}).message()
		return nil, fmt.Errorf("the event stream of %s (GET /api/events) answered %d: %s", l.user, resp.StatusCode, msg)
	}
	return resp, nil
}

// observe records one event of l's stream.
func (r *runner) observe(l *learner, data []byte, now time.Time) {
	var s submissionState
	if err := json.Unmarshal(data, &s); err != nil || s.ID == "" {
		r.badEvents.Add(1)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec := l.subs[s.ID]; rec != nil {
		if s.Round > 0 {
			r.observeAgain(rec, &s, now)
			return
		}
		if rec.resolved {
			return
		}
		had := !rec.obs.verdictAt.IsZero()
		if rec.obs.apply(&s, now) {
			r.finish(rec)
		}
		r.countVerdict(had, &rec.obs)
		return
	}
	if s.Round > 0 {
		return // a later round of a submission not ours
	}
	o := l.early[s.ID]
	if o == nil {
		o = &observation{}
		l.early[s.ID] = o
	}
	had := !o.verdictAt.IsZero()
	o.apply(&s, now)
	r.countVerdict(had, o)
}

// countVerdict counts a submission as judged when o got its verdict now.
func (r *runner) countVerdict(had bool, o *observation) {
	if !had && !o.verdictAt.IsZero() {
		r.judged.Add(1)
	}
}

// observeAgain records a state of a later round of rec (a rejudge's): a
// newer round than the one followed starts afresh. The caller holds the
// learner's lock.
func (r *runner) observeAgain(rec *record, s *submissionState, now time.Time) {
	switch {
	case s.Round < rec.againRound:
		return
	case s.Round > rec.againRound:
		rec.again, rec.againRound, rec.againID = observation{}, s.Round, s.RejudgeID
	}
	if rec.again.apply(s, now) {
		select {
		case r.rejudged <- struct{}{}:
		default:
		}
	}
}

// dispatch issues every submission at its time, each on its own goroutine
// (open loop), until the plan is done or ctx ends. It returns how many left
// and the largest delay behind the schedule.
func (r *runner) dispatch(ctx, postCtx context.Context) (issued int, maxLag time.Duration) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for _, rec := range r.records {
		at := r.start.Add(rec.At)
		if d := time.Until(at); d > 0 {
			timer.Reset(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return issued, maxLag
			}
		} else if ctx.Err() != nil {
			return issued, maxLag
		}
		maxLag = max(maxLag, time.Since(at))
		issued++
		r.posts.Add(1)
		go r.submit(postCtx, rec)
	}
	return issued, maxLag
}

// submit sends one submission and registers its ID with its learner.
func (r *runner) submit(ctx context.Context, rec *record) {
	defer r.posts.Done()
	l := rec.learner
	var body map[string]string
	if rec.Kind != "" {
		body = map[string]string{"question_id": rec.Question, "language": rec.Language,
			"code": contestQuestions[rec.Question].programs[rec.Kind][rec.Language], "contest_id": r.contest.id}
	} else {
		p, _ := programFor(r.cfg.Program, rec.Question, rec.Language)
		body = map[string]string{"question_id": rec.Question, "language": rec.Language, "code": p.Code(rec.Wrong)}
	}
	pctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	rec.sent = time.Now()
	r.submitted.Add(1)
	resp, err := r.api.do(pctx, http.MethodPost, "/api/submissions", l.token, body)
	now := time.Now()

	l.mu.Lock()
	defer l.mu.Unlock()
	rec.answered = now
	switch {
	case err != nil && ctx.Err() != nil:
		rec.cut = true // the run ended first: unfinished, not rejected
		rec.err = "no answer before the end of the run"
		return
	case err != nil:
		rec.err = unwrapURLError(err).Error()
		r.reject(rec)
		return
	}
	rec.status = resp.status
	if resp.status != http.StatusAccepted {
		rec.err = resp.message()
		r.reject(rec)
		return
	}
	var s submissionState
	if err := json.Unmarshal(resp.body, &s); err != nil || s.ID == "" {
		rec.err = "202 without a submission id"
		r.reject(rec)
		return
	}
	rec.id = s.ID
	l.subs[s.ID] = rec
	r.accepted.Add(1)
	if o := l.early[s.ID]; o != nil {
		rec.obs.merge(o)
		delete(l.early, s.ID)
		if !rec.obs.finalAt.IsZero() {
			r.finish(rec)
		}
	}
}

// reject and finish resolve a record; the caller holds its learner's lock.
func (r *runner) reject(rec *record) {
	r.rejected.Add(1)
	r.resolve(rec)
}

func (r *runner) finish(rec *record) {
	r.finished.Add(1)
	r.resolve(rec)
}

func (r *runner) resolve(rec *record) {
	rec.resolved = true
	r.resolvedN.Add(1)
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// wait returns once every issued submission is resolved, or after the
// timeout (then it reports true), or when ctx ends.
func (r *runner) wait(ctx context.Context, issued int) (timedOut bool) {
	deadline := time.NewTimer(r.cfg.Timeout)
	defer deadline.Stop()
	for r.resolvedN.Load() < int64(issued) {
		select {
		case <-r.wake:
		case <-deadline.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	return false
}

func newRunID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// isTerminal reports whether w is a character device (a terminal), where
// the progress line is rewritten in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine prints the state of a run every few seconds (every half
// second, in place, on a terminal).
type progressLine struct {
	w     io.Writer
	tty   bool
	r     *runner
	total int
	mu    sync.Mutex
	done  chan struct{}
	ended chan struct{}
	// finished counts of the last seconds, for the current throughput.
	hist []progressPoint
}

type progressPoint struct {
	at       time.Time
	finished int64
}

func startProgress(w io.Writer, tty bool, r *runner, total int) *progressLine {
	p := &progressLine{w: w, tty: tty, r: r, total: total, done: make(chan struct{}), ended: make(chan struct{}),
		hist: []progressPoint{{at: r.start}}}
	if w == io.Discard {
		close(p.ended)
		return p
	}
	every := 5 * time.Second
	if tty {
		every = 500 * time.Millisecond
	}
	go func() {
		defer close(p.ended)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.print(false)
			}
		}
	}()
	return p
}

// print writes the line; final ends it on a terminal.
func (p *progressLine) print(final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	fin := p.r.finished.Load()
	p.hist = append(p.hist, progressPoint{now, fin})
	for len(p.hist) > 2 && now.Sub(p.hist[1].at) >= 5*time.Second {
		p.hist = p.hist[1:]
	}
	rate := 0.0
	if h := p.hist[0]; now.Sub(h.at) > 0 {
		rate = float64(fin-h.finished) / now.Sub(h.at).Seconds()
	}
	sub := p.r.submitted.Load()
	inFlight := sub - p.r.rejected.Load() - fin
	line := fmt.Sprintf("%6.1fs  submitted %d/%d  finished %d  in flight %d  rejected %d  %.1f finished/s",
		now.Sub(p.r.start).Seconds(), sub, p.total, fin, inFlight, p.r.rejected.Load(), rate)
	switch {
	case p.tty && final:
		fmt.Fprintf(p.w, "\r\x1b[K%s\n", line)
	case p.tty:
		fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	default:
		fmt.Fprintf(p.w, "loadgen: %s\n", line)
	}
}

// note prints a message between progress lines.
func (p *progressLine) note(msg string) {
	if p.w == io.Discard {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, "loadgen: %s\n", msg)
}

func (p *progressLine) stop() {
	if p.w == io.Discard {
		return
	}
	close(p.done)
	<-p.ended
	p.print(true)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
