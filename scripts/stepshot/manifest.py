"""screenshots/manifest.json: the provenance of every screenshot, kept consistent with the files.

Schema 2 (README.md, "Screenshot manifest"):
    {"schema": 2, "images": {"<locale>/<viewport>/<step>.png": {
        "locale", "viewport", "flow", "step", "number", "path", "sha256", "width", "height", "bytes",
        "source", "changed", "verified_labels", "tool_version", "stale", "text_px", "geometry"}}}

The file changes only when an image's pixels or its status change, so a re-run against an unchanged
interface leaves it byte-identical. Dates of the last successful run go to screenshots/verified.json.
Everything read from it is checked first: a key names a file under screenshots/ and nothing else, each
entry has exactly the fields above with the right kinds.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from . import imagefile
from .errors import BadInput
from .files import confined, problem, read_json, remove_temp_files, to_json, write_atomic
from .locales import LOCALES, VIEWPORTS
from .schema import MAX_ID_LENGTH, STEP_ID

SCHEMA = 2
FIELDS = ("bytes", "changed", "flow", "geometry", "height", "locale", "number", "path", "sha256", "source",
          "stale", "step", "text_px", "tool_version", "verified_labels", "viewport", "width")
KINDS = {"bytes": int, "changed": str, "flow": str, "geometry": dict, "height": int, "locale": str, "number": int,
         "path": str, "sha256": str, "source": str, "stale": bool, "step": str, "text_px": (int, float),
         "tool_version": str, "verified_labels": list, "viewport": str, "width": int}
KEY = re.compile(r"^(?P<locale>[A-Za-z-]+)/(?P<viewport>[a-z]+)/(?P<step>[a-z0-9-]+)\.png$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def image_key(locale: str, viewport: str, step_id: str) -> str:
    return f"{locale}/{viewport}/{step_id}.png"


def check_key(path: Path, key: str) -> None:
    match = KEY.match(key) if isinstance(key, str) else None
    if not match or match["locale"] not in LOCALES or match["viewport"] not in VIEWPORTS \
            or not re.match(STEP_ID, match["step"]) or len(match["step"]) > MAX_ID_LENGTH:
        raise BadInput(problem(path, f"images.{key}", "not an image key (<locale>/<viewport>/<step-id>.png)"))


def check_entry(path: Path, key: str, entry) -> None:
    where = f"images.{key}"
    if not isinstance(entry, dict):
        raise BadInput(problem(path, where, "expected an object"))
    missing = [f for f in FIELDS if f not in entry]
    extra = sorted(set(entry) - set(FIELDS))
    if missing or extra:
        raise BadInput(problem(path, where, f"missing {', '.join(missing)}" if missing else f"unknown key {extra[0]}"))
    for name, kind in KINDS.items():
        value = entry[name]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise BadInput(problem(path, f"{where}.{name}", "expected " + (
                kind.__name__ if isinstance(kind, type) else "a number")))
    if not SHA256.match(entry["sha256"]):
        raise BadInput(problem(path, f"{where}.sha256", "not a SHA-256 hex digest"))
    if entry["path"] != f"screenshots/{key}":
        raise BadInput(problem(path, f"{where}.path", f"must be screenshots/{key}"))


class Manifest:
    """The manifest in memory; every change is written through atomically, at once or, inside batch(),
    once at its end."""

    def __init__(self, path: Path, images: dict[str, dict]):
        self.path = path
        self.images = images
        self._lock = threading.RLock()
        self._batched = False
        self._unsaved = False

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        data = read_json(path, missing={})
        if data and data.get("schema") != SCHEMA:
            raise BadInput(problem(path, "schema", f"expected {SCHEMA}, got {data.get('schema')!r}"))
        unknown = sorted(set(data) - {"schema", "images"})
        if unknown:
            raise BadInput(problem(path, unknown[0], "unknown key (expected schema, images)"))
        images = data.get("images", {})
        if not isinstance(images, dict):
            raise BadInput(problem(path, "images", "expected an object"))
        for key, entry in images.items():
            check_key(path, key)
            check_entry(path, key, entry)
        return cls(path, images)

    @property
    def screenshots_dir(self) -> Path:
        return self.path.parent

    def file(self, key: str) -> Path:
        """The image's file; BadInput when the key or a symlink would lead outside screenshots/."""
        return confined(self.screenshots_dir, key, f"images.{key}", self.path)

    def save(self) -> None:
        write_atomic(self.path, to_json({"schema": SCHEMA, "images": self.images}))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Changes made inside are saved once, when it ends (the whole file is written for every save: a
        run's hundreds of images, one save each, cost seconds). What a kill meanwhile leaves, image files
        ahead of their entries, reconcile() repairs."""
        with self._lock:
            self._batched = True
            try:
                yield
            finally:
                self._batched = False
                if self._unsaved:
                    self._unsaved = False
                    self.save()

    def _changed(self) -> None:
        if self._batched:
            self._unsaved = True
        else:
            self.save()

    def update(self, key: str, entry: dict) -> None:
        """Record one image (written to disk before this call); no write when nothing changed."""
        check_entry(self.path, key, entry)
        with self._lock:
            if self.images.get(key) == entry:
                return
            self.images[key] = entry
            self._changed()

    def mark_stale(self, key: str) -> None:
        with self._lock:
            entry = self.images.get(key)
            if entry is None or entry["stale"]:
                return
            self.images[key] = {**entry, "stale": True}
            self._changed()

    def reconcile(self, day: str) -> list[str]:
        """Make the manifest describe exactly the image files on disk, after a killed run.

        Drops entries whose file is gone, re-hashes files whose content differs from their entry (an
        image replaced just before a kill), deletes images without an entry (written, never recorded:
        the next capture of that step writes them again) and leftover temp files. A file that is not a
        regular file (a symlink, a folder) is not an image: its entry is dropped and it is left alone.
        Returns one line per repair.
        """
        repairs = [f"removed leftover temp file {p.relative_to(self.screenshots_dir)}"
                   for p in remove_temp_files(self.screenshots_dir)]
        with self._lock:
            images = dict(self.images)
            for key, entry in sorted(self.images.items()):
                file = self.file(key)
                if file.is_symlink() or not file.is_file():
                    del images[key]
                    repairs.append(f"{key}: {'not a regular file' if file.exists() else 'file missing'}, entry dropped")
                    continue
                data = file.read_bytes()
                digest = imagefile.sha256(data)
                if digest != entry["sha256"]:
                    width, height = imagefile.dimensions(data, f"screenshots/{key}")
                    images[key] = {**entry, "sha256": digest, "bytes": len(data), "width": width,
                                   "height": height, "changed": day}
                    repairs.append(f"{key}: file differs from its entry, entry re-hashed")
            for file in self._image_files():
                key = file.relative_to(self.screenshots_dir).as_posix()
                if key not in images:
                    file.unlink()
                    repairs.append(f"{key}: image without an entry, removed")
            if images != self.images:
                self.images = images
                self.save()
        return repairs

    def _image_files(self) -> list[Path]:
        return sorted(p for p in self.screenshots_dir.glob("*/*/*.png")
                      if p.parent.parent.name in LOCALES and p.parent.name in VIEWPORTS)
