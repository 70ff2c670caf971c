"""Draw Etalase's app icons (a shop window with an awning) into etalase/web/static/web/icons/.

Run once after changing the design: python scripts/draw_icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "etalase" / "web" / "static" / "web" / "icons"
TEAL, DARK, CREAM, ORANGE = (15, 118, 110), (17, 94, 89), (255, 251, 235), (234, 88, 12)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), TEAL)
    pen = ImageDraw.Draw(image)
    if not maskable:
        image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        pen = ImageDraw.Draw(image)
        pen.rounded_rectangle([0, 0, size - 1, size - 1], radius=size // 5, fill=TEAL)
    pad = size * (0.22 if maskable else 0.16)
    left, right, top, bottom = pad, size - pad, pad + size * 0.06, size - pad
    stripes = 5
    width = (right - left) / stripes
    awning_bottom = top + size * 0.16
    for index in range(stripes):
        colour = ORANGE if index % 2 == 0 else CREAM
        x0 = left + index * width
        pen.rectangle([x0, top, x0 + width, awning_bottom], fill=colour)
        pen.pieslice([x0, awning_bottom - width / 2, x0 + width, awning_bottom + width / 2], 0, 180, fill=colour)
    pen.rectangle([left + width * 0.3, awning_bottom + width / 2, right - width * 0.3, bottom], fill=CREAM)
    pen.rectangle(
        [left + width * 0.6, awning_bottom + width * 0.8, right - width * 0.6, bottom - size * 0.08],
        fill=DARK,
    )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
