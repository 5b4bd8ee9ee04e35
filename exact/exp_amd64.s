//go:build !purego

#include "textflag.h"

// EXPSETUP loads the constants EXP4 uses from c (in AX): Y8-Y14 and the
// integer masks Y6, Y7 (clobbering BX).
#define EXPSETUP \
	VBROADCASTSD 0(AX), Y8; \
	VBROADCASTSD 8(AX), Y9; \
	VBROADCASTSD 16(AX), Y10; \
	VBROADCASTSD 24(AX), Y11; \
	VBROADCASTSD 32(AX), Y12; \
	VBROADCASTSD 40(AX), Y13; \
	VBROADCASTSD 48(AX), Y14; \
	MOVQ         $2047, BX; \
	MOVQ         BX, X7; \
	VPBROADCASTQ X7, Y7; \
	MOVL         $1023, BX; \
	MOVL         BX, X6; \
	VPBROADCASTD X6, Y6

// EXP4 sets Y4 to scale (Y15) times the table exponential of each lane
// of Y0, by expAddGo's operations in its order, unfused: t = x·(N/ln2) +
// 1.5·2^52; n = the low 32 bits of t; fn = t − 1.5·2^52; r = (x − fn·hi)
// − fn·lo; q = r·(1 + r·(0.5 + r·(1/6))); s = tab[n & (N−1)] (R8 = tab);
// 2^⌊n/N⌋ from (n >> 11) + 1023 shifted to the exponent; scale·((s +
// s·q)·2^⌊n/N⌋). It clobbers Y1-Y5.
#define EXP4 \
	VMULPD  Y8, Y0, Y1; \
	VADDPD  Y9, Y1, Y1; \
	VSUBPD  Y9, Y1, Y2; \
	VMULPD  Y10, Y2, Y3; \
	VSUBPD  Y3, Y0, Y3; \
	VMULPD  Y11, Y2, Y4; \
	VSUBPD  Y4, Y3, Y3; \
	VMULPD  Y12, Y3, Y4; \
	VADDPD  Y13, Y4, Y4; \
	VMULPD  Y3, Y4, Y4; \
	VADDPD  Y14, Y4, Y4; \
	VMULPD  Y4, Y3, Y4; \
	VPAND   Y7, Y1, Y5; \
	VPCMPEQQ Y2, Y2, Y2; \
	VXORPD  Y3, Y3, Y3; \
	VGATHERQPD Y2, (R8)(Y5*8), Y3; \
	VPSRAD  $11, Y1, Y1; \
	VPADDD  Y6, Y1, Y1; \
	VPSLLQ  $52, Y1, Y1; \
	VMULPD  Y4, Y3, Y4; \
	VADDPD  Y4, Y3, Y4; \
	VMULPD  Y1, Y4, Y4; \
	VMULPD  Y4, Y15, Y4

// ADDWHERE4 adds Y4 to the four float64 at (DI)(CX*8) where the lanes of
// Y0 are at least −708 (not NaN), leaving the others as they are; AX
// holds c. It clobbers Y3 and Y5.
#define ADDWHERE4 \
	VMOVUPD (DI)(CX*8), Y5; \
	VADDPD  Y4, Y5, Y4; \
	VBROADCASTSD 56(AX), Y3; \
	VCMPPD  $0x1D, Y3, Y0, Y3; \
	VBLENDVPD Y3, Y4, Y5, Y5; \
	VMOVUPD Y5, (DI)(CX*8)

// func expAddAVX2(dst, xs *float64, n int, scale float64, c *[8]float64, tab *[expN]float64)
//
// expAddGo four terms at a time (EXP4): dst += scale·e^x where x ≥ −708
// (not NaN), dst as it was elsewhere.
TEXT ·expAddAVX2(SB), NOSPLIT, $0-48
	MOVQ         dst+0(FP), DI
	MOVQ         xs+8(FP), SI
	MOVQ         n+16(FP), R11
	VBROADCASTSD scale+24(FP), Y15
	MOVQ         c+32(FP), AX
	MOVQ         tab+40(FP), R8
	EXPSETUP
	XORQ         CX, CX

loop:
	CMPQ    CX, R11
	JGE     done
	VMOVUPD (SI)(CX*8), Y0           // x
	EXP4
	ADDWHERE4
	ADDQ    $4, CX
	JMP     loop

done:
	VZEROUPPER
	RET

// func addExpAVX2(v, mx, sum *float64, n int, scale, slack float64, c *[8]float64, tab *[expN]float64) int
//
// sums.add's terms four at a time, for as long as no term exceeds its
// reference by more than slack: d = v − mx, then sum += scale·e^d as
// expAddAVX2 does (where d ≥ −708). It returns how many terms it did: a
// multiple of 4, stopping before the first four with a d > slack (or NaN:
// those need add's rescale, in Go) or before the last n mod 4.
TEXT ·addExpAVX2(SB), NOSPLIT, $0-72
	MOVQ         v+0(FP), SI
	MOVQ         mx+8(FP), R9
	MOVQ         sum+16(FP), DI
	MOVQ         n+24(FP), R11
	ANDQ         $-4, R11
	VBROADCASTSD scale+32(FP), Y15
	MOVQ         c+48(FP), AX
	MOVQ         tab+56(FP), R8
	EXPSETUP
	XORQ         CX, CX

aloop:
	CMPQ    CX, R11
	JGE     adone
	VMOVUPD (SI)(CX*8), Y0
	VSUBPD  (R9)(CX*8), Y0, Y0       // d = v − mx
	VBROADCASTSD slack+40(FP), Y3
	VCMPPD  $0x16, Y3, Y0, Y3        // !(d ≤ slack): d > slack or NaN
	VMOVMSKPD Y3, BX
	TESTL   BX, BX
	JNZ     adone
	EXP4
	ADDWHERE4
	ADDQ    $4, CX
	JMP     aloop

adone:
	MOVQ CX, ret+64(FP)
	VZEROUPPER
	RET
