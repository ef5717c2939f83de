"""Dates the way each locale writes them: "3 novembre 2025", "2025年11月3日", not 2025-11-03.

The pages' Markdown writes dates as ISO dates (one spelling for every translation, easy to check against
the sources). In the built page every ISO date in running text becomes a <time> element with the date in
the locale's long form (Babel, CLDR data); the element carries the locale's writing direction, which
isolates it from the text around it (a date and the comma after it stay in order in Arabic), and it does
not break across lines. Dates inside code, scripts, attributes and links' addresses are left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton

from ..locales import LOCALES

# An ISO date, or two days of one month written 2025-09-17/18.
ISO_DATE = re.compile(r"(?<![\w/=.:-])(\d{4}-\d{2}-\d{2})(?:/(\d{2}))?(?![\w/-])")
# A tag, or a run of text between tags; the text of these elements is never rewritten.
PIECE = re.compile(r"<[^>]*>|[^<]+")
VERBATIM = {"code", "pre", "script", "style", "time", "textarea", "kbd", "samp"}


@lru_cache(maxsize=None)
def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale, sep="-")


def long_date(iso: str, locale: str) -> str:
    """"2025-11-03" as the locale writes it in a sentence; a string that is not a real date comes back as it is."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return format_date(day, "long", locale=babel_locale(locale))


def published_text(published: str | None, locale: str) -> str | None:
    """A source's publication date for a citation: a full date stays ISO (the page's dates become <time>
    elements after Markdown), a month is written the locale's way ("septembre 2024"), a year as it is."""
    if published is None or len(published) != 7:
        return published
    year, month = map(int, published.split("-"))
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=babel_locale(locale))


def written(match: re.Match, locale: str) -> tuple[str, str] | None:
    """(the datetime attribute, the text) of a date or a two-day range; None: not a real date."""
    try:
        first = dt.date.fromisoformat(match[1])
        last = first.replace(day=int(match[2])) if match[2] else None
    except ValueError:
        return None
    if last is None:
        return match[1], long_date(match[1], locale)
    return match[1], format_interval(first, last, "yMMMMd", locale=babel_locale(locale))


def dates_in_text(html: str, locale: str, partials) -> str:
    """Every ISO date in the running text of `html` as a localized <time> (see the module's doc)."""
    direction = "rtl" if LOCALES[locale].rtl else "ltr"
    out: list[str] = []
    inside: list[str] = []
    for piece in PIECE.findall(html):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            tag = name[1].lower() if name else ""
            if tag in VERBATIM and not piece.endswith("/>"):
                if piece.startswith("</"):
                    if tag in inside:
                        inside.remove(tag)
                else:
                    inside.append(tag)
            out.append(piece)
        elif inside:
            out.append(piece)
        else:
            def localized(match: re.Match) -> str:
                found = written(match, locale)
                return match[0] if found is None else str(partials.render(
                    "date.html", iso=found[0], text=found[1], direction=direction))
            out.append(ISO_DATE.sub(localized, piece))
    return "".join(out)
