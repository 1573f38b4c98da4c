package codementor

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// bigQuestion is a valid question with a sample and hidden tests of the
// given sizes (input and output each).
func bigQuestion(sizes ...int) *Question {
	q := &Question{ID: "big", Title: "Big", Tests: []Test{{Input: "1\n", Output: "1\n"}}}
	for i, n := range sizes {
		in := strings.Repeat(fmt.Sprintf("%d ", i%10), n/2)[:n]
		out := strings.Repeat("x", n)
		q.Tests = append(q.Tests, Test{Input: in, Output: out, Hidden: true})
	}
	q.Normalize()
	return q
}

func TestSplitAndAssembleTestData(t *testing.T) {
	const chunk = 1000
	q := bigQuestion(130_000, 0, 2_500, 1000)
	q.Tests = append(q.Tests, Test{Input: "2\n", Output: "2\n"}) // a sample after hidden tests
	if err := q.Validate(); err != nil {
		t.Fatal(err)
	}
	rec, seq := SplitTestData(q, chunk)
	if rec.TestData == nil || rec.TestData.ChunkBytes != chunk || rec.TestData.Bytes != 2*(130_000+2_500+1000) || len(rec.TestData.Version) != 32 {
		t.Fatalf("ref %+v", rec.TestData)
	}
	for i, tt := range rec.Tests {
		orig := q.Tests[i]
		if tt.InputBytes != len(orig.Input) || tt.OutputBytes != len(orig.Output) || tt.SHA256 != TestHash(orig.Input, orig.Output) {
			t.Errorf("test %d: sizes %d/%d hash %s", i, tt.InputBytes, tt.OutputBytes, tt.SHA256)
		}
		if tt.Hidden && (tt.Input != "" || tt.Output != "") {
			t.Errorf("hidden test %d keeps its data in the record", i)
		}
		if !tt.Hidden && (tt.Input != orig.Input || tt.Output != orig.Output) {
			t.Errorf("sample test %d lost its data", i)
		}
	}
	if q.Tests[1].Input == "" {
		t.Fatal("SplitTestData changed the question it was given")
	}
	store := map[string]*TestDataChunk{}
	var keys []string
	for c := range seq {
		if len(c.Data) > chunk {
			t.Errorf("chunk of %d bytes", len(c.Data))
		}
		k := TestDataKey(c.QuestionID, c.Version, c.Test, c.Part, c.Index)
		store[k] = c
		keys = append(keys, k)
	}
	if want := 2*130 + 2*3 + 2*1; len(keys) != want {
		t.Errorf("%d chunks, want %d", len(keys), want)
	}
	if got := rec.TestDataKeys(); !slices.Equal(got, keys) {
		t.Errorf("TestDataKeys differs from the chunks written: %d keys, %d chunks", len(got), len(keys))
	}
	get := func(k string) (*TestDataChunk, error) {
		c, ok := store[k]
		if !ok {
			return nil, fmt.Errorf("no %s", k)
		}
		return c, nil
	}
	tests, err := AssembleTestData(rec, get)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stripMeta(tests), q.Tests) {
		t.Error("assembled tests differ from the question's")
	}
	if !SameTestData(q, rec) {
		t.Error("the record and the question it came from hold different data")
	}

	// The version follows the hidden data, not the samples.
	q2 := *q
	q2.Tests = slices.Clone(q.Tests)
	q2.Tests[0].Output = "changed\n"
	if rec2, _ := SplitTestData(&q2, chunk); rec2.TestData.Version != rec.TestData.Version || SameTestData(rec, rec2) {
		t.Errorf("a sample's change: version %s → %s (want unchanged), same data %v (want false)", rec.TestData.Version, rec2.TestData.Version, SameTestData(rec, rec2))
	}
	q2.Tests[3].Input = strings.Replace(q2.Tests[3].Input, "2", "3", 1)
	if rec2, _ := SplitTestData(&q2, chunk); rec2.TestData.Version == rec.TestData.Version {
		t.Error("a hidden test's change kept the version")
	}

	// A chunk missing, or not what the record says, is an error.
	missing := func(k string) (*TestDataChunk, error) {
		if k == keys[5] {
			return nil, errors.New("gone")
		}
		return get(k)
	}
	if _, err := AssembleTestData(rec, missing); err == nil || !strings.Contains(err.Error(), keys[5]) {
		t.Errorf("a missing chunk: %v", err)
	}
	for name, change := range map[string]func(*TestDataChunk){
		"short": func(c *TestDataChunk) { c.Data = c.Data[1:] },
		"count": func(c *TestDataChunk) { c.Count++ },
		"bytes": func(c *TestDataChunk) { c.Data = slices.Clone(c.Data); c.Data[0]++ },
	} {
		bad := *store[keys[7]]
		change(&bad)
		_, err := AssembleTestData(rec, func(k string) (*TestDataChunk, error) {
			if k == keys[7] {
				return &bad, nil
			}
			return get(k)
		})
		if !errors.Is(err, ErrTestData) {
			t.Errorf("%s chunk: err = %v, want ErrTestData", name, err)
		}
	}
}

// stripMeta returns tests without their recorded sizes and hash.
func stripMeta(tests []Test) []Test {
	out := slices.Clone(tests)
	for i := range out {
		out[i].InputBytes, out[i].OutputBytes, out[i].SHA256 = 0, 0, ""
	}
	return out
}

func TestSmallQuestionsKeepTheirDataInline(t *testing.T) {
	q := bigQuestion(100_000) // 200 KB of hidden data: under InlineTestDataBytes
	rec, seq := SplitTestData(q, 0)
	if rec.TestData != nil || rec.Tests[1].Input != q.Tests[1].Input || rec.Tests[1].InputBytes != 100_000 {
		t.Errorf("small question: ref %+v, hidden input %d bytes in the record", rec.TestData, len(rec.Tests[1].Input))
	}
	for range seq {
		t.Fatal("a small question has chunks")
	}
	if rec.TestDataKeys() != nil {
		t.Error("a small question has chunk keys")
	}
	// A record from before (no sizes, no hashes) reads as it is.
	old := &Question{ID: "old", Tests: []Test{{Input: "1", Output: "2", Hidden: true}}}
	tests, err := AssembleTestData(old, nil)
	if err != nil || !reflect.DeepEqual(tests, old.Tests) {
		t.Errorf("old record: %+v, %v", tests, err)
	}
	if !SameTestData(old, &Question{Tests: []Test{{Input: "1", Output: "2", Hidden: true, SHA256: TestHash("1", "2")}}}) {
		t.Error("an old record and a new one with the same data differ")
	}
}

func TestChunksFitTheBrokers(t *testing.T) {
	q := bigQuestion(MaxTestDataBytes)
	_, seq := SplitTestData(q, 0)
	n := 0
	for c := range seq {
		b, err := new(TestDataChunkCodec).Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		// Half of message.max.bytes (1048588 on both brokers); sarama's
		// Producer.MaxMessageBytes (1000000) bounds a partition's batch.
		if len(b) > 600<<10 {
			t.Fatalf("chunk %d of test %d encodes to %d bytes", c.Index, c.Test, len(b))
		}
		n++
	}
	if want := 2 * chunkCount(MaxTestDataBytes, TestDataChunkBytes); n != want {
		t.Errorf("%d chunks, want %d", n, want)
	}
}

func TestTestDataLimits(t *testing.T) {
	mb := func(n int) string { return strings.Repeat("1", n) }
	tests := []struct {
		name  string
		tests []Test
		want  string // in the error; "" valid
	}{
		{"three hidden tests of 900 KB", []Test{{Input: mb(900_000), Output: "1", Hidden: true}, {Input: mb(900_000), Output: "1", Hidden: true}, {Input: mb(900_000), Output: "1", Hidden: true}}, ""},
		{"a test of 16 MiB each way", []Test{{Input: mb(MaxTestDataBytes), Output: mb(MaxTestDataBytes), Hidden: true}}, ""},
		{"100 tests", slices.Repeat([]Test{{Input: "1", Output: "1"}}, MaxTests), ""},
		{"101 tests", slices.Repeat([]Test{{Input: "1", Output: "1"}}, MaxTests+1), "101 tests, at most 100 allowed per question"},
		{"an input over 16 MiB", []Test{{Input: mb(MaxTestDataBytes + 1), Output: "1", Hidden: true}}, "tests[0].input is 16777217 bytes, at most 16777216 (16 MiB) allowed per input or output"},
		{"an output over 16 MiB", []Test{{Input: "1", Output: mb(MaxTestDataBytes + 1), Hidden: true}}, "tests[0].output is 16777217 bytes, at most 16777216 (16 MiB) allowed per input or output"},
		{"64 MiB in all", slices.Repeat([]Test{{Input: mb(8 << 20), Output: mb(8 << 20), Hidden: true}}, 4), ""},
		{"over 64 MiB in all", slices.Repeat([]Test{{Input: mb(8 << 20), Output: mb(8<<20 + 1), Hidden: true}}, 4), "add up to 67108868 bytes, at most 67108864 (64 MiB) allowed per question"},
		{"large samples", []Test{{Input: mb(200_000), Output: mb(100_000)}}, "the sample tests' (hidden: false) inputs and outputs add up to 300000 bytes, at most 262144 (256 KiB) allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &Question{ID: "q", Title: "Q", Tests: tt.tests}
			q.Normalize()
			err := q.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want ErrInvalid saying %q", err, tt.want)
			}
		})
	}
}
