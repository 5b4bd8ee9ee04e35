//go:build !purego

#include "textflag.h"

// The lane numbers 0…7 as int32, for the indices of kept terms.
DATA lanes8<>+0(SB)/4, $0
DATA lanes8<>+4(SB)/4, $1
DATA lanes8<>+8(SB)/4, $2
DATA lanes8<>+12(SB)/4, $3
DATA lanes8<>+16(SB)/4, $4
DATA lanes8<>+20(SB)/4, $5
DATA lanes8<>+24(SB)/4, $6
DATA lanes8<>+28(SB)/4, $7
GLOBL lanes8<>(SB), RODATA|NOPTR, $32

// func scanAVX512(a *scanArgs) (done, kept int)
//
// addSparse's scan eight terms at a time: for i from 0 in blocks of 8 up
// to a.n&^7, dk = dot[i] (+ sign·row[i], stored back, if a.row is not
// nil), d = (c + dk) − mx[i]; a block in which some d > slack (a sum to
// rescale) stops the scan before anything of it is stored. Of the rest,
// the d with !(d + ls < floor[i]) are written to ds from kept on and
// base+i to idx, in order (VCOMPRESSPD, VPCOMPRESSD). The same
// operations, each exactly rounded, as the Go loop: the same bits.
TEXT ·scanAVX512(SB), NOSPLIT, $0-24
	MOVQ         a+0(FP), AX
	MOVQ         0(AX), DI        // dot
	MOVQ         8(AX), SI        // row, or nil
	MOVQ         16(AX), R8       // mx
	MOVQ         24(AX), R9       // floor
	MOVQ         32(AX), R10      // ds
	MOVQ         40(AX), R11      // idx
	MOVQ         48(AX), CX       // n
	ANDQ         $-8, CX
	VBROADCASTSD 56(AX), Z20      // c
	VBROADCASTSD 64(AX), Z21      // sign
	VBROADCASTSD 72(AX), Z22      // ls
	VBROADCASTSD 80(AX), Z23      // slack
	VPBROADCASTD 88(AX), Y24      // base
	VPADDD       lanes8<>(SB), Y24, Y24
	MOVL         $8, DX
	VPBROADCASTD DX, Y25
	XORQ         BX, BX           // i
	XORQ         DX, DX           // kept

loop:
	CMPQ    BX, CX
	JGE     done
	VMOVUPD (DI)(BX*8), Z0
	TESTQ   SI, SI
	JZ      norow
	VMULPD  (SI)(BX*8), Z21, Z1
	VADDPD  Z1, Z0, Z0

norow:
	VADDPD   Z0, Z20, Z2          // x = c + dk
	VSUBPD   (R8)(BX*8), Z2, Z3   // d = x − mx
	VCMPPD   $0x1E, Z23, Z3, K1   // d > slack (ordered)
	KORTESTB K1, K1
	JNZ      done                 // a rescale: the Go loop takes this block
	TESTQ    SI, SI
	JZ       nostore
	VMOVUPD  Z0, (DI)(BX*8)

nostore:
	VADDPD      Z22, Z3, Z4          // d + ls
	VCMPPD      $0x15, (R9)(BX*8), Z4, K2 // !(d + ls < floor): NLT, unordered true
	VCOMPRESSPD Z3, K2, (R10)(DX*8)
	VPCOMPRESSD Y24, K2, (R11)(DX*4)
	KMOVB       K2, R12
	POPCNTL     R12, R12
	ADDQ        R12, DX
	VPADDD      Y25, Y24, Y24
	ADDQ        $8, BX
	JMP         loop

done:
	MOVQ       BX, done+8(FP)
	MOVQ       DX, kept+16(FP)
	VZEROUPPER
	RET

DATA applyConsts<>+0(SB)/8, $0x7ff              // exponent mask
DATA applyConsts<>+8(SB)/8, $24                 // floorOf's least exponent
DATA applyConsts<>+16(SB)/8, $1077              // 1023 + 54
DATA applyConsts<>+24(SB)/8, $0x3fe62e42fefa39ef // ln 2
DATA applyConsts<>+32(SB)/8, $0xfff0000000000000 // −∞
GLOBL applyConsts<>(SB), RODATA|NOPTR, $40

// func applyAVX512(sum, floor, t *float64, idx *int32, n int)
//
// addSparse's last loop eight kept terms at a time, n a multiple of 8:
// sum[idx[j]] += t[j], then floor[idx[j]] = floorOf(sum[idx[j]]): the
// biased exponent e of the sum, −∞ if e < 24, else float64(e − 1077)·ln 2
// (exact conversion, one rounded product). The indices of one call are
// distinct, so the scatters do not collide. The same bits as the Go loop.
TEXT ·applyAVX512(SB), NOSPLIT, $0-40
	MOVQ         sum+0(FP), DI
	MOVQ         floor+8(FP), SI
	MOVQ         t+16(FP), R8
	MOVQ         idx+24(FP), R9
	MOVQ         n+32(FP), CX
	VPBROADCASTQ applyConsts<>+0(SB), Z20
	VPBROADCASTQ applyConsts<>+8(SB), Z21
	VPBROADCASTQ applyConsts<>+16(SB), Z22
	VBROADCASTSD applyConsts<>+24(SB), Z23
	VBROADCASTSD applyConsts<>+32(SB), Z24
	XORQ         BX, BX

aloop:
	CMPQ        BX, CX
	JGE         adone
	VMOVDQU32   (R9)(BX*4), Y1
	KXNORB      K1, K1, K1
	VGATHERDPD  (DI)(Y1*8), K1, Z2
	VADDPD      (R8)(BX*8), Z2, Z2
	KXNORB      K2, K2, K2
	VSCATTERDPD Z2, K2, (DI)(Y1*8)
	VPSRLQ      $52, Z2, Z3
	VPANDQ      Z20, Z3, Z3
	VPCMPQ      $1, Z21, Z3, K3   // e < 24
	VPSUBQ      Z22, Z3, Z4
	VCVTQQ2PD   Z4, Z4
	VMULPD      Z23, Z4, Z4
	VMOVAPD     Z24, K3, Z4
	KXNORB      K4, K4, K4
	VSCATTERDPD Z4, K4, (SI)(Y1*8)
	ADDQ        $8, BX
	JMP         aloop

adone:
	VZEROUPPER
	RET
