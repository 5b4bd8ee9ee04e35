package density

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
)

// Gzip costs a block of examples by what it adds to the compressed size
// of the training set: gzip(train + block) − gzip(train), at gzip's
// default level, each example packed eight units a byte (first unit in
// the high bit, the last byte padded with zeros). Blocks are BlockSize
// examples.
type Gzip struct {
	train []byte
	base  int // compressed size of the training set, bytes
}

// BlockSize is the examples of a block Gzip costs at once.
const BlockSize = 1000

func (g *Gzip) Fit(train, _ [][]uint8, _ *rand.Rand) error {
	g.train = text(train)
	g.base = gzipSize(g.train)
	return nil
}

func (g *Gzip) Cost(examples [][]uint8) float64 {
	var bits float64
	for lo := 0; lo < len(examples); lo += BlockSize {
		block := text(examples[lo:min(lo+BlockSize, len(examples))])
		bits += float64(8 * float64(gzipSize(append(g.train[:len(g.train):len(g.train)], block...))-g.base))
	}
	return bits / float64(len(examples))
}

// text packs examples eight units a byte.
func text(examples [][]uint8) []byte {
	var b []byte
	for _, x := range examples {
		for lo := 0; lo < len(x); lo += 8 {
			var c byte
			for i, v := range x[lo:min(lo+8, len(x))] {
				c |= v << (7 - i)
			}
			b = append(b, c)
		}
	}
	return b
}

func gzipSize(data []byte) int {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(data)
	z.Close()
	return b.Len()
}
