#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Passthrough (docs/guests.md): QEMU virt's second PL011 (0x9040000, SPI 8)
given to the default system's GVM, its interrupt forwarded by the kernel.

QEMU gets a second serial port on a Unix socket this script listens on
through QEMU (server=on). From the GVM's shell (Ctrl-T 2):
- /dev/ttyAMA1 exists (the passthrough node made it into the guest's tree);
- a line written to it arrives on the socket (the guest drives the device);
- a line sent from the socket is read by `head -n1 /dev/ttyAMA1`, which
  needs the forwarded receive interrupt;
- /proc/interrupts counts interrupts of the device (GIC SPI 40, as the guest
  sees it: the same number);
and the hypervisor's log has no complaint: no "passthrough ... left out",
no interrupt without a handler, no crash.

Usage: passthrough_test.py -- <qemu command line booting keel.img>
"""
import os
import re
import socket
import sys
import tempfile
import time

from keelqemu import Keel, qemu_argv

_LOG = r"(?:\[ *\d+\.\d+\][^\n]*\n)*"
GVM_PROMPT = "g" + _LOG + "v" + _LOG + "m" + _LOG + "#" + _LOG + " "
BAD = re.compile(r"passthrough serial1|has no handler|KEEL CRASH|KEEL PANIC|"
                 r"Internal error|Unable to handle")


class Uart:
    """The host end of the GVM's physical second UART."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        for _ in range(100):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(0.1)
        self.sock.settimeout(0.2)
        self.got = b""

    def wait_for(self, text, timeout):
        end = time.time() + timeout
        while time.time() < end and text not in self.got:
            try:
                self.got += self.sock.recv(4096)
            except socket.timeout:
                pass
        return text in self.got


def gvm(k, line, until, timeout=120):
    k.child.send(line + "\r")
    k.expect(until, f"'{line}'", timeout)
    k.expect(GVM_PROMPT, f"the prompt after '{line}'", timeout)


def main():
    tmp = tempfile.mkdtemp(prefix="keel-pt-")
    path = os.path.join(tmp, "uart1")
    argv = qemu_argv(sys.argv) + ["-serial", "mon:stdio", "-chardev",
                                  f"socket,id=u1,path={path},server=on,wait=off",
                                  "-serial", "chardev:u1"]
    k = Keel(argv, timeout=300)
    uart = Uart(path)
    k.expect(r"started VM gvm", "vmm to start the GVM")
    k.expect(r"mvm#", "the MVM's shell")
    # The GVM's output waits for its console to get the terminal.
    k.child.send("\x14" "2")
    k.expect(r"console: gvm", "the GVM's console after Ctrl-T 2")
    k.expect(r"keel-guest: initramfs up[^\n]*\(VM gvm\)", "the GVM's /init", 600)
    time.sleep(2)
    k.child.send("\r")
    k.expect(GVM_PROMPT, "the GVM's prompt", 120)
    # Open for the whole test: Linux requests the interrupt on open only.
    gvm(k, "exec 3</dev/ttyAMA1; stty -F /dev/ttyAMA1 raw -echo; echo open-ok", "open-ok")
    gvm(k, "echo pt-tx-42 > /dev/ttyAMA1; echo tx-ok", "tx-ok")
    if not uart.wait_for(b"pt-tx-42", 60):
        k.fail(f"the socket got {uart.got!r}, not the guest's line")
    k.child.send("head -n1 /dev/ttyAMA1; echo rx-done\r")
    time.sleep(3)
    uart.sock.sendall(b"pt-rx-77\n")
    k.expect(r"pt-rx-77[^\n]*\n[^\n]*rx-done", "the line from the socket, read by the guest", 120)
    k.expect(GVM_PROMPT, "the prompt after head", 120)
    k.child.send("grep 'GIC-0  40' /proc/interrupts; echo irq-done\r")
    m = k.expect(r"\d+:\s+(\d+)\s+(\d+)\s+GIC-0\s+40 Level\s+(\S+)", "SPI 40 in /proc/interrupts")
    count = int(m.group(1)) + int(m.group(2))
    k.expect(r"irq-done", "the end of the grep")
    if count == 0:
        k.fail("the guest counted no interrupt of the passed-through UART")
    if BAD.search(k.text()):
        k.fail(f"bad line in the log: {BAD.search(k.text()).group(0)!r}")
    print(f"passthrough: TX and RX through the guest's PL011, {count} interrupts "
          f"({m.group(3)})")
    print("PASS")
    k.close()


if __name__ == "__main__":
    main()
