//go:build !purego

#include "go_asm.h"
#include "textflag.h"

// AVX2 versions of the kernels in kernel.go, element for element the same
// floating-point operations (no FMA). Y15 and R14/R15 are left alone.

// Four copies of each constant.
#define CONST4(name, bits) \
	DATA name<>+0(SB)/8, $bits; \
	DATA name<>+8(SB)/8, $bits; \
	DATA name<>+16(SB)/8, $bits; \
	DATA name<>+24(SB)/8, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $32

CONST4(sigScale4, 0x4030000000000000)  // 16 = sigScale
CONST4(sigOffset4, 0x407e000000000000) // 480 = sigLimit·sigScale
CONST4(sigTop4, 0x408e000000000000)    // 960 = sigN
CONST4(two32, 0x41f0000000000000)      // 2^32
CONST4(two31p1, 0x41e0000000200000)    // 2^31 + 1
CONST4(one4, 0x3ff0000000000000)       // 1
CONST4(signs32, 0x8000000080000000)    // the sign bit of each 32-bit lane

// compress4<> holds, for each 4-bit mask, the positions of its set bits
// in increasing order as four int32 (unused entries 0).
DATA compress4<>+0(SB)/8, $0x0000000000000000
DATA compress4<>+8(SB)/8, $0x0000000000000000
DATA compress4<>+16(SB)/8, $0x0000000000000000
DATA compress4<>+24(SB)/8, $0x0000000000000000
DATA compress4<>+32(SB)/8, $0x0000000000000001
DATA compress4<>+40(SB)/8, $0x0000000000000000
DATA compress4<>+48(SB)/8, $0x0000000100000000
DATA compress4<>+56(SB)/8, $0x0000000000000000
DATA compress4<>+64(SB)/8, $0x0000000000000002
DATA compress4<>+72(SB)/8, $0x0000000000000000
DATA compress4<>+80(SB)/8, $0x0000000200000000
DATA compress4<>+88(SB)/8, $0x0000000000000000
DATA compress4<>+96(SB)/8, $0x0000000200000001
DATA compress4<>+104(SB)/8, $0x0000000000000000
DATA compress4<>+112(SB)/8, $0x0000000100000000
DATA compress4<>+120(SB)/8, $0x0000000000000002
DATA compress4<>+128(SB)/8, $0x0000000000000003
DATA compress4<>+136(SB)/8, $0x0000000000000000
DATA compress4<>+144(SB)/8, $0x0000000300000000
DATA compress4<>+152(SB)/8, $0x0000000000000000
DATA compress4<>+160(SB)/8, $0x0000000300000001
DATA compress4<>+168(SB)/8, $0x0000000000000000
DATA compress4<>+176(SB)/8, $0x0000000100000000
DATA compress4<>+184(SB)/8, $0x0000000000000003
DATA compress4<>+192(SB)/8, $0x0000000300000002
DATA compress4<>+200(SB)/8, $0x0000000000000000
DATA compress4<>+208(SB)/8, $0x0000000200000000
DATA compress4<>+216(SB)/8, $0x0000000000000003
DATA compress4<>+224(SB)/8, $0x0000000200000001
DATA compress4<>+232(SB)/8, $0x0000000000000003
DATA compress4<>+240(SB)/8, $0x0000000100000000
DATA compress4<>+248(SB)/8, $0x0000000300000002
GLOBL compress4<>(SB), RODATA|NOPTR, $256

// CUBIC4 sets out to the table's cubic at four points: each lane's
// interval index (times 32, its coefficients' byte offset) in the four
// dwords of idx, its place s in the interval in Y1, R11 = &table. The four
// coefficients of each interval are one 32-byte load, transposed (through
// Y8, Y9, t0, t1) into c0..c3 (Y4-Y7); out = (c0 + s·c1) + s²·(c2 + s·c3).
// It clobbers Y4-Y9, Y12, t0, t1, AX, BX, R12, R13.
#define CUBIC4(idx, t0, t1, out) \
	VMOVD       idx, AX; \
	VPEXTRD     $1, idx, BX; \
	VPEXTRD     $2, idx, R12; \
	VPEXTRD     $3, idx, R13; \
	VMOVUPD     (R11)(AX*1), Y4; \
	VMOVUPD     (R11)(BX*1), Y5; \
	VMOVUPD     (R11)(R12*1), Y6; \
	VMOVUPD     (R11)(R13*1), Y7; \
	VUNPCKLPD   Y5, Y4, Y8; \
	VUNPCKHPD   Y5, Y4, Y9; \
	VUNPCKLPD   Y7, Y6, t0; \
	VUNPCKHPD   Y7, Y6, t1; \
	VPERM2F128  $0x20, t0, Y8, Y4; \
	VPERM2F128  $0x20, t1, Y9, Y5; \
	VPERM2F128  $0x31, t0, Y8, Y6; \
	VPERM2F128  $0x31, t1, Y9, Y7; \
	VMULPD      Y1, Y1, Y12; \
	VMULPD      Y5, Y1, Y5; \
	VADDPD      Y5, Y4, Y4; \
	VMULPD      Y7, Y1, Y7; \
	VADDPD      Y7, Y6, Y6; \
	VMULPD      Y6, Y12, Y6; \
	VADDPD      Y6, Y4, out

// SIGMOID4 replaces the four float64 in Y0 by their fast sigmoids, as
// sigmoid in sigmoid.go computes them. R11 must hold &sigCoef. It
// clobbers Y1–Y12, AX, BX, R12 and R13.
//
// u = 16x + 480 (sigmoid's (x + 30)·16 is the same number, 16x being
// exact), clamped to [0, 960] (NaN to 0); i = int(u); s = u − i;
// the four coefficients of each interval are one 32-byte load, transposed
// into C0..C3; σ = (C0 + s·C1) + s²·(C2 + s·C3).
#define SIGMOID4 \
	VMULPD      sigScale4<>(SB), Y0, Y0; \
	VADDPD      sigOffset4<>(SB), Y0, Y0; \
	VXORPD      Y1, Y1, Y1; \
	VMAXPD      Y1, Y0, Y0; \
	VMOVUPD     sigTop4<>(SB), Y1; \
	VMINPD      Y0, Y1, Y1; \
	VCVTTPD2DQY Y1, X2; \
	VCVTDQ2PD   X2, Y3; \
	VSUBPD      Y3, Y1, Y1; \
	VPSLLD      $5, X2, X2; \
	CUBIC4(X2, Y10, Y11, Y0)

// SUMROWS sets d[c] = bias[c] + Σ_{i∈active} rows[i·n+c] for c < k, with
// DI = &d, SI = &bias, DX = &rows, R8 = &active, R9 = len(active),
// R10 = 8n (the row stride in bytes) and k in kArg: four columns at a
// time, their sums in one register while the active rows stream past. It
// clobbers AX, BX, CX and Y0.
#define SUMROWS(kArg) \
	XORQ    CX, CX; \
sumloop: \
	CMPQ    CX, kArg; \
	JGE     sumdone; \
	VMOVUPD (SI)(CX*8), Y0; \
	XORQ    BX, BX; \
sumrows: \
	CMPQ    BX, R9; \
	JGE     sumstore; \
	MOVLQSX (R8)(BX*4), AX; \
	IMULQ   R10, AX; \
	ADDQ    DX, AX; \
	VADDPD  (AX)(CX*8), Y0, Y0; \
	INCQ    BX; \
	JMP     sumrows; \
sumstore: \
	VMOVUPD Y0, (DI)(CX*8); \
	ADDQ    $4, CX; \
	JMP     sumloop; \
sumdone:

// LOGITS loads the arguments d, bias, rows, active, nact, n and k that
// both layer kernels take first and sets d[:k] to the logits.
#define LOGITS \
	MOVQ d+0(FP), DI; \
	MOVQ bias+8(FP), SI; \
	MOVQ rows+16(FP), DX; \
	MOVQ active+24(FP), R8; \
	MOVQ nact+32(FP), R9; \
	MOVQ n+40(FP), R10; \
	SHLQ $3, R10; \
	SUMROWS(k+48(FP))

// LANELOGITS sets out[k] to the logits bias[k] + Σ_{i∈act} x_i·w_ik of
// every unit k < n, each summed in the order of act, with DI = &out,
// SI = &bias, DX = &rows, R8 = &x, R9 = &act, R11 = len(act) and R10 = n:
// four units at a time, so that four sums, not one, wait on the adder.
// It clobbers AX, BX, CX, R12, R13 and Y0–Y8.
#define LANELOGITS \
	XORQ    R13, R13; \
logitblock: \
	MOVQ    R10, AX; \
	SHLQ    $5, AX; \
	SUBQ    R13, AX; \
	CMPQ    AX, $128; \
	JLT     logitone; \
	VMOVUPD (SI)(R13*1), Y0; \
	VMOVUPD 32(SI)(R13*1), Y1; \
	VMOVUPD 64(SI)(R13*1), Y2; \
	VMOVUPD 96(SI)(R13*1), Y3; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitblockin: \
	TESTQ   R12, R12; \
	JZ      logitblockout; \
	MOVLQSX (BX), AX; \
	SHLQ    $5, AX; \
	VMOVUPD (R8)(AX*1), Y4; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VMULPD  (AX), Y4, Y5; \
	VADDPD  Y5, Y0, Y0; \
	VMULPD  32(AX), Y4, Y6; \
	VADDPD  Y6, Y1, Y1; \
	VMULPD  64(AX), Y4, Y7; \
	VADDPD  Y7, Y2, Y2; \
	VMULPD  96(AX), Y4, Y8; \
	VADDPD  Y8, Y3, Y3; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitblockin; \
logitblockout: \
	VMOVUPD Y0, (DI)(R13*1); \
	VMOVUPD Y1, 32(DI)(R13*1); \
	VMOVUPD Y2, 64(DI)(R13*1); \
	VMOVUPD Y3, 96(DI)(R13*1); \
	ADDQ    $128, R13; \
	JMP     logitblock; \
logitone: \
	TESTQ   AX, AX; \
	JLE     logitdone; \
	VMOVUPD (SI)(R13*1), Y0; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitonein: \
	TESTQ   R12, R12; \
	JZ      logitoneout; \
	MOVLQSX (BX), AX; \
	SHLQ    $5, AX; \
	VMOVUPD (R8)(AX*1), Y4; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VMULPD  (AX), Y4, Y5; \
	VADDPD  Y5, Y0, Y0; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitonein; \
logitoneout: \
	VMOVUPD Y0, (DI)(R13*1); \
	ADDQ    $32, R13; \
	JMP     logitblock; \
logitdone:

// LANEARGS loads the arguments that laneSampleAVX2 and laneDeltasAVX2
// share: out, bias, rows, x, act and len(act), then n at nOff.
#define LANEARGS(nOff) \
	MOVQ out+0(FP), DI; \
	MOVQ bias+8(FP), SI; \
	MOVQ rows+16(FP), DX; \
	MOVQ x+24(FP), R8; \
	MOVQ act+32(FP), R9; \
	MOVQ nact+40(FP), R11; \
	MOVQ nOff(FP), R10

TEXT ·addRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ bias+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ d+16(FP), DI
	MOVQ active+24(FP), R8
	MOVQ nact+32(FP), R9
	MOVQ n+40(FP), R10
	MOVQ k+48(FP), R11
	SHLQ $3, R10 // row stride in bytes
	XORQ CX, CX  // column

addloop: // four columns at a time: bias, then each active row, += d
	CMPQ    CX, R11
	JGE     adddone
	VMOVUPD (DI)(CX*8), Y0
	VADDPD  (SI)(CX*8), Y0, Y1
	VMOVUPD Y1, (SI)(CX*8)
	XORQ    BX, BX

addrows:
	CMPQ    BX, R9
	JGE     addnext
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    DX, AX
	VADDPD  (AX)(CX*8), Y0, Y1
	VMOVUPD Y1, (AX)(CX*8)
	INCQ    BX
	JMP     addrows

addnext:
	ADDQ $4, CX
	JMP  addloop

adddone:
	VZEROUPPER
	RET

// func deltaLayerAVX2(d, bias, rows *float64, active *int32, nact, n, k int, x *float64, eps float64)
TEXT ·sumRowsAVX2(SB), NOSPLIT, $0-56
	LOGITS
	VZEROUPPER
	RET

TEXT ·deltaLayerAVX2(SB), NOSPLIT, $0-72
	LOGITS

	LEAQ         ·sigCoef(SB), R11
	MOVQ         x+56(FP), SI
	VBROADCASTSD eps+64(FP), Y14
	XORQ         CX, CX

deltaloop:
	CMPQ    CX, k+48(FP)
	JGE     deltadone
	VMOVUPD (DI)(CX*8), Y0
	SIGMOID4
	VMOVUPD (SI)(CX*8), Y1
	VSUBPD  Y0, Y1, Y1     // x − σ
	VMULPD  Y1, Y14, Y1    // eps·(x − σ)
	VMOVUPD Y1, (DI)(CX*8)
	ADDQ    $4, CX
	JMP     deltaloop

deltadone:
	VZEROUPPER
	RET

// func sampleLayerAVX2(d, bias, rows *float64, active *int32, nact, n, k int, r *uint64, x *float64, act *int32) int
//
// Unit i is on when u_i + 1 ≤ σ(a_i)·2^32, which for an integer u_i is
// u_i < ⌊σ(a_i)·2^32⌋, the test of sampleGo. Both sides are exact in
// float64: u_i + 1 ≤ 2^32, and scaling by 2^32 is exact.
TEXT ·sampleLayerAVX2(SB), NOSPLIT, $0-88
	LOGITS

	LEAQ ·sigCoef(SB), R11
	MOVQ r+56(FP), SI
	MOVQ x+64(FP), DX
	MOVQ act+72(FP), R8
	XORQ R9, R9 // units switched on
	XORQ CX, CX // unit

sampleloop:
	CMPQ    CX, k+48(FP)
	JGE     sampledone
	VMOVUPD (DI)(CX*8), Y0
	SIGMOID4
	VMULPD  two32<>(SB), Y0, Y0

	// The uniforms: words r[i/2], r[i/2+1] hold units i, i+1 in their
	// high and low halves and i+2, i+3 likewise. Swap the halves of each
	// word, flip the sign bits to read them as signed, convert, and add
	// 2^31 + 1.
	VMOVDQU   (SI)(CX*4), X1
	VPSHUFD   $0xb1, X1, X1
	VPXOR     signs32<>(SB), X1, X1
	VCVTDQ2PD X1, Y1
	VADDPD    two31p1<>(SB), Y1, Y1

	VCMPPD    $2, Y0, Y1, Y2 // u+1 ≤ σ·2^32
	VANDPD    one4<>(SB), Y2, Y3
	VMOVUPD   Y3, (DX)(CX*8)
	VMOVMSKPD Y2, AX

	// Append the units that are on to act: their positions from the
	// table, plus i, in one store (act has room: count ≤ i).
	MOVQ         AX, BX
	SHLQ         $4, BX
	LEAQ         compress4<>(SB), R12
	VMOVDQU      (R12)(BX*1), X4
	VMOVD        CX, X5
	VPBROADCASTD X5, X5
	VPADDD       X5, X4, X4
	VMOVDQU      X4, (R8)(R9*4)
	POPCNTL      AX, AX
	ADDQ         AX, R9

	ADDQ $4, CX
	JMP  sampleloop

sampledone:
	MOVQ R9, ret+80(FP)
	VZEROUPPER
	RET

// func expStepAVX2(ex, f *float64, n int) float64
TEXT ·expStepAVX2(SB), NOSPLIT, $0-32
	MOVQ         ex+0(FP), SI
	MOVQ         f+8(FP), DX
	MOVQ         n+16(FP), R11
	MOVQ         $0x3FF0000000000000, AX // 1.0
	MOVQ         AX, X1
	VBROADCASTSD X1, Y1                  // ones
	VMOVAPD      Y1, Y0                  // the four products p0..p3
	XORQ         CX, CX
	TESTQ        DX, DX
	JZ           expnog

expg: // ex *= f, then p *= 1 + ex
	CMPQ    CX, R11
	JGE     expdone
	VMOVUPD (SI)(CX*8), Y2
	VMULPD  (DX)(CX*8), Y2, Y2
	VMOVUPD Y2, (SI)(CX*8)
	VADDPD  Y1, Y2, Y3
	VMULPD  Y3, Y0, Y0
	ADDQ    $4, CX
	JMP     expg

expnog: // p *= 1 + ex
	CMPQ   CX, R11
	JGE    expdone
	VADDPD (SI)(CX*8), Y1, Y3
	VMULPD Y3, Y0, Y0
	ADDQ   $4, CX
	JMP    expnog

expdone: // (p0·p2)·(p1·p3)
	VEXTRACTF128 $1, Y0, X2    // p2, p3
	VMULPD       X2, X0, X0    // p0·p2, p1·p3
	VPERMILPD    $1, X0, X3    // p1·p3, p0·p2
	VMULSD       X3, X0, X0    // (p0·p2)·(p1·p3)
	VZEROUPPER
	MOVSD        X0, ret+24(FP)
	RET

// func expWalkAVX2(ex, f *float64, flips *int32, count int, out *float64)
// The exponential walk of 16 pixels over count states: ex (16 values) in
// Y4-Y7; out[0] the product for ex as given, then for each next state t
// ex *= the row of f at byte offset flips[t] and out[t] its product, both
// as expStepGo computes them.
TEXT ·expWalkAVX2(SB), NOSPLIT, $0-40
	MOVQ         ex+0(FP), SI
	MOVQ         f+8(FP), DX
	MOVQ         flips+16(FP), R8
	MOVQ         count+24(FP), R11
	MOVQ         out+32(FP), DI
	MOVQ         $0x3FF0000000000000, AX // 1.0
	MOVQ         AX, X1
	VBROADCASTSD X1, Y1                  // ones
	VMOVUPD      (SI), Y4
	VMOVUPD      32(SI), Y5
	VMOVUPD      64(SI), Y6
	VMOVUPD      96(SI), Y7
	XORQ         CX, CX
	JMP          walkprod

walknext:
	MOVLQSX (R8)(CX*4), AX
	ADDQ    DX, AX
	VMULPD  (AX), Y4, Y4
	VMULPD  32(AX), Y5, Y5
	VMULPD  64(AX), Y6, Y6
	VMULPD  96(AX), Y7, Y7

walkprod: // ((1+x0)(1+x1))(1+x2))(1+x3) per lane, then (p0·p2)·(p1·p3)
	VADDPD       Y1, Y4, Y8
	VADDPD       Y1, Y5, Y9
	VMULPD       Y9, Y8, Y8
	VADDPD       Y1, Y6, Y9
	VMULPD       Y9, Y8, Y8
	VADDPD       Y1, Y7, Y9
	VMULPD       Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VMULPD       X9, X8, X8
	VPERMILPD    $1, X8, X9
	VMULSD       X9, X8, X8
	MOVSD        X8, (DI)(CX*8)
	INCQ         CX
	CMPQ         CX, R11
	JLT          walknext

	VZEROUPPER
	RET

// The lane kernels (lanes.go): four chains, one per lane, of a layer of n
// units whose inputs in use are listed in act (ascending); unit k's four
// values at 32·k bytes, input i's at 32·i, the weights from input i to
// unit k at 32·(i·n + k).

// func laneSampleAVX2(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int
//
// out = 1 where u < ⌊σ(logit)·2^32⌋, tested as u + 1 ≤ σ·2^32 in float64
// (exact: u + 1 ≤ 2^32 and scaling by 2^32 is exact), as sampleLayerAVX2
// does. It lists in next the units on in some lane and returns how many.
TEXT ·laneSampleAVX2(SB), NOSPLIT, $0-80
	LANEARGS(n+56)
	LANELOGITS
	LEAQ ·sigCoef(SB), R11
	MOVQ u+48(FP), SI
	MOVQ next+64(FP), R8
	MOVQ R10, CX
	XORQ R9, R9  // units listed
	XORQ R10, R10 // unit index

sampleloop4:
	TESTQ     CX, CX
	JZ        sampledone4
	VMOVUPD   (DI), Y0
	SIGMOID4
	VMULPD    two32<>(SB), Y0, Y0
	VMOVDQU   (SI), X1
	VPXOR     signs32<>(SB), X1, X1
	VCVTDQ2PD X1, Y1
	VADDPD    two31p1<>(SB), Y1, Y1
	VCMPPD    $2, Y0, Y1, Y2 // u+1 ≤ σ·2^32
	VANDPD    one4<>(SB), Y2, Y3
	VMOVUPD   Y3, (DI)
	VMOVMSKPD Y2, AX
	MOVL      R10, (R8)(R9*4)
	CMPQ      AX, $1
	SBBQ      $-1, R9 // listed if on in some lane: AX ≥ 1
	INCQ      R10
	ADDQ      $32, DI
	ADDQ      $16, SI
	DECQ      CX
	JMP       sampleloop4

sampledone4:
	MOVQ R9, ret+72(FP)
	VZEROUPPER
	RET

// func laneDeltasAVX2(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)
TEXT ·laneDeltasAVX2(SB), NOSPLIT, $0-72
	LANEARGS(n+56)
	LANELOGITS
	LEAQ         ·sigCoef(SB), R11
	VBROADCASTSD eps+64(FP), Y14
	MOVQ         xt+48(FP), SI
	MOVQ         R10, CX

deltasloop:
	TESTQ   CX, CX
	JZ      deltasdone
	VMOVUPD (DI), Y0
	SIGMOID4
	VMOVUPD (SI), Y1
	VSUBPD  Y0, Y1, Y1     // x − σ
	VMULPD  Y1, Y14, Y1    // eps·(x − σ)
	VMOVUPD Y1, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    CX
	JMP     deltasloop

deltasdone:
	VZEROUPPER
	RET

// func laneAddAVX2(bias, rows, d, x *float64, act *int32, nact, n int)
TEXT ·laneAddAVX2(SB), NOSPLIT, $0-56
	MOVQ bias+0(FP), SI
	MOVQ rows+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ act+32(FP), R11
	MOVQ nact+40(FP), R9
	MOVQ n+48(FP), R10

	// bias += d
	MOVQ SI, AX
	MOVQ DX, R8
	MOVQ R10, CX

addbias:
	TESTQ   CX, CX
	JZ      addrows
	VMOVUPD (AX), Y0
	VADDPD  (R8), Y0, Y0
	VMOVUPD Y0, (AX)
	ADDQ    $32, AX
	ADDQ    $32, R8
	DECQ    CX
	JMP     addbias

	// rows[i·n+k] += d[k]·x[i] for the inputs i in act
addrows:
	TESTQ   R9, R9
	JZ      adddone
	MOVLQSX (R11), AX
	SHLQ    $5, AX
	VMOVUPD (BX)(AX*1), Y2
	IMULQ   R10, AX
	ADDQ    DI, AX
	MOVQ    DX, R8
	MOVQ    R10, CX

addrow:
	TESTQ   CX, CX
	JZ      addnext
	VMOVUPD (R8), Y1
	VMULPD  Y2, Y1, Y1
	VADDPD  (AX), Y1, Y1
	VMOVUPD Y1, (AX)
	ADDQ    $32, AX
	ADDQ    $32, R8
	DECQ    CX
	JMP     addrow

addnext:
	ADDQ $4, R11
	DECQ R9
	JMP  addrows

adddone:
	VZEROUPPER
	RET

// func scaleAVX2(w *float64, n int, s float64)
//
// Eight elements a turn while they last, so that the loop's own
// instructions cost less than the loads and stores.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-24
	MOVQ         w+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSD s+16(FP), Y1

scaleloop:
	CMPQ    CX, $8
	JLT     scalelast
	VMULPD  (DI), Y1, Y0
	VMULPD  32(DI), Y1, Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     scaleloop

scalelast:
	TESTQ   CX, CX
	JZ      scaledone
	VMULPD  (DI), Y1, Y0
	VMOVUPD Y0, (DI)

scaledone:
	VZEROUPPER
	RET

// func scaleNonNegativeAVX2(w *float64, n int, s float64)
//
// scaleAVX2 then nonNegativeAVX2 in one pass: max(w·s, 0), −0 made +0.
TEXT ·scaleNonNegativeAVX2(SB), NOSPLIT, $0-24
	MOVQ         w+0(FP), DI
	MOVQ         n+8(FP), CX
	VBROADCASTSD s+16(FP), Y1
	VXORPD       Y3, Y3, Y3

snnloop:
	CMPQ    CX, $8
	JLT     snnlast
	VMULPD  (DI), Y1, Y0
	VMULPD  32(DI), Y1, Y2
	VMAXPD  Y0, Y3, Y0
	VMAXPD  Y2, Y3, Y2
	VADDPD  Y3, Y0, Y0
	VADDPD  Y3, Y2, Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     snnloop

snnlast:
	TESTQ   CX, CX
	JZ      snndone
	VMULPD  (DI), Y1, Y0
	VMAXPD  Y0, Y3, Y0
	VADDPD  Y3, Y0, Y0
	VMOVUPD Y0, (DI)

snndone:
	VZEROUPPER
	RET

// func nonNegativeAVX2(w *float64, n int)
//
// max(w, 0) as Go's max gives it: VMAXPD returns its second operand, w,
// when w is NaN or either zero, and adding +0 turns −0 into +0 and leaves
// every other value as it is.
TEXT ·nonNegativeAVX2(SB), NOSPLIT, $0-16
	MOVQ   w+0(FP), DI
	MOVQ   n+8(FP), CX
	VXORPD Y1, Y1, Y1

nonnegloop:
	TESTQ   CX, CX
	JZ      nonnegdone
	VMOVUPD (DI), Y0
	VMAXPD  Y0, Y1, Y0 // max(0, w): w where w is NaN or a zero
	VADDPD  Y1, Y0, Y0 // −0 + 0 = +0
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	SUBQ    $4, CX
	JMP     nonnegloop

nonnegdone:
	VZEROUPPER
	RET

// The constants of rand.PCG (pcg.go), four copies each.
CONST4(pcgMulLo4, 0x4385df649fccf645)
CONST4(pcgMulLoHi4, 0x000000004385df64) // mulLo >> 32
CONST4(pcgMulHi4, 0x2360ed051fc65da4)
CONST4(pcgMulHiHi4, 0x000000002360ed05) // mulHi >> 32
CONST4(pcgIncHi4, 0x5851f42d4c957f2d)
CONST4(pcgIncLo4, 0x14057b7ef767814f)
CONST4(pcgIncLoSigned4, 0x94057b7ef767814f) // incLo ^ 1<<63
CONST4(pcgCheap4, 0xda942042e4dd58b5)
CONST4(pcgCheapHi4, 0x00000000da942042) // cheapMul >> 32
CONST4(low32, 0x00000000ffffffff)
CONST4(sign64, 0x8000000000000000)
CONST4(one64, 0x0000000000000001)

// pcgHalves<> gathers the high halves of four words, then their low
// halves (VPERMD indices).
DATA pcgHalves<>+0(SB)/8, $0x0000000300000001
DATA pcgHalves<>+8(SB)/8, $0x0000000700000005
DATA pcgHalves<>+16(SB)/8, $0x0000000200000000
DATA pcgHalves<>+24(SB)/8, $0x0000000600000004
GLOBL pcgHalves<>(SB), RODATA|NOPTR, $32

// The same for two steps at once: state·mul² + inc·(mul + 1).
CONST4(pcgMul2Lo4, 0x529ed9eb20e0ae99)
CONST4(pcgMul2LoHi4, 0x00000000529ed9eb)
CONST4(pcgMul2Hi4, 0x17bce35bdf69743c)
CONST4(pcgMul2HiHi4, 0x0000000017bce35b)
CONST4(pcgInc2Hi4, 0x4871bec9994273f8)
CONST4(pcgInc2Lo4, 0xac1f8a1c3883459a)
CONST4(pcgInc2LoSigned4, 0x2c1f8a1c3883459a)

// LOW64 sets out to the low 64 bits of a·b in each lane, b given by its
// low and high 32 bits b0 and b1 (in each lane's low half): VPMULUDQ
// multiplies the low 32 bits of each 64-bit lane into 64 bits, and
// a·b = a0·b0 + ((a1·b0 + a0·b1) << 32) mod 2^64. It clobbers t and v;
// out must not be a.
#define LOW64(a, b0, b1, t, v, out) \
	VPMULUDQ b0, a, out; \
	VPSRLQ   $32, a, t; \
	VPMULUDQ b0, t, t; \
	VPMULUDQ b1, a, v; \
	VPADDQ   v, t, t; \
	VPSLLQ   $32, t, t; \
	VPADDQ   t, out, out

// PCGNEXT sets ohi, olo to the state (Y0 = hi, Y1 = lo) times the 128-bit
// multiplier (mlo, mhi, with mlohi = mlo >> 32 and mhihi = mhi >> 32) plus
// the increment (inclo, inchi; inclos = inclo ^ 1<<63), leaving Y0 and
// Y1 as they are. The high 64 bits of lo·mlo are a1·b1 + (a1·b0 >> 32) +
// (a0·b1 >> 32) + (mid >> 32), mid = (a0·b0 >> 32) + low32(a1·b0) +
// low32(a0·b1) (it cannot overflow), and the low ones (mid << 32) |
// low32(a0·b0). The sum lo·mlo + inclo carries where it is below inclo,
// unsigned (signed after flipping both sign bits). Y14 holds the low-32
// mask; it clobbers Y2–Y8.
#define PCGNEXT(mlo, mlohi, mhi, mhihi, inclo, inclos, inchi, ohi, olo) \
	VPSRLQ   $32, Y1, Y2; \
	VPMULUDQ mlo, Y1, Y3; \
	VPMULUDQ mlo, Y2, Y4; \
	VPMULUDQ mlohi, Y1, Y5; \
	VPMULUDQ mlohi, Y2, Y6; \
	VPSRLQ   $32, Y3, Y7; \
	VPAND    Y14, Y4, Y8; \
	VPADDQ   Y8, Y7, Y7; \
	VPAND    Y14, Y5, Y8; \
	VPADDQ   Y8, Y7, Y7; \
	VPSRLQ   $32, Y4, Y4; \
	VPADDQ   Y4, Y6, Y6; \
	VPSRLQ   $32, Y5, Y5; \
	VPADDQ   Y5, Y6, Y6; \
	VPSRLQ   $32, Y7, Y8; \
	VPADDQ   Y8, Y6, Y6; \
	VPSLLQ   $32, Y7, Y7; \
	VPAND    Y14, Y3, Y3; \
	VPOR     Y7, Y3, Y3; \
	LOW64(Y0, mlo, mlohi, Y5, Y7, Y4); \
	VPADDQ   Y4, Y6, Y6; \
	LOW64(Y1, mhi, mhihi, Y5, Y7, Y4); \
	VPADDQ   Y4, Y6, Y6; \
	VPADDQ   inclo, Y3, olo; \
	VPXOR    sign64<>(SB), olo, Y7; \
	VMOVDQU  inclos, Y8; \
	VPCMPGTQ Y7, Y8, Y8; \
	VPADDQ   inchi, Y6, Y6; \
	VPSUBQ   Y8, Y6, ohi

// DXSM writes the words of the state hi, lo (rand.PCG.Uint64's output:
// x = hi ^ hi>>32; x *= cheapMul; x ^= x>>48; x *= lo|1) at off(SI), their
// high halves first, then their low halves. It clobbers Y2–Y7.
#define DXSM(hi, lo, off) \
	VPSRLQ   $32, hi, Y2; \
	VPXOR    hi, Y2, Y2; \
	LOW64(Y2, pcgCheap4<>(SB), pcgCheapHi4<>(SB), Y4, Y5, Y3); \
	VPSRLQ   $48, Y3, Y2; \
	VPXOR    Y3, Y2, Y2; \
	VPOR     one64<>(SB), lo, Y3; \
	VPSRLQ   $32, Y3, Y6; \
	LOW64(Y2, Y3, Y6, Y5, Y7, Y4); \
	VMOVDQU  pcgHalves<>(SB), Y5; \
	VPERMD   Y4, Y5, Y4; \
	VMOVDQU  Y4, off(SI)

#define PCGSTEP1(ohi, olo) PCGNEXT(pcgMulLo4<>(SB), pcgMulLoHi4<>(SB), pcgMulHi4<>(SB), pcgMulHiHi4<>(SB), pcgIncLo4<>(SB), pcgIncLoSigned4<>(SB), pcgIncHi4<>(SB), ohi, olo)
#define PCGSTEP2(ohi, olo) PCGNEXT(pcgMul2Lo4<>(SB), pcgMul2LoHi4<>(SB), pcgMul2Hi4<>(SB), pcgMul2HiHi4<>(SB), pcgInc2Lo4<>(SB), pcgInc2LoSigned4<>(SB), pcgInc2Hi4<>(SB), ohi, olo)

// PCGBODY is the body of the PCG kernels below, two words a turn: the
// states one and two steps on are both computed from the state at the
// start of the turn, so that the turn waits on one 128-bit multiply-add,
// not two.
#define PCGBODY \
	MOVQ    pcg+0(FP), DI; \
	MOVQ    u+8(FP), SI; \
	MOVQ    n+16(FP), CX; \
	VMOVDQU lanePCG_hi(DI), Y0; \
	VMOVDQU lanePCG_lo(DI), Y1; \
	VMOVDQU low32<>(SB), Y14; \
pcgloop2: \
	CMPQ    CX, $2; \
	JLT     pcglast; \
	PCGSTEP1(Y10, Y11); \
	PCGSTEP2(Y12, Y13); \
	DXSM(Y10, Y11, 0); \
	DXSM(Y12, Y13, 32); \
	VMOVDQU Y12, Y0; \
	VMOVDQU Y13, Y1; \
	ADDQ    $64, SI; \
	SUBQ    $2, CX; \
	JMP     pcgloop2; \
pcglast: \
	TESTQ   CX, CX; \
	JZ      pcgdone; \
	PCGSTEP1(Y10, Y11); \
	DXSM(Y10, Y11, 0); \
	VMOVDQU Y10, Y0; \
	VMOVDQU Y11, Y1; \
pcgdone: \
	VMOVDQU Y0, lanePCG_hi(DI); \
	VMOVDQU Y1, lanePCG_lo(DI); \
	VZEROUPPER; \
	RET

// func pcgUniformsAVX2(pcg *lanePCG, u *uint32, n int)
//
// lanePCG.uniformsGo with the four lanes in vector registers.
TEXT ·pcgUniformsAVX2(SB), NOSPLIT, $0-24
	PCGBODY

// func pcgUniformsAVX512(pcg *lanePCG, u *uint32, n int)
//
// pcgUniformsAVX2 with AVX-512's 64-bit multiply (VPMULLQ, AVX512DQ on
// 256-bit registers, AVX512VL) for the low products.
#undef LOW64
#define LOW64(a, b0, b1, t, v, out) VPMULLQ b0, a, out

TEXT ·pcgUniformsAVX512(SB), NOSPLIT, $0-24
	PCGBODY

CONST4(two52, 0x4330000000000000) // 2^52

// func laneBitsAVX2(x *float64, lanes *[4]uint64, n int)
//
// Bit j of each lane's word, as a float64: OR-ing the bit into the
// mantissa of 2^52 and subtracting 2^52 gives exactly +0 or 1.
TEXT ·laneBitsAVX2(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), DI
	MOVQ    lanes+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVDQU (SI), Y0
	VMOVDQU one64<>(SB), Y1
	VMOVDQU two52<>(SB), Y2

bitsloop:
	TESTQ   CX, CX
	JZ      bitsdone
	VPAND   Y1, Y0, Y3
	VPOR    Y2, Y3, Y3
	VSUBPD  Y2, Y3, Y3
	VMOVUPD Y3, (DI)
	VPSRLQ  $1, Y0, Y0
	ADDQ    $32, DI
	DECQ    CX
	JMP     bitsloop

bitsdone:
	VZEROUPPER
	RET

// addActiveRowsAVX2 adds to d[0:k] the rows rows[i·n : i·n+k] of the
// active units i, in the order of active, row by row: four rows a pass
// over d, each element summed as (((d + r1) + r2) + r3) + r4, which is the
// order of SUMROWS's sums, so the two give the same bits. For wide layers
// (MNIST's 784 pixels) it streams whole rows instead of gathering four
// columns from every active row at a time.
TEXT ·addActiveRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DI
	MOVQ rows+8(FP), DX
	MOVQ active+16(FP), R8
	MOVQ nact+24(FP), R9
	MOVQ n+32(FP), R10
	MOVQ k+40(FP), R11
	SHLQ $3, R10 // row stride in bytes
	XORQ BX, BX  // active units done

rowgroup:
	MOVQ    R9, AX
	SUBQ    BX, AX
	CMPQ    AX, $4
	JLT     rowsingle
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

rowgroupcols:
	CMPQ    SI, R11
	JGE     rowgroupnext
	VMOVUPD (DI)(SI*8), Y0
	VADDPD  (AX)(SI*8), Y0, Y0
	VADDPD  (CX)(SI*8), Y0, Y0
	VADDPD  (R12)(SI*8), Y0, Y0
	VADDPD  (R13)(SI*8), Y0, Y0
	VMOVUPD Y0, (DI)(SI*8)
	ADDQ    $4, SI
	JMP     rowgroupcols

rowgroupnext:
	ADDQ $4, BX
	JMP  rowgroup

rowsingle:
	CMPQ    BX, R9
	JGE     rowdone
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    DX, AX
	XORQ    SI, SI

rowsinglecols:
	CMPQ    SI, R11
	JGE     rowsinglenext
	VMOVUPD (DI)(SI*8), Y0
	VADDPD  (AX)(SI*8), Y0, Y0
	VMOVUPD Y0, (DI)(SI*8)
	ADDQ    $4, SI
	JMP     rowsinglecols

rowsinglenext:
	INCQ BX
	JMP  rowsingle

rowdone:
	VZEROUPPER
	RET

// func adamAVX2(p, grad, m, v *float64, n int, c *adamConsts)
//
// adamGo for the first n elements, n a multiple of 4: the same
// operations in the same order, each exactly rounded (VSQRTPD and VDIVPD
// are, as SQRTSD and DIVSD), so the same bits.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         m+16(FP), R8
	MOVQ         v+24(FP), R9
	MOVQ         n+32(FP), CX
	MOVQ         c+40(FP), AX
	VBROADCASTSD 0(AX), Y8   // β1
	VBROADCASTSD 8(AX), Y9   // 1 − β1
	VBROADCASTSD 16(AX), Y10 // β2
	VBROADCASTSD 24(AX), Y11 // 1 − β2
	VBROADCASTSD 32(AX), Y12 // 1 − β2^t
	VBROADCASTSD 40(AX), Y13 // rate/(1 − β1^t)
	VBROADCASTSD 48(AX), Y14 // ε
	XORQ         BX, BX

adamloop:
	CMPQ    BX, CX
	JGE     adamdone
	VMOVUPD (SI)(BX*8), Y0     // g
	VMULPD  (R8)(BX*8), Y8, Y1 // β1·m
	VMULPD  Y0, Y9, Y2         // (1 − β1)·g
	VADDPD  Y2, Y1, Y1         // m
	VMOVUPD Y1, (R8)(BX*8)
	VMULPD  (R9)(BX*8), Y10, Y3 // β2·v
	VMULPD  Y0, Y11, Y4         // (1 − β2)·g
	VMULPD  Y0, Y4, Y4          // ·g
	VADDPD  Y4, Y3, Y3          // v
	VMOVUPD Y3, (R9)(BX*8)
	VDIVPD  Y12, Y3, Y5         // v/(1 − β2^t)
	VSQRTPD Y5, Y5
	VADDPD  Y14, Y5, Y5         // + ε
	VMULPD  Y1, Y13, Y6         // step·m
	VDIVPD  Y5, Y6, Y6
	VADDPD  (DI)(BX*8), Y6, Y6
	VMOVUPD Y6, (DI)(BX*8)
	ADDQ    $4, BX
	JMP     adamloop

adamdone:
	VZEROUPPER
	RET

// func addWideRowsAVX2(bias, w, d *float64, active *int32, nact, n, k int)
//
// addRowsAVX2 row by row: d is added to the bias, then to each active
// row in turn, so that a wide row (MNIST's 784 pixels) streams through
// once rather than four columns at a time from every active row. Each
// element receives one addition either way: the same bits.
TEXT ·addWideRowsAVX2(SB), NOSPLIT, $0-56
	MOVQ bias+0(FP), SI
	MOVQ w+8(FP), DX
	MOVQ d+16(FP), DI
	MOVQ active+24(FP), R8
	MOVQ nact+32(FP), R9
	MOVQ n+40(FP), R10
	MOVQ k+48(FP), R11
	SHLQ $3, R10 // row stride in bytes
	XORQ CX, CX

widebias:
	CMPQ    CX, R11
	JGE     widerows
	VMOVUPD (DI)(CX*8), Y0
	VADDPD  (SI)(CX*8), Y0, Y0
	VMOVUPD Y0, (SI)(CX*8)
	ADDQ    $4, CX
	JMP     widebias

widerows:
	XORQ BX, BX // active units done

widerow:
	CMPQ    BX, R9
	JGE     widedone
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    DX, AX
	XORQ    CX, CX

widecols:
	CMPQ    CX, R11
	JGE     widenext
	VMOVUPD (DI)(CX*8), Y0
	VADDPD  (AX)(CX*8), Y0, Y0
	VMOVUPD Y0, (AX)(CX*8)
	ADDQ    $4, CX
	JMP     widecols

widenext:
	INCQ BX
	JMP  widerow

widedone:
	VZEROUPPER
	RET

// func gather16AVX2(out, src *float64, idx *int32, nidx, stride int)
//
// Adds to out[0:16] the rows src[idx[j]·stride : +16] for j = 0..nidx−1
// in order, the sixteen sums kept in four registers throughout, so each
// element is summed as (((out + r1) + r2) + …), as addActiveRowsAVX2 sums
// it: the same bits. A block of sixteen columns of a wide layer's rows
// stays in the L1 cache while sample after sample gathers from it.
TEXT ·gather16AVX2(SB), NOSPLIT, $0-40
	MOVQ    out+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    idx+16(FP), R8
	MOVQ    nidx+24(FP), CX
	MOVQ    stride+32(FP), R10
	SHLQ    $3, R10
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	XORQ    BX, BX

g16loop:
	CMPQ    BX, CX
	JGE     g16done
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	VADDPD  0(AX), Y0, Y0
	VADDPD  32(AX), Y1, Y1
	VADDPD  64(AX), Y2, Y2
	VADDPD  96(AX), Y3, Y3
	INCQ    BX
	JMP     g16loop

g16done:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func gather16x2AVX2(out1, out2, src *float64, idx1 *int32, n1 int, idx2 *int32, n2, stride int)
//
// gather16AVX2 for two outputs at once, their rows interleaved while
// both have some, so that eight chains of additions are in flight.
TEXT ·gather16x2AVX2(SB), NOSPLIT, $0-64
	MOVQ    out1+0(FP), DI
	MOVQ    out2+8(FP), DX
	MOVQ    src+16(FP), SI
	MOVQ    idx1+24(FP), R8
	MOVQ    n1+32(FP), R9
	MOVQ    idx2+40(FP), R11
	MOVQ    n2+48(FP), R12
	MOVQ    stride+56(FP), R10
	SHLQ    $3, R10
	VMOVUPD 0(DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	VMOVUPD 0(DX), Y4
	VMOVUPD 32(DX), Y5
	VMOVUPD 64(DX), Y6
	VMOVUPD 96(DX), Y7
	MOVQ    R9, CX
	CMPQ    R12, CX
	CMOVQLT R12, CX   // CX = min(n1, n2)
	XORQ    BX, BX

g2both:
	CMPQ    BX, CX
	JGE     g2rest1
	MOVLQSX (R8)(BX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	MOVLQSX (R11)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    SI, R13
	VADDPD  0(AX), Y0, Y0
	VADDPD  32(AX), Y1, Y1
	VADDPD  64(AX), Y2, Y2
	VADDPD  96(AX), Y3, Y3
	VADDPD  0(R13), Y4, Y4
	VADDPD  32(R13), Y5, Y5
	VADDPD  64(R13), Y6, Y6
	VADDPD  96(R13), Y7, Y7
	INCQ    BX
	JMP     g2both

g2rest1: // the first output's remaining rows
	MOVQ BX, CX

g2loop1:
	CMPQ    CX, R9
	JGE     g2rest2
	MOVLQSX (R8)(CX*4), AX
	IMULQ   R10, AX
	ADDQ    SI, AX
	VADDPD  0(AX), Y0, Y0
	VADDPD  32(AX), Y1, Y1
	VADDPD  64(AX), Y2, Y2
	VADDPD  96(AX), Y3, Y3
	INCQ    CX
	JMP     g2loop1

g2rest2: // the second's
	CMPQ    BX, R12
	JGE     g2done
	MOVLQSX (R11)(BX*4), R13
	IMULQ   R10, R13
	ADDQ    SI, R13
	VADDPD  0(R13), Y4, Y4
	VADDPD  32(R13), Y5, Y5
	VADDPD  64(R13), Y6, Y6
	VADDPD  96(R13), Y7, Y7
	INCQ    BX
	JMP     g2rest2

g2done:
	VMOVUPD Y0, 0(DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VMOVUPD Y4, 0(DX)
	VMOVUPD Y5, 32(DX)
	VMOVUPD Y6, 64(DX)
	VMOVUPD Y7, 96(DX)
	VZEROUPPER
	RET

CONST4(sigLast4, 0x408df80000000000) // 959 = sigN − 1, the last interval (logSigmoid clamps u to it too)

// LOGSIG4 sets Y4 to logSigmoid of each lane of Y13 as sigmoid.go computes
// it, clobbering Y0, Y1, Y3, Y5-Y12, AX, BX, R12, R13; Y2 must be zero and
// R11 the table of coefficients. In order: u = 16y + 480 (which is
// (y + 30)·16); the masks !(u > 0) (y itself there, NaN included) and
// u ≥ 960 (0 there); u clamped into the table (NaN to 0); its interval i
// and s = u − i; the interval's cubic (CUBIC4); the two masks blended in.
#define LOGSIG4 \
	VMULPD      sigScale4<>(SB), Y13, Y0; \
	VADDPD      sigOffset4<>(SB), Y0, Y0; \
	VCMPPD      $0x0A, Y2, Y0, Y10; \
	VCMPPD      $0x0D, sigTop4<>(SB), Y0, Y11; \
	VMAXPD      Y2, Y0, Y1; \
	VMINPD      sigLast4<>(SB), Y1, Y1; \
	VCVTTPD2DQY Y1, X3; \
	VCVTDQ2PD   X3, Y4; \
	VSUBPD      Y4, Y1, Y1; \
	VPSLLD      $5, X3, X3; \
	CUBIC4(X3, Y0, Y3, Y4); \
	VBLENDVPD   Y11, Y2, Y4, Y4; \
	VBLENDVPD   Y10, Y13, Y4, Y4

// ADDLANES4 adds the four lanes of Y4 to X14 one by one, in order, as a
// loop adding term after term does; it clobbers X5-X7.
#define ADDLANES4 \
	VADDSD       X4, X14, X14; \
	VPERMILPD    $1, X4, X5; \
	VADDSD       X5, X14, X14; \
	VEXTRACTF128 $1, Y4, X6; \
	VADDSD       X6, X14, X14; \
	VPERMILPD    $1, X6, X7; \
	VADDSD       X7, X14, X14

// func logProbAVX2(a, x *float64, n int, coef *[sigN][4]float64) float64
//
// Σ_{i<n} logSigmoid(x_i ≠ 0 ? a_i : −a_i) for n a multiple of 4: the
// terms four at a time as logSigmoid in sigmoid.go computes each (u =
// 16y + 480, which is (y + 30)·16; y itself where !(u > 0), NaN
// included; 0 where u ≥ 960; else the interval's cubic, its coefficients
// one 32-byte load per lane, transposed), then added to the sum one by
// one in order, as the loop in stateLogProb adds them: the same bits.
TEXT ·logProbAVX2(SB), NOSPLIT, $0-40
	MOVQ   a+0(FP), SI
	MOVQ   x+8(FP), DI
	MOVQ   n+16(FP), CX
	MOVQ   coef+24(FP), R11
	VXORPD X14, X14, X14 // the sum
	VXORPD Y2, Y2, Y2
	XORQ   DX, DX

lploop:
	CMPQ        DX, CX
	JGE         lpdone
	VMOVUPD     (SI)(DX*8), Y0
	VMOVUPD     (DI)(DX*8), Y1
	VCMPPD      $0, Y2, Y1, Y3        // x == 0
	VANDPD      sign64<>(SB), Y3, Y3
	VXORPD      Y3, Y0, Y13           // y = x ≠ 0 ? a : −a
	LOGSIG4
	ADDLANES4
	ADDQ        $4, DX
	JMP         lploop

lpdone:
	VMOVSD     X14, ret+32(FP)
	VZEROUPPER
	RET

// The mean-field rows (meanfield.go): the portable loops' operations,
// four children at a time, in the same order, so the same bits. Y14
// holds 1 and Y15 the parent's mean p.

// func mfSumsRowAVX2(z, pa, pb, w, ea, eb *float64, n int, p float64)
TEXT ·mfSumsRowAVX2(SB), NOSPLIT, $0-64
	MOVQ         z+0(FP), DI
	MOVQ         pa+8(FP), SI
	MOVQ         pb+16(FP), R8
	MOVQ         w+24(FP), R9
	MOVQ         ea+32(FP), R10
	MOVQ         eb+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD p+56(FP), Y15
	VMOVUPD      one4<>(SB), Y14
	XORQ         DX, DX

msloop:
	CMPQ    DX, CX
	JGE     msdone
	VMULPD  (R9)(DX*8), Y15, Y0 // p·w
	VADDPD  (DI)(DX*8), Y0, Y0  // z + p·w
	VMOVUPD Y0, (DI)(DX*8)
	VMOVUPD (R10)(DX*8), Y1
	VSUBPD  Y14, Y1, Y1         // ea − 1
	VMULPD  Y1, Y15, Y1
	VADDPD  Y14, Y1, Y1         // 1 + p·(ea − 1)
	VMULPD  (SI)(DX*8), Y1, Y1
	VMOVUPD Y1, (SI)(DX*8)
	VMOVUPD (R11)(DX*8), Y2
	VSUBPD  Y14, Y2, Y2         // eb − 1
	VMULPD  Y2, Y15, Y2
	VADDPD  Y14, Y2, Y2         // 1 + p·(eb − 1)
	VMULPD  (R8)(DX*8), Y2, Y2
	VMOVUPD Y2, (R8)(DX*8)
	ADDQ    $4, DX
	JMP     msloop

msdone:
	VZEROUPPER
	RET

// MFTILTED sets u to the tilted mean p·e/(1 + p(e − 1)) of the factors e
// at (e)(DX*8), p in Y15 and 1 in Y14 (Y4 is scratch).
#define MFTILTED(e, u) \
	VMOVUPD (e)(DX*8), u; \
	VSUBPD  Y14, u, Y4; \
	VMULPD  Y4, Y15, Y4; \
	VADDPD  Y14, Y4, Y4; \
	VMULPD  u, Y15, u; \
	VDIVPD  Y4, u, u

// MFTILT sets out to u = p·e/(1 + p·(e − 1)) for the factors at (e)(DX*8),
// then adds u·w to (m)(DX*8) and u·(1 − u)·w² to (v)(DX*8), w in Y0 and w²
// in Y1.
#define MFTILT(e, m, v) \
	MFTILTED(e, Y3); \
	VMULPD  Y0, Y3, Y5; \
	VADDPD  (m)(DX*8), Y5, Y5; \
	VMOVUPD Y5, (m)(DX*8); \
	VSUBPD  Y3, Y14, Y6; \
	VMULPD  Y6, Y3, Y6; \
	VMULPD  Y1, Y6, Y6; \
	VADDPD  (v)(DX*8), Y6, Y6; \
	VMOVUPD Y6, (v)(DX*8)

// func mfNewtonRowAVX2(ma, mb, va, vb, w, ea, eb *float64, n int, p float64)
TEXT ·mfNewtonRowAVX2(SB), NOSPLIT, $0-72
	MOVQ         ma+0(FP), DI
	MOVQ         mb+8(FP), SI
	MOVQ         va+16(FP), R8
	MOVQ         vb+24(FP), R9
	MOVQ         w+32(FP), R10
	MOVQ         ea+40(FP), R11
	MOVQ         eb+48(FP), R12
	MOVQ         n+56(FP), CX
	VBROADCASTSD p+64(FP), Y15
	VMOVUPD      one4<>(SB), Y14
	XORQ         DX, DX

mnloop:
	CMPQ    DX, CX
	JGE     mndone
	VMOVUPD (R10)(DX*8), Y0 // w
	VMULPD  Y0, Y0, Y1      // w²
	MFTILT(R11, DI, R8)
	MFTILT(R12, SI, R9)
	ADDQ    $4, DX
	JMP     mnloop

mndone:
	VZEROUPPER
	RET


// func mfLearnRowAVX2(w, ea, eb, d, ca, cb *float64, n int, p, eps float64)
TEXT ·mfLearnRowAVX2(SB), NOSPLIT, $0-72
	MOVQ         w+0(FP), DI
	MOVQ         ea+8(FP), SI
	MOVQ         eb+16(FP), R8
	MOVQ         d+24(FP), R9
	MOVQ         ca+32(FP), R10
	MOVQ         cb+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD p+56(FP), Y15
	VBROADCASTSD eps+64(FP), Y13
	VMOVUPD      one4<>(SB), Y14
	XORQ         DX, DX

mlloop:
	CMPQ    DX, CX
	JGE     mldone
	MFTILTED(SI, Y3)
	MFTILTED(R8, Y6)
	VMULPD  (R9)(DX*8), Y15, Y0  // d·p
	VMULPD  (R10)(DX*8), Y3, Y3  // ca·ua
	VADDPD  Y3, Y0, Y0
	VMULPD  (R11)(DX*8), Y6, Y6  // cb·ub
	VSUBPD  Y6, Y0, Y0           // the gradient
	VMULPD  Y0, Y13, Y0
	VADDPD  (DI)(DX*8), Y0, Y0   // w + eps·gradient
	VMOVUPD Y0, (DI)(DX*8)
	ADDQ    $4, DX
	JMP     mlloop

mldone:
	VZEROUPPER
	RET

// func mfGradRowAVX2(d float64, muc, xic, pbc, w, ea, eb *float64, n int, p float64) float64
TEXT ·mfGradRowAVX2(SB), NOSPLIT, $0-80
	VMOVSD       d+0(FP), X14
	MOVQ         muc+8(FP), DI
	MOVQ         xic+16(FP), SI
	MOVQ         pbc+24(FP), R8
	MOVQ         w+32(FP), R9
	MOVQ         ea+40(FP), R10
	MOVQ         eb+48(FP), R11
	MOVQ         n+56(FP), CX
	VBROADCASTSD p+64(FP), Y15
	VMOVUPD      one4<>(SB), Y13
	XORQ         DX, DX

mgloop:
	CMPQ    DX, CX
	JGE     mgdone
	VMOVUPD (DI)(DX*8), Y0
	VSUBPD  (SI)(DX*8), Y0, Y0 // μ − ξ
	VMULPD  (R9)(DX*8), Y0, Y0 // ·w
	VMOVUPD (R8)(DX*8), Y1     // pb
	VMOVUPD (R10)(DX*8), Y2
	VSUBPD  Y13, Y2, Y2        // ea − 1
	VMULPD  Y2, Y15, Y3
	VADDPD  Y13, Y3, Y3        // da
	VSUBPD  Y1, Y13, Y4        // 1 − pb
	VMULPD  Y2, Y4, Y4
	VDIVPD  Y3, Y4, Y4         // (1 − pb)(ea − 1)/da
	VSUBPD  Y4, Y0, Y0
	VMOVUPD (R11)(DX*8), Y2
	VSUBPD  Y13, Y2, Y2        // eb − 1
	VMULPD  Y2, Y15, Y3
	VADDPD  Y13, Y3, Y3        // db
	VMULPD  Y2, Y1, Y4
	VDIVPD  Y3, Y4, Y4         // pb(eb − 1)/db
	VSUBPD  Y4, Y0, Y4
	ADDLANES4
	ADDQ    $4, DX
	JMP     mgloop

mgdone:
	VMOVSD     X14, ret+72(FP)
	VZEROUPPER
	RET

// func mfMoveRowAVX2(z, pbc, w, ea, eb *float64, n int, p, q float64)
TEXT ·mfMoveRowAVX2(SB), NOSPLIT, $0-64
	MOVQ         z+0(FP), DI
	MOVQ         pbc+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         ea+24(FP), R9
	MOVQ         eb+32(FP), R10
	MOVQ         n+40(FP), CX
	VBROADCASTSD p+48(FP), Y15
	VBROADCASTSD q+56(FP), Y13
	VSUBPD       Y15, Y13, Y12 // q − p
	VMOVUPD      one4<>(SB), Y14
	XORQ         DX, DX

mmloop:
	CMPQ      DX, CX
	JGE       mmdone
	VMULPD    (R8)(DX*8), Y12, Y0
	VADDPD    (DI)(DX*8), Y0, Y0 // z + (q − p)·w
	VMOVUPD   Y0, (DI)(DX*8)
	VMOVUPD   (R9)(DX*8), Y1
	VSUBPD    Y14, Y1, Y1        // ea − 1
	VMULPD    Y1, Y15, Y2
	VADDPD    Y14, Y2, Y2        // da
	VMULPD    Y1, Y13, Y3
	VADDPD    Y14, Y3, Y3        // na
	VMOVUPD   (R10)(DX*8), Y1
	VSUBPD    Y14, Y1, Y1        // eb − 1
	VMULPD    Y1, Y15, Y4
	VADDPD    Y14, Y4, Y4        // db
	VMULPD    Y1, Y13, Y5
	VADDPD    Y14, Y5, Y5        // nb
	VMOVUPD   (SI)(DX*8), Y6     // pb
	VSUBPD    Y6, Y14, Y7
	VDIVPD    Y7, Y6, Y7         // pb/(1 − pb)
	VMULPD    Y2, Y5, Y8         // nb·da
	VMULPD    Y8, Y7, Y7
	VMULPD    Y3, Y4, Y8         // db·na
	VDIVPD    Y8, Y7, Y7         // the odds
	VADDPD    Y14, Y7, Y8
	VDIVPD    Y8, Y7, Y7         // odds/(1 + odds)
	VCMPPD    $3, Y7, Y7, Y9     // NaN
	VBLENDVPD Y9, Y6, Y7, Y7     // pb there
	VMOVUPD   Y7, (SI)(DX*8)
	ADDQ      $4, DX
	JMP       mmloop

mmdone:
	VZEROUPPER
	RET

// e^x and log x, four lanes at a time, as math/exp_amd64.s (its FMA path)
// and math/log_amd64.s compute them, operation for operation: the bits of
// internal/libm's Exp and Log. The kernels that use them stop at the first
// group of four with a lane outside the range where that path is the whole
// story (|x| > 708 for e^x, which keeps 2^k normal; x not a positive
// normal number for log x) and return its index; their wrappers compute
// that group by the scalar function and go on.

CONST4(abs4, 0x7fffffffffffffff)
CONST4(expLim4, 0x4086200000000000)    // 708
CONST4(log2e4, 0x3ff71547652b82fe)     // 1/ln 2
CONST4(ln2u4, 0x3fe62e42fefa3000)      // ln 2, upper part
CONST4(ln2l4, 0x3d53de6af278ece6)      // ln 2, lower part
CONST4(sixteenth4, 0x3fb0000000000000) // 1/16
CONST4(expC8, 0x3efa01a01a01a01a)      // 1/8!
CONST4(expC7, 0x3f2a01a01a01a01a)      // 1/7!
CONST4(expC6, 0x3f56c16c16c16c17)      // 1/6!
CONST4(expC5, 0x3f81111111111111)      // 1/5!
CONST4(expC4, 0x3fa5555555555555)      // 1/4!
CONST4(expC3, 0x3fc5555555555555)      // 1/3!
CONST4(half4, 0x3fe0000000000000)      // 1/2
CONST4(two4, 0x4000000000000000)       // 2
CONST4(bias64, 0x00000000000003ff)     // 1023
CONST4(minNormal64, 0x0010000000000000) // 2^−1022's bits
CONST4(maxFinite64, 0x7fefffffffffffff)
CONST4(mantissa64, 0x000fffffffffffff)
CONST4(logOff4, 0x408ff00000000000)    // 1022 (the exponent's bias less 1)
CONST4(hsqrt2, 0x3fe6a09e667f3bcd)     // √2/2
CONST4(ln2hi4, 0x3fe62e42fee00000)
CONST4(ln2lo4, 0x3dea39ef35793c76)
CONST4(logL1, 0x3fe5555555555593)
CONST4(logL2, 0x3fd999999997fa04)
CONST4(logL3, 0x3fd2492494229359)
CONST4(logL4, 0x3fcc71c51d8e78af)
CONST4(logL5, 0x3fc7466496cb03de)
CONST4(logL6, 0x3fc39a09d078c69f)
CONST4(logL7, 0x3fc2f112df3e5244)

// EXPOUT sets AX non-zero if a lane of x is outside [−708, 708] or NaN,
// clobbering t.
#define EXPOUT(x, t) \
	VANDPD    abs4<>(SB), x, t; \
	VCMPPD    $6, expLim4<>(SB), t, t; \
	VMOVMSKPD t, AX

// EXP4 sets Y0 to e^Y0 lane by lane, clobbering Y1-Y3: k = round(x/ln 2)
// (to even, as CVTSD2SL), r = (x − k·ln2U − k·ln2L)/16 by two fused steps,
// y = e^r − 1 by the Taylor polynomial of degree 8 (fused steps), four
// squarings y(y + 2) (the last fused with its + 1), times 2^k.
#define EXP4 \
	VMULPD       log2e4<>(SB), Y0, Y1; \
	VCVTPD2DQY   Y1, X2; \
	VCVTDQ2PD    X2, Y1; \
	VFNMADD231PD ln2u4<>(SB), Y1, Y0; \
	VFNMADD231PD ln2l4<>(SB), Y1, Y0; \
	VMULPD       sixteenth4<>(SB), Y0, Y0; \
	VMOVUPD      expC8<>(SB), Y3; \
	VFMADD213PD  expC7<>(SB), Y0, Y3; \
	VFMADD213PD  expC6<>(SB), Y0, Y3; \
	VFMADD213PD  expC5<>(SB), Y0, Y3; \
	VFMADD213PD  expC4<>(SB), Y0, Y3; \
	VFMADD213PD  expC3<>(SB), Y0, Y3; \
	VFMADD213PD  half4<>(SB), Y0, Y3; \
	VFMADD213PD  one4<>(SB), Y0, Y3; \
	VMULPD       Y3, Y0, Y0; \
	VADDPD       two4<>(SB), Y0, Y3; \
	VMULPD       Y3, Y0, Y0; \
	VADDPD       two4<>(SB), Y0, Y3; \
	VMULPD       Y3, Y0, Y0; \
	VADDPD       two4<>(SB), Y0, Y3; \
	VMULPD       Y3, Y0, Y0; \
	VADDPD       two4<>(SB), Y0, Y3; \
	VFMADD213PD  one4<>(SB), Y3, Y0; \
	VPMOVSXDQ    X2, Y2; \
	VPADDQ       bias64<>(SB), Y2, Y2; \
	VPSLLQ       $52, Y2, Y2; \
	VMULPD       Y2, Y0, Y0

// LOGOUT sets AX non-zero if a lane of x (Y0) is not a positive normal
// number, clobbering Y1 and Y2.
#define LOGOUT \
	VMOVDQU   minNormal64<>(SB), Y1; \
	VPCMPGTQ  Y0, Y1, Y1; \
	VPCMPGTQ  maxFinite64<>(SB), Y0, Y2; \
	VPOR      Y2, Y1, Y1; \
	VMOVMSKPD Y1, AX

// LOG4 sets Y0 to log Y0 lane by lane, clobbering Y1-Y6: f1 = the
// mantissa in [1/2, 1) and k the exponent; where f1 ≤ √2/2 (the compare
// of log_amd64.s), k − 1 and 2·f1; f = f1 − 1, s = f/(2 + f) and the
// rest as there, no fused steps.
#define LOG4 \
	VPSRLQ    $52, Y0, Y1; \
	VPOR      two52<>(SB), Y1, Y1; \
	VSUBPD    two52<>(SB), Y1, Y1; \
	VSUBPD    logOff4<>(SB), Y1, Y1; \
	VANDPD    mantissa64<>(SB), Y0, Y0; \
	VORPD     half4<>(SB), Y0, Y0; \
	VMOVUPD   hsqrt2<>(SB), Y2; \
	VCMPPD    $5, Y0, Y2, Y2; \
	VANDPD    one4<>(SB), Y2, Y2; \
	VSUBPD    Y2, Y1, Y1; \
	VADDPD    one4<>(SB), Y2, Y2; \
	VMULPD    Y2, Y0, Y0; \
	VSUBPD    one4<>(SB), Y0, Y0; \
	VADDPD    two4<>(SB), Y0, Y2; \
	VDIVPD    Y2, Y0, Y3; \
	VMULPD    Y3, Y3, Y4; \
	VMULPD    Y4, Y4, Y5; \
	VMULPD    logL7<>(SB), Y5, Y6; \
	VADDPD    logL5<>(SB), Y6, Y6; \
	VMULPD    Y5, Y6, Y6; \
	VADDPD    logL3<>(SB), Y6, Y6; \
	VMULPD    Y5, Y6, Y6; \
	VADDPD    logL1<>(SB), Y6, Y6; \
	VMULPD    Y6, Y4, Y4; \
	VMULPD    logL6<>(SB), Y5, Y6; \
	VADDPD    logL4<>(SB), Y6, Y6; \
	VMULPD    Y5, Y6, Y6; \
	VADDPD    logL2<>(SB), Y6, Y6; \
	VMULPD    Y6, Y5, Y5; \
	VADDPD    Y5, Y4, Y4; \
	VMULPD    half4<>(SB), Y0, Y2; \
	VMULPD    Y0, Y2, Y2; \
	VADDPD    Y2, Y4, Y4; \
	VMULPD    Y4, Y3, Y3; \
	VMULPD    ln2lo4<>(SB), Y1, Y4; \
	VADDPD    Y4, Y3, Y3; \
	VSUBPD    Y3, Y2, Y2; \
	VSUBPD    Y0, Y2, Y2; \
	VMULPD    ln2hi4<>(SB), Y1, Y1; \
	VSUBPD    Y2, Y1, Y0

// func expRowAVX2(dst, x *float64, n int) int
//
// dst[i] = e^x[i] for i < n, n a multiple of 4, up to the first group of
// four that EXPOUT refuses, whose index it returns (n if none).
TEXT ·expRowAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ DX, DX

erloop:
	CMPQ    DX, CX
	JGE     erdone
	VMOVUPD (SI)(DX*8), Y0
	EXPOUT(Y0, Y1)
	TESTQ   AX, AX
	JNZ     erdone
	EXP4
	VMOVUPD Y0, (DI)(DX*8)
	ADDQ    $4, DX
	JMP     erloop

erdone:
	MOVQ DX, ret+24(FP)
	VZEROUPPER
	RET

// func mfFactorsRowAVX2(ea, eb, w, ew, xi *float64, n int) int
//
// ea[i] = e^(−ξ_i·w_i) and eb[i] = ea[i]·ew[i] for i < n, n a multiple of
// 4, up to the first group of four that EXPOUT refuses, whose index it
// returns (n if none).
TEXT ·mfFactorsRowAVX2(SB), NOSPLIT, $0-56
	MOVQ ea+0(FP), DI
	MOVQ eb+8(FP), SI
	MOVQ w+16(FP), R8
	MOVQ ew+24(FP), R9
	MOVQ xi+32(FP), R10
	MOVQ n+40(FP), CX
	XORQ DX, DX

mfloop:
	CMPQ    DX, CX
	JGE     mfdone
	VMOVUPD (R10)(DX*8), Y0
	VXORPD  sign64<>(SB), Y0, Y0 // −ξ
	VMULPD  (R8)(DX*8), Y0, Y0   // −ξ·w
	EXPOUT(Y0, Y1)
	TESTQ   AX, AX
	JNZ     mfdone
	EXP4
	VMOVUPD Y0, (DI)(DX*8)
	VMULPD  (R9)(DX*8), Y0, Y0
	VMOVUPD Y0, (SI)(DX*8)
	ADDQ    $4, DX
	JMP     mfloop

mfdone:
	MOVQ DX, ret+48(FP)
	VZEROUPPER
	RET

// func mfLogsRowAVX2(la, lb, pa, pb *float64, n int) int
//
// la[i] += log pa[i], lb[i] += log pb[i], and pa[i] = pb[i] = 1 for i < n,
// n a multiple of 4, up to the first group of four that LOGOUT refuses in
// pa or pb, whose index it returns (n if none).
TEXT ·mfLogsRowAVX2(SB), NOSPLIT, $0-48
	MOVQ    la+0(FP), DI
	MOVQ    lb+8(FP), SI
	MOVQ    pa+16(FP), R8
	MOVQ    pb+24(FP), R9
	MOVQ    n+32(FP), CX
	XORQ    DX, DX
	VMOVUPD one4<>(SB), Y14

mlloop:
	CMPQ    DX, CX
	JGE     mldone
	VMOVUPD (R8)(DX*8), Y0
	LOGOUT
	MOVQ    AX, BX
	VMOVUPD (R9)(DX*8), Y0
	LOGOUT
	ORQ     BX, AX
	JNZ     mldone
	VMOVUPD (R8)(DX*8), Y0
	LOG4
	VADDPD  (DI)(DX*8), Y0, Y0
	VMOVUPD Y0, (DI)(DX*8)
	VMOVUPD Y14, (R8)(DX*8)
	VMOVUPD (R9)(DX*8), Y0
	LOG4
	VADDPD  (SI)(DX*8), Y0, Y0
	VMOVUPD Y0, (SI)(DX*8)
	VMOVUPD Y14, (R9)(DX*8)
	ADDQ    $4, DX
	JMP     mlloop

mldone:
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET

// func mfOddsRowAVX2(pb, la, lb *float64, n int) int
//
// pb[i] = σ(lb[i] − la[i]) for i < n, n a multiple of 4, as sigmoidExact
// computes it (1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below), up to the
// first group of four whose e^−|x| EXPOUT refuses, whose index it returns
// (n if none).
TEXT ·mfOddsRowAVX2(SB), NOSPLIT, $0-40
	MOVQ    pb+0(FP), DI
	MOVQ    la+8(FP), SI
	MOVQ    lb+16(FP), R8
	MOVQ    n+24(FP), CX
	XORQ    DX, DX
	VMOVUPD one4<>(SB), Y14
	VXORPD  Y13, Y13, Y13

moloop:
	CMPQ      DX, CX
	JGE       modone
	VMOVUPD   (R8)(DX*8), Y4
	VSUBPD    (SI)(DX*8), Y4, Y4 // x = lb − la
	VORPD     sign64<>(SB), Y4, Y0 // −|x|
	EXPOUT(Y0, Y1)
	TESTQ     AX, AX
	JNZ       modone
	EXP4
	VCMPPD    $0x0D, Y13, Y4, Y5 // x ≥ 0
	VADDPD    Y14, Y0, Y1        // 1 + e
	VBLENDVPD Y5, Y14, Y0, Y0    // x ≥ 0 ? 1 : e
	VDIVPD    Y1, Y0, Y0
	VMOVUPD   Y0, (DI)(DX*8)
	ADDQ      $4, DX
	JMP       moloop

modone:
	MOVQ DX, ret+32(FP)
	VZEROUPPER
	RET

// func axpyAVX2(p, grad *float64, n int, s float64)
//
// axpyGo for the first n elements, n a multiple of 4: p += s·g, the
// product rounded before the sum (no FMA), as the Go loop computes it.
TEXT ·axpyAVX2(SB), NOSPLIT, $0-32
	MOVQ         p+0(FP), DI
	MOVQ         grad+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD s+24(FP), Y1

axpyloop:
	CMPQ    CX, $8
	JLT     axpylast
	VMULPD  (SI), Y1, Y0
	VMULPD  32(SI), Y1, Y2
	VADDPD  (DI), Y0, Y0
	VADDPD  32(DI), Y2, Y2
	VMOVUPD Y0, (DI)
	VMOVUPD Y2, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $8, CX
	JMP     axpyloop

axpylast:
	TESTQ   CX, CX
	JZ      axpydone
	VMULPD  (SI), Y1, Y0
	VADDPD  (DI), Y0, Y0
	VMOVUPD Y0, (DI)

axpydone:
	VZEROUPPER
	RET

// func gibbsFlipAVX2(sm, pr *[8]float64, c, w, xc, e, en, f, h, e1, en1 *float64, n int, on bool)
//
// gibbsFlipAVX512 (gibbs512_amd64.s) for n a multiple of 8, four lanes a
// register: lanes 0-3 in Y10 and Y8, lanes 4-7 in Y11 and Y9.
#define GFHALF(off, SM, PR) \
	VMOVUPD   off(SI)(BX*8), Y0; \
	VXORPD    off(DI)(BX*8), Y12, Y1; \
	VADDPD    Y1, Y0, Y0; \
	VMOVUPD   off(DX)(BX*8), Y2; \
	VCMPPD    $0x00, Y15, Y2, Y2; \
	VANDPD    Y14, Y2, Y2; \
	VXORPD    Y2, Y0, Y0; \
	VMINPD    Y0, Y15, Y0; \
	VADDPD    Y0, SM, SM; \
	VMOVUPD   off(R8)(BX*8), Y3; \
	VMULPD    off(R10)(BX*8), Y3, Y3; \
	VMOVUPD   off(R9)(BX*8), Y4; \
	VMULPD    off(R11)(BX*8), Y4, Y4; \
	VMOVUPD   Y3, off(R12)(BX*8); \
	VMOVUPD   Y4, off(R13)(BX*8); \
	VMINPD    Y4, Y3, Y5; \
	VCMPPD    $0x03, Y4, Y3, Y6; \
	VADDPD    Y4, Y3, Y7; \
	VBLENDVPD Y6, Y7, Y5, Y5; \
	VADDPD    Y13, Y5, Y5; \
	VMULPD    Y5, PR, PR

TEXT ·gibbsFlipAVX2(SB), NOSPLIT, $0-97
	MOVQ         c+16(FP), SI
	MOVQ         w+24(FP), DI
	MOVQ         xc+32(FP), DX
	MOVQ         e+40(FP), R8
	MOVQ         en+48(FP), R9
	MOVQ         f+56(FP), R10
	MOVQ         h+64(FP), R11
	MOVQ         e1+72(FP), R12
	MOVQ         en1+80(FP), R13
	MOVQ         n+88(FP), CX
	VXORPD       Y15, Y15, Y15 // 0
	VBROADCASTSD sign64<>(SB), Y14
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X13
	VBROADCASTSD X13, Y13 // 1
	VXORPD       Y12, Y12, Y12 // what flips w's sign: the sign bit if on
	MOVBQZX      on+96(FP), AX
	TESTQ        AX, AX
	JZ           gf2start
	VMOVAPD      Y14, Y12

gf2start:
	MOVQ    sm+0(FP), AX
	VMOVUPD (AX), Y10
	VMOVUPD 32(AX), Y11
	MOVQ    pr+8(FP), AX
	VMOVUPD (AX), Y8
	VMOVUPD 32(AX), Y9
	XORQ    BX, BX

gf2loop:
	CMPQ BX, CX
	JGE  gf2done
	GFHALF(0, Y10, Y8)
	GFHALF(32, Y11, Y9)
	ADDQ $8, BX
	JMP  gf2loop

gf2done:
	MOVQ    sm+0(FP), AX
	VMOVUPD Y10, (AX)
	VMOVUPD Y11, 32(AX)
	MOVQ    pr+8(FP), AX
	VMOVUPD Y8, (AX)
	VMOVUPD Y9, 32(AX)
	VZEROUPPER
	RET
