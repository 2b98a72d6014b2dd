#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot a Keel image under QEMU and check what it prints.

Passes when the boot summary shows the expected CPUs online at EL2, the
expected GIC and memory size, the EL2 timer interrupt on every CPU, and no
crash, panic or error line. With --expect-crash, passes only when the kernel
prints a complete crash report for the deliberate fault instead.
"""
import argparse
import re
import sys
import time

import pexpect

SUMMARY = re.compile(r"Keel (\S+) up on (\S+): (\d+) CPUs, (GICv\d), (\d+) MiB")
CPUS = re.compile(r"cpus: (\d+) of (\d+) online at EL2")
TIMER = re.compile(r"EL2 timer interrupt on (\d+) of (\d+) CPUs")
BAD = re.compile(r"KEEL CRASH|KEEL PANIC|\] E ")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--board", required=True)
    p.add_argument("--cpus", type=int, required=True)
    p.add_argument("--gic", required=True)
    p.add_argument("--mib", type=int, required=True)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--expect-crash", action="store_true")
    p.add_argument("qemu", nargs=argparse.REMAINDER)
    args = p.parse_args()
    if args.qemu and args.qemu[0] == "--":
        args.qemu = args.qemu[1:]
    return args


def fail(msg, log):
    print(log)
    print(f"FAIL: {msg}")
    sys.exit(1)


def main():
    args = parse_args()
    log_parts = []

    class Tee:
        def write(self, s):
            log_parts.append(s)

        def flush(self):
            pass

    start = time.monotonic()
    child = pexpect.spawn(args.qemu[0], args.qemu[1:], encoding="utf-8",
                          codec_errors="replace", timeout=args.timeout)
    child.logfile_read = Tee()
    want = r"\*\*\* (system halted|resetting)" if args.expect_crash else SUMMARY.pattern
    try:
        child.expect([want, r"KEEL PANIC.*\n"])
        child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=1)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        child.terminate(force=True)
        what = "timed out" if isinstance(e, pexpect.TIMEOUT) else "QEMU exited"
        fail(f"{what} before the {'crash report' if args.expect_crash else 'boot summary'}",
             "".join(log_parts))
    child.terminate(force=True)
    log = "".join(log_parts)
    print(log)
    print(f"(boot output after {time.monotonic() - start:.1f} s of host time)")
    if args.expect_crash:
        check_crash(log)
    else:
        check_boot(args, log)
    print("PASS")


def check_boot(args, log):
    if BAD.search(log):
        fail(f"error line in boot log: {BAD.search(log).group(0)!r}", "")
    m = SUMMARY.search(log)
    board, cpus, gic, mib = m.group(2), int(m.group(3)), m.group(4), int(m.group(5))
    if board != args.board:
        fail(f"board {board}, expected {args.board}", "")
    if cpus != args.cpus:
        fail(f"{cpus} CPUs online, expected {args.cpus}", "")
    c = CPUS.search(log)
    if not c or int(c.group(1)) != int(c.group(2)):
        fail("not every CPU of the device tree came online", "")
    if gic != args.gic:
        fail(f"{gic}, expected {args.gic}", "")
    if mib != args.mib:
        fail(f"{mib} MiB, expected {args.mib}", "")
    t = TIMER.search(log)
    if not t or int(t.group(1)) != args.cpus:
        fail("EL2 timer interrupt not seen on every CPU", "")


def check_crash(log):
    needed = [
        r"\*\*\* KEEL CRASH on cpu0: Data Abort \(current EL\), taken as EL2 sync \*\*\*",
        r"ESR  0x96\w{6} \(EC 0x25",
        r"FAR  0x00000000dead0000",
        r"ELR  0x[0-9a-f]{16}",
        r"x0   0x[0-9a-f]{16}  x1   0x[0-9a-f]{16}",
        r"x30  0x[0-9a-f]{16}  sp   0x[0-9a-f]{16}",
    ]
    for pat in needed:
        if not re.search(pat, log):
            fail(f"crash report lacks {pat!r}", "")


if __name__ == "__main__":
    main()
