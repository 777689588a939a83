"""Small real files of each kind for the evidence tests (built here, nothing downloaded)."""

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    # SOI, a JFIF APP0 segment, a comment, EOI: the markers a real camera file starts and ends with.
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    comment = b"\xff\xfe" + struct.pack(">H", 12) + b"test photo"
    return b"\xff\xd8" + app0 + comment + b"\xff\xd9"


def pdf(extra: bytes = b"") -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + extra + b"trailer << /Root 1 0 R >>\n%%EOF\n"


def xlsx() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "询问笔录"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ooxml(main_part: str, *, macros: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
        if macros:
            package.writestr(main_part.split("/")[0] + "/vbaProject.bin", b"\x00" * 16)
    return buffer.getvalue()


def docx(*, macros: bool = False) -> bytes:
    return ooxml("word/document.xml", macros=macros)


def ole2() -> bytes:
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:26] = b"\x3e\x00"  # minor version
    header[26:28] = b"\x03\x00"  # major version 3
    header[28:30] = b"\xfe\xff"  # byte order
    return bytes(header) + b"\x00" * 512


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x90" * 200
