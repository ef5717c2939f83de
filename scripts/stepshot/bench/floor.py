"""The floor: a bare Playwright loop that opens each page state and screenshots it, nothing else.

No walking, no checks, no annotation, no redaction, no optimisation: the least any tool must do to take
the same pictures. The same Chromium and context settings as `stepshot capture` (browser.py).
Run as a program so it pays its own start-up, as the other tools do:

    python -m stepshot.bench.floor --states states.json --base-url http://127.0.0.1:PORT --out DIR
"""

from __future__ import annotations

import argparse
import json
from itertools import groupby
from pathlib import Path

from .. import annotate
from ..browser import context_options, launch
from .states import Element, PageState


def locate(page, element: Element):
    scope = locate(page, element.within) if element.within else page
    return scope.get_by_role(element.role, name=element.name, exact=True).filter(visible=True)


def reach(page, base_url: str, state: PageState) -> None:
    """Open the state's page and replay its in-page actions."""
    from playwright.sync_api import expect

    page.goto(base_url + state.path)
    for step in state.prepare:
        found = locate(page, step.element)
        if step.kind == "click":
            found.click()
        elif found.is_checked() != step.on:
            found.click()
            expect(found).to_be_checked(checked=step.on)
    page.evaluate("document.fonts.ready.then(() => true)")


def clip(page, state: PageState) -> dict | None:
    """The crop the flow asks for, without capture's annotation: the highlight (and `main`), padded."""
    if state.crop == "viewport":
        return None
    size = page.viewport_size
    bounds = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
    target = locate(page, state.highlight)
    target.scroll_into_view_if_needed()
    region = [target.bounding_box()]
    if state.crop == "main":
        region.append(page.locator("main, [role=main]").first.bounding_box())
    return annotate.whole_pixels(annotate.clamp(annotate.pad(annotate.union(region), annotate.PADDING), bounds))


def shoot_all(playwright, base_url: str, states: list[PageState], out: Path) -> int:
    browser = launch(playwright)
    try:
        for (locale, viewport), group in groupby(states, key=lambda s: (s.locale, s.viewport)):
            context = browser.new_context(**context_options(locale, viewport))
            context.request.post(base_url + "/__standin/session").dispose()
            page = context.new_page()
            for state in group:
                reach(page, base_url, state)
                path = out / state.output
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), clip=clip(page, state))
            context.close()
    finally:
        browser.close()
    return len(states)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stepshot.bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=Path, required=True, help="JSON list of page states (states.py)")
    parser.add_argument("--base-url", required=True, help="the stand-in, already running")
    parser.add_argument("--out", type=Path, required=True, help="folder for <locale>/<viewport>/<step>.png")
    args = parser.parse_args(argv)
    states = [PageState.from_dict(d) for d in json.loads(args.states.read_text(encoding="utf-8"))]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        count = shoot_all(pw, args.base_url.rstrip("/"), states, args.out)
    print(f"floor: {count} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
