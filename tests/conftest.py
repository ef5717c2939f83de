"""Shared fixtures: the repository as a Checkout, one sandbox helper, the CLI in-process, the built site
over real HTTP, a Chromium for one piece of test code (in_browser), and pytest-playwright's browser ladder
(browser -> context -> page, with a screenshot and trace of a failing test under build/test-results/)
launched on the Chromium stepshot uses.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stepshot.checkout import Checkout
from stepshot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
REPO = Checkout(ROOT, Settings())
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one core per Tesseract: the OCR gate runs them in parallel


# ---------- the browser: pytest-playwright's fixtures, on stepshot's Chromium ----------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, playwright):
    from stepshot.browser import launch_options

    return {**browser_type_launch_args, **launch_options(playwright, Settings())}


def in_browser(work):
    """`await work(browser)` in stepshot's Chromium, launched for it and closed after, from synchronous test
    code (for tests that need their own browser, not pytest-playwright's page)."""
    from stepshot.browser import launch
    from stepshot.loops import run_coroutine

    async def run():
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await launch(pw, Settings())
            try:
                return await work(browser)
            finally:
                await browser.close()

    return run_coroutine(run())


def pytest_configure(config):
    # Failure artifacts of pytest-playwright go to the git-ignored build folder.
    if config.getoption("--output", default="test-results") == "test-results":
        config.option.output = str(ROOT / "build" / "test-results")
    if config.getoption("--screenshot", default="off") == "off":
        config.option.screenshot = "only-on-failure"


# ---------- checkouts ----------

def make_checkout(folder: Path, *, images: bool = False, site: bool = False, settings: Settings | None = None,
                  link: bool = True) -> Checkout:
    """A checkout-shaped folder: the flow, labels and persona (symlinked, or copied with link=False so a
    test may change them); with `images`, copies of the committed screenshots and manifest; with `site`,
    the docs, mkdocs.yml and overrides too (copied: site tests change them)."""
    shots = folder / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for name in ("flow.yml", "labels", "persona.yml"):
        source = REPO.screenshots / name
        if link:
            (shots / name).symlink_to(source)
        elif source.is_dir():
            shutil.copytree(source, shots / name)
        else:
            shutil.copy2(source, shots / name)
    if images:
        for item in REPO.screenshots.iterdir():
            if item.name not in ("flow.yml", "labels", "persona.yml"):
                (shutil.copytree if item.is_dir() else shutil.copy2)(item, shots / item.name)
    if site:
        for name in ("docs", "overrides"):
            shutil.copytree(ROOT / name, folder / name)
        shutil.copy2(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
        (folder / "scripts").mkdir(exist_ok=True)
        (folder / "scripts" / "stepshot").symlink_to(ROOT / "scripts" / "stepshot")
    return Checkout(folder.resolve(), settings or Settings())


@pytest.fixture
def sandbox(tmp_path) -> Checkout:
    """A fresh checkout with the committed flow, labels and persona and no screenshots."""
    return make_checkout(tmp_path / "checkout")


# ---------- the CLI ----------

@dataclass
class Ran:
    code: int
    out: str
    err: str


def run_cli(*args: str, checkout: Checkout | None = None, env: dict | None = None, cwd: Path | None = None) -> Ran:
    """`stepshot ARGS` in this process, with STEPSHOT_ROOT at `checkout` and the given environment."""
    from stepshot.cli import main

    environ = {**(env or {})}
    if checkout is not None:
        environ["STEPSHOT_ROOT"] = str(checkout.root)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        try:
            code = main(list(args), environ)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return Ran(code, out.getvalue(), err.getvalue())


def run_process(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: int = 600,
                **popen) -> subprocess.CompletedProcess:
    """`stepshot ARGS` as its own process: where the process is the point (signals, limits, exit, real stdout)."""
    return subprocess.run([str(Path(sys.executable).with_name("stepshot")), *args], cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
                          **popen)


# ---------- the built site over HTTP ----------

@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """`mkdocs build --strict` of the committed docs into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_http(handler):
    """A real HTTP server with `handler` on a free loopback port; yields its base URL (no trailing slash)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def serve_directory(directory: Path):
    return serve_http(functools.partial(QuietHandler, directory=str(directory)))


@pytest.fixture(scope="session")
def site_url(built_site):
    """The built site over HTTP on a free loopback port."""
    with serve_directory(built_site) as url:
        yield url
