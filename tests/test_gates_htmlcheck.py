"""The Nu HTML Checker gate: the built guide (every page, every locale, the /go/ and redirect pages) has no
error of this project's; Material's own are recognised one by one and each still occurs (a stale entry would
hide nothing but mislead); a page with an error of ours fails `stepshot htmlcheck` with its page and line."""

from __future__ import annotations

import pytest

from conftest import run_cli
from stepshot.gates import htmlcheck
from stepshot.settings import Settings

MATERIAL_TOGGLE = '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">'


@pytest.fixture(scope="module")
def findings(built_site):
    return htmlcheck.check_site(built_site, Settings())


def test_the_built_guide_has_no_error_of_this_projects(findings, built_site):
    assert findings.pages == len(list(built_site.rglob("*.html"))) > 80
    assert [e.line_text() for e in findings.ours] == []


def test_every_listed_material_error_still_occurs(findings):
    seen = {known.why for known, _ in findings.materials}
    assert seen == {known.why for known in htmlcheck.MATERIAL_OWN}


def page(body: str, head: str = "") -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>{head}</head>'
            f"<body>{body}</body></html>\n")


def test_an_error_of_ours_fails_with_its_page_and_line_and_materials_is_listed_apart(tmp_path):
    (tmp_path / "fr").mkdir()
    (tmp_path / "index.html").write_text(page(MATERIAL_TOGGLE + "<p>fine</p>"), encoding="utf-8")
    # The two shapes this gate found in the build: a </p> whose <p> a slot swallowed, an escaped </head>.
    (tmp_path / "fr" / "index.html").write_text(page("<div><strong>x</strong> y</p></div>"), encoding="utf-8")
    (tmp_path / "moved.html").write_text(page("<p>x</p>", head="<script></script>&lt;/head&gt;"), encoding="utf-8")
    ran = run_cli("htmlcheck", "--site", str(tmp_path))
    assert ran.code == 1, ran.err
    lines = ran.out.strip().splitlines()
    assert any(line.startswith("fr/index.html:1: No “p” element in scope but a “p” end tag seen.") for line in lines)
    assert "moved.html:1: Stray end tag “head”. (in: ;/head&gt;</head><body>)" in lines
    assert lines[-2].startswith("left (Material's own, 1x): Material's drawer and search toggles")
    assert lines[-1] == "htmlcheck: 3 pages, 3 errors of this project's, 1 of Material's own"
