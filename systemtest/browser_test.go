package systemtest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/codementor/codementor/auth"
	"github.com/codementor/codementor/internal/devtest"
	"github.com/codementor/codementor/review/reviewtest"
	"github.com/codementor/codementor/web/ui"
)

// The learner's page, driven in Debian's Chromium (headless) the way a
// learner uses it: sign in, open a question, type, submit, watch.
//
// CODEMENTOR_TEST_REQUIRE_BROWSER=1 (set by `make test`) turns "no Chromium"
// and "the page was not built" into failures instead of skips.
// CODEMENTOR_SCREENSHOTS=<dir> saves a screenshot of each main state there
// (`make screenshots` refreshes docs/screenshots).

// browserWait bounds one wait for the page, judging included.
const browserWait = 90 * time.Second

func requireBrowser(t testing.TB) string {
	t.Helper()
	required := os.Getenv("CODEMENTOR_TEST_REQUIRE_BROWSER") != ""
	skip := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if _, err := ui.Files(); err != nil {
		skip("%v", err)
	}
	path := os.Getenv("CODEMENTOR_TEST_CHROMIUM")
	if path == "" {
		p, err := exec.LookPath("chromium")
		if err != nil {
			skip("no Chromium to run the browser tests (apt-get install chromium, or set CODEMENTOR_TEST_CHROMIUM)")
		}
		path = p
	}
	return path
}

// browser starts a headless Chromium with a window of w×h CSS pixels and
// returns a tab's context; it is closed at the end of the test.
func browser(t testing.TB, w, h int) context.Context {
	t.Helper()
	path := requireBrowser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(w, h),
		chromedp.Flag("lang", "en-US"),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its own sandbox; the
		// browser here opens only the test's page on 127.0.0.1.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))))
	return ctx
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// within runs steps with a deadline, failing the test with what was being
// waited for.
func within(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	wctx, cancel := context.WithTimeout(ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(wctx, steps...); err != nil {
		t.Fatalf("%s: %v\npage: %s", what, err, pageState(ctx))
	}
}

// eval runs a JavaScript expression and decodes its JSON value into T.
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %.80q: %v", js, err)
	}
	return v
}

// pageState describes what the page shows, for failure messages.
func pageState(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`location.pathname + " | " + document.body.innerText.slice(0, 1500)`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// screenshot saves the whole page as <name>.png when CODEMENTOR_SCREENSHOTS
// names a directory.
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	shoot(t, ctx, name, chromedp.FullScreenshot(100))
}

// screenshotViewport saves what the screen shows.
func screenshotViewport(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	shoot(t, ctx, name, chromedp.CaptureScreenshot())
}

func shoot(t testing.TB, ctx context.Context, name string, capture chromedp.Action[[]byte]) {
	t.Helper()
	dir := os.Getenv("CODEMENTOR_SCREENSHOTS")
	if dir == "" {
		return
	}
	// Let fonts and the editor's highlighting settle.
	must(t, chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)))
	png, err := chromedp.Run(ctx, capture)
	must(t, err)
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// signIn opens the page, which sends a stranger to the sign-in form, and
// signs in with the keyboard.
func signIn(t testing.TB, ctx context.Context, base, user string) {
	t.Helper()
	within(t, ctx, "open the sign-in form",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=signin-user]`)))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/signin") {
		t.Errorf("a stranger at / was sent to %s, want /signin", loc)
	}
	screenshot(t, ctx, "signin")
	within(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=signin-user]`), user+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=question-list] li a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connection][data-state=live]`)))
	// The page is never loaded again from here on: everything arrives live.
	eval[bool](t, ctx, `window.__sameDocument = true`)
}

func sameDocument(t testing.TB, ctx context.Context) {
	t.Helper()
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("the page was loaded again; everything should have arrived live")
	}
}

// typeCode replaces the editor's text as a learner's paste would.
func typeCode(t testing.TB, ctx context.Context, code string) {
	t.Helper()
	within(t, ctx, "type the solution",
		chromedp.Click(chromedp.CSS(`[data-testid=editor] .cm-content`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: code})
			return err
		}))
	if got := editorText(t, ctx); strings.TrimSpace(got) != strings.TrimSpace(code) {
		t.Fatalf("the editor holds\n%s\nwant\n%s", got, code)
	}
}

// editorText is the text the editor shows.
func editorText(t testing.TB, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `Array.from(document.querySelectorAll('[data-testid=editor] .cm-line')).map(l => l.textContent).join('\n')`)
}

// void runs a and drops its value.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, tg)
		return chromedp.Void{}, err
	}
}

// openQuestion follows the list's link to a question and picks a language.
func openQuestion(t testing.TB, ctx context.Context, id, language string) {
	t.Helper()
	within(t, ctx, "open "+id,
		chromedp.Click(chromedp.CSS(`[data-question="`+id+`"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=statement]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)))
	chooseLanguage(t, ctx, language)
}

// chooseLanguage picks a language in the picker as a keyboard user would.
func chooseLanguage(t testing.TB, ctx context.Context, id string) {
	t.Helper()
	within(t, ctx, "choose "+id,
		chromedp.SetValue(chromedp.CSS(`[data-testid=language]`), id),
		void(chromedp.Evaluate[bool](`document.querySelector('[data-testid=language]').dispatchEvent(new Event('change'))`)))
}

// recordResult starts recording every state the result panel shows, as the
// DOM changes; recorded returns them, for the latest submission only.
const recordResult = `(() => {
  const states = window.__states = [];
  const read = () => {
    const v = document.querySelector('[data-testid=verdict]');
    const r = document.querySelector('[data-testid=review]');
    return {
      submission: v?.dataset.submission || '',
      status: v?.dataset.status || '',
      verdict: v?.dataset.verdict || '',
      rows: document.querySelectorAll('[data-testid=test-row]').length,
      review: r?.dataset.status || '',
      reviewText: (r?.querySelector('[data-testid=review-text]')?.textContent || '').length,
    };
  };
  new MutationObserver(() => {
    const s = read(), last = states[states.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(s)) states.push(s);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  return true;
})()`

type resultState struct {
	Submission, Status, Verdict, Review string
	Rows, ReviewText                    int
}

func recorded(t testing.TB, ctx context.Context) []resultState {
	t.Helper()
	raw := eval[string](t, ctx, `JSON.stringify(window.__states)`)
	var all []resultState
	must(t, json.Unmarshal([]byte(raw), &all))
	if len(all) == 0 {
		t.Fatal("the result panel never changed")
	}
	last := all[len(all)-1].Submission
	var out []resultState
	for _, s := range all {
		if s.Submission == last && last != "" {
			out = append(out, s)
		}
	}
	return out
}

// axeViolations runs axe-core's WCAG 2 A and AA rules (contrast, labels,
// names, landmarks…) on the page and returns what it found.
func axeViolations(t testing.TB, ctx context.Context) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "web", "ui", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core (a devDependency of web/ui, installed by make): %v", err)
	}
	eval[bool](t, ctx, string(src)+"\n;true")
	raw := eval[string](t, ctx, `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
	  .then(r => JSON.stringify(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))))`)
	var v []string
	must(t, json.Unmarshal([]byte(raw), &v))
	return v
}

func setColorScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	must(t, chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})))
}

func TestBrowserSolvesAQuestion(t *testing.T) {
	requireBrowser(t)
	llm := reviewtest.New(t, reviewtest.Stream(reviewPieces...).WithDelay(250*time.Millisecond))
	dir, rc := reviewConfig(t, llm.URL, 30*time.Second)
	in := startReviewing(t, dir, rc)
	ctx := browser(t, 1280, 900)

	signIn(t, ctx, in.Base, testUser("ada"))
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the question list has accessibility problems:\n%s", strings.Join(v, "\n"))
	}

	openQuestion(t, ctx, "a-plus-b", "python")
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/questions/a-plus-b") {
		t.Errorf("the address is %s, want /questions/a-plus-b", loc)
	}
	if starter := eval[string](t, ctx, `document.querySelector('[data-testid=editor] .cm-content').textContent`); strings.TrimSpace(starter) == "" {
		t.Error("the editor did not start with the language's starter code")
	}
	typeCode(t, ctx, aPlusB)
	eval[bool](t, ctx, recordResult)
	within(t, ctx, "submit and get the verdict",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=accepted]`)))
	if os.Getenv("CODEMENTOR_SCREENSHOTS") != "" {
		within(t, ctx, "the review is being written",
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=review][data-status=running] [data-testid=review-text]`)))
		shoot(t, ctx, "review-streaming", chromedp.Screenshot(chromedp.CSS(`[data-testid=result]`)))
	}
	within(t, ctx, "the review is written",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review][data-status=done]`)))

	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid=test-row]')).map(r => r.dataset.verdict)`)
	if len(rows) != 11 {
		t.Errorf("%d test rows, want one per test: 11", len(rows))
	}
	for i, v := range rows {
		if v != "accepted" {
			t.Errorf("test row %d says %s, want accepted", i+1, v)
		}
	}
	verdict := eval[string](t, ctx, `document.querySelector('[data-testid=verdict]').innerText`)
	if !strings.Contains(verdict, "Accepted") || !strings.Contains(verdict, "11 of 11 tests passed") {
		t.Errorf("the verdict reads %q", verdict)
	}
	review := eval[string](t, ctx, `document.querySelector('[data-testid=review]').innerText`)
	for _, want := range []string{"Summary", "The program subtracts instead of adding.", "Re-read the statement."} {
		if !strings.Contains(review, want) {
			t.Errorf("the review does not show %q:\n%s", want, review)
		}
	}

	// What the learner watched, in order: rows appearing before the
	// verdict, the verdict before the review, the review growing.
	states := recorded(t, ctx)
	var partialRows, maxRows, grew, verdictAt, reviewAt int
	verdictAt, reviewAt = -1, -1
	lastText := 0
	for i, s := range states {
		if s.Rows < maxRows {
			t.Errorf("state %d shows %d test rows after %d were shown", i, s.Rows, maxRows)
		}
		maxRows = max(maxRows, s.Rows)
		if s.Verdict == "" && s.Rows > 0 && s.Rows < 11 {
			partialRows++
		}
		if s.Verdict != "" && verdictAt < 0 {
			verdictAt = i
		}
		if s.ReviewText > 0 && reviewAt < 0 {
			reviewAt = i
		}
		if s.Review == "running" && s.ReviewText > lastText && lastText > 0 {
			grew++
		}
		lastText = max(lastText, s.ReviewText)
	}
	if partialRows == 0 {
		t.Errorf("no test row was shown before all had run: %+v", states)
	}
	if verdictAt < 0 || reviewAt < 0 || reviewAt < verdictAt {
		t.Errorf("the verdict (state %d) should come before the review's text (state %d): %+v", verdictAt, reviewAt, states)
	}
	if grew < 2 {
		t.Errorf("the review's text grew %d times while it was written, want it streamed: %+v", grew, states)
	}
	sameDocument(t, ctx)
	// Offline: everything the page loaded came from the server itself.
	for _, u := range eval[[]string](t, ctx, `[location.href, ...performance.getEntriesByType('resource').map(e => e.name)]`) {
		if !strings.HasPrefix(u, in.Base+"/") {
			t.Errorf("the page loaded %s, which is not on %s: it would not work offline", u, in.Base)
		}
	}

	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the question page (light) has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "accepted-with-review")
	setColorScheme(t, ctx, "dark")
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the question page (dark) has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "accepted-with-review-dark")
	setColorScheme(t, ctx, "light")

	// The history holds the submission with its code; the list shows the
	// question solved.
	history := eval[int](t, ctx, `document.querySelectorAll('[data-testid=history-item]').length`)
	if history != 1 {
		t.Errorf("the history lists %d submissions, want 1", history)
	}
	code := eval[string](t, ctx, `document.querySelector('[data-testid=submission-code]').textContent`)
	if strings.TrimSpace(code) != strings.TrimSpace(aPlusB) {
		t.Errorf("the history shows the code\n%s\nwant\n%s", code, aPlusB)
	}
	within(t, ctx, "back to the list, solved",
		chromedp.Click(chromedp.CSS(`.back a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-question="a-plus-b"][data-status=solved]`)))
	sameDocument(t, ctx)
	screenshot(t, ctx, "questions")
}

func TestBrowserShowsWhyASampleFailed(t *testing.T) {
	requireBrowser(t)
	in := start(t, t.TempDir())
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, testUser("grace"))

	// Keyboard only: Tab from the list's heading to the first question.
	within(t, ctx, "open the first question with the keyboard",
		chromedp.KeyEvent("\t"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)))
	within(t, ctx, "back to the list", chromedp.Click(chromedp.CSS(`.back a`)))
	openQuestion(t, ctx, "a-plus-b", "python")
	typeCode(t, ctx, aPlusBWrong)
	// Another language starts from its starter code; coming back finds the
	// draft as it was.
	chooseLanguage(t, ctx, "cpp")
	if got := editorText(t, ctx); !strings.Contains(got, "#include") {
		t.Errorf("C++ starts with\n%s\nwant its starter code", got)
	}
	// A language whose grammar is one of CodeMirror 5's modes is
	// highlighted too, once its chunk has loaded.
	chooseLanguage(t, ctx, "rust")
	if got := editorText(t, ctx); !strings.Contains(got, "fn main()") {
		t.Errorf("Rust starts with\n%s\nwant its starter code", got)
	}
	within(t, ctx, "Rust is highlighted",
		void(chromedp.Poll[bool](`Array.from(document.querySelectorAll('[data-testid=editor] .cm-content .tok-keyword')).some(e => e.textContent === 'fn')`)))
	chooseLanguage(t, ctx, "python")
	if got := editorText(t, ctx); strings.TrimSpace(got) != strings.TrimSpace(aPlusBWrong) {
		t.Errorf("back in Python the editor holds\n%s\nwant the draft\n%s", got, aPlusBWrong)
	}
	// Tab indents in the editor, and Esc then Tab leaves it: no keyboard trap.
	within(t, ctx, "Tab indents",
		chromedp.Click(chromedp.CSS(`[data-testid=editor] .cm-content`)),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.KeyEvent("\t"))
	if got := editorText(t, ctx); !strings.HasSuffix(got, "\n    ") {
		t.Errorf("Tab in the editor did not indent: %q", got)
	}
	within(t, ctx, "Esc, then Tab, leaves the editor",
		chromedp.KeyEvent(kb.Escape),
		chromedp.KeyEvent("\t"))
	if in := eval[bool](t, ctx, `!!document.activeElement.closest('[data-testid=editor]')`); in {
		t.Error("Esc then Tab left the focus in the editor: a keyboard trap")
	}
	typeCode(t, ctx, aPlusBWrong)
	// Ctrl+Enter in the editor submits.
	within(t, ctx, "submit with Ctrl+Enter",
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=wrong_answer]`)))

	first := eval[map[string]string](t, ctx, `(() => {
	  const row = document.querySelector('[data-testid=test-row]:not([data-verdict=accepted])');
	  const detail = row.nextElementSibling;
	  return {verdict: row.dataset.verdict, hidden: row.dataset.hidden, test: row.children[1].innerText,
	    open: String(detail.querySelector('details').open), why: detail.querySelector('summary').innerText,
	    output: detail.querySelector('[data-testid=test-output]')?.textContent ?? '', all: detail.textContent};
	})()`)
	if first["verdict"] != "wrong_answer" || first["hidden"] != "false" || first["test"] != "Sample 1" {
		t.Errorf("the first failed test is %+v, want sample 1, wrong answer", first)
	}
	if first["open"] != "true" {
		t.Error("the first failed sample's details are closed; they should be open")
	}
	if !strings.Contains(first["why"], "Sample 1") || len(first["why"]) < len("Sample 1: ")+5 {
		t.Errorf("the failed sample does not say why: %q", first["why"])
	}
	for _, want := range []string{"Input", "Expected output", "Your output", "1 2", "3"} {
		if !strings.Contains(first["all"], want) {
			t.Errorf("the failed sample's details lack %q:\n%s", want, first["all"])
		}
	}
	if strings.TrimSpace(first["output"]) != "-1" {
		t.Errorf("your output shows %q, want -1 (1 - 2)", first["output"])
	}
	// No model here: the learner reads that there is no review, not how an
	// operator turns reviews on.
	within(t, ctx, "the review is skipped",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review][data-status=skipped]`)))
	if r := eval[string](t, ctx, `document.querySelector('[data-testid=review]').innerText`); !strings.Contains(r, "No review for this submission") || strings.Contains(r, "OPENAI") {
		t.Errorf("the skipped review reads %q, want No review for this submission and nothing for the operator", r)
	}
	screenshot(t, ctx, "wrong-answer")
	sameDocument(t, ctx)

	// Signing out ends the session: the page, loaded again, asks for a name.
	within(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`header button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=signin-user]`)))
	if msg := eval[string](t, ctx, `document.querySelector('.signin').innerText`); !strings.Contains(msg, "You have signed out.") {
		t.Errorf("after signing out the form says %q", msg)
	}
	within(t, ctx, "reload after signing out",
		chromedp.Navigate(in.Base+"/questions/a-plus-b"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=signin-user]`)))
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/signin?next=%2Fquestions%2Fa-plus-b") {
		t.Errorf("signed out, /questions/a-plus-b went to %s, want the sign-in form that returns there", loc)
	}
}

func TestBrowserOnANarrowScreen(t *testing.T) {
	requireBrowser(t)
	in := start(t, t.TempDir())
	ctx := browser(t, 390, 844)
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))))
	signIn(t, ctx, in.Base, testUser("linus"))
	// The difficulty badge keeps its own width in its card, and the header
	// keeps to one line, "Sign out" too.
	narrow := eval[map[string]float64](t, ctx, `(() => {
	  const badge = document.querySelector('.question-item .badge'), card = badge.closest('.question-item');
	  const out = Array.from(document.querySelectorAll('header button')).find(b => b.textContent === 'Sign out');
	  const r = document.createRange();
	  r.selectNodeContents(out);
	  const lines = new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size;
	  const brand = document.querySelector('header .brand').getBoundingClientRect(), b = out.getBoundingClientRect();
	  return {badge: badge.getBoundingClientRect().width, card: card.getBoundingClientRect().width, signOutLines: lines,
	    sameRow: Number(b.top < brand.bottom && brand.top < b.bottom), headerRight: document.querySelector('header').getBoundingClientRect().right, signOutRight: b.right};
	})()`)
	if narrow["badge"] > narrow["card"]/3 {
		t.Errorf("the difficulty badge is %v px wide in a %v px card: it stretches", narrow["badge"], narrow["card"])
	}
	if narrow["signOutLines"] != 1 || narrow["sameRow"] != 1 || narrow["signOutRight"] > narrow["headerRight"] {
		t.Errorf("Sign out takes %v lines, on the brand's row: %v, within the header: %v; want one line, in one row, within", narrow["signOutLines"], narrow["sameRow"] == 1, narrow["signOutRight"] <= narrow["headerRight"])
	}
	screenshotViewport(t, ctx, "narrow-questions")
	openQuestion(t, ctx, "two-sum-function", "python")
	within(t, ctx, "submit the starter code",
		chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict]:not([data-verdict=""])`)))
	overflow := eval[map[string]float64](t, ctx, `({page: document.documentElement.scrollWidth, viewport: window.innerWidth})`)
	if overflow["page"] > overflow["viewport"] {
		t.Errorf("the page is %v px wide on a %v px screen: it scrolls sideways", overflow["page"], overflow["viewport"])
	}
	// One column: the statement is above the editor, not beside it.
	layout := eval[map[string]float64](t, ctx, `(() => {
	  const s = document.querySelector('.statement').getBoundingClientRect(), w = document.querySelector('.workspace').getBoundingClientRect();
	  return {statementBottom: s.bottom, workspaceTop: w.top, workspaceWidth: w.width};
	})()`)
	if layout["workspaceTop"] < layout["statementBottom"] || layout["workspaceWidth"] > overflow["viewport"] {
		t.Errorf("on a narrow screen the statement and the editor should stack: %v", layout)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the narrow question page has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	must(t, chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=result]`))))
	screenshotViewport(t, ctx, "narrow")
}

// TestBrowserRendersHostileMarkdownAsText puts script in a statement (an
// author's) and in a review (a model's, which a learner can steer through
// their code): the page shows it as text, runs none of it, and still
// typesets the math.
func TestBrowserRendersHostileMarkdownAsText(t *testing.T) {
	requireBrowser(t)
	const pwn = `window.__pwned = (window.__pwned || []).concat`
	review := []string{
		"## Summary\n<img src=x onerror=\"" + pwn + "('review-img')\">Looks ",
		"<b>fine</b>.<script>" + pwn + "('review-script')</script>\n\n",
		"[docs](javascript:" + pwn + "('review-link'))\n\n## Next steps\n- Keep going.\n",
	}
	llm := reviewtest.New(t, reviewtest.Stream(review...).WithDelay(100*time.Millisecond))
	dir, rc := reviewConfig(t, llm.URL, 30*time.Second)
	in := startReviewing(t, dir, rc)
	admin := login(t, in.Base, testUser("author"), true)
	id := "echo-" + strings.ToLower(testUser("q"))
	statement := "Echo the line. <img src=x onerror=\"" + pwn + "('statement-img')\">\n\n" +
		"<script>" + pwn + "('statement-script')</script>\n\n" +
		"[help](javascript:" + pwn + "('statement-link'))\n\n" +
		"Bounds: $1 \\le n \\le 10^5$ and $\\href{javascript:" + pwn + "('katex')}{x}$.\n"
	q := map[string]any{"title": "Echo <i>this</i>", "statement": statement, "tests": []map[string]any{
		{"input": "<b>bold</b>\n", "output": "<b>bold</b>\n"}, {"input": "x\n", "output": "x\n", "hidden": true},
	}}
	if code := admin.do(t, "PUT", "/api/questions/"+id, q, nil); code != 201 {
		t.Fatalf("create the question: %d", code)
	}
	waitQuestion(t, admin, id)

	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, testUser("mallory"))
	openQuestion(t, ctx, id, "python")
	typeCode(t, ctx, "print(input())\n")
	within(t, ctx, "submit, get the verdict and the review",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=accepted]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=review][data-status=done]`)))

	got := eval[map[string]any](t, ctx, `({
	  pwned: window.__pwned || [],
	  active: document.querySelectorAll('main img, main script, main iframe, main [onerror]').length,
	  jsLinks: Array.from(document.querySelectorAll('a')).filter(a => /^\s*javascript:/i.test(a.getAttribute('href') || '')).length,
	  math: document.querySelectorAll('[data-testid=statement] .katex').length,
	  title: document.querySelector('h1').textContent,
	  statement: document.querySelector('[data-testid=statement]').textContent,
	  review: document.querySelector('[data-testid=review]').textContent,
	  sample: document.querySelector('.sample pre').textContent,
	})`)
	if p, _ := got["pwned"].([]any); len(p) > 0 {
		t.Errorf("script from Markdown ran: %v", p)
	}
	if got["active"].(float64) != 0 || got["jsLinks"].(float64) != 0 {
		t.Errorf("the page holds %v active elements and %v javascript: links from Markdown", got["active"], got["jsLinks"])
	}
	if got["math"].(float64) < 1 {
		t.Error("the statement's math was not typeset")
	}
	for _, c := range []struct{ where, want string }{
		{"title", "Echo <i>this</i>"},
		{"statement", `<img src=x onerror=`},
		{"review", "<b>fine</b>"},
		{"review", "Keep going."},
		{"sample", "<b>bold</b>"},
	} {
		if s, _ := got[c.where].(string); !strings.Contains(s, c.want) {
			t.Errorf("the %s should show %q as text:\n%s", c.where, c.want, s)
		}
	}
}

// TestBrowserRidesOutARestart stops the server under an open page and
// starts it again: the page says it is reconnecting, a Submit meanwhile
// fails with a message and keeps the code, and once the server is back the
// page is live again and judges, never loaded again.
func TestBrowserRidesOutARestart(t *testing.T) {
	waitsMostly(t)
	requireBrowser(t)
	cfg := devConfig(t, t.TempDir())
	in := devtest.Launch(t, cfg, devtest.Ready)
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, testUser("kim"))
	openQuestion(t, ctx, "a-plus-b", "python")
	typeCode(t, ctx, aPlusBWrong)
	within(t, ctx, "a first verdict",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=wrong_answer]`)))

	in.Stop()
	within(t, ctx, "the page notices the server is gone",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connection][data-state=reconnecting]`)))
	typeCode(t, ctx, aPlusB)
	within(t, ctx, "submit while the server is down",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		void(chromedp.Poll[bool](`document.querySelector('[data-testid=submit-error]').textContent.includes('cannot be reached')`)))
	if got := editorText(t, ctx); strings.TrimSpace(got) != strings.TrimSpace(aPlusB) {
		t.Fatalf("after the failed submit the editor holds\n%s", got)
	}

	devtest.Launch(t, cfg, devtest.Ready)
	within(t, ctx, "live again",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connection][data-state=live]`)))
	within(t, ctx, "judged after the restart",
		chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=verdict][data-verdict=accepted]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=history-item]').length`); n != 2 {
		t.Errorf("the history lists %d submissions, want 2: the refused one was not stored", n)
	}
	if msg := eval[string](t, ctx, `document.querySelector('[data-testid=submit-error]').textContent`); msg != "" {
		t.Errorf("the earlier error still shows: %q", msg)
	}
	sameDocument(t, ctx)
}

// TestBrowserSignsInWithAToken is the sign-in of a deployment without the
// dev sign-in: the learner pastes a token their identity provider issued.
func TestBrowserSignsInWithAToken(t *testing.T) {
	requireBrowser(t)
	cfg := devConfig(t, t.TempDir())
	cfg.DevAuth = false
	cfg.JWTSecret = "browser-test-secret-0123456789abcdef"
	in := devtest.Launch(t, cfg, devtest.Ready)
	issuer, err := auth.New([]byte(cfg.JWTSecret), time.Hour)
	must(t, err)
	user := testUser("tok")
	token, err := issuer.Issue(auth.Identity{User: user})
	must(t, err)
	other, err := auth.New([]byte("another-deployment-secret-0123456789"), time.Hour)
	must(t, err)
	forged, err := other.Issue(auth.Identity{User: user})
	must(t, err)

	ctx := browser(t, 1280, 900)
	within(t, ctx, "open the token form",
		chromedp.Navigate(in.Base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=signin-token]`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=signin-user]').length`); n != 0 {
		t.Error("the page offers the dev sign-in on a deployment without it")
	}
	within(t, ctx, "a token from elsewhere is refused",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=signin-token]`), forged),
		chromedp.Click(chromedp.CSS(`[data-testid=signin-submit]`)),
		void(chromedp.Poll[bool](`document.getElementById('signin-error').textContent.includes('invalid or expired')`)))
	within(t, ctx, "the right token signs in",
		chromedp.Click(chromedp.CSS(`[data-testid=signin-token]`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(kb.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=signin-token]`), token),
		chromedp.Click(chromedp.CSS(`[data-testid=signin-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=question-list] li a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=connection][data-state=live]`)))
	if who := eval[string](t, ctx, `document.querySelector('.who').textContent`); !strings.Contains(who, user) {
		t.Errorf("the header says %q, want %s", who, user)
	}
}
