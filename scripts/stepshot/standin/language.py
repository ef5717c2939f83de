"""Which of the guide's locales a request gets: the account's language, else the best Accept-Language match."""

from __future__ import annotations

from ..locales import LOCALES, SOURCE_LOCALE


def parse_accept_language(header: str) -> list[str]:
    """Language tags by preference (q descending, header order on ties); q=0 means 'not this one'."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if tag and q > 0:
            ranked.append((-q, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def best_locale(header: str | None, available: list[str] | None = None) -> str:
    """The first preferred tag matching a locale exactly (pt-BR, en-US), else by its language (pt -> pt-BR)."""
    codes = available or list(LOCALES)
    exact = {}
    by_language = {}
    for code in codes:
        for tag in (code, LOCALES[code].browser):
            exact.setdefault(tag.lower(), code)
        by_language.setdefault(code.split("-")[0].lower(), code)
    for tag in parse_accept_language(header or ""):
        tag = tag.lower()
        if tag in exact:
            return exact[tag]
        if tag.split("-")[0] in by_language:
            return by_language[tag.split("-")[0]]
    return SOURCE_LOCALE
