"""`stepshot login`: saves a real login to the stand-in; refuses published paths; never prints cookies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepshot.errors import BadInput
from stepshot.login import check_auth_path, save_login
from stepshot.standin.account import TEST_ACCOUNT
from stepshot.standin.server import running
from stepshot.targets import open_target

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("relative", ["screenshots/linkedin.auth.json", "docs/en/x.auth.json",
                                      "screenshots/../docs/login.json"])
def test_login_refuses_published_folders(relative):
    with pytest.raises(BadInput, match=r"refusing to save a login under (screenshots|docs)/"):
        check_auth_path(ROOT / relative, ROOT)


def test_login_inside_the_repository_needs_an_ignored_name(tmp_path):
    with pytest.raises(BadInput, match=r"must be named \*\.auth\.json"):
        check_auth_path(ROOT / "login.json", ROOT)
    assert check_auth_path(ROOT / "build" / "me.auth.json", ROOT) == (ROOT / "build" / "me.auth.json").resolve()
    assert check_auth_path(tmp_path / "anything.json", ROOT) == (tmp_path / "anything.json").resolve()
    for name in ("me.auth.json", "scripts/linkedin.auth.json"):  # .gitignore keeps *.auth.json out of commits
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0


def test_login_cli_refusal_exits_2_and_writes_nothing(tmp_path):
    env = {**os.environ, "STEPSHOT_ROOT": str(tmp_path)}
    (tmp_path / "screenshots").mkdir()
    result = subprocess.run([sys.executable, "-m", "stepshot.cli", "login", "--auth",
                             str(tmp_path / "screenshots" / "me.auth.json")], env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "refusing to save a login under screenshots/" in result.stderr
    assert list((tmp_path / "screenshots").iterdir()) == []


@pytest.mark.browser
def test_login_saves_a_working_login_without_printing_it(tmp_path, browser):
    auth = tmp_path / "private" / "standin.auth.json"
    said = []

    def sign_in(page):  # what the person does in the window
        page.get_by_label("Email").fill(TEST_ACCOUNT.email)
        page.get_by_label("Password").fill(TEST_ACCOUNT.password)
        page.get_by_role("button", name="Sign in").click()

    with running() as base_url:
        save_login(auth, base_url, browser=browser, sign_in=sign_in, say=said.append)
        state = json.loads(auth.read_text())
        cookies = [c for c in state["cookies"] if c["value"]]
        assert cookies
        assert auth.stat().st_mode & 0o777 == 0o600
        for cookie in cookies:
            assert all(cookie["value"] not in line for line in said)
        assert any(str(auth) in line for line in said)

        # the saved login works for a URL target: the feed opens without the login form
        with open_target(base_url, auth=auth, browser=browser) as target:
            context = target.new_context("en", "desktop")
            page = context.new_page()
            page.goto(base_url + "/feed/")
            assert page.url.rstrip("/").endswith("/feed")
            assert page.locator("input[type=password]").count() == 0
