"""The stand-in against its contract (ARCHITECTURE.md, "The stand-in"): real HTTP, real Chromium.

It must be as hard as LinkedIn: no door LinkedIn does not have, content that arrives late where LinkedIn's
does, names composed the way LinkedIn composes them. These tests pin each of those properties down.
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from conftest import REPO, make_checkout, run_cli
from stepshot.browser import context_options
from stepshot.errors import BadInput
from stepshot.locales import LOCALES
from stepshot.run import MAX_PARALLEL
from stepshot.standin.accounts import OTHER_MEMBERS, TEST_ACCOUNT, TEST_ACCOUNTS
from stepshot.standin.app import CHECKPOINT, create_app
from stepshot.standin.language import best_locale
from stepshot.standin.server import running
from stepshot.standin.sitemap import build
from stepshot.standin.variants import CHANGED_KEY, MARKUPS, SLOW_DELAY_SECONDS, VARIANTS, labels_shown

PRIVACY = "/mypreferences/d/categories/privacy"
ACCOUNT = "/mypreferences/d/categories/account"
ADS = "/mypreferences/d/categories/ads"
AI = "/mypreferences/d/settings/data-for-ai-improvement"
AFFILIATES = "/mypreferences/s/settings/share-data-with-trusted-partners"
RESEARCH = "/mypreferences/d/settings/research"
LANGUAGE = "/mypreferences/d/settings/language"
SIGNED_IN_PAGES = ["/feed/", ACCOUNT, PRIVACY, ADS, AI, AFFILIATES, RESEARCH, LANGUAGE]


@pytest.fixture(scope="module")
def project():
    return REPO.project()


@pytest.fixture(scope="module")
def labels(project):
    return labels_shown(project)


@pytest.fixture(scope="module", params=MARKUPS)
def standin(request):
    with running(REPO, request.param) as served:
        yield served


@pytest.fixture(scope="module")
def linkedin():
    with running(REPO, "linkedin") as served:
        yield served


@pytest.fixture
def api(playwright):
    """A real HTTP client with its own cookie jar; redirects are returned, not followed."""
    contexts = []

    def new(url: str, accept_language="en-US"):
        ctx = playwright.request.new_context(base_url=url, max_redirects=0,
                                             extra_http_headers={"Accept-Language": accept_language})
        contexts.append(ctx)
        return ctx

    yield new
    for ctx in contexts:
        ctx.dispose()


def login_path(markup: str) -> str:
    return "/checkpoint/lg/login-submit" if markup == "linkedin" else "/login"


def sign_in(client, markup: str, account=TEST_ACCOUNT):
    response = client.post(login_path(markup), form={"session_key": account.email,
                                                     "session_password": account.password})
    assert response.status == 303, response.text()
    return response


def html_lang(text: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', text)
    assert match, text[:200]
    return match.group(1)


# ---------- sign-in: only the form, as on linkedin.com ----------

@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_out_pages_redirect_to_login_with_the_way_back(api, linkedin, path):
    response = api(linkedin.url).get(path)
    assert response.status == 302
    assert response.headers["location"] == f"/login?session_redirect={quote(path, safe='')}"


def test_the_login_form_sets_an_httponly_session_cookie_and_returns(api, standin):
    client = api(standin.url)
    markup = standin.standin.markup
    response = client.post(login_path(markup), form={"session_key": TEST_ACCOUNT.email,
                                                     "session_password": TEST_ACCOUNT.password,
                                                     "session_redirect": PRIVACY})
    assert response.status == 303 and response.headers["location"] == PRIVACY
    cookie = next(c for c in client.storage_state()["cookies"] if c["name"] == "li_at")
    assert cookie["httpOnly"] is True
    assert client.get("/feed/").status == 200


def test_a_wrong_password_is_refused_without_a_cookie(api, linkedin):
    client = api(linkedin.url)
    response = client.post(login_path("linkedin"), form={"session_key": TEST_ACCOUNT.email,
                                                         "session_password": "guess"})
    assert response.status == 401
    assert not [c for c in client.storage_state()["cookies"] if c["name"] == "li_at"]


@pytest.mark.parametrize("target", ["//elsewhere.example/", "https://elsewhere.example/", "/\\elsewhere.example"])
def test_login_never_redirects_off_the_server(api, linkedin, target):
    response = api(linkedin.url).post(login_path("linkedin"), form={
        "session_key": TEST_ACCOUNT.email, "session_password": TEST_ACCOUNT.password, "session_redirect": target})
    assert response.headers["location"] == "/feed/"


@pytest.mark.parametrize("path", ["/__standin/session", "/__standin/reset", "/__standin/language",
                                  "/__standin/health"])
def test_there_is_no_door_linkedin_does_not_have(api, standin, path):
    client = api(standin.url)
    assert client.post(path).status in (404, 405)
    assert client.get(path).status in (404, 405)


def test_every_request_is_logged_in_order(api, linkedin):
    before = len(linkedin.requests)
    client = api(linkedin.url)
    client.get("/feed/")
    client.post(login_path("linkedin"), form={"session_key": "x", "session_password": "y"})
    assert linkedin.requests[before:] == [("GET", "/feed/"), ("POST", "/checkpoint/lg/login-submit")]


# ---------- the display language: the account's setting, never Accept-Language ----------

def test_signed_out_pages_follow_the_browser_and_signed_in_pages_the_account(api, standin):
    markup = standin.standin.markup
    client = api(standin.url, accept_language="fr-FR,fr;q=0.9")
    assert html_lang(client.get("/login").text()) == "fr"
    sign_in(client, markup, TEST_ACCOUNTS[1])
    page = client.get("/feed/")
    assert html_lang(page.text()) == "en"  # the account's language, whatever the browser asks for
    assert "v=2&lang=en-us" in page.headers.get("set-cookie", "")


def change_language(client, markup: str, value: str):
    if markup == "linkedin":
        return client.put("/mysettings-api/settingsApiSettings/interfaceLocale", data={"interfaceLocale": value})
    return client.post(LANGUAGE, form={"interfaceLocale": value})


def test_the_language_setting_changes_every_page_and_the_lang_cookie_mirrors_it(api, standin):
    markup = standin.standin.markup
    client = api(standin.url)
    sign_in(client, markup, TEST_ACCOUNTS[2])
    assert change_language(client, markup, "ja_JP").status in (200, 303)
    for path in ("/feed/", AI):
        assert html_lang(client.get(path).text()) == "ja"
    lang = next(c for c in client.storage_state()["cookies"] if c["name"] == "lang")
    assert lang["value"].strip('"') == "v=2&lang=ja-jp"
    assert change_language(client, markup, "xx_XX").status == 400
    assert html_lang(client.get("/feed/").text()) == "ja"
    change_language(client, markup, "en_US")


def test_a_lang_cookie_alone_changes_nothing(api, linkedin):
    client = api(linkedin.url)
    sign_in(client, "linkedin", TEST_ACCOUNTS[3])
    page = client.get("/feed/", headers={"Cookie": "lang=v=2&lang=fr-fr; " + "; ".join(
        f"{c['name']}={c['value']}" for c in client.storage_state()["cookies"] if c["name"] == "li_at")})
    assert html_lang(page.text()) == "en"


def test_the_language_page_offers_every_locale_by_linkedin_value(api, linkedin):
    client = api(linkedin.url)
    sign_in(client, "linkedin", TEST_ACCOUNTS[4])
    data = client.get("/voyager/api/settings/page", params={"path": LANGUAGE}).json()
    values = re.findall(r'<option value="([^"]+)"', data["html"])
    assert values == [loc.linkedin for loc in LOCALES.values()]


@pytest.mark.parametrize("header, locale", [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"), ("pt", "pt-BR"), ("de;q=0, es", "es"), ("xx", "en"), ("", "en"),
    ("ar-EG", "ar"), ("ja-JP,ja", "ja"), ("en;q=0.5,nl;q=0.9", "nl"),
])
def test_best_locale_from_accept_language(header, locale):
    assert best_locale(header) == locale


# ---------- switches: saved per account, on the server ----------

def save(client, markup: str, path: str, body):
    if markup == "linkedin":
        return client.post("/voyager/api/settings/switch", params={"path": path}, data=body)
    return client.post(path, data=body)


def test_switches_start_on_and_are_saved_per_account(api, standin):
    markup = standin.standin.markup
    first, second = api(standin.url), api(standin.url)
    sign_in(first, markup, TEST_ACCOUNTS[0])
    sign_in(second, markup, TEST_ACCOUNTS[1])
    assert save(first, markup, AI, {"on": False}).json() == {"on": False}
    assert standin.standin.state.switch(TEST_ACCOUNTS[0].email, AI) is False
    assert standin.standin.state.switch(TEST_ACCOUNTS[1].email, AI) is True
    save(first, markup, AI, {"on": True})


@pytest.mark.parametrize("body", ['{"on": "no"}', "[]", "not json"])
def test_a_switch_refuses_a_malformed_body(api, linkedin, body):
    client = api(linkedin.url)
    sign_in(client, "linkedin")
    response = client.post("/voyager/api/settings/switch", params={"path": AI}, data=body,
                           headers={"Content-Type": "application/json"})
    assert response.status == 400


def test_a_switch_needs_a_session_and_a_switch_page(api, linkedin):
    client = api(linkedin.url)
    assert save(client, "linkedin", AI, {"on": False}).status == 401
    sign_in(client, "linkedin")
    assert save(client, "linkedin", PRIVACY, {"on": False}).status == 404


# ---------- pages built from the flow ----------

def test_the_pages_are_the_flow_file_s(project):
    sitemap = build(project.flow, project.flow_path)
    assert sitemap.menu_button == "me_menu" and sitemap.home == ACCOUNT
    assert [(link.label, sorted(link.viewports)) for link in sitemap.menu] == [
        ("settings_privacy", ["desktop"]), ("settings_mobile", ["mobile"])]
    assert [link.label for link in sitemap.nav] == ["data_privacy", "advertising_data"]
    privacy = sitemap.page(PRIVACY)
    assert privacy.title == "data_privacy"
    assert [(s.heading, [link.label for link in s.links]) for s in privacy.sections] == [
        ("how_linkedin_uses_data", ["ai_setting", "research"])]
    assert sitemap.page(AI).switch == "ai_toggle" and sitemap.page(AI).texts == ["ai_question"]
    assert sitemap.page(AFFILIATES).parent == ADS and sitemap.page(ADS).parent == ACCOUNT


def test_a_link_without_href_stops_the_start(tmp_path):
    checkout = make_checkout(tmp_path, link=False)
    flow = checkout.flow_file
    flow.write_text(flow.read_text().replace(", href: /mypreferences/d/categories/privacy}", "}", 1))
    with pytest.raises(BadInput) as exc:
        create_app(checkout)
    assert exc.value.lines == [f"{flow}: flows.0.steps.2.action.target.href: missing: the stand-in builds its "
                               "pages from the path each link leads to"]


def test_pages_show_the_label_files_text(api, tmp_path):
    checkout = make_checkout(tmp_path, link=False)
    de = checkout.labels_dir / "de.yml"
    de.write_text(de.read_text().replace("text: Anzeigendaten", "text: Reklamedaten"))
    with running(checkout, "neutral") as served:
        client = api(served.url)
        sign_in(client, "neutral")
        change_language(client, "neutral", "de_DE")
        assert "Reklamedaten" in client.get(ADS).text()


def test_an_invalid_label_file_stops_the_start(tmp_path):
    checkout = make_checkout(tmp_path, link=False)
    (checkout.labels_dir / "fr.yml").write_text("locale: fr\nlabels: []\n")
    with pytest.raises(BadInput):
        create_app(checkout)


def test_profile_photos_are_drawn_and_distinct(api, linkedin):
    client = api(linkedin.url)
    photos = {member.name: client.get(member.photo_path) for member in (*TEST_ACCOUNTS, *OTHER_MEMBERS)}
    assert all(r.status == 200 and r.headers["content-type"] == "image/svg+xml" for r in photos.values())
    assert len({r.body() for r in photos.values()}) == len(photos)
    assert all(b"<text" not in r.body() for r in photos.values())


# ---------- in a browser: what LinkedIn's markup makes hard ----------

def open_signed_in(browser, served, locale="en", viewport="desktop", account=TEST_ACCOUNT):
    context = browser.new_context(**context_options(locale, viewport))
    page = context.new_page()
    page.goto(served.url + "/login")
    consent = page.get_by_role("dialog").get_by_role("button", name="Reject", exact=True)
    if consent.count():
        consent.click()
    page.locator("#username").fill(account.email)
    page.locator("#password").fill(account.password)
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/feed/")
    return context, page


def test_linkedin_me_button_is_named_by_photo_and_text_and_its_menu_is_built_on_click(browser, linkedin, labels):
    context, page = open_signed_in(browser, linkedin)
    try:
        me = page.get_by_role("button", name=f"{TEST_ACCOUNT.name} {labels['en']['me_menu']}", exact=True)
        expect(me).to_be_visible()
        expect(page.get_by_role("button", name=labels["en"]["me_menu"], exact=True)).to_have_count(0)
        assert page.locator("a[href='/mypreferences/d/categories/account']").count() == 0  # not built yet
        me.click()
        expect(page.get_by_role("link", name=labels["en"]["settings_privacy"], exact=True)).to_be_visible()
        expect(page.get_by_role("link", name=labels["en"]["settings_mobile"], exact=True)).to_have_count(0)
    finally:
        context.close()


def test_linkedin_photos_load_late_from_a_data_attribute(browser, linkedin):
    context, page = open_signed_in(browser, linkedin)
    try:
        photo = page.locator("img.global-nav__me-photo")
        assert "ghost-person" in photo.get_attribute("src")
        assert photo.get_attribute("data-delayed-url") == TEST_ACCOUNT.photo_path
        expect(photo).to_have_attribute("src", TEST_ACCOUNT.photo_path)
    finally:
        context.close()


def test_linkedin_messaging_overlay_arrives_after_load_with_names_and_photos(browser, linkedin):
    context, page = open_signed_in(browser, linkedin)
    try:
        page.goto(linkedin.url + "/feed/", wait_until="load")
        overlay = page.locator("#msg-overlay")
        assert overlay.count() == 0
        expect(overlay).to_be_visible()
        expect(overlay.get_by_text(TEST_ACCOUNT.name)).to_be_visible()
        assert overlay.locator(f"img[src='{TEST_ACCOUNT.photo_path}']").count() == 1
        assert page.get_by_text(OTHER_MEMBERS[0].name).count() >= 1  # other members' posts in the feed
    finally:
        context.close()


def test_linkedin_settings_render_after_load_and_navigate_in_the_page(browser, linkedin, labels):
    t = labels["en"]
    context, page = open_signed_in(browser, linkedin)
    try:
        page.goto(linkedin.url + ACCOUNT, wait_until="domcontentloaded")
        assert page.get_by_role("link", name=t["data_privacy"]).count() == 0  # content comes by a data request
        link = page.get_by_role("link", name=t["data_privacy"], exact=True)
        expect(link).to_be_visible()
        documents = []
        page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)
        link.click()
        expect(page).to_have_url(linkedin.url + PRIVACY)
        expect(page.get_by_role("heading", level=1, name=t["data_privacy"], exact=True)).to_be_visible()
        assert documents == []  # in-page navigation
        # The section has a heading but no accessible name: it is no region.
        expect(page.get_by_role("region", name=t["how_linkedin_uses_data"])).to_have_count(0)
        # A setting's row shows its state: the state word is part of the link's name.
        expect(page.get_by_role("link", name=f"{t['ai_setting']} {t['switch_on']}", exact=True)).to_be_visible()
    finally:
        context.close()


def test_linkedin_switch_is_a_labelled_checkbox_disabled_while_saving(browser, linkedin, labels):
    t = labels["en"]
    context, page = open_signed_in(browser, linkedin, account=TEST_ACCOUNTS[5])
    try:
        page.goto(linkedin.url + AI)
        switch = page.get_by_role("switch", name=t["ai_toggle"], exact=True)
        expect(switch).to_be_checked()
        assert switch.evaluate("el => el.localName + ':' + el.type") == "input:checkbox"
        text = page.locator(".artdeco-toggle__text")
        expect(text).to_have_text(t["switch_on"])
        switch.click()
        expect(switch).to_be_disabled()
        expect(text).to_have_text(t["switch_on"])  # not yet: the save is still running
        expect(switch).to_be_enabled()
        expect(text).to_have_text(t["switch_off"])
        page.reload()
        expect(page.get_by_role("switch", name=t["ai_toggle"], exact=True)).not_to_be_checked()
        page.get_by_role("switch", name=t["ai_toggle"], exact=True).click()
        expect(page.locator(".artdeco-toggle__text")).to_have_text(t["switch_on"])
        page.goto(linkedin.url + AFFILIATES)
        absent = page.get_by_role("switch", name=t["ads_affiliates"], exact=True)
        expect(absent).to_be_checked()
        assert absent.get_attribute("aria-checked") is None
        page.goto(linkedin.url + RESEARCH)
        stale = page.get_by_role("switch", name=t["research"], exact=True)
        stale.click()
        expect(page.locator(".artdeco-toggle__text")).to_have_text(t["switch_off"])
        expect(stale).to_have_attribute("aria-checked", "true")  # stale: only `checked` tells
        expect(stale).not_to_be_checked()
        stale.click()
        expect(page.locator(".artdeco-toggle__text")).to_have_text(t["switch_on"])
    finally:
        context.close()


@pytest.mark.parametrize("markup", MARKUPS)
def test_the_other_layout_s_controls_are_in_the_page_but_hidden(browser, markup, labels):
    with running(REPO, markup) as served:
        context, page = open_signed_in(browser, served, viewport="mobile")
        try:
            page.get_by_role("button", name=re.compile(labels["en"]["me_menu"] + "$")).filter(visible=True).click()
            expect(page.get_by_role("link", name=labels["en"]["settings_mobile"], exact=True)).to_be_visible()
            desktop_me = page.locator("#me-trigger" if markup == "linkedin" else ".me-text")
            assert desktop_me.count() == 1
        finally:
            context.close()


def test_pages_make_no_request_off_the_server(browser, standin, labels):
    context, page = open_signed_in(browser, standin)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((standin.url, "data:")) else None)
    try:
        for path in SIGNED_IN_PAGES:
            page.goto(standin.url + path, wait_until="load")
            page.wait_for_timeout(300)
        assert outside == []
    finally:
        context.close()


def test_settings_pages_have_no_accessibility_violations(browser, standin, labels):
    from axe_playwright_python.sync_playwright import Axe

    context, page = open_signed_in(browser, standin)
    try:
        for path in (ACCOUNT, PRIVACY, AI):
            page.goto(standin.url + path)
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            if standin.standin.markup == "linkedin":  # the late messaging overlay is part of the page axe must judge
                expect(page.locator("#msg-overlay")).to_be_attached()
            result = Axe().run(page)
            assert result.violations_count == 0, (path, result.generate_report())
    finally:
        context.close()


# ---------- variants ----------

def test_label_renamed_rewords_the_setting_close_enough_to_suggest(project):
    from stepshot.suggest import similarity

    renamed = labels_shown(project, "label-renamed")
    for code in LOCALES:
        old, new = project.text(code, CHANGED_KEY), renamed[code][CHANGED_KEY]
        assert new != old and similarity(old, new) >= 0.9, code


def test_setting_moved_and_two_matches_move_and_repeat_the_link(project):
    from stepshot.standin.variants import apply_to_sitemap

    moved = apply_to_sitemap(build(project.flow, project.flow_path), "setting-moved")
    assert CHANGED_KEY not in [link.label for link in moved.page(PRIVACY).links()]
    assert CHANGED_KEY in [link.label for link in moved.page(ADS).links()]
    twice = apply_to_sitemap(build(project.flow, project.flow_path), "two-matches")
    assert [link.label for link in twice.page(PRIVACY).links()].count(CHANGED_KEY) == 2


@pytest.mark.parametrize("markup", MARKUPS)
def test_checkpoint_by_redirect_or_by_script(browser, markup):
    with running(REPO, markup, "checkpoint") as served:
        context, page = open_signed_in(browser, served)
        try:
            documents = []
            page.on("response", lambda r: documents.append((r.status, r.url)) if r.request.resource_type == "document" else None)
            page.goto(served.url + PRIVACY)
            expect(page).to_have_url(re.compile(re.escape(served.url + CHECKPOINT)))
            if markup == "linkedin":
                assert documents[0] == (200, served.url + PRIVACY)  # the page loaded; a script went on
            else:
                assert documents[0][0] == 302
        finally:
            context.close()


def test_logged_out_no_login_sticks(api):
    with running(REPO, "linkedin", "logged-out") as served:
        client = api(served.url)
        sign_in(client, "linkedin")
        assert client.get("/feed/").status == 302


@pytest.mark.parametrize("markup, role_dialog", [("linkedin", False), ("neutral", True)])
def test_cookie_banner_is_a_late_region_or_a_modal_dialog_until_answered(browser, markup, role_dialog, labels):
    with running(REPO, markup, "cookie-banner") as served:
        context = browser.new_context(**context_options("en", "desktop"))
        try:
            page = context.new_page()
            # What the page holds when its load event fires (counted in the page: a busy machine may let the
            # banner's timer run before the test could look).
            page.add_init_script("addEventListener('load', () => { window.buttonsAtLoad ="
                                 " document.querySelectorAll('button').length; })")
            page.goto(served.url + "/login", wait_until="load")
            reject = page.get_by_role("button", name=labels["en"]["consent_reject"], exact=True)
            if not role_dialog:
                at_load = page.evaluate("window.buttonsAtLoad")
                expect(reject).to_be_visible()
                assert page.locator("button").count() == at_load + 2  # Accept and Reject arrived after load
            expect(reject).to_be_visible()
            expect(page.get_by_role("dialog")).to_have_count(1 if role_dialog else 0)
            reject.click()
            expect(reject).to_have_count(0)
            page.reload(wait_until="load")
            page.wait_for_timeout(800)
            expect(reject).to_have_count(0)
        finally:
            context.close()


def test_slow_delays_every_response(api):
    with running(REPO, "linkedin", "slow", delay=0.5) as served:
        started = time.monotonic()
        api(served.url).get("/login")
        assert time.monotonic() - started >= 0.5
    with pytest.raises(BadInput, match="only the slow variant delays"):
        create_app(REPO, "linkedin", "checkpoint", delay=1.0)
    assert SLOW_DELAY_SECONDS == 1.5


@pytest.mark.parametrize("markup", MARKUPS)
def test_server_error_on_the_privacy_page_only(api, markup):
    with running(REPO, markup, "server-error") as served:
        client = api(served.url)
        sign_in(client, markup)
        if markup == "linkedin":
            page = client.get("/voyager/api/settings/page", params={"path": PRIVACY})
            other = client.get("/voyager/api/settings/page", params={"path": ADS})
        else:
            page, other = client.get(PRIVACY), client.get(ADS)
        assert page.status == 500 and other.status == 200


def test_save_rejected_refuses_every_switch(api):
    with running(REPO, "linkedin", "save-rejected") as served:
        client = api(served.url)
        sign_in(client, "linkedin")
        assert save(client, "linkedin", AI, {"on": False}).status == 422
        assert served.standin.state.switch(TEST_ACCOUNT.email, AI) is True


def test_language_ignored_keeps_the_first_language(api):
    with running(REPO, "linkedin", "language-ignored") as served:
        client = api(served.url)
        sign_in(client, "linkedin")
        assert change_language(client, "linkedin", "fr_FR").status == 200
        assert html_lang(client.get("/feed/").text()) == "en"


def test_restyled_has_the_same_text_and_another_look(api):
    with running(REPO, "linkedin") as plain, running(REPO, "linkedin", "restyled") as styled:
        pages = []
        for served in (plain, styled):
            client = api(served.url)
            sign_in(client, "linkedin")
            pages.append(client.get("/voyager/api/settings/page", params={"path": PRIVACY}).json()["html"])
            assert ("restyled.css" in client.get("/feed/").text()) == (served is styled)
        assert pages[0] == pages[1]


def test_every_variant_is_tested_here():
    tested = {"label-renamed", "setting-moved", "setting-gone", "checkpoint", "logged-out", "cookie-banner", "slow",
              "server-error", "restyled", "save-rejected", "language-ignored", "two-matches",
              "late-personal-data", "switch-redrawn"}
    # late-personal-data in test_capture.py; the setting ones and switch-redrawn in test_walker.py
    assert set(VARIANTS) == tested


# ---------- the server itself ----------

def test_server_stops_and_frees_its_port():
    before = set(threading.enumerate())
    with running(REPO) as served:
        port = int(served.url.rsplit(":", 1)[1])
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", served.url)
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert set(threading.enumerate()) <= before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_cli_serves_in_the_foreground_until_interrupted():
    process = subprocess.Popen([sys.executable, "-m", "stepshot.cli", "stand-in", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        account_line = process.stdout.readline()
        match = re.fullmatch(r"stand-in \(linkedin markup\): (http://127\.0\.0\.1:\d+)/feed/\n", first)
        assert match, first
        assert TEST_ACCOUNT.email in account_line and TEST_ACCOUNT.password in account_line
        import urllib.request

        request = urllib.request.Request(match.group(1) + "/login", headers={"Accept-Language": "nl"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert html_lang(response.read().decode()) == "nl"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.strip().endswith("stand-in stopped")


def test_cli_busy_port_exits_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("stand-in", "--port", str(port))
    assert result.code == 2
    assert result.err.strip() == f"--port: {port}: cannot listen on 127.0.0.1: Address already in use"


def test_the_test_accounts_are_fictional_and_enough_for_every_parallel_session():
    assert all(a.email.endswith("@example.com") for a in TEST_ACCOUNTS)
    assert len({a.name for a in TEST_ACCOUNTS}) == len(TEST_ACCOUNTS) >= MAX_PARALLEL
