"""When a target becomes unusable, at any moment: a login wall, a security checkpoint, a server error or a
page in the wrong language, reached by a redirect, by a script or by a data request during a step.

A Guard watches one page from the moment it opens. What it sees trips it at once, and every wait of the
walk runs through `Guard.run`, so a walk never waits out a timeout on a page that can no longer lead
anywhere: it stops with TargetUnusable (exit 3), never reports it as drift.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from .errors import TargetUnusable
from .locales import LOCALES

LOGIN_PATHS = ("/login", "/uas/login", "/authwall", "/checkpoint/lg")
CHECKPOINT = "/checkpoint/"
WATCHED_TYPES = ("document", "fetch", "xhr")
LOGIN_AGAIN = "the saved login has expired or is missing: run `stepshot login`"
VERIFY_BY_HAND = "log in by hand once (pass the verification), then save the login again"


def path_of(url: str) -> str:
    return urlsplit(url).path or "/"


def unusable_path(path: str) -> tuple[str, str] | None:
    """(reason, what to do) when the path is a login wall or a security checkpoint."""
    if any(path == p or path.startswith(p + "/") or path.startswith(p + "-") for p in LOGIN_PATHS):
        return "login-required", LOGIN_AGAIN
    if CHECKPOINT in path:
        return "checkpoint", VERIFY_BY_HAND
    return None


class Guard:
    def __init__(self, page, base_url: str, locale: str, where: str = ""):
        self.page = page
        self.origin = urlsplit(base_url)[:2]
        self.language = LOCALES[locale].language
        self.where = where
        self.error: TargetUnusable | None = None
        self.tripped = asyncio.Event()
        page.on("framenavigated", self._navigated)
        page.on("response", self._response)

    def trip(self, reason: str, detail: str) -> None:
        if self.error is None:
            self.error = TargetUnusable(reason, f"{detail} ({self.where})" if self.where else detail)
            self.tripped.set()

    def _navigated(self, frame) -> None:
        if frame != self.page.main_frame:
            return
        path = path_of(frame.url)
        found = unusable_path(path)
        if found:
            reason, advice = found
            self.trip(reason, f"{'login page' if reason == 'login-required' else 'security checkpoint'} at "
                              f"{path}; {advice}")

    def _response(self, response) -> None:
        request = response.request
        if response.status < 500 or urlsplit(response.url)[:2] != self.origin \
                or request.resource_type not in WATCHED_TYPES:
            return
        self.trip("server-error", f"HTTP {response.status} on {path_of(response.url)} ({request.resource_type})")

    def raise_if_tripped(self) -> None:
        if self.error is not None:
            raise self.error

    async def run(self, awaitable):
        """Await `awaitable`, unless the target becomes unusable first: then TargetUnusable at once."""
        if self.error is not None:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()  # never started: nothing to wait for
            raise self.error
        task = asyncio.ensure_future(awaitable)
        task.add_done_callback(_retrieved)  # an interrupt may leave its error unread: never log it
        trip = asyncio.ensure_future(self.tripped.wait())
        try:
            await asyncio.wait({task, trip}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            trip.cancel()
            task.cancel()  # no-op when done; on an interrupt the action stops with the run
        self.raise_if_tripped()
        if task.cancelled():
            raise self.error or asyncio.CancelledError()
        return task.result()

    async def goto(self, url: str, timeout_ms: int) -> None:
        """Open `url`; a target that does not answer is TargetUnusable `unreachable`."""
        from playwright.async_api import Error as PlaywrightError

        try:
            await self.run(self.page.goto(url, timeout=timeout_ms))
        except PlaywrightError as exc:
            raise TargetUnusable("unreachable", f"{url}: {exc.message.splitlines()[0]}") from None

    async def check_page(self) -> None:
        """What only the page itself shows: a password field (a login form anywhere), the wrong language."""
        self.raise_if_tripped()
        state = await self.page.evaluate("""() => ({
            lang: (document.documentElement.getAttribute('lang') || '').toLowerCase(),
            password: [...document.querySelectorAll('input[type=password]')].some(i => i.checkVisibility())})""")
        if state["password"]:
            self.trip("login-required", f"login form at {path_of(self.page.url)}; {LOGIN_AGAIN}")
        elif state["lang"].split("-")[0] != self.language:
            self.trip("wrong-language", f"the page at {path_of(self.page.url)} is in {state['lang'] or 'no language'!r}, "
                                        f"not {self.language!r}: the account's display language did not change")
        self.raise_if_tripped()


def _retrieved(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()
