package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"helmholtz/internal/arrays"
	"helmholtz/sweep"
	"helmholtz/train"
)

// fixture is a runs directory with a finished run (snapshots at 0, 2000
// and 4000), a sweep of two seeds, a corrupt run, a half-written run and
// symlinks out, made once for all tests.
var fixture struct {
	once sync.Once
	dir  string
	err  error
}

func runsDir(t *testing.T) string {
	t.Helper()
	fixture.once.Do(func() {
		dir, err := os.MkdirTemp("", "web-test")
		if err != nil {
			fixture.err = err
			return
		}
		fixture.dir, fixture.err = dir, makeRuns(dir)
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

func short(steps int) train.Config {
	c := train.Default()
	c.Steps, c.EvalEvery, c.SnapshotEvery = steps, 500, 2000
	return c
}

func makeRuns(dir string) error {
	r, err := train.Create(short(4000), filepath.Join(dir, "good"), false)
	if err != nil {
		return err
	}
	if err := r.Train(context.Background(), nil); err != nil {
		return err
	}
	r.Close()
	// A sweep of two seeds with its models.
	cfg := short(3000)
	cfg.SnapshotEvery = 0
	jobs := []sweep.Job{{Recipe: "stub", Config: cfg}, {Recipe: "stub", Config: cfg}}
	jobs[1].Config.Seed = 3
	sw := filepath.Join(dir, "sw")
	os.MkdirAll(sw, 0o755)
	res, err := sweep.Run(context.Background(), jobs, 2, sw, nil)
	if err != nil {
		return err
	}
	if _, err := sweep.WriteReport(sw, res, nil); err != nil {
		return err
	}
	// A shifter run of a 32-16-4 net, whose gap would take seconds.
	sh := short(2000)
	sh.Data, sh.Layers = "shifter", []int{32, 16, 4}
	if r, err = train.Create(sh, filepath.Join(dir, "shifter"), false); err != nil {
		return err
	}
	if err := r.Train(context.Background(), nil); err != nil {
		return err
	}
	r.Close()
	// Corrupt and half-written runs, a broken sweep, links out.
	os.MkdirAll(filepath.Join(dir, "corrupt"), 0o755)
	os.WriteFile(filepath.Join(dir, "corrupt", "config.json"), []byte(`{"data": 3`), 0o644)
	half := filepath.Join(dir, "half")
	os.MkdirAll(half, 0o755)
	cj, _ := os.ReadFile(filepath.Join(dir, "good", "config.json"))
	os.WriteFile(filepath.Join(half, "config.json"), cj, 0o644)
	h, _ := os.ReadFile(filepath.Join(dir, "good", "history.csv"))
	os.WriteFile(filepath.Join(half, "history.csv"), h[:len(h)/2], 0o644) // cut mid-row
	os.MkdirAll(filepath.Join(dir, "badsweep"), 0o755)
	os.WriteFile(filepath.Join(dir, "badsweep", "results.jsonl"), []byte("{not json\n"), 0o644)
	outside, err := os.MkdirTemp("", "web-outside")
	if err != nil {
		return err
	}
	os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("secret"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "linkout"))
	os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(dir, "good", "secret.csv"))
	return nil
}

func newServer(t *testing.T, dir string, opt Options) (*Server, *httptest.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(ctx, dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); cancel(); s.Wait() })
	return s, ts
}

func get(t *testing.T, ts *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPages: every page and endpoint answers with what it should show.
func TestPages(t *testing.T) {
	_, ts := newServer(t, runsDir(t), Options{})
	for _, c := range []struct {
		path string
		code int
		want []string
	}{
		{"/", 200, []string{`href="/run/good"`, "finished", "bars:4x4", "16-8-1", `href="/sweep/sw"`, "corrupt", "half", "<polyline"}},
		{"/run/good", 200, []string{`id="slider"`, `data-steps="0,2000,4000"`, `data-fig="fields"`, `data-fig="gap"`, "model.npz", "history.csv"}},
		{"/api/run/good", 200, []string{`"status":"finished"`, `"steps":[0,2000,4000]`, `"Step":4000`}},
		{"/api/run/good?since=8", 200, []string{`"since":8`}},
		{"/fig/fields/good?step=2000", 200, []string{"\x89PNG"}},
		{"/fig/fantasies/good?step=0", 200, []string{"\x89PNG"}},
		{"/fig/codes/good?step=4000", 200, []string{"\x89PNG"}},
		{"/fig/weights/good?step=4000", 200, []string{"\x89PNG"}},
		{"/fig/gap/good?step=4000", 200, []string{"\x89PNG"}},
		{"/api/units/good?step=4000", 200, []string{"bar units", "h1"}},
		{"/run/shifter", 200, []string{`data-fig="fields"`, `data-fig="codes"`}},
		{"/fig/fields/shifter?step=2000", 200, []string{"\x89PNG"}},
		{"/api/units/shifter?step=2000", 200, []string{"shift"}},
		{"/fig/gap/shifter?step=2000", 422, []string{"no gap figure here"}},
		{"/sweep/sw", 200, []string{`id="klplot"`, `href="/model/sw/models/stub/seed_3.npz"`, `<option>stub</option>`, `data-recipe="stub"`}},
		{"/model/sw/models/stub/seed_2.npz", 200, []string{`src="/fig/fields/sw/models/stub/seed_2.npz"`, `href="/sweep/sw"`, `id="hist"`}},
		{"/fig/fields/sw/models/stub/seed_2.npz", 200, []string{"\x89PNG"}},
		{"/files/good/model.npz", 200, []string{"PK"}},
		{"/files/good/history.csv", 200, []string{"step,samples"}},
		{"/static/app.js", 200, []string{"sortable"}},
		// Errors: each on its own page, the server unharmed.
		{"/run/corrupt", 422, []string{"config.json"}},
		{"/run/half", 422, []string{"history"}},
		{"/sweep/badsweep", 422, []string{"results.jsonl"}},
		{"/run/nothing", 404, []string{"no such file"}},
		{"/fig/fields/good?step=1000", 422, []string{"no snapshot at step 1000"}},
		{"/fig/fields/good?step=x", 422, []string{"want ?step=N"}},
		{"/fig/fields/good", 422, []string{"want ?step=N"}},
		{"/fig/nonsense/good?step=0", 404, []string{"no figure"}},
		{"/model/good/config.json", 404, []string{"not a model file"}},
		{"/files/good/.lock", 403, []string{"not a file a run"}},
		{"/files/good", 403, []string{"not a file a run"}},
		{"/files/good/snapshots", 403, []string{"not a file a run"}},
	} {
		code, body := get(t, ts, c.path)
		if code != c.code {
			t.Errorf("GET %s: status %d, want %d: %.300s", c.path, code, c.code, body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s lacks %q: %.300s", c.path, w, body)
			}
		}
	}
	if code, _ := get(t, ts, "/"); code != 200 {
		t.Error("the index fails after the bad requests")
	}
	if _, body := get(t, ts, "/run/shifter"); strings.Contains(body, `data-fig="gap"`) {
		t.Error("the page of a 32-16-4 net offers the gap figure, seconds per snapshot")
	}
}

// TestNoWayOut: no request reads a file outside the runs directory: not by
// "..", encoded or not, nor an absolute path, nor a symlink out.
func TestNoWayOut(t *testing.T) {
	_, ts := newServer(t, runsDir(t), Options{})
	for _, p := range []string{
		"/files/../../../etc/passwd", "/files/..%2f..%2f..%2fetc%2fpasswd", "/files/%2e%2e/%2e%2e/etc/passwd",
		"/files//etc/passwd", "/files/%2fetc%2fpasswd", "/files/good/..%2f..%2fx.csv",
		"/files/linkout/secret.csv", "/files/good/secret.csv", "/run/linkout", "/sweep/..%2f..",
		"/model/%2fetc%2fpasswd.npz", "/fig/fields/linkout?step=0", `/files/good\..\..\x.csv`,
	} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 || strings.Contains(string(b), "secret") || strings.Contains(string(b), "root:") {
			t.Errorf("GET %s: status %d, body %.100q", p, resp.StatusCode, b)
		}
	}
	// The index does not follow the link out either.
	if _, body := get(t, ts, "/"); strings.Contains(body, "linkout") {
		t.Error("the index lists a directory behind a symlink out")
	}
}

// parseFlags is the CLI's parsing in miniature, for the form: --seed,
// --n-steps, --lr and --snapshot-every.
func parseFlags(flags string) (train.Config, error) {
	c := train.Default()
	f := strings.Fields(flags)
	for i := 0; i < len(f); i += 2 {
		if i+1 >= len(f) {
			return c, fmt.Errorf("flag %s needs a value", f[i])
		}
		var err error
		switch f[i] {
		case "--seed":
			_, err = fmt.Sscan(f[i+1], &c.Seed)
		case "--n-steps":
			_, err = fmt.Sscan(f[i+1], &c.Steps)
		case "--lr":
			_, err = fmt.Sscan(f[i+1], &c.LR)
		case "--snapshot-every":
			_, err = fmt.Sscan(f[i+1], &c.SnapshotEvery)
		case "--data":
			c.Data = f[i+1]
		default:
			err = fmt.Errorf("flag provided but not defined: %s", f[i])
		}
		if err != nil {
			return c, err
		}
	}
	return c, c.Validate()
}

// TestStartForm: the form starts a run that trains to the end in the
// background and shows on the index; bad names, flags and values are
// refused with their error and start nothing; runs beyond MaxRuns wait.
func TestStartForm(t *testing.T) {
	dir := t.TempDir()
	s, ts := newServer(t, dir, Options{Parse: parseFlags, Recipes: []Recipe{{"slow", "--lr 0.05"}}})
	post := func(v url.Values) (int, string) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		v.Set("token", s.token)
		resp, err := c.PostForm(ts.URL+"/start", v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Location") + string(b)
	}
	code, loc := post(url.Values{"name": {"first"}, "recipe": {"slow"}, "seed": {"5"}, "n-steps": {"3000"}, "flags": {"--snapshot-every 1000"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/run/first") {
		t.Fatalf("start: %d %s", code, loc)
	}
	for _, v := range []url.Values{
		{"name": {"../up"}},
		{"name": {".hidden"}},
		{"name": {"a/b"}},
		{"name": {"first"}},                                    // taken
		{"name": {"x"}, "recipe": {"nonesuch"}},                // no such recipe
		{"name": {"x"}, "seed": {"-1"}},                        // not a number
		{"name": {"x"}, "n-steps": {"10 --lr 5"}},              // smuggled flags
		{"name": {"x"}, "flags": {"--lr NaN"}},                 // the CLI's validation
		{"name": {"x"}, "flags": {"--frobnicate 3"}},           // unknown flag
		{"name": {"x"}, "data": {"bars:99x99"}},                // refused data
		{"name": {"x"}, "flags": {strings.Repeat("a", 20000)}}, // too large a body
	} {
		if code, body := post(v); code < 400 || code >= 500 {
			t.Errorf("form %v: status %d %.200s", v, code, body)
		}
	}
	// A data file outside the runs directory, which the server would not
	// read to show the run: refused before anything else is checked.
	outside := filepath.Join(t.TempDir(), "d.npz")
	f, err := os.Create(outside)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]uint8{make([]uint8, 16), {1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1}} // as wide as the default net
	arrays.Write(f, []arrays.Named{{Name: "train", Array: arrays.Uint8s(rows)}, {Name: "valid", Array: arrays.Uint8s(rows)}, {Name: "test", Array: arrays.Uint8s(rows)}})
	f.Close()
	if code, body := post(url.Values{"name": {"x"}, "data": {"file:" + outside}}); code != http.StatusBadRequest ||
		!strings.Contains(body, "not a file under the runs directory") {
		t.Errorf("a form with data outside the runs directory: status %d %.1000s", code, body)
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a refused form left a run directory")
	}
	// MaxRuns 1: a second run while the first trains is refused (or the
	// first has finished already, and it starts).
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := get(t, ts, "/api/run/first")
		var d struct{ Status string }
		json.Unmarshal([]byte(body), &d)
		if d.Status == "finished" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run started from the form did not finish: %s", body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	p, err := train.Inspect(filepath.Join(dir, "first"))
	if err != nil || p.Config.Seed != 5 || p.Config.LR != 0.05 || p.Config.Steps != 3000 || len(p.Snapshots) != 4 {
		t.Fatalf("the form's run: %+v %v", p, err)
	}
	s.mu.Lock()
	s.active["busy"] = nil // a run training
	s.mu.Unlock()
	if code, body := post(url.Values{"name": {"second"}}); code != 400 || !strings.Contains(body, "training already") {
		t.Errorf("a run beyond --max-runs: %d %.200s", code, body)
	}
}

// TestLiveRun: a run training in this process shows as running, and its
// history and snapshots grow on the data endpoint as it goes.
func TestLiveRun(t *testing.T) {
	dir := t.TempDir()
	cfg := short(400000)
	cfg.EvalEvery, cfg.SnapshotEvery = 2000, 50000
	r, err := train.Create(cfg, filepath.Join(dir, "live"), false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen := make(chan int, 1000)
	done := make(chan error, 1)
	go func() {
		done <- r.Train(ctx, func(p train.Point) {
			select {
			case seen <- p.Step:
			default:
			}
		})
	}()
	_, ts := newServer(t, dir, Options{})
	var first, last runJSON
	for i := 0; ; i++ {
		_, body := get(t, ts, "/api/run/live")
		var d runJSON
		if err := json.Unmarshal([]byte(body), &d); err != nil {
			t.Fatal(err, body)
		}
		if i == 0 {
			first = d
		}
		last = d
		if len(d.Steps) >= 3 || d.Status != "running" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	r.Close()
	if first.Status != "running" {
		t.Errorf("a run training here shows as %q", first.Status)
	}
	if len(last.History) <= len(first.History) && last.Status == "running" {
		t.Errorf("the history did not grow: %d then %d rows", len(first.History), len(last.History))
	}
	if _, body := get(t, ts, "/api/run/live"); !strings.Contains(body, `"status":"interrupted"`) {
		t.Errorf("a run stopped with a checkpoint: %.200s", body)
	}
}

// TestTrustBoundary: what lies under --runs is untrusted, and so is any
// page the user visits. A run whose files are symlinks out of the runs
// directory shows nothing of them; a Host that is not this server's (DNS
// rebinding) is refused; a form posted from another site, or without the
// server's token, starts nothing; a sweep that has just started (empty
// results.jsonl) renders; a huge history is answered thinned.
func TestTrustBoundary(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	good := runsDir(t)
	secret := "SECRET-" + strings.Repeat("x", 10)
	os.WriteFile(filepath.Join(outside, "secret.csv"), []byte(secret), 0o644)
	// One run per file a run is made of, that file a link out.
	for _, name := range []string{"config.json", "history.csv", "model.npz", "snapshots"} {
		run := filepath.Join(dir, "via-"+strings.TrimSuffix(name, filepath.Ext(name)))
		copyTree(t, filepath.Join(good, "good"), run)
		os.RemoveAll(filepath.Join(run, name))
		target := filepath.Join(outside, name)
		if name == "snapshots" {
			copyTree(t, filepath.Join(good, "good", "snapshots"), target)
		} else {
			data, _ := os.ReadFile(filepath.Join(good, "good", name))
			os.WriteFile(target, data, 0o644)
		}
		if err := os.Symlink(target, filepath.Join(run, name)); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "fresh"), 0o755)
	os.WriteFile(filepath.Join(dir, "fresh", "results.jsonl"), nil, 0o644)
	// A run whose config names a data file outside the runs directory.
	cj, _ := os.ReadFile(filepath.Join(good, "good", "config.json"))
	os.MkdirAll(filepath.Join(dir, "via-data"), 0o755)
	os.WriteFile(filepath.Join(dir, "via-data", "config.json"),
		[]byte(strings.Replace(string(cj), `"bars:4x4"`, `"file:`+filepath.Join(outside, "secret.csv")+`"`, 1)), 0o644)
	s, ts := newServer(t, dir, Options{Parse: parseFlags, Hosts: []string{"Helmholtz.Example"}})

	for _, p := range []string{"/run/via-config", "/api/run/via-history", "/fig/fields/via-snapshots?step=2000",
		"/files/via-history/history.csv", "/files/via-model/model.npz",
		"/files/via-snapshots/snapshots/step_000002000.npz", "/model/via-model/model.npz"} {
		code, body := get(t, ts, p)
		if code == 200 || strings.Contains(body, "step,samples") || strings.Contains(body, "PK") {
			t.Errorf("GET %s: status %d: a file outside the runs directory was read: %.200s", p, code, body)
		}
	}
	if code, body := get(t, ts, "/"); code != 200 || strings.Contains(body, "SECRET") {
		t.Errorf("index: %d", code)
	}
	if code, body := get(t, ts, "/run/via-data"); code != 422 || !strings.Contains(body, "not a file under the runs directory") {
		t.Errorf("a run whose data file lies outside: %d %.300s", code, body)
	}
	// A sweep just started: its page renders, at once.
	done := make(chan struct{})
	go func() {
		defer close(done)
		if code, body := get(t, ts, "/sweep/fresh"); code != 200 || !strings.Contains(body, `id="klplot"`) {
			t.Errorf("an empty sweep: %d %.200s", code, body)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the page of an empty sweep does not answer")
	}

	// Hosts: IP addresses, localhost and the names given; nothing else.
	for host, want := range map[string]int{"127.0.0.1:80": 200, "localhost": 200, "[::1]:8080": 200, "helmholtz.example:8080": 200,
		"evil.example": 421, "evil.example:80": 421, "127.0.0.1.evil.example": 421} {
		req, _ := http.NewRequest("GET", ts.URL+"/", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, resp.StatusCode, want)
		}
	}
	// Forms: another site's, a forged one without the token: refused.
	form := func(origin, site, token string) int {
		v := url.Values{"name": {"r" + fmt.Sprint(time.Now().UnixNano())}, "n-steps": {"1000"}, "token": {token}}
		req, _ := http.NewRequest("POST", ts.URL+"/start", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct{ origin, site, token string }{
		{"http://evil.example", "cross-site", s.token},
		{"http://evil.example", "", s.token},
		{"null", "", s.token},
		{"", "cross-site", s.token},
		{ts.URL, "same-origin", ""},
		{ts.URL, "same-origin", "guess"},
	} {
		if code := form(c.origin, c.site, c.token); code != 403 {
			t.Errorf("POST /start from Origin %q, Sec-Fetch-Site %q, token %q: status %d, want 403", c.origin, c.site, c.token, code)
		}
	}
	if code := form(ts.URL, "same-origin", s.token); code != http.StatusSeeOther {
		t.Errorf("the server's own form: status %d", code)
	}
	if _, body := get(t, ts, "/"); !strings.Contains(body, `name="token" value="`+s.token+`"`) {
		t.Error("the index's form lacks the token")
	}
}

// TestSharedReads: concurrent requests for one key share one read.
func TestSharedReads(t *testing.T) {
	r := newReads()
	m := map[string]*call[int]{}
	var calls, wg sync.WaitGroup
	n := 0
	release := make(chan struct{})
	calls.Add(1)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, _ := share(&r, m, "k", func() (int, error) {
				n++
				calls.Done()
				<-release
				return 7, nil
			})
			if v != 7 {
				t.Errorf("got %d", v)
			}
		}()
	}
	calls.Wait()
	time.Sleep(50 * time.Millisecond) // let the others queue behind the first
	close(release)
	wg.Wait()
	if n != 1 {
		t.Errorf("8 concurrent reads of one key read it %d times", n)
	}
}

// TestThin: an answer holds at most maxPoints rows, the last one kept.
func TestThin(t *testing.T) {
	h := make([]train.Point, 12345)
	for i := range h {
		h[i].Step = i
	}
	got := thin(h, maxPoints)
	if len(got) != maxPoints || got[len(got)-1].Step != 12344 || got[0].Step < 1 {
		t.Errorf("thin: %d rows, first %d, last %d", len(got), got[0].Step, got[len(got)-1].Step)
	}
	if got := thin(h[:10], maxPoints); len(got) != 10 {
		t.Errorf("a short history is thinned to %d rows", len(got))
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEveryState: every page renders whatever state a run or sweep is in:
// just made, half-written, one result, corrupt. None answers 500 or hangs.
func TestEveryState(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(runsDir(t), "good")
	cfg, _ := os.ReadFile(filepath.Join(good, "config.json"))
	hist, _ := os.ReadFile(filepath.Join(good, "history.csv"))
	model, _ := os.ReadFile(filepath.Join(good, "model.npz"))
	res, _ := os.ReadFile(filepath.Join(runsDir(t), "sw", "results.jsonl"))
	first := strings.SplitAfter(string(res), "\n")[0]
	files := map[string]map[string]string{
		"run-config-only":    {"config.json": string(cfg)},
		"run-empty-history":  {"config.json": string(cfg), "history.csv": ""},
		"run-header-only":    {"config.json": string(cfg), "history.csv": strings.SplitAfter(string(hist), "\n")[0]},
		"run-empty-model":    {"config.json": string(cfg), "history.csv": string(hist), "model.npz": ""},
		"run-cut-model":      {"config.json": string(cfg), "history.csv": string(hist), "model.npz": string(model[:len(model)/2])},
		"run-empty-config":   {"config.json": ""},
		"run-empty-snapshot": {"config.json": string(cfg), "history.csv": string(hist), "snapshots/step_000002000.npz": ""},
		"sweep-empty":        {"results.jsonl": ""},
		"sweep-one":          {"results.jsonl": first},
		"sweep-half-line":    {"results.jsonl": first + first[:len(first)/2]},
		"sweep-blank-lines":  {"results.jsonl": "\n\n\n"},
	}
	for name, fs := range files {
		for f, text := range fs {
			p := filepath.Join(dir, name, filepath.FromSlash(f))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(text), 0o644)
		}
	}
	_, ts := newServer(t, dir, Options{})
	paths := []string{"/"}
	for name := range files {
		kind, _, _ := strings.Cut(name, "-")
		if kind == "run" {
			paths = append(paths, "/run/"+name, "/api/run/"+name, "/fig/fields/"+name+"?step=2000", "/fig/fields/"+name+"?step=4000", "/api/units/"+name+"?step=4000")
		} else {
			paths = append(paths, "/sweep/"+name, "/model/"+name+"/models/stub/seed_2.npz")
		}
	}
	for _, p := range paths {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if code, body := get(t, ts, p); code >= 500 {
				t.Errorf("GET %s: status %d: %.200s", p, code, body)
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("GET %s does not answer", p)
		}
	}
}

// TestNoHintonForLargeNets: the page of a run of a large net (an MNIST
// net's 784×200 first matrix) does not offer the weights figure, which
// would be an image 29,000 pixels wide; a 16-8-1 run's does.
func TestNoHintonForLargeNets(t *testing.T) {
	small, large := train.Default(), train.Default()
	large.Layers = []int{784, 200, 200}
	if !slices.Contains(figureNames(small), "weights") || slices.Contains(figureNames(large), "weights") {
		t.Errorf("figures of 16-8-1: %v; of 784-200-200: %v", figureNames(small), figureNames(large))
	}
}

// TestDotPlotHeldOut: a sweep on a data set with splits plots each run's
// final validation cost on a linear scale, without the KL's target line.
func TestDotPlotHeldOut(t *testing.T) {
	var rows []resultRow
	for i, v := range []float64{70, 72.5, 75} {
		rows = append(rows, resultRow{Recipe: "r", Seed: uint64(i + 1), KL: 50, Valid: v})
	}
	svg := string(dotPlot(rows, []string{"r"}, true))
	if !strings.Contains(svg, `aria-label="final validation cost per run"`) || strings.Count(svg, "<circle") != 3 ||
		strings.Contains(svg, `class="target"`) || !strings.Contains(svg, `class="tick">72</text>`) {
		t.Errorf("held-out dot plot:\n%s", svg)
	}
	var ys []float64
	for _, part := range strings.Split(svg, `cy="`)[1:] {
		var y float64
		fmt.Sscanf(part, "%f", &y)
		ys = append(ys, y)
	}
	if len(ys) != 3 || !(ys[0] > ys[1] && ys[1] > ys[2]) || math.Abs((ys[0]-ys[1])-(ys[1]-ys[2])) > 0.2 {
		t.Errorf("dots at y %v for costs 70, 72.5, 75: want evenly spaced, highest cost on top", ys)
	}
}
