"""One frame of a region of the page as a PNG, straight from the browser (DevTools, no Playwright round
trips around it), for the stable-frame check, which takes two or more per picture.

Playwright's page.screenshot makes the same capture with four more round trips into the page around it:
animations paused and resumed in every frame, the caret hidden, fonts awaited. A capture's pages have all
of that already (capture.FREEZE_JS: no CSS animation, transition or caret; shot._FOCUS_JS: fonts loaded,
and PAUSE_ANIMATIONS_JS). Each frame first waits, in the page, until every image the picture shows is
loaded and decoded (focus.DECODE_JS), and reads where the visual viewport is in the same call: an element
drawn between two frames (a late photo) is in the next frame whole, not as an empty box two frames agree
on. The pixels are Playwright's; the PNG is encoded for speed, not size: a kept picture is optimised
anyway (imagefile.optimize) and frames are compared as pixels, or as bytes of the same encoder. About 6 %
less CPU for a capture than page.screenshot (BENCHMARKS.md).
"""

from __future__ import annotations

import base64
import math
import weakref

from playwright.async_api import Error as PlaywrightError

from .focus import DECODE_JS
from .locales import Viewport

# Before a picture's frames, what Playwright's screenshot does to animations that scripts started (CSS
# ones cannot run: capture.FREEZE_JS): a finite one jumps to its end, an infinite one is stopped until
# RESUME_ANIMATIONS_JS plays it again after the frames.
PAUSE_ANIMATIONS_JS = """() => {
  window.__stepshotPaused = document.getAnimations().filter(a => a.effect && a.playbackRate !== 0).filter(a => {
    try {
      if (Number.isFinite(a.effect.getComputedTiming().endTime)) { a.finish(); return false; }
      a.cancel();
      return true;
    } catch (e) { return false; }
  });
}"""
RESUME_ANIMATIONS_JS = """() => {
  for (const a of window.__stepshotPaused || []) { try { a.play(); } catch (e) {} }
  delete window.__stepshotPaused;
}"""

# The visual viewport once the picture's images are loaded: where the page is scrolled and zoomed, in CSS
# pixels (DevTools' Page.getLayoutMetrics cssVisualViewport, read by the page itself).
_VIEW_WHEN_LOADED_JS = f"""(async () => {{
  await ({DECODE_JS})();
  const view = window.visualViewport;
  return {{pageX: view.pageLeft, pageY: view.pageTop, scale: view.scale}};
}})()"""

_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # page -> its DevTools session


async def _session(page, viewport: Viewport):
    """The page's own DevTools session, with the device metrics Playwright emulates for the context
    (browser.context_options): a capture is rastered at the device scale of the session that asks for it,
    and without them later pictures of a page came out with different text anti-aliasing."""
    session = _SESSIONS.get(page)
    if session is None:
        session = _SESSIONS[page] = await page.context.new_cdp_session(page)
        upright = viewport.mobile and viewport.height >= viewport.width
        turned = viewport.mobile and not upright
        await session.send("Emulation.setDeviceMetricsOverride", {
            "mobile": viewport.mobile, "width": viewport.width, "height": viewport.height,
            "screenWidth": viewport.width, "screenHeight": viewport.height, "deviceScaleFactor": viewport.scale,
            "screenOrientation": {"angle": 90 if turned else 0,
                                  "type": "portraitPrimary" if upright else "landscapePrimary"}})
    return session


async def region_png(page, clip: dict, viewport: Viewport, css_pixels: bool = False) -> bytes:
    """The viewport's `clip` (CSS pixels) at the viewport's device scale, or one image pixel per CSS pixel
    with `css_pixels`: Playwright's page.screenshot(clip=..., scale="device" or "css"), pixel for pixel."""
    session = await _session(page, viewport)
    answer = await session.send("Runtime.evaluate", {"expression": _VIEW_WHEN_LOADED_JS, "awaitPromise": True,
                                                      "returnByValue": True})
    if "exceptionDetails" in answer:   # the page broke what the script uses: as any failed call into the page
        raise PlaywrightError(f"reading the page for a frame failed: {answer['exceptionDetails'].get('text', '')}")
    view = answer["result"]["value"]
    zoom = view["scale"]   # a mobile page's own zoom (a viewport meta without width=device-width)
    frame = await session.send("Page.captureScreenshot", {
        "format": "png", "optimizeForSpeed": True, "captureBeyondViewport": False,
        "clip": {"x": view["pageX"] + clip["x"], "y": view["pageY"] + clip["y"],
                 "width": math.floor(clip["width"] / zoom + 1e-3), "height": math.floor(clip["height"] / zoom + 1e-3),
                 "scale": zoom / viewport.scale if css_pixels else zoom}})
    return base64.b64decode(frame["data"])
