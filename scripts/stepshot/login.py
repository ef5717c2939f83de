"""`stepshot login`: a person logs into the test account in a visible browser; the login is saved.

The file is Playwright's storage state (cookies and local storage): whoever holds it is logged in as the
account. So it is written with owner-only permissions, never under the published folders
(screenshots/, docs/), inside the repository only under a git-ignored name (*.auth.json), and its
content is never printed.
"""

from __future__ import annotations

import json
import re
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from . import paths
from .browser import context_options, launch
from .errors import BadInput, BrowserMissing, TargetUnusable
from .imagefile import write_atomic

DEFAULT_BASE_URL = "https://www.linkedin.com"
RECOMMENDED = "~/.config/stepshot/linkedin.auth.json"
PUBLISHED = ("screenshots", "docs")
IGNORED_SUFFIX = ".auth.json"  # matched by .gitignore
LOGGED_IN = re.compile(r"^https?://[^/]+/feed/?(\?.*)?$")
WAIT_MINUTES = 10


def check_auth_path(path: Path, root: Path | None = None) -> Path:
    """The absolute path to write the login to; BadInput where it could end up published or committed."""
    root = (root or paths.repo_root()).resolve()
    target = path.expanduser().resolve()
    for folder in PUBLISHED:
        if target.is_relative_to(root / folder):
            raise BadInput(f"--auth: {path}: refusing to save a login under {folder}/, which is published; "
                           f"use a path outside the repository, e.g. {RECOMMENDED}")
    if target.is_relative_to(root) and not target.name.endswith(IGNORED_SUFFIX):
        raise BadInput(f"--auth: {path}: inside the repository a saved login must be named *{IGNORED_SUFFIX} "
                       f"(git-ignored); better, keep it outside, e.g. {RECOMMENDED}")
    if target.is_dir():
        raise BadInput(f"--auth: {path}: is a folder; give a file name, e.g. {RECOMMENDED}")
    return target


def save_login(auth: Path, base_url: str = DEFAULT_BASE_URL, browser=None, sign_in: Callable | None = None,
               say: Callable[[str], None] = print) -> Path:
    """Open {base_url}/login in a browser, wait until the feed shows, save the storage state to `auth`.

    Without `browser`, a visible Chromium is launched for the person. Tests pass a launched browser and
    `sign_in(page)`, which fills the login form instead of a person (against the stand-in).
    """
    target = check_auth_path(auth)
    with ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            from playwright.sync_api import Error as PlaywrightError

            playwright = stack.enter_context(sync_playwright())
            try:
                browser = launch(playwright, headless=False)
            except PlaywrightError as exc:
                raise BrowserMissing(f"cannot open a browser window ({exc.message.splitlines()[0]}); run "
                                     "`stepshot login` on a machine with a display") from None
            stack.callback(browser.close)
        context = browser.new_context(**context_options("en", "desktop"))
        stack.callback(context.close)
        _log_in(context.new_page(), base_url.rstrip("/"), sign_in, say)
        state = context.storage_state()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(target, json.dumps(state, indent=2).encode("utf-8"), mode=0o600)
    say(f"saved the login to {auth} (private: anyone holding it is logged in as the account; never commit "
        f"or share it). Use it with --auth {auth} or STEPSHOT_AUTH.")
    return target


def _log_in(page, base_url: str, sign_in: Callable | None, say: Callable[[str], None]) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(base_url + "/login")
    say(f"Log into the test account in the browser window ({base_url}); two-step verification and "
        f"captchas work as usual. Waiting up to {WAIT_MINUTES} minutes for the feed to show.")
    if sign_in is not None:
        sign_in(page)
    try:
        page.wait_for_url(LOGGED_IN, timeout=WAIT_MINUTES * 60_000)
    except PlaywrightTimeout:
        raise TargetUnusable("login-required", f"{base_url}: the feed did not show within "
                                               f"{WAIT_MINUTES} minutes; nothing saved") from None
    except PlaywrightError:
        raise TargetUnusable("login-required", "the browser window was closed before the feed "
                                               "showed; nothing saved") from None
