#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live service swap on the default system (keel.img), from the MVM's shell
(docs/live-update.md).

Checks:
- `keelctl services` shows the versions the images booted (devemu,
  console, liveupdate 1.0.0);
- bad images and requests get a clear error from keelctl, exit code 1, and
  the running service keeps working at the same version and generation:
  a truncated image, a corrupt one (one ELF byte changed), an image built
  for another ABI version, a service name that does not exist, devemu's
  image offered for the console, a rollback with nothing to go back to,
  and new versions that crash during start, reject the state record, or
  never answer the health check (each rolled back automatically);
- the MVM prints a numbered line every 3 ms through its emulated UART
  while devemu is swapped ten times (1.0.0 -> 1.1.0, which converts the
  state record, and back by `keelctl service rollback`, which gets a
  record in the old format): every line arrives, once, in order; then
  ten more swaps while commands are typed into the same console: every
  one is answered;
- the GVM's shell still answers; the console and the coordinator itself
  are swapped for rebuilt versions and everything keeps working, devemu
  swapping again under the new coordinator;
- the free memory is the same before and after all of it (each instance's
  memory block is reset and reused).

Usage: live_test.py -- <qemu command line booting keel.img>
"""
import json
import re
import sys

from keelqemu import Keel, qemu_argv
from mvm_test import MVM_PROMPT, expect_error, expect_ok, sh, switch, vm_states

LINES = 2000
LOG_LINE = re.compile(r"\[ *\d+\.\d+\] [^\n]*\n")


def services(k):
    # Kernel log lines may land between the JSON and the shell's next line.
    out = LOG_LINE.sub("", expect_ok(k, "keelctl --json services"))
    line = next(l for l in out.splitlines() if l.startswith("{"))
    data, _ = json.JSONDecoder().raw_decode(line)
    return {s["name"]: s for s in data["services"]}


def check_versions(k, want):
    have = services(k)
    for name, version in want.items():
        s = have.get(name, {})
        if s.get("version") != version or s.get("state") != "running":
            k.fail(f"{name} is {s.get('version')} ({s.get('state')}), expected {version}")
    return have


def check_bad_input(k):
    before = services(k)["devemu"]
    lib = "/lib/keel"
    expect_ok(k, f"head -c 5000 {lib}/devemu-v2.ksvc > /tmp/short.ksvc; "
                 f"cp {lib}/devemu-v2.ksvc /tmp/bad.ksvc; "
                 "printf X | dd of=/tmp/bad.ksvc bs=1 seek=30000 conv=notrunc 2>/dev/null")
    cases = [
        ("service swap devemu /tmp/short.ksvc", "truncated image: 5000 bytes"),
        ("service deploy /tmp/short.ksvc", "truncated image: 5000 bytes"),
        ("service swap devemu /tmp/bad.ksvc", "corrupt image: ELF checksum mismatch"),
        ("service swap devemu /lib/keel/devemu-abi9.ksvc",
         "ABI version 9, this hypervisor runs services of ABI version 1"),
        ("service swap nosuch /lib/keel/devemu-v2.ksvc", "no service 'nosuch'"),
        ("service swap console /lib/keel/devemu-v2.ksvc", "the image is devemu's, not console's"),
        ("service rollback devemu", "devemu has no earlier version to go back to"),
        ("service swap devemu /lib/keel/devemu-crash.ksvc",
         "rolled back: new version crashed or hung during start"),
        ("service swap devemu /lib/keel/devemu-reject.ksvc",
         "rolled back: new version failed to import the state: devemu 1.1.0-reject: "
         "test build rejects every state"),
        ("service swap devemu /lib/keel/devemu-hang.ksvc",
         "rolled back: new version failed its health check"),
    ]
    for args, message in cases:
        expect_error(k, f"keelctl {args}", 1, message)
        # The service that was running still answers (this shell's output
        # goes through it) at the same version and generation.
        now = services(k)["devemu"]
        if (now["version"], now["generation"]) != (before["version"], before["generation"]):
            k.fail(f"after '{args}' devemu is {now}, was {before}")
    out = expect_ok(k, "keelctl service deploy /lib/keel/devemu-v2.ksvc")
    if "deployed devemu 1.1.0 (state format 2" not in out:
        k.fail(f"deploy printed {out!r}")


SWAPS = ("for n in 1 2 3 4 5; do keelctl service swap devemu /lib/keel/devemu-v2.ksvc "
         "&& keelctl service rollback devemu || break; done > /tmp/swaps.log 2>&1; "
         "echo swaps-rc=$?")


def swap_log(k, rc):
    log = expect_ok(k, "cat /tmp/swaps.log")
    print(log)
    if rc != 0 or log.count("swapped devemu") != 10:
        k.fail(f"the swaps ended with {rc}: {log}")
    return log


def stream_while(k, lines, job, rc_name, timeout=300):
    """The MVM prints `lines` numbered lines, a line every 3 ms, while the
    shell runs `job` (which ends by echoing RC_NAME-rc=N) beside them.
    Checks that every line arrived once and in order; returns N."""
    k.child.send(f"(i=0; while [ $i -lt {lines} ]; do echo \"seq $i\"; i=$((i+1)); "
                 "usleep 3000; done; echo stream-done) &\r")
    k.expect(MVM_PROMPT, "the prompt after starting the stream")
    k.child.send(f"({job}) &\r")
    k.expect(MVM_PROMPT, f"the prompt after starting the {rc_name}")
    k.expect(rf"{rc_name}-rc=(\d+)", f"the {rc_name} to end", timeout)
    rc = int(k.child.match.group(1))
    k.expect(r"stream-done", "the end of the numbered lines", 300)
    k.child.send("\r")
    k.expect(MVM_PROMPT, "the prompt after the stream")
    text = LOG_LINE.sub("", k.text())
    seen = [int(n) for n in re.findall(r"seq (\d+)\n", text)]
    if seen != list(range(lines)):
        wrong = [(i, n) for i, n in enumerate(seen) if n != i][:5]
        k.fail(f"{len(seen)} numbered lines of {lines}; first out of place {wrong}")
    return rc


def check_stream_through_swaps(k):
    """Ten swaps of devemu while the MVM prints numbered lines."""
    log = swap_log(k, stream_while(k, LINES, SWAPS, "swaps"))
    pauses = [int(p) for p in re.findall(r"guest pause (\d+) us", log)]
    print(f"devemu swaps: {len(pauses)}, pause us (TCG wall time) max {max(pauses)}")


def check_typing_through_swaps(k):
    """Ten more swaps while commands are typed into the console devemu runs.
    (Apart from the stream: the terminal echoes typed keys one at a time,
    which would land inside the numbered lines.)"""
    k.child.send(f"({SWAPS}) &\r")
    k.expect(MVM_PROMPT, "the prompt after starting the swaps")
    typed = 0
    while True:
        word = f"typed{typed}"
        k.child.send(f"echo {word}-$((6*7))\r")
        idx = k.child.expect([rf"{word}-42", r"swaps-rc=(\d+)"], timeout=300)
        if idx == 1:
            break
        typed += 1
    rc = int(k.child.match.group(1))
    k.child.send("\r")
    k.expect(MVM_PROMPT, "the prompt after the swaps")
    swap_log(k, rc)
    if typed < 3:
        k.fail(f"only {typed} commands answered during the swaps")
    print(f"{typed} typed commands answered during ten swaps")


def check_version_and_rollback(k):
    out = expect_ok(k, "keelctl service swap devemu /lib/keel/devemu-v2.ksvc")
    if "swapped devemu 1.0.0 -> 1.1.0" not in out:
        k.fail(f"swap printed {out!r}")
    s = check_versions(k, {"devemu": "1.1.0"})["devemu"]
    if s.get("previous") != "1.0.0" or s.get("live") != "yes":
        k.fail(f"devemu after the swap: {s}")
    expect_ok(k, "keelctl service rollback devemu")
    check_versions(k, {"devemu": "1.0.0"})


def shell_answers(k, which):
    """The hypervisor shell (Ctrl-T 0) runs ps; `which` console it is."""
    k.child.send("\x140")
    k.expect(r"keel> ", f"the hypervisor shell of the {which} console")
    k.child.send("ps\r")
    k.expect(r"devemu", f"ps in the {which} console's shell")
    k.expect(r"keel> ", "the prompt after ps")


def check_gvm(k):
    switch(k, "2", "gvm")
    k.child.send("echo gvm-$((6*7))\r")
    k.expect(r"gvm-42", "the GVM answering")
    switch(k, "1", "mvm")
    k.child.send("\r")
    k.expect(MVM_PROMPT, "the MVM's prompt")


def check_console_and_coordinator(k):
    out = expect_ok(k, "keelctl service swap console /lib/keel/console-next.ksvc")
    if "swapped console 1.0.0 -> 1.0.1" not in out:
        k.fail(f"console swap printed {out!r}")
    # The hypervisor shell is the console's own: it must answer too.
    shell_answers(k, "new")
    switch(k, "1", "mvm")
    k.child.send("\r")
    k.expect(MVM_PROMPT, "the MVM's prompt")
    out = expect_ok(k, "keelctl service swap liveupdate /lib/keel/liveupdate-next.ksvc")
    if "swapped liveupdate 1.0.0 -> 1.0.1" not in out:
        k.fail(f"coordinator swap printed {out!r}")
    expect_ok(k, "keelctl service swap devemu /lib/keel/devemu-v2.ksvc")
    expect_error(k, "keelctl service swap devemu /lib/keel/devemu-crash.ksvc", 1,
                 "rolled back: new version crashed or hung during start")
    expect_ok(k, "keelctl service rollback devemu")
    check_versions(k, {"console": "1.0.1", "liveupdate": "1.0.1", "devemu": "1.0.0"})


def main():
    k = Keel(qemu_argv(sys.argv), timeout=300)
    k.expect(r"keel-guest: initramfs up .*\(VM mvm\)", "the MVM's initramfs")
    k.expect(MVM_PROMPT, "the MVM's shell")
    check_versions(k, {"devemu": "1.0.0", "console": "1.0.0", "liveupdate": "1.0.0"})
    _, free_before = vm_states(k)
    check_bad_input(k)
    check_stream_through_swaps(k)
    check_typing_through_swaps(k)
    check_version_and_rollback(k)
    check_gvm(k)
    check_console_and_coordinator(k)
    vms, free_after = vm_states(k)
    for name in ("mvm", "gvm", "rtvm"):
        if vms[name]["state"] != "running":
            k.fail(f"{name} is {vms[name]['state']} after the swaps")
    if free_after != free_before:
        k.fail(f"free memory {free_before} MiB before the swaps, {free_after} MiB after")
    k.close()
    print("PASS")


if __name__ == "__main__":
    main()
