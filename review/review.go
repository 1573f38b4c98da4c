// Package review asks a language model, through any OpenAI-compatible
// chat-completions server, to review a learner's submission. It streams the
// review text while the model writes it and always ends with a final
// codementor.Review, done or failed, within its own deadline: retries with
// backoff, a stall watchdog and a circuit breaker keep a slow or failing
// server from holding the reviewer up.
package review

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sashabaranov/go-openai"

	codementor "github.com/codementor/codementor"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// DefaultModel writes reviews unless configured otherwise.
const DefaultModel = "gpt-5-mini"

// Limits of the configuration.
const (
	// maxTimeout bounds Config.Timeout: a review must end well within the
	// consumer group's 90 s rebalance timeout.
	maxTimeout = 80 * time.Second
	// minTokens and maxTokens bound Config.MaxTokens.
	minTokens = 16
	maxTokens = 32768
	// maxAnswerLanguage is the longest Config.AnswerLanguage, in characters.
	maxAnswerLanguage = 40
	// maxTextBytes caps a review's text; a longer one is cut there.
	maxTextBytes = 32 << 10
)

// Config of a Reviewer.
type Config struct {
	// APIKey authenticates to the server. Empty turns reviews off
	// (SkipReason says how to enable them); servers without keys, such as
	// Ollama, accept any non-empty value.
	APIKey string
	// BaseURL is the OpenAI-compatible base URL, e.g.
	// http://127.0.0.1:11434/v1 for Ollama.
	BaseURL string
	// Model writes the reviews.
	Model string
	// ReasoningEffort is sent only to reasoning-family models (names
	// starting o1, o3, o4, gpt-5, gpt-6); "" sends none.
	ReasoningEffort string
	// AnswerLanguage is the language the review is written in, e.g.
	// "English", "Deutsch".
	AnswerLanguage string
	// Timeout is ONE total deadline for a review, retries and waits
	// included.
	Timeout time.Duration
	// StallTimeout is the longest wait for the response headers or for the
	// next chunk of the stream.
	StallTimeout time.Duration
	// MaxTokens is sent as max_completion_tokens to reasoning-family models
	// and as max_tokens to others.
	MaxTokens int
	// BreakerFailures consecutive failed attempts open the circuit breaker.
	BreakerFailures int
	// BreakerCooldown is how long the breaker stays open before one probe
	// call is let through.
	BreakerCooldown time.Duration
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// retries (full jitter).
	MinBackoff, MaxBackoff time.Duration
}

// DefaultConfig returns the defaults; APIKey is left empty (reviews off).
func DefaultConfig() Config {
	return Config{
		BaseURL:         DefaultBaseURL,
		Model:           DefaultModel,
		ReasoningEffort: openai.ReasoningEffortMinimal,
		AnswerLanguage:  "English",
		Timeout:         60 * time.Second,
		StallTimeout:    20 * time.Second,
		MaxTokens:       2000,
		BreakerFailures: 5,
		BreakerCooldown: 30 * time.Second,
		MinBackoff:      500 * time.Millisecond,
		MaxBackoff:      8 * time.Second,
	}
}

// withDefaults fills the settings left zero from DefaultConfig, but for
// APIKey and ReasoningEffort, whose empty values mean off and none.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.BaseURL = cmp.Or(c.BaseURL, d.BaseURL)
	c.Model = cmp.Or(c.Model, d.Model)
	c.AnswerLanguage = cmp.Or(c.AnswerLanguage, d.AnswerLanguage)
	c.Timeout = cmp.Or(c.Timeout, d.Timeout)
	c.StallTimeout = cmp.Or(c.StallTimeout, d.StallTimeout)
	c.MaxTokens = cmp.Or(c.MaxTokens, d.MaxTokens)
	c.BreakerFailures = cmp.Or(c.BreakerFailures, d.BreakerFailures)
	c.BreakerCooldown = cmp.Or(c.BreakerCooldown, d.BreakerCooldown)
	c.MinBackoff = cmp.Or(c.MinBackoff, d.MinBackoff)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, d.MaxBackoff)
	return c
}

var reasoningEfforts = []string{
	openai.ReasoningEffortNone, openai.ReasoningEffortMinimal, openai.ReasoningEffortLow,
	openai.ReasoningEffortMedium, openai.ReasoningEffortHigh, openai.ReasoningEffortXHigh, openai.ReasoningEffortMax,
}

// Validate reports every problem of c, joined with errors.Join. Each message
// names the setting in words ("review timeout", ...).
func (c Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("review base URL must be an http or https URL such as %s", DefaultBaseURL)
	}
	if strings.TrimSpace(c.Model) == "" {
		add("review model is required")
	}
	if c.ReasoningEffort != "" && !slices.Contains(reasoningEfforts, c.ReasoningEffort) {
		add("review reasoning effort %q is not one of %s (or empty for none)", c.ReasoningEffort, strings.Join(reasoningEfforts, ", "))
	} else if strings.TrimSpace(c.Model) != "" && c.MaxTokens > 0 {
		// The client library refuses some combinations (e.g. an effort a
		// model does not support) before sending anything: catch them now.
		if err := openai.NewReasoningValidator().Validate(c.request("", "")); err != nil {
			add("review reasoning effort %q does not suit review model %q: %w", c.ReasoningEffort, c.Model, err)
		}
	}
	if n := utf8.RuneCountInString(c.AnswerLanguage); strings.TrimSpace(c.AnswerLanguage) == "" {
		add("review answer language is required, e.g. English")
	} else if strings.ContainsAny(c.AnswerLanguage, "\r\n") {
		add("review answer language must be a single line")
	} else if n > maxAnswerLanguage {
		add("review answer language must be at most %d characters, got %d", maxAnswerLanguage, n)
	}
	switch {
	case c.Timeout <= 0:
		add("review timeout must be positive, got %s", c.Timeout)
	case c.Timeout > maxTimeout:
		add("review timeout must be at most %s, got %s: a review must finish well within the consumer group's 90 s rebalance timeout", maxTimeout, c.Timeout)
	}
	switch {
	case c.StallTimeout <= 0:
		add("review stall timeout must be positive, got %s", c.StallTimeout)
	case c.Timeout > 0 && c.StallTimeout > c.Timeout:
		add("review stall timeout (%s) must not exceed the review timeout (%s)", c.StallTimeout, c.Timeout)
	}
	if c.MaxTokens < minTokens || c.MaxTokens > maxTokens {
		add("review max tokens must be between %d and %d, got %d", minTokens, maxTokens, c.MaxTokens)
	}
	if c.BreakerFailures < 1 {
		add("review circuit breaker failures must be at least 1, got %d", c.BreakerFailures)
	}
	if c.BreakerCooldown <= 0 {
		add("review circuit breaker cooldown must be positive, got %s", c.BreakerCooldown)
	}
	if c.MinBackoff <= 0 {
		add("review minimum backoff must be positive, got %s", c.MinBackoff)
	}
	switch {
	case c.MaxBackoff <= 0:
		add("review maximum backoff must be positive, got %s", c.MaxBackoff)
	case c.MinBackoff > 0 && c.MaxBackoff < c.MinBackoff:
		add("review maximum backoff (%s) must not be less than the minimum backoff (%s)", c.MaxBackoff, c.MinBackoff)
	}
	return errors.Join(errs...)
}

// reasoningFamily reports whether model takes max_completion_tokens and
// reasoning_effort rather than max_tokens.
func reasoningFamily(model string) bool {
	m := strings.ToLower(model)
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}

// request is the streamed chat completion asking for a review.
func (c Config) request(system, user string) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: c.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: system},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		Stream: true,
	}
	if reasoningFamily(c.Model) {
		req.MaxCompletionTokens = c.MaxTokens
		req.ReasoningEffort = c.ReasoningEffort
	} else {
		req.MaxTokens = c.MaxTokens
	}
	return req
}

// Input is what the reviewer may show the model: never hidden tests' data,
// never a secret.
type Input struct {
	Title, Statement string
	// Language is the language ID, e.g. "python".
	Language string
	Code     string
	Verdict  codementor.Verdict
	// TestCount is the number of tests of the question; Tests may list
	// fewer.
	TestCount     int
	Tests         []codementor.TestResult
	CompileOutput string
}

// Reviewer writes reviews. It is safe for concurrent use; its circuit
// breaker is shared by all the reviews it writes.
type Reviewer struct {
	cfg     Config
	log     *slog.Logger
	client  *openai.Client // nil when reviews are off
	breaker *breaker
	// jitter returns a random duration in [0, d].
	jitter func(d time.Duration) time.Duration
}

// New returns a Reviewer for cfg, or cfg.Validate's error. Settings left
// zero take DefaultConfig's, but for APIKey and ReasoningEffort. A nil log
// discards the logs.
func New(cfg Config, log *slog.Logger) (*Reviewer, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reviewer{cfg: cfg, log: log, breaker: newBreaker(cfg.BreakerFailures, cfg.BreakerCooldown), jitter: fullJitter}
	if cfg.APIKey != "" {
		oc := openai.DefaultConfig(cfg.APIKey)
		oc.BaseURL = cfg.BaseURL
		tr := http.DefaultTransport.(*http.Transport).Clone()
		oc.HTTPClient = &doer{client: &http.Client{Transport: tr}, now: time.Now}
		r.client = openai.NewClientWithConfig(oc)
	}
	return r, nil
}

// Model names the model that writes the reviews.
func (r *Reviewer) Model() string { return r.cfg.Model }

// SkipReason is non-empty when reviews are off (no API key): a sentence for
// the operator (the log, /readyz), saying how to enable them.
func (r *Reviewer) SkipReason() string {
	if r.client != nil {
		return ""
	}
	return "Reviews are off: to enable them, set OPENAI_API_KEY (any non-empty value for a server without keys, such as Ollama) " +
		"and, for a server other than OpenAI's, OPENAI_BASE_URL on the reviewer processor, then restart it."
}
