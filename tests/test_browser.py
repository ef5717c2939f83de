"""Which Chromium stepshot launches: STEPSHOT_CHROMIUM first, then Debian's headless shell for headless
launches, then Debian's full browser (a visible window and Lighthouse always take the full browser)."""

from __future__ import annotations

import pytest

from stepshot import browser
from stepshot.errors import BrowserMissing
from stepshot.settings import Settings


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """Fake Debian executables in tmp_path; returns a function that 'installs' one of them."""
    shell, full = tmp_path / "chromium-headless-shell", tmp_path / "chromium"
    monkeypatch.setattr(browser, "SYSTEM_HEADLESS_SHELLS", (str(shell),))
    monkeypatch.setattr(browser, "SYSTEM_CHROMIUMS", (str(full),))
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)

    def install(path):
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
        return path

    return {"shell": lambda: install(shell), "full": lambda: install(full)}


def test_a_headless_launch_takes_the_headless_shell_and_a_window_the_full_browser(installed):
    shell, full = installed["shell"](), installed["full"]()
    assert browser.system_chromium(Settings(), shell=True) == shell
    assert browser.system_chromium(Settings(), shell=False) == full


def test_without_the_headless_shell_every_launch_takes_the_full_browser(installed):
    full = installed["full"]()
    assert browser.system_chromium(Settings(), shell=True) == full


def test_stepshot_chromium_wins_over_the_headless_shell(installed, tmp_path):
    installed["shell"](), installed["full"]()
    chosen = tmp_path / "my-chromium"
    chosen.write_text("#!/bin/sh\n")
    chosen.chmod(0o755)
    assert browser.system_chromium(Settings(chromium=chosen), shell=True) == chosen
    with pytest.raises(BrowserMissing, match="STEPSHOT_CHROMIUM=.*not an executable"):
        browser.system_chromium(Settings(chromium=tmp_path / "none"), shell=True)
