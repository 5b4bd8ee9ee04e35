package helmholtz

import "testing"

func benchSig(b *testing.B, w int) {
	n := 256
	d, bias, xt := make([]float64, n*w), make([]float64, n*w), make([]float64, n*w)
	for i := range bias {
		bias[i] = float64(i%97)/10 - 4.8
	}
	for b.Loop() {
		laneDeltas(w, d, bias, nil, nil, nil, xt, n, 0.1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*w), "ns/lane")
}
func BenchmarkSig4(b *testing.B)  { benchSig(b, 4) }
func BenchmarkSig8(b *testing.B)  { benchSig(b, 8) }
func BenchmarkSig16(b *testing.B) { benchSig(b, 16) }
