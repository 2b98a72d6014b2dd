#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The guests' virtio devices on the default system (keel.img), served by
the virtio service: a disk on a slice of the physical disk QEMU gives the
hypervisor, and a port on the switch between guests.

Checks, through the guests' shells:
- gvm makes an ext2 filesystem on its /dev/vda, writes files, syncs;
- gvm2 (created with keelctl, MiB 128..191 of the same physical disk) does
  the same on its own slice; gvm2 and gvm ping each other over virtio-net
  and move a file with nc, checksums equal;
- gvm2 is destroyed (stopped where it is, as a crash would) and created
  again: its files are there with the same checksums, and its disk is not
  gvm's;
- QEMU is killed (the hypervisor stops with no warning) and booted again on
  the same disk image: gvm's files are there with the same checksums.

Usage: virtio_test.py -- <qemu command line booting keel.img>
The disk is a fresh 256 MiB image of the test's own, added to the command
line with the options scripts/run uses (bsp/qemu-virt/qemu.conf).
"""
import os
import re
import sys
import tempfile

import pexpect
from keelqemu import Keel, qemu_argv

# Kernel log lines may cut a prompt or "rc=N" anywhere (see mvm_test.py).
_LOG = r"(?:\[ *\d+\.\d+\][^\n]*\n)*"
BOOT_TIMEOUT = 400


def cut(text):
    """A pattern for `text` that lets kernel log lines fall between its characters."""
    return _LOG.join(re.escape(ch) for ch in text)


def prompt(vm):
    return cut(f"{vm}#") + _LOG + " "


_seq = [0]


def sh(k, vm, line, timeout=120):
    """Runs `line` in VM `vm`'s shell (its console has the UART); returns the output.
    The marker is new each time: a console switch replays what the VM printed
    before, earlier markers too."""
    _seq[0] += 1
    mark = f"rc{_seq[0]}"
    k.child.send(f"{line}; echo {mark}=$?\r")
    k.expect(cut(f"{mark}=") + r"(\d+)(?=\s|\[ *\d+\.\d+\])", f"'{line}' in {vm} to finish", timeout)
    out, rc = k.child.before, int(k.child.match.group(1))
    k.expect(prompt(vm), f"{vm}'s prompt after '{line}'", timeout)
    out = out.split("\n", 1)[1] if "\n" in out else ""
    if rc != 0:
        k.fail(f"'{line}' in {vm} exited with {rc}: {out}")
    return out.replace("\r", "")


def focus(k, vm):
    """Gives the UART to `vm`'s console: from the MVM with keelctl, back with Ctrl-T 1."""
    if vm == "mvm":
        k.child.send("\x141")
    else:
        k.child.send(f"keelctl console {vm}\r")
    k.expect(f"console: {vm}", f"the console of {vm}")
    # The console replays the VM's recent output, old prompts too: wait
    # for the shell to answer something new. A guest still booting drops
    # what is typed before its shell reads: ask again until it answers.
    for _ in range(BOOT_TIMEOUT // 10):
        _seq[0] += 1
        k.child.send(f"echo focus''{_seq[0]}\r")
        try:
            k.child.expect(cut(f"focus{_seq[0]}") + r"\s", timeout=10)
            break
        except pexpect.TIMEOUT:
            continue
    else:
        k.fail(f"{vm}'s shell does not answer")
    k.expect(prompt(vm), f"{vm}'s prompt", BOOT_TIMEOUT)


def md5s(out):
    return dict((name, s) for s, name in re.findall(r"^([0-9a-f]{32})\s+(\S+)$", out, re.M))


def make_files(k, vm):
    sh(k, vm, "mke2fs -q /dev/vda && mkdir -p /mnt && mount /dev/vda /mnt")
    sh(k, vm, f"dd if=/dev/urandom of=/mnt/data bs=64k count=64 2>/dev/null && "
              f"echo written-by-{vm} > /mnt/name && sync")
    sums = md5s(sh(k, vm, "md5sum /mnt/data /mnt/name"))
    if len(sums) != 2:
        k.fail(f"{vm}: no checksums of its files")
    return sums


def check_files(k, vm, sums):
    sh(k, vm, "mkdir -p /mnt && mount /dev/vda /mnt")
    got = md5s(sh(k, vm, "md5sum /mnt/data /mnt/name"))
    if got != sums:
        k.fail(f"{vm}: files changed: {got} instead of {sums}")
    name = sh(k, vm, "cat /mnt/name")
    if f"written-by-{vm}" not in name:
        k.fail(f"{vm} reads another VM's disk: {name!r}")


def start_gvm2(k):
    sh(k, "mvm", "keelctl create /etc/keel/gvm2.dtb && keelctl start gvm2")
    focus(k, "gvm2")


def network(k, sums):
    """gvm2 at 10.0.0.3 and gvm at 10.0.0.2: ping both ways, a file by nc."""
    sh(k, "gvm2", "ip addr add 10.0.0.3/24 dev eth0 && ip link set eth0 up")
    focus(k, "mvm")
    focus(k, "gvm")
    sh(k, "gvm", "ip addr add 10.0.0.2/24 dev eth0 && ip link set eth0 up")
    out = sh(k, "gvm", "ping -c 3 -W 10 10.0.0.3", 60)
    if "3 packets received" not in out:
        k.fail(f"gvm cannot ping gvm2: {out}")
    # busybox nc ends a connection when its stdin ends: the listener's
    # must stay open until the sender closes.
    sh(k, "gvm", "(sleep 600 | nc -l -p 5000 > /tmp/rx &) ; sleep 1")
    focus(k, "mvm")
    focus(k, "gvm2")
    out = sh(k, "gvm2", "ping -c 3 -W 10 10.0.0.2", 60)
    if "3 packets received" not in out:
        k.fail(f"gvm2 cannot ping gvm: {out}")
    sh(k, "gvm2", "nc 10.0.0.2 5000 < /mnt/data", 300)
    focus(k, "mvm")
    focus(k, "gvm")
    # nc returns once its socket buffer holds the file; the receiver's nc
    # ends when the connection closes.
    out = sh(k, "gvm", "for i in $(seq 300); do pidof nc >/dev/null || break; sleep 1; done; "
                       "md5sum /tmp/rx; wc -c < /tmp/rx", 400)
    got = md5s(out)
    if got.get("/tmp/rx") != sums["/mnt/data"]:
        k.fail(f"the file gvm got by nc differs: {out} against {sums}")


def first_boot(argv):
    k = Keel(argv, timeout=BOOT_TIMEOUT)
    k.expect(r"virtio: disk of 256 MiB", "the virtio service's disk", BOOT_TIMEOUT)
    k.expect(prompt("mvm"), "the MVM's shell", BOOT_TIMEOUT)
    focus(k, "gvm")
    gvm_sums = make_files(k, "gvm")
    focus(k, "mvm")
    start_gvm2(k)
    gvm2_sums = make_files(k, "gvm2")
    network(k, gvm2_sums)
    # A crash of gvm2: stopped where it is and destroyed, then built again.
    focus(k, "mvm")
    sh(k, "mvm", "keelctl destroy gvm2")
    start_gvm2(k)
    check_files(k, "gvm2", gvm2_sums)
    print("gvm2's files survived its destruction; gvm and gvm2 talk over virtio-net")
    k.close()  # the hypervisor goes with no warning: QEMU is killed
    return gvm_sums


def second_boot(argv, gvm_sums):
    k = Keel(argv, timeout=BOOT_TIMEOUT)
    k.expect(prompt("mvm"), "the MVM's shell after the restart", BOOT_TIMEOUT)
    focus(k, "gvm")
    check_files(k, "gvm", gvm_sums)
    out = sh(k, "gvm", "cat /proc/interrupts")
    if not re.search(r"virtio0$", out, re.M):
        k.fail(f"gvm's /proc/interrupts shows no virtio0:\n{out}")
    print("gvm's files survived a restart of the hypervisor")
    k.close()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(256 << 20)
        argv = qemu_argv(sys.argv) + [
            "-drive", f"file={disk},if=none,format=raw,id=hd0,cache=writeback",
            "-device", "virtio-blk-device,drive=hd0",
            "-global", "virtio-mmio.force-legacy=false"]
        sums = first_boot(argv)
        second_boot(argv, sums)
    print("PASS")


if __name__ == "__main__":
    main()
