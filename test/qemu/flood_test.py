#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A witness VM beside flooding ones (issue 14, hole 8): keel-flood.img.

    flood_test.py [--flood-ms MS] [--skip-ms MS] [--measure-ms MS] [--min-share F]
                  [--limit SECS] [--json] -- QEMU ARGV...

The witness (test/guests/flood/witness.c, on CPU 0 below the services, as
the management VM is) makes a round every 20 ms: five HVC round trips to
vmm and a console line through devemu. At --flood-ms of guest time
floodhvc's two vCPUs start calling HVC in a tight loop and flooduart
starts storing to its PL011 in one. After --skip-ms more (the flood's
first period), the rounds the witness completes over --measure-ms of its
time are counted against the rounds due (one per 20 ms).

Exit status 0 when the witness completed at least --min-share of them, the
flood ran (floodhvc's start line), vmm and devemu both deferred a flooder
("over its share"), and nothing crashed or faulted. Without a fair share
the witness stops as soon as the flood starts: vmm, which has no budget,
serves floodhvc's exits back to back above the witness's priority, and
devemu's budget goes to flooduart.

Meant for -icount shift=0,sleep=off, where the guest's time is executed
instructions and the result does not depend on the host's load (on a
loaded two-core host the plain TCG clock mostly measures the host).
"""
import argparse
import json
import re
import sys
import time

import pexpect

LOG_LINE = re.compile(r"\[\s*\d+\.\d+\] [DIWE] [^\n]*\n")
ROUND = re.compile(r"witness: round (\d+) ms (\d+) late-us (\d+) hvc-us (\d+) line-us (\d+)\n")
FATAL = re.compile(r"KEEL CRASH|KEEL PANIC|service \S+ stopped|FAIL")
PERIOD_MS = 20


def split_log(raw):
    """(guest text with the kernel log lines cut out, the log lines): the
    console prints log lines in the middle of the witness's lines."""
    raw = re.sub(r"\x1b\[K|\r", "", raw)
    return LOG_LINE.sub("", raw), "".join(LOG_LINE.findall(raw))


def rounds(text):
    return [tuple(map(int, m)) for m in ROUND.findall(text)]


def phase(rs, start, end):
    inside = [r for r in rs if start <= r[1] < end]
    return {"rounds": len(inside), "due": (end - start) // PERIOD_MS,
            "late_max_us": max([r[2] for r in inside] or [0]),
            "hvc_max_us": max([r[3] for r in inside] or [0]),
            "line_max_us": max([r[4] for r in inside] or [0])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flood-ms", type=int, default=2000, help="when the flood starts")
    ap.add_argument("--skip-ms", type=int, default=500)
    ap.add_argument("--measure-ms", type=int, default=3000)
    ap.add_argument("--min-share", type=float, default=0.3)
    ap.add_argument("--limit", type=float, default=100, help="wall-clock seconds")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu
    start = a.flood_ms + a.skip_ms
    end = start + a.measure_ms

    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", codec_errors="replace",
                          timeout=None)
    raw, t0 = "", time.time()
    while time.time() - t0 < a.limit:
        try:
            raw += child.read_nonblocking(65536, timeout=0.5)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            break
        text, _ = split_log(raw)
        rs = rounds(text)
        if (rs and rs[-1][1] >= end) or FATAL.search(raw):
            break
    child.terminate(force=True)
    wall = time.time() - t0

    text, log = split_log(raw)
    rs = rounds(text)
    result = {"wall_s": round(wall, 1), "last_ms": rs[-1][1] if rs else 0,
              "before": phase(rs, 500, a.flood_ms), "flood": phase(rs, start, end),
              "flood_started": "floodhvc: flood: start" in log,
              "vmm_deferred": "VM floodhvc: over its share of vmm's time" in log,
              "devemu_deferred": bool(re.search(r"devemu: guest 2 over its share", log)),
              "fatal": FATAL.findall(raw)}
    f = result["flood"]
    result["ok"] = (f["rounds"] >= a.min_share * f["due"] and result["flood_started"] and
                    result["vmm_deferred"] and result["devemu_deferred"] and
                    not result["fatal"])
    if a.json:
        print(json.dumps(result))
    else:
        print(text[-3000:])
        print(log[-3000:])
        b = result["before"]
        print(f"flood_test: before the flood {b['rounds']}/{b['due']} rounds; "
              f"flooded {f['rounds']}/{f['due']} (at least {a.min_share:.0%} needed), "
              f"latest start {f['late_max_us']} us, 5 HVCs at most {f['hvc_max_us']} us, "
              f"a line at most {f['line_max_us']} us; witness at {result['last_ms']} ms "
              f"after {result['wall_s']} s")
        for k in ("flood_started", "vmm_deferred", "devemu_deferred", "fatal"):
            print(f"flood_test: {k} {result[k]}")
        print("flood_test:", "PASS" if result["ok"] else "FAIL")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
