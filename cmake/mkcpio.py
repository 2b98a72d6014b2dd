#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkcpio.py OUT BASE DEST=SRC...: OUT = BASE (a gzipped initramfs) followed
by a gzipped newc archive of the given files (mode 0755 for executables,
0644 otherwise) and their directories. Linux unpacks concatenated archives
in order, so the files are added to the base one's tree."""
import gzip
import os
import sys


def entry(name, mode, data=b""):
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def archive(files):
    out, dirs = b"", set()
    for dest, src in files:
        parts = dest.strip("/").split("/")
        for i in range(1, len(parts)):
            d = "/".join(parts[:i])
            if d not in dirs:
                dirs.add(d)
                out += entry(d, 0o040755)
        with open(src, "rb") as f:
            data = f.read()
        mode = 0o100755 if os.access(src, os.X_OK) else 0o100644
        out += entry(dest.strip("/"), mode, data)
    return out + entry("TRAILER!!!", 0)


def main():
    out, base = sys.argv[1], sys.argv[2]
    files = [a.split("=", 1) for a in sys.argv[3:]]
    with open(base, "rb") as f:
        data = f.read()
    data += gzip.compress(archive(files), mtime=0)
    with open(out + ".tmp", "wb") as f:
        f.write(data)
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
