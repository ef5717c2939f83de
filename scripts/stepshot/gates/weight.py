"""Page weight: the guide's first load and the screenshots' file sizes, against budgets.

First load: what a real Chromium fetches to show the guide, from the built site served like a static host
(text gzip-compressed, serve.py): HTML, CSS, JS, fonts, data the page's scripts fetch, and the images
above the fold (screenshots further down load lazily, on scroll). Bytes are as transferred (body as sent).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

FIRST_LOAD_BUDGET = 300 * 1024
SCREENSHOT_MAX = 120 * 1024
SCREENSHOT_MEDIAN_MAX = 80 * 1024

ABOVE_THE_FOLD_JS = """
() => [...document.images].filter(img => {
  const r = img.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && r.top < innerHeight && r.bottom > 0;
}).map(img => img.currentSrc || img.src)
"""


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


# ---------- screenshots ----------

def screenshot_files(folder: Path) -> list[Path]:
    """The committed screenshots: <locale>/<viewport>/<step>.png under screenshots/."""
    return sorted(folder.glob("*/*/*.png"))


def screenshot_problems(files: list[Path], root: Path, max_bytes: int = SCREENSHOT_MAX,
                        median_max: int = SCREENSHOT_MEDIAN_MAX) -> list[str]:
    """One line per file over max_bytes, and one if the median is over median_max."""
    sizes = {f: f.stat().st_size for f in files}
    lines = [f"{_shown(f, root)}: {kb(size)} > {kb(max_bytes)}" for f, size in sizes.items() if size > max_bytes]
    if sizes:
        median = statistics.median(sizes.values())
        if median > median_max:
            biggest = max(sizes, key=sizes.get)
            lines.append(f"{_shown(biggest.parents[2], root)}: median screenshot {kb(int(median))} > "
                         f"{kb(median_max)} over {len(sizes)} files (largest {_shown(biggest, root)}, "
                         f"{kb(sizes[biggest])})")
    return lines


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# ---------- the guide's first load ----------

@dataclass
class Resource:
    url: str
    kind: str        # Playwright's resource type: document, stylesheet, script, font, image, fetch, ...
    bytes: int       # body as transferred (gzip where the server compressed it)
    encoding: str    # content-encoding, "" when none


@dataclass
class FirstLoad:
    page: str        # site path, e.g. /ja/
    viewport: str
    counted: list[Resource] = field(default_factory=list)
    below_fold: list[Resource] = field(default_factory=list)  # images fetched early but not above the fold

    @property
    def total(self) -> int:
        return sum(r.bytes for r in self.counted)


def _body_size(response) -> int:
    size = response.request.sizes().get("responseBodySize", 0)
    if size <= 0:  # served from memory or unknown: fall back to the declared length
        size = int(response.headers.get("content-length", "0") or 0)
    return size


def first_load(browser, base_url: str, path: str, viewport: str) -> FirstLoad:
    """Load base_url + path in a fresh context (empty cache) and account for what went over the wire."""
    from ..browser import context_options
    from ..locales import SOURCE_LOCALE

    context = browser.new_context(**context_options(SOURCE_LOCALE, viewport))
    responses = []
    context.on("response", lambda response: responses.append(response))
    try:
        page = context.new_page()
        page.goto(base_url + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        above = set(page.evaluate(ABOVE_THE_FOLD_JS))
        load = FirstLoad(path, viewport)
        for response in responses:
            if not response.url.startswith(base_url):
                continue
            resource = Resource(response.url.removeprefix(base_url), response.request.resource_type,
                                _body_size(response), response.headers.get("content-encoding", ""))
            is_img = resource.kind == "image"
            if is_img and response.url not in above and _is_img_element(page, response.url):
                load.below_fold.append(resource)
            else:
                load.counted.append(resource)
        return load
    finally:
        context.close()


def _is_img_element(page, url: str) -> bool:
    """An <img> of the page (lazy or not), rather than a CSS background or an icon the page always needs."""
    return page.evaluate("url => [...document.images].some(img => (img.currentSrc || img.src) === url)", url)


def first_load_problems(loads: list[FirstLoad], budget: int = FIRST_LOAD_BUDGET) -> list[str]:
    lines = []
    for load in loads:
        if load.total > budget:
            heaviest = sorted(load.counted, key=lambda r: -r.bytes)[:3]
            lines.append(f"{load.page} ({load.viewport}): first load {kb(load.total)} > {kb(budget)}; heaviest: "
                         + ", ".join(f"{r.url} {kb(r.bytes)}" for r in heaviest))
    return lines
