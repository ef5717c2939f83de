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

DISPLAY_SIZES = (24, 32, 40, 48, 56, 64, 80, 96, 128)   # CSS pixels: around the sizes pages show photos at
# Pictures and photo are compared at half their CSS size: four times less work, as discriminating (measured:
# the photo at any size from 24 to 128 CSS px matches at 0.89 or more, another member's photo at 0.80 at most,
# the persona's avatar at 0.49).
WORK_SCALE = 0.5
MATCH = 0.85
INNER = 0.6   # the central square of a circle-cropped photo that is always visible


def _rgb(png: bytes, scale: float) -> np.ndarray:
    """The picture at WORK_SCALE of its CSS size (`scale`: device pixels per CSS pixel), as float32 RGB."""
    factor = scale / WORK_SCALE
    with Image.open(io.BytesIO(png)) as image:
        image = image.convert("RGB")
        image = image.resize((max(1, round(image.width / factor)), max(1, round(image.height / factor))),
                             Image.Resampling.BOX)
        return np.asarray(image, dtype=np.float32)


def templates(photo_png: bytes) -> list[np.ndarray]:
    """The photo's central square at every display size."""
    with Image.open(io.BytesIO(photo_png)) as image:
        image = image.convert("RGB")
        found = []
        for css in DISPLAY_SIZES:
            size = round(css * WORK_SCALE)
            scaled = image.resize((size, size), Image.Resampling.LANCZOS)
            cut = max(4, round(size * INNER))
            offset = (size - cut) // 2
            found.append(np.asarray(scaled.crop((offset, offset, offset + cut, offset + cut)), dtype=np.float32))
        return found


def _fast_length(n: int) -> int:
    """The smallest 2-3-5-smooth length >= n: FFTs of such lengths are several times faster."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


class Picture:
    """A picture prepared once for every template: its channels' spectra and running sums.

    A colour correlation is the sum of the three channels' correlations: summed in the frequency domain,
    it takes one inverse transform per template instead of three. Templates of one size share the
    windows' spread (the photos of several members are searched for at the same sizes)."""

    def __init__(self, rgb: np.ndarray, largest: int):
        planes = np.ascontiguousarray(np.moveaxis(rgb, 2, 0), dtype=np.float64)   # channel, row, column
        self.height, self.width = planes.shape[1:]
        self.shape = (_fast_length(self.height + largest - 1), _fast_length(self.width + largest - 1))
        self.spectra = np.fft.rfft2(planes, self.shape)
        self.table = np.pad(planes.sum(axis=0), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        self.square_table = np.pad((planes ** 2).sum(axis=0), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
        self.spreads: dict[tuple[int, int], np.ndarray] = {}

    @staticmethod
    def _window(table: np.ndarray, h: int, w: int) -> np.ndarray:
        return table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]

    def spread(self, h: int, w: int) -> np.ndarray:
        """The root of the summed squared deviations from its mean of every h x w window (all channels)."""
        found = self.spreads.get((h, w))
        if found is None:
            sums = self._window(self.table, h, w)
            variance = self._window(self.square_table, h, w) - sums ** 2 / (h * w * 3)
            found = self.spreads[(h, w)] = np.sqrt(np.maximum(variance, 0))
        return found

    def best_match(self, template: np.ndarray) -> float:
        """Highest colour NCC of the template anywhere in the picture (-1..1)."""
        h, w, _ = template.shape
        if h > self.height or w > self.width:
            return -1.0
        t = template.astype(np.float64) - template.mean()
        t_norm = float(np.sqrt((t ** 2).sum()))
        if t_norm < 1e-6:
            return -1.0
        spectra = np.fft.rfft2(np.moveaxis(t[::-1, ::-1], 2, 0), self.shape)
        product = self.spectra[0] * spectra[0]
        for channel in (1, 2):
            product += self.spectra[channel] * spectra[channel]
        corr = np.fft.irfft2(product, self.shape)[h - 1:self.height, w - 1:self.width]
        denominator = self.spread(h, w) * t_norm
        score = np.where(denominator > 1e-3 * t_norm, corr / np.maximum(denominator, 1e-12), -1.0)
        return float(score.max())


def shows_photo(png: bytes, photo_templates: list[np.ndarray], scale: float) -> bool:
    if not photo_templates:
        return False
    picture = Picture(_rgb(png, scale), max(t.shape[0] for t in photo_templates))
    return any(picture.best_match(template) >= MATCH for template in photo_templates)


def shows_which(png: bytes, photos: dict[str, list[np.ndarray]], scale: float) -> list[str]:
    """Whose photos ({who: templates}) the picture shows; the picture is prepared once for all."""
    templates_ = [t for found in photos.values() for t in found]
    if not templates_:
        return []
    picture = Picture(_rgb(png, scale), max(t.shape[0] for t in templates_))
    return [who for who, found in photos.items() if any(picture.best_match(t) >= MATCH for t in found)]
