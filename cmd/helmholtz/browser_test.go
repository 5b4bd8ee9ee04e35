package main

import (
	"context"
	"flag"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"helmholtz/web"
)

var screenshots = flag.String("screenshots", "", "directory to save the browser test's screenshots of the explorer's pages into (docs/serve)")

// browser returns Chromium's path, skipping the test where there is none
// unless HELMHOLTZ_BROWSER=1 (set by .ci/run, which installs it) says it
// must run.
func browser(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HELMHOLTZ_BROWSER") == "1" {
		t.Fatal("no Chromium to run the browser test (apt-get install chromium)")
	}
	t.Skip("no Chromium: the browser test runs in CI, which installs it")
	return ""
}

// TestBrowser drives the explorer in headless Chromium: the index, a run
// of 41 snapshots whose slider redraws the fields figure, a sweep, and a
// short run started from the form whose KL appears on its page as it
// trains, with no JavaScript error on any page.
func TestBrowser(t *testing.T) {
	chrome := browser(t)
	dir := t.TempDir()
	// The canonical run with its 41 snapshots, and a small sweep.
	if _, stderr, code := cli(t, dir, "train", "--out", "runs/canonical", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	for _, args := range [][]string{
		{"--algo", "rws", "--samples", "5", "--n-steps", "200000", "--out", "runs/rws-k5"},
		{"--algo", "rbm", "--layers", "16,8", "--lr", "0.001", "--momentum", "0.5", "--decay", "0.001", "--init-scale", "0.01", "--n-steps", "400000", "--out", "runs/rbm-cd1"},
	} {
		if _, stderr, code := cli(t, dir, append([]string{"train", "--quiet"}, args...)...); code != 0 {
			t.Fatal(stderr)
		}
	}
	// A run on a data set with splits, whose curves are its training and
	// validation costs; the server reads its data file only under --runs.
	mix := filepath.Join(dir, "runs", "data", "mix.npz")
	for _, args := range [][]string{
		{"data", "make", "mix20", "--seed", "2", "--train", "300", "--valid", "100", "--test", "100", "--out", mix},
		{"train", "--quiet", "--data", "file:" + mix, "--layers", "100,6", "--n-steps", "3000", "--eval-every", "300", "--out", "runs/heldout"},
	} {
		if _, stderr, code := cli(t, dir, args...); code != 0 {
			t.Fatal(stderr)
		}
	}
	os.WriteFile(filepath.Join(dir, "recipes.txt"), []byte("stub:\nslow: --lr 0.05\n"), 0o644)
	if _, stderr, code := cli(t, dir, "sweep", "--seeds", "1-8", "--n-steps", "200000", "--recipes", "recipes.txt", "--out", "runs/sweep", "--quiet"); code != 0 {
		t.Fatal(stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := web.New(ctx, filepath.Join(dir, "runs"), web.Options{Parse: parseTrainFlags, Recipes: formRecipes(), MaxRuns: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	defer srv.Wait()
	defer cancel()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	var mu sync.Mutex
	var jsErrors []string
	go func() {
		for m, err := range chromedp.Console(bctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				jsErrors = append(jsErrors, m.String())
				mu.Unlock()
			}
		}
	}()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(tctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	value := func(what, js string) string {
		t.Helper()
		tctx, cancel := context.WithTimeout(bctx, 60*time.Second)
		defer cancel()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			if *screenshots == "" {
				return chromedp.Void{}, nil
			}
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(*screenshots, name), png, 0o644)
		}
	}
	wait := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(20*time.Millisecond))
	}
	// loaded waits until every figure on the page has loaded.
	loaded := wait(`Array.from(document.querySelectorAll(".figs img")).every(i => i.complete && i.naturalWidth > 0)`)

	do("index", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#runs")), shot("index.png"))
	// The held-out run's row gives its last validation cost.
	hist, _ := os.ReadFile(filepath.Join(dir, "runs", "heldout", "history.csv"))
	rows := strings.Split(strings.TrimSpace(string(hist)), "\n")
	fields := strings.Split(rows[len(rows)-1], ",")
	valid, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
	if text := value("index", `document.getElementById("runs").textContent`); !strings.Contains(text, "canonical") || !strings.Contains(text, "finished") ||
		!(valid > 0) || !strings.Contains(text, strconv.FormatFloat(valid, 'f', 3, 64)) {
		t.Errorf("index: %q", text)
	}

	start := time.Now()
	do("run page", chromedp.Click(chromedp.CSS(`a[href="/run/canonical"]`)), chromedp.WaitVisible(chromedp.CSS("#slider")), loaded)
	opened := time.Since(start)
	figHash := `(async () => { const b = new Uint8Array(await (await fetch(document.querySelector('img[data-fig="fields"]').src)).arrayBuffer());
		let h = 0; for (const x of b) h = (h * 31 + x) % 1000000007; return String(h); })()`
	do("curves", wait(`document.querySelector("#curve polyline.kl") !== null`), shot("run.png"))
	if n := len(strings.Split(value("steps", `document.getElementById("slider").dataset.steps`), ",")); n != 41 {
		t.Errorf("the canonical run's slider has %d steps, want 41", n)
	}
	hash1 := value("fields at the end", figHash)
	start = time.Now()
	do("move the slider", chromedp.SetValue(chromedp.CSS("#slider"), "1"),
		wait(`document.getElementById("slider").dispatchEvent(new Event("input"))`),
		wait(`document.querySelector('img[data-fig="fields"]').src.endsWith("step=50000")`), loaded)
	moved := time.Since(start)
	if hash2 := value("fields at step 50000", figHash); hash1 == hash2 {
		t.Error("moving the slider did not change the fields figure")
	}
	do("units", wait(`document.getElementById("units").textContent.includes("bar units")`))
	// Once the server has rendered every snapshot's figures (in the
	// background, from the page's first visit), the slider finds them
	// ready.
	do("prerendered", chromedp.Poll[chromedp.Void](`fetch("/api/run/canonical").then(r => r.json()).then(d => d.rendered === 41)`,
		chromedp.WithPollingInterval(100*time.Millisecond)))
	start = time.Now()
	do("move the slider again", chromedp.SetValue(chromedp.CSS("#slider"), "20"),
		wait(`document.getElementById("slider").dispatchEvent(new Event("input"))`),
		wait(`document.querySelector('img[data-fig="fields"]').src.endsWith("step=1000000")`), loaded)
	cached := time.Since(start)
	t.Logf("run page with 41 snapshots opened in %v; the slider redrew in %v at a step not yet rendered, in %v once rendered", opened, moved, cached)

	do("held-out run", chromedp.Navigate(ts.URL+"/run/heldout"), chromedp.WaitVisible(chromedp.CSS("#curves")),
		wait(`document.querySelector("#curve polyline.valid") !== null && document.getElementById("latest").textContent !== ""`),
		loaded, shot("heldout.png"))
	if latest, n := value("held-out latest", `document.getElementById("latest").textContent`),
		value("held-out points", `String(document.querySelector("#curve polyline.valid").points.length)`); !strings.Contains(latest, "valid") || strings.Contains(latest, "KL") || n != "11" {
		t.Errorf("the held-out run's page shows %q and %s validation points, want 11", latest, n)
	}

	do("sweep page", chromedp.Navigate(ts.URL+"/sweep/sweep"), chromedp.WaitVisible(chromedp.CSS("#klplot")), shot("sweep.png"))
	if n := value("dots", `String(document.querySelectorAll("#klplot circle").length)`); n != "16" {
		t.Errorf("the sweep's plot has %s dots, want 16", n)
	}
	do("filter", chromedp.SetValue(chromedp.CSS("#filter"), "slow"),
		wait(`document.getElementById("filter").dispatchEvent(new Event("change"))`))
	if n := value("rows", `String(Array.from(document.querySelectorAll("#results tbody tr")).filter(r => !r.hidden).length)`); n != "8" {
		t.Errorf("filtered to one recipe, %s rows show, want 8", n)
	}
	do("a dot's model", chromedp.Click(chromedp.CSS("#klplot a")), chromedp.WaitVisible(chromedp.CSS(".figs")), loaded)

	do("start from the form", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#start")),
		chromedp.SetValue(chromedp.CSS(`#start input[name="name"]`), "from-the-form"),
		chromedp.SetValue(chromedp.CSS(`#start input[name="n-steps"]`), "3000000"),
		chromedp.SetValue(chromedp.CSS(`#start input[name="flags"]`), "--snapshot-every 100000"),
		chromedp.Submit(chromedp.CSS("#start")), chromedp.WaitVisible(chromedp.CSS("#curves")),
		chromedp.Poll[chromedp.Void](`document.getElementById("latest").textContent.includes("KL")`, chromedp.WithPollingTimeout(30*time.Second)))
	if latest := value("latest", `document.getElementById("latest").textContent`); !strings.Contains(latest, "bits") {
		t.Errorf("the form's run shows %q", latest)
	}
	time.Sleep(100 * time.Millisecond) // let the last console messages arrive
	mu.Lock()
	defer mu.Unlock()
	if len(jsErrors) > 0 {
		t.Errorf("JavaScript errors: %q", jsErrors)
	}
}
