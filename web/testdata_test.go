package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	codementor "github.com/codementor/codementor"
)

// largeQuestion is fixtureQuestion with hidden tests of n bytes of input
// (and a short output) each, filled with fill.
func largeQuestion(id string, fill byte, sizes ...int) *codementor.Question {
	q := fixtureQuestion(id)
	q.Tests = q.Tests[:1]
	for _, n := range sizes {
		q.Tests = append(q.Tests, codementor.Test{Input: strings.Repeat(string(fill), n), Output: "1\n", Hidden: true})
	}
	return q
}

// TestPutLargeQuestion: a question with more test data than a Kafka message
// (three hidden tests of 900 KB) is stored, its hidden tests' data in
// chunks apart from its record; learners see its samples as before; a new
// version replaces the chunks, a new statement alone writes none.
func TestPutLargeQuestion(t *testing.T) {
	h := newHarness(t, Config{})
	q := largeQuestion("big", 'a', 900_000, 900_000, 900_000)
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, q); r.status != http.StatusCreated {
		t.Fatalf("got %d %.300s", r.status, r.body)
	}
	rec, err := h.p.Questions.Get("big")
	if err != nil {
		t.Fatal(err)
	}
	if rec.TestData == nil || rec.TestData.Bytes != 3*(900_000+2) {
		t.Fatalf("record's test data: %+v", rec.TestData)
	}
	for i, tt := range rec.Tests[1:] {
		if tt.Input != "" || tt.InputBytes != 900_000 || tt.SHA256 == "" {
			t.Errorf("hidden test %d in the record: %d bytes of input, input_bytes %d, sha256 %q", i+1, len(tt.Input), tt.InputBytes, tt.SHA256)
		}
	}
	if rec.Tests[0].Input != "1 2\n" {
		t.Errorf("the sample's data is not in the record: %+v", rec.Tests[0])
	}
	b, _ := new(codementor.QuestionCodec).Encode(rec)
	if len(b) > 10<<10 {
		t.Errorf("the record is %d bytes", len(b))
	}
	keys := rec.TestDataKeys()
	held, written, _ := h.p.TestData.Counts()
	if held != len(keys) || written != len(keys) {
		t.Errorf("%d chunks held, %d written; the record names %d", held, written, len(keys))
	}
	// The chunks hold the tests.
	tests, err := codementor.AssembleTestData(rec, h.p.TestData.Get)
	if err != nil {
		t.Fatal(err)
	}
	for i := range q.Tests {
		if tests[i].Input != q.Tests[i].Input || tests[i].Output != q.Tests[i].Output {
			t.Errorf("test %d does not read back", i)
		}
	}

	var got publicQuestion
	r := h.send(t, "GET", "/api/questions/big", h.alice, nil)
	r.decode(t, &got)
	if len(got.Tests) != 1 || got.Tests[0].Input != "1 2\n" || got.Tests[0].Output != "3\n" || got.TestCount != 4 || got.HiddenTests != 3 {
		t.Errorf("a learner sees %+v", got)
	}
	if strings.Contains(string(r.body), "test_data") || strings.Contains(string(r.body), rec.TestData.Version) {
		t.Errorf("a learner sees where the hidden data is: %.500s", r.body)
	}

	// A new statement keeps the version: no chunk is written or deleted.
	q.Statement = "Print the length."
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, q); r.status != http.StatusOK {
		t.Fatalf("got %d %.300s", r.status, r.body)
	}
	if held2, written2, deleted := h.p.TestData.Counts(); held2 != held || written2 != written || deleted != 0 {
		t.Errorf("a new statement: %d chunks held, %d written, %d deleted", held2, written2-written, deleted)
	}

	// New data: the new version's chunks, then the old ones deleted.
	q2 := largeQuestion("big", 'b', 900_000, 900_000, 900_000)
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, q2); r.status != http.StatusOK {
		t.Fatalf("got %d %.300s", r.status, r.body)
	}
	rec2, _ := h.p.Questions.Get("big")
	if rec2.TestData == nil || rec2.TestData.Version == rec.TestData.Version {
		t.Fatalf("new data kept the version: %+v", rec2.TestData)
	}
	if held, _, deleted := h.p.TestData.Counts(); held != len(rec2.TestDataKeys()) || deleted != len(keys) {
		t.Errorf("after a new version: %d chunks held, %d deleted", held, deleted)
	}
	if _, err := h.p.TestData.Get(keys[0]); err == nil {
		t.Error("the old version's chunk is still there")
	}

	// A record that cannot be written leaves the question as it was, and
	// no chunk of the version that failed.
	h.p.QuestionEmitter.Fail(errors.New("no broker"))
	q3 := largeQuestion("big", 'c', 900_000)
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, q3); r.status != http.StatusServiceUnavailable {
		t.Errorf("got %d %.300s, want 503", r.status, r.body)
	}
	h.p.QuestionEmitter.Fail(nil)
	if now, _ := h.p.Questions.Get("big"); now.TestData.Version != rec2.TestData.Version {
		t.Error("a failed write changed the question")
	}
	if held, _, _ := h.p.TestData.Counts(); held != len(rec2.TestDataKeys()) {
		t.Errorf("after a failed write %d chunks are held, want the current version's %d", held, len(rec2.TestDataKeys()))
	}
	// Chunks that cannot be written: nothing changes either.
	h.p.TestData.Fail(errors.New("no broker"))
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, q3); r.status != http.StatusServiceUnavailable {
		t.Errorf("got %d %.300s, want 503", r.status, r.body)
	}
	h.p.TestData.Fail(nil)

	// Small again: the data goes back into the record, the chunks away.
	small := largeQuestion("big", 'd', 1000)
	if r := h.send(t, "PUT", "/api/questions/big", h.admin, small); r.status != http.StatusOK {
		t.Fatalf("got %d %.300s", r.status, r.body)
	}
	rec4, _ := h.p.Questions.Get("big")
	if held, _, _ := h.p.TestData.Counts(); held != 0 || rec4.TestData != nil || rec4.Tests[1].Input != small.Tests[1].Input {
		t.Errorf("small again: %d chunks held, ref %+v", held, rec4.TestData)
	}
}

// TestPutQuestionLimits: what is over a limit is refused, saying which.
func TestPutQuestionLimits(t *testing.T) {
	h := newHarness(t, Config{})
	many := fixtureQuestion("q")
	for len(many.Tests) <= codementor.MaxTests {
		many.Tests = append(many.Tests, codementor.Test{Input: "1 1\n", Output: "2\n", Hidden: true})
	}
	samples := fixtureQuestion("q")
	samples.Tests[0].Input = strings.Repeat("1 ", 150_000)
	drivers := fixtureQuestion("q")
	drivers.Drivers = map[string]string{}
	for _, l := range codementor.Languages {
		drivers.Drivers[l.ID] = strings.Repeat("#", codementor.MaxCodeBytes)
	}
	for _, c := range []struct {
		name string
		q    *codementor.Question
		want string
	}{
		{"101 tests", many, "101 tests, at most 100 allowed per question"},
		{"an input over 16 MiB", largeQuestion("q", 'a', codementor.MaxTestDataBytes+1), "tests[1].input is 16777217 bytes, at most 16777216 (16 MiB) allowed per input or output"},
		{"over 64 MiB in all", largeQuestion("q", 'a', 16<<20, 16<<20, 16<<20, 16<<20), "at most 67108864 (64 MiB) allowed per question"},
		{"large samples", samples, "at most 262144 (256 KiB) allowed: learners see them"},
		{"a record over the brokers' limit", drivers, "at most 921600 (900 KiB) allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.send(t, "PUT", "/api/questions/q", h.admin, c.q)
			if r.status != http.StatusUnprocessableEntity || r.errorCode() != "invalid" || !strings.Contains(string(r.body), c.want) {
				t.Errorf("got %d %.400s, want 422 invalid saying %q", r.status, r.body, c.want)
			}
		})
	}
	if _, err := h.p.Questions.Get("q"); err == nil {
		t.Error("a question over a limit was stored")
	}
	if _, written, _ := h.p.TestData.Counts(); written != 0 {
		t.Errorf("%d chunks written for questions refused", written)
	}

	// A body past the route's limit without a Content-Length: 413 once the
	// limit is read, naming it.
	body := io.MultiReader(strings.NewReader(`{"title":"x","statement":"`), endless{})
	req := httptest.NewRequest("PUT", "/api/questions/q", body)
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+h.admin)
	rec := httptest.NewRecorder()
	h.s.echo.ServeHTTP(rec, req)
	r := response{status: rec.Code, body: rec.Body.Bytes()}
	if r.status != http.StatusRequestEntityTooLarge || r.errorCode() != "too_large" || !strings.Contains(string(r.body), "over 134217728 bytes, the most a question's body may have (128 MiB)") {
		t.Errorf("an endless body: %d %.400s", r.status, r.body)
	}
}

// endless reads as endless a's.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
