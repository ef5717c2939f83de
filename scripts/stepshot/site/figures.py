"""A step's screenshot as a figure, from the manifest: or a visible notice when it is missing or stale."""

from __future__ import annotations

import logging
import os
from html import escape
from urllib.parse import urlparse

from ..errors import BadInput
from ..manifest import image_key
from ..model import problem

log = logging.getLogger("mkdocs.plugins.stepshot")
NOTICE_PREFIX = "stepshot image notice:"


def image_dest(key: str) -> str:
    """Where a screenshot is published in the site, relative to the site root."""
    return f"screenshots/{key}"


def usable_image(inputs, key: str) -> tuple[dict | None, str | None]:
    """(manifest entry, None) when the image can be shown, else (entry or None, "missing" | "stale")."""
    entry = inputs.manifest.images.get(key)
    if entry is None or not inputs.manifest.file(key).is_file():
        return entry, "missing"
    if entry["stale"]:
        return entry, "stale"
    return entry, None


def caption(strings, entry: dict) -> str:
    if entry["source"] == "stand-in":
        return strings.caption_standin.format(date=entry["changed"])
    host = (urlparse(entry["source"]).hostname or entry["source"]).removeprefix("www.")
    return strings.caption_live.format(host=host, date=entry["changed"])


def check_strict(inputs, key: str, state: str) -> None:
    """Missing or stale images never break a build by default (a fresh clone has none yet): the build
    logs them (log_image_notices). STEPSHOT_STRICT_IMAGES=1 (release builds) makes them errors."""
    if os.environ.get("STEPSHOT_STRICT_IMAGES") == "1":
        raise BadInput(problem(inputs.manifest.path, f"images.{key}", f"{state} (STEPSHOT_STRICT_IMAGES=1)"))


def log_image_notices(locale: str, notices: dict[str, str]) -> None:
    """One info line per locale with a fixed prefix, so a reader or a CI step can grep for it."""
    if notices:
        states = sorted(set(notices.values()))
        counts = ", ".join(f"{sum(1 for s in notices.values() if s == st)} {st}" for st in states)
        log.info(f"{NOTICE_PREFIX} {locale}: {counts} screenshots shown as a notice "
                 f"(e.g. {sorted(notices)[0]})")


def figure_html(inputs, strings, locale: str, viewport: str, step, alt: str, src: str, lazy: bool,
                notices: dict[str, str]) -> str:
    key = image_key(locale, viewport, step.id)
    entry, state = usable_image(inputs, key)
    if state is not None:
        check_strict(inputs, key, state)
        notices[key] = state
        text = strings.image_missing if state == "missing" else strings.image_stale
        return f'<p class="ss-shot-notice ss-shot-notice--{state}" role="note">{escape(text)}</p>'
    loading = ' loading="lazy"' if lazy else ""
    return (
        f'<figure class="ss-shot ss-shot--{viewport}">'
        f'<a class="ss-shot__zoom" href="{escape(src)}">'
        f'<img src="{escape(src)}" alt="{escape(alt)}" width="{entry["width"]}" height="{entry["height"]}"'
        f'{loading} decoding="async"></a>'
        f"<figcaption>{escape(caption(strings, entry))}</figcaption></figure>"
    )
