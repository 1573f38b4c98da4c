package systemtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/codementor/codementor/judge0"
)

// judge0Programs read a name and print "hello, <name>", by Judge0
// language id: one for every language CodeMentor may offer.
var judge0Programs = map[int]string{
	46: "read s\necho \"hello, $s\"\n",
	50: "#include <stdio.h>\nint main(void){char s[100];if(scanf(\"%99s\",s)!=1)return 1;printf(\"hello, %s\\n\",s);return 0;}\n",
	51: "using System;\nclass Program { static void Main() { var s = Console.ReadLine().Trim(); Console.WriteLine(\"hello, \" + s); } }\n",
	52: "#include <iostream>\n#include <string>\nint main(){std::string s;std::cin>>s;std::cout<<\"hello, \"<<s<<\"\\n\";}\n",
	60: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tvar s string\n\tfmt.Scan(&s)\n\tfmt.Println(\"hello, \" + s)\n}\n",
	62: "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner in = new Scanner(System.in); System.out.println(\"hello, \" + in.next()); } }\n",
	63: "const s = require('fs').readFileSync(0, 'utf8').trim();\nconsole.log('hello, ' + s);\n",
	64: "local s = io.read(\"*l\")\nprint(\"hello, \" .. s)\n",
	68: "<?php\n$s = trim(fgets(STDIN));\necho \"hello, $s\\n\";\n",
	71: "print(\"hello, \" + input())\n",
	72: "puts \"hello, \" + gets.strip\n",
	73: "use std::io::*;\nfn main() { let mut s = String::new(); stdin().read_line(&mut s).unwrap(); println!(\"hello, {}\", s.trim()); }\n",
	74: "import { readFileSync } from 'fs';\nconst s: string = readFileSync(0, 'utf8').trim();\nconsole.log('hello, ' + s);\n",
	78: "fun main() {\n    val s = readLine()!!.trim()\n    println(\"hello, $s\")\n}\n",
	85: "my $s = <STDIN>;\nchomp $s;\nprint \"hello, $s\\n\";\n",
}

// requireJudge0SDK returns the Python of the venv with the Judge0 SDK
// (scripts/install-deps.sh test makes it), or skips the test without one;
// CODEMENTOR_TEST_REQUIRE_JUDGE0_SDK=1 (set by `make test`) fails it
// instead.
func requireJudge0SDK(t *testing.T) string {
	t.Helper()
	py, err := filepath.Abs(filepath.Join("..", ".venv", "judge0", "bin", "python"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", "import judge0; print(judge0.__version__)").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "0.0.8" {
		msg := fmt.Sprintf("no Judge0 Python SDK 0.0.8 in %s (scripts/install-deps.sh test installs it): %v %s", py, err, out)
		if os.Getenv("CODEMENTOR_TEST_REQUIRE_JUDGE0_SDK") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

// TestJudge0SDK runs the official Judge0 Python SDK, unchanged, against
// the Judge0 API: judge0.run in every language offered, judge0.execute,
// judge0.async_execute and judge0.wait over more submissions than a batch
// holds, and failures reported with Judge0's statuses.
func TestJudge0SDK(t *testing.T) {
	py := requireJudge0SDK(t)
	in := start(t, t.TempDir())
	alice := login(t, in.Base, testUser("sdk"), false)
	var langs []struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	if status := alice.j0(t, "GET", "/judge0/languages", nil, &langs); status != http.StatusOK || len(langs) == 0 {
		t.Fatalf("GET /judge0/languages: %d %+v", status, langs)
	}
	programs, err := json.Marshal(judge0Programs)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "programs.json")
	if err := os.WriteFile(path, programs, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/judge0_sdk.py", in.Base, alice.token, path)
	cmd.Env = append(os.Environ(), "JUDGE0_SUPPRESS_PREVIEW_WARNING=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	began := time.Now()
	err = cmd.Run()
	t.Logf("the SDK ran for %s", time.Since(began).Round(time.Millisecond))
	var report struct {
		Offered  []int    `json:"offered"`
		Failures []string `json:"failures"`
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &report); jerr != nil {
		t.Fatalf("the SDK script: %v\nstdout: %s\nstderr: %s", err, stdout.Bytes(), stderr.Bytes())
	}
	for _, f := range report.Failures {
		t.Error(f)
	}
	if err != nil && len(report.Failures) == 0 {
		t.Errorf("the SDK script: %v\nstderr: %s", err, stderr.Bytes())
	}
	if len(report.Offered) != len(langs) {
		t.Errorf("the SDK saw languages %v, the API lists %+v", report.Offered, langs)
	}
}

// j0 sends a request of the Judge0 API with the client's token in
// X-Auth-Token and decodes the JSON answer into out (if not nil).
func (c *client) j0(t testing.TB, method, path string, body, out any) int {
	t.Helper()
	status, _, data := c.j0raw(t, method, path, body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: status %d, body %q: %v", method, path, status, data, err)
		}
	}
	return status
}

// j0raw is j0's exchange: the answer's status, header and body.
func (c *client) j0raw(t testing.TB, method, path string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("X-Auth-Token", c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// TestJudge0Raw drives the Judge0 API over plain HTTP, every exchange
// checked against the OpenAPI document: wait=true, fields=, base64 both
// ways and output that is not UTF-8, owners, and the statuses limits and
// failures give.
func TestJudge0Raw(t *testing.T) {
	in := start(t, t.TempDir())
	alice := login(t, in.Base, testUser("alice"), false)
	bob := login(t, in.Base, testUser("bob"), false)
	type status struct {
		ID          int    `json:"id"`
		Description string `json:"description"`
	}
	type submission struct {
		Token         string  `json:"token"`
		Stdout        *string `json:"stdout"`
		Stderr        *string `json:"stderr"`
		CompileOutput *string `json:"compile_output"`
		Message       *string `json:"message"`
		Time          *string `json:"time"`
		WallTime      *string `json:"wall_time"`
		Memory        *int    `json:"memory"`
		ExitCode      *int    `json:"exit_code"`
		ExitSignal    *int    `json:"exit_signal"`
		CreatedAt     string  `json:"created_at"`
		FinishedAt    *string `json:"finished_at"`
		Status        status  `json:"status"`
		Error         string  `json:"error"`
	}
	str := func(p *string) string {
		if p == nil {
			return "<null>"
		}
		return *p
	}
	wait := func(t *testing.T, query string, body map[string]any) (int, submission) {
		t.Helper()
		var s submission
		code := alice.j0(t, "POST", "/judge0/submissions?wait=true&"+query, body, &s)
		return code, s
	}

	t.Run("wait and fields", func(t *testing.T) {
		code, s := wait(t, "fields=*", map[string]any{"source_code": "print(input()[::-1])", "language_id": 71, "stdin": "abc", "expected_output": "cba"})
		if code != http.StatusCreated || s.Status.ID != 3 || str(s.Stdout) != "cba\n" || s.FinishedAt == nil {
			t.Fatalf("wait=true: %d %+v", code, s)
		}
		seconds := regexp.MustCompile(`^\d+\.\d+$`)
		if !seconds.MatchString(str(s.Time)) || !seconds.MatchString(str(s.WallTime)) || s.Memory == nil || *s.ExitCode != 0 {
			t.Errorf("time %s, wall time %s, memory %v, exit code %v", str(s.Time), str(s.WallTime), s.Memory, s.ExitCode)
		}
		created, err1 := time.Parse("2006-01-02T15:04:05.000Z", s.CreatedAt)
		finished, err2 := time.Parse("2006-01-02T15:04:05.000Z", str(s.FinishedAt))
		if err1 != nil || err2 != nil || finished.Before(created) {
			t.Errorf("created_at %s, finished_at %s", s.CreatedAt, str(s.FinishedAt))
		}
		var all map[string]any
		alice.j0(t, "GET", "/judge0/submissions/"+s.Token+"?fields=*", nil, &all)
		if len(all) != len(judge0.Fields) || all["language"].(map[string]any)["id"] != 71.0 || all["expected_output"] != "cba" {
			t.Errorf("fields=*: %d attributes: %v", len(all), all)
		}
		var some map[string]any
		alice.j0(t, "GET", "/judge0/submissions/"+s.Token+"?fields=stdout,status_id", nil, &some)
		if len(some) != 2 || some["stdout"] != "cba\n" || some["status_id"] != 3.0 {
			t.Errorf("fields=stdout,status_id: %v", some)
		}
		var def map[string]any
		alice.j0(t, "GET", "/judge0/submissions/"+s.Token, nil, &def)
		if len(def) != len(judge0.DefaultFields) {
			t.Errorf("default fields: %v", def)
		}
		if code := alice.j0(t, "GET", "/judge0/submissions/"+s.Token+"?fields=nope", nil, nil); code != http.StatusBadRequest {
			t.Errorf("fields=nope: %d", code)
		}
		// Only its owner reads it.
		var nf map[string]any
		if code := bob.j0(t, "GET", "/judge0/submissions/"+s.Token, nil, &nf); code != http.StatusNotFound || nf["error"] != "Not Found" {
			t.Errorf("another user's token: %d %v", code, nf)
		}
		var batch struct{ Submissions []any }
		bob.j0(t, "GET", "/judge0/submissions/batch?tokens="+s.Token, nil, &batch)
		if len(batch.Submissions) != 1 || batch.Submissions[0] != nil {
			t.Errorf("another user's batch: %+v", batch)
		}
	})

	t.Run("base64", func(t *testing.T) {
		b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
		body := map[string]any{"source_code": b64("import sys\nsys.stdout.write(sys.stdin.read().upper())\n"), "language_id": 71, "stdin": b64("héllo\n")}
		code, s := wait(t, "base64_encoded=true", body)
		if code != http.StatusCreated || s.Status.ID != 3 || str(s.Stdout) != b64("HÉLLO\n")+"\n" {
			t.Fatalf("base64 in and out: %d %+v", code, s)
		}
		var plain submission
		alice.j0(t, "GET", "/judge0/submissions/"+s.Token, nil, &plain)
		if str(plain.Stdout) != "HÉLLO\n" {
			t.Errorf("read without base64: %q", str(plain.Stdout))
		}
		// Output that is not UTF-8: refused without base64_encoded=true,
		// byte for byte with it.
		binary := map[string]any{"source_code": "import sys\nsys.stdout.buffer.write(b'\\xfe\\xff ok\\n')\n", "language_id": 71}
		code, s = wait(t, "", binary)
		if code != http.StatusCreated || s.Token == "" || s.Error != judge0.ErrNotUTF8.Error() {
			t.Fatalf("binary output without base64: %d %+v", code, s)
		}
		var e map[string]any
		if code := alice.j0(t, "GET", "/judge0/submissions/"+s.Token, nil, &e); code != http.StatusBadRequest || e["error"] != judge0.ErrNotUTF8.Error() {
			t.Errorf("GET binary output: %d %v", code, e)
		}
		var enc submission
		alice.j0(t, "GET", "/judge0/submissions/"+s.Token+"?base64_encoded=true", nil, &enc)
		if out, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(str(enc.Stdout), "\n", "")); err != nil || string(out) != "\xfe\xff ok\n" {
			t.Errorf("binary output with base64: %q (%q), %v", out, str(enc.Stdout), err)
		}
	})

	t.Run("statuses", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			body    map[string]any
			status  int
			message string
		}{
			{"time limit", map[string]any{"source_code": "while True:\n    pass\n", "language_id": 71, "cpu_time_limit": 0.5, "cpu_extra_time": 0.2}, 5, "Time limit exceeded"},
			{"compilation error", map[string]any{"source_code": "int main(void) { return 0 }\n", "language_id": 50}, 6, ""},
			{"NZEC", map[string]any{"source_code": "import sys\nprint('bye')\nsys.exit(3)\n", "language_id": 71}, 11, "Exited with error status 3"},
			{"SIGSEGV", map[string]any{"source_code": "int main(void) { volatile int *p = 0; *p = 1; return 0; }\n", "language_id": 50}, 7, "Caught fatal signal 11"},
			{"wrong answer", map[string]any{"source_code": "print(41)", "language_id": 71, "expected_output": "42"}, 4, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, s := wait(t, "fields=*", tt.body)
				if code != http.StatusCreated || s.Status.ID != tt.status || (tt.message != "" && str(s.Message) != tt.message) {
					t.Fatalf("%d %+v, want status %d %q; stdout %q stderr %q compile output %q message %q", code, s, tt.status, tt.message,
						str(s.Stdout), str(s.Stderr), str(s.CompileOutput), str(s.Message))
				}
				switch tt.status {
				case 6:
					if s.CompileOutput == nil || s.Time != nil || s.Stdout != nil {
						t.Errorf("compilation error: %+v", s)
					}
				case 11:
					if s.ExitCode == nil || *s.ExitCode != 3 || str(s.Stdout) != "bye\n" {
						t.Errorf("NZEC: exit code %v, stdout %q", s.ExitCode, str(s.Stdout))
					}
				case 7:
					if s.ExitSignal == nil || *s.ExitSignal != 11 {
						t.Errorf("SIGSEGV: exit signal %v", s.ExitSignal)
					}
				}
			})
		}
	})

	t.Run("refusals", func(t *testing.T) {
		var errs map[string][]string
		if code := alice.j0(t, "POST", "/judge0/submissions", map[string]any{"source_code": "print(1)", "language_id": 71, "enable_network": true}, &errs); code != 422 ||
			len(errs["enable_network"]) != 1 {
			t.Errorf("enable_network: %d %v", code, errs)
		}
		errs = nil
		if code := alice.j0(t, "POST", "/judge0/submissions", map[string]any{"source_code": "print(1)", "language_id": 71, "callback_url": "http://169.254.169.254/latest"}, &errs); code != 422 ||
			len(errs["callback_url"]) != 1 {
			t.Errorf("a callback to the metadata address: %d %v", code, errs)
		}
		if code, _, body := alice.j0raw(t, "GET", "/judge0/about", nil); code != 200 || !strings.Contains(string(body), `"version":"1.13.1"`) {
			t.Errorf("about: %d %s", code, body)
		}
		anon := &client{base: in.Base, http: alice.http}
		if code, _, body := anon.j0raw(t, "GET", "/judge0/languages", nil); code != http.StatusUnauthorized || len(body) != 0 {
			t.Errorf("no token: %d %q", code, body)
		}
	})

	// The caller's list holds what it ran, newest first.
	var list struct {
		Submissions []map[string]any
		Meta        map[string]any
	}
	if code := alice.j0(t, "GET", "/judge0/submissions?per_page=3&fields=token,status_id", nil, &list); code != 200 || len(list.Submissions) != 3 ||
		list.Meta["total_count"].(float64) < 8 || list.Meta["next_page"] != 2.0 {
		t.Errorf("GET /judge0/submissions: %d %+v", code, list)
	}
}
