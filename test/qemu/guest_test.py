#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guest images (scripts/guest-images) boot to a shell.

Today this runs them on bare QEMU: the reference that the Keel guest tests
and the boot-time benchmark compare against. Checks the CPU count, that
timer interrupts count on every CPU, and the architecture.

Usage: guest_test.py --cpus N -- <qemu command line>
"""
import re
import sys

from keelqemu import Keel, qemu_argv


def main():
    cpus = int(sys.argv[sys.argv.index("--cpus") + 1])
    k = Keel(qemu_argv(sys.argv), timeout=180)
    m = k.expect(r"keel-guest: initramfs up on (\S+), (\d+) CPUs", "the initramfs")
    if m.group(1) != "aarch64" or int(m.group(2)) != cpus:
        k.fail(f"guest reports {m.group(1)} with {m.group(2)} CPUs, expected aarch64 and {cpus}")
    k.expect(r"guest# ", "the guest shell")
    k.child.send("grep -c ^processor /proc/cpuinfo; grep arch_timer /proc/interrupts; uname -a\r")
    k.expect(r"Linux \S+ \S+ .*aarch64", "uname -a")
    k.expect(r"guest# ", "the prompt")
    text = k.text()
    counts = re.search(r"^\s*\d+:((?:\s+\d+)+)\s+GIC\S*\s+\d+ Level\s+arch_timer", text, re.M)
    if not counts:
        k.fail("no arch_timer line in /proc/interrupts")
    per_cpu = [int(x) for x in counts.group(1).split()]
    if len(per_cpu) != cpus or min(per_cpu) == 0:
        k.fail(f"timer interrupts per CPU: {per_cpu}")
    k.close()
    print(f"timer interrupts per CPU: {per_cpu}")
    print("PASS")


if __name__ == "__main__":
    main()
