"""One checker for every uploaded image (publicity photos, enforcement evidence photos).

``checked_image(data, ...)`` answers what the bytes really are, or refuses them with a message:

1. **Dimensions from the header, before any pixel is decoded.** ``Image.open`` reads only the
   header; a PNG of 657 KB that claims 13,000 × 13,000 pixels (a decompression bomb: 660 MB once
   decoded) is refused by its width, height and pixel count at this step. Pillow's own limit
   (``Image.MAX_IMAGE_PIXELS``) is set to the same pixel count when the core app loads, so a
   caller that decodes an image some other way is refused too.
2. **A full decode** of what passed: a truncated or damaged file is refused.
3. **Re-encoded** from the decoded pixels into a fresh file of the same format: whatever else the
   upload carried (EXIF with GPS positions, comments, an HTML or script payload that made it a
   polyglot, trailing bytes) is not in the stored file. The EXIF orientation is applied first so
   a phone photo stays upright without its metadata.

The SHA-256 and size of the bytes as received are returned with the new content: the record keeps
what the uploader sent (enforcement evidence shows and audits it), the storage keeps the clean copy.
"""
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class CheckedImage:
    content: bytes  # re-encoded: no metadata, nothing but the picture
    format: str  # "JPEG", "PNG", "WEBP"
    extension: str
    width: int
    height: int
    original_sha256: str  # of the bytes as uploaded
    original_size: int


class RefusedImage(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_pixels() -> int:
    return settings.UPLOAD_IMAGE_MAX_PIXELS


def set_pillow_limit() -> None:
    """Pillow warns above ``MAX_IMAGE_PIXELS`` and refuses above twice that: both at our limit."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = max_pixels()


def _reencode(image, image_format: str) -> bytes:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)  # upright, as the phone showed it (a copy)
    # Pillow writes some of ``info`` back when saving (a JPEG's comment, ICC profile, EXIF, a PNG's
    # DPI): keep nothing but a palette image's transparent colour.
    transparency = image.info.get("transparency")
    image.info.clear()
    if transparency is not None and image.mode in ("P", "L", "RGB"):
        image.info["transparency"] = transparency
    out = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90, optimize=True)
    elif image_format == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=90)
    return out.getvalue()


def checked_image(data: bytes, *, formats=tuple(FORMATS), max_side: int | None = None) -> CheckedImage:
    """``data`` as a clean image of one of ``formats``, or ``RefusedImage`` with a message.

    Nothing is decoded before the header's width and height are within ``max_side`` (default
    ``UPLOAD_IMAGE_MAX_SIDE``) and their product within ``UPLOAD_IMAGE_MAX_PIXELS``."""
    from PIL import Image, UnidentifiedImageError

    max_side = max_side or settings.UPLOAD_IMAGE_MAX_SIDE
    not_an_image = _("文件不是有效的图片，请上传 %(formats)s 照片。") % {
        "formats": "、".join(FORMATS[f].upper() for f in formats)}
    too_large = _("照片尺寸过大：最长边不超过 %(side)d 像素，总像素不超过 %(mp)d 百万。") % {
        "side": max_side, "mp": max_pixels() // 1_000_000}
    try:
        with warnings.catch_warnings():
            # Above the limit Pillow warns at open (and refuses at twice it): this function decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # the header only
                image_format, (width, height) = image.format, image.size
                if image_format not in formats:
                    raise RefusedImage(not_an_image)
                if max(width, height) > max_side or width * height > max_pixels():
                    raise RefusedImage(f"{too_large} ({width} × {height})")
                if width < 1 or height < 1:
                    raise RefusedImage(not_an_image)
                image.load()  # the pixels: a truncated file fails here
                content = _reencode(image, image_format)
    except RefusedImage:
        raise
    except Image.DecompressionBombError:  # refused by Pillow from the header: more than twice the limit
        raise RefusedImage(too_large) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise RefusedImage(not_an_image) from None
    return CheckedImage(content=content, format=image_format, extension=FORMATS[image_format], width=width,
                        height=height, original_sha256=hashlib.sha256(data).hexdigest(), original_size=len(data))
