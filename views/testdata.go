package views

import (
	"github.com/lovoo/goka"

	codementor "github.com/codementor/codementor"
)

// TestData is a view of the test-data table: the chunks of large questions'
// hidden tests (codementor.TestDataChunk). Its local storage is this
// process's copy of the topic; the judges read a question's chunks from it
// once per version (see judge.TestDataCache).
type TestData struct {
	*table[codementor.TestDataChunk]
}

// NewTestData builds the view.
func NewTestData(brokers []string, opts ...goka.ViewOption) (*TestData, error) {
	t, err := newTable[codementor.TestDataChunk](brokers, codementor.TestDataTable, opts, nil)
	if err != nil {
		return nil, err
	}
	return &TestData{t}, nil
}
