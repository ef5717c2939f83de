"""`stepshot check`: --target parsing, saved logins, suggestions, and the CLI end to end against the stand-in.

The CLI tests run `stepshot check` in a subprocess (its own Chromium and stand-in) with STEPSHOT_ROOT set to
a temporary checkout, so reports and verified.json land there and not in the working tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepshot import paths
from stepshot.check import personal_data_to_hide, plan, record_verified, run_check, save_failure
from stepshot.errors import BadInput, TargetUnusable
from stepshot.locales import LOCALES
from stepshot.model import load_project, load_verified
from stepshot.standin.account import TEST_ACCOUNT
from stepshot.standin.server import running
from stepshot.standin.variants import labels_shown
from stepshot.suggest import rank
from stepshot.targets import open_target, parse_target, resolve_auth
from stepshot.walker import StepResult

ROOT = Path(__file__).resolve().parents[1]


# ---------- --target and --auth, no browser ----------

@pytest.mark.parametrize("text, kind, variant, base_url", [
    ("stand-in", "stand-in", None, None),
    ("stand-in:label-renamed", "stand-in", "label-renamed", None),
    ("https://www.linkedin.com", "url", None, "https://www.linkedin.com"),
    ("https://www.linkedin.com/", "url", None, "https://www.linkedin.com"),
    ("http://127.0.0.1:8123", "url", None, "http://127.0.0.1:8123"),
])
def test_target_forms(text, kind, variant, base_url):
    spec = parse_target(text)
    assert (spec.kind, spec.variant, spec.base_url) == (kind, variant, base_url)
    assert spec.source == ("stand-in" if kind == "stand-in" else "live")


@pytest.mark.parametrize("text, message", [
    ("stand-in:nope", "--target: stand-in:nope: unknown stand-in variant 'nope' (known: label-renamed, "),
    ("standin", "--target: standin: expected stand-in, stand-in:<variant> or a base URL"),
    ("www.linkedin.com", "--target: www.linkedin.com: expected stand-in"),
    ("ftp://www.linkedin.com", "--target: ftp://www.linkedin.com: expected stand-in"),
    ("https://www.linkedin.com/feed/", "--target: https://www.linkedin.com/feed/: expected stand-in"),
    ("https://user:pw@www.linkedin.com", "--target: https://user:pw@www.linkedin.com: expected stand-in"),
    ("http://localhost:99999", "--target: http://localhost:99999: invalid port"),
])
def test_bad_targets(text, message):
    with pytest.raises(BadInput) as exc:
        parse_target(text)
    assert len(exc.value.lines) == 1
    assert exc.value.lines[0].startswith(message)


def test_live_target_needs_a_saved_login(tmp_path, monkeypatch):
    monkeypatch.delenv("STEPSHOT_AUTH", raising=False)
    live = parse_target("https://www.linkedin.com")
    with pytest.raises(TargetUnusable) as exc:
        resolve_auth(live, None)
    assert exc.value.reason == "login-required" and "stepshot login" in str(exc.value)

    with pytest.raises(BadInput, match=r"^--auth: .*nowhere\.json: no such file$"):
        resolve_auth(live, tmp_path / "nowhere.json")

    secret = tmp_path / "garbage.json"
    secret.write_text("session=do-not-print-me", encoding="utf-8")
    with pytest.raises(BadInput) as exc:
        resolve_auth(live, secret)
    assert "not a Playwright storage-state JSON file" in str(exc.value)
    assert "do-not-print-me" not in str(exc.value)

    state = tmp_path / "state.json"
    state.write_text(json.dumps({"cookies": [], "origins": []}), encoding="utf-8")
    assert resolve_auth(live, state) == state
    monkeypatch.setenv("STEPSHOT_AUTH", str(state))
    assert resolve_auth(live, None) == state
    monkeypatch.setenv("STEPSHOT_AUTH", str(tmp_path / "gone.json"))
    with pytest.raises(BadInput, match=r"^STEPSHOT_AUTH: .*gone\.json: no such file$"):
        resolve_auth(live, None)
    # The stand-in logs itself in: no saved login asked for, even when one is configured.
    assert resolve_auth(parse_target("stand-in"), None) is None


# ---------- suggestions ----------

def test_renamed_label_is_the_first_suggestion():
    names = ["Advertising data", "Social, economic, and workplace research",
             "Data for Generative AI Improvements", "Data privacy", "DATA FOR GENERATIVE AI"]
    got = rank("Data for Generative AI Improvement", names, "link")
    assert got[0].text == "Data for Generative AI Improvements" and got[0].score >= 0.9
    assert got[0].role == "link"
    assert [s.score for s in got] == sorted((s.score for s in got), reverse=True)
    assert "Advertising data" not in [s.text for s in got]  # shares letters, not a rewording
    # Case does not count against a suggestion.
    assert rank("Data privacy", ["DATA PRIVACY"], "link")[0].score == 1.0


def test_at_most_five_suggestions():
    names = [f"Data for Generative AI Improvement {n}" for n in range(9)]
    assert len(rank("Data for Generative AI Improvement", names, "link")) == 5


# ---------- the CLI, end to end ----------

@pytest.fixture
def checkout(tmp_path) -> Path:
    """A checkout whose flow and labels are the real ones, and whose reports and verified.json are its own."""
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "screenshots" / "flow.yml").symlink_to(paths.flow_file(ROOT))
    (tmp_path / "screenshots" / "labels").symlink_to(paths.labels_dir(ROOT))
    (tmp_path / "screenshots" / "persona.yml").symlink_to(paths.screenshots_dir(ROOT) / "persona.yml")
    return tmp_path


def stepshot(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "STEPSHOT_AUTH"}
    environ.update(STEPSHOT_ROOT=str(root), **(env or {}))
    return subprocess.run([sys.executable, "-m", "stepshot.cli", *args], cwd=root, env=environ,
                          capture_output=True, text=True, timeout=600)


def report(root: Path) -> dict:
    return json.loads((root / "build" / "stepshot" / "check.json").read_text(encoding="utf-8"))


def steps_per_locale(project) -> int:
    return sum(len(flow.steps) * len(flow.viewports) for flow in project.flow.flows)


@pytest.mark.browser
def test_default_stand_in_checks_clean_everywhere(checkout):
    result = stepshot(checkout, "check", "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    project = load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT))
    data = report(checkout)
    assert data["schema"] == "stepshot-check/1" and data["status"] == "ok"
    assert data["target"]["spec"] == "stand-in" and data["target"]["source"] == "stand-in"
    assert data["target"]["base_url"].startswith("http://127.0.0.1:")
    assert data["locales"] == list(LOCALES) and data["viewports"] == ["desktop", "mobile"]
    expected = steps_per_locale(project) * len(LOCALES)
    assert data["summary"] == {"steps": expected, "ok": expected, "broken": 0, "skipped": 0}
    # Two workers walk at once; the report still lists the steps in the plan's order.
    assert [(r["locale"], r["viewport"], r["flow"], r["step"]) for r in data["results"]] == [
        (loc, vp, f.id, step.id) for loc, vp, flows in plan(project, list(LOCALES), None)
        for f in flows for step in f.steps]
    assert data["workers"] == 2
    assert "Every step passed." in (checkout / "build" / "stepshot" / "check.md").read_text(encoding="utf-8")
    assert result.stdout.splitlines()[0].startswith(f"check stand-in (http://127.0.0.1:")
    assert f"{expected} ok, 0 broken, 0 skipped" in result.stdout
    assert "  ja    mobile  mobile    6/6 ok" in result.stderr  # progress while walking
    # The stand-in is not LinkedIn: nothing is recorded as verified.
    assert not (checkout / "screenshots" / "verified.json").exists()


@pytest.mark.browser
def test_renamed_label_is_drift_named_with_its_suggestion(checkout):
    result = stepshot(checkout, "check", "--target", "stand-in:label-renamed", "--locale", "en",
                      "--viewport", "desktop")
    assert result.returncode == 1, result.stdout + result.stderr
    project = load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT))
    shown = labels_shown(project, "label-renamed")
    data = report(checkout)
    assert data["status"] == "drift" and data["viewports"] == ["desktop"]
    broken = [r for r in data["results"] if r["status"] == "broken"]
    assert [(r["locale"], r["step"]) for r in broken] == [("en", "open-ai-setting")]
    md = (checkout / "build" / "stepshot" / "check.md").read_text(encoding="utf-8")
    for r in broken:
        assert r["label_key"] == "ai_setting"
        assert r["expected_label"] == project.text(r["locale"], "ai_setting")
        top = r["suggestions"][0]
        assert top["text"] == shown[r["locale"]]["ai_setting"] and top["score"] >= 0.9 and top["role"] == "link"
        assert (checkout / "build" / "stepshot" / r["screenshot"]).is_file()
        row = next(line for line in md.splitlines() if line.startswith(f"| {r['locale']} | desktop | desktop | "
                                                                      "open-ai-setting |"))
        assert "`ai_setting`" in row and r["expected_label"].replace("|", "\\|") in row
        assert f'"{top["text"]}" ({top["score"]:.2f})' in row
        assert f"BROKEN {r['locale']} desktop desktop/open-ai-setting" in result.stdout
    assert data["summary"]["skipped"] == 2  # the two steps after the broken one


@pytest.mark.browser
def test_moved_setting_is_drift(checkout):
    result = stepshot(checkout, "check", "--target", "stand-in:setting-moved", "--locale", "de",
                      "--viewport", "mobile")
    assert result.returncode == 1, result.stdout + result.stderr
    broken = [r for r in report(checkout)["results"] if r["status"] == "broken"]
    assert [(r["step"], r["label_key"]) for r in broken] == [("mobile-open-ai-setting", "ai_setting")]


@pytest.mark.browser
@pytest.mark.parametrize("variant, reason", [
    ("checkpoint", "checkpoint"), ("logged-out", "login-required"), ("server-error", "server-error")])
def test_unusable_targets_exit_3_with_their_reason(checkout, variant, reason):
    # Two workers: the error of one stops the other and still exits 3.
    result = stepshot(checkout, "check", "--target", f"stand-in:{variant}", "--locale", "en", "--workers", "2")
    assert result.returncode == 3, result.stdout + result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"stepshot: target unusable ({reason}): ")
    data = report(checkout)
    assert data["status"] == "target-unusable" and data["unusable"]["reason"] == reason


@pytest.mark.browser
def test_consent_banner_is_not_drift(checkout):
    # The slow variant is walked in test_walker.py: through the CLI it would take half a minute.
    result = stepshot(checkout, "check", "--target", "stand-in:cookie-banner", "--locale", "nl",
                      "--viewport", "desktop")
    assert result.returncode == 0, result.stdout + result.stderr
    assert report(checkout)["summary"]["broken"] == 0


@pytest.mark.parametrize("args, code, message", [
    (["--target", "stand-in:nope"], 2, "--target: stand-in:nope: unknown stand-in variant 'nope'"),
    (["--target", "linkedin"], 2, "--target: linkedin: expected stand-in, stand-in:<variant> or a base URL"),
    (["--viewport", "tablet"], 2, "stepshot: argument --viewport: invalid choice: 'tablet'"),
    (["--target", "https://www.linkedin.com"], 3, "stepshot: target unusable (login-required): login required"),
    (["--target", "https://www.linkedin.com", "--auth", "nowhere.auth.json"], 2,
     "--auth: nowhere.auth.json: no such file"),
])
def test_bad_input_and_missing_login_exit_before_walking(checkout, args, code, message):
    result = stepshot(checkout, "check", *args)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stderr.splitlines()[0].startswith(message)
    assert "Traceback" not in result.stderr


# ---------- verified.json, in-process with the shared browser ----------

@pytest.mark.browser
def test_a_clean_live_run_records_its_labels_and_keeps_the_rest(browser, tmp_path):
    project = load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT), ["en"])
    verified = tmp_path / "verified.json"
    before = {"images": {"fr/desktop/open-me-menu.png": {"date": "2026-01-02", "source": "live"}},
              "labels": {"fr": {"me_menu": {"text": "Vous", "date": "2026-01-02", "base_url": "x"}}}}
    verified.write_text(json.dumps(before), encoding="utf-8")
    lines = []
    report_ = run_check("stand-in", project, ["en"], ["desktop"], report_dir=tmp_path / "reports",
                        verified_path=verified, browser=browser, progress=lines.append, record_as_live=True)
    assert report_.exit_code == 0 and report_.verified_locales == ["en"]
    text = verified.read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == sorted(data) and list(data["labels"]["en"]) == sorted(data["labels"]["en"])
    assert data["images"] == before["images"] and data["labels"]["fr"] == before["labels"]["fr"]
    found = data["labels"]["en"]
    used = {step.action.target.label for f in project.flow.flows if "desktop" in f.viewports for step in f.steps}
    assert used <= set(found)
    assert found["ai_setting"]["text"] == project.text("en", "ai_setting")
    assert found["ai_setting"]["base_url"] == report_.target["base_url"]
    assert found["ai_setting"]["date"] == load_verified(verified)["en"]["ai_setting"]["date"]
    assert "ai_question" not in found  # not a control: the walker never looked for it
    assert any("research" in line for line in lines)

    # A locale with a broken step verifies nothing, not even the labels it did find.
    broken = run_check("stand-in:label-renamed", project, ["en"], ["desktop"], report_dir=tmp_path / "reports",
                       verified_path=tmp_path / "verified-2.json", browser=browser, progress=lines.append,
                       record_as_live=True)
    assert broken.exit_code == 1 and broken.verified_locales == []
    assert not (tmp_path / "verified-2.json").exists()


def test_record_verified_refuses_a_corrupt_file(tmp_path):
    project = load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT), ["en"])
    verified = tmp_path / "verified.json"
    verified.write_text("{not json", encoding="utf-8")
    ok = StepResult("ads", "ads-open-advertising-data", 1, "en", "desktop", "ok", labels_seen=["advertising_data"])
    with pytest.raises(BadInput, match=r"verified\.json: line 1: invalid JSON"):
        record_verified(verified, project, [ok], "https://www.linkedin.com")
    assert verified.read_text(encoding="utf-8") == "{not json"


@pytest.mark.browser
def test_url_target_walks_with_its_saved_login_and_verifies_nothing(browser, tmp_path):
    """A URL target is walked as a live site: logged in by the --auth file alone; not linkedin.com, so
    nothing is recorded as verified."""
    project = load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT), ["en"])
    logged_in, logged_out = tmp_path / "in.auth.json", tmp_path / "out.auth.json"
    verified = tmp_path / "verified.json"
    with running() as base_url:
        context = browser.new_context()
        context.request.post(base_url + "/__standin/session")
        context.storage_state(path=logged_in)
        context.close()
        logged_out.write_text(json.dumps({"cookies": [], "origins": []}), encoding="utf-8")
        walked = run_check(base_url, project, ["en"], ["mobile"], auth=logged_in, report_dir=tmp_path,
                           verified_path=verified, browser=browser, progress=lambda line: None)
        with pytest.raises(TargetUnusable) as exc:
            run_check(base_url, project, ["en"], ["mobile"], auth=logged_out, report_dir=tmp_path,
                      verified_path=verified, browser=browser, progress=lambda line: None)
    assert walked.exit_code == 0 and walked.count("ok") == len(walked.results) > 0
    assert walked.target == {"spec": base_url, "source": "live", "variant": None, "base_url": base_url}
    assert walked.verified_locales == [] and not verified.exists()
    assert exc.value.reason == "login-required"
    data = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    assert data["status"] == "target-unusable" and data["unusable"]["reason"] == "login-required"


@pytest.mark.browser
def test_failure_pictures_hide_the_accounts_personal_data(browser, tmp_path):
    spec = parse_target("stand-in")
    with open_target(spec, browser=browser) as target:
        context = target.new_context("en", "desktop")
        page = context.new_page()
        page.goto(target.base_url + "/mypreferences/d/categories/account")
        assert TEST_ACCOUNT.name in page.content()  # the positive control: the settings home shows them
        result = StepResult("ads", "ads-open-advertising-data", 1, "en", "desktop", "broken",
                            url="/mypreferences/d/categories/account")
        assert save_failure(page, tmp_path, result, None) is None  # unknown account data: no picture at all
        picture = save_failure(page, tmp_path, result, personal_data_to_hide(spec))
        html = page.content()
        context.close()
    assert (tmp_path / picture).is_file()
    for personal in (TEST_ACCOUNT.name, TEST_ACCOUNT.headline, TEST_ACCOUNT.email):
        assert personal not in html
