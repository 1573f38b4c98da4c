package archive

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// entry is one entry of a test archive.
type entry struct {
	name string
	data string
	mode fs.FileMode // 0: a regular file, 0644
}

// makeZip returns an archive of entries.
func makeZip(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestUnzip(t *testing.T) {
	data := makeZip(t,
		entry{name: "input.txt", data: "1 2 3\n"},
		entry{name: "dir/", mode: fs.ModeDir | 0o755},
		entry{name: "dir/sub/data.bin", data: "\x00\x01\xff"},
		entry{name: "héllo wörld.txt", data: ""},
		entry{name: ".hidden", data: "h"},
	)
	files, err := Unzip(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := []File{{"input.txt", []byte("1 2 3\n")}, {"dir/sub/data.bin", []byte("\x00\x01\xff")}, {"héllo wörld.txt", []byte{}}, {".hidden", []byte("h")}}
	if len(files) != len(want) {
		t.Fatalf("Unzip = %q, want %q", files, want)
	}
	for i := range want {
		if files[i].Name != want[i].Name || !bytes.Equal(files[i].Data, want[i].Data) {
			t.Errorf("file %d = %q %q, want %q %q", i, files[i].Name, files[i].Data, want[i].Name, want[i].Data)
		}
	}
}

func TestUnzipRefuses(t *testing.T) {
	many := make([]entry, 4)
	for i := range many {
		many[i] = entry{name: strings.Repeat("f", i+1), data: "x"}
	}
	for _, c := range []struct {
		name    string
		data    []byte
		lim     Limits
		want    error
		message string
	}{
		{"not a zip", []byte("PK\x03\x04 but not really"), Limits{}, nil, "not a zip archive"},
		{"parent", makeZip(t, entry{name: "../evil", data: "x"}), Limits{}, ErrBadName, `".." component`},
		{"parent inside", makeZip(t, entry{name: "a/../../evil", data: "x"}), Limits{}, ErrBadName, `".." component`},
		{"parent harmless", makeZip(t, entry{name: "a/../b", data: "x"}), Limits{}, ErrBadName, `".." component`},
		{"dot", makeZip(t, entry{name: "./a", data: "x"}), Limits{}, ErrBadName, `"." component`},
		{"absolute", makeZip(t, entry{name: "/etc/cron.d/evil", data: "x"}), Limits{}, ErrBadName, "absolute"},
		{"backslash", makeZip(t, entry{name: `..\..\evil`, data: "x"}), Limits{}, ErrBadName, "backslash"},
		{"double slash", makeZip(t, entry{name: "a//b", data: "x"}), Limits{}, ErrBadName, "empty component"},
		{"newline", makeZip(t, entry{name: "a\nb", data: "x"}), Limits{}, ErrBadName, "control character"},
		{"parent directory entry", makeZip(t, entry{name: "../", mode: fs.ModeDir | 0o755}), Limits{}, ErrBadName, `".." component`},
		{"too long", makeZip(t, entry{name: strings.Repeat("a", 256), data: "x"}), Limits{}, ErrBadName, "longer than 255"},
		{"symlink", makeZip(t, entry{name: "link", data: "/etc/shadow", mode: fs.ModeSymlink | 0o777}), Limits{}, ErrBadType, "symbolic link"},
		{"symlink as directory", makeZip(t, entry{name: "link/", mode: fs.ModeSymlink | 0o777}), Limits{}, ErrBadType, "symbolic link"},
		{"device", makeZip(t, entry{name: "dev", mode: fs.ModeDevice | 0o644}), Limits{}, ErrBadType, "device"},
		{"pipe", makeZip(t, entry{name: "fifo", mode: fs.ModeNamedPipe | 0o644}), Limits{}, ErrBadType, "named pipe"},
		{"duplicate", makeZip(t, entry{name: "a", data: "1"}, entry{name: "a", data: "2"}), Limits{}, ErrDuplicate, `"a" appears twice`},
		{"file and directory", makeZip(t, entry{name: "a", data: "1"}, entry{name: "a/b", data: "2"}), Limits{}, ErrDuplicate, "directory of"},
		{"too many", makeZip(t, many...), Limits{MaxFiles: 3}, ErrTooMany, "more than 3 files"},
		{"too large", makeZip(t, entry{name: "a", data: "12345"}, entry{name: "b", data: "678"}), Limits{MaxBytes: 7}, ErrTooLarge, "more than 7 bytes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			files, err := Unzip(c.data, c.lim)
			if !errors.Is(err, ErrInvalid) || c.want != nil && !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("Unzip = %q, %v; want an error wrapping ErrInvalid and %v saying %q", files, err, c.want, c.message)
			}
			t.Log(err)
		})
	}
}

// TestUnzipBomb: archives that inflate far beyond what they weigh stop at
// the limit, whether their headers say how much they hold or lie about it.
func TestUnzipBomb(t *testing.T) {
	const size = 64 << 20 // 64 MiB of zeros: 64 KiB deflated
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestSpeed)
	zeros := make([]byte, 1<<20)
	crc := uint32(0)
	for range size >> 20 {
		fw.Write(zeros)
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	fw.Close()
	raw := func(claimed uint64, copies int) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range copies {
			h := &zip.FileHeader{Name: "bomb" + strings.Repeat("x", i), Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(deflated.Len()), UncompressedSize64: claimed}
			h.SetMode(0o644)
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(deflated.Bytes())
		}
		zw.Close()
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"honest", raw(size, 1), ErrTooLarge},
		{"many honest", raw(size, 20), ErrTooLarge},
		{"lying", raw(1<<10, 1), nil},       // claims 1 KiB
		{"many lying", raw(1<<18, 12), nil}, // 12 × 256 KiB claimed, within the limit
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			files, err := Unzip(c.data, Limits{MaxBytes: 4 << 20})
			if !errors.Is(err, ErrInvalid) || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("Unzip of a %d-byte bomb = %d files, %v; want an error wrapping ErrInvalid and %v", len(c.data), len(files), err, c.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refused after %v", d)
			}
			t.Logf("%d bytes: %v", len(c.data), err)
		})
	}
}

// TestInflateBudget: the budget holds while reading, whatever the header
// claims (archive/zip stops at the claimed size too, but Unzip does not rely
// on it).
func TestInflateBudget(t *testing.T) {
	data := makeZip(t, entry{name: "a", data: strings.Repeat("x", 1000)})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := inflate(zr.File[0], 999); !errors.Is(err, ErrTooLarge) {
		t.Errorf("inflate of 1000 bytes within 999 = %d bytes, %v; want ErrTooLarge", len(b), err)
	}
	if b, err := inflate(zr.File[0], 1000); err != nil || len(b) != 1000 {
		t.Errorf("inflate of 1000 bytes within 1000 = %d bytes, %v", len(b), err)
	}
}
