"""Finding a Chromium, launching it, and the one place that sets up browser contexts.

Resolution order: Playwright's own Chromium when installed; else STEPSHOT_CHROMIUM; else Debian's: for a
headless launch its headless shell when installed (package chromium-headless-shell), else /usr/bin/chromium
or /usr/lib/chromium/chromium. Nothing found: BrowserMissing, whose message says how to get one. A Chromium
that exists but does not start is BrowserMissing too, with its first line.

The headless shell is the same engine without the full browser's layers: the same pixels for about half
the CPU of a capture (BENCHMARKS.md). It is what Playwright's own Chromium launches headless, too.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import BrowserMissing
from .locales import LOCALES, VIEWPORTS
from .settings import Settings

SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
SYSTEM_HEADLESS_SHELLS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell")

HOW_TO_GET_ONE = (
    "no Chromium found: run `python -m playwright install chromium`, or on Debian "
    "`apt-get install --no-install-recommends chromium chromium-headless-shell fonts-noto-core fonts-noto-cjk "
    "fonts-liberation`, or set STEPSHOT_CHROMIUM to a Chromium executable"
)

# Flags for headless Chromium in containers and CI. Background networking is off because these
# machines (and CI runners) must not phone home; it also keeps runs quiet and deterministic.
CONTAINER_FLAGS = (
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--font-render-hinting=none",
)

MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def playwright_chromium(executable_path: str | None) -> Path | None:
    """Playwright's own downloaded Chromium (its registry's path), if `playwright install chromium` has run."""
    path = Path(executable_path) if executable_path else None
    return path if path is not None and path.is_file() else None


def _registry_path(playwright) -> str | None:
    try:
        return playwright.chromium.executable_path
    except Exception:  # Playwright raises when its browser registry has no entry
        return None


def _first_executable(candidates) -> Path | None:
    return next((Path(c) for c in candidates if os.path.isfile(c) and os.access(c, os.X_OK)), None)


def system_chromium(settings: Settings, shell: bool = False) -> Path | None:
    """STEPSHOT_CHROMIUM, else Debian's; with `shell`, its headless shell first."""
    if settings.chromium is not None:
        path = settings.chromium
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserMissing(f"STEPSHOT_CHROMIUM={path}: not an executable file")
        return path
    found = _first_executable([*(SYSTEM_HEADLESS_SHELLS if shell else ()), *SYSTEM_CHROMIUMS])
    if found is None and (on_path := shutil.which("chromium")):
        found = Path(on_path)
    return found


def resolve_chromium(playwright, settings: Settings, shell: bool = True) -> Path | None:
    """The executable to launch; None means Playwright's own (launch without executable_path).

    shell: a headless launch, which Debian's headless shell serves (False: a visible window, or Lighthouse,
    which measures the full browser).
    """
    if playwright_chromium(_registry_path(playwright)) is not None and settings.chromium is None:
        return None
    path = system_chromium(settings, shell)
    if path is None:
        raise BrowserMissing(HOW_TO_GET_ONE)
    return path


def needs_no_sandbox(settings: Settings) -> bool:
    """Chromium's sandbox cannot start as root (containers, CI); elsewhere keep it."""
    return (hasattr(os, "geteuid") and os.geteuid() == 0) or settings.no_sandbox


def launch_options(playwright, settings: Settings, headless: bool = True) -> dict:
    args = list(CONTAINER_FLAGS)
    if needs_no_sandbox(settings):
        args.append("--no-sandbox")
    executable = resolve_chromium(playwright, settings, shell=headless)
    return {"headless": headless, "executable_path": str(executable) if executable else None, "args": args}


async def launch(playwright, settings: Settings, headless: bool = True):
    """An async Playwright Chromium; BrowserMissing (exit 4) when it cannot start."""
    from playwright.async_api import Error as PlaywrightError

    options = launch_options(playwright, settings, headless)
    try:
        return await playwright.chromium.launch(**options)
    except PlaywrightError as exc:
        first = next((line.strip() for line in exc.message.splitlines() if line.strip()), "no message")
        raise BrowserMissing(f"Chromium ({options['executable_path'] or 'Playwright'}) did not start: {first}") from None


def which_chromium(playwright, settings: Settings) -> str:
    """One line naming the browser stepshot will use."""
    path = resolve_chromium(playwright, settings)
    if path is None:
        return f"Playwright's Chromium: {_registry_path(playwright)}"
    return f"system Chromium: {path}"


def context_options(locale: str, viewport: str = "desktop", storage_state=None) -> dict:
    """Every browser-context setting in one place: the same inputs always give the same pixels.

    The browser's language follows the locale, as a reader's would; a signed-in LinkedIn ignores it
    (the account's display language decides: see language.py).
    """
    loc = LOCALES[locale]
    vp = VIEWPORTS[viewport]
    options = {
        "locale": loc.browser,
        "viewport": {"width": vp.width, "height": vp.height},
        "device_scale_factor": vp.scale,
        "is_mobile": vp.mobile,
        "has_touch": vp.mobile,
        "color_scheme": "light",
        "reduced_motion": "reduce",
        "timezone_id": "UTC",
        "extra_http_headers": {"Accept-Language": f"{loc.browser},{loc.code};q=0.9"},
    }
    if vp.mobile:
        options["user_agent"] = MOBILE_USER_AGENT
    if storage_state is not None:
        options["storage_state"] = storage_state
    return options
