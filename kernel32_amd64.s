//go:build !purego

#include "textflag.h"

// The float32 kernels of kernel32.go in 512-bit registers, sixteen
// float32 to a register: each element is made by the same operations in
// the same order as the Go loops, each rounded to float32, so the same
// bits. A block of fewer than sixteen columns is masked: masked-off lanes
// are neither read (AVX-512 suppresses their faults) nor written.

DATA e32<>+0(SB)/4, $0xc2ae0000   // −87
DATA e32<>+4(SB)/4, $0x42b00000   // 88
DATA e32<>+8(SB)/4, $0x3fb8aa3b   // log2 e
DATA e32<>+12(SB)/4, $0x3f318000  // 0.693359375, ln 2's first part
DATA e32<>+16(SB)/4, $0xb95e8083  // −2.12194440e-4, its second
DATA e32<>+20(SB)/4, $0x39506967  // e^r's coefficients, r^5 first
DATA e32<>+24(SB)/4, $0x3ab743ce
DATA e32<>+28(SB)/4, $0x3c088908
DATA e32<>+32(SB)/4, $0x3d2aa9c1
DATA e32<>+36(SB)/4, $0x3e2aaaaa
DATA e32<>+40(SB)/4, $0x3f000000
DATA e32<>+44(SB)/4, $0x3f800000  // 1
DATA e32<>+48(SB)/4, $0x3fb504f3  // 1.41421356
DATA e32<>+52(SB)/4, $0x3f000000  // 0.5
DATA e32<>+56(SB)/4, $0xbf000000  // −0.5
DATA e32<>+60(SB)/4, $0x3d9021bb  // log's coefficients, f^8 first
DATA e32<>+64(SB)/4, $0xbdebd1b8
DATA e32<>+68(SB)/4, $0x3def251a
DATA e32<>+72(SB)/4, $0xbdfe5d4f
DATA e32<>+76(SB)/4, $0x3e11e9bf
DATA e32<>+80(SB)/4, $0xbe2aae50
DATA e32<>+84(SB)/4, $0x3e4cceac
DATA e32<>+88(SB)/4, $0xbe7ffffc
DATA e32<>+92(SB)/4, $0x3eaaaaaa
DATA e32<>+96(SB)/4, $0x4b800000  // 2^24
DATA e32<>+100(SB)/4, $0x80000000 // the sign bit
DATA e32<>+104(SB)/4, $16         // 16, as an integer
GLOBL e32<>(SB), RODATA|NOPTR, $108

DATA iota32<>+0(SB)/4, $0
DATA iota32<>+4(SB)/4, $1
DATA iota32<>+8(SB)/4, $2
DATA iota32<>+12(SB)/4, $3
DATA iota32<>+16(SB)/4, $4
DATA iota32<>+20(SB)/4, $5
DATA iota32<>+24(SB)/4, $6
DATA iota32<>+28(SB)/4, $7
DATA iota32<>+32(SB)/4, $8
DATA iota32<>+36(SB)/4, $9
DATA iota32<>+40(SB)/4, $10
DATA iota32<>+44(SB)/4, $11
DATA iota32<>+48(SB)/4, $12
DATA iota32<>+52(SB)/4, $13
DATA iota32<>+56(SB)/4, $14
DATA iota32<>+60(SB)/4, $15
GLOBL iota32<>(SB), RODATA|NOPTR, $64

// EXP32 is exp32 of ZT (clobbered) into ZR. Clobbers Z20, Z21.
#define EXP32(ZT, ZR) \
	VMAXPS.BCST  e32<>+0(SB), ZT, ZT; \
	VMINPS.BCST  e32<>+4(SB), ZT, ZT; \
	VMULPS.BCST  e32<>+8(SB), ZT, Z20; \
	VRNDSCALEPS  $0, Z20, Z20; \
	VMULPS.BCST  e32<>+12(SB), Z20, Z21; \
	VSUBPS       Z21, ZT, ZR; \
	VMULPS.BCST  e32<>+16(SB), Z20, Z21; \
	VSUBPS       Z21, ZR, ZR; \
	VBROADCASTSS e32<>+20(SB), Z21; \
	VMULPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+24(SB), Z21, Z21; \
	VMULPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+28(SB), Z21, Z21; \
	VMULPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+32(SB), Z21, Z21; \
	VMULPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+36(SB), Z21, Z21; \
	VMULPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+40(SB), Z21, Z21; \
	VMULPS       ZR, ZR, ZT; \
	VMULPS       ZT, Z21, Z21; \
	VADDPS       ZR, Z21, Z21; \
	VADDPS.BCST  e32<>+44(SB), Z21, Z21; \
	VCVTTPS2DQ   Z20, Z20; \
	VPSLLD       $23, Z20, Z20; \
	VPADDD       Z20, Z21, ZR

// SIG32 is sigmoid32 of ZX into ZR: 1/(1 + e^−x). Clobbers Z20–Z23.
#define SIG32(ZX, ZR) \
	VXORPS.BCST  e32<>+100(SB), ZX, Z22; \
	EXP32(Z22, Z23); \
	VADDPS.BCST  e32<>+44(SB), Z23, Z23; \
	VBROADCASTSS e32<>+44(SB), ZR; \
	VDIVPS       Z23, ZR, ZR

// LOGSIG32 is logSigmoid32 of ZX into ZR: min(x, 0) − log1p32(e^−|x|).
// Clobbers Z20–Z27, K5 and K6.
#define LOGSIG32(ZX, ZR) \
	VORPS.BCST   e32<>+100(SB), ZX, Z22; \
	EXP32(Z22, Z23); \
	VADDPS.BCST  e32<>+44(SB), Z23, Z24; \
	VCMPPS.BCST  $0x00, e32<>+44(SB), Z24, K5; \
	VCMPPS.BCST  $0x1E, e32<>+48(SB), Z24, K6; \
	VMOVAPS      Z24, Z25; \
	VMULPS.BCST  e32<>+52(SB), Z24, K6, Z25; \
	VPXORD       Z26, Z26, Z26; \
	VADDPS.BCST  e32<>+44(SB), Z26, K6, Z26; \
	VSUBPS.BCST  e32<>+44(SB), Z25, Z25; \
	VMULPS       Z25, Z25, Z27; \
	VBROADCASTSS e32<>+60(SB), Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+64(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+68(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+72(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+76(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+80(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+84(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+88(SB), Z21, Z21; \
	VMULPS       Z25, Z21, Z21; \
	VADDPS.BCST  e32<>+92(SB), Z21, Z21; \
	VMULPS       Z27, Z25, Z20; \
	VMULPS       Z21, Z20, Z20; \
	VMULPS.BCST  e32<>+16(SB), Z26, Z21; \
	VADDPS       Z21, Z20, Z20; \
	VMULPS.BCST  e32<>+56(SB), Z27, Z21; \
	VADDPS       Z21, Z20, Z20; \
	VADDPS       Z20, Z25, Z20; \
	VMULPS.BCST  e32<>+12(SB), Z26, Z21; \
	VADDPS       Z21, Z20, Z20; \
	VMULPS       Z23, Z20, Z20; \
	VSUBPS.BCST  e32<>+44(SB), Z24, Z24; \
	VDIVPS       Z24, Z20, Z20; \
	VMOVAPS      Z23, K5, Z20; \
	VPXORD       Z21, Z21, Z21; \
	VMINPS       ZX, Z21, Z21; \
	VSUBPS       Z20, Z21, ZR

// func sample32AVX512(a *float32, r *uint64, x *float32, act *int32, n, c int) int
//
// sample32Go for units [0, n): unit k is on when the top 24 bits of its
// half of r[k/2] (high for even k), as a float32, are less than
// σ(a[k])·2^24; x[k] becomes 1 or 0 and the units switched on are
// appended to act[:c] (VPCOMPRESSD). It returns the new count. The last
// block of fewer than 16 units is masked.
TEXT ·sample32AVX512(SB), NOSPLIT, $0-56
	MOVQ         a+0(FP), SI
	MOVQ         r+8(FP), DX
	MOVQ         x+16(FP), DI
	MOVQ         act+24(FP), R8
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), R9
	VBROADCASTSS e32<>+96(SB), Z30  // 2^24
	VBROADCASTSS e32<>+44(SB), Z31  // 1
	VMOVDQU32    iota32<>(SB), Z17  // the block's unit indices
	VPBROADCASTD e32<>+104(SB), Z16 // 16
	XORQ         BX, BX

s32loop:
	MOVQ        CX, AX
	SUBQ        BX, AX
	JLE         s32done
	CMPQ        AX, $16
	JLT         s32tail
	VMOVUPS     (SI)(BX*4), Z0
	SIG32(Z0, Z1)
	VMULPS      Z30, Z1, Z1
	VMOVDQU32   (DX)(BX*4), Z2
	VPSHUFD     $0xB1, Z2, Z2
	VPSRLD      $8, Z2, Z2
	VCVTDQ2PS   Z2, Z2
	VCMPPS      $0x11, Z1, Z2, K1 // u < σ·2^24
	VMOVAPS.Z   Z31, K1, Z3
	VMOVUPS     Z3, (DI)(BX*4)
	VPCOMPRESSD Z17, K1, (R8)(R9*4)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	ADDQ        AX, R9
	VPADDD      Z16, Z17, Z17
	ADDQ        $16, BX
	JMP         s32loop

s32tail: // AX < 16 units: K3 masks them, K4 the words they draw from
	MOVQ        AX, CX
	MOVL        $1, R11
	SHLL        CX, R11
	DECL        R11
	KMOVW       R11, K3
	INCQ        CX
	ANDQ        $-2, CX
	MOVL        $1, R11
	SHLL        CX, R11
	DECL        R11
	KMOVW       R11, K4
	VMOVUPS.Z   (SI)(BX*4), K3, Z0
	SIG32(Z0, Z1)
	VMULPS      Z30, Z1, Z1
	VMOVDQU32.Z (DX)(BX*4), K4, Z2
	VPSHUFD     $0xB1, Z2, Z2
	VPSRLD      $8, Z2, Z2
	VCVTDQ2PS   Z2, Z2
	VCMPPS      $0x11, Z1, Z2, K3, K1
	VMOVAPS.Z   Z31, K1, Z3
	VMOVUPS     Z3, K3, (DI)(BX*4)
	VPCOMPRESSD Z17, K1, (R8)(R9*4)
	KMOVW       K1, AX
	POPCNTL     AX, AX
	ADDQ        AX, R9

s32done:
	MOVQ R9, ret+48(FP)
	VZEROUPPER
	RET

// func deltas32AVX512(d, a, x *float32, n int, eps float32)
//
// deltas32Go for units [0, n): d = eps·(x − σ(a)); the last block of
// fewer than 16 units masked.
TEXT ·deltas32AVX512(SB), NOSPLIT, $0-36
	MOVQ         d+0(FP), DI
	MOVQ         a+8(FP), SI
	MOVQ         x+16(FP), DX
	MOVQ         n+24(FP), CX
	VBROADCASTSS eps+32(FP), Z30
	XORQ         BX, BX

d32loop:
	MOVQ    CX, AX
	SUBQ    BX, AX
	JLE     d32done
	CMPQ    AX, $16
	JLT     d32tail
	VMOVUPS (SI)(BX*4), Z0
	SIG32(Z0, Z1)
	VMOVUPS (DX)(BX*4), Z2
	VSUBPS  Z1, Z2, Z2
	VMULPS  Z30, Z2, Z2
	VMOVUPS Z2, (DI)(BX*4)
	ADDQ    $16, BX
	JMP     d32loop

d32tail:
	MOVQ      AX, CX
	MOVL      $1, R11
	SHLL      CX, R11
	DECL      R11
	KMOVW     R11, K3
	VMOVUPS.Z (SI)(BX*4), K3, Z0
	SIG32(Z0, Z1)
	VMOVUPS.Z (DX)(BX*4), K3, Z2
	VSUBPS    Z1, Z2, Z2
	VMULPS    Z30, Z2, Z2
	VMOVUPS   Z2, K3, (DI)(BX*4)

d32done:
	VZEROUPPER
	RET

// func logProb32AVX512(a, x *float32, n int, p *[16]float32)
//
// The sixteen partial sums of stateLogProb32Go into p: term i, log σ of
// a[i] or, where x[i] = 0, of −a[i], added to lane i mod 16; the last
// block's lanes beyond n masked.
TEXT ·logProb32AVX512(SB), NOSPLIT, $0-32
	MOVQ         a+0(FP), SI
	MOVQ         x+8(FP), DX
	MOVQ         n+16(FP), R11
	VPXORD       Z28, Z28, Z28      // 0
	VBROADCASTSS e32<>+100(SB), Z30 // the sign bit
	VPXORD       Z31, Z31, Z31      // the partial sums
	XORQ         BX, BX

lp32loop:
	MOVQ      R11, CX
	SUBQ      BX, CX
	JLE       lp32done
	MOVQ      $0xffff, R8
	CMPQ      CX, $16
	JGE       lp32full
	MOVQ      $1, R8
	SHLQ      CX, R8 // the first CX lanes
	DECQ      R8

lp32full:
	KMOVW     R8, K1
	VMOVUPS.Z (SI)(BX*4), K1, Z0
	VMOVUPS.Z (DX)(BX*4), K1, Z2
	VCMPPS    $0x00, Z28, Z2, K2 // x = 0
	VXORPS    Z30, Z0, K2, Z0    // −a there
	LOGSIG32(Z0, Z1)
	VADDPS    Z1, Z31, K1, Z31
	ADDQ      $16, BX
	JMP       lp32loop

lp32done:
	MOVQ    p+24(FP), DI
	VMOVUPS Z31, (DI)
	VZEROUPPER
	RET

// func adam32AVX512(p, grad, h, m, v *float32, n int, c *adamConsts32)
//
// adam32Go for elements [0, n), n a multiple of 16; h may be nil. It
// clears g and h.
TEXT ·adam32AVX512(SB), NOSPLIT, $0-56
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         h+16(FP), DX
	MOVQ         m+24(FP), R8
	MOVQ         v+32(FP), R9
	MOVQ         n+40(FP), CX
	MOVQ         c+48(FP), AX
	VBROADCASTSS 0(AX), Z24  // β1
	VBROADCASTSS 4(AX), Z25  // 1 − β1
	VBROADCASTSS 8(AX), Z26  // β2
	VBROADCASTSS 12(AX), Z27 // 1 − β2
	VBROADCASTSS 16(AX), Z28 // 1 − β2^t
	VBROADCASTSS 20(AX), Z29 // rate/(1 − β1^t)
	VBROADCASTSS 24(AX), Z30 // ε
	VBROADCASTSS 28(AX), Z31 // the gradients' scale
	VPXORD       Z23, Z23, Z23 // 0, to clear g and h
	XORQ         BX, BX

a32loop:
	CMPQ    BX, CX
	JGE     a32done
	VMOVUPS (SI)(BX*4), Z0 // x = g (+ h), times the scale
	VMOVUPS Z23, (SI)(BX*4)
	TESTQ   DX, DX
	JEQ     a32noh
	VADDPS  (DX)(BX*4), Z0, Z0
	VMOVUPS Z23, (DX)(BX*4)

a32noh:
	VMULPS  Z31, Z0, Z0
	VMULPS  (R8)(BX*4), Z24, Z1 // m = β1·m + (1−β1)·x
	VMULPS  Z25, Z0, Z2
	VADDPS  Z2, Z1, Z1
	VMOVUPS Z1, (R8)(BX*4)
	VMULPS  (R9)(BX*4), Z26, Z3 // v = β2·v + ((1−β2)·x)·x
	VMULPS  Z27, Z0, Z4
	VMULPS  Z0, Z4, Z4
	VADDPS  Z4, Z3, Z3
	VMOVUPS Z3, (R9)(BX*4)
	VDIVPS  Z28, Z3, Z3 // p += (step·m)/(√(v/c2) + ε)
	VSQRTPS Z3, Z3
	VADDPS  Z30, Z3, Z3
	VMULPS  Z29, Z1, Z1
	VDIVPS  Z3, Z1, Z1
	VADDPS  (DI)(BX*4), Z1, Z1
	VMOVUPS Z1, (DI)(BX*4)
	ADDQ    $16, BX
	JMP     a32loop

a32done:
	VZEROUPPER
	RET

// func addRows32x128AVX512(d, rows *float32, idx *int32, n, stride int)
//
// Adds to d[0:128] the rows rows[i·stride : +128] of the n units i of idx,
// in order: eight registers of sums, eight chains of additions.
TEXT ·addRows32x128AVX512(SB), NOSPLIT, $0-40
	MOVQ    d+0(FP), DI
	MOVQ    rows+8(FP), SI
	MOVQ    idx+16(FP), DX
	MOVQ    n+24(FP), CX
	MOVQ    stride+32(FP), R10
	SHLQ    $2, R10
	VMOVUPS 0(DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	VMOVUPS 256(DI), Z4
	VMOVUPS 320(DI), Z5
	VMOVUPS 384(DI), Z6
	VMOVUPS 448(DI), Z7
	XORQ    BX, BX

r128loop:
	CMPQ    BX, CX
	JGE     r128done
	MOVLQSX (DX)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	VADDPS  0(AX), Z0, Z0
	VADDPS  64(AX), Z1, Z1
	VADDPS  128(AX), Z2, Z2
	VADDPS  192(AX), Z3, Z3
	VADDPS  256(AX), Z4, Z4
	VADDPS  320(AX), Z5, Z5
	VADDPS  384(AX), Z6, Z6
	VADDPS  448(AX), Z7, Z7
	INCQ    BX
	JMP     r128loop

r128done:
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VZEROUPPER
	RET

// func addRows32x64AVX512(d, rows *float32, idx *int32, n, stride int, mask uint64)
//
// addRows32x128AVX512 for the columns of d[0:64] whose bits are set in
// mask (sixteen bits a register).
TEXT ·addRows32x64AVX512(SB), NOSPLIT, $0-48
	MOVQ      d+0(FP), DI
	MOVQ      rows+8(FP), SI
	MOVQ      idx+16(FP), DX
	MOVQ      n+24(FP), CX
	MOVQ      stride+32(FP), R10
	SHLQ      $2, R10
	MOVQ      mask+40(FP), AX
	KMOVW     AX, K1
	SHRQ      $16, AX
	KMOVW     AX, K2
	SHRQ      $16, AX
	KMOVW     AX, K3
	SHRQ      $16, AX
	KMOVW     AX, K4
	VMOVUPS.Z 0(DI), K1, Z0
	VMOVUPS.Z 64(DI), K2, Z1
	VMOVUPS.Z 128(DI), K3, Z2
	VMOVUPS.Z 192(DI), K4, Z3
	XORQ      BX, BX

r64loop:
	CMPQ    BX, CX
	JGE     r64done
	MOVLQSX (DX)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	VADDPS  0(AX), Z0, K1, Z0
	VADDPS  64(AX), Z1, K2, Z1
	VADDPS  128(AX), Z2, K3, Z2
	VADDPS  192(AX), Z3, K4, Z3
	INCQ    BX
	JMP     r64loop

r64done:
	VMOVUPS Z0, K1, 0(DI)
	VMOVUPS Z1, K2, 64(DI)
	VMOVUPS Z2, K3, 128(DI)
	VMOVUPS Z3, K4, 192(DI)
	VZEROUPPER
	RET

// G32TAIL adds an output's rows from BX to its count, two registers,
// the columns of K1 and K2.
#define G32TAIL(idx, nlen, out, ZA, ZB, label, done) \
	MOVQ      nlen, DX; \
	MOVQ      CX, BX; \
label: \
	CMPQ      BX, DX; \
	JGE       done; \
	MOVLQSX   (idx)(BX*4), AX; \
	IMULQ     R10, AX; \
	ADDQ      SI, AX; \
	VADDPS    0(AX), ZA, K1, ZA; \
	VADDPS    64(AX), ZB, K2, ZB; \
	INCQ      BX; \
	JMP       label; \
done: \
	MOVQ      out, DI; \
	VMOVUPS   ZA, K1, 0(DI); \
	VMOVUPS   ZB, K2, 64(DI)

// G32TAILF is G32TAIL for a whole block of 32 columns, without masks.
#define G32TAILF(idx, nlen, out, ZA, ZB, label, done) \
	MOVQ      nlen, DX; \
	MOVQ      CX, BX; \
label: \
	CMPQ      BX, DX; \
	JGE       done; \
	MOVLQSX   (idx)(BX*4), AX; \
	IMULQ     R10, AX; \
	ADDQ      SI, AX; \
	VADDPS    0(AX), ZA, ZA; \
	VADDPS    64(AX), ZB, ZB; \
	INCQ      BX; \
	JMP       label; \
done: \
	MOVQ      out, DI; \
	VMOVUPS   ZA, 0(DI); \
	VMOVUPS   ZB, 64(DI)

// func gather32AVX512(out, src *float32, idx *int32, n, stride int, mask uint32)
//
// Adds to the columns of out[0:32] whose bits are set in mask the rows
// src[i·stride : +32] of the n units i of idx, in order. A full block
// (every layer's but its last) goes without masks: masked loads and
// stores made an MNIST step 15 % slower.
TEXT ·gather32AVX512(SB), NOSPLIT, $0-44
	CMPL      mask+40(FP), $-1
	JEQ       g1full
	MOVQ      out+0(FP), R8
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), R9
	MOVQ      stride+32(FP), R10
	SHLQ      $2, R10
	MOVL      mask+40(FP), AX
	KMOVW     AX, K1
	SHRL      $16, AX
	KMOVW     AX, K2
	VMOVUPS.Z 0(R8), K1, Z0
	VMOVUPS.Z 64(R8), K2, Z1
	XORQ      CX, CX
	G32TAIL(R9, n+24(FP), R8, Z0, Z1, g1loop, g1done)
	VZEROUPPER
	RET

g1full:
	MOVQ      out+0(FP), R8
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), R9
	MOVQ      stride+32(FP), R10
	SHLQ      $2, R10
	VMOVUPS   0(R8), Z0
	VMOVUPS   64(R8), Z1
	XORQ      CX, CX
	G32TAILF(R9, n+24(FP), R8, Z0, Z1, g1floop, g1fdone)
	VZEROUPPER
	RET

// func gather32x4AVX512(out *[4]*float32, src *float32, idx *[4]*int32, n *[4]int, stride int, mask uint32)
//
// gather32AVX512 for four outputs at once, their rows interleaved while
// all four have some, so that eight chains of additions are in flight;
// then each output's remaining rows. Each column is summed in its list's
// order.
TEXT ·gather32x4AVX512(SB), NOSPLIT, $0-44
	CMPL      mask+40(FP), $-1
	JEQ       g4full
	MOVL      mask+40(FP), AX
	KMOVW     AX, K1
	SHRL      $16, AX
	KMOVW     AX, K2
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), DX
	MOVQ      0(DX), R8
	MOVQ      8(DX), R9
	MOVQ      16(DX), R11
	MOVQ      24(DX), R12
	MOVQ      stride+32(FP), R10
	SHLQ      $2, R10
	MOVQ      out+0(FP), DI
	MOVQ      0(DI), AX
	VMOVUPS.Z 0(AX), K1, Z0
	VMOVUPS.Z 64(AX), K2, Z1
	MOVQ      8(DI), AX
	VMOVUPS.Z 0(AX), K1, Z2
	VMOVUPS.Z 64(AX), K2, Z3
	MOVQ      16(DI), AX
	VMOVUPS.Z 0(AX), K1, Z4
	VMOVUPS.Z 64(AX), K2, Z5
	MOVQ      24(DI), AX
	VMOVUPS.Z 0(AX), K1, Z6
	VMOVUPS.Z 64(AX), K2, Z7
	MOVQ      n+24(FP), DX
	MOVQ      0(DX), CX
	MOVQ      8(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX
	MOVQ      16(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX
	MOVQ      24(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX // CX = the shortest list's length
	XORQ      BX, BX

g4all:
	CMPQ      BX, CX
	JGE       g4tails
	MOVLQSX   (R8)(BX*4), AX
	IMULQ     R10, AX
	ADDQ      SI, AX
	MOVLQSX   (R9)(BX*4), R13
	IMULQ     R10, R13
	ADDQ      SI, R13
	MOVLQSX   (R11)(BX*4), R14
	IMULQ     R10, R14
	ADDQ      SI, R14
	MOVLQSX   (R12)(BX*4), R15
	IMULQ     R10, R15
	ADDQ      SI, R15
	VADDPS    0(AX), Z0, K1, Z0
	VADDPS    64(AX), Z1, K2, Z1
	VADDPS    0(R13), Z2, K1, Z2
	VADDPS    64(R13), Z3, K2, Z3
	VADDPS    0(R14), Z4, K1, Z4
	VADDPS    64(R14), Z5, K2, Z5
	VADDPS    0(R15), Z6, K1, Z6
	VADDPS    64(R15), Z7, K2, Z7
	INCQ      BX
	JMP       g4all

g4tails:
	MOVQ      n+24(FP), R13
	MOVQ      out+0(FP), R14
	G32TAIL(R8, 0(R13), 0(R14), Z0, Z1, g4t1, g4d1)
	G32TAIL(R9, 8(R13), 8(R14), Z2, Z3, g4t2, g4d2)
	G32TAIL(R11, 16(R13), 16(R14), Z4, Z5, g4t3, g4d3)
	G32TAIL(R12, 24(R13), 24(R14), Z6, Z7, g4t4, g4d4)
	VZEROUPPER
	RET

g4full:
	MOVQ      src+8(FP), SI
	MOVQ      idx+16(FP), DX
	MOVQ      0(DX), R8
	MOVQ      8(DX), R9
	MOVQ      16(DX), R11
	MOVQ      24(DX), R12
	MOVQ      stride+32(FP), R10
	SHLQ      $2, R10
	MOVQ      out+0(FP), DI
	MOVQ      0(DI), AX
	VMOVUPS   0(AX), Z0
	VMOVUPS   64(AX), Z1
	MOVQ      8(DI), AX
	VMOVUPS   0(AX), Z2
	VMOVUPS   64(AX), Z3
	MOVQ      16(DI), AX
	VMOVUPS   0(AX), Z4
	VMOVUPS   64(AX), Z5
	MOVQ      24(DI), AX
	VMOVUPS   0(AX), Z6
	VMOVUPS   64(AX), Z7
	MOVQ      n+24(FP), DX
	MOVQ      0(DX), CX
	MOVQ      8(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX
	MOVQ      16(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX
	MOVQ      24(DX), AX
	CMPQ      AX, CX
	CMOVQLT   AX, CX // CX = the shortest list's length
	XORQ      BX, BX

g4fall:
	CMPQ      BX, CX
	JGE       g4ftails
	MOVLQSX   (R8)(BX*4), AX
	IMULQ     R10, AX
	ADDQ      SI, AX
	MOVLQSX   (R9)(BX*4), R13
	IMULQ     R10, R13
	ADDQ      SI, R13
	MOVLQSX   (R11)(BX*4), R14
	IMULQ     R10, R14
	ADDQ      SI, R14
	MOVLQSX   (R12)(BX*4), R15
	IMULQ     R10, R15
	ADDQ      SI, R15
	VADDPS    0(AX), Z0, Z0
	VADDPS    64(AX), Z1, Z1
	VADDPS    0(R13), Z2, Z2
	VADDPS    64(R13), Z3, Z3
	VADDPS    0(R14), Z4, Z4
	VADDPS    64(R14), Z5, Z5
	VADDPS    0(R15), Z6, Z6
	VADDPS    64(R15), Z7, Z7
	INCQ      BX
	JMP       g4fall

g4ftails:
	MOVQ      n+24(FP), R13
	MOVQ      out+0(FP), R14
	G32TAILF(R8, 0(R13), 0(R14), Z0, Z1, g4ft1, g4fd1)
	G32TAILF(R9, 8(R13), 8(R14), Z2, Z3, g4ft2, g4fd2)
	G32TAILF(R11, 16(R13), 16(R14), Z4, Z5, g4ft3, g4fd3)
	G32TAILF(R12, 24(R13), 24(R14), Z6, Z7, g4ft4, g4fd4)
	VZEROUPPER
	RET
