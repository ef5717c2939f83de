"""Where each page and each step anchor is published, known before any page is rendered.

Anchors: a step's anchor is its flow id (`open-settings`), identical in every locale; a flow shown again
in another tab gets a prefix (`{{ steps:mobile:app }}` gives `app-mobile-open-settings`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..locales import LOCALES, SOURCE_LOCALE

STEPS_MARKER = re.compile(r"^[ \t]*\{\{\s*steps:(?P<flow>[a-z0-9-]+)(?::(?P<variant>[a-z]+))?\s*\}\}[ \t]*$", re.M)
STEP_VARIANTS = {"app": "app-"}  # {{ steps:FLOW:variant }} -> the prefix of its anchors


@dataclass(frozen=True)
class Anchor:
    anchor: str
    flow: str
    step: str
    number: int
    variant: str | None
    page: str  # page path under the locale folder, e.g. "index.md"


def page_url(locale: str, page: str) -> str:
    """The page's URL path relative to the site root (directory URLs), e.g. "fr/faq/" or ""."""
    stem = PurePosixPath(page).with_suffix("")
    parts = list(stem.parts[:-1]) + ([] if stem.name in ("index", "README") else [stem.name])
    prefix = [] if locale == SOURCE_LOCALE else [locale]
    path = "/".join(prefix + parts)
    return path + "/" if path else ""


def anchor_id(step_id: str, variant: str | None) -> str:
    return STEP_VARIANTS[variant] + step_id if variant else step_id


def plan_anchors(docs_dir: Path, locale: str, flow_file) -> dict[str, Anchor]:
    """Every step anchor the locale's pages will publish, found from their steps markers."""
    folder = docs_dir / locale
    anchors: dict[str, Anchor] = {}
    for path in sorted(folder.rglob("*.md")):
        page = path.relative_to(folder).as_posix()
        for match in STEPS_MARKER.finditer(path.read_text(encoding="utf-8")):
            flow = next((f for f in flow_file.flows if f.id == match["flow"]), None)
            if flow is None or (match["variant"] and match["variant"] not in STEP_VARIANTS):
                continue  # the marker expansion reports it with the page and line
            for number, step in enumerate(flow.steps, start=1):
                a = Anchor(anchor_id(step.id, match["variant"]), flow.id, step.id, number, match["variant"], page)
                anchors.setdefault(a.anchor, a)
    return anchors


def plan_all(docs: Path, flow_file) -> dict[str, dict[str, Anchor]]:
    """The planned anchors of every locale that has a folder under docs/."""
    return {code: plan_anchors(docs, code, flow_file) for code in LOCALES if (docs / code).is_dir()}
