"""The site's own HTML: Jinja partials under overrides/partials/stepshot/, autoescaped, and slots that keep
that HTML away from Markdown.

A marker's HTML never goes through Markdown (which reads `[a](b)` inside an attribute as a link and ends
the attribute there): the marker leaves a slot token in the Markdown, and the HTML takes the token's
place in the page Markdown made (on_page_content). A token is letters and digits, which Markdown keeps
as they are, inside a paragraph of its own or inside a sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from markupsafe import Markup

from ..errors import BadInput
from ..files import problem

PARTIALS = Path("partials") / "stepshot"
# A token alone in its paragraph takes the paragraph's place (a block of HTML); inside a sentence, its own.
TOKEN = re.compile(r"<p>(ssslot\d{6}x)</p>|(ssslot\d{6}x)")


class Partials:
    def __init__(self, overrides: Path):
        self.folder = overrides / PARTIALS
        self.env = Environment(loader=FileSystemLoader(self.folder), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)

    def render(self, partial: str, **context) -> Markup:
        try:
            return Markup(self.env.get_template(partial).render(**context).strip())
        except TemplateNotFound:
            raise BadInput(problem(self.folder / partial, "(file)", "missing: a partial the site build needs")) from None


class Slots:
    """The HTML of one page's markers, each behind a token, put in place after Markdown."""

    def __init__(self, src_path: Path):
        self.src_path = src_path
        self.html: dict[str, str] = {}

    def hold(self, html: str) -> str:
        token = f"ssslot{len(self.html):06d}x"
        self.html[token] = html
        return token

    def check_source(self, markdown: str) -> None:
        found = TOKEN.search(markdown)
        if found:
            raise BadInput(problem(self.src_path, "(file)", f"{found[1] or found[2]!r} is the build's own slot token"))

    def fill(self, html: str) -> str:
        """Every token replaced by its HTML (a slot's HTML may hold tokens of its own: labels in a step)."""
        placed: set[str] = set()

        def place(match: re.Match) -> str:
            token = match[1] or match[2]
            placed.add(token)
            return self.html[token]

        for _ in range(3):
            html, count = TOKEN.subn(place, html)
            if not count:
                break
        lost = sorted(set(self.html) - placed)
        if lost:
            raise BadInput(problem(self.src_path, "(file)", f"{len(lost)} marker(s) vanished in Markdown (a marker "
                                                            "inside a construct that drops its text?)"))
        return html
