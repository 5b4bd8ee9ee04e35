//go:build !amd64 || amd64.v3 || amd64.v4

package libm

// stdlibNormal: math/rand/v2's NormFloat64 fuses its wedge test in this
// build, so its draws are not compared.
const stdlibNormal = false
