"""Before a picture's frames, every image it shows is loaded: an <img>, a CSS background and the generated
content of a pseudo-element, each served late."""

from __future__ import annotations

import asyncio

from conftest import in_browser

from stepshot import focus

ORIGIN = "http://images.stepshot.test"
PAGE = """<!doctype html><meta charset=utf-8><style>
  .photo::before { content: url("/late/generated.svg"); }
  .logo { width: 30px; height: 30px; background-image: url("/late/background.svg"); }
</style>
<div id=kept><span class=photo></span><div class=logo></div><img src="/late/element.svg"></div>
<div class=logo id=outside style="background-image: url('/late/outside.svg')"></div>"""
SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="red"/></svg>'
DELAYS_S = {"/late/element.svg": 0.1}   # the CSS images later than the element: waited for in their own right
LATE_S = 0.6


def test_the_pictures_images_are_loaded_before_its_frames_css_ones_too():
    async def work(browser):
        page = await browser.new_page()
        answered = []

        async def serve(route):
            path = route.request.url.removeprefix(ORIGIN)
            if path.startswith("/late/"):
                await asyncio.sleep(DELAYS_S.get(path, LATE_S))
                answered.append(path)
                await route.fulfill(body=SQUARE, content_type="image/svg+xml")
            else:
                await route.fulfill(body=PAGE, content_type="text/html")

        await page.route(f"{ORIGIN}/**", serve)
        await page.goto(ORIGIN + "/", wait_until="commit")
        await page.wait_for_selector("#kept", state="attached")
        await page.evaluate("() => document.getElementById('kept').setAttribute('data-stepshot-keep', '')")
        await page.evaluate(focus.DECODE_JS)
        width = await page.evaluate("() => document.querySelector('.photo').getBoundingClientRect().width")
        return set(answered), width

    answered, width = in_browser(work)
    assert {"/late/generated.svg", "/late/background.svg", "/late/element.svg"} <= answered
    assert width == 40   # the generated image is laid out: the privacy checks see the box it draws
