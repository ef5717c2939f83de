"""Markers in the site's Markdown, expanded per page and locale; anything unknown fails the build.

    {{ label:KEY }}        LinkedIn's label in the page's locale (bold); when not confirmed on linkedin.com,
                           the English label beside it, marked unverified
    {{ steps:FLOW }}       the numbered steps of a flow: anchor, text (front matter `steps:`), screenshot,
                           "Looks different on your screen?" link
    {{ device_tabs }}      right after the phone and computer tabs: the computer tab opens on a wide screen
    {{ labels_notice }}    a short note, shown only when a label on the page is not confirmed
    {{ links:table }}      every deep link of the locale, with copy buttons (support page)
    {{ checklist }}        the guide's flows as a one-page list to tick, with the setting's own link
                           (checklist page; the step texts come from the guide page's front matter)
    {{ file:links.json }}  a link to a file the build generates at the site root
    {{ cite:ID }}          a short citation of a source of docs/sources.yml ("[ICO, 20 September 2024]"),
                           linking to its entry in About's list of sources
    {{ sources }}          that list: every source of docs/sources.yml (About page)
    {{ notice }}           the page's front matter `notice:` (a text to paste: {guide} and {setting}
                           become the guide's and the setting's addresses) with a copy button

Block markers (all but `label`, `file` and `cite`) stand alone on their line, so they work inside content tabs.
Every marker's HTML comes from a partial (partials.py) and waits behind a slot token until Markdown is
done: no label, callout or manifest field ever reaches Markdown.
"""

from __future__ import annotations

import difflib
import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import quote, urlencode

import markdown as md
from markupsafe import Markup
from mkdocs.utils import get_relative_url
from mkdocs.utils.meta import get_data

from ..errors import BadInput
from ..files import problem
from ..locales import SOURCE_LOCALE
from ..manifest import image_key
from ..schema import LINKEDIN, setting_path
from .dates import published_text
from .figures import figure, image_dest
from .pages import page_url
from .partials import Partials, Slots
from .strings import strings_for

LABEL = re.compile(r"\{\{\s*label:(?P<key>[^{}\s]*)\s*\}\}")
FILE = re.compile(r"\{\{\s*file:(?P<name>[^{}\s]*)\s*\}\}")
CITE = re.compile(r"\{\{\s*cite:(?P<id>[^{}\s]*)\s*\}\}")
GENERATED_FILES = ("links.json",)
BLOCK = re.compile(r"^(?P<indent>[ \t]*)\{\{\s*(?P<kind>steps|labels_notice|links|device_tabs|checklist|sources|notice)(?::(?P<arg>[^{}\s]*))?\s*\}\}[ \t]*$")
LEFTOVER = re.compile(r"\{\{|\}\}")
NOTICE_SLOT = "\x00labels-notice\x00"
GUIDE_PAGE = "index.md"  # the page whose flows the checklist lists
ABOUT_PAGE = "about.md"  # the page with the list of sources
WIDE_SCREEN_EM = 60  # from this viewport width on, the device tabs open on the computer steps


class PageMarkers:
    """Expands the markers of one page in one locale."""

    def __init__(self, inputs, partials: Partials, locale: str, page: str, src_path: Path, meta: dict,
                 anchors: dict, image_notices: dict[str, str]):
        self.inputs = inputs
        self.partials = partials
        self.slots = Slots(src_path)
        self.plain_texts: dict[str, str] = {}
        self.locale = locale
        self.page = page
        self.url = page_url(locale, page)
        self.src_path = src_path
        self.meta = meta
        self.anchors = anchors  # the locale's planned anchors (pages.plan_anchors)
        self.strings = strings_for(locale, inputs.docs_dir)
        self.labels = inputs.project.labels[locale]
        self.used_labels: set[str] = set()
        self.rendered_anchors: list[str] = []
        self.steps_used: set[str] = set()
        self.image_notices = image_notices  # image key -> missing | stale, collected for the whole locale
        self.line = 0

    def fail(self, message: str):
        raise BadInput(problem(self.src_path, f"line {self.line}", message))

    def rel(self, target: str) -> str:
        return get_relative_url(target, self.url)

    # ---- expansion ----

    def expand(self, markdown: str) -> str:
        self.slots.check_source(markdown)
        out = []
        notice_indent = None
        for self.line, text in enumerate(markdown.split("\n"), start=1):
            block = BLOCK.match(text)
            if block:
                indent, kind, arg = block["indent"], block["kind"], block["arg"]
                if kind == "labels_notice":
                    if arg is not None:
                        self.fail("{{ labels_notice }} takes no argument")
                    notice_indent = indent
                    out.append(NOTICE_SLOT)
                    continue
                if kind in ("device_tabs", "checklist", "sources", "notice") and arg is not None:
                    self.fail(f"{{{{ {kind} }}}} takes no argument")
                if kind == "device_tabs":
                    html = self.partials.render("device-tabs.html", wide_em=WIDE_SCREEN_EM)
                elif kind == "checklist":
                    html = self.checklist()
                elif kind == "sources":
                    html = self.sources_list()
                elif kind == "notice":
                    html = self.notice()
                else:
                    html = self.steps(arg) if kind == "steps" else self.links_table(arg)
                out += ["", indent + self.slots.hold(html), ""]
                continue
            text = LABEL.sub(lambda m: self.label(m["key"]), text)
            text = FILE.sub(lambda m: self.generated_file(m["name"]), text)
            text = CITE.sub(lambda m: self.cite(m["id"]), text)
            if LEFTOVER.search(text):
                self.fail(f"unknown marker in {text.strip()!r} (known: label:KEY, cite:ID, steps:FLOW, device_tabs, "
                          "labels_notice, links:table, checklist, sources, notice, file:links.json)")
            out.append(text)
        self.check_step_texts()
        result = "\n".join(out)
        if notice_indent is not None:
            result = result.replace(NOTICE_SLOT, self.labels_notice(notice_indent))
        return result

    def generated_file(self, name: str) -> str:
        if name not in GENERATED_FILES:
            self.fail(f"{{{{ file:{name} }}}}: unknown file (known: {', '.join(GENERATED_FILES)})")
        return self.slots.hold(self.partials.render("generated-file.html", href=self.rel(name), name=name))

    # ---- labels ----

    def label(self, key: str) -> str:
        if key not in self.labels.labels:
            self.fail(f"{{{{ label:{key} }}}}: no label {key!r} in screenshots/labels/{self.locale}.yml")
        self.used_labels.add(key)
        text = self.labels.labels[key].text
        english = self.inputs.project.labels[SOURCE_LOCALE].labels[key].text
        before, _, after = self.strings.english_label.partition("{label}")
        show_english = self.locale != SOURCE_LOCALE and english != text
        return self.slots.hold(self.partials.render(
            "label.html", text=text, confirmed=self.inputs.label_confirmed(self.locale, key),
            english=english if show_english else None, english_before=before, english_after=after,
            about_href=self.rel(page_url(self.locale, "about.md")), unverified=self.strings.unverified))

    def labels_notice(self, indent: str) -> str:
        if all(self.inputs.label_confirmed(self.locale, k) for k in self.used_labels):
            return ""
        s = self.strings
        lines = [f'!!! info ss-instruction "{s.labels_notice_title}"', "", f"    {s.labels_notice}"]
        return "\n".join(indent + line if line else "" for line in lines)

    # ---- steps ----

    def flow(self, flow_id: str):
        for flow in self.inputs.project.flow.flows:
            if flow.id == flow_id:
                return flow
        known = ", ".join(f.id for f in self.inputs.project.flow.flows)
        self.fail(f"{{{{ steps:{flow_id} }}}}: unknown flow (known: {known})")

    def step_text(self, step_id: str, texts: dict | None = None) -> str:
        """The step's text as HTML (labels marked up). `texts`: another page's front matter steps."""
        if texts is None:
            texts = self.meta.get("steps") or {}
            self.steps_used.add(step_id)
        if not isinstance(texts, dict) or not isinstance(texts.get(step_id), str):
            self.fail(f"front matter steps.{step_id}: missing (the text of this step in {self.locale})")
        expanded = LABEL.sub(lambda m: self.label(m["key"]), texts[step_id])
        if LEFTOVER.search(expanded):
            self.fail(f"front matter steps.{step_id}: unknown marker")
        return md.markdown(expanded).replace("\n", " ")

    def steps(self, arg: str | None) -> str:
        if not arg or ":" in arg:
            self.fail("{{ steps:FLOW }} needs a flow id, and only that")
        flow = self.flow(arg)
        viewport = flow.viewports[0]
        setting = LINKEDIN + setting_path(flow)
        steps = []
        for step in flow.steps:
            anchor = step.id
            if anchor in self.rendered_anchors:
                self.fail(f"step anchor {anchor!r} appears twice on this page")
            self.rendered_anchors.append(anchor)
            target = step.highlight_target
            self.used_labels.add(target.label)
            src = self.rel(image_dest(image_key(self.locale, viewport, step.id)))
            # Each flow's first picture loads at once: it is the first one a reader of its tab sees.
            shown = figure(self.inputs, self.partials, self.strings, self.locale, viewport, step,
                           label=self.labels.labels[target.label].text,
                           callout=self.labels.callouts.get(step.callout, "") if step.callout else "", src=src,
                           lazy=step is not flow.steps[0], notices=self.image_notices)
            here = self.inputs.site_url + self.url + "#" + anchor
            ticket = "\n".join([self.plain_step_text(step.id), self.strings.ticket_step.format(url=here),
                                self.strings.ticket_setting.format(url=setting)])
            steps.append({"anchor": anchor, "text": Markup(self.step_text(step.id)), "figure": shown.html,
                          "report_url": self.report_url(anchor, here), "ticket": ticket,
                          "illustration": shown.illustration,
                          "mailto": self.report_mailto(anchor, here) if self.inputs.report_email else None})
        s = self.strings
        return self.partials.render(
            "steps.html", flow=flow.id, steps=steps, report=s.report, report_hint=s.report_hint,
            report_email=s.report_email.replace("{email}", self.inputs.report_email or ""),
            ticket_button=s.ticket_button)

    def search_entries(self, page_url: str) -> list[dict]:
        """Each step shown on the page as a search entry of its own, at its anchor (Material's index format,
        whose title and text are HTML: the labels in them are escaped)."""
        entries = []
        for anchor in self.rendered_anchors:
            text = escape(self.plain_step_text(anchor), quote=False)
            entries.append({"location": f"{page_url}#{anchor}", "title": text, "text": text})
        return entries

    def plain_step_text(self, step_id: str) -> str:
        """The step's text as a ticket and the search index show it: the labels in quotes, no Markdown
        (rendered once per step; both ask for it)."""
        if step_id not in self.plain_texts:
            text = LABEL.sub(lambda m: f"“{self.labels.labels[m['key']].text}”", self.meta["steps"][step_id])
            self.plain_texts[step_id] = unescape(re.sub(r"<[^>]+>", "", md.markdown(text))).strip()
        return self.plain_texts[step_id]

    def report_body(self, anchor: str, here: str) -> str:
        return (f"Step: {anchor}\nLocale: {self.locale}\nPage: {here}\n\n"
                "What does your screen show instead? (A screenshot helps; hide your name and photo.)\n")

    def report_url(self, anchor: str, here: str) -> str:
        query = urlencode({"title": f"Step {anchor} looks different ({self.locale})",
                           "body": self.report_body(anchor, here)})
        return f"https://github.com/{self.inputs.report_repo}/issues/new?{query}"

    def report_mailto(self, anchor: str, here: str) -> str:
        query = urlencode({"subject": f"Step {anchor} looks different ({self.locale})",
                           "body": self.report_body(anchor, here)}, quote_via=quote)
        return f"mailto:{self.inputs.report_email}?{query}"

    def check_step_texts(self) -> None:
        extra = sorted(set(self.meta.get("steps") or {}) - self.steps_used)
        if extra:
            self.line = 1
            self.fail(f"front matter steps.{extra[0]}: no {{{{ steps:... }}}} marker on this page shows this step")

    # ---- sources ----

    def source_href(self, source_id: str) -> str:
        return self.rel(page_url(self.locale, ABOUT_PAGE)) + "#source-" + source_id

    def cite(self, source_id: str) -> str:
        source = self.inputs.sources.get(source_id)
        if source is None:
            known = difflib.get_close_matches(source_id, list(self.inputs.sources), n=1)
            hint = f" (did you mean {known[0]!r}?)" if known else ""
            self.fail(f"{{{{ cite:{source_id} }}}}: no source {source_id!r} in docs/sources.yml{hint}")
        date = published_text(source.published, self.locale)
        form = self.strings.cite if date else self.strings.cite_undated
        text = Markup(escape(form)).format(source=Markup("<bdi>{}</bdi>").format(source.short), date=date or "")
        return self.slots.hold(self.partials.render("cite.html", href=self.source_href(source_id), text=text))

    def sources_list(self) -> str:
        s = self.strings
        entries = [{"id": source_id, "short": source.short, "publisher": source.publisher, "url": source.url,
                    "date": published_text(source.published, self.locale), "strength": s.strengths[source.strength],
                    "read": s.source_read.replace("{date}", source.read.isoformat()),
                    "via": s.source_via.replace("{via}", source.via) if source.via else None}
                   for source_id, source in self.inputs.sources.items()]
        return self.partials.render("sources.html", sources=entries)

    # ---- a notice to paste ----

    def notice(self) -> str:
        text = self.meta.get("notice")
        if not isinstance(text, str) or not text.strip():
            self.fail("{{ notice }}: the front matter needs `notice:`, the text to paste")
        guide = self.inputs.site_url + page_url(self.locale, GUIDE_PAGE)
        setting = LINKEDIN + setting_path(self.guide_flows()[0])
        filled = text.strip().replace("{guide}", guide).replace("{setting}", setting)
        return self.partials.render("notice.html", text=filled, copy=self.strings.copy_button)

    # ---- the checklist ----

    def checklist(self) -> str:
        path = self.inputs.docs_dir / self.locale / GUIDE_PAGE
        texts = (get_data(path.read_text(encoding="utf-8"))[1].get("steps") or {}) if path.is_file() else {}
        flows = []
        for flow in self.guide_flows():
            flows.append({"name": self.strings.flows[flow.id],
                          "steps": [Markup(self.step_text(step.id, texts)) for step in flow.steps],
                          "setting": self.strings.ticket_setting.format(url=LINKEDIN + setting_path(flow)),
                          "guide": self.rel(page_url(self.locale, GUIDE_PAGE)) + "#" + flow.steps[0].id})
        return self.partials.render("checklist.html", flows=flows)

    def guide_flows(self) -> list:
        """The flows the guide page shows, in the flow file's order."""
        shown = [flow for flow in self.inputs.project.flow.flows
                 if any(a.flow == flow.id and a.page == GUIDE_PAGE for a in self.anchors.values())]
        if not shown:
            self.fail(f"{self.locale}/{GUIDE_PAGE} shows no flow (the checklist and the notice list its steps)")
        return shown

    # ---- support links ----

    def step_name(self, flow_id: str, number: int, step) -> str:
        """What the reader does at the step, in the locale: "Computer 5: Turn this Off (Data for …)". The
        control's label is left out for a button (the profile photo that opens the menu)."""
        doing = self.labels.callouts[step.callout] if step.callout else ""
        target = step.highlight_target
        label = "" if target.role == "button" else self.labels.labels[target.label].text
        name = f"{self.strings.flows[flow_id]} {number}: {doing}".rstrip(": ")
        return f"{name} ({label})" if label else name

    def links_table(self, arg: str | None) -> str:
        if arg != "table":
            self.fail("{{ links:table }} is the only links marker")
        s = self.strings
        rows = []
        for a in self.anchors.values():
            step = self.flow(a.flow).steps[a.number - 1]
            rows.append({"anchor": a.anchor, "name": self.step_name(a.flow, a.number, step),
                         "here": self.inputs.site_url + page_url(self.locale, a.page) + "#" + a.anchor,
                         "go": self.inputs.site_url + f"go/{a.anchor}/"})
        return self.partials.render("links-table.html", rows=rows, copy=s.copy_button, column_step=s.column_step,
                                    column_link=s.column_link, column_go=s.column_go)
