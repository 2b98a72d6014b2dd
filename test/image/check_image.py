#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that keel.img carries a valid arm64 Image header for its board.

QEMU -kernel, U-Boot booti and the Raspberry Pi firmware all rely on it:
the magic, a branch in code0, text_offset (where in a 2 MiB-aligned RAM
window the image must sit), image_size (file plus bss) and the flags.
"""
import argparse
import os
import struct
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("image")
    p.add_argument("--text-offset", type=lambda v: int(v, 0), required=True)
    args = p.parse_args()

    with open(args.image, "rb") as f:
        data = f.read()
    errors = []
    if len(data) < 64:
        sys.exit(f"FAIL: {args.image} is only {len(data)} bytes")
    code0, code1, text_offset, image_size, flags = struct.unpack_from("<IIQQQ", data, 0)
    magic = data[0x38:0x3c]
    if magic != b"ARM\x64":
        errors.append(f"magic is {magic!r}, not b'ARM\\x64'")
    if code0 >> 26 != 0b000101:
        errors.append(f"code0 0x{code0:08x} is not a B instruction")
    if text_offset != args.text_offset:
        errors.append(f"text_offset 0x{text_offset:x}, expected 0x{args.text_offset:x}")
    if image_size < len(data):
        errors.append(f"image_size {image_size} is smaller than the file ({len(data)})")
    if image_size % 4096:
        errors.append(f"image_size {image_size} is not page-aligned")
    if flags != 0x2:
        errors.append(f"flags 0x{flags:x}: want little endian, 4 KiB pages (0x2)")
    for e in errors:
        print(f"FAIL: {e}")
    if errors:
        sys.exit(1)
    print(f"PASS: {os.path.basename(args.image)}: text_offset 0x{text_offset:x}, "
          f"image_size {image_size} (file {len(data)})")


if __name__ == "__main__":
    main()
