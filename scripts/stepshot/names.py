"""Accessible names as LinkedIn composes them.

A label matches an element's accessible name exactly, or as a whole-word segment of it when what is left
is the member's own name or a switch's state word: "<member name> Me" is the Me button (its photo's alt
text comes first), "Data for Generative AI Improvement On" is the setting's row in a list. Nothing else
around a label is accepted, so a label never matches a longer, different control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters with a meaning in a JavaScript regular expression (Playwright runs name patterns in the page).
_JS_SPECIAL = re.compile(r"[\\^$.*+?()[\]{}|/]")


def js_escape(text: str) -> str:
    return _JS_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


@dataclass(frozen=True)
class NameRules:
    """What may stand beside a label in an accessible name: the member's name, the state words."""

    member_names: tuple[str, ...] = ()
    state_words: tuple[str, ...] = ()

    @property
    def extras(self) -> tuple[str, ...]:
        return tuple(sorted({w for w in (*self.member_names, *self.state_words) if w.strip()}, key=len, reverse=True))

    def pattern(self, label: str) -> re.Pattern:
        """The label alone, or with one extra before and/or after it, whole words (whitespace between)."""
        text = js_escape(" ".join(label.split()))
        extras = self.extras
        if not extras:
            return re.compile(f"^{text}$")
        either = "|".join(js_escape(" ".join(e.split())) for e in extras)
        return re.compile(f"^(?:(?:{either})\\s+)?{text}(?:\\s+(?:{either}))?$")

    def core(self, name: str) -> str:
        """A name without a leading or trailing member name or state word: what a suggestion shows."""
        name = " ".join(name.split())
        for extra in self.extras:
            extra = " ".join(extra.split())
            if name.startswith(extra + " "):
                name = name[len(extra) + 1:]
            if name.endswith(" " + extra):
                name = name[:-len(extra) - 1]
        return name.strip()

    def is_extra(self, name: str) -> bool:
        return " ".join(name.split()) in {" ".join(e.split()) for e in self.extras}
