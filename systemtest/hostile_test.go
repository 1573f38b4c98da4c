package systemtest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// judgeOne submits code and returns its final state.
func (c *client) judgeOne(t *testing.T, question, language, code string) *codementor.Submission {
	t.Helper()
	sub := c.submit(t, question, language, code)
	states := c.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	return states[len(states)-1]
}

// judgedBy is a submission's final state, and the learner who sent it.
type judgedBy struct {
	*codementor.Submission
	learner *client
}

// judgeAll submits, for question, each language's code of codes from a
// learner of its own (a learner has at most a few submissions in flight),
// all before it waits for any: the judges take them in turn meanwhile. It
// returns their final states by language.
func judgeAll(t *testing.T, base, question string, codes map[string]string) map[string]judgedBy {
	t.Helper()
	learners := map[string]*client{}
	subs := map[string]*codementor.Submission{}
	for lang, code := range codes {
		learners[lang] = login(t, base, testUser("polyglot-"+lang), false)
		subs[lang] = learners[lang].submit(t, question, lang, code)
	}
	finals := map[string]judgedBy{}
	for lang, sub := range subs {
		states := learners[lang].stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
		finals[lang] = judgedBy{states[len(states)-1], learners[lang]}
	}
	return finals
}

// probe is a question whose one sample test expects "ok": a hostile program
// prints ok when its attack failed, so accepted means contained, and any
// other output is shown in the test's result.
var probe = map[string]any{
	"title": "Probe", "statement": "Prints ok.", "time_limit_ms": 1000, "memory_limit_mb": 64,
	"tests": []map[string]any{{"input": "go\n", "output": "ok\n"}},
}

// hostProcesses returns the command lines of the host's processes that
// contain marker.
func hostProcesses(t *testing.T, marker string) []string {
	t.Helper()
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		for _, f := range []string{"cmdline", "comm"} {
			b, err := os.ReadFile(filepath.Join(d, f))
			if err == nil && strings.Contains(string(b), marker) {
				found = append(found, d+": "+strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
	}
	return found
}

// TestHostileCode runs programs that attack the judge through the whole
// pipeline. Each must end with the expected verdict, and afterwards the host
// must be untouched: no file written outside the box, no process left, no
// connection made, the server still serving.
func TestHostileCode(t *testing.T) {
	const secret = "hostile-secret-5f3a9c"
	t.Setenv("CODEMENTOR_HOSTILE_SECRET", secret) // the server's environment
	dataDir := t.TempDir()
	in := start(t, dataDir)
	admin := login(t, in.Base, "admin", true)
	mallory := login(t, in.Base, "mallory", false)
	if code := admin.do(t, "PUT", "/api/questions/probe", probe, nil); code != 201 {
		t.Fatalf("create probe question: %d", code)
	}
	waitQuestion(t, mallory, "probe")

	// A port on the host the programs try to reach.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var connections atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connections.Add(1)
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port

	marker := fmt.Sprintf("cmpwn%d", time.Now().UnixNano()%1e9)
	pwned := filepath.Join(os.TempDir(), marker)
	hostFiles := []string{pwned, filepath.Join(dataDir, marker), "/etc/" + marker, "/root/" + marker}
	jwtSecret, err := os.ReadFile(filepath.Join(dataDir, "dev-jwt-secret"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, lang, code string
		// verdict is the one expected; a fork bomb ends on whichever limit
		// it reaches first, time or memory.
		verdict codementor.Verdict
	}{
		{"fork bomb", "c", "#include <unistd.h>\n#include <sys/prctl.h>\nint main(void){prctl(PR_SET_NAME,\"" + marker + "\");for(;;)fork();}", forkBomb},
		{"fork bomb", "python", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", forkBomb},
		{"memory bomb", "python", "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n", codementor.VerdictMemoryLimitExceeded},
		{"memory bomb", "c", "#include <stdlib.h>\n#include <string.h>\nint main(void){for(;;){char*p=malloc(1<<20);if(!p)return 1;memset(p,1,1<<20);}}", codementor.VerdictMemoryLimitExceeded},
		{"thread bomb", "java", "public class Main { public static void main(String[] a) { while (true) { try { new Thread(() -> { try { Thread.sleep(100000); } catch (InterruptedException e) {} }).start(); } catch (Throwable t) {} } } }", forkBomb},
		{"memory bomb", "java", "import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 17]); } }", codementor.VerdictMemoryLimitExceeded},
		{"environment and host files", "java", "import java.nio.file.*;\npublic class Main { public static void main(String[] a) { boolean leak = System.getenv().toString().contains(\"" + secret + "\") || Files.isReadable(Paths.get(\"/etc/shadow\")) || Files.exists(Paths.get(\"/root\")); System.out.println(leak ? \"LEAK\" : \"ok\"); } }", codementor.VerdictAccepted},
		{"infinite loop", "python", "while True:\n    pass\n", codementor.VerdictTimeLimitExceeded},
		{"sleep past the wall limit", "python", "import time\ntime.sleep(60)\n", codementor.VerdictTimeLimitExceeded},
		{"blocking on stdin", "c", "#include <unistd.h>\nint main(void){char b;read(0,&b,1);read(0,&b,1);pause();}", codementor.VerdictTimeLimitExceeded},
		{"output flood", "python", "while True:\n    print('x' * 1000)\n", codementor.VerdictOutputLimitExceeded},
		{"environment", "python", fmt.Sprintf(`import os
leaks = [k for k, v in os.environ.items() if %[1]q in v or k.startswith('CODEMENTOR')]
for p in os.listdir('/proc'):
    try:
        if %[1]q in open('/proc/%%s/environ' %% p, errors='replace').read():
            leaks.append(p)
    except OSError:
        pass
print('ok' if not leaks and len(os.environ) <= 5 else 'LEAK %%r %%r' %% (leaks, dict(os.environ)))
`, secret), codementor.VerdictAccepted},
		{"host files", "python", fmt.Sprintf(`import os
got = []
for f in ['/etc/shadow', %[1]q, '/proc/1/environ', '/root/.bash_history']:
    try:
        open(f).read(1)
        got.append(f)
    except OSError:
        pass
for d in ['/root', '/work', %[2]q, '/home']:
    try:
        if os.listdir(d):
            got.append(d)
    except OSError:
        pass
print('ok' if not got else 'READ %%r' %% got)
`, filepath.Join(dataDir, "dev-jwt-secret"), dataDir), codementor.VerdictAccepted},
		{"other processes", "python", `import os
pids = [p for p in os.listdir('/proc') if p.isdigit()]
seen = []
for p in pids:
    try:
        cmd = open('/proc/%s/cmdline' % p, 'rb').read()
        if b'codementor' in cmd or b'.test' in cmd or b'go-build' in cmd:
            seen.append(cmd[:80])
    except OSError:
        pass
print('ok' if not seen and len(pids) < 10 else 'SEE %r %d' % (seen, len(pids)))
`, codementor.VerdictAccepted},
		{"network to the host", "python", fmt.Sprintf(`import socket
reached = []
for host in ['127.0.0.1', 'localhost', '::1']:
    try:
        socket.create_connection((host, %d), timeout=1).close()
        reached.append(host)
    except OSError:
        pass
try:
    socket.getaddrinfo('example.com', 80)
    reached.append('dns')
except OSError:
    pass
print('ok' if not reached else 'REACHED %%r' %% reached)
`, port), codementor.VerdictAccepted},
		{"writing outside the box", "python", fmt.Sprintf(`import os
wrote = []
for f in [%q, %q, %q, %q, '/box/x', '/usr/x']:
    try:
        open(f, 'w').write('pwned')
        if not f.startswith('/tmp/'):
            wrote.append(f)
    except OSError:
        pass
print('ok' if not wrote else 'WROTE %%r' %% wrote)
`, hostFiles[0], hostFiles[1], hostFiles[2], hostFiles[3]), codementor.VerdictAccepted},
		{"symlink and hardlink tricks", "python", `import os
got = []
for target in ['/etc/shadow', '/proc/1/root/etc/shadow', '/proc/self/root/../../etc/shadow']:
    try:
        os.symlink(target, '/tmp/l')
        open('/tmp/l').read(1)
        got.append(target)
    except OSError:
        pass
    finally:
        try:
            os.unlink('/tmp/l')
        except OSError:
            pass
try:
    os.link('/etc/shadow', '/tmp/h')
    got.append('hardlink')
except OSError:
    pass
print('ok' if not got else 'GOT %r' % got)
`, codementor.VerdictAccepted},
		{"a daemon left behind", "python", fmt.Sprintf(`import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv('/bin/sleep', ['sleep', '%s.5'])
    os._exit(0)
print('ok')
`, "1"+strings.TrimPrefix(marker, "cmpwn")), codementor.VerdictAccepted},
		{"signalling other processes", "c", "#include <signal.h>\n#include <stdio.h>\n#include <unistd.h>\nint main(void){kill(-1,SIGKILL);kill(1,SIGKILL);kill(getppid(),SIGKILL);puts(\"ok\");return 0;}", codementor.VerdictAccepted},
		{"including a host secret", "c", "#include \"/etc/shadow\"\nint main(void){return 0;}", codementor.VerdictCompilationError},
		{"including /dev/zero", "c", "#include \"/dev/zero\"\nint main(void){return 0;}", codementor.VerdictCompilationError},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.lang, func(t *testing.T) {
			f := mallory.judgeOne(t, "probe", tt.lang, tt.code)
			if f.Verdict != tt.verdict && !(tt.verdict == forkBomb && (f.Verdict == codementor.VerdictTimeLimitExceeded || f.Verdict == codementor.VerdictMemoryLimitExceeded)) {
				out := ""
				if len(f.Tests) > 0 {
					out = fmt.Sprintf("%s %q %q", f.Tests[0].Message, f.Tests[0].Output, f.Tests[0].Stderr)
				}
				t.Errorf("verdict %s (status %s), want %s: %s %s", f.Verdict, f.Status, tt.verdict, out, f.CompileOutput)
			}
			if strings.Contains(f.CompileOutput, "root:") || strings.Contains(f.CompileOutput, string(jwtSecret)) {
				t.Errorf("the compiler's message leaks a host file: %q", f.CompileOutput)
			}
			for _, p := range hostFiles {
				if _, err := os.Stat(p); err == nil {
					os.Remove(p)
					t.Errorf("the program wrote %s on the host", p)
				}
			}
			if ps := hostProcesses(t, strings.TrimPrefix(marker, "cmpwn")); len(ps) > 0 {
				t.Errorf("processes left behind: %v", ps)
			}
			if code := mallory.do(t, "GET", "/readyz", nil, nil); code != 200 {
				t.Errorf("the server is not ready after the attack: %d", code)
			}
		})
	}
	// The other languages' bombs, all at once: their runtimes' own ways to
	// run out of memory must read as the memory limit.
	t.Run("memory bombs of every runtime", func(t *testing.T) {
		bombs := map[string]string{
			"typescript": "const a: number[][] = [];\nfor (;;) a.push(new Array(1 << 17).fill(1.5));\n",
			"rust":       "fn main() { let mut v: Vec<Vec<u8>> = Vec::new(); let mut n = 0u64; loop { let b = vec![1u8; 1 << 20]; n += b[(n as usize) % b.len()] as u64; v.push(b); if n == u64::MAX { println!(\"{}\", v.len()); } } }\n",
			"kotlin":     "fun main() { val l = ArrayList<LongArray>(); while (true) l.add(LongArray(1 shl 17)) }\n",
			"csharp":     "using System.Collections.Generic;\nclass P { static void Main() { var l = new List<long[]>(); for (;;) { var b = new long[1 << 17]; for (int i = 0; i < b.Length; i += 512) b[i] = 1; l.Add(b); } } }\n",
			"ruby":       "a = []\nloop { a << 'x' * (1 << 20) }\n",
			"php":        "<?php\n$a = [];\nwhile (true) { $a[] = str_repeat('x', 1 << 20); }\n",
			"perl":       "my @a;\nwhile (1) { push @a, 'x' x (1 << 20); }\n",
			"lua":        "local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1 << 20) .. #t end\n",
			"bash":       "a=x\nwhile :; do a=$a$a; done\n",
		}
		for lang, f := range judgeAll(t, in.Base, "probe", bombs) {
			if f.Verdict != codementor.VerdictMemoryLimitExceeded {
				t.Errorf("%s: verdict %s, want %s: %+v %s", lang, f.Verdict, codementor.VerdictMemoryLimitExceeded, f.Tests, f.CompileOutput)
			}
		}
	})
	t.Run("other runtimes' attacks", func(t *testing.T) {
		attacks := map[string]string{
			// A fork bomb of shells, and what PHP and Ruby can reach:
			// the server's environment, host files, the host's port.
			"bash": "while :; do ( while :; do :; done ) & done\n",
			"php": fmt.Sprintf(`<?php
$leak = getenv('CODEMENTOR_HOSTILE_SECRET') !== false || @file_get_contents('/etc/shadow') !== false || @is_dir('/root') || @file_get_contents(%q) !== false;
$sock = @fsockopen('127.0.0.1', %d, $errno, $errstr, 1);
echo ($leak || $sock) ? "LEAK\n" : "ok\n";
`, filepath.Join(dataDir, "dev-jwt-secret"), port),
			"ruby": fmt.Sprintf(`require 'socket'
leak = ENV.to_h.to_s.include?(%q) || File.readable?('/etc/shadow') || Dir.exist?('/root') || File.readable?(%q)
begin
  TCPSocket.new('127.0.0.1', %d).close
  leak = true
rescue SystemCallError
end
puts leak ? 'LEAK' : 'ok'
`, secret, filepath.Join(dataDir, "dev-jwt-secret"), port),
		}
		want := map[string]codementor.Verdict{"bash": forkBomb, "php": codementor.VerdictAccepted, "ruby": codementor.VerdictAccepted}
		for lang, f := range judgeAll(t, in.Base, "probe", attacks) {
			if f.Verdict != want[lang] && !(want[lang] == forkBomb && (f.Verdict == codementor.VerdictTimeLimitExceeded || f.Verdict == codementor.VerdictMemoryLimitExceeded)) {
				t.Errorf("%s: verdict %s, want %s: %+v %s", lang, f.Verdict, want[lang], f.Tests, f.CompileOutput)
			}
		}
	})
	if n := connections.Load(); n != 0 {
		t.Errorf("sandboxed programs connected to the host %d times", n)
	}
}

// forkBomb stands for time_limit_exceeded or memory_limit_exceeded.
const forkBomb = "time or memory limit exceeded"

func waitQuestion(t *testing.T, c *client, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.do(t, "GET", "/api/questions/"+id, nil, nil) != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("question %s did not appear", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
