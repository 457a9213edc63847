#!/usr/bin/env python3
"""to-pcapng.py IN.pcap OUT.pcapng - rewrite a classic pcap as pcapng (SHB, IDB, EPBs)."""
import struct, sys


def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def main():
    data = open(sys.argv[1], "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    _, _, _, _, _, snap, link = struct.unpack(e + "IHHiIII", data[:24])
    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(1, struct.pack("<HHI", link, 0, snap))]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ts = sec * 1000000 + (frac // 1000 if nano else frac)
        out.append(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, incl, orig) + pkt))
    open(sys.argv[2], "wb").write(b"".join(out))


if __name__ == "__main__":
    main()
