"""Pictures for the demo, drawn with Pillow (nothing is downloaded): product photos, post pictures
and storefront covers in the flat style of a small shop's catalogue.

Every motif is drawn in a 1000 × 1000 unit box through a :class:`Pen`, which maps units to pixels,
so one drawing serves a product photo, a corner of a post and a cover alike. Pictures are drawn at
twice their size and reduced, which smooths every edge, and are cached by what they show: a seed
draws each picture once and a second seed in the same process draws none.
"""

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

PHOTO_SIDE = 800  # product photos: square, as phones crop them for a catalogue
POST_SIDE = 1080
COVER_SIZE = (1600, 700)  # the storefront shows covers at 16:7
SUPERSAMPLE = 2

RGB = tuple[int, int, int]
Colour = str | RGB
Point = tuple[float, float]
Box = tuple[float, float, float, float]


# --- colours -------------------------------------------------------------------------------------


def rgb(colour: Colour) -> RGB:
    if isinstance(colour, tuple):
        return colour
    text = colour.lstrip("#")
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def mix(first: Colour, second: Colour, share: float) -> RGB:
    """``share`` of ``second`` in ``first`` (0: first, 1: second)."""
    a, b = rgb(first), rgb(second)
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def dark(colour: Colour, share: float = 0.3) -> RGB:
    return mix(colour, (0, 0, 0), share)


def light(colour: Colour, share: float = 0.35) -> RGB:
    return mix(colour, (255, 255, 255), share)


def luminance(colour: Colour) -> float:
    red, green, blue = rgb(colour)
    return (0.299 * red + 0.587 * green + 0.114 * blue) / 255


def ink_on(colour: Colour) -> RGB:
    """Dark or white text, whichever reads on ``colour``."""
    return (40, 32, 28) if luminance(colour) > 0.62 else (255, 255, 255)


WHITE: RGB = (255, 255, 255)
CREAM: RGB = (255, 248, 236)
CHARCOAL: RGB = (45, 45, 52)


@dataclass(frozen=True)
class Look:
    """The colours of one picture: the thing itself, a second colour, a detail colour, the backdrop."""

    main: Colour
    second: Colour
    accent: Colour
    backdrop: Colour


# --- fonts ---------------------------------------------------------------------------------------

_FONT_FILES = {
    True: ("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "Arial Bold.ttf"),
    False: ("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf"),
}


@cache
def font(size: int, bold: bool = True) -> Any:
    """A system sans-serif if one is installed, else Pillow's own font (always there)."""
    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


# --- the pen -------------------------------------------------------------------------------------


class Pen:
    """Draws in units: point (x, y) of the unit box lands at (left + x·k, top + y·k) pixels."""

    def __init__(self, image: Image.Image, left: float = 0, top: float = 0, k: float = 1.0) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.left, self.top, self.k = left, top, k

    def at(self, x: float, y: float, size: float) -> "Pen":
        """A pen whose whole unit box fills the square of ``size`` units at (x, y) of this one."""
        return Pen(self.image, self.left + x * self.k, self.top + y * self.k, self.k * size / 1000)

    def p(self, x: float, y: float) -> Point:
        return (self.left + x * self.k, self.top + y * self.k)

    def b(self, box: Box) -> Box:
        x0, y0 = self.p(box[0], box[1])
        x1, y1 = self.p(box[2], box[3])
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def w(self, width: float) -> int:
        return max(1, round(width * self.k)) if width else 0

    def ellipse(self, box: Box, fill: Any = None, outline: Any = None, width: float = 0) -> None:
        self.draw.ellipse(self.b(box), fill=fill, outline=outline, width=self.w(width))

    def circle(self, x: float, y: float, r: float, fill: Any = None, outline: Any = None, width: float = 0) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width)

    def rect(self, box: Box, fill: Any = None, radius: float = 0, outline: Any = None, width: float = 0) -> None:
        if radius:
            self.draw.rounded_rectangle(
                self.b(box), radius=self.w(radius), fill=fill, outline=outline, width=self.w(width)
            )
        else:
            self.draw.rectangle(self.b(box), fill=fill, outline=outline, width=self.w(width))

    def poly(self, points: Sequence[Point], fill: Any = None, outline: Any = None, width: float = 0) -> None:
        self.draw.polygon([self.p(*point) for point in points], fill=fill, outline=outline, width=self.w(width))

    def line(self, points: Sequence[Point], fill: Any, width: float, round_ends: bool = True) -> None:
        mapped = [self.p(*point) for point in points]
        pixels = self.w(width)
        self.draw.line(mapped, fill=fill, width=pixels, joint="curve")
        if round_ends and pixels > 2:
            radius = pixels / 2
            for x, y in (mapped[0], mapped[-1]):
                self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)

    def arc(self, box: Box, start: float, end: float, fill: Any, width: float) -> None:
        self.draw.arc(self.b(box), start, end, fill=fill, width=self.w(width))

    def pie(self, box: Box, start: float, end: float, fill: Any) -> None:
        self.draw.pieslice(self.b(box), start, end, fill=fill)

    def chord(self, box: Box, start: float, end: float, fill: Any) -> None:
        self.draw.chord(self.b(box), start, end, fill=fill)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        fill: Any,
        *,
        anchor: str = "mm",
        bold: bool = True,
        stroke: float = 0,
        stroke_fill: Any = None,
    ) -> None:
        self.draw.text(
            self.p(x, y),
            text,
            font=font(max(6, round(size * self.k)), bold),
            fill=fill,
            anchor=anchor,
            stroke_width=self.w(stroke),
            stroke_fill=stroke_fill,
        )

    def text_width(self, text: str, size: float, bold: bool = True) -> float:
        left, _top, right, _bottom = font(max(6, round(size * self.k)), bold).getbbox(text)
        width: float = (right - left) / self.k
        return width

    def shadow(self, box: Box, colour: Any, strength: int = 110) -> None:
        """A soft shadow: an ellipse drawn small, blurred, and stretched onto the picture."""
        x0, y0, x1, y1 = (round(value) for value in self.b(box))
        width, height = max(2, x1 - x0), max(2, y1 - y0)
        mask = _shadow_mask(strength)
        mask = mask.resize((width, height), Image.Resampling.BILINEAR)
        self.image.paste(colour, (x0, y0, x0 + width, y0 + height), mask)

    def fill_shape(self, points: Sequence[Point], paint: Callable[["Pen"], None]) -> None:
        """Paint inside a polygon only (a pattern on cloth, a label's print): ``paint`` draws on a
        layer the size of the polygon's box, with this pen's units."""
        mapped = [self.p(*point) for point in points]
        x0 = math.floor(min(x for x, _ in mapped))
        y0 = math.floor(min(y for _, y in mapped))
        x1 = math.ceil(max(x for x, _ in mapped))
        y1 = math.ceil(max(y for _, y in mapped))
        layer = Image.new("RGB", (max(1, x1 - x0), max(1, y1 - y0)))
        paint(Pen(layer, self.left - x0, self.top - y0, self.k))
        mask = Image.new("L", layer.size, 0)
        ImageDraw.Draw(mask).polygon([(x - x0, y - y0) for x, y in mapped], fill=255)
        self.image.paste(layer, (x0, y0), mask)


@cache
def _shadow_mask(strength: int) -> Image.Image:
    mask = Image.new("L", (120, 40), 0)
    ImageDraw.Draw(mask).ellipse((14, 8, 106, 32), fill=strength)
    return mask.filter(ImageFilter.GaussianBlur(6))


def rounded_box(box: Box, radius: float, steps: int = 6) -> list[Point]:
    """The outline of a rounded rectangle as a polygon (for :meth:`Pen.fill_shape`)."""
    x0, y0, x1, y1 = box
    points: list[Point] = []
    corners: list[tuple[float, float, int]] = [(x1 - radius, y0 + radius, -90), (x1 - radius, y1 - radius, 0)]
    corners += [(x0 + radius, y1 - radius, 90), (x0 + radius, y0 + radius, 180)]
    for cx, cy, start in corners:
        for step in range(steps + 1):
            angle = math.radians(start + 90 * step / steps)
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def ellipse_points(cx: float, cy: float, rx: float, ry: float, start: float = 0, end: float = 360) -> list[Point]:
    steps = max(8, int(abs(end - start) / 8))
    return [
        (cx + rx * math.cos(math.radians(start + (end - start) * i / steps)),
         cy + ry * math.sin(math.radians(start + (end - start) * i / steps)))
        for i in range(steps + 1)
    ]  # fmt: skip


def wave(x0: float, x1: float, y: float, amplitude: float, waves: float, steps: int = 24) -> list[Point]:
    return [
        (x0 + (x1 - x0) * i / steps, y + amplitude * math.sin(2 * math.pi * waves * i / steps))
        for i in range(steps + 1)
    ]


def steam(pen: Pen, x: float, top: float, bottom: float, colour: Any, width: float = 16) -> None:
    points = [(x + 18 * math.sin(i / 10 * 2 * math.pi), bottom - (bottom - top) * i / 20) for i in range(21)]
    pen.line(points, colour, width)


def sparkle(pen: Pen, x: float, y: float, size: float, colour: Any) -> None:
    thin = size / 4.5
    pen.poly([(x, y - size), (x + thin, y - thin), (x + size, y), (x + thin, y + thin)], fill=colour)
    pen.poly([(x, y + size), (x - thin, y + thin), (x - size, y), (x - thin, y - thin)], fill=colour)


def gear_points(cx: float, cy: float, outer: float, inner: float, teeth: int, turn: float = 0) -> list[Point]:
    points: list[Point] = []
    for tooth in range(teeth):
        base = 2 * math.pi * tooth / teeth + turn
        step = 2 * math.pi / teeth
        for share, radius in ((0.0, inner), (0.15, outer), (0.5, outer), (0.65, inner)):
            angle = base + step * share
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


# --- batik patterns (also used on covers) -------------------------------------------------------


def pattern(pen: Pen, kind: str, look: Look, box: Box = (0, 0, 1000, 1000), cell: float = 90) -> None:
    """Fill ``box`` with a batik (or shop) pattern in the look's colours."""
    x0, y0, x1, y1 = box
    base, ink, accent = look.main, look.second, look.accent
    pen.rect(box, fill=base)
    columns = int((x1 - x0) / cell) + 3
    rows = int((y1 - y0) / cell) + 3
    if kind == "parang":
        # Diagonal bands of blade shapes ("lereng"), with a dotted line between the bands.
        span = (x1 - x0) + (y1 - y0)
        offset = -(y1 - y0)
        while offset < span:
            a, b = (x0 + offset, y1), (x0 + offset + (y1 - y0), y0)
            pen.line([a, b], ink, cell * 0.34, round_ends=False)
            pen.line([(a[0] + cell * 0.5, a[1]), (b[0] + cell * 0.5, b[1])], accent, cell * 0.06, round_ends=False)
            steps = int((y1 - y0) / (cell * 0.45)) + 1
            for step in range(steps):
                t = step / steps
                cx = a[0] + (b[0] - a[0]) * t
                cy = a[1] + (b[1] - a[1]) * t
                pen.circle(cx, cy, cell * 0.09, fill=accent)
                pen.circle(cx - cell * 0.37, cy, cell * 0.035, fill=ink)
            offset += cell
    elif kind == "kawung":
        for row in range(rows):
            for column in range(columns):
                cx, cy = x0 + column * cell, y0 + row * cell
                r, short = cell * 0.24, cell * 0.14
                for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    px, py = cx + dx * cell * 0.25, cy + dy * cell * 0.25
                    rx, ry = (r, short) if dy == 0 else (short, r)
                    pen.ellipse((px - rx, py - ry, px + rx, py + ry), fill=ink, outline=accent, width=cell * 0.03)
                    pen.circle(px, py, cell * 0.03, fill=accent)
                pen.circle(cx, cy, cell * 0.05, fill=accent)
    elif kind == "truntum":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.87
                for petal in range(8):
                    angle = 2 * math.pi * petal / 8
                    pen.circle(cx + math.cos(angle) * cell * 0.16, cy + math.sin(angle) * cell * 0.16, cell * 0.05, ink)
                pen.circle(cx, cy, cell * 0.07, fill=accent)
                pen.circle(cx + cell / 2, cy + cell * 0.43, cell * 0.03, fill=ink)
    elif kind == "sekar":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell
                if (row + column) % 2:
                    for petal in range(5):
                        angle = 2 * math.pi * petal / 5 - math.pi / 2
                        pen.circle(
                            cx + math.cos(angle) * cell * 0.17, cy + math.sin(angle) * cell * 0.17, cell * 0.12, ink
                        )
                    pen.circle(cx, cy, cell * 0.09, fill=accent)
                else:
                    pen.poly(
                        [(cx, cy - cell * 0.3), (cx + cell * 0.13, cy), (cx, cy + cell * 0.3), (cx - cell * 0.13, cy)],
                        fill=accent,
                    )
                    pen.line([(cx, cy - cell * 0.25), (cx, cy + cell * 0.25)], ink, cell * 0.03)
    elif kind == "jumputan":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell * 1.3 + (cell * 0.65 if row % 2 else 0)
                cy = y0 + row * cell * 1.1
                pen.circle(cx, cy, cell * 0.42, fill=mix(base, ink, 0.35))
                for dot in range(10):
                    angle = 2 * math.pi * dot / 10
                    pen.circle(
                        cx + math.cos(angle) * cell * 0.3, cy + math.sin(angle) * cell * 0.3, cell * 0.045, accent
                    )
                pen.circle(cx, cy, cell * 0.1, fill=ink)
    elif kind == "mega":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell * 1.6 + (cell * 0.8 if row % 2 else 0)
                cy = y0 + row * cell
                for ring, colour in enumerate((ink, mix(ink, base, 0.35), mix(ink, base, 0.65), accent)):
                    r = cell * (0.55 - ring * 0.12)
                    pen.pie((cx - r, cy - r, cx + r, cy + r), 180, 360, colour)
    elif kind == "beans":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.9
                pen.ellipse((cx - cell * 0.2, cy - cell * 0.28, cx + cell * 0.2, cy + cell * 0.28), fill=ink)
                pen.line([(cx, cy - cell * 0.22), (cx + cell * 0.06, cy), (cx, cy + cell * 0.22)], accent, cell * 0.04)
    elif kind == "circuit":
        for row in range(rows):
            for column in range(columns):
                cx, cy = x0 + column * cell, y0 + row * cell
                turn = (row * 7 + column * 3) % 4
                end = (cx + cell * 0.6, cy) if turn % 2 else (cx, cy + cell * 0.6)
                pen.line([(cx, cy), end, (end[0] + cell * 0.25, end[1] + cell * 0.25)], ink, cell * 0.05)
                pen.circle(end[0] + cell * 0.25, end[1] + cell * 0.25, cell * 0.07, outline=accent, width=cell * 0.04)
    elif kind == "bubbles":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.9
                r = cell * (0.12 + 0.08 * ((row * 5 + column * 3) % 4))
                pen.circle(cx, cy, r, outline=ink, width=cell * 0.04)
                pen.circle(cx - r * 0.35, cy - r * 0.35, r * 0.18, fill=accent)
    elif kind == "leaves":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.9
                pen.ellipse((cx - cell * 0.12, cy - cell * 0.32, cx + cell * 0.12, cy + cell * 0.32), fill=ink)
                pen.line([(cx, cy - cell * 0.3), (cx, cy + cell * 0.36)], accent, cell * 0.03)
                pen.circle(cx + cell * 0.45, cy + cell * 0.1, cell * 0.06, fill=accent)
    elif kind == "wheat":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell
                pen.line([(cx, cy - cell * 0.35), (cx, cy + cell * 0.35)], ink, cell * 0.035)
                for grain in range(4):
                    gy = cy - cell * 0.3 + grain * cell * 0.13
                    for side in (-1, 1):
                        gx = cx + side * cell * 0.07
                        pen.ellipse((gx - cell * 0.05, gy - cell * 0.08, gx + cell * 0.05, gy + cell * 0.08), fill=ink)
                pen.circle(cx + cell * 0.45, cy + cell * 0.45, cell * 0.05, fill=accent)
    elif kind == "flowers":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.9
                for petal in range(6):
                    angle = 2 * math.pi * petal / 6
                    pen.circle(cx + math.cos(angle) * cell * 0.14, cy + math.sin(angle) * cell * 0.14, cell * 0.1, ink)
                pen.circle(cx, cy, cell * 0.08, fill=accent)
    elif kind == "gears":
        for row in range(rows):
            for column in range(columns):
                cx = x0 + column * cell + (cell / 2 if row % 2 else 0)
                cy = y0 + row * cell * 0.9
                pen.poly(gear_points(cx, cy, cell * 0.32, cell * 0.24, 8, turn=row * 0.2), fill=ink)
                pen.circle(cx, cy, cell * 0.11, fill=base)
                pen.circle(cx + cell * 0.5, cy + cell * 0.42, cell * 0.04, fill=accent)
    else:  # plain weave
        for row in range(rows):
            pen.line([(x0, y0 + row * cell / 3), (x1, y0 + row * cell / 3)], ink, cell * 0.05, round_ends=False)


# --- motifs --------------------------------------------------------------------------------------
# Each draws one recognisable thing in the 1000-unit box, standing on y ≈ 840, with its shadow.

Motif = Callable[[Pen, Look, str, str], None]
MOTIFS: dict[str, Motif] = {}
FOCUS: dict[str, Point] = {}  # where a close-up of the motif looks (default: the middle)


def motif(name: str, focus: Point | None = None) -> Callable[[Motif], Motif]:
    def register(function: Motif) -> Motif:
        MOTIFS[name] = function
        if focus:
            FOCUS[name] = focus
        return function

    return register


def rotate(points: Sequence[Point], degrees: float, centre: Point) -> list[Point]:
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = centre
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]


def _ground(pen: Pen, look: Look, x0: float, x1: float, y: float = 840, depth: float = 70) -> None:
    pen.shadow((x0, y - depth / 2, x1, y + depth / 2), dark(look.backdrop, 0.55))


def _patterned(pen: Pen, points: Sequence[Point], look: Look, kind: str, cell: float = 80) -> None:
    box = (min(x for x, _ in points), min(y for _, y in points), max(x for x, _ in points), max(y for _, y in points))
    pen.fill_shape(points, lambda inner: pattern(inner, kind, look, box, cell))


def _hanger(pen: Pen, colour: Any = (120, 86, 60)) -> None:
    pen.arc((462, 70, 538, 146), 180, 60, fill=(150, 150, 160), width=12)
    pen.line([(500, 146), (500, 170)], (150, 150, 160), 12)
    pen.line([(260, 262), (500, 170), (740, 262)], colour, 22)


@motif("cloth", focus=(500, 600))
def _cloth(pen: Pen, look: Look, variant: str, text: str) -> None:
    """Folded lengths of batik, stacked as a shop shows them, with a paper band round the top one."""
    kind = variant or "parang"
    _ground(pen, look, 140, 860, 835, 60)
    other = Look(look.second, look.main, look.accent, look.backdrop)
    third = Look(dark(look.main, 0.25), light(look.second, 0.1), look.accent, look.backdrop)
    folds = (((160, 700, 840, 820), third), ((190, 580, 810, 705), other), ((220, 455, 780, 585), look))
    for (x0, y0, x1, y1), colours in folds:
        radius = (y1 - y0) * 0.42
        pen.rect((x0 + 4, y0 + 10, x1 + 4, y1 + 10), fill=dark(colours.main, 0.45), radius=radius)
        _patterned(pen, rounded_box((x0, y0, x1, y1), radius), colours, kind, 78)
        pen.rect((x0, y0, x1, y1), outline=dark(colours.main, 0.35), radius=radius, width=5)
        pen.line([(x0 + radius, y0 + 8), (x1 - radius, y0 + 8)], light(colours.main, 0.35), 7)
    band = look.accent if luminance(look.accent) > 0.55 else CREAM
    pen.rect((545, 445, 625, 595), fill=band)
    pen.rect((545, 445, 553, 595), fill=dark(band, 0.12))
    pen.circle(585, 520, 22, fill=look.main)
    pen.circle(585, 520, 10, fill=band)


def _shirt_points(short: bool, blouse: bool) -> list[Point]:
    sleeve: list[Point]
    if short:
        sleeve = [(230, 330), (180, 470), (282, 500), (306, 410)]
    else:
        sleeve = [(232, 325), (172, 612), (258, 628), (305, 412)]
    left: list[Point] = [(430, 212), (298, 250), *sleeve, (312, 820)]
    if blouse:
        left = [(440, 215), (300, 250), *sleeve, (300, 800)]
    right = [(1000 - x, y) for x, y in reversed(left)]
    return left + right


@motif("shirt", focus=(500, 420))
def _shirt(pen: Pen, look: Look, variant: str, text: str) -> None:
    kind, _, style = variant.partition(":")
    short, blouse, kid = "short" in style, "blouse" in style, "kid" in style
    if kid:
        pen = pen.at(110, 150, 780)
    _ground(pen, look, 260, 740, 870, 50)
    _hanger(pen)
    points = _shirt_points(short or blouse, blouse)
    pen.poly([(x + 8, y + 10) for x, y in points], fill=dark(look.main, 0.35))
    _patterned(pen, points, look, kind or "kawung", 84)
    pen.ellipse((436, 196, 564, 252), fill=dark(look.main, 0.45))
    if blouse:
        pen.arc((430, 180, 570, 290), 0, 180, fill=look.accent, width=12)
        pen.line([(300, 800), (700, 800)], look.accent, 10, round_ends=False)
        return
    collar = dark(look.main, 0.15)
    pen.poly([(426, 208), (500, 258), (462, 318)], fill=collar, outline=dark(look.main, 0.5), width=4)
    pen.poly([(574, 208), (500, 258), (538, 318)], fill=collar, outline=dark(look.main, 0.5), width=4)
    pen.line([(500, 262), (500, 820)], dark(look.main, 0.4), 6, round_ends=False)
    for y in range(330, 800, 92):
        pen.circle(500, y, 9, fill=light(look.accent, 0.3), outline=dark(look.main, 0.5), width=2)
    if not short:
        for side in (1, -1):
            x = 215 if side == 1 else 785
            pen.line([(x - 40 * side, 598), (x + 45 * side, 613)], dark(look.main, 0.35), 10)
    pen.rect((350, 350, 430, 430), outline=dark(look.main, 0.4), width=4)


@motif("dress", focus=(500, 480))
def _dress(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 220, 780, 890, 50)
    _hanger(pen)
    left = [(432, 212), (318, 238), (222, 350), (268, 428), (332, 396), (338, 470), (218, 865)]
    points = left + [(1000 - x, y) for x, y in reversed(left)]
    pen.poly([(x + 8, y + 10) for x, y in points], fill=dark(look.main, 0.35))
    _patterned(pen, points, look, variant or "jumputan", 92)
    pen.poly([(436, 210), (500, 320), (564, 210)], fill=dark(look.main, 0.45))
    pen.line([(338, 470), (662, 470)], look.accent, 16, round_ends=False)
    pen.line([(500, 470), (470, 560)], look.accent, 10)
    pen.line([(500, 470), (535, 555)], look.accent, 10)
    pen.circle(500, 470, 18, fill=look.accent)


@motif("scarf", focus=(420, 560))
def _scarf(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 220, 800, 880, 50)
    pen.line([(170, 250), (830, 250)], (139, 94, 60), 26)
    for x in (170, 830):
        pen.circle(x, 250, 26, fill=(110, 72, 45))
    pen.poly([(290, 236), (720, 236), (720, 268), (290, 268)], fill=dark(look.main, 0.4))
    ends: tuple[list[Point], ...] = (
        [(290, 250), (500, 250), (520, 820), (310, 850)],
        [(510, 250), (720, 250), (740, 720), (530, 700)],
    )
    for index, points in enumerate(ends):
        colours = (
            look if index == 0 else Look(dark(look.main, 0.12), dark(look.second, 0.1), look.accent, look.backdrop)
        )
        _patterned(pen, points, colours, variant or "truntum", 70)
        (_, _), (_, _), (bx1, by1), (bx0, by0) = points
        for step in range(12):
            t = step / 11
            fringe_x, fringe_y = bx0 + (bx1 - bx0) * t, by0 + (by1 - by0) * t
            pen.line([(fringe_x, fringe_y), (fringe_x + 4, fringe_y + 50)], colours.accent, 6)
    pen.line([(500, 250), (520, 820)], dark(look.main, 0.35), 6, round_ends=False)


@motif("tote", focus=(500, 600))
def _tote(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 200, 800, 840)
    handle = dark(look.main, 0.3)
    pen.arc((330, 170, 530, 470), 180, 360, fill=handle, width=28)
    pen.arc((470, 170, 670, 470), 180, 360, fill=handle, width=28)
    body = [(250, 330), (750, 330), (790, 830), (210, 830)]
    _patterned(pen, body, look, variant or "parang", 90)
    pen.poly([(250, 330), (750, 330), (755, 395), (245, 395)], fill=handle)
    pen.rect((430, 350, 570, 380), fill=light(look.accent, 0.2), radius=8)


@motif("pouch", focus=(500, 560))
def _pouch(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 200, 800, 800)
    body = rounded_box((220, 380, 780, 780), 70)
    _patterned(pen, body, look, variant or "kawung", 80)
    pen.line([(240, 432), (760, 432)], dark(look.main, 0.5), 20, round_ends=False)
    for x in range(250, 760, 18):
        pen.line([(x, 424), (x, 440)], (200, 200, 200), 6, round_ends=False)
    pen.rect((690, 410, 720, 500), fill=(210, 210, 215), radius=8)
    pen.circle(705, 480, 10, fill=dark(look.main, 0.5))


@motif("coffee_bag", focus=(500, 520))
def _coffee_bag(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 220, 800, 830)
    body = [(300, 250), (700, 250), (730, 815), (270, 815)]
    pen.poly([(x + 12, y + 8) for x, y in body], fill=dark(look.main, 0.35))
    pen.poly(body, fill=look.main)
    pen.poly([(600, 250), (700, 250), (730, 815), (640, 815)], fill=dark(look.main, 0.12))
    pen.rect((288, 190, 712, 262), fill=dark(look.main, 0.2), radius=10)
    for x in range(300, 705, 16):
        pen.line([(x, 198), (x, 254)], dark(look.main, 0.35), 4, round_ends=False)
    pen.circle(620, 320, 18, fill=dark(look.main, 0.4))
    label = [(335, 420), (665, 420), (680, 720), (320, 720)]
    pen.poly(label, fill=look.second)
    pen.line([(335, 440), (665, 440)], look.accent, 8, round_ends=False)
    words = (text or "KOPI").split("\n")
    pen.text(500, 520, words[0], 84 if len(words[0]) <= 6 else 62, look.accent)
    if len(words) > 1:
        pen.text(500, 605, words[1], 48, dark(look.second, 0.6), bold=False)
    for x in (440, 500, 560):
        pen.ellipse((x - 14, 655, x + 14, 690), fill=look.main)
    for bx, by, turn in ((200, 800, 20), (790, 820, -30), (250, 850, 60), (740, 860, 10), (820, 790, 80)):
        bean = rotate(ellipse_points(bx, by, 26, 36), turn, (bx, by))
        pen.poly(bean, fill=(92, 55, 35))
        pen.line(rotate([(bx, by - 26), (bx + 7, by), (bx, by + 26)], turn, (bx, by)), (60, 34, 22), 5)


def _bowl_shape(top: float, bottom: float, half_top: float, half_bottom: float, cx: float = 500) -> list[Point]:
    left = [
        (cx - (half_top - (half_top - half_bottom) * (i / 12) ** 2.2), top + (bottom - top) * i / 12) for i in range(13)
    ]
    return left + [(2 * cx - x, y) for x, y in reversed(left)]


@motif("cup", focus=(500, 520))
def _cup(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 820, 800)
    pen.ellipse((200, 690, 800, 800), fill=dark(look.second, 0.12))
    pen.ellipse((200, 680, 800, 785), fill=look.second)
    pen.ellipse((330, 700, 670, 760), fill=dark(look.second, 0.08))
    steam_colour = light(look.backdrop, 0.75)
    body: list[Point]
    if variant == "glass":  # a "gelas belimbing" of kopi tubruk
        body = [(380, 380), (620, 380), (600, 740), (400, 740)]
        pen.poly(body, fill=(226, 232, 236))
        pen.poly([(390, 450), (610, 450), (600, 735), (400, 735)], fill=(74, 40, 24))
        pen.ellipse((390, 432, 610, 468), fill=(104, 60, 36))
        for x in (430, 470, 530, 570):
            pen.line([(x, 390), (x + (500 - x) * 0.08, 735)], (250, 250, 252), 6, round_ends=False)
        pen.ellipse((380, 365, 620, 398), outline=(200, 208, 214), width=8)
        for x in (450, 540):
            steam(pen, x, 170, 340, steam_colour, 14)
        return
    pen.arc((630, 470, 800, 650), -75, 95, fill=dark(look.main, 0.1), width=34)
    body = _bowl_shape(460, 730, 215, 130)
    pen.poly(body, fill=look.main)
    pen.poly([(x, y) for x, y in body if x >= 500], fill=dark(look.main, 0.1))
    pen.ellipse((285, 430, 715, 492), fill=light(look.main, 0.25))
    pen.ellipse((305, 440, 695, 486), fill=(96, 56, 32))
    if variant == "latte":
        pen.ellipse((380, 446, 620, 482), fill=(200, 150, 100))
        pen.ellipse((440, 452, 500, 474), fill=CREAM)
        pen.ellipse((500, 452, 560, 474), fill=CREAM)
        pen.poly([(440, 463), (560, 463), (500, 484)], fill=CREAM)
    pen.line([(330, 560), (670, 560)], look.accent, 14, round_ends=False)
    for x in (420, 500, 580):
        steam(pen, x, 150 if x == 500 else 200, 400, steam_colour, 16)


@motif("dripper", focus=(500, 420))
def _dripper(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 260, 740, 830)
    server = _bowl_shape(520, 820, 170, 150)
    pen.poly(server, fill=(222, 232, 238))
    pen.poly(_bowl_shape(640, 815, 165, 150), fill=(110, 62, 34))
    pen.ellipse((335, 625, 665, 655), fill=(140, 84, 48))
    pen.line([(370, 560), (380, 800)], WHITE, 10)
    pen.rect((320, 500, 680, 530), fill=dark(look.main, 0.2), radius=10)
    cone = [(290, 250), (710, 250), (560, 500), (440, 500)]
    pen.poly(cone, fill=look.main)
    for x in (380, 450, 550, 620):
        pen.line([(x, 270), (500 + (x - 500) * 0.45, 480)], dark(look.main, 0.15), 8)
    pen.ellipse((290, 230, 710, 275), fill=light(look.main, 0.2))
    pen.ellipse((320, 238, 680, 266), fill=(96, 56, 32))
    pen.arc((690, 280, 790, 420), -90, 90, fill=look.main, width=26)


@motif("iced", focus=(500, 500))
def _iced(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 300, 700, 840, 50)
    cup = [(330, 320), (670, 320), (630, 830), (370, 830)]
    pen.poly(cup, fill=(236, 240, 242))
    drink = [(340, 430), (660, 430), (630, 825), (370, 825)]
    pen.poly(drink, fill=look.main)
    pen.poly([(368, 760), (632, 760), (630, 825), (370, 825)], fill=dark(look.main, 0.55))
    pen.poly([(344, 430), (656, 430), (650, 500), (350, 500)], fill=light(look.main, 0.55))
    for x, y, size in ((390, 450, 80), (480, 470, 86), (560, 440, 80), (430, 540, 72), (530, 560, 76)):
        pen.rect((x, y, x + size, y + size), fill=light(look.main, 0.7), radius=16)
        pen.line([(x + 14, y + 16), (x + 34, y + 16)], WHITE, 8)
    pen.line([(565, 380), (640, 130)], look.accent, 26, round_ends=False)
    pen.rect((320, 300, 680, 340), fill=(246, 248, 250), radius=12)
    pen.circle(500, 650, 60, fill=look.second)
    pen.text(500, 650, (text or "ES")[:3], 46, ink_on(look.second))
    for x, y in ((380, 600), (620, 540), (610, 720), (395, 700)):
        pen.ellipse((x - 6, y - 10, x + 6, y + 10), fill=WHITE)


def _plate(pen: Pen, look: Look, box: Box = (150, 620, 850, 830)) -> None:
    x0, y0, x1, y1 = box
    _ground(pen, look, x0 - 10, x1 + 10, y1 - 5, 60)
    pen.ellipse((x0, y0 + 14, x1, y1 + 14), fill=(214, 214, 214))
    pen.ellipse(box, fill=(252, 252, 250))
    pen.ellipse((x0 + 70, y0 + 25, x1 - 70, y1 - 25), fill=(240, 240, 236))


@motif("toast", focus=(500, 560))
def _toast(pen: Pen, look: Look, variant: str, text: str) -> None:
    _plate(pen, look)

    def slice_at(x: float, y: float, turn: float) -> None:
        outline = [*rounded_box((x - 170, y - 110, x + 170, y + 200), 40)]
        top = ellipse_points(x - 85, y - 110, 95, 80, 180, 360) + ellipse_points(x + 85, y - 110, 95, 80, 180, 360)
        crust = rotate(top + outline[len(outline) // 4 : 3 * len(outline) // 4], turn, (x, y))
        pen.poly(crust, fill=dark(look.main, 0.2))
        inner_top = ellipse_points(x - 80, y - 100, 75, 62, 180, 360) + ellipse_points(
            x + 80, y - 100, 75, 62, 180, 360
        )
        inner = rotate([*inner_top, (x + 150, y + 180), (x - 150, y + 180)], turn, (x, y))
        pen.poly(inner, fill=look.main)
        grill = rotate([(x - 120, y - 40), (x + 120, y + 40)], turn, (x, y))
        pen.line(grill, dark(look.main, 0.3), 10)
        pen.line(rotate([(x - 120, y + 60), (x + 120, y + 140)], turn, (x, y)), dark(look.main, 0.3), 10)

    slice_at(410, 540, -8)
    slice_at(600, 580, 10)
    drizzle = [(380 + i * 30, 480 + (40 if i % 2 else 0) + i * 14) for i in range(11)]
    pen.line(drizzle, (70, 38, 20), 16)
    if "keju" in variant or not variant:
        for x, y in ((430, 500), (520, 560), (600, 520), (650, 610), (470, 610), (560, 660)):
            pen.rect((x, y, x + 50, y + 14), fill=(250, 214, 70), radius=6)


@motif("plate", focus=(500, 620))
def _plate_food(pen: Pen, look: Look, variant: str, text: str) -> None:
    _plate(pen, look, (130, 560, 870, 840))
    pen.poly([(230, 640), (500, 560), (780, 640), (700, 770), (300, 770)], fill=(74, 140, 64))
    pen.line([(250, 680), (760, 660)], (110, 170, 96), 6)
    if variant == "klepon":
        for x, y in ((360, 650), (480, 620), (600, 650), (420, 720), (550, 720), (660, 710)):
            pen.circle(x, y, 62, fill=(74, 160, 78))
            pen.circle(x - 18, y - 20, 16, fill=(120, 200, 120))
            for dx, dy in ((-30, 10), (10, -30), (25, 20), (-5, 35), (30, -5)):
                pen.circle(x + dx, y + dy, 6, fill=(250, 250, 240))
        return
    if variant == "konro":
        for index, (x, y) in enumerate(((320, 640), (430, 610), (540, 640), (420, 710), (560, 710))):
            rib = rotate(rounded_box((x - 90, y - 38, x + 90, y + 38), 30), -12 + index * 6, (x, y))
            pen.poly(rib, fill=(96, 50, 30))
            pen.line([(x + 80, y - 10), (x + 130, y - 20)], (240, 232, 214), 22)
            pen.circle(x + 20, y - 10, 10, fill=(140, 80, 44))
        pen.ellipse((610, 600, 760, 680), fill=(190, 110, 40))
        return
    sauce = variant == "epe"
    for index, (x, y) in enumerate(((330, 650), (460, 620), (590, 650), (400, 720), (540, 715))):
        shape = rotate(ellipse_points(x, y, 110, 42 if not sauce else 52), -18 + index * 9, (x, y))
        pen.poly(shape, fill=look.main if not sauce else (214, 170, 96))
        for dx, dy in ((-50, -6), (-10, 10), (30, -10), (60, 8), (0, -18)):
            pen.circle(x + dx, y + dy, 7, fill=dark(look.main, 0.25))
    if sauce:
        pen.line([(300, 630), (380, 660), (460, 620), (560, 660), (640, 630)], (120, 60, 26), 20)
    else:
        for x, y in ((380, 600), (500, 590), (610, 630)):
            pen.rect((x, y, x + 60, y + 14), fill=(250, 214, 70), radius=6)


@motif("bottle", focus=(500, 560))
def _bottle(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 260, 740, 830)
    label_text = text or ""
    if variant == "jar":
        pen.rect((320, 400, 680, 820), fill=look.main, radius=60)
        pen.rect((600, 420, 650, 800), fill=light(look.main, 0.2), radius=20)
        pen.rect((330, 320, 670, 410), fill=look.accent, radius=24)
        for x in range(350, 660, 40):
            pen.rect((x, 330, x + 20, 400), fill=dark(look.accent, 0.15))
        pen.rect((360, 520, 640, 720), fill=look.second, radius=14)
        pen.text(500, 590, label_text[:8] or "SAMBAL", 54, look.main)
        pen.poly([(470, 640), (540, 660), (560, 690), (500, 680)], fill=look.main)
        return
    if variant == "oil":
        body = [(330, 300), (600, 300), (690, 380), (690, 830), (330, 830)]
        pen.poly([(x + 12, y + 10) for x, y in body], fill=dark(look.main, 0.35))
        pen.poly(body, fill=look.main)
        pen.rect((360, 220, 460, 310), fill=look.accent, radius=12)
        pen.rect((520, 330, 650, 420), fill=dark(look.main, 0.25), radius=30)
        pen.rect((360, 470, 660, 760), fill=look.second, radius=16)
        pen.line([(360, 520), (660, 520)], look.accent, 14, round_ends=False)
        pen.text(510, 610, label_text[:7] or "OLI", 70, dark(look.second, 0.7))
        pen.text(510, 700, "SAE 10W-30", 30, dark(look.second, 0.55), bold=False)
        return
    pen.rect((380, 360, 620, 830), fill=look.main, radius=46)
    pen.poly([(385, 400), (450, 240), (550, 240), (615, 400)], fill=look.main)
    pen.rect((445, 150, 555, 250), fill=dark(look.main, 0.1))
    pen.rect((435, 120, 565, 180), fill=CHARCOAL, radius=12)
    pen.rect((570, 420, 600, 800), fill=light(look.main, 0.25), radius=14)
    pen.rect((392, 500, 608, 720), fill=look.second, radius=10)
    pen.text(500, 580, label_text[:6] or "COLD", 50, look.accent)
    pen.text(500, 650, "1 L", 40, dark(look.second, 0.6), bold=False)


@motif("phone", focus=(500, 420))
def _phone(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 280, 720, 880, 50)
    if variant == "case":
        pen.rect((310, 120, 690, 880), fill=light(look.accent, 0.5), radius=78)
    pen.rect((340, 150, 670, 870), fill=dark(look.main, 0.3), radius=64)
    pen.rect((330, 140, 660, 860), fill=look.main, radius=64)
    screen = rounded_box((355, 165, 635, 835), 44)

    def wallpaper(inner: Pen) -> None:
        inner.rect((300, 100, 700, 900), fill=look.second)
        inner.circle(620, 260, 230, fill=mix(look.second, look.accent, 0.5))
        inner.circle(360, 760, 260, fill=mix(look.second, look.accent, 0.3))
        if variant == "software":
            inner.poly(gear_points(495, 430, 95, 72, 10), fill=WHITE)
            inner.circle(495, 430, 34, fill=look.second)
            inner.rect((400, 600, 590, 630), fill=light(look.second, 0.4), radius=14)
            inner.rect((400, 600, 530, 630), fill=WHITE, radius=14)
            return
        for row in range(4):
            for column in range(3):
                x, y = 385 + column * 80, 250 + row * 100
                colour = (WHITE, light(look.accent, 0.4), (255, 214, 102), (132, 214, 170))[(row + column) % 4]
                inner.rect((x, y, x + 60, y + 60), fill=colour, radius=16)
        inner.rect((380, 700, 610, 800), fill=light(look.second, 0.35), radius=30)

    pen.fill_shape(screen, wallpaper)
    pen.circle(495, 195, 12, fill=CHARCOAL)
    pen.rect((662, 300, 676, 380), fill=dark(look.main, 0.2), radius=6)
    if variant == "cracked":
        white = (245, 248, 250)
        for path in (
            [(560, 330), (500, 300), (470, 210), (440, 168)],
            [(560, 330), (620, 280), (636, 250)],
            [(560, 330), (590, 430), (560, 520), (600, 620), (590, 760)],
            [(560, 330), (470, 380), (420, 470), (360, 500)],
            [(590, 430), (632, 470)],
            [(470, 380), (440, 330)],
        ):
            pen.line(path, white, 6)
        pen.circle(560, 330, 20, outline=white, width=6)
    if variant == "glass":
        sheet = [(300, 210), (620, 120), (760, 720), (440, 810)]
        pen.poly(sheet, outline=(150, 200, 230), width=8)
        pen.line([(420, 330), (600, 280)], (220, 240, 250), 12)
        pen.line([(450, 400), (560, 370)], (220, 240, 250), 8)
    if variant in ("repair", "software"):
        _wrench_at(pen, look, (610, 640), -35, 0.7)


def _wrench_at(pen: Pen, look: Look, centre: Point, turn: float, scale: float) -> None:
    cx, cy = centre
    metal, edge = (196, 202, 210), (130, 138, 150)
    length = 330 * scale
    handle = rounded_box((cx - length, cy - 34 * scale, cx + length, cy + 34 * scale), 30 * scale)
    pen.poly(rotate([(x + 8, y + 10) for x, y in handle], turn, centre), fill=dark(look.backdrop, 0.35))
    pen.poly(rotate(handle, turn, centre), fill=metal, outline=edge, width=4)
    head = rotate([(cx + length, cy)], turn, centre)[0]
    tail = rotate([(cx - length, cy)], turn, centre)[0]
    pen.circle(*head, 82 * scale, fill=metal, outline=edge, width=4)
    jaw = rotate(
        [(cx + length, cy - 26 * scale), (cx + length + 100 * scale, cy - 38 * scale),
         (cx + length + 100 * scale, cy + 38 * scale), (cx + length, cy + 26 * scale)],
        turn, centre,
    )  # fmt: skip
    pen.poly(jaw, fill=look.backdrop)
    pen.circle(*tail, 70 * scale, fill=metal, outline=edge, width=4)
    pen.circle(*tail, 34 * scale, fill=look.backdrop)
    pen.poly(rotate([(cx - 200 * scale, cy - 10 * scale), (cx + 200 * scale, cy - 10 * scale),
                     (cx + 200 * scale, cy + 10 * scale), (cx - 200 * scale, cy + 10 * scale)], turn, centre),
             fill=light(metal, 0.4))  # fmt: skip


@motif("battery", focus=(500, 520))
def _battery(pen: Pen, look: Look, variant: str, text: str) -> None:
    if variant == "aki":
        _ground(pen, look, 200, 800, 830)
        pen.rect((240, 400, 780, 820), fill=dark(look.main, 0.3), radius=22)
        pen.rect((220, 390, 760, 810), fill=look.main, radius=22)
        pen.rect((220, 350, 760, 420), fill=dark(look.main, 0.35), radius=14)
        for x, colour, sign in ((330, (220, 50, 50), "+"), (650, CHARCOAL, "−")):
            pen.rect((x - 40, 290, x + 40, 360), fill=colour, radius=10)
            pen.ellipse((x - 40, 275, x + 40, 305), fill=light(colour, 0.2))
            pen.text(x, 460, sign, 70, WHITE)
        pen.rect((270, 520, 710, 760), fill=look.second, radius=14)
        pen.poly([(470, 540), (400, 650), (480, 650), (440, 740), (560, 610), (480, 610), (530, 540)], fill=look.accent)
        pen.text(640, 640, text or "12V", 50, dark(look.second, 0.7))
        return
    _ground(pen, look, 280, 740, 850, 50)
    body = (300, 180, 700, 830)
    pen.rect((314, 194, 714, 844), fill=dark(look.main, 0.35), radius=34)
    pen.rect(body, fill=look.main, radius=34)
    pen.rect((420, 150, 580, 200), fill=(200, 170, 80), radius=8)
    for x in (445, 485, 525, 555):
        pen.rect((x, 160, x + 14, 190), fill=(240, 210, 120))
    pen.rect((340, 260, 660, 780), fill=look.second, radius=18)
    pen.poly([(530, 310), (400, 540), (490, 540), (450, 730), (610, 470), (515, 470), (570, 310)], fill=look.accent)
    pen.text(500, 755, text or "4000 mAh", 34, dark(look.second, 0.6), bold=False)


def _usb_plug(pen: Pen, look: Look, x: float, y: float, turn: float, kind: str) -> None:
    """A plug lying at (x, y), its tip pointing ``turn`` degrees from the right."""
    body = rotate(rounded_box((x - 90, y - 38, x + 40, y + 38), 18), turn, (x, y))
    pen.poly(body, fill=look.second, outline=dark(look.second, 0.35), width=5)
    tip_height = 22 if kind == "c" else 34
    tip = rotate(rounded_box((x + 38, y - tip_height, x + 120, y + tip_height), 12 if kind == "c" else 4), turn, (x, y))
    pen.poly(tip, fill=(200, 206, 214), outline=(140, 146, 156), width=4)
    hole = rotate(rounded_box((x + 60, y - 8, x + 110, y + 8), 6), turn, (x, y))
    pen.poly(hole, fill=(90, 96, 106))


@motif("charger", focus=(560, 460))
def _charger(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 160, 860, 830)
    wire, edge = look.second, dark(look.second, 0.35)
    if variant == "cable":
        for ring in range(4):  # a coiled cable
            box = (300 - ring * 12, 380 + ring * 26, 700 + ring * 12, 700 + ring * 22)
            pen.arc(box, 0, 360, fill=edge, width=30)
            pen.arc(box, 0, 360, fill=wire, width=22)
        pen.line([(300, 560), (240, 650), (250, 760)], edge, 30)
        pen.line([(300, 560), (240, 650), (250, 760)], wire, 22)
        pen.line([(700, 560), (770, 460), (760, 330)], edge, 30)
        pen.line([(700, 560), (770, 460), (760, 330)], wire, 22)
        _usb_plug(pen, look, 250, 790, 90, "a")
        _usb_plug(pen, look, 760, 300, -90, "c")
        pen.circle(500, 540, 70, fill=look.accent)
        pen.text(500, 540, text or "C", 56, ink_on(look.accent))
        return
    cable: list[Point] = [(330 + 10 * math.sin(t / 3), 600 + t * 9) for t in range(0, 20)]
    cable += [(330 + 200 * (1 - math.cos(math.pi * t / 30)), 780 + 40 * math.sin(math.pi * t / 30)) for t in range(31)]
    cable += [(730 + t * 4, 780 - t * 14) for t in range(20)]
    pen.line(cable, edge, 30)
    pen.line(cable, wire, 22)
    _usb_plug(pen, look, 810, 470, -90, "c")
    for x in (260, 380):
        pen.rect((x, 200, x + 40, 290), fill=(190, 196, 204), radius=6)
    pen.rect((200, 280, 480, 620), fill=dark(look.main, 0.12), radius=40)
    pen.rect((190, 270, 470, 610), fill=look.main, radius=40, outline=dark(look.main, 0.2), width=5)
    pen.poly([(345, 360), (290, 460), (335, 460), (310, 540), (390, 430), (345, 430), (375, 360)], fill=look.accent)
    pen.text(330, 575, text or "25W", 40, dark(look.main, 0.5))


@motif("clothes", focus=(500, 520))
def _clothes(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 820, 840)
    colours = [look.main, look.second, look.accent, light(look.main, 0.45)]
    y = 760
    for index, colour in enumerate(colours):
        inset = index * 18
        pen.rect((220 + inset, y - 100, 780 - inset, y + 8), fill=dark(colour, 0.25), radius=26)
        pen.rect((220 + inset, y - 110, 780 - inset, y - 4), fill=colour, radius=26)
        pen.line([(240 + inset, y - 70), (760 - inset, y - 70)], light(colour, 0.3), 6)
        y -= 108
    top = colours[-1]
    pen.poly([(440, y + 2), (500, y + 62), (560, y + 2)], fill=dark(top, 0.2))
    for by in (y + 75, y + 95):
        pen.circle(500, by, 6, fill=dark(top, 0.35))
    for x, yy, r in ((190, 300, 46), (820, 260, 60), (760, 150, 30), (250, 170, 30), (840, 420, 24)):
        pen.circle(x, yy, r, outline=light(look.backdrop, 0.7), width=8)
        pen.circle(x - r * 0.35, yy - r * 0.35, r * 0.2, fill=WHITE)
    sparkle(pen, 300, 250, 40, WHITE)


@motif("iron", focus=(470, 560))
def _iron(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 150, 820, 780)
    pen.arc((360, 340, 780, 760), 195, 345, fill=dark(look.main, 0.35), width=56)
    body = [(170, 740), (780, 740), (790, 600), (640, 520), (420, 510), (250, 600)]
    pen.poly(body, fill=look.main)
    pen.poly([(170, 740), (780, 740), (788, 700), (200, 700)], fill=(210, 214, 220))
    pen.line([(175, 745), (780, 745)], (160, 166, 176), 10, round_ends=False)
    pen.circle(560, 620, 46, fill=look.second)
    pen.line([(560, 620), (585, 590)], look.accent, 10)
    for x, y, r in ((120, 650, 36), (90, 590, 26), (140, 560, 20)):
        pen.circle(x, y, r, fill=light(look.backdrop, 0.7))
    pen.line([(780, 650), (880, 640), (900, 780)], CHARCOAL, 12)


@motif("washer", focus=(500, 560))
def _washer(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 230, 790, 860, 50)
    pen.rect((262, 172, 762, 852), fill=(200, 204, 210), radius=40)
    pen.rect((250, 160, 750, 840), fill=(246, 247, 249), radius=40)
    pen.rect((250, 160, 750, 300), fill=look.second, radius=40)
    pen.rect((250, 250, 750, 300), fill=look.second)
    pen.circle(650, 230, 38, fill=WHITE)
    pen.line([(650, 230), (670, 208)], look.main, 8)
    for x in (300, 350, 400):
        pen.circle(x, 230, 14, fill=light(look.accent, 0.2))
    pen.rect((300, 205, 440, 220), fill=light(look.second, 0.4), radius=6)
    pen.circle(500, 560, 215, fill=(190, 196, 204))
    pen.circle(500, 560, 180, fill=look.main)

    def inside(inner: Pen) -> None:
        inner.rect((300, 360, 700, 760), fill=look.main)
        inner.pie((320, 520, 700, 900), 180, 360, fill=look.accent)
        inner.pie((280, 560, 560, 860), 200, 340, fill=look.second)
        for x, y, r in ((420, 470, 40), (560, 430, 28), (610, 520, 20), (380, 560, 16), (520, 520, 24)):
            inner.circle(x, y, r, outline=WHITE, width=6)

    pen.fill_shape(ellipse_points(500, 560, 178, 178), inside)
    pen.arc((350, 410, 650, 710), 200, 250, fill=WHITE, width=14)
    pen.rect((310, 820, 360, 860), fill=CHARCOAL, radius=6)
    pen.rect((640, 820, 690, 860), fill=CHARCOAL, radius=6)
    if variant == "express":
        pen.circle(740, 250, 110, fill=look.accent, outline=WHITE, width=14)
        pen.line([(740, 250), (740, 180)], WHITE, 16)
        pen.line([(740, 250), (790, 270)], WHITE, 16)


@motif("blanket", focus=(500, 560))
def _blanket(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 150, 870, 840)
    for (x0, y0, x1, y1), colour in (((170, 620, 830, 810), look.second), ((210, 420, 790, 620), look.main)):
        pen.rect((x0, y0 + 14, x1, y1 + 14), fill=dark(colour, 0.3), radius=60)
        pen.rect((x0, y0, x1, y1), fill=colour, radius=60)

        def quilt(
            inner: Pen, colour: Any = colour, x0: float = x0, x1: float = x1, y0: float = y0, y1: float = y1
        ) -> None:
            inner.rect((x0, y0, x1, y1), fill=colour)
            for offset in range(int(x0) - 400, int(x1) + 400, 70):
                inner.line([(offset, y0), (offset + (y1 - y0), y1)], light(colour, 0.25), 5)
                inner.line([(offset, y1), (offset + (y1 - y0), y0)], light(colour, 0.25), 5)

        pen.fill_shape(rounded_box((x0 + 20, y0 + 20, x1 - 20, y1 - 20), 44), quilt)
        pen.rect((x0, y0, x1, y1), outline=dark(colour, 0.2), radius=60, width=10)
    pen.circle(270, 300, 40, outline=light(look.backdrop, 0.7), width=8)
    sparkle(pen, 760, 300, 50, WHITE)


@motif("carpet", focus=(450, 580))
def _carpet(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 120, 900, 800)
    flat = [(140, 700), (620, 700), (700, 800), (80, 800)]
    _patterned(pen, flat, Look(light(look.main, 0.1), look.second, look.accent, look.backdrop), "sekar", 60)
    for x in range(90, 700, 22):
        pen.line([(x, 800), (x - 6, 830)], look.accent, 5)
    body = [(200, 430), (700, 430), (700, 700), (200, 700)]
    _patterned(pen, body, look, variant or "sekar", 70)
    pen.line([(200, 690), (700, 690)], dark(look.main, 0.3), 16, round_ends=False)
    for y in range(440, 700, 24):
        pen.line([(200, y), (165, y + 6)], look.accent, 6)
    pen.ellipse((625, 430, 775, 700), fill=dark(look.main, 0.2))
    for ring in range(5):
        inset = ring * 14
        pen.ellipse(
            (640 + inset, 445 + inset * 1.8, 760 - inset, 685 - inset * 1.8), outline=light(look.main, 0.2), width=6
        )
    sparkle(pen, 820, 360, 44, WHITE)


@motif("shoe", focus=(520, 560))
def _shoe(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 150, 880, 790)
    upper = [(180, 700), (190, 520), (290, 470), (420, 520), (520, 460), (620, 520), (790, 600), (840, 690)]
    pen.poly(upper, fill=look.main)
    pen.poly([(190, 520), (290, 470), (360, 500), (250, 560)], fill=dark(look.main, 0.2))
    stripe = [(300, 660), (520, 560), (700, 600), (500, 640)]
    pen.poly(stripe, fill=look.accent)
    for index in range(5):
        x = 450 + index * 34
        pen.line([(x, 500 + index * 8), (x + 40, 540 + index * 10)], WHITE, 9)
    pen.rect((160, 690, 860, 760), fill=WHITE, radius=30)
    pen.rect((160, 735, 860, 770), fill=look.second, radius=16)
    pen.rect((810, 640, 850, 700), fill=light(look.main, 0.3), radius=10)
    for x, y, size in ((230, 360, 50), (760, 420, 40), (650, 330, 30)):
        sparkle(pen, x, y, size, WHITE)
    for x, y, r in ((350, 380, 26), (880, 540, 22)):
        pen.circle(x, y, r, outline=light(look.backdrop, 0.7), width=6)


@motif("basket", focus=(500, 520))
def _basket(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 220, 780, 840)
    for x, y, r, colour in (
        (380, 420, 110, look.second),
        (520, 390, 120, look.accent),
        (640, 430, 100, light(look.main, 0.5)),
    ):
        pen.circle(x, y, r, fill=colour)
    pen.poly([(640, 420), (790, 480), (770, 600), (700, 520)], fill=light(look.main, 0.5))
    body = [(240, 440), (760, 440), (710, 830), (290, 830)]
    pen.poly(body, fill=look.main)
    pen.rect((225, 420, 775, 480), fill=dark(look.main, 0.2), radius=20)
    for row in range(4):
        y = 520 + row * 75
        shrink = row * 12
        for column in range(5):
            slot = 300 + shrink + column * (400 - 2 * shrink) / 5
            pen.rect((slot, y, slot + 55, y + 36), fill=dark(look.main, 0.3), radius=14)
    pen.rect((560, 620, 700, 700), fill=WHITE, radius=10)
    pen.text(630, 660, text or "30 kg", 30, look.main)


@motif("rice_box", focus=(470, 480))
def _rice_box(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 840, 830)
    box = look.second
    pen.poly([(270, 400), (730, 400), (780, 160), (220, 160)], fill=light(box, 0.15))
    pen.circle(500, 270, 56, fill=look.main)
    pen.text(500, 270, (text or "BA")[:2], 50, WHITE)
    pen.poly([(220, 560), (780, 560), (730, 400), (270, 400)], fill=dark(box, 0.2))

    def food(inner: Pen) -> None:
        inner.rect((200, 380, 800, 580), fill=(86, 150, 70))
        inner.ellipse((265, 400, 520, 560), fill=(250, 250, 246))
        inner.ellipse((300, 410, 420, 460), fill=WHITE)
        if variant == "fish":
            inner.poly(rotate(ellipse_points(620, 470, 120, 55), -10, (620, 470)), fill=(170, 90, 40))
            inner.poly([(720, 450), (780, 410), (770, 500)], fill=(150, 76, 34))
            inner.line([(560, 460), (680, 450)], (120, 60, 26), 6)
            inner.circle(560, 470, 10, fill=(40, 30, 30))
        elif variant == "rendang":
            for x, y in ((560, 440), (640, 470), (600, 520), (690, 420)):
                inner.rect((x - 45, y - 30, x + 45, y + 30), fill=(92, 48, 26), radius=16)
        else:
            inner.poly(rotate(ellipse_points(610, 470, 100, 62), -25, (610, 470)), fill=(170, 86, 36))
            inner.line([(680, 420), (730, 380)], (240, 232, 214), 24)
            inner.circle(735, 375, 18, fill=(240, 232, 214))
            inner.line([(560, 470), (640, 440)], (120, 50, 20), 8)
        inner.circle(420, 520, 30, fill=(220, 40, 30))
        for x in (520, 560):
            inner.circle(x, 545, 24, fill=(196, 226, 150), outline=(90, 150, 60), width=5)
        inner.poly([(700, 520), (760, 500), (740, 560)], fill=(60, 130, 50))

    pen.fill_shape([(272, 404), (728, 404), (772, 556), (228, 556)], food)
    pen.poly([(220, 560), (780, 560), (770, 820), (230, 820)], fill=box)
    pen.line([(220, 562), (780, 562)], dark(box, 0.1), 10, round_ends=False)
    pen.rect((330, 620, 670, 760), fill=look.main, radius=16)
    pen.text(500, 690, (text or "NASI KOTAK").split("\n")[-1][:12], 40, WHITE)


@motif("bowl", focus=(500, 520))
def _bowl(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 140, 860, 850)
    # A ketupat behind the bowl, its woven leaves clipped to its diamond.
    diamond = [(770, 330), (880, 450), (770, 570), (660, 450)]

    def weave(inner: Pen) -> None:
        inner.rect((660, 330, 880, 570), fill=(118, 170, 70))
        for offset in range(-220, 240, 36):
            inner.line([(660 + offset, 330), (880 + offset, 570)], (84, 130, 48), 7, round_ends=False)
            inner.line([(660 + offset, 570), (880 + offset, 330)], (150, 196, 96), 5, round_ends=False)

    pen.fill_shape(diamond, weave)
    pen.line([(770, 330), (760, 270), (800, 230)], (84, 130, 48), 8)
    body = _bowl_shape(500, 820, 320, 170)
    edge = dark(look.second, 0.25)
    pen.poly([(x + 8, y + 8) for x, y in body], fill=dark(look.backdrop, 0.3))

    def shaded(inner: Pen) -> None:
        inner.rect((170, 500, 830, 830), fill=look.second)
        inner.rect((560, 500, 830, 830), fill=dark(look.second, 0.07))

    pen.fill_shape(body, shaded)
    pen.poly(body, outline=edge, width=5)
    pen.line([(205, 575), (795, 575)], look.accent, 18, round_ends=False)
    for x in range(260, 760, 70):
        pen.circle(x, 625, 12, fill=look.accent)
    pen.rect((400, 808, 600, 840), fill=dark(look.second, 0.15), radius=8)
    pen.ellipse((175, 455, 825, 545), fill=light(look.second, 0.3), outline=edge, width=5)
    pen.ellipse((200, 465, 800, 535), fill=look.main)
    for x, y in ((300, 490), (380, 480), (460, 500), (560, 485), (640, 500), (700, 488), (520, 515)):
        pen.rect((x - 30, y - 14, x + 30, y + 14), fill=dark(look.main, 0.35), radius=8)
    for x, y in ((340, 505), (430, 478), (600, 512), (670, 478), (500, 490)):
        pen.circle(x, y, 9, fill=(120, 190, 80))
    for x, y in ((320, 470), (520, 470), (610, 470), (720, 510)):
        pen.circle(x, y, 6, fill=(200, 130, 60))
    for x in (400, 500, 600):
        steam(pen, x, 190, 420, light(look.backdrop, 0.75), 16)


@motif("tumpeng", focus=(500, 500))
def _tumpeng(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 100, 900, 860)
    pen.ellipse((110, 640, 890, 860), fill=(176, 128, 70))
    pen.ellipse((130, 650, 870, 840), fill=(196, 150, 90))
    for offset in range(-360, 380, 40):
        pen.line([(500 + offset - 60, 660), (500 + offset + 60, 830)], (176, 128, 70), 5)
    pen.ellipse((170, 660, 830, 820), fill=(86, 150, 70))
    cone = [(500, 200), (690, 730), (310, 730)]
    pen.ellipse((300, 690, 700, 770), fill=dark(look.main, 0.12))
    pen.poly(cone, fill=look.main)
    pen.poly([(500, 200), (690, 730), (520, 740)], fill=dark(look.main, 0.1))
    pen.circle(500, 205, 26, fill=look.main)
    pen.line([(500, 190), (520, 130)], (210, 40, 30), 16)
    for x, y in ((250, 740), (750, 740), (380, 790), (620, 790)):
        pen.ellipse((x - 45, y - 28, x + 45, y + 28), fill=WHITE)
        pen.circle(x, y, 16, fill=(250, 190, 40))
    for x, y in ((190, 700), (810, 700), (500, 800)):
        pen.poly(rotate(ellipse_points(x, y, 55, 30), 30, (x, y)), fill=(160, 80, 34))
    for x, y in ((300, 700), (700, 700)):
        for index in range(3):
            pen.line([(x - 40, y + index * 12), (x + 40, y - 20 + index * 12)], (90, 160, 60), 7)
    for x in (450, 560):
        pen.line([(x, 770), (x + 50, 760)], (220, 40, 30), 10)


@motif("snack_box", focus=(500, 560))
def _snack_box(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 840, 840)
    pen.poly([(250, 420), (750, 420), (790, 200), (210, 200)], fill=light(look.second, 0.12))
    pen.circle(500, 300, 50, fill=look.main)
    pen.poly([(210, 560), (790, 560), (750, 420), (250, 420)], fill=dark(look.second, 0.25))

    def kue(inner: Pen) -> None:
        inner.rect((200, 400, 800, 580), fill=dark(look.second, 0.25))
        for index, x in enumerate((300, 430, 560, 690)):
            kind = index % 4
            if kind == 0:  # kue lapis
                for layer in range(5):
                    colour = (236, 96, 130) if layer % 2 else (252, 236, 240)
                    inner.rect((x - 50, 440 + layer * 18, x + 50, 458 + layer * 18), fill=colour)
            elif kind == 1:  # dadar gulung
                inner.rect((x - 55, 450, x + 55, 520), fill=(110, 180, 80), radius=30)
                inner.rect((x - 20, 450, x + 20, 520), fill=(150, 100, 50))
            elif kind == 2:  # onde-onde
                inner.circle(x, 490, 50, fill=(214, 150, 60))
                for dx, dy in ((-20, -20), (10, -30), (25, 5), (-10, 20), (15, 30)):
                    inner.ellipse((x + dx - 5, 490 + dy - 3, x + dx + 5, 490 + dy + 3), fill=CREAM)
            else:  # risoles
                inner.rect((x - 55, 455, x + 55, 520), fill=(226, 170, 90), radius=26)
                inner.line([(x - 40, 470), (x + 40, 505)], (200, 140, 60), 6)

    pen.fill_shape([(252, 424), (748, 424), (786, 556), (214, 556)], kue)
    pen.poly([(210, 560), (790, 560), (770, 820), (230, 820)], fill=look.second)
    for x in range(250, 780, 36):
        pen.line([(x, 570), (x - 8, 810)], dark(look.second, 0.08), 6)
    pen.rect((340, 640, 660, 740), fill=look.main, radius=14)
    pen.text(500, 690, (text or "KUE").split("\n")[-1][:12], 40, WHITE)


@motif("loaf", focus=(500, 520))
def _loaf(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 160, 840, 830)
    paper = (246, 238, 222)
    if variant == "tawar":
        pen.rect((180, 760, 820, 820), fill=paper, radius=12)
        pen.rect((250, 420, 690, 780), fill=dark(look.main, 0.15), radius=30)
        pen.ellipse((240, 330, 700, 520), fill=dark(look.main, 0.15))
        pen.rect((300, 470, 740, 800), fill=dark(look.main, 0.25), radius=30)
        pen.rect((315, 485, 725, 785), fill=(250, 236, 200), radius=24)
        for x, y in ((400, 560), (520, 640), (620, 560), (450, 710), (650, 720)):
            pen.circle(x, y, 8, fill=(230, 210, 160))
        return
    crust, shade, shine = look.main, dark(look.main, 0.3), light(look.main, 0.4)
    pen.rect((205, 560, 795, 790), fill=dark(look.main, 0.15), radius=50)
    for row, (y, r) in enumerate(((440, 88), (540, 100))):  # buns: a row behind, a row in front
        for column in range(4):
            x = 290 + column * 140 + (70 if row == 0 else 0)
            if row == 0 and column == 3:
                continue
            pen.circle(x, y + 6, r, fill=shade)
            pen.circle(x, y, r - 4, fill=crust if row else dark(look.main, 0.08))
            pen.arc((x - r * 0.7, y - r * 0.7, x + r * 0.3, y + r * 0.3), 190, 270, fill=shine, width=14)
    pen.rect((205, 610, 795, 700), fill=crust)
    pen.line([(205, 700), (795, 700)], shade, 8, round_ends=False)
    # baking paper with a pinked edge
    edge = [(180 + i * 40, 700 + (0 if i % 2 else 24)) for i in range(17)]
    pen.poly([*edge, (820, 820), (180, 820)], fill=paper)
    if variant == "coklat":
        pen.line([(230 + i * 38, 420 + (60 if i % 2 else 0) + i * 8) for i in range(15)], (70, 36, 18), 18)
        for x, y in ((300, 500), (430, 470), (560, 510), (690, 480)):
            pen.ellipse((x - 14, y - 9, x + 14, y + 9), fill=(70, 36, 18))
    elif variant == "keju":
        for x, y in ((250, 440), (330, 400), (420, 460), (500, 390), (580, 450), (660, 410), (720, 480), (380, 520)):
            pen.rect((x, y, x + 60, y + 18), fill=(250, 214, 70), radius=6)
    elif variant == "kismis":
        for x, y in ((280, 540), (420, 470), (520, 560), (610, 480), (700, 560), (470, 640), (620, 650)):
            pen.ellipse((x - 13, y - 10, x + 13, y + 10), fill=(90, 40, 50))


@motif("layer_cake", focus=(520, 560))
def _layer_cake(pen: Pen, look: Look, variant: str, text: str) -> None:
    _plate(pen, look, (140, 660, 860, 850))
    front = (260, 480, 720, 760)
    pen.rect(front, fill=look.second)
    layers = 14
    for layer in range(layers):
        y = front[1] + (front[3] - front[1]) * layer / layers
        pen.rect((front[0], y, front[2], y + (front[3] - front[1]) / layers / 2), fill=look.main)
    side = [(720, 480), (800, 410), (800, 690), (720, 760)]
    pen.poly(side, fill=dark(look.second, 0.2))
    for layer in range(layers):
        t = layer / layers
        pen.line([(720, 480 + 280 * t), (800, 410 + 280 * t)], dark(look.main, 0.2), 8, round_ends=False)
    pen.poly([(260, 480), (720, 480), (800, 410), (340, 410)], fill=dark(look.main, 0.25))
    for x in (360, 480, 600):
        pen.ellipse((x - 30, 430, x + 30, 456), fill=dark(look.main, 0.4))


@motif("cake", focus=(500, 460))
def _cake(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 820, 850)
    pen.ellipse((200, 760, 800, 850), fill=(236, 236, 240))
    pen.rect((470, 800, 530, 850), fill=(220, 220, 226))
    if variant == "bundt":
        pen.ellipse((230, 420, 770, 800), fill=dark(look.main, 0.15))
        pen.ellipse((240, 400, 760, 760), fill=look.main)
        for x in range(280, 740, 60):
            pen.line([(x, 470), (x + 10, 720)], dark(look.main, 0.12), 12)
        pen.ellipse((430, 500, 570, 560), fill=dark(look.main, 0.45))
        pen.ellipse((300, 420, 700, 520), outline=WHITE, width=22)
        for x in (330, 430, 560, 660):
            pen.line([(x, 480), (x, 520 + (x % 3) * 20)], WHITE, 18)
        return
    pen.rect((230, 470, 770, 760), fill=look.main)
    pen.ellipse((230, 700, 770, 800), fill=look.main)
    pen.rect((230, 600, 770, 620), fill=look.accent)
    pen.ellipse((230, 410, 770, 530), fill=look.second)
    for index in range(9):
        x = 250 + index * 62
        pen.pie((x, 430, x + 62, 540), 0, 180, fill=look.second)
    for x in (330, 440, 560, 670):
        pen.circle(x, 450, 26, fill=(214, 40, 60))
        pen.line([(x, 428), (x + 10, 410)], (60, 140, 50), 6)
    if variant == "tart":
        for x, colour in ((420, (90, 170, 230)), (500, (250, 190, 40)), (580, (236, 96, 130))):
            pen.rect((x - 12, 330, x + 12, 460), fill=colour, radius=4)
            pen.ellipse((x - 14, 290, x + 14, 335), fill=(255, 180, 50))
            pen.ellipse((x - 6, 305, x + 6, 330), fill=(255, 240, 160))


@motif("donut", focus=(500, 560))
def _donut(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 150, 850, 820)
    pen.rect((150, 560, 850, 820), fill=(244, 228, 200), radius=24)
    pen.rect((150, 560, 850, 600), fill=(232, 210, 172), radius=24)
    sprinkles = ((236, 96, 130), (90, 170, 230), (250, 214, 70), WHITE, (120, 200, 120))
    for index, (x, y) in enumerate(((300, 560), (500, 540), (700, 560), (400, 700), (600, 700))):
        pen.ellipse((x - 120, y - 78, x + 120, y + 84), fill=dark(look.main, 0.2))
        pen.ellipse((x - 118, y - 82, x + 118, y + 78), fill=look.main)
        if variant == "gula":
            for dx, dy in ((-60, -30), (40, -50), (70, 20), (-30, 40), (0, -60), (-80, 10), (50, 50)):
                pen.circle(x + dx, y + dy, 6, fill=WHITE)
        else:
            glaze = look.second if index % 2 == 0 else look.accent
            pen.ellipse((x - 100, y - 70, x + 100, y + 62), fill=glaze)
            for s, (dx, dy) in enumerate(((-60, -30), (40, -45), (70, 15), (-30, 35), (10, -55), (-75, 5))):
                pen.line([(x + dx, y + dy), (x + dx + 16, y + dy + (8 if s % 2 else -8))], sprinkles[s % 5], 8)
        pen.ellipse((x - 34, y - 20, x + 34, y + 18), fill=dark(look.main, 0.3))
        pen.ellipse((x - 30, y - 16, x + 30, y + 18), fill=(244, 228, 200))


@motif("croissant", focus=(500, 560))
def _croissant(pen: Pen, look: Look, variant: str, text: str) -> None:
    _plate(pen, look)
    count = 7
    pieces = []
    for index in range(count):
        share = (index + 0.5) / count
        angle = math.radians(200 + 140 * share)
        thickness = 60 + 110 * math.sin(math.pi * share) ** 0.8
        x, y = 500 + 330 * math.cos(angle), 860 + 330 * math.sin(angle) * 0.95
        pieces.append((abs(index - count // 2), x, y, thickness, math.degrees(angle) + 90))
    for _order, x, y, thickness, turn in sorted(pieces, reverse=True):
        shape = rotate(ellipse_points(x, y, thickness * 0.62, thickness), turn, (x, y))
        pen.poly([(px + 6, py + 12) for px, py in shape], fill=dark(look.main, 0.4))
        pen.poly(shape, fill=look.main)
        pen.poly(rotate(ellipse_points(x - thickness * 0.12, y - thickness * 0.2, thickness * 0.38, thickness * 0.6),
                        turn, (x, y)), fill=light(look.main, 0.18))  # fmt: skip
        pen.line(rotate([(x - thickness * 0.55, y - thickness * 0.35), (x - thickness * 0.55, y + thickness * 0.35)],
                        turn, (x, y)), dark(look.main, 0.3), 8)  # fmt: skip
    for x, y in ((430, 470), (560, 470), (500, 450)):
        pen.ellipse((x - 30, y - 8, x + 30, y + 8), fill=light(look.main, 0.5))


@motif("tarts", focus=(500, 560))
def _tarts(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 140, 860, 830)
    pen.rect((150, 440, 850, 830), fill=look.second, radius=20)
    pen.rect((170, 460, 830, 810), fill=light(look.second, 0.3), radius=14)
    for y in (550, 720):
        for column in range(3):
            x = 280 + column * 220
            pen.ellipse((x - 95, y - 62, x + 95, y + 70), fill=dark(look.main, 0.3))
            pen.ellipse((x - 95, y - 70, x + 95, y + 62), fill=look.main)
            pen.ellipse((x - 70, y - 50, x + 70, y + 42), fill=(250, 226, 150))
            for dx, dy in ((-25, -15), (20, -22), (10, 15), (-30, 18)):
                pen.ellipse((x + dx - 10, y + dy - 6, x + dx + 10, y + dy + 6), fill=(190, 120, 50))
    if text:
        pen.rect((370, 790, 630, 860), fill=look.main, radius=14)
        pen.text(500, 825, text, 34, ink_on(look.main))


@motif("scissors", focus=(480, 480))
def _scissors(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 160, 840, 840)
    comb = rotate(rounded_box((200, 640, 820, 720), 14), -8, (510, 680))
    pen.poly(comb, fill=look.second)
    for index in range(26):
        x = 230 + index * 22
        pen.line(rotate([(x, 700), (x, 780)], -8, (510, 680)), look.second, 10, round_ends=False)
    metal, edge = (200, 206, 214), (150, 156, 166)
    centre = (520, 420)
    blade_a = [(500, 400), (820, 160), (830, 175), (540, 450)]
    blade_b = [(540, 400), (840, 330), (840, 348), (520, 450)]
    for blade in (blade_a, blade_b):
        pen.poly(blade, fill=metal, outline=edge, width=4)
    pen.line([(520, 430), (330, 560)], look.main, 34)
    pen.line([(520, 430), (420, 600)], look.main, 34)
    pen.circle(300, 590, 72, outline=look.main, width=34)
    pen.circle(420, 660, 72, outline=look.main, width=34)
    pen.circle(*centre, 16, fill=edge)


@motif("dryer", focus=(480, 420))
def _dryer(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 260, 720, 860, 50)
    pen.line([(420, 800), (380, 860), (230, 870), (180, 820)], CHARCOAL, 12)
    handle = [(400, 470), (500, 470), (470, 810), (380, 810)]
    pen.poly(handle, fill=dark(look.main, 0.2))
    pen.rect((390, 700, 480, 720), fill=look.accent)
    pen.poly([(640, 320), (790, 290), (790, 500), (640, 470)], fill=dark(look.main, 0.25))
    pen.rect((220, 270, 680, 510), fill=look.main, radius=120)
    pen.circle(250, 390, 120, fill=dark(look.main, 0.15))
    for r in (90, 60, 30):
        pen.circle(250, 390, r, outline=dark(look.main, 0.35), width=8)
    pen.rect((480, 300, 600, 330), fill=light(look.main, 0.3), radius=14)
    pen.circle(430, 400, 22, fill=look.accent)
    for y in (320, 395, 470):
        pen.line(wave(820, 950, y, 12, 1.5), light(look.backdrop, 0.7), 10)


@motif("jar", focus=(500, 560))
def _jar(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 200, 800, 830)
    for x, y, turn in ((230, 560, -40), (770, 560, 40), (720, 700, 70), (280, 720, -70)):
        pen.poly(rotate(ellipse_points(x, y, 50, 120), turn, (x, y)), fill=(90, 160, 80))
        pen.line(rotate([(x, y - 110), (x, y + 110)], turn, (x, y)), (60, 120, 50), 6)
    pen.rect((300, 500, 700, 820), fill=look.second, radius=40)
    pen.rect((300, 580, 700, 720), fill=look.main)
    pen.text(500, 650, (text or "SPA")[:10], 50, WHITE)
    pen.rect((620, 520, 660, 800), fill=light(look.second, 0.3), radius=16)
    if variant == "open":
        pen.ellipse((300, 460, 700, 540), fill=light(look.second, 0.1))
        pen.ellipse((320, 470, 680, 530), fill=look.accent)
        pen.arc((380, 480, 620, 520), 180, 360, fill=WHITE, width=10)
        pen.rect((560, 250, 860, 330), fill=dark(look.main, 0.1), radius=26)
        return
    pen.rect((290, 410, 710, 520), fill=dark(look.main, 0.15), radius=28)
    pen.rect((290, 410, 710, 450), fill=look.main, radius=28)
    sparkle(pen, 760, 330, 44, WHITE)


@motif("makeup", focus=(480, 520))
def _makeup(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 150, 860, 820)
    pen.ellipse((540, 560, 860, 830), fill=dark(look.second, 0.2))
    pen.ellipse((540, 540, 860, 810), fill=look.second)
    pen.ellipse((580, 575, 820, 775), fill=light(look.main, 0.55))
    pen.ellipse((530, 300, 850, 560), fill=(210, 214, 222))
    pen.ellipse((555, 320, 825, 540), fill=(236, 240, 246))
    pen.line([(600, 380), (660, 340)], WHITE, 10)
    brush = rotate([(380, 250), (420, 250), (420, 700), (380, 700)], 25, (400, 475))
    pen.poly(brush, fill=(120, 72, 44))
    ferrule = rotate([(375, 200), (425, 200), (425, 260), (375, 260)], 25, (400, 475))
    pen.poly(ferrule, fill=(200, 206, 214))
    bristles = rotate([(375, 205), (345, 100), (400, 70), (455, 100), (425, 205)], 25, (400, 475))
    pen.poly(bristles, fill=dark(look.main, 0.3))
    pen.rect((200, 560, 290, 810), fill=(214, 180, 90), radius=8)
    pen.rect((210, 470, 280, 570), fill=(230, 200, 120))
    pen.poly([(215, 475), (275, 475), (275, 380), (215, 420)], fill=look.main)


@motif("polish", focus=(460, 560))
def _polish(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 260, 840, 840)
    pen.rect((300, 470, 640, 830), fill=dark(look.main, 0.25), radius=70)
    pen.rect((290, 460, 630, 820), fill=look.main, radius=70)
    pen.rect((330, 500, 380, 780), fill=light(look.main, 0.35), radius=20)
    pen.rect((410, 410, 510, 470), fill=(230, 230, 236))
    pen.rect((400, 140, 520, 420), fill=CHARCOAL, radius=22)
    pen.rect((420, 160, 445, 400), fill=(90, 90, 100), radius=10)
    for index, colour in enumerate((look.second, look.accent, light(look.main, 0.2))):
        x, y = 730, 340 + index * 160
        pen.ellipse((x - 60, y - 80, x + 60, y + 80), fill=(250, 226, 210))
        pen.ellipse((x - 44, y - 64, x + 44, y + 40), fill=colour)


@motif("bride", focus=(500, 440))
def _bride(pen: Pen, look: Look, variant: str, text: str) -> None:
    """A Javanese bride seen from behind: the sanggul under a net of jasmine, strands over the shoulder."""
    _ground(pen, look, 200, 800, 870, 50)
    skin, hair = (214, 160, 120), (40, 28, 24)
    pen.poly([(200, 860), (250, 700), (400, 640), (600, 640), (750, 700), (800, 860)], fill=look.main)
    for x in range(260, 760, 60):
        pen.circle(x, 760, 16, outline=light(look.main, 0.35), width=5)
    pen.rect((440, 520, 560, 670), fill=skin, radius=30)
    pen.ellipse((340, 170, 660, 540), fill=hair)
    pen.arc((370, 190, 630, 520), 200, 300, fill=(70, 52, 44), width=12)
    pen.ellipse((380, 390, 620, 600), fill=(30, 22, 20))
    for row in range(5):
        for column in range(6):
            x, y = 405 + column * 38 + (19 if row % 2 else 0), 415 + row * 38
            if (x - 500) ** 2 / 118**2 + (y - 495) ** 2 / 100**2 < 1:
                pen.circle(x, y, 13, fill=WHITE)
                pen.circle(x, y, 5, fill=(240, 232, 190))
    for strand, x in enumerate((600, 630, 660)):
        for y in range(520, 830 - strand * 40, 30):
            pen.circle(x + 14 * math.sin(y / 50 + strand), y, 14, fill=WHITE)
    for x, height in ((400, 110), (450, 150), (500, 170), (550, 150), (600, 110)):
        pen.line([(x, 240), (x, 240 - height)], (200, 160, 60), 6)
        for petal in range(5):
            angle = 2 * math.pi * petal / 5
            pen.circle(x + 16 * math.cos(angle), 240 - height + 16 * math.sin(angle), 12, fill=(236, 196, 80))
        pen.circle(x, 240 - height, 8, fill=(200, 60, 60))
    for x, y in ((350, 420), (650, 420)):
        for petal in range(5):
            angle = 2 * math.pi * petal / 5
            pen.circle(x + 24 * math.cos(angle), y + 24 * math.sin(angle), 20, fill=look.accent)
        pen.circle(x, y, 14, fill=(250, 214, 70))


@motif("scooter", focus=(520, 520))
def _scooter(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 130, 900, 830)
    for x in (280, 730):
        pen.circle(x, 700, 125, fill=CHARCOAL)
        pen.circle(x, 700, 78, fill=(200, 206, 214))
        pen.circle(x, 700, 30, fill=(120, 126, 136))
        for spoke in range(5):
            angle = 2 * math.pi * spoke / 5
            pen.line([(x, 700), (x + 70 * math.cos(angle), 700 + 70 * math.sin(angle))], (150, 156, 166), 14)
    body = [(150, 640), (170, 520), (260, 470), (470, 470), (500, 600), (600, 600), (640, 420), (700, 330),
            (760, 340), (720, 480), (800, 600), (760, 650), (620, 680), (420, 690), (400, 640)]  # fmt: skip
    pen.poly(body, fill=look.main)
    pen.poly([(150, 640), (170, 560), (420, 580), (400, 640)], fill=dark(look.main, 0.2))
    pen.poly([(720, 480), (800, 600), (760, 650), (700, 560)], fill=dark(look.main, 0.15))
    pen.rect((220, 420, 480, 480), fill=CHARCOAL, radius=26)
    pen.line([(700, 330), (690, 250)], CHARCOAL, 20)
    pen.line([(630, 250), (760, 250)], CHARCOAL, 22)
    pen.ellipse((720, 330, 790, 390), fill=(255, 236, 150))
    pen.rect((150, 540, 190, 580), fill=(220, 50, 50), radius=8)
    pen.line([(300, 520), (460, 520)], look.accent, 12)
    if variant == "wash":
        for x, y, r in ((250, 300, 50), (360, 230, 36), (860, 380, 40), (560, 250, 30)):
            pen.circle(x, y, r, outline=WHITE, width=8)
            pen.circle(x - r * 0.35, y - r * 0.35, r * 0.22, fill=WHITE)
    elif variant == "service":
        _wrench_at(pen, look, (300, 230), 20, 0.55)


@motif("gear", focus=(500, 480))
def _gear(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 180, 840, 860)
    if variant == "cvt":
        belt = (40, 40, 44)
        pen.line([(330, 300), (680, 430)], belt, 26)
        pen.line([(330, 700), (680, 590)], belt, 26)
        pen.circle(330, 500, 225, fill=belt)
        pen.circle(330, 500, 200, fill=look.main)
        pen.circle(330, 500, 120, fill=dark(look.main, 0.2))
        pen.circle(680, 510, 105, fill=belt)
        pen.circle(680, 510, 84, fill=look.second)
        for cx, cy, r in ((330, 500, 40), (680, 510, 26)):
            pen.circle(cx, cy, r, fill=(220, 224, 230))
        return
    pen.poly(gear_points(420, 480, 260, 205, 12), fill=dark(look.main, 0.3))
    pen.poly(gear_points(410, 470, 260, 205, 12), fill=look.main)
    pen.circle(410, 470, 110, fill=dark(look.main, 0.2))
    pen.circle(410, 470, 60, fill=look.backdrop)
    pen.poly(gear_points(700, 690, 150, 115, 9, turn=0.2), fill=look.second)
    pen.circle(700, 690, 52, fill=dark(look.second, 0.3))
    _wrench_at(pen, look, (560, 560), -40, 0.75)


@motif("disc", focus=(560, 420))
def _disc(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 190, 810, 860)
    if variant == "pads":
        for index, y in enumerate((360, 600)):
            pen.rect((250, y, 750, y + 170), fill=(150, 156, 166), radius=50)
            pen.rect((280, y + 30 + index * 0, 720, y + 150), fill=(60, 58, 56), radius=40)
            pen.line([(500, y + 40), (500, y + 140)], (100, 98, 96), 10)
        return
    pen.circle(500, 520, 310, fill=(160, 166, 176))
    pen.circle(500, 520, 290, fill=(206, 210, 218))
    for ring, count in ((230, 18), (180, 14)):
        for hole in range(count):
            angle = 2 * math.pi * (hole + (0.5 if ring == 180 else 0)) / count
            pen.circle(500 + ring * math.cos(angle), 520 + ring * math.sin(angle), 14, fill=(120, 126, 136))
    pen.circle(500, 520, 120, fill=dark(look.second, 0.1))
    for bolt in range(5):
        angle = 2 * math.pi * bolt / 5
        pen.circle(500 + 80 * math.cos(angle), 520 + 80 * math.sin(angle), 16, fill=(230, 232, 236))
    pen.circle(500, 520, 36, fill=(90, 96, 106))
    pen.pie((300, 180, 860, 740), 280, 350, fill=look.main)
    pen.pie((420, 300, 740, 620), 270, 360, fill=(206, 210, 218))
    pen.text(700, 290, text[:6] if text else "", 36, WHITE)


@motif("tyre", focus=(500, 340))
def _tyre(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 170, 830, 860)
    pen.circle(500, 500, 330, fill=(36, 36, 40))
    for tread in range(36):
        angle = 2 * math.pi * tread / 36
        inner, outer = 290, 330
        pen.line(
            [(500 + inner * math.cos(angle), 500 + inner * math.sin(angle)),
             (500 + outer * math.cos(angle + 0.05), 500 + outer * math.sin(angle + 0.05))],
            (70, 70, 76), 14,
        )  # fmt: skip
    pen.circle(500, 500, 250, fill=(54, 54, 60))
    pen.circle(500, 500, 190, fill=look.main)
    pen.circle(500, 500, 150, fill=dark(look.main, 0.3))
    for spoke in range(5):
        angle = 2 * math.pi * spoke / 5
        for offset in (-0.16, 0.16):
            pen.line([(500, 500), (500 + 160 * math.cos(angle + offset), 500 + 160 * math.sin(angle + offset))],
                     look.main, 22)  # fmt: skip
    pen.circle(500, 500, 50, fill=light(look.main, 0.3))
    pen.arc((270, 270, 730, 730), 200, 250, fill=(110, 110, 118), width=12)


@motif("plug", focus=(500, 400))
def _plug(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 260, 760, 860, 50)
    for cx, turn, scale in ((380, -12, 1.0), (640, 14, 0.86)):

        def part(points: Sequence[Point], cx: float = cx, turn: float = turn, scale: float = scale) -> list[Point]:
            return rotate([(cx + (x - 500) * scale, 470 + (y - 470) * scale) for x, y in points], turn, (cx, 470))

        pen.poly(part([(470, 110), (530, 110), (530, 170), (470, 170)]), fill=(200, 206, 214))
        pen.poly(part(rounded_box((440, 160, 560, 440), 40)), fill=(248, 248, 246))
        for y in (220, 260, 300, 340):
            pen.line(part([(440, y), (560, y)]), (220, 220, 224), 8)
        pen.poly(part([(400, 440), (600, 440), (600, 540), (400, 540)]), fill=look.main)
        pen.poly(part([(470, 440), (530, 440), (530, 540), (470, 540)]), fill=light(look.main, 0.25))
        pen.poly(part([(440, 540), (560, 540), (560, 740), (440, 740)]), fill=(190, 196, 204))
        for y in range(560, 740, 28):
            pen.line(part([(440, y), (560, y + 10)]), (140, 146, 156), 8)
        pen.poly(part([(490, 740), (510, 740), (510, 800), (560, 800), (560, 815), (490, 815)]), fill=(160, 140, 90))


@motif("chain", focus=(420, 480))
def _chain(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 140, 880, 860)
    pen.poly(gear_points(380, 500, 250, 222, 36), fill=look.main)
    pen.circle(380, 500, 190, fill=dark(look.main, 0.15))
    for hole in range(5):
        angle = 2 * math.pi * hole / 5
        pen.circle(380 + 118 * math.cos(angle), 500 + 118 * math.sin(angle), 40, fill=look.backdrop)
    pen.circle(380, 500, 52, fill=(200, 206, 214))
    pen.poly(gear_points(760, 560, 110, 88, 14), fill=look.second)
    pen.circle(760, 560, 44, fill=dark(look.second, 0.3))
    link = (70, 72, 80)
    path = [(380 + 250 * math.cos(math.radians(a)), 500 + 250 * math.sin(math.radians(a))) for a in range(90, 271, 12)]
    path += [(380 + t * 380 / 10, 250 + t * 200 / 10) for t in range(11)]
    path += [(760 + 112 * math.cos(math.radians(a)), 560 + 112 * math.sin(math.radians(a))) for a in range(-60, 91, 15)]
    path += [(760 - t * 380 / 10, 672 + t * 78 / 10) for t in range(11)]
    for index, (x, y) in enumerate(path):
        pen.ellipse((x - 20, y - 13, x + 20, y + 13), fill=link if index % 2 else (120, 124, 134))


@motif("wrench", focus=(500, 500))
def _wrench(pen: Pen, look: Look, variant: str, text: str) -> None:
    _ground(pen, look, 200, 820, 820)
    _wrench_at(pen, look, (500, 480), -40, 1.0)
    handle = rotate(rounded_box((180, 560, 640, 630), 30), 30, (410, 595))
    pen.poly(handle, fill=look.main)
    shaft = rotate([(640, 583), (860, 583), (880, 595), (860, 607), (640, 607)], 30, (410, 595))
    pen.poly(shaft, fill=(200, 206, 214))


# --- pictures ------------------------------------------------------------------------------------


def _backdrop(size: tuple[int, int], colour: Colour, spot: Box | None = None) -> Image.Image:
    """A studio backdrop: lighter at the top, with a soft pool of light behind the subject."""
    return _backdrop_cached(size, colour, spot).copy()


@cache
def _backdrop_cached(size: tuple[int, int], colour: Colour, spot: Box | None) -> Image.Image:
    # Smooth light needs few pixels: drawn small, then stretched.
    width, height = size
    small = (max(8, width // 8), max(8, height // 8))
    top, bottom = light(colour, 0.45), rgb(colour)
    gradient = Image.linear_gradient("L").resize(small, Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", small, bottom), Image.new("RGB", small, top), gradient)
    if spot is not None:
        box = tuple(round(value / 8) for value in spot)
        glow = Image.radial_gradient("L").resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.BILINEAR)
        glow = glow.point(lambda value: max(0, 255 - value) * 60 // 255)
        image.paste(light(colour, 0.75), (box[0], box[1]), glow)
    return image.resize(size, Image.Resampling.BILINEAR)


def _encode(image: Image.Image, kind: str = "JPEG") -> bytes:
    output = io.BytesIO()
    if kind == "PNG":
        image.save(output, format="PNG", optimize=False, compress_level=1)
    else:
        image.save(output, format="JPEG", quality=92, subsampling=0)
    return output.getvalue()


def _label(draw: ImageDraw.ImageDraw, side: int, text: str, look: Look) -> None:
    """A price-tag pill in the top left corner, as shops mark their photos."""
    size = max(8, side * 44 // 800)
    face = font(size)
    left, top, right, bottom = face.getbbox(text)
    pad_x, pad_y = size * 0.7, size * 0.45
    x0, y0 = side * 0.04, side * 0.04
    box = (x0, y0, x0 + (right - left) + 2 * pad_x, y0 + (bottom - top) + 2 * pad_y)
    draw.rounded_rectangle(box, radius=(box[3] - box[1]) / 2, fill=look.main)
    draw.text((x0 + pad_x - left, y0 + pad_y - top), text, font=face, fill=ink_on(look.main))


def _watermark(draw: ImageDraw.ImageDraw, size: tuple[int, int], shop: str, colour: Colour) -> None:
    width, height = size
    face = font(max(7, width * 24 // 800), bold=True)
    draw.text((width * 0.96, height * 0.965), shop, font=face, fill=dark(colour, 0.35), anchor="rs")


@cache
def product_photo(
    name: str,
    variant: str,
    look: Look,
    *,
    label: str,
    shop: str,
    shot: int = 0,
    text: str = "",
    side: int | None = None,
) -> bytes:
    """One product photo (JPEG bytes, ``side`` or :data:`PHOTO_SIDE` square): the motif in the
    studio (shot 0), a close-up of it (shot 1), or the same thing in its other colours (shot 2)."""
    side = side or PHOTO_SIDE
    big = side * SUPERSAMPLE
    if shot == 2:
        look = Look(look.second, look.main, look.accent, mix(look.backdrop, look.second, 0.25))
    image = _backdrop((big, big), look.backdrop, (big * 0.1, big * 0.05, big * 0.9, big * 0.85))
    # The subject a little larger than its unit box: photos for a catalogue fill the frame.
    MOTIFS[name](Pen(image, 0, 0, big / 1000).at(-45, -40, 1090), look, variant, text)
    if shot == 1:
        fx, fy = FOCUS.get(name, (500, 500))
        crop = big * 0.58
        left = min(max(fx / 1000 * big - crop / 2, 0), big - crop)
        top = min(max(fy / 1000 * big - crop / 2, 0), big - crop)
        image = image.resize((side, side), Image.Resampling.LANCZOS, box=(left, top, left + crop, top + crop))
    else:
        image = image.reduce(SUPERSAMPLE)
    draw = ImageDraw.Draw(image)
    if label:
        _label(draw, side, label, look)
    _watermark(draw, image.size, shop, look.backdrop)
    return _encode(image)


def _wrapped(pen: Pen, text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and pen.text_width(candidate, size) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


@cache
def post_picture(
    headline: str,
    subline: str,
    look: Look,
    *,
    shop: str,
    motif_name: str,
    variant: str,
    motif_look: Look,
    badge: str = "",
    pattern_kind: str = "",
    text: str = "",
    side: int | None = None,
) -> bytes:
    """A showcase post (JPEG bytes, ``side`` or :data:`POST_SIDE` square): a headline, the product
    on a spot of light, a badge for the promotion and the shop's pattern around it."""
    side = side or POST_SIDE
    big = side * SUPERSAMPLE
    image = Image.new("RGB", (big, big), look.main)
    pen = Pen(image, 0, 0, big / 1000)
    if pattern_kind:
        band = Look(look.main, mix(look.main, look.second, 0.22), mix(look.main, look.accent, 0.35), look.backdrop)
        pattern(pen, pattern_kind, band, (0, 0, 1000, 1000), 110)
        pen.rect((40, 40, 960, 960), fill=look.main, radius=40)
    pen.circle(725, 735, 305, fill=light(look.main, 0.12))
    pen.circle(725, 735, 268, fill=motif_look.backdrop)
    MOTIFS[motif_name](pen.at(470, 470, 520), motif_look, variant, text)
    ink = ink_on(look.main)
    size = 92.0
    lines = _wrapped(pen, headline, size, 820)
    if len(lines) > 2:  # a long headline gets smaller letters rather than a third line
        size = 72.0
        lines = _wrapped(pen, headline, size, 840)
    y = 110.0
    for line in lines[:3]:
        pen.text(90, y, line, size, ink, anchor="lt")
        y += size * 1.13
    y += 14
    soft_ink = light(look.second, 0.1) if ink == WHITE else dark(look.main, 0.6)
    for line in _wrapped(pen, subline, 44, 500)[:4]:
        pen.text(92, y, line, 44, soft_ink, anchor="lt", bold=False)
        y += 56
    if badge:
        pen.circle(230, 770, 140, fill=look.accent)
        pen.circle(230, 770, 122, outline=light(look.accent, 0.5), width=6)
        badge_lines = badge.split("\n")
        for index, line in enumerate(badge_lines):
            badge_size = 84 if len(line) <= 4 else 46
            pen.text(230, 770 + (index - (len(badge_lines) - 1) / 2) * 70, line, badge_size, ink_on(look.accent))
    pen.text(90, 930, shop, 34, light(look.main, 0.55) if ink == WHITE else dark(look.main, 0.5), anchor="ls")
    return _encode(image.reduce(SUPERSAMPLE))


@cache
def cover_picture(
    tagline: str,
    subline: str,
    look: Look,
    *,
    pattern_kind: str,
    things: tuple[tuple[str, str, Look, str], ...],
    size: tuple[int, int] | None = None,
) -> bytes:
    """A storefront cover (JPEG bytes, ``size`` or :data:`COVER_SIZE`): the shop's pattern, its
    tagline, and its best things on spots of light."""
    width, height = size or COVER_SIZE
    image = Image.new("RGB", (width, height), look.main)
    pen = Pen(image, 0, 0, width / 1000)  # 1000 units across, 437.5 down
    soft = Look(look.main, mix(look.main, look.second, 0.2), mix(look.main, look.accent, 0.3), look.backdrop)
    pattern(pen, pattern_kind, soft, (0, 0, 1000, 440), 70)
    panel = rounded_box((-40, 36, 500, 290), 40)
    pen.poly(panel, fill=look.main)
    ink = ink_on(look.main)
    y = 70.0
    for line in _wrapped(pen, tagline, 54, 430)[:2]:
        pen.text(36, y, line, 54, ink, anchor="lt")
        y += 62
    y += 10
    soft_ink = light(look.accent, 0.2) if ink == WHITE else dark(look.main, 0.6)
    for line in _wrapped(pen, subline, 27, 430)[:3]:
        pen.text(38, y, line, 27, soft_ink, anchor="lt", bold=False)
        y += 34
    for index, thing in enumerate(things[:3]):
        cx = 590 + index * 136
        cy = 215 + (36 if index % 2 else -16)
        radius = 118
        pen.circle(cx, cy + 6, radius, fill=dark(look.main, 0.3))

        def spot(inner: Pen, cx: float = cx, cy: float = cy, thing: tuple[str, str, Look, str] = thing) -> None:
            name, variant, thing_look, text = thing
            inner.rect((cx - 130, cy - 130, cx + 130, cy + 130), fill=thing_look.backdrop)
            MOTIFS[name](inner.at(cx - 118, cy - 120, 236), thing_look, variant, text)

        pen.fill_shape(ellipse_points(cx, cy, radius, radius), spot)
        pen.circle(cx, cy, radius, outline=light(look.main, 0.4), width=6)
    return _encode(image)
