"""Taking one step's picture: focus and mask (focus.py), annotation (annotate.py), stable frames, and the
privacy checks that decide whether the picture may be kept at all.

A picture is accepted only when two consecutive captures of its region are identical (as Playwright's own
screenshot assertion does), within a bounded wait; then the page and the pixels are checked for the
account's data (privacy.py, photocheck.py). Anything found: no picture, the step is broken.

On a re-run, a first capture whose pixels are exactly those of the committed image is accepted at once:
it reproduces a picture that was stable and passed every check when it was written, and nothing will be
written for it. The page is still checked for the account's data; the pixel search for the photo, the
costliest check, is not repeated on pixels it has already cleared.
"""

from __future__ import annotations

import asyncio
import io
import time
from dataclasses import dataclass
from typing import Callable

from PIL import Image, ImageDraw

from . import annotate, focus, frames, imagefile, photocheck, privacy
from .locales import LOCALES, VIEWPORTS, Viewport
from .reader import Project
from .personal import Persona
from .walker import StepBroken, StepContext, evaluate_located

STABLE_TIMEOUT_S = 8.0
FRAME_GAP_MS = 80
INSET_WIDTH = 0.34            # of the focus picture's width
INSET_KEEP = "header, [role=banner]"
INSET_BACKGROUND = (236, 238, 241)
# What a failure picture may show: the top bar, and on a settings page its navigation and content.
FAILURE_KEEP = "header, [role=banner]"
FAILURE_KEEP_SETTINGS = "header, [role=banner], nav, main, [role=main], [role=navigation]"
SETTINGS_PATH = "/mypreferences/"


# A picture's page work in three round trips. Before the frames: the fonts loaded, animations that scripts
# started paused (frames.py), the main frame scrubbed once more (privacy.py), the control scrolled into view
# as Playwright scrolls (centred, only when it is not in view), everything but its region masked and
# measured (focus.py).
_FOCUS_JS = f"""async (target, o) => {{
  await document.fonts.ready;
  ({frames.PAUSE_ANIMATIONS_JS})();
  ({privacy.SCRUB_JS})();
  target.scrollIntoViewIfNeeded(true);
  return ({focus.FOCUS_JS})(target, o);
}}"""

# Then, over the visible controls of the target's role: the other controls' boxes and the annotation in the
# first room where it finds a spot (annotate.py). Each frame waits for the picture's images (frames.py).
_ANNOTATE_JS = f"""(controls, [element, box, number, callout, rtl, lang, rooms, constants]) => {{
  const others = controls.map(e => {{ const r = e.getBoundingClientRect();
                                      return {{x: r.x, y: r.y, width: r.width, height: r.height}}; }})
    .filter(r => Math.abs(r.x - element.x) + Math.abs(r.y - element.y) > 1);
  let drawn = null;
  for (const room of rooms) {{
    drawn = ({annotate.DRAW_JS})([box, number, callout, rtl, lang, room, constants, others]);
    if (!drawn.error) break;
  }}
  return {{drawn, others}};
}}"""

# After the frames: the page as it was; before that, what they would show of the account (privacy.py).
_RESTORE_JS = f"""([overlay, maskClass]) => {{
  ({annotate.REMOVE_JS})(overlay);
  ({focus.UNMASK_JS})(maskClass);
  ({frames.RESUME_ANIMATIONS_JS})();
}}"""
_LEAKS_THEN_RESTORE_JS = f"""([rect, overlay, maskClass]) => {{
  const found = ({privacy.LEAKS_JS})(rect);
  ({_RESTORE_JS})([overlay, maskClass]);
  return found;
}}"""

# For the inset: what the focus frames would show of the account, then only the top bar kept.
_LEAKS_THEN_INSET_JS = f"""([rect, maskClass, keep]) => {{
  const found = ({privacy.LEAKS_JS})(rect);
  ({focus.UNMASK_JS})(maskClass);
  ({focus.KEEP_ONLY_JS})([keep, maskClass]);
  return found;
}}"""


def _screen(width: int, height: int) -> dict:
    """The whole viewport as a rectangle."""
    return {"x": 0, "y": 0, "width": width, "height": height}


@dataclass
class Shot:
    png: bytes
    text_px: float                 # the control's own text size in the picture, CSS pixels
    geometry: dict                 # image pixels: target, badge, callout, others (same-role controls)
    as_committed: bool = False     # pixel for pixel the committed image


def _rect_in(rect: dict, clip: dict, scale: float) -> list[int]:
    return [round((rect["x"] - clip["x"]) * scale), round((rect["y"] - clip["y"]) * scale),
            round(rect["width"] * scale), round(rect["height"] * scale)]


def room_for_annotation(region: dict, max_width: int, max_height: int, viewport) -> dict:
    """Where badge and callout may go: the region, widened up to what stays readable."""
    width = max(region["width"], min(max_width, viewport.width))
    height = max(region["height"], min(region["height"] + 120, max_height, viewport.height))
    x = min(max(0, region["x"] - (width - region["width"]) / 2), viewport.width - width)
    y = min(max(0, region["y"] - (height - region["height"]) / 2), viewport.height - height)
    return {"x": x, "y": y, "width": width, "height": height}


def _pixels(image: Image.Image) -> tuple[tuple[int, int], bytes]:
    """Size and RGBA pixels: equal for the same picture however it was encoded."""
    return image.size, image.convert("RGBA").tobytes()


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    with Image.open(io.BytesIO(png)) as image:
        return _pixels(image)


@dataclass
class Committed:
    """A step's committed image, as the file's bytes and as pixels."""

    png: bytes
    pixels: tuple[tuple[int, int], bytes]

    def has_at_top(self, png: bytes, inset: bool) -> bool:
        """Is `png` this picture (with `inset`: the focus picture at its top, above the inset)?"""
        (width, height), data = self.pixels
        (w, h), shot = pixels(png)
        return w == width and (h < height if inset else h == height) and data[:w * h * 4] == shot


def _intersects(rect: dict, clip: dict) -> bool:
    return rect["x"] < clip["x"] + clip["width"] and clip["x"] < rect["x"] + rect["width"] \
        and rect["y"] < clip["y"] + clip["height"] and clip["y"] < rect["y"] + rect["height"]


class Shooter:
    """Takes the picture of one step (called from the walker's on_step)."""

    def __init__(self, project: Project, persona: Persona, photos: dict[str, list], observe=None,
                 committed: Callable[[StepContext], bytes | None] = lambda ctx: None):
        self.project = project
        self.persona = persona
        self.photos = photos            # login key -> templates of the account's photo (photocheck)
        self.committed = committed      # the step's committed image, None when it has none
        # Tests look at the page here: observe("before-redaction", ctx), then observe("at-capture", ctx)
        # with the annotation drawn, just before the screenshot.
        self.observe = observe

    async def _observe(self, phase: str, ctx: StepContext) -> None:
        if self.observe is not None:
            await self.observe(phase, ctx)

    async def stable(self, page, clip: dict, where: str, viewport: Viewport, css_pixels: bool = False,
                     as_committed: Callable[[bytes], bool] | None = None) -> tuple[bytes, bool]:
        """The region's picture (frames.region_png) once two consecutive captures are identical, or at once
        when the first is the committed picture (`as_committed`); and whether it was."""
        deadline = time.monotonic() + STABLE_TIMEOUT_S
        previous = await frames.region_png(page, clip, viewport, css_pixels)
        if as_committed is not None and await asyncio.to_thread(as_committed, previous):
            return previous, True
        while True:
            await page.wait_for_timeout(FRAME_GAP_MS)
            current = await frames.region_png(page, clip, viewport, css_pixels)
            if current == previous:
                return current, False
            if time.monotonic() > deadline:
                raise StepBroken(f"page never settled: the picture of {where} kept changing for "
                                 f"{STABLE_TIMEOUT_S:.0f} s")
            previous = current

    async def check_private(self, found: list[str], png: bytes | None, login_key: str, scale: float) -> None:
        """What the page's text showed of the account (`found`, privacy.LEAKS_JS), then (unless `png` is
        None: pixels already cleared) the pixels."""
        found = list(found)
        # The pixel check is CPU work (numpy, which lets go of the GIL): in a thread, so the other
        # sessions walk on meanwhile.
        if png is not None and await asyncio.to_thread(photocheck.shows_photo, png,
                                                       self.photos.get(login_key, []), scale):
            found.append("photo (pixels)")
        if found:
            raise StepBroken(f"personal data visible: {', '.join(found)}; no picture was kept")

    async def __call__(self, ctx: StepContext, login) -> Shot:
        page = ctx.page
        viewport = VIEWPORTS[ctx.viewport]
        locale = LOCALES[ctx.locale]
        where = f"step {ctx.step.id} ({ctx.locale}, {ctx.viewport})"
        screen = _screen(viewport.width, viewport.height)
        await self._observe("before-redaction", ctx)
        await privacy.scrub_now(page, main_frame=False)   # the main frame's is part of _FOCUS_JS
        restored = False
        try:
            label = self.project.text(ctx.locale, ctx.step.highlight_target.label)
            found = focus.found(await evaluate_located(ctx.target, _FOCUS_JS,
                                                       focus.options(label, ctx.viewport, annotate.OVERLAY_ID)))
            callout = self.project.labels[ctx.locale].callouts.get(ctx.step.callout) if ctx.step.callout else None
            rooms = [room_for_annotation(found.region, found.max_width, found.max_height, viewport), screen]
            controls = page.get_by_role(ctx.step.highlight_target.role).filter(visible=True)
            answer = await controls.evaluate_all(_ANNOTATE_JS, [found.element, found.control, ctx.number, callout,
                                                                locale.rtl, locale.browser, rooms, annotate.CONSTANTS])
            try:
                drawn = annotate.drawn(answer["drawn"])
            except annotate.NoRoom as exc:
                raise StepBroken(f"no room for the annotation: {exc}") from None
            others = answer["others"]
            clip = annotate.whole_pixels(annotate.clamp(annotate.union([found.region, *drawn.rects()]), screen))
            await self._observe("at-capture", ctx)
            committed_png = self.committed(ctx)
            committed = Committed(committed_png, await asyncio.to_thread(pixels, committed_png)) \
                if committed_png else None
            as_committed = None if committed is None else (lambda png: committed.has_at_top(png, ctx.step.inset))
            png, same = await self.stable(page, clip, where, viewport, as_committed=as_committed)
            geometry = {"target": _rect_in(found.control, clip, viewport.scale),
                        "badge": _rect_in(drawn.badge, clip, viewport.scale),
                        "callout": _rect_in(drawn.callout, clip, viewport.scale) if drawn.callout else None,
                        "others": [_rect_in(r, clip, viewport.scale) for r in others if _intersects(r, clip)]}
            if ctx.step.inset:
                leaks = await page.evaluate(_LEAKS_THEN_INSET_JS, [clip, focus.MASK_CLASS, INSET_KEEP])
                await self.check_private(leaks, None if same else png, login.key, viewport.scale)
                png, same = await self.with_inset(page, png, clip, viewport, login.key, where,
                                                  committed if same else None)
            else:
                leaks = await page.evaluate(_LEAKS_THEN_RESTORE_JS, [clip, annotate.OVERLAY_ID, focus.MASK_CLASS])
                restored = True
                await self.check_private(leaks, None if same else png, login.key, viewport.scale)
        finally:
            if not restored:
                await page.evaluate(_RESTORE_JS, [annotate.OVERLAY_ID, focus.MASK_CLASS])
        return Shot(png, found.text_px, geometry, same)

    async def with_inset(self, page, png: bytes, clip: dict, viewport, login_key: str, where: str,
                         committed: Committed | None) -> tuple[bytes, bool]:
        """The focus picture with, below it, the whole screen small, everything but the top bar masked (the
        page is masked so already), and a frame where the picture above sits: where on the screen the
        control is; and whether that is the `committed` picture (then its file's bytes, not composed and
        encoded again)."""
        full = _screen(viewport.width, viewport.height)

        def is_committed(screen: bytes) -> bool:
            return _pixels(_with_inset(png, screen, clip, viewport)) == committed.pixels

        # The whole screen at one pixel per CSS pixel: it is shown small anyway.
        screen, same = await self.stable(page, full, f"the whole screen of {where}", viewport, css_pixels=True,
                                         as_committed=None if committed is None else is_committed)
        leaks = await privacy.leaks(page, full)
        if same:
            await self.check_private(leaks, None, login_key, 1)
            return committed.png, True
        await self.check_private(leaks, screen, login_key, 1)
        return await asyncio.to_thread(lambda: imagefile.encoded(_with_inset(png, screen, clip, viewport))), False


def _with_inset(png: bytes, screen: bytes, clip: dict, viewport) -> Image.Image:
    """The focus picture with the whole screen small below it, framed where the picture sits."""
    with Image.open(io.BytesIO(png)) as picture, Image.open(io.BytesIO(screen)) as whole:
        picture, whole = picture.convert("RGB"), whole.convert("RGB")
        width = max(120, round(picture.width * INSET_WIDTH))
        ratio = width / whole.width
        small = whole.resize((width, round(whole.height * ratio)), Image.Resampling.LANCZOS)
        frame = ImageDraw.Draw(small)
        x0, y0 = clip["x"] * ratio, clip["y"] * ratio
        frame.rectangle((x0, y0, x0 + clip["width"] * ratio, y0 + clip["height"] * ratio),
                        outline=annotate.COLOR, width=3)
        gap = round(12 * viewport.scale)
        out = Image.new("RGB", (picture.width, picture.height + small.height + 2 * gap), INSET_BACKGROUND)
        out.paste(picture, (0, 0))
        border = Image.new("RGB", (small.width + 4, small.height + 4), (150, 156, 162))
        border.paste(small, (2, 2))
        out.paste(border, (gap, picture.height + gap - 2))
        return out


async def failure_picture(page) -> bytes | None:
    """The page where a step broke, for the report, masked like a step's picture (only the top bar, and on a
    settings page its navigation and content) and checked like one: None when it would show the account."""
    from .guard import path_of

    try:
        await privacy.scrub_now(page)
        await focus.keep_only(page, FAILURE_KEEP_SETTINGS if path_of(page.url).startswith(SETTINGS_PATH)
                              else FAILURE_KEEP)
        size = page.viewport_size
        if await privacy.leaks(page, _screen(size["width"], size["height"])):
            return None
        return await page.screenshot(animations="disabled", caret="hide")
    finally:
        await focus.unmask(page)
