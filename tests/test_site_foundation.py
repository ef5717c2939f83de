"""The built guide: strict build, steps shown, language switcher, no third-party requests."""

from urllib.parse import urlparse

import pytest


def test_strict_build_produces_every_locale(built_site):
    assert (built_site / "index.html").is_file()
    assert (built_site / "fr" / "index.html").is_file()


@pytest.mark.browser
def test_guide_shows_desktop_steps_in_order(page, site_url):
    page.goto(site_url + "/")
    text = page.locator("article").inner_text()
    order = ["Settings & Privacy", "Data privacy", "How LinkedIn uses your data",
             "Data for Generative AI Improvement", "Use my data for training content creation AI models"]
    positions = [text.find(label) for label in order]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert "Off" in text


@pytest.mark.browser
def test_language_switcher_leads_to_french(page, site_url):
    page.goto(site_url + "/")
    page.get_by_role("button", name="Select language").hover()
    page.locator("a[hreflang='fr']").first.click()
    page.wait_for_load_state()
    assert urlparse(page.url).path.startswith("/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"


@pytest.mark.browser
def test_page_load_requests_only_the_local_server(page, site_url):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site_url + "/", wait_until="networkidle")
    local = urlparse(site_url).netloc
    foreign = [u for u in requested if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local]
    assert requested, "no request recorded at all"
    assert foreign == []
