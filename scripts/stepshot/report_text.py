"""Untrusted text in Markdown reports, pull-request and issue bodies: labels, page names, suggestions and
problems carry whatever the target's pages said. Here they become text that renders as itself: no HTML,
no links or images, no table break, no @mention or #reference on GitHub.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")   # every ASCII punctuation character: CommonMark escapes them all
_WORD_JOINER = "\u2060"                           # invisible: keeps GitHub from reading @name or #12 as a reference


def one_line(text: object) -> str:
    return " ".join(str(text if text is not None else "").split())


def table_cell(text: object) -> str:
    """Plain text, safe in running Markdown and in a table cell."""
    escaped = _PUNCTUATION.sub(r"\\\1", one_line(text))
    return escaped.replace("\\@", "\\@" + _WORD_JOINER).replace("\\#", "\\#" + _WORD_JOINER)


def code(text: object, table: bool = True) -> str:
    """An inline code span holding `text` exactly (one line). In a table (GFM) a pipe ends the cell even
    inside code unless escaped; GitHub removes that backslash. Outside a table, pass table=False."""
    text = one_line(text)
    if table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"
