"""Draw the web app's icons (static/icons/app-*.png) for the manifest (docs/offline.md).

Run once after changing the design: ``.venv/bin/python scripts/make_app_icons.py``; the PNGs are
committed. Needs a CJK font (Debian's fonts-noto-cjk).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
BLUE, WHITE = (13, 110, 253), (255, 255, 255)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGBA", (size, size), BLUE if maskable else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if not maskable:  # a rounded tile; a maskable icon fills the square and the phone cuts the shape
        pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BLUE)
    # Maskable icons keep their content inside the central 80 % (the safe zone).
    font = ImageFont.truetype(FONT, int(size * (0.3 if maskable else 0.36)))
    pen.text((size / 2, size / 2), "计生", font=font, fill=WHITE, anchor="mm")
    return image


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"app-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "app-maskable-512.png", optimize=True)
    draw(180, maskable=True).save(OUT / "apple-touch-icon.png", optimize=True)
