// Package lookup reads the questions table from inside a processor's
// callback, and tells the callback to hand its job back when the table does
// not hold the question yet: questions are never deleted and the web tier
// accepted the submission's, so a missing one means the processor's copy of
// the table is behind (recovering, or broken until the processor restarts
// after a broker restart), not that the question is gone.
package lookup

import (
	"time"

	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// A job whose question is missing is handed back Retries times, Wait apart
// (a minute in all), before it fails.
var (
	Retries = 60
	Wait    = time.Second
)

// Question returns the question id from the questions table of ctx's
// processor. When the table lacks it and *retries is below Retries, it waits
// Wait, counts the retry in *retries and returns handBack: the caller sends
// its job (with the count) back through its loopback stream and returns.
// When the retries are spent it returns nil and false: the job fails.
func Question(ctx goka.Context, id string, retries *int) (q *codementor.Question, handBack bool) {
	if v := ctx.Lookup(codementor.QuestionsTable, id); v != nil {
		return v.(*codementor.Question), false
	}
	if *retries >= Retries {
		return nil, false
	}
	*retries++
	time.Sleep(Wait)
	return nil, true
}
