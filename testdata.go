package codementor

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
)

// Where a question's test data is stored.
//
// A Kafka record is at most about 1 MiB (message.max.bytes, 1048588 bytes
// by default on Apache Kafka and on the embedded broker), and a contest
// question's tests are tens of megabytes. So:
//
//   - A question whose tests' inputs and outputs add up to at most
//     InlineTestDataBytes keeps them in its record in QuestionsTable, as every
//     question did before test data was stored apart: TestData is nil. Old
//     records are read as they are.
//   - A larger question keeps its sample tests' data in its record (learners
//     see them on the question's page; MaxSampleDataBytes bounds them) and
//     stores its hidden tests' data in TestDataTable, in chunks of
//     TestDataRef.ChunkBytes bytes keyed by TestDataKey(question, version,
//     test, part, chunk). Its record holds the TestDataRef (the version, a
//     content hash of that data) and, for every test, its sizes and hash,
//     but not the hidden tests' data.
//
// The writer stores the chunks first, each acknowledged, then the record;
// once the record is written it deletes (tombstones) the chunks of the
// version it replaced. A reader of a record finds every chunk of its
// version, unless the record was replaced meanwhile (it then reads the
// record again). The judges keep the data they assembled by version, so
// that a question whose tests did not change is not read again.

// Limits of test data. The first three are checked by Question.Validate.
const (
	// MaxQuestionTestDataBytes caps the sum of a question's tests' inputs
	// and outputs.
	MaxQuestionTestDataBytes = 64 << 20
	// MaxSampleDataBytes caps the sum of a question's sample tests' inputs
	// and outputs: they are shown to learners and stored in the record.
	MaxSampleDataBytes = 256 << 10
	// InlineTestDataBytes is the test data a question keeps in its record:
	// one with more stores its hidden tests' data in TestDataTable.
	InlineTestDataBytes = 256 << 10
	// MaxQuestionRecordBytes caps a question's encoded record (statement,
	// drivers, starter code, sample tests: everything but the hidden tests'
	// data stored apart), well under the brokers' message size (1048588
	// bytes by default on both brokers).
	MaxQuestionRecordBytes = 900 << 10
	// TestDataChunkBytes is the data of a chunk. Encoded (base64 in JSON) a
	// chunk's record is about 512 KiB: half the brokers' message size, and
	// under sarama's per-partition batch limit (Producer.MaxMessageBytes,
	// 1000000 bytes), so that each chunk is a batch of its own at most.
	TestDataChunkBytes = 384 << 10
)

// TestDataRef says where a question's hidden tests' data is: in
// TestDataTable, under Version.
type TestDataRef struct {
	// Version is a content hash of the hidden tests' data (and of their
	// positions and the chunk size): equal versions hold equal data.
	Version string `json:"version"`
	// ChunkBytes is the size of each chunk but the last of an input or an
	// output.
	ChunkBytes int `json:"chunk_bytes"`
	// Bytes is the data stored apart: the hidden tests' inputs and outputs.
	Bytes int64 `json:"bytes"`
}

// TestPart is a test's input or its expected output.
type TestPart string

// The parts of a test.
const (
	TestInput  TestPart = "input"
	TestOutput TestPart = "output"
)

// TestDataChunk is a piece of a hidden test's input or output, stored in
// TestDataTable under TestDataKey(QuestionID, Version, Test, Part, Index).
type TestDataChunk struct {
	QuestionID string   `json:"question_id"`
	Version    string   `json:"version"`
	Test       int      `json:"test"`
	Part       TestPart `json:"part"`
	// Index is the chunk's position among the Count chunks of the part.
	Index int `json:"index"`
	Count int `json:"count"`
	// Data is the chunk's bytes (base64 in JSON).
	Data []byte `json:"data"`
}

// TestDataChunkCodec encodes the chunks of TestDataTable.
type TestDataChunkCodec = JSONCodec[TestDataChunk]

// TestDataKey is the key of a chunk in TestDataTable.
func TestDataKey(questionID, version string, test int, part TestPart, index int) string {
	return questionID + "/" + version + "/" + strconv.Itoa(test) + "/" + string(part) + "/" + strconv.Itoa(index)
}

// ErrTestData is wrapped by the errors of AssembleTestData: a chunk missing
// or not what the record says.
var ErrTestData = errors.New("test data does not match the question")

// TestHash is the hash of a test's data, as Test.SHA256 holds it.
func TestHash(input, output string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d:", len(input))
	h.Write([]byte(input))
	fmt.Fprintf(h, "%d:", len(output))
	h.Write([]byte(output))
	return hex.EncodeToString(h.Sum(nil))
}

// Hash returns the hash of t's data: the one recorded, or computed from its
// data (a record from before hashes were recorded).
func (t *Test) Hash() string {
	if t.SHA256 != "" {
		return t.SHA256
	}
	return TestHash(t.Input, t.Output)
}

// SameTestData reports whether a's and b's tests hold the same data, in the
// same order, hidden or not: what a new version of a question must change
// for its submissions to be judged again.
func SameTestData(a, b *Question) bool {
	if len(a.Tests) != len(b.Tests) {
		return false
	}
	for i := range a.Tests {
		if a.Tests[i].Hidden != b.Tests[i].Hidden || a.Tests[i].Hash() != b.Tests[i].Hash() {
			return false
		}
	}
	return true
}

// TestDataBytes is the sum of q's tests' inputs and outputs, as present in
// q: a record whose hidden tests' data is stored apart counts their sizes.
func (q *Question) TestDataBytes() (all, samples int64) {
	for _, t := range q.Tests {
		n := int64(max(len(t.Input), t.InputBytes) + max(len(t.Output), t.OutputBytes))
		all += n
		if !t.Hidden {
			samples += n
		}
	}
	return all, samples
}

// SplitTestData returns the record of q (normalized and valid) to store in
// QuestionsTable, with every test's sizes and hash, and the chunks to store
// in TestDataTable before it. A question with at most InlineTestDataBytes of
// test data keeps it in its record and has no chunks; a larger one keeps
// its samples' data and stores its hidden tests' data in chunks of
// chunkBytes (TestDataChunkBytes if 0). The chunks are made as they are
// read, each a copy of its part of q's data: q must not change meanwhile.
func SplitTestData(q *Question, chunkBytes int) (*Question, iter.Seq[*TestDataChunk]) {
	if chunkBytes <= 0 {
		chunkBytes = TestDataChunkBytes
	}
	rec := *q
	rec.TestData = nil
	rec.Tests = make([]Test, len(q.Tests))
	for i, t := range q.Tests {
		t.InputBytes, t.OutputBytes, t.SHA256 = len(t.Input), len(t.Output), TestHash(t.Input, t.Output)
		rec.Tests[i] = t
	}
	none := func(func(*TestDataChunk) bool) {}
	if all, _ := q.TestDataBytes(); all <= InlineTestDataBytes {
		return &rec, none
	}
	h := sha256.New()
	fmt.Fprintf(h, "codementor test data 1, chunks of %d bytes\n", chunkBytes)
	ref := &TestDataRef{ChunkBytes: chunkBytes}
	for i := range rec.Tests {
		t := &rec.Tests[i]
		if !t.Hidden {
			continue
		}
		fmt.Fprintf(h, "%d %s\n", i, t.SHA256)
		ref.Bytes += int64(t.InputBytes + t.OutputBytes)
		t.Input, t.Output = "", ""
	}
	ref.Version = hex.EncodeToString(h.Sum(nil))[:32]
	rec.TestData = ref
	chunks := func(yield func(*TestDataChunk) bool) {
		for i, t := range q.Tests {
			if !t.Hidden {
				continue
			}
			for _, p := range []struct {
				part TestPart
				data string
			}{{TestInput, t.Input}, {TestOutput, t.Output}} {
				n := chunkCount(len(p.data), chunkBytes)
				for k := range n {
					data := p.data[k*chunkBytes : min((k+1)*chunkBytes, len(p.data))]
					c := &TestDataChunk{QuestionID: q.ID, Version: ref.Version, Test: i, Part: p.part, Index: k, Count: n, Data: []byte(data)}
					if !yield(c) {
						return
					}
				}
			}
		}
	}
	return &rec, chunks
}

// chunkCount is the number of chunks of size bytes of data.
func chunkCount(size, chunkBytes int) int { return (size + chunkBytes - 1) / chunkBytes }

// TestDataKeys returns the keys of the chunks that hold the data of rec (a
// record as stored) in TestDataTable: none if its data is in the record.
func (q *Question) TestDataKeys() []string {
	ref := q.TestData
	if ref == nil || ref.ChunkBytes <= 0 {
		return nil
	}
	var keys []string
	for i, t := range q.Tests {
		if !t.Hidden {
			continue
		}
		for _, p := range []struct {
			part TestPart
			size int
		}{{TestInput, t.InputBytes}, {TestOutput, t.OutputBytes}} {
			for k := range chunkCount(p.size, ref.ChunkBytes) {
				keys = append(keys, TestDataKey(q.ID, ref.Version, i, p.part, k))
			}
		}
	}
	return keys
}

// AssembleTestData returns the tests of rec (a record as stored) with their
// data: the record's own, and for a record whose hidden tests' data is
// stored apart, that data read chunk by chunk with get, each test checked
// against its sizes and hash. get returns the chunk under a key, or an
// error. An error of get is returned wrapped; a chunk missing or not what
// the record says gives an error wrapping ErrTestData.
func AssembleTestData(rec *Question, get func(key string) (*TestDataChunk, error)) ([]Test, error) {
	tests := make([]Test, len(rec.Tests))
	copy(tests, rec.Tests)
	ref := rec.TestData
	if ref == nil {
		return tests, nil
	}
	if ref.ChunkBytes <= 0 {
		return nil, fmt.Errorf("question %s: %w: chunk size %d", rec.ID, ErrTestData, ref.ChunkBytes)
	}
	for i := range tests {
		t := &tests[i]
		if !t.Hidden {
			continue
		}
		in, err := assemblePart(rec, i, TestInput, t.InputBytes, get)
		if err != nil {
			return nil, err
		}
		out, err := assemblePart(rec, i, TestOutput, t.OutputBytes, get)
		if err != nil {
			return nil, err
		}
		if t.SHA256 != "" && TestHash(in, out) != t.SHA256 {
			return nil, fmt.Errorf("question %s version %s test %d: %w: its data's hash differs from the record's", rec.ID, ref.Version, i, ErrTestData)
		}
		t.Input, t.Output = in, out
	}
	return tests, nil
}

// assemblePart reads the size bytes of a part of rec's test i.
func assemblePart(rec *Question, i int, part TestPart, size int, get func(string) (*TestDataChunk, error)) (string, error) {
	ref := rec.TestData
	n := chunkCount(size, ref.ChunkBytes)
	var b strings.Builder
	b.Grow(size)
	for k := range n {
		key := TestDataKey(rec.ID, ref.Version, i, part, k)
		c, err := get(key)
		if err != nil {
			return "", fmt.Errorf("read test data %s: %w", key, err)
		}
		want := min(ref.ChunkBytes, size-k*ref.ChunkBytes)
		if c.Count != n || c.Index != k || len(c.Data) != want {
			return "", fmt.Errorf("test data %s: %w: chunk %d of %d with %d bytes, want chunk %d of %d with %d bytes",
				key, ErrTestData, c.Index, c.Count, len(c.Data), k, n, want)
		}
		b.Write(c.Data)
	}
	return b.String(), nil
}
