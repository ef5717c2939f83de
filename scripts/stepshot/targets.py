"""What `--target` means, and a browser set up to walk it (used by `check` and `capture` alike).

    stand-in             the local stand-in, started in-process on a free port (the default)
    stand-in:<variant>   the same with a drift variant (label-renamed, checkpoint, ...)
    https://host         a live site; needs a saved login: --auth FILE or STEPSHOT_AUTH (Playwright storage state)
"""

from __future__ import annotations

import json
import os
import queue
import threading
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Literal, Sequence, TypeVar
from urllib.parse import urlsplit

from .browser import context_options
from .errors import BadInput, TargetUnusable
from .standin.variants import VARIANTS

STAND_IN = "stand-in"
AUTH_ENV = "STEPSHOT_AUTH"
LOGIN_HINT = "login required: run `stepshot login` to save a login, then pass it with --auth FILE or STEPSHOT_AUTH"
TARGET_FORMS = "expected stand-in, stand-in:<variant> or a base URL like https://www.linkedin.com"


def is_linkedin(url: str) -> bool:
    """On linkedin.com or one of its subdomains: only such a run may mark labels verified."""
    host = (urlsplit(url).hostname or "").lower()
    return host == "linkedin.com" or host.endswith(".linkedin.com")


@dataclass(frozen=True)
class TargetSpec:
    text: str                                # as the user wrote it
    kind: Literal["stand-in", "url"]
    variant: str | None = None               # stand-in only
    base_url: str | None = None              # url only: scheme://host[:port], no trailing slash

    @property
    def source(self) -> str:
        """What the run's reports and the site call this target."""
        return STAND_IN if self.kind == STAND_IN else "live"


def parse_target(text: str) -> TargetSpec:
    """Read a --target value; BadInput (one line) for anything else."""
    text = text.strip()
    if text == STAND_IN:
        return TargetSpec(text, STAND_IN)
    if text.startswith(STAND_IN + ":"):
        variant = text.split(":", 1)[1]
        if variant not in VARIANTS:
            raise BadInput(f"--target: {text}: unknown stand-in variant {variant!r} "
                           f"(known: {', '.join(VARIANTS)})")
        return TargetSpec(text, STAND_IN, variant=variant)
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


def resolve_auth(spec: TargetSpec, auth: Path | None) -> Path | None:
    """The saved login a live target needs: --auth, else STEPSHOT_AUTH. The stand-in needs none.

    A path that does not exist is a wrong option (BadInput, exit 2); no login at all means the target
    cannot be used (TargetUnusable login-required, exit 3). The file's content is never printed.
    """
    if spec.kind == STAND_IN:
        return None
    origin = "--auth"
    if auth is None and os.environ.get(AUTH_ENV):
        auth, origin = Path(os.environ[AUTH_ENV]), AUTH_ENV
    if auth is None:
        raise TargetUnusable("login-required", LOGIN_HINT)
    if not auth.is_file():
        raise BadInput(f"{origin}: {auth}: no such file")
    try:
        state = json.loads(auth.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadInput(f"{origin}: {auth}: not a Playwright storage-state JSON file") from None
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        raise BadInput(f"{origin}: {auth}: not a Playwright storage-state JSON file (no cookies list)")
    return auth


@dataclass
class Target:
    """A target ready to walk: base URL, where it comes from, and contexts already logged in."""

    spec: TargetSpec
    base_url: str
    browser: object                          # playwright.sync_api.Browser
    auth: Path | None = None
    _contexts: list = field(default_factory=list, repr=False)

    @property
    def source(self) -> str:
        return self.spec.source

    @property
    def variant(self) -> str | None:
        return self.spec.variant

    def new_context(self, locale: str, viewport: str):
        """A browser context with the project's settings for (locale, viewport), logged in.

        Closed with the target; callers may close it earlier.
        """
        context = self.browser.new_context(**context_options(
            locale, viewport, storage_state=str(self.auth) if self.auth else None))
        self._contexts.append(context)
        if self.spec.kind == STAND_IN:
            response = context.request.post(self.base_url + "/__standin/session")
            if not response.ok:
                raise TargetUnusable("login-required", f"stand-in at {self.base_url}: POST /__standin/session "
                                                       f"answered HTTP {response.status}")
        return context

    def close(self):
        for context in self._contexts:
            context.close()
        self._contexts.clear()


def _reset_standin(base_url: str) -> None:
    request = urllib.request.Request(base_url + "/__standin/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


@contextmanager
def open_target(spec: TargetSpec | str, auth: Path | None = None, browser=None) -> Iterator[Target]:
    """Everything needed to walk `spec`: for the stand-in, a fresh server (switches reset) on a free port.

    `browser` is a launched Playwright Browser to reuse (tests share one); without it, one is launched
    and closed again.
    """
    if isinstance(spec, str):
        spec = parse_target(spec)
    auth = resolve_auth(spec, auth)
    with ExitStack() as stack:
        if spec.kind == STAND_IN:
            from .standin.server import running

            base_url = stack.enter_context(running(variant=spec.variant))
            _reset_standin(base_url)
        else:
            base_url = spec.base_url
        if browser is None:
            from playwright.sync_api import sync_playwright

            from .browser import launch

            playwright = stack.enter_context(sync_playwright())
            browser = launch(playwright)
            stack.callback(browser.close)
        target = Target(spec, base_url, browser, auth)
        stack.callback(target.close)
        yield target


Unit = TypeVar("Unit")


def walk_units(spec: TargetSpec, units: Sequence[Unit], walk_unit: Callable[[Target, Unit], None],
               auth: Path | None = None, browser=None, workers: int = 1,
               opened: Callable[[Target], None] | None = None) -> None:
    """Call walk_unit(target, unit) for every unit, in this thread or in `workers` threads.

    Playwright's sync API cannot drive one browser from several threads, so each worker has its own
    Playwright, browser and (for the stand-in) server; `browser` is reused only by a single worker.
    `opened` is told of each target as it opens. The first error in any worker stops the others after
    their current unit and is raised here.
    """
    if workers <= 1 or len(units) <= 1:
        with open_target(spec, auth, browser) as target:
            if opened:
                opened(target)
            for unit in units:
                walk_unit(target, unit)
        return

    todo: queue.Queue = queue.Queue()
    for unit in units:
        todo.put(unit)
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        try:
            with open_target(spec, auth) as target:
                if opened:
                    opened(target)
                while not stop.is_set():
                    try:
                        unit = todo.get_nowait()
                    except queue.Empty:
                        return
                    walk_unit(target, unit)
        except BaseException as exc:  # handed to the calling thread
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=worker, name=f"walker-{i}") for i in range(min(workers, len(units)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
