"""The run layer `check` and `capture` share: the target, its logins and sessions, the interface language,
the walk of every (locale, viewport), unusable targets, interrupts and progress.

One Chromium serves the whole run, each (locale, viewport) in its own browser context, several at once.
Session policy: one browser session per login at a time. The stand-in has several test accounts, so the
default run walks in parallel with one session each; a live target has one login, walked by one session
unless --parallel-sessions says otherwise. Each login walks its locales one after the other: first the
account's display language is set (language.py), then that locale's units are walked; at the end the
account's language is put back. On a live target, what the run changed is noted in the journal first
(journal.py), and put back at the start of the next run if this one died.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, TextIO

from .browser import context_options, launch
from .checkout import Checkout
from .errors import BadInput
from .guard import Guard
from .journal import FILE_NAME as JOURNAL_FILE, Journal
from .language import restore_language, set_language
from .locales import LOCALES, VIEWPORTS
from .loops import gather_or_cancel, run_coroutine
from .reader import Project
from .schema import Flow
from .names import NameRules
from .personal import Persona
from .privacy import avatar_data_url, scrub_script
from .targets import STAND_IN, Login, TargetSpec, live_login, standin_logins
from .walker import Policy

MAX_PARALLEL = 8
RESTORE_TIMEOUT_SECONDS = 15


def default_parallel() -> int:
    """Parallel sessions for the stand-in: most of a step is waiting for the page (loads, saves, late
    renders), so four per core. On two cores a full capture took 0.88x the wall time with 6 sessions as
    with 4, and 0.84x with 8 as with 6, for the same CPU time within 4 % (BENCHMARKS.md)."""
    return max(2, min(MAX_PARALLEL, 4 * (os.cpu_count() or 1)))


@dataclass(frozen=True)
class Unit:
    locale: str
    viewport: str
    flows: tuple[Flow, ...]

    @property
    def name(self) -> str:
        return f"{self.locale}/{self.viewport}"


def plan(project: Project, locales: list[str], viewports: list[str] | None) -> list[Unit]:
    """(locale, viewport, flows to walk there), in a stable order; BadInput when nothing would run."""
    chosen = viewports or list(VIEWPORTS)
    units = []
    for locale in locales:
        for viewport in chosen:
            flows = tuple(flow for flow in project.flow.flows if viewport in flow.viewports)
            if flows:
                units.append(Unit(locale, viewport, flows))
    if not units:
        raise BadInput(f"--viewport: {', '.join(chosen)}: no flow in {project.flow_path} runs in this viewport")
    return units


class Progress:
    """Progress lines on stderr (or a given stream), one at a time across the parallel sessions."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.lock = threading.Lock()

    def line(self, text: str) -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()


@dataclass
class Session:
    """One login walking one unit: it opens the unit's browser context, logged in, with a guarded page."""

    browser: object
    base_url: str
    login: Login
    unit: Unit
    project: Project
    policy: Policy
    persona: Persona
    init_scripts: tuple[str, ...] = ()

    @property
    def rules(self) -> NameRules:
        """The member's own name may stand beside a label: the account's, or the persona's once the
        privacy scrub has replaced it."""
        return NameRules(member_names=(self.login.account.name, self.persona.name),
                         state_words=(self.project.text(self.unit.locale, "switch_on"),
                                      self.project.text(self.unit.locale, "switch_off")))

    async def open(self):
        """(context, page, guard); the context is closed by the caller."""
        context = await self.browser.new_context(**context_options(self.unit.locale, self.unit.viewport,
                                                                   self.login.state))
        await context.add_init_script(scrub_script(self.login.account, self.persona,
                                                   self.persona.headline_in(self.unit.locale),
                                                   avatar_data_url(self.persona)))
        for script in self.init_scripts:
            await context.add_init_script(script)
        page = await context.new_page()
        return context, page, Guard(page, self.base_url, self.unit.locale)


@dataclass
class Opened:
    """What the run walked: for the reports."""

    base_url: str
    logins: int = 0
    sessions: int = 0
    repaired: list[str] = field(default_factory=list)  # what an earlier run had left changed and was put back
    standin: object = None    # the stand-in the run started (its state and request log), None for a URL


Work = Callable[[Session], Awaitable[None]]


@dataclass
class RunRequest:
    spec: TargetSpec
    units: list[Unit]
    persona: Persona
    auth: Path | None = None
    parallel_sessions: int | None = None
    changes_settings: bool = False
    init_scripts: tuple[str, ...] = ()


class _Run:
    def __init__(self, checkout: Checkout, project: Project, request: RunRequest, work: Work, progress: Progress):
        self.checkout = checkout
        self.project = project
        self.request = request
        self.work = work
        self.progress = progress
        self.journal: Journal | None = None

    def policy_for(self, login: Login) -> Policy:
        if not self.request.changes_settings:
            return Policy()
        journal = self.journal
        return Policy(changes_settings=True, may_turn_on=login.account.test_account,
                      on_switch_on=(lambda path: journal.switch_on(login.key, path)) if journal else (lambda p: None),
                      on_switch_off=(lambda path: journal.switch_off(login.key, path)) if journal else (lambda p: None))

    async def account_page(self, browser, base_url: str, login: Login, locale: str):
        context = await browser.new_context(**context_options(locale, "desktop", login.state))
        await context.add_init_script(scrub_script(login.account, self.request.persona,
                                                   self.request.persona.headline_in(locale),
                                                   avatar_data_url(self.request.persona)))
        page = await context.new_page()
        return context, page, Guard(page, base_url, locale, where=f"language setting, locale {locale}")

    async def repair(self, browser, base_url: str, login: Login, opened: Opened) -> None:
        """Put back what an earlier run against this target left changed (it died before doing so)."""
        pending = self.journal.pending(login.key)
        if not pending:
            return
        from .walker import FIND_TIMEOUT_MS, switch_saved
        context, page, guard = await self.account_page(browser, base_url, login, "en")
        try:
            for path in pending["switches_on"]:
                await guard.goto(base_url + path, 30_000)
                switch = page.get_by_role("switch").filter(visible=True)
                await guard.run(switch.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
                if await switch.count() == 1 and await switch.is_checked():
                    await switch.click()
                    if not await switch_saved(guard, switch, False, []):
                        self.progress.line(f"  (could not turn {path} off again: the switch did not show off; "
                                           "the next run will try again)")
                        continue
                self.journal.switch_off(login.key, path)
                opened.repaired.append(f"turned {path} off again (an earlier run had turned it on)")
            if pending["language"]:
                await restore_language(page, guard, base_url, pending["language"])
                self.journal.language_restored(login.key)
                opened.repaired.append(f"set the display language back to {pending['language']}")
        finally:
            await context.close()

    async def walk_login(self, browser, base_url: str, login: Login, units: list[Unit], sessions: int) -> None:
        """One login's share of the run: locale by locale, the language set first, then its units."""
        original = None
        policy = self.policy_for(login)
        try:
            for locale in dict.fromkeys(u.locale for u in units):
                context, page, guard = await self.account_page(browser, base_url, login, locale)
                try:
                    before = await set_language(page, guard, base_url, LOCALES[locale])
                    if original is None:
                        original = before
                        if self.journal:
                            self.journal.language_changed(login.key, before)
                    login.state = await context.storage_state()  # the language cookie as LinkedIn set it
                finally:
                    await context.close()
                gate = asyncio.Semaphore(sessions)

                async def walk(unit: Unit) -> None:
                    async with gate:
                        await self.work(Session(browser, base_url, login, unit, self.project, policy,
                                                self.request.persona, self.request.init_scripts))

                await gather_or_cancel([walk(u) for u in units if u.locale == locale])
        finally:
            # An interrupt stops at once: a live run's journal puts the language back on the next run.
            if original is not None and not asyncio.current_task().cancelling():
                await self.put_language_back(browser, base_url, login, original)

    async def put_language_back(self, browser, base_url: str, login: Login, original: str) -> None:
        context, page, guard = await self.account_page(browser, base_url, login, "en")
        try:
            await asyncio.wait_for(restore_language(page, guard, base_url, original), RESTORE_TIMEOUT_SECONDS)
            if self.journal:
                self.journal.language_restored(login.key)
        except Exception as exc:  # the walk's own error matters more; the journal keeps what is left to do
            self.progress.line(f"  (could not put the display language back to {original}: "
                               f"{str(exc).splitlines()[0]}; the next run will)")
        finally:
            await context.close()

    async def run(self) -> Opened:
        from playwright.async_api import async_playwright

        request = self.request
        # A live target's login and account data are read before any browser starts.
        live = [live_login(request.auth, self.checkout.settings)] if request.spec.kind != STAND_IN else None
        async with AsyncExitStack() as stack:
            playwright = await stack.enter_async_context(async_playwright())
            browser = await launch(playwright, self.checkout.settings)
            stack.push_async_callback(browser.close)
            if request.spec.kind == STAND_IN:
                from .standin.server import running

                served = stack.enter_context(running(self.checkout, request.spec.markup, request.spec.variant))
                base_url = served.url
                # A locale's units stay with one login (share_locales): a login more than locales would idle.
                count = min(request.parallel_sessions or default_parallel(), len({u.locale for u in request.units}))
                consent = (self.project.text("en", "consent_reject"), self.project.text("en", "consent_accept"))
                logins = await standin_logins(browser, base_url, max(1, count), consent)
                sessions = 1
            else:
                base_url = request.spec.base_url
                logins = live
                sessions = request.parallel_sessions or 1
                self.journal = Journal(self.checkout.reports / JOURNAL_FILE, base_url)
            opened = Opened(base_url, logins=len(logins), sessions=len(logins) * sessions,
                            standin=served.standin if request.spec.kind == STAND_IN else None)
            self.progress.line(f"walking {request.spec.text} at {base_url}: {len(request.units)} unit(s), "
                               f"{len(logins)} login(s), {opened.sessions} session(s) at once")
            if self.journal:
                for login in logins:
                    await self.repair(browser, base_url, login, opened)
            shares = share_locales(request.units, len(logins))
            await gather_or_cancel([self.walk_login(browser, base_url, login, share, sessions)
                                    for login, share in zip(logins, shares) if share])
            return opened


def share_locales(units: list[Unit], logins: int) -> list[list[Unit]]:
    """Locales dealt out to the logins in turn (a locale's units stay with one login: one language)."""
    locales = list(dict.fromkeys(u.locale for u in units))
    shares = [[] for _ in range(logins)]
    for index, locale in enumerate(locales):
        shares[index % logins] += [u for u in units if u.locale == locale]
    return shares


def run_walk(checkout: Checkout, project: Project, request: RunRequest, work: Work,
             progress: Progress | None = None) -> Opened:
    """Walk every unit of the request with `work(session)`; returns what was opened (loops.py: from the
    command line, SIGTERM stops the run like Ctrl+C)."""
    return run_coroutine(_Run(checkout, project, request, work, progress or Progress()).run())
