#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Services restarted after a crash, on the default system (keel.img), from
the MVM's shell (docs/live-update.md, "Restart after a crash").

Checks:
- the MVM prints a numbered line every 3 ms through its emulated UART
  (devemu's) while devemu is made to fault three times
  (`keelctl service fault devemu`): vmm restarts it each time from its
  checkpoint, and every line arrives, once, in order;
- the console is made to fault: the hypervisor shell and the MVM's shell
  answer again, and its log lines still come;
- `keelctl services` shows devemu with 3 faults and 3 restarts, running,
  at a new generation, and the console with 1; the GVM still answers;
- a fourth fault of devemu within its window (restart-limit 3 in 60 s) is
  a crash loop: vmm leaves it down and closes its endpoint, and the
  hypervisor shell and the RTVM keep running.

Usage: restart_test.py -- <qemu command line booting keel.img>
"""
import re
import sys

from keelqemu import Keel, qemu_argv
from live_test import check_gvm, services, shell_answers, stream_while
from mvm_test import MVM_PROMPT, expect_ok

LINES = 1500
FAULTS = ("for n in 1 2 3; do keelctl service fault devemu || break; sleep 1; done "
          "> /tmp/faults.log 2>&1; echo faults-rc=$?")


def check_stream_through_faults(k):
    rc = stream_while(k, LINES, FAULTS, "faults", 120)
    raw = k.text()
    restarts = re.findall(r"service devemu restarted \(generation (\d+), restart (\d+)", raw)
    if rc != 0 or len(restarts) != 3:
        k.fail(f"faults ended with {rc}; restarts seen: {restarts}")
    taken = re.findall(r"devemu: restart \d+: state of checkpoint (\d+) taken over", raw)
    if len(taken) != 3:
        k.fail(f"devemu took over {len(taken)} checkpoints of 3")
    print(f"devemu restarted 3 times under the stream; checkpoints {taken}")


def check_console_fault(k):
    mark = len(k.text())
    expect_ok(k, "keelctl service fault console")
    if "service console restarted" not in k.text()[mark:]:
        k.expect(r"service console restarted", "the console's restart")
    k.child.send("\r")
    k.expect(MVM_PROMPT, "the MVM's prompt after the console's restart")
    shell_answers(k, "restarted")
    check_gvm(k)


def check_counts(k):
    have = services(k)
    dev, con = have["devemu"], have["console"]
    def counts(s):
        return s["state"], int(s["faults"]), int(s["restarts"])
    if counts(dev) != ("running", 3, 3) or int(dev["generation"]) == 0:
        k.fail(f"devemu after three faults: {dev}")
    if counts(con) != ("running", 1, 1):
        k.fail(f"console after one fault: {con}")


def check_crash_loop(k):
    """A fourth fault within the minute: devemu stays down, its endpoint is
    closed (the guests' UART accesses get an abort instead of waiting),
    and the rest keeps running: the hypervisor shell answers, the RTVM's
    rounds keep coming."""
    k.child.send("keelctl service fault devemu\r")
    k.expect(r"service devemu crashed 4 times within 60 s: not restarted again",
             "vmm giving up on devemu")
    k.expect(r"service devemu is down: exits to endpoint devemu-mmio fail from now on",
             "devemu's endpoint closed")
    k.child.send("\x140")
    k.expect(r"keel> ", "the hypervisor shell with devemu down")
    k.child.send("ps\r")
    k.expect(r"rtvm", "ps with devemu down")
    k.expect(r"keel> ", "the prompt after ps")
    k.child.send("\x143")
    k.expect(r"latprobe: round \d+", "the RTVM's rounds with devemu down", 60)


def main():
    k = Keel(qemu_argv(sys.argv), timeout=300)
    k.expect(r"keel-guest: initramfs up .*\(VM mvm\)", "the MVM's initramfs")
    k.expect(MVM_PROMPT, "the MVM's shell")
    check_stream_through_faults(k)
    check_console_fault(k)
    check_counts(k)
    check_crash_loop(k)
    k.close()
    print("PASS")


if __name__ == "__main__":
    main()
