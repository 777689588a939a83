"""The text of a PDF that Chromium printed, without a PDF library: enough for a test to check what
a printed page says.

Chromium (Skia) writes fonts (Type3 subsets of one byte per glyph, or Type0 of two) with a
``/ToUnicode`` CMap and shows text as hex glyph strings (``<D3> Tj``, or in ``[...] TJ`` arrays)
after ``/F<n> size Tf``. This reads the
objects, the fonts of each page's resources and their CMaps, and decodes every shown string.
"""
import re
import zlib

_OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_REF = re.compile(rb"/(F\w*) (\d+) 0 R")
_TOKENS = re.compile(rb"/(F\w*)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\[|\]|(TJ|Tj)")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    found = {}
    for match in _OBJ.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        content = None
        if stream:
            raw = stream.group(1)
            try:
                content = zlib.decompress(raw) if b"/FlateDecode" in body[:stream.start()] else raw
            except zlib.error:
                content = raw
        found[int(match.group(1))] = (body[:stream.start()] if stream else body, content)
    return found


def _cmap(text: bytes) -> tuple[int, dict[int, str]]:
    """(bytes per code, code → text) of a ToUnicode CMap."""
    space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", text)
    width = len(space.group(1)) // 2 if space else 2
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(start + offset)
    return width, mapping


def pdf_text(data: bytes) -> str:
    """Every string the PDF shows, in content order (no spaces added between runs)."""
    objects = _objects(data)
    cmaps = {}
    for number, (head, _content) in objects.items():
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        if to_unicode and int(to_unicode.group(1)) in objects:
            cmaps[number] = _cmap(objects[int(to_unicode.group(1))][1] or b"")  # Type3 (1 byte) or Type0 (2)
    # Font names of the resources (F1 → font object), and every content stream that shows text.
    names = {}
    for head, _content in objects.values():
        for block in re.findall(rb"/Font\s*<<(.*?)>>", head, re.S):
            for name, ref in _FONT_REF.findall(block):
                names[name] = int(ref)
    out = []
    for _head, content in objects.values():
        if not content or (b"Tj" not in content and b"TJ" not in content):
            continue
        width, font = 2, {}
        for match in _TOKENS.finditer(content):
            if match.group(1):
                width, font = cmaps.get(names.get(match.group(1)), (2, {}))
            elif match.group(2) is not None:
                raw = bytes.fromhex(match.group(2).decode())
                out.extend(font.get(int.from_bytes(raw[i:i + width], "big"), "")
                           for i in range(0, len(raw) - width + 1, width))
    return "".join(out)
