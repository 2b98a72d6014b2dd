# SPDX-License-Identifier: MIT
"""Drive a Keel image under QEMU from its console (pexpect), for ctest."""
import os
import re
import sys

import pexpect

FATAL = re.compile(r"KEEL CRASH|KEEL PANIC")


class Keel:
    def __init__(self, qemu_argv, timeout=60):
        self.log = []
        # KEEL_TEST_LOG=FILE: the console as it comes, to watch a long test.
        live = os.environ.get("KEEL_TEST_LOG")
        self.live = open(live, "a", encoding="utf-8") if live else None
        self.child = pexpect.spawn(qemu_argv[0], qemu_argv[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=timeout)
        self.child.logfile_read = self

    # pexpect logfile protocol
    def write(self, s):
        self.log.append(s)
        if self.live:
            self.live.write(s)
            self.live.flush()

    def flush(self):
        pass

    def text(self):
        # The console redraws its prompt with an escape sequence; drop it.
        return re.sub(r"\x1b\[K|\r", "", "".join(self.log))

    def fail(self, msg):
        print(self.text())
        print(f"FAIL: {msg}")
        self.dump_threads()
        self.close()
        sys.exit(1)

    def dump_threads(self):
        """After a failure, ask the hypervisor shell (when there is one) for
        its threads twice, a second apart: which CPU stopped moving, or
        whether the shell itself no longer answers, is the first clue when
        a test fails only on another machine."""
        if "keel> " not in self.text() or not self.child.isalive():
            return
        for _ in range(2):
            start = len(self.log)
            try:
                self.child.send("ps\r")
                self.child.expect(r"PID +TID[^\n]*\n(.*?)keel> ", timeout=10)
            except (pexpect.TIMEOUT, pexpect.EOF):
                print("(no answer to 'ps' within 10 s: the shell hangs, or a guest holds the console)")
                return
            print("ps after the failure:\n" + re.sub(r"\x1b\[K|\r", "", "".join(self.log[start:])))
            try:
                self.child.expect(pexpect.TIMEOUT, timeout=1)
            except pexpect.EOF:
                return

    def expect(self, pattern, what=None, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            self.fail(f"timed out waiting for {what or pattern!r}")
        except pexpect.EOF:
            self.fail(f"QEMU exited while waiting for {what or pattern!r}")
        if FATAL.search(self.text()):
            self.fail("the kernel crashed")
        return self.child.match

    def command(self, line, first, timeout=30):
        """Type a shell command; return its output from the first line that
        matches `first` up to the next prompt. Log lines the console prints
        meanwhile redraw the prompt, so the echo alone proves nothing."""
        self.child.send(line + "\r")
        self.expect(first, f"output of '{line}'", timeout)
        head = self.child.after
        self.expect(r"keel> ", f"prompt after '{line}'", timeout)
        return re.sub(r"\x1b\[K|\r", "", head + self.child.before)

    def close(self):
        self.child.terminate(force=True)


def qemu_argv(argv):
    """Everything after '--' on the command line."""
    return argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
