package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// capture reads a stream to its end, keeping its first limit bytes and, when
// tailSize > 0, its last tailSize bytes beyond them. overflow, if set, is
// called once, from the reading goroutine, when the stream first goes over
// limit. It may be read while it drains.
type capture struct {
	limit    int
	tailSize int
	overflow func()

	mu    sync.Mutex
	head  []byte
	tail  []byte
	total int64
}

// add records p.
func (c *capture) add(p []byte) {
	c.mu.Lock()
	over := c.addLocked(p)
	c.mu.Unlock()
	if over && c.overflow != nil {
		c.overflow()
	}
}

// addLocked records p and reports whether the stream just went over limit;
// c.mu is held.
func (c *capture) addLocked(p []byte) bool {
	before := c.total
	c.total += int64(len(p))
	if room := c.limit - len(c.head); room > 0 {
		n := min(room, len(p))
		c.head = append(c.head, p[:n]...)
		p = p[n:]
	}
	if len(p) == 0 {
		return false
	}
	if c.tailSize > 0 {
		c.tail = append(c.tail, p...)
		if len(c.tail) > 2*c.tailSize {
			c.tail = append(c.tail[:0], c.tail[len(c.tail)-c.tailSize:]...)
		}
	}
	return before <= int64(c.limit)
}

// drain reads r to its end. An error of the read end being closed under it
// (see run's reader timeout) ends it quietly.
func (c *capture) drain(r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		c.add(buf[:n])
		if err != nil {
			if err == io.EOF || errors.Is(err, os.ErrClosed) {
				return nil
			}
			return err
		}
	}
}

// exceeded reports whether the stream went over limit.
func (c *capture) exceeded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total > int64(c.limit)
}

// bytes returns what was kept: the head and, for a truncated stream with a
// tail, a marker line and the tail.
func (c *capture) bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total <= int64(c.limit) || c.tailSize == 0 {
		return append([]byte(nil), c.head...)
	}
	tail := c.tail
	if len(tail) > c.tailSize {
		tail = tail[len(tail)-c.tailSize:]
	}
	omitted := c.total - int64(len(c.head)) - int64(len(tail))
	out := append([]byte{}, c.head...)
	if omitted > 0 {
		out = fmt.Appendf(out, "\n[... %d bytes omitted ...]\n", omitted)
	}
	return append(out, tail...)
}
