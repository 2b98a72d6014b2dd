# SPDX-License-Identifier: MIT
"""The hostile guest (test/guests/hostile): its config block patched into a
copy of an image (the guest ELF, or a Keel image that bundles it), its
output parsed. Shared by test/qemu/hostile_test.py and scripts/campaign-guest."""
import re
import struct

MAGIC = b"HOSTILE-CONFIG:\0"
# struct hostile_config after the magic: seed, ops, mode, recover_every,
# deadline_us, bp[4]
FIELDS = struct.Struct("<9Q")
# then what the guest writes: the operation it is in (crumb_op, kind, addr,
# value); then trace_from, skip (1: no debug registers in the mix)
CRUMB = struct.Struct("<4Q")
MODES = {"campaign": 0, "debug": 1, "vtimer": 2, "lr": 3}

RECOVER = re.compile(r"hostile: recover (\d+) ops (\d+) timer (ok|LOST) sgi (ok|LOST) "
                     r"uart (ok|LOST)")
SUMMARY = re.compile(r"hostile: seed (\d+) ops (\d+) recovers (\d+) lost-timer (\d+) "
                     r"lost-sgi (\d+) lost-uart (\d+) hangs (\d+)")
VERDICT = re.compile(r"hostile: (debug|vtimer|lr-drift) (PASS|FAIL)")


def patch(data, seed, ops, mode="campaign", every=1000, deadline_us=200000, bp=None,
          only=None, trace_from=None, skip=0):
    """Every copy of the config block in `data` (bytes) set, or only copy
    number `only` (0, 1, ...: hostile, hostile-cpu0 in keel-hostile.img);
    the new bytes. Raises ValueError when there is none."""
    out = bytearray(data)
    bp = list(bp or [0x4001c0] * 4)
    bp += [bp[-1]] * (4 - len(bp))
    block = FIELDS.pack(seed, ops, MODES[mode], every, deadline_us, *bp[:4])
    at, n = 0, 0
    while True:
        at = out.find(MAGIC, at)
        if at < 0:
            break
        if only is None or only == n:
            out[at + len(MAGIC):at + len(MAGIC) + FIELDS.size] = block
            tail = at + len(MAGIC) + FIELDS.size + CRUMB.size
            if trace_from is not None:
                struct.pack_into("<Q", out, tail, trace_from)
            struct.pack_into("<Q", out, tail + 8, skip)
        at += len(MAGIC)
        n += 1
    if not n:
        raise ValueError("no hostile config block in the image")
    return bytes(out)


def patch_file(src, dst, **kw):
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        f.write(patch(data, **kw))


def summary(text):
    """The last summary line's numbers as a dict, or None."""
    found = SUMMARY.findall(text)
    if not found:
        return None
    keys = ("seed", "ops", "recovers", "lost_timer", "lost_sgi", "lost_uart", "hangs")
    return dict(zip(keys, map(int, found[-1])))


def recovers(text):
    """(recover number, ops done, all three delivered) per recover line."""
    return [(int(m[0]), int(m[1]), m[2:] == ("ok", "ok", "ok")) for m in RECOVER.findall(text)]


CRUMB_KINDS = ["?", "gicd-read", "gicd-write", "gicd-write8", "gicc-read", "gicc-write",
               "sysreg", "call", "ram", "outside", "uart", "wfe", "wfi", "recover"]


def crumbs(dump):
    """From a dump of physical memory (QEMU pmemsave), every running copy of
    the guest's config block: (seed, op, kind, addr, value) of the operation
    each was in last. The images in the boot bundle have op 0 and are
    skipped."""
    out, at = [], 0
    while True:
        at = dump.find(MAGIC, at)
        if at < 0:
            return out
        base = at + len(MAGIC)
        seed = FIELDS.unpack_from(dump, base)[0]
        op, kind, addr, value = CRUMB.unpack_from(dump, base + FIELDS.size)
        if kind:
            out.append((seed, op, CRUMB_KINDS[kind] if kind < len(CRUMB_KINDS) else kind,
                        addr, value))
        at = base
