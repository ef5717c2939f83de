"""Personal-data gate: OCR over every committed screenshot finds none of the stand-in test account's name,
headline or email; and a positive control: the same scan finds them on shots of the stand-in taken without
redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepshot import paths
from stepshot.browser import context_options
from stepshot.gates import personal_data, weight
from stepshot.standin.account import TEST_ACCOUNT
from stepshot.standin.server import running

ROOT = Path(__file__).resolve().parents[1]
STRINGS = personal_data.personal_strings(TEST_ACCOUNT)


def test_the_strings_searched_for_are_the_accounts():
    assert STRINGS["name"] == TEST_ACCOUNT.name and STRINGS["email"] == TEST_ACCOUNT.email
    assert STRINGS["headline"] == TEST_ACCOUNT.headline
    assert {f"name part {part}" for part in TEST_ACCOUNT.name.split() if len(part) >= 5} <= set(STRINGS)


@pytest.mark.parametrize("ocr_text, needle, found", [
    ("Robin Castell\nSupply Chain", TEST_ACCOUNT.name, True),
    ("R0bin Castel1 |", TEST_ACCOUNT.name, True),                               # misread letters
    ("Supply Chain Analyst at Harbourlne Freight", TEST_ACCOUNT.headline, True),
    ("robin.castell@exarnple.com", TEST_ACCOUNT.email, True),
    ("Dear Castell,", "Castell", True),
    ("Alex Morgan Member of the public", TEST_ACCOUNT.name, False),             # the persona
    ("alex.morgan@example.org", TEST_ACCOUNT.email, False),
    ("Data for Generative AI Improvement", TEST_ACCOUNT.headline, False),
    ("Castle Robinson", "Castell", False),
])
def test_fuzzy_matching(ocr_text, needle, found):
    assert personal_data.matches(ocr_text, needle) is found


def test_no_committed_screenshot_shows_personal_data():
    files = weight.screenshot_files(paths.screenshots_dir(ROOT))
    assert files, "no committed screenshots under screenshots/<locale>/<viewport>/ (run `stepshot capture`)"
    found = personal_data.scan(files, STRINGS)
    assert personal_data.problems(found, ROOT) == []


@pytest.mark.browser
def test_the_scan_finds_personal_data_on_unredacted_shots(browser, tmp_path):
    """Positive control: shots straight from the stand-in, no redaction, in two layouts and two scripts."""
    shots = {}
    with running() as base_url:
        for locale, viewport in (("en", "desktop"), ("ja", "mobile")):
            context = browser.new_context(**context_options(locale, viewport))
            context.request.post(base_url + "/__standin/session").dispose()
            page = context.new_page()
            page.goto(base_url + "/feed/")
            page.locator("#me-button").click()
            page.locator("#me-menu").wait_for(state="visible")
            shots[f"menu-{locale}-{viewport}"] = tmp_path / f"menu-{locale}-{viewport}.png"
            page.screenshot(path=str(shots[f"menu-{locale}-{viewport}"]))
            context.close()
        signed_out = browser.new_context(**context_options("en", "desktop"))
        page = signed_out.new_page()
        page.goto(base_url + "/login")
        page.locator("input[type=email], input[name=email]").first.fill(TEST_ACCOUNT.email)
        shots["login"] = tmp_path / "login.png"
        page.screenshot(path=str(shots["login"]))
        signed_out.close()
    found = personal_data.scan(list(shots.values()), STRINGS)
    for key in ("menu-en-desktop", "menu-ja-mobile"):
        assert {"name", "headline"} <= set(found.get(shots[key], [])), f"{key}: {found.get(shots[key])}"
    assert "email" in found.get(shots["login"], []), found.get(shots["login"])
    lines = personal_data.problems(found, tmp_path)
    assert any(line.startswith("menu-en-desktop.png: readable personal data of the test account: name")
               for line in lines), lines
