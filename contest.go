package codementor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Scoring is how a contest ranks its participants.
type Scoring string

// The scoring rules.
const (
	// ScoringIOI sums each question's best score (its contest points
	// scaled by the submission's share of the question's points); ties go
	// to whoever reached their total first (the time of the last
	// improvement).
	ScoringIOI Scoring = "ioi"
	// ScoringICPC counts the questions solved; ties go to the lower
	// penalty: per solved question, the minutes from the start to its
	// first accepted submission plus PenaltyMinutes per rejected try
	// before it (compilation errors and internal errors are not tries).
	ScoringICPC Scoring = "icpc"
)

// PenaltyMinutes is what each rejected try before an accept costs under
// ICPC scoring.
const PenaltyMinutes = 20

// Contest is a timed assessment, as stored in ContestsTable.
type Contest struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// Start and End bound the window in which submissions count: from
	// Start (inclusive) to End (exclusive).
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	Questions []ContestQuestion `json:"questions"`
	// Participants lists who may take part; empty, the contest is open to
	// every signed-in learner.
	Participants []string `json:"participants,omitempty"`
	Scoring      Scoring  `json:"scoring"`
	// FreezeMinutes freezes the public leaderboard for the contest's last
	// minutes: others' submissions made from then on show on it only
	// once the contest is over. Learners always see their own results.
	FreezeMinutes int       `json:"freeze_minutes,omitempty"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ContestQuestion is a question of a contest and what it is worth there.
type ContestQuestion struct {
	QuestionID string `json:"question_id"`
	// Label is its short name on the leaderboard ("A", "B", ...).
	Label  string `json:"label,omitempty"`
	Points int    `json:"points"`
}

// Limits on contests.
const (
	MaxContestQuestions    = 26
	MaxContestParticipants = 100000
	MaxContestDuration     = 31 * 24 * time.Hour
	MaxContestPoints       = 10000
	DefaultContestPoints   = 100
)

// Normalize fills defaults: the scoring rule, each question's points and
// label, and the times in UTC.
func (c *Contest) Normalize() {
	if c.Scoring == "" {
		c.Scoring = ScoringIOI
	}
	for i := range c.Questions {
		if c.Questions[i].Points == 0 {
			c.Questions[i].Points = DefaultContestPoints
		}
		if c.Questions[i].Label == "" && i < 26 {
			c.Questions[i].Label = string(rune('A' + i))
		}
	}
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
}

// Validate checks a normalized contest. Every error wraps ErrInvalid and
// says which field is wrong and what is allowed.
func (c *Contest) Validate() error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !ValidQuestionID(c.ID) {
		add("id %q must be 1 to 64 lower-case letters, digits or dashes", c.ID)
	}
	if strings.TrimSpace(c.Title) == "" {
		add("title is required")
	}
	if len(c.Description) > MaxStatementBytes {
		add("description is %d bytes, at most %d allowed", len(c.Description), MaxStatementBytes)
	}
	switch {
	case c.Start.IsZero() || c.End.IsZero():
		add("start and end are required (RFC 3339 times)")
	case !c.End.After(c.Start):
		add("end (%s) must be after start (%s)", c.End.Format(time.RFC3339), c.Start.Format(time.RFC3339))
	case c.End.Sub(c.Start) > MaxContestDuration:
		add("the contest lasts %s, at most %s allowed", c.End.Sub(c.Start), MaxContestDuration)
	}
	if c.FreezeMinutes < 0 || (!c.Start.IsZero() && time.Duration(c.FreezeMinutes)*time.Minute > c.End.Sub(c.Start)) {
		add("freeze_minutes must be between 0 and the contest's length in minutes, got %d", c.FreezeMinutes)
	}
	switch c.Scoring {
	case ScoringIOI, ScoringICPC:
	default:
		add("scoring %q is not one of ioi, icpc", c.Scoring)
	}
	if len(c.Questions) == 0 || len(c.Questions) > MaxContestQuestions {
		add("a contest has 1 to %d questions, got %d", MaxContestQuestions, len(c.Questions))
	}
	seen := map[string]bool{}
	for i, q := range c.Questions {
		switch {
		case !ValidQuestionID(q.QuestionID):
			add("questions[%d].question_id %q is not a question ID", i, q.QuestionID)
		case seen[q.QuestionID]:
			add("questions[%d]: %q is in the contest twice", i, q.QuestionID)
		}
		seen[q.QuestionID] = true
		if q.Points < 1 || q.Points > MaxContestPoints {
			add("questions[%d].points must be between 1 and %d, got %d", i, MaxContestPoints, q.Points)
		}
		if len(q.Label) > 8 {
			add("questions[%d].label must be at most 8 characters", i)
		}
	}
	if len(c.Participants) > MaxContestParticipants {
		add("%d participants, at most %d allowed", len(c.Participants), MaxContestParticipants)
	}
	for i, p := range c.Participants {
		if strings.TrimSpace(p) == "" || len(p) > 64 {
			add("participants[%d] must be a user name of 1 to 64 characters", i)
			break
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w contest: %s", ErrInvalid, strings.Join(problems, "; "))
	}
	return nil
}

// Phase is where a contest is in time.
type Phase string

// The phases of a contest.
const (
	PhaseUpcoming Phase = "upcoming"
	PhaseRunning  Phase = "running"
	PhaseOver     Phase = "over"
)

// Phase returns the contest's phase at now.
func (c *Contest) Phase(now time.Time) Phase {
	switch {
	case now.Before(c.Start):
		return PhaseUpcoming
	case now.Before(c.End):
		return PhaseRunning
	}
	return PhaseOver
}

// Open reports whether user may take part.
func (c *Contest) Open(user string) bool {
	return len(c.Participants) == 0 || slices.Contains(c.Participants, user)
}

// Question returns the contest's entry for question id.
func (c *Contest) Question(id string) (ContestQuestion, bool) {
	for _, q := range c.Questions {
		if q.QuestionID == id {
			return q, true
		}
	}
	return ContestQuestion{}, false
}

// FreezeAt returns when the public leaderboard freezes, or the zero time
// when it never does.
func (c *Contest) FreezeAt() time.Time {
	if c.FreezeMinutes <= 0 {
		return time.Time{}
	}
	return c.End.Add(-time.Duration(c.FreezeMinutes) * time.Minute)
}

// Frozen reports whether the public leaderboard is frozen at now: from
// FreezeAt until the end.
func (c *Contest) Frozen(now time.Time) bool {
	f := c.FreezeAt()
	return !f.IsZero() && !now.Before(f) && now.Before(c.End)
}

// ContestRowKey is the key of a participant's row in StandingsTable and of
// the results that feed it.
func ContestRowKey(contest, user string) string { return contest + "/" + user }

// Standing is a participant's leaderboard row as the standings group keeps
// it: the current judgement of each of their contest submissions. The
// scores are computed from it (Contest.Row), so a change of the contest
// (points, scoring) or a rejudge is reflected at once.
type Standing struct {
	ContestID string `json:"contest_id"`
	User      string `json:"user"`
	// Entries maps each submission ID to its current judgement.
	Entries   map[string]StandingEntry `json:"entries"`
	UpdatedAt time.Time                `json:"updated_at"`
}

// StandingEntry is the current judgement of one contest submission.
type StandingEntry struct {
	QuestionID string    `json:"question_id"`
	Round      int       `json:"round,omitempty"`
	Verdict    Verdict   `json:"verdict"`
	Score      int       `json:"score"`
	MaxScore   int       `json:"max_score"`
	CreatedAt  time.Time `json:"created_at"`
	JudgedAt   time.Time `json:"judged_at,omitzero"`
}

// ApplyResult folds a result into a copy of st (nil: none yet) keyed as
// ContestRowKey, and returns it, or nil when nothing changes: a result of
// an older round than the entry's, or the same again.
func ApplyResult(st *Standing, r *Result, now time.Time) *Standing {
	e := StandingEntry{QuestionID: r.QuestionID, Round: r.Judgement.Round, Verdict: r.Judgement.Verdict, Score: r.Judgement.Score,
		MaxScore: r.Judgement.MaxScore, CreatedAt: r.CreatedAt, JudgedAt: r.Judgement.JudgedAt}
	next := &Standing{ContestID: r.ContestID, User: r.User, Entries: map[string]StandingEntry{}}
	if st != nil {
		for id, old := range st.Entries {
			next.Entries[id] = old
		}
		if old, ok := st.Entries[r.SubmissionID]; ok && (old.Round > e.Round || old == e) {
			return nil
		}
	}
	next.Entries[r.SubmissionID] = e
	next.UpdatedAt = now
	return next
}

// LeaderboardRow is a participant's standing in a contest, as the
// leaderboard shows it.
type LeaderboardRow struct {
	// Rank is 1 for the best; rows equal on the scoring rule share a rank.
	Rank int    `json:"rank"`
	User string `json:"user"`
	// Score is the IOI total (each question's best, in contest points);
	// under ICPC, the points of the solved questions.
	Score float64 `json:"score"`
	// Solved counts the questions solved (an accepted submission).
	Solved int `json:"solved"`
	// Penalty is the ICPC penalty in minutes (0 under IOI).
	Penalty int `json:"penalty"`
	// Last is the IOI time of the last improvement, or the ICPC time of
	// the last first accept: the tie-break, earlier is better.
	Last      time.Time      `json:"last,omitzero"`
	Questions []QuestionCell `json:"questions"`
}

// QuestionCell is a participant's result on one contest question.
type QuestionCell struct {
	QuestionID string `json:"question_id"`
	Label      string `json:"label,omitempty"`
	// Score is the best score in contest points.
	Score float64 `json:"score"`
	// Tries counts the submissions judged (compile and internal errors
	// included); Rejected those that cost a penalty.
	Tries    int  `json:"tries"`
	Rejected int  `json:"rejected,omitempty"`
	Solved   bool `json:"solved"`
	// SolvedMinute is the minute of the first accept from the start.
	SolvedMinute int `json:"solved_minute,omitempty"`
	// Pending counts submissions not judged yet (a rejudge under way) or
	// hidden by the freeze.
	Pending int `json:"pending,omitempty"`
}

// Row computes a participant's row from their standing (nil: no
// submissions yet), counting the submissions made before cutoff (the zero
// time: all), and those after as pending. Submissions made outside the
// contest's window do not count. Rank is left 0: see RankRows.
func (c *Contest) Row(user string, st *Standing, cutoff time.Time) LeaderboardRow {
	row := LeaderboardRow{User: user, Questions: make([]QuestionCell, len(c.Questions))}
	type entry struct {
		id string
		StandingEntry
	}
	per := make([][]entry, len(c.Questions))
	index := map[string]int{}
	for i, q := range c.Questions {
		index[q.QuestionID] = i
		row.Questions[i] = QuestionCell{QuestionID: q.QuestionID, Label: q.Label}
	}
	if st != nil {
		for id, e := range st.Entries {
			i, ok := index[e.QuestionID]
			if !ok || e.CreatedAt.Before(c.Start) || !e.CreatedAt.Before(c.End) {
				continue
			}
			if !cutoff.IsZero() && !e.CreatedAt.Before(cutoff) {
				row.Questions[i].Pending++
				continue
			}
			per[i] = append(per[i], entry{id, e})
		}
	}
	for i, es := range per {
		// In the order they were made; the ID breaks ties of the same
		// instant, as it does everywhere.
		slices.SortFunc(es, func(a, b entry) int {
			if d := a.CreatedAt.Compare(b.CreatedAt); d != 0 {
				return d
			}
			return strings.Compare(a.id, b.id)
		})
		cell := &row.Questions[i]
		points := c.Questions[i].Points
		var bestAt, solvedAt time.Time
		for _, e := range es {
			if e.Verdict == "" {
				cell.Pending++
				continue
			}
			cell.Tries++
			if s := Points(points, e.Score, e.MaxScore); s > cell.Score {
				cell.Score, bestAt = s, e.CreatedAt
			}
			switch {
			case cell.Solved:
			case e.Verdict == VerdictAccepted:
				cell.Solved, solvedAt = true, e.CreatedAt
				cell.SolvedMinute = int(e.CreatedAt.Sub(c.Start) / time.Minute)
			case e.Verdict != VerdictCompilationError && e.Verdict != VerdictInternalError:
				cell.Rejected++
			}
		}
		if cell.Solved {
			row.Solved++
			row.Penalty += cell.SolvedMinute + PenaltyMinutes*cell.Rejected
		}
		switch c.Scoring {
		case ScoringICPC:
			if cell.Solved {
				row.Score += float64(points)
				if solvedAt.After(row.Last) {
					row.Last = solvedAt
				}
			}
		default:
			row.Score += cell.Score
			if !bestAt.IsZero() && bestAt.After(row.Last) {
				row.Last = bestAt
			}
		}
	}
	if c.Scoring != ScoringICPC {
		row.Penalty = 0
	}
	row.Score = round2(row.Score)
	return row
}

// Points is a submission's score in contest points: the question's points
// scaled by the share of its own points the submission earned, to two
// decimals.
func Points(points, score, maxScore int) float64 {
	if maxScore <= 0 || score <= 0 {
		return 0
	}
	return round2(float64(points) * float64(score) / float64(maxScore))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Better compares two rows by the contest's rule: negative when a ranks
// above b, 0 when they share a rank.
func (c *Contest) Better(a, b *LeaderboardRow) int {
	if c.Scoring == ScoringICPC {
		if a.Solved != b.Solved {
			return b.Solved - a.Solved
		}
		if a.Penalty != b.Penalty {
			return a.Penalty - b.Penalty
		}
	} else if a.Score != b.Score {
		if a.Score > b.Score {
			return -1
		}
		return 1
	}
	if a.Solved+b.Solved == 0 && a.Score == 0 && b.Score == 0 {
		return 0 // nothing yet: no time to break the tie
	}
	return a.Last.Compare(b.Last)
}

// RankRows sorts rows best first and numbers their ranks; rows equal on
// the rule share a rank (1, 2, 2, 4). Equal rows are in user order.
func (c *Contest) RankRows(rows []LeaderboardRow) {
	slices.SortFunc(rows, func(a, b LeaderboardRow) int {
		if d := c.Better(&a, &b); d != 0 {
			return d
		}
		return strings.Compare(a.User, b.User)
	})
	for i := range rows {
		if i > 0 && c.Better(&rows[i-1], &rows[i]) == 0 {
			rows[i].Rank = rows[i-1].Rank
		} else {
			rows[i].Rank = i + 1
		}
	}
}
