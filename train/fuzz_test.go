package train

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadSnapshot feeds arbitrary bytes, seeded with a real snapshot and
// pieces of it, to ReadSnapshot: it must return a machine or an error,
// never panic, and whatever it accepts must write back and read again
// to the same machine.
func FuzzReadSnapshot(f *testing.F) {
	dir := f.TempDir()
	r, err := New(small(100))
	if err != nil {
		f.Fatal(err)
	}
	good := filepath.Join(dir, "good.npz")
	if err := WriteSnapshot(good, r.State()); err != nil {
		f.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(data[:100])
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "m.npz")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := ReadSnapshot(path)
		if err != nil {
			return
		}
		again := filepath.Join(t.TempDir(), "again.npz")
		if err := WriteSnapshot(again, s); err != nil {
			t.Fatal(err)
		}
		s2, err := ReadSnapshot(again)
		if err != nil || !s2.Machine.Equal(s.Machine) || s2.Step != s.Step {
			t.Fatalf("accepted snapshot does not round-trip: %v", err)
		}
	})
}

func FuzzReadHistory(f *testing.F) {
	f.Add([]byte("step,samples,kl_bits,nll_bits\n0,0,8.1,11.5\n2000,2000,1.5,4.9\n"))
	f.Add([]byte("step,samples\n1,2\n"))
	f.Add([]byte("step,samples,kl_bits,nll_bits\n0,0,x,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHistory(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := WriteHistory(&b, h); err != nil {
			t.Fatal(err)
		}
		h2, err := ReadHistory(&b)
		if err != nil || len(h2) != len(h) {
			t.Fatalf("accepted history does not round-trip: %v", err)
		}
	})
}

// TestSnapshotStreamSize: 40 snapshots of the 16-8-1 net stay under 1 MiB.
func TestSnapshotStreamSize(t *testing.T) {
	dir := t.TempDir()
	c := small(40 * 500)
	c.SnapshotEvery = 500
	trained(t, c, dir)
	var total int64
	files, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*.npz"))
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if len(files) != 41 || total*40/41 >= 1<<20 {
		t.Errorf("%d snapshots take %d bytes; want 41 (steps 0..20000) and 40 of them under 1 MiB", len(files), total)
	}
}
