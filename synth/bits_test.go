package synth

import (
	"bytes"
	"hash/fnv"
	"testing"
)

// TestMakeBits: each task, drawn at seed 1 with small splits, writes the
// file it wrote on the machine the density study's data were made on, on
// every build (AVX2, purego, GOAMD64=v3): its examples, its model's
// parameters and its entropy, bit for bit. (The study's own files, drawn
// at full size, were checked the same way: cmp.) A change that moves
// these hashes changes every data set a seed names.
func TestMakeBits(t *testing.T) {
	want := map[string]uint64{
		"mix20":    0x9c26c4f1b318766b,
		"bn20":     0x7141b348fa650f65,
		"mrf10-20": 0x55745d139ce8739f,
		"mrf10x10": 0x918f59f5328380f7,
	}
	// Not bn5-10-15-20: its entropy's 2^35 terms take most of a minute
	// whatever the splits; it draws as bn20 does.
	for _, task := range []string{"mix20", "bn20", "mrf10-20", "mrf10x10"} {
		t.Run(task, func(t *testing.T) {
			d, err := Make(task, 1, Sizes{Train: 300, Valid: 50, Test: 50})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := d.WriteNpz(&buf); err != nil {
				t.Fatal(err)
			}
			h := fnv.New64a()
			h.Write(buf.Bytes())
			if got := h.Sum64(); got != want[task] {
				t.Errorf("hash of the file %#x, want %#x", got, want[task])
			}
		})
	}
}
