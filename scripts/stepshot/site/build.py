"""One `mkdocs build` of every locale: what the hooks do, with the state they share across locales.

mkdocs-static-i18n builds the default locale, then rebuilds once per other locale from inside its own
post-build step; `finish()` runs after the last of them (see hooks.py for the event order).
"""

from __future__ import annotations

import logging
import re
from html import escape
from pathlib import Path, PurePosixPath

from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

from ..checkout import Checkout
from ..errors import BadInput
from ..files import problem, to_json, write_atomic
from ..locales import LOCALES, SOURCE_LOCALE
from ..manifest import image_key
from . import deeplinks, head, siteindex
from .dates import dates_in_text, long_date
from .figures import image_dest, log_image_notices, usable_image
from .inputs import SiteInputs
from .markers import PageMarkers
from .partials import Partials, Slots
from .ogcard import OG_CARD, write_og_card
from .pages import plan_all
from .strings import check_flow_names, strings_for
from .translations import page_freshness

log = logging.getLogger("mkdocs.plugins.stepshot")


def check_languages(config_file: Path, languages) -> None:
    """mkdocs.yml's i18n languages and stepshot.locales must name the same locales, in the same order."""
    configured = [(lang.locale, lang.name) for lang in languages]
    expected = [(code, loc.name) for code, loc in LOCALES.items()]
    if configured != expected:
        raise BadInput(problem(config_file, "plugins.i18n.languages",
                               f"must list {[c for c, _ in expected]} named as in stepshot/locales.py, "
                               f"got {configured}"))
    default = [lang.locale for lang in languages if lang.default]
    if default != [SOURCE_LOCALE]:
        raise BadInput(problem(config_file, "plugins.i18n.languages", f"the default must be {SOURCE_LOCALE}"))


# Where Material's defaults miss the guide's words. French and Italian elide articles into the next word
# (l'interrupteur, dell'IA), so an apostrophe separates words there. Material searches what the reader types
# as a word's beginning and never stems the query, so "désactiver" would miss "Désactivez": in French and
# Spanish a verb's ending (after four letters at least) also separates, in the index and in the query alike,
# and both sides meet at the stem ("désactiv", "desactiv"). Material's own separator example splits words
# the same way, with a look-around.
ELIDED = "[\\s\\-'’]+"
FRENCH_ENDINGS = "(?<=[a-zàâçéèêëîïôûùüÿœæ]{4})(?:ez|er|ées|ée|és|é)(?![a-zàâçéèêëîïôûùüÿœæ])"
SPANISH_ENDINGS = "(?<=[a-záéíóúüñ]{4})(?:ar|ad|as|a)(?![a-záéíóúüñ])"
SEARCH_TUNING = {"fr": {"separator": f"{ELIDED}|{FRENCH_ENDINGS}"}, "it": {"separator": ELIDED},
                 "es": {"separator": f"[\\s\\-]+|{SPANISH_ENDINGS}"}}


def material_text(config, key: str) -> str:
    """A text of Material's language partial (partials/language.html, its `t` macro) in the locale being
    built, read through the theme's Jinja environment as Material's own templates read it."""
    template = config.theme.get_env().get_template("partials/language.html", globals={"config": config})
    return template.module.t(key)


class SiteBuild:
    def __init__(self, config, checkout: Checkout):
        self.config_file = Path(config.config_file_path)
        self.docs_dir = Path(config.docs_dir)
        self.i18n = config.plugins["i18n"]
        check_languages(self.config_file, self.i18n.config.languages)
        self.inputs = SiteInputs.load(checkout, self.config_file, self.docs_dir, config.site_url,
                                      config.extra)
        self.locales = list(self.i18n.build_languages)
        self.site_name = config.site_name  # the source locale's: /go/ pages are language-neutral
        # Deep links are known from the Markdown alone: a dropped one fails the build before any page.
        check_flow_names(self.docs_dir, [flow.id for flow in self.inputs.project.flow.flows])
        self.plans = plan_all(self.docs_dir, self.inputs.project.flow)
        self.contract, dropped, self.unlisted = deeplinks.contract_status(self.docs_dir, self.plans)
        if dropped:
            raise BadInput(dropped)
        self.partials = Partials(Path(config.theme.custom_dir))
        self.slots: dict[str, Slots] = {}  # per page being built: its markers' HTML until Markdown is done
        self.search_config: dict[str, dict] = {}
        self.step_entries: list[dict] = []  # one search result per step, in every locale
        self.og_image: dict[str, tuple[str, tuple[int, int]]] = {}
        self.image_notices: dict[str, dict[str, str]] = {}

    @property
    def locale(self) -> str:
        return self.i18n.current_language

    # ---- on_files: pages complete, anchors planned, screenshots added ----

    def files(self, files, config):
        locale = self.locale
        english = deeplinks.locale_pages(self.docs_dir, SOURCE_LOCALE)
        mine = deeplinks.locale_pages(self.docs_dir, locale)
        lines = [problem(self.docs_dir / locale / p, "(file)", f"missing: translate docs/{SOURCE_LOCALE}/{p}")
                 for p in english if p not in mine]
        lines += [problem(self.docs_dir / locale / p, "(file)", f"no docs/{SOURCE_LOCALE}/{p} to translate")
                  for p in mine if p not in english]
        if lines:
            raise BadInput(lines)
        shown = {(a.step, self.flow(a.flow).viewports[0]) for a in self.plans[locale].values()}
        for step_id, viewport in sorted(shown):
            key = image_key(locale, viewport, step_id)
            _, state, data = usable_image(self.inputs, key)
            if state is None:
                files.append(File.generated(config, image_dest(key), content=data))
        self.og_image[locale] = self.preview_image(locale)
        # Material's search reads these from the language partial of the locale being built: the lunr
        # language its search worker loads, how words split (ja: also at 、。), and which lunr pipeline
        # steps stay (ja keeps the stemmer only, ar none: English stop words would not fit).
        pipeline = material_text(config, "search.config.pipeline")
        self.search_config[locale] = {
            "lang": [material_text(config, "search.config.lang")],
            "separator": material_text(config, "search.config.separator"),
            "pipeline": [step for step in re.split(r"\s*,\s*", pipeline.strip()) if step],
            **SEARCH_TUNING.get(locale, {}),
        }
        return files

    def flow(self, flow_id: str):
        return next(f for f in self.inputs.project.flow.flows if f.id == flow_id)

    def preview_image(self, locale: str) -> tuple[str, tuple[int, int]]:
        """The card image: the locale's screenshot of the guide's last step, else the generated card."""
        first = self.inputs.project.flow.flows[0]
        key = image_key(locale, first.viewports[0], first.steps[-1].id)
        entry, state, _ = usable_image(self.inputs, key)
        if state is None:
            return self.inputs.site_url + image_dest(key), (entry["width"], entry["height"])
        return self.inputs.site_url + OG_CARD.path, OG_CARD.size

    # ---- on_page_markdown ----

    def markdown(self, markdown: str, page) -> str:
        locale = self.locale
        page_path = PurePosixPath(page.file.src_uri).relative_to(locale).as_posix()
        markers = PageMarkers(self.inputs, self.partials, locale, page_path, Path(page.file.abs_src_path),
                              page.meta, self.plans[locale], self.image_notices.setdefault(locale, {}))
        out = markers.expand(markdown)
        self.slots[page.file.src_uri] = markers.slots
        self.step_entries += markers.search_entries(page.url)
        missing = [a for a in markers.rendered_anchors if a not in self.plans[locale]]
        if missing:
            raise BadInput(problem(page.file.abs_src_path, "(file)", f"anchors not planned: {missing}"))
        if locale != SOURCE_LOCALE:
            fresh = page_freshness(self.docs_dir, locale, page_path)
            if fresh.outdated:
                s = strings_for(locale, self.docs_dir)
                page.meta["ss_outdated"] = {
                    "text": s.outdated, "link": s.outdated_link,
                    "href": get_relative_url(page.file.alternates[SOURCE_LOCALE].url, page.url),
                }
        return out

    # ---- on_page_content: the markers' HTML in place ----

    def content(self, html: str, page) -> str:
        return dates_in_text(self.slots.pop(page.file.src_uri).fill(html), self.locale, self.partials)

    # ---- on_page_context: social meta ----

    def context(self, page, config) -> None:
        title = config.site_name if page.is_homepage else (page.meta.get("title") or page.title)
        description = page.meta.get("description") or config.site_description or ""
        image, size = self.og_image[self.locale]
        page.meta["ss_head"] = head.social_meta(self.partials, self.inputs.site_url, config.site_name, str(title),
                                                description, page, self.locale, image, size)
        # Material writes the description into its <meta> tag as it is: a quote in it would end the attribute.
        page.meta["description"] = escape(description)
        address, checked = self.inputs.site_url + page.url, self.last_checked(page)
        page.meta["ss_print"] = (strings_for(self.locale, self.docs_dir).print_source.format(
                                     url=address, date=long_date(checked, self.locale))
                                 if checked else address)

    def last_checked(self, page) -> str | None:
        """The oldest of the dates on which the page's pictures were last checked (None: no step here)."""
        page_path = PurePosixPath(page.file.src_uri).relative_to(self.locale).as_posix()
        keys = [image_key(self.locale, self.flow(a.flow).viewports[0], a.step)
                for a in self.plans[self.locale].values() if a.page == page_path]
        dates = [self.inputs.checked[key]["date"] for key in keys if key in self.inputs.checked]
        return min(dates) if dates and len(dates) == len(keys) else None

    # ---- on_post_page ----

    def post_page(self, output: str, page) -> str:
        output = head.alternates(output, self.inputs.site_url, page, self.partials)
        output = head.html_lang(output, self.locale)
        output = head.name_search_dialog(output)
        return head.scope_search(output, self.locale, page.url)

    # ---- after the last locale ----

    def finish(self, config) -> None:
        site_dir = Path(config.site_dir)
        for locale in self.locales:
            log_image_notices(locale, self.image_notices.get(locale, {}))
        site_url = self.inputs.site_url
        # Only the locales built this time can be checked in site_dir (a partial build, `build: false`,
        # leaves the others out); the contract itself was checked on every locale's Markdown up front.
        built = {code: self.plans[code] for code in self.locales}
        published = deeplinks.published_links(self.docs_dir, built)
        broken = deeplinks.missing_in_build(site_dir, [p for p in published if not p.startswith("/go/")])
        if broken:
            raise BadInput([f"site: {line}" for line in broken])
        if self.unlisted:
            log.info(f"stepshot: {len(self.unlisted)} deep links are not in links-contract.json yet "
                     f"(run `stepshot links --update`), e.g. {self.unlisted[0]}")
        deeplinks.write_go_pages(site_dir, site_url, self.site_name, self.plans, self.partials)
        deeplinks.write_redirects(site_dir, self.contract["redirects"], self.partials)
        write_atomic(site_dir / "links.json", to_json(deeplinks.links_json(site_url, self.plans)))
        siteindex.write_sitemaps(site_dir, site_url, self.docs_dir, self.locales)
        siteindex.split_search_index(site_dir, self.locales, self.search_config, self.step_entries)
        write_og_card(site_dir)
        log.info(f"stepshot: {len(self.locales)} locales, {len(published)} deep links, "
                 f"links.json and /go/ pages written")

