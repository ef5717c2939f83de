"""The built guide, in every locale, served over real HTTP and read in a real Chromium.

One site is built per module, from a copy of the repository in which `stepshot capture` has taken a few
real French screenshots from the stand-in, one of them then marked stale, one French page made outdated and
one redirect added to the links contract: so figures, notices, banners and redirects are all on show.
Failing builds run on further copies and stop early (contract, labels, markers are checked first).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
from html import unescape
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import ROOT, Ran, make_checkout, run_cli, serve_directory
from stepshot.browser import context_options
from stepshot.checkout import Checkout
from stepshot.locales import LOCALES
from stepshot.site.dates import long_date
from stepshot.manifest import Manifest
from stepshot.reader import load_flow
from stepshot.settings import Settings

SITE_URL = "https://linkedin-ai-optout.example.org/"
FLOW = load_flow(ROOT / "screenshots" / "flow.yml")
GUIDE_FLOWS = ("desktop", "mobile")
PAGES = ["", "related/", "data/", "faq/", "about/", "support/", "teams/", "checklist/"]
CAPTURED = ["open-me-menu", "open-settings", "open-data-privacy"]  # fr desktop, from the stand-in
STALE = "open-data-privacy"
OUTDATED_PAGE = "faq.md"
REDIRECTS = {"/old-guide/": "/#open-settings", "/#old-step": "/#open-data-privacy"}
# A French label as a hostile suggestion could write it: Markdown and HTML that would run or fetch if read.
HOSTILE_KEY, HOSTILE_STEP, HOSTILE_WAS = "settings_privacy", "open-settings", "Préférences et confidentialité"
HOSTILE = ('Préférences [.](x/onload=document.title="PWNED"//) <img src=x onerror="window.pwned=1"> '
           '[y](javascript:window.pwned=2) ![t](https://evil.example/t.png) @everyone **b** `c`')


def guide_anchors() -> list[str]:
    ids = []
    for flow in FLOW.flows:
        if flow.id in GUIDE_FLOWS:
            ids += [step.id for step in flow.steps]
    return ids


def locale_prefix(code: str) -> str:
    return "" if code == "en" else f"{code}/"


def copy_repo(dest: Path) -> Path:
    """A checkout with the docs, the flow and labels, and no screenshots (the conftest sandbox, copied)."""
    return make_checkout(dest, site=True, link=False).root


def mkdocs_build(root: Path, out: Path, **env) -> subprocess.CompletedProcess:
    """The build as a maintainer runs it here: none of GitHub Actions' or a release build's variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "STEPSHOT_"))}
    environment = {**environment, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": SITE_URL, **env}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=root, capture_output=True, text=True, env=environment)


def stepshot(root: Path, *args) -> Ran:
    return run_cli(*args, checkout=Checkout(root, Settings()), cwd=root)


# ---------- fixtures ----------

@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    root = copy_repo(tmp_path_factory.mktemp("repo"))
    shutil.copy(ROOT / "screenshots" / "verified.json", root / "screenshots")  # when each picture was checked
    steps = [arg for step in CAPTURED for arg in ("--step", step)]
    run = stepshot(root, "capture", "--locale", "fr", "--viewport", "desktop", *steps)
    assert run.code == 0, run.out + run.err
    manifest = Manifest.load(root / "screenshots" / "manifest.json")
    manifest.mark_stale(f"fr/desktop/{STALE}.png")
    page = root / "docs" / "fr" / OUTDATED_PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"translation_of: \w+", "translation_of: 000000000000", text, count=1),
                    encoding="utf-8")
    labels = root / "screenshots" / "labels" / "fr.yml"
    text = labels.read_text(encoding="utf-8")
    was = f"  {HOSTILE_KEY}:\n    text: {HOSTILE_WAS}\n"
    assert was in text
    labels.write_text(text.replace(was, f"  {HOSTILE_KEY}:\n    text: '{HOSTILE}'\n"), encoding="utf-8")
    contract_path = root / "docs" / "links-contract.json"
    contract = json.loads(contract_path.read_text(encoding="utf-8"))
    contract["redirects"].update(REDIRECTS)
    contract_path.write_text(json.dumps(contract), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def build(repo_copy, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = mkdocs_build(repo_copy, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stdout + result.stderr


@pytest.fixture(scope="module")
def site(build) -> Path:
    return build[0]


@pytest.fixture(scope="module")
def url(site):
    with serve_directory(site) as base:
        yield base + "/"


def html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def ids(text: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', text)


# ---------- the build ----------

def test_mkdocs_locales_are_stepshot_locales():
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    languages = config.plugins["i18n"].config.languages
    assert [(lang.locale, lang.name) for lang in languages] == [(code, loc.name) for code, loc in LOCALES.items()]
    assert all(lang.theme is None for lang in languages)  # theme.language is never overridden per locale


def test_every_locale_has_every_page_with_all_step_anchors(site):
    for code in LOCALES:
        for page in PAGES:
            assert (site / locale_prefix(code) / page / "index.html").is_file(), (code, page)
        page_ids = ids(html(site, locale_prefix(code)))
        missing = [a for a in guide_anchors() if a not in page_ids]
        assert missing == [], (code, missing)
        assert len(page_ids) == len(set(page_ids)), f"{code}: duplicate ids"


def test_html_lang_and_direction(site):
    for code in LOCALES:
        text = html(site, locale_prefix(code))
        assert f'<html lang="{code}"' in text
        assert ('dir="rtl"' in text) == LOCALES[code].rtl, code


def test_labels_come_from_the_label_files(site, repo_copy):
    fr = yaml.safe_load((repo_copy / "screenshots/labels/fr.yml").read_text(encoding="utf-8"))["labels"]
    en = yaml.safe_load((repo_copy / "screenshots/labels/en.yml").read_text(encoding="utf-8"))["labels"]
    text = html(site, "fr/")
    shown = {unescape(found) for found in re.findall(r'<strong class="ss-label">(.*?)</strong>', text)}
    for key in ("ai_setting", "ai_toggle", "data_privacy"):
        assert fr[key]["text"] in shown, key
        # not seen on linkedin.com: the English label stands beside it, marked unverified
        assert f'<bdi lang="en">{en[key]["text"]}</bdi>' in text, key
    assert "ss-unverified" not in html(site, "").split('id="open-settings"')[1].split("</li>")[0]


def test_hreflang_alternates_are_absolute_with_x_default(site):
    text = html(site, "fr/faq/")
    links = dict((lang, href) for href, lang in
                 re.findall(r'<link rel="alternate" href="([^"]+)" hreflang="([^"]+)">', text))
    assert set(links) == set(LOCALES) | {"x-default"}
    assert links["fr"] == SITE_URL + "fr/faq/"
    assert links["x-default"] == links["en"] == SITE_URL + "faq/"


def test_sitemaps_list_every_page_with_alternates(site):
    root = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert root.count("<url>") == len(LOCALES) * len(PAGES)
    assert f'hreflang="x-default" href="{SITE_URL}related/"' in root
    for code in LOCALES:
        if code != "en":
            own = (site / code / "sitemap.xml").read_text(encoding="utf-8")
            assert own.count("<url>") == len(PAGES)
            assert f"<loc>{SITE_URL}{code}/faq/</loc>" in own


def test_open_graph_uses_the_locale_screenshot_or_the_card(site):
    fr = html(site, "fr/")
    # fr/desktop/confirm-ai-off.png was not captured in this copy: the generated card stands in
    assert f'<meta property="og:image" content="{SITE_URL}assets/stepshot/og-card.png">' in fr
    assert (site / "assets/stepshot/og-card.png").stat().st_size > 1000
    assert '<meta property="og:locale" content="fr_FR">' in fr
    assert f'<meta property="og:url" content="{SITE_URL}fr/">' in fr
    assert '<meta name="twitter:card" content="summary_large_image">' in fr


def test_links_json_and_go_pages(site):
    data = json.loads((site / "links.json").read_text(encoding="utf-8"))
    for anchor in guide_anchors():
        entry = data["steps"][anchor]
        assert set(entry["links"]) == set(LOCALES)
        assert entry["links"]["ar"] == f"{SITE_URL}ar/#{anchor}"
        assert entry["go"] == f"{SITE_URL}go/{anchor}/"
        assert (site / "go" / anchor / "index.html").is_file()
    assert data["steps"]["research-turn-off"]["links"]["de"] == f"{SITE_URL}de/related/#research-turn-off"


def test_committed_links_contract_holds():
    run = stepshot(ROOT, "links")
    assert run.code == 0, run.out + run.err
    contract = json.loads((ROOT / "docs/links-contract.json").read_text(encoding="utf-8"))
    assert "/fr/#open-ai-setting" in contract["links"] and "/go/open-ai-setting/" in contract["links"]


def test_search_index_per_locale(site):
    root = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    fr = json.loads((site / "fr/search/search_index.json").read_text(encoding="utf-8"))
    prefixes = tuple(f"{code}/" for code in LOCALES if code != "en")
    assert root["docs"] and not any(d["location"].startswith(prefixes) for d in root["docs"])
    assert fr["config"]["lang"] == ["fr"]
    assert {d["location"].split("#")[0] for d in fr["docs"]} == set(PAGES)
    # Each locale keeps its language's settings from Material: Japanese keeps the stemmer step only,
    # Arabic no step at all (it would get English stop words).
    ja = json.loads((site / "ja/search/search_index.json").read_text(encoding="utf-8"))["config"]
    ar = json.loads((site / "ar/search/search_index.json").read_text(encoding="utf-8"))["config"]
    assert (ja["lang"], ja["pipeline"]) == (["ja"], ["stemmer"]) and "、" in ja["separator"]
    assert ar["pipeline"] == []
    # Chinese words apart in every entry, the steps' too (Material's jieba cut); Japanese text as written,
    # for its own segmenter
    zh = json.loads((site / "zh-TW/search/search_index.json").read_text(encoding="utf-8"))
    step = next(d for d in zh["docs"] if d["location"] == "#open-data-privacy")
    assert "\u200b資料\u200b隱私\u200b" in step["text"] and r"\u200b" in zh["config"]["separator"]
    ja_docs = json.loads((site / "ja/search/search_index.json").read_text(encoding="utf-8"))["docs"]
    assert not any("\u200b" in d["text"] for d in ja_docs)


def test_missing_images_are_notices_and_logged(site, build):
    text = html(site, "de/")
    assert text.count("ss-shot-notice--missing") == 12  # 6 phone + 6 computer
    assert "<img" not in text.split('id="open-me-menu"')[1].split("</li>")[0]
    assert "stepshot image notice: de: 17 missing" in build[1]


def test_figures_come_from_the_manifest(site, repo_copy):
    text = html(site, "fr/")
    manifest = json.loads((repo_copy / "screenshots/manifest.json").read_text(encoding="utf-8"))
    first = manifest["images"]["fr/desktop/open-me-menu.png"]
    step = text.split('id="open-me-menu"')[1].split("</li>")[0]
    img = re.search(r"<img ([^>]+)>", step).group(1)
    assert f'width="{round(first["width"] / 2)}" height="{round(first["height"] / 2)}"' in img  # CSS pixels
    assert "loading=" not in img  # the first picture loads at once
    assert 'alt="Illustration issue d&#39;une réplique locale des paramètres de LinkedIn, « Vous » mis en évidence' in img
    assert ("Illustration issue d&#39;une réplique locale des paramètres de LinkedIn, <time class=\"ss-date\" "
            f"datetime=\"{first['changed']}\" dir=\"ltr\">{long_date(first['changed'], 'fr')}</time>") in step
    second = text.split('id="open-settings"')[1].split("</li>")[0]
    assert 'loading="lazy"' in second
    assert 'href="../screenshots/fr/desktop/open-settings.png"' in second
    assert (site / "screenshots/fr/desktop/open-settings.png").read_bytes() == \
        (repo_copy / "screenshots/fr/desktop/open-settings.png").read_bytes()
    stale = text.split(f'id="{STALE}"')[1].split("</li>")[0]
    assert "ss-shot-notice--stale" in stale and "<img" not in stale
    assert not (site / f"screenshots/fr/desktop/{STALE}.png").exists()


def test_report_link_is_a_prefilled_issue(site):
    step = html(site, "ja/").split('id="open-ai-setting"')[1].split("</li>")[0]
    href = re.search(r'class="ss-report"><a href="([^"]+)"', step).group(1).replace("&amp;", "&")
    assert href.startswith("https://github.com/example/linkedin-ai-optout/issues/new?")
    assert "open-ai-setting" in href and "Locale%3A+ja" in href
    assert "linkedin-ai-optout.example.org%2Fja%2F%23open-ai-setting" in href


def test_a_build_to_publish_needs_the_real_report_repository(tmp_path):
    log = failing_build(tmp_path, lambda root: None, STEPSHOT_DEPLOY="1")
    assert "extra.report_repo: example/linkedin-ai-optout is the placeholder" in log


def test_reports_go_to_the_repository_built_from_and_to_a_mail_address_when_set(tmp_path):
    root = copy_repo(tmp_path / "repo")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  report_repo: example/linkedin-ai-optout\n",
        "  report_repo: example/linkedin-ai-optout\n  report_email: help@example.org\n"), encoding="utf-8")
    result = mkdocs_build(root, tmp_path / "site", GITHUB_REPOSITORY="acme/guide", STEPSHOT_DEPLOY="1")
    assert result.returncode == 0, result.stdout + result.stderr
    step = html(tmp_path / "site", "fr/").split('id="turn-ai-toggle-off"')[1].split("</li>")[0]
    assert 'href="https://github.com/acme/guide/issues/new?' in step
    mail = re.search(r'class="ss-report__mail" href="([^"]+)">([^<]+)<', step)
    assert mail and mail[1].startswith("mailto:help@example.org?subject=") and "help@example.org" in mail[2]
    assert "turn-ai-toggle-off" in unescape(mail[1])


def test_support_rows_say_what_the_reader_does(site):
    rows = dict(re.findall(r'<tr id="link-([a-z-]+)"><td>([^<]+)</td>', html(site, "support/")))
    assert rows["turn-ai-toggle-off"] == "Computer 5: Turn this Off (Use my data for training content creation AI models)"
    assert rows["confirm-ai-off"] == "Computer 6: Off: you have opted out (Use my data for training content creation AI models)"
    assert rows["mobile-open-profile-menu"] == "Phone 1: Open this menu"  # the profile photo: no label to quote
    assert len(set(rows.values())) == len(rows)
    fr = dict(re.findall(r'<tr id="link-([a-z-]+)"><td>([^<]+)</td>', html(site, "fr/support/")))
    assert fr["turn-ai-toggle-off"].startswith("Ordinateur 5: Désactivez ceci (")


@pytest.mark.parametrize("code", list(LOCALES))
def test_every_page_s_description_is_whole(site, code):
    for page in PAGES:
        source = ROOT / "docs" / code / ((page.rstrip("/") or "index") + ".md")
        expected = yaml.safe_load(source.read_text(encoding="utf-8").split("---")[1])["description"]
        text = html(site, locale_prefix(code) + page)
        found = re.findall(r'<meta name="description" content="([^"]*)">', text)
        assert [unescape(found[0])] == [expected], source


def test_outdated_translation_has_a_banner_and_is_listed(site, repo_copy):
    assert 'class="ss-outdated"' in html(site, "fr/faq/")
    assert 'class="ss-outdated"' not in html(site, "fr/data/")
    run = stepshot(repo_copy, "translations")
    assert run.code == 1
    assert f"docs/fr/{OUTDATED_PAGE}: translation_of: 000000000000 is outdated" in run.out
    done = [arg for code in ("fr", "es", "de", "pt-BR") for arg in ("--locale", code)]
    assert stepshot(ROOT, "translations", *done).code == 0


# ---------- builds that must fail ----------

def failing_build(tmp_path, change, **env) -> str:
    root = copy_repo(tmp_path / "repo")
    change(root)
    result = mkdocs_build(root, tmp_path / "site", **env)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_removed_anchor_fails_the_build(tmp_path):
    def drop_research(root):
        page = root / "docs/de/related.md"
        page.write_text(page.read_text(encoding="utf-8").replace("{{ steps:research }}", ""), encoding="utf-8")

    log = failing_build(tmp_path, drop_research)
    assert "/de/related/#research-open-setting is no longer published" in log


def test_missing_label_key_fails_the_build(tmp_path):
    def drop_label(root):
        path = root / "screenshots/labels/nl.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["labels"]["ai_toggle"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    log = failing_build(tmp_path, drop_label)
    assert "nl.yml" in log and "ai_toggle" in log


@pytest.mark.parametrize("page, added, expected", [
    ("docs/en/faq.md", "{{ lable:ai_setting }}", "unknown marker"),
    ("docs/fr/faq.md", "Voir {{ label:ai_seting }}.", "no label 'ai_seting' in screenshots/labels/fr.yml"),
    ("docs/ja/data.md", "事実。 {{ cite:ico-2026 }}", "no source 'ico-2026' in docs/sources.yml (did you mean 'ico-2025'?)"),
], ids=["unknown marker", "unknown label key", "unknown source id"])
def test_a_marker_the_build_cannot_fill_fails_it(tmp_path, page, added, expected):
    def typo(root):
        path = root / page
        path.write_text(path.read_text(encoding="utf-8") + f"\n{added}\n", encoding="utf-8")

    log = failing_build(tmp_path, typo)
    assert page in log and expected in log


# ---------- in the browser ----------

def published_context(browser, url: str, **options):
    """A browser context in which site_url is answered by the module's HTTP server: the pages run at the
    published origin and path layout, so their absolute hreflang links point into the same site."""
    context = browser.new_context(**options)

    def forward(route):
        asked = urlparse(route.request.url)
        target = url + asked.path.lstrip("/") + (f"?{asked.query}" if asked.query else "")
        # Redirects (a folder without its slash) go back to the browser, as from a real host.
        route.fulfill(response=route.fetch(url=target, max_redirects=0))

    context.route(f"{SITE_URL}**", forward)
    return context


class Traffic:
    """Every request a page makes, and the responses that were not a plain success."""

    def __init__(self, page):
        self.requests, self.failures, self.redirects = [], [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("response", self.answered)

    def answered(self, response):
        if response.status >= 400:
            self.failures.append(f"{response.status} {response.url}")
        elif response.status >= 300:
            self.redirects.append(f"{response.status} {response.url}")


@pytest.mark.browser
@pytest.mark.parametrize("code", list(LOCALES))
def test_pages_load_clean_and_pass_axe(browser, url, code):
    """Every page of the locale at site_url's origin and paths: no request elsewhere, no 404, no cookie,
    no axe violation, and the absolute hreflang links are in the page.

    Material's script fetches sitemap.xml next to each <link rel="alternate"> when a page loads (and, only
    with navigation.instant, at `base`); overrides/main.html hides our alternates from that scan, so no
    sitemap is asked for and none can be missing.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = published_context(browser, url, **context_options(code))
    page = context.new_page()
    traffic = Traffic(page)
    problems, alternates = [], []
    try:
        for path in PAGES:
            page.goto(SITE_URL + locale_prefix(code) + path, wait_until="networkidle")
            # They come back after Material's scan (overrides/main.html): waited for, since a loaded CI
            # machine once read the page without them.
            links = page.locator('link[rel="alternate"][hreflang]')
            with contextlib.suppress(PlaywrightTimeoutError):
                links.first.wait_for(state="attached", timeout=5_000)
            hrefs = links.evaluate_all("ls => ls.map(l => l.href)")
            if len(hrefs) != len(LOCALES) + 1 or not all(h.startswith(SITE_URL) for h in hrefs):
                alternates.append(f"{path or '/'}: {hrefs}")
            results = axe.run(page)
            for violation in results.response["violations"]:
                problems.append(f"{path or '/'}: {violation['id']}: {violation['nodes'][0]['target']}")
        assert traffic.failures == []
        assert traffic.redirects == []
        assert [u for u in traffic.requests if "sitemap" in u] == []
        assert [u for u in traffic.requests if not u.startswith(SITE_URL)] == []
        assert alternates == []
        assert context.cookies() == []
        assert problems == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("code, anchor", [("fr", "open-ai-setting"), ("ar", "mobile-open-settings"),
                                          ("ja", "app-mobile-open-settings")])
def test_go_link_lands_on_the_step_in_the_browser_language(browser, url, code, anchor):
    """A /go/ link opens the step in the reader's language, in its tab; the app tab's old links (app-…)
    lead to the same step of the one phone tab."""
    lands = anchor.removeprefix("app-")
    context = browser.new_context(**context_options(code))
    page = context.new_page()
    try:
        page.goto(url + f"go/{anchor}/")
        page.wait_for_url(re.compile(rf"/{code}/#{lands}$"))
        step = page.locator(f"#{lands}")
        step.wait_for(state="visible")
        assert step.is_visible()  # in its tab: the tab opened
        assert page.evaluate(f"document.getElementById('{lands}').getBoundingClientRect().top") < 800
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["fr/", "fr/support/"])
def test_a_label_written_as_markup_is_shown_as_text_and_runs_nothing(page, url, path):
    traffic = Traffic(page)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url + path, wait_until="networkidle")
    assert "PWNED" not in page.title()
    assert page.evaluate("window.pwned") is None and dialogs == []
    assert page.locator('a[href^="javascript:"], [onload], [onerror]').count() == 0
    sources = page.locator("img").evaluate_all("imgs => imgs.map(i => i.src)")
    assert all(src.startswith(url) for src in sources), sources
    assert [u for u in traffic.requests if not u.startswith(url)] == []
    text = page.locator("main").inner_text()
    assert HOSTILE in text  # every character shown, none read as markup
    if path == "fr/":
        alt = page.locator(f"#{HOSTILE_STEP} img").first.get_attribute("alt")
        assert HOSTILE in alt  # the attribute holds the whole text: it was not ended early
        search(page, "Préférences", anchors=True)  # the step's own search result shows the label too
        page.wait_for_timeout(500)
        assert page.evaluate("window.pwned") is None and "PWNED" not in page.title() and dialogs == []
        assert page.locator(".md-search-result img, .md-search-result [onerror]").count() == 0


@pytest.mark.browser
def test_go_page_without_javascript_lists_every_language(browser, url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(url + "go/open-settings/")
        links = page.locator("main a")
        assert links.count() == len(LOCALES)
        assert page.locator('a[hreflang="hi"]').get_attribute("href") == "../../hi/#open-settings"
    finally:
        context.close()


def search(page, query: str, anchors: bool = False) -> list[str]:
    """Enter a query and return the result paths. Material searches on keyup, which `fill()` never sends:
    the End key that follows brings the one keyup, so the results are the whole query's (typed key by key,
    a loaded machine showed a prefix's results first). `fill()` takes any text, kana and kanji included,
    as an input method commits them."""
    box = page.locator("input[data-md-component='search-query']")
    box.click()
    box.fill(query)
    box.press("End")
    results = page.locator(".md-search-result__item > a")
    results.first.wait_for()
    if anchors:  # every result, a page's sections and steps included
        return page.locator(".md-search-result__list a").evaluate_all(
            "els => els.map(a => new URL(a.href).pathname + new URL(a.href).hash)")
    return results.evaluate_all("els => els.map(a => new URL(a.href).pathname)")


@pytest.mark.browser
def test_search_on_french_site_returns_only_french_pages(page, url):
    traffic = Traffic(page)
    page.goto(url + "fr/")
    # "LinkedIn" is on every page of every locale: a shared index would answer with all of them.
    paths = search(page, "LinkedIn")
    assert paths and all(p.startswith("/fr/") for p in paths), paths
    assert {"/fr/", "/fr/faq/"} <= set(paths)
    assert url + "fr/search/search_index.json" in traffic.requests
    assert url + "search/search_index.json" not in traffic.requests
    assert url + "assets/javascripts/lunr/min/lunr.fr.min.js" in traffic.requests
    assert traffic.failures == []


@pytest.mark.browser
@pytest.mark.parametrize("code, query, step", [
    ("fr", "interrupteur", "turn-ai-toggle-off"),  # written "l'interrupteur" on the page
    ("fr", "IA", "open-ai-setting"),               # written "l'IA"
    ("fr", "désactiver", "turn-ai-toggle-off"),    # written "Désactivez"
    ("fr", "désactivez", "turn-ai-toggle-off"),
    ("es", "desactivar", "turn-ai-toggle-off"),    # written "Desactiva"
    ("es", "interruptor", "turn-ai-toggle-off"),
    ("it", "interruttore", "turn-ai-toggle-off"),  # written "l'interruttore"
    ("en", "switch", "turn-ai-toggle-off"),
    ("hi", "डेटा", "open-ai-setting"),
    ("pl", "przełącznik", "turn-ai-toggle-off"),
    ("tr", "anahtarını", "turn-ai-toggle-off"),
    ("id", "sakelar", "turn-ai-toggle-off"),
    # written inside the unspaced label 資料隱私: found only when the index has the words apart (jieba)
    ("zh-TW", "隱私", "open-data-privacy"),
])
def test_search_results_lead_to_the_steps(page, url, code, query, step):
    page.goto(url + locale_prefix(code))
    found = search(page, query, anchors=True)
    assert f"/{locale_prefix(code)}#{step}" in found, found


@pytest.mark.browser
def test_search_in_japanese_finds_words_inside_unspaced_text(page, url, repo_copy):
    labels = yaml.safe_load((repo_copy / "screenshots/labels/ja.yml").read_text(encoding="utf-8"))["labels"]
    word = "プライバシー"
    # the guide quotes this label, written without spaces: only the word segmenter can find the word in it
    assert word in labels["data_privacy"]["text"] and labels["data_privacy"]["text"] != word
    traffic = Traffic(page)
    page.goto(url + "ja/data/")
    paths = search(page, word)
    assert "/ja/" in paths and all(p.startswith("/ja/") for p in paths), paths
    assert url + "assets/javascripts/lunr/tinyseg.js" in traffic.requests
    assert traffic.failures == []


@pytest.mark.browser
@pytest.mark.parametrize("start, path", [("faq/", "faq/"), ("#turn-ai-toggle-off", "#turn-ai-toggle-off")])
def test_language_switcher_keeps_the_page_and_the_step(browser, url, start, path):
    """At site_url's origin, where Material would redirect switcher clicks through sitemaps next to the
    hreflang links: each switch lands straight on the same page in the other language, at the same step
    (step anchors are the same in every language)."""
    context = published_context(browser, url)
    page = context.new_page()
    traffic = Traffic(page)
    try:
        page.goto(SITE_URL + start)
        for code in ("ar", "ja"):
            page.locator(".md-select > button").hover()
            page.locator(f".md-select__link[hreflang='{code}']").click()
            page.wait_for_url(f"{SITE_URL}{code}/{path}")
            assert page.locator("html").get_attribute("lang") == code
        page.wait_for_load_state("networkidle")
        assert traffic.failures == []
        assert traffic.redirects == []
    finally:
        context.close()


@pytest.mark.browser
def test_guide_steps_in_order_with_off(page, url):
    page.goto(url)
    text = page.locator(".tabbed-block").nth(1).inner_text()  # the computer tab
    order = ["Settings & Privacy", "Data privacy", "How LinkedIn uses your data",
             "Data for Generative AI Improvement", "Use my data for training content creation AI models"]
    positions = [text.find(label) for label in order]
    assert -1 not in positions and positions == sorted(positions)
    assert "off" in text.lower()


@pytest.mark.browser
def test_tabs_work_with_the_keyboard(page, url):
    page.goto(url)
    inputs = page.locator(".tabbed-set > input")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.tabbed-set > input')"):
            break
    else:
        pytest.fail("no tab reachable with the Tab key")
    assert inputs.nth(1).is_checked()  # a computer-sized window opens on the computer steps
    page.keyboard.press("ArrowLeft")
    assert inputs.nth(0).is_checked()
    assert page.locator("#mobile-open-settings").is_visible()
    assert not page.locator("#open-settings").is_visible()


PHONE, COMPUTER = 0, 1  # the device tabs, phone first


def device_page(browser, code: str, width: int, **options):
    phone = width < 500
    context = browser.new_context(**{**context_options(code), "viewport": {"width": width, "height": 800},
                                     "is_mobile": phone, "has_touch": phone, "device_scale_factor": 2 if phone else 1,
                                     **options})
    return context, context.new_page()


def open_tab(page) -> int:
    return page.evaluate("""() => [...document.querySelector('.tabbed-set').querySelectorAll(':scope > input')]
                                 .findIndex(input => input.checked)""")


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 390, 1280])
@pytest.mark.parametrize("code", ["en", "ar", "ja"])
def test_the_guide_opens_on_the_reader_s_device_and_every_page_fits_the_screen(browser, url, code, width):
    context, page = device_page(browser, code, width)
    try:
        page.goto(url + locale_prefix(code))
        assert open_tab(page) == (PHONE if width < 500 else COMPUTER)
        shown = page.locator(".ss-steps").filter(visible=True).first.get_attribute("data-flow")
        assert shown == ("mobile" if width < 500 else "desktop")
        labels = page.locator(".tabbed-labels")
        assert labels.evaluate("l => l.scrollWidth <= l.clientWidth + 1"), "tab labels cut off"
        for path in PAGES:
            page.goto(url + locale_prefix(code) + path)
            wide = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{path or '/'} scrolls {wide} px sideways at {width} px"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_without_javascript_the_phone_steps_come_first(browser, url, width):
    context, page = device_page(browser, "en", width, java_script_enabled=False)
    try:
        page.goto(url)
        assert open_tab(page) == PHONE
        assert page.locator("#mobile-open-profile-menu").is_visible()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("code, width, anchor, lands, tab", [
    ("en", 390, "open-settings", "open-settings", COMPUTER),
    ("ar", 1280, "mobile-open-settings", "mobile-open-settings", PHONE),
    ("ar", 390, "app-mobile-open-settings", "mobile-open-settings", PHONE),
    ("en", 1280, "app-mobile-turn-ai-toggle-off", "mobile-turn-ai-toggle-off", PHONE),
])
def test_a_step_link_opens_its_own_tab_whatever_the_device(browser, url, code, width, anchor, lands, tab):
    context, page = device_page(browser, code, width)
    try:
        page.goto(url + locale_prefix(code) + "#" + anchor)
        page.wait_for_url(re.compile(rf"#{lands}$"))
        page.locator(f"#{lands}").wait_for(state="visible")
        assert open_tab(page) == tab
    finally:
        context.close()


@contextlib.contextmanager
def copied_by_a_click(browser, url: str, width: int, path: str, button: str):
    """(page, what the clipboard holds) after one click on `button` of `path` in French."""
    context, page = device_page(browser, "fr", width)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        page.goto(url + path)
        page.locator(button).click()
        yield page, page.evaluate("navigator.clipboard.readText()")
    finally:
        context.close()


@pytest.mark.browser
def test_a_support_agent_copies_a_ticket_ready_step_in_french_in_one_click(browser, url):
    with copied_by_a_click(browser, url, 1280, "fr/#turn-ai-toggle-off", "#turn-ai-toggle-off .ss-ticket") as (_, copied):
        lines = copied.splitlines()
        assert lines[0].startswith("Désactivez l'interrupteur “") and "<" not in copied and "**" not in copied
        assert lines[1] == f"Cette étape\u00a0: {SITE_URL}fr/#turn-ai-toggle-off"
        assert lines[2] == "Le paramètre sur LinkedIn\u00a0: https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"


@pytest.mark.browser
def test_support_links_stay_on_one_line_on_a_phone(browser, url):
    context, page = device_page(browser, "de", 360)
    try:
        page.goto(url + "de/support/")
        lines = page.locator(".ss-links code").evaluate_all("codes => codes.map(c => c.getClientRects().length)")
        assert lines and set(lines) == {1}
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


@pytest.mark.browser
def test_redirects_from_the_contract(page, url):
    page.goto(url + "old-guide/")
    page.wait_for_url(re.compile(r"/#open-settings$"))
    page.goto(url + "#old-step")
    page.wait_for_url(re.compile(r"/#open-data-privacy$"))


A4_CSS_PX = 297 / 25.4 * 96  # the height of an A4 sheet in CSS pixels


@pytest.mark.browser
@pytest.mark.parametrize("code", ["en", "ar", "ja"])
def test_the_printed_guide_has_each_flow_once_four_steps_a_page_its_address_and_date(browser, url, code):
    context = browser.new_context(**{**context_options(code), "viewport": {"width": 794, "height": 1123}})
    page = context.new_page()
    try:
        page.goto(url + locale_prefix(code))
        page.emulate_media(media="print")
        shown = page.locator(".ss-step").filter(visible=True)
        ids = shown.evaluate_all("steps => steps.map(s => s.id)")
        assert len(ids) == len(set(ids)) == 12  # the phone and the computer flow, each once
        tallest = max(shown.evaluate_all("steps => steps.map(s => s.getBoundingClientRect().height)"))
        assert tallest * 4 < A4_CSS_PX * 0.9, f"a step is {tallest:.0f} px tall in print"
        source = page.locator(".ss-print-source")
        assert source.is_visible()
        assert source.inner_text().startswith(SITE_URL + locale_prefix(code))
        checked = json.loads((ROOT / "screenshots" / "verified.json").read_text(encoding="utf-8"))["images"]
        oldest = min(entry["date"] for key, entry in checked.items() if key.startswith(f"{code}/"))
        assert source.inner_text().endswith(long_date(oldest, code))
    finally:
        context.close()


@pytest.mark.browser
def test_print_shows_every_tab_and_no_chrome(page, url):
    page.goto(url + "fr/")
    page.emulate_media(media="print")
    assert page.locator("#open-settings").is_visible()
    assert page.locator("#mobile-open-settings").is_visible()
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".ss-report").first.is_visible()


@pytest.mark.browser
@pytest.mark.parametrize("code, written", [("fr", "3 novembre 2025"), ("de", "3. November 2025"),
                                           ("es", "3 de noviembre de 2025"), ("ja", "2025年11月3日"),
                                           ("ar", "3 نوفمبر 2025")])
def test_dates_in_sentences_are_written_the_locale_s_way_and_never_split(browser, url, code, written):
    context, page = device_page(browser, code, 360)
    try:
        page.goto(url + locale_prefix(code) + "data/")
        text = page.locator("article").inner_text()
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), re.search(r".{20}\d{4}-\d{2}-\d{2}", text)
        dates = page.locator("article time.ss-date")
        assert written in dates.all_inner_texts()
        # One line: its pieces (a date in Arabic is several bidi runs) sit at the same height.
        shapes = dates.evaluate_all("""times => times.map(t => {
            const middles = [...t.getClientRects()].map(r => (r.top + r.bottom) / 2);
            const oneLine = Math.max(...middles) - Math.min(...middles) < parseFloat(getComputedStyle(t).fontSize) / 2;
            return [t.getAttribute('datetime'), oneLine, getComputedStyle(t).unicodeBidi];
        })""")
        assert {one_line for _, one_line, _ in shapes} == {True}, "a date breaks across lines"
        assert {bidi for _, _, bidi in shapes} == {"isolate"}
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso) for iso, _, _ in shapes)
    finally:
        context.close()


def test_only_dates_in_running_text_are_rewritten():
    from stepshot.site.dates import dates_in_text
    from stepshot.site.partials import Partials

    html = ('<p>Since 2025-11-03, see <a href="https://x.example/2025-11-03/">2024-09-18</a> and '
            '<code>2025-01-02</code>, <span title="2025-01-02">v1.2025-01-02</span>; 2025-09-17/18; not 2025-13-40.</p>')
    out = dates_in_text(html, "fr", Partials(ROOT / "overrides"))
    assert out == ('<p>Since <time class="ss-date" datetime="2025-11-03" dir="ltr">3 novembre 2025</time>, see '
                   '<a href="https://x.example/2025-11-03/"><time class="ss-date" datetime="2024-09-18" dir="ltr">'
                   '18 septembre 2024</time></a> and <code>2025-01-02</code>, <span title="2025-01-02">v1.2025-01-02'
                   '</span>; <time class="ss-date" datetime="2025-09-17" dir="ltr">17–18 sept. 2025</time>; '
                   'not 2025-13-40.</p>')


@pytest.mark.browser
@pytest.mark.parametrize("code", ["en", "ar", "ja"])
def test_the_checklist_prints_on_one_a4_page_with_every_step_to_tick(browser, url, code):
    context = browser.new_context(**context_options(code))
    page = context.new_page()
    try:
        page.goto(url + locale_prefix(code) + "checklist/")
        flows = page.locator(".ss-checklist__flow")
        assert flows.count() == 2
        assert page.locator(".ss-checklist li").count() == page.locator(".ss-checklist__box").count() == 12
        settings = page.locator(".ss-checklist__setting").all_inner_texts()
        assert all("https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in s for s in settings)
        # Each box sits on the line of its step's text (not alone above it).
        offsets = page.locator(".ss-checklist li").evaluate_all("""items => items.map(li => {
            const box = li.querySelector('.ss-checklist__box').getBoundingClientRect();
            const text = li.querySelector('p').getClientRects()[0];
            return Math.abs((box.top + box.bottom) / 2 - (text.top + text.bottom) / 2);
        })""")
        assert max(offsets) < 12, offsets
        pdf = page.pdf(format="A4")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the checklist prints on more than one page"
    finally:
        context.close()


@pytest.mark.parametrize("code", list(LOCALES))
def test_every_claim_cites_a_source(site, repo_copy, code):
    from stepshot.gates.citations import uncited_claims

    assert uncited_claims(site, repo_copy / "docs", code) == []


def test_each_translation_cites_what_english_cites_and_every_citation_leads_to_its_source(site):
    def citations(path: str) -> list[str]:
        return re.findall(r'class="ss-cite"><a href="[^"#]*#source-([a-z0-9-]+)"', html(site, path))

    sources = yaml.safe_load((ROOT / "docs" / "sources.yml").read_text(encoding="utf-8"))
    for page in ["", "data/", "faq/", "related/", "about/"]:
        english = citations(page)
        assert english, page
        for code in LOCALES:
            assert citations(locale_prefix(code) + page) == english, (code, page)
    listed = re.findall(r'<li id="source-([a-z0-9-]+)"', html(site, "fr/about/"))
    assert listed == list(sources)
    timeline = html(site, "ar/data/").split('id="timeline"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", timeline, re.S)[1:]
    assert len(rows) == 13 and all('class="ss-cite"' in row for row in rows)


def test_the_citation_checker_finds_an_uncited_claim_and_knows_instructions():
    from stepshot.gates.citations import uncited

    cite = '<small class="ss-cite"><a href="#source-x">[X]</a></small>'
    page = (f'<article><p>Claimed. {cite}</p><p>Not cited.</p><p class="ss-instruction">Do this.</p>'
            f'<p>Used: {cite}</p><ul><li>inherits</li></ul><p>Said.</p><ul><li>on its own</li></ul>'
            f'<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>row {cite}</td></tr><tr><td>bare row</td></tr>'
            f'</tbody></table><ol class="ss-steps"><li>a step</li></ol></article>')
    assert uncited(page) == ["p: Not cited.", "p: Said.", "li: on its own", "tr: bare row"]


@pytest.mark.browser
def test_a_team_copies_the_staff_notice_in_french_with_the_guide_and_the_setting(browser, url):
    with copied_by_a_click(browser, url, 390, "fr/teams/", ".ss-notice .ss-copy") as (page, copied):
        assert copied == page.locator(".ss-notice__text").inner_text()
        assert copied.startswith("Objet\u00a0: LinkedIn utilise vos données")  # French: no break before ":"
        assert "ouvrez https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement\n" in copied
        assert f"téléphone\u00a0: {SITE_URL}fr/\n" in copied and "{guide}" not in copied
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
