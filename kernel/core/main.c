/* SPDX-License-Identifier: MIT */
/*
 * Boot CPU, MMU on: read the device tree, bring up the interrupt controller
 * and the other CPUs, and print the boot summary the tests look for.
 */
#include <bsp.h>
#include <keel/arch.h>
#include <keel/bootinfo.h>
#include <keel/config.h>
#include <keel/cpu.h>
#include <keel/devmem.h>
#include <keel/errno.h>
#include <keel/kernel.h>
#include <keel/log.h>
#include <keel/panic.h>
#include <keel/selftest.h>
#include <keel/smp.h>
#include <libfdt.h>
#include <stdint.h>
#include <string.h>

void kernel_main(uint64_t dtb);

static struct bootinfo bootinfo;
static bool tree_usable; /* the loader's device tree was read */

static void use_board_defaults(struct bootinfo *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->ram[0] = (struct mem_range){board.default_ram.base, board.default_ram.size};
	bi->ram_count = 1;
	bi->cpu_count = board.default_cpus;
	for (unsigned i = 0; i < bi->cpu_count && i < BOOTINFO_MAX_CPUS; i++)
		bi->cpu_mpidr[i] = i;
	bi->bootargs = "";
}

static void read_bootinfo(uint64_t dtb)
{
	int err = bootinfo_from_fdt((const void *)(uintptr_t)dtb, &bootinfo);

	tree_usable = !err;
	if (!err)
		return;
	if (dtb)
		log_warn("boot", "device tree at 0x%llx unusable (%s): using %s defaults",
		         (unsigned long long)dtb, keel_strerror(err), board.name);
	else
		log_warn("boot", "no device tree from the loader: using %s defaults", board.name);
	use_board_defaults(&bootinfo);
}

static void apply_bootargs(const char *args)
{
	char val[16];

	if (bootargs_get(args, "keel.loglevel", val, sizeof(val)) && val[0] >= '0' && val[0] <= '3')
		log_set_level((enum log_level)(val[0] - '0'));
	enum panic_action action;
	if (bootargs_get(args, "keel.panic", val, sizeof(val))) {
		if (panic_action_parse(val, &action))
			log_warn("boot",
			         "keel.panic=%s: expected reset or halt; resetting on panic", val);
		else
			panic_set_action(action);
	}
	selftest_parse(args);
}

static unsigned timer_irq_cpus(void)
{
	unsigned n = 0;
	for (unsigned cpu = 0; cpu < KEEL_MAX_CPUS; cpu++)
		n += cpu_timer_irq_seen(cpu);
	return n;
}

static void print_summary(unsigned online, unsigned wanted)
{
	uint64_t mib = bootinfo_ram_total(&bootinfo) >> 20;

	log_info("boot", "cpus: %u of %u online at EL2 (%s)", online, wanted,
	         arch_cpu_start_method());
	log_info("boot", "irqchip: %s", arch_irqchip_name());
	log_info("boot", "memory: %llu MiB in %u range(s)", (unsigned long long)mib,
	         bootinfo.ram_count);
	log_info("boot", "timer: %llu Hz, EL2 timer interrupt on %u of %u CPUs",
	         (unsigned long long)arch_counter_freq(), timer_irq_cpus(), online);
	log_info("boot", "Keel %s up on %s: %u CPUs, %s, %llu MiB", KEEL_VERSION, board.name,
	         online, arch_irqchip_name(), (unsigned long long)mib);
}

void kernel_main(uint64_t dtb)
{
	extern char _start[];

	log_info("boot", "Keel %s (%s) at EL2, image at %p, device tree at 0x%llx", KEEL_VERSION,
	         board.name, (void *)_start, (unsigned long long)dtb);
	read_bootinfo(dtb);
	apply_bootargs(bootinfo.bootargs);
	kernel_sched_init();
	int err = arch_init(&bootinfo);
	if (err)
		panic("arch init failed: %s", keel_strerror(err));
	cpu_bringup();

	unsigned wanted = bootinfo.cpu_count > KEEL_MAX_CPUS ? KEEL_MAX_CPUS : bootinfo.cpu_count;
	unsigned online = smp_start_secondaries(&bootinfo);
	print_summary(online, wanted);
	selftest_boot_cpu();

	devmem_init_board(tree_usable ? (const void *)(uintptr_t)dtb : NULL, &bootinfo);
	kernel_lock();
	if (root_service_start(dtb, dtb ? fdt_totalsize((const void *)(uintptr_t)dtb) : 0,
	                       &bootinfo)) {
		kernel_unlock();
		cpu_idle();
	}
	arch_run_next();
}
