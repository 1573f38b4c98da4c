package judge0

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	codementor "github.com/codementor/codementor"
)

// Member is one key of an Object and its value.
type Member struct {
	Key   string
	Value any
}

// Object is a JSON object whose keys keep their order, as Judge0 writes
// them.
type Object []Member

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(m.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns the value of key, and whether o has it.
func (o Object) Get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// Fields are a submission's attributes in Judge0 CE 1.13.1's order (its
// serializer's: the columns, then status and language): fields=* asks for
// all of them.
var Fields = []string{
	"source_code", "language_id", "stdin", "expected_output", "stdout", "status_id",
	"created_at", "finished_at", "time", "memory", "stderr", "token", "number_of_runs",
	"cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
	"max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
	"enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output",
	"exit_code", "exit_signal", "message", "wall_time", "compiler_options",
	"command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
	"additional_files", "enable_network", "status", "language",
}

// DefaultFields are the attributes shown when fields= is absent or empty.
var DefaultFields = []string{"token", "time", "memory", "stdout", "stderr", "compile_output", "message", "status"}

// FieldsError is the error of a fields= naming attributes that do not
// exist; its message is Judge0's 400 error.
type FieldsError struct{ Invalid []string }

func (e *FieldsError) Error() string {
	return "invalid fields: [" + strings.Join(e.Invalid, ", ") + "]"
}

// ParseFields reads fields= as Judge0 does: attribute names separated by
// commas, "*" for all of them; nil (DefaultFields) when it names none.
// Unknown names give a *FieldsError.
func ParseFields(s string) ([]string, error) {
	parts := strings.Split(s, ",")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // Ruby's split drops trailing empty parts
		parts = parts[:len(parts)-1]
	}
	var valid, invalid []string
	all := false
	for _, p := range parts {
		switch {
		case p == "*":
			all = true
		case slices.Contains(Fields, p):
			valid = append(valid, p)
		default:
			invalid = append(invalid, p)
		}
	}
	switch {
	case len(invalid) > 0:
		return nil, &FieldsError{Invalid: invalid}
	case all:
		return Fields, nil
	}
	return valid, nil
}

// ErrNotUTF8 is Render's error for an attribute that is not UTF-8 text
// without base64_encoded: its message is Judge0's.
var ErrNotUTF8 = errors.New("some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter")

// ErrManyNotUTF8 is ErrNotUTF8's message for a list of submissions.
var ErrManyNotUTF8 = errors.New("some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter")

// RenderOptions say how to render a submission.
type RenderOptions struct {
	// Fields are the attributes, from ParseFields; nil: DefaultFields.
	Fields []string
	// Base64 encodes source_code, stdin, expected_output, stdout, stderr,
	// compile_output and message as Judge0 does (base64_encoded=true).
	Base64 bool
	// Versions name the language with the version the judges run.
	Versions Versions
}

// Render is a run's state as Judge0 shows a submission: the requested
// attributes, in Judge0's order. Without Base64, a text attribute that is
// not UTF-8 gives ErrNotUTF8.
func Render(sub *codementor.Submission, opts RenderOptions) (Object, error) {
	fields := opts.Fields
	if len(fields) == 0 {
		fields = DefaultFields
	}
	run := sub.Run
	if run == nil {
		run = &codementor.Run{}
	}
	var c codementor.RunCase
	if len(run.Cases) > 0 {
		c = run.Cases[0]
	}
	// The case's result, once judged (as StatusOf sees it): while the run
	// is queued or running, Judge0 shows none.
	var tr *codementor.TestResult
	if len(sub.Tests) > 0 && sub.Status != codementor.StatusQueued && sub.Status != codementor.StatusRunning {
		tr = &sub.Tests[0]
	}
	outcome := StatusOf(sub)
	lang, _ := ByLang(sub.Language)

	var notUTF8 bool
	// txt is a text attribute: nil when empty, base64 on demand.
	txt := func(s string, keepEmpty bool) any {
		switch {
		case s == "" && !keepEmpty:
			return nil
		case opts.Base64:
			return Encode64([]byte(s))
		case !utf8.ValidString(s):
			notUTF8 = true
		}
		return s
	}
	// bin is a program's output: its bytes when the judge kept them (it
	// was not UTF-8), else its text.
	bin := func(text, b64 string) any {
		if b64 == "" {
			return txt(text, false)
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return txt(text, false)
		}
		return txt(string(b), false)
	}
	out := make(Object, 0, len(fields))
	for _, f := range Fields {
		if !slices.Contains(fields, f) {
			continue
		}
		var v any
		switch f {
		case "source_code":
			v = txt(sub.Code, true)
		case "language_id":
			if lang != nil {
				v = lang.ID
			}
		case "stdin":
			v = txt(c.Input, false)
		case "expected_output":
			if c.Expected != nil {
				v = txt(*c.Expected, true)
			}
		case "stdout":
			if tr != nil {
				v = bin(tr.Output, tr.OutputBase64)
			}
		case "status_id":
			v = outcome.Status.ID
		case "created_at":
			v = Timestamp(sub.CreatedAt)
		case "finished_at":
			if sub.Final() {
				v = Timestamp(sub.UpdatedAt)
			}
		case "time":
			if tr != nil {
				v = Seconds(tr.TimeMS)
			}
		case "memory":
			if tr != nil {
				v = tr.MemoryKB
			}
		case "stderr":
			if tr != nil {
				v = bin(tr.Stderr, tr.StderrBase64)
			}
		case "token":
			v = Token(sub.ID)
		case "number_of_runs":
			v = max(run.Repeat, 1)
		case "cpu_time_limit":
			v = Seconds(int64(cmp.Or(run.TimeLimitMS, int(DefaultCPUTimeLimit*1000))))
		case "cpu_extra_time":
			v = Seconds(int64(run.ExtraTimeMS))
		case "wall_time_limit":
			v = Seconds(int64(cmp.Or(run.WallLimitMS, int(DefaultWallTimeLimit*1000))))
		case "memory_limit":
			v = cmp.Or(run.MemoryLimitKB, DefaultMemoryLimit)
		case "stack_limit":
			v = cmp.Or(run.StackLimitKB, DefaultStackLimit)
		case "max_processes_and_or_threads":
			v = cmp.Or(run.MaxProcesses, DefaultMaxProcesses)
		case "enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit", "enable_network":
			v = false
		case "max_file_size":
			v = cmp.Or(run.MaxFileSizeKB, DefaultMaxFileSize)
		case "compile_output":
			v = txt(sub.CompileOutput, false)
		case "exit_code":
			if outcome.ExitCode != nil {
				v = *outcome.ExitCode
			}
		case "exit_signal":
			if outcome.ExitSignal != nil {
				v = *outcome.ExitSignal
			}
		case "message":
			if outcome.Message != nil {
				v = txt(*outcome.Message, true)
			}
		case "wall_time":
			if tr != nil {
				v = Seconds(tr.WallMS)
			}
		case "compiler_options":
			v = joinWords(run.CompilerOptions)
		case "command_line_arguments":
			v = joinWords(run.Args)
		case "redirect_stderr_to_stdout":
			v = run.MergeStderr
		case "callback_url":
			if run.CallbackURL != "" {
				v = run.CallbackURL
			}
		case "additional_files":
			if len(run.Files) > 0 {
				v = Encode64(run.Files)
			}
		case "status":
			v = outcome.Status
		case "language":
			if lang != nil {
				v = Object{{"id", lang.ID}, {"name", lang.Name(opts.Versions[lang.Lang])}}
			}
		}
		out = append(out, Member{f, v})
	}
	if notUTF8 {
		return nil, ErrNotUTF8
	}
	return out, nil
}

// Timestamp is t as Judge0 (Rails) writes a time: UTC, milliseconds.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Seconds is a duration in milliseconds as Judge0 writes its decimal
// columns (time, wall_time, the time limits): a string of seconds with a
// fraction, "0.002", "1.5", "5.0".
func Seconds(ms int64) string {
	s := strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// Encode64 is Ruby's Base64.encode64, which Judge0 uses: lines of 60
// characters, each ending in a newline.
func Encode64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	out.Grow(len(s) + len(s)/60 + 1)
	for len(s) > 60 {
		out.WriteString(s[:60])
		out.WriteByte('\n')
		s = s[60:]
	}
	if s != "" {
		out.WriteString(s)
		out.WriteByte('\n')
	}
	return out.String()
}

// decode64 is Ruby's Base64.decode64, which Judge0 uses: characters
// outside the alphabet are skipped, padding ends the data, and nothing is
// an error.
func decode64(s string) []byte {
	var kept []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			kept = append(kept, c)
		case c == '=' && len(kept)%4 >= 2:
			i = len(s)
		}
	}
	if len(kept)%4 == 1 {
		kept = kept[:len(kept)-1]
	}
	out, _ := base64.RawStdEncoding.DecodeString(string(kept))
	return out
}

// joinWords writes words back as one command line, quoting those that need
// it, so that codementor.SplitWords reads them again; nil when there are
// none.
func joinWords(words []string) any {
	if len(words) == 0 {
		return nil
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		if w != "" && !strings.ContainsAny(w, " \t\n'\"\\") {
			quoted[i] = w
		} else {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
