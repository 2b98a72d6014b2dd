#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the hostile guest (test/guests/hostile) once and judge it.

    hostile_test.py [--mode M] [--seed S] [--ops N] [--every E] [--hang SECS]
                    [--keel] [--bp ELF:SYMBOL ...] [--json] -- QEMU ARGV... -kernel IMAGE

IMAGE is the guest ELF (bare QEMU) or keel-hostile.img (--keel); a patched
copy is booted instead. On Keel the console has the hostile VM on CPU 1;
the one on CPU 0 (hostile0) is read afterwards from its console history,
the witness VM's latency rounds show that another VM kept running, and
the kernel log is searched for faults. A guest that prints nothing for
--hang seconds is a hang. Exit status 0 when: campaign - every recover
phase delivered all three interrupts, no hang, no fault, witness
unaffected; directed modes - every instance printed PASS, and the same.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import pexpect

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402

LOG_LINE = re.compile(r"\[\s*\d+\.\d+\] [DIWE] [^\n]*\n")
FAULT = re.compile(r"KEEL CRASH|KEEL PANIC|service \S+ stopped|fault", re.I)
WITNESS = "witness: latprobe: round"


def symbol(spec):
    """ELF:SYMBOL -> its address (nm)."""
    elf, name = spec.rsplit(":", 1)
    out = subprocess.run(["aarch64-linux-gnu-nm", elf], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise SystemExit(f"hostile_test: no symbol {name} in {elf}")


def split_log(raw):
    """(guest text with kernel log lines cut out, the log lines)."""
    raw = re.sub(r"\x1b\[K|\r", "", raw)
    return LOG_LINE.sub("", raw), LOG_LINE.findall(raw)


class Run:
    def __init__(self, argv, hang):
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=None)
        self.raw, self.hang_s = "", hang
        self.witness_at = []

    def pump(self, secs):
        """Read for up to `secs` seconds; new text is added to self.raw."""
        end = time.time() + secs
        while time.time() < end:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.5)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return False
            before = self.raw.count(WITNESS)
            self.raw += chunk
            self.witness_at += [time.time()] * (self.raw.count(WITNESS) - before)
        return True

    def until_done(self, what, limit):
        """Read until `what` is in the guest's text; False on a hang (no new
        guest line for hang_s seconds) or after `limit` seconds."""
        start = last_progress = time.time()
        seen = 0
        while time.time() - start < limit:
            alive = self.pump(1)
            text, _ = split_log(self.raw)
            if what in text:
                return True
            n = text.count("hostile:")
            if n != seen:
                seen, last_progress = n, time.time()
            if time.time() - last_progress > self.hang_s or not alive:
                return False
        return False

    def close(self):
        self.child.terminate(force=True)


def judge_instance(text, mode, max_stalls=0):
    """The numbers of one instance's output; up to `max_stalls` operations
    over 1 s are tolerated (an open finding on Keel, docs/benchmarks.md)."""
    r = {"recovers": hostile.recovers(text), "summary": hostile.summary(text),
         "verdicts": hostile.VERDICT.findall(text), "done": "hostile: done" in text}
    if mode == "campaign":
        s = r["summary"]
        r["ok"] = bool(s) and all(ok for _, _, ok in r["recovers"]) and s["hangs"] <= max_stalls
        r["ops_done"] = s["ops"] if s else max([o for _, o, _ in r["recovers"]] or [0])
        r["recovers_passed"] = sum(ok for _, _, ok in r["recovers"])
        r["lost"] = (s["lost_timer"] + s["lost_sgi"] + s["lost_uart"]) if s else sum(
            not ok for _, _, ok in r["recovers"])
    else:
        r["ok"] = bool(r["verdicts"]) and all(v == "PASS" for _, v in r["verdicts"])
    return r


def other_console(run, name):
    """Switch the console to guest `name` (its history is replayed) and
    return what it shows; None if the hypervisor shell does not answer."""
    run.child.send("\x14" + "0")
    if not run.pump(3) or "keel>" not in run.raw[-4000:]:
        pass
    mark = len(run.raw)
    run.child.send(f"console {name}\r")
    for _ in range(20):
        run.pump(1)
        if f"[console: {name}" in run.raw[mark:]:
            run.pump(3)
            text, _ = split_log(run.raw[mark:])
            return text
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", default="campaign", choices=sorted(hostile.MODES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", type=int, default=3000)
    ap.add_argument("--every", type=int, default=1000)
    ap.add_argument("--hang", type=float, default=60, help="seconds without guest output")
    ap.add_argument("--limit", type=float, default=600, help="seconds for the whole run")
    ap.add_argument("--keel", action="store_true")
    ap.add_argument("--bp", action="append", default=[], help="ELF:SYMBOL, up to 4")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--max-stalls", type=int, default=0,
                    help="operations over 1 s tolerated per instance (they are still reported)")
    ap.add_argument("--skip-debug", action="store_true",
                    help="leave the debug registers out of the mix (a known hole)")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    argv = a.qemu[1:] if a.qemu[:1] == ["--"] else a.qemu
    image = argv[argv.index("-kernel") + 1]
    bp = [symbol(s) for s in a.bp] or None
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, os.path.basename(image))
        hostile.patch_file(image, copy, seed=a.seed, ops=a.ops, mode=a.mode, every=a.every,
                           bp=bp, skip=1 if a.skip_debug else 0)
        argv[argv.index("-kernel") + 1] = copy
        run = Run(argv, a.hang)
        done = run.until_done("hostile: done", a.limit)
        result = {"seed": a.seed, "mode": a.mode, "hang": not done}
        text, _ = split_log(run.raw)
        result["main"] = judge_instance(text, a.mode, a.max_stalls)
        if a.keel:
            rounds_before = len(run.witness_at)
            run.pump(6)
            result["witness_ok"] = len(run.witness_at) > rounds_before
            cpu0 = other_console(run, "hostile0")
            result["console_ok"] = cpu0 is not None
            result["cpu0"] = judge_instance(cpu0 or "", a.mode, a.max_stalls)
            _, log = split_log(run.raw)
            result["faults"] = [line.strip() for line in log if FAULT.search(line)]
        run.close()
        if os.environ.get("KEEL_TEST_LOG"):
            with open(os.environ["KEEL_TEST_LOG"], "w") as f:
                f.write(run.raw)
    result["ok"] = (not result["hang"] and result["main"]["ok"] and
                    (not a.keel or (result["witness_ok"] and result["console_ok"] and
                                    result["cpu0"]["ok"] and not result["faults"])))
    if a.json:
        print(json.dumps(result))
    else:
        print(split_log(run.raw)[0][-6000:])
        for k in ("hang", "witness_ok", "console_ok", "faults"):
            if k in result:
                print(f"hostile_test: {k} {result[k]}")
        for inst in ("main", "cpu0"):
            if inst in result:
                r = result[inst]
                print(f"hostile_test: {inst} ok {r['ok']} verdicts {r['verdicts']} "
                      f"summary {r['summary']}")
        print("hostile_test:", "PASS" if result["ok"] else "FAIL")
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
