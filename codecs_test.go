package codementor

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// codec is what goka needs of a codec.
type codec interface {
	Encode(value any) ([]byte, error)
	Decode(data []byte) (any, error)
}

// wire is a message and the codec of its topics.
type wire struct {
	msg   any
	codec codec
}

// wireSamples is a message of every type that travels on Kafka, with every
// field set, named as its golden file.
func wireSamples() map[string]wire {
	at := time.Date(2026, 12, 7, 10, 30, 15, 123456789, time.UTC)
	sample := TestResult{Index: 0, Verdict: VerdictWrongAnswer, TimeMS: 12, MemoryKB: 9216, ExitCode: 1, Signal: "SIGSEGV",
		Message: "the output differs from the expected output", Input: "1 2\n", Expected: "3\n", Output: "4\n", Stderr: "warning\n"}
	hidden := TestResult{Index: 1, Verdict: VerdictTimeLimitExceeded, TimeMS: 2000, MemoryKB: 8000, Hidden: true,
		Message: "the program ran longer than the limit of 2000 ms"}
	review := Review{Status: ReviewDone, Reason: "cut off", Attempt: "0123456789abcdef", Model: "gpt-4o-mini",
		Text: "## Summary\nGood.", Truncated: true, StartedAt: at, FinishedAt: at.Add(time.Second),
		Parts: &ReviewParts{Summary: "Good.", Correctness: "Right.", Complexity: "O(n)", TimeComplexity: "O(n)",
			SpaceComplexity: "O(1)", Style: "Clear.", NextSteps: []string{"Handle empty input."}}}
	const id = "019af8b4a5b0f00dcafe0123beef"
	want := "3\n"
	run := &Run{From: RunFromJudge0, Samples: true, Cases: []RunCase{{Input: "1 2\n", Expected: &want}, {Input: "5\n"}},
		TimeLimitMS: 1500, ExtraTimeMS: 500, WallLimitMS: 5000, MemoryLimitKB: 128000, StackLimitKB: 64000, MaxProcesses: 60,
		MaxFileSizeKB: 1024, MergeStderr: true, Args: []string{"-v", "a b"}, CompilerOptions: []string{"-O2"},
		Files: []byte("PK\x05\x06"), Repeat: 2, CallbackURL: "https://hooks.example.com/judge0"}
	runResult := TestResult{Index: 2, Verdict: VerdictAccepted, TimeMS: 3, MemoryKB: 4000, Output: "x\n", WallMS: 9,
		Unchecked: true, Source: "custom", OutputBase64: "/v8K", StderrBase64: "/g=="}
	subtask := SubtaskResult{Index: 1, Name: "all", Points: 100, Earned: 40, Verdict: VerdictAccepted, Tests: []int{1, 2}}
	judgement := Judgement{Round: 1, Verdict: VerdictAccepted, Score: 40, MaxScore: 100, TimeMS: 12, MemoryKB: 9216,
		Tests: []Verdict{VerdictAccepted}, JudgedAt: at}
	previous := Judgement{Round: 0, Verdict: VerdictWrongAnswer, MaxScore: 100, TimeMS: 3, MemoryKB: 800,
		Tests: []Verdict{VerdictWrongAnswer}, JudgedAt: at, RejudgeID: "r-0123", Reason: "test 3 fixed"}
	return map[string]wire{
		"contest": {&Contest{ID: "spring-cup", Title: "Spring cup", Description: "Two hours.", Start: at, End: at.Add(2 * time.Hour),
			Questions: []ContestQuestion{{QuestionID: "a-plus-b", Label: "A", Points: 100}}, Participants: []string{"alice"},
			Scoring: ScoringICPC, FreezeMinutes: 30, UpdatedAt: at}, ContestCodec{}},
		"rejudge": {&Rejudge{ID: "r-0123", SubmissionID: id, Reason: "test 3 fixed", By: "admin", At: at}, RejudgeCodec{}},
		"result": {&Result{SubmissionID: id, User: "alice", QuestionID: "a-plus-b", ContestID: "spring-cup", Language: "python",
			Judgement: judgement, Previous: &previous, CreatedAt: at, At: at.Add(time.Second)}, ResultCodec{}},
		"standing": {&Standing{ContestID: "spring-cup", User: "alice", Entries: map[string]StandingEntry{id: {QuestionID: "a-plus-b",
			Round: 1, Verdict: VerdictAccepted, Score: 40, MaxScore: 100, CreatedAt: at, JudgedAt: at.Add(time.Second)}}, UpdatedAt: at}, StandingCodec{}},
		"progress": {&Progress{User: "alice", Questions: map[string]*QuestionProgress{"a-plus-b": {Verdicts: map[string]Verdict{id: VerdictAccepted},
			Last: VerdictAccepted, LastAt: at, BestScore: 100, MaxScore: 100}}, UpdatedAt: at}, ProgressCodec{}},
		"question-stats": {&QuestionStats{QuestionID: "a-plus-b", Attempts: 3, Accepted: 1, Languages: map[string]*LanguageStats{
			"python": {Attempts: 3, Accepted: 1, TimeMS: Histogram{20: 1}, MemoryKB: Histogram{9000: 1}}}, Recent: []string{id + "#0"}, UpdatedAt: at}, QuestionStatsCodec{}},
		"question": {&Question{ID: "a-plus-b", Title: "Sum", Statement: "Add *a* and *b*.", Difficulty: "easy",
			TimeLimitMS: 2000, MemoryLimitMB: 256, Checker: Checker{Kind: CheckerFloat, Tolerance: 1e-6},
			StopOnFailure: true, RunAllTests: true,
			StarterCode: map[string]string{"python": "# TODO\n"}, Drivers: map[string]string{"python": "print(solve())\n"},
			Tests:     []Test{{Input: "1 2\n", Output: "3\n"}, {Input: "5 5\n", Output: "10\n", Hidden: true}},
			Subtasks:  []Subtask{{Name: "samples", Points: 0, Tests: []int{0}}, {Name: "all", Points: 100, Tests: []int{1}}},
			Reference: &Solution{Language: "python", Code: "print(sum(map(int, input().split())))\n"}, UpdatedAt: at}, QuestionCodec{}},
		"question-test-data-apart": {&Question{ID: "big-sum", Title: "Big sum", TimeLimitMS: 2000, MemoryLimitMB: 256,
			Checker: Checker{Kind: CheckerWhitespace},
			Tests: []Test{{Input: "1 2\n", Output: "3\n", InputBytes: 4, OutputBytes: 2, SHA256: TestHash("1 2\n", "3\n")},
				{Hidden: true, InputBytes: 900000, OutputBytes: 8, SHA256: TestHash("", "")}},
			TestData: &TestDataRef{Version: "0123456789abcdef0123456789abcdef", ChunkBytes: TestDataChunkBytes, Bytes: 900008}, UpdatedAt: at}, QuestionCodec{}},
		"test-data-chunk": {&TestDataChunk{QuestionID: "big-sum", Version: "0123456789abcdef0123456789abcdef", Test: 1, Part: TestInput,
			Index: 2, Count: 3, Data: []byte("1 2 3\n\x00\xff")}, TestDataChunkCodec{}},
		"submission-request": {&SubmissionRequest{ID: id, User: "alice", QuestionID: "a-plus-b", Language: "python",
			Code: "print(sum(map(int, input().split())))\n", Kind: KindRun, Run: run, ContestID: "spring-cup", CreatedAt: at}, SubmissionRequestCodec{}},
		"job": {&Job{SubmissionID: id, User: "alice", QuestionID: "a-plus-b", Language: "python", Code: "print(3)\n",
			Kind: KindRun, Run: run, Round: 2}, JobCodec{}},
		"run-event-started": {&RunEvent{SubmissionID: id, Kind: RunStarted, TestCount: 2, At: at}, RunEventCodec{}},
		"run-event-test":    {&RunEvent{SubmissionID: id, Kind: RunTest, Test: &sample, At: at}, RunEventCodec{}},
		"run-event-subtask": {&RunEvent{SubmissionID: id, Kind: RunSubtask, Round: 1, Subtask: &subtask, At: at}, RunEventCodec{}},
		"run-event-finished": {&RunEvent{SubmissionID: id, Kind: RunFinished, TestCount: 2, Verdict: VerdictWrongAnswer,
			Tests: []TestResult{sample, hidden}, CompileOutput: "main.c:1: warning", Error: "only 1 of 2 tests were judged",
			Round: 1, Score: 40, MaxScore: 100, Subtasks: []SubtaskResult{subtask}, At: at}, RunEventCodec{}},
		"review-job": {&ReviewJob{SubmissionID: id, QuestionID: "a-plus-b", Language: "python", Code: "print(3)\n",
			Verdict: VerdictWrongAnswer, TestCount: 2, Tests: []TestResult{sample, hidden}, CompileOutput: "warning"}, ReviewJobCodec{}},
		"review-event-started":  {&ReviewEvent{SubmissionID: id, Kind: ReviewStarted, Attempt: "0123456789abcdef", Model: "gpt-4o-mini", At: at}, ReviewEventCodec{}},
		"review-event-delta":    {&ReviewEvent{SubmissionID: id, Kind: ReviewDelta, Attempt: "0123456789abcdef", Offset: 10, Text: "Good.", At: at}, ReviewEventCodec{}},
		"review-event-finished": {&ReviewEvent{SubmissionID: id, Kind: ReviewFinished, Attempt: "0123456789abcdef", Review: &review, At: at}, ReviewEventCodec{}},
		"submission": {&Submission{ID: id, User: "alice", QuestionID: "a-plus-b", Language: "python", Code: "print(3)\n",
			Kind: KindRun, Run: run, Status: StatusDone, Verdict: VerdictWrongAnswer, TestCount: 2, Tests: []TestResult{sample, hidden, runResult},
			CompileOutput: "warning", Error: "", Review: review, Version: 7, Requeued: 1, CreatedAt: at, UpdatedAt: at.Add(3 * time.Second),
			ContestID: "spring-cup", Score: 40, MaxScore: 100, Subtasks: []SubtaskResult{subtask}, Round: 1, RejudgeID: "r-0123",
			History: []Judgement{previous}, JudgedAt: at.Add(2 * time.Second)}, SubmissionCodec{}},
		"nudge": {&Nudge{SubmissionID: id, Version: 3, Expire: true, At: at}, NudgeCodec{}},
		"callback": {&Callback{URL: "https://hooks.example.com/judge0", Submission: &Submission{ID: id, User: "alice", Language: "python",
			Code: "print(3)\n", Kind: KindRun, Status: StatusDone, Verdict: VerdictAccepted, TestCount: 1, Tests: []TestResult{runResult},
			Version: 4, CreatedAt: at, UpdatedAt: at}, At: at}, CallbackCodec{}},
		"learner-event": {&LearnerEvent{User: "alice", SubmissionID: id, InFlight: true, At: at}, LearnerEventCodec{}},
		"learner":       {&Learner{User: "alice", InFlight: map[string]time.Time{id: at}}, LearnerCodec{}},
		"runtime":       {&Runtime{ID: "python", Name: "Python 3", Version: "3.11.2", Judge: "judge-1", UpdatedAt: at}, JSONCodec[Runtime]{}},
		"dead-letter": {&DeadLetter{Topic: "run-jobs", Partition: 3, Offset: 42, Key: id, Value: []byte("{not json"),
			Group: "judge", Reason: "decode codementor.Job: invalid character", At: at}, DeadLetterCodec{}},
	}
}

// TestWireFormat: every message encodes as its golden file in testdata/
// says, and the golden file decodes to the message. A change of what goes
// on Kafka shows as a diff there (go test -run TestWireFormat -update).
func TestWireFormat(t *testing.T) {
	samples := wireSamples()
	for name, w := range samples {
		t.Run(name, func(t *testing.T) {
			msg := w.msg
			got, err := w.codec.Encode(msg)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			path := filepath.Join("testdata", name+".json")
			if *update {
				if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -run TestWireFormat -update writes it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("%T encodes differently from %s: mismatch (-want +got)\n-%s\n+%s", msg, path, want, pretty.Bytes())
			}
			back, err := w.codec.Decode(want)
			if err != nil {
				t.Fatalf("%s does not decode as %T: %v", path, msg, err)
			}
			if !reflect.DeepEqual(back, msg) {
				t.Errorf("%s decodes to\n%+v\nwant\n%+v", path, back, msg)
			}
		})
	}
	// Every golden file has its sample: none is left over from a removed
	// message.
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for _, f := range files {
		if _, ok := samples[filepath.Base(f[:len(f)-len(".json")])]; !ok {
			stale = append(stale, f)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("golden files without a sample: %v", stale)
	}
}
