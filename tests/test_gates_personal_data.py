"""Personal-data gate: no committed screenshot shows any stand-in member, by OCR (names, headlines, emails)
or by their photos' pixels; and positive controls: the same scans find them on shots of the stand-in taken
without the privacy scrub and mask."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, ROOT
from stepshot import photocheck
from stepshot.gates import personal_data, weight
from stepshot.locales import VIEWPORTS
from stepshot.standin.accounts import OTHER_MEMBERS, TEST_ACCOUNT, TEST_ACCOUNTS, avatar_svg
from stepshot.standin.server import running

MEMBERS = (*TEST_ACCOUNTS, *OTHER_MEMBERS)


def strings() -> dict[str, str]:
    found = {}
    for account in TEST_ACCOUNTS:
        found.update({f"{account.name}: {what}": text for what, text in personal_data.personal_strings(account).items()})
    found.update({f"{member.name}: name": member.name for member in OTHER_MEMBERS})
    return found


def test_the_strings_searched_for_are_every_member_s():
    found = strings()
    assert found[f"{TEST_ACCOUNT.name}: name"] == TEST_ACCOUNT.name
    assert found[f"{TEST_ACCOUNT.name}: email"] == TEST_ACCOUNT.email
    assert {f"{m.name}: name" for m in MEMBERS} <= set(found)


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


def committed() -> list[Path]:
    files = weight.screenshot_files(REPO.screenshots)
    assert files, "no committed screenshots under screenshots/<locale>/<viewport>/ (run `stepshot capture`)"
    return files


def test_no_committed_screenshot_shows_a_member_s_text():
    assert personal_data.problems(personal_data.scan(committed(), strings(), scale_of=scale_of), ROOT) == []


@pytest.fixture(scope="module")
def photos(browser) -> dict[str, list]:
    """Every member's photo as the browser draws it (96 CSS px), as the photo check's templates."""
    page = browser.new_page(viewport={"width": 96, "height": 96})
    drawn = {}
    for member in MEMBERS:
        page.set_content(f'<body style="margin:0">{avatar_svg(member)}</body>')
        drawn[member.name] = photocheck.templates(page.screenshot())
    page.close()
    return drawn


def scale_of(image: Path) -> float:
    return VIEWPORTS[image.parent.name].scale


def test_no_committed_screenshot_shows_a_member_s_photo(photos):
    found = personal_data.photo_scan(committed(), photos, scale_of)
    assert personal_data.problems(found, ROOT) == []


def test_the_scans_find_members_on_shots_taken_without_the_privacy_scrub(browser, tmp_path, photos):
    """Positive control: the feed straight from the stand-in (the member's card, the messaging overlay,
    other members' posts), signed in through the form, in two layouts and two scripts."""
    from playwright.sync_api import expect

    from stepshot.browser import context_options

    shots = []
    with running(REPO) as served:
        for locale, viewport in (("en", "desktop"), ("ja", "mobile")):
            context = browser.new_context(**context_options(locale, viewport))
            page = context.new_page()
            page.goto(served.url + "/login")
            page.locator("#username").fill(TEST_ACCOUNT.email)
            page.locator("#password").fill(TEST_ACCOUNT.password)
            page.locator("button[type=submit]").click()
            page.wait_for_url("**/feed/")
            expect(page.locator("img.update-components-actor__avatar").first).to_have_attribute(
                "src", OTHER_MEMBERS[0].photo_path)
            page.get_by_role("button", name=f"{TEST_ACCOUNT.name} Me").filter(visible=True).click()
            page.wait_for_timeout(900)  # the menu, the late photos, the messaging overlay
            shot = tmp_path / locale / viewport / "feed.png"
            shot.parent.mkdir(parents=True)
            page.screenshot(path=str(shot))
            shots.append(shot)
            context.close()
    texts = personal_data.scan(shots, strings(), scale_of=scale_of)
    assert f"{TEST_ACCOUNT.name}: name" in texts.get(shots[0], []), texts
    assert f"{OTHER_MEMBERS[0].name}: name" in texts.get(shots[0], []), texts
    pictures = personal_data.photo_scan(shots, photos, scale_of)
    for shot in shots:
        assert f"photo of {TEST_ACCOUNT.name}" in pictures.get(shot, []), (shot, pictures)
    assert f"photo of {OTHER_MEMBERS[0].name}" in pictures.get(shots[0], [])
    lines = personal_data.problems(pictures, tmp_path)
    assert any(line.startswith("en/desktop/feed.png: personal data of a member: ") for line in lines), lines
