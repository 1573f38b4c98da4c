// Package toolchain holds the sandbox's language table (how to build and run
// programs of each language) and finds the toolchains of this machine: where
// each language's compiler or runtime lives, its version, the paths a box
// must bind for it, and the caches Prepare makes for it (class data archives
// of javac and of the Kotlin compiler, a warm Go build cache). The toolchains are ours and trusted: this
// package runs them outside the sandbox, on code of its own.
package toolchain

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/codementor/codementor/sandbox/boxinit"

	"golang.org/x/sys/unix"
)

// Inside the sandbox, the prepared caches appear under boxCacheDir.
const (
	boxCacheDir   = "/run/codementor"
	goCacheBoxDir = boxCacheDir + "/gocache"
	javacCDSBox   = boxCacheDir + "/javac.jsa"
	kotlincCDSBox = boxCacheDir + "/kotlinc.jsa"
	probeTimeout  = 30 * time.Second
	warmupTimeout = 5 * time.Minute
	// idleWarmupTimeout bounds a cache made at idle priority, which gets
	// a CPU only when nothing else wants one.
	idleWarmupTimeout = 30 * time.Minute
)

// CachePrefix begins the names of the caches in their directory.
const CachePrefix = "cache-"

// The scratch directories in which the caches are made are named after these
// kinds (see Caches.TempPrefix).
const javacScratch, kotlincScratch, goScratch = ".javac", ".kotlinc", ".gocache"

// Toolchain is a language as this machine has it.
type Toolchain struct {
	Lang    *Language
	Version string
	vars    map[string][]string // the finder's placeholders
	// cache is the host path of what prepare made (a file or directory),
	// bound read-only at cacheBox in the sandbox when it exists; made is
	// closed once prepare is over, successful or not. ready is closed
	// once compilations may start: with made, or at once for a cache
	// they do not wait for (see Prepare).
	cache    string
	cacheBox string
	made     chan struct{}
	ready    chan struct{}
}

// finders locate the toolchains that do not sit at a fixed path, and set
// their placeholders. A language without a finder uses the paths of its
// table entry.
var finders = map[string]func(context.Context) (map[string][]string, error){
	"java":       findJava,
	"go":         findGo,
	"javascript": findNode,
	"typescript": findTypeScript,
	"kotlin":     findKotlin,
}

// Find returns the toolchains of the table present on this machine, in the
// table's order, with their versions, probed concurrently; it logs why each
// language it leaves out is not offered. Cancelling ctx stops the probes:
// the languages not probed yet are then left out.
func Find(ctx context.Context, log *slog.Logger) []*Toolchain {
	found := make([]*Toolchain, len(table))
	var wg sync.WaitGroup
	for i := range table {
		l := &table[i]
		wg.Go(func() {
			tc, err := find(ctx, l)
			if err != nil {
				log.Info("sandbox: language not offered", "language", l.ID, "reason", err)
				return
			}
			found[i] = tc
		})
	}
	wg.Wait()
	return slices.DeleteFunc(found, func(tc *Toolchain) bool { return tc == nil })
}

func find(ctx context.Context, l *Language) (*Toolchain, error) {
	tc := &Toolchain{Lang: l, vars: map[string][]string{}, made: make(chan struct{}), ready: make(chan struct{})}
	if find := finders[l.ID]; find != nil {
		vars, err := find(ctx)
		if err != nil {
			return nil, err
		}
		tc.vars = vars
	}
	requires, err := Expand(l.Requires, tc.vars)
	if err != nil {
		return nil, err
	}
	for _, p := range requires {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s: %w", p, errors.Unwrap(err))
		}
	}
	argv, err := Expand(l.Version, tc.vars)
	if err != nil {
		return nil, err
	}
	out, err := trusted(ctx, probeTimeout, "/", nil, argv...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	if tc.Version = parseVersion(out, l.VersionPrefix); tc.Version == "" {
		return nil, fmt.Errorf("%s printed no version: %q", strings.Join(argv, " "), out)
	}
	if v := tc.vars["version"]; len(v) == 1 && v[0] != "" {
		// The finder knows better (a build that calls itself a snapshot).
		tc.Version = v[0]
	}
	return tc, nil
}

// parseVersion returns the word following prefix in out ("" prefix: the
// first word), without a trailing quote.
func parseVersion(out []byte, prefix string) string {
	s := string(out)
	if i := strings.Index(s, prefix); i >= 0 {
		s = s[i+len(prefix):]
	} else {
		return ""
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimRight(f[0], `"`)
}

// trusted runs one of our toolchains outside the sandbox, with a minimal
// environment plus env, and returns its merged output. It dies with this
// process (a cache being made when the service stops is made again by the
// next one, rather than by an orphan whose work nobody would keep).
func trusted(ctx context.Context, timeout time.Duration, dir string, env []string, argv ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &unix.SysProcAttr{Pdeathsig: unix.SIGKILL}
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + os.TempDir(), "LANG=C.UTF-8", "GOTOOLCHAIN=local"}, env...)
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		return out.Bytes(), fmt.Errorf("%w: %s", err, bytes.TrimSpace(out.Bytes()))
	}
	return out.Bytes(), nil
}

// findJava locates the JDK through javac (the JRE alone cannot compile):
// {java_home} is its real home, {java_binds} the directories outside /usr
// its configuration links point into (Debian keeps it in /etc/java-NN-openjdk).
func findJava(context.Context) (map[string][]string, error) {
	javac, err := lookTool("javac", "/usr/bin/javac")
	if err != nil {
		return nil, err
	}
	home := filepath.Dir(filepath.Dir(javac))
	binds, err := externalLinkDirs(home)
	if err != nil {
		return nil, err
	}
	return map[string][]string{"java_home": {home}, "java_binds": binds, "javac_cds": nil}, nil
}

// findGo locates the Go toolchain: {goroot} is the real GOROOT, as `go env
// GOROOT` says.
func findGo(ctx context.Context) (map[string][]string, error) {
	goTool, err := lookTool("go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go")
	if err != nil {
		return nil, err
	}
	out, err := trusted(ctx, probeTimeout, "/", []string{"GOENV=off", "GOFLAGS="}, goTool, "env", "GOROOT")
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("GOROOT: %w", err)
	}
	if err := reachable(root); err != nil {
		return nil, err
	}
	return map[string][]string{"goroot": {root}}, nil
}

// findNode locates node: {node} is its real path, {node_binds} its
// installation prefix when that is outside /usr (nvm, a tarball in /opt).
func findNode(context.Context) (map[string][]string, error) {
	node, err := lookTool("node", "/usr/bin/node", "/usr/local/bin/node")
	if err != nil {
		return nil, err
	}
	var binds []string
	if !strings.HasPrefix(node, "/usr/") {
		prefix := filepath.Dir(filepath.Dir(node))
		if err := reachable(prefix); err != nil {
			return nil, err
		}
		binds = append(binds, prefix)
	}
	return map[string][]string{"node": {node}, "node_binds": binds}, nil
}

// findTypeScript locates node as findNode does, and the TypeScript compiler
// npm installed globally: {tsc} is its tsc.js (its bin/tsc, found through
// the tsc command, is a node script), {ts_types} the @types directory beside
// it, holding node's declarations, and {ts_binds} npm's global node_modules
// when that is outside /usr.
func findTypeScript(ctx context.Context) (map[string][]string, error) {
	vars, err := findNode(ctx)
	if err != nil {
		return nil, err
	}
	tsc, err := lookTool("tsc", "/usr/lib/node_modules/typescript/bin/tsc", "/usr/local/lib/node_modules/typescript/bin/tsc")
	if err != nil {
		return nil, fmt.Errorf("tsc (npm install -g typescript @types/node): %w", err)
	}
	pkg := filepath.Dir(filepath.Dir(tsc)) // .../node_modules/typescript
	modules := filepath.Dir(pkg)
	var binds []string
	if !strings.HasPrefix(modules, "/usr/") {
		if err := reachable(modules); err != nil {
			return nil, err
		}
		binds = append(binds, modules)
	}
	vars["tsc"] = []string{filepath.Join(pkg, "lib", "tsc.js")}
	vars["ts_types"] = []string{filepath.Join(modules, "@types")}
	vars["ts_binds"] = binds
	return vars, nil
}

// kotlinCompilerJars are the jars of the Kotlin compiler's class path: the
// compiler and what its manifest's Class-Path names, which the JVM would
// look for beside the link's target, where Debian does not put them.
var kotlinCompilerJars = []string{"kotlin-compiler.jar", "trove4j.jar", "kotlin-stdlib.jar", "kotlin-reflect.jar", "kotlin-script-runtime.jar", "annotations-13.0.jar"}

// findKotlin locates the Kotlin compiler through kotlinc and the JVM
// through java (a JRE is enough): {kotlin_home} is the compiler's home
// (Debian: /usr/share/kotlin/kotlinc), {kotlinc_cp} the compiler's class
// path, {kotlin_stdlib} the standard library's jar, {java_home} the JVM's
// real home, {kotlin_binds} what lies outside /usr of both (the JVM's
// configuration links' targets, a compiler unpacked in /opt).
func findKotlin(context.Context) (map[string][]string, error) {
	java, err := lookTool("java", "/usr/bin/java")
	if err != nil {
		return nil, err
	}
	javaHome := filepath.Dir(filepath.Dir(java))
	binds, err := externalLinkDirs(javaHome)
	if err != nil {
		return nil, err
	}
	kotlinc, err := lookTool("kotlinc", "/usr/bin/kotlinc")
	if err != nil {
		return nil, err
	}
	home := filepath.Dir(filepath.Dir(kotlinc))
	if !strings.HasPrefix(home, "/usr/") {
		if err := reachable(home); err != nil {
			return nil, err
		}
		binds = append(binds, home)
	}
	more, err := externalLinkDirs(home)
	if err != nil {
		return nil, err
	}
	binds = append(binds, more...)
	cp := make([]string, len(kotlinCompilerJars))
	for i, jar := range kotlinCompilerJars {
		cp[i] = filepath.Join(home, "lib", jar)
		if _, err := os.Stat(cp[i]); err != nil {
			return nil, err
		}
	}
	return map[string][]string{
		"version":   {jarVersion(cp[0])},
		"java_home": {javaHome}, "kotlin_home": {home}, "kotlin_binds": binds,
		"kotlinc_cp": {strings.Join(cp, ":")}, "kotlin_stdlib": {filepath.Join(home, "lib", "kotlin-stdlib.jar")},
		"kotlinc_cds": nil,
	}, nil
}

// jarVersion returns the Implementation-Version of a jar's manifest, "" if
// it has none. Debian's Kotlin compiler says it is "1.3-SNAPSHOT"; its
// manifest says which release it was built from.
func jarVersion(path string) string {
	r, err := zip.OpenReader(path)
	if err != nil {
		return ""
	}
	defer r.Close()
	f, err := r.Open("META-INF/MANIFEST.MF")
	if err != nil {
		return ""
	}
	defer f.Close()
	manifest, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(manifest), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Implementation-Version:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// lookTool returns the real path (links resolved) of the first of the
// candidates that exists, then of name on PATH.
func lookTool(name string, candidates ...string) (string, error) {
	for _, c := range candidates {
		if p, err := filepath.EvalSymlinks(c); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(p)
}

// reachable checks that the sandbox user can reach path: every directory
// above it searchable by others.
func reachable(path string) error {
	for d := path; d != "/"; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.IsDir() && fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("%s is out of reach of the sandbox user (%s has mode %v)", path, d, fi.Mode().Perm())
		}
	}
	return nil
}

// externalLinkDirs returns the directories outside /usr and root that the
// symbolic links under root point into, the outermost ones only.
func externalLinkDirs(root string) ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := filepath.EvalSymlinks(path)
		if err != nil || strings.HasPrefix(target, "/usr/") || strings.HasPrefix(target, root+"/") {
			return nil
		}
		if fi, err := os.Stat(target); err == nil && !fi.IsDir() {
			target = filepath.Dir(target)
		}
		dirs = append(dirs, target)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(dirs)
	var out []string
	for _, d := range dirs {
		if len(out) > 0 && (d == out[len(out)-1] || strings.HasPrefix(d, out[len(out)-1]+"/")) {
			continue
		}
		out = append(out, d)
	}
	return out, nil
}

// Caches says where Prepare makes the toolchains' caches, and with what.
type Caches struct {
	// Dir holds the caches (the sandbox's work dir), which stay there
	// across restarts, shared by the processes that share Dir.
	Dir string
	// Helper is the host path of the sandbox's helper, the GOCACHEPROG of
	// the Go build cache's warm-up.
	Helper string
	// TempPrefix names a scratch directory of kind in Dir, so that a sweep
	// of Dir can tell when one is left over (see ScratchKinds).
	TempPrefix func(kind string) string
	Log        *slog.Logger
}

// ScratchKinds are the kinds of the scratch directories Prepare makes in
// Caches.Dir.
func ScratchKinds() []string { return []string{javacScratch, kotlincScratch, goScratch} }

// Prepare makes, in the background, the caches that make compilation fast:
// class data archives of javac and of the Kotlin compiler, and a Go build
// cache warm with the standard library. They stay in c.Dir across
// restarts, keyed by the toolchain; each toolchain's Prepared is closed
// once its cache is made (or failed to be: compilations then go without).
// Compilations of Java and Go wait for it (their Ready is closed with it):
// the caches are made in seconds, and without them each compilation would
// cost as much. The Kotlin compiler's archive is made at idle CPU priority
// (chrt --idle), so that it never takes a CPU from judging, and then may
// take a while: Kotlin's compilations do not wait for it (its Ready is
// closed at once) but use it once made. Cancelling ctx stops what is still
// being made.
func Prepare(ctx context.Context, tcs []*Toolchain, c Caches) {
	for _, tc := range tcs {
		var mk func(context.Context, *Toolchain) (string, error)
		wait := true
		switch tc.Lang.ID {
		case "java":
			tc.cacheBox = javacCDSBox
			mk = c.makeJavacArchive
		case "kotlin":
			tc.cacheBox = kotlincCDSBox
			mk = c.makeKotlincArchive
			wait = false
		case "go":
			tc.cacheBox = goCacheBoxDir
			mk = c.warmGoCache
		default:
			close(tc.made)
			close(tc.ready)
			continue
		}
		if !wait {
			close(tc.ready)
		}
		go func() {
			defer func() {
				close(tc.made)
				if wait {
					close(tc.ready)
				}
			}()
			start := time.Now()
			path, err := mk(ctx, tc)
			if err != nil {
				c.Log.Error("sandbox: cannot prepare the toolchain's cache: compilations will be slow", "language", tc.Lang.ID, "err", err)
				return
			}
			tc.cache = path
			c.Log.Info("sandbox: toolchain cache ready", "language", tc.Lang.ID, "path", path, "took", time.Since(start).Round(time.Millisecond))
		}()
	}
}

// cacheKey names a cache of tc: it changes with the toolchain's version and
// its main executable.
func cacheKey(tc *Toolchain, exe string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s\n", tc.Lang.ID, tc.Version, exe)
	if fi, err := os.Stat(exe); err == nil {
		fmt.Fprintf(h, "%d %d\n", fi.Size(), fi.ModTime().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// withCacheLock runs f holding an exclusive lock on name (in the work dir),
// unless dst already exists: several processes may share the work dir.
func withCacheLock(dst string, f func() error) error {
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	lock, err := os.OpenFile(dst+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return err
	}
	defer os.Remove(dst + ".lock")
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	return f()
}

// javacSample is compiled once to record the classes javac loads.
const javacSample = `import java.io.*;
import java.util.*;
import java.util.function.*;
import java.util.stream.*;

public class Main {
    record Pair(int a, long b) {}
    interface Shape { double area(); }
    enum Kind { A, B }
    static <T extends Comparable<T>> T maxOf(List<T> xs) { return Collections.max(xs); }
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder sb = new StringBuilder();
        Map<String, List<Integer>> m = new HashMap<>();
        m.computeIfAbsent("x", k -> new ArrayList<>()).add(1);
        int[] a = IntStream.range(0, 10).map(i -> i * i).toArray();
        Arrays.sort(a);
        Function<Integer, String> f = i -> "v" + i;
        Shape s = () -> 1.5;
        var p = new Pair(1, 2L);
        switch (Kind.A) { case A -> sb.append(f.apply(p.a())); default -> sb.append(s.area()); }
        String line = in.readLine();
        try { sb.append(Integer.parseInt(line == null ? "0" : line.trim())); } catch (NumberFormatException e) { throw new RuntimeException(e); }
        System.out.println(sb + " " + maxOf(List.of(3, 1, 2)) + String.format("%.2f", Math.PI) + new PriorityQueue<Long>().size());
    }
}
`

// makeJavacArchive makes a dynamic class data archive of javac (the classes
// it loads, parsed and verified once): with it, javac starts in about half
// the time.
func (c *Caches) makeJavacArchive(ctx context.Context, tc *Toolchain) (string, error) {
	javac := tc.vars["java_home"][0] + "/bin/javac"
	dst := filepath.Join(c.Dir, CachePrefix+"javac-"+cacheKey(tc, filepath.Join(tc.vars["java_home"][0], "lib/server/libjvm.so"))+".jsa")
	err := c.makeArchive(ctx, dst, javacScratch, "Main.java", javacSample, nil, warmupTimeout, func(dir string, jvm []string) []string {
		return concat([]string{javac}, prefixAll("-J", jvm), []string{"-J-Xmx512m", "-proc:none", "-encoding", "UTF-8", "-d", dir, "Main.java"})
	})
	return dst, err
}

// kotlinSample is compiled once to record the classes the Kotlin compiler
// loads: a program and a driver's solution class, with the standard
// library's usual suspects.
const kotlinSample = `import java.io.BufferedReader
import java.io.InputStreamReader

data class Pair2(val a: Int, val b: Long)

enum class Kind { A, B }

interface Shape { fun area(): Double }

class Solution {
    fun twoSum(nums: IntArray, target: Int): IntArray {
        val seen = HashMap<Int, Int>()
        for ((i, x) in nums.withIndex()) {
            val j = seen[target - x]
            if (j != null) return intArrayOf(j, i)
            seen[x] = i
        }
        return intArrayOf()
    }
}

fun <T : Comparable<T>> maxOf2(xs: List<T>): T? = xs.maxBy { it }

fun main() {
    val reader = BufferedReader(InputStreamReader(System.` + "`in`" + `))
    val line = reader.readLine() ?: readLine() ?: "0"
    val nums = line.trim().split(" ").filter { it.isNotEmpty() }.map { it.toInt() }
    val sb = StringBuilder()
    val m = mutableMapOf<String, MutableList<Int>>()
    m.getOrPut("x") { mutableListOf() }.add(1)
    val sorted = nums.sortedDescending().toMutableList()
    val s = object : Shape { override fun area() = 1.5 }
    val p = Pair2(1, 2L)
    when (Kind.A) {
        Kind.A -> sb.append(p.a)
        else -> sb.append(s.area())
    }
    val r = Solution().twoSum(nums.toIntArray(), 3)
    println("$sb ${maxOf2(listOf(3, 1, 2))} ${"%.2f".format(Math.PI)} ${sorted.joinToString(" ")} ${r.size} ${(1..10).sumBy { it * it }}")
}
`

// makeKotlincArchive makes a dynamic class data archive of the Kotlin
// compiler, as makeJavacArchive does of javac, at idle CPU priority.
func (c *Caches) makeKotlincArchive(ctx context.Context, tc *Toolchain) (string, error) {
	java := tc.vars["java_home"][0] + "/bin/java"
	home, cp := tc.vars["kotlin_home"][0], tc.vars["kotlinc_cp"][0]
	dst := filepath.Join(c.Dir, CachePrefix+"kotlinc-"+cacheKey(tc, filepath.Join(home, "lib", "kotlin-compiler.jar"))+
		"-"+cacheKey(tc, filepath.Join(tc.vars["java_home"][0], "lib/server/libjvm.so"))+".jsa")
	var idle []string
	if chrt, err := exec.LookPath("chrt"); err == nil {
		idle = []string{chrt, "--idle", "0"}
	}
	err := c.makeArchive(ctx, dst, kotlincScratch, "main.kt", kotlinSample, idle, idleWarmupTimeout, func(dir string, jvm []string) []string {
		return concat([]string{java}, jvm, []string{"-Xmx768m", "-cp", cp, "org.jetbrains.kotlin.cli.jvm.K2JVMCompiler",
			"-kotlin-home", home, "-no-reflect", "-d", dir, "main.kt"})
	})
	return dst, err
}

// makeArchive makes dst, a dynamic class data archive of a JVM tool, unless
// it exists: it runs the tool on sample, written to file in a scratch
// directory of kind, once with -XX:ArchiveClassesAtExit, then once more
// with the archive and -Xshare:on, which fails if the archive cannot be
// used. tool returns the tool's argv with the JVM's options jvm; prefix
// goes before it (chrt); each run may take timeout.
func (c *Caches) makeArchive(ctx context.Context, dst, kind, file, sample string, prefix []string, timeout time.Duration, tool func(dir string, jvm []string) []string) error {
	return withCacheLock(dst, func() error {
		dir, err := os.MkdirTemp(c.Dir, c.TempPrefix(kind))
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, file), []byte(sample), 0o644); err != nil {
			return err
		}
		tmp := filepath.Join(dir, "tool.jsa")
		argv := concat(prefix, tool(dir, concat(javaFlags, []string{"-XX:ArchiveClassesAtExit=" + tmp})))
		if _, err := trusted(ctx, timeout, dir, nil, argv...); err != nil {
			return err
		}
		// -Xshare:on fails if the archive cannot be used.
		argv = concat(prefix, tool(dir, []string{"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:on", "-XX:-UsePerfData", "-XX:SharedArchiveFile=" + tmp}))
		if _, err := trusted(ctx, timeout, dir, nil, argv...); err != nil {
			return fmt.Errorf("the archive does not load: %w", err)
		}
		if err := os.Chmod(tmp, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, dst)
	})
}

// goWarmup is built once to fill the shared Go build cache with the standard
// packages programs commonly import.
const goWarmup = `package main

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"container/list"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"math/big"
	"math/bits"
	"math/rand"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	_ = bufio.NewReader
	_ = bytes.NewBuffer
	_ = cmp.Compare[int]
	_ = heap.Init
	_ = list.New
	_ = errors.New
	_ = io.EOF
	_ = maps.Keys[map[int]int]
	_ = math.Sqrt
	_ = big.NewInt
	_ = bits.Len
	_ = rand.Intn
	_ = regexp.MustCompile
	_ = slices.Sort[[]int]
	_ = sort.Ints
	_ = strconv.Itoa
	_ = strings.Fields
	_ = sync.Mutex{}
	_ = time.Now
	_ = unicode.IsLetter
	_ = utf8.RuneLen
)

func main() { fmt.Fprintln(os.Stdout, "hello") }
`

// warmGoCache builds goWarmup with the sandbox's Go environment, through
// this executable as GOCACHEPROG writing straight into the shared cache
// directory: the cache keys are those of compilations in the sandbox.
func (c *Caches) warmGoCache(ctx context.Context, tc *Toolchain) (string, error) {
	goroot := tc.vars["goroot"][0]
	dst := filepath.Join(c.Dir, CachePrefix+"go-"+cacheKey(tc, filepath.Join(goroot, "bin/go")))
	if strings.ContainsAny(c.Helper, " '\"\\") {
		return "", fmt.Errorf("the helper's path %q cannot be passed in GOCACHEPROG", c.Helper)
	}
	err := withCacheLock(dst, func() error {
		dir, err := os.MkdirTemp(c.Dir, c.TempPrefix(goScratch))
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cache := filepath.Join(dir, "cache")
		if err := os.Mkdir(cache, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goWarmup), 0o644); err != nil {
			return err
		}
		vars := map[string][]string{"goroot": {goroot}}
		env, err := Expand(goEnv, vars)
		if err != nil {
			return err
		}
		for i, kv := range env {
			switch k, v, _ := strings.Cut(kv, "="); k {
			case "HOME", "XDG_CONFIG_HOME", "GOPATH", "GOCACHE":
				env[i] = k + "=" + dir + strings.TrimPrefix(v, "/tmp")
			}
		}
		env = append(env, "GOCACHEPROG="+c.Helper+" "+boxinit.GoCacheVerb+" "+cache+" "+cache)
		argv, err := Expand(concat(goBuild, []string{"main.go"}), vars)
		if err != nil {
			return err
		}
		if _, err := trusted(ctx, warmupTimeout, dir, env, argv...); err != nil {
			return err
		}
		if err := filepath.WalkDir(cache, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			return os.Chmod(path, mode)
		}); err != nil {
			return err
		}
		return os.Rename(cache, dst)
	})
	return dst, err
}

// Touch refreshes the mtimes of the prepared caches of tcs, so that other
// processes sharing their directory never take them for stale.
func Touch(tcs []*Toolchain) {
	now := time.Now()
	for _, tc := range tcs {
		select {
		case <-tc.made:
			if tc.cache != "" {
				_ = os.Chtimes(tc.cache, now, now)
			}
		default:
		}
	}
}

// Vars returns tc's placeholders plus extra and, with cache (the box binds
// tc's cache: see BindArgs), the toolchain's cache flags, for Expand.
func (tc *Toolchain) Vars(extra map[string][]string, cache bool) map[string][]string {
	vars := make(map[string][]string, len(tc.vars)+len(extra)+1)
	for k, v := range tc.vars {
		vars[k] = v
	}
	switch tc.Lang.ID {
	case "java":
		vars["javac_cds"] = nil
		if cache {
			vars["javac_cds"] = []string{"-J-XX:SharedArchiveFile=" + javacCDSBox}
		}
	case "kotlin":
		vars["kotlinc_cds"] = nil
		if cache {
			vars["kotlinc_cds"] = []string{"-XX:SharedArchiveFile=" + kotlincCDSBox}
		}
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// Ready is closed once compilations of tc may start: once its cache is made,
// or failed to be, or at once for a cache they do not wait for (see
// Prepare).
func (tc *Toolchain) Ready() <-chan struct{} { return tc.ready }

// Prepared is closed once tc's cache is made, or failed to be.
func (tc *Toolchain) Prepared() <-chan struct{} { return tc.made }

// Cache returns the host path of tc's cache and where a box sees it; both
// "" until HasCache.
func (tc *Toolchain) Cache() (host, inBox string) {
	if !tc.HasCache() {
		return "", ""
	}
	return tc.cache, tc.cacheBox
}

// HasCache reports whether tc's cache is made.
func (tc *Toolchain) HasCache() bool {
	select {
	case <-tc.made:
		return tc.cache != ""
	default:
		return false
	}
}

// BindArgs returns the bwrap arguments binding what tc needs beyond the base
// system, read-only: its Binds, and (with cache) its cache once made.
func (tc *Toolchain) BindArgs(cache bool) []string {
	var args []string
	binds, _ := Expand(tc.Lang.Binds, tc.vars)
	for _, b := range binds {
		if _, err := os.Stat(b); err == nil {
			args = append(args, "--ro-bind", b, b)
		}
	}
	if cache && tc.HasCache() {
		args = append(args, "--ro-bind", tc.cache, tc.cacheBox)
	}
	return args
}
