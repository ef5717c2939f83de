"""A frame of a region in two DevTools calls: Playwright's pixels for a scrolled page at both scales,
animations that scripts started paused for the frames and running again after them, and every image the
picture shows loaded first (CSS ones too)."""

from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image

from conftest import in_browser

from stepshot import frames
from stepshot.browser import context_options
from stepshot.capture import FREEZE_JS
from stepshot.imagediff import compare
from stepshot.locales import VIEWPORTS

# A tall page with text, a box moved by a script's infinite animation and one faded by a finite one.
PAGE = """<!doctype html><meta charset=utf-8>%s<style>body { font: 16px sans-serif; margin: 0 }
#spin, #fade { width: 120px; height: 60px; background: #0a66c2; margin: 20px }</style>
<div style="height: 900px">Settings &amp; Privacy</div>
<p>Data for Generative AI Improvement — 生成AI — تحسين</p><div id=spin></div><div id=fade></div>
<div style="height: 1500px"></div>
<script>
  document.getElementById('spin').animate([{transform: 'translateX(0)'}, {transform: 'translateX(300px)'}],
                                          {duration: 700, iterations: Infinity});
  document.getElementById('fade').animate([{opacity: 1}, {opacity: 0.2}], {duration: 60000, fill: 'forwards'});
</script>"""
CLIP = {"x": 10, "y": 20, "width": 300, "height": 240}   # inside the mobile viewport, as every clip is


def with_page(viewport: str, work, meta: str = '<meta name=viewport content="width=device-width">'):
    async def on_page(browser):
        context = await browser.new_context(**context_options("en", viewport))
        await context.add_init_script(FREEZE_JS)
        page = await context.new_page()
        await page.set_content(PAGE % meta)
        await page.evaluate("document.getElementById('spin').scrollIntoView()")
        return await work(page)

    return in_browser(on_page)


@pytest.mark.parametrize("meta", ['<meta name=viewport content="width=device-width">', ""],
                         ids=["device-width", "zoomed-out"])
def test_a_frame_has_playwrights_pixels_on_a_scrolled_mobile_page_at_device_and_css_scale(meta):
    """With width=device-width, as LinkedIn's and the stand-in's pages; without, the page zooms itself out
    and the clip is reckoned as Playwright reckons it."""
    async def work(page):
        await page.evaluate(frames.PAUSE_ANIMATIONS_JS)
        found = []
        for css_pixels, name in ((False, "device"), (True, "css")):
            ours = await frames.region_png(page, CLIP, VIEWPORTS["mobile"], css_pixels)
            theirs = await page.screenshot(clip=CLIP, animations="disabled", caret="hide", scale=name)
            found.append(compare(theirs, ours)[0])
        return found

    for diff in with_page("mobile", work, meta):
        assert not diff.changed, diff


def test_script_animations_are_paused_for_the_frames_and_run_again_after():
    async def work(page):
        async def two_frames():
            first = await frames.region_png(page, CLIP, VIEWPORTS["desktop"])
            await page.wait_for_timeout(120)
            return first, await frames.region_png(page, CLIP, VIEWPORTS["desktop"])

        moving = await two_frames()
        await page.evaluate(frames.PAUSE_ANIMATIONS_JS)
        paused = await two_frames()
        states = await page.evaluate("document.getAnimations().map(a => a.playState)")
        await page.evaluate(frames.RESUME_ANIMATIONS_JS)
        after = await page.evaluate("document.getAnimations().map(a => a.playState)")
        return moving, paused, states, after

    moving, paused, states, after = with_page("desktop", work)
    assert moving[0] != moving[1], "the animated box should move between two frames"
    assert paused[0] == paused[1]
    assert states == ["finished"]            # the finite one ended; the infinite one is cancelled (idle, not listed)
    assert sorted(after) == ["finished", "running"]


LATE_ORIGIN = "http://images.stepshot.test"
LATE_PAGE = """<!doctype html><meta charset=utf-8><style>
  body { margin: 0 } .photo::before { content: url("/late/generated.svg"); }
  .logo { width: 40px; height: 40px; background-image: url("/late/background.svg"); }
</style>
<div id=kept><span class=photo></span><div class=logo></div><img src="/late/element.svg"></div>"""
RED_SQUARE = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="red"/></svg>'
LATE_S = {"/late/element.svg": 0.1}   # the CSS images later than the element: waited for in their own right


def test_a_frame_waits_for_every_image_the_picture_shows_css_backgrounds_and_generated_content_too():
    """A photo drawn by generated content has no box until it loads: a frame taken before would show an empty
    box, and the privacy checks would have nothing to look at."""
    async def on_page(browser):
        context = await browser.new_context(**context_options("en", "desktop"))
        page = await context.new_page()
        answered = []

        async def serve(route):
            path = route.request.url.removeprefix(LATE_ORIGIN)
            if path.startswith("/late/"):
                await asyncio.sleep(LATE_S.get(path, 0.6))
                answered.append(path)
                await route.fulfill(body=RED_SQUARE, content_type="image/svg+xml")
            else:
                await route.fulfill(body=LATE_PAGE, content_type="text/html")

        await page.route(f"{LATE_ORIGIN}/**", serve)
        await page.goto(LATE_ORIGIN + "/", wait_until="commit")
        await page.wait_for_selector("#kept", state="attached")
        await page.evaluate("document.getElementById('kept').setAttribute('data-stepshot-keep', '')")
        png = await frames.region_png(page, {"x": 0, "y": 0, "width": 200, "height": 140}, VIEWPORTS["desktop"])
        width = await page.evaluate("document.querySelector('.photo').getBoundingClientRect().width")
        return set(answered), width, png

    answered, width, png = in_browser(on_page)
    assert answered == {"/late/generated.svg", "/late/background.svg", "/late/element.svg"}
    assert width == 40
    with Image.open(io.BytesIO(png)) as image:
        red = sum(1 for pixel in image.convert("RGB").get_flattened_data() if pixel == (255, 0, 0))
    assert red == 3 * 80 * 80   # the three squares, at the desktop's device scale of 2


def test_a_page_that_breaks_the_frames_script_fails_the_frame_in_one_line():
    """As any failed call into the page (the walk reports it as the step's problem), not a KeyError."""
    from playwright.async_api import Error as PlaywrightError

    async def work(page):
        await page.evaluate("""() => {
          document.body.setAttribute('data-stepshot-keep', '');
          document.body.style.backgroundImage = 'url("data:image/gif;base64,R0lGODlhAQABAAAAACw=")';
          window.Image = undefined;
        }""")
        with pytest.raises(PlaywrightError, match="^reading the page for a frame failed: "):
            await frames.region_png(page, CLIP, VIEWPORTS["desktop"])
        return True

    assert with_page("desktop", work)
