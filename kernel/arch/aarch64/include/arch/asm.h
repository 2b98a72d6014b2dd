/* SPDX-License-Identifier: MIT */
/* Constants shared by assembly and C. */
#ifndef KEEL_ARCH_ASM_H
#define KEEL_ARCH_ASM_H

#define KEEL_STACK_SIZE 0x4000

/* struct exc_frame layout (exception.h) */
#define FRAME_SP   248
#define FRAME_ELR  256
#define FRAME_ESR  272
#define FRAME_SIZE 288

/* struct arch_regs (regs.h) */
#define REGS_SP     248
#define REGS_PSTATE 264
#define REGS_FP     288
#define REGS_FPSR   800

/* struct cpu_local (cpu_local.h) */
#define CPU_LOCAL_SIZE 128
#define CPU_ID         0
#define CPU_CUR_REGS   8
#define CPU_KSTACK_TOP 16

/* HCR_EL2 while a service runs at EL0: seL4's value (DESIGN.md):
 * VM|SWIO|FMO|IMO|AMO|DC|TSC|TACR|TTLB|TVM|TGE|RW. */
#define HCR_EL2_SERVICE 0x8e28103b
/* HCR_EL2 while a vCPU runs: VM|SWIO|FMO|IMO|AMO|FB|BSU=inner|TWI|TSC|RW
 * (TGE = DC = 0): WFI traps so an idle vCPU gives its CPU back (unless it
 * is alone on its CPU: vcpu_hcr); TLB and cache maintenance is broadcast,
 * as the guest's other vCPUs may be elsewhere. */
#define HCR_EL2_GUEST   0x8008263b
/* VTCR_EL2: 39-bit IPA from level 1, 4 KiB granule, WB inner shareable walks, 40-bit PA. */
#define VTCR_EL2_VALUE  0x80023559

/* MDCR_EL2 (HPMN kept as reset): every debug and PMU register access of
 * EL1 and EL0 traps (TDA, TDOSA, TDRA, TPM, TPMCR), the PMU does not count
 * at EL2 (HPMD), and statistical profiling is EL2's (TPMS): a guest can
 * neither arm a breakpoint, watchpoint or software step that fires in a
 * service, nor count the hypervisor's cycles. */
#define MDCR_EL2_HPMN_MASK 0x1full
#define MDCR_EL2_TRAPS                                                                             \
	((1ull << 5) | (1ull << 6) | (1ull << 9) | (1ull << 10) | (1ull << 11) | (1ull << 14) |    \
	 (1ull << 17))

/* CPTR_EL2 with its RES1 bits and no FP/SIMD trap (TFP = 0). */
#define CPTR_EL2_NOTRAP 0x33ff
#define CPTR_EL2_TFP    (1 << 10)

#endif
