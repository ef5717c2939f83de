"""shot-scraper taking the same screenshots as `stepshot capture`: its YAML, its login and its browser.

One `shot-scraper multi` run per viewport (its scale factor and user agent are per run), every locale in
it. Each shot opens the state's page and runs a `javascript:` that replays the state's in-page actions
(states.py); a `python:` entry before each locale sets the stand-in account's language, as shot-scraper
has no locale option. The login is a Playwright storage-state file for `--auth`, made from a stand-in
session. Crops other than the viewport use its `selector` and `padding`.

shot-scraper launches Playwright's own Chromium and has no option for another executable. Where stepshot
runs a system Chromium (Debian's), the same binary is laid out where Playwright looks for its headless
shell, in a folder named by PLAYWRIGHT_BROWSERS_PATH (Playwright's documented setting for that folder).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import yaml

from .. import annotate
from ..browser import CONTAINER_FLAGS, MOBILE_USER_AGENT, VIEWPORTS, resolve_chromium
from ..gates import ToolMissing
from .states import PageState

HIGHLIGHT_ATTRIBUTE = "data-bench-highlight"

# Finds elements by ARIA role and accessible name (the few roles the flow uses), replays the state's
# actions, waits for fonts. `prepare` and `highlight` are filled in per shot.
REACH_JS = """
(async () => {
  const IMPLICIT = {button: 'button', a: 'link', section: 'region', nav: 'navigation', dialog: 'dialog',
                    h1: 'heading', h2: 'heading', h3: 'heading', h4: 'heading', h5: 'heading', h6: 'heading'};
  const roleOf = el => el.getAttribute('role') || (el.localName === 'a' && !el.hasAttribute('href') ? null : IMPLICIT[el.localName]);
  const text = el => (el ? el.textContent : '').replace(/\\s+/g, ' ').trim();
  const nameOf = el => {
    if (el.hasAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    if (el.hasAttribute('aria-labelledby'))
      return el.getAttribute('aria-labelledby').split(/\\s+/).map(id => text(document.getElementById(id))).join(' ').trim();
    return text(el);
  };
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const find = spec => {
    const scope = spec.within ? find(spec.within) : document;
    const found = [...scope.querySelectorAll('*')].filter(el => roleOf(el) === spec.role && visible(el) && nameOf(el) === spec.name);
    if (found.length !== 1) throw new Error(`${spec.role} "${spec.name}": ${found.length} visible matches`);
    return found[0];
  };
  const until = async (ok, what) => {
    const end = Date.now() + 10000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise(r => setTimeout(r, 20));
    }
  };
  for (const step of %(prepare)s) {
    const el = find(step.element);
    if (step.kind === 'click') { el.click(); continue; }
    const on = () => el.getAttribute('aria-checked') === 'true';
    if (on() !== step.on) {
      el.click();
      await until(() => on() === step.on && !el.hasAttribute('aria-busy'), `switch "${step.element.name}"`);
    }
  }
  const highlight = %(highlight)s;
  if (highlight) find(highlight).setAttribute('%(attribute)s', '');
  await document.fonts.ready;
})()
"""

SET_LANGUAGE_PY = """\
import json, urllib.request
request = urllib.request.Request({url!r}, data=json.dumps({{"locale": {locale!r}}}).encode(), method="POST",
                                 headers={{"Content-Type": "application/json", "Cookie": {cookie!r}}})
urllib.request.urlopen(request, timeout=10).read()
"""


def executable() -> Path:
    """The shot-scraper command installed next to this Python (the venv's)."""
    found = Path(sys.executable).with_name("shot-scraper")
    if found.is_file():
        return found
    which = shutil.which("shot-scraper")
    if which is None:
        raise ToolMissing("shot-scraper is not installed: `make install` installs the pinned one (test extra)")
    return Path(which)


def headless_shell_layout(playwright_driver: Path) -> list[str]:
    """Where Playwright expects its headless shell, relative to PLAYWRIGHT_BROWSERS_PATH."""
    browsers = json.loads((playwright_driver / "package" / "browsers.json").read_text(encoding="utf-8"))
    revision = next(b["revision"] for b in browsers["browsers"] if b["name"] == "chromium-headless-shell")
    arch = "linux-arm64" if platform.machine() in ("aarch64", "arm64") else "linux64"
    return [f"chromium_headless_shell-{revision}", f"chrome-headless-shell-{arch}", "chrome-headless-shell"]


def browser_env(playwright, folder: Path) -> dict[str, str]:
    """Environment for shot-scraper so that it launches the Chromium stepshot launches."""
    chromium = resolve_chromium(playwright)
    if chromium is None:  # Playwright's own Chromium: shot-scraper finds it by itself
        return {}
    import playwright as playwright_package

    link = folder.joinpath(*headless_shell_layout(Path(playwright_package.__file__).parent / "driver"))
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(chromium)
    return {"PLAYWRIGHT_BROWSERS_PATH": str(folder)}


def login(base_url: str, auth_file: Path) -> str:
    """A stand-in session saved as a Playwright storage state; returns the Cookie header for it."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(urllib.request.Request(base_url + "/__standin/session", data=b"", method="POST"), timeout=10).read()
    cookies = [{"name": c.name, "value": c.value, "domain": c.domain.lstrip("."), "path": c.path, "expires": -1,
                "httpOnly": True, "secure": False, "sameSite": "Lax"} for c in jar]
    auth_file.write_text(json.dumps({"cookies": cookies, "origins": []}), encoding="utf-8")
    return "; ".join(f"{c['name']}={c['value']}" for c in cookies)


def reach_js(state: PageState) -> str:
    prepare = [{"kind": p.kind, "element": _element(p.element), "on": p.on} for p in state.prepare]
    highlight = _element(state.highlight) if state.crop != "viewport" else None
    return REACH_JS % {"prepare": json.dumps(prepare, ensure_ascii=False),
                       "highlight": json.dumps(highlight, ensure_ascii=False), "attribute": HIGHLIGHT_ATTRIBUTE}


def _element(element) -> dict:
    return {"role": element.role, "name": element.name,
            "within": _element(element.within) if element.within else None}


def shots(states: list[PageState], base_url: str, cookie: str, out: Path) -> list[dict]:
    """shot-scraper `multi` entries for states of one viewport, a language switch before each locale."""
    entries, locale = [], None
    for state in states:
        if state.locale != locale:
            locale = state.locale
            entries.append({"python": SET_LANGUAGE_PY.format(url=base_url + "/__standin/language", locale=locale,
                                                             cookie=cookie)})
        size = VIEWPORTS[state.viewport]
        entry = {"url": base_url + state.path, "output": str(out / state.output), "width": size.width,
                 "height": size.height, "javascript": reach_js(state)}
        if state.crop != "viewport":
            entry["selectors"] = [f"[{HIGHLIGHT_ATTRIBUTE}]"] + (["main"] if state.crop == "main" else [])
            entry["padding"] = annotate.PADDING
        entries.append(entry)
    return entries


def write_configs(states: list[PageState], base_url: str, cookie: str, out: Path, folder: Path) -> dict[str, Path]:
    """One YAML file per viewport: {viewport: path}."""
    configs = {}
    for viewport in dict.fromkeys(s.viewport for s in states):
        path = folder / f"shot-scraper-{viewport}.yml"
        entries = shots([s for s in states if s.viewport == viewport], base_url, cookie, out)
        path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")
        configs[viewport] = path
    return configs


def command(config: Path, viewport: str, auth_file: Path) -> list[str]:
    size = VIEWPORTS[viewport]
    args = [str(executable()), "multi", str(config), "--auth", str(auth_file), "--scale-factor", str(size.scale),
            "--fail", "--silent"]
    if size.mobile:
        args += ["--user-agent", MOBILE_USER_AGENT]
    for flag in CONTAINER_FLAGS:
        args += ["--browser-arg", flag]
    return args


def environment(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
