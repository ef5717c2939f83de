"""Does a picture show a given photo? The last check before a screenshot is kept (privacy.py).

The photo (the stand-in account's drawn portrait, or a live account's photo file) is looked for at every
size a page shows profile photos (24 to 128 CSS pixels), by normalised cross-correlation in colour: a
shape that merely looks alike (the persona's avatar: the same silhouette, other colours) does not match,
the photo itself does, wherever and however small it is drawn. Only the photo's central square is used,
since pages crop photos to circles.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

DISPLAY_SIZES = (24, 32, 40, 48, 56, 64, 72, 96, 128)   # CSS pixels
MATCH = 0.92
INNER = 0.6   # the central square of a circle-cropped photo that is always visible


def _rgb(png: bytes, scale: float) -> np.ndarray:
    """The picture in CSS pixels (scale 2 shots are halved), as float32 RGB."""
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        if scale != 1:
            image = image.resize((max(1, round(image.width / scale)), max(1, round(image.height / scale))),
                                 Image.Resampling.BOX)
        return np.asarray(image, dtype=np.float32)


def templates(photo_png: bytes) -> list[np.ndarray]:
    """The photo's central square at every display size."""
    with Image.open(io.BytesIO(photo_png)) as image:
        image = image.convert("RGB")
        found = []
        for size in DISPLAY_SIZES:
            scaled = image.resize((size, size), Image.Resampling.LANCZOS)
            cut = max(4, round(size * INNER))
            offset = (size - cut) // 2
            found.append(np.asarray(scaled.crop((offset, offset, offset + cut, offset + cut)), dtype=np.float32))
        return found


def _windowed_sum(image: np.ndarray, h: int, w: int) -> np.ndarray:
    table = np.pad(image, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    return table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]


def best_match(picture: np.ndarray, template: np.ndarray) -> float:
    """Highest colour NCC of the template anywhere in the picture (-1..1)."""
    h, w, _ = template.shape
    H, W, _ = picture.shape
    if h > H or w > W:
        return -1.0
    n = h * w * 3
    t = template - template.mean()
    t_norm = float(np.sqrt((t ** 2).sum()))
    if t_norm < 1e-6:
        return -1.0
    shape = (H + h - 1, W + w - 1)
    corr = np.zeros((H - h + 1, W - w + 1), dtype=np.float64)
    sums = np.zeros_like(corr)
    squares = np.zeros_like(corr)
    for channel in range(3):
        image = picture[:, :, channel].astype(np.float64)
        kernel = t[::-1, ::-1, channel].astype(np.float64)
        full = np.fft.irfft2(np.fft.rfft2(image, shape) * np.fft.rfft2(kernel, shape), shape)
        corr += full[h - 1:H, w - 1:W]
        sums += _windowed_sum(image, h, w)
        squares += _windowed_sum(image ** 2, h, w)
    variance = squares - sums ** 2 / n
    denominator = np.sqrt(np.maximum(variance, 0)) * t_norm
    score = np.where(denominator > 1e-3 * t_norm, corr / np.maximum(denominator, 1e-12), -1.0)
    return float(score.max())


def shows_photo(png: bytes, photo_templates: list[np.ndarray], scale: float) -> bool:
    picture = _rgb(png, scale)
    return any(best_match(picture, template) >= MATCH for template in photo_templates)
