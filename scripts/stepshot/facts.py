"""The facts drift alert: has LinkedIn changed a document the guide's facts rest on?

docs/sources.yml lists the guide's sources; a LinkedIn document there names the Open Terms Archive (OTA)
record it is read from and the date of the newest version the guide was written from (`read`). OTA keeps
every version of a document as a commit in a public git repository and publishes, per document, an Atom
feed of those commits at a documented address (docs.opentermsarchive.org, "Subscribe by RSS"):

    https://github.com/OpenTermsArchive/<collection>/commits/main/<service>/<terms type>.md.atom

A version recorded after `read` means the facts may be stale: the report lists each changed document, the
date of each newer version, the link to its diff, and every claim of the English pages that cites it (a
table row, list item or paragraph that cites it with {{ cite:ID }}, or names it as `cited_as` spells it). A feed
that cannot be read is a warning, not a failure: the other documents are still checked.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from .files import to_json, write_atomic
from .report_text import code, one_line, table_cell
from .sources import OtaRecord, Source, load_sources

OTA_FEEDS = "https://github.com"
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_TIMEOUT_SECONDS = 20
FEED_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class Version:
    recorded: dt.datetime
    title: str
    diff: str


@dataclass(frozen=True)
class Claim:
    page: str
    line: int
    text: str


@dataclass
class DocumentCheck:
    source_id: str
    source: Source
    feed: str
    newer: list[Version] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    warning: str | None = None


def feed_url(record: OtaRecord, base: str = OTA_FEEDS) -> str:
    path = f"{record.service}/{record.terms_type}.md"
    return f"{base.rstrip('/')}/OpenTermsArchive/{record.collection}/commits/main/{quote(path)}.atom"


def parse_feed(data: bytes) -> list[Version]:
    """The versions an OTA document feed lists (GitHub's Atom feed of the document's commits)."""
    if b"<!DOCTYPE" in data[:4096].upper():
        raise ValueError("a feed with a DOCTYPE is refused (entity expansion)")
    root = ElementTree.fromstring(data)
    if root.tag != f"{ATOM}feed":
        raise ValueError(f"not an Atom feed (root element {root.tag!r})")
    versions = []
    for entry in root.iter(f"{ATOM}entry"):
        updated = entry.findtext(f"{ATOM}updated") or ""
        link = entry.find(f"{ATOM}link")
        try:
            recorded = dt.datetime.fromisoformat(updated.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"an entry's <updated> is not a date: {updated[:40]!r}") from None
        versions.append(Version(recorded, (entry.findtext(f"{ATOM}title") or "").strip(),
                                link.get("href", "") if link is not None else ""))
    return versions


def read_feed(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/atom+xml", "User-Agent": "stepshot-facts"})
    with urllib.request.urlopen(request, timeout=FEED_TIMEOUT_SECONDS) as response:  # noqa: S310 (https or the test's http)
        data = response.read(FEED_MAX_BYTES + 1)
    if len(data) > FEED_MAX_BYTES:
        raise ValueError(f"larger than {FEED_MAX_BYTES} bytes")
    return data


BLOCK_START = re.compile(r"^\s*(\||[-*+] |\d+\. |#)")


def claims_citing(docs_dir: Path, source_id: str, phrases: list[str], locale: str = "en") -> list[Claim]:
    """Each table row, list item and paragraph of the locale's pages that cites the source ({{ cite:ID }})
    or names it in running text (one of the phrases)."""
    marker = re.compile(r"\{\{\s*cite:" + re.escape(source_id) + r"\s*\}\}")
    found = []
    for path in sorted((docs_dir / locale).rglob("*.md")):
        page = path.relative_to(docs_dir).as_posix()
        block: list[str] = []
        start = 0
        lines = path.read_text(encoding="utf-8").split("\n") + [""]
        for number, line in enumerate(lines, start=1):
            if not line.strip() or BLOCK_START.match(line):
                text = " ".join(part.strip() for part in block)
                if block and (marker.search(text) or any(p.lower() in text.lower() for p in phrases)):
                    found.append(Claim(page, start, text))
                block, start = ([line], number) if line.strip() else ([], 0)
            else:
                if not block:
                    start = number
                block.append(line)
    return found


def check_documents(docs_dir: Path, base: str = OTA_FEEDS) -> list[DocumentCheck]:
    checks = []
    for source_id, source in load_sources(docs_dir).items():
        if source.ota is None:
            continue
        check = DocumentCheck(source_id, source, feed_url(source.ota, base))
        try:
            versions = parse_feed(read_feed(check.feed))
        except (OSError, urllib.error.URLError, ValueError, ElementTree.ParseError) as exc:
            reason = getattr(exc, "reason", None) or exc
            check.warning = f"{source_id}: {check.feed}: could not be read ({one_line(reason)})"
        else:
            check.newer = sorted((v for v in versions if v.recorded.date() > source.read), key=lambda v: v.recorded)
            if check.newer:
                check.claims = claims_citing(docs_dir, source_id, source.cited_as)
        checks.append(check)
    return checks


def issue_title(changed: list[DocumentCheck]) -> str:
    names = ", ".join(c.source.short for c in changed)
    return f"Facts may be stale: {len(changed)} LinkedIn document(s) changed ({names})"


DIFF_URL = re.compile(r"^https://github\.com/OpenTermsArchive/[\w.-]+/commit/[0-9a-f]{7,40}$")


def diff_link(version: Version) -> str:
    """The version's title linking to its diff; an address that is not an OTA commit on GitHub stays text."""
    title = table_cell(version.title) or "diff"
    if DIFF_URL.match(version.diff):
        return f"[{title}]({version.diff})"
    return f"{title} ({code(version.diff, table=False)})"


def issue_body(checks: list[DocumentCheck], run_url: str | None) -> str:
    changed = [c for c in checks if c.newer]
    lines = ["Open Terms Archive has recorded a newer version of a LinkedIn document the guide's facts rest on.",
             "Read the diff, check each claim below against it, and update the pages, their translations and "
             "`docs/sources.yml` (`read`).", ""]
    for check in changed:
        s = check.source
        lines += [f"## {table_cell(s.short)}: {table_cell(s.subject)}", "",
                  f"The guide was written from the version of {s.read.isoformat()}. Newer versions:", ""]
        lines += [f"- {v.recorded.date().isoformat()}: {diff_link(v)}" for v in check.newer]
        lines += ["", "Claims that cite it (English pages; their translations say the same):", ""]
        lines += [f"- `{c.page}` line {c.line}: {table_cell(c.text[:300])}" for c in check.claims] or ["- (none found)"]
        lines.append("")
    warnings = [c.warning for c in checks if c.warning]
    if warnings:
        lines += ["Not checked this time:", ""] + [f"- {table_cell(w)}" for w in warnings] + [""]
    if run_url:
        lines.append(f"Run: {run_url}")
    return "\n".join(lines).rstrip() + "\n"


def write_report(checks: list[DocumentCheck], out: Path, run_url: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    changed = [c for c in checks if c.newer]
    summary = {"changed": [{"source": c.source_id, "feed": c.feed,
                            "versions": [{"recorded": v.recorded.isoformat(), "title": v.title, "diff": v.diff}
                                         for v in c.newer],
                            "claims": [{"page": x.page, "line": x.line, "text": x.text} for x in c.claims]}
                           for c in changed],
               "unchanged": [c.source_id for c in checks if not c.newer and not c.warning],
               "warnings": [c.warning for c in checks if c.warning]}
    write_atomic(out / "facts.json", to_json(summary))
    for name in ("issue-title.txt", "issue-body.md"):
        (out / name).unlink(missing_ok=True)
    if changed:
        write_atomic(out / "issue-title.txt", (issue_title(changed) + "\n").encode("utf-8"))
        write_atomic(out / "issue-body.md", issue_body(checks, run_url).encode("utf-8"))
