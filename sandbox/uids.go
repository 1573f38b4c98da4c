package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// A host uid per box. The kernel keeps state per uid that namespaces do not
// separate: keyrings, the pending-signal and inotify limits, RLIMIT_NPROC
// outside a user namespace, the owner of files and locks. Boxes that share
// a uid share all of it, so each running box has a uid of its own from a
// range (isolate's scheme), and a uid goes back to the range only once
// everything of its box is gone.
//
// The range may be shared by several processes on one machine (a web and a
// processor, a test and a service): a uid in use is locked (flock) in the
// work dir's uids directory by the process using it, so two processes never
// hand out the same one; the lock dies with its process.

// UIDRange is a range of host uids for boxes: First, First+1, ...,
// First+Count-1. The uids need no account; they must belong to nobody else.
type UIDRange struct {
	First, Count int
}

// DefaultUIDs is the range boxes run as by default: isolate's.
var DefaultUIDs = UIDRange{First: 60000, Count: 1000}

// validate says what is wrong with r, if anything: the range must lie above
// the system's uids and leave out nobody's.
func (r UIDRange) validate() error {
	if r.First < 1000 || r.Count < 1 || r.First+r.Count > 1<<31-2 || (r.First <= 65534 && 65534 < r.First+r.Count) {
		return fmt.Errorf("sandbox uids %d-%d: want a range above 999, not holding 65534 (nobody)", r.First, r.First+r.Count-1)
	}
	return nil
}

// errNoUID says every uid of the range is in use.
var errNoUID = errors.New("every sandbox uid is in use")

// uidPool hands out the uids of a range.
type uidPool struct {
	r   UIDRange
	dir string // where the locks are
	mu  sync.Mutex
	// held are the uids this process uses, with their locks.
	held map[int]*os.File
	next int // where the search starts: uids are reused as late as possible
}

// newUIDPool checks r and makes the lock directory, root's only.
func newUIDPool(r UIDRange, workDir string) (*uidPool, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	dir := filepath.Join(workDir, "uids")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox uids: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox uids: %w", err)
	}
	return &uidPool{r: r, dir: dir, held: map[int]*os.File{}}, nil
}

// take returns a uid no box of any process uses.
func (p *uidPool) take() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := 0; i < p.r.Count; i++ {
		uid := p.r.First + (p.next+i)%p.r.Count
		if p.held[uid] != nil {
			continue
		}
		f, err := os.OpenFile(filepath.Join(p.dir, strconv.Itoa(uid)), os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
		if err != nil {
			return 0, fmt.Errorf("sandbox uid %d: %w", uid, err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				continue // another process's
			}
			return 0, fmt.Errorf("sandbox uid %d: lock: %w", uid, err)
		}
		p.held[uid] = f
		p.next = (p.next + i + 1) % p.r.Count
		return uid, nil
	}
	return 0, fmt.Errorf("%w (%d from %d): raise the range's size", errNoUID, p.r.Count, p.r.First)
}

// give returns uid to the range: its box, and every process that ran as
// it, is gone.
func (p *uidPool) give(uid int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.held[uid]; f != nil {
		f.Close() // drops the lock
		delete(p.held, uid)
	}
}

// inUse returns how many uids this process holds.
func (p *uidPool) inUse() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.held)
}
