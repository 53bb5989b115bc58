package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontgate/frontgate/host/sandbox"
)

// chromium finds a Chromium to drive: $FRONTGATE_CHROMIUM, or the usual
// names on PATH. Without one the browser test skips, unless
// FRONTGATE_REQUIRE_ALL=1 (CI), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FRONTGATE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("FRONTGATE_REQUIRE_ALL") == "1" {
		t.Fatal("no Chromium found (install it: apt-get install -y chromium) and FRONTGATE_REQUIRE_ALL=1")
	}
	t.Skip("no Chromium found (apt-get install -y chromium, or set FRONTGATE_CHROMIUM)")
	return ""
}

// artifactsDir is where screenshots of failed steps go:
// $FRONTGATE_ARTIFACTS/browser (CI keeps it), or a new temporary directory
// that outlives the test, made only when a step fails.
func artifactsDir() (string, error) {
	if d := os.Getenv("FRONTGATE_ARTIFACTS"); d != "" {
		d = filepath.Join(d, "browser")
		return d, os.MkdirAll(d, 0o755)
	}
	return os.MkdirTemp("", "frontgate-browser-")
}

// tab is one browser tab in its own browser context (own cookies, so its
// own cart), with steps that save a screenshot when they fail.
type tab struct {
	t     *testing.T
	ctx   context.Context
	name  string
	shots int
}

func newTab(t *testing.T, browser context.Context, name string) *tab {
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// Open the tab now, on a context without a deadline: the tab lives as
	// long as the context of its first action, and steps use timeouts.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx, name: name}
}

// step is an action that returns nothing.
type step = chromedp.Action[chromedp.Void]

// css selects the first element matching a CSS selector.
type css = chromedp.CSS

// into runs a and stores its value in dst.
func into[T any](dst *T, a chromedp.Action[T]) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// step runs steps within a bounded time; on failure it saves a screenshot
// and the page's URL, and fails the test.
func (b *tab) step(what string, steps ...step) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fail(what, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		b.t.Logf("slow step (%s): %s", d.Round(time.Millisecond), what)
	}
}

func (b *tab) fail(what string, err error) {
	b.t.Helper()
	b.shots++
	var png []byte
	var where, text string
	sctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if serr := chromedp.Do(sctx, into(&where, chromedp.Location()), into(&png, chromedp.FullScreenshot(100)),
		into(&text, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))); serr == nil {
		if dir, derr := artifactsDir(); derr == nil {
			file := filepath.Join(dir, fmt.Sprintf("%s-%02d-%s.png", b.name, b.shots, slug(what)))
			if werr := os.WriteFile(file, png, 0o644); werr == nil {
				b.t.Logf("screenshot of the failed step: %s", file)
			}
		}
	}
	b.t.Fatalf("%s: %s: %v\n  at %s\n  page text: %s", b.name, what, err, where, strings.Join(strings.Fields(text), " "))
}

func slug(s string) string {
	s = regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(s), "-")
	return strings.Trim(s, "-")
}

// waitText polls until the text of the element matched by sel satisfies
// ok (chromedp's WaitVisible does not look at text).
func waitText(sel string, ok func(string) bool, out *string) step {
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent.trim() : "\u0000"; })()`, sel)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var last string
		for {
			if s, err := chromedp.Evaluate[string](expr)(ctx, t); err == nil && s != "\x00" {
				last = s
				if ok(s) {
					if out != nil {
						*out = s
					}
					return nil
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s: text %q never matched: %w", sel, last, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// settled waits until the orders page shows the latest version of order id
// and nothing changes for a moment: orders.js reloads the page when an
// order changes, which would swallow what a step types.
func (in *instance) settled(id string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		re := regexp.MustCompile(`"id":"` + regexp.QuoteMeta(id) + `","status":"[^"]*","version":(\d+)`)
		same := 0
		for same < 3 {
			page, err := chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector('article[data-order=%q]'); return document.readyState === 'complete' && e ? e.dataset.version : ''; })()`, id))(ctx, t)
			feed := ""
			if resp, herr := http.Get(in.Shop + "/admin/orders/status"); herr == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if m := re.FindSubmatch(b); m != nil {
					feed = string(m[1])
				}
			}
			if err == nil && page != "" && page == feed {
				same++
			} else {
				same = 0
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("order %s never settled (page version %q, feed %q): %w", id, page, feed, ctx.Err())
			case <-time.After(150 * time.Millisecond):
			}
		}
		return nil
	})
}

// attr reads an attribute of the first element matching sel ("" when absent).
func attr(sel, name string) chromedp.Action[string] {
	return func(ctx context.Context, t *chromedp.Target) (string, error) {
		r, err := chromedp.AttributeValue(css(sel), name)(ctx, t)
		return r.Value, err
	}
}

func equals(want string) func(string) bool { return func(s string) bool { return s == want } }
func contains(want string) func(string) bool {
	return func(s string) bool { return strings.Contains(s, want) }
}

// shopUntilPaymentPage fills a cart with skus, checks out as the test
// customer of kind ("private" or "corporate") and returns on FrontGo's
// payment page with the reservation's uuid.
func (b *tab) shopUntilPaymentPage(shop, kind string, skus ...string) string {
	b.t.Helper()
	for _, sku := range skus {
		b.step("add "+sku+" to the cart",
			chromedp.Navigate(shop+"/"),
			chromedp.Click(css(`button.add[data-sku="`+sku+`"]`)),
			chromedp.WaitVisible(css(`#added`)))
	}
	b.step("go to checkout",
		chromedp.Navigate(shop+"/cart"),
		chromedp.Click(css(`#to-checkout`)),
		chromedp.WaitVisible(css(`#checkout-form`)),
		chromedp.WaitVisible(css(`html[data-wasm="ready"]`)))
	var loc string
	b.step("fill in a "+kind+" customer and pay",
		chromedp.Click(css(`button[data-fill="`+kind+`"]`)),
		chromedp.Click(css(`#pay`)),
		chromedp.WaitVisible(css(`#number`)),
		into(&loc, chromedp.Location()))
	m := regexp.MustCompile(`/checkout/(RES[0-9A-Za-z]+)`).FindStringSubmatch(loc)
	if m == nil {
		b.fail("read the reservation from the payment page", fmt.Errorf("unexpected payment page %s", loc))
	}
	return m[1]
}

// payWith submits FrontGo's (the sandbox's) card form.
func (b *tab) payWith(card string) {
	b.t.Helper()
	b.step("pay with "+card,
		chromedp.SetValue(css(`#number`), card),
		chromedp.Submit(css(`#number`)),
		chromedp.WaitVisible(css(`#result`)))
}

// TestBrowser drives the demo shop in headless Chromium through the
// binary's wiring: the wasm validating the checkout form in the page, an
// approved and a declined payment, back-office capture and refund, and the
// shopper returning before and after FrontGo's callback.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts frontgate and a browser")
	}
	bin := chromium(t)
	started := time.Now()
	fg := startFrontgate(t)

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Logf("frontgate and Chromium up in %s", time.Since(started).Round(time.Millisecond))

	t.Run("validation in the browser", func(t *testing.T) {
		b := newTab(t, browser, "validation")
		b.step("add to cart and open checkout",
			chromedp.Navigate(fg.Shop+"/"),
			chromedp.Click(css(`button.add[data-sku="KAFFE"]`)),
			chromedp.WaitVisible(css(`#added`)),
			chromedp.Navigate(fg.Shop+"/checkout"),
			chromedp.WaitVisible(css(`html[data-wasm="ready"]`)))
		var status, msg, orgMsg, loc string
		b.step("a bad e-mail is flagged next to its field before submitting",
			into(&status, chromedp.Text(css(`#wasm-status`))),
			chromedp.SendKeys(css(`#email`), "kari@"),
			waitText(`#email-error`, contains("e-mail"), &msg),
			into(&loc, chromedp.Location()))
		if !strings.Contains(status, "frontgate.wasm (ABI 1.") || !strings.HasSuffix(loc, "/checkout") {
			b.fail("check", fmt.Errorf("status %q at %s", status, loc))
		}
		if msg != "must be a valid e-mail address" {
			b.fail("check", fmt.Errorf("e-mail message %q", msg))
		}
		b.step("a corporate customer needs an organisation number of digits",
			chromedp.Click(css(`input[name="type"][value="corporate"]`)),
			chromedp.WaitVisible(css(`#organizationId`)),
			chromedp.SendKeys(css(`#organizationId`), "91234567x"),
			waitText(`#organizationId-error`, contains("digits"), &orgMsg))
		b.step("fixing the fields clears the messages",
			chromedp.Click(css(`button[data-fill="corporate"]`)),
			waitText(`#email-error`, equals(""), nil),
			waitText(`#organizationId-error`, equals(""), nil))
		b.step("submitting an invalid form is stopped in the browser",
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error { // the shopper empties the name
				_, err := chromedp.Evaluate[string](`document.getElementById("name").value = ""`)(ctx, t)
				return err
			}),
			chromedp.Click(css(`#pay`)),
			waitText(`#name-error`, contains("must not be empty"), nil),
			into(&loc, chromedp.Location()))
		if !strings.HasSuffix(loc, "/checkout") {
			b.fail("check", fmt.Errorf("the invalid form left the page: %s", loc))
		}
	})

	var orderID string
	t.Run("approve, capture and refund", func(t *testing.T) {
		b := newTab(t, browser, "approve")
		b.shopUntilPaymentPage(fg.Shop, "private", "ULL-SOKK", "BRUNOST", "KINO")
		b.payWith("4111 1111 1111 1111")
		var result, st string
		b.step("the success page shows the reservation",
			into(&result, attr(`#result`, "data-result")),
			into(&orderID, chromedp.Text(css(`#order-id`))),
			into(&st, chromedp.Text(css(`#order-status`))))
		if result != "success" || st != "RESERVED" {
			b.fail("check", fmt.Errorf("result %q status %q", result, st))
		}
		order := `#order-` + orderID
		b.step("the orders page shows it RESERVED",
			chromedp.Navigate(fg.Shop+"/admin/orders"),
			waitText(order+` [data-status]`, equals("RESERVED"), nil))
		var out string
		b.step("capture part of the first line",
			fg.settled(orderID),
			chromedp.SendKeys(css(order+` form.capture input.amount`), "100"),
			chromedp.Click(css(order+` button[data-op="capture-lines"]`)),
			waitText(order+` .outcome[data-outcome="capture"]`, contains("Captured kr 100,00 (CAP"), &out),
			waitText(order+` [data-status]`, equals("CAPTURED"), nil))
		b.step("refund part of the capture",
			fg.settled(orderID),
			chromedp.SendKeys(css(order+` form.refund input.amount`), "40,50"),
			chromedp.Click(css(order+` form.refund button[data-op="refund"]`)),
			waitText(order+` .outcome[data-outcome="refund"]`, contains("Refunded kr 40,50 from CAP"), &out),
			waitText(order+` form.refund p`, contains("refunded kr 40,50"), nil))
		b.step("a refund beyond the capture is refused plainly",
			fg.settled(orderID),
			chromedp.SendKeys(css(order+` form.refund input.amount`), "500"),
			chromedp.Click(css(order+` form.refund button[data-op="refund"]`)),
			waitText(order+` .outcome.bad[data-outcome="refund"]`, contains("Refused (409, refundRejection"), &out))
		t.Logf("refused refund shown as: %s", out)
		b.step("complete the reservation",
			fg.settled(orderID),
			chromedp.Click(css(order+` button[data-op="complete"]`)),
			waitText(order+` .outcome[data-outcome="complete"]`, contains("completed"), nil),
			waitText(order+` [data-status]`, equals("COMPLETED"), nil))
	})

	t.Run("decline", func(t *testing.T) {
		b := newTab(t, browser, "decline")
		b.shopUntilPaymentPage(fg.Shop, "corporate", "REGNJAKKE")
		b.payWith("4000 0000 0000 0002")
		var result, st, id string
		b.step("the failure page offers another card",
			into(&result, attr(`#result`, "data-result")),
			into(&st, chromedp.Text(css(`#order-status`))),
			into(&id, chromedp.Text(css(`#order-id`))),
			chromedp.WaitVisible(css(`#retry`)))
		if result != "failure" || st != "SENT" {
			b.fail("check", fmt.Errorf("result %q status %q", result, st))
		}
		b.step("the orders page shows the decline",
			chromedp.Navigate(fg.Shop+"/admin/orders"),
			waitText(`#order-`+id+` [data-status]`, equals("SENT"), nil),
			waitText(`#order-`+id+` .tag`, equals("card declined"), nil))
	})

	t.Run("shopper returns before the callback", func(t *testing.T) {
		// The callback is held back 4 s: the shopper's return must settle
		// the order on its own (the status history says it came from the
		// return), and the late callback change nothing.
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		if _, err := fg.Control.InjectCallbackFault(cctx, sandbox.CallbackFault{Kind: sandbox.CallbackDelay, Status: "RESERVED", Times: 1, Delay: 4 * time.Second}); err != nil {
			t.Fatal(err)
		}
		defer fg.Control.ClearCallbackFaults(context.Background())
		b := newTab(t, browser, "return-first")
		uuid := b.shopUntilPaymentPage(fg.Shop, "private", "BUSS-OSL-BGO")
		b.payWith("5555 5555 5555 4444")
		var st, id string
		b.step("the success page shows RESERVED at once",
			into(&st, chromedp.Text(css(`#order-status`))),
			into(&id, chromedp.Text(css(`#order-id`))))
		if st != "RESERVED" {
			b.fail("check", fmt.Errorf("status on return: %q", st))
		}
		rec := fg.waitCallback(t, uuid, "RESERVED", 10*time.Second)
		if !rec.Delivered || rec.Fault != sandbox.CallbackDelay {
			t.Fatalf("late callback: %+v", rec)
		}
		var events string
		b.step("the order stays RESERVED, learned once, from the return",
			chromedp.Navigate(fg.Shop+"/admin/orders"),
			waitText(`#order-`+id+` [data-status]`, equals("RESERVED"), nil),
			into(&events, chromedp.Text(css(`#order-`+id+` .events ol`))))
		if strings.Count(events, "RESERVED") != 1 || !strings.Contains(events, "return:success") {
			b.fail("check", fmt.Errorf("status history: %q", events))
		}
	})

	t.Run("shopper returns after the callback", func(t *testing.T) {
		// The shopper leaves FrontGo's page before paying; the payment is
		// made through the sandbox's control plane, the callback settles
		// the order, and only then does the shopper come back.
		b := newTab(t, browser, "callback-first")
		uuid := b.shopUntilPaymentPage(fg.Shop, "private", "FLATBROD")
		var id string
		for _, o := range regexp.MustCompile(`"id":"(FB-\d+)"`).FindAllStringSubmatch(fetch(t, fg.Shop+"/admin/orders/status"), -1) {
			id = o[1] // newest first: the first is ours
			break
		}
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		if _, err := fg.Control.Approve(cctx, uuid, sandbox.CardApprove); err != nil {
			t.Fatal(err)
		}
		if rec := fg.waitCallback(t, uuid, "RESERVED", 10*time.Second); !rec.Delivered {
			t.Fatalf("callback not delivered: %+v", rec)
		}
		fg.waitOrderStatus(t, id, "RESERVED", 5*time.Second)
		var st, gotID string
		b.step("back on FrontGo's page, the shopper returns to the shop",
			chromedp.Reload(),
			chromedp.Click(chromedp.Search(`//a[text()="Return to the shop"]`)),
			chromedp.WaitVisible(css(`#result[data-result="success"]`)),
			into(&st, chromedp.Text(css(`#order-status`))),
			into(&gotID, chromedp.Text(css(`#order-id`))))
		if st != "RESERVED" || gotID != id {
			b.fail("check", fmt.Errorf("order %s status %q, want %s RESERVED", gotID, st, id))
		}
		var events string
		b.step("the status was learned from the callback",
			chromedp.Navigate(fg.Shop+"/admin/orders"),
			into(&events, chromedp.Text(css(`#order-`+id+` .events ol`))))
		if strings.Count(events, "RESERVED") != 1 || !strings.Contains(events, "via callback") {
			b.fail("check", fmt.Errorf("status history: %q", events))
		}
	})
	t.Logf("browser test took %s", time.Since(started).Round(time.Millisecond))
}

func fetch(t *testing.T, u string) string {
	t.Helper()
	resp, body := newShopper(t).do("GET", u, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return body
}
