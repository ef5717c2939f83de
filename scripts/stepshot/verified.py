"""screenshots/verified.json, the one record of what a run saw on the target, and when.

    {"labels": {locale: {key: {"text", "date", "base_url"}}},   labels found on linkedin.com (check)
     "images": {"<locale>/<viewport>/<step>.png": {"date", "source"}}}   images last seen unchanged (capture)

This module is its only reader and writer: a read checks the shape (one line per problem), a write merges
its own key and keeps the other, atomically, and only when something changed.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .errors import BadInput
from .files import problem, read_json, to_json, write_atomic

LABEL_FIELDS = {"text", "date", "base_url"}


def is_linkedin(url: str) -> bool:
    """On linkedin.com or one of its subdomains, over https: only such a run may mark labels verified."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    return parts.scheme == "https" and (host == "linkedin.com" or host.endswith(".linkedin.com"))
IMAGE_FIELDS = {"date", "source"}


def _shaped(path: Path, data: dict, section: str, depth: int, fields: set[str]) -> dict:
    value = data.get(section, {})
    if not isinstance(value, dict):
        raise BadInput(problem(path, section, "expected an object"))
    entries = value.items() if depth == 1 else (
        (f"{outer}.{inner}", entry) for outer, group in value.items()
        for inner, entry in (group.items() if isinstance(group, dict) else [("", None)]))
    for key, entry in entries:
        if not isinstance(entry, dict) or set(entry) != fields or not all(isinstance(v, str) for v in entry.values()):
            raise BadInput(problem(path, f"{section}.{key}", f"expected an object with {', '.join(sorted(fields))}"))
    return value


def load(path: Path) -> dict:
    data = read_json(path, missing={})
    unknown = sorted(set(data) - {"labels", "images"})
    if unknown:
        raise BadInput(problem(path, unknown[0], "unknown key (expected labels, images)"))
    _shaped(path, data, "labels", 2, LABEL_FIELDS)
    _shaped(path, data, "images", 1, IMAGE_FIELDS)
    return data


def labels(path: Path) -> dict:
    """{locale: {key: {"text", "date", "base_url"}}}."""
    return load(path).get("labels", {})


def images(path: Path) -> dict:
    """{image key: {"date", "source"}}: when each picture was last found to show its target."""
    return load(path).get("images", {})


def _write(path: Path, data: dict, section: str, value: dict) -> None:
    if data.get(section) == value:
        return
    write_atomic(path, to_json({**data, section: value}))


def record_labels(path: Path, found: dict[str, dict[str, str]], date: str, base_url: str) -> None:
    """Record {locale: {key: text}} as seen on `base_url` today."""
    data = load(path)
    merged = {locale: dict(entries) for locale, entries in data.get("labels", {}).items()}
    for locale, texts in found.items():
        merged.setdefault(locale, {}).update(
            {key: {"text": text, "date": date, "base_url": base_url} for key, text in texts.items()})
    _write(path, data, "labels", merged)


def record_images(path: Path, dates: dict[str, dict]) -> None:
    """Merge {image key: {"date", "source"}} into "images"."""
    data = load(path)
    _write(path, data, "images", {**data.get("images", {}), **dates})
