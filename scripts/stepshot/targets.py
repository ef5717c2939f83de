"""What `--target` means, and the logins a run walks it with.

    stand-in                     the local stand-in (linkedin markup), started for the run on a free port
    stand-in:<mod>[,<mod>]       the same with a markup (linkedin, neutral) and/or a drift variant
    https://host                 a live site: needs a saved login (--auth FILE or STEPSHOT_AUTH, a Playwright
                                 storage state) and the account's data (STEPSHOT_ACCOUNT)

A login is a saved browser session plus the data of the account it belongs to. The stand-in target makes
its logins the way `stepshot login` would: through its sign-in form, one per test account.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from .errors import BadInput, TargetUnusable
from .files import read_text
from .personal import PersonalData, live_account, standin_account
from .settings import Settings
from .standin.variants import DEFAULT_MARKUP, MARKUPS, VARIANTS

STAND_IN = "stand-in"
LOGIN_HINT = "login required: run `stepshot login` to save a login, then pass it with --auth FILE or STEPSHOT_AUTH"
TARGET_FORMS = "expected stand-in, stand-in:<markup or variant>, or a base URL like https://www.linkedin.com"


@dataclass(frozen=True)
class TargetSpec:
    text: str                                # as the user wrote it
    kind: Literal["stand-in", "url"]
    variant: str | None = None               # stand-in only
    markup: str | None = None                # stand-in only
    base_url: str | None = None              # url only: scheme://host[:port], no trailing slash

    @property
    def source(self) -> str:
        """What the run's reports and the site call this target."""
        return STAND_IN if self.kind == STAND_IN else "live"

    def describe(self) -> dict:
        return {"spec": self.text, "source": self.source, "variant": self.variant, "markup": self.markup,
                "base_url": self.base_url}


def parse_target(text: str) -> TargetSpec:
    """Read a --target value; BadInput (one line) for anything else."""
    text = text.strip()
    if text == STAND_IN:
        return TargetSpec(text, STAND_IN, markup=DEFAULT_MARKUP)
    if text.startswith(STAND_IN + ":"):
        mods = [m.strip() for m in text.split(":", 1)[1].split(",")]
        markups = [m for m in mods if m in MARKUPS]
        variants = [m for m in mods if m in VARIANTS]
        unknown = [m for m in mods if m not in MARKUPS and m not in VARIANTS]
        if unknown:
            raise BadInput(f"--target: {text}: unknown stand-in variant {unknown[0]!r} "
                           f"(known: {', '.join(VARIANTS)}; markups: {', '.join(MARKUPS)})")
        if len(markups) > 1 or len(variants) > 1:
            raise BadInput(f"--target: {text}: at most one markup and one variant")
        return TargetSpec(text, STAND_IN, variant=variants[0] if variants else None,
                          markup=markups[0] if markups else DEFAULT_MARKUP)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        raise BadInput(f"--target: {text}: {TARGET_FORMS}")
    try:
        port = parts.port
    except ValueError:
        raise BadInput(f"--target: {text}: invalid port") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return TargetSpec(text, "url", base_url=f"{parts.scheme}://{host}" + (f":{port}" if port else ""))


def login_key(email: str) -> str:
    """Names a login in the account journal without naming the person: a hash of the account's email."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


@dataclass
class Login:
    """A saved session of one account, and that account's data."""

    state: dict                     # Playwright storage state (cookies, origins); never printed
    account: PersonalData
    origin: str                     # where it came from, for messages: a file name, or the stand-in

    @property
    def key(self) -> str:
        return login_key(self.account.email)


def read_storage_state(path: Path, origin: str) -> dict:
    """A saved login file as a storage state; BadInput without ever showing its content."""
    if not path.is_file():
        raise BadInput(f"{origin}: {path}: no such file")
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise BadInput(f"{origin}: {path}: readable by others (mode {stat.S_IMODE(mode):o}); anyone who can read "
                       "it is logged in as the account: run `chmod 600` on it")
    try:
        state = json.loads(read_text(path))
    except (BadInput, json.JSONDecodeError, RecursionError):
        raise BadInput(f"{origin}: {path}: not a Playwright storage-state JSON file") from None
    cookies = state.get("cookies") if isinstance(state, dict) else None
    if not isinstance(cookies, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("value"), str)
            and isinstance(c.get("domain"), str) for c in cookies):
        raise BadInput(f"{origin}: {path}: not a Playwright storage-state JSON file (cookies need a name, "
                       "a value and a domain)")
    if not isinstance(state.get("origins", []), list):
        raise BadInput(f"{origin}: {path}: not a Playwright storage-state JSON file (origins is not a list)")
    return {"cookies": cookies, "origins": state.get("origins", [])}


def live_login(auth: Path | None, settings: Settings) -> Login:
    """The saved login a live target needs: --auth, else STEPSHOT_AUTH, with STEPSHOT_ACCOUNT's data.

    A file that is missing or not a storage state is a wrong option (BadInput, exit 2); no login at all
    means the target cannot be used (TargetUnusable login-required, exit 3).
    """
    origin = "--auth"
    if auth is None and settings.auth is not None:
        auth, origin = settings.auth, "STEPSHOT_AUTH"
    if auth is None:
        raise TargetUnusable("login-required", LOGIN_HINT)
    state = read_storage_state(auth, origin)
    return Login(state, live_account(settings.account), os.path.basename(auth))


async def standin_logins(browser, base_url: str, count: int, consent: tuple[str, str]) -> list[Login]:
    """Sign in `count` of the stand-in's test accounts through its login form, as a person would
    (consent: the English Reject and Accept labels, for a cookie banner on the login page). The login keeps
    the session, not the answer to that banner: whether it showed before the form was filled is a matter of
    timing, and every walk is to meet the banner as a first visit does."""
    from .login import fill_login_form
    from .loops import gather_or_cancel
    from .standin.accounts import TEST_ACCOUNTS
    from .standin.app import CONSENT_COOKIE

    async def sign_in(account) -> Login:
        context = await browser.new_context(locale="en-US")
        try:
            page = await context.new_page()
            await page.goto(base_url + "/login")
            await page.wait_for_load_state("load")
            await fill_login_form(page, account.email, account.password, consent)
            state = await context.storage_state()
        finally:
            await context.close()
        state["cookies"] = [cookie for cookie in state["cookies"] if cookie["name"] != CONSENT_COOKIE]
        if not any(cookie.get("httpOnly") for cookie in state["cookies"]):
            raise TargetUnusable("login-required", f"stand-in at {base_url}: signing in as a test account "
                                                   "did not give a session")
        return Login(state, standin_account(account), STAND_IN)

    # All at once: the walk waits for every login, and one sign-in at a time keeps one core busy.
    return await gather_or_cancel([sign_in(account) for account in TEST_ACCOUNTS[:count]])
