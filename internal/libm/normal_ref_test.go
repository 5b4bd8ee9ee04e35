//go:build amd64 && !amd64.v3 && !amd64.v4

package libm

import "golang.org/x/sys/cpu"

// stdlibNormal: math/rand/v2's NormFloat64 is built and runs as on the
// machine the docs were made on (amd64 without fused float32 arithmetic,
// its math.Exp taking the FMA path), so its draws are NormFloat64's.
var stdlibNormal = cpu.X86.HasFMA && cpu.X86.HasAVX
