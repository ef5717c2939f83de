"""Published deep links: the committed contract, links.json, the /go/<anchor>/ pages and redirects.

docs/links-contract.json lists every deep link the site has published ("/fr/#open-settings", "/faq/",
"/go/open-settings/"). A build that no longer publishes one fails, unless `redirects` maps it to a link
that is published. `stepshot links --update` adds new links; it never removes one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markupsafe import Markup

from ..errors import BadInput
from ..files import problem, read_json, to_json, write_atomic
from ..locales import LOCALES, SOURCE_LOCALE
from .pages import Anchor, page_url

SCHEMA = 1
CONTRACT_NOTE = ("Every deep link the site has published. Never remove one: map it in redirects to where "
                 "it lives now. Regenerate with `stepshot links --update`.")


def contract_file(docs_dir: Path) -> Path:
    return docs_dir / "links-contract.json"


def locale_pages(docs_dir: Path, locale: str) -> list[str]:
    folder = docs_dir / locale
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))


def published_links(docs_dir: Path, plans: dict[str, dict[str, Anchor]]) -> list[str]:
    """Site-root paths of every page, every step anchor (per locale) and every /go/ link."""
    links = set()
    for locale, anchors in plans.items():
        links.update("/" + page_url(locale, page) for page in locale_pages(docs_dir, locale))
        for a in anchors.values():
            links.add(f"/{page_url(locale, a.page)}#{a.anchor}")
            links.add(f"/go/{a.anchor}/")
    return sorted(links)


# A published link: a site path of plain segments, optionally a step anchor. Nothing else can be a key
# of the contract, so none can leave site/ when the build writes a redirect page, or break out of HTML.
SITE_LINK = re.compile(r"^/(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9]+)?/?)*(?:#[a-z0-9][a-z0-9-]*)?$")


def check_link(path: Path, where: str, link) -> str:
    if not isinstance(link, str) or not SITE_LINK.match(link) or len(link) > 200:
        raise BadInput(problem(path, where, f"{str(link)[:80]!r} is not a site path (like /fr/faq/ or /#open-settings)"))
    return link


def load_contract(path: Path) -> dict:
    data = read_json(path, missing={"schema": SCHEMA, "note": CONTRACT_NOTE, "links": [], "redirects": {}})
    if data.get("schema") != SCHEMA:
        raise BadInput(problem(path, "schema", f"expected {SCHEMA}"))
    links, redirects = data.get("links"), data.get("redirects", {})
    if not isinstance(links, list):
        raise BadInput(problem(path, "links", "expected a list of site paths starting with /"))
    if not isinstance(redirects, dict):
        raise BadInput(problem(path, "redirects", "expected a map of site path -> site path"))
    for link in links:
        check_link(path, "links", link)
    for old, new in redirects.items():
        check_link(path, "redirects", old)
        check_link(path, f"redirects.{old}", new)
    return {**data, "redirects": redirects}


def contract_problems(path: Path, contract: dict, published: list[str]) -> list[str]:
    """One line per contract link the site would drop without a redirect."""
    live = set(published)
    lines = []
    for target in contract["redirects"].values():
        if target not in live:
            lines.append(problem(path, "redirects", f"target {target} is not published"))
    for link in contract["links"]:
        if link not in live and link not in contract["redirects"]:
            lines.append(problem(path, "links", f"{link} is no longer published: restore it or add a redirect "
                                                f'("{link}": "<new link>") to redirects'))
    return lines


def updated_contract(contract: dict, published: list[str]) -> dict:
    links = sorted(set(contract["links"]) | set(published))
    return {"schema": SCHEMA, "note": CONTRACT_NOTE, "links": links,
            "redirects": dict(sorted(contract["redirects"].items()))}


def write_contract(path: Path, contract: dict) -> None:
    write_atomic(path, to_json(contract))


def contract_status(docs_dir: Path, plans: dict[str, dict[str, Anchor]]) -> tuple[dict, list[str], list[str]]:
    """(contract, problems: links dropped without a redirect, new: published links not yet listed)."""
    path = contract_file(docs_dir)
    contract = load_contract(path)
    published = published_links(docs_dir, plans)
    return contract, contract_problems(path, contract, published), sorted(set(published) - set(contract["links"]))


# ---- what the built site must contain ----

ID = re.compile(r'\sid="([^"]+)"')


def html_file(site_dir: Path, link: str) -> Path:
    """The built file a site link (checked by SITE_LINK) is served from, inside site_dir."""
    path = link.split("#", 1)[0].lstrip("/")
    return site_dir / path / "index.html" if not path or path.endswith("/") else site_dir / path


def script_json(data) -> str:
    """JSON for inside a <script> element: no `</script>` or `<!--` can end or change it."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def missing_in_build(site_dir: Path, links: list[str]) -> list[str]:
    """Links whose page or anchor the built site lacks (a hook bug or a marker that did not render)."""
    ids: dict[Path, set[str]] = {}
    missing = []
    for link in links:
        file = html_file(site_dir, link)
        if not file.is_file():
            missing.append(f"{link}: {file.relative_to(site_dir)} not built")
            continue
        if "#" in link:
            if file not in ids:
                ids[file] = set(ID.findall(file.read_text(encoding="utf-8")))
            if link.split("#", 1)[1] not in ids[file]:
                missing.append(f"{link}: no element with this id")
    return missing


# ---- generated outputs ----

def links_json(site_url: str, plans: dict[str, dict[str, Anchor]]) -> dict:
    steps: dict[str, dict] = {}
    for locale in LOCALES:
        for a in plans.get(locale, {}).values():
            entry = steps.setdefault(a.anchor, {"flow": a.flow, "step": a.step, "number": a.number,
                                                "go": f"{site_url}go/{a.anchor}/",
                                                "links": {}})
            entry["links"][locale] = f"{site_url}{page_url(locale, a.page)}#{a.anchor}"
    return {"schema": SCHEMA, "site_url": site_url, "steps": steps}


def write_go_pages(site_dir: Path, site_url: str, site_name: str, plans: dict[str, dict[str, Anchor]],
                   partials) -> int:
    """/go/<anchor>/ for every anchor: a language-neutral page sending the reader to the step in their
    browser's language (a plain list of languages without JavaScript)."""
    anchors = {}
    for locale in LOCALES:
        for a in plans.get(locale, {}).values():
            anchors.setdefault(a.anchor, {})[locale] = a
    for anchor, by_locale in anchors.items():
        targets = {code: f"../../{page_url(code, a.page)}#{anchor}" for code, a in by_locale.items()}
        source = by_locale.get(SOURCE_LOCALE) or next(iter(by_locale.values()))
        html = partials.render(
            "go.html", title=site_name, anchor=anchor, canonical=f"{site_url}{page_url(SOURCE_LOCALE, source.page)}#{anchor}",
            targets_json=Markup(script_json(targets)), default_json=Markup(script_json(SOURCE_LOCALE)),
            languages=[{"code": code, "href": href, "name": LOCALES[code].name} for code, href in targets.items()])
        write_atomic(site_dir / "go" / anchor / "index.html", (html + "\n").encode("utf-8"))
    return len(anchors)


def relative(from_dir: str, link: str) -> str:
    """A site-root link made relative to a page directory (both without a leading slash)."""
    depth = len([p for p in from_dir.split("/") if p])
    return "../" * depth + link.lstrip("/") if depth else "./" + link.lstrip("/")


def write_redirects(site_dir: Path, redirects: dict[str, str], partials) -> int:
    """Old page paths get a redirect page; old anchors on a live page are mapped by the page's script."""
    grouped: dict[str, dict[str, str]] = {}
    for old, new in redirects.items():
        path, _, anchor = old.partition("#")
        grouped.setdefault(path, {})[anchor] = new
    for path, by_anchor in grouped.items():
        page_dir = path.strip("/")
        mapped = {a: relative(page_dir, new) for a, new in by_anchor.items()}
        by_hash = Markup(script_json({a: t for a, t in mapped.items() if a}))
        file = html_file(site_dir, path)
        if "" not in mapped and not file.is_file():
            continue  # old anchors of a page this build left out (one locale only): nothing moved here
        if file.is_file():
            html = file.read_text(encoding="utf-8")
            block = partials.render("anchor-redirects.html", mapped_json=by_hash)
            # In the head: the site's script, at the end of the body, reads it as soon as it runs.
            write_atomic(file, html.replace("</head>", f"{block}\n</head>", 1).encode("utf-8"))
            continue
        default = mapped.get("") or next(iter(mapped.values()))
        html = partials.render("moved.html", by_hash_json=by_hash, default_json=Markup(script_json(default)),
                               default=default)
        write_atomic(file, (html + "\n").encode("utf-8"))
    return len(grouped)
