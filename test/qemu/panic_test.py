#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A kernel fault stops every CPU, is reported once, then resets or halts.

Boots with keel.selftest=crash-smp: every secondary CPU prints a numbered
heartbeat (odd CPUs with interrupts open, even ones through the kernel lock
with interrupts masked), then the boot CPU faults holding the kernel lock.
Checks that the crash report comes once, with the exception class, fault
address, ELR, thread and CPU, that it says every other CPU stopped, that no
heartbeat follows it, and then:
  --action halt   QEMU stays up and silent for --quiet seconds;
  --action reset  (the default action, so no keel.panic is passed) the
                  system resets: the boot banner comes again.
"""
import argparse
import re
import sys

import pexpect

BANNER = r"I boot: Keel \S+ \(\S+\) at EL2"
REPORT = "*** KEEL CRASH on cpu"
NEEDED = [
    r"\*\*\* KEEL CRASH on cpu0: Data Abort \(current EL\), taken as EL2 sync \*\*\*",
    r"FAR  0x00000000dead0000",
    r"ELR  0x[0-9a-f]{16}",
    r"thread: none \(boot, idle or between threads\) on cpu0",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--action", choices=["halt", "reset"], required=True)
    p.add_argument("--cpus", type=int, required=True)
    p.add_argument("--quiet", type=float, default=2.0)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("qemu", nargs=argparse.REMAINDER)
    args = p.parse_args()
    if args.qemu and args.qemu[0] == "--":
        args.qemu = args.qemu[1:]
    return args


def fail(msg, log):
    print(log)
    print(f"FAIL: {msg}")
    sys.exit(1)


def run(args):
    argv = args.qemu + ["-append", "keel.selftest=crash-smp" +
                        (" keel.panic=halt" if args.action == "halt" else "")]
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                          timeout=args.timeout)
    parts = []

    class Tee:
        def write(self, s):
            parts.append(s)

        def flush(self):
            pass

    child.logfile_read = Tee()
    log = lambda: "".join(parts).replace("\r", "")  # noqa: E731
    end = (r"\*\*\* system halted \(keel.panic=halt\) \*\*\*" if args.action == "halt"
           else r"\*\*\* resetting \(keel.panic=reset\) \*\*\*")
    try:
        child.expect(end)
        if args.action == "reset":
            child.expect(BANNER)  # the second boot
        else:
            child.expect([pexpect.TIMEOUT, pexpect.EOF], timeout=args.quiet)
            if not child.isalive():
                fail("QEMU exited though the kernel was told to halt", log())
    except pexpect.TIMEOUT:
        fail(f"timed out before {'the report end' if not parts else 'the reboot'}", log())
    except pexpect.EOF:
        fail("QEMU exited before the report ended or the system rebooted", log())
    finally:
        child.terminate(force=True)
    return log()


def check(args, text):
    first_boot = re.split(BANNER, text)
    if len(first_boot) < 2:
        fail("no boot banner", text)
    run1 = first_boot[1]  # from the first banner to the second, if any
    if run1.count(REPORT) != 1:
        fail(f"{run1.count(REPORT)} crash reports in one boot, expected 1", text)
    before, after = run1.split(REPORT, 1)
    for cpu in range(1, args.cpus):
        if not re.search(rf"selftest: cpu{cpu} beat 2", before):
            fail(f"cpu{cpu} never beat before the crash: the test proves nothing", text)
    for pat in NEEDED:
        if not re.search(pat, REPORT + after):
            fail(f"crash report lacks {pat!r}", text)
    beat = re.search(r"selftest: cpu\d+ beat \d+.*", after)
    if beat:
        fail(f"a CPU went on after the crash report: {beat.group(0)!r}", text)
    if f"cpus: {args.cpus - 1} other(s) stopped\n" not in after:
        fail(f"the report does not say all {args.cpus - 1} other CPUs stopped", text)
    if args.action == "reset" and len(first_boot) < 3:
        fail("no second boot after the reset", text)


def main():
    args = parse_args()
    text = run(args)
    print(text)
    check(args, text)
    print("PASS")


if __name__ == "__main__":
    main()
