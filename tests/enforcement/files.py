"""Small real files of each kind for the evidence tests (built here, nothing downloaded)."""

import functools
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


def jpeg(width: int = 4, height: int = 3, *, comment: bytes = b"test photo", exif: bytes | None = None) -> bytes:
    """A real JPEG (Pillow): a JFIF header, a comment segment, EXIF if given, pixels, EOI."""
    from PIL import Image

    buffer = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG", comment=comment, **extra)
    return buffer.getvalue()


def gps_exif() -> bytes:
    """EXIF with a GPS position (the township office's, say) and the camera's make."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 7.0), 3: "E", 4: (120.0, 9.0, 42.0)}  # GPSInfo
    return exif.tobytes()


@functools.cache
def png_bomb(side: int = 13000) -> bytes:
    """A valid PNG that claims ``side`` × ``side`` pixels of one colour: a few hundred KB that
    decode to side² × 3 bytes (13,000²: about 500 MB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = (b"\x00" + b"\x00" * (side * 3)) * 64
    compressor = zlib.compressobj(1)
    data = b"".join(compressor.compress(rows) for _ in range(side // 64))
    data += compressor.compress((b"\x00" + b"\x00" * (side * 3)) * (side % 64)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


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
