package cgroups

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"
)

func TestParsing(t *testing.T) {
	if d, ok := boxinit.CgroupCPUUsage([]byte("123456789\n")); !ok || d != 123456789 {
		t.Errorf("v1 usage: %v %v", d, ok)
	}
	if d, ok := boxinit.CgroupCPUUsage([]byte("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n")); !ok || d != 1500*time.Microsecond {
		t.Errorf("v2 usage: %v %v", d, ok)
	}
	if s := unescapeMount(`/sys/fs/cgroup/a\040b`); s != "/sys/fs/cgroup/a b" {
		t.Errorf("unescape: %q", s)
	}
	for _, c := range []struct {
		m          cgroupMount
		path, want string
	}{
		{cgroupMount{"/sys/fs/cgroup", "/"}, "/user.slice/x.service", "/sys/fs/cgroup/user.slice/x.service"},
		{cgroupMount{"/sys/fs/cgroup/memory", "/docker/abc"}, "/docker/abc/sub", "/sys/fs/cgroup/memory/sub"},
		{cgroupMount{"/sys/fs/cgroup/memory", "/docker/abc"}, "/other", ""},
		{cgroupMount{"/sys/fs/cgroup", "/"}, "/../x", ""},
	} {
		got, err := groupDir(c.m, c.path)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("groupDir(%v, %q) = %q, %v; want %q", c.m, c.path, got, err, c.want)
		}
	}
	f := filepath.Join(t.TempDir(), "memory.events")
	if err := os.WriteFile(f, []byte("low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := readKeyed(f, "oom_kill"); err != nil || n != 1 {
		t.Errorf("readKeyed: %d %v", n, err)
	}
}
