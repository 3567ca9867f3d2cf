#!/usr/bin/env python3
"""Writes the .npy fixtures of lamcap's tests byte by byte, without NumPy.

Format (NumPy .npy version 1.0): b'\\x93NUMPY', b'\\x01\\x00', a little-endian
uint16 header length H, then H bytes of an ASCII Python dict padded with spaces
and ending in '\\n' so that 10 + H is a multiple of 64, then the raw data.
"""
import struct


def npy(path, descr, fortran, shape, fmt, values):
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False",
        ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else ""))
    pad = (64 - (10 + len(d) + 1) % 64) % 64
    d = d + " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


# [[1, 2, 3], [4, 5, 6]] as float64, C order.
npy("f8_2x3.npy", "<f8", False, (2, 3), "d", [1, 2, 3, 4, 5, 6])
# [[0.5, -1], [2, 3.25], [0, 7]] as float32, C order.
npy("f4_3x2.npy", "<f4", False, (3, 2), "f", [0.5, -1, 2, 3.25, 0, 7])
# [[1, 2, 3], [4, 5, 6]] as float64, Fortran order (stored column by column).
npy("fortran_2x3.npy", "<f8", True, (2, 3), "d", [1, 4, 2, 5, 3, 6])
# Bad files.
npy("i8_2x3.npy", "<i8", False, (2, 3), "q", [1, 2, 3, 4, 5, 6])
npy("nan_2x3.npy", "<f8", False, (2, 3), "d", [1, 2, float("nan"), 4, 5, 6])
npy("vec_4.npy", "<f8", False, (4,), "d", [1, 2, 3, 4])
npy("trunc_2x3.npy", "<f8", False, (2, 3), "d", [1, 2, 3, 4, 5])  # 5 of 6 values
with open("not_npy.npy", "wb") as f:
    f.write(b"this is not a numpy file\n")
# Issue 11: float16, an empty array, a header announcing far more data than the
# file holds, and a big-endian file (supported).
npy("f2_2x3.npy", "<f2", False, (2, 3), "e", [1, 2, 3, 4, 5, 6])
npy("empty_0x3.npy", "<f8", False, (0, 3), "d", [])
npy("huge_2x3.npy", "<f8", False, (3000000000, 3000000000), "d", [1, 2, 3, 4, 5, 6])
with open("be_f8_2x3.npy", "wb") as f:
    d = "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }"
    d = d + " " * ((64 - (10 + len(d) + 1) % 64) % 64) + "\n"
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d)) + d.encode())
    f.write(struct.pack(">6d", 1, 2, 3, 4, 5, 6))
