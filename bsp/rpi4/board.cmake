# Raspberry Pi 4 Model B (BCM2711) and QEMU 10's -M raspi4b: RAM from 0,
# PL011 UART0, GIC-400, secondary cores parked in the firmware spin table.
set(KEEL_BOARD_LOAD_ADDR 0x80000)
set(KEEL_BOARD_RAM_BASE 0x0)
set(KEEL_BOARD_UART pl011)
set(KEEL_BOARD_CPU_START spin_table)
