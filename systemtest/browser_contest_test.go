package systemtest

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	codementor "github.com/codementor/codementor"
)

// Contests in the page, in Chromium: the list, a contest's countdown and
// questions with the learner's score on each, its live leaderboard, a
// question solved in the contest with its subtasks, score and percentile,
// and the learner's progress by difficulty.

const (
	// triangle prints the n-th triangular number; triangleSmall only for
	// n up to 1000 (the first subtask).
	triangle      = "n = int(input())\nprint(n * (n + 1) // 2)\n"
	triangleSmall = "n = int(input())\nprint(n * (n + 1) // 2 if n <= 1000 else 0)\n"
)

// recordSubtasks starts recording the subtask rows the result panel shows
// as the DOM changes: each state is the rows' verdicts ("" while waiting)
// and the submission's verdict.
const recordSubtasks = `(() => {
  const states = window.__subtaskStates = [];
  const read = () => {
    const rows = Array.from(document.querySelectorAll('[data-testid=subtask-row]')).map(r => r.dataset.verdict || '-').join(',');
    return rows + '|' + (document.querySelector('[data-testid=verdict]')?.dataset.verdict || '');
  };
  new MutationObserver(() => {
    const s = read();
    if (states[states.length - 1] !== s) states.push(s);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  return true;
})()`

// recordBoard starts recording the leaderboard's rows, in the order shown,
// as "user=score@rank" joined by spaces, each time they change.
const recordBoard = `(() => {
  const orders = window.__boardOrders = [];
  const read = () => Array.from(document.querySelectorAll('[data-testid=leaderboard-row]'))
    .map(r => r.dataset.user + '=' + r.dataset.score + '@' + r.dataset.rank).join(' ');
  new MutationObserver(() => {
    const o = read();
    if (orders[orders.length - 1] !== o) orders.push(o);
  }).observe(document.body, { subtree: true, childList: true, attributes: true });
  return true;
})()`

// boardOrder is what the leaderboard shows now, as recordBoard writes it.
const boardOrder = `Array.from(document.querySelectorAll('[data-testid=leaderboard-row]'))
  .map(r => r.dataset.user + '=' + r.dataset.score + '@' + r.dataset.rank).join(' ')`

// contestSubmit submits code to question in contest cid as c and waits for
// its verdict.
func contestSubmit(t *testing.T, c *client, question, cid, code string, verdict codementor.Verdict) *codementor.Submission {
	t.Helper()
	var sub codementor.Submission
	body := map[string]string{"question_id": question, "language": "python", "code": code, "contest_id": cid}
	if status := c.do(t, "POST", "/api/submissions", body, &sub); status != http.StatusAccepted {
		t.Fatalf("submit %s in %s: status %d", question, cid, status)
	}
	states := c.stream(t, "/api/submissions/"+sub.ID+"/events", "").untilFinal(t, sub.ID, finalWithin)
	final := states[len(states)-1]
	if final.Verdict != verdict || final.ContestID != cid {
		t.Fatalf("submission %s: verdict %s in contest %q, want %s in %s", sub.ID, final.Verdict, final.ContestID, verdict, cid)
	}
	return final
}

// myScores reads the contest page's questions: label, title, points and
// the learner's score, state and link, per question.
const myScores = `Array.from(document.querySelectorAll('[data-testid=contest-question]')).map(r => ({
  Question: r.dataset.question, Label: r.querySelector('th').textContent, Title: r.querySelector('a').textContent,
  Href: r.querySelector('a').getAttribute('href'), Points: r.children[2].textContent,
  Score: r.querySelector('[data-testid=my-score]').textContent, State: r.querySelector('[data-testid=my-score]').dataset.state,
}))`

type contestRow struct {
	Question, Label, Title, Href, Points, Score, State string
}

// TestBrowserContest: a learner follows a running contest in the page while
// another scores over the API. The contest page counts down on the
// server's clock and lists the questions with the learner's score on
// each; the leaderboard moves while it is open; a question solved from
// the contest is submitted in it and shows its subtasks, its score and,
// accepted, where it stands among the others; the profile counts it.
func TestBrowserContest(t *testing.T) {
	requireBrowser(t)
	in := start(t, t.TempDir())
	admin := login(t, in.Base, testUser("root"), true)
	suffix := strings.ToLower(codementor.NewSubmissionID(time.Now())[16:24])
	ann, ben, cat := testUser("ann"), testUser("ben"), testUser("cat")
	sumID, triID := "sum-"+suffix, "tri-"+suffix
	cup, frozen, later, past := "cup-"+suffix, "frozen-"+suffix, "later-"+suffix, "past-"+suffix

	questions := []codementor.Question{
		{ID: sumID, Title: "Sum " + suffix, Difficulty: "easy", Statement: "Print a+b.", TimeLimitMS: 2000, MemoryLimitMB: 128,
			Tests: []codementor.Test{{Input: "1 2\n", Output: "3\n"}, {Input: "10 20\n", Output: "30\n", Hidden: true}}},
		{ID: triID, Title: "Triangle " + suffix, Difficulty: "medium", Statement: "Print the n-th triangular number, $n(n+1)/2$.",
			TimeLimitMS: 2000, MemoryLimitMB: 128,
			Tests: []codementor.Test{{Input: "3\n", Output: "6\n"}, {Input: "1000\n", Output: "500500\n", Hidden: true},
				{Input: "100000\n", Output: "5000050000\n", Hidden: true}, {Input: "1000000000\n", Output: "500000000500000000\n", Hidden: true}},
			Subtasks: []codementor.Subtask{{Name: "n ≤ 1000", Points: 30, Tests: []int{0, 1}}, {Name: "n ≤ 10⁹", Points: 70, Tests: []int{2, 3}}}},
	}
	for _, q := range questions {
		if status := admin.do(t, "PUT", "/api/questions/"+q.ID, q, nil); status != http.StatusCreated {
			t.Fatalf("PUT question %s: %d", q.ID, status)
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	contests := []codementor.Contest{
		{ID: cup, Title: "Cup " + suffix, Description: "Two questions; **subtasks** score in part.", Start: now.Add(-time.Minute), End: now.Add(2 * time.Hour),
			Questions:    []codementor.ContestQuestion{{QuestionID: sumID, Points: 100}, {QuestionID: triID, Points: 200}},
			Participants: []string{ann, ben}, Scoring: codementor.ScoringIOI},
		{ID: frozen, Title: "Frozen " + suffix, Start: now.Add(-10 * time.Minute), End: now.Add(50 * time.Minute), FreezeMinutes: 60,
			Questions: []codementor.ContestQuestion{{QuestionID: sumID}}, Scoring: codementor.ScoringIOI},
		{ID: later, Title: "Later " + suffix, Start: now.Add(time.Hour), End: now.Add(3 * time.Hour),
			Questions: []codementor.ContestQuestion{{QuestionID: sumID}}, Scoring: codementor.ScoringIOI},
		{ID: past, Title: "Past " + suffix, Start: now.Add(-3 * time.Hour), End: now.Add(-2 * time.Hour),
			Questions: []codementor.ContestQuestion{{QuestionID: sumID}}, Scoring: codementor.ScoringICPC},
	}
	for _, c := range contests {
		if status := admin.do(t, "PUT", "/api/contests/"+c.ID, c, nil); status != http.StatusCreated {
			t.Fatalf("PUT contest %s: %d", c.ID, status)
		}
	}
	benC, catC := login(t, in.Base, ben, false), login(t, in.Base, cat, false)

	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, ann)

	// The list: each contest in its section, with whether ann may take part.
	within(t, ctx, "open the contests",
		chromedp.Click(chromedp.CSS(`nav a[href="/contests"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-contest="`+cup+`"]`)))
	list := eval[map[string]map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll('[data-contest]')).map(li => [li.dataset.contest, {
	  phase: li.dataset.phase, section: li.closest('section').querySelector('h2').textContent,
	  join: li.querySelector('[data-testid=join-state]').textContent, text: li.innerText}]))`)
	for id, want := range map[string][2]string{cup: {"running", "Running now"}, frozen: {"running", "Running now"}, later: {"upcoming", "Upcoming"}, past: {"over", "Over"}} {
		got := list[id]
		if got["phase"] != want[0] || got["section"] != want[1] {
			t.Errorf("contest %s is listed as %q under %q, want %s under %s", id, got["phase"], got["section"], want[0], want[1])
		}
	}
	if j := list[cup]["join"]; !strings.Contains(j, "You can take part") {
		t.Errorf("the cup, open to ann, says %q", j)
	}
	if j := list[past]["join"]; !strings.Contains(j, "Over") {
		t.Errorf("the past contest says %q", j)
	}
	if txt := list[cup]["text"]; !strings.Contains(txt, "2 questions") || !strings.Contains(txt, "IOI") {
		t.Errorf("the cup's entry reads %q, want its 2 questions and its scoring", txt)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the contest list has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "contests")

	// The cup: a countdown to its end on the server's clock, its questions,
	// and an empty leaderboard, live.
	within(t, ctx, "open the cup",
		chromedp.Click(chromedp.CSS(`[data-contest="`+cup+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=contest-question]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=board-conn][data-state=live]`)))
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/contests/"+cup {
		t.Errorf("the address is %s, want /contests/%s", loc, cup)
	}
	countdown := func() (string, time.Duration) {
		t.Helper()
		c := eval[map[string]string](t, ctx, `(() => { const c = document.querySelector('[data-testid=countdown]');
		  return {phase: c.dataset.phase, text: c.textContent, value: c.querySelector('.countdown-value')?.textContent || ''}; })()`)
		m := regexp.MustCompile(`^(\d+):(\d\d):(\d\d)$`).FindStringSubmatch(c["value"])
		if c["phase"] != "running" || !strings.HasPrefix(c["text"], "Ends in") || m == nil {
			t.Fatalf("the countdown reads %q (%s), want Ends in h:mm:ss", c["text"], c["phase"])
		}
		h, _ := strconv.Atoi(m[1])
		mm, _ := strconv.Atoi(m[2])
		s, _ := strconv.Atoi(m[3])
		return c["value"], time.Duration(h)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(s)*time.Second
	}
	first, left := countdown()
	if want := time.Until(contests[0].End); left > want+2*time.Second || left < want-5*time.Second {
		t.Errorf("the countdown shows %s left, want about %s", first, want.Round(time.Second))
	}
	within(t, ctx, "the countdown ticks", void(chromedp.Poll[bool](`document.querySelector('[data-testid=countdown] .countdown-value').textContent !== `+strconv.Quote(first))))
	if _, again := countdown(); again >= left {
		t.Errorf("the countdown went from %s to %s: it should count down", left, again)
	}
	rows := eval[[]contestRow](t, ctx, myScores)
	if len(rows) != 2 {
		t.Fatalf("the cup lists %d questions, want 2: %+v", len(rows), rows)
	}
	for i, want := range []contestRow{
		{Question: sumID, Label: "A", Title: "Sum " + suffix, Href: "/questions/" + sumID + "?contest=" + cup, Points: "100", State: "new"},
		{Question: triID, Label: "B", Title: "Triangle " + suffix, Href: "/questions/" + triID + "?contest=" + cup, Points: "200", State: "new"},
	} {
		got := rows[i]
		got.Score = ""
		if got != want {
			t.Errorf("question %d: %+v, want %+v", i+1, got, want)
		}
	}
	if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=board-empty]') && !document.querySelector('[data-testid=board-empty]').hidden`) {
		t.Error("the empty leaderboard does not say that no one has submitted")
	}
	// Keyboard: from the heading, Tab reaches the first question's link.
	eval[bool](t, ctx, `document.querySelector('h1').focus(), true`)
	reached := false
	for range 12 {
		within(t, ctx, "Tab", chromedp.KeyEvent("\t"))
		if eval[bool](t, ctx, `document.activeElement?.getAttribute('href') === `+strconv.Quote(rows[0].Href)) {
			reached = true
			break
		}
	}
	if !reached {
		t.Error("Tab from the contest's heading does not reach the first question's link")
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the contest page has accessibility problems:\n%s", strings.Join(v, "\n"))
	}

	// Question B in the contest: the page says so, with the time left;
	// a partial solution scores its first subtask, streamed.
	within(t, ctx, "open question B in the contest",
		chromedp.Click(chromedp.CSS(`[data-question="`+triID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=contest-banner] [data-testid=contest-remaining]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)))
	banner := eval[map[string]string](t, ctx, `({name: document.querySelector('[data-testid=contest-name]').textContent,
	  href: document.querySelector('[data-testid=contest-name]').getAttribute('href'), left: document.querySelector('[data-testid=contest-remaining]').textContent,
	  text: document.querySelector('[data-testid=contest-banner]').innerText, loc: location.pathname + location.search})`)
	if banner["name"] != "Cup "+suffix || banner["href"] != "/contests/"+cup || !strings.HasPrefix(banner["left"], "Ends in") || !strings.Contains(banner["text"], "Question B") {
		t.Errorf("the contest banner reads %+v, want the cup, its link, the time left and the question's label", banner)
	}
	if banner["loc"] != "/questions/"+triID+"?contest="+cup {
		t.Errorf("the address is %s", banner["loc"])
	}
	chooseLanguage(t, ctx, "python")
	typeCode(t, ctx, triangleSmall)
	eval[bool](t, ctx, recordSubtasks)
	within(t, ctx, "submit the partial solution",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=wrong_answer]`)),
		void(chromedp.Poll[bool](`document.querySelectorAll('[data-testid=subtask-row][data-verdict]:not([data-verdict=""])').length === 2`)))
	partial := eval[map[string]any](t, ctx, `({
	  id: document.querySelector('[data-testid=verdict]').dataset.submission,
	  score: document.querySelector('[data-testid=score]')?.textContent || '',
	  subtasks: Array.from(document.querySelectorAll('[data-testid=subtask-row]')).map(r => r.dataset.verdict + ' ' + r.querySelector('[data-testid=subtask-points]').textContent),
	  percentile: !document.querySelector('[data-testid=percentile]').hidden,
	})`)
	if partial["score"] != "30 / 100" {
		t.Errorf("the partial solution's score reads %q, want 30 / 100", partial["score"])
	}
	if got := partial["subtasks"]; strings.Join(toStrings(got), "; ") != "accepted 30 / 30; wrong_answer 0 / 70" {
		t.Errorf("the subtasks read %v, want accepted 30 / 30 and wrong_answer 0 / 70", got)
	}
	if partial["percentile"] == true {
		t.Error("a percentile is shown for a submission that is not accepted")
	}
	// Streamed: the first subtask's verdict showed before the second's.
	var streamed bool
	for _, s := range eval[[]string](t, ctx, `window.__subtaskStates`) {
		if strings.HasPrefix(s, "accepted,-|") {
			streamed = true
		}
	}
	if !streamed {
		t.Errorf("the subtasks were not shown as they finished: %q", eval[[]string](t, ctx, `window.__subtaskStates`))
	}
	var sub codementor.Submission
	if status := admin.do(t, "GET", "/api/submissions/"+partial["id"].(string), nil, &sub); status != 200 || sub.ContestID != cup {
		t.Errorf("the page's submission %s: status %d, contest %q; want it made in %s", partial["id"], status, sub.ContestID, cup)
	}

	// Back on the contest page: ann's score on B, in contest points, and
	// her row, first and marked as hers.
	within(t, ctx, "back to the cup",
		chromedp.Click(chromedp.CSS(`.back a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=leaderboard-row]`)))
	within(t, ctx, "ann's score on B", void(chromedp.Poll[bool](`document.querySelector('[data-question="`+triID+`"] [data-testid=my-score]').dataset.state === 'attempted'`)))
	if got := eval[[]contestRow](t, ctx, myScores); got[1].Score != "60 / 200" || got[0].State != "new" {
		t.Errorf("after 30 of 100 on B (worth 200): %+v, want B 60 / 200 and A not tried", got)
	}
	if got := eval[string](t, ctx, boardOrder); got != ann+"=60@1" {
		t.Errorf("the leaderboard shows %q, want ann first with 60", got)
	}
	mine := eval[map[string]string](t, ctx, `(() => { const r = document.querySelector('[data-testid=leaderboard-row].me-row');
	  return {user: r?.dataset.user || '', current: r?.getAttribute('aria-current') || '', standing: document.querySelector('[data-testid=my-standing]').textContent}; })()`)
	if mine["user"] != ann || mine["current"] != "true" || !strings.Contains(mine["standing"], "You are 1st") {
		t.Errorf("ann's row is not marked as hers: %+v", mine)
	}

	// Ben scores over the API while the page is open: his row appears
	// above ann's, and the page says so.
	eval[bool](t, ctx, recordBoard)
	contestSubmit(t, benC, sumID, cup, aPlusB, codementor.VerdictAccepted)
	want := ben + "=100@1 " + ann + "=60@2"
	within(t, ctx, "ben's row appears above ann's", void(chromedp.Poll[bool](boardOrder+` === `+strconv.Quote(want))))
	within(t, ctx, "the page tells", void(chromedp.Poll[bool](`document.querySelector('[data-testid=board-news]').textContent.includes(`+strconv.Quote(ben)+`)`)))
	if news := eval[string](t, ctx, `document.querySelector('[data-testid=board-news]').textContent`); !strings.Contains(news, ben+" joined the leaderboard at 1st") {
		t.Errorf("the leaderboard's news reads %q, want ben joined at 1st", news)
	}
	if live := eval[string](t, ctx, `document.querySelector('[data-testid=board-news]').getAttribute('aria-live')`); live != "polite" {
		t.Errorf("the leaderboard's news is aria-live=%q, want polite", live)
	}
	if st := eval[string](t, ctx, `document.querySelector('[data-testid=my-standing]').textContent`); !strings.Contains(st, "You are 2nd") {
		t.Errorf("ann's standing reads %q, want 2nd", st)
	}
	orders := eval[[]string](t, ctx, `window.__boardOrders`)
	if len(orders) == 0 || orders[len(orders)-1] != want {
		t.Errorf("the leaderboard went through %q, want it to end at %q", orders, want)
	}
	sameDocument(t, ctx)
	screenshot(t, ctx, "contest-leaderboard")

	// Cat, not in the cup, solves B to practise: one more accepted Python
	// solution to compare ann's with.
	judged(t, catC, triID, triangle, codementor.VerdictAccepted)

	// Ann solves B in the page: both subtasks, 100 / 100, and where her
	// solution stands among the accepted ones.
	within(t, ctx, "open question B in the contest again",
		chromedp.Click(chromedp.CSS(`[data-question="`+triID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)))
	typeCode(t, ctx, triangle)
	within(t, ctx, "solve B",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=accepted]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=percentile]`)))
	solved := eval[map[string]any](t, ctx, `({
	  score: document.querySelector('[data-testid=score]').textContent,
	  subtasks: Array.from(document.querySelectorAll('[data-testid=subtask-row]')).map(r => r.dataset.verdict + ' ' + r.querySelector('[data-testid=subtask-points]').textContent),
	  percentile: document.querySelector('[data-testid=percentile]').textContent,
	  history: document.querySelectorAll('[data-testid=history-item]').length,
	})`)
	if solved["score"] != "100 / 100" {
		t.Errorf("the solution's score reads %q, want 100 / 100", solved["score"])
	}
	if got := strings.Join(toStrings(solved["subtasks"]), "; "); got != "accepted 30 / 30; accepted 70 / 70" {
		t.Errorf("the subtasks read %s, want both accepted", got)
	}
	if p := solved["percentile"].(string); !regexp.MustCompile(`^Faster than \d{1,3}% of accepted Python submissions · less memory than \d{1,3}%$`).MatchString(p) {
		t.Errorf("the percentile line reads %q", p)
	}
	if n := solved["history"].(float64); n != 2 {
		t.Errorf("the history lists %v submissions, want 2", n)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the question page in a contest has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "contest-question-accepted")

	// The contest page: B solved, 200 / 200, and ann's row moved above ben's.
	within(t, ctx, "back to the cup, first again",
		chromedp.Click(chromedp.CSS(`.back a`)),
		void(chromedp.Poll[bool](boardOrder+` === `+strconv.Quote(ann+"=200@1 "+ben+"=100@2"))))
	if got := eval[[]contestRow](t, ctx, myScores); got[1].Score != "✓ 200 / 200, solved" || got[1].State != "solved" {
		t.Errorf("after solving B: %+v, want B ✓ 200 / 200, solved", got[1])
	}
	// Ben solves B too, while ann watches: he moves above her again.
	eval[bool](t, ctx, recordBoard)
	contestSubmit(t, benC, triID, cup, triangle, codementor.VerdictAccepted)
	want = ben + "=300@1 " + ann + "=200@2"
	within(t, ctx, "ben moves above ann", void(chromedp.Poll[bool](boardOrder+` === `+strconv.Quote(want))))
	within(t, ctx, "the page tells that ben moved up",
		void(chromedp.Poll[bool](`document.querySelector('[data-testid=board-news]').textContent.includes(`+strconv.Quote(ben+" moved up to 1st")+`)`)))
	sameDocument(t, ctx)

	// At 390 px the contest page fits the screen; the leaderboard scrolls
	// in its own box if it must.
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))))
	if w := eval[map[string]float64](t, ctx, `({page: document.documentElement.scrollWidth, viewport: window.innerWidth})`); w["page"] > w["viewport"] {
		t.Errorf("the contest page is %v px wide on a %v px screen", w["page"], w["viewport"])
	}
	header := eval[map[string]float64](t, ctx, `(() => { const hd = document.querySelector('header').getBoundingClientRect();
	  const out = Array.from(document.querySelectorAll('header button')).find(b => b.textContent === 'Sign out').getBoundingClientRect();
	  const brand = document.querySelector('header .brand').getBoundingClientRect();
	  return {right: hd.right, outRight: out.right, sameRow: Number(out.top < brand.bottom && brand.top < out.bottom)}; })()`)
	if header["outRight"] > header["right"] || header["sameRow"] != 1 {
		t.Errorf("on a narrow screen the header does not keep to one row: %v", header)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the narrow contest page has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "contest-narrow")
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))

	// A frozen contest says so; one to come counts down to its start and
	// keeps its questions until then.
	within(t, ctx, "open the frozen contest",
		chromedp.Click(chromedp.CSS(`nav a[href="/contests"]`)),
		chromedp.Click(chromedp.CSS(`[data-contest="`+frozen+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=board-frozen]`)))
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid=board-frozen]').textContent`); !strings.Contains(txt, "Frozen since") {
		t.Errorf("the frozen contest's leaderboard says %q", txt)
	}
	within(t, ctx, "open the contest to come",
		chromedp.Click(chromedp.CSS(`nav a[href="/contests"]`)),
		chromedp.Click(chromedp.CSS(`[data-contest="`+later+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=questions-hidden]`)))
	if c := eval[map[string]string](t, ctx, `(() => { const c = document.querySelector('[data-testid=countdown]'); return {phase: c.dataset.phase, text: c.textContent}; })()`); c["phase"] != "upcoming" || !strings.HasPrefix(c["text"], "Starts in") {
		t.Errorf("the contest to come shows %+v, want a countdown to its start", c)
	}
	sameDocument(t, ctx)

	// The profile: B solved among the medium questions, A not tried.
	within(t, ctx, "open the profile",
		chromedp.Click(chromedp.CSS(`nav a[href="/me"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=progress-row]`)))
	progress := eval[map[string]any](t, ctx, `fetch('/api/me/progress').then(r => r.json()).then(p => ({api: p,
	  page: Object.fromEntries(Array.from(document.querySelectorAll('[data-difficulty]')).map(li => [li.dataset.difficulty, li.dataset.solved + '/' + li.dataset.attempted + '/' + li.dataset.total])),
	  rows: Array.from(document.querySelectorAll('[data-testid=progress-row]')).map(r => r.dataset.question + ' ' + r.dataset.status + ' ' + r.querySelector('[data-testid=best-score]').textContent),
	  summary: document.querySelector('[data-testid=progress-summary]').textContent}))`)
	api := progress["api"].(map[string]any)
	page := progress["page"].(map[string]any)
	for d, v := range api["by_difficulty"].(map[string]any) {
		n := v.(map[string]any)
		want := strconv.Itoa(int(n["solved"].(float64))) + "/" + strconv.Itoa(int(n["attempted"].(float64))) + "/" + strconv.Itoa(int(n["total"].(float64)))
		if page[d] != want {
			t.Errorf("the profile shows %s as %v, want %s (solved/attempted/total) as the API says", d, page[d], want)
		}
	}
	if m, _ := page["medium"].(string); !strings.HasPrefix(m, "1/0/") {
		t.Errorf("medium questions: %q, want 1 solved, none attempted", m)
	}
	if got := strings.Join(toStrings(progress["rows"]), "; "); got != triID+" solved 100 / 100" {
		t.Errorf("the profile's questions read %q, want only B, solved, 100 / 100", got)
	}
	if s := progress["summary"].(string); !strings.HasPrefix(s, "You have solved 1 of ") {
		t.Errorf("the profile's summary reads %q", s)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the profile has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "profile")

	// A contest that starts in a few seconds: the page counts down to its
	// start on the server's clock, then, never loaded again, shows the
	// questions and counts down to the end.
	soon := codementor.Contest{ID: "soon-" + suffix, Title: "Soon " + suffix, Start: time.Now().UTC().Add(10 * time.Second).Truncate(time.Second),
		Questions: []codementor.ContestQuestion{{QuestionID: sumID}}, Scoring: codementor.ScoringIOI}
	soon.End = soon.Start.Add(time.Hour)
	if status := admin.do(t, "PUT", "/api/contests/"+soon.ID, soon, nil); status != http.StatusCreated {
		t.Fatalf("PUT contest %s: %d", soon.ID, status)
	}
	within(t, ctx, "open the contest about to start",
		chromedp.Click(chromedp.CSS(`nav a[href="/contests"]`)),
		chromedp.Click(chromedp.CSS(`[data-contest="`+soon.ID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=questions-hidden]`)))
	if c := eval[string](t, ctx, `document.querySelector('[data-testid=countdown]').textContent`); !regexp.MustCompile(`^Starts in 0:00:(0\d|10)`).MatchString(c) {
		t.Errorf("a contest starting in seconds counts down %q", c)
	}
	within(t, ctx, "the contest starts",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=contest-question]`)),
		void(chromedp.Poll[bool](`document.querySelector('[data-testid=countdown]').dataset.phase === 'running'`)))
	if c := eval[string](t, ctx, `document.querySelector('[data-testid=countdown]').textContent`); !strings.HasPrefix(c, "Ends in 0:59:") && !strings.HasPrefix(c, "Ends in 1:00:00") {
		t.Errorf("once started, the countdown reads %q, want about an hour to the end", c)
	}
	if early := time.Until(soon.Start); early > time.Second {
		t.Errorf("the page showed the contest started %s before its start", early)
	}
	sameDocument(t, ctx)

	// A question of a contest that is over: the page says so, and a
	// submission made there is practice, outside the contest.
	within(t, ctx, "open a question of the past contest",
		chromedp.Click(chromedp.CSS(`nav a[href="/contests"]`)),
		chromedp.Click(chromedp.CSS(`[data-contest="`+past+`"] a`)),
		chromedp.Click(chromedp.CSS(`[data-question="`+sumID+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=contest-banner][data-state=over]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)))
	if b := eval[string](t, ctx, `document.querySelector('[data-testid=contest-banner]').innerText`); !strings.Contains(b, "The contest is over.") || !strings.Contains(b, "practice") {
		t.Errorf("the banner of a past contest's question reads %q", b)
	}
	typeCode(t, ctx, aPlusB)
	within(t, ctx, "practise",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=accepted]`)))
	id := eval[string](t, ctx, `document.querySelector('[data-testid=verdict]').dataset.submission`)
	var practice codementor.Submission
	if status := admin.do(t, "GET", "/api/submissions/"+id, nil, &practice); status != 200 || practice.ContestID != "" {
		t.Errorf("the submission made after the contest: status %d, contest %q; want practice", status, practice.ContestID)
	}
	sameDocument(t, ctx)
}

// toStrings turns a decoded JSON array of strings into a []string.
func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
