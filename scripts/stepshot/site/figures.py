"""A step's screenshot as a figure, from the manifest: or a visible notice when it is missing or stale."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from urllib.parse import urlparse

from markupsafe import Markup

from .. import imagefile
from ..errors import BadInput
from ..files import problem
from ..locales import READING_PX, VIEWPORTS
from ..manifest import image_key
from .dates import long_date

log = logging.getLogger("mkdocs.plugins.stepshot")
NOTICE_PREFIX = "stepshot image notice:"


def image_dest(key: str) -> str:
    """Where a screenshot is published in the site, relative to the site root."""
    return f"screenshots/{key}"


def usable_image(inputs, key: str) -> tuple[dict | None, str | None, bytes | None]:
    """(entry, None, the file's bytes) when the image can be shown, else (entry or None, "missing" |
    "stale", None). Published are exactly the bytes the manifest describes: a file that is a symlink, or
    whose SHA-256 differs from its entry, counts as missing (and is logged)."""
    entry = inputs.manifest.images.get(key)
    file = inputs.manifest.file(key)
    if entry is None or file.is_symlink() or not file.is_file():
        return entry, "missing", None
    data = file.read_bytes()
    if imagefile.sha256(data) != entry["sha256"]:
        log.warning(f"{NOTICE_PREFIX} {key}: the file differs from its manifest entry (sha256); not published")
        return entry, "missing", None
    if entry["stale"]:
        return entry, "stale", None
    return entry, None, data


def caption(strings, entry: dict) -> str:
    if entry["source"] == "stand-in":
        return strings.caption_standin.format(date=entry["changed"])
    host = (urlparse(entry["source"]).hostname or entry["source"]).removeprefix("www.")
    return strings.caption_live.format(host=host, date=entry["changed"])


def check_strict(inputs, key: str, state: str) -> None:
    """Missing or stale images never break a build by default (a fresh clone has none yet): the build
    logs them (log_image_notices). STEPSHOT_STRICT_IMAGES=1 (release builds) makes them errors."""
    if inputs.checkout.settings.strict_images:
        raise BadInput(problem(inputs.manifest.path, f"images.{key}", f"{state} (STEPSHOT_STRICT_IMAGES=1)"))


def log_image_notices(locale: str, notices: dict[str, str]) -> None:
    """One info line per locale with a fixed prefix, so a reader or a CI step can grep for it."""
    if notices:
        states = sorted(set(notices.values()))
        counts = ", ".join(f"{sum(1 for s in notices.values() if s == st)} {st}" for st in states)
        log.info(f"{NOTICE_PREFIX} {locale}: {counts} screenshots shown as a notice "
                 f"(e.g. {sorted(notices)[0]})")


@dataclass(frozen=True)
class Figure:
    html: Markup
    illustration: bool  # not a capture of linkedin.com (from the stand-in, or no picture yet)


def figure(inputs, partials, strings, locale: str, viewport: str, step, label: str, callout: str, src: str,
           lazy: bool, notices: dict[str, str]) -> Figure:
    key = image_key(locale, viewport, step.id)
    entry, state, _ = usable_image(inputs, key)
    if state is not None:
        check_strict(inputs, key, state)
        notices[key] = state
        text = strings.image_missing if state == "missing" else strings.image_stale
        return Figure(partials.render("figure.html", notice={"state": state, "text": text}),
                      illustration=entry is None or entry["source"] == "stand-in")
    width, height, reading = display_size(entry, viewport)
    standin = entry["source"] == "stand-in"
    alt = (strings.alt_standin.format(label=label, callout=callout) if standin else
           strings.alt_live.format(date=long_date(entry["changed"], locale), label=label, callout=callout))
    return Figure(partials.render("figure.html", notice=None, viewport=viewport, src=src, reading=reading, alt=alt,
                                  width=width, height=height, lazy=lazy, caption=caption(strings, entry)),
                  illustration=standin)


def display_size(entry: dict, viewport: str) -> tuple[int, int, int]:
    """(width, height) in CSS pixels, and the narrowest width at which the control's text stays at
    READING_PX: the site never shows the picture narrower (on a phone, a wider picture scrolls sideways)."""
    scale = VIEWPORTS[viewport].scale
    width, height = round(entry["width"] / scale), round(entry["height"] / scale)
    reading = min(width, math.ceil(width * READING_PX / max(entry["text_px"], 1)))
    return width, height, reading
