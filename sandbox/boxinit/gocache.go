package boxinit

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A Go build cache in two layers, for compilations in the sandbox: the
// shared cache New warms once (read-only, bound at goCacheBoxDir) under a
// private layer in the compilation's /tmp that takes whatever the build
// adds. The go command talks to it through GOCACHEPROG: the helper, run
// as
//
//	<helper> codementor-sandbox-gocacheprog <read-only dir> <writable dir>
//
// (see Main). With both directories the
// same, it fills a cache (New's warm-up, outside the sandbox).
//
// The layout is ours: a/<action id hex> holds "<output id hex> <size>
// <unix nano>", o/<output id hex> the output itself.

// GoCacheVerb is the helper's first argument as GOCACHEPROG.
const GoCacheVerb = "codementor-sandbox-gocacheprog"

// goCacheRequest and goCacheResponse are the protocol's messages (see
// cmd/go/internal/cacheprog).
type goCacheRequest struct {
	ID       int64
	Command  string
	ActionID []byte `json:",omitempty"`
	OutputID []byte `json:",omitempty"`
	BodySize int64  `json:",omitempty"`
}

type goCacheResponse struct {
	ID            int64
	Err           string     `json:",omitempty"`
	KnownCommands []string   `json:",omitempty"`
	Miss          bool       `json:",omitempty"`
	OutputID      []byte     `json:",omitempty"`
	Size          int64      `json:",omitempty"`
	Time          *time.Time `json:",omitempty"`
	DiskPath      string     `json:",omitempty"`
}

// goCacheProgMain serves the go command on stdin and stdout until it
// closes, and returns the exit code.
func goCacheProgMain(roDir, rwDir string) int {
	c := &goCache{ro: roDir, rw: rwDir}
	if err := c.serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "gocacheprog: %v\n", err)
		return 1
	}
	return 0
}

type goCache struct{ ro, rw string }

func (c *goCache) serve(r io.Reader, w io.Writer) error {
	for _, d := range []string{"a", "o"} {
		if err := os.MkdirAll(filepath.Join(c.rw, d), 0o755); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	send := func(res *goCacheResponse) error {
		if err := enc.Encode(res); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := send(&goCacheResponse{KnownCommands: []string{"get", "put", "close"}}); err != nil {
		return err
	}
	for {
		var req goCacheRequest
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		var body []byte
		if req.Command == "put" && req.BodySize > 0 {
			if err := dec.Decode(&body); err != nil {
				return fmt.Errorf("read body: %w", err)
			}
			if int64(len(body)) != req.BodySize {
				return fmt.Errorf("body of %d bytes, announced %d", len(body), req.BodySize)
			}
		}
		res := &goCacheResponse{ID: req.ID}
		var err error
		switch req.Command {
		case "get":
			err = c.get(&req, res)
		case "put":
			err = c.put(&req, body, res)
		case "close":
			return send(res)
		default:
			err = fmt.Errorf("unknown command %q", req.Command)
		}
		if err != nil {
			res.Err = err.Error()
		}
		if err := send(res); err != nil {
			return err
		}
	}
}

func (c *goCache) get(req *goCacheRequest, res *goCacheResponse) error {
	action := hex.EncodeToString(req.ActionID)
	for _, dir := range []string{c.rw, c.ro} {
		b, err := os.ReadFile(filepath.Join(dir, "a", action))
		if err != nil {
			continue
		}
		f := strings.Fields(string(b))
		if len(f) != 3 {
			continue
		}
		out, err := hex.DecodeString(f[0])
		if err != nil {
			continue
		}
		size, err1 := strconv.ParseInt(f[1], 10, 64)
		nano, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		path := filepath.Join(dir, "o", hex.EncodeToString(out))
		if fi, err := os.Stat(path); err != nil || fi.Size() != size {
			continue
		}
		t := time.Unix(0, nano)
		res.OutputID, res.Size, res.Time, res.DiskPath = out, size, &t, path
		return nil
	}
	res.Miss = true
	return nil
}

func (c *goCache) put(req *goCacheRequest, body []byte, res *goCacheResponse) error {
	out := hex.EncodeToString(req.OutputID)
	path := filepath.Join(c.rw, "o", out)
	if fi, err := os.Stat(path); err != nil || fi.Size() != int64(len(body)) {
		if err := writeAtomic(path, body); err != nil {
			return err
		}
	}
	entry := fmt.Sprintf("%s %d %d\n", out, len(body), time.Now().UnixNano())
	if err := writeAtomic(filepath.Join(c.rw, "a", hex.EncodeToString(req.ActionID)), []byte(entry)); err != nil {
		return err
	}
	res.DiskPath = path
	return nil
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
