"""Finding a Chromium, launching it, and the one place that sets up browser contexts.

Resolution order: Playwright's own Chromium when installed; else STEPSHOT_CHROMIUM; else Debian's
/usr/bin/chromium or /usr/lib/chromium/chromium. Nothing found: BrowserMissing, whose message says how
to get one.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .errors import BrowserMissing
from .locales import LOCALES

SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")

HOW_TO_GET_ONE = (
    "no Chromium found: run `python -m playwright install chromium`, or on Debian "
    "`apt-get install --no-install-recommends chromium fonts-noto-core fonts-noto-cjk fonts-liberation`, "
    "or set STEPSHOT_CHROMIUM to a Chromium executable"
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


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    scale: float
    mobile: bool


VIEWPORTS: dict[str, Viewport] = {
    "desktop": Viewport("desktop", 1280, 800, 1, mobile=False),
    # A phone-sized profile: LinkedIn serves its mobile web layout to it.
    "mobile": Viewport("mobile", 390, 844, 2, mobile=True),
}

MOBILE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
)


def playwright_chromium(playwright) -> Path | None:
    """Playwright's own downloaded Chromium, if `playwright install chromium` has run."""
    try:
        path = Path(playwright.chromium.executable_path)
    except Exception:  # Playwright raises when its browser registry has no entry
        return None
    return path if path.is_file() else None


def system_chromium() -> Path | None:
    env = os.environ.get("STEPSHOT_CHROMIUM")
    if env:
        path = Path(env)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BrowserMissing(f"STEPSHOT_CHROMIUM={env}: not an executable file")
        return path
    for candidate in SYSTEM_CHROMIUMS:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return Path(candidate)
    found = shutil.which("chromium")
    return Path(found) if found else None


def resolve_chromium(playwright) -> Path | None:
    """The executable to launch; None means Playwright's own (launch without executable_path)."""
    if playwright_chromium(playwright) is not None and not os.environ.get("STEPSHOT_CHROMIUM"):
        return None
    path = system_chromium()
    if path is None:
        raise BrowserMissing(HOW_TO_GET_ONE)
    return path


def needs_no_sandbox() -> bool:
    """Chromium's sandbox cannot start as root (containers, CI); elsewhere keep it."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 or os.environ.get("STEPSHOT_NO_SANDBOX") == "1"


def launch(playwright, headless: bool = True):
    args = list(CONTAINER_FLAGS)
    if needs_no_sandbox():
        args.append("--no-sandbox")
    executable = resolve_chromium(playwright)
    return playwright.chromium.launch(
        headless=headless,
        executable_path=str(executable) if executable else None,
        args=args,
    )


def describe(playwright) -> str:
    """One line naming the browser stepshot will use."""
    path = resolve_chromium(playwright)
    if path is None:
        return f"Playwright's Chromium: {playwright_chromium(playwright)}"
    return f"system Chromium: {path}"


def context_options(locale: str, viewport: str = "desktop", storage_state: str | None = None) -> dict:
    """Every browser-context setting in one place: the same inputs always give the same pixels."""
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
    if storage_state:
        options["storage_state"] = storage_state
    return options
