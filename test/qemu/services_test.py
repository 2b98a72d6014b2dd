#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""keel-test.img: services at EL0 under load and misbehaving.

- IPC ping-pong on one CPU and across CPUs: every reply checked;
- a frame mapped into two partitions: what one writes, the other reads;
- a rogue service's bad calls are refused with the named errors, and its
  wild write stops it alone (vmm reports it, the others go on);
- a high-priority periodic thread keeps running next to a spinning
  low-priority one on its CPU;
- a budgeted high-priority hog leaves CPU time to a low-priority thread;
- a bare-metal guest at EL1 in a VM: its UART accesses and its PSCI call
  are exits that vmm answers; on a GICv2 host its virtual timer wakes it
  from WFI and an SGI to itself arrives through the list registers.

Usage: services_test.py [--max-late-us N] -- <qemu command line>
"""
import re
import sys

from keelqemu import Keel, qemu_argv

RT = re.compile(r"rtprobe: 200 wake-ups .* max (\d+) ticks \(max (\d+) us\)")


def main():
    max_late_us = 500000
    if "--max-late-us" in sys.argv:
        max_late_us = int(sys.argv[sys.argv.index("--max-late-us") + 1])
    argv = qemu_argv(sys.argv)
    gicv3 = any("gic-version=3" in a for a in argv)
    k = Keel(argv, timeout=120)
    checks = {
        "shared memory": lambda t: "bench-same: shared memory OK" in t,
        "same-CPU ping-pong": lambda t: "ipcbench bench-same: 2000 round trips OK" in t,
        "cross-CPU ping-pong": lambda t: "ipcbench bench-cross: 500 round trips OK" in t,
        "rogue's bad calls": lambda t: "rogue: 9 of 9 bad calls refused" in t,
        "rogue stopped": lambda t: "vmm: service rogue stopped: memory fault at 0x50000000" in t,
        "rtprobe": lambda t: RT.search(t),
        "victim progress": lambda t: t.count("victim: alive") >= 3,
        "VM output (MMIO exits)": lambda t: "hello-vm: Hello from a Keel VM" in t,
        "VM MMIO read": lambda t: "hello-vm: uart fr=0x00000090" in t,
        "vGIC distributor": lambda t: "hello-vm: gicd ctlr=0x00000001 isenabler1=0x00000005" in t,
        "VM PSCI off (HVC exit)": lambda t: "VM hello-vm: system off (PSCI)" in t,
        # EC 0x25 (data abort, same EL), IL, DFSC 0x10: a synchronous external abort.
        "VM bad access": lambda t: ("hello-vm: bad access: esr=0x96000010 far=0x50000000" in t
                                    and "VM hello-vm: read of 0x50000000 where nothing is" in t),
        "VM virtual interrupts": lambda t: ("hello-vm: vtimer irq after wfi:" in t
                                            and "hello-vm: sgi injection:" in t)
        or (gicv3 and "hello-vm: no virtual cpu interface" in t),
    }
    while True:
        text = k.text()
        if "FAIL" in text:
            k.fail("a test service reported a failure")
        missing = [name for name, ok in checks.items() if not ok(text)]
        if not missing:
            break
        k.expect(r"\n", ", ".join(missing))
    late_us = int(RT.search(k.text()).group(2))
    if late_us > max_late_us:
        k.fail(f"rtprobe woke up to {late_us} us late (bound {max_late_us} us)")

    out = k.command("ps", r"PID +TID")
    rows = {m.group(1): m for m in re.finditer(
        r"^\s*\d+\s+\d+\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+)", out, re.M)}
    if rows.get("rogue") is None or rows["rogue"].group(2) != "faulted":
        k.fail("ps does not show the rogue service as faulted")
    hog = rows.get("hog")
    if hog is None or hog.group(5) != "1000/10000" or int(hog.group(7)) == 0:
        k.fail("the hog was never throttled to its budget")
    used_us = int(hog.group(6))
    # The hog may use 1 ms per 10 ms: check its share of the time it existed.
    stamps = [float(x) for x in re.findall(r"\[\s*(\d+\.\d+)\]", k.text())]
    started = re.search(r"\[\s*(\d+\.\d+)\] I vmm: started hog", k.text())
    lifetime_us = (max(stamps) - float(started.group(1))) * 1e6
    if used_us > 0.15 * lifetime_us:
        k.fail(f"the hog used {used_us} us of {lifetime_us:.0f} us: more than its 10% budget")
    if rows.get("spinner") is None or rows["spinner"].group(2) not in ("running", "ready"):
        k.fail("the spinner should still be running")
    print(f"rtprobe max lateness {late_us} us; hog used {used_us} us of {lifetime_us:.0f} us")
    k.close()
    print("PASS")


if __name__ == "__main__":
    main()
