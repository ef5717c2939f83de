"""The floors: a bare Playwright loop that opens each page state and screenshots the viewport, nothing else.

No walking, no checks, no annotation, no redaction: the least any tool must do to take the pictures. The
same Chromium and context settings as `stepshot capture` (browser.py). Three strengths:

    one --auth                      the bare sequential loop (one login, one page at a time)
    N --auth                        the same loop with stepshot's parallelism: N logins, one context each,
                                    the locales dealt out among them, in one browser
    N --auth, --optimize            that loop, each picture cut to the size of stepshot's picture of the
                                    same state (around the same control; the whole screen where none is
                                    committed) and given the same lossless PNG optimisation: the
                                    "equal-work floor"

Run as a program so it pays its own start-up, as the other tools do:

    python -m stepshot.bench.floor --states S.json --base-url URL --auth A.json [--auth B.json ...] --out DIR
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from itertools import groupby
from pathlib import Path

from .. import imagefile
from ..browser import context_options, launch
from ..locales import LOCALES, VIEWPORTS, Viewport
from ..loops import run_coroutine
from ..names import js_escape
from ..settings import Settings
from .states import READY_JS, Element, PageState

LANGUAGE_API = "/mysettings-api/settingsApiSettings/interfaceLocale"
CONTAINERS = "section, article, fieldset, [role=group], [role=region]"


def name_pattern(text: str) -> re.Pattern:
    """The label alone or with words around it: a rival's looser match for LinkedIn's composed names."""
    return re.compile(f"^(?:.+\\s)?{js_escape(text)}(?:\\s.+)?$")


def locate(page, element: Element):
    scope = page
    if element.within is not None:
        heading = page.get_by_role("heading", name=name_pattern(element.within.name))
        sections = page.locator(CONTAINERS)
        scope = sections.filter(has=heading).filter(has_not=sections.filter(has=heading))
    return scope.get_by_role(element.role, name=name_pattern(element.name)).filter(visible=True).first


def kept_clip(box: dict, kept: tuple[int, int], viewport: Viewport) -> dict:
    """The viewport's part (CSS pixels) as large as stepshot's picture of `kept` image pixels, centred on the
    control's `box` as far as the viewport allows."""
    width, height = min(kept[0] / viewport.scale, viewport.width), min(kept[1] / viewport.scale, viewport.height)

    def start(centre: float, size: float, room: int) -> float:
        return min(max(centre - size / 2, 0), room - size)

    return {"x": start(box["x"] + box["width"] / 2, width, viewport.width),
            "y": start(box["y"] + box["height"] / 2, height, viewport.height), "width": width, "height": height}


async def reach(page, base_url: str, state: PageState):
    """Open the state's page, replay its in-page actions, wait until it is ready; the highlighted control (a
    locator)."""
    from playwright.async_api import expect

    await page.goto(base_url + state.path)
    for step in state.prepare:
        found = locate(page, step.element)
        if step.kind == "click":
            await found.click()
        elif await found.is_checked() != step.on:
            await found.click()
            await expect(found).to_be_checked(checked=step.on)
            await expect(found).to_be_enabled()
    highlight = locate(page, state.highlight)
    await highlight.scroll_into_view_if_needed()
    await page.evaluate(READY_JS)
    return highlight


async def shoot_locale(browser, base_url: str, auth: dict, states: list[PageState], out: Path, pool) -> None:
    locale = states[0].locale
    for viewport, group in groupby(states, key=lambda s: s.viewport):
        context = await browser.new_context(**context_options(locale, viewport, auth))
        await context.request.put(base_url + LANGUAGE_API, data={"interfaceLocale": LOCALES[locale].linkedin})
        page = await context.new_page()
        for state in group:
            highlight = await reach(page, base_url, state)
            clip = None
            if pool is not None and state.kept:   # only the equal-work floor cuts, as ours does
                box = await highlight.bounding_box()
                clip = kept_clip(box, state.kept, VIEWPORTS[viewport]) if box else None
            png = await page.screenshot(animations="disabled", caret="hide", clip=clip)
            if pool is not None:
                png = await asyncio.get_running_loop().run_in_executor(pool, imagefile.optimize, png)
            path = out / state.output
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)
        await context.close()


async def shoot_all(settings: Settings, base_url: str, states: list[PageState], auths: list[dict], out: Path,
                    optimize: bool) -> int:
    from playwright.async_api import async_playwright

    locales = list(dict.fromkeys(s.locale for s in states))
    shares = [locales[i::len(auths)] for i in range(len(auths))]
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) if optimize else None
    async with async_playwright() as pw:
        browser = await launch(pw, settings)
        try:
            async def one_login(auth: dict, share: list[str]) -> None:
                for locale in share:
                    await shoot_locale(browser, base_url, auth, [s for s in states if s.locale == locale], out, pool)

            await asyncio.gather(*(one_login(auth, share) for auth, share in zip(auths, shares) if share))
        finally:
            await browser.close()
            if pool is not None:
                pool.shutdown()
    return len(states)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stepshot.bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=Path, required=True, help="JSON list of page states (states.py)")
    parser.add_argument("--base-url", required=True, help="the stand-in, already running")
    parser.add_argument("--auth", type=Path, action="append", required=True,
                        help="a saved login (repeat: one session per login, walked at once)")
    parser.add_argument("--out", type=Path, required=True, help="folder for <locale>/<viewport>/<step>.png")
    parser.add_argument("--optimize", action="store_true",
                        help="cut each picture to the size of stepshot's (the state's `kept`) and optimise it as "
                             "stepshot does")
    args = parser.parse_args(argv)
    states = [PageState.from_dict(d) for d in json.loads(args.states.read_text(encoding="utf-8"))]
    auths = [json.loads(path.read_text(encoding="utf-8")) for path in args.auth]
    count = run_coroutine(shoot_all(Settings.from_environ(os.environ), args.base_url.rstrip("/"), states, auths, args.out,
                                  args.optimize))
    print(f"floor: {count} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
