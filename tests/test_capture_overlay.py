"""Annotation and redaction in a real Chromium, on small pages served over HTTP by the test."""

from __future__ import annotations

import re
from http.server import SimpleHTTPRequestHandler

import pytest
from conftest import serve_http

from stepshot import annotate, paths, redact
from stepshot.browser import context_options
from stepshot.capture import _crop
from stepshot.locales import LOCALES
from stepshot.model import load_project
from stepshot.standin.server import running

pytestmark = pytest.mark.browser

ACCOUNT = redact.PersonalData(name="Robin Castell", headline="Supply Chain Analyst at Harbourline Freight",
                              email="robin.castell@example.com", photo="/media/me.svg")
PERSONA = redact.Persona(name="Alex Morgan", headline="Member of the public", email="alex.morgan@example.org",
                         avatar_color="#7a8699")
PHOTO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="20" fill="red"/></svg>'

PAGES = {
    "me.svg": PHOTO,
    "inner.html": "<!doctype html><p id=inner>Signed in as Robin Castell (ROBIN.CASTELL@EXAMPLE.COM)</p>",
    "profile.html": """<!doctype html><html><head><title>Robin Castell | Feed</title></head><body>
        <p id=hello>Hello Robin, welcome back. Robinson Crusoe and Castellano stay.</p>
        <img id=photo src="/media/me.svg" alt="Robin Castell" width=40 height=40>
        <img id=other src="/media/me.svg#logo" alt="Company logo" width=40 height=40>
        <input id=mail value="robin.castell@example.com">
        <div id=head title="Supply Chain Analyst at Harbourline Freight">Supply Chain Analyst at Harbourline Freight</div>
        <!-- account: robin.castell@example.com -->
        <div id=host></div>
        <iframe id=frame src="/inner.html" width=400 height=60></iframe>
        <script>
          document.getElementById('host').attachShadow({mode: 'open'}).innerHTML = '<span>Robin Castell</span>';
        </script>
        </body></html>""",
    "controls.html": """<!doctype html><html><head><style>
          body { margin: 0; font: 16px sans-serif; }
          button { position: absolute; padding: 6px 12px; }
          #middle { left: 600px; top: 300px; } #right-edge { right: 0; top: 500px; }
          #left-edge { left: 0; top: 100px; } #wide { left: 0; width: 100%; top: 700px; }
          main { position: absolute; left: 200px; top: 250px; width: 800px; height: 200px; }
        </style></head><body><main></main>
        <button id=middle>Settings &amp; Privacy</button><button id=right-edge>Me</button>
        <button id=left-edge>Data privacy</button><button id=wide>Full width row</button></body></html>""",
}


class Handler(SimpleHTTPRequestHandler):
    def do_GET(self):
        name = self.path.split("?")[0].split("#")[0].rsplit("/", 1)[-1]
        if name not in PAGES:
            self.send_error(404)
            return
        body = PAGES[name].encode()
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml" if name.endswith(".svg") else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    with serve_http(Handler) as url:
        yield url


@pytest.fixture
def open_page(browser):
    contexts = []

    def opener(url, locale="en", viewport="desktop"):
        context = browser.new_context(**context_options(locale, viewport))
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return page

    yield opener
    for context in contexts:
        context.close()


ACCOUNT_STRINGS = [ACCOUNT.name, ACCOUNT.headline, ACCOUNT.email, ACCOUNT.email.upper()]
NAME_PARTS = re.compile(r"\b(Robin|Castell)\b")  # as whole words: "Robinson" is someone else


def all_content(page) -> str:
    shadow = page.evaluate("document.getElementById('host').shadowRoot.innerHTML")
    return "\n".join(frame.content() for frame in page.frames) + shadow


def test_redaction_replaces_personal_data_in_every_frame_attribute_and_shadow_root(open_page, server):
    page = open_page(server + "/profile.html")
    before = all_content(page)
    for text in ACCOUNT_STRINGS:
        assert text in before  # positive control
    assert NAME_PARTS.search(before)
    changed = redact.redact(page, ACCOUNT, PERSONA)
    after = all_content(page)
    for text in ACCOUNT_STRINGS:
        assert text not in after, text
    assert not NAME_PARTS.search(after)
    assert changed >= 9
    assert page.title() == "Alex Morgan | Feed"
    assert page.locator("#hello").inner_text() == "Hello Alex, welcome back. Robinson Crusoe and Castellano stay."
    assert page.locator("#mail").input_value() == PERSONA.email
    assert page.locator("#head").get_attribute("title") == PERSONA.headline
    assert page.frame_locator("#frame").locator("#inner").inner_text() == \
        "Signed in as Alex Morgan (alex.morgan@example.org)"
    photo = page.locator("#photo")
    assert photo.get_attribute("src") == redact.avatar_data_url(PERSONA)
    assert photo.get_attribute("alt") == PERSONA.name
    assert photo.evaluate("img => img.complete && img.naturalWidth > 0")
    # an image whose URL merely contains the photo's path with a fragment is the photo too; the logo's alt is kept
    assert page.locator("#other").get_attribute("alt") == "Company logo"


def test_redaction_of_a_live_account_needs_its_file(monkeypatch, tmp_path):
    monkeypatch.delenv(redact.ACCOUNT_ENV, raising=False)
    with pytest.raises(Exception, match="STEPSHOT_ACCOUNT: required to capture a live target"):
        redact.account_for(stand_in=False)
    file = tmp_path / "account.json"
    file.write_text('{"name": "Kim Lee", "headline": "Nurse", "email": "kim@example.net", "phone": "1"}')
    monkeypatch.setenv(redact.ACCOUNT_ENV, str(file))
    with pytest.raises(Exception, match=r"account.json: phone: unknown key"):
        redact.account_for(stand_in=False)
    file.write_text('{"name": "Kim Lee", "headline": "Nurse", "email": "kim@example.net"}')
    assert redact.account_for(stand_in=False).name == "Kim Lee"


def test_the_persona_file_of_the_repository_is_valid():
    persona = redact.load_persona()
    assert persona.name and "@" in persona.email


VIEWPORT = {"x": 0, "y": 0, "width": 1280, "height": 800}


def overlaps(a, b) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def contains(outer, inner) -> bool:
    return outer["x"] <= inner["x"] and outer["y"] <= inner["y"] and \
        outer["x"] + outer["width"] >= inner["x"] + inner["width"] and \
        outer["y"] + outer["height"] >= inner["y"] + inner["height"]


def draw_on(page, selector, rtl=False, callout="Select this", number=3):
    box = page.locator(selector).bounding_box()
    return box, annotate.draw(page, box, number, callout, rtl, "ar" if rtl else "en", VIEWPORT)


def drawn(page, part):
    return page.locator(f"#{annotate.OVERLAY_ID} [data-part={part}]")


def test_annotation_ltr_sits_right_of_the_control_with_the_step_number(open_page, server):
    page = open_page(server + "/controls.html")
    box, a = draw_on(page, "#middle")
    assert a.side == "right"
    assert contains(a.outline, box)
    assert a.badge["x"] >= box["x"] + box["width"]
    assert a.callout["x"] > a.badge["x"]  # badge next to the control, callout beyond it
    assert drawn(page, "badge").inner_text() == "3"
    assert drawn(page, "callout").inner_text() == "Select this"
    # the overlay takes no clicks: the control underneath still gets them
    page.locator("#middle").click(timeout=2000)
    annotate.remove(page)
    assert drawn(page, "badge").count() == 0


def test_annotation_rtl_is_mirrored(open_page, server):
    page = open_page(server + "/controls.html", locale="ar")
    box, a = draw_on(page, "#middle", rtl=True, callout="اختر هذا")
    assert a.side == "left"
    assert contains(a.outline, box)
    assert a.badge["x"] + a.badge["width"] <= box["x"]
    assert a.callout["x"] + a.callout["width"] <= a.badge["x"]  # badge nearest the control


@pytest.mark.parametrize("selector,rtl,expected_side", [
    ("#right-edge", False, "left"),     # no room on the right: the other side
    ("#left-edge", True, "right"),      # mirrored
    ("#wide", False, "below"),          # no room on either side
])
def test_annotation_moves_where_there_is_room_and_never_covers_the_control(open_page, server, selector, rtl,
                                                                            expected_side):
    page = open_page(server + "/controls.html", locale="ar" if rtl else "en")
    box, a = draw_on(page, selector, rtl=rtl)
    assert a.side == expected_side
    for rect in (a.badge, a.callout):
        assert not overlaps(rect, box)
        assert contains(VIEWPORT, rect)
    assert contains(VIEWPORT, a.outline)


def test_crops_frame_the_control_and_its_annotation(open_page, server):
    page = open_page(server + "/controls.html")
    box, a = draw_on(page, "#middle")
    assert _crop(page, "viewport", box, a, VIEWPORT) is None
    target = _crop(page, "target", box, a, VIEWPORT)
    for rect in a.rects():
        assert contains(target, rect)
    assert target["width"] < 600 and target["height"] < 200
    assert all(isinstance(v, int) for v in target.values())
    main = _crop(page, "main", box, a, VIEWPORT)
    assert contains(main, {"x": 200, "y": 250, "width": 800, "height": 200}) and contains(main, target)
    # clamped to the viewport when the control sits at its edge
    box, a = draw_on(page, "#right-edge")
    assert contains(VIEWPORT, _crop(page, "target", box, a, VIEWPORT))


AI_SETTING_PATH = "/mypreferences/d/settings/data-for-ai-improvement"


@pytest.fixture(scope="module")
def stand_in():
    with running() as url:
        yield url


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_mobile_toggle_callout_goes_below_the_row_not_over_its_label(browser, stand_in, locale):
    """On a phone the switch's label fills its row: the callout must leave the row, the badge stay by the switch."""
    project = load_project(paths.flow_file(), paths.labels_dir(), [locale])
    context = browser.new_context(**context_options(locale, "mobile"))
    try:
        assert context.request.post(stand_in + "/__standin/session").ok
        page = context.new_page()
        page.goto(stand_in + AI_SETTING_PATH)
        switch = page.get_by_role("switch", name=project.text(locale, "ai_toggle"), exact=True)
        label = page.get_by_text(project.text(locale, "ai_toggle"), exact=True)
        box, label_box = switch.bounding_box(), label.bounding_box()
        size = page.viewport_size
        bounds = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        callout = project.labels[locale].callouts["turn_off"]
        a = annotate.draw(page, box, 5, callout, LOCALES[locale].rtl, locale, bounds)
        assert drawn(page, "callout").inner_text() == callout
        row = {"x": bounds["x"], "y": box["y"], "width": bounds["width"], "height": box["height"]}
        assert overlaps(label_box, row)  # positive control: the label shares the switch's row
        assert a.side in ("below", "above")
        assert not overlaps(a.callout, row)
        for rect in (a.badge, a.callout):
            assert not overlaps(rect, a.outline) and not overlaps(rect, label_box)
            assert contains(bounds, rect)
        # the badge right by the outline: within its width, a margin away from it (or from the label's
        # last line, where that reaches lower)
        assert a.outline["x"] <= a.badge["x"] and \
            a.badge["x"] + a.badge["width"] <= a.outline["x"] + a.outline["width"]
        gap = a.badge["y"] - (a.outline["y"] + a.outline["height"]) if a.side == "below" else \
            a.outline["y"] - (a.badge["y"] + a.badge["height"])
        assert 0 < gap <= 2 * annotate.MARGIN
    finally:
        context.close()
