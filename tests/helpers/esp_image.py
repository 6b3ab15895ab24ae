#!/usr/bin/env python3
"""esp_image.py — writes a crafted ESP32 app image for the firmware suites.

    esp_image.py OUT [--size BYTES] [--seed N] [--break magic|segment|hash]

The layout esptool writes (lib/esp_image.h): a 24-byte header with the hash-appended flag
set, segments of pseudo-random bytes (the seed makes other bytes of the same size), padding
to the last byte of a 16-byte block holding the XOR checksum, and the SHA-256 of it all.
--size is approximate (the segment data). --break makes it wrong: the first byte, a segment
cut short, or the appended hash.
"""
import argparse
import hashlib
import random
import struct


def craft(size, seed):
    rng = random.Random(seed)
    sizes = [max(16, size // 2), max(16, size - size // 2)]
    out = bytearray([0xE9, len(sizes), 2, 0x20]) + struct.pack("<I", 0x400D1234)
    out += bytes(15) + b"\x01"  # extended header; its last byte: hash appended
    checksum = 0xEF
    for i, n in enumerate(sizes):
        data = rng.randbytes(n)
        out += struct.pack("<II", 0x3F400020 + i * 0x10000, n) + data
        for b in data:
            checksum ^= b
    out += bytes(15 - len(out) % 16) + bytes([checksum])
    return out + hashlib.sha256(out).digest()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--size", type=int, default=4000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--break", dest="broken", choices=["magic", "segment", "hash"])
    a = p.parse_args()
    img = craft(a.size, a.seed)
    if a.broken == "magic":
        img[0] = 0x7F
    elif a.broken == "segment":
        img = img[: 24 + 8 + 10]
    elif a.broken == "hash":
        img[-1] ^= 1
    with open(a.out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
