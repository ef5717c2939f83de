"""The stand-in's markups and drift variants.

A markup is how the pages are built: `linkedin` follows the structure of LinkedIn's public markup (the
default: what the walk must survive), `neutral` is plain server-rendered HTML with other roles and names.
The tool walks both the same way, which shows it depends on neither. A variant reproduces one way
linkedin.com can differ from the guide or stop a walk. Both are chosen when the stand-in starts.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..reader import Project
from .sitemap import SiteMap

MARKUPS = ("linkedin", "neutral")
DEFAULT_MARKUP = "linkedin"

VARIANTS: dict[str, str] = {
    "label-renamed": "the ai_setting label is reworded slightly in every locale",
    "setting-moved": "the ai_setting link is on the advertising data page, not the privacy page",
    "setting-gone": "the ai_setting link and its page are gone (the page's address answers 404)",
    "checkpoint": "the settings pages (but the language setting) lead to a security verification "
                  "(/checkpoint/challenge/): by redirect (neutral), or by script after a data request is refused "
                  "(linkedin)",
    "logged-out": "the session has expired: signed-in pages lead to /login, and no login sticks",
    "cookie-banner": "a cookie consent banner (linkedin: a region in an alert container, shown late; "
                     "neutral: a modal dialog) until Accept or Reject is clicked",
    "slow": "every response is delayed (1.5 s unless told otherwise)",
    "server-error": "HTTP 500 for the data privacy page (its document, or its data request)",
    "restyled": "same markup and labels, different colours and spacing",
    "save-rejected": "the server refuses to save a switch (HTTP 422); the page does not say so",
    "language-ignored": "the display-language setting saves but the pages stay in the account's first language",
    "two-matches": "the ai_setting link shows twice on the data privacy page",
    "switch-redrawn": "once a save has answered, the settings app draws the switch anew: the element clicked is "
                      "taken out and an equal one drawn in its place 100 ms later (as a framework's re-render may)",
    "late-personal-data": "a setting's page shows the member's name and photo late, by CSS the page scrub "
                          "cannot read (escaped text, an image in generated content)",
}

SLOW_DELAY_SECONDS = 1.5
CHANGED_KEY = "ai_setting"        # the label the label-renamed, setting-moved and two-matches variants touch
MOVED_TO = "advertising_data"     # setting-moved: the page (by its title) that gets the link

# label-renamed: one small edit per locale, applied to the label file's text, so that the rewording stays
# close enough (difflib ratio >= 0.9) for stepshot to suggest it as the label's new text.
RENAME_EDITS: dict[str, tuple[str, str]] = {
    "en": ("Improvement", "Improvements"),
    "es": ("para mejorar", "para la mejora de"),
    "fr": ("de l'IA générative", "des IA génératives"),
    "de": ("generativer KI", "der generativen KI"),
    "pt-BR": ("para aprimoramento", "para o aprimoramento"),
    "it": ("l'IA generativa", "le IA generative"),
    "nl": ("voor verbetering", "voor de verbetering"),
    "ja": ("生成AIの改善", "生成AI改善"),
    "ar": ("البيانات لتحسين", "بيانات لتحسين"),
    "hi": ("में सुधार", "के सुधार"),
    "pl": ("ulepszania", "ulepszenia"),
    "zh-TW": ("改善", "改進"),
    "tr": ("İyileştirmesi", "İyileştirmeleri"),
    "id": ("untuk Peningkatan", "untuk Meningkatkan"),
}


@dataclass(frozen=True)
class Options:
    markup: str = DEFAULT_MARKUP
    variant: str | None = None


def check_options(markup: str, variant: str | None) -> Options:
    if markup not in MARKUPS:
        raise BadInput(f"--markup: {markup}: unknown markup (known: {', '.join(MARKUPS)})")
    if variant is not None and variant not in VARIANTS:
        raise BadInput(f"--variant: {variant}: unknown variant (known: {', '.join(VARIANTS)})")
    return Options(markup, variant)


def labels_shown(project: Project, variant: str | None = None) -> dict[str, dict[str, str]]:
    """{locale: {label key: text}} exactly as the stand-in shows them under this variant."""
    shown = {code: {key: label.text for key, label in lf.labels.items()} for code, lf in project.labels.items()}
    if variant == "label-renamed":
        for code, texts in shown.items():
            # A locale without its own edit holds English texts until translated (stepshot new-locale).
            old, new = RENAME_EDITS.get(code, RENAME_EDITS["en"])
            if old not in texts[CHANGED_KEY]:
                raise BadInput(f"{project.labels_dir / f'{code}.yml'}: labels.{CHANGED_KEY}: the label-renamed "
                               f"variant has no edit for this text; update RENAME_EDITS in stepshot/standin/variants.py")
            texts[CHANGED_KEY] = texts[CHANGED_KEY].replace(old, new, 1)
    return shown


def apply_to_sitemap(sitemap: SiteMap, variant: str | None) -> SiteMap:
    """Move, remove or repeat the changed link for the variants that do."""
    if variant not in ("setting-moved", "setting-gone", "two-matches"):
        return sitemap
    for page in sitemap.pages.values():
        for section in page.sections:
            for link in list(section.links):
                if link.label != CHANGED_KEY:
                    continue
                if variant == "two-matches":
                    section.links.append(link)
                    return sitemap
                section.links.remove(link)
                if variant == "setting-gone":
                    sitemap.pages.pop(link.href.rstrip("/"), None)
                    return sitemap
                destination = sitemap.page_titled(MOVED_TO)
                if destination is None:
                    raise BadInput(f"setting-moved: no page titled {MOVED_TO!r} in the flow to move the link to")
                destination.section(None).add(link)
                return sitemap
    raise BadInput(f"{variant}: no {CHANGED_KEY!r} link in the flow's pages")
