package judge0

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/archive"
)

// Errors are validation errors in Judge0's form, the body of its 422:
// each field with its messages, e.g. {"language_id": ["can't be blank"]}.
type Errors map[string][]string

func (e Errors) add(field, format string, args ...any) {
	e[field] = append(e[field], fmt.Sprintf(format, args...))
}

// Error lists the fields and their messages, sorted.
func (e Errors) Error() string {
	fields := make([]string, 0, len(e))
	for f := range e {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f + " " + strings.Join(e[f], ", "))
	}
	return b.String()
}

// ErrMalformed is wrapped by Parse's error for a body that is not a JSON
// object: Judge0 answers it 400.
var ErrMalformed = errors.New("malformed submission")

// ParseOptions are what Parse needs beyond the body.
type ParseOptions struct {
	// Base64 says that source_code, stdin and expected_output are base64
	// encoded (base64_encoded=true); additional_files always is.
	Base64 bool
	// Offered reports whether a judge runs a CodeMentor language; nil:
	// every language of Languages.
	Offered func(lang string) bool
}

// Parse turns a Judge0 submission (the JSON object of POST /submissions,
// or one of a batch's) into the run it asks for: a codementor.KindRun
// request of one case, with Judge0's defaults for the limits it leaves out,
// converted to the run's units. The caller sets the ID, user and time.
//
// As Judge0 (Rails) does: unknown keys are ignored; a number may come as a
// string; "" and null take the default; an integer field drops its
// fraction; booleans take Rails' forms ("false", "0", "f", "off" and so on
// are false). A submission Judge0 would refuse, or that CodeMentor cannot
// run (a limit outside the run's bounds, network access, text that is not
// UTF-8, a compiler option off the language's allow-list), gives Errors
// with Judge0's messages; a body that is not a JSON object, an error
// wrapping ErrMalformed.
//
// cpu_time_limit, stack_limit and max_file_size of 0, which isolate takes
// as no limit, are the maxima.
func Parse(body []byte, opts ParseOptions) (*codementor.SubmissionRequest, error) {
	obj, err := DecodeObject(body)
	if err != nil {
		return nil, err
	}
	return ParseObject(obj, opts)
}

// DecodeObject decodes a request's body, a JSON object, with its numbers
// kept as written (json.Number); anything else is an error wrapping
// ErrMalformed.
func DecodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: the body is not valid JSON: %v", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: the body has data after the JSON value", ErrMalformed)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the body must be a JSON object", ErrMalformed)
	}
	return obj, nil
}

// ParseObject is Parse for an object already decoded with UseNumber, such
// as one submission of a batch: it returns Errors or the request.
func ParseObject(obj map[string]any, opts ParseOptions) (*codementor.SubmissionRequest, error) {
	p := params(obj)
	errs := Errors{}
	run := &codementor.Run{From: codementor.RunFromJudge0}

	// The language.
	var lang *Language
	if id, ok := p.integer("language_id"); !ok {
		// Judge0 checks presence and existence apart: both fail.
		errs.add("language_id", "can't be blank")
		errs.add("language_id", "language with id  doesn't exist")
	} else if l, known := ByID(id); known && (opts.Offered == nil || opts.Offered(l.Lang)) {
		lang = l
	} else {
		errs.add("language_id", "language with id %d doesn't exist", id)
	}

	// The texts: source_code, stdin, expected_output.
	text := func(name string) (string, bool) {
		s, ok := p.str(name)
		if !ok {
			return "", false
		}
		if opts.Base64 {
			s = string(decode64(s))
		}
		return s, true
	}
	code, _ := text("source_code")
	switch {
	case isBlank(code):
		errs.add("source_code", "can't be blank")
	case len(code) > codementor.MaxCodeBytes:
		errs.add("source_code", "is too long (maximum is %d characters)", codementor.MaxCodeBytes)
	case !utf8.ValidString(code) || strings.ContainsRune(code, 0):
		errs.add("source_code", "must be UTF-8 text without NUL bytes")
	}
	c := codementor.RunCase{}
	if s, ok := text("stdin"); ok {
		c.Input = s
		utf8Text(errs, "stdin", s)
	}
	if s, ok := text("expected_output"); ok {
		c.Expected = &s
		utf8Text(errs, "expected_output", s)
	}
	run.Cases = []codementor.RunCase{c}

	// The limits, in Judge0's units, to the run's.
	seconds := func(name string, def, lo float64, loIncl bool, hi float64) float64 {
		f, ok := p.number(errs, name, false)
		if !ok {
			return def
		}
		if rangeErr(errs, name, f, lo, loIncl, hi, rubyFloat) {
			return def
		}
		return f
	}
	kilobytes := func(name string, def int, lo float64, loIncl bool, hi int) int {
		f, ok := p.number(errs, name, true)
		if !ok {
			return def
		}
		if rangeErr(errs, name, f, lo, loIncl, float64(hi), func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }) {
			return def
		}
		return int(f)
	}
	ms := func(s float64) int { return max(int(math.Round(s*1000)), 1) }
	if t := seconds("cpu_time_limit", DefaultCPUTimeLimit, 0, true, MaxCPUTimeLimit); t == 0 {
		run.TimeLimitMS = codementor.MaxRunTimeLimitMS
	} else {
		run.TimeLimitMS = ms(t)
	}
	run.ExtraTimeMS = int(math.Round(seconds("cpu_extra_time", DefaultCPUExtraTime, 0, true, MaxCPUExtraTime) * 1000))
	run.WallLimitMS = ms(seconds("wall_time_limit", DefaultWallTimeLimit, 1, true, MaxWallTimeLimit))
	run.MemoryLimitKB = kilobytes("memory_limit", DefaultMemoryLimit, MinMemoryLimit, true, MaxMemoryLimit)
	run.StackLimitKB = cmp.Or(kilobytes("stack_limit", DefaultStackLimit, 0, true, MaxStackLimit), MaxStackLimit)
	run.MaxProcesses = kilobytes("max_processes_and_or_threads", DefaultMaxProcesses, 0, false, MaxMaxProcesses)
	run.MaxFileSizeKB = cmp.Or(kilobytes("max_file_size", DefaultMaxFileSize, 0, true, MaxMaxFileSize), MaxMaxFileSize)
	run.Repeat = kilobytes("number_of_runs", DefaultNumberOfRuns, 0, false, MaxNumberOfRuns)

	// Options CodeMentor does not have.
	for _, name := range []string{"enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit"} {
		if p.boolean(name) {
			errs.add(name, "this option cannot be enabled")
		}
	}
	if p.boolean("enable_network") {
		errs.add("enable_network", "enabling network is not allowed")
	}
	run.MergeStderr = p.boolean("redirect_stderr_to_stdout")

	// Command lines.
	words := func(name string) []string {
		s, ok := p.str(name)
		if !ok || isBlank(s) {
			return nil
		}
		if n := utf8.RuneCountInString(s); n > MaxTextOption {
			errs.add(name, "is too long (maximum is %d characters)", MaxTextOption)
			return nil
		}
		w, err := codementor.SplitWords(s)
		if err != nil {
			errs.add(name, "has an unterminated quote or escape")
			return nil
		}
		return w
	}
	run.Args = words("command_line_arguments")
	if run.CompilerOptions = words("compiler_options"); len(run.CompilerOptions) > 0 && lang != nil {
		if allowed := codementor.CompilerOptionsAllowed(lang.Lang); len(allowed) == 0 {
			errs.add("compiler_options", "setting compiler options is only allowed for %s", sentence(CompilerOptionLanguages()))
		} else if err := codementor.CheckCompilerOptions(lang.Lang, run.CompilerOptions); err != nil {
			errs.add("compiler_options", "%s", strings.TrimPrefix(err.Error(), codementor.ErrInvalid.Error()+": "))
		}
	}

	// Files and the callback.
	if s, ok := p.str("additional_files"); ok && !isBlank(s) {
		files := decode64(s)
		switch {
		case len(files) > codementor.MaxRunFilesBytes:
			errs.add("additional_files", "is too large (maximum is %d bytes)", codementor.MaxRunFilesBytes)
		default:
			if _, err := archive.Unzip(files, archive.Limits{}); err != nil {
				errs.add("additional_files", "must be a base64 encoded zip archive (%s)", strings.TrimPrefix(err.Error(), archive.ErrInvalid.Error()+": "))
				break
			}
			run.Files = files
		}
	}
	if s, ok := p.str("callback_url"); ok && !isBlank(s) {
		if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs.add("callback_url", "must be an http or https URL")
		} else {
			run.CallbackURL = s
		}
	}

	if len(errs) > 0 {
		return nil, errs
	}
	return &codementor.SubmissionRequest{Kind: codementor.KindRun, Language: lang.Lang, Code: code, Run: run}, nil
}

// params are a submission's keys. Judge0 permits scalars only: an object or
// an array is as if absent.
type params map[string]any

// scalar returns the value of key; false if it is absent, null or not a
// scalar.
func (p params) scalar(key string) (any, bool) {
	switch v := p[key].(type) {
	case string, json.Number, bool:
		return v, true
	}
	return nil, false
}

// str returns the value of key as Rails casts it to a string column.
func (p params) str(key string) (string, bool) {
	v, ok := p.scalar(key)
	if !ok {
		return "", false
	}
	return scalarText(v), true
}

// number returns the value of key as a number, adding Judge0's "is not a
// number" for anything else; false if it is absent, null or "" (the
// default applies) or not a number. An integer field drops the fraction.
func (p params) number(errs Errors, key string, integer bool) (float64, bool) {
	v, ok := p.scalar(key)
	if !ok {
		return 0, false
	}
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		if s = strings.TrimSpace(v); v == "" {
			return 0, false
		}
	default:
		errs.add(key, "is not a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		errs.add(key, "is not a number")
		return 0, false
	}
	if integer {
		f = math.Trunc(f)
	}
	return f, true
}

// boolean returns the value of key as Rails casts it to a boolean column;
// absent, null and "" are false (Judge0's default for every boolean here).
func (p params) boolean(key string) bool {
	v, ok := p.scalar(key)
	if !ok {
		return false
	}
	switch v := v.(type) {
	case bool:
		return v
	case json.Number:
		f, err := v.Float64()
		return err != nil || f != 0
	case string:
		switch v {
		case "", "0", "f", "F", "false", "FALSE", "off", "OFF":
			return false
		}
	}
	return true
}

// rangeErr adds Judge0's numericality message for f outside (lo or [lo, hi]
// and reports whether it did; bounds print with format.
func rangeErr(errs Errors, name string, f, lo float64, loIncl bool, hi float64, format func(float64) string) bool {
	switch {
	case loIncl && f < lo:
		errs.add(name, "must be greater than or equal to %s", format(lo))
	case !loIncl && f <= lo:
		errs.add(name, "must be greater than %s", format(lo))
	case f > hi:
		errs.add(name, "must be less than or equal to %s", format(hi))
	default:
		return false
	}
	return true
}

// scalarText is a scalar as Rails writes it into a string.
func scalarText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// integer returns the value of key as Rails casts it to an integer column
// (language_id): a number without its fraction, a string as Ruby's to_i
// reads it ("4abc" is 4, "abc" 0); false if it is absent, null, "" or a
// boolean (all blank to Rails).
func (p params) integer(key string) (int, bool) {
	v, ok := p.scalar(key)
	if !ok {
		return 0, false
	}
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.Abs(f) > math.MaxInt32 {
			return 0, true // no language has it
		}
		return int(f), true
	case string:
		if v == "" {
			return 0, false
		}
		return RubyToI(v), true
	}
	return 0, false
}

// RubyToI is Ruby's String#to_i: leading blanks, a sign and digits
// (underscores between them allowed), else 0; clamped to 32 bits.
func RubyToI(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			n = min(n*10+int(c-'0'), math.MaxInt32)
		case c == '_' && i > 0 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
		default:
			i = len(s)
		}
	}
	if neg {
		return -n
	}
	return n
}

// utf8Text refuses text that is not UTF-8: a run carries text only.
func utf8Text(errs Errors, field, s string) {
	if len(s) > codementor.MaxRunInputBytes {
		errs.add(field, "is too long (maximum is %d characters)", codementor.MaxRunInputBytes)
	} else if !utf8.ValidString(s) {
		errs.add(field, "must be UTF-8 text")
	}
}

var blank = regexp.MustCompile(`^[[:space:]]*$`)

// isBlank is Rails' blank? for a string: empty or only white space.
func isBlank(s string) bool { return blank.MatchString(s) }

// sentence joins words as Judge0's messages do: "A, B and C".
func sentence(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
