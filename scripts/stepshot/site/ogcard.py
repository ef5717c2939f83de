"""The share-card image used when a locale has no screenshot yet: a drawn switch in the Off position.

Drawn, not typed: no font is needed, so it is the same on every machine and in every language.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from ..files import write_atomic


@dataclass(frozen=True)
class Card:
    path: str
    size: tuple[int, int]


OG_CARD = Card("assets/stepshot/og-card.png", (1200, 630))


def og_card_png() -> bytes:
    width, height = OG_CARD.size
    image = Image.new("RGB", (width, height), "#f3f6f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 24), fill="#0a66c2")
    # A large switch, track grey and knob left: Off.
    left, top, right, bottom = 360, 215, 840, 415
    draw.rounded_rectangle((left, top, right, bottom), radius=100, fill="#8c8c8c")
    draw.ellipse((left + 20, top + 20, left + 180, bottom - 20), fill="#ffffff")
    # A check mark: the right state.
    draw.line((880, 320, 930, 370, 1020, 250), fill="#057642", width=28, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def write_og_card(site_dir: Path) -> None:
    write_atomic(site_dir / OG_CARD.path, og_card_png())
