"""The walk through the run layer, against the stand-in in a real Chromium: how it finds controls, what it
does to the account, and how it fails. Each test names the behaviour a deliberate bug would break.
"""

from __future__ import annotations

import pytest

from conftest import REPO, make_checkout
from stepshot.errors import TargetUnusable
from stepshot.names import NameRules
from stepshot.personal import load_persona
from stepshot.run import RunRequest, Unit, plan, run_walk
from stepshot.suggest import rank
from stepshot.targets import parse_target
from stepshot.walker import Policy, walk_flow

AI = "/mypreferences/d/settings/data-for-ai-improvement"


@pytest.fixture(scope="module")
def project():
    return REPO.project()


def walk(project, target="stand-in", locales=("en",), viewports=("desktop",), flows=None, checkout=REPO,
         capture_policy=False, on_step=None):
    """Walk the chosen units; returns (results, opened)."""
    persona = load_persona(checkout.persona_file)
    units = [Unit(u.locale, u.viewport, tuple(f for f in u.flows if flows is None or f.id in flows))
             for u in plan(project, list(locales), list(viewports))]
    results = []

    async def work(session):
        context, page, guard = await session.open()
        policy = Policy(changes_settings=True, may_turn_on=True) if capture_policy else session.policy
        try:
            for flow in session.unit.flows:
                results.extend(await walk_flow(page, guard, session.base_url, project, flow, session.unit.locale,
                                               session.unit.viewport, session.rules, policy, on_step))
        finally:
            await context.close()

    opened = run_walk(checkout, project, RunRequest(parse_target(target), units, persona), work)
    return results, opened


def statuses(results):
    return {r.step: r.status for r in results}


# ---------- names as LinkedIn composes them ----------

def test_a_label_matches_a_name_with_the_member_s_name_or_a_state_word_beside_it():
    rules = NameRules(("Robin Castell",), ("On", "Off"))
    pattern = rules.pattern("Me")
    assert pattern.match("Robin Castell Me") and pattern.match("Me") and pattern.match("Me Off")
    assert not pattern.match("Meet") and not pattern.match("Robin Me") and not pattern.match("Other Person Me")
    assert not pattern.match("Robin Castell Robin Castell Me")
    setting = rules.pattern("Data for Generative AI Improvement")
    assert setting.match("Data for Generative AI Improvement On")
    assert not setting.match("Data for Generative AI Improvement settings")
    assert NameRules().pattern("a.b (c)").match("a.b (c)") and not NameRules().pattern("a.b").match("aXb")


def test_suggestions_never_offer_the_member_s_name_or_a_state_word():
    rules = NameRules(("Robin Castell",), ("On", "Off"))
    names = ["Robin Castell Me", "Robin Castell", "On", "Data for Generative AI Improvements On",
             "Settings & Privacy"]
    found = rank("Data for Generative AI Improvement", names, "link", rules)
    assert [s.text for s in found] == ["Data for Generative AI Improvements"]
    assert rank("Me", names, "button", rules) == []


def test_the_linkedin_markup_walks_clean_with_composed_names_hidden_copies_and_late_content(project):
    results, opened = walk(project, locales=("en", "ar"), viewports=("desktop", "mobile"))
    assert results and all(r.status == "ok" for r in results), [r for r in results if r.status != "ok"]
    me = next(r for r in results if r.step == "open-me-menu" and r.locale == "en")  # units finish in any order
    assert me.labels_seen == {"me_menu": "Me", "settings_privacy": "Settings & Privacy"}
    assert not [path for method, path in opened.standin.requests if path.startswith("/__standin")]


def test_the_neutral_markup_walks_clean_too(project):
    results, _ = walk(project, target="stand-in:neutral", locales=("ja",), viewports=("desktop", "mobile"))
    assert results and all(r.status == "ok" for r in results), [r for r in results if r.status != "ok"]


# ---------- drift: broken, loudly, with suggestions ----------

def test_a_renamed_label_breaks_its_step_and_suggests_the_new_words(project):
    results, _ = walk(project, target="stand-in:label-renamed", locales=("fr",), flows=("desktop",))
    assert statuses(results) == {"open-me-menu": "ok", "open-settings": "ok", "open-data-privacy": "ok",
                                 "open-ai-setting": "broken", "turn-ai-toggle-off": "skipped",
                                 "confirm-ai-off": "skipped"}
    broken = next(r for r in results if r.status == "broken")
    assert broken.label_key == "ai_setting"
    # The link to the same address is there under its new name: renamed, with that exact text.
    assert broken.drift == "renamed"
    assert (broken.suggestions[0].text, broken.suggestions[0].score) == ("Données pour l'amélioration des IA génératives", 1.0)
    assert broken.problem.endswith("in region \"Comment LinkedIn utilise vos données\": renamed to "
                                   "\"Données pour l'amélioration des IA génératives\" (the link to the same address)")


def test_two_visible_matches_break_the_step_instead_of_clicking_the_first(project):
    results, _ = walk(project, target="stand-in:two-matches", flows=("desktop",))
    broken = next(r for r in results if r.status == "broken")
    assert broken.step == "open-ai-setting"
    assert broken.problem.endswith("matches 2 visible elements, expected one")


@pytest.mark.parametrize("variant, drift", [("setting-moved", "moved"), ("setting-gone", "gone")])
def test_a_moved_or_removed_setting_breaks_where_the_guide_says_to_look_and_says_which(project, variant, drift):
    results, _ = walk(project, target=f"stand-in:{variant}", flows=("desktop",), locales=("de",))
    broken = next(r for r in results if r.status == "broken")
    assert (broken.step, broken.drift) == ("open-ai-setting", drift)
    assert broken.problem.endswith(f": {drift} (the link to the same address is "
                                   f"{'elsewhere' if drift == 'moved' else 'gone too'})")


def test_a_wrong_page_after_a_click_is_broken(project, tmp_path):
    checkout = make_checkout(tmp_path, link=False)
    flow = checkout.flow_file
    flow.write_text(flow.read_text().replace('expect: {url: "^/mypreferences/d/categories/privacy", heading',
                                             'expect: {url: "^/mypreferences/d/categories/elsewhere", heading', 1))
    results, _ = walk(checkout.project(), checkout=checkout, flows=("desktop",))
    broken = next(r for r in results if r.status == "broken")
    assert broken.step == "open-data-privacy"
    assert broken.problem == ("expected a page whose path matches ^/mypreferences/d/categories/elsewhere, "
                              "still at /mypreferences/d/categories/privacy")


# ---------- the account: check changes nothing, capture saves and proves it ----------

def test_check_changes_no_setting(project):
    _, opened = walk(project, flows=("desktop", "ads", "research"), viewports=("desktop",))
    assert opened.standin.state.switches == {}  # nothing was ever saved: every switch still On


def test_capture_s_walk_turns_every_flow_s_switch_off_and_proves_it_by_reloading(project):
    results, opened = walk(project, capture_policy=True, viewports=("desktop", "mobile"))
    assert all(r.status == "ok" for r in results)
    reloads = [path for method, path in opened.standin.requests if method == "GET" and path == AI]
    assert len(reloads) >= 2  # each flow's toggle step reloaded the setting's page after saving
    saved = opened.standin.state.switches
    assert saved and all(on is False for account in saved.values() for on in account.values())
    assert {path for account in saved.values() for path in account} == {
        AI, "/mypreferences/d/settings/research",
        "/mypreferences/s/settings/share-data-with-trusted-partners"}


def test_a_save_the_server_refuses_is_broken_not_believed(project):
    results, _ = walk(project, target="stand-in:save-rejected", capture_policy=True, flows=("desktop",))
    broken = next(r for r in results if r.status == "broken")
    assert broken.step == "turn-ai-toggle-off"
    assert broken.problem.startswith("LinkedIn did not keep the setting off: after a reload switch ")


@pytest.mark.parametrize("markup", ["linkedin", "neutral"])
def test_a_switch_drawn_anew_after_its_save_is_found_again_not_waited_on(project, markup):
    results, opened = walk(project, target=f"stand-in:switch-redrawn,{markup}", capture_policy=True,
                           flows=("desktop",))
    assert {r.status for r in results} == {"ok"}, [r.problem for r in results if r.problem]
    saved = opened.standin.state.switches
    assert saved and all(on is False for account in saved.values() for on in account.values())


@pytest.mark.parametrize("markup", ["linkedin", "neutral"])
def test_a_cookie_banner_is_answered_wherever_it_is(project, markup):
    results, _ = walk(project, target=f"stand-in:cookie-banner,{markup}", flows=("desktop",))
    assert all(r.status == "ok" for r in results)


def test_a_slow_target_is_waited_for_not_slept_on(project):
    results, _ = walk(project, target="stand-in:slow", flows=("research",))
    assert all(r.status == "ok" for r in results)


# ---------- unusable at any moment: exit 3, never drift ----------

@pytest.mark.parametrize("target, reason, where", [
    # by script, once the settings shell has loaded: during the step that opened it or the next one
    ("stand-in:checkpoint", "checkpoint", ("step open-settings", "step open-data-privacy")),
    ("stand-in:checkpoint,neutral", "checkpoint", "step open-settings"),     # by redirect
    ("stand-in:server-error", "server-error", "step open-data-privacy"),     # a data request during a step
    ("stand-in:server-error,neutral", "server-error", "step open-data-privacy"),
    ("stand-in:language-ignored", "wrong-language", "language setting"),
    ("stand-in:logged-out", "login-required", ""),
])
def test_an_unusable_target_stops_the_walk_with_its_reason(project, target, reason, where):
    with pytest.raises(TargetUnusable) as exc:
        walk(project, target=target, locales=("fr",) if reason == "wrong-language" else ("en",),
             flows=("desktop",))
    assert exc.value.reason == reason
    assert any(w in exc.value.detail for w in ((where,) if isinstance(where, str) else where)), exc.value.detail
