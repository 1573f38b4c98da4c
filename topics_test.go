package codementor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCodecCarriesTheSchemaVersion(t *testing.T) {
	c := new(JobCodec)
	b, err := c.Encode(&Job{SubmissionID: "s", Code: "x"})
	if err != nil || !strings.HasPrefix(string(b), `{"v":1,"submission_id":"s"`) {
		t.Fatalf("Encode = %s, %v", b, err)
	}
	v, err := c.Decode(b)
	if err != nil || v.(*Job).SubmissionID != "s" || v.(*Job).Code != "x" {
		t.Fatalf("Decode = %+v, %v", v, err)
	}
	// Messages from before versioning are version 1.
	if v, err := c.Decode([]byte(`{"submission_id":"old"}`)); err != nil || v.(*Job).SubmissionID != "old" {
		t.Errorf("unversioned message: %+v, %v", v, err)
	}
	if _, err := c.Decode([]byte(`{"v":2,"submission_id":"new"}`)); !errors.Is(err, ErrSchemaVersion) {
		t.Errorf("newer schema: err = %v, want ErrSchemaVersion", err)
	}
	if _, err := c.Decode([]byte(`[1,2]`)); err == nil || errors.Is(err, ErrSchemaVersion) {
		t.Errorf("not an object: err = %v", err)
	}
	if b, err := new(JSONCodec[struct{}]).Encode(struct{}{}); err != nil || string(b) != `{"v":1}` {
		t.Errorf("empty object: %s, %v", b, err)
	}
}

func TestSubmissionIDTime(t *testing.T) {
	now := time.UnixMilli(time.Now().UnixMilli())
	if at, ok := SubmissionIDTime(NewSubmissionID(now)); !ok || !at.Equal(now) {
		t.Errorf("SubmissionIDTime(NewSubmissionID(%v)) = %v, %v", now, at, ok)
	}
	for _, bad := range []string{"", "abc", "zz24d8cdd8ba93ccb75cd7c50e6z", "01a24d8cdd8ba93ccb75cd7c50e6aa"} {
		if _, ok := SubmissionIDTime(bad); ok {
			t.Errorf("SubmissionIDTime(%q) took it for an ID", bad)
		}
	}
}
