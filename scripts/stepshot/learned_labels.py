"""What `stepshot learn` writes: a proposed label file, its diff against the committed one, and learn.md.

The proposal is the committed file with only its read labels' `text:` lines changed and a `seen:` line
after each (so its comments, sources and YAML anchors stay as they are); for a locale without a label
file it is a new file whose every label is unverified. Texts are written as JSON strings (valid YAML):
whatever a page shows stays text.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .reader import Project
from .report_text import code, table_cell

if TYPE_CHECKING:
    from .learn import Proposal, Sighting

_KEY_LINE = re.compile(r"^  ([a-z][a-z0-9_]*):\s*$")
_TEXT_LINE = re.compile(r"^    text:")
_SEEN_LINE = re.compile(r"^    seen:")


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def seen_line(sighting: Sighting, target: str, date: str) -> str:
    fields = {"target": target, "where": sighting.where, "how": sighting.how, "anchor": sighting.anchor, "date": date}
    return "    seen: {" + ", ".join(f"{k}: {quoted(v)}" for k, v in fields.items()) + "}"


def substituted(committed: str, committed_labels: dict[str, str], proposal: Proposal, target: str, date: str) -> str:
    """The committed file, each read label's text replaced by what was read (when it differs) and its
    `seen:` line updated."""
    out, key, in_labels = [], None, False
    for line in committed.splitlines():
        if not line.startswith(" "):
            in_labels = line.rstrip() == "labels:"
            key = None
        elif in_labels and _KEY_LINE.match(line):
            key = _KEY_LINE.match(line)[1]
        if key in proposal.texts and _SEEN_LINE.match(line):
            continue  # an earlier learn's record: replaced below
        if key in proposal.texts and _TEXT_LINE.match(line):
            same = committed_labels.get(key) == proposal.texts[key]
            out.append(line if same else f"    text: {quoted(proposal.texts[key])}")
            out.append(seen_line(proposal.sightings[key], target, date))
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def new_file(project: Project, locale: str, proposal: Proposal, target: str, date: str) -> str:
    """A label file for a locale that has none: every label unverified, English where nothing was read."""
    source = project.labels["en"]
    out = [f"# Labels read off {target} by `stepshot learn` on {date}. Every one is unverified until a dated",
           "# source quotes it (status: sourced) or a run against linkedin.com records it in verified.json.",
           f"locale: {locale}", "labels:"]
    for key, label in source.labels.items():
        out.append(f"  {key}:")
        if key in proposal.texts:
            out += [f"    text: {quoted(proposal.texts[key])}", "    status: unverified",
                    seen_line(proposal.sightings[key], target, date)]
        else:
            out += [f"    text: {quoted(label.text)}", "    status: unverified",
                    f"    note: {quoted('Not read by stepshot learn: the English text, to be translated.')}"]
    out.append("callouts:")
    out += [f"  {key}: {quoted(text)}" for key, text in source.callouts.items()]
    return "\n".join(out) + "\n"


@dataclass
class Row:
    key: str
    text: str | None
    committed: str | None
    sighting: Sighting | None

    @property
    def verdict(self) -> str:
        if self.text is None:
            return "not seen, kept" if self.committed is not None else "not seen"
        if self.committed is None:
            return "new"
        return "same" if self.text == self.committed else "changed"


def rows(project: Project, locale: str, proposal: Proposal) -> list[Row]:
    committed = project.labels.get(locale)
    return [Row(key, proposal.texts.get(key),
                committed.labels[key].text if committed and key in committed.labels else None,
                proposal.sightings.get(key))
            for key in project.labels["en"].labels]


def diff(committed: str, proposed: str, name: str) -> str:
    return "".join(difflib.unified_diff(committed.splitlines(True), proposed.splitlines(True),
                                        f"a/{name}", f"b/{name}"))


def markdown(locale: str, target: str, date: str, table: list[Row], proposal: Proposal, written: str) -> str:
    out = [f"# stepshot learn: {locale}", "",
           f"- target: {code(target)}, {date}",
           f"- proposal: {code(written)}", ""]
    out += ["| label | read | how | where | committed | verdict |", "|---|---|---|---|---|---|"]
    for row in table:
        s = row.sighting
        how = f"{s.how}: {table_cell(s.anchor)}" if s else ""
        out.append(f"| {code(row.key)} | {code(row.text) if row.text is not None else ''} | {how} | "
                   f"{table_cell(s.where) if s else ''} | {code(row.committed) if row.committed else ''} | "
                   f"**{row.verdict}** |")
    out.append("")
    if proposal.conflicts:
        out += ["## Read differently in different places", ""]
        out += [f"- {code(key)}: " + ", ".join(code(t) for t in texts) for key, texts in proposal.conflicts.items()]
        out.append("")
    if proposal.problems:
        out += ["## Not read", ""] + [f"- {table_cell(p)}" for p in proposal.problems] + [""]
    out += ["A label read by structure (not by an anchor) is where the flow expects it on the page: check it "
            "against a screenshot before adopting it. A changed label keeps its status and source in the "
            "proposal: review them.", ""]
    return "\n".join(out)


def committed_text(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
