package judge0

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// diff is "" if want and got are deeply equal, else both as JSON, for a
// "mismatch (-want +got)" message.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	return "-" + string(w) + "\n+" + string(g)
}

// golden compares v, as indented JSON, with testdata/name.json, or rewrites
// it with -update.
func golden(tb testing.TB, name string, v any) {
	tb.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to write it)", err)
	}
	if diff := diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestToken(t *testing.T) {
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for range 100 {
		id := codementor.NewSubmissionID(time.Now())
		tok := Token(id)
		if !uuid4.MatchString(tok) {
			t.Fatalf("Token(%s) = %s, not a version 4 UUID", id, tok)
		}
		for _, form := range []string{tok, strings.ToUpper(tok), id} {
			if got, ok := ParseToken(form); !ok || got != id {
				t.Errorf("ParseToken(%s) = %s, %v; want %s", form, got, ok, id)
			}
		}
	}
	a, b := codementor.NewSubmissionID(time.UnixMilli(1)), codementor.NewSubmissionID(time.UnixMilli(2))
	if Token(a) >= Token(b) {
		t.Errorf("tokens do not sort as their IDs: %s, %s", Token(a), Token(b))
	}
	for _, bad := range []string{"", "d85cd024-1548-4165-96c7-7bc88673f194", "019af8b4a5b0-4f00-8dca-fe0123beef01",
		"019af8b4-a5b0-4f00-9dca-fe0123beef00", "019af8b4-a5b0-3f00-8dca-fe0123beef00", "zz9af8b4-a5b0-4f00-8dca-fe0123beef00",
		"019af8b4a5b0f00dcafe0123beeg", "../etc/passwd"} {
		if id, ok := ParseToken(bad); ok {
			t.Errorf("ParseToken(%q) = %s, want refused", bad, id)
		}
	}
	if id, ok := ParseToken("019af8b4-a5b0-4f00-8dca-fe0123beef00"); !ok || id != "019af8b4a5b0f00dcafe0123beef" {
		t.Errorf("ParseToken of a known token = %s, %v", id, ok)
	}
}

// TestLanguages: Judge0 CE 1.13.1's ids and names (db/languages/active.rb),
// which the Python SDK's aliases for 1.13.1 resolve to, one per language.
func TestLanguages(t *testing.T) {
	want := map[int]string{46: "Bash (5.0.0)", 50: "C (GCC 9.2.0)", 51: "C# (Mono 6.6.0.161)", 52: "C++ (GCC 7.4.0)",
		60: "Go (1.13.5)", 62: "Java (OpenJDK 13.0.1)", 63: "JavaScript (Node.js 12.14.0)", 64: "Lua (5.3.5)",
		68: "PHP (7.4.1)", 71: "Python (3.8.1)", 72: "Ruby (2.7.0)", 73: "Rust (1.40.0)", 74: "TypeScript (3.7.4)",
		78: "Kotlin (1.3.70)", 85: "Perl (5.28.1)"}
	got := map[int]string{}
	langs := map[string]bool{}
	for _, l := range Languages {
		if langs[l.Lang] {
			t.Errorf("%s has two ids", l.Lang)
		}
		langs[l.Lang] = true
		got[l.ID] = l.Judge0Name
		if !strings.HasPrefix(l.Judge0Name, l.Family+" (") {
			t.Errorf("%d: family %q is not the start of %q", l.ID, l.Family, l.Judge0Name)
		}
		if l.SourceFile == "" || l.RunCmd == "" {
			t.Errorf("%d: no source file or run command", l.ID)
		}
		if bl, ok := ByLang(l.Lang); !ok || bl.ID != l.ID {
			t.Errorf("ByLang(%s) = %v", l.Lang, bl)
		}
		if bi, ok := ByID(l.ID); !ok || bi.Lang != l.Lang {
			t.Errorf("ByID(%d) = %v", l.ID, bi)
		}
	}
	if diff := diff(want, got); diff != "" {
		t.Errorf("languages mismatch (-want +got):\n%s", diff)
	}
	for _, l := range codementor.Languages {
		if _, ok := ByLang(l.ID); !ok {
			t.Errorf("CodeMentor's %s has no Judge0 id", l.ID)
		}
	}
	if _, ok := ByID(54); ok {
		t.Error("ByID(54) found a language")
	}
	py, _ := ByID(71)
	c, _ := ByID(50)
	for _, tt := range []struct {
		l             *Language
		version, want string
	}{
		{py, "3.11.2", "Python (3.11.2)"}, {c, "12.2.0", "C (GCC 12.2.0)"}, {py, "", "Python (3.8.1)"},
	} {
		if got := tt.l.Name(tt.version); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.version, got, tt.want)
		}
	}
	offered := Versions{"python": "3.11.2", "go": "1.26.8", "cobol": "1"}.Offered()
	if len(offered) != 2 || offered[0].ID != 60 || offered[1].ID != 71 {
		t.Errorf("Offered = %v, want Go and Python by id", offered)
	}
}

func TestStatuses(t *testing.T) {
	for i, s := range Statuses {
		if s.ID != i+1 {
			t.Errorf("status %d has id %d", i, s.ID)
		}
	}
	golden(t, "statuses", Statuses)
}

// judged is a final run of one case with result tr.
func judged(tr codementor.TestResult) *codementor.Submission {
	return &codementor.Submission{Kind: codementor.KindRun, Status: codementor.StatusDone, Verdict: tr.Verdict, Tests: []codementor.TestResult{tr}}
}

func TestStatusOf(t *testing.T) {
	ptr := func(v int) *int { return &v }
	str := func(s string) *string { return &s }
	v := func(v codementor.Verdict) codementor.TestResult { return codementor.TestResult{Verdict: v} }
	tests := []struct {
		name string
		sub  *codementor.Submission
		want Outcome
	}{
		{"queued", &codementor.Submission{Status: codementor.StatusQueued}, Outcome{Status: InQueue}},
		{"running", &codementor.Submission{Status: codementor.StatusRunning}, Outcome{Status: Processing}},
		{"failed", &codementor.Submission{Status: codementor.StatusFailed, Error: "the judge crashed"}, Outcome{Status: InternalError, Message: str("the judge crashed")}},
		{"compilation error", &codementor.Submission{Status: codementor.StatusDone, Verdict: codementor.VerdictCompilationError, CompileOutput: "x"}, Outcome{Status: CompileError}},
		{"accepted", judged(v(codementor.VerdictAccepted)), Outcome{Status: Accepted, ExitCode: ptr(0)}},
		{"unchecked", judged(codementor.TestResult{Verdict: codementor.VerdictAccepted, Unchecked: true}), Outcome{Status: Accepted, ExitCode: ptr(0)}},
		{"wrong answer", judged(v(codementor.VerdictWrongAnswer)), Outcome{Status: WrongAnswer, ExitCode: ptr(0)}},
		{"time limit", judged(codementor.TestResult{Verdict: codementor.VerdictTimeLimitExceeded, ExitCode: -1, Signal: "SIGKILL"}),
			Outcome{Status: TimeLimit, ExitCode: ptr(0), ExitSignal: ptr(9), Message: str("Time limit exceeded")}},
		{"SIGSEGV", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGSEGV"}),
			Outcome{Status: SIGSEGV, ExitCode: ptr(0), ExitSignal: ptr(11), Message: str("Caught fatal signal 11")}},
		{"SIGXFSZ", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGXFSZ"}),
			Outcome{Status: SIGXFSZ, ExitCode: ptr(0), ExitSignal: ptr(25), Message: str("Caught fatal signal 25")}},
		{"SIGFPE", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGFPE"}),
			Outcome{Status: SIGFPE, ExitCode: ptr(0), ExitSignal: ptr(8), Message: str("Caught fatal signal 8")}},
		{"SIGABRT", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGABRT"}),
			Outcome{Status: SIGABRT, ExitCode: ptr(0), ExitSignal: ptr(6), Message: str("Caught fatal signal 6")}},
		{"another signal", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: -1, Signal: "SIGBUS"}),
			Outcome{Status: RuntimeOther, ExitCode: ptr(0), ExitSignal: ptr(7), Message: str("Caught fatal signal 7")}},
		{"NZEC", judged(codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: 3}),
			Outcome{Status: NZEC, ExitCode: ptr(3), Message: str("Exited with error status 3")}},
		{"memory", judged(codementor.TestResult{Verdict: codementor.VerdictMemoryLimitExceeded, ExitCode: -1, Signal: "SIGKILL", Message: "the program used more than 16384 KB"}),
			Outcome{Status: RuntimeOther, ExitCode: ptr(0), ExitSignal: ptr(9), Message: str("the program used more than 16384 KB")}},
		{"output", judged(codementor.TestResult{Verdict: codementor.VerdictOutputLimitExceeded}),
			Outcome{Status: RuntimeOther, ExitCode: ptr(0), Message: str("Output limit exceeded")}},
		{"file size", judged(codementor.TestResult{Verdict: codementor.VerdictOutputLimitExceeded, ExitCode: -1, Signal: "SIGXFSZ"}),
			Outcome{Status: SIGXFSZ, ExitCode: ptr(0), ExitSignal: ptr(25), Message: str("Caught fatal signal 25")}},
		{"internal", judged(codementor.TestResult{Verdict: codementor.VerdictInternalError, Message: "starved"}),
			Outcome{Status: InternalError, ExitCode: ptr(0), Message: str("starved")}},
		{"no result", &codementor.Submission{Status: codementor.StatusDone, Verdict: codementor.VerdictInternalError, Error: "lost"},
			Outcome{Status: InternalError, Message: str("lost")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := diff(tt.want, StatusOf(tt.sub)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// zipOf is a zip archive of one file.
func zipOf(tb testing.TB, name, content string) []byte {
	tb.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create(name)
	if err != nil {
		tb.Fatal(err)
	}
	f.Write([]byte(content))
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestParse(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	files := zipOf(t, "data.txt", "42\n")
	want := "hello\n"
	defaults := func(lang, code string) *codementor.SubmissionRequest {
		return &codementor.SubmissionRequest{Kind: codementor.KindRun, Language: lang, Code: code, Run: &codementor.Run{
			From: codementor.RunFromJudge0, Cases: []codementor.RunCase{{}}, TimeLimitMS: 5000, ExtraTimeMS: 1000, WallLimitMS: 10000,
			MemoryLimitKB: 128000, StackLimitKB: 64000, MaxProcesses: 60, MaxFileSizeKB: 1024, Repeat: 1}}
	}
	with := func(r *codementor.SubmissionRequest, f func(*codementor.Run)) *codementor.SubmissionRequest {
		f(r.Run)
		return r
	}
	tests := []struct {
		name   string
		body   string
		base64 bool
		want   *codementor.SubmissionRequest
		errs   Errors
	}{
		{name: "minimal", body: `{"source_code":"print(1)","language_id":71}`, want: defaults("python", "print(1)")},
		{name: "everything", body: `{"source_code":"int main(){}","language_id":"50","stdin":"1 2","expected_output":"hello\n",
			"cpu_time_limit":1.5,"cpu_extra_time":"0.5","wall_time_limit":3,"memory_limit":"65536","stack_limit":32000.9,
			"max_processes_and_or_threads":10,"max_file_size":100,"number_of_runs":3,"redirect_stderr_to_stdout":"true",
			"enable_per_process_and_thread_time_limit":false,"enable_network":"off","compiler_options":"-O2 -Wall",
			"command_line_arguments":"a 'b c' \"d\\\"e\"","callback_url":"https://hooks.example.com/x",
			"additional_files":"` + b64(string(files)) + `","unknown_key":[1,2]}`,
			want: with(defaults("c", "int main(){}"), func(r *codementor.Run) {
				r.Cases = []codementor.RunCase{{Input: "1 2", Expected: &want}}
				r.TimeLimitMS, r.ExtraTimeMS, r.WallLimitMS, r.MemoryLimitKB, r.StackLimitKB = 1500, 500, 3000, 65536, 32000
				r.MaxProcesses, r.MaxFileSizeKB, r.Repeat, r.MergeStderr = 10, 100, 3, true
				r.CompilerOptions, r.Args = []string{"-O2", "-Wall"}, []string{"a", "b c", `d"e`}
				r.CallbackURL, r.Files = "https://hooks.example.com/x", files
			})},
		{name: "base64", base64: true, body: `{"source_code":"` + b64("print(input())") + `","language_id":71,"stdin":"` + b64("x\n") +
			`","expected_output":"` + strings.ReplaceAll(Encode64([]byte("hello\n")), "\n", `\n`) + `"}`,
			want: with(defaults("python", "print(input())"), func(r *codementor.Run) { r.Cases = []codementor.RunCase{{Input: "x\n", Expected: &want}} })},
		{name: "zero limits are the maxima", body: `{"source_code":"x","language_id":71,"cpu_time_limit":0,"stack_limit":0,"max_file_size":"0","cpu_extra_time":0}`,
			want: with(defaults("python", "x"), func(r *codementor.Run) {
				r.TimeLimitMS, r.StackLimitKB, r.MaxFileSizeKB, r.ExtraTimeMS = 15000, 128000, 4096, 0
			})},
		{name: "null and empty take the defaults", body: `{"source_code":"x","language_id":71,"cpu_time_limit":null,"memory_limit":"","stdin":null,"compiler_options":"  "}`,
			want: defaults("python", "x")},
		{name: "nothing", body: `{}`, errs: Errors{"source_code": {"can't be blank"}, "language_id": {"can't be blank", "language with id  doesn't exist"}}},
		{name: "blank code, unknown language", body: `{"source_code":" \n\t","language_id":150000}`,
			errs: Errors{"source_code": {"can't be blank"}, "language_id": {"language with id 150000 doesn't exist"}}},
		{name: "language as Ruby's to_i", body: `{"source_code":"x","language_id":"abc"}`, errs: Errors{"language_id": {"language with id 0 doesn't exist"}}},
		{name: "language not offered", body: `{"source_code":"x","language_id":60}`, errs: Errors{"language_id": {"language with id 60 doesn't exist"}}},
		{name: "limits out of range", body: `{"source_code":"x","language_id":71,"cpu_time_limit":15.5,"cpu_extra_time":-1,
			"wall_time_limit":0.5,"memory_limit":2048,"stack_limit":128001,"max_processes_and_or_threads":0,"max_file_size":4097,
			"number_of_runs":21}`,
			errs: Errors{"cpu_time_limit": {"must be less than or equal to 15.0"}, "cpu_extra_time": {"must be greater than or equal to 0.0"},
				"wall_time_limit": {"must be greater than or equal to 1.0"}, "memory_limit": {"must be greater than or equal to 16384"},
				"stack_limit": {"must be less than or equal to 128000"}, "max_processes_and_or_threads": {"must be greater than 0"},
				"max_file_size": {"must be less than or equal to 4096"}, "number_of_runs": {"must be less than or equal to 20"}}},
		{name: "not numbers", body: `{"source_code":"x","language_id":71,"cpu_time_limit":"fast","memory_limit":true,"number_of_runs":"NaN"}`,
			errs: Errors{"cpu_time_limit": {"is not a number"}, "memory_limit": {"is not a number"}, "number_of_runs": {"is not a number"}}},
		{name: "options CodeMentor lacks", body: `{"source_code":"x","language_id":71,"enable_network":true,
			"enable_per_process_and_thread_time_limit":"1","enable_per_process_and_thread_memory_limit":1}`,
			errs: Errors{"enable_network": {"enabling network is not allowed"},
				"enable_per_process_and_thread_time_limit":   {"this option cannot be enabled"},
				"enable_per_process_and_thread_memory_limit": {"this option cannot be enabled"}}},
		{name: "compiler options of an interpreted language", body: `{"source_code":"x","language_id":71,"compiler_options":"-O"}`,
			errs: Errors{"compiler_options": {"setting compiler options is only allowed for C, C#, C++, Go, Java, Rust, TypeScript and Kotlin"}}},
		{name: "compiler option off the allow-list", body: `{"source_code":"x","language_id":50,"compiler_options":"-o /etc/x"}`,
			errs: Errors{"compiler_options": {`compiler option "-o" is not allowed for c; allowed: ` + strings.Join(codementor.CompilerOptionsAllowed("c"), " ")}}},
		{name: "command lines", body: `{"source_code":"x","language_id":71,"command_line_arguments":"'open","compiler_options":"` + strings.Repeat("a", 513) + `"}`,
			errs: Errors{"command_line_arguments": {"has an unterminated quote or escape"}, "compiler_options": {"is too long (maximum is 512 characters)"}}},
		{name: "not UTF-8", base64: true, body: `{"source_code":"` + b64("\xff") + `","language_id":71,"stdin":"` + b64("\xfe") + `","expected_output":"` + b64("a\x00") + `"}`,
			errs: Errors{"source_code": {"must be UTF-8 text without NUL bytes"}, "stdin": {"must be UTF-8 text"}}},
		{name: "too large", body: `{"source_code":"` + strings.Repeat("a", codementor.MaxCodeBytes+1) + `","language_id":71,"stdin":"` + strings.Repeat("a", codementor.MaxRunInputBytes+1) + `"}`,
			errs: Errors{"source_code": {"is too long (maximum is 65536 characters)"}, "stdin": {"is too long (maximum is 1048576 characters)"}}},
		{name: "files and callback", body: `{"source_code":"x","language_id":71,"additional_files":"bm90IGEgemlw","callback_url":"ftp://x"}`,
			errs: Errors{"additional_files": {"must be a base64 encoded zip archive (not a zip archive: zip: not a valid zip file)"}, "callback_url": {"must be an http or https URL"}}},
		{name: "files outside the box", body: `{"source_code":"x","language_id":71,"additional_files":"` + b64(string(zipOf(t, "../x", "y"))) + `"}`,
			errs: Errors{"additional_files": {`must be a base64 encoded zip archive (bad file name "../x": ".." component)`}}},
	}
	offered := func(lang string) bool { return lang != "go" }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.body), ParseOptions{Base64: tt.base64, Offered: offered})
			var errs Errors
			if err != nil && !errors.As(err, &errs) {
				t.Fatalf("Parse: %v", err)
			}
			if diff := diff(tt.errs, errs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if diff := diff(tt.want, got); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
			if got != nil {
				if err := got.Run.Validate(got.Language); err != nil {
					t.Errorf("the run does not validate: %v", err)
				}
			}
		})
	}
	for _, body := range []string{``, `[]`, `"x"`, `{"a":1} {}`, `{`} {
		if _, err := Parse([]byte(body), ParseOptions{}); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", body, err)
		}
	}
}

func TestBase64(t *testing.T) {
	// Judge0's documented answers: Ruby's encode64, a newline at the end
	// and every 60 characters.
	if got := Encode64([]byte("hello, Judge0\n")); got != "aGVsbG8sIEp1ZGdlMAo=\n" {
		t.Errorf("Encode64 = %q", got)
	}
	long := Encode64(bytes.Repeat([]byte("x"), 100))
	lines := strings.Split(strings.TrimSuffix(long, "\n"), "\n")
	if len(lines) != 3 || len(lines[0]) != 60 || len(lines[1]) != 60 || !strings.HasSuffix(long, "\n") {
		t.Errorf("Encode64 of 100 bytes: %q", long)
	}
	if Encode64(nil) != "" {
		t.Error("Encode64(nil) is not empty")
	}
	for in, want := range map[string]string{
		long: strings.Repeat("x", 100), "aGVsbG8=": "hello", "aGVsbG8": "hello", "aGVs bG8=\r\n": "hello",
		"aGVsbG8=garbage": "hello", "!!": "", "YQ": "a", "YWI": "ab", "Y": "",
	} {
		if got := string(decode64(in)); got != want {
			t.Errorf("decode64(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		invalid string
	}{
		{"", nil, ""},
		{",", nil, ""},
		{"stdout,status_id,language_id", []string{"stdout", "status_id", "language_id"}, ""},
		{"*", Fields, ""},
		{"token,*", Fields, ""},
		{"stdout,foo,,bar", nil, "invalid fields: [foo, , bar]"},
		{" stdout", nil, "invalid fields: [ stdout]"},
	}
	for _, tt := range tests {
		got, err := ParseFields(tt.in)
		var fe *FieldsError
		if tt.invalid != "" {
			if !errors.As(err, &fe) || err.Error() != tt.invalid {
				t.Errorf("ParseFields(%q) error %v, want %q", tt.in, err, tt.invalid)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("ParseFields(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// sample is a final run of 71 (Python) with every option set, as Parse
// makes it, judged with result tr.
func sample(tr *codementor.TestResult) *codementor.Submission {
	created := time.Date(2026, 12, 7, 6, 0, 0, 306_000_000, time.UTC)
	want := "3\n"
	sub := &codementor.Submission{ID: "019af8b4a5b0f00dcafe0123beef", User: "alice", Language: "python",
		Code: "print(sum(map(int, input().split())))\n", Kind: codementor.KindRun, Status: codementor.StatusQueued,
		Tests: []codementor.TestResult{}, CreatedAt: created, UpdatedAt: created,
		Run: &codementor.Run{From: codementor.RunFromJudge0, Cases: []codementor.RunCase{{Input: "1 2\n", Expected: &want}},
			TimeLimitMS: 2500, ExtraTimeMS: 500, WallLimitMS: 5000, MemoryLimitKB: 65536, StackLimitKB: 64000, MaxProcesses: 60,
			MaxFileSizeKB: 1024, Repeat: 1, Args: []string{"-v", "a b"}, CallbackURL: "https://hooks.example.com/x"}}
	if tr != nil {
		sub.Status, sub.Verdict, sub.Tests = codementor.StatusDone, tr.Verdict, []codementor.TestResult{*tr}
		sub.UpdatedAt = created.Add(1234 * time.Millisecond)
	}
	return sub
}

func TestRender(t *testing.T) {
	versions := Versions{"python": "3.11.2"}
	ac := &codementor.TestResult{Verdict: codementor.VerdictAccepted, TimeMS: 2, WallMS: 15, MemoryKB: 9216, Output: "3\n", Stderr: "warning\n"}
	tests := []struct {
		name   string
		sub    *codementor.Submission
		fields string
		base64 bool
	}{
		{"queued-all", sample(nil), "*", false},
		{"accepted-default", sample(ac), "", false},
		{"accepted-all", sample(ac), "*", false},
		{"accepted-base64", sample(ac), "*", true},
		{"some-fields", sample(ac), "status_id,language_id,stdout,token,time,wall_time,finished_at", false},
		{"nzec", sample(&codementor.TestResult{Verdict: codementor.VerdictRuntimeError, ExitCode: 1, TimeMS: 20, MemoryKB: 8000, Stderr: "Traceback\n"}), "", false},
		{"compilation-error", func() *codementor.Submission {
			s := sample(nil)
			s.Status, s.Verdict, s.CompileOutput = codementor.StatusDone, codementor.VerdictCompilationError, "main.c:1: error\n"
			return s
		}(), "*", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := ParseFields(tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Render(tt.sub, RenderOptions{Fields: fields, Base64: tt.base64, Versions: versions})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "render-"+tt.name, got)
		})
	}

	// Output that is not UTF-8 needs base64_encoded=true, unless it is
	// not asked for.
	bin := sample(&codementor.TestResult{Verdict: codementor.VerdictAccepted, Output: "\xfe\xff"})
	if _, err := Render(bin, RenderOptions{}); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("binary output without base64: %v, want ErrNotUTF8", err)
	}
	if _, err := Render(bin, RenderOptions{Fields: []string{"status", "token"}}); err != nil {
		t.Errorf("binary output not asked for: %v", err)
	}
	got, err := Render(bin, RenderOptions{Base64: true})
	if v, _ := got.Get("stdout"); err != nil || v != "/v8=\n" {
		t.Errorf("binary output with base64: %v, %v", v, err)
	}
	// As the judge keeps it: the text with U+FFFD, the bytes apart.
	kept := sample(&codementor.TestResult{Verdict: codementor.VerdictAccepted, Output: "\ufffd\ufffdA", OutputBase64: "/v9B", Stderr: "e\ufffd", StderrBase64: "Zf8="})
	if _, err := Render(kept, RenderOptions{Fields: []string{"stderr"}}); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("kept binary stderr without base64: %v, want ErrNotUTF8", err)
	}
	got, err = Render(kept, RenderOptions{Base64: true})
	stdout, _ := got.Get("stdout")
	stderr, _ := got.Get("stderr")
	if err != nil || stdout != "/v9B\n" || stderr != "Zf8=\n" {
		t.Errorf("kept binary output with base64: %v %v, %v", stdout, stderr, err)
	}
}

// TestRenderedForTheSDK: every attribute is one the Python SDK's
// Submission has (it refuses others), and the times parse as it parses
// them.
func TestRenderedForTheSDK(t *testing.T) {
	sdk := []string{"source_code", "language", "additional_files", "compiler_options", "command_line_arguments", "stdin",
		"expected_output", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
		"max_processes_and_or_threads", "enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit",
		"max_file_size", "redirect_stderr_to_stdout", "enable_network", "number_of_runs", "callback_url", "stdout", "stderr",
		"compile_output", "message", "exit_code", "exit_signal", "status", "created_at", "finished_at", "token", "time",
		"wall_time", "memory", "post_execution_filesystem",
		"language_id", "status_id"} // skipped by the SDK
	for _, f := range Fields {
		if !slices.Contains(sdk, f) {
			t.Errorf("attribute %s is not the SDK's", f)
		}
	}
	got, err := Render(sample(&codementor.TestResult{Verdict: codementor.VerdictAccepted, TimeMS: 1500}), RenderOptions{Fields: Fields})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"created_at", "finished_at"} {
		v, _ := got.Get(f)
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", v.(string)); err != nil {
			t.Errorf("%s %v: %v", f, v, err)
		}
	}
	for f, want := range map[string]string{"time": "1.5", "cpu_time_limit": "2.5", "cpu_extra_time": "0.5", "wall_time_limit": "5.0", "wall_time": "0.0"} {
		if v, _ := got.Get(f); v != want {
			t.Errorf("%s = %v, want %q", f, v, want)
		}
	}
}

func TestInfo(t *testing.T) {
	info := ConfigInfo(Deployment{MaxQueueSize: 100, CallbacksMaxTries: 3, CallbacksTimeoutSeconds: 5})
	golden(t, "config-info", info)
	// The Python SDK's Config requires every one of these.
	sdk := []string{"allow_enable_network", "allow_enable_per_process_and_thread_memory_limit", "allow_enable_per_process_and_thread_time_limit",
		"allowed_languages_for_compile_options", "callbacks_max_tries", "callbacks_timeout", "cpu_extra_time", "cpu_time_limit",
		"enable_additional_files", "enable_batched_submissions", "enable_callbacks", "enable_command_line_arguments",
		"enable_compiler_options", "enable_network", "enable_per_process_and_thread_memory_limit", "enable_per_process_and_thread_time_limit",
		"enable_submission_delete", "enable_wait_result", "maintenance_mode", "max_cpu_extra_time", "max_cpu_time_limit",
		"max_extract_size", "max_file_size", "max_max_file_size", "max_max_processes_and_or_threads", "max_memory_limit",
		"max_number_of_runs", "max_processes_and_or_threads", "max_queue_size", "max_stack_limit", "max_submission_batch_size",
		"max_wall_time_limit", "memory_limit", "number_of_runs", "redirect_stderr_to_stdout", "stack_limit",
		"submission_cache_duration", "use_docs_as_homepage", "wall_time_limit"}
	var keys []string
	for _, m := range info {
		keys = append(keys, m.Key)
	}
	slices.Sort(keys)
	if diff := diff(sdk, keys); diff != "" {
		t.Errorf("config_info keys mismatch (-want +got):\n%s", diff)
	}
	golden(t, "about", About())
	golden(t, "workers", Workers(3, 5, 2))
}
