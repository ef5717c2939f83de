"""`stepshot check`: --target and saved logins, the reports, verified labels, and a live-shaped target (a
stand-in reached by URL with a saved login, as linkedin.com is): one session, the account's language set
and put back, the journal of what a dead run left changed.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from conftest import REPO, in_browser, make_checkout, run_cli
from stepshot import journal, verified
from stepshot.errors import BadInput, TargetUnusable
from stepshot.locales import LOCALES
from stepshot.login import fill_login_form, save_login
from stepshot.run import default_parallel, plan
from stepshot.settings import Settings
from stepshot.standin.accounts import TEST_ACCOUNTS
from stepshot.standin.server import running
from stepshot.standin.variants import labels_shown
from stepshot.targets import live_login, login_key, parse_target

AI = "/mypreferences/d/settings/data-for-ai-improvement"


# ---------- --target and the saved login, no browser ----------

@pytest.mark.parametrize("text, kind, variant, markup, base_url", [
    ("stand-in", "stand-in", None, "linkedin", None),
    ("stand-in:label-renamed", "stand-in", "label-renamed", "linkedin", None),
    ("stand-in:neutral", "stand-in", None, "neutral", None),
    ("stand-in:checkpoint,neutral", "stand-in", "checkpoint", "neutral", None),
    ("https://www.linkedin.com", "url", None, None, "https://www.linkedin.com"),
    ("https://www.linkedin.com/", "url", None, None, "https://www.linkedin.com"),
    ("http://127.0.0.1:8123", "url", None, None, "http://127.0.0.1:8123"),
])
def test_target_forms(text, kind, variant, markup, base_url):
    spec = parse_target(text)
    assert (spec.kind, spec.variant, spec.markup, spec.base_url) == (kind, variant, markup, base_url)
    assert spec.source == ("stand-in" if kind == "stand-in" else "live")


@pytest.mark.parametrize("text, message", [
    ("stand-in:nope", "--target: stand-in:nope: unknown stand-in variant 'nope' (known: label-renamed, "),
    ("stand-in:slow,checkpoint", "--target: stand-in:slow,checkpoint: at most one markup and one variant"),
    ("standin", "--target: standin: expected stand-in, stand-in:<markup or variant>, or a base URL"),
    ("www.linkedin.com", "--target: www.linkedin.com: expected stand-in"),
    ("ftp://www.linkedin.com", "--target: ftp://www.linkedin.com: expected stand-in"),
    ("https://www.linkedin.com/feed/", "--target: https://www.linkedin.com/feed/: expected stand-in"),
    ("https://user:pw@www.linkedin.com", "--target: https://user:pw@www.linkedin.com: expected stand-in"),
    ("http://localhost:99999", "--target: http://localhost:99999: invalid port"),
])
def test_bad_targets(text, message):
    with pytest.raises(BadInput) as exc:
        parse_target(text)
    assert len(exc.value.lines) == 1 and exc.value.lines[0].startswith(message)


@pytest.mark.parametrize("url, linkedin", [
    ("https://www.linkedin.com", True), ("https://linkedin.com", True), ("https://de.linkedin.com", True),
    ("http://www.linkedin.com", False), ("https://linkedin.com.evil.example", False),
    ("https://evillinkedin.com", False), ("https://www.linkedin.com.", True), ("https://127.0.0.1:8001", False),
])
def test_only_linkedin_itself_can_verify_a_label(url, linkedin):
    assert verified.is_linkedin(url) is linkedin


def private_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_a_live_target_needs_a_private_storage_state_and_the_account_s_data(tmp_path):
    account = private_file(tmp_path / "account.json", json.dumps(
        {"name": "Pat Example", "headline": "Tester at Example", "email": "pat@example.com"}))
    settings = Settings(account=account)
    with pytest.raises(TargetUnusable) as exc:
        live_login(None, settings)
    assert exc.value.reason == "login-required" and "stepshot login" in str(exc.value)
    with pytest.raises(BadInput, match=r"^--auth: .*nowhere\.json: no such file$"):
        live_login(tmp_path / "nowhere.json", settings)
    secret = private_file(tmp_path / "garbage.json", "session=do-not-print-me")
    with pytest.raises(BadInput) as exc:
        live_login(secret, settings)
    assert "not a Playwright storage-state JSON file" in str(exc.value) and "do-not-print-me" not in str(exc.value)
    bad_cookie = private_file(tmp_path / "cookie.json", json.dumps({"cookies": [{"name": "li_at"}], "origins": []}))
    with pytest.raises(BadInput, match="cookies need a name, a value and a domain"):
        live_login(bad_cookie, settings)
    state = private_file(tmp_path / "state.json", json.dumps({"cookies": [], "origins": []}))
    state.chmod(0o644)
    with pytest.raises(BadInput, match=r"readable by others \(mode 644\).*chmod 600"):
        live_login(state, settings)
    state.chmod(0o600)
    assert live_login(state, settings).account.name == "Pat Example"
    assert live_login(None, Settings(auth=state, account=account)).origin == "state.json"
    with pytest.raises(BadInput, match=r"^STEPSHOT_ACCOUNT: required for a live target"):
        live_login(state, Settings())


# ---------- the CLI against the default stand-in ----------

def report(checkout) -> dict:
    return json.loads((checkout.reports / "check.json").read_text(encoding="utf-8"))


# Every locale walks clean on the default stand-in: the shared full capture (test_capture.py) shows it;
# here left-to-right, right-to-left and CJK pages in both layouts, and the default locales below.
CHECKED = ["en", "ar", "ja"]


def test_the_default_stand_in_checks_clean_in_both_viewports(sandbox):
    result = run_cli("check", *[a for code in CHECKED for a in ("--locale", code)], checkout=sandbox)
    assert result.code == 0, result.out + result.err
    project = REPO.project()
    data = report(sandbox)
    assert data["schema"] == "stepshot-check/1" and data["status"] == "ok"
    assert data["target"]["spec"] == "stand-in" and data["target"]["markup"] == "linkedin"
    assert data["locales"] == CHECKED and data["viewports"] == ["desktop", "mobile"]
    expected = sum(len(f.steps) * len(f.viewports) for f in project.flow.flows) * len(CHECKED)
    assert data["summary"] == {"steps": expected, "ok": expected, "broken": 0, "skipped": 0}
    # One session per locale at once (a locale's units stay with one login, so no more logins than locales
    # are signed in); the report lists the steps in the plan's order.
    assert [(r["locale"], r["viewport"], r["flow"], r["step"]) for r in data["results"]] == [
        (u.locale, u.viewport, f.id, step.id) for u in plan(project, CHECKED, None)
        for f in u.flows for step in f.steps]
    assert data["sessions"] == min(default_parallel(), len(CHECKED))
    assert "Every step passed." in (sandbox.reports / "check.md").read_text(encoding="utf-8")
    assert f"{expected} ok, 0 broken, 0 skipped" in result.out
    assert "  ja    mobile  mobile    6/6 ok" in result.err  # progress while walking
    assert not sandbox.verified_file.exists()  # the stand-in is not LinkedIn


def test_a_renamed_label_is_drift_named_with_its_suggestion_escaped_in_the_report(sandbox):
    result = run_cli("check", "--target", "stand-in:label-renamed", "--locale", "fr", "--viewport", "desktop",
                     checkout=sandbox)
    assert result.code == 1, result.out + result.err
    shown = labels_shown(REPO.project(), "label-renamed")
    broken = [r for r in report(sandbox)["results"] if r["status"] == "broken"]
    assert [(r["locale"], r["step"]) for r in broken] == [("fr", "open-ai-setting")]
    top = broken[0]["suggestions"][0]
    assert top["text"] == shown["fr"]["ai_setting"] and top["score"] == 1.0  # the link to the same address
    assert broken[0]["drift"] == "renamed"
    assert "BROKEN fr desktop desktop/open-ai-setting" in result.out
    md = (sandbox.reports / "check.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| fr | desktop | desktop | open-ai-setting |"))
    assert f"**renamed**: `{top['text']}` (1.00)" in row  # page text in a code span: never a link, never HTML
    picture = sandbox.reports / broken[0]["screenshot"]
    assert picture.is_file()


def test_an_unusable_target_exits_3_with_its_reason_and_a_report(sandbox):
    result = run_cli("check", "--target", "stand-in:checkpoint", checkout=sandbox)
    assert result.code == 3, result.out + result.err
    assert result.err.splitlines()[-1].startswith("stepshot: target unusable (checkpoint): ")
    data = report(sandbox)
    assert data["status"] == "target-unusable" and data["unusable"]["reason"] == "checkpoint"
    assert data["locales"] == list(LOCALES)  # no --locale: every locale


def test_a_clean_run_on_linkedin_records_its_labels_and_keeps_the_rest(sandbox):
    from stepshot.check import run_check

    before = {"images": {"fr/desktop/open-me-menu.png": {"date": "2026-01-02", "source": "live"}},
              "labels": {"fr": {"me_menu": {"text": "Vous", "date": "2026-01-02", "base_url": "x"}}}}
    sandbox.verified_file.write_text(json.dumps(before), encoding="utf-8")
    project = sandbox.project(["en"])
    done = run_check(sandbox, "stand-in", project, ["en"], ["desktop"], record_as_live=True)
    assert done.exit_code == 0 and done.verified_locales == ["en"]
    data = json.loads(sandbox.verified_file.read_text(encoding="utf-8"))
    assert data["images"] == before["images"] and data["labels"]["fr"] == before["labels"]["fr"]
    found = data["labels"]["en"]
    assert found["ai_setting"] == {"text": project.text("en", "ai_setting"), "date": sandbox.today(),
                                   "base_url": done.target["base_url"]}
    assert found["ai_question"]["text"] == project.text("en", "ai_question")  # expected text on the page
    broken = run_check(sandbox, "stand-in:label-renamed", project, ["en"], ["desktop"], record_as_live=True)
    assert broken.exit_code == 1 and broken.verified_locales == []


# ---------- a live-shaped target: the stand-in by URL, with a saved login ----------

@pytest.fixture
def live(tmp_path):
    """A stand-in started on its own, a login saved for its first test account by `stepshot login`'s
    code, and that account's data file: what the nightly job has for linkedin.com."""
    account = TEST_ACCOUNTS[0]
    checkout = make_checkout(tmp_path / "checkout")
    with running(REPO, "linkedin") as served:
        auth = tmp_path / "linkedin.auth.json"

        in_browser(lambda browser: save_login(
            checkout, auth, served.url, browser=browser,
            sign_in=lambda page: fill_login_form(page, account.email, account.password), say=lambda line: None))
        data = private_file(tmp_path / "account.json", json.dumps(
            {"name": account.name, "headline": account.headline, "email": account.email,
             "photo": account.photo_id, "test_account": True}))
        env = {"STEPSHOT_ACCOUNT": str(data), "STEPSHOT_AUTH": str(auth)}
        yield checkout, served, env, account


def test_a_saved_login_in_english_walks_french_pages_and_the_language_is_put_back(live):
    checkout, served, env, account = live
    assert stat.S_IMODE(Path(env["STEPSHOT_AUTH"]).stat().st_mode) == 0o600
    result = run_cli("check", "--target", served.url, "--locale", "fr", "--viewport", "desktop",
                     checkout=checkout, env=env)
    assert result.code == 0, result.out + result.err
    data = report(checkout)
    assert data["sessions"] == 1 and data["target"]["source"] == "live"
    assert all(r["status"] == "ok" for r in data["results"])
    assert served.standin.state.languages[account.email] == "en"  # put back
    used = [path for method, path in served.requests if "interfaceLocale" in path or path.endswith("/language")]
    assert used  # changed on the language setting, as a member does
    assert not [p for _, p in served.requests if p.startswith("/__standin")]
    assert json.loads((checkout.reports / journal.FILE_NAME).read_text()) == {}
    assert not checkout.verified_file.exists()  # not linkedin.com
    assert account.name not in result.out + result.err and account.email not in result.out + result.err


def test_parallel_sessions_of_one_login_keep_every_page_in_its_locale_s_language(live):
    checkout, served, env, _ = live
    result = run_cli("check", "--target", served.url, "--locale", "es", "--locale", "it", "--parallel-sessions", "2",
                     checkout=checkout, env=env)
    assert result.code == 0, result.out + result.err  # a page in another language would be exit 3
    data = report(checkout)
    assert data["sessions"] == 2 and {r["locale"] for r in data["results"]} == {"es", "it"}


def test_what_a_dead_run_left_changed_is_put_back_first(live):
    checkout, served, env, account = live
    state = served.standin.state
    state.switches[account.email] = {AI: True}
    state.languages[account.email] = "ja"
    book = journal.Journal(checkout.reports / journal.FILE_NAME, served.url)
    book.language_changed(login_key(account.email), "en_US")
    book.switch_on(login_key(account.email), AI)
    result = run_cli("check", "--target", served.url, "--locale", "en", "--viewport", "desktop",
                     checkout=checkout, env=env)
    assert result.code == 0, result.out + result.err
    assert state.switches[account.email][AI] is False
    assert state.languages[account.email] == "en"
    assert json.loads((checkout.reports / journal.FILE_NAME).read_text()) == {}
    assert report(checkout)["repaired"] == [f"turned {AI} off again (an earlier run had turned it on)",
                                            "set the display language back to en_US"]
