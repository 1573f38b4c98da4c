package questions

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	codementor "github.com/codementor/codementor"
	"github.com/codementor/codementor/views"
)

// Table is the questions table as Seed reads it: *views.Questions.
type Table interface {
	// WaitRecovered returns once the view holds the whole table.
	WaitRecovered(ctx context.Context) error
	Get(id string) (*codementor.Question, error)
	// Await returns the question once ok accepts it.
	Await(ctx context.Context, id string, ok func(*codementor.Question) bool) (*codementor.Question, error)
}

// Writer writes a question into the table: *emitters.Questions.
type Writer interface {
	Emit(ctx context.Context, id string, q *codementor.Question) error
}

// Seed writes every starter question the table does not have yet, so a
// fresh installation has questions and an admin's edits are kept, and
// returns once the table shows every starter question: a learner can open
// each.
func Seed(ctx context.Context, table Table, w Writer, log *slog.Logger) error {
	starter, err := Starter()
	if err != nil {
		return fmt.Errorf("load starter questions: %w", err)
	}
	if err := table.WaitRecovered(ctx); err != nil {
		return err
	}
	added := 0
	for i := range starter {
		q := &starter[i]
		if _, err := table.Get(q.ID); !errors.Is(err, views.ErrNotFound) {
			continue
		}
		q.UpdatedAt = time.Now().UTC()
		if err := w.Emit(ctx, q.ID, q); err != nil {
			return fmt.Errorf("seed question %s: %w", q.ID, err)
		}
		added++
	}
	for i := range starter {
		if _, err := table.Await(ctx, starter[i].ID, func(*codementor.Question) bool { return true }); err != nil {
			return err
		}
	}
	log.Info("starter questions", "added", added, "total", len(starter))
	return nil
}
