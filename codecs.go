package codementor

import (
	"encoding/json"
	"errors"
	"fmt"
)

// SchemaVersion is the version of every message's schema, written into each
// as "v". A change that older readers would misread raises it; a reader
// refuses a message with a newer version (a processor sends it to the
// dead-letter topic) instead of misreading it. Messages without "v" are
// from before versioning: version 1.
const SchemaVersion = 1

// ErrSchemaVersion is returned by Decode for a message whose schema is newer
// than this program's.
var ErrSchemaVersion = errors.New("unknown schema version")

// JSONCodec encodes and decodes *T as JSON objects carrying the schema
// version, so any Kafka client can read the topics. Decode returns a fresh *T.
type JSONCodec[T any] struct{}

// Encode accepts a *T or a T.
func (JSONCodec[T]) Encode(value any) ([]byte, error) {
	var b []byte
	var err error
	switch v := value.(type) {
	case *T:
		b, err = json.Marshal(v)
	case T:
		b, err = json.Marshal(&v)
	default:
		var zero T
		return nil, fmt.Errorf("encode: got %T, want %T", value, &zero)
	}
	if err != nil || len(b) < 2 || b[0] != '{' {
		return b, err
	}
	version := fmt.Sprintf(`{"v":%d`, SchemaVersion)
	if string(b) == "{}" {
		return []byte(version + "}"), nil
	}
	return append([]byte(version+","), b[1:]...), nil
}

// Decode returns a *T, or an error wrapping ErrSchemaVersion for a message
// of a newer schema.
func (JSONCodec[T]) Decode(data []byte) (any, error) {
	var zero T
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("decode %T: %w", zero, err)
	}
	if head.V > SchemaVersion {
		return nil, fmt.Errorf("decode %T: %w %d: this program reads up to %d", zero, ErrSchemaVersion, head.V, SchemaVersion)
	}
	v := new(T)
	if err := json.Unmarshal(data, v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", zero, err)
	}
	return v, nil
}

// Codecs of every topic.
type (
	QuestionCodec          = JSONCodec[Question]
	SubmissionRequestCodec = JSONCodec[SubmissionRequest]
	JobCodec               = JSONCodec[Job]
	RunEventCodec          = JSONCodec[RunEvent]
	ReviewJobCodec         = JSONCodec[ReviewJob]
	ReviewEventCodec       = JSONCodec[ReviewEvent]
	SubmissionCodec        = JSONCodec[Submission]
	DeadLetterCodec        = JSONCodec[DeadLetter]
	LearnerEventCodec      = JSONCodec[LearnerEvent]
	NudgeCodec             = JSONCodec[Nudge]
	LearnerCodec           = JSONCodec[Learner]
	CallbackCodec          = JSONCodec[Callback]
	ContestCodec           = JSONCodec[Contest]
	RejudgeCodec           = JSONCodec[Rejudge]
	ResultCodec            = JSONCodec[Result]
	StandingCodec          = JSONCodec[Standing]
	ProgressCodec          = JSONCodec[Progress]
	QuestionStatsCodec     = JSONCodec[QuestionStats]
)
