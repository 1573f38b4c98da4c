package sandbox

import (
	"context"
	"strings"
	"testing"
)

// stateProgram plants, on "plant", everything a run could leave for the next
// run of the same sandbox; on "check", it reports what it finds.
const stateProgram = `#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int lines(const char *path) {
	FILE *f = fopen(path, "r");
	if (!f) return -1;
	int n = 0, c;
	while ((c = fgetc(f)) != EOF) if (c == '\n') n++;
	fclose(f);
	return n - 1; /* a header line */
}

static int entries(const char *path) {
	DIR *d = opendir(path);
	if (!d) return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
	closedir(d);
	return n;
}

static int processes(void) {
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) if (e->d_name[0] >= '0' && e->d_name[0] <= '9') n++;
	closedir(d);
	return n;
}

int main(void) {
	char cmd[16] = "";
	if (scanf("%15s", cmd) != 1) return 2;
	if (!strcmp(cmd, "plant")) {
		FILE *f = fopen("/tmp/secret", "w"); fputs("hidden test input", f); fclose(f);
		mkdir("/tmp/d", 0700); f = fopen("/tmp/d/f", "w"); fclose(f); chmod("/tmp/d", 0);
		symlink("/etc/passwd", "/tmp/link");
		mkfifo("/tmp/fifo", 0600);
		int shm = shmget(1234, 4096, IPC_CREAT | 0600);
		int sem = semget(1235, 1, IPC_CREAT | 0600);
		int msg = msgget(1236, IPC_CREAT | 0600);
		long key = syscall(SYS_add_key, "user", "secret", "42", 2, -4 /* KEY_SPEC_USER_KEYRING */);
		mqd_t mq = mq_open("/q", O_CREAT | O_RDWR, 0600, NULL);
		if (fork() == 0) { setsid(); if (fork() == 0) { sleep(30); _exit(0); } _exit(0); }
		printf("planted shm=%d sem=%d msg=%d key=%d mq=%d\n", shm >= 0, sem >= 0, msg >= 0, key >= 0, mq != (mqd_t)-1);
		return 0;
	}
	long key = syscall(SYS_keyctl, 10 /* KEYCTL_SEARCH */, -4, "user", "secret", 0);
	printf("tmp=%d shm=%d sem=%d msg=%d key=%d procs=%d\n", entries("/tmp"), lines("/proc/sysvipc/shm"),
		lines("/proc/sysvipc/sem"), lines("/proc/sysvipc/msg"), key >= 0, processes());
	return 0;
}
`

// TestRunsIsolated checks that a run finds nothing of the runs before it in
// the same sandbox: files in /tmp, System V IPC objects, keys (which the
// filter keeps from being made), processes.
func TestRunsIsolated(t *testing.T) {
	p := compile(t, "c", stateProgram)
	ctx := context.Background()
	e, err := p.Run(ctx, []byte("plant"), testLimits)
	// Keys cannot be made at all: the seccomp filter refuses add_key.
	if err != nil || !strings.HasPrefix(string(e.Stdout), "planted shm=1 sem=1 msg=1 key=0 mq=0") {
		t.Fatalf("plant: %v %s", err, describe(e))
	}
	for i := 0; i < 2; i++ {
		e, err = p.Run(ctx, []byte("check"), testLimits)
		// Processes: the helper (PID 1) and the program.
		if err != nil || string(e.Stdout) != "tmp=0 shm=0 sem=0 msg=0 key=0 procs=2\n" {
			t.Errorf("check %d: %v %s", i, err, describe(e))
		}
	}
	p.mu.Lock()
	boxes := len(p.idle)
	p.mu.Unlock()
	if boxes != 1 {
		t.Errorf("%d idle sandboxes, want the same one throughout", boxes)
	}
}

// TestHelperTampering checks that a program that changes what the helper
// would hand down to the next program (its rlimits) gets the sandbox
// discarded, and that the next run does not notice.
func TestHelperTampering(t *testing.T) {
	p := compile(t, "python", `import resource, sys
if sys.stdin.read() == "tamper":
    resource.prlimit(1, resource.RLIMIT_NOFILE, (8, 8))
print(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
`)
	ctx := context.Background()
	first := p.idleBox(t)
	if e, err := p.Run(ctx, []byte("tamper"), testLimits); err != nil || string(e.Stdout) != "64\n" {
		t.Fatalf("tamper: %v %s", err, describe(e))
	}
	// The helper finds out after its report, and refuses the next run,
	// which goes to a new sandbox.
	if e, err := p.Run(ctx, nil, testLimits); err != nil || string(e.Stdout) != "64\n" {
		t.Errorf("after: %v %s", err, describe(e))
	}
	if b := p.idleBox(t); b == first || b == nil {
		t.Error("the tampered sandbox was kept")
	}
}

// idleBox returns the program's idle sandbox, nil if none.
func (p *Program) idleBox(t *testing.T) *box {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) == 0 {
		return nil
	}
	return p.idle[len(p.idle)-1]
}
