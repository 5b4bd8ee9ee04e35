//go:build !purego

#include "go_asm.h"
#include "textflag.h"

// The eight-lane kernels of Lanes (lanes.go) on AVX-512 (F, DQ, VL): the
// four-lane AVX2 kernels of kernel_amd64.s with each unit's lanes in one
// 512-bit register, element for element the same floating-point
// operations (no FMA). Constants are broadcast from one 8-byte copy.
// Z15 and R14/R15 are left alone.

#define CONST1(name, bits) \
	DATA name<>+0(SB)/8, $bits; \
	GLOBL name<>(SB), RODATA|NOPTR, $8

CONST1(sigScale, 0x4030000000000000)  // 16 = sigScale
CONST1(sigOffset, 0x407e000000000000) // 480 = sigLimit·sigScale
CONST1(sigTop, 0x408e000000000000)    // 960 = sigN
CONST1(two32, 0x41f0000000000000)     // 2^32
CONST1(two31p1, 0x41e0000000200000)   // 2^31 + 1
CONST1(one, 0x3ff0000000000000)       // 1
CONST1(signs32, 0x8000000080000000)   // the sign bit of each 32-bit lane

// sigPerm<> gathers a coefficient of eight lanes from the unpacked rows
// (VPERMT2PD indices): the even coefficient first, then the odd one.
DATA sigPerm<>+0(SB)/8, $0
DATA sigPerm<>+8(SB)/8, $1
DATA sigPerm<>+16(SB)/8, $8
DATA sigPerm<>+24(SB)/8, $9
DATA sigPerm<>+32(SB)/8, $4
DATA sigPerm<>+40(SB)/8, $5
DATA sigPerm<>+48(SB)/8, $12
DATA sigPerm<>+56(SB)/8, $13
DATA sigPerm<>+64(SB)/8, $2
DATA sigPerm<>+72(SB)/8, $3
DATA sigPerm<>+80(SB)/8, $10
DATA sigPerm<>+88(SB)/8, $11
DATA sigPerm<>+96(SB)/8, $6
DATA sigPerm<>+104(SB)/8, $7
DATA sigPerm<>+112(SB)/8, $14
DATA sigPerm<>+120(SB)/8, $15
GLOBL sigPerm<>(SB), RODATA|NOPTR, $128

// SIGCONSTS loads the constants of SIGMOID8 and sets R11 = &sigCoef.
#define SIGCONSTS \
	VBROADCASTSD sigScale<>(SB), Z16; \
	VBROADCASTSD sigOffset<>(SB), Z17; \
	VBROADCASTSD sigTop<>(SB), Z18; \
	VPXORQ       Z19, Z19, Z19; \
	VMOVDQU64    sigPerm<>(SB), Z20; \
	VMOVDQU64    sigPerm<>+64(SB), Z21; \
	LEAQ         ·sigCoef(SB), R11

// SIGMOID8 replaces the eight float64 in Z0 by their fast sigmoids, as
// SIGMOID4 in kernel_amd64.s does four: u = 16x + 480 clamped to
// [0, 960] (NaN to 0), i = int(u), s = u − i, each lane's four
// coefficients one 32-byte load (lanes c and c + 4 in one register),
// transposed into C0..C3; σ = (C0 + s·C1) + s²·(C2 + s·C3). It needs
// SIGCONSTS and clobbers Z1–Z14, AX, BX, R12 and R13.
#define SIGMOID8 \
	VMULPD        Z16, Z0, Z0; \
	VADDPD        Z17, Z0, Z0; \
	VMAXPD        Z19, Z0, Z0; \
	VMINPD        Z0, Z18, Z1; \
	VCVTTPD2DQ    Z1, Y2; \
	VCVTDQ2PD     Y2, Z3; \
	VSUBPD        Z3, Z1, Z1; \
	VPSLLD        $5, Y2, Y2; \
	VMOVD         X2, AX; \
	VPEXTRD       $1, X2, BX; \
	VPEXTRD       $2, X2, R12; \
	VPEXTRD       $3, X2, R13; \
	VMOVUPD       (R11)(AX*1), Y4; \
	VMOVUPD       (R11)(BX*1), Y5; \
	VMOVUPD       (R11)(R12*1), Y6; \
	VMOVUPD       (R11)(R13*1), Y7; \
	VEXTRACTI128  $1, Y2, X2; \
	VMOVD         X2, AX; \
	VPEXTRD       $1, X2, BX; \
	VPEXTRD       $2, X2, R12; \
	VPEXTRD       $3, X2, R13; \
	VINSERTF64X4  $1, (R11)(AX*1), Z4, Z4; \
	VINSERTF64X4  $1, (R11)(BX*1), Z5, Z5; \
	VINSERTF64X4  $1, (R11)(R12*1), Z6, Z6; \
	VINSERTF64X4  $1, (R11)(R13*1), Z7, Z7; \
	VUNPCKLPD     Z5, Z4, Z8; \
	VUNPCKHPD     Z5, Z4, Z9; \
	VUNPCKLPD     Z7, Z6, Z10; \
	VUNPCKHPD     Z7, Z6, Z11; \
	VMOVAPD       Z8, Z12; \
	VPERMT2PD     Z10, Z20, Z12; \
	VPERMT2PD     Z10, Z21, Z8; \
	VMOVAPD       Z9, Z13; \
	VPERMT2PD     Z11, Z20, Z13; \
	VPERMT2PD     Z11, Z21, Z9; \
	VMULPD        Z1, Z1, Z14; \
	VMULPD        Z13, Z1, Z13; \
	VADDPD        Z13, Z12, Z12; \
	VMULPD        Z9, Z1, Z9; \
	VADDPD        Z9, Z8, Z8; \
	VMULPD        Z8, Z14, Z8; \
	VADDPD        Z8, Z12, Z0

// LANELOGITS8 is LANELOGITS of kernel_amd64.s for eight lanes: out[k] =
// bias[k] + Σ_{i∈act} x_i·w_ik for every unit k < n, each summed in the
// order of act, eight units at a time (then one), with DI = &out,
// SI = &bias, DX = &rows, R8 = &x, R9 = &act, R11 = len(act) and R10 = n.
// Where x_i is 1 it adds w_ik, which is x_i·w_ik, and where x_i is 0 it
// adds nothing (a masked add): the sum of the active rows alone, which a
// chain alone makes. It sets Z9 to all ones and clobbers AX, BX, CX, R12,
// R13, Z0–Z7 and K1.
#define LANELOGITS8 \
	VPTERNLOGQ $0xff, Z9, Z9, Z9; \
	XORQ    R13, R13; \
logitblock: \
	MOVQ    R10, AX; \
	SHLQ    $6, AX; \
	SUBQ    R13, AX; \
	CMPQ    AX, $512; \
	JLT     logitone; \
	VMOVUPD (SI)(R13*1), Z0; \
	VMOVUPD 64(SI)(R13*1), Z1; \
	VMOVUPD 128(SI)(R13*1), Z2; \
	VMOVUPD 192(SI)(R13*1), Z3; \
	VMOVUPD 256(SI)(R13*1), Z4; \
	VMOVUPD 320(SI)(R13*1), Z5; \
	VMOVUPD 384(SI)(R13*1), Z6; \
	VMOVUPD 448(SI)(R13*1), Z7; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitblockin: \
	TESTQ   R12, R12; \
	JZ      logitblockout; \
	MOVLQSX (BX), AX; \
	SHLQ    $6, AX; \
	VPTESTMQ (R8)(AX*1), Z9, K1; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VADDPD  (AX), Z0, K1, Z0; \
	VADDPD  64(AX), Z1, K1, Z1; \
	VADDPD  128(AX), Z2, K1, Z2; \
	VADDPD  192(AX), Z3, K1, Z3; \
	VADDPD  256(AX), Z4, K1, Z4; \
	VADDPD  320(AX), Z5, K1, Z5; \
	VADDPD  384(AX), Z6, K1, Z6; \
	VADDPD  448(AX), Z7, K1, Z7; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitblockin; \
logitblockout: \
	VMOVUPD Z0, (DI)(R13*1); \
	VMOVUPD Z1, 64(DI)(R13*1); \
	VMOVUPD Z2, 128(DI)(R13*1); \
	VMOVUPD Z3, 192(DI)(R13*1); \
	VMOVUPD Z4, 256(DI)(R13*1); \
	VMOVUPD Z5, 320(DI)(R13*1); \
	VMOVUPD Z6, 384(DI)(R13*1); \
	VMOVUPD Z7, 448(DI)(R13*1); \
	ADDQ    $512, R13; \
	JMP     logitblock; \
logitone: \
	TESTQ   AX, AX; \
	JLE     logitdone; \
	VMOVUPD (SI)(R13*1), Z0; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitonein: \
	TESTQ   R12, R12; \
	JZ      logitoneout; \
	MOVLQSX (BX), AX; \
	SHLQ    $6, AX; \
	VPTESTMQ (R8)(AX*1), Z9, K1; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VADDPD  (AX), Z0, K1, Z0; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitonein; \
logitoneout: \
	VMOVUPD Z0, (DI)(R13*1); \
	ADDQ    $64, R13; \
	JMP     logitblock; \
logitdone:

// DELTAS8 replaces the CX registers of logits from (DI) on by
// eps·(x − σ(logit)), x the states from (SI) on, eps in Z22, and returns.
// It needs SIGCONSTS.
#define DELTAS8 \
deltasloop: \
	TESTQ   CX, CX; \
	JZ      deltasdone; \
	VMOVUPD (DI), Z0; \
	SIGMOID8; \
	VMOVUPD (SI), Z1; \
	VSUBPD  Z0, Z1, Z1; \
	VMULPD  Z1, Z22, Z1; \
	VMOVUPD Z1, (DI); \
	ADDQ    $64, DI; \
	ADDQ    $64, SI; \
	DECQ    CX; \
	JMP     deltasloop; \
deltasdone: \
	VZEROUPPER; \
	RET

// ADDBIAS8 adds the CX registers from (DX) on to those from (SI) on, and
// sets Z9 to all ones. It clobbers AX, R8 and Z0.
#define ADDBIAS8 \
	MOVQ       SI, AX; \
	MOVQ       DX, R8; \
	VPTERNLOGQ $0xff, Z9, Z9, Z9; \
addbias: \
	TESTQ   CX, CX; \
	JZ      addbiasdone; \
	VMOVUPD (AX), Z0; \
	VADDPD  (R8), Z0, Z0; \
	VMOVUPD Z0, (AX); \
	ADDQ    $64, AX; \
	ADDQ    $64, R8; \
	DECQ    CX; \
	JMP     addbias; \
addbiasdone:

#define LANEARGS(nOff) \
	MOVQ out+0(FP), DI; \
	MOVQ bias+8(FP), SI; \
	MOVQ rows+16(FP), DX; \
	MOVQ x+24(FP), R8; \
	MOVQ act+32(FP), R9; \
	MOVQ nact+40(FP), R11; \
	MOVQ nOff(FP), R10

// func laneSampleAVX512(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int
//
// laneSampleAVX2 for eight lanes: out = 1 where u + 1 ≤ σ·2^32.
TEXT ·laneSampleAVX512(SB), NOSPLIT, $0-80
	LANEARGS(n+56)
	LANELOGITS8
	SIGCONSTS
	VBROADCASTSD two32<>(SB), Z22
	VBROADCASTSD two31p1<>(SB), Z23
	VBROADCASTSD one<>(SB), Z24
	VPBROADCASTQ signs32<>(SB), Y25
	MOVQ         u+48(FP), SI
	MOVQ         next+64(FP), R8
	MOVQ         R10, CX
	XORQ         R9, R9   // units listed
	XORQ         R10, R10 // unit index

sampleloop8:
	TESTQ      CX, CX
	JZ         sampledone8
	VMOVUPD    (DI), Z0
	SIGMOID8
	VMULPD     Z22, Z0, Z0
	VMOVDQU    (SI), Y1
	VPXORD     Y25, Y1, Y1
	VCVTDQ2PD  Y1, Z1
	VADDPD     Z23, Z1, Z1
	VCMPPD     $2, Z0, Z1, K1 // u+1 ≤ σ·2^32
	VMOVAPD.Z  Z24, K1, Z3
	VMOVUPD    Z3, (DI)
	KMOVB      K1, AX
	MOVL       R10, (R8)(R9*4)
	CMPQ       AX, $1
	SBBQ       $-1, R9 // listed if on in some lane: AX ≥ 1
	INCQ       R10
	ADDQ       $64, DI
	ADDQ       $32, SI
	DECQ       CX
	JMP        sampleloop8

sampledone8:
	MOVQ R9, ret+72(FP)
	VZEROUPPER
	RET

// func laneDeltasAVX512(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)
TEXT ·laneDeltasAVX512(SB), NOSPLIT, $0-72
	LANEARGS(n+56)
	LANELOGITS8
	SIGCONSTS
	VBROADCASTSD eps+64(FP), Z22
	MOVQ         xt+48(FP), SI
	MOVQ         R10, CX

	DELTAS8

// func laneAddAVX512(bias, rows, d, x *float64, act *int32, nact, n int)
TEXT ·laneAddAVX512(SB), NOSPLIT, $0-56
	MOVQ bias+0(FP), SI
	MOVQ rows+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ act+32(FP), R11
	MOVQ nact+40(FP), R9
	MOVQ n+48(FP), R10

	MOVQ R10, CX
	ADDBIAS8

	// rows[i·n+k] += d[k] where x[i] is 1, for the inputs i in act (a
	// masked add, as in LANELOGITS8)
addrows8:
	TESTQ   R9, R9
	JZ      adddone8
	MOVLQSX  (R11), AX
	SHLQ     $6, AX
	VPTESTMQ (BX)(AX*1), Z9, K1
	IMULQ    R10, AX
	ADDQ     DI, AX
	MOVQ     DX, R8
	MOVQ     R10, CX

addrow8:
	TESTQ   CX, CX
	JZ      addnext8
	VMOVUPD (AX), Z1
	VADDPD  (R8), Z1, K1, Z1
	VMOVUPD Z1, (AX)
	ADDQ    $64, AX
	ADDQ    $64, R8
	DECQ    CX
	JMP     addrow8

addnext8:
	ADDQ $4, R11
	DECQ R9
	JMP  addrows8

adddone8:
	VZEROUPPER
	RET

CONST1(one64, 0x0000000000000001)
CONST1(two52, 0x4330000000000000) // 2^52

// func laneBitsAVX512(x *float64, lanes *uint64, n int)
//
// laneBitsAVX2 for eight lanes.
TEXT ·laneBitsAVX512(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), DI
	MOVQ         lanes+8(FP), SI
	MOVQ         n+16(FP), CX
	VMOVDQU64    (SI), Z0
	VPBROADCASTQ one64<>(SB), Z1
	VPBROADCASTQ two52<>(SB), Z2

bitsloop8:
	TESTQ   CX, CX
	JZ      bitsdone8
	VPANDQ  Z1, Z0, Z3
	VPORQ   Z2, Z3, Z3
	VSUBPD  Z2, Z3, Z3
	VMOVUPD Z3, (DI)
	VPSRLQ  $1, Z0, Z0
	ADDQ    $64, DI
	DECQ    CX
	JMP     bitsloop8

bitsdone8:
	VZEROUPPER
	RET

// The constants of rand.PCG (pcg.go) and of two of its steps at once.
CONST1(pcgMulLo, 0x4385df649fccf645)
CONST1(pcgMulLoHi, 0x000000004385df64) // mulLo >> 32
CONST1(pcgMulHi, 0x2360ed051fc65da4)
CONST1(pcgIncHi, 0x5851f42d4c957f2d)
CONST1(pcgIncLo, 0x14057b7ef767814f)
CONST1(pcgMul2Lo, 0x529ed9eb20e0ae99)
CONST1(pcgMul2LoHi, 0x00000000529ed9eb)
CONST1(pcgMul2Hi, 0x17bce35bdf69743c)
CONST1(pcgInc2Hi, 0x4871bec9994273f8)
CONST1(pcgInc2Lo, 0xac1f8a1c3883459a)
CONST1(pcgCheap, 0xda942042e4dd58b5)
CONST1(low32, 0x00000000ffffffff)

// pcgHalves8<> gathers the high halves of eight words, then their low
// halves (VPERMD indices).
DATA pcgHalves8<>+0(SB)/8, $0x0000000300000001
DATA pcgHalves8<>+8(SB)/8, $0x0000000700000005
DATA pcgHalves8<>+16(SB)/8, $0x0000000b00000009
DATA pcgHalves8<>+24(SB)/8, $0x0000000f0000000d
DATA pcgHalves8<>+32(SB)/8, $0x0000000200000000
DATA pcgHalves8<>+40(SB)/8, $0x0000000600000004
DATA pcgHalves8<>+48(SB)/8, $0x0000000a00000008
DATA pcgHalves8<>+56(SB)/8, $0x0000000e0000000c
GLOBL pcgHalves8<>(SB), RODATA|NOPTR, $64

// PCGNEXT8 is PCGNEXT of kernel_amd64.s for eight lanes, the state in
// Z0 (hi) and Z1 (lo), the constants in registers: it sets ohi, olo to
// state·mul + inc for the multiplier mlo, mhi (mlohi = mlo >> 32) and the
// increment inclo, inchi. The low 64 bits of a product are one VPMULLQ;
// the high 64 bits of lo·mlo come from 32-bit products as there. The sum
// lo·mlo + inclo carries where it is below inclo (an unsigned compare
// into K1, and a masked add). Z14 holds the low-32 mask and Z30 ones; it
// clobbers Z2–Z8 and K1.
#define PCGNEXT8(mlo, mlohi, mhi, inclo, inchi, ohi, olo) \
	VPSRLQ   $32, Z1, Z2; \
	VPMULUDQ mlo, Z1, Z3; \
	VPMULUDQ mlo, Z2, Z4; \
	VPMULUDQ mlohi, Z1, Z5; \
	VPMULUDQ mlohi, Z2, Z6; \
	VPSRLQ   $32, Z3, Z7; \
	VPANDQ   Z14, Z4, Z8; \
	VPADDQ   Z8, Z7, Z7; \
	VPANDQ   Z14, Z5, Z8; \
	VPADDQ   Z8, Z7, Z7; \
	VPSRLQ   $32, Z4, Z4; \
	VPADDQ   Z4, Z6, Z6; \
	VPSRLQ   $32, Z5, Z5; \
	VPADDQ   Z5, Z6, Z6; \
	VPSRLQ   $32, Z7, Z8; \
	VPADDQ   Z8, Z6, Z6; \
	VPSLLQ   $32, Z7, Z7; \
	VPANDQ   Z14, Z3, Z3; \
	VPORQ    Z7, Z3, Z3; \
	VPMULLQ  mlo, Z0, Z4; \
	VPADDQ   Z4, Z6, Z6; \
	VPMULLQ  mhi, Z1, Z4; \
	VPADDQ   Z4, Z6, Z6; \
	VPADDQ   inclo, Z3, olo; \
	VPCMPUQ  $1, inclo, olo, K1; \
	VPADDQ   inchi, Z6, ohi; \
	VPADDQ   Z30, ohi, K1, ohi

// DXSM8 writes the words of the state hi, lo at off(SI), their high
// halves first, then their low halves. It clobbers Z2–Z4.
#define DXSM8(hi, lo, off) \
	VPSRLQ    $32, hi, Z2; \
	VPXORQ    hi, Z2, Z2; \
	VPMULLQ   Z29, Z2, Z3; \
	VPSRLQ    $48, Z3, Z2; \
	VPXORQ    Z3, Z2, Z2; \
	VPORQ     Z30, lo, Z3; \
	VPMULLQ   Z3, Z2, Z4; \
	VPERMD    Z4, Z31, Z4; \
	VMOVDQU64 Z4, off(SI)

#define PCG8STEP1(ohi, olo) PCGNEXT8(Z16, Z17, Z18, Z19, Z20, ohi, olo)
#define PCG8STEP2(ohi, olo) PCGNEXT8(Z21, Z22, Z23, Z24, Z25, ohi, olo)

// func pcgUniforms8AVX512(pcg *lanePCG, u *uint32, n int)
//
// lanePCG.uniformsGo for eight lanes, two words a turn as in
// pcgUniformsAVX2.
TEXT ·pcgUniforms8AVX512(SB), NOSPLIT, $0-24
	MOVQ         pcg+0(FP), DI
	MOVQ         u+8(FP), SI
	MOVQ         n+16(FP), CX
	VMOVDQU64    lanePCG_hi(DI), Z0
	VMOVDQU64    lanePCG_lo(DI), Z1
	VPBROADCASTQ low32<>(SB), Z14
	VPBROADCASTQ pcgMulLo<>(SB), Z16
	VPBROADCASTQ pcgMulLoHi<>(SB), Z17
	VPBROADCASTQ pcgMulHi<>(SB), Z18
	VPBROADCASTQ pcgIncLo<>(SB), Z19
	VPBROADCASTQ pcgIncHi<>(SB), Z20
	VPBROADCASTQ pcgMul2Lo<>(SB), Z21
	VPBROADCASTQ pcgMul2LoHi<>(SB), Z22
	VPBROADCASTQ pcgMul2Hi<>(SB), Z23
	VPBROADCASTQ pcgInc2Lo<>(SB), Z24
	VPBROADCASTQ pcgInc2Hi<>(SB), Z25
	VPBROADCASTQ pcgCheap<>(SB), Z29
	VPBROADCASTQ one64<>(SB), Z30
	VMOVDQU64    pcgHalves8<>(SB), Z31

pcg8loop2:
	CMPQ      CX, $2
	JLT       pcg8last
	PCG8STEP1(Z10, Z11)
	PCG8STEP2(Z12, Z13)
	DXSM8(Z10, Z11, 0)
	DXSM8(Z12, Z13, 64)
	VMOVDQA64 Z12, Z0
	VMOVDQA64 Z13, Z1
	ADDQ      $128, SI
	SUBQ      $2, CX
	JMP       pcg8loop2

pcg8last:
	TESTQ     CX, CX
	JZ        pcg8done
	PCG8STEP1(Z10, Z11)
	DXSM8(Z10, Z11, 0)
	VMOVDQA64 Z10, Z0
	VMOVDQA64 Z11, Z1

pcg8done:
	VMOVDQU64 Z0, lanePCG_hi(DI)
	VMOVDQU64 Z1, lanePCG_lo(DI)
	VZEROUPPER
	RET

// Sixteen lanes: each unit's lanes in two 512-bit registers, lanes 0–7
// then 8–15, 128 bytes a unit. The elementwise loops are the eight-lane
// ones over twice the vectors; the sums take the mask of each half.

// LANELOGITS16 is LANELOGITS8 for sixteen lanes: four units (eight
// registers) a block, then one, with the same arguments. It sets Z9 to
// all ones and clobbers AX, BX, CX, R12, R13, Z0–Z7, K1 and K2.
#define LANELOGITS16 \
	VPTERNLOGQ $0xff, Z9, Z9, Z9; \
	XORQ    R13, R13; \
logitblock: \
	MOVQ    R10, AX; \
	SHLQ    $7, AX; \
	SUBQ    R13, AX; \
	CMPQ    AX, $512; \
	JLT     logitone; \
	VMOVUPD (SI)(R13*1), Z0; \
	VMOVUPD 64(SI)(R13*1), Z1; \
	VMOVUPD 128(SI)(R13*1), Z2; \
	VMOVUPD 192(SI)(R13*1), Z3; \
	VMOVUPD 256(SI)(R13*1), Z4; \
	VMOVUPD 320(SI)(R13*1), Z5; \
	VMOVUPD 384(SI)(R13*1), Z6; \
	VMOVUPD 448(SI)(R13*1), Z7; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitblockin: \
	TESTQ   R12, R12; \
	JZ      logitblockout; \
	MOVLQSX (BX), AX; \
	SHLQ    $7, AX; \
	VPTESTMQ (R8)(AX*1), Z9, K1; \
	VPTESTMQ 64(R8)(AX*1), Z9, K2; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VADDPD  (AX), Z0, K1, Z0; \
	VADDPD  64(AX), Z1, K2, Z1; \
	VADDPD  128(AX), Z2, K1, Z2; \
	VADDPD  192(AX), Z3, K2, Z3; \
	VADDPD  256(AX), Z4, K1, Z4; \
	VADDPD  320(AX), Z5, K2, Z5; \
	VADDPD  384(AX), Z6, K1, Z6; \
	VADDPD  448(AX), Z7, K2, Z7; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitblockin; \
logitblockout: \
	VMOVUPD Z0, (DI)(R13*1); \
	VMOVUPD Z1, 64(DI)(R13*1); \
	VMOVUPD Z2, 128(DI)(R13*1); \
	VMOVUPD Z3, 192(DI)(R13*1); \
	VMOVUPD Z4, 256(DI)(R13*1); \
	VMOVUPD Z5, 320(DI)(R13*1); \
	VMOVUPD Z6, 384(DI)(R13*1); \
	VMOVUPD Z7, 448(DI)(R13*1); \
	ADDQ    $512, R13; \
	JMP     logitblock; \
logitone: \
	TESTQ   AX, AX; \
	JLE     logitdone; \
	VMOVUPD (SI)(R13*1), Z0; \
	VMOVUPD 64(SI)(R13*1), Z1; \
	LEAQ    (DX)(R13*1), CX; \
	MOVQ    R9, BX; \
	MOVQ    R11, R12; \
logitonein: \
	TESTQ   R12, R12; \
	JZ      logitoneout; \
	MOVLQSX (BX), AX; \
	SHLQ    $7, AX; \
	VPTESTMQ (R8)(AX*1), Z9, K1; \
	VPTESTMQ 64(R8)(AX*1), Z9, K2; \
	IMULQ   R10, AX; \
	ADDQ    CX, AX; \
	VADDPD  (AX), Z0, K1, Z0; \
	VADDPD  64(AX), Z1, K2, Z1; \
	ADDQ    $4, BX; \
	DECQ    R12; \
	JMP     logitonein; \
logitoneout: \
	VMOVUPD Z0, (DI)(R13*1); \
	VMOVUPD Z1, 64(DI)(R13*1); \
	ADDQ    $128, R13; \
	JMP     logitblock; \
logitdone:

// SAMPLEHALF8 draws eight lanes of a unit: the state at (DI) becomes 1
// where u + 1 ≤ σ·2^32, u the eight uniforms at (SI), and K1 marks them.
// It needs the constants of laneSampleAVX512.
#define SAMPLEHALF8 \
	VMOVUPD    (DI), Z0; \
	SIGMOID8; \
	VMULPD     Z22, Z0, Z0; \
	VMOVDQU    (SI), Y1; \
	VPXORD     Y25, Y1, Y1; \
	VCVTDQ2PD  Y1, Z1; \
	VADDPD     Z23, Z1, Z1; \
	VCMPPD     $2, Z0, Z1, K1; \
	VMOVAPD.Z  Z24, K1, Z3; \
	VMOVUPD    Z3, (DI)

// func laneSample16AVX512(out, bias, rows, x *float64, act *int32, nact int, u *uint32, n int, next *int32) int
//
// laneSampleAVX512 for sixteen lanes.
TEXT ·laneSample16AVX512(SB), NOSPLIT, $0-80
	LANEARGS(n+56)
	LANELOGITS16
	SIGCONSTS
	VBROADCASTSD two32<>(SB), Z22
	VBROADCASTSD two31p1<>(SB), Z23
	VBROADCASTSD one<>(SB), Z24
	VPBROADCASTQ signs32<>(SB), Y25
	MOVQ         u+48(FP), SI
	MOVQ         next+64(FP), R8
	MOVQ         R10, CX
	XORQ         R9, R9   // units listed
	XORQ         R10, R10 // unit index

sampleloop16:
	TESTQ  CX, CX
	JZ     sampledone16
	SAMPLEHALF8
	KMOVB  K1, DX
	ADDQ   $64, DI
	ADDQ   $32, SI
	SAMPLEHALF8
	KMOVB  K1, AX
	ORQ    DX, AX
	MOVL   R10, (R8)(R9*4)
	CMPQ   AX, $1
	SBBQ   $-1, R9 // listed if on in some lane: AX ≥ 1
	INCQ   R10
	ADDQ   $64, DI
	ADDQ   $32, SI
	DECQ   CX
	JMP    sampleloop16

sampledone16:
	MOVQ R9, ret+72(FP)
	VZEROUPPER
	RET

// func laneDeltas16AVX512(out, bias, rows, x *float64, act *int32, nact int, xt *float64, n int, eps float64)
TEXT ·laneDeltas16AVX512(SB), NOSPLIT, $0-72
	LANEARGS(n+56)
	LANELOGITS16
	SIGCONSTS
	VBROADCASTSD eps+64(FP), Z22
	MOVQ         xt+48(FP), SI
	MOVQ         R10, CX
	SHLQ         $1, CX // two registers a unit

	DELTAS8

// func laneAdd16AVX512(bias, rows, d, x *float64, act *int32, nact, n int)
TEXT ·laneAdd16AVX512(SB), NOSPLIT, $0-56
	MOVQ bias+0(FP), SI
	MOVQ rows+8(FP), DI
	MOVQ d+16(FP), DX
	MOVQ x+24(FP), BX
	MOVQ act+32(FP), R11
	MOVQ nact+40(FP), R9
	MOVQ n+48(FP), R10

	MOVQ R10, CX
	SHLQ $1, CX // two registers a unit
	ADDBIAS8

	// rows[i·n+k] += d[k] where x[i] is 1, for the inputs i in act
addrows16:
	TESTQ    R9, R9
	JZ       adddone16
	MOVLQSX  (R11), AX
	SHLQ     $7, AX
	VPTESTMQ (BX)(AX*1), Z9, K1
	VPTESTMQ 64(BX)(AX*1), Z9, K2
	IMULQ    R10, AX
	ADDQ     DI, AX
	MOVQ     DX, R8
	MOVQ     R10, CX

addrow16:
	TESTQ   CX, CX
	JZ      addnext16
	VMOVUPD (AX), Z1
	VADDPD  (R8), Z1, K1, Z1
	VMOVUPD Z1, (AX)
	VMOVUPD 64(AX), Z2
	VADDPD  64(R8), Z2, K2, Z2
	VMOVUPD Z2, 64(AX)
	ADDQ    $128, AX
	ADDQ    $128, R8
	DECQ    CX
	JMP     addrow16

addnext16:
	ADDQ $4, R11
	DECQ R9
	JMP  addrows16

adddone16:
	VZEROUPPER
	RET

// func laneBits16AVX512(x *float64, lanes *uint64, n int)
//
// laneBitsAVX2 for sixteen lanes.
TEXT ·laneBits16AVX512(SB), NOSPLIT, $0-24
	MOVQ         x+0(FP), DI
	MOVQ         lanes+8(FP), SI
	MOVQ         n+16(FP), CX
	VMOVDQU64    (SI), Z0
	VMOVDQU64    64(SI), Z4
	VPBROADCASTQ one64<>(SB), Z1
	VPBROADCASTQ two52<>(SB), Z2

bitsloop16:
	TESTQ   CX, CX
	JZ      bitsdone16
	VPANDQ  Z1, Z0, Z3
	VPORQ   Z2, Z3, Z3
	VSUBPD  Z2, Z3, Z3
	VMOVUPD Z3, (DI)
	VPSRLQ  $1, Z0, Z0
	VPANDQ  Z1, Z4, Z5
	VPORQ   Z2, Z5, Z5
	VSUBPD  Z2, Z5, Z5
	VMOVUPD Z5, 64(DI)
	VPSRLQ  $1, Z4, Z4
	ADDQ    $128, DI
	DECQ    CX
	JMP     bitsloop16

bitsdone16:
	VZEROUPPER
	RET

// DXSM8S is DXSM8 for sixteen lanes: the high halves of the eight words
// at off(SI), their low halves 64 bytes on.
#define DXSM8S(hi, lo, off) \
	VPSRLQ        $32, hi, Z2; \
	VPXORQ        hi, Z2, Z2; \
	VPMULLQ       Z29, Z2, Z3; \
	VPSRLQ        $48, Z3, Z2; \
	VPXORQ        Z3, Z2, Z2; \
	VPORQ         Z30, lo, Z3; \
	VPMULLQ       Z3, Z2, Z4; \
	VPERMD        Z4, Z31, Z4; \
	VMOVDQU       Y4, off(SI); \
	VEXTRACTI64X4 $1, Z4, off+64(SI)

// PCG16PASS draws n words from the eight lanes whose state is at
// hiOff(DI) and loOff(DI), n in R9, into the sixteen-lane layout from
// outOff(R8) on (128 bytes a word), two words a turn; loop, last and done
// name its labels.
#define PCG16PASS(hiOff, loOff, outOff, loop, last, done) \
	LEAQ      outOff(R8), SI; \
	MOVQ      R9, CX; \
	VMOVDQU64 hiOff(DI), Z0; \
	VMOVDQU64 loOff(DI), Z1; \
loop: \
	CMPQ      CX, $2; \
	JLT       last; \
	PCG8STEP1(Z10, Z11); \
	PCG8STEP2(Z12, Z13); \
	DXSM8S(Z10, Z11, 0); \
	DXSM8S(Z12, Z13, 128); \
	VMOVDQA64 Z12, Z0; \
	VMOVDQA64 Z13, Z1; \
	ADDQ      $256, SI; \
	SUBQ      $2, CX; \
	JMP       loop; \
last: \
	TESTQ     CX, CX; \
	JZ        done; \
	PCG8STEP1(Z10, Z11); \
	DXSM8S(Z10, Z11, 0); \
	VMOVDQA64 Z10, Z0; \
	VMOVDQA64 Z11, Z1; \
done: \
	VMOVDQU64 Z0, hiOff(DI); \
	VMOVDQU64 Z1, loOff(DI)

// func pcgUniforms16AVX512(pcg *lanePCG, u *uint32, n int)
//
// lanePCG.uniformsGo for sixteen lanes: lanes 0–7, then lanes 8–15.
TEXT ·pcgUniforms16AVX512(SB), NOSPLIT, $0-24
	MOVQ         pcg+0(FP), DI
	MOVQ         u+8(FP), R8
	MOVQ         n+16(FP), R9
	VPBROADCASTQ low32<>(SB), Z14
	VPBROADCASTQ pcgMulLo<>(SB), Z16
	VPBROADCASTQ pcgMulLoHi<>(SB), Z17
	VPBROADCASTQ pcgMulHi<>(SB), Z18
	VPBROADCASTQ pcgIncLo<>(SB), Z19
	VPBROADCASTQ pcgIncHi<>(SB), Z20
	VPBROADCASTQ pcgMul2Lo<>(SB), Z21
	VPBROADCASTQ pcgMul2LoHi<>(SB), Z22
	VPBROADCASTQ pcgMul2Hi<>(SB), Z23
	VPBROADCASTQ pcgInc2Lo<>(SB), Z24
	VPBROADCASTQ pcgInc2Hi<>(SB), Z25
	VPBROADCASTQ pcgCheap<>(SB), Z29
	VPBROADCASTQ one64<>(SB), Z30
	VMOVDQU64    pcgHalves8<>(SB), Z31
	PCG16PASS(lanePCG_hi, lanePCG_lo, 0, pass1loop, pass1last, pass1done)
	PCG16PASS(lanePCG_hi+64, lanePCG_lo+64, 32, pass2loop, pass2last, pass2done)
	VZEROUPPER
	RET
