// Package judge0 is the vocabulary of CodeMentor's Judge0 CE 1.13.1
// compatible API: Judge0's language ids and statuses, its submission
// tokens, the translation of a Judge0 submission into a CodeMentor run
// (Parse, with Judge0's defaults, caps and 422 messages) and of a run's
// state back into Judge0's JSON (Render, with its fields= selection and
// base64_encoded), and the bodies of /config_info, /about and /workers.
//
// It knows nothing of HTTP: package web serves it under /judge0.
//
// A Judge0 submission is a run (codementor.KindRun, codementor.RunFromJudge0)
// of one case: stdin and expected_output. Judge0's limits are converted to a
// run's units (seconds to milliseconds); its statuses are derived from the
// run's verdict, exit code and signal (StatusOf).
package judge0
