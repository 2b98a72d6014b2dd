#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The default system boots to the hypervisor shell; help, ps, caps, log work.

Usage: shell_test.py -- <qemu command line booting keel.img>
"""
import re
import sys

from keelqemu import Keel, qemu_argv


def main():
    k = Keel(qemu_argv(sys.argv), timeout=120)
    # The terminal starts on the Linux guest's console where there is one:
    # Ctrl-T 0 is the hypervisor shell (a no-op when it has the focus).
    k.expect(r"vmm: root service up", "vmm")
    k.child.send("\x14" "0")
    k.expect(r"keel> ", "the shell prompt")

    out = k.command("help", r"  help ")
    for cmd in ("help", "ps", "caps", "log"):
        if not re.search(rf"^\s+{cmd}\s", out, re.M):
            k.fail(f"help does not list '{cmd}'")

    out = k.command("ps", r"PID +TID")
    if not re.search(r"PID\s+TID\s+PARTITION\s+STATE\s+CPU\s+PRIO", out):
        k.fail("ps has no header")
    rows = {m.group(1): m.group(2) for m in
            re.finditer(r"^\s*\d+\s+\d+\s+(\S+)\s+(\S+)\s+\d+\s+\d+", out, re.M)}
    if rows.get("vmm") not in ("recv", "ready", "running"):
        k.fail(f"vmm should be alive, ps says {rows.get('vmm')}")
    if "console" not in rows:
        k.fail("ps does not list the console service")
    if not re.search(r"console\s+\S+\s+0\s+30\s+2000/10000", out):
        k.fail("console's priority 30 and budget 2000/10000 us are not shown")

    out = k.command("caps vmm", r"SLOT TYPE")
    for t in ("partition", "untyped", "irq-control", "sysinfo", "endpoint"):
        if t not in out:
            k.fail(f"caps vmm lacks a {t} capability")
    out = k.command("caps console", r"SLOT TYPE")
    if not re.search(r"^\s+8\s+frame\s+rw---", out, re.M):
        k.fail("console's slot 8 should be the UART frame, read-write only")
    if "untyped" in out or "irq-control" in out:
        k.fail("console holds more authority than it was given")
    out = k.command("caps nosuch", r"caps: ")
    if "no partition 'nosuch'" not in out:
        k.fail("caps on an unknown partition gives no clear error")

    out = k.command("log", r"\] I boot: ")
    if not re.search(r"Keel \S+ up on \S+: \d+ CPUs", out):
        k.fail("log does not hold the boot summary")
    out = k.command("frobnicate", r"unknown command")
    if "unknown command 'frobnicate'" not in out:
        k.fail("an unknown command gives no clear error")
    k.close()
    print("PASS")


if __name__ == "__main__":
    main()
