"""Builds photo_gps_motion.jpg: PRIMARY with an MPF index (APP2 "MPF\0")
pointing at SECOND, which is appended after PRIMARY's EOI, followed by
"MOTIONPHOTO_DATA" and VIDEO, the way phones store MPF images and Motion
Photos.

Usage: python3 make_motion_jpeg.py PRIMARY SECOND VIDEO OUT
"""
import struct
import sys

primary, second, video, out = sys.argv[1:5]
p = open(primary, 'rb').read()
s = open(second, 'rb').read()
v = open(video, 'rb').read()

# The MPF segment goes after the application segments, before the tables.
pos = 2
while 0xE0 <= p[pos + 1] <= 0xEF:
    pos += 2 + struct.unpack('>H', p[pos + 2:pos + 4])[0]


def mpf(first_len, second_off):
    entries = struct.pack('<IIIHH', 0x030000, first_len, 0, 0, 0) + \
        struct.pack('<IIIHH', 0x010001, len(s), second_off, 0, 0)
    ifd = struct.pack('<H', 3)
    ifd += struct.pack('<HHI4s', 0xB000, 7, 4, b'0100')
    ifd += struct.pack('<HHII', 0xB001, 4, 1, 2)
    ifd += struct.pack('<HHII', 0xB002, 7, len(entries), 8 + 2 + 36 + 4)
    ifd += struct.pack('<I', 0)
    body = b'MPF\x00' + b'II*\x00' + struct.pack('<I', 8) + ifd + entries
    return b'\xff\xe2' + struct.pack('>H', len(body) + 2) + body


first_len = len(p) + len(mpf(0, 0))
tiff_start = pos + 8  # marker, length, "MPF\0"
image = p[:pos] + mpf(first_len, first_len - tiff_start) + p[pos:]
open(out, 'wb').write(image + s + b'MOTIONPHOTO_DATA' + v)
