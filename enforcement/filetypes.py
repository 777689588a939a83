"""What an uploaded evidence file really is, judged by its content, never by its name.

Accepted: PDF, JPEG, PNG, Office Open XML (Word, Excel, PowerPoint, without macros) and the
Office 97–2003 compound-file formats. Each is recognised by its signature *and* a structural
check (PDF trailer, JPEG end marker, PNG header and end chunk, the OOXML package's main part), so
an executable renamed ``.pdf`` or a truncated file is refused. The file's extension, when it has
one, must agree with the content.
"""

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import http

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"
TAIL_BYTES = 2048  # PDF writers and cameras append a little padding after the end marker


@dataclass(frozen=True)
class FileType:
    kind: str  # models.EvidenceKind value
    content_type: str
    extensions: tuple[str, ...]  # the first is used for the stored file's name


PDF = FileType("pdf", "application/pdf", ("pdf",))
JPEG = FileType("jpeg", "image/jpeg", ("jpg", "jpeg"))
PNG = FileType("png", "image/png", ("png",))
DOCX = FileType("word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",))
XLSX = FileType("excel", http.XLSX, ("xlsx",))
PPTX = FileType("powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx",))
OLE2 = FileType("office_legacy", "application/octet-stream", ("doc", "xls", "ppt"))
OLE2_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}

# For the upload form's ``accept`` attribute (a hint to the phone's picker; the server decides).
ACCEPT = ",".join(
    [
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".docx",
        ".xlsx",
        ".pptx",
        ".doc",
        ".xls",
        ".ppt",
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
)


class RefusedFile(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _tail(fileobj, size: int) -> bytes:
    fileobj.seek(max(size - TAIL_BYTES, 0))
    return fileobj.read(TAIL_BYTES)


def _sniff(fileobj, size: int) -> FileType | None:
    fileobj.seek(0)
    head = fileobj.read(32)
    if head.startswith(b"%PDF-"):
        return PDF if b"%%EOF" in _tail(fileobj, size) else None
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG if b"\xff\xd9" in _tail(fileobj, size) else None
    if head.startswith(PNG_SIGNATURE):
        return PNG if head[12:16] == b"IHDR" and PNG_END in _tail(fileobj, size) else None
    if head.startswith(b"PK\x03\x04"):
        fileobj.seek(0)
        try:
            with zipfile.ZipFile(fileobj) as package:
                names = set(package.namelist())  # the central directory only: nothing is decompressed
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise RefusedFile(_("含宏的 Office 文档不允许上传，请另存为不含宏的格式（.docx/.xlsx/.pptx）或 PDF。"))
        for part, filetype in OOXML_MAIN_PARTS.items():
            if part in names:
                return filetype
        return None
    if head.startswith(OLE2_SIGNATURE):
        # Compound file header: byte-order mark FFFE at offset 28, major version 3 or 4.
        return OLE2 if head[28:30] == b"\xfe\xff" and head[26:28] in (b"\x03\x00", b"\x04\x00") else None
    return None


def identify(fileobj, *, name: str, size: int, max_bytes: int) -> tuple[FileType, str]:
    """Return the file's type and the MIME type to serve it with, or raise ``RefusedFile``."""
    if size == 0:
        raise RefusedFile(_("文件是空的，请重新选择。"))
    if size > max_bytes:
        raise RefusedFile(
            _("文件过大（%(size).1f MB），单个文件不能超过 %(max)d MB。")
            % {"size": size / 1024 / 1024, "max": max_bytes // (1024 * 1024)}
        )
    filetype = _sniff(fileobj, size)
    fileobj.seek(0)
    if filetype is None:
        raise RefusedFile(
            _("不支持的文件类型或文件已损坏：只能上传 PDF、JPEG、PNG 照片和 Word、Excel、PowerPoint 文档。")
        )
    extension = _extension(name)
    if extension and extension not in filetype.extensions:
        raise RefusedFile(
            _("文件内容与扩展名不符：内容是 %(kind)s，文件名却是 .%(ext)s。请检查文件后重新上传。")
            % {"kind": filetype.extensions[0].upper(), "ext": extension}
        )
    content_type = OLE2_TYPES.get(extension, filetype.content_type) if filetype is OLE2 else filetype.content_type
    return filetype, content_type
