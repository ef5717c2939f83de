"""shot-scraper taking the same page states as `stepshot capture`: its YAML, its login and its browser.

One `shot-scraper multi` run per viewport (its scale factor and user agent are per run), every locale in
it. Each shot opens the state's page and runs a `javascript:` that replays the state's in-page actions
(states.py) and waits until the page is ready (states.READY_JS); a `python:` entry before each locale sets
the account's display language through the stand-in's settings API, as shot-scraper has no such option.
The login is a Playwright storage-state file for `--auth` (made through the stand-in's login form).

shot-scraper launches Playwright's own Chromium (headless: its headless shell) and has no option for
another executable. Where stepshot runs a system Chromium (Debian's headless shell, or its full browser),
the same binary is laid out where Playwright looks for its headless shell, in a folder named by
PLAYWRIGHT_BROWSERS_PATH (Playwright's documented setting for that folder).
"""

from __future__ import annotations

import json
import platform
import shutil
import sys
from pathlib import Path

import yaml

from ..browser import CONTAINER_FLAGS, MOBILE_USER_AGENT, resolve_chromium
from ..gates import ToolMissing
from ..locales import LOCALES, VIEWPORTS
from ..settings import Settings, child_environment
from .floor import LANGUAGE_API
from .states import READY_JS, PageState

# Finds elements by ARIA role and accessible name (the few roles the flow uses; a name may have words
# around the label, as LinkedIn composes them), replays the state's actions, waits until ready.
REACH_JS = """
(async () => {
  const IMPLICIT = {button: 'button', a: 'link', h1: 'heading', h2: 'heading', h3: 'heading', section: 'region'};
  const roleOf = el => el.getAttribute('role') || (el.localName === 'a' && !el.hasAttribute('href') ? null : IMPLICIT[el.localName]);
  const text = el => (el ? el.innerText || el.textContent : '').replace(/\\s+/g, ' ').trim();
  const nameOf = el => {
    if (el.hasAttribute('aria-label')) return el.getAttribute('aria-label').trim();
    if (el.hasAttribute('aria-labelledby'))
      return el.getAttribute('aria-labelledby').split(/\\s+/).map(id => text(document.getElementById(id))).join(' ').trim();
    if (el.labels && el.labels.length) return text(el.labels[0]);
    const alt = [...el.querySelectorAll('img[alt]')].map(img => img.alt).join(' ');
    return (alt + ' ' + text(el)).replace(/\\s+/g, ' ').trim();
  };
  const named = (name, wanted) => name === wanted || name.startsWith(wanted + ' ') || name.endsWith(' ' + wanted);
  const visible = el => el.checkVisibility({visibilityProperty: true});
  const until = async (ok, what) => {
    const end = Date.now() + 10000;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise(r => setTimeout(r, 20));
    }
  };
  const find = async spec => {
    let scope = document;
    if (spec.within) {
      await until(() => [...document.querySelectorAll('h1, h2, h3')].some(h => named(text(h), spec.within.name)), spec.within.name);
      scope = [...document.querySelectorAll('section, [role=region]')]
        .filter(s => [...s.querySelectorAll('h1, h2, h3')].some(h => named(text(h), spec.within.name))).pop();
    }
    const all = () => [...scope.querySelectorAll('*')].filter(el => roleOf(el) === spec.role && visible(el) && named(nameOf(el), spec.name));
    await until(() => all().length > 0, `${spec.role} "${spec.name}"`);
    return all()[0];
  };
  for (const step of %(prepare)s) {
    const el = await find(step.element);
    if (step.kind === 'click') { el.click(); continue; }
    const on = () => el.localName === 'input' ? el.checked : el.getAttribute('aria-checked') === 'true';
    if (on() !== step.on) {
      el.click();
      await until(() => on() === step.on && !el.disabled && !el.hasAttribute('aria-busy'), `switch "${step.element.name}"`);
    }
  }
  (await find(%(highlight)s)).scrollIntoView({block: 'nearest'});
  await (%(ready)s)();
})()
"""

SET_LANGUAGE_PY = """\
import json, urllib.request
request = urllib.request.Request({url!r}, data=json.dumps({{"interfaceLocale": {value!r}}}).encode(), method="PUT",
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


def browser_env(playwright, folder: Path, settings: Settings) -> dict[str, str]:
    """Environment for shot-scraper so that it launches the Chromium stepshot launches."""
    chromium = resolve_chromium(playwright, settings)
    if chromium is None:  # Playwright's own Chromium: shot-scraper finds it by itself
        return {}
    import playwright as playwright_package

    link = folder.joinpath(*headless_shell_layout(Path(playwright_package.__file__).parent / "driver"))
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(chromium)
    return {"PLAYWRIGHT_BROWSERS_PATH": str(folder)}


def cookie_header(state: dict) -> str:
    return "; ".join(f"{c['name']}={c['value']}" for c in state["cookies"])


def reach_js(state: PageState) -> str:
    prepare = [{"kind": p.kind, "element": _element(p.element), "on": p.on} for p in state.prepare]
    return REACH_JS % {"prepare": json.dumps(prepare, ensure_ascii=False),
                       "highlight": json.dumps(_element(state.highlight), ensure_ascii=False), "ready": READY_JS}


def _element(element) -> dict:
    return {"role": element.role, "name": element.name,
            "within": _element(element.within) if element.within else None}


def shots(states: list[PageState], base_url: str, cookie: str, out: Path) -> list[dict]:
    """shot-scraper `multi` entries for states of one viewport, a language switch before each locale."""
    entries, locale = [], None
    for state in states:
        if state.locale != locale:
            locale = state.locale
            entries.append({"python": SET_LANGUAGE_PY.format(url=base_url + LANGUAGE_API,
                                                             value=LOCALES[locale].linkedin, cookie=cookie)})
        size = VIEWPORTS[state.viewport]
        entries.append({"url": base_url + state.path, "output": str(out / state.output), "width": size.width,
                        "height": size.height, "javascript": reach_js(state)})
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
    return child_environment(**extra)
