"""`stepshot login`: a person logs into the test account in a visible browser; the login is saved.

The file is Playwright's storage state (cookies and local storage): whoever holds it is logged in as the
account. So it is written with owner-only permissions, never under the published folders
(screenshots/, docs/), inside the repository only under a git-ignored name (*.auth.json), and its
content is never printed. The stand-in's logins are made by the same sign-in form (fill_login_form).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Awaitable, Callable

from .browser import context_options, launch
from .checkout import Checkout
from .errors import BadInput, BrowserMissing, TargetUnusable
from .files import write_atomic
from .loops import run_coroutine
from .schema import LINKEDIN

DEFAULT_BASE_URL = LINKEDIN
RECOMMENDED = "~/.config/stepshot/linkedin.auth.json"
PUBLISHED = ("screenshots", "docs")
IGNORED_SUFFIX = ".auth.json"  # matched by .gitignore
LOGGED_IN = re.compile(r"^https?://[^/]+/feed/?(\?.*)?$")
WAIT_MINUTES = 10
SIGN_IN_TIMEOUT_MS = 15_000


def check_auth_path(path: Path, checkout: Checkout) -> Path:
    """The absolute path to write the login to; BadInput where it could end up published or committed.

    Both sides are resolved, so a symlinked screenshots/ or docs/ does not hide where the file would go.
    """
    root = checkout.root.resolve()
    try:
        target = path.expanduser().resolve()
    except RuntimeError:  # Python 3.11's word for a symlink loop
        raise BadInput(f"--auth: {path}: a symlink loop; give a file name, e.g. {RECOMMENDED}") from None
    for folder in PUBLISHED:
        if target.is_relative_to((root / folder).resolve()):
            raise BadInput(f"--auth: {path}: refusing to save a login under {folder}/, which is published; "
                           f"use a path outside the repository, e.g. {RECOMMENDED}")
    if target.is_relative_to(root) and not target.name.endswith(IGNORED_SUFFIX):
        raise BadInput(f"--auth: {path}: inside the repository a saved login must be named *{IGNORED_SUFFIX} "
                       f"(git-ignored); better, keep it outside, e.g. {RECOMMENDED}")
    if target.is_dir():
        raise BadInput(f"--auth: {path}: is a folder; give a file name, e.g. {RECOMMENDED}")
    return target


async def fill_login_form(page, email: str, password: str, consent: tuple[str, str] | None = None) -> None:
    """Sign in through a login form as a person would: answer a cookie banner (consent: the Reject and
    Accept labels), then the email field, the password field, submit."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    from .walker import answer_consent

    if consent is not None:
        await answer_consent(page, *consent)
    form = page.locator("form").filter(has=page.locator("input[type=password]"))
    await form.locator("input[autocomplete=username], input[type=email]").first.fill(email)
    await form.locator("input[type=password]").first.fill(password)
    await form.locator("button[type=submit]").first.click()
    try:
        await page.wait_for_url(lambda url: "/login" not in url and "/checkpoint/lg/" not in url,
                                timeout=SIGN_IN_TIMEOUT_MS)
    except PlaywrightTimeout:
        raise TargetUnusable("login-required", f"signing in as {email.split('@')[0][:1]}… did not leave the "
                                               "login page") from None


async def save_login(checkout: Checkout, auth: Path, base_url: str = DEFAULT_BASE_URL, browser=None,
                     sign_in: Callable[[object], Awaitable[None]] | None = None,
                     say: Callable[[str], None] = print) -> Path:
    """Open {base_url}/login in a browser, wait until the feed shows, save the storage state to `auth`.

    Without `browser`, a visible Chromium is launched for the person. Tests pass a launched browser and
    `sign_in(page)`, which fills the login form instead of a person (against the stand-in).
    """
    target = check_auth_path(auth, checkout)
    if browser is None:
        from playwright.async_api import async_playwright

        async with async_playwright() as playwright:
            try:
                visible = await launch(playwright, checkout.settings, headless=False)
            except BrowserMissing as exc:
                raise BrowserMissing(f"cannot open a browser window ({exc}); run `stepshot login` on a machine "
                                     "with a display") from None
            try:
                state = await _log_in(visible, base_url.rstrip("/"), sign_in, say)
            finally:
                await visible.close()
    else:
        state = await _log_in(browser, base_url.rstrip("/"), sign_in, say)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(target, json.dumps(state, indent=2).encode("utf-8"), mode=0o600)
    say(f"saved the login to {auth} (private: anyone holding it is logged in as the account; never commit "
        f"or share it). Use it with --auth {auth} or STEPSHOT_AUTH.")
    return target


async def _log_in(browser, base_url: str, sign_in, say) -> dict:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    context = await browser.new_context(**context_options("en", "desktop"))
    try:
        page = await context.new_page()
        await page.goto(base_url + "/login")
        say(f"Log into the test account in the browser window ({base_url}); two-step verification and "
            f"captchas work as usual. Waiting up to {WAIT_MINUTES} minutes for the feed to show.")
        if sign_in is not None:
            await sign_in(page)
        try:
            await page.wait_for_url(LOGGED_IN, timeout=WAIT_MINUTES * 60_000)
        except PlaywrightTimeout:
            raise TargetUnusable("login-required", f"{base_url}: the feed did not show within "
                                                   f"{WAIT_MINUTES} minutes; nothing saved") from None
        except PlaywrightError:
            raise TargetUnusable("login-required", "the browser window was closed before the feed "
                                                   "showed; nothing saved") from None
        return await context.storage_state()
    finally:
        await context.close()


def run_login(checkout: Checkout, auth: Path, base_url: str) -> Path:
    return run_coroutine(save_login(checkout, auth, base_url))
