"""The walker against the real stand-in in a real Chromium: what it hands to capture, and how it fails."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from stepshot import paths
from stepshot.errors import TargetUnusable
from stepshot.model import Flow, load_project
from stepshot.standin.server import running
from stepshot.standin.variants import labels_shown
from stepshot.suggest import names_in_snapshot
from stepshot.targets import open_target
from stepshot.walker import StepContext, walk_flow

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def project():
    return load_project(paths.flow_file(), paths.labels_dir(), ["en", "fr", "ja"])


def flow(project, flow_id: str) -> Flow:
    return next(f for f in project.flow.flows if f.id == flow_id)


def walk(browser, project, variant, flow_id="desktop", locale="en", viewport="desktop", on_step=None):
    """Walk one flow on a fresh stand-in; returns (results, cookies of the context)."""
    with open_target(f"stand-in:{variant}" if variant else "stand-in", browser=browser) as target:
        context = target.new_context(locale, viewport)
        page = context.new_page()
        results = walk_flow(page, target.base_url, project, flow(project, flow_id), locale, viewport, on_step)
        return results, {c["name"]: c["value"] for c in context.cookies()}


def test_every_step_is_handed_over_settled_with_its_target(browser, project):
    seen = []

    def on_step(ctx: StepContext):
        target = ctx.step.highlight_target
        assert ctx.target.count() == 1 and ctx.target.is_visible()
        # The element the label names, by role: its accessible name is the label text.
        assert names_in_snapshot(ctx.target.aria_snapshot(), target.role)[0] == project.text(ctx.locale,
                                                                                             target.label)
        assert ctx.page.evaluate("document.fonts.status") == "loaded"
        state = ctx.target.is_checked() if target.role == "switch" else None
        seen.append((ctx.number, ctx.step.id, urlsplit(ctx.page.url).path, state))

    with open_target("stand-in", browser=browser) as target:
        context = target.new_context("fr", "desktop")
        page = context.new_page()
        desktop = flow(project, "desktop")
        first = walk_flow(page, target.base_url, project, desktop, "fr", "desktop", on_step)
        # Second walk: the switch is Off on the server now, and the "before" picture must still show On.
        second = walk_flow(page, target.base_url, project, desktop, "fr", "desktop", on_step)

    for results in (first, second):
        assert [r.status for r in results] == ["ok"] * len(desktop.steps)
        assert [r.step for r in results] == [s.id for s in desktop.steps]
        for result, step in zip(results, desktop.steps):
            assert step.action.target.label in result.labels_seen
            assert result.problem is None and result.suggestions == []
    steps = len(desktop.steps)
    assert [s[1] for s in seen] == [s.id for s in desktop.steps] * 2
    by_id = {(i // steps, s[1]): s for i, s in enumerate(seen)}
    for run in (0, 1):
        assert by_id[(run, "turn-ai-toggle-off")][3] is True      # before the click: still On
        assert by_id[(run, "confirm-ai-off")][3] is False         # the result: Off
        assert by_id[(run, "open-ai-setting")][2] == "/mypreferences/d/categories/privacy"


def test_renamed_label_breaks_the_step_loudly_with_the_new_label_first(browser, project):
    called = []
    results, _ = walk(browser, project, "label-renamed", locale="ja",
                      on_step=lambda ctx: called.append(ctx.step.id))
    statuses = {r.step: r.status for r in results}
    assert statuses == {"open-me-menu": "ok", "open-settings": "ok", "open-data-privacy": "ok",
                        "open-ai-setting": "broken", "turn-ai-toggle-off": "skipped", "confirm-ai-off": "skipped"}
    # Nothing is handed to capture from the broken step on: no picture of the wrong screen.
    assert called == ["open-me-menu", "open-settings", "open-data-privacy"]
    broken = results[3]
    expected = project.text("ja", "ai_setting")
    renamed = labels_shown(project, "label-renamed")["ja"]["ai_setting"]
    assert renamed != expected
    assert broken.problem == f'link "{expected}" not found in region "{project.text("ja", "how_linkedin_uses_data")}"'
    assert (broken.label_key, broken.expected_label) == ("ai_setting", expected)
    assert broken.suggestions[0].text == renamed and broken.suggestions[0].score >= 0.9
    assert broken.suggestions[0].role == "link"
    assert broken.url == "/mypreferences/d/categories/privacy"
    assert "how_linkedin_uses_data" in broken.labels_seen and "ai_setting" not in broken.labels_seen


def test_moved_setting_breaks_where_the_guide_says_to_look(browser, project):
    results, _ = walk(browser, project, "setting-moved", flow_id="mobile", viewport="mobile")
    broken = [r for r in results if r.status == "broken"]
    assert [r.step for r in broken] == ["mobile-open-ai-setting"]
    assert broken[0].label_key == "ai_setting"
    assert all(r.status == "skipped" for r in results[broken[0].number:])


def test_cookie_banner_is_answered_not_reported(browser, project):
    results, cookies = walk(browser, project, "cookie-banner", flow_id="research")
    assert [r.status for r in results] == ["ok", "ok"]
    assert cookies.get("standin_consent") == "rejected"  # the reader's choice: reject when offered


def test_slow_target_is_waited_for_not_slept_on(browser, project):
    results, _ = walk(browser, project, "slow", flow_id="research")  # a slow page load, link and switch
    assert [r.status for r in results] == ["ok"] * len(results)


@pytest.mark.parametrize("variant, reason, where", [
    ("checkpoint", "checkpoint", "/checkpoint/"),
    ("logged-out", "login-required", "/login"),
    ("server-error", "server-error", "HTTP 500 on /mypreferences/d/categories/privacy"),
])
def test_unusable_target_is_not_drift(browser, project, variant, reason, where):
    with pytest.raises(TargetUnusable) as exc:
        walk(browser, project, variant)
    assert exc.value.reason == reason
    assert where in exc.value.detail and "locale en" in exc.value.detail


def test_unreachable_target(browser, project):
    with socket.socket() as sock:  # a port that was free a moment ago and has nobody listening now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    context = browser.new_context()
    try:
        with pytest.raises(TargetUnusable) as exc:
            walk_flow(context.new_page(), f"http://127.0.0.1:{port}", project, flow(project, "ads"), "en", "desktop")
    finally:
        context.close()
    assert exc.value.reason == "unreachable" and f"127.0.0.1:{port}/mypreferences" in exc.value.detail


def test_wrong_page_after_a_click_is_broken(browser, project):
    """A click that lands elsewhere than the flow expects fails the step; it never carries on."""
    research = flow(project, "research")
    step = research.steps[0].model_copy(update={
        "expect": research.steps[0].expect.model_copy(update={"url": "^/mypreferences/d/settings/elsewhere"})})
    wrong = research.model_copy(update={"steps": [step, research.steps[1]]})
    with running() as base_url:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.request.post(base_url + "/__standin/session")
            results = walk_flow(page, base_url, project, wrong, "en", "desktop")
        finally:
            context.close()
    assert [r.status for r in results] == ["broken", "skipped"]
    assert results[0].problem == ("expected a page whose path matches ^/mypreferences/d/settings/elsewhere, "
                                  "still at /mypreferences/d/settings/research")
