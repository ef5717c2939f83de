"""Links in the built site: every internal link and anchor of every page resolves, and every deep link the
site has published (docs/links-contract.json) still leads somewhere.

An own crawl over the built files, as a static host would serve them: `dir/` is `dir/index.html`, a
fragment must be an element id (or an `<a name>`) in the target page. Absolute links to the configured
site URL (canonical, hreflang, Open Graph) count as internal. Other hosts are not fetched here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from ..site import deeplinks

LINKING = {"a": ("href",), "link": ("href",), "img": ("src", "srcset"), "script": ("src",),
           "source": ("src", "srcset"), "iframe": ("src",), "video": ("src", "poster"), "audio": ("src",)}
META_URLS = ("og:url", "og:image", "twitter:image")
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:", "about:")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []   # (where, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        for attr in LINKING.get(tag, ()):
            value = values.get(attr)
            if not value:
                continue
            urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] if attr.endswith("srcset") \
                else [value.strip()]
            self.refs += [(f"<{tag} {attr}>", url) for url in urls]
        if tag == "meta" and values.get("property") in META_URLS and values.get("content"):
            self.refs.append((f'<meta property="{values["property"]}">', values["content"]))

    handle_startendtag = handle_starttag


def parse(file: Path) -> _Page:
    page = _Page()
    page.feed(file.read_text(encoding="utf-8", errors="replace"))
    return page


def url_path(site_dir: Path, file: Path) -> str:
    """The site path a file is served at: /fr/faq/ for fr/faq/index.html."""
    rel = file.relative_to(site_dir).as_posix()
    return "/" + (rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)


def target_file(site_dir: Path, path: str) -> Path | None:
    candidate = site_dir / unquote(path).lstrip("/")
    if path.endswith("/") or candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


@dataclass
class Crawl:
    pages: int
    links: int
    problems: list[str]


def crawl(site_dir: Path, site_url: str | None = None) -> Crawl:
    """Check every internal link and fragment in every HTML page of the built site."""
    site_dir = Path(site_dir)
    origin = urlsplit(site_url) if site_url else None
    base_path = origin.path.rstrip("/") if origin else ""
    files = sorted(site_dir.rglob("*.html"))
    parsed: dict[Path, _Page] = {}

    def page_of(file: Path) -> _Page:
        if file not in parsed:
            parsed[file] = parse(file)
        return parsed[file]

    problems, count = [], 0
    for file in files:
        here = "http://site.invalid" + url_path(site_dir, file)
        for where, ref in page_of(file).refs:
            if ref.startswith(SKIPPED_SCHEMES) or ref in ("#", ""):
                continue
            local = ref
            if origin and ref.startswith(f"{origin.scheme}://{origin.netloc}{base_path}/"):
                local = ref[len(f"{origin.scheme}://{origin.netloc}{base_path}"):]
            absolute = urlsplit(urljoin(here, local))
            if absolute.netloc != "site.invalid":
                continue  # another host
            count += 1
            shown = f"{file.relative_to(site_dir).as_posix()}: {where} {ref}"
            target = target_file(site_dir, absolute.path)
            if target is None:
                problems.append(f"{shown}: no such file in the built site")
            elif absolute.fragment and target.suffix == ".html" and unquote(absolute.fragment) not in page_of(target).ids:
                problems.append(f"{shown}: {target.relative_to(site_dir).as_posix()} has no element with id "
                                f"\"{unquote(absolute.fragment)}\"")
    return Crawl(len(files), count, problems)


def site_url_of(site_dir: Path) -> str | None:
    """The site URL the build used (links.json records it), to recognise absolute internal links."""
    file = Path(site_dir) / "links.json"
    if not file.is_file():
        return None
    return json.loads(file.read_text(encoding="utf-8")).get("site_url")


def contract_problems(site_dir: Path, docs_dir: Path) -> list[str]:
    """Every published deep link leads somewhere in the built site: its page and anchor, or its redirect."""
    path = deeplinks.contract_file(docs_dir)
    contract = deeplinks.load_contract(path)
    redirects = contract["redirects"]
    shown = path.as_posix()
    lines = [f"{shown}: {line}" for line in
             deeplinks.missing_in_build(site_dir, [link for link in contract["links"] if link not in redirects])]
    lines += [f"{shown}: redirect target {line}" for line in
              deeplinks.missing_in_build(site_dir, sorted(set(redirects.values())))]
    for old in redirects:
        page, _, anchor = old.partition("#")
        file = deeplinks.html_file(site_dir, page)
        if not file.is_file():
            lines.append(f"{shown}: redirects: {old}: no page at {page} to send readers on")
        elif anchor and f'"{anchor}"' not in file.read_text(encoding="utf-8"):
            lines.append(f"{shown}: redirects: {old}: {page} does not map #{anchor} to its new place")
    return lines
