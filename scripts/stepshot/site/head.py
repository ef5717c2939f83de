"""Per-page head: absolute hreflang alternates with x-default, Open Graph meta, and the search scope.

Material writes relative `<link rel="alternate" hreflang>` tags; crawlers want absolute ones and an
x-default, so `alternates()` rewrites exactly those tags. Material's script would fetch sitemap.xml next to
each of them (a 404 per locale on every page): overrides/main.html keeps them out of its sight.
"""

from __future__ import annotations

import json
import re

from mkdocs.utils import get_relative_url

from ..errors import BadInput
from ..locales import LOCALES, SOURCE_LOCALE

MATERIAL_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')
CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def og_locale(code: str) -> str:
    """Open Graph wants language_TERRITORY: en_US, pt_BR, ar (no territory) stays ar."""
    return LOCALES[code].browser.replace("-", "_")


def alternate_urls(site_url: str, page) -> dict[str, str]:
    """{locale: absolute URL} of the page in every built locale (mkdocs-static-i18n's alternates)."""
    alternates = getattr(page.file, "alternates", None) or {}
    return {code: site_url + alternates[code].url for code in LOCALES if code in alternates}


def alternates(html: str, site_url: str, page, partials) -> str:
    urls = alternate_urls(site_url, page)
    found = MATERIAL_ALTERNATE.findall(html)
    if len(urls) < 2 and not found:
        # A build of one locale only (the bench's English-only build): the theme writes no language
        # switch, and a page with no other language needs no hreflang.
        return html
    if len(found) != len(urls):
        raise BadInput(f"{page.file.src_uri}: expected {len(urls)} hreflang links from the theme, found {len(found)}")
    listed = [*urls.items(), *([("x-default", urls[SOURCE_LOCALE])] if SOURCE_LOCALE in urls else [])]
    tags = partials.render("alternates.html", alternates=listed)
    first = True

    def replace(_match):
        nonlocal first
        if first:
            first = False
            return tags + "\n"
        return ""

    return MATERIAL_ALTERNATE.sub(replace, html)


HTML_LANG = re.compile(r'<html lang="[^"]*"')


def html_lang(html: str, locale: str) -> str:
    """The page's language is the locale's own code: Material's pt-BR partial says only "pt"."""
    return HTML_LANG.sub(f'<html lang="{locale}"', html, count=1)


SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
SEARCH_INPUT = re.compile(r'<input type="text" class="md-search__input" name="query" aria-label="([^"]+)"')


def name_search_dialog(html: str) -> str:
    """Material's search dialog has no accessible name (axe: aria-dialog-name): give it its input's."""
    match = SEARCH_INPUT.search(html)
    if SEARCH_DIALOG not in html or not match:
        raise BadInput("the theme's search dialog markup changed: update stepshot/site/head.py")
    return html.replace(SEARCH_DIALOG, SEARCH_DIALOG[:-1] + f' aria-label="{match.group(1)}">', 1)


def scope_search(html: str, locale: str, page_url: str) -> str:
    """Point Material's `base` (where it loads search/search_index.json) at the locale's own folder."""
    if locale == SOURCE_LOCALE:
        return html
    match = CONFIG.search(html)
    if not match:
        raise BadInput(f"{page_url}: the theme's __config script is missing")
    config = json.loads(match.group(2))
    config["base"] = get_relative_url(f"{locale}/", page_url)
    return html[:match.start(2)] + json.dumps(config, ensure_ascii=False) + html[match.end(2):]


def social_meta(partials, site_url: str, site_name: str, title: str, description: str, page, locale: str,
                image: str, image_size: tuple[int, int]) -> str:
    urls = alternate_urls(site_url, page)
    props = [
        ("og:type", "website"),
        ("og:site_name", site_name),
        ("og:title", title),
        ("og:description", description),
        ("og:url", site_url + page.url),
        ("og:locale", og_locale(locale)),
        *[("og:locale:alternate", og_locale(code)) for code in urls if code != locale],
        ("og:image", image),
        ("og:image:width", str(image_size[0])),
        ("og:image:height", str(image_size[1])),
    ]
    names = [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", title),
        ("twitter:description", description),
        ("twitter:image", image),
    ]
    return partials.render("social-meta.html", properties=props, names=names)
