"""The stand-in against its contract (ARCHITECTURE.md, "The stand-in"): real HTTP, real Chromium."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from difflib import SequenceMatcher
from urllib.parse import quote

import pytest

from stepshot import paths
from stepshot.browser import context_options
from stepshot.errors import BadInput
from stepshot.locales import LOCALES
from stepshot.model import load_project
from stepshot.standin.account import TEST_ACCOUNT
from stepshot.standin.app import create_app
from stepshot.standin.language import best_locale
from stepshot.standin.server import running
from stepshot.standin.variants import RENAMED_KEY, SLOW_DELAY_SECONDS, VARIANTS, labels_shown

PRIVACY = "/mypreferences/d/categories/privacy"
ACCOUNT = "/mypreferences/d/categories/account"
ADS = "/mypreferences/d/categories/ads"
AI = "/mypreferences/d/settings/data-for-ai-improvement"
AFFILIATES = "/mypreferences/d/settings/data-sharing-with-affiliates-and-partners"
RESEARCH = "/mypreferences/d/settings/research"
SIGNED_IN_PAGES = ["/feed/", ACCOUNT, PRIVACY, ADS, AI, AFFILIATES, RESEARCH]


@pytest.fixture(scope="module")
def project():
    return load_project(paths.flow_file(), paths.labels_dir())


@pytest.fixture(scope="module")
def labels(project):
    return labels_shown(project)


@pytest.fixture(scope="module")
def standin():
    with running() as url:
        yield url


@pytest.fixture
def api(playwright_instance, standin):
    """A real HTTP client with its own cookie jar; redirects are returned, not followed."""
    contexts = []

    def new(url=standin, accept_language="en-US"):
        ctx = playwright_instance.request.new_context(base_url=url, max_redirects=0,
                                                     extra_http_headers={"Accept-Language": accept_language})
        contexts.append(ctx)
        return ctx

    yield new
    for ctx in contexts:
        ctx.dispose()


@pytest.fixture
def signed_in(api):
    def new(url=None, accept_language="en-US"):
        client = api(url, accept_language) if url else api(accept_language=accept_language)
        assert client.post("/__standin/session").ok
        return client

    return new


def html_lang_dir(text: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', text)
    assert match, text[:200]
    return match.group(1), match.group(2)


def page_for(browser, url, locale="en", viewport="desktop", sign_in=True):
    context = browser.new_context(**context_options(locale, viewport))
    if sign_in:
        assert context.request.post(url + "/__standin/session").ok
    return context, context.new_page()


# ---------- sign-in, sessions, redirects ----------

@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_out_pages_redirect_to_login_with_next(api, path):
    response = api().get(path)
    assert response.status == 302
    assert response.headers["location"] == f"/login?next={quote(path, safe='')}"


def test_login_form_sets_an_httponly_session_cookie_and_returns_to_next(api):
    client = api()
    form = client.get(f"/login?next={quote(AI, safe='')}")
    assert form.status == 200
    for field in ('name="email"', 'name="password"', ">Sign in</button>", f'value="{AI}"'):
        assert field in form.text()
    response = client.post("/login", form={"email": TEST_ACCOUNT.email, "password": TEST_ACCOUNT.password,
                                           "next": AI})
    assert response.status == 303
    assert response.headers["location"] == AI
    cookie = response.headers["set-cookie"]
    assert "standin_session=" in cookie and "HttpOnly" in cookie
    assert client.get(AI).status == 200


def test_wrong_password_is_refused_without_a_cookie(api):
    client = api()
    response = client.post("/login", form={"email": TEST_ACCOUNT.email, "password": "not-it", "next": "/feed/"})
    assert response.status == 401
    assert "set-cookie" not in response.headers
    assert client.get("/feed/").status == 302


@pytest.mark.parametrize("target", ["//elsewhere.example/", "https://elsewhere.example/", "/\\elsewhere.example"])
def test_login_never_redirects_off_the_server(api, target):
    response = api().post("/login", form={"email": TEST_ACCOUNT.email, "password": TEST_ACCOUNT.password,
                                          "next": target})
    assert response.headers["location"] == "/feed/"


def test_automation_session_signs_the_test_account_in(signed_in):
    client = signed_in()
    feed = client.get("/feed/")
    assert feed.status == 200
    assert f'alt="{TEST_ACCOUNT.name}"' in feed.text() and TEST_ACCOUNT.headline in feed.text()
    home = client.get(ACCOUNT).text()
    assert TEST_ACCOUNT.name in home and TEST_ACCOUNT.email in home


@pytest.fixture
def project_copy(tmp_path):
    """A checkout holding copies of the flow and label files, to change freely."""
    import shutil

    shutil.copytree(paths.labels_dir(), paths.labels_dir(tmp_path))
    shutil.copy(paths.flow_file(), paths.flow_file(tmp_path))
    return tmp_path


def test_pages_show_the_label_files_text(project_copy, signed_in):
    en = paths.labels_dir(project_copy) / "en.yml"
    en.write_text(en.read_text(encoding="utf-8").replace("text: Data privacy", "text: Privacy of data"),
                  encoding="utf-8")
    with running(root=project_copy) as url:
        text = signed_in(url).get(PRIVACY).text()
    assert "<h1 class=\"page-title\">Privacy of data</h1>" in text and ">Data privacy<" not in text


def test_an_invalid_label_file_stops_the_start(project_copy):
    ja = paths.labels_dir(project_copy) / "ja.yml"
    ja.write_text(ja.read_text(encoding="utf-8").replace("  ai_toggle:", "  ai_togle:"), encoding="utf-8")
    with pytest.raises(BadInput, match=r"ja\.yml: labels\.ai_toggle: missing"):
        with running(root=project_copy):
            pass


def test_profile_photo_is_a_generated_svg(api):
    response = api().get(TEST_ACCOUNT.photo_path)
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text().startswith("<svg") and "<text" not in response.text()


def test_rendering_is_deterministic(signed_in):
    client = signed_in()
    assert client.get(PRIVACY).text() == client.get(PRIVACY).text()


# ---------- language ----------

@pytest.mark.parametrize("header, locale", [
    ("pt-BR,pt;q=0.9", "pt-BR"),
    ("pt", "pt-BR"),
    ("pt-PT", "pt-BR"),
    ("ja-JP,ja;q=0.9", "ja"),
    ("ar", "ar"),
    ("hi-IN,hi;q=0.9", "hi"),
    ("en-GB", "en"),
    ("de-AT, en;q=0.5", "de"),
    ("zh-CN, fr;q=0.8", "fr"),
    ("es;q=0.4, it;q=0.9", "it"),
    ("fr;q=0, nl;q=0.5", "nl"),
    ("zh-CN", "en"),
    ("", "en"),
])
def test_best_locale_from_accept_language(header, locale):
    assert best_locale(header) == locale


@pytest.mark.parametrize("header, lang, direction", [("ar", "ar", "rtl"), ("pt", "pt-BR", "ltr"),
                                                     ("ja-JP,ja;q=0.9", "ja", "ltr"), ("hi-IN", "hi", "ltr")])
def test_pages_answer_in_the_accept_language(signed_in, labels, header, lang, direction):
    text = signed_in(accept_language=header).get(PRIVACY).text()
    assert html_lang_dir(text) == (lang, direction)
    assert f">{labels[lang]['data_privacy']}</h1>" in text


def test_account_language_wins_over_accept_language(signed_in, labels):
    client = signed_in(accept_language="fr-FR")
    assert client.post("/__standin/language", data={"locale": "ja"}).ok
    text = client.get(PRIVACY).text()
    assert html_lang_dir(text) == ("ja", "ltr") and labels["ja"]["data_privacy"] in text
    assert client.post("/__standin/language", data={"locale": None}).ok
    assert html_lang_dir(client.get(PRIVACY).text()) == ("fr", "ltr")


def test_language_endpoint_refuses_unknown_locales_and_strangers(api, signed_in):
    assert signed_in().post("/__standin/language", data={"locale": "zh"}).status == 400
    assert api().post("/__standin/language", data={"locale": "fr"}).status == 401


# ---------- switches ----------

def test_switch_state_is_saved_per_account_and_reset_turns_all_on(signed_in, api):
    client = signed_in()
    assert client.post("/__standin/reset").ok
    assert 'aria-checked="true"' in client.get(AI).text()
    saved = client.post(AI, data={"on": False})
    assert saved.ok and saved.json() == {"on": False}
    assert client.post(RESEARCH, data={"on": False}).ok
    # another session of the same account sees the saved state
    other = signed_in()
    assert 'aria-checked="false"' in other.get(AI).text()
    assert 'aria-checked="false"' in other.get(RESEARCH).text()
    assert 'aria-checked="true"' in other.get(AFFILIATES).text()
    assert api().post("/__standin/reset").ok  # automation endpoint: no session needed
    for path in (AI, RESEARCH, AFFILIATES):
        assert 'aria-checked="true"' in other.get(path).text()


@pytest.mark.parametrize("body", ['{"on": "no"}', "[]", "not json"])
def test_switch_refuses_a_malformed_body(signed_in, body):
    response = signed_in().post(AI, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400


def test_switch_requires_a_session(api):
    assert api().post(AI, data={"on": False}).status == 302


# ---------- the contract's roles and names, every locale, both viewports ----------

@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
@pytest.mark.parametrize("locale", list(LOCALES))
def test_contract_roles_and_names(browser, standin, labels, locale, viewport):
    from playwright.sync_api import expect

    t = labels[locale]
    mobile = viewport == "mobile"
    context, page = page_for(browser, standin, locale, viewport)
    try:
        assert context.request.post(standin + "/__standin/reset").ok
        page.goto(standin + "/feed/")
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("html").get_attribute("dir") == ("rtl" if LOCALES[locale].rtl else "ltr")
        me = page.get_by_role("button", name=t["me_menu"], exact=True)
        expect(me.get_by_role("img", name=TEST_ACCOUNT.name, exact=True)).to_be_visible()
        expect(me).to_have_attribute("aria-expanded", "false")
        me.click()
        expect(me).to_have_attribute("aria-expanded", "true")
        menu = page.locator("#" + me.get_attribute("aria-controls"))
        expect(menu.get_by_text(TEST_ACCOUNT.name, exact=True)).to_be_visible()
        expect(menu.get_by_text(TEST_ACCOUNT.headline, exact=True)).to_be_visible()
        shown, hidden = ("settings_mobile", "settings_privacy") if mobile else ("settings_privacy", "settings_mobile")
        expect(page.get_by_role("link", name=t[hidden], exact=True)).to_have_count(0)
        page.get_by_role("link", name=t[shown], exact=True).click()
        expect(page).to_have_url(standin + ACCOUNT)
        expect(page.get_by_text(TEST_ACCOUNT.email, exact=True)).to_be_visible()
        navigation = page.get_by_role("navigation")
        expect(navigation.get_by_role("link", name=t["advertising_data"], exact=True)).to_be_visible()
        navigation.get_by_role("link", name=t["data_privacy"], exact=True).click()

        expect(page).to_have_url(standin + PRIVACY)
        expect(page.get_by_role("heading", level=1, name=t["data_privacy"], exact=True)).to_be_visible()
        expect(page.get_by_role("navigation")).to_have_count(0 if mobile else 1)
        region = page.get_by_role("region", name=t["how_linkedin_uses_data"], exact=True)
        expect(region.get_by_role("link", name=t["research"], exact=True)).to_be_visible()
        region.get_by_role("link", name=t["ai_setting"], exact=True).click()

        expect(page).to_have_url(standin + AI)
        expect(page.get_by_role("heading", level=1, name=t["ai_setting"], exact=True)).to_be_visible()
        expect(page.get_by_text(t["ai_question"], exact=True)).to_be_visible()
        switch = page.get_by_role("switch", name=t["ai_toggle"], exact=True)
        expect(switch).to_have_attribute("aria-checked", "true")
        back = page.get_by_role("link", name=t["data_privacy"], exact=True)
        expect(back).to_be_visible()  # mobile: the back link; desktop: the navigation's link

        page.goto(standin + ADS)
        expect(page.get_by_role("heading", level=1, name=t["advertising_data"], exact=True)).to_be_visible()
        page.get_by_role("link", name=t["ads_affiliates"], exact=True).click()
        expect(page).to_have_url(standin + AFFILIATES)
        expect(page.get_by_role("heading", level=1, name=t["ads_affiliates"], exact=True)).to_be_visible()
        expect(page.get_by_role("switch", name=t["ads_affiliates"], exact=True)).to_have_attribute(
            "aria-checked", "true")

        page.goto(standin + RESEARCH)
        expect(page.get_by_role("heading", level=1, name=t["research"], exact=True)).to_be_visible()
        expect(page.get_by_role("switch", name=t["research"], exact=True)).to_be_visible()
        if mobile:
            page.get_by_role("link", name=t["data_privacy"], exact=True).click()
            expect(page).to_have_url(standin + PRIVACY)
            page.get_by_role("link", name=t["settings_mobile"], exact=True).click()
            expect(page).to_have_url(standin + ACCOUNT)
            expect(page.get_by_role("navigation").get_by_role("link", name=t["data_privacy"], exact=True)) \
                .to_be_visible()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_me_menu_closes_with_escape_and_outside_click(browser, standin, labels, viewport):
    from playwright.sync_api import expect

    context, page = page_for(browser, standin, "en", viewport)
    try:
        page.goto(standin + "/feed/")
        me = page.get_by_role("button", name=labels["en"]["me_menu"], exact=True)
        link = page.get_by_role("link", name=labels["en"]["settings_privacy" if viewport == "desktop"
                                                     else "settings_mobile"], exact=True)
        me.click()
        expect(link).to_be_visible()
        page.keyboard.press("Escape")
        expect(link).to_be_hidden()
        expect(me).to_be_focused()
        me.click()
        expect(link).to_be_visible()
        page.mouse.click(360 if viewport == "mobile" else 640, 600)
        expect(link).to_be_hidden()
    finally:
        context.close()


@pytest.mark.browser
def test_switch_works_by_keyboard_and_persists_across_reload(browser, standin, labels):
    from playwright.sync_api import expect

    context, page = page_for(browser, standin, "de")
    try:
        assert context.request.post(standin + "/__standin/reset").ok
        page.goto(standin + AI)
        switch = page.get_by_role("switch", name=labels["de"]["ai_toggle"], exact=True)
        switch.focus()
        page.keyboard.press("Space")
        expect(switch).to_have_attribute("aria-checked", "false")
        page.reload()
        expect(switch).to_have_attribute("aria-checked", "false")
        switch.focus()
        page.keyboard.press("Enter")
        expect(switch).to_have_attribute("aria-checked", "true")
        switch.click()
        expect(switch).to_have_attribute("aria-checked", "false")
        assert context.request.post(standin + "/__standin/reset").ok
        page.reload()
        expect(switch).to_have_attribute("aria-checked", "true")
    finally:
        context.close()


@pytest.mark.browser
def test_pages_make_no_request_off_the_server(browser, standin):
    context, page = page_for(browser, standin, "ja", "mobile")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        for path in SIGNED_IN_PAGES:
            page.goto(standin + path)
        assert requested and all(url.startswith(standin + "/") or url.startswith("data:") for url in requested), \
            requested
    finally:
        context.close()


@pytest.mark.browser
def test_pages_have_no_accessibility_violations(browser, standin, labels):
    """axe-core, in Arabic (right-to-left): each kind of page, the menu in both layouts, sign-in.

    The feed alone may lack an h1: it only holds placeholders and LinkedIn's own feed heading is not a label.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    no_h1_rule = {"rules": {"page-has-heading-one": {"enabled": False}}}
    found = {}
    for viewport, paths in (("desktop", [ACCOUNT, PRIVACY, AI, ADS]), ("mobile", [AI])):
        context, page = page_for(browser, standin, "ar", viewport)
        try:
            page.goto(standin + "/feed/")
            page.get_by_role("button", name=labels["ar"]["me_menu"], exact=True).click()
            found[viewport, "/feed/ with the menu open"] = axe.run(page, options=no_h1_rule)
            for path in paths:
                page.goto(standin + path)
                found[viewport, path] = axe.run(page)
            if viewport == "desktop":
                context.clear_cookies()
                page.goto(standin + "/login")
                found[viewport, "/login"] = axe.run(page)
        finally:
            context.close()
    violations = {where: [v["id"] for v in result.response["violations"]] for where, result in found.items()}
    assert {where: ids for where, ids in violations.items() if ids} == {}


@pytest.mark.browser
def test_login_page_in_a_browser_signs_in_and_returns(browser, standin, labels):
    from playwright.sync_api import expect

    context, page = page_for(browser, standin, "en", sign_in=False)
    try:
        page.goto(standin + PRIVACY)
        expect(page).to_have_url(re.compile(re.escape(standin) + r"/login\?next="))
        page.get_by_label("Email").fill(TEST_ACCOUNT.email)
        page.get_by_label("Password").fill(TEST_ACCOUNT.password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        expect(page).to_have_url(standin + PRIVACY)
        expect(page.get_by_role("heading", level=1, name=labels["en"]["data_privacy"])).to_be_visible()
        cookie = next(c for c in context.cookies() if c["name"] == "standin_session")
        assert cookie["httpOnly"] is True
    finally:
        context.close()


# ---------- variants ----------

def test_unknown_variant_is_bad_input():
    with pytest.raises(BadInput, match=r"--variant: nope: unknown variant \(known: label-renamed, "):
        with running("nope"):
            pass


def test_delay_without_the_slow_variant_is_bad_input():
    with pytest.raises(BadInput, match="--delay"):
        create_app("restyled", delay=1)


def test_label_renamed_rewords_ai_setting_close_enough_to_suggest(project, labels, signed_in):
    renamed = labels_shown(project, "label-renamed")
    for locale in LOCALES:
        old, new = labels[locale][RENAMED_KEY], renamed[locale][RENAMED_KEY]
        assert new != old
        assert SequenceMatcher(None, old, new).ratio() >= 0.9, (locale, old, new)
        assert {k: v for k, v in renamed[locale].items() if k != RENAMED_KEY} == \
               {k: v for k, v in labels[locale].items() if k != RENAMED_KEY}
    assert renamed["en"][RENAMED_KEY] == "Data for Generative AI Improvements"
    with running("label-renamed") as url:
        for locale in ("en", "ar", "ja"):
            client = signed_in(url, LOCALES[locale].browser)
            for path in (PRIVACY, AI):
                text = client.get(path).text()
                assert renamed[locale][RENAMED_KEY] in text
                assert f">{labels[locale][RENAMED_KEY]}<" not in text


@pytest.mark.browser
def test_setting_moved_puts_the_ai_link_on_the_ads_page(browser, labels):
    from playwright.sync_api import expect

    t = labels["en"]
    with running("setting-moved") as url:
        context, page = page_for(browser, url, "en", "mobile")
        try:
            page.goto(url + PRIVACY)
            region = page.get_by_role("region", name=t["how_linkedin_uses_data"], exact=True)
            expect(region.get_by_role("link", name=t["research"], exact=True)).to_be_visible()
            expect(page.get_by_role("link", name=t["ai_setting"], exact=True)).to_have_count(0)
            page.goto(url + ADS)
            page.get_by_role("link", name=t["ai_setting"], exact=True).click()
            expect(page.get_by_role("heading", level=1, name=t["ai_setting"], exact=True)).to_be_visible()
            page.get_by_role("link", name=t["advertising_data"], exact=True).click()  # back to its new parent
            expect(page).to_have_url(url + ADS)
        finally:
            context.close()


def test_checkpoint_stops_settings_pages_at_a_security_verification(signed_in):
    with running("checkpoint") as url:
        client = signed_in(url)
        assert client.get("/feed/").status == 200
        for path in (ACCOUNT, PRIVACY, AI):
            response = client.get(path)
            assert response.status == 302
            assert response.headers["location"].startswith("/checkpoint/challenge/")
        challenge = client.get(client.get(AI).headers["location"])
        assert challenge.status == 200 and "<h1>Security verification</h1>" in challenge.text()


def test_logged_out_session_never_sticks(api):
    with running("logged-out") as url:
        client = api(url)
        session = client.post("/__standin/session")
        assert session.ok and "standin_session=" in session.headers["set-cookie"]
        for path in SIGNED_IN_PAGES:
            response = client.get(path)
            assert response.status == 302 and response.headers["location"].startswith("/login?next=")
        login = client.post("/login", form={"email": TEST_ACCOUNT.email, "password": TEST_ACCOUNT.password,
                                            "next": PRIVACY})
        assert login.status == 303
        assert client.get(PRIVACY).headers["location"].startswith("/login?next=")


@pytest.mark.browser
@pytest.mark.parametrize("locale, answer", [("en", "consent_reject"), ("ar", "consent_accept")])
def test_cookie_banner_is_a_modal_dialog_until_answered(browser, labels, locale, answer):
    from playwright.sync_api import expect

    t = labels[locale]
    with running("cookie-banner") as url:
        context, page = page_for(browser, url, locale, "desktop")
        try:
            page.goto(url + "/feed/")
            dialog = page.get_by_role("dialog")
            expect(dialog).to_be_visible()
            expect(dialog.get_by_role("button", name=t["consent_reject"], exact=True)).to_be_visible()
            assert page.evaluate("document.querySelector('dialog').matches(':modal')")
            page.keyboard.press("Escape")
            expect(dialog).to_be_visible()
            dialog.get_by_role("button", name=t[answer], exact=True).click()
            expect(dialog).to_be_hidden()
            expected = "rejected" if answer == "consent_reject" else "accepted"
            assert {"name": "standin_consent", "value": expected} in \
                [{"name": c["name"], "value": c["value"]} for c in context.cookies()]
            page.goto(url + PRIVACY)
            expect(page.get_by_role("heading", level=1, name=t["data_privacy"], exact=True)).to_be_visible()
            expect(page.get_by_role("dialog")).to_have_count(0)
        finally:
            context.close()


def test_slow_delays_every_response_by_the_default(api):
    with running("slow") as url:
        client = api(url)
        for path in ("/login", "/static/standin.css"):
            start = time.monotonic()
            assert client.get(path).status == 200
            assert SLOW_DELAY_SECONDS <= time.monotonic() - start < SLOW_DELAY_SECONDS + 2
    assert SLOW_DELAY_SECONDS == 1.5


def test_slow_delay_is_configurable(api):
    with running("slow", delay=0.3) as url:
        start = time.monotonic()
        assert api(url).get("/login").status == 200
        assert 0.3 <= time.monotonic() - start < 1.2


def test_server_error_on_the_privacy_page_only(signed_in):
    with running("server-error") as url:
        client = signed_in(url)
        assert client.get(PRIVACY).status == 500
        for path in ("/feed/", ACCOUNT, ADS, AI):
            assert client.get(path).status == 200


@pytest.mark.browser
def test_restyled_has_the_same_markup_and_a_different_look(browser, signed_in, standin):
    with running("restyled") as url:
        restyled = signed_in(url).get(PRIVACY).text()
        looks = {}
        for name, base in (("plain", standin), ("restyled", url)):
            context, page = page_for(browser, base)
            page.goto(base + PRIVACY)
            looks[name] = page.evaluate("""() => [getComputedStyle(document.documentElement).backgroundColor,
                getComputedStyle(document.querySelector('section')).paddingTop]""")
            context.close()
    plain = signed_in().get(PRIVACY).text()
    assert restyled.replace('<link rel="stylesheet" href="/static/restyled.css">', "") == plain
    assert looks["plain"][0] != looks["restyled"][0] and looks["plain"][1] != looks["restyled"][1]


def test_every_variant_is_tested_here():
    tested = {"label-renamed", "setting-moved", "checkpoint", "logged-out", "cookie-banner", "slow",
              "server-error", "restyled"}
    assert set(VARIANTS) == tested


# ---------- the server itself ----------

def test_server_stops_and_frees_its_port():
    before = set(threading.enumerate())
    with running() as url:
        port = int(url.rsplit(":", 1)[1])
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert set(threading.enumerate()) <= before
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    with socket.socket() as sock:  # as any server would bind it: TIME_WAIT of closed connections allowed
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


def test_cli_serves_in_the_foreground_until_interrupted(labels):
    process = subprocess.Popen([sys.executable, "-m", "stepshot.cli", "stand-in", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        account_line = process.stdout.readline()
        match = re.fullmatch(r"stand-in: (http://127\.0\.0\.1:\d+)/feed/\n", first)
        assert match, first
        assert TEST_ACCOUNT.email in account_line and TEST_ACCOUNT.password in account_line
        import urllib.request

        request = urllib.request.Request(match.group(1) + "/login", headers={"Accept-Language": "nl"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert html_lang_dir(response.read().decode()) == ("nl", "ltr")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.strip().endswith("stand-in stopped")


def test_cli_unknown_variant_exits_2_naming_the_known_ones():
    result = subprocess.run([sys.executable, "-m", "stepshot.cli", "stand-in", "--variant", "nope"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and all(name in lines[0] for name in VARIANTS), result.stderr


def test_cli_busy_port_exits_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "stepshot.cli", "stand-in", "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == f"--port: {port}: cannot listen on 127.0.0.1: Address already in use"
