"""`stepshot login`: saves a real login to the stand-in; refuses published paths; never prints cookies.

That the saved login then walks a target is shown in test_check.py (the live-shaped target).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import REPO, ROOT, in_browser, make_checkout, run_cli
from stepshot.errors import BadInput
from stepshot.login import check_auth_path, fill_login_form, save_login
from stepshot.targets import standin_logins
from stepshot.standin.accounts import TEST_ACCOUNT, TEST_ACCOUNTS
from stepshot.standin.app import CONSENT_COOKIE, SESSION_COOKIE
from stepshot.standin.server import running


@pytest.mark.parametrize("relative", ["screenshots/linkedin.auth.json", "docs/en/x.auth.json",
                                      "screenshots/../docs/login.json"])
def test_login_refuses_published_folders(relative):
    with pytest.raises(BadInput, match=r"refusing to save a login under (screenshots|docs)/"):
        check_auth_path(ROOT / relative, REPO)


def test_login_inside_the_repository_needs_an_ignored_name(tmp_path):
    with pytest.raises(BadInput, match=r"must be named \*\.auth\.json"):
        check_auth_path(ROOT / "login.json", REPO)
    assert check_auth_path(ROOT / "build" / "me.auth.json", REPO) == (ROOT / "build" / "me.auth.json").resolve()
    assert check_auth_path(tmp_path / "anything.json", REPO) == (tmp_path / "anything.json").resolve()
    for name in ("me.auth.json", "scripts/linkedin.auth.json"):  # .gitignore keeps *.auth.json out of commits
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0


def test_a_symlinked_published_folder_does_not_hide_where_the_login_would_go(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    checkout = make_checkout(tmp_path / "checkout")
    (checkout.root / "docs").symlink_to(elsewhere)
    with pytest.raises(BadInput, match="refusing to save a login under docs/"):
        check_auth_path(elsewhere / "x.auth.json", checkout)


def test_login_cli_refusal_exits_2_and_writes_nothing(sandbox):
    result = run_cli("login", "--auth", str(sandbox.screenshots / "me.auth.json"), checkout=sandbox)
    assert result.code == 2
    assert "refusing to save a login under screenshots/" in result.err
    assert not (sandbox.screenshots / "me.auth.json").exists()


def test_login_saves_a_private_login_and_never_prints_it(tmp_path):
    auth = tmp_path / "private" / "standin.auth.json"
    said = []
    checkout = make_checkout(tmp_path / "checkout")

    with running(REPO) as served:
        in_browser(lambda browser: save_login(
            checkout, auth, served.url, browser=browser,
            sign_in=lambda page: fill_login_form(page, TEST_ACCOUNT.email, TEST_ACCOUNT.password), say=said.append))
    state = json.loads(auth.read_text())
    cookies = [c for c in state["cookies"] if c["value"]]
    assert any(c["name"] == "li_at" and c["httpOnly"] for c in cookies)
    assert auth.stat().st_mode & 0o777 == 0o600 and auth.parent.stat().st_mode & 0o777 == 0o700
    assert all(cookie["value"] not in line for cookie in cookies for line in said)
    assert any(str(auth) in line for line in said)


def test_a_test_accounts_login_keeps_the_session_not_the_banner_answer_so_every_walk_meets_the_banner():
    """The neutral markup's banner is a dialog at load, so the sign-in always answers it; the login handed to
    the walks still carries no answer (with the linkedin markup's late banner it was a matter of timing, and
    `learn` then missed the consent buttons in the units that got an answered login)."""
    async def sign_in(browser, url):
        [login] = await standin_logins(browser, url, 1, ("Reject", "Accept"))
        context = await browser.new_context(storage_state=login.state)
        page = await context.new_page()
        await page.goto(url + "/feed/", wait_until="load")
        return login.state, await page.get_by_role("dialog").count(), page.url

    with running(REPO, "neutral", "cookie-banner") as served:
        state, dialogs, url = in_browser(lambda browser: sign_in(browser, served.url))
    assert any(c["name"] == "li_at" and c["httpOnly"] for c in state["cookies"])
    assert CONSENT_COOKIE not in {c["name"] for c in state["cookies"]}
    assert dialogs == 1 and url.endswith("/feed/")


def test_test_accounts_signed_in_at_once_each_get_their_own_session_in_order():
    """The sign-ins run together: each login still holds its own account's session, in the accounts' order
    (the walk deals locales to logins by that order, and checks each picture for that account's photo)."""
    with running(REPO) as served:
        logins = in_browser(lambda browser: standin_logins(browser, served.url, 3, ("Reject", "Accept")))
        sessions = dict(served.standin.state.sessions)
    assert [login.account.email for login in logins] == [account.email for account in TEST_ACCOUNTS[:3]]
    signed_in_as = [sessions[next(c["value"] for c in login.state["cookies"] if c["name"] == SESSION_COOKIE)]
                    for login in logins]
    assert signed_in_as == [account.email for account in TEST_ACCOUNTS[:3]]
