"""The stand-in's drift variants: each one reproduces a way linkedin.com can differ from the guide.

A variant is chosen when the stand-in starts and holds for its whole life.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BadInput
from ..model import Project


@dataclass(frozen=True)
class Variant:
    name: str
    summary: str


VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in [
        Variant("label-renamed", "the ai_setting label is reworded slightly in every locale"),
        Variant("setting-moved", "the ai_setting link is on the advertising page, not the privacy page"),
        Variant("checkpoint", "settings pages redirect to a security verification (/checkpoint/challenge/)"),
        Variant("logged-out", "the session has expired: every signed-in page redirects to /login"),
        Variant("cookie-banner", "a modal cookie consent dialog covers every page until answered"),
        Variant("slow", "every response is delayed (1.5 s unless told otherwise)"),
        Variant("server-error", "HTTP 500 on /mypreferences/d/categories/privacy"),
        Variant("restyled", "same markup and labels, different colours and spacing"),
    ]
}

SLOW_DELAY_SECONDS = 1.5

RENAMED_KEY = "ai_setting"

# label-renamed: one small edit per locale, applied to the label file's text, so that the rewording stays
# close enough (difflib ratio >= 0.9) for stepshot to suggest it as the label's new text.
RENAME_EDITS: dict[str, tuple[str, str]] = {
    "en": ("Improvement", "Improvements"),
    "es": ("de la IA", "de IA"),
    "fr": ("de l'IA générative", "des IA génératives"),
    "de": ("generativer KI", "der generativen KI"),
    "pt-BR": ("para aprimoramento", "para o aprimoramento"),
    "it": ("l'IA generativa", "le IA generative"),
    "nl": ("voor verbetering", "voor de verbetering"),
    "ja": ("生成AIの改善", "生成AI改善"),
    "ar": ("البيانات لتحسين", "بيانات لتحسين"),
    "hi": ("में सुधार", "के सुधार"),
}


def check_variant(name: str | None) -> Variant | None:
    if name is None:
        return None
    if name not in VARIANTS:
        raise BadInput(f"--variant: {name}: unknown variant (known: {', '.join(VARIANTS)})")
    return VARIANTS[name]


def labels_shown(project: Project, variant: str | None = None) -> dict[str, dict[str, str]]:
    """{locale: {label key: text}} exactly as the stand-in shows them under this variant."""
    check_variant(variant)
    shown = {code: {key: label.text for key, label in lf.labels.items()} for code, lf in project.labels.items()}
    if variant == "label-renamed":
        for code, texts in shown.items():
            old, new = RENAME_EDITS[code]
            if old not in texts[RENAMED_KEY]:
                raise BadInput(f"{project.labels_dir / f'{code}.yml'}: labels.{RENAMED_KEY}: text no longer "
                               f"contains {old!r}; update RENAME_EDITS in stepshot/standin/variants.py")
            texts[RENAMED_KEY] = texts[RENAMED_KEY].replace(old, new, 1)
    return shown
