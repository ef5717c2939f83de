"""Page weight gate: the guide's first load <= 300 KB transferred (text gzip-compressed, as a static host
serves it), every committed screenshot <= 120 KB with a median <= 80 KB; and the gate failing, naming the
file, on an over-budget image and a heavy page."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import REPO
from stepshot.gates import weight
from stepshot.gates.serve import serving
from stepshot.locales import LOCALES
from stepshot.site.pages import page_url

ROOT = Path(__file__).resolve().parents[1]


def noise_png(width: int, height: int, seed: int = 0) -> bytes:
    """Random pixels: PNG cannot compress them, so the size is about width x height x 3 bytes."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return buffer.getvalue()


def committed_screenshots() -> list[Path]:
    files = weight.screenshot_files(REPO.screenshots)
    assert files, "no committed screenshots under screenshots/<locale>/<viewport>/ (run `stepshot capture`)"
    return files


def test_every_committed_screenshot_is_within_budget():
    files = committed_screenshots()
    assert weight.screenshot_problems(files, ROOT) == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["mobile", "desktop"])
def test_the_guide_first_load_is_within_budget_in_every_locale(browser, built_site, viewport):
    with serving(built_site) as base_url:
        loads = [weight.first_load(browser, base_url, "/" + page_url(code, "index.md"), viewport) for code in LOCALES]
    for load in loads:
        kinds = {r.kind for r in load.counted}
        assert {"document", "stylesheet", "script"} <= kinds, f"{load.page}: {kinds}"
        document = next(r for r in load.counted if r.kind == "document")
        assert document.encoding == "gzip" and document.bytes > 1000
    assert weight.first_load_problems(loads) == []


def test_an_over_budget_screenshot_fails_and_is_named(tmp_path):
    shots = tmp_path / "screenshots"
    small = noise_png(100, 100)
    for step in ("a", "b", "c"):
        (shots / "en" / "desktop").mkdir(parents=True, exist_ok=True)
        (shots / "en" / "desktop" / f"{step}.png").write_bytes(small)
    heavy = shots / "fr" / "mobile" / "open-settings.png"
    heavy.parent.mkdir(parents=True)
    heavy.write_bytes(noise_png(240, 240))  # ~170 KB
    files = weight.screenshot_files(shots)
    assert len(files) == 4
    lines = weight.screenshot_problems(files, tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith("screenshots/fr/mobile/open-settings.png: ") and lines[0].endswith("> 120.0 KB")


def test_a_median_over_budget_fails(tmp_path):
    folder = tmp_path / "screenshots" / "de" / "desktop"
    folder.mkdir(parents=True)
    for step in ("a", "b", "c"):
        (folder / f"{step}.png").write_bytes(noise_png(175, 170, seed=ord(step)))  # ~87 KB each
    lines = weight.screenshot_problems(weight.screenshot_files(tmp_path / "screenshots"), tmp_path)
    assert len(lines) == 1
    assert lines[0].startswith("screenshots: median screenshot ") and "> 80.0 KB over 3 files" in lines[0]


HEAVY_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Heavy</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="stylesheet" href="style.css"></head>
<body><h1>Heavy</h1><img src="hero.png" width="300" height="300" alt="hero">
<div style="height:5000px"></div>
<img src="far.png" width="300" height="300" alt="far below" loading="lazy"></body></html>
"""


@pytest.mark.browser
def test_a_heavy_first_load_fails_and_names_the_heaviest(browser, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(HEAVY_PAGE, encoding="utf-8")
    (site / "style.css").write_text("body { margin: 0 }\n" * 4000, encoding="utf-8")  # 76 KB, gzips to almost nothing
    (site / "hero.png").write_bytes(noise_png(340, 340, seed=1))  # ~340 KB above the fold
    (site / "far.png").write_bytes(noise_png(400, 400, seed=2))   # ~470 KB far below: lazy, not fetched
    with serving(site) as base_url:
        load = weight.first_load(browser, base_url, "/", "desktop")
    counted = {r.url: r for r in load.counted}
    assert counted["/style.css"].encoding == "gzip" and counted["/style.css"].bytes < 2000
    assert "/far.png" not in counted
    lines = weight.first_load_problems([load])
    assert len(lines) == 1
    assert lines[0].startswith("/ (desktop): first load ") and "heaviest: /hero.png " in lines[0]
