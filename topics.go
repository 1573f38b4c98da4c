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

	// QuestionsTable is the compacted table of questions keyed by question ID.
	// The web tier's question emitter writes it directly; processors look it up.
	QuestionsTable goka.Table = "questions"
	// RuntimesTable is the compacted table of the languages the judges can
	// run, keyed by language ID. Each judge instance writes what its machine
	// has when it starts; the web tier lists and accepts those.
	RuntimesTable goka.Table = "runtimes"

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

// Streams lists every stream topic, for explicit creation at start-up.
var Streams = []goka.Stream{SubmissionRequests, RunJobs, RunEvents, ReviewJobs, ReviewEvents, SubmissionNudges, LearnerEvents, DeadLetters, RunCallbacks}

// Tables lists every (compacted) table topic, for explicit creation at start-up.
var Tables = []goka.Table{QuestionsTable, SubmissionsTable, RuntimesTable, LearnersTable}
