// Package codementor is the shared vocabulary of the CodeMentor pipeline: the
// names of every Kafka stream, table and processor group, the messages that
// travel on them, and their JSON codecs. Processors, views, emitters and the
// web tier import this package instead of each other.
//
// Where to look:
//   - topics.go: the names of streams, tables and groups;
//   - submission.go: a submission's request, its state in the submission
//     table (Status, Review, ReviewStatus) and its IDs;
//   - question.go: questions, their tests, checkers, limits and validation;
//   - messages.go: what the processors tell each other (jobs, run and review
//     events with their EventKind and Verdict, nudges, learners, runtimes,
//     dead letters);
//   - codecs.go: the JSON codec of every topic and the schema version.
//
// testdata/ holds a golden JSON file of every message as it travels on
// Kafka; a change of the format shows as a diff there (go test -update).
package codementor
