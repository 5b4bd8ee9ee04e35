package train

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"helmholtz"
)

// recipeSmall is the recommended recipe at a small scale: schedule,
// decay, the non-negative clamp, the hidden cap, restarts with halving and
// re-initialisation.
func recipeSmall(steps int) Config {
	c := small(steps)
	cap := -1.2
	c.Schedule, c.ScheduleEnd, c.Decay, c.NonNegative, c.HiddenCap, c.HiddenBias = "linear", 0.2, 1e-5, true, &cap, -2
	c.Restarts, c.RestartSteps, c.SelectSamples, c.Halving, c.Reinit = 6, 1000, 500, true, 4000
	return c
}

// TestTrainGroup: runs trained together in lanes, four and three of them,
// end exactly as each trained alone one chain at a time, restart
// candidates included (weights, stream, history, files, errors), for the
// stub's recipe, the recommended one (with 6 and with 9 candidates:
// groups of four, three in lanes and the rest alone), a shifter and runs
// that diverge.
func TestTrainGroup(t *testing.T) {
	diverging := small(6000)
	diverging.LR = 4
	shifter := small(6000)
	shifter.Data, shifter.Layers = "shifter", []int{32, 6, 2}
	for name, cfg := range map[string]Config{
		"stub":   small(12000),
		"recipe": recipeSmall(16000),
		"diverging-restarts": func() Config {
			c := small(20000)
			c.LR, c.Restarts, c.RestartSteps, c.SelectSamples = 1e7, 5, 2000, 300
			return c
		}(),
		"recipe-9":  func() Config { c := recipeSmall(40000); c.Restarts = 9; return c }(),
		"diverging": diverging,
		"shifter":   shifter,
	} {
		// A full group (sixteen lanes with AVX-512), a part group in
		// eight lanes (where there are) and the smallest, in four.
		for _, n := range slices.Compact([]int{cfg.LaneWidth(), min(cfg.LaneWidth(), 5), minLanes}) {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) { testTrainGroup(t, name, cfg, n) })
		}
	}
}

func testTrainGroup(t *testing.T, name string, cfg Config, n int) {
	var alone, together []*Run
	var errAlone []error
	dir := t.TempDir()
	useLanes = false // the reference: every chain, restart candidates too, one at a time
	for k := range n {
		c := cfg
		c.Seed = uint64(3 + k)
		a := start(t, c, filepath.Join(dir, fmt.Sprintf("alone%d", k)))
		errAlone = append(errAlone, a.Train(context.Background(), nil))
		a.Close()
		alone = append(alone, a)
		b := start(t, c, filepath.Join(dir, fmt.Sprintf("together%d", k)))
		together = append(together, b)
	}
	useLanes = true
	if !groupable(together) {
		t.Fatal("the runs do not form a group")
	}
	errs := TrainGroup(context.Background(), together, nil)
	for k := range n {
		together[k].Close()
		a, b := alone[k], together[k]
		if fmt.Sprint(errs[k]) != fmt.Sprint(errAlone[k]) {
			t.Fatalf("seed %d: error %v together, %v alone", a.Config.Seed, errs[k], errAlone[k])
		}
		if !b.Machine.Equal(a.Machine) || *b.src != *a.src || b.Step != a.Step ||
			!slices.EqualFunc(b.History, a.History, Point.Equal) {
			t.Fatalf("seed %d: the run trained in lanes differs from the run alone", a.Config.Seed)
		}
		for _, f := range []string{"model.npz", "history.csv", SnapshotPath("", 5000)} {
			x, errX := os.ReadFile(filepath.Join(dir, fmt.Sprintf("alone%d", k), f))
			y, errY := os.ReadFile(filepath.Join(dir, fmt.Sprintf("together%d", k), f))
			if (errX == nil) != (errY == nil) || !bytes.Equal(x, y) {
				t.Fatalf("seed %d: %s differs (%v, %v)", a.Config.Seed, f, errX, errY)
			}
		}
	}
	if strings.HasPrefix(name, "diverging") && errAlone[0] == nil || name == "diverging-restarts" && !strings.Contains(fmt.Sprint(errAlone[0]), "restart candidate") {
		t.Error("the diverging config does not diverge")
	}
}

// TestGroupSize: the groups that groupSize makes of r chains add up to r,
// none wider than the lanes, split where the lanes' costs say so; and a
// config's lanes are at most eight wide for more than 16 visible units.
func TestGroupSize(t *testing.T) {
	split := func(r, w int) string {
		var gs []int
		for r > 0 {
			g := groupSize(r, w)
			if g < 1 || g > r || g > w {
				t.Fatalf("groupSize(%d, %d) = %d", r, w, g)
			}
			gs, r = append(gs, g), r-g
		}
		return fmt.Sprint(gs)
	}
	for w, want := range map[int]map[int]string{
		16: {1: "[1]", 2: "[2]", 5: "[4 1]", 6: "[6]", 12: "[8 4]", 13: "[13]", 40: "[16 16 8]", 128: "[16 16 16 16 16 16 16 16]"},
		8:  {5: "[4 1]", 6: "[6]", 12: "[8 4]", 13: "[8 4 1]", 40: "[8 8 8 8 8]"},
		4:  {1: "[1]", 2: "[2]", 5: "[4 1]", 6: "[4 2]", 12: "[4 4 4]", 13: "[4 4 4 1]"},
	} {
		for r, gs := range want {
			if got := split(r, w); got != gs {
				t.Errorf("%d chains in lanes of %d: groups %s, want %s", r, w, got, gs)
			}
		}
		for r := 1; r <= 100; r++ {
			split(r, w)
		}
	}
}

func TestConfigLaneWidth(t *testing.T) {
	c := Default()
	if got, want := c.LaneWidth(), helmholtz.LaneWidth(); got != want {
		t.Errorf("16-8-1: %d lanes, want %d", got, want)
	}
	c.Data, c.Layers = "bars:8x8", []int{64, 16, 1}
	if got, want := c.LaneWidth(), min(helmholtz.LaneWidth(), 8); got != want {
		t.Errorf("64-16-1: %d lanes, want %d", got, want)
	}
}
