"""Translation freshness: each translated page names the English version it translates.

A translated page's front matter holds `translation_of: <hash>`, the first 12 hex digits of the SHA-256 of
the English page's file. When the English page changes, its hash changes and the translation is outdated
until a translator updates it and records the new hash (`stepshot translations` prints it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import BadInput
from ..locales import LOCALES, SOURCE_LOCALE
from ..files import display_path, problem

AWAITING = "awaiting-translation"   # a page `stepshot new-locale` copied from English: not translated yet
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
RECORDED = re.compile(r"^translation_of:[ \t]*[\"']?([^\"'\s]+)", re.M)


def english_hash(path: Path) -> str:
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def front_matter(path: Path) -> dict:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise BadInput(problem(path, "front matter", f"invalid YAML: {str(exc).splitlines()[0]}")) from None
    if not isinstance(data, dict):
        raise BadInput(problem(path, "front matter", "expected a mapping"))
    return data


@dataclass(frozen=True)
class Freshness:
    locale: str
    page: str             # path under the locale folder, e.g. "faq.md"
    state: str            # current | outdated | missing | unmarked | awaiting
    recorded: str | None  # the hash the translation names
    current: str          # the English page's hash now

    @property
    def outdated(self) -> bool:
        return self.state != "current"

    def line(self, docs_dir: Path) -> str:
        where = display_path(docs_dir / self.locale / self.page)
        if self.state == "missing":
            return f"{where}: missing (translate docs/{SOURCE_LOCALE}/{self.page}, translation_of: {self.current})"
        if self.state == "awaiting":
            return f"{where}: awaiting translation (an English copy; record translation_of: {self.current})"
        if self.state == "unmarked":
            return f"{where}: translation_of: missing (English version now {self.current})"
        return f"{where}: translation_of: {self.recorded} is outdated (English version now {self.current})"


def page_freshness(docs_dir: Path, locale: str, page: str) -> Freshness:
    current = english_hash(docs_dir / SOURCE_LOCALE / page)
    path = docs_dir / locale / page
    if not path.is_file():
        return Freshness(locale, page, "missing", None, current)
    front_matter(path)  # valid YAML, or BadInput naming the page
    # Read as text: YAML would turn a hash such as 000000000000 or 1234e5678901 into a number.
    head = FRONT_MATTER.match(path.read_text(encoding="utf-8").replace("\r\n", "\n"))
    match = RECORDED.search(head.group(1)) if head else None
    if match is None:
        return Freshness(locale, page, "unmarked", None, current)
    recorded = match.group(1)
    state = "current" if recorded == current else "awaiting" if recorded == AWAITING else "outdated"
    return Freshness(locale, page, state, recorded, current)


def english_pages(docs_dir: Path) -> list[str]:
    source = docs_dir / SOURCE_LOCALE
    return sorted(p.relative_to(source).as_posix() for p in source.rglob("*.md"))


def all_freshness(docs_dir: Path, locales: list[str] | None = None) -> list[Freshness]:
    codes = [c for c in (locales or LOCALES) if c != SOURCE_LOCALE]
    return [page_freshness(docs_dir, code, page) for code in codes for page in english_pages(docs_dir)]
