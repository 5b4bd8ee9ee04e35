//go:build !purego

#include "textflag.h"

// The mean-field rows' e^x and log x (kernel_amd64.s: EXP4, LOG4) eight
// lanes at a time in 512-bit registers, operation for operation the same,
// so the bits of internal/libm's Exp and Log. The constants are
// broadcast into Z14-Z31 once a call.

DATA mf512<>+0(SB)/8, $0x3ff71547652b82fe   // 1/ln 2
DATA mf512<>+8(SB)/8, $0x3fe62e42fefa3000   // ln 2, upper part
DATA mf512<>+16(SB)/8, $0x3d53de6af278ece6  // ln 2, lower part
DATA mf512<>+24(SB)/8, $0x3fb0000000000000  // 1/16
DATA mf512<>+32(SB)/8, $0x3efa01a01a01a01a  // 1/8!
DATA mf512<>+40(SB)/8, $0x3f2a01a01a01a01a  // 1/7!
DATA mf512<>+48(SB)/8, $0x3f56c16c16c16c17  // 1/6!
DATA mf512<>+56(SB)/8, $0x3f81111111111111  // 1/5!
DATA mf512<>+64(SB)/8, $0x3fa5555555555555  // 1/4!
DATA mf512<>+72(SB)/8, $0x3fc5555555555555  // 1/3!
DATA mf512<>+80(SB)/8, $0x3fe0000000000000  // 1/2
DATA mf512<>+88(SB)/8, $0x3ff0000000000000  // 1
DATA mf512<>+96(SB)/8, $0x4000000000000000  // 2
DATA mf512<>+104(SB)/8, $0x00000000000003ff // 1023
DATA mf512<>+112(SB)/8, $0x7fffffffffffffff // |·|
DATA mf512<>+120(SB)/8, $0x4086200000000000 // 708
DATA mf512<>+128(SB)/8, $0x8000000000000000 // the sign bit
DATA mf512<>+136(SB)/8, $0x4330000000000000 // 2^52
DATA mf512<>+144(SB)/8, $0x408ff00000000000 // 1022
DATA mf512<>+152(SB)/8, $0x000fffffffffffff // the mantissa
DATA mf512<>+160(SB)/8, $0x3fe6a09e667f3bcd // √2/2
DATA mf512<>+168(SB)/8, $0x3fe62e42fee00000 // ln 2, high
DATA mf512<>+176(SB)/8, $0x3dea39ef35793c76 // ln 2, low
DATA mf512<>+184(SB)/8, $0x3fe5555555555593 // L1
DATA mf512<>+192(SB)/8, $0x3fd999999997fa04 // L2
DATA mf512<>+200(SB)/8, $0x3fd2492494229359 // L3
DATA mf512<>+208(SB)/8, $0x3fcc71c51d8e78af // L4
DATA mf512<>+216(SB)/8, $0x3fc7466496cb03de // L5
DATA mf512<>+224(SB)/8, $0x3fc39a09d078c69f // L6
DATA mf512<>+232(SB)/8, $0x3fc2f112df3e5244 // L7
DATA mf512<>+240(SB)/8, $0x0010000000000000 // 2^−1022's bits
DATA mf512<>+248(SB)/8, $0x7fefffffffffffff // the largest finite
GLOBL mf512<>(SB), RODATA|NOPTR, $256


// EXPSETUP8 broadcasts the exponential's constants: Z16 1/ln 2, Z17 ln2U,
// Z18 ln2L, Z19 1/16, Z20-Z25 1/8!..1/3!, Z26 1/2, Z27 1, Z28 2, Z29 1023,
// Z30 |·|, Z31 708.
#define EXPSETUP8 \
	VBROADCASTSD mf512<>+0(SB), Z16; \
	VBROADCASTSD mf512<>+8(SB), Z17; \
	VBROADCASTSD mf512<>+16(SB), Z18; \
	VBROADCASTSD mf512<>+24(SB), Z19; \
	VBROADCASTSD mf512<>+32(SB), Z20; \
	VBROADCASTSD mf512<>+40(SB), Z21; \
	VBROADCASTSD mf512<>+48(SB), Z22; \
	VBROADCASTSD mf512<>+56(SB), Z23; \
	VBROADCASTSD mf512<>+64(SB), Z24; \
	VBROADCASTSD mf512<>+72(SB), Z25; \
	VBROADCASTSD mf512<>+80(SB), Z26; \
	VBROADCASTSD mf512<>+88(SB), Z27; \
	VBROADCASTSD mf512<>+96(SB), Z28; \
	VBROADCASTSD mf512<>+104(SB), Z29; \
	VBROADCASTSD mf512<>+112(SB), Z30; \
	VBROADCASTSD mf512<>+120(SB), Z31

// EXP8 sets Z0 to e^Z0 lane by lane as EXP4 does four, clobbering Z1-Z3.
#define EXP8 \
	VMULPD       Z16, Z0, Z1; \
	VCVTPD2DQ    Z1, Y2; \
	VCVTDQ2PD    Y2, Z1; \
	VFNMADD231PD Z17, Z1, Z0; \
	VFNMADD231PD Z18, Z1, Z0; \
	VMULPD       Z19, Z0, Z0; \
	VMOVAPD      Z20, Z3; \
	VFMADD213PD  Z21, Z0, Z3; \
	VFMADD213PD  Z22, Z0, Z3; \
	VFMADD213PD  Z23, Z0, Z3; \
	VFMADD213PD  Z24, Z0, Z3; \
	VFMADD213PD  Z25, Z0, Z3; \
	VFMADD213PD  Z26, Z0, Z3; \
	VFMADD213PD  Z27, Z0, Z3; \
	VMULPD       Z3, Z0, Z0; \
	VADDPD       Z28, Z0, Z3; \
	VMULPD       Z3, Z0, Z0; \
	VADDPD       Z28, Z0, Z3; \
	VMULPD       Z3, Z0, Z0; \
	VADDPD       Z28, Z0, Z3; \
	VMULPD       Z3, Z0, Z0; \
	VADDPD       Z28, Z0, Z3; \
	VFMADD213PD  Z27, Z3, Z0; \
	VPMOVSXDQ    Y2, Z2; \
	VPADDQ       Z29, Z2, Z2; \
	VPSLLQ       $52, Z2, Z2; \
	VMULPD       Z2, Z0, Z0

// func mfFactorsRowAVX512(ea, eb, w, ew, xi *float64, n int) int
//
// mfFactorsRowAVX2 eight at a time, n a multiple of 8, up to the first
// group of eight with an exponent outside [−708, 708] or NaN, whose index
// it returns (n if none).
TEXT ·mfFactorsRowAVX512(SB), NOSPLIT, $0-56
	MOVQ         ea+0(FP), DI
	MOVQ         eb+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         ew+24(FP), R9
	MOVQ         xi+32(FP), R10
	MOVQ         n+40(FP), CX
	EXPSETUP8
	VBROADCASTSD mf512<>+128(SB), Z15 // the sign bit
	XORQ         DX, DX

zmfloop:
	CMPQ     DX, CX
	JGE      zmfdone
	VMOVUPD  (R10)(DX*8), Z0
	VXORPD   Z15, Z0, Z0         // −ξ
	VMULPD   (R8)(DX*8), Z0, Z0  // −ξ·w
	VANDPD   Z30, Z0, Z1
	VCMPPD   $6, Z31, Z1, K1     // |x| > 708 or NaN
	KORTESTB K1, K1
	JNZ      zmfdone
	EXP8
	VMOVUPD  Z0, (DI)(DX*8)
	VMULPD   (R9)(DX*8), Z0, Z0
	VMOVUPD  Z0, (SI)(DX*8)
	ADDQ     $8, DX
	JMP      zmfloop

zmfdone:
	MOVQ DX, ret+48(FP)
	VZEROUPPER
	RET

// LOGSETUP8 broadcasts the logarithm's constants: Z14 2^52, Z15 1022,
// Z16 the mantissa, Z17 1/2, Z18 √2/2, Z19 1, Z20 2, Z21-Z27 L1..L7,
// Z28 ln2 high, Z29 ln2 low, Z30 2^−1022's bits, Z31 the largest finite.
#define LOGSETUP8 \
	VBROADCASTSD mf512<>+136(SB), Z14; \
	VBROADCASTSD mf512<>+144(SB), Z15; \
	VBROADCASTSD mf512<>+152(SB), Z16; \
	VBROADCASTSD mf512<>+80(SB), Z17; \
	VBROADCASTSD mf512<>+160(SB), Z18; \
	VBROADCASTSD mf512<>+88(SB), Z19; \
	VBROADCASTSD mf512<>+96(SB), Z20; \
	VBROADCASTSD mf512<>+184(SB), Z21; \
	VBROADCASTSD mf512<>+192(SB), Z22; \
	VBROADCASTSD mf512<>+200(SB), Z23; \
	VBROADCASTSD mf512<>+208(SB), Z24; \
	VBROADCASTSD mf512<>+216(SB), Z25; \
	VBROADCASTSD mf512<>+224(SB), Z26; \
	VBROADCASTSD mf512<>+232(SB), Z27; \
	VBROADCASTSD mf512<>+168(SB), Z28; \
	VBROADCASTSD mf512<>+176(SB), Z29; \
	VBROADCASTSD mf512<>+240(SB), Z30; \
	VBROADCASTSD mf512<>+248(SB), Z31

// LOGOUT8 sets K1 where a lane of x is not a positive normal number,
// clobbering K2.
#define LOGOUT8(x) \
	VPCMPGTQ x, Z30, K1; \
	VPCMPGTQ Z31, x, K2; \
	KORB     K2, K1, K1

// LOG8 sets Z0 to log Z0 lane by lane as LOG4 does four, clobbering
// Z1-Z6, K2.
#define LOG8 \
	VPSRLQ    $52, Z0, Z1; \
	VPORQ     Z14, Z1, Z1; \
	VSUBPD    Z14, Z1, Z1; \
	VSUBPD    Z15, Z1, Z1; \
	VANDPD    Z16, Z0, Z0; \
	VORPD     Z17, Z0, Z0; \
	VCMPPD    $5, Z0, Z18, K2; \
	VMOVAPD.Z Z19, K2, Z2; \
	VSUBPD    Z2, Z1, Z1; \
	VADDPD    Z19, Z2, Z2; \
	VMULPD    Z2, Z0, Z0; \
	VSUBPD    Z19, Z0, Z0; \
	VADDPD    Z20, Z0, Z2; \
	VDIVPD    Z2, Z0, Z3; \
	VMULPD    Z3, Z3, Z4; \
	VMULPD    Z4, Z4, Z5; \
	VMULPD    Z27, Z5, Z6; \
	VADDPD    Z25, Z6, Z6; \
	VMULPD    Z5, Z6, Z6; \
	VADDPD    Z23, Z6, Z6; \
	VMULPD    Z5, Z6, Z6; \
	VADDPD    Z21, Z6, Z6; \
	VMULPD    Z6, Z4, Z4; \
	VMULPD    Z26, Z5, Z6; \
	VADDPD    Z24, Z6, Z6; \
	VMULPD    Z5, Z6, Z6; \
	VADDPD    Z22, Z6, Z6; \
	VMULPD    Z6, Z5, Z5; \
	VADDPD    Z5, Z4, Z4; \
	VMULPD    Z17, Z0, Z2; \
	VMULPD    Z0, Z2, Z2; \
	VADDPD    Z2, Z4, Z4; \
	VMULPD    Z4, Z3, Z3; \
	VMULPD    Z29, Z1, Z4; \
	VADDPD    Z4, Z3, Z3; \
	VSUBPD    Z3, Z2, Z2; \
	VSUBPD    Z0, Z2, Z2; \
	VMULPD    Z28, Z1, Z1; \
	VSUBPD    Z2, Z1, Z0

// func mfLogsRowAVX512(la, lb, pa, pb *float64, n int) int
//
// mfLogsRowAVX2 eight at a time, n a multiple of 8, up to the first
// group of eight with a value in pa or pb that is not a positive normal
// number, whose index it returns (n if none).
TEXT ·mfLogsRowAVX512(SB), NOSPLIT, $0-48
	MOVQ  la+0(FP), DI
	MOVQ  lb+8(FP), SI
	MOVQ  pa+16(FP), R8
	MOVQ  pb+24(FP), R9
	MOVQ  n+32(FP), CX
	LOGSETUP8
	XORQ  DX, DX

zmlloop:
	CMPQ     DX, CX
	JGE      zmldone
	VMOVUPD  (R8)(DX*8), Z7
	VMOVUPD  (R9)(DX*8), Z8
	LOGOUT8(Z7)
	KMOVB    K1, K3
	LOGOUT8(Z8)
	KORTESTB K1, K3
	JNZ      zmldone
	VMOVAPD  Z7, Z0
	LOG8
	VADDPD   (DI)(DX*8), Z0, Z0
	VMOVUPD  Z0, (DI)(DX*8)
	VMOVUPD  Z19, (R8)(DX*8)
	VMOVAPD  Z8, Z0
	LOG8
	VADDPD   (SI)(DX*8), Z0, Z0
	VMOVUPD  Z0, (SI)(DX*8)
	VMOVUPD  Z19, (R9)(DX*8)
	ADDQ     $8, DX
	JMP      zmlloop

zmldone:
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET

// The mean-field rows (mfSumsRowAVX2, mfNewtonRowAVX2, mfMoveRowAVX2)
// eight children at a time, n a multiple of 8: the same operations in the
// same order. Z14 holds 1 and Z15 the parent's mean p.

// func mfSumsRowAVX512(z, pa, pb, w, ea, eb *float64, n int, p float64)
TEXT ·mfSumsRowAVX512(SB), NOSPLIT, $0-64
	MOVQ         z+0(FP), DI
	MOVQ         pa+8(FP), SI
	MOVQ         pb+16(FP), R8
	MOVQ         w+24(FP), R9
	MOVQ         ea+32(FP), R10
	MOVQ         eb+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD p+56(FP), Z15
	VBROADCASTSD mf512<>+88(SB), Z14
	XORQ         DX, DX

zmsloop:
	CMPQ    DX, CX
	JGE     zmsdone
	VMULPD  (R9)(DX*8), Z15, Z0 // p·w
	VADDPD  (DI)(DX*8), Z0, Z0  // z + p·w
	VMOVUPD Z0, (DI)(DX*8)
	VMOVUPD (R10)(DX*8), Z1
	VSUBPD  Z14, Z1, Z1         // ea − 1
	VMULPD  Z1, Z15, Z1
	VADDPD  Z14, Z1, Z1         // 1 + p·(ea − 1)
	VMULPD  (SI)(DX*8), Z1, Z1
	VMOVUPD Z1, (SI)(DX*8)
	VMOVUPD (R11)(DX*8), Z2
	VSUBPD  Z14, Z2, Z2         // eb − 1
	VMULPD  Z2, Z15, Z2
	VADDPD  Z14, Z2, Z2         // 1 + p·(eb − 1)
	VMULPD  (R8)(DX*8), Z2, Z2
	VMOVUPD Z2, (R8)(DX*8)
	ADDQ    $8, DX
	JMP     zmsloop

zmsdone:
	VZEROUPPER
	RET

// MFTILTED8 sets u to the tilted mean p·e/(1 + p(e − 1)) of the factors
// e at (e)(DX*8), p in Z15 and 1 in Z14 (Z4 is scratch).
#define MFTILTED8(e, u) \
	VMOVUPD (e)(DX*8), u; \
	VSUBPD  Z14, u, Z4; \
	VMULPD  Z4, Z15, Z4; \
	VADDPD  Z14, Z4, Z4; \
	VMULPD  u, Z15, u; \
	VDIVPD  Z4, u, u

// MFTILT8 is MFTILT eight lanes at a time: w in Z0, w² in Z1.
#define MFTILT8(e, m, v) \
	MFTILTED8(e, Z3); \
	VMULPD  Z0, Z3, Z5; \
	VADDPD  (m)(DX*8), Z5, Z5; \
	VMOVUPD Z5, (m)(DX*8); \
	VSUBPD  Z3, Z14, Z6; \
	VMULPD  Z6, Z3, Z6; \
	VMULPD  Z1, Z6, Z6; \
	VADDPD  (v)(DX*8), Z6, Z6; \
	VMOVUPD Z6, (v)(DX*8)

// func mfNewtonRowAVX512(ma, mb, va, vb, w, ea, eb *float64, n int, p float64)
TEXT ·mfNewtonRowAVX512(SB), NOSPLIT, $0-72
	MOVQ         ma+0(FP), DI
	MOVQ         mb+8(FP), SI
	MOVQ         va+16(FP), R8
	MOVQ         vb+24(FP), R9
	MOVQ         w+32(FP), R10
	MOVQ         ea+40(FP), R11
	MOVQ         eb+48(FP), R12
	MOVQ         n+56(FP), CX
	VBROADCASTSD p+64(FP), Z15
	VBROADCASTSD mf512<>+88(SB), Z14
	XORQ         DX, DX

zmnloop:
	CMPQ    DX, CX
	JGE     zmndone
	VMOVUPD (R10)(DX*8), Z0 // w
	VMULPD  Z0, Z0, Z1      // w²
	MFTILT8(R11, DI, R8)
	MFTILT8(R12, SI, R9)
	ADDQ    $8, DX
	JMP     zmnloop

zmndone:
	VZEROUPPER
	RET

// func mfMoveRowAVX512(z, pbc, w, ea, eb *float64, n int, p, q float64)
TEXT ·mfMoveRowAVX512(SB), NOSPLIT, $0-64
	MOVQ         z+0(FP), DI
	MOVQ         pbc+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         ea+24(FP), R9
	MOVQ         eb+32(FP), R10
	MOVQ         n+40(FP), CX
	VBROADCASTSD p+48(FP), Z15
	VBROADCASTSD q+56(FP), Z13
	VSUBPD       Z15, Z13, Z12 // q − p
	VBROADCASTSD mf512<>+88(SB), Z14
	XORQ         DX, DX

zmmloop:
	CMPQ    DX, CX
	JGE     zmmdone
	VMULPD  (R8)(DX*8), Z12, Z0
	VADDPD  (DI)(DX*8), Z0, Z0 // z + (q − p)·w
	VMOVUPD Z0, (DI)(DX*8)
	VMOVUPD (R9)(DX*8), Z1
	VSUBPD  Z14, Z1, Z1        // ea − 1
	VMULPD  Z1, Z15, Z2
	VADDPD  Z14, Z2, Z2        // da
	VMULPD  Z1, Z13, Z3
	VADDPD  Z14, Z3, Z3        // na
	VMOVUPD (R10)(DX*8), Z1
	VSUBPD  Z14, Z1, Z1        // eb − 1
	VMULPD  Z1, Z15, Z4
	VADDPD  Z14, Z4, Z4        // db
	VMULPD  Z1, Z13, Z5
	VADDPD  Z14, Z5, Z5        // nb
	VMOVUPD (SI)(DX*8), Z6     // pb
	VSUBPD  Z6, Z14, Z7
	VDIVPD  Z7, Z6, Z7         // pb/(1 − pb)
	VMULPD  Z2, Z5, Z8         // nb·da
	VMULPD  Z8, Z7, Z7
	VMULPD  Z3, Z4, Z8         // db·na
	VDIVPD  Z8, Z7, Z7         // the odds
	VADDPD  Z14, Z7, Z8
	VDIVPD  Z8, Z7, Z7         // odds/(1 + odds)
	VCMPPD  $3, Z7, Z7, K1     // NaN
	VMOVAPD Z6, K1, Z7         // pb there
	VMOVUPD Z7, (SI)(DX*8)
	ADDQ    $8, DX
	JMP     zmmloop

zmmdone:
	VZEROUPPER
	RET


// func mfLearnRowAVX512(w, ea, eb, d, ca, cb *float64, n int, p, eps float64)
TEXT ·mfLearnRowAVX512(SB), NOSPLIT, $0-72
	MOVQ         w+0(FP), DI
	MOVQ         ea+8(FP), SI
	MOVQ         eb+16(FP), R8
	MOVQ         d+24(FP), R9
	MOVQ         ca+32(FP), R10
	MOVQ         cb+40(FP), R11
	MOVQ         n+48(FP), CX
	VBROADCASTSD p+56(FP), Z15
	VBROADCASTSD eps+64(FP), Z13
	VBROADCASTSD mf512<>+88(SB), Z14
	XORQ         DX, DX

zmlloop:
	CMPQ    DX, CX
	JGE     zmldone
	MFTILTED8(SI, Z3)
	MFTILTED8(R8, Z6)
	VMULPD  (R9)(DX*8), Z15, Z0  // d·p
	VMULPD  (R10)(DX*8), Z3, Z3  // ca·ua
	VADDPD  Z3, Z0, Z0
	VMULPD  (R11)(DX*8), Z6, Z6  // cb·ub
	VSUBPD  Z6, Z0, Z0           // the gradient
	VMULPD  Z0, Z13, Z0
	VADDPD  (DI)(DX*8), Z0, Z0   // w + eps·gradient
	VMOVUPD Z0, (DI)(DX*8)
	ADDQ    $8, DX
	JMP     zmlloop

zmldone:
	VZEROUPPER
	RET
