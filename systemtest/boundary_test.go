package systemtest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	codementor "github.com/codementor/codementor"
)

// The sandbox's boundary, through the API: each finding of the security
// review of the sandbox (issue 13) as a hostile submission, in each
// language where it applies. The host's side (files, processes, the server
// still ready) is TestHostileCode's; here the boxes keep the tests secret
// and the learners apart.

// starterNeedles returns pieces of the starter questions that no box may
// hold: the start of a question's file as the service embeds it, and a
// piece of its longest hidden input, each 32 bytes, in hex.
func starterNeedles(t *testing.T) []string {
	t.Helper()
	var needles []string
	for _, name := range []string{"two-sum", "a-plus-b", "word-frequency"} {
		raw, err := os.ReadFile("../questions/starter/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		needles = append(needles, hex.EncodeToString(raw[:32]))
		var q codementor.Question
		if err := json.Unmarshal(raw, &q); err != nil {
			t.Fatal(err)
		}
		longest := ""
		for _, tc := range q.Tests {
			if tc.Hidden && len(tc.Input) > len(longest) {
				longest = tc.Input
			}
		}
		if len(longest) >= 64 {
			mid := len(longest) / 2
			needles = append(needles, hex.EncodeToString([]byte(longest[mid:mid+32])))
		}
	}
	return needles
}

// hiddenTests returns the hidden tests of a submission as its JSON has
// them, keys and all.
func hiddenTests(t *testing.T, c *client, id string) []map[string]any {
	t.Helper()
	code, _, body := c.raw(t, "GET", "/api/submissions/"+id, nil)
	if code != 200 {
		t.Fatalf("GET submission %s: %d", id, code)
	}
	var sub struct {
		Tests []map[string]any `json:"tests"`
	}
	if err := json.Unmarshal(body, &sub); err != nil {
		t.Fatal(err)
	}
	var hidden []map[string]any
	for _, tr := range sub.Tests {
		if tr["hidden"] == true {
			hidden = append(hidden, tr)
		}
	}
	return hidden
}

// runningThen submits a's code for learner ca, waits until it runs, then
// judges b's code for learner cb while a still runs, and returns b's final
// state (a's is waited for too).
func runningThen(t *testing.T, ca *client, qa, la, a string, cb *client, qb, lb, b string) *codementor.Submission {
	t.Helper()
	first := ca.submit(t, qa, la, a)
	deadline := time.Now().Add(finalWithin)
	for {
		var s codementor.Submission
		if code := ca.do(t, "GET", "/api/submissions/"+first.ID, nil, &s); code != 200 {
			t.Fatalf("GET %s: %d", first.ID, code)
		}
		if s.Status == codementor.StatusRunning && s.TestCount > 0 {
			break
		}
		if s.Final() || time.Now().After(deadline) {
			t.Fatalf("the first submission did not run: %+v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // its program is under way
	second := cb.judgeOne(t, qb, lb, b)
	ca.stream(t, "/api/submissions/"+first.ID+"/events", "").untilFinal(t, first.ID, finalWithin)
	return second
}

func TestSandboxBoundary(t *testing.T) {
	in := start(t, t.TempDir())
	admin := login(t, in.Base, "admin", true)
	alice := login(t, in.Base, testUser("alice"), false)
	bob := login(t, in.Base, testUser("bob"), false)
	questions := map[string]map[string]any{
		// One sample, three hidden tests whose inputs start differently,
		// all run whatever fails.
		"leak": {"title": "Leak", "statement": "Prints ok.", "time_limit_ms": 1000, "memory_limit_mb": 128, "run_all_tests": true,
			"tests": []map[string]any{{"input": "s\n", "output": "ok\n"}, {"input": "A\n", "output": "ok\n", "hidden": true},
				{"input": "B\n", "output": "ok\n", "hidden": true}, {"input": "C\n", "output": "ok\n", "hidden": true}}},
		// A neighbour's long, busy run.
		"spin": {"title": "Spin", "statement": "Spins.", "time_limit_ms": 3000, "memory_limit_mb": 64,
			"tests": []map[string]any{{"input": "go\n", "output": "ok\n"}}},
		// A neighbour that holds on to things until its wall limit.
		"hold": {"title": "Hold", "statement": "Holds.", "time_limit_ms": 1000, "memory_limit_mb": 64,
			"tests": []map[string]any{{"input": "go\n", "output": "ok\n"}}},
		"busy": {"title": "Busy", "statement": "Counts.", "time_limit_ms": 500, "memory_limit_mb": 64,
			"tests": []map[string]any{{"input": "go\n", "output": "ok\n"}}},
		"probe": probe,
	}
	for id, q := range questions {
		if code := admin.do(t, "PUT", "/api/questions/"+id, q, nil); code != 201 {
			t.Fatalf("create question %s: %d", id, code)
		}
		waitQuestion(t, alice, id)
	}
	waitQuestion(t, alice, "two-sum-function")
	needles := starterNeedles(t)

	t.Run("the helper holds no question", func(t *testing.T) {
		py := fmt.Sprintf(`needles = [bytes.fromhex(h) for h in %q.split()]
found, size = [], 0
for f in ['/sandbox-init', '/proc/1/exe']:
    try:
        data = open(f, 'rb').read()
    except OSError:
        continue
    if f == '/sandbox-init':
        size = len(data)
    found += [f for n in needles if n in data]
print('ok' if not found and 100000 < size < 8 << 20 else 'FOUND %%r in %%d bytes' %% (found, size))
`, strings.Join(needles, " "))
		var cNeedles []string
		for _, h := range needles {
			b, _ := hex.DecodeString(h)
			cNeedles = append(cNeedles, fmt.Sprintf("%q", string(b)))
		}
		c := `#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
__asm__(".section .rodata\n.global blob\nblob:\n.incbin \"/sandbox-init\"\n.global blob_end\nblob_end:\n.previous\n");
extern const char blob[], blob_end[];
static const char *needles[] = {` + strings.Join(cNeedles, ", ") + `};
int main(void) {
	for (unsigned i = 0; i < sizeof needles / sizeof *needles; i++)
		if (memmem(blob, blob_end - blob, needles[i], 32)) { printf("FOUND %u\n", i); return 0; }
	puts(blob_end - blob > 100000 ? "ok" : "tiny");
	return 0;
}
`
		for lang, code := range map[string]string{"python": "import sys\n" + py, "c": c} {
			if f := alice.judgeOne(t, "probe", lang, code); f.Verdict != codementor.VerdictAccepted {
				t.Errorf("%s: %s %+v %s", lang, f.Verdict, f.Tests, f.CompileOutput)
			}
		}
	})

	t.Run("hidden tests tell their verdict alone", func(t *testing.T) {
		exits := map[string]string{
			"python":     "import sys\nd = sys.stdin.buffer.read()\nsys.exit(d[0] if d else 0)\n",
			"c":          "#include <stdio.h>\nint main(void){int c = getchar(); return c < 0 ? 0 : c;}\n",
			"cpp":        "#include <cstdio>\nint main(){int c = std::getchar(); return c < 0 ? 0 : c;}\n",
			"java":       "public class Main { public static void main(String[] a) throws Exception { int c = System.in.read(); System.exit(c < 0 ? 0 : c); } }\n",
			"go":         "package main\n\nimport \"os\"\n\nfunc main() {\n\tb := make([]byte, 1)\n\tif n, _ := os.Stdin.Read(b); n == 1 {\n\t\tos.Exit(int(b[0]))\n\t}\n}\n",
			"javascript": "const d = require('fs').readFileSync(0);\nprocess.exit(d.length ? d[0] : 0);\n",
			"typescript": "import { readFileSync } from 'fs';\nconst d = readFileSync(0);\nprocess.exit(d.length ? d[0] : 0);\n",
			"rust":       "use std::io::Read;\nfn main() { let mut b = [0u8; 1]; let n = std::io::stdin().read(&mut b).unwrap(); std::process::exit(if n == 1 { b[0] as i32 } else { 0 }); }\n",
			"kotlin":     "fun main() { val c = System.`in`.read(); kotlin.system.exitProcess(if (c < 0) 0 else c) }\n",
			"csharp":     "class P { static int Main() { int c = System.Console.OpenStandardInput().ReadByte(); return c < 0 ? 0 : c; } }\n",
			"ruby":       "c = $stdin.getbyte\nexit(c || 0)\n",
			"php":        "<?php\n$c = fgetc(STDIN);\nexit($c === false ? 0 : ord($c));\n",
			"perl":       "my $c = getc(STDIN);\nexit(defined $c ? ord($c) : 0);\n",
			"lua":        "local c = io.read(1)\nos.exit(c and c:byte() or 0)\n",
			"bash":       "IFS= read -r -n1 c\nexit $(printf '%d' \"'$c\")\n",
		}
		// Submitted all at once, each language by a learner of its own.
		for lang, f := range judgeAll(t, in.Base, "leak", exits) {
			if f.Verdict != codementor.VerdictRuntimeError || len(f.Tests) != 4 {
				t.Errorf("%s: %s %+v %s", lang, f.Verdict, f.Tests, f.CompileOutput)
				continue
			}
			if f.Tests[0].ExitCode != 's' {
				t.Errorf("%s: the sample test shows exit code %d, want %d", lang, f.Tests[0].ExitCode, 's')
			}
			hidden := hiddenTests(t, f.learner, f.ID)
			if len(hidden) != 3 {
				t.Fatalf("%s: %d hidden tests", lang, len(hidden))
			}
			for _, tr := range hidden {
				for _, k := range []string{"exit_code", "signal", "output", "stderr", "input", "expected"} {
					if v, ok := tr[k]; ok {
						t.Errorf("%s: a hidden test shows %s %v", lang, k, v)
					}
				}
				if tr["message"] != hidden[0]["message"] || strings.ContainsAny(fmt.Sprint(tr["message"]), "0123456789") {
					t.Errorf("%s: hidden messages differ or hold a number: %q, %q", lang, tr["message"], hidden[0]["message"])
				}
			}
		}
	})

	t.Run("a neighbour's processes cannot starve a run", func(t *testing.T) {
		spinner := "#define _GNU_SOURCE\n#include <stdio.h>\n#include <unistd.h>\nint main(void){for(int i=0;i<60;i++){if(fork()==0){setsid();for(;;);}}puts(\"spinning\");fflush(stdout);for(;;);}\n"
		busy := "s = 0\nfor i in range(2000000):\n    s += i\nprint('ok')\n"
		f := runningThen(t, alice, "spin", "c", spinner, bob, "busy", "python", busy)
		if f.Verdict != codementor.VerdictAccepted {
			t.Errorf("a run beside 60 spinners: %s %+v", f.Verdict, f.Tests)
		}
	})

	t.Run("per-uid kernel state stays in its box", func(t *testing.T) {
		// Every inotify instance and pending signal a uid may have: taken
		// by one box, they must not be missing in another.
		hog := `#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>
int main(void) {
	for (int k = 0; k < 3; k++) if (fork() == 0) { while (inotify_init1(0) >= 0); pause(); }
	sigset_t s; sigemptyset(&s); sigaddset(&s, SIGRTMIN); sigprocmask(SIG_BLOCK, &s, 0);
	union sigval v = {0}; int q = 0;
	while (sigqueue(getpid(), SIGRTMIN, v) == 0) q++;
	printf("holding %d\n", q); fflush(stdout);
	pause();
}
`
		check := `#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>
int main(void) {
	sigset_t s; sigemptyset(&s); sigaddset(&s, SIGRTMIN); sigprocmask(SIG_BLOCK, &s, 0);
	union sigval v = {0};
	int in = inotify_init1(0), q = sigqueue(getpid(), SIGRTMIN, v);
	printf(in >= 0 && q == 0 ? "ok\n" : "inotify %d sigqueue %d\n", in, q);
	return 0;
}
`
		f := runningThen(t, alice, "hold", "c", hog, bob, "probe", "c", check)
		if f.Verdict != codementor.VerdictAccepted {
			t.Errorf("beside a box holding its uid's inotify instances and pending signals: %s %+v", f.Verdict, f.Tests)
		}
	})

	t.Run("the kernel's dangerous calls are refused", func(t *testing.T) {
		// Each call must fail with EPERM (1); a program prints ok if all do.
		c := `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static int bad = 0;
static void want(const char *what, long r) { if (!(r < 0 && errno == EPERM)) { printf("%s: %ld errno %d\n", what, r, errno); bad = 1; } }
int main(void) {
	char buf[256] = {0};
	want("io_uring_setup", syscall(SYS_io_uring_setup, 1, buf));
	want("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC | 1));
	want("perf_event_open", syscall(SYS_perf_event_open, buf, 0, -1, -1, 0));
	want("bpf", syscall(SYS_bpf, 0, buf, 64));
	want("add_key", syscall(SYS_add_key, "user", "k", "v", 1, -4));
	want("keyctl", syscall(SYS_keyctl, 0, -4, 0, 0, 0));
	want("personality", personality(ADDR_NO_RANDOMIZE));
	want("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, "/usr", buf, buf + 128, 0));
	want("fanotify_init", syscall(SYS_fanotify_init, 0, 0));
	want("unshare", unshare(CLONE_NEWUSER));
	want("mount", mount("none", "/tmp", "tmpfs", 0, 0));
	want("socket AF_NETLINK", socket(AF_NETLINK, SOCK_RAW, 0));
	want("socket AF_VSOCK", socket(40, SOCK_STREAM, 0));
	want("socket AF_PACKET", socket(AF_PACKET, SOCK_RAW, 0));
	int fd = open("/usr/bin/true", O_RDONLY);
	want("flock", flock(fd, LOCK_EX | LOCK_NB));
	pid_t child = fork();
	if (child == 0) { pause(); _exit(0); }
	want("ptrace attach", ptrace(PTRACE_ATTACH, child, 0, 0));
	kill(child, SIGKILL); waitpid(child, 0, 0);
	if (!bad) puts("ok");
	return 0;
}
`
		py := `import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
bad = []
def want(what, r):
    if not (r < 0 and ctypes.get_errno() == errno.EPERM):
        bad.append((what, r, ctypes.get_errno()))
want('io_uring_setup', libc.syscall(425, 1, ctypes.create_string_buffer(256)))
want('userfaultfd', libc.syscall(323, 0o2000000 | 1))
want('add_key', libc.syscall(248, b'user', b'k', b'v', 1, -4))
want('ptrace attach', libc.syscall(101, 16, 1, 0, 0))
for fam in (16, 17, 40):  # AF_NETLINK, AF_PACKET, AF_VSOCK
    try:
        socket.socket(fam, socket.SOCK_RAW if fam != 40 else socket.SOCK_STREAM)
        bad.append(('socket', fam))
    except PermissionError:
        pass
    except OSError as e:
        bad.append(('socket', fam, e.errno))
print('ok' if not bad else 'ALLOWED %r' % bad)
`
		goProg := `package main

import (
	"fmt"
	"syscall"
)

func main() {
	var bad []string
	for name, nr := range map[string]uintptr{"io_uring_setup": 425, "userfaultfd": 323, "perf_event_open": 298, "bpf": 321, "keyctl": 250} {
		if _, _, e := syscall.RawSyscall(nr, 0, 0, 0); e != syscall.EPERM {
			bad = append(bad, fmt.Sprint(name, " ", e))
		}
	}
	if _, err := syscall.Socket(40, syscall.SOCK_STREAM, 0); err != syscall.EPERM {
		bad = append(bad, fmt.Sprint("vsock ", err))
	}
	if len(bad) == 0 {
		fmt.Println("ok")
	} else {
		fmt.Println(bad)
	}
}
`
		for lang, code := range map[string]string{"c": c, "python": py, "go": goProg} {
			if f := alice.judgeOne(t, "probe", lang, code); f.Verdict != codementor.VerdictAccepted {
				t.Errorf("%s: %s %+v %s", lang, f.Verdict, f.Tests, f.CompileOutput)
			}
		}
	})

	t.Run("compile output is bounded", func(t *testing.T) {
		var src strings.Builder
		src.WriteString("public class Main { public static void main(String[] a) { System.out.println(Big.B.length()); } }\n")
		src.WriteString("interface Big { String A = \"" + strings.Repeat("x", 1000) + "\"; String B = A" + strings.Repeat("+A", 63) + "; }\n")
		for i := range 1500 {
			src.WriteString("class K" + strconv.Itoa(i) + " { String s = Big.B; }\n")
		}
		f := alice.judgeOne(t, "probe", "java", src.String())
		if f.Verdict != codementor.VerdictCompilationError || !strings.Contains(f.CompileOutput, "the limit of its output") {
			t.Errorf("%s: %.500s", f.Verdict, f.CompileOutput)
		}
	})

	t.Run("the driver never shows", func(t *testing.T) {
		// two-sum-function's drivers call twoSum(nums, target).
		crash := map[string]string{
			"python":     "def twoSum(nums, target):\n    return nums[10**9]\n",
			"java":       "class Solution { int[] twoSum(int[] nums, int target) { throw new IllegalStateException(\"learner\"); } }\n",
			"javascript": "function twoSum(nums, target) { throw new Error('learner'); }\nmodule.exports = { twoSum };\n",
			"go":         "package main\n\nfunc twoSum(nums []int, target int) []int {\n\tpanic(\"learner\")\n}\n",
			"c":          "int *two_sum_missing(void) { return 0; }\n",
			"typescript": "export function twoSum(nums: number[], target: number): number[] { throw new Error('learner'); }\n",
			"rust":       "pub fn two_sum(nums: Vec<i32>, target: i32) -> Vec<i32> { panic!(\"learner {} {}\", nums.len(), target) }\n",
			"kotlin":     "class Solution { fun twoSum(nums: IntArray, target: Int): IntArray { throw IllegalStateException(\"learner\") } }\n",
			"csharp":     "public class Solution { public int[] TwoSum(int[] nums, int target) { throw new System.InvalidOperationException(\"learner\"); } }\n",
			"ruby":       "def two_sum(nums, target)\n  raise 'learner'\nend\n",
			"php":        "<?php\nfunction twoSum(array $nums, int $target): array { throw new Exception('learner'); }\n",
			"perl":       "sub two_sum { die 'learner' }\n1;\n",
			"lua":        "function two_sum(nums, target)\n  error('learner')\nend\n",
			"bash":       "two_sum() {\n  no_such_learner_command \"$1\"\n}\n",
		}
		// The driver's files; TypeScript's is main.js too, once compiled.
		driverFile := map[string]string{"python": "main.py", "java": "Main.java", "javascript": "main.js", "go": "main.go", "c": "main.c",
			"typescript": "main.ts", "rust": "main.rs", "kotlin": "main.kt", "csharp": "main.cs", "ruby": "main.rb", "php": "main.php",
			"perl": "main.pl", "lua": "main.lua", "bash": "main.sh"}
		// Submitted all at once, each language by a learner of its own.
		for lang, f := range judgeAll(t, in.Base, "two-sum-function", crash) {
			shown := f.CompileOutput
			if len(f.Tests) > 0 {
				shown += f.Tests[0].Stderr + f.Tests[0].Message
			}
			if shown == "" || strings.Contains(shown, driverFile[lang]) || (lang == "typescript" && strings.Contains(shown, "main.js")) {
				t.Errorf("%s (%s): the driver shows, or nothing does:\n%s", lang, f.Verdict, shown)
			}
		}
	})

	t.Run("what a program says is not a limit", func(t *testing.T) {
		for _, c := range []struct {
			name, lang, code string
			verdict          codementor.Verdict
		}{
			{"SIGXCPU sent to itself", "c", "#include <signal.h>\n#include <unistd.h>\nint main(void){kill(getpid(), SIGXCPU); pause(); return 0;}\n", codementor.VerdictRuntimeError},
			{"out of memory on stderr", "c", "#include <stdio.h>\nint main(void){fputs(\"out of memory\\n\", stderr); return 1;}\n", codementor.VerdictRuntimeError},
			{"node past its heap", "javascript", "const a = [];\nfor (;;) a.push(new Array(1 << 16).fill(1.5));\n", codementor.VerdictMemoryLimitExceeded},
		} {
			if f := alice.judgeOne(t, "probe", c.lang, c.code); f.Verdict != c.verdict {
				t.Errorf("%s: %s, want %s (%+v)", c.name, f.Verdict, c.verdict, f.Tests)
			}
		}
	})
}
