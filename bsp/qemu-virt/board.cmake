# QEMU `virt` (-M virt,virtualization=on): RAM from 0x40000000, PL011,
# GICv2 or GICv3 (chosen on the QEMU command line), PSCI over SMC.
set(KEEL_BOARD_LOAD_ADDR 0x40200000)
set(KEEL_BOARD_RAM_BASE 0x40000000)
set(KEEL_BOARD_UART pl011)
set(KEEL_BOARD_CPU_START psci)
