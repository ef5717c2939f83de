"""screenshots/manifest.json: the provenance of every screenshot, kept consistent with the files.

Schema 1 (README.md, "Screenshot manifest"):
    {"schema": 1, "images": {"<locale>/<viewport>/<step>.png": {
        "locale", "viewport", "flow", "step", "number", "path", "sha256", "width", "height", "bytes",
        "source", "changed", "verified_labels", "tool_version", "stale"}}}

The file changes only when an image's pixels or its status change, so a re-run against an unchanged
interface leaves it byte-identical. Dates of the last successful run go to screenshots/verified.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from . import imagefile, paths
from .browser import VIEWPORTS
from .errors import BadInput
from .model import read_json
from .locales import LOCALES

SCHEMA = 1
FIELDS = ("bytes", "changed", "flow", "height", "locale", "number", "path", "sha256", "source", "stale",
          "step", "tool_version", "verified_labels", "viewport", "width")


def today() -> str:
    """YYYY-MM-DD in UTC, or STEPSHOT_TODAY when set (tests and reproducible runs fix the clock)."""
    fixed = os.environ.get("STEPSHOT_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed).isoformat()
        except ValueError:
            raise BadInput(f"STEPSHOT_TODAY: {fixed!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def image_key(locale: str, viewport: str, step_id: str) -> str:
    return f"{locale}/{viewport}/{step_id}.png"


def to_json(data: dict) -> bytes:
    """The one serialisation of our JSON files: sorted keys, 2-space indent, trailing newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class Manifest:
    """The manifest in memory; every change is written through at once, atomically."""

    def __init__(self, path: Path, images: dict[str, dict]):
        self.path = path
        self.images = images
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None = None) -> "Manifest":
        path = path or paths.manifest_file()
        data = read_json(path, missing={})
        if data and data.get("schema") != SCHEMA:
            raise BadInput(f"{path}: schema: expected {SCHEMA}, got {data.get('schema')!r}")
        images = data.get("images", {})
        for key, entry in images.items():
            missing = [f for f in FIELDS if f not in entry]
            if missing:
                raise BadInput(f"{path}: images.{key}: missing {', '.join(missing)}")
        return cls(path, images)

    @property
    def screenshots_dir(self) -> Path:
        return self.path.parent

    def file(self, key: str) -> Path:
        return self.screenshots_dir / key

    def save(self) -> None:
        imagefile.write_atomic(self.path, to_json({"schema": SCHEMA, "images": self.images}))

    def update(self, key: str, entry: dict) -> None:
        """Record one image (written to disk before this call); no write when nothing changed."""
        assert set(entry) == set(FIELDS), sorted(set(entry) ^ set(FIELDS))
        with self._lock:
            if self.images.get(key) == entry:
                return
            self.images[key] = entry
            self.save()

    def mark_stale(self, key: str) -> None:
        with self._lock:
            entry = self.images.get(key)
            if entry is None or entry["stale"]:
                return
            self.images[key] = {**entry, "stale": True}
            self.save()

    def reconcile(self, day: str) -> list[str]:
        """Make the manifest describe exactly the image files on disk, after a killed run.

        Drops entries whose file is gone, re-hashes files whose content differs from their entry (an
        image replaced just before a kill), deletes images without an entry (written, never recorded:
        the next capture of that step writes them again) and leftover temp files.
        Returns one line per repair.
        """
        repairs = [f"removed leftover temp file {p.relative_to(self.screenshots_dir)}"
                   for p in imagefile.remove_temp_files(self.screenshots_dir)]
        with self._lock:
            images = dict(self.images)
            for key, entry in sorted(self.images.items()):
                file = self.file(key)
                if not file.is_file():
                    del images[key]
                    repairs.append(f"{key}: file missing, entry dropped")
                    continue
                data = file.read_bytes()
                digest = imagefile.sha256(data)
                if digest != entry["sha256"]:
                    width, height = imagefile.dimensions(data)
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


def record_verified(path: Path, dates: dict[str, dict]) -> None:
    """Merge {image key: {"date", "source"}} into the "images" key of verified.json.

    `stepshot check` owns the file's "labels" key; both are kept.
    """
    data = read_json(path, missing={})
    images = {**data.get("images", {}), **dates}
    if data.get("images") == images:
        return
    imagefile.write_atomic(path, to_json({**data, "images": images}))


def verified_file(root: Path | None = None) -> Path:
    return paths.screenshots_dir(root) / "verified.json"
