"""`stepshot login`: a person logs into the test account in a visible browser; the login is saved.

The file is Playwright's storage state (cookies and local storage): whoever holds it is logged in as the
account. So it is written with owner-only permissions, never under the published folders
(screenshots/, docs/), inside the repository only under a git-ignored name (*.auth.json), and its
content is never printed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from . import paths
from .browser import context_options, launch
from .errors import BadInput, TargetUnusable
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


def save_login(auth: Path, base_url: str = DEFAULT_BASE_URL, headless: bool = False,
               sign_in: Callable | None = None, say: Callable[[str], None] = print) -> Path:
    """Open {base_url}/login in a browser, wait until the feed shows, save the storage state to `auth`.

    `sign_in(page)` fills the login form instead of a person (tests, against the stand-in).
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    target = check_auth_path(auth)
    base_url = base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = launch(playwright, headless=headless)
        try:
            context = browser.new_context(**context_options("en", "desktop"))
            page = context.new_page()
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
            state = context.storage_state()
        finally:
            browser.close()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(target, json.dumps(state, indent=2).encode("utf-8"), mode=0o600)
    say(f"saved the login to {auth} (private: anyone holding it is logged in as the account; never commit "
        f"or share it). Use it with --auth {auth} or STEPSHOT_AUTH.")
    return target
