"""Pixel comparison of two screenshots that ignores anti-aliasing noise.

The method is pixelmatch's (mapbox), vectorised with numpy: a pixel differs when its perceived colour
distance (YIQ) exceeds `threshold`; a differing pixel is then discarded as anti-aliasing when, in either
image, it sits between a darker and a brighter neighbour that both lie on flat areas of both images (an
edge pixel blended differently, as font rasterisers and GPU compositing do from run to run).

threshold: 0 counts any colour change; 1 counts none. 0.1 (the default) ignores changes a reader
cannot see, such as rounding in colour blending, and counts any visible one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

DEFAULT_THRESHOLD = 0.1
MAX_YIQ_DELTA = 35215.0  # the YIQ distance between black and white

# Neighbours in pixelmatch's order (x outer, y inner), which decides ties between equal neighbours.
NEIGHBOURS = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]


@dataclass(frozen=True)
class Diff:
    size: tuple[int, int]                         # of the new image
    changed_pixels: int                           # differing pixels that are not anti-aliasing
    antialiased_pixels: int
    bbox: tuple[int, int, int, int] | None        # left, top, right, bottom (exclusive) of the change
    size_changed: bool = False

    @property
    def changed(self) -> bool:
        return self.size_changed or self.changed_pixels > 0

    @property
    def share(self) -> float:
        """Share of the image's pixels that changed, 0..1."""
        if self.size_changed:
            return 1.0
        return self.changed_pixels / (self.size[0] * self.size[1])


def _rgb(image: bytes | Image.Image) -> np.ndarray:
    if isinstance(image, bytes):
        with Image.open(io.BytesIO(image)) as opened:
            return _rgb(opened)
    if image.mode in ("RGBA", "LA", "P"):
        # blend transparency on white, as a page shows it
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image)
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def _yiq(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = r * 0.29889531 + g * 0.58662247 + b * 0.11448223
    i = r * 0.59597799 - g * 0.27417610 - b * 0.32180189
    q = r * 0.21147017 - g * 0.52261711 + b * 0.31114694
    return y, i, q


def _shifted(a: np.ndarray, dx: int, dy: int, fill) -> np.ndarray:
    """a[y + dy, x + dx] at every (y, x); `fill` where that falls outside."""
    out = np.full_like(a, fill)
    h, w = a.shape
    out[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)] = \
        a[max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)]
    return out


def _edge_bonus(h: int, w: int) -> np.ndarray:
    """pixelmatch counts a pixel on the image border as having one equal neighbour already."""
    bonus = np.zeros((h, w), dtype=np.int8)
    bonus[0, :] = bonus[-1, :] = bonus[:, 0] = bonus[:, -1] = 1
    return bonus


def _many_siblings(rgb: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """Pixels with at least 3 neighbours of exactly their colour: they lie on a flat area."""
    packed = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2].astype(np.int64)
    count = bonus.astype(np.int16)
    for dx, dy in NEIGHBOURS:
        count += _shifted(packed, dx, dy, -1) == packed
    return count > 2


def _antialiased(y: np.ndarray, many_here: np.ndarray, many_other: np.ndarray, bonus: np.ndarray,
                 ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """For the pixels (ys, xs) of one image: is each one an anti-aliased edge pixel?"""
    h, w = y.shape
    centre = y[ys, xs]
    deltas, valid, nys, nxs = [], [], [], []
    for dx, dy in NEIGHBOURS:
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
        ny, nx = np.clip(ny, 0, h - 1), np.clip(nx, 0, w - 1)
        deltas.append(centre - y[ny, nx])
        valid.append(inside)
        nys.append(ny)
        nxs.append(nx)
    deltas, valid = np.stack(deltas), np.stack(valid)
    nys, nxs = np.stack(nys), np.stack(nxs)

    zeroes = ((deltas == 0) & valid).sum(axis=0) + bonus[ys, xs]
    darker = np.where(valid & (deltas < 0), deltas, np.inf)
    brighter = np.where(valid & (deltas > 0), deltas, -np.inf)
    has_darker, has_brighter = np.isfinite(darker.min(axis=0)), np.isfinite(brighter.max(axis=0))
    cols = np.arange(len(ys))
    d_at, b_at = darker.argmin(axis=0), brighter.argmax(axis=0)
    dy_, dx_ = nys[d_at, cols], nxs[d_at, cols]
    by_, bx_ = nys[b_at, cols], nxs[b_at, cols]
    flat_darkest = many_here[dy_, dx_] & many_other[dy_, dx_]
    flat_brightest = many_here[by_, bx_] & many_other[by_, bx_]
    return (zeroes <= 2) & has_darker & has_brighter & (flat_darkest | flat_brightest)


def compare(before: bytes | Image.Image, after: bytes | Image.Image,
            threshold: float = DEFAULT_THRESHOLD) -> tuple[Diff, np.ndarray]:
    """Compare two images; return the Diff and a per-pixel map (0 same, 1 anti-aliasing, 2 changed)."""
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    a, b = _rgb(before), _rgb(after)
    h, w = b.shape[:2]
    if a.shape != b.shape:
        return Diff((w, h), h * w, 0, (0, 0, w, h), size_changed=True), np.full((h, w), 2, np.uint8)
    if np.array_equal(a, b):  # the usual case on a re-run: skip the colour maths
        return Diff((w, h), 0, 0, None), np.zeros((h, w), np.uint8)

    ya, ia, qa = _yiq(a)
    yb, ib, qb = _yiq(b)
    delta = 0.5053 * (ya - yb) ** 2 + 0.299 * (ia - ib) ** 2 + 0.1957 * (qa - qb) ** 2
    ys, xs = np.nonzero(delta > MAX_YIQ_DELTA * threshold * threshold)

    result = np.zeros((h, w), np.uint8)
    if len(ys):
        bonus = _edge_bonus(h, w)
        many_a, many_b = _many_siblings(a, bonus), _many_siblings(b, bonus)
        aa = _antialiased(ya, many_a, many_b, bonus, ys, xs) | _antialiased(yb, many_b, many_a, bonus, ys, xs)
        result[ys, xs] = np.where(aa, 1, 2)

    changed_y, changed_x = np.nonzero(result == 2)
    bbox = None
    if len(changed_y):
        bbox = (int(changed_x.min()), int(changed_y.min()), int(changed_x.max()) + 1, int(changed_y.max()) + 1)
    diff = Diff((w, h), int(len(changed_y)), int((result == 1).sum()), bbox)
    return diff, result


def diff_image(after: bytes | Image.Image, pixel_map: np.ndarray) -> Image.Image:
    """The new image faded to grey, changed pixels red, anti-aliasing yellow (as pixelmatch draws it)."""
    rgb = _rgb(after)
    grey = _yiq(rgb)[0]
    faded = 255 - 0.1 * (255 - grey)  # a light ghost of the page, so the red stands out
    out = np.repeat(faded[..., None], 3, axis=2)
    out[pixel_map == 1] = (255, 255, 0)
    out[pixel_map == 2] = (255, 0, 0)
    return Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")
