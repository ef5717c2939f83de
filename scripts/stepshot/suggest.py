"""Label suggestions: when a label is missing, which names on the page look most like it.

The names come from the page's accessibility tree (what a screen reader would announce), so a link
reworded from "Data for Generative AI Improvement" to "Data for Generative AI improvements" is found
whatever markup carries it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from .names import NameRules

MAX_SUGGESTIONS = 5
# Below this ratio two labels share little more than common letters; listing them only adds noise.
MIN_SCORE = 0.5

# One line of Playwright's ARIA snapshot: `- link "Name"`, `- switch "Name" [checked]`, `- heading "N" [level=1]:`
# A line holding YAML-special characters (": ", "#") is wrapped in single quotes, inner ones doubled.
_SNAPSHOT_LINE = re.compile(r'^\s*- (?P<quoted>\'?)(?P<role>[a-z]+)(?: "(?P<name>(?:[^"\\]|\\.)*)")?')


@dataclass(frozen=True)
class Suggestion:
    text: str
    role: str
    score: float  # 0..1, difflib ratio of the lowercased texts


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def rank(expected: str, names: list[str], role: str, rules: NameRules | None = None) -> list[Suggestion]:
    """The names most like `expected`, best first, at most MAX_SUGGESTIONS, none below MIN_SCORE.

    Each name is first cut down as a label match would be (`rules`: the member's own name and state words
    around it are dropped), so a suggestion is never the member's name or a state word.
    """
    rules = rules or NameRules()
    scored = {}
    for name in names:
        name = rules.core(name)
        if name and name != expected and name not in scored and not rules.is_extra(name) \
                and not any(member in name for member in rules.member_names):
            scored[name] = round(similarity(expected, name), 3)
    best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))
    return [Suggestion(text, role, score) for text, score in best if score >= MIN_SCORE][:MAX_SUGGESTIONS]


def names_in_snapshot(snapshot: str, role: str) -> list[str]:
    """Accessible names of every element with `role` in an ARIA snapshot (Locator.aria_snapshot())."""
    names = []
    for line in snapshot.splitlines():
        match = _SNAPSHOT_LINE.match(line)
        if match and match["role"] == role and match["name"] is not None:
            name = match["name"].replace("''", "'") if match["quoted"] else match["name"]
            names.append(json.loads(f'"{name}"'))
    return names
