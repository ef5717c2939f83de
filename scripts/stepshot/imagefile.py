"""Image files on disk: lossless optimisation, hashing, and writes that are never half-done."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import oxipng
from PIL import Image

# Files a killed write may leave next to their target; reconcile removes them.
TEMP_PREFIX = ".stepshot-tmp-"

# oxipng level 2 is its default trade-off; higher levels took several times longer on these
# screenshots for about 1% smaller files.
OXIPNG_LEVEL = 2


def optimize(png: bytes) -> bytes:
    """The same pixels in fewer bytes (oxipng: better filters, palette and bit-depth reduction)."""
    return oxipng.optimize_from_memory(png, level=OXIPNG_LEVEL, strip=oxipng.StripChunks.safe())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dimensions(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temp file in the same folder, flush it to disk, then rename it into place.

    A reader (or a kill at any moment) sees either the old file or the new one, never a part.
    `mode` is set before the rename, so a private file is never readable by others, even briefly.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete what killed writes left behind under folder; return what was removed."""
    removed = sorted(folder.rglob(f"{TEMP_PREFIX}*")) if folder.exists() else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
