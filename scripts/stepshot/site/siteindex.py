"""Site-wide indexes written once every locale is built: sitemaps and per-locale search indexes.

- sitemap.xml at the root lists every page with its hreflang alternates and x-default; each locale
  folder gets its own sitemap.xml (its pages): Material's instant navigation and previews read
  sitemap.xml at `base`, which is the locale folder on a locale's pages (head.scope_search).
- mkdocs-static-i18n merges every language into one search index; each locale gets its own index in
  <locale>/search/ (head.scope_search points the locale's pages at it), and the root keeps English only.
- Chinese is written without spaces: with jieba installed, Material's search puts a zero-width space
  between the words of every run of Han characters on every page (a separator of its Chinese search
  settings). The Chinese step entries, which are ours, are cut by the same segmenter; the other languages'
  page entries get their text back unchanged (Japanese has its own segmenter and does not split there).
"""

from __future__ import annotations

import gzip
import json
from html import escape
from pathlib import Path

from material.plugins.search.plugin import SearchIndex

from ..files import write_atomic
from ..locales import SOURCE_LOCALE
from .deeplinks import locale_pages
from .pages import page_url

WORD_BREAK = "\u200b"

SITEMAP_NS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:xhtml="http://www.w3.org/1999/xhtml"')


def sitemap(site_url: str, docs_dir: Path, locales: list[str], only: str | None = None) -> str:
    pages = sorted({p for code in locales for p in locale_pages(docs_dir, code)})
    rows = []
    for page in pages:
        have = [code for code in locales if (docs_dir / code / page).is_file()]
        links = [f'    <xhtml:link rel="alternate" hreflang="{code}" href="{escape(site_url + page_url(code, page))}"/>'
                 for code in have]
        if SOURCE_LOCALE in have:
            links.append(f'    <xhtml:link rel="alternate" hreflang="x-default" '
                         f'href="{escape(site_url + page_url(SOURCE_LOCALE, page))}"/>')
        for code in have:
            if only is None or code == only:
                rows.append(f"  <url>\n    <loc>{escape(site_url + page_url(code, page))}</loc>\n"
                            + "\n".join(links) + "\n  </url>")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS}>\n' + "\n".join(rows) + "\n</urlset>\n"


def write_sitemaps(site_dir: Path, site_url: str, docs_dir: Path, locales: list[str]) -> None:
    root = sitemap(site_url, docs_dir, locales).encode("utf-8")
    write_atomic(site_dir / "sitemap.xml", root)
    write_atomic(site_dir / "sitemap.xml.gz", gzip.compress(root, mtime=0))
    for code in locales:
        if code != SOURCE_LOCALE:
            write_atomic(site_dir / code / "sitemap.xml", sitemap(site_url, docs_dir, locales, only=code).encode("utf-8"))


def split_search_index(site_dir: Path, locales: list[str], search_config: dict[str, dict],
                       steps: list[dict]) -> dict[str, int]:
    """Rewrite search/search_index.json per locale, with one entry per step (so a result leads to the
    step itself); returns the number of entries each locale got."""
    index_file = site_dir / "search" / "search_index.json"
    merged = json.loads(index_file.read_text(encoding="utf-8"))
    others = tuple(f"{code}/" for code in locales if code != SOURCE_LOCALE)
    counts = {}
    for code in locales:
        pages, own_steps = of_locale(merged["docs"], code, others), of_locale(steps, code, others)
        if code.split("-")[0] == "zh":
            own_steps = [words_apart(entry) for entry in own_steps]
        else:
            pages = [unbroken(entry) for entry in pages]
        docs = pages + own_steps
        config = {**merged["config"], **search_config.get(code, {})}
        target = index_file if code == SOURCE_LOCALE else site_dir / code / "search" / "search_index.json"
        write_atomic(target, json.dumps({"config": config, "docs": docs}, ensure_ascii=False,
                                        separators=(",", ":")).encode("utf-8"))
        counts[code] = len(docs)
    return counts


def of_locale(entries: list[dict], code: str, others: tuple[str, ...]) -> list[dict]:
    """A locale's entries, their locations relative to its folder."""
    if code == SOURCE_LOCALE:
        return [e for e in entries if not e["location"].startswith(others)]
    prefix = f"{code}/"
    return [{**e, "location": e["location"][len(prefix):]} for e in entries if e["location"].startswith(prefix)]


def words_apart(entry: dict) -> dict:
    """A step entry's Chinese cut into words by Material's own segmenter, as its page entries are."""
    return {**entry, **{f: SearchIndex()._segment_chinese(entry[f]) for f in ("title", "text") if f in entry}}


def unbroken(entry: dict) -> dict:
    return {**entry, **{f: entry[f].replace(WORD_BREAK, "") for f in ("title", "text") if isinstance(entry.get(f), str)}}
