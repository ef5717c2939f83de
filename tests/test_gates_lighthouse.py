"""Lighthouse gate: the guide in en, ar and ja, mobile, served like a static host, scores performance >= 95 and
100 in accessibility, best practices and SEO with the pinned Lighthouse and stepshot's Chromium; and
`stepshot lighthouse` failing, one line per category, on a poor page."""

from __future__ import annotations

import json

import pytest

from conftest import run_process
from stepshot.gates import lighthouse, npm
from stepshot.settings import Settings



POOR_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body>
<p style="color:#bbb;background:#fff">Grey on white, hard to read.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<a href="more.html"></a>
<script>console.error("broken on purpose");</script>
</body></html>
"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    return tmp_path_factory.mktemp("lighthouse")


@pytest.fixture(scope="module")
def guide(built_site, reports, playwright):
    return lighthouse.audit_guide(Settings(), built_site, reports, playwright=playwright)


@pytest.mark.alone
def test_the_guide_meets_the_budget_in_en_ar_and_ja(guide):
    assert [page.name for page in guide] == ["en /", "ar /ar/", "ja /ja/"]
    assert lighthouse.problems(guide) == [], "\n".join(lighthouse.summary(page) for page in guide)


@pytest.mark.alone  # shares the measured runs
def test_the_pinned_lighthouse_ran_with_stepshots_chromium(guide, reports, browser):
    folder = lighthouse.package_dir()
    assert npm.wanted_version(folder, "lighthouse") == npm.installed_version(folder, "lighthouse") == "12.2.3"
    report = json.loads((reports / "en.json").read_text(encoding="utf-8"))
    assert report["lighthouseVersion"] == "12.2.3"
    assert report["configSettings"]["formFactor"] == "mobile"
    major = browser.version.split(".")[0]
    assert f"HeadlessChrome/{major}." in report["environment"]["hostUserAgent"]


def test_a_poor_page_fails_with_one_line_per_category(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(POOR_PAGE, encoding="utf-8")
    # Its own process: the gate uses Playwright's sync API, which a test process with a running loop refuses.
    result = run_process("lighthouse", "--site", str(site), "--locale", "en", timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout.splitlines()
    failing = [line for line in out if line.startswith("en /: ") and " < " in line]
    categories = [line.split(": ")[1].split(" ")[0] for line in failing]
    assert categories == ["accessibility", "best-practices", "seo"], out
    accessibility, practices, seo = failing
    assert "image-alt" in accessibility and "html-has-lang" in accessibility
    assert "errors-in-console" in practices
    assert "document-title" in seo and "meta-description" in seo
    assert out[-1].startswith("lighthouse: 1 pages, 3 below budget")


def test_problems_name_the_page_score_and_audits():
    page = lighthouse.PageScores("ja /ja/", {"performance": 0.93, "accessibility": 1, "best-practices": 1, "seo": 0.92},
                                 {"performance": ["total-blocking-time (700 ms)"], "seo": ["meta-description"]},
                                 performance_runs=[0.88, 0.9, 0.93], cpu_slowdown=2.5)
    assert lighthouse.problems([page]) == [
        "ja /ja/: performance 93 (best of 3 runs, CPU slowdown 2.5x) < 95: total-blocking-time (700 ms)",
        "ja /ja/: seo 92 < 100: meta-description",
    ]


@pytest.mark.parametrize("index, multiplier", [(None, 4.0), (2100, 4.0), (1500, 4.0), (900, 2.4), (200, 1.0)])
def test_cpu_slowdown_is_calibrated_to_the_host(index, multiplier):
    assert lighthouse.calibrated_slowdown(index) == multiplier
