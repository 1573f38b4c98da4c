package sandbox

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/codementor/codementor/sandbox/internal/toolchain"
)

// Sandboxes started ahead. Starting one (bwrap's namespaces and mounts, the
// helper) takes about 10 ms: for a Python submission, more than a test. So
// the Sandbox keeps, per language, Config.WarmBoxes sandboxes started ahead,
// each with a fresh work dir of its own and nothing run in it: the next
// Program of the language takes one (its first sandbox: the compiler's, or
// for a language whose compile step only checks, the program's own) and
// another starts in the background. A sandbox still serves one Program only.

// warmBox is a started sandbox waiting for a Program, with its work dir.
type warmBox struct {
	b   *box
	dir string
}

type warmPool struct {
	s       *Sandbox
	size    int
	mu      sync.Mutex
	ready   map[string][]*warmBox // by language
	filling map[string]bool
	closed  bool
	wg      sync.WaitGroup
}

func newWarmPool(s *Sandbox, size int) *warmPool {
	return &warmPool{s: s, size: size, ready: map[string][]*warmBox{}, filling: map[string]bool{}}
}

// warmConfig is how the first sandbox of tc's Programs binds dir: the
// compiler's, writable, with the toolchain's cache; or the program's own,
// read-only, for a language whose compile step only checks.
func (s *Sandbox) warmConfig(tc *toolchain.Toolchain, dir string) boxConfig {
	if tc.Lang.Compile != nil && !tc.Lang.CheckOnly {
		return boxConfig{tc: tc, cache: true, dir: dir, writable: true, tmpSize: compileTmpSize, processes: compileProcesses}
	}
	return boxConfig{tc: tc, dir: dir, tmpSize: runTmpSize, processes: runProcesses}
}

// take returns a warm sandbox for tc, or nil, and starts its replacement.
func (w *warmPool) take(tc *toolchain.Toolchain) *warmBox {
	if w == nil {
		return nil
	}
	id := tc.Lang.ID
	for {
		w.mu.Lock()
		list := w.ready[id]
		if len(list) == 0 {
			w.mu.Unlock()
			w.fill(tc)
			return nil
		}
		wb := list[len(list)-1]
		w.ready[id] = list[:len(list)-1]
		w.mu.Unlock()
		w.fill(tc)
		select {
		case <-wb.b.exited: // its helper quit while it waited
			wb.discard()
		default:
			return wb
		}
	}
}

// fill starts sandboxes for tc in the background until size are ready.
func (w *warmPool) fill(tc *toolchain.Toolchain) {
	if w == nil {
		return
	}
	id := tc.Lang.ID
	w.mu.Lock()
	if w.closed || w.filling[id] || len(w.ready[id]) >= w.size {
		w.mu.Unlock()
		return
	}
	w.filling[id] = true
	w.wg.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.wg.Done()
		// The compiler's sandbox binds the toolchain's cache once made.
		<-tc.Ready()
		for {
			wb, err := w.start(tc)
			w.mu.Lock()
			if err != nil || w.closed || len(w.ready[id]) >= w.size {
				w.filling[id] = false
				w.mu.Unlock()
				if err != nil {
					w.s.log.Warn("sandbox: start a sandbox ahead", "language", id, "err", err)
				}
				if wb != nil {
					wb.discard()
				}
				return
			}
			w.ready[id] = append(w.ready[id], wb)
			// Another only if one is still missing: starting one to
			// discard it cost every submission a sandbox (and a zygote).
			if len(w.ready[id]) >= w.size {
				w.filling[id] = false
				w.mu.Unlock()
				return
			}
			w.mu.Unlock()
		}
	}()
}

// start makes a work dir and starts a sandbox on it.
func (w *warmPool) start(tc *toolchain.Toolchain) (*warmBox, error) {
	s := w.s
	dir, err := s.newWorkDir(tc.Lang)
	if err != nil {
		return nil, fmt.Errorf("make work dir: %w", err)
	}
	c := s.warmConfig(tc, dir)
	// (startBox gives it to the box's uid if the compiler writes into it.)
	if err := os.Chmod(dir, 0o755); err != nil {
		removeWorkDir(dir)
		return nil, fmt.Errorf("prepare work dir: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*helperGrace)
	defer cancel()
	b, err := s.startBox(ctx, c)
	if err != nil {
		removeWorkDir(dir)
		return nil, err
	}
	return &warmBox{b: b, dir: dir}, nil
}

// discard kills the sandbox and removes its work dir.
func (wb *warmBox) discard() {
	wb.b.close()
	removeWorkDir(wb.dir)
}

// close stops filling and discards the sandboxes ready.
func (w *warmPool) close() {
	if w == nil {
		return
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.wg.Wait()
	w.mu.Lock()
	ready := w.ready
	w.ready = map[string][]*warmBox{}
	w.mu.Unlock()
	for _, list := range ready {
		for _, wb := range list {
			wb.discard()
		}
	}
}
