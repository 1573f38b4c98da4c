// Package cgroups gives the sandbox's boxes control groups: one per box
// (a Program's sandbox), created by the service under a parent group
// "codementor" beside its own group, holding the box's helper and so every
// program it starts (they are born in it: no migration per run, which after
// a quiet spell waits for an RCU grace period, milliseconds). Per run the
// service limits the resident memory (swap included: none) above what the
// group holds, and measures by difference the CPU time of everything the run
// started, its peak memory and whether the kernel's OOM killer struck;
// pids.max bounds processes and threads. The service moves the helper in
// while the box starts, and removes the group once the box is gone.
//
// Both hierarchies are supported: cgroup v2 (memory.max, memory.swap.max,
// memory.peak, memory.events, pids.max, cpu.stat, cgroup.kill) and cgroup
// v1 (the memory, pids and cpuacct hierarchies: memory.limit_in_bytes,
// memory.memsw.limit_in_bytes, memory.max_usage_in_bytes,
// memory.oom_control, pids.max, cpuacct.usage).
package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"

	"golang.org/x/sys/unix"
)

const cgroupParent = "codementor"

// removeWithin bounds the wait for a group's killed processes to be gone
// when it is removed.
const removeWithin = 5 * time.Second

// Hierarchy is this machine's usable cgroup setup: the boxes' parent groups.
type Hierarchy struct {
	v2 bool
	// memory, pids and cpu are the parent groups of the runs in each
	// controller's hierarchy; all three are the same directory in v2.
	memory, pids, cpu string
	// weight is the parent group in the v1 cpu controller's hierarchy,
	// where boxes get their CPU weight and cap, if it is mounted apart
	// from cpuacct; "" otherwise. weighted says boxes get them at all.
	weight   string
	weighted bool
	// idle says the parent group is an idle group (cpu.idle): boxes get
	// only the CPU the service leaves.
	idle   bool
	prefix string // of the boxes' group names: "run-<pid>-"
}

// CPU. The boxes' parent group yields to the service: it is an idle group
// (cpu.idle, Linux 5.15+), scheduled like SCHED_IDLE tasks, so that a
// thread of the service (or of whatever else runs beside it) that wakes up
// takes a CPU from a box at once, and boxes share the CPU the service leaves.
// Where cpu.idle is missing, the parent weighs half a default group. Each box
// weighs the default, so boxes share what is left equally however many
// processes each forks, and each is capped (RunCPUs, CompileCPUs of CPU time
// per second of wall time).
const (
	boxesWeightV1, boxWeightV1 = 512, 1024 // cpu.shares; the default is 1024
	boxesWeightV2, boxWeightV2 = 50, 100   // cpu.weight; the default is 100
	cpuPeriodUS                = 100000
)

// RunCPUs and CompileCPUs are the caps NewGroup is given: a run's box is
// capped at one CPU; a compiler's at two (javac and the JVM compile in
// threads of their own).
const RunCPUs, CompileCPUs = 1, 2

// cgroupSeq numbers the groups this process makes, whichever Hierarchy
// makes them.
var cgroupSeq atomic.Uint64

// Group is the control group of a box: its helper and every program it
// runs. The programs are born in it (no migration per run: after a quiet
// spell a migration waits for an RCU grace period, milliseconds); each run's
// measures are differences, and its memory limit is set above what the
// group holds when it begins.
type Group struct {
	cg   *Hierarchy
	dirs []string // memory, pids, cpuacct in v1; one in v2
	cpu  *os.File // the CPU usage file, handed to the helper
	peak *os.File // v2's memory.peak, reset per run; nil if not resettable
	// usage, maxUsage and events are the files read (and, maxUsage,
	// written) per run, kept open: v1's memory.usage_in_bytes,
	// memory.max_usage_in_bytes and memory.oom_control, v2's
	// memory.current and memory.events (no maxUsage).
	usage, maxUsage, events *os.File
	limit                   int64 // the memory limit set last (v1); none at first
	// allowance is the memory the last run was allowed, kills the OOM
	// kill count after it.
	allowance, kills int64
	// processes is the group's pids.max.
	processes int
}

// Stats is what a box's group measured of a run.
type Stats struct {
	CPU       time.Duration
	PeakBytes int64
	OOMKills  int64
}

// Detect finds the hierarchy this process can use and prepares the
// parent group, or says why it cannot.
func Detect() (*Hierarchy, error) {
	mounts, err := cgroupMounts()
	if err != nil {
		return nil, err
	}
	own, err := ownCgroups()
	if err != nil {
		return nil, err
	}
	c := &Hierarchy{prefix: fmt.Sprintf("run-%d-", os.Getpid())}
	var errs []error
	if m, ok := mounts[""]; ok {
		if err := c.setupV2(m, own[""]); err == nil {
			return c, nil
		} else {
			errs = append(errs, fmt.Errorf("cgroup v2: %w", err))
		}
	}
	if err := c.setupV1(mounts, own); err == nil {
		return c, nil
	} else {
		errs = append(errs, fmt.Errorf("cgroup v1: %w", err))
	}
	return nil, errors.Join(errs...)
}

// cgroupMount is a mounted hierarchy: where, and which part of it.
type cgroupMount struct{ point, root string }

// cgroupMounts returns the cgroup hierarchies mounted here, by controller
// ("" for the v2 hierarchy), from /proc/self/mountinfo.
func cgroupMounts() (map[string]cgroupMount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mounts := map[string]cgroupMount{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root point options [optional...] - type source super
		fields := strings.Fields(sc.Text())
		sep := slices.Index(fields, "-")
		if sep < 0 || sep+3 >= len(fields) || len(fields) < 5 {
			continue
		}
		m := cgroupMount{point: unescapeMount(fields[4]), root: unescapeMount(fields[3])}
		switch fields[sep+1] {
		case "cgroup2":
			if _, ok := mounts[""]; !ok {
				mounts[""] = m
			}
		case "cgroup":
			for _, opt := range strings.Split(fields[sep+3], ",") {
				if _, ok := mounts[opt]; !ok {
					mounts[opt] = m
				}
			}
		}
	}
	return mounts, sc.Err()
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownCgroups returns this process's group in each hierarchy, by controller
// ("" for v2), from /proc/self/cgroup.
func ownCgroups() (map[string]string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, err
	}
	own := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			own[""] = parts[2]
			continue
		}
		for _, ctrl := range strings.Split(parts[1], ",") {
			own[ctrl] = parts[2]
		}
	}
	return own, nil
}

// groupDir returns the directory of group path (as /proc/self/cgroup says
// it) under mount m.
func groupDir(m cgroupMount, path string) (string, error) {
	if path == "" {
		return "", errors.New("this process is in no group of the hierarchy")
	}
	rel, ok := strings.CutPrefix(path, m.root)
	if m.root == "/" {
		rel, ok = path, true
	}
	if !ok || strings.Contains(path, "/..") {
		return "", fmt.Errorf("group %s is outside the mounted part %s", path, m.root)
	}
	return filepath.Join(m.point, rel), nil
}

func (c *Hierarchy) setupV2(m cgroupMount, path string) error {
	own, err := groupDir(m, path)
	if err != nil {
		return err
	}
	need := []string{"memory", "pids"}
	avail, err := os.ReadFile(filepath.Join(own, "cgroup.controllers"))
	if err != nil {
		return err
	}
	for _, ctrl := range need {
		if !slices.Contains(strings.Fields(string(avail)), ctrl) {
			return fmt.Errorf("controller %s not available in %s (cgroup.controllers: %q)", ctrl, own, strings.TrimSpace(string(avail)))
		}
	}
	enable := "+memory +pids"
	if err := enableControllers(own, need, enable); errors.Is(err, unix.EBUSY) {
		// "No internal processes": a group with processes cannot hand
		// controllers to children. Move this process to a leaf of its own.
		leaf := filepath.Join(own, cgroupParent+"-service")
		if err := os.Mkdir(leaf, 0o755); err != nil && !os.IsExist(err) {
			return err
		}
		if err := writeFile(filepath.Join(leaf, "cgroup.procs"), strconv.Itoa(os.Getpid())); err != nil {
			return fmt.Errorf("move this process to %s: %w", leaf, err)
		}
		if err := enableControllers(own, need, enable); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	parent := filepath.Join(own, cgroupParent)
	if err := os.Mkdir(parent, 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	if err := enableControllers(parent, need, enable); err != nil {
		return err
	}
	c.v2 = true
	c.memory, c.pids, c.cpu = parent, parent, parent
	// The cpu controller is optional: without it boxes are unweighted.
	if slices.Contains(strings.Fields(string(avail)), "cpu") &&
		enableControllers(own, []string{"cpu"}, "+cpu") == nil && enableControllers(parent, []string{"cpu"}, "+cpu") == nil {
		c.idle, c.weighted = yieldCPU(parent, "cpu.weight", boxesWeightV2)
	}
	return c.probe()
}

// yieldCPU makes parent, the boxes' parent group in the cpu controller, an
// idle group, or where the kernel has no cpu.idle gives it weight in
// weightFile. It reports which, and whether either worked.
func yieldCPU(parent, weightFile string, weight int) (idle, ok bool) {
	if writeFile(filepath.Join(parent, "cpu.idle"), "1") == nil {
		return true, true
	}
	return false, writeFile(filepath.Join(parent, weightFile), strconv.Itoa(weight)) == nil
}

// enableControllers makes sure dir hands the controllers need to its
// children.
func enableControllers(dir string, need []string, enable string) error {
	have, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	for _, ctrl := range need {
		if !slices.Contains(strings.Fields(string(have)), ctrl) {
			return writeFile(filepath.Join(dir, "cgroup.subtree_control"), enable)
		}
	}
	return nil
}

func (c *Hierarchy) setupV1(mounts map[string]cgroupMount, own map[string]string) error {
	dirs := map[string]string{}
	for _, ctrl := range []string{"memory", "pids", "cpuacct"} {
		m, ok := mounts[ctrl]
		if !ok {
			return fmt.Errorf("no %s hierarchy mounted", ctrl)
		}
		dir, err := groupDir(m, own[ctrl])
		if err != nil {
			return fmt.Errorf("%s: %w", ctrl, err)
		}
		parent := filepath.Join(dir, cgroupParent)
		if err := os.Mkdir(parent, 0o755); err != nil && !os.IsExist(err) {
			return err
		}
		dirs[ctrl] = parent
	}
	if b, err := os.ReadFile(filepath.Join(dirs["memory"], "memory.use_hierarchy")); err == nil && strings.TrimSpace(string(b)) != "1" {
		return fmt.Errorf("%s: memory.use_hierarchy is not 1", dirs["memory"])
	}
	c.memory, c.pids, c.cpu = dirs["memory"], dirs["pids"], dirs["cpuacct"]
	// The cpu controller is optional: without it boxes are unweighted.
	if m, ok := mounts["cpu"]; ok {
		if dir, err := groupDir(m, own["cpu"]); err == nil {
			parent := filepath.Join(dir, cgroupParent)
			if parent != c.cpu {
				if err := os.Mkdir(parent, 0o755); err == nil || os.IsExist(err) {
					c.weight = parent
				}
			}
			if c.idle, c.weighted = yieldCPU(parent, "cpu.shares", boxesWeightV1); !c.weighted {
				c.weight = ""
			}
		}
	}
	return c.probe()
}

// probe creates and removes a group with limits, and removes the groups
// that dead processes left.
func (c *Hierarchy) probe() error {
	c.removeStale()
	g, err := c.NewGroup(16, 1)
	if err != nil {
		return err
	}
	defer g.Remove()
	m, err := g.Begin(64 << 20)
	if err != nil {
		return err
	}
	_, err = g.End(m)
	return err
}

// String names the hierarchy and its parent groups, for logs.
func (c *Hierarchy) String() string {
	weighted := "unweighted"
	if c.weighted {
		weighted = fmt.Sprintf("weighted, %d CPU per run's box, %d per compiler's", RunCPUs, CompileCPUs)
		if c.idle {
			weighted += ", boxes idle to the service"
		}
	}
	if c.v2 {
		return fmt.Sprintf("cgroup v2 %s (%s)", c.memory, weighted)
	}
	if c.weight != "" {
		return fmt.Sprintf("cgroup v1 %s %s %s %s (%s)", c.memory, c.pids, c.weight, c.cpu, weighted)
	}
	return fmt.Sprintf("cgroup v1 %s %s %s (%s)", c.memory, c.pids, c.cpu, weighted)
}

// Weighted says whether boxes get a CPU weight and a cap (the cpu
// controller is there).
func (c *Hierarchy) Weighted() bool { return c.weighted }

// Idle says whether the boxes' parent group is an idle group (cpu.idle):
// boxes get only the CPU the service leaves.
func (c *Hierarchy) Idle() bool { return c.idle }

// CPUParent returns the boxes' parent group in the cpu controller's
// hierarchy, where their weights and caps are.
func (c *Hierarchy) CPUParent() string {
	if c.weight != "" {
		return c.weight
	}
	return c.cpu // v2, or v1 with cpu and cpuacct mounted together
}

// parents returns the boxes' parent groups: memory, pids, the cpu
// controller's (if apart), cpuacct in v1 (the CPU usage's is last); the
// one in v2.
func (c *Hierarchy) parents() []string {
	if c.v2 {
		return []string{c.memory}
	}
	if c.weight != "" {
		return []string{c.memory, c.pids, c.weight, c.cpu}
	}
	return []string{c.memory, c.pids, c.cpu}
}

// NewGroup makes a box's group, limited to processes processes and threads
// (the helper's included), and opens its CPU usage file.
func (c *Hierarchy) NewGroup(processes, cpus int) (g *Group, err error) {
	name := c.prefix + strconv.FormatUint(cgroupSeq.Add(1), 10)
	made := &Group{cg: c, limit: math.MaxInt64}
	g = made
	defer func() {
		if err != nil {
			_ = made.Remove()
			g = nil
		}
	}()
	for _, p := range c.parents() {
		dir := filepath.Join(p, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create cgroup: %w", err)
		}
		g.dirs = append(g.dirs, dir)
	}
	if err := g.SetProcesses(processes); err != nil {
		return nil, err
	}
	if c.weighted {
		if err := g.weigh(cpus); err != nil {
			return nil, err
		}
	}
	if c.v2 {
		if err := writeFile(filepath.Join(g.dirs[0], "memory.swap.max"), "0"); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("set memory.swap.max: %w", err)
		}
		// A reset of memory.peak holds for the descriptor that made it
		// (Linux 6.12 and later).
		if g.peak, err = os.OpenFile(filepath.Join(g.dirs[0], "memory.peak"), os.O_RDWR, 0); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("open memory.peak: %w", err)
		}
	}
	cpuFile := filepath.Join(g.cpuDir(), "cpuacct.usage")
	usage, events := "memory.usage_in_bytes", "memory.oom_control"
	if c.v2 {
		cpuFile = filepath.Join(g.dirs[0], "cpu.stat")
		usage, events = "memory.current", "memory.events"
	}
	if g.cpu, err = os.Open(cpuFile); err != nil {
		return nil, fmt.Errorf("open %s: %w", cpuFile, err)
	}
	if g.usage, err = os.Open(filepath.Join(g.dirs[0], usage)); err != nil {
		return nil, fmt.Errorf("open %s: %w", usage, err)
	}
	if g.events, err = os.Open(filepath.Join(g.dirs[0], events)); err != nil {
		return nil, fmt.Errorf("open %s: %w", events, err)
	}
	if !c.v2 {
		if g.maxUsage, err = os.OpenFile(filepath.Join(g.dirs[0], "memory.max_usage_in_bytes"), os.O_RDWR, 0); err != nil {
			return nil, fmt.Errorf("open memory.max_usage_in_bytes: %w", err)
		}
	}
	return g, nil
}

// CPUFile is the group's CPU usage file, open, for the helper to poll.
func (g *Group) CPUFile() *os.File { return g.cpu }

// Dirs returns the group's directories, one per hierarchy; none once
// removed.
func (g *Group) Dirs() []string { return append([]string(nil), g.dirs...) }

// Removed says whether Remove was called.
func (g *Group) Removed() bool { return g.dirs == nil }

func (g *Group) pidsDir() string {
	if g.cg.v2 {
		return g.dirs[0]
	}
	return g.dirs[1]
}

func (g *Group) cpuDir() string { return g.dirs[len(g.dirs)-1] }

// weigh gives the group its CPU weight, equal to every other box's, and
// its cap.
func (g *Group) weigh(cpus int) error {
	quota := strconv.Itoa(cpus * cpuPeriodUS)
	if g.cg.v2 {
		if err := writeFile(filepath.Join(g.dirs[0], "cpu.weight"), strconv.Itoa(boxWeightV2)); err != nil {
			return fmt.Errorf("set cpu.weight: %w", err)
		}
		if err := writeFile(filepath.Join(g.dirs[0], "cpu.max"), quota+" "+strconv.Itoa(cpuPeriodUS)); err != nil {
			return fmt.Errorf("set cpu.max: %w", err)
		}
		return nil
	}
	dir := g.dirs[len(g.dirs)-1] // cpu and cpuacct mounted together
	if g.cg.weight != "" {
		dir = g.dirs[2]
	}
	for _, kv := range [][2]string{{"cpu.shares", strconv.Itoa(boxWeightV1)}, {"cpu.cfs_period_us", strconv.Itoa(cpuPeriodUS)}, {"cpu.cfs_quota_us", quota}} {
		if err := writeFile(filepath.Join(dir, kv[0]), kv[1]); err != nil {
			return fmt.Errorf("set %s: %w", kv[0], err)
		}
	}
	return nil
}

// Adopt moves process pid (the box's helper, with all its threads) into the
// group.
func (g *Group) Adopt(pid int) error {
	for _, dir := range g.dirs {
		if err := writeFile(filepath.Join(dir, "cgroup.procs"), strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("move the helper into its cgroup: %w", err)
		}
	}
	return nil
}

// SetProcesses sets the group's bound on processes and threads (pids.max),
// the helper's included, if it changed. Lowered under what the group holds,
// it stops new ones only.
func (g *Group) SetProcesses(n int) error {
	if n == g.processes {
		return nil
	}
	if err := writeFile(filepath.Join(g.pidsDir(), "pids.max"), strconv.Itoa(n)); err != nil {
		return fmt.Errorf("set pids.max: %w", err)
	}
	g.processes = n
	return nil
}

// Mark is the state of a box's group when a run begins.
type Mark struct {
	cpu    time.Duration
	memory int64 // resident memory charged to the group (the helper's, the page cache)
}

// Begin prepares the group for a run allowed memory bytes beyond what the
// group holds: it sets the memory limit (swap included: none) when the
// allowance changed, resets the peak, and notes the counters the run's
// measures are differences of.
func (g *Group) Begin(memory int64) (m Mark, err error) {
	if m.cpu, err = g.cpuUsage(); err != nil {
		return m, err
	}
	if m.memory, err = preadInt(g.usage); err != nil {
		return m, err
	}
	if memory != g.allowance {
		if err := g.setLimit(m.memory + memory); err != nil {
			return m, err
		}
		g.allowance = memory
	}
	if g.cg.v2 {
		if g.peak != nil {
			if _, err := g.peak.WriteAt([]byte("reset\n"), 0); err != nil {
				g.peak.Close() // no reset on this kernel: the peak is the group's
				g.peak = nil
			}
		}
	} else if _, err := g.maxUsage.WriteAt([]byte("0"), 0); err != nil {
		return m, fmt.Errorf("reset memory.max_usage_in_bytes: %w", err)
	}
	return m, nil
}

// setLimit sets the group's memory limit, swap included.
func (g *Group) setLimit(limit int64) error {
	dir := g.dirs[0]
	if g.cg.v2 {
		if err := writeFile(filepath.Join(dir, "memory.max"), strconv.FormatInt(limit, 10)); err != nil {
			return fmt.Errorf("set memory.max: %w", err)
		}
		return nil
	}
	// memsw (memory and swap) may not be under the memory limit: raise it
	// first, lower it last.
	names := []string{"memory.memsw.limit_in_bytes", "memory.limit_in_bytes"}
	if limit < g.limit {
		names[0], names[1] = names[1], names[0]
	}
	for _, name := range names {
		err := writeFile(filepath.Join(dir, name), strconv.FormatInt(limit, 10))
		if err != nil && !(os.IsNotExist(err) && name == "memory.memsw.limit_in_bytes") {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	g.limit = limit
	return nil
}

// End returns what the group measured of the run begun at m.
func (g *Group) End(m Mark) (st Stats, err error) {
	cpu, err := g.cpuUsage()
	if err != nil {
		return st, err
	}
	st.CPU = cpu - m.cpu
	var peak int64
	if g.cg.v2 {
		if g.peak != nil {
			peak, _ = preadInt(g.peak)
		} else {
			peak, _ = readInt(filepath.Join(g.dirs[0], "memory.peak")) // since Linux 5.19
		}
	} else if peak, err = preadInt(g.maxUsage); err != nil {
		return st, err
	}
	st.PeakBytes = max(peak-m.memory, 0)
	// Between runs nothing lives in the group to be killed: the count's
	// change since the last run's end is this run's.
	kills, err := g.oomKills()
	if err != nil {
		return st, err
	}
	st.OOMKills, g.kills = kills-g.kills, kills
	return st, nil
}

// oomKills reads how many processes of the group the OOM killer killed
// (v1: since Linux 4.13; 0 before).
func (g *Group) oomKills() (int64, error) {
	buf := make([]byte, 512)
	n, err := g.events.ReadAt(buf, 0)
	if err != nil && n == 0 {
		return 0, fmt.Errorf("read %s: %w", g.events.Name(), err)
	}
	for _, line := range strings.Split(string(buf[:n]), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	if g.cg.v2 {
		return 0, fmt.Errorf("%s: no oom_kill", g.events.Name())
	}
	return 0, nil
}

// preadInt reads the number a control file holds, from its start.
func preadInt(f *os.File) (int64, error) {
	buf := make([]byte, 64)
	n, err := f.ReadAt(buf, 0)
	if err != nil && n == 0 {
		return 0, fmt.Errorf("read %s: %w", f.Name(), err)
	}
	return strconv.ParseInt(strings.TrimSpace(string(buf[:n])), 10, 64)
}

// cpuUsage reads the group's CPU time.
func (g *Group) cpuUsage() (time.Duration, error) {
	buf := make([]byte, 4096)
	n, err := g.cpu.ReadAt(buf, 0)
	if err != nil && n == 0 {
		return 0, fmt.Errorf("read CPU usage: %w", err)
	}
	d, ok := boxinit.CgroupCPUUsage(buf[:n])
	if !ok {
		return 0, fmt.Errorf("read CPU usage: %q", buf[:n])
	}
	return d, nil
}

// Remove closes the group's files, kills whatever is left in it and
// removes it.
func (g *Group) Remove() error {
	for _, f := range []*os.File{g.cpu, g.peak, g.usage, g.maxUsage, g.events} {
		if f != nil {
			f.Close()
		}
	}
	g.cpu, g.peak, g.usage, g.maxUsage, g.events = nil, nil, nil, nil, nil
	var errs []error
	for i := len(g.dirs) - 1; i >= 0; i-- {
		if err := removeGroup(g.dirs[i], g.cg.v2); err != nil {
			errs = append(errs, err)
		}
	}
	g.dirs = nil
	return errors.Join(errs...)
}

// removeGroup kills the processes of dir and removes it. A process killed
// but not yet gone keeps the group busy for a moment.
func removeGroup(dir string, v2 bool) error {
	deadline := time.Now().Add(removeWithin)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 50*time.Millisecond) {
		err := os.Remove(dir)
		if err == nil || os.IsNotExist(err) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("remove cgroup: %w", err)
		}
		if v2 {
			_ = writeFile(filepath.Join(dir, "cgroup.kill"), "1")
		}
		if b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, f := range strings.Fields(string(b)) {
				if pid, err := strconv.Atoi(f); err == nil && pid > 0 {
					_ = unix.Kill(pid, unix.SIGKILL)
				}
			}
		}
		time.Sleep(delay)
	}
}

// removeStale removes the run groups of processes that are gone.
func (c *Hierarchy) removeStale() {
	for _, p := range c.parents() {
		entries, err := os.ReadDir(p)
		if err != nil {
			continue
		}
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), "run-")
			if !ok || !e.IsDir() {
				continue
			}
			pidStr, _, _ := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidStr)
			if err != nil || pid == os.Getpid() || unix.Kill(pid, 0) != unix.ESRCH {
				continue
			}
			_ = removeGroup(filepath.Join(p, e.Name()), c.v2)
		}
	}
}

func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// readKeyed reads the value of key in a flat keyed file ("key value" lines).
func readKeyed(path, key string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, " "); ok && k == key {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, key)
}

// writeFile writes s to an existing control file.
func writeFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EBUSY) {
		return fmt.Errorf("write %s: %w", path, unix.EBUSY)
	}
	return err
}
