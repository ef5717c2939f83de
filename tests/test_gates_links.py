"""Links gate: every internal link and anchor of every locale resolves in the built site, and every deep link
of docs/links-contract.json still leads somewhere; and the gate failing on a broken copy of the site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stepshot.gates import links
from stepshot.locales import LOCALES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def crawled(built_site):
    return links.crawl(built_site, links.site_url_of(built_site))


def test_every_internal_link_and_anchor_resolves(crawled):
    assert crawled.problems == []


def test_the_crawl_covers_every_locale(built_site, crawled):
    for code in LOCALES:
        prefix = "" if code == "en" else f"{code}/"
        assert (built_site / prefix / "index.html").is_file()
    assert crawled.pages >= 6 * len(LOCALES)
    assert crawled.links > 20 * crawled.pages


def test_the_deep_link_contract_holds(built_site):
    contract = json.loads((DOCS / "links-contract.json").read_text(encoding="utf-8"))
    assert any("#" in link for link in contract["links"]) and any(link.startswith("/go/") for link in contract["links"])
    assert links.contract_problems(built_site, DOCS) == []


@pytest.fixture
def broken_site(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    return site


def test_a_broken_link_a_missing_anchor_and_a_missing_file_fail(broken_site):
    faq = broken_site / "fr" / "faq" / "index.html"
    html = faq.read_text(encoding="utf-8")
    faq.write_text(html.replace("</article>", '<a href="../nowhere/">x</a><a href="../#no-such-step">y</a></article>', 1),
                   encoding="utf-8")
    (broken_site / "assets" / "stepshot" / "site.css").unlink()
    problems = links.crawl(broken_site, links.site_url_of(broken_site)).problems
    assert "fr/faq/index.html: <a href> ../nowhere/: no such file in the built site" in problems
    assert 'fr/faq/index.html: <a href> ../#no-such-step: fr/index.html has no element with id "no-such-step"' \
        in problems
    css = [p for p in problems if p.endswith("site.css: no such file in the built site")]
    assert len(css) >= 6 * len(LOCALES)  # every page links the stylesheet
    assert len(problems) == 2 + len(css)


def test_an_absolute_link_to_the_site_url_is_checked(broken_site):
    site_url = links.site_url_of(broken_site)
    page = broken_site / "ja" / "about" / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</article>", f'<a href="{site_url}ja/gone/">x</a></article>', 1), encoding="utf-8")
    assert links.crawl(broken_site, site_url).problems == \
        [f"ja/about/index.html: <a href> {site_url}ja/gone/: no such file in the built site"]


def test_a_published_deep_link_that_disappears_fails(broken_site, tmp_path):
    guide = broken_site / "ar" / "index.html"
    guide.write_text(guide.read_text(encoding="utf-8").replace('id="open-settings"', 'id="renamed-step"'),
                     encoding="utf-8")
    shutil.rmtree(broken_site / "go" / "confirm-ai-off")
    problems = links.contract_problems(broken_site, DOCS)
    contract = (DOCS / "links-contract.json").as_posix()
    assert f"{contract}: /ar/#open-settings: no element with this id" in problems
    assert f"{contract}: /go/confirm-ai-off/: go/confirm-ai-off/index.html not built" in problems


def test_a_redirect_to_nowhere_fails(broken_site, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "links-contract.json").write_text(json.dumps({
        "schema": 1, "note": "test", "links": ["/", "/old-page/"],
        "redirects": {"/old-page/": "/faq/#no-such-answer", "/#old-step": "/#open-settings"}}), encoding="utf-8")
    problems = links.contract_problems(broken_site, docs)
    shown = (docs / "links-contract.json").as_posix()
    assert problems == [
        f"{shown}: redirect target /faq/#no-such-answer: no element with this id",
        f"{shown}: redirects: /old-page/: no page at /old-page/ to send readers on",
        f"{shown}: redirects: /#old-step: / does not map #old-step to its new place",
    ]
