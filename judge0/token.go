package judge0

import (
	"encoding/hex"
	"strings"

	codementor "github.com/codementor/codementor"
)

// Token returns the Judge0 token of the run id: a version 4 UUID, as
// Judge0's tokens are (clients such as the Python SDK type them so), that
// carries the 28 hex digits of the ID. Tokens sort as the IDs do.
//
// Layout: 12 digits of the ID, the version digit 4, 3 digits, the variant
// digit 8, the last 13 digits and 00.
func Token(id string) string {
	if len(id) != 28 {
		return id
	}
	h := id[:12] + "4" + id[12:15] + "8" + id[15:28] + "00"
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// ParseToken returns the run ID a token stands for: a token made by Token
// (in either case), or the ID itself. ok is false for anything else.
func ParseToken(token string) (id string, ok bool) {
	t := strings.ToLower(token)
	if len(t) == 28 {
		if _, err := hex.DecodeString(t); err == nil {
			return t, true
		}
		return "", false
	}
	if len(t) != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-' {
		return "", false
	}
	h := t[:8] + t[9:13] + t[14:18] + t[19:23] + t[24:]
	if _, err := hex.DecodeString(h); err != nil || h[12] != '4' || h[16] != '8' || h[30:] != "00" {
		return "", false
	}
	id = h[:12] + h[13:16] + h[17:30]
	if _, ok := codementor.SubmissionIDTime(id); !ok {
		return "", false
	}
	return id, true
}
