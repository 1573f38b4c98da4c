package codementor

import "github.com/lovoo/goka"

// Streams, tables and groups. Every topic the application uses is named here.
const (
	// SubmissionRequests carries a SubmissionRequest per learner submission,
	// keyed by submission ID. The web tier's emitter writes it.
	SubmissionRequests goka.Stream = "submission-requests"
	// RunJobs carries a Job per submission to judge, keyed by submission ID.
	// The tracker emits it; the judge's share group consumes it as a queue.
	RunJobs goka.Stream = "run-jobs"
	// RunEvents carries the judge's progress (RunEvent), keyed by submission
	// ID. It is co-partitioned with SubmissionRequests: both feed the tracker.
	RunEvents goka.Stream = "run-events"
	// ReviewJobs carries a ReviewJob per judged submission, keyed by
	// submission ID. The tracker emits it once the verdict is recorded; the
	// reviewer's share group consumes it as a queue.
	ReviewJobs goka.Stream = "review-jobs"
	// ReviewEvents carries the reviewer's progress (ReviewEvent), keyed by
	// submission ID and co-partitioned with the tracker's other inputs.
	ReviewEvents goka.Stream = "review-events"
	// SubmissionNudges carries a Nudge for each submission that made no
	// progress for a while, keyed by submission ID and co-partitioned with
	// the tracker's other inputs: the tracker emits its job again.
	SubmissionNudges goka.Stream = "submission-nudges"
	// LearnerEvents carries a LearnerEvent each time one of a learner's
	// submissions starts or stops being in flight, keyed by user. The
	// tracker emits it; the learners group keeps the count.
	LearnerEvents goka.Stream = "learner-events"
	// DeadLetters carries every message a processor could not read (a
	// DeadLetter with the reason), keyed as the original. Nothing consumes
	// it: `codementor dlq list` shows it, `codementor dlq replay` sends
	// messages back to their topics once the cause is fixed.
	DeadLetters goka.Stream = "dead-letters"
	// RunCallbacks carries a Callback per final run that asked for one
	// (the Judge0 API's callback_url), keyed by submission ID. The tracker
	// emits it; the notifier's share group sends it, with retries, so
	// that a slow or dead receiver never holds up judging.
	RunCallbacks goka.Stream = "run-callbacks"
	// Rejudges carries a Rejudge per submission an admin had judged again,
	// keyed by submission ID and co-partitioned with the tracker's other
	// inputs. The web tier emits it.
	Rejudges goka.Stream = "rejudges"
	// ContestResults carries a Result for each judgement of a contest
	// submission, re-keyed by the tracker to ContestRowKey(contest, user):
	// the standings group keeps one leaderboard row per key.
	ContestResults goka.Stream = "contest-results"
	// LearnerResults carries a Result for each judgement of a graded
	// submission, keyed by user: the progress group keeps each learner's.
	LearnerResults goka.Stream = "learner-results"
	// QuestionResults carries a Result for each judgement of a graded
	// submission, keyed by question ID: the question-stats group keeps the
	// attempts, acceptance and the time and memory distributions.
	QuestionResults goka.Stream = "question-results"

	// QuestionsTable is the compacted table of questions keyed by question ID.
	// The web tier's question emitter writes it directly; processors look it up.
	QuestionsTable goka.Table = "questions"
	// RuntimesTable is the compacted table of the languages the judges can
	// run, keyed by language ID. Each judge instance writes what its machine
	// has when it starts; the web tier lists and accepts those.
	RuntimesTable goka.Table = "runtimes"
	// ContestsTable is the compacted table of contests (timed assessments)
	// keyed by contest ID. The web tier's contest emitter writes it.
	ContestsTable goka.Table = "contests"
	// TestDataTable is the compacted table of the chunks of large
	// questions' hidden test data (TestDataChunk), keyed by TestDataKey:
	// question, test-data version, test, part and chunk. The web tier
	// writes a question's chunks before its record in QuestionsTable and
	// deletes those of the version it replaced; the judges read them by
	// version and keep what they assembled (see testdata.go).
	TestDataTable goka.Table = "test-data"

	// TrackerGroup owns the submission table: the fast, stateful state machine.
	TrackerGroup goka.Group = "tracker"
	// JudgeGroup is the share group (a queue, not a consumer group) of the
	// judges: the slow step (compile, run, check), keeping no state. Each
	// judging slot of every instance is a member taking one job at a time.
	JudgeGroup goka.Group = "judge"
	// LearnersGroup keeps, per learner, the submissions in flight (queued
	// or being judged): the web tier refuses a learner's submission beyond
	// the limit, whichever instance takes it.
	LearnersGroup goka.Group = "learners"
	// ReviewerGroup is the share group of the reviewers: they ask the LLM for
	// a review of each judged submission and stream it back, keeping no state
	// either, apart from the judge so that a slow or failing LLM never delays
	// a verdict.
	ReviewerGroup goka.Group = "reviewer"
	// NotifierGroup is the share group that sends runs' callbacks.
	NotifierGroup goka.Group = "notifier"
	// StandingsGroup keeps the contests' leaderboard rows: every judgement
	// of each participant's contest submissions, keyed by
	// ContestRowKey(contest, user). The web tier ranks a contest's rows.
	StandingsGroup goka.Group = "standings"
	// ProgressGroup keeps each learner's progress: per question, the
	// verdict of every graded submission, keyed by user.
	ProgressGroup goka.Group = "progress"
	// QuestionStatsGroup keeps per question the attempts, the acceptance
	// rate and the distributions of accepted submissions' time and memory
	// per language, keyed by question ID.
	QuestionStatsGroup goka.Group = "question-stats"
)

// ShareGroups lists the share groups, configured at start-up.
var ShareGroups = []goka.Group{JudgeGroup, ReviewerGroup, NotifierGroup}

// Queues lists the streams that share groups consume as job queues. Nothing
// is partitioned by their keys, so their partition count is their own.
var Queues = []goka.Stream{RunJobs, ReviewJobs, RunCallbacks}

// SubmissionsTable is the tracker's group table: one Submission per ID.
var SubmissionsTable = goka.GroupTable(TrackerGroup)

// LearnersTable is the learners group's table: one Learner per user.
var LearnersTable = goka.GroupTable(LearnersGroup)

// StandingsTable is the standings group's table: one Standing per contest
// participant.
var StandingsTable = goka.GroupTable(StandingsGroup)

// ProgressTable is the progress group's table: one Progress per learner.
var ProgressTable = goka.GroupTable(ProgressGroup)

// QuestionStatsTable is the question-stats group's table: one
// QuestionStats per question.
var QuestionStatsTable = goka.GroupTable(QuestionStatsGroup)

// Streams lists every stream topic, for explicit creation at start-up.
var Streams = []goka.Stream{SubmissionRequests, RunJobs, RunEvents, ReviewJobs, ReviewEvents, SubmissionNudges, LearnerEvents, DeadLetters, RunCallbacks,
	Rejudges, ContestResults, LearnerResults, QuestionResults}

// Tables lists every (compacted) table topic, for explicit creation at start-up.
var Tables = []goka.Table{QuestionsTable, SubmissionsTable, RuntimesTable, LearnersTable, ContestsTable, StandingsTable, ProgressTable, QuestionStatsTable,
	TestDataTable}
