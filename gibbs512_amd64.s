//go:build !purego

#include "textflag.h"

// The Gibbs sweep's flip kernel (gibbsFlipGo in gibbs.go) eight children
// a 512-bit register: the same operations in the same order, so the same
// bits. The last block of fewer than eight children is masked: its
// masked-off lanes are neither read nor written, and leave the lanes'
// sums and products as they are.

DATA gibbs64<>+0(SB)/8, $0x8000000000000000 // the sign bit
DATA gibbs64<>+8(SB)/8, $0x3ff0000000000000 // 1
GLOBL gibbs64<>(SB), RODATA|NOPTR, $16

// func gibbsFlipAVX512(sm, pr *[8]float64, c, w, xc, e, en, f, h, e1, en1 *float64, n int, on bool)
//
// For child i < n, in lane i mod 8: y = c + w, or c + (−w) = c − w where
// the unit is on, negated where the child is off (xc = 0); sm adds
// min(y, 0); e1 = e·f and en1 = en·h are stored; pr multiplies by
// 1 + min(e1, en1). min is Go's: MINPD gives b unless a < b, so
// min(y, 0) takes y as b (y where it is NaN or ±0), and min(e1, en1),
// where a NaN must win, puts e1 + en1 where either is NaN (±0 there
// matter not: 1 + ±0 is 1).
TEXT ·gibbsFlipAVX512(SB), NOSPLIT, $0-97
	MOVQ         c+16(FP), SI
	MOVQ         w+24(FP), DI
	MOVQ         xc+32(FP), DX
	MOVQ         e+40(FP), R8
	MOVQ         en+48(FP), R9
	MOVQ         f+56(FP), R10
	MOVQ         h+64(FP), R11
	MOVQ         e1+72(FP), R12
	MOVQ         en1+80(FP), R13
	VPXORD       Z28, Z28, Z28         // 0
	VBROADCASTSD gibbs64<>+0(SB), Z30  // the sign bit
	VBROADCASTSD gibbs64<>+8(SB), Z27  // 1
	VPXORD       Z29, Z29, Z29         // what flips w's sign: the sign bit if on
	MOVBQZX      on+96(FP), CX
	TESTQ        CX, CX
	JZ           gfstart
	VMOVAPD      Z30, Z29

gfstart:
	MOVQ    sm+0(FP), CX
	VMOVUPD (CX), Z31
	MOVQ    pr+8(FP), CX
	VMOVUPD (CX), Z26
	XORQ    BX, BX

gfloop:
	MOVQ n+88(FP), CX
	SUBQ BX, CX
	JLE  gfdone
	CMPQ CX, $8
	JGE  gffull
	MOVQ  $1, AX
	SHLQ  CX, AX // the first CX lanes
	DECQ  AX
	KMOVB AX, K1
	JMP  gfbody

gffull:
	KXNORB K1, K1, K1

gfbody:
	VMOVUPD.Z (SI)(BX*8), K1, Z0
	VMOVUPD.Z (DI)(BX*8), K1, Z1
	VXORPD    Z29, Z1, Z1        // −w if on
	VADDPD    Z1, Z0, Z0         // c ± w
	VMOVUPD.Z (DX)(BX*8), K1, Z2
	VCMPPD    $0x00, Z28, Z2, K2 // the child off
	VXORPD    Z30, Z0, K2, Z0    // negated there
	VMINPD    Z0, Z28, Z0        // min(y, 0): 0 < y ? 0 : y
	VADDPD    Z0, Z31, K1, Z31
	VMOVUPD.Z (R8)(BX*8), K1, Z3
	VMULPD    (R10)(BX*8), Z3, K1, Z3 // e·f
	VMOVUPD.Z (R9)(BX*8), K1, Z4
	VMULPD    (R11)(BX*8), Z4, K1, Z4 // en·h
	VMOVUPD   Z3, K1, (R12)(BX*8)
	VMOVUPD   Z4, K1, (R13)(BX*8)
	VMINPD    Z4, Z3, Z5              // min(e1, en1)
	VCMPPD    $0x03, Z4, Z3, K3       // either NaN
	VADDPD    Z4, Z3, K3, Z5          // a NaN there
	VADDPD    Z27, Z5, Z5             // 1 + it
	VMULPD    Z5, Z26, K1, Z26
	ADDQ      $8, BX
	JMP       gfloop

gfdone:
	MOVQ    sm+0(FP), CX
	VMOVUPD Z31, (CX)
	MOVQ    pr+8(FP), CX
	VMOVUPD Z26, (CX)
	VZEROUPPER
	RET
