/* SPDX-License-Identifier: MIT */
/*
 * Isolation test guest: a bare-metal guest at EL1 (MMU off) that does
 * everything a VM should not get away with, reports what came back, and
 * then proves it still runs. It relies on nothing but its RAM, its PL011
 * and the counter: every other access may abort, every call may return
 * anything, and every instruction may be undefined. Synchronous exceptions
 * are counted and stepped over (guest_sync), so it reaches "done" under
 * any hypervisor that keeps it running, and on bare QEMU.
 *
 * One line per category, `intruder: CATEGORY KEY VALUE ...`:
 *   intruder: start freq F
 *   intruder: ram end 0xADDR           first page above the image that aborted
 *   intruder: NAME reads R writes W aborts A far-mismatch M esr 0xE
 *       NAME: outside-ram, other-vm, devices, gicd-range, gicd-reserved,
 *       gicd-sgir, gicc-past-frame; esr is the category's last abort's
 *   intruder: cache-maint ops N aborts A undef U
 *   intruder: fetch tries N aborts A undef U
 *   intruder: sysreg tries N undef U
 *   intruder: exceptions tries N undef U other O
 *   intruder: calls hvc H smc S returned R undef U
 *   intruder: serror taken N
 *   intruder: fpsimd nonzero-at-start N
 *   intruder: total aborts A undef U other O far-mismatch M
 *   intruder: done
 *   intruder: alive N                  every INTRUDER_BEAT_MS, forever
 *   intruder: FAIL: ...                its RAM or FP/SIMD registers changed
 */
#include "guest.h"

#include <stdbool.h>
#include <stdint.h>

#ifndef INTRUDER_CALLS
#define INTRUDER_CALLS 2000 /* of each of HVC and SMC */
#endif
#ifndef INTRUDER_BEAT_MS
#define INTRUDER_BEAT_MS 100
#endif

#define RAM_BASE    0x40000000ul
#define RAM_MAX     (RAM_BASE + 0x80000000ul) /* where the search for RAM's end gives up */
#define PAGE        0x1000ul
#define PATTERN     0x1badc0de1badc0deull
#define GICD_SIZE   0x10000ul
#define GICC_FRAME  0x2000ul
#define GICC_WINDOW 0x10000ul
#define MiB         0x100000ul

#define EC_UNKNOWN  0x00
#define EC_SVC64    0x15
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_CUR 0x25
#define ESR_FNV     (1ul << 10) /* FAR not valid */
#define SPSR_A      (1ul << 8)

extern char stack_top[]; /* guest.ld: the end of the image */

/* What the exception handlers saw, in total. */
static volatile struct {
	uint32_t aborts, undef, other, far_bad, serror;
	uint64_t esr, far;
} seen;
/* Where the access being tried may fault: a FAR outside [lo, hi) is wrong. */
static volatile uint64_t far_lo, far_hi;
/* Where an instruction fetch from nowhere comes back to (0: step over). */
static volatile uint64_t resume_at;
static volatile bool in_sync;

void guest_sync(void)
{
	uint64_t esr, far, elr;
	__asm__ volatile("mrs %0, esr_el1\n\tmrs %1, far_el1\n\tmrs %2, elr_el1"
	                 : "=r"(esr), "=r"(far), "=r"(elr));
	/* A fault in here would have lost the first one's ELR: no way back. */
	if (in_sync)
		guest_unexpected(0x200);
	in_sync = true;
	seen.esr = esr;
	seen.far = far;
	switch (esr >> 26) {
	case EC_DABT_CUR:
		seen.aborts++;
		if (!(esr & ESR_FNV) && (far < far_lo || far >= far_hi))
			seen.far_bad++;
		elr += 4;
		break;
	case EC_IABT_CUR:
	case EC_PC_ALIGN:
		seen.aborts++;
		if (!resume_at)
			guest_unexpected(0x200);
		elr = resume_at;
		break;
	case EC_UNKNOWN:
		seen.undef++;
		elr = resume_at ? resume_at : elr + 4;
		break;
	case EC_SVC64:
		seen.other++; /* ELR is already past the SVC */
		break;
	default: /* BRK, FP access, and whatever a hypervisor makes up */
		seen.other++;
		elr += 4;
		break;
	}
	__asm__ volatile("msr elr_el1, %0" ::"r"(elr));
	in_sync = false;
}

/* A virtual SError, if a hypervisor sends one: count it. After many, return
 * with SErrors masked, so that a line that stays up cannot hold us here. */
void guest_serror(void)
{
	if (++seen.serror >= 64) {
		uint64_t spsr;
		__asm__ volatile("mrs %0, spsr_el1" : "=r"(spsr));
		__asm__ volatile("msr spsr_el1, %0" ::"r"(spsr | SPSR_A));
	}
}

/* IRQs stay masked; one taken anyway is counted, acknowledged and ended. */
void guest_irq(void)
{
	seen.other++;
	uint32_t iar = rd32(GICC + GICC_IAR);
	if ((iar & 0x3ff) < 1020)
		wr32(GICC + GICC_EOIR, iar);
}

/* ---- the categories' counters ------------------------------------------ */

static struct {
	const char *name;
	uint32_t reads, writes, tries;
	uint32_t aborts, undef, other, far_bad; /* `seen` when the category began */
} cat;

static void cat_begin(const char *name)
{
	cat.name = name;
	cat.reads = cat.writes = cat.tries = 0;
	cat.aborts = seen.aborts;
	cat.undef = seen.undef;
	cat.other = seen.other;
	cat.far_bad = seen.far_bad;
	seen.esr = 0;
}

static void kv(const char *key, uint64_t v)
{
	put(' ');
	puts_(key);
	put(' ');
	put_dec(v);
}

static void line_begin(const char *name)
{
	puts_("intruder: ");
	puts_(name);
}

/* intruder: NAME reads R writes W aborts A far-mismatch M esr 0xE */
static void cat_end_access(void)
{
	line_begin(cat.name);
	kv("reads", cat.reads);
	kv("writes", cat.writes);
	kv("aborts", seen.aborts - cat.aborts);
	kv("far-mismatch", seen.far_bad - cat.far_bad);
	puts_(" esr 0x");
	put_hex((uint32_t)seen.esr);
	puts_("\n");
}

/* ---- memory accesses, one instruction each ------------------------------ */

enum op { RD8, RD16, RD32, RD64, RDPAIR, RDWB, WR8, WR16, WR32, WR64, WRPAIR, WRWB, NOPS };

/* One access of `op` at `a`. The pair and writeback forms have no
 * syndrome for a hypervisor to decode (ISV=0): they take another path. */
static void poke(unsigned long a, enum op op)
{
	uint64_t v = PATTERN, w = PATTERN;
	unsigned long pre = a - 8; /* the writeback forms access pre + 8 */
	far_lo = a;
	far_hi = a + 16;
	switch (op) {
	case RD8: __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case RD16: __asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case RD32: __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case RD64: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory"); break;
	case RDPAIR:
		__asm__ volatile("ldp %0, %1, [%2]" : "=&r"(v), "=&r"(w) : "r"(a) : "memory");
		break;
	case RDWB: __asm__ volatile("ldr %0, [%1, #8]!" : "=&r"(v), "+r"(pre)::"memory"); break;
	case WR8: __asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory"); break;
	case WR16: __asm__ volatile("strh %w0, [%1]" ::"r"(v), "r"(a) : "memory"); break;
	case WR32: __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(a) : "memory"); break;
	case WR64: __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory"); break;
	case WRPAIR:
		__asm__ volatile("stp %0, %1, [%2]" ::"r"(v), "r"(w), "r"(a) : "memory");
		break;
	case WRWB: __asm__ volatile("str %1, [%0, #8]!" : "+r"(pre) : "r"(v) : "memory"); break;
	default: return;
	}
	if (op < WR8)
		cat.reads++;
	else
		cat.writes++;
}

static void poke_all(unsigned long a)
{
	for (int op = 0; op < NOPS; op++)
		poke(a, (enum op)op);
}

static void rw32(unsigned long a)
{
	poke(a, RD32);
	poke(a, WR32);
}

static bool readable(unsigned long a)
{
	uint32_t before = seen.aborts;
	poke(a, RD32);
	return seen.aborts == before;
}

/* The first page above the image whose read aborts: where RAM ends, as far
 * as this guest can tell (its VM description may give it any size).
 * Galloping, then bisecting: a few dozen pages read, since touching every
 * page of a large RAM makes QEMU back all of it. */
static unsigned long find_ram_end(void)
{
	unsigned long good = ((unsigned long)stack_top + PAGE - 1) & ~(PAGE - 1), bad = RAM_MAX;
	cat_begin("ram");
	for (unsigned long step = PAGE; good + step < RAM_MAX; step *= 2) {
		if (!readable(good + step)) {
			bad = good + step;
			break;
		}
		good += step;
	}
	while (bad - good > PAGE) {
		unsigned long mid = good + ((bad - good) / 2 & ~(PAGE - 1));
		if (readable(mid))
			good = mid;
		else
			bad = mid;
	}
	return bad;
}

static void outside_ram(unsigned long ram_end)
{
	static const unsigned long fixed[] = {
	        0x0,             /* where a host's RAM or flash is */
	        0x7f00000000ul,  /* a high IPA */
	        0xfffffffff0ul,  /* the last of a 40-bit IPA space */
	        0x10000000000ul, /* just past it */
	        0xfffffffffff0ul /* the last of a 48-bit space: past any stage 2 */
	};
	cat_begin("outside-ram");
	poke_all(ram_end);                  /* just past RAM */
	poke_all(ram_end + PAGE - 16);      /* the end of that page */
	poke_all(ram_end + 64 * MiB);       /* well past */
	poke_all(RAM_BASE + 0x100000000ul); /* RAM's base plus 4 GiB */
	poke_all(RAM_BASE - 16);            /* just below RAM */
	for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		poke_all(fixed[i]);
	cat_end_access();
}

/* Where a host would put another VM's RAM: this guest's own IPA space from
 * its end upwards, at round addresses. */
static void other_vm(unsigned long ram_end)
{
	static const unsigned long at[] = {
	        0x40100000ul, 0x40200000ul, 0x41000000ul, 0x42000000ul, 0x44000000ul,
	        0x48000000ul, 0x50000000ul, 0x60000000ul, 0x80000000ul, 0xc0000000ul,
	};
	cat_begin("other-vm");
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (at[i] >= ram_end)
			poke_all(at[i]);
	cat_end_access();
}

/* Between this guest's devices, and where the boards' own GIC and UART
 * are (the host's, which no VM may reach). */
static void devices(void)
{
	static const unsigned long at[] = {
	        0x08020000ul, /* QEMU virt: GICv2m */
	        0x08030000ul, /* QEMU virt: GICH, the hypervisor's interface */
	        0x08040000ul, /* QEMU virt: GICV, physical */
	        0x09001000ul, /* after the PL011's page */
	        0x09008000ul, /* before QEMU virt's RTC */
	        0x0c000000ul, /* QEMU virt: platform bus */
	        0x03100000ul, /* TX2: UART */
	        0x03881000ul, /* TX2: GICD */
	        0x03882000ul, /* TX2: GICC */
	        0x03884000ul, /* TX2: GICH */
	        0x03886000ul, /* TX2: GICV */
	        0xfe201000ul, /* Raspberry Pi 4: PL011 */
	        0xff841000ul, /* Raspberry Pi 4: GICD */
	        0xff842000ul, /* Raspberry Pi 4: GICC */
	        0xff844000ul, /* Raspberry Pi 4: GICH */
	        0xff846000ul, /* Raspberry Pi 4: GICV */
	};
	cat_begin("devices");
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		poke_all(at[i]);
	cat_end_access();
}

/* ---- the GIC ------------------------------------------------------------ */

static uint64_t rng = 0x4b45454c494e5452ull; /* constant: runs repeat */

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* Registers of interrupts beyond GICD_TYPER's count, in every width. */
static void gicd_range(void)
{
	static const unsigned long bit_regs[] = {0x080, 0x100, 0x180, 0x200, 0x280, 0x300, 0x380};
	cat_begin("gicd-range");
	uint32_t before = seen.aborts;
	uint32_t typer = rd32(GICD + GICD_TYPER);
	unsigned nirq = seen.aborts == before ? 32 * ((typer & 0x1f) + 1) : 32;
	if (nirq > 1020)
		nirq = 1020;
	for (unsigned r = 0; r < sizeof(bit_regs) / sizeof(bit_regs[0]); r++)
		for (unsigned long n = nirq / 32; n < 32; n++)
			rw32(GICD + bit_regs[r] + 4 * n);
	for (unsigned irq = nirq & ~3u; irq < 1024; irq += 4) {
		rw32(GICD + GICD_IPRIORITYR + irq);
		rw32(GICD + GICD_ITARGETSR + irq);
		poke(GICD + GICD_ITARGETSR + irq + 3, WR8);
		poke(GICD + GICD_IPRIORITYR + irq + 1, WR8);
	}
	for (unsigned long n = nirq / 16; n < 64; n++)
		rw32(GICD + 0xc00 + 4 * n); /* ICFGR */
	/* The read-only targets of SGIs and PPIs, and wider accesses. */
	for (unsigned irq = 0; irq < 32; irq += 4)
		poke(GICD + GICD_ITARGETSR + irq, WR32);
	for (unsigned long off = 0x170; off < 0x200; off += 0x80) { /* ISENABLER/ICENABLER28..31 */
		poke(GICD + off, RD64);
		poke(GICD + off, WR64);
		poke(GICD + off, RDPAIR);
		poke(GICD + off, WRPAIR);
	}
	poke(GICD + GICD_ISENABLER + 0x7c, WR16);
	poke(GICD + GICD_ISENABLER + 0x7e, RD16);
	cat_end_access();
}

/* Reserved and implementation-defined space, up to 64 KiB. */
static void gicd_reserved(void)
{
	static const unsigned long spans[][2] = {
	        {0x00c, 0x080},
	        {0xd00, 0xf00},
	        {0xf04, 0xf10},
	        {0xf30, 0x1000},
	};
	cat_begin("gicd-reserved");
	for (unsigned s = 0; s < sizeof(spans) / sizeof(spans[0]); s++)
		for (unsigned long off = spans[s][0]; off < spans[s][1]; off += 4)
			rw32(GICD + off);
	for (unsigned long off = 0x1000; off < GICD_SIZE; off += 0x40)
		rw32(GICD + off);
	poke_all(GICD + GICD_SIZE - 16);
	cat_end_access();
}

/* SGIs to CPUs that do not exist, with every filter (3 is reserved), the
 * reserved bits set, and the pending-SGI registers. */
static void gicd_sgir(void)
{
	static const uint32_t targets[] = {0x00, 0x01, 0x02, 0x80, 0xfe, 0xff};
	cat_begin("gicd-sgir");
	for (uint32_t filter = 0; filter < 4; filter++)
		for (unsigned t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
			for (int i = 0; i < 4; i++) {
				uint32_t v =
				        filter << 24 | targets[t] << 16 | (uint32_t)(rnd() & 0xf);
				if (i >= 2) /* SGIINTID's neighbours: NSATT and reserved bits */
					v |= (uint32_t)rnd() & 0xfc00fff0u;
				wr32(GICD + GICD_SGIR, v);
				cat.writes++;
			}
	for (unsigned long off = 0xf10; off < 0xf30; off += 4) {
		wr32(GICD + off, (uint32_t)rnd());
		cat.writes++;
	}
	cat_end_access();
}

static void gicc_past_frame(void)
{
	cat_begin("gicc-past-frame");
	for (unsigned long off = GICC_FRAME; off < GICC_WINDOW; off += 0x100)
		rw32(GICC + off);
	poke_all(GICC + GICC_FRAME);
	poke_all(GICC + GICC_WINDOW - 16);
	cat_end_access();
}

/* ---- cache maintenance, instruction fetch, system registers ------------- */

static void cache_maint(unsigned long ram_end)
{
	const unsigned long at[] = {ram_end, ram_end + 64 * MiB, 0x7f00000000ul, 0x08030000ul, 0x0};
	cat_begin("cache-maint");
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		unsigned long a = at[i];
		far_lo = a & ~0x7fful;
		far_hi = a + 0x800;
		__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
		__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
		__asm__ volatile("dc cvau, %0" ::"r"(a) : "memory");
		__asm__ volatile("dc zva, %0" ::"r"(a) : "memory");
		__asm__ volatile("ic ivau, %0" ::"r"(a) : "memory");
		cat.tries += 6;
	}
	/* Set/way operations reach whatever cache the CPU has, not an address. */
	for (int i = 0; i < 16; i++) {
		uint64_t sw = rnd();
		__asm__ volatile("dc isw, %0\n\tdc csw, %0\n\tdc cisw, %0" ::"r"(sw) : "memory");
		cat.tries += 3;
	}
	__asm__ volatile("tlbi vmalle1is\n\tic ialluis\n\tdsb ish\n\tisb" ::: "memory");
	cat.tries += 2;
	line_begin("cache-maint");
	kv("ops", cat.tries);
	kv("aborts", seen.aborts - cat.aborts);
	kv("undef", seen.undef - cat.undef);
	puts_("\n");
}

/* Branch to `a`; guest_sync brings the failed fetch back after it. */
static void fetch_from(unsigned long a)
{
	__asm__ volatile("adr x9, 1f\n\t"
	                 "str x9, %0\n\t"
	                 "blr %1\n"
	                 "1:"
	                 : "=m"(resume_at)
	                 : "r"(a)
	                 : "x9", "x30", "memory");
	resume_at = 0;
	cat.tries++;
}

static void fetch(unsigned long ram_end)
{
	cat_begin("fetch");
	fetch_from(ram_end);
	fetch_from(ram_end + 64 * MiB);
	fetch_from(0x7f00000000ul);
	fetch_from(0x09001000ul);
	fetch_from(0x08030000ul);
	fetch_from(RAM_BASE + 2); /* misaligned */
	line_begin("fetch");
	kv("tries", cat.tries);
	kv("aborts", seen.aborts - cat.aborts);
	kv("undef", seen.undef - cat.undef);
	puts_("\n");
}

#define SYSREG_READ(reg)                                                                           \
	do {                                                                                       \
		uint64_t v_ = 0;                                                                   \
		__asm__ volatile("mrs %0, " reg : "+r"(v_)::"memory");                             \
		cat.tries++;                                                                       \
	} while (0)
#define SYSREG_WRITE(reg, val)                                                                     \
	do {                                                                                       \
		__asm__ volatile("msr " reg ", %0\n\tisb" ::"r"((uint64_t)(val)) : "memory");      \
		cat.tries++;                                                                       \
	} while (0)

/* The hypervisor's registers (undefined at EL1), the physical timer, the
 * PMU, debug, GICv3's system registers (only those that read without side
 * effect) and implementation-defined CPU registers. */
static void sysregs(void)
{
	cat_begin("sysreg");
	SYSREG_READ("s3_4_c1_c1_0");                      /* HCR_EL2 */
	SYSREG_READ("s3_4_c2_c1_0");                      /* VTTBR_EL2 */
	SYSREG_READ("s3_4_c12_c0_0");                     /* VBAR_EL2 */
	SYSREG_READ("s3_4_c14_c1_0");                     /* CNTHCTL_EL2 */
	SYSREG_READ("s3_4_c14_c0_3");                     /* CNTVOFF_EL2 */
	SYSREG_READ("s3_4_c4_c1_0");                      /* SP_EL1 from EL1 */
	SYSREG_READ("s3_6_c1_c0_0");                      /* SCTLR_EL3 */
	SYSREG_WRITE("s3_4_c1_c1_0", 0);                  /* HCR_EL2 */
	SYSREG_WRITE("s3_4_c2_c1_0", 0);                  /* VTTBR_EL2 */
	SYSREG_WRITE("s3_4_c14_c0_3", 0x123456789abcull); /* CNTVOFF_EL2 */
	SYSREG_READ("cntp_ctl_el0");
	SYSREG_READ("cntp_cval_el0");
	SYSREG_READ("cntpct_el0");
	SYSREG_WRITE("cntp_cval_el0", rnd());
	SYSREG_WRITE("cntp_ctl_el0", 2); /* disabled and masked: nothing may fire */
	SYSREG_READ("pmcr_el0");
	SYSREG_READ("pmccntr_el0");
	SYSREG_READ("mdscr_el1");
	SYSREG_READ("oslsr_el1");
	SYSREG_READ("dbgbvr0_el1");
	SYSREG_READ("s3_0_c12_c12_5"); /* ICC_SRE_EL1 */
	SYSREG_READ("s3_0_c4_c6_0");   /* ICC_PMR_EL1 */
	SYSREG_READ("s3_1_c15_c2_1");  /* Cortex-A53/A72 CPUECTLR_EL1 */
	SYSREG_READ("s3_1_c11_c0_2");  /* Cortex-A53/A72 L2CTLR_EL1 */
	line_begin("sysreg");
	kv("tries", cat.tries);
	kv("undef", seen.undef - cat.undef);
	puts_("\n");
}

/* Instructions that trap or are undefined at EL1. */
static void exceptions(void)
{
	cat_begin("exceptions");
	__asm__ volatile("msr cpacr_el1, xzr\n\tisb");
	__asm__ volatile("udf #0" ::: "memory");
	__asm__ volatile("udf #0xffff" ::: "memory");
	__asm__ volatile(".inst 0xffffffff" ::: "memory");
	__asm__ volatile("hlt #0" ::: "memory");
	__asm__ volatile("dcps1" ::: "memory");
	__asm__ volatile("dcps2" ::: "memory");
	__asm__ volatile("dcps3" ::: "memory");
	__asm__ volatile("brk #0x1234" ::: "memory");
	__asm__ volatile("svc #0" ::: "memory");
	__asm__ volatile("fmov d0, xzr" ::: "memory"); /* FP while CPACR_EL1 traps it */
	cat.tries = 10;
	line_begin("exceptions");
	kv("tries", cat.tries);
	kv("undef", seen.undef - cat.undef);
	kv("other", seen.other - cat.other);
	puts_("\n");
}

/* ---- HVC and SMC -------------------------------------------------------- */

/* A call that legitimately never returns, or stops the VM: not made. */
static bool stops(uint64_t fn)
{
	static const uint32_t ids[] = {
	        0x84000001, /* CPU_SUSPEND */
	        0x84000002, /* CPU_OFF */
	        0x84000008, /* SYSTEM_OFF */
	        0x84000009, /* SYSTEM_RESET */
	        0x8400000b, /* CPU_FREEZE */
	        0x8400000c, /* CPU_DEFAULT_SUSPEND */
	        0x8400000e, /* SYSTEM_SUSPEND */
	        0x84000012, /* SYSTEM_RESET2 */
	        0x84000015, /* SYSTEM_OFF2 */
	};
	uint32_t id = (uint32_t)fn & ~0x40000000u; /* SMC32 and SMC64 alike */
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (id == ids[i])
			return true;
	return false;
}

static uint64_t wild_fn(void)
{
	static const uint32_t arch[] = {0x80000000, 0x80000001, 0x80003fff, 0x80007fff, 0x80008000};
	uint64_t fn;
	do {
		uint64_t r = rnd();
		switch (r % 8) {
		case 0:
		case 1:
		case 2: /* PSCI, SMC32 or SMC64 */
			fn = 0x84000000u | (r >> 8 & 0x1f) | (r >> 16 & 1) << 30;
			break;
		case 3: fn = arch[(r >> 8) % 5]; break;
		case 4: /* any owner's fast call */
			fn = 0x80000000u | (r >> 8 & 0x7f00ffffu);
			break;
		case 5: fn = (uint32_t)(r >> 8) & 0x7fffffffu; break; /* yielding */
		case 6: fn = rnd(); break;
		default: fn = rnd() << 32 | 0x84000000u | (r >> 8 & 0x1f); break;
		}
	} while (stops(fn));
	return fn;
}

static uint64_t wild_arg(unsigned long ram_end)
{
	uint64_t r = rnd();
	switch (r % 8) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return r >> 60;
	case 3: return RAM_BASE + (r >> 8) % (ram_end - RAM_BASE);
	case 4: return ram_end + (r >> 8 & 0xffff);
	case 5: return 0x7f00000000ul;
	case 6: return (uint32_t)(r >> 8);
	default: return rnd();
	}
}

/* One call: HVC or SMC with one of three immediates, x0..x7 from `a`. The
 * results come back in x0..x3, and SMCCC 1.0 lets the callee clobber
 * x4..x17. */
#define CALL(insn)                                                                                 \
	__asm__ volatile("ldp x0, x1, [%0]\n\tldp x2, x3, [%0, #16]\n\t"                           \
	                 "ldp x4, x5, [%0, #32]\n\tldp x6, x7, [%0, #48]\n\t" insn ::"r"(a)        \
	                 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",      \
	                   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory")

static void call(bool smc, unsigned imm, const uint64_t a[8])
{
	switch (imm + (smc ? 3 : 0)) {
	case 0: CALL("hvc #0"); break;
	case 1: CALL("hvc #1"); break;
	case 2: CALL("hvc #0xffff"); break;
	case 3: CALL("smc #0"); break;
	case 4: CALL("smc #1"); break;
	default: CALL("smc #0xffff"); break;
	}
}

static void calls(unsigned long ram_end)
{
	uint64_t mpidr;
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	cat_begin("calls");
	uint32_t returned = 0;
	for (int i = 0; i < 2 * INTRUDER_CALLS; i++) {
		uint64_t a[8];
		a[0] = wild_fn();
		for (int k = 1; k < 8; k++)
			a[k] = wild_arg(ram_end);
		/* CPU_ON may only name this CPU (ALREADY_ON) or none: starting
		 * another vCPU at a wild address is not the point. */
		if (((uint32_t)a[0] & ~0x40000000u) == 0x84000003)
			a[1] = (mpidr & 0xff00ffffffull) | (a[1] & ~0xff00ffffffull);
		uint32_t imm = (uint32_t)(rnd() % 8);
		call(i & 1, imm < 6 ? 0 : imm - 5, a);
		returned++;
	}
	line_begin("calls");
	kv("hvc", INTRUDER_CALLS);
	kv("smc", INTRUDER_CALLS);
	kv("returned", returned);
	kv("undef", seen.undef - cat.undef);
	puts_("\n");
}

/* ---- SError, FP/SIMD, RAM canary ---------------------------------------- */

/* A pending (virtual) SError is only taken while PSTATE.A is clear. */
static void serror_window(void)
{
	__asm__ volatile("msr daifclr, #4\n\tisb" ::: "memory");
	for (volatile int i = 0; i < 1000; i++)
		;
	__asm__ volatile("msr daifset, #4\n\tisb" ::: "memory");
	line_begin("serror");
	kv("taken", seen.serror);
	puts_("\n");
}

static uint64_t fp_buf[64] __attribute__((aligned(16)));

static void fp_save(void)
{
	__asm__ volatile("stp q0, q1, [%0, #0]\n\tstp q2, q3, [%0, #32]\n\t"
	                 "stp q4, q5, [%0, #64]\n\tstp q6, q7, [%0, #96]\n\t"
	                 "stp q8, q9, [%0, #128]\n\tstp q10, q11, [%0, #160]\n\t"
	                 "stp q12, q13, [%0, #192]\n\tstp q14, q15, [%0, #224]\n\t"
	                 "stp q16, q17, [%0, #256]\n\tstp q18, q19, [%0, #288]\n\t"
	                 "stp q20, q21, [%0, #320]\n\tstp q22, q23, [%0, #352]\n\t"
	                 "stp q24, q25, [%0, #384]\n\tstp q26, q27, [%0, #416]\n\t"
	                 "stp q28, q29, [%0, #448]\n\tstp q30, q31, [%0, #480]" ::"r"(fp_buf)
	                 : "memory");
}

/* The compiler never uses FP/SIMD registers here (-mgeneral-regs-only), so
 * they hold our pattern for as long as the hypervisor keeps them. */
static void fp_load(void)
{
	__asm__ volatile("ldp q0, q1, [%0, #0]\n\tldp q2, q3, [%0, #32]\n\t"
	                 "ldp q4, q5, [%0, #64]\n\tldp q6, q7, [%0, #96]\n\t"
	                 "ldp q8, q9, [%0, #128]\n\tldp q10, q11, [%0, #160]\n\t"
	                 "ldp q12, q13, [%0, #192]\n\tldp q14, q15, [%0, #224]\n\t"
	                 "ldp q16, q17, [%0, #256]\n\tldp q18, q19, [%0, #288]\n\t"
	                 "ldp q20, q21, [%0, #320]\n\tldp q22, q23, [%0, #352]\n\t"
	                 "ldp q24, q25, [%0, #384]\n\tldp q26, q27, [%0, #416]\n\t"
	                 "ldp q28, q29, [%0, #448]\n\tldp q30, q31, [%0, #480]" ::"r"(fp_buf)
	                 : "memory");
}

static uint64_t fp_pattern(unsigned i)
{
	return PATTERN ^ (0x0101010101010101ull * (i + 1));
}

/* Nonzero registers at first use could be another context's data (a fresh
 * vCPU's are zero on Keel and on QEMU; on hardware they are UNKNOWN). */
static void fpsimd_start(void)
{
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" ::"r"(3ul << 20));
	fp_save();
	uint32_t nonzero = 0;
	for (unsigned long r = 0; r < 32; r++)
		nonzero += (fp_buf[2 * r] | fp_buf[2 * r + 1]) != 0;
	for (unsigned i = 0; i < 64; i++)
		fp_buf[i] = fp_pattern(i);
	fp_load();
	line_begin("fpsimd");
	kv("nonzero-at-start", nonzero);
	puts_("\n");
}

static void fpsimd_check(void)
{
	fp_save();
	for (unsigned i = 0; i < 64; i++)
		if (fp_buf[i] != fp_pattern(i)) {
			puts_("intruder: FAIL: fpsimd register v");
			put_dec(i / 2);
			puts_(" changed\n");
			fp_buf[i] = fp_pattern(i);
			fp_load();
			return;
		}
}

/* Memory nothing but this guest should write. */
enum { CANARY_WORDS = 4096 };
static uint64_t canary[CANARY_WORDS];

static uint64_t canary_word(unsigned i)
{
	return PATTERN ^ ((uint64_t)i << 32 | i);
}

static void canary_check(void)
{
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		if (canary[i] != canary_word(i)) {
			puts_("intruder: FAIL: ram changed at 0x");
			put_hex64((uint64_t)(unsigned long)&canary[i]);
			puts_("\n");
			canary[i] = canary_word(i);
		}
}

/* ---- heartbeat ---------------------------------------------------------- */

/* The virtual timer wakes WFI if a GIC CPU interface answers; IRQs stay
 * masked, so whatever is pending (the SGIs sent above, the timer) is only
 * acknowledged here. The counter decides when a beat is due, so a GIC that
 * wakes too often only costs a spin, and without one it spins throughout. */
static bool heartbeat_gic(void)
{
	uint32_t before = seen.aborts;
	uint32_t iidr = rd32(GICC + GICC_IIDR);
	if (seen.aborts != before || !iidr)
		return false;
	gic_enable_vtimer();
	return seen.aborts == before;
}

static void drain_irqs(void)
{
	for (int i = 0; i < 64; i++) {
		uint32_t iar = rd32(GICC + GICC_IAR);
		if ((iar & 0x3ff) >= 1020)
			return;
		wr32(GICC + GICC_EOIR, iar);
	}
}

static _Noreturn void heartbeat(uint64_t freq)
{
	bool gic = heartbeat_gic();
	if (gic)
		drain_irqs(); /* the SGIs sent to itself, which would keep waking WFI */
	uint64_t step = freq / 1000 * INTRUDER_BEAT_MS, next = counter() + step;
	for (uint64_t n = 1;; n++) {
		__asm__ volatile("msr cntv_cval_el0, %0\n\tmsr cntv_ctl_el0, %1\n\tisb" ::"r"(next),
		                 "r"(1ul));
		while (counter() < next)
			if (gic)
				__asm__ volatile("wfi" ::: "memory");
		__asm__ volatile("msr cntv_ctl_el0, xzr\n\tisb");
		if (gic)
			drain_irqs();
		fpsimd_check();
		canary_check();
		puts_("intruder: alive ");
		put_dec(n);
		puts_("\n");
		next += step;
	}
}

void guest_main(void)
{
	uint64_t freq = counter_freq();
	line_begin("start");
	kv("freq", freq);
	puts_("\n");
	for (unsigned i = 0; i < CANARY_WORDS; i++)
		canary[i] = canary_word(i);
	fpsimd_start();

	unsigned long ram_end = find_ram_end();
	puts_("intruder: ram end 0x");
	put_hex64(ram_end);
	puts_("\n");
	outside_ram(ram_end);
	other_vm(ram_end);
	devices();
	gicd_range();
	gicd_reserved();
	gicd_sgir();
	gicc_past_frame();
	cache_maint(ram_end);
	fetch(ram_end);
	sysregs();
	exceptions();
	/* exceptions() left FP trapped at EL1. */
	__asm__ volatile("msr cpacr_el1, %0\n\tisb" ::"r"(3ul << 20));
	fp_load();
	calls(ram_end);
	serror_window();

	line_begin("total");
	kv("aborts", seen.aborts);
	kv("undef", seen.undef);
	kv("other", seen.other);
	kv("far-mismatch", seen.far_bad);
	puts_("\nintruder: done\n");
	heartbeat(freq ? freq : 62500000);
}
