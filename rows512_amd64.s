//go:build !purego

#include "textflag.h"

// The row sums and Adam's update of kernel_amd64.s in 512-bit registers:
// each element is made by the same operations in the same order, so the
// same bits.

// func gather16x2AVX512(out1, out2, src *float64, idx1 *int32, n1 int, idx2 *int32, n2, stride int)
//
// gather16x2AVX2 with each output's sixteen sums in two registers.
TEXT ·gather16x2AVX512(SB), NOSPLIT, $0-64
	MOVQ    out1+0(FP), DI
	MOVQ    out2+8(FP), DX
	MOVQ    src+16(FP), SI
	MOVQ    idx1+24(FP), R8
	MOVQ    n1+32(FP), R9
	MOVQ    idx2+40(FP), R11
	MOVQ    n2+48(FP), R12
	MOVQ    stride+56(FP), R10
	SHLQ    $3, R10
	VMOVUPD 0(DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD 0(DX), Z2
	VMOVUPD 64(DX), Z3
	MOVQ    R9, CX
	CMPQ    R12, CX
	CMOVQLT R12, CX   // CX = min(n1, n2)
	XORQ    BX, BX

z2both:
	CMPQ    BX, CX
	JGE     z2rest1
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	MOVLQSX (R11)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    SI, R13
	VADDPD  0(AX), Z0, Z0
	VADDPD  64(AX), Z1, Z1
	VADDPD  0(R13), Z2, Z2
	VADDPD  64(R13), Z3, Z3
	INCQ    BX
	JMP     z2both

z2rest1: // the first output's remaining rows
	MOVQ BX, CX

z2loop1:
	CMPQ    CX, R9
	JGE     z2rest2
	MOVLQSX (R8)(CX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	VADDPD  0(AX), Z0, Z0
	VADDPD  64(AX), Z1, Z1
	INCQ    CX
	JMP     z2loop1

z2rest2: // the second's
	CMPQ    BX, R12
	JGE     z2done
	MOVLQSX (R11)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    SI, R13
	VADDPD  0(R13), Z2, Z2
	VADDPD  64(R13), Z3, Z3
	INCQ    BX
	JMP     z2rest2

z2done:
	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 0(DX)
	VMOVUPD Z3, 64(DX)
	VZEROUPPER
	RET

// func addActiveRowsAVX512(d, rows *float64, active *int32, nact, n, k int)
//
// addActiveRowsAVX2 eight columns at a time (the last four, if k is not a
// multiple of eight, in a 256-bit register): four rows at a time, each
// column chunk of d loaded, the rows added in their order, stored.
TEXT ·addActiveRowsAVX512(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DI
	MOVQ rows+8(FP), DX
	MOVQ active+16(FP), R8
	MOVQ nact+24(FP), R9
	MOVQ n+32(FP), R10
	MOVQ k+40(FP), R11
	SHLQ $3, R10 // row stride in bytes
	MOVQ R11, R14
	ANDQ $-8, R14 // the columns done eight at a time
	XORQ BX, BX   // active units done

zgroup:
	MOVQ    R9, AX
	SUBQ    BX, AX
	CMPQ    AX, $4
	JLT     zsingle
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    DX, AX
	MOVLQSX 4(R8)(BX*4), CX
	IMULQ   R10, CX
	ADDQ    DX, CX
	MOVLQSX 8(R8)(BX*4), R12
	IMULQ   R10, R12
	ADDQ    DX, R12
	MOVLQSX 12(R8)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    DX, R13
	XORQ    SI, SI

zgroupcols:
	CMPQ    SI, R14
	JGE     zgrouptail
	VMOVUPD (DI)(SI*8), Z0
	VADDPD  (AX)(SI*8), Z0, Z0
	VADDPD  (CX)(SI*8), Z0, Z0
	VADDPD  (R12)(SI*8), Z0, Z0
	VADDPD  (R13)(SI*8), Z0, Z0
	VMOVUPD Z0, (DI)(SI*8)
	ADDQ    $8, SI
	JMP     zgroupcols

zgrouptail:
	CMPQ    SI, R11
	JGE     zgroupnext
	VMOVUPD (DI)(SI*8), Y0
	VADDPD  (AX)(SI*8), Y0, Y0
	VADDPD  (CX)(SI*8), Y0, Y0
	VADDPD  (R12)(SI*8), Y0, Y0
	VADDPD  (R13)(SI*8), Y0, Y0
	VMOVUPD Y0, (DI)(SI*8)

zgroupnext:
	ADDQ $4, BX
	JMP  zgroup

zsingle:
	CMPQ    BX, R9
	JGE     zdone
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    DX, AX
	XORQ    SI, SI

zsinglecols:
	CMPQ    SI, R14
	JGE     zsingletail
	VMOVUPD (DI)(SI*8), Z0
	VADDPD  (AX)(SI*8), Z0, Z0
	VMOVUPD Z0, (DI)(SI*8)
	ADDQ    $8, SI
	JMP     zsinglecols

zsingletail:
	CMPQ    SI, R11
	JGE     zsinglenext
	VMOVUPD (DI)(SI*8), Y0
	VADDPD  (AX)(SI*8), Y0, Y0
	VMOVUPD Y0, (DI)(SI*8)

zsinglenext:
	INCQ BX
	JMP  zsingle

zdone:
	VZEROUPPER
	RET

// ZTAIL adds to the sixteen sums in ZA and ZB the rows of idx from BX up to
// the list's length, then stores them to out; it clobbers AX, BX, DX, DI.
#define ZTAIL(idx, nlen, out, ZA, ZB, label, done) \
	MOVQ    nlen, DX; \
	MOVQ    CX, BX; \
label: \
	CMPQ    BX, DX; \
	JGE     done; \
	MOVLQSX (idx)(BX*4), AX; \
	IMULQ   R10, AX; \
	ADDQ    SI, AX; \
	VADDPD  0(AX), ZA, ZA; \
	VADDPD  64(AX), ZB, ZB; \
	INCQ    BX; \
	JMP     label; \
done: \
	MOVQ    out, DI; \
	VMOVUPD ZA, 0(DI); \
	VMOVUPD ZB, 64(DI)

// func gather16x4AVX512(out *[4]*float64, src *float64, idx *[4]*int32, n *[4]int, stride int)
//
// gather16AVX2 for four outputs at once, each's sixteen sums in two
// registers, their rows interleaved while all four have some, so that
// eight chains of additions are in flight; then each output's remaining
// rows. Each element is summed in its list's order: the same bits.
TEXT ·gather16x4AVX512(SB), NOSPLIT, $0-40
	MOVQ    out+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    idx+16(FP), DX
	MOVQ    0(DX), R8
	MOVQ    8(DX), R9
	MOVQ    16(DX), R11
	MOVQ    24(DX), R12
	MOVQ    stride+32(FP), R10
	SHLQ    $3, R10
	MOVQ    0(DI), AX
	VMOVUPD 0(AX), Z0
	VMOVUPD 64(AX), Z1
	MOVQ    8(DI), AX
	VMOVUPD 0(AX), Z2
	VMOVUPD 64(AX), Z3
	MOVQ    16(DI), AX
	VMOVUPD 0(AX), Z4
	VMOVUPD 64(AX), Z5
	MOVQ    24(DI), AX
	VMOVUPD 0(AX), Z6
	VMOVUPD 64(AX), Z7
	MOVQ    n+24(FP), DX
	MOVQ    0(DX), CX
	MOVQ    8(DX), AX
	CMPQ    AX, CX
	CMOVQLT AX, CX
	MOVQ    16(DX), AX
	CMPQ    AX, CX
	CMOVQLT AX, CX
	MOVQ    24(DX), AX
	CMPQ    AX, CX
	CMOVQLT AX, CX // CX = the shortest list's length
	XORQ    BX, BX

z4all:
	CMPQ    BX, CX
	JGE     z4tails
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	MOVLQSX (R9)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    SI, R13
	MOVLQSX (R11)(BX*4), R14
	IMULQ   R10, R14
	ADDQ    SI, R14
	MOVLQSX (R12)(BX*4), R15
	IMULQ   R10, R15
	ADDQ    SI, R15
	VADDPD  0(AX), Z0, Z0
	VADDPD  64(AX), Z1, Z1
	VADDPD  0(R13), Z2, Z2
	VADDPD  64(R13), Z3, Z3
	VADDPD  0(R14), Z4, Z4
	VADDPD  64(R14), Z5, Z5
	VADDPD  0(R15), Z6, Z6
	VADDPD  64(R15), Z7, Z7
	INCQ    BX
	JMP     z4all

z4tails:
	MOVQ  n+24(FP), R13
	MOVQ  out+0(FP), R14
	ZTAIL(R8, 0(R13), 0(R14), Z0, Z1, z4t1, z4d1)
	ZTAIL(R9, 8(R13), 8(R14), Z2, Z3, z4t2, z4d2)
	ZTAIL(R11, 16(R13), 16(R14), Z4, Z5, z4t3, z4d3)
	ZTAIL(R12, 24(R13), 24(R14), Z6, Z7, z4t4, z4d4)
	VZEROUPPER
	RET

// func adamAVX512(p, grad, m, v *float64, n int, c *adamConsts)
//
// adamAVX2 eight elements at a time, n a multiple of 8: the same
// operations in the same order, each exactly rounded, so the same bits.
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSD 0(AX), Z8   // β1
	VBROADCASTSD 8(AX), Z9   // 1 − β1
	VBROADCASTSD 16(AX), Z10 // β2
	VBROADCASTSD 24(AX), Z11 // 1 − β2
	VBROADCASTSD 32(AX), Z12 // 1 − β2^t
	VBROADCASTSD 40(AX), Z13 // rate/(1 − β1^t)
	VBROADCASTSD 48(AX), Z14 // ε
	XORQ         BX, BX

zadamloop:
	CMPQ    BX, CX
	JGE     zadamdone
	VMOVUPD (SI)(BX*8), Z0     // g
	VMULPD  (R8)(BX*8), Z8, Z1 // β1·m
	VMULPD  Z0, Z9, Z2         // (1 − β1)·g
	VADDPD  Z2, Z1, Z1         // m
	VMOVUPD Z1, (R8)(BX*8)
	VMULPD  (R9)(BX*8), Z10, Z3 // β2·v
	VMULPD  Z0, Z11, Z4         // (1 − β2)·g
	VMULPD  Z0, Z4, Z4          // ·g
	VADDPD  Z4, Z3, Z3          // v
	VMOVUPD Z3, (R9)(BX*8)
	VDIVPD  Z12, Z3, Z5         // v/(1 − β2^t)
	VSQRTPD Z5, Z5
	VADDPD  Z14, Z5, Z5         // + ε
	VMULPD  Z1, Z13, Z6         // step·m
	VDIVPD  Z5, Z6, Z6
	VADDPD  (DI)(BX*8), Z6, Z6
	VMOVUPD Z6, (DI)(BX*8)
	ADDQ    $8, BX
	JMP     zadamloop

zadamdone:
	VZEROUPPER
	RET

