package systemtest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The Run button and the test console, and the addresses a learner may
// stray to, in Chromium.

// recordRun starts recording every state the Run results show, as the DOM
// changes: the run, its status and how many case cards it shows.
const recordRun = `(() => {
  const states = window.__runStates = [];
  const read = () => {
    const r = document.querySelector('[data-testid=run-result]');
    return {run: r?.dataset.run || '', status: r?.dataset.status || '', cards: r ? r.querySelectorAll('[data-testid=run-case]').length : 0};
  };
  new MutationObserver(() => {
    const s = read(), last = states[states.length - 1];
    if (!last || JSON.stringify(last) !== JSON.stringify(s)) states.push(s);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  return true;
})()`

type runState struct {
	Run, Status string
	Cards       int
}

// runCase is what a case's card shows.
type runCase struct {
	Source, Verdict, Unchecked, Badge   string
	Input, Output, Expected, Stderr     string
	Removed, Added                      []string // the diff's lines, expected only and output only
	HasDiff, HasExpected, OutputMatches bool
}

const readRunCases = `Array.from(document.querySelectorAll('[data-testid=run-case]')).map(c => {
  const text = (sel) => c.querySelector(sel)?.textContent ?? '';
  const ops = (op) => Array.from(c.querySelectorAll('[data-testid=run-diff] [data-op="' + op + '"] .diff-text')).map(l => l.textContent);
  return {Source: c.dataset.source, Verdict: c.dataset.verdict, Unchecked: c.dataset.unchecked,
    Badge: text('[data-testid=run-case-verdict]'),
    Input: text('[data-testid=run-case-input]'), Output: text('[data-testid=run-output]'),
    Expected: text('[data-testid=run-expected]'), Stderr: text('[data-testid=run-stderr]'),
    Removed: ops('-'), Added: ops('+'),
    HasDiff: !!c.querySelector('[data-testid=run-diff]'), HasExpected: !!c.querySelector('[data-testid=run-expected]'),
    OutputMatches: !!c.querySelector('.run-match')};
})`

// TestBrowserRunButton runs a learner's code on the samples and inputs of
// their own, with the button and with Ctrl+': results stream in, a failing
// sample shows its diff, an input of their own its output; the inputs stay
// with the question; nothing of it reaches the history or the progress.
func TestBrowserRunButton(t *testing.T) {
	requireBrowser(t)
	in := start(t, t.TempDir())
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, testUser("runner"))
	openQuestion(t, ctx, "a-plus-b", "python")
	samples := eval[int](t, ctx, `document.querySelectorAll('.sample').length`)
	if samples < 1 {
		t.Fatal("a-plus-b shows no sample test")
	}
	if label := eval[string](t, ctx, `document.querySelector('[data-testid=run]').textContent`); label != "Run" {
		t.Errorf("the Run button reads %q", label)
	}

	// Inputs of the learner's own: typed into the console's text areas.
	inputs := []string{"10 5", "-7 7", "1000000000000 1", "2 2"}
	for i, input := range inputs {
		within(t, ctx, "add input "+input,
			chromedp.Click(chromedp.CSS(`[data-testid=run-add-input]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-input]`)))
		if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=run-input]').length`); n != i+1 {
			t.Fatalf("%d text areas after adding %d inputs", n, i+1)
		}
		if focused := eval[bool](t, ctx, `document.activeElement === document.querySelectorAll('[data-testid=run-input]')[`+strconv.Itoa(i)+`]`); !focused {
			t.Errorf("the new input %d does not have the focus", i+1)
		}
		within(t, ctx, "type input "+input, chromedp.KeyEvent(input))
	}
	typeCode(t, ctx, aPlusBWrong)
	eval[bool](t, ctx, recordRun)

	// Run, with the button: disabled while the run is in flight.
	if disabled := eval[bool](t, ctx, `(() => { const b = document.querySelector('[data-testid=run]'); b.click(); return b.disabled; })()`); !disabled {
		t.Error("Run is not disabled while its run is in flight")
	}
	within(t, ctx, "the first run's results",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-result][data-status=done]`)),
		void(chromedp.Poll[bool](`!document.querySelector('[data-testid=run]').disabled`)))
	first := eval[string](t, ctx, `document.querySelector('[data-testid=run-result]').dataset.run`)
	cases := eval[[]runCase](t, ctx, readRunCases)
	if len(cases) != samples+len(inputs) {
		t.Fatalf("%d cases shown, want %d samples and %d inputs: %+v", len(cases), samples, len(inputs), cases)
	}
	for i, c := range cases {
		want := "sample"
		if i >= samples {
			want = "custom"
		}
		if c.Source != want {
			t.Errorf("case %d comes from %q, want %s: samples first, then the inputs in order", i+1, c.Source, want)
		}
	}
	// Sample 1, 1 2: expected 3, the program says -1; the diff says so.
	s1 := cases[0]
	if s1.Verdict != "wrong_answer" || !strings.Contains(s1.Badge, "Wrong answer") {
		t.Errorf("sample 1 shows %q (%s), want Wrong answer", s1.Badge, s1.Verdict)
	}
	if strings.TrimSpace(s1.Input) != "1 2" || strings.TrimSpace(s1.Expected) != "3" || strings.TrimSpace(s1.Output) != "-1" {
		t.Errorf("sample 1 shows input %q, expected %q, output %q; want 1 2, 3, -1", s1.Input, s1.Expected, s1.Output)
	}
	if !s1.HasDiff || strings.Join(s1.Removed, "|") != "3" || strings.Join(s1.Added, "|") != "-1" {
		t.Errorf("sample 1's diff: removed %q, added %q (shown: %v); want -3 +-1", s1.Removed, s1.Added, s1.HasDiff)
	}
	if open := eval[bool](t, ctx, `document.querySelector('[data-testid=run-case] details.run-diff').open`); !open {
		t.Error("the failing sample's diff is closed; it should be open")
	}
	// The learner's first input, 10 5: the program prints 5. With no
	// expected output it only ran; with one (a reference solution) it is
	// wrong, 15.
	c1 := cases[samples]
	if strings.TrimSpace(c1.Input) != "10 5" || strings.TrimSpace(c1.Output) != "5" {
		t.Errorf("input 1 shows input %q and output %q, want 10 5 and 5", c1.Input, c1.Output)
	}
	switch c1.Unchecked {
	case "true":
		if c1.Badge != "Ran" || c1.HasExpected || c1.HasDiff {
			t.Errorf("input 1 has no expected output, yet shows badge %q, expected output %v, diff %v", c1.Badge, c1.HasExpected, c1.HasDiff)
		}
	default:
		if c1.Verdict != "wrong_answer" || strings.TrimSpace(c1.Expected) != "15" || !c1.HasDiff {
			t.Errorf("input 1 has an expected output: %+v, want wrong answer against 15 with a diff", c1)
		}
	}
	// Streamed: the page showed the run before it was done, and cases
	// before all had run.
	states := eval[[]runState](t, ctx, `window.__runStates`)
	var before, partial bool
	for _, s := range states {
		if s.Run == first && s.Status != "done" {
			before = true
			if s.Cards > 0 && s.Cards < len(cases) {
				partial = true
			}
		}
	}
	if !before || !partial {
		t.Errorf("the run was not shown live (a state before done: %v, some cases before all: %v): %+v", before, partial, states)
	}
	if v := axeViolations(t, ctx); len(v) > 0 {
		t.Errorf("the question page with a run's results has accessibility problems:\n%s", strings.Join(v, "\n"))
	}
	screenshot(t, ctx, "run-wrong-answer")

	// Fixed, and run again with Ctrl+' from the editor: the new run
	// replaces the results.
	typeCode(t, ctx, aPlusB)
	within(t, ctx, "run again with Ctrl+'",
		chromedp.KeyEvent("'", chromedp.KeyModifiers(kb.ModifierCtrl)),
		void(chromedp.Poll[bool](`(() => { const r = document.querySelector('[data-testid=run-result]');
		  return r.dataset.run !== `+strconv.Quote(first)+` && r.dataset.status === 'done'; })()`)))
	cases = eval[[]runCase](t, ctx, readRunCases)
	if len(cases) != samples+len(inputs) {
		t.Fatalf("%d cases after the second run, want %d: the new run replaces the old one's", len(cases), samples+len(inputs))
	}
	for i, c := range cases[:samples] {
		if c.Verdict != "accepted" || c.HasDiff || !c.OutputMatches {
			t.Errorf("sample %d after the fix: %+v, want accepted, its output matching", i+1, c)
		}
	}
	if out := strings.TrimSpace(cases[samples].Output); out != "15" {
		t.Errorf("input 1 after the fix prints %q, want 15", out)
	}
	if big := strings.TrimSpace(cases[samples+2].Output); big != "1000000000001" {
		t.Errorf("input 3 after the fix prints %q, want 1000000000001", big)
	}
	status := eval[string](t, ctx, `document.querySelector('[data-testid=run-status]').textContent`)
	if !strings.Contains(status, "passed") {
		t.Errorf("the run's status reads %q, want how many cases passed", status)
	}
	sameDocument(t, ctx)

	// Not a submission: no history, no progress.
	if n := eval[int](t, ctx, `document.querySelectorAll('[data-testid=history-item]').length`); n != 0 {
		t.Errorf("the history lists %d submissions after two runs, want none", n)
	}
	if n := eval[int](t, ctx, `fetch('/api/submissions?question_id=a-plus-b').then(r => r.json()).then(l => l.length)`); n != 0 {
		t.Errorf("GET /api/submissions lists %d after two runs, want none", n)
	}
	if st := eval[string](t, ctx, `fetch('/api/questions').then(r => r.json()).then(qs => qs.find(q => q.id === 'a-plus-b').status || '')`); st != "" {
		t.Errorf("a-plus-b's progress is %q after two runs, want none", st)
	}

	// At 390 px the console and the results fit the screen.
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))))
	if w := eval[map[string]float64](t, ctx, `({page: document.documentElement.scrollWidth, viewport: window.innerWidth})`); w["page"] > w["viewport"] {
		t.Errorf("with a run's results the page is %v px wide on a %v px screen", w["page"], w["viewport"])
	}
	must(t, chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(`[data-testid=run-result]`))))
	screenshotViewport(t, ctx, "run-narrow")
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))

	// The inputs are the question's, in this browser: a removed one stays
	// removed, and the others are there after a reload.
	within(t, ctx, "remove the last input",
		chromedp.Click(chromedp.CSS(`[data-testid=run-inputs] li:last-child [data-testid=run-remove-input]`)),
		void(chromedp.Poll[bool](`document.querySelectorAll('[data-testid=run-input]').length === `+strconv.Itoa(len(inputs)-1))))
	within(t, ctx, "reload the question",
		chromedp.Navigate(in.Base+"/questions/a-plus-b"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-input]`)))
	kept := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('[data-testid=run-input]')).map(a => a.value)`)
	if strings.Join(kept, "|") != strings.Join(inputs[:len(inputs)-1], "|") {
		t.Errorf("after a reload the console holds %q, want %q", kept, inputs[:len(inputs)-1])
	}
	within(t, ctx, "back to the list",
		chromedp.Click(chromedp.CSS(`.back a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-question="a-plus-b"]`)))
	if st := eval[string](t, ctx, `document.querySelector('[data-question="a-plus-b"]').dataset.status`); st != "new" {
		t.Errorf("the list shows a-plus-b as %q after runs alone, want new", st)
	}
}

// TestBrowserStrayAddresses opens the addresses a learner may mistype or
// follow from elsewhere: each shows a page of the app (or the icon), never
// the API's JSON, with a way back to the questions.
func TestBrowserStrayAddresses(t *testing.T) {
	requireBrowser(t)
	in := start(t, t.TempDir())
	ctx := browser(t, 1280, 900)
	signIn(t, ctx, in.Base, testUser("stray"))

	for _, path := range []string{"/nope", "/questions/", "/questions/a-plus-b/tests", "/questions/no-such-question"} {
		t.Run(path, func(t *testing.T) {
			within(t, ctx, "open "+path,
				chromedp.Navigate(in.Base+path),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=not-found]`)))
			got := eval[map[string]string](t, ctx, `({
			  heading: document.querySelector('[data-testid=not-found] h1').textContent,
			  focused: document.activeElement?.tagName || '',
			  body: document.body.innerText,
			  home: document.querySelector('[data-testid=home-link]')?.getAttribute('href') || '',
			  title: document.title,
			})`)
			want := "Not found"
			if path == "/questions/no-such-question" {
				want = "Question not found"
			}
			if got["heading"] != want || !strings.HasPrefix(got["title"], want) {
				t.Errorf("the page's heading is %q and title %q, want %s", got["heading"], got["title"], want)
			}
			if got["focused"] != "H1" {
				t.Errorf("the focus is on %s, want the heading", got["focused"])
			}
			if strings.Contains(got["body"], `"error"`) || strings.Contains(got["body"], "Try again") {
				t.Errorf("the page shows JSON or offers to try again:\n%s", got["body"])
			}
			if got["home"] != "/" {
				t.Errorf("the link home goes to %q, want /", got["home"])
			}
			if path == "/questions/no-such-question" && !strings.Contains(got["body"], "no-such-question") {
				t.Errorf("the page does not say which question was not found:\n%s", got["body"])
			}
			if path == "/nope" {
				screenshot(t, ctx, "not-found")
			}
			within(t, ctx, "follow the link home",
				chromedp.Click(chromedp.CSS(`[data-testid=home-link]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=question-list] li a`)))
		})
	}

	t.Run("trailing slash", func(t *testing.T) {
		within(t, ctx, "open /questions/a-plus-b/",
			chromedp.Navigate(in.Base+"/questions/a-plus-b/"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=statement]`)))
		if loc := eval[string](t, ctx, `location.pathname`); loc != "/questions/a-plus-b" {
			t.Errorf("the address is %s, want /questions/a-plus-b", loc)
		}
		if nf := eval[bool](t, ctx, `!!document.querySelector('[data-testid=not-found]')`); nf {
			t.Error("the question's page says Not found")
		}
	})

	t.Run("favicon", func(t *testing.T) {
		got := eval[map[string]string](t, ctx, `fetch('/favicon.ico').then(async r => ({
		  status: String(r.status), type: r.headers.get('content-type'),
		  magic: Array.from(new Uint8Array(await r.arrayBuffer()).slice(0, 4)).join(','),
		}))`)
		if got["status"] != "200" || got["type"] != "image/x-icon" || got["magic"] != "0,0,1,0" {
			t.Errorf("/favicon.ico: %v, want 200, image/x-icon, an ICO file", got)
		}
		within(t, ctx, "open /favicon.ico", chromedp.Navigate(in.Base+"/favicon.ico"))
		doc := eval[map[string]any](t, ctx, `({type: document.contentType, images: document.images.length, w: document.images[0]?.naturalWidth || 0})`)
		if doc["type"] != "image/x-icon" || doc["images"].(float64) != 1 || doc["w"].(float64) < 16 {
			t.Errorf("Chromium shows /favicon.ico as %v, want an image", doc)
		}
	})
}
