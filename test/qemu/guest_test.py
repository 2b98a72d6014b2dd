#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guest images (scripts/guest-images) boot to a shell, on bare QEMU
(the reference) or as Keel's Linux GVM (keel.img: Debian's kernel,
unmodified). Types commands into the guest's shell and checks the CPU
count, that timer interrupts count on every CPU, and the architecture.
With --keel, the console must also switch to the hypervisor shell
(Ctrl-T 0), where ps shows the VM's vCPUs, and back (Ctrl-T 1); with 2
CPUs, CPU 1 goes offline and online again (PSCI CPU_OFF, AFFINITY_INFO,
CPU_ON of a vCPU that ran before) and takes timer interrupts again. With
--reboot, `reboot -f` (PSCI SYSTEM_RESET: vmm reloads the VM's RAM and
boots vCPU 0 again) must bring the guest back to its shell.
Under Keel the guest is the VM named by --vm (default gvm), whose console
is Ctrl-T --key (default 2) and whose prompt is "NAME# "; with --switch the
terminal starts elsewhere (the MVM of the default system) and the test
switches to the VM first.

Usage: guest_test.py --cpus N [--keel [--vm NAME] [--key N] [--switch]] [--reboot]
                     -- <qemu command line>
"""
import re
import sys

from keelqemu import Keel, qemu_argv


PROMPT = r"guest# "
VM, KEY = "gvm", "2"


def option(name, default):
    opts = sys.argv[:sys.argv.index("--")]
    return opts[opts.index(name) + 1] if name in opts else default


def check_hypervisor_shell(k, cpus):
    k.child.send("\x14" "0")
    k.expect(r"keel> ", "the hypervisor shell after Ctrl-T 0")
    out = k.command("ps", r"PID +TID")
    vcpus = re.findall(rf"^\s*\d+\s+\d+\s+{VM}\s+", out, re.M)
    if len(vcpus) != cpus:
        k.fail(f"ps shows {len(vcpus)} vCPUs of {VM}, expected {cpus}")
    k.child.send("\x14" + KEY)
    k.expect(rf"console: {VM}", f"the guest console after Ctrl-T {KEY}")
    k.child.send("echo back-$((6*7))\r")
    k.expect(r"back-42", "the guest answering after the switch")


def timer_counts(k):
    k.child.send("grep arch_timer /proc/interrupts\r")
    m = k.expect(r"\n\s*\d+:((?:\s+\d+)+)\s+GIC\S*\s+\d+ Level\s+arch_timer", "timer counts")
    k.expect(PROMPT, "the prompt")
    return [int(x) for x in m.group(1).split()]


def check_cpu_hotplug(k):
    online = "/sys/devices/system/cpu/cpu1/online"
    k.child.send(f"echo 0 > {online}; grep -c ^processor /proc/cpuinfo\r")
    m = k.expect(r"\n(\d+)\s*\n", "the CPU count after CPU_OFF")
    if m.group(1) != "1":
        k.fail(f"{m.group(1)} CPUs after taking CPU 1 offline")
    k.expect(PROMPT, "the prompt")
    k.child.send(f"echo 1 > {online}; grep -c ^processor /proc/cpuinfo\r")
    m = k.expect(r"\n(\d+)\s*\n", "the CPU count after CPU_ON")
    if m.group(1) != "2":
        k.fail(f"{m.group(1)} CPUs after bringing CPU 1 back")
    k.expect(PROMPT, "the prompt")
    before = timer_counts(k)
    k.child.send("sleep 1\r")
    k.expect(PROMPT, "the prompt")
    after = timer_counts(k)
    if after[1] <= before[1]:
        k.fail(f"CPU 1 takes no timer interrupts after CPU_ON: {before} then {after}")


def check_reboot(k, cpus):
    k.child.send("reboot -f\r")
    m = k.expect(r"keel-guest: initramfs up on (\S+), (\d+) CPUs", "the guest after SYSTEM_RESET")
    if int(m.group(2)) != cpus:
        k.fail(f"after the reset the guest has {m.group(2)} CPUs, expected {cpus}")
    k.expect(PROMPT, "the guest shell after the reset")
    k.child.send("echo again-$((6*7))\r")
    k.expect(r"again-42", "the guest answering after the reset")


def main():
    global PROMPT, VM, KEY
    cpus = int(sys.argv[sys.argv.index("--cpus") + 1])
    opts = sys.argv[:sys.argv.index("--")]
    keel = "--keel" in opts
    VM, KEY = option("--vm", VM), option("--key", KEY)
    if keel:
        PROMPT = rf"{VM}# "
    k = Keel(qemu_argv(sys.argv), timeout=300 if keel else 180)
    if "--switch" in opts:
        # Its boot output waits in the console's buffer until it has the focus.
        k.expect(r"keel-guest: initramfs up .*\(VM \w+\)", "the first VM's initramfs")
        k.child.send("\x14" + KEY)
        k.expect(rf"console: {VM}", f"the console of {VM} after Ctrl-T {KEY}")
    m = k.expect(r"keel-guest: initramfs up on (\S+), (\d+) CPUs", "the initramfs")
    if m.group(1) != "aarch64" or int(m.group(2)) != cpus:
        k.fail(f"guest reports {m.group(1)} with {m.group(2)} CPUs, expected aarch64 and {cpus}")
    k.expect(PROMPT, "the guest shell")
    k.child.send("cat /proc/cpuinfo; cat /proc/interrupts; uname -a\r")
    k.expect(r"Linux \S+ \S+ .*aarch64", "uname -a")
    k.expect(PROMPT, "the prompt")
    text = k.text()
    counts = re.search(r"^\s*\d+:((?:\s+\d+)+)\s+GIC\S*\s+\d+ Level\s+arch_timer", text, re.M)
    if not counts:
        k.fail("no arch_timer line in /proc/interrupts")
    per_cpu = [int(x) for x in counts.group(1).split()]
    if len(per_cpu) != cpus or min(per_cpu) == 0:
        k.fail(f"timer interrupts per CPU: {per_cpu}")
    cpuinfo = len(re.findall(r"^processor\s+: \d+", text, re.M))
    if cpuinfo != cpus:
        k.fail(f"/proc/cpuinfo lists {cpuinfo} processors, expected {cpus}")
    if keel:
        check_hypervisor_shell(k, cpus)
        if cpus == 2:
            check_cpu_hotplug(k)
    if "--reboot" in sys.argv[:sys.argv.index("--")]:
        check_reboot(k, cpus)
    k.close()
    print(f"timer interrupts per CPU: {per_cpu}")
    print("PASS")


if __name__ == "__main__":
    main()
