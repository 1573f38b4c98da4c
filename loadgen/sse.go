package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxEventLine bounds one line of an event stream (a submission's JSON is at
// most its 64 KiB of code plus test output that the service truncates).
const maxEventLine = 16 << 20

// readEvents reads a Server-Sent Events stream until it ends and calls on
// for every event with its data: the last event id seen (ids persist across
// events, as in a browser), its name ("message" when unnamed) and its data
// lines joined by newlines. The data is valid only during the call.
// Comments (the heartbeat ": ping") and retry fields are skipped. Lines are
// read in place from the buffer, so an event costs no allocation beyond its
// data's first growth.
func readEvents(r io.Reader, on func(id, name string, data []byte)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		long    []byte // a line longer than the buffer, gathered
		name    []byte
		data    []byte
		id      string
		hasData bool
	)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long)+len(line) > maxEventLine {
				return fmt.Errorf("an event stream line is over %d bytes", maxEventLine)
			}
			long = append(long, line...)
			continue
		}
		if err != nil {
			// A line the stream did not end is incomplete: drop it.
			return err
		}
		if len(long) > 0 {
			long = append(long, line...)
			line = long
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		switch {
		case len(line) == 0:
			if hasData {
				n := "message"
				if len(name) > 0 {
					n = string(name)
				}
				on(id, n, data)
			}
			name, data, hasData = name[:0], data[:0], false
		case line[0] == ':': // a comment: the heartbeat
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			value = bytes.TrimPrefix(value, []byte(" "))
			switch string(field) {
			case "event":
				name = append(name[:0], value...)
			case "data":
				if hasData {
					data = append(data, '\n')
				}
				data = append(data, value...)
				hasData = true
			case "id":
				if bytes.IndexByte(value, 0) < 0 {
					id = string(value)
				}
			}
		}
		long = long[:0]
	}
}
