#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a Keel boot bundle (kernel/include/uapi/keel_bundle.h).

    mkbundle.py OUT NAME=FILE [NAME=FILE ...]

Every FILE is stored as it is under NAME: service ELFs, system.dtb, and raw
guest images (an arm64 Linux Image, an initramfs) alike. Files are placed 16-byte aligned after the header; the whole bundle is
padded to a page so the kernel can hand it to the root service as a frame.
"""
import struct
import sys

NAME_MAX = 24
ENTRY = struct.Struct("<24sQQ")
HEADER = struct.Struct("<8sII")


def main():
    out, pairs = sys.argv[1], sys.argv[2:]
    files = []
    for pair in pairs:
        name, path = pair.split("=", 1)
        if len(name.encode()) >= NAME_MAX:
            sys.exit(f"mkbundle: name {name!r} is too long")
        if any(n == name for n, _ in files):
            sys.exit(f"mkbundle: name {name!r} given twice")
        try:
            with open(path, "rb") as f:
                files.append((name, f.read()))
        except OSError as e:
            sys.exit(f"mkbundle: {name}: {e.strerror}: {path}")
    offset = HEADER.size + ENTRY.size * len(files)
    table, blobs = [], []
    for name, data in files:
        offset = (offset + 15) & ~15
        table.append(ENTRY.pack(name.encode(), offset, len(data)))
        blobs.append((offset, data))
        offset += len(data)
    image = bytearray(HEADER.pack(b"KEELBNDL", 1, len(files)) + b"".join(table))
    for off, data in blobs:
        image.extend(b"\0" * (off - len(image)))
        image.extend(data)
    image.extend(b"\0" * (-len(image) % 4096))
    with open(out, "wb") as f:
        f.write(image)


if __name__ == "__main__":
    main()
