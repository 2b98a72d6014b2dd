#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Wraps a service ELF into a Keel service image (libs/keel/include/keel/svcimage.h).

mksvcimage.py --name devemu --version 1.1.0 --state-version 2 [--abi 1]
              [--live] IN.elf OUT.ksvc

The build id is the ELF's GNU build-id note (found through its PT_NOTE
program headers, so a stripped ELF keeps it)."""
import argparse
import struct
import sys
import zlib

HDR_SIZE = 88
ABI_VERSION = 1
FLAG_LIVE = 1


def build_id(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        sys.exit("mksvcimage: not a little-endian ELF64 file")
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12:off + 12 + namesz]
            desc_off = off + 12 + ((namesz + 3) & ~3)
            if ntype == 3 and name.rstrip(b"\0") == b"GNU":  # NT_GNU_BUILD_ID
                return elf[desc_off:desc_off + descsz][:20].ljust(20, b"\0")
            off = desc_off + ((descsz + 3) & ~3)
    return bytes(20)


def field(text, size, what):
    raw = text.encode()
    if not raw or len(raw) >= size:
        sys.exit(f"mksvcimage: {what} '{text}' must be 1..{size - 1} bytes")
    return raw.ljust(size, b"\0")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--state-version", type=int, required=True)
    ap.add_argument("--abi", type=int, default=ABI_VERSION)
    ap.add_argument("--live", action="store_true")
    ap.add_argument("elf")
    ap.add_argument("out")
    a = ap.parse_args()
    elf = open(a.elf, "rb").read()
    hdr = struct.pack("<8sIIIII I", b"KEELSVC1", HDR_SIZE, a.abi, a.state_version, len(elf),
                      zlib.crc32(elf) & 0xffffffff, FLAG_LIVE if a.live else 0)
    hdr += field(a.name, 16, "name") + field(a.version, 16, "version") + build_id(elf)
    hdr += struct.pack("<I", zlib.crc32(hdr) & 0xffffffff)
    assert len(hdr) == HDR_SIZE
    with open(a.out, "wb") as f:
        f.write(hdr + elf)


if __name__ == "__main__":
    main()
