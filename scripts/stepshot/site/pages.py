"""Where each page and each step anchor is published, known before any page is rendered.

Anchors: a step's anchor is its id in the flow file (`open-settings`), identical in every locale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..locales import LOCALES, SOURCE_LOCALE

STEPS_MARKER = re.compile(r"^[ \t]*\{\{\s*steps:(?P<flow>[a-z0-9-]+)\s*\}\}[ \t]*$", re.M)


@dataclass(frozen=True)
class Anchor:
    flow: str
    step: str
    number: int
    page: str  # page path under the locale folder, e.g. "index.md"

    @property
    def anchor(self) -> str:
        """A step's anchor is its id."""
        return self.step


def page_url(locale: str, page: str) -> str:
    """The page's URL path relative to the site root (directory URLs), e.g. "fr/faq/" or ""."""
    stem = PurePosixPath(page).with_suffix("")
    parts = list(stem.parts[:-1]) + ([] if stem.name in ("index", "README") else [stem.name])
    prefix = [] if locale == SOURCE_LOCALE else [locale]
    path = "/".join(prefix + parts)
    return path + "/" if path else ""


def plan_anchors(docs_dir: Path, locale: str, flow_file) -> dict[str, Anchor]:
    """Every step anchor the locale's pages will publish, found from their steps markers."""
    folder = docs_dir / locale
    anchors: dict[str, Anchor] = {}
    for path in sorted(folder.rglob("*.md")):
        page = path.relative_to(folder).as_posix()
        for match in STEPS_MARKER.finditer(path.read_text(encoding="utf-8")):
            flow = next((f for f in flow_file.flows if f.id == match["flow"]), None)
            if flow is None:
                continue  # the marker expansion reports it with the page and line
            for number, step in enumerate(flow.steps, start=1):
                anchors.setdefault(step.id, Anchor(flow.id, step.id, number, page))
    return anchors


def plan_all(docs: Path, flow_file) -> dict[str, dict[str, Anchor]]:
    """The planned anchors of every locale that has a folder under docs/."""
    return {code: plan_anchors(docs, code, flow_file) for code in LOCALES if (docs / code).is_dir()}
