"""PNG files: lossless optimisation, hashing, dimensions."""

from __future__ import annotations

import hashlib
import io

import oxipng
from PIL import Image, UnidentifiedImageError

from .errors import BadInput

# Chosen by measurement (BENCHMARKS.md, "PNG optimisation"): on a full capture's 308 focus crops, rows left
# unfiltered and deflated at libdeflate level 7 made files 9 % smaller than oxipng's level 0 for a fifth of its
# CPU (level 0 filters every row, which suits photographs; flat interface pictures compress better unfiltered).
OPTIMISATION = {"level": 0, "filter": [oxipng.RowFilter.NoOp], "deflate": oxipng.Deflaters.libdeflater(7)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def optimize(png: bytes, options: dict | None = None) -> bytes:
    """The same pixels in fewer bytes (oxipng: palette, bit-depth and colour-type reduction, a better deflate),
    with OPTIMISATION's settings unless `options` (oxipng's) are given."""
    return oxipng.optimize_from_memory(png, strip=oxipng.StripChunks.safe(), **(options or OPTIMISATION))


def encoded(image: Image.Image) -> bytes:
    """A PIL image as PNG bytes (Pillow's encoder: optimize() makes them small when they are kept)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dimensions(png: bytes, where: str = "image") -> tuple[int, int]:
    """Width and height of a PNG; BadInput naming `where` for anything that is not one."""
    if not png.startswith(PNG_SIGNATURE):
        raise BadInput(f"{where}: not a PNG file")
    try:
        with Image.open(io.BytesIO(png)) as image:
            return image.size
    except (UnidentifiedImageError, OSError) as exc:
        raise BadInput(f"{where}: not a readable PNG ({exc})") from None
