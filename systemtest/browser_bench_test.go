package systemtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// BenchmarkBrowserSubmitToVerdict is what a learner waits for in the page:
// from clicking Submit until the verdict and a row for every test are on
// the screen. Python a-plus-b (11 tests), reviews off, one headless
// Chromium; the ms/verdict metric is the mean.
func BenchmarkBrowserSubmitToVerdict(b *testing.B) {
	_, ctx := signedInPage(b)
	openQuestion(b, ctx, "a-plus-b", "python")
	typeCode(b, ctx, aPlusB)
	var total time.Duration
	b.ResetTimer()
	for i := range b.N {
		done := fmt.Sprintf(`(() => {
		  const items = document.querySelectorAll('[data-testid=history-item]');
		  const v = document.querySelector('[data-testid=verdict]');
		  return items.length === %d && v.dataset.submission === items[0].dataset.id &&
		    v.dataset.verdict === 'accepted' && document.querySelectorAll('[data-testid=test-row]').length === 11;
		})()`, i+1)
		t0 := time.Now()
		within(b, ctx, "submit and see the verdict",
			chromedp.Click(chromedp.CSS(`[data-testid=submit]`)),
			void(chromedp.Poll[bool](done, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(browserWait))))
		total += time.Since(t0)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/verdict")
}

// BenchmarkBrowserOpenQuestion is the time from following a link to a
// question until its statement and its editor are on the screen (the page
// loaded once; the question, the learner's history and the language's
// grammar come from the server each time).
func BenchmarkBrowserOpenQuestion(b *testing.B) {
	_, ctx := signedInPage(b)
	b.ResetTimer()
	for range b.N {
		within(b, ctx, "open a-plus-b and go back",
			chromedp.Click(chromedp.CSS(`[data-question="a-plus-b"] a`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=statement] .katex`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=editor] .cm-content`)),
			chromedp.Click(chromedp.CSS(`.back a`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=question-list] li a`)))
	}
}

// BenchmarkBrowserFirstLoad is a signed-in learner's load of the page with
// an empty cache, until the question list is on the screen.
func BenchmarkBrowserFirstLoad(b *testing.B) {
	in, ctx := signedInPage(b)
	b.ResetTimer()
	for range b.N {
		within(b, ctx, "load the page",
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, network.ClearBrowserCache, cdp.Empty{})
				return err
			}),
			chromedp.Navigate(in.Base+"/"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid=question-list] li a`)))
	}
}

// signedInPage starts an instance (reviews off) and a browser signed in to
// it, showing the question list.
func signedInPage(b *testing.B) (*instance, context.Context) {
	b.Helper()
	in := start(b, b.TempDir())
	ctx := browser(b, 1280, 900)
	signIn(b, ctx, in.Base, testUser("bench"))
	return in, ctx
}
