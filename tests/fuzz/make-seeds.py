#!/usr/bin/env python3
"""make-seeds.py PCAPDIR OUTDIR - seed corpora for the libFuzzer harnesses.

Reads every classic pcap in PCAPDIR (standard library only) and writes
OUTDIR/corpus-fuzz_packet, corpus-fuzz_decoders, corpus-fuzz_reasm,
corpus-fuzz_tls and corpus-fuzz_pcapfile in the input formats the
harnesses document at their top:

  fuzz_packet    each frame with its two-byte link-type prefix, plus the
                 first frames of each capture re-wrapped in every other
                 supported link type (raw IP, NULL, LOOP, SLL, SLL2)
  fuzz_decoders  each TCP connection's payloads as a decoder script
                 (retransmitted bytes dropped, holes as gap events)
  fuzz_reasm     the segments of the first three connections of each
                 capture, with their real sequence and ACK numbers
  fuzz_tls       each connection's bytes from its first TLS record on, in
                 fuzz_decoders' script format, and hand-made hellos
  fuzz_pcapfile  whole pcap files: the smallest captures and three mail
                 ones (at most their first 24 records), and crafted ones in both byte orders
                 and both time stamp precisions (records cut to the
                 snapshot length, over the length limit, files ending
                 inside a record header or body, negative time stamps,
                 the header-steered filler and batch modes)

plus a few scripts built from the harnesses' dictionaries.  The output is
generated, never committed; file names are content hashes.
"""
import hashlib
import os
import struct
import sys

# The order of fuzz_packet.c's linktypes[].
LINKTYPES = [1, 0, 108, 12, 14, 101, 113, 276, 228, 229]
# fuzz_reasm.c's ports[].
REASM_PORTS = [25, 110, 587, 1110, 2525, 8080, 6379, 143,
               21, 80, 3128, 465, 993, 995, 443, 12345]
SERVICE_PORTS = {25, 587, 2525, 110, 1110}

TH_FIN, TH_SYN, TH_RST, TH_ACK = 0x01, 0x02, 0x04, 0x10


def read_pcap(path):
    """(linktype, [(caplen data, wirelen)]) of a classic pcap file."""
    with open(path, 'rb') as f:
        d = f.read()
    if len(d) < 24:
        return None, []
    magic = d[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        return None, []        # pcapng: not handled here
    linktype = struct.unpack(e + 'I', d[20:24])[0] & 0x0fffffff
    recs, off = [], 24
    while off + 16 <= len(d):
        _, _, incl, orig = struct.unpack(e + 'IIII', d[off:off + 16])
        off += 16
        if off + incl > len(d):
            break
        recs.append((d[off:off + incl], orig))
        off += incl
    return linktype, recs


def link_strip(lt, fr):
    """(ip bytes, vlan list) after the link header, or (None, None)."""
    vl = []
    if lt == 1:
        if len(fr) < 14:
            return None, None
        et, off = struct.unpack('>H', fr[12:14])[0], 14
    elif lt == 113:
        if len(fr) < 16:
            return None, None
        et, off = struct.unpack('>H', fr[14:16])[0], 16
    elif lt == 276:
        if len(fr) < 20:
            return None, None
        et, off = struct.unpack('>H', fr[0:2])[0], 20
    elif lt in (0, 108):
        return (fr[4:], []) if len(fr) >= 4 else (None, None)
    elif lt in (12, 14, 101, 228, 229):
        return fr, []
    else:
        return None, None
    while et in (0x8100, 0x88a8, 0x9100) and off + 4 <= len(fr):
        tci, et = struct.unpack('>HH', fr[off:off + 4])
        if tci & 0xfff:
            vl.append(tci & 0xfff)
        off += 4
    if et not in (0x0800, 0x86dd):
        return None, None
    return fr[off:], vl


def parse_tcp(ip):
    """A dict describing a TCP segment in an IP packet, or None."""
    if len(ip) < 20:
        return None
    v = ip[0] >> 4
    if v == 4:
        hl = (ip[0] & 15) * 4
        tot = struct.unpack('>H', ip[2:4])[0] or len(ip)
        if ip[9] != 6 or len(ip) < hl + 20:
            return None
        src, dst, fam = ip[12:16], ip[16:20], 4
        seg = ip[hl:min(tot, len(ip))]
    elif v == 6:
        if len(ip) < 60 or ip[6] != 6:
            return None    # extension headers: not in these captures
        plen = struct.unpack('>H', ip[4:6])[0] or len(ip) - 40
        src, dst, fam = ip[8:24], ip[24:40], 6
        seg = ip[40:40 + plen]
    else:
        return None
    if len(seg) < 20:
        return None
    sp, dp, seq, ack, offfl = struct.unpack('>HHIIH', seg[:14])
    thl = (offfl >> 12) * 4
    return dict(fam=fam, src=src, dst=dst, sport=sp, dport=dp, seq=seq,
                ack=ack, flags=offfl & 0xff, payload=seg[thl:])


def wrap(ip, fam, lt):
    """The IP packet as a frame of link type lt."""
    et = 0x0800 if fam == 4 else 0x86dd
    if lt == 1:
        return b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb' + \
            struct.pack('>H', et) + ip
    if lt == 0:        # host order; written little-endian here
        return struct.pack('<I', 2 if fam == 4 else 30) + ip
    if lt == 108:
        return struct.pack('>I', 2 if fam == 4 else 24) + ip
    if lt == 113:
        return struct.pack('>HHH8sH', 0, 1, 6, b'\x00\x11\x22\x33\x44\x55'
                           b'\x00\x00', et) + ip
    if lt == 276:
        return struct.pack('>HHIHBB8s', et, 0, 1, 1, 0, 6,
                           b'\x00\x11\x22\x33\x44\x55\x00\x00') + ip
    return ip


class Corpus:
    def __init__(self, top, name):
        self.dir = os.path.join(top, 'corpus-' + name)
        os.makedirs(self.dir, exist_ok=True)
        self.seen = set()

    @property
    def n(self):
        return len(self.seen)

    def add(self, data):
        h = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.dir, h)
        if not os.path.exists(path):
            with open(path, 'wb') as f:
                f.write(data)
        self.seen.add(h)


def conn_key(t):
    a = (t['src'], t['sport'])
    b = (t['dst'], t['dport'])
    return (t['fam'],) + (a + b if a <= b else b + a)


def connections(lt, recs):
    """[(segments, client endpoint, midstream, family, vlans)] in order."""
    conns, order = {}, []
    for idx, (fr, _) in enumerate(recs):
        ip, vl = link_strip(lt, fr)
        if ip is None:
            continue
        t = parse_tcp(ip)
        if t is None:
            continue
        k = conn_key(t)
        if k not in conns:
            conns[k] = dict(segs=[], client=None, vl=vl, fam=t['fam'])
            order.append(k)
        c = conns[k]
        if c['client'] is None and t['flags'] & (TH_SYN | TH_ACK) == TH_SYN:
            c['client'] = (t['src'], t['sport'])
        t['idx'] = idx
        c['segs'].append(t)
    out = []
    for k in order:
        c = conns[k]
        mid = c['client'] is None
        if mid:
            t = c['segs'][0]
            if t['dport'] in SERVICE_PORTS and t['sport'] not in SERVICE_PORTS:
                c['client'] = (t['src'], t['sport'])
            else:
                c['client'] = (t['dst'], t['dport'])
        out.append((c['segs'], c['client'], mid, c['fam'], c['vl']))
    return out


def dir_of(t, client):
    return 0 if (t['src'], t['sport']) == client else 1


def s32(x):
    x &= 0xffffffff
    return x - (1 << 32) if x & 0x80000000 else x


# --- fuzz_decoders -------------------------------------------------------

def dec_data(d, b):
    out = bytearray()
    while b:
        part, b = b[:0xffff], b[0xffff:]
        if len(part) < 0x3f:
            out.append((d << 7) | len(part))
        else:
            out.append((d << 7) | 0x3f)
            out += struct.pack('>H', len(part))
        out += part
    return out


def dec_gap(d, h):
    shift = 0
    while (h >> shift) > 256:
        shift += 1
    return bytes([(d << 7) | 0x40 | shift, max(1, h >> shift) - 1])


def decoder_script(segs, client, mid, tls_only=False):
    out = bytearray([1 if mid else 0])
    nxt = [None, None]
    started = not tls_only
    for t in segs:
        if not started:
            p = t['payload']
            # A TLS record header, or an SSLv2 CLIENT-HELLO.
            started = len(p) >= 3 and ((p[0] == 0x16 and p[1] == 3) or
                                       (p[0] & 0x80 and p[2] == 1))
        d = dir_of(t, client)
        seq = t['seq'] + (1 if t['flags'] & TH_SYN else 0)
        p = t['payload']
        if nxt[d] is None:
            nxt[d] = seq
        if not p:
            if t['flags'] & TH_SYN:
                nxt[d] = seq
            continue
        off = s32(seq - nxt[d])
        if off < 0:
            if -off >= len(p):
                continue        # a retransmission
            p, off = p[-off:], 0
        if off > 0:
            out += dec_gap(d, off)
        if started:
            out += dec_data(d, p)
        end = (seq + len(t['payload'])) & 0xffffffff
        if s32(end - nxt[d]) > 0:
            nxt[d] = end
    return bytes(out) if started else None


# --- fuzz_reasm ----------------------------------------------------------

def reasm_script(conns):
    conns = conns[:3]
    fam = conns[0][3]
    conns = [c for c in conns if c[3] == fam]
    nfl = len(conns)
    cfg = (nfl - 1) | (4 if fam == 6 else 0) | 0x30 | \
        (0x40 if conns[0][4] else 0)
    out = bytearray([cfg, 15])        # depth 4 KiB
    isn, nxt = [], []
    for segs, client, _, _, _ in conns:
        srv_port = None
        first = [None, None]
        for t in segs:
            d = dir_of(t, client)
            if srv_port is None:
                srv_port = t['dport'] if d == 0 else t['sport']
            if first[d] is None:
                first[d] = t['seq']
        pi = REASM_PORTS.index(srv_port) if srv_port in REASM_PORTS else 15
        i2 = [f if f is not None else 0 for f in first]
        out += bytes([pi, 0xff]) + struct.pack('>II', i2[0], i2[1])
        isn.append(i2)
        nxt.append(list(i2))
    # The connections' segments interleaved in capture order.
    ops = sorted((t['idx'], fl, t, c[1]) for fl, c in enumerate(conns)
                 for t in c[0])
    for _, fl, t, client in ops:
        d = dir_of(t, client)
        f = t['flags']
        a = fl | (d << 2) | (0x08 if f & TH_SYN else 0) | \
            (0x10 if f & TH_ACK else 0)
        if f & TH_RST:
            a |= 2 << 5
        elif f & TH_FIN:
            a |= 1 << 5
        extra = bytearray()
        b = 0
        if t['seq'] != nxt[fl][d]:
            b |= 3 << 6
            extra += struct.pack('>H', (t['seq'] - isn[fl][d]) & 0xffff)
        if f & TH_ACK and t['ack'] != nxt[fl][1 - d]:
            b |= 3 << 4
            extra += struct.pack('>H',
                                 (t['ack'] - isn[fl][1 - d]) & 0xffff)
        p = t['payload'][:0xffff]
        if len(p) < 0x7f:
            c = len(p)
        else:
            c = 0x7f
            extra += struct.pack('>H', len(p))
        out += bytes([a, b, c]) + extra + p
        start = t['seq'] + (1 if f & TH_SYN else 0)
        end = (start + len(p) + (1 if f & TH_FIN else 0)) & 0xffffffff
        if s32(end - nxt[fl][d]) > 0:
            nxt[fl][d] = end
    return bytes(out)


# --- dictionary-made scripts ---------------------------------------------

# Indexes into fuzz_reasm.c's dict[] (direction, index).
SMTP_TALK = [(1, 0), (0, 1), (1, 2), (0, 4), (1, 5), (0, 25), (1, 26)]
SMTP_LOGIN = [(1, 0), (0, 1), (1, 3), (0, 9), (1, 10), (0, 11), (1, 10),
              (0, 12), (1, 13), (0, 18), (1, 20), (0, 19), (1, 20),
              (0, 21), (1, 22), (0, 23), (1, 20)]
SMTP_TLS = [(1, 0), (0, 1), (1, 2), (0, 14), (1, 15), (0, 17)]
POP3_TALK = [(1, 31), (0, 32), (1, 33), (0, 7), (1, 6), (0, 8), (1, 6)]


def reasm_dict_script(port_idx, talk):
    # One flow, IPv4, memcap 192 KiB, depth 4 KiB; ISNs 0xfffffffe:
    # sequence numbers wrap.
    out = bytearray([0x30, 15, port_idx, 0x00])
    out += bytes([0x08, 0, 0])                 # SYN
    out += bytes([0x04 | 0x08 | 0x10, 0, 0])   # SYN-ACK
    out += bytes([0x10, 0, 0])                 # ACK
    for d, i in talk:
        out += bytes([0x10 | (d << 2), 0, 0x80 | i])
    out += bytes([0x10 | (1 << 5), 0, 0])      # FIN, client
    out += bytes([0x10 | 0x04 | (1 << 5), 0, 0])
    return bytes(out)


def dict_strings():
    """fuzz_reasm.c's dict[], read from its source."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       'fuzz_reasm.c')
    with open(src) as f:
        text = f.read()
    body = text.split('dict[] = {', 1)[1].split('};', 1)[0]
    out = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith('"'):
            s = line.rstrip(',')[1:-1]
            out.append(s.encode().decode('unicode_escape').encode('latin-1'))
    return out


def tls_record(body, ver=0x0301):
    return struct.pack('>BHH', 0x16, ver, len(body)) + body


def tls_hs(typ, body):
    return struct.pack('>B', typ) + len(body).to_bytes(3, 'big') + body


def tls_hello_scripts():
    """ClientHello/ServerHello pairs: TLS 1.0 RC4, 1.2, 1.3, SSLv2."""
    out = []
    rnd = bytes(32)
    for cver, sver, cipher, sv in ((0x0301, 0x0301, 0x0005, None),
                                   (0x0303, 0x0303, 0xc02f, None),
                                   (0x0303, 0x0303, 0x1301, 0x0304),
                                   (0x0300, 0x0300, 0x000a, None)):
        ext = b''
        if sv is not None:
            ext = struct.pack('>HHBH', 43, 3, 2, sv)
            ext = struct.pack('>H', len(ext)) + ext
        ch = struct.pack('>H', cver) + rnd + b'\x00' + \
            struct.pack('>HH', 2, cipher) + b'\x01\x00' + ext
        if sv is not None:
            sext = struct.pack('>HHH', 43, 2, sv)
            sext = struct.pack('>H', len(sext)) + sext
        else:
            sext = b''
        sh = struct.pack('>H', sver) + rnd + b'\x00' + \
            struct.pack('>H', cipher) + b'\x00' + sext
        c2s = tls_record(tls_hs(1, ch))
        s2c = tls_record(tls_hs(2, sh), sver)
        out.append(b'\x00' + dec_data(0, c2s) + dec_data(1, s2c))
        # The same, one byte per call.
        one = bytearray(b'\x00')
        for b in c2s:
            one += dec_data(0, bytes([b]))
        for b in s2c:
            one += dec_data(1, bytes([b]))
        out.append(bytes(one))
    # SSLv2 CLIENT-HELLO (RFC 5246 E.2) and a v2 SERVER-HELLO.
    v2ch = b'\x01\x00\x02\x00\x03\x00\x00\x00\x10' + b'\x01\x00\x80' + \
        bytes(16)
    v2 = bytes([0x80 | (len(v2ch) >> 8), len(v2ch) & 0xff]) + v2ch
    v2sh = b'\x04\x00\x01\x00\x02\x00\x00\x00\x03\x00\x10' + \
        b'\x01\x00\x80' + bytes(16)
    v2s = bytes([0x80 | (len(v2sh) >> 8), len(v2sh) & 0xff]) + v2sh
    out.append(b'\x00' + dec_data(0, v2) + dec_data(1, v2s))
    return out


# --- fuzz_pcapfile ------------------------------------------------------

PCAP_MAGICS = (0xa1b2c3d4, 0xa1b23c4d)     # microseconds, nanoseconds


def pcap_file(recs, magic=0xa1b2c3d4, big=False, snaplen=65535,
              linktype=1, steer=b'\0\0\0\0', version=(2, 4)):
    """A classic pcap file; recs are (sec, frac, caplen, len, body).

    steer: the four thiszone bytes, which fuzz_pcapfile.c reads as its
    call pattern, batch size, filler flag and filler offset."""
    e = '>' if big else '<'
    out = bytearray(struct.pack(e + 'IHH', magic, version[0], version[1]))
    out += steer
    out += struct.pack(e + 'III', 0, snaplen, linktype)
    for sec, frac, incl, orig, body in recs:
        out += struct.pack(e + 'iiII', sec, frac, incl, orig) + body
    return bytes(out)


def pcapfile_seeds(pdir):
    """Small real captures plus crafted odd files."""
    out = []
    caps = sorted((os.path.getsize(os.path.join(pdir, n)), n)
                  for n in os.listdir(pdir) if n.endswith('.pcap'))
    names = [n for _, n in caps[:8]]
    names += [n for n in ('smtp-auth-plain.pcap', 'pop3-sll.pcap',
                          'imap-login.pcap') if n in os.listdir(pdir)]
    for name in names:
        with open(os.path.join(pdir, name), 'rb') as f:
            d = f.read()
        magic = d[:4]
        if magic not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1',
                         b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
            continue
        e = '<' if magic[0] in (0xd4, 0x4d) else '>'
        off, n = 24, 0
        while off + 16 <= len(d) and n < 24:
            off += 16 + struct.unpack(e + 'I', d[off + 8:off + 12])[0]
            n += 1
        out.append(d[:min(off, len(d))])
    body = bytes(range(256)) * 2
    ok = [(1700000000 + i, 123456 * i, 60 + i, 60 + i, body[:60 + i])
          for i in range(4)]
    for magic in PCAP_MAGICS:
        nsec = magic == 0xa1b23c4d
        for big in (False, True):
            frac = 999999999 if nsec else 999999
            recs = ok + [(-16, -frac, 40, 40, body[:40])]
            out.append(pcap_file(recs, magic, big))
            # Cut to the snapshot length, then a record after it.
            out.append(pcap_file([(1, 2, 100, 120, body[:100])] + ok,
                                 magic, big, snaplen=64))
            # Over the length limit (whole, and not).
            out.append(pcap_file(ok[:1] + [(1, 2, 262145, 262145,
                                            body[:64])], magic, big))
            # Ending inside a record header, and inside a body.
            f = pcap_file(ok, magic, big)
            out.append(f[:-(60 + 3 + 16 - 9)])
            out.append(f[:-7])
            # Header only; snapshot length 0 (the largest).
            out.append(pcap_file([], magic, big))
            out.append(pcap_file(ok, magic, big, snaplen=0))
            # Batches of 1, 2 and 16 in turn with single records; the
            # filler records, ending a few bytes before 64, 128, 256 and
            # 512 KiB.
            for steer in (b'\x00\x0d\x00\x00', b'\xaa\x00\x00\x00',
                          b'\x55\x0c\x03\x00', b'\x00\x01\x07\x04',
                          b'\x0f\x02\x0b\x08', b'\x00\x00\x0f\x80'):
                out.append(pcap_file(ok * 3, magic, big, steer=steer))
                out.append(pcap_file(ok * 3, magic, big, steer=steer)[:-5])
    # Not for the in-place reader: version 2.3, and pcapng.
    out.append(pcap_file(ok, version=(2, 3)))
    out.append(struct.pack('<IIIHHq', 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) +
               struct.pack('<I', 28))
    return out


def decoder_dict_script(words, talk, mid=False):
    out = bytearray([1 if mid else 0])
    for d, i in talk:
        out += dec_data(d, words[i])
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: make-seeds.py PCAPDIR OUTDIR\n')
        return 1
    pdir, top = sys.argv[1], sys.argv[2]
    cp = Corpus(top, 'fuzz_packet')
    cd = Corpus(top, 'fuzz_decoders')
    cr = Corpus(top, 'fuzz_reasm')
    ct = Corpus(top, 'fuzz_tls')
    cf = Corpus(top, 'fuzz_pcapfile')
    for f in pcapfile_seeds(pdir):
        cf.add(f)
    for name in sorted(os.listdir(pdir)):
        if not name.endswith('.pcap'):
            continue
        lt, recs = read_pcap(os.path.join(pdir, name))
        if lt is None or lt not in LINKTYPES:
            continue
        for i, (fr, wire) in enumerate(recs):
            slack = wire - len(fr)
            cp.add(bytes([LINKTYPES.index(lt), slack if 0 <= slack < 0x80
                          else 0]) + fr)
            if i >= 6:
                continue
            ip, _ = link_strip(lt, fr)
            if ip is None or not ip:
                continue
            fam = 6 if ip[0] >> 4 == 6 else 4
            for olt in LINKTYPES:
                if olt == lt or (olt == 228 and fam == 6) or \
                        (olt == 229 and fam == 4):
                    continue
                cp.add(bytes([LINKTYPES.index(olt), 0]) + wrap(ip, fam, olt))
        conns = connections(lt, recs)
        for segs, client, mid, _, _ in conns:
            cd.add(decoder_script(segs, client, mid))
            t = decoder_script(segs, client, mid, tls_only=True)
            if t is not None:
                ct.add(t)
        if conns:
            cr.add(reasm_script(conns))
    words = dict_strings()
    for port_idx, talk in ((0, SMTP_TALK), (0, SMTP_LOGIN), (2, SMTP_TLS),
                           (1, POP3_TALK)):
        cr.add(reasm_dict_script(port_idx, talk))
        cd.add(decoder_dict_script(words, talk))
        cd.add(decoder_dict_script(words, talk, mid=True))
    for t in tls_hello_scripts():
        ct.add(t)
    print('seeds: fuzz_packet %d, fuzz_decoders %d, fuzz_reasm %d, '
          'fuzz_tls %d, fuzz_pcapfile %d in %s' % (cp.n, cd.n, cr.n, ct.n,
                                                  cf.n, top))
    return 0


if __name__ == '__main__':
    sys.exit(main())
