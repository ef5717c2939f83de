"""The Nu HTML Checker on every page of the built guide: no error may come from this project's templates or
content. The checker is vnu.jar from the npm registry, pinned in scripts/vnu/package-lock.json, run with the
system's Java (11 or newer).

Material for MkDocs' own templates cause a few errors in every build; those are recognised one by one in
MATERIAL_OWN (the message and the markup it was seen in) and listed apart, never counted as ours. A new
error of any kind, Material's or ours, fails until it is fixed or listed here with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..settings import Settings
from . import ToolMissing, npm

RUN_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Known:
    why: str
    message: re.Pattern
    extract: re.Pattern

    def matches(self, error: "HtmlError") -> bool:
        return bool(self.message.search(error.message) and self.extract.search(error.extract))


MATERIAL_OWN = (
    Known("Material's drawer and search toggles are checkboxes with autocomplete=\"off\" (partials/"
          "header.html, base.html), which HTML allows only on text-like inputs",
          re.compile(r"^Attribute “autocomplete” is only allowed when the input type is"),
          re.compile(r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox"')),
)


@dataclass(frozen=True)
class HtmlError:
    page: str
    line: int | None
    message: str
    extract: str

    def line_text(self) -> str:
        where = f"{self.page}:{self.line}" if self.line else self.page
        return f"{where}: {self.message} (in: {' '.join(self.extract.split())[:120]})"


@dataclass
class Findings:
    ours: list[HtmlError]
    materials: list[tuple[Known, HtmlError]]
    pages: int


def vnu_jar() -> Path:
    return npm.ensure_installed(npm.package_folder("vnu"), "vnu-jar", scripts=False) / "build" / "dist" / "vnu.jar"


def java(settings: Settings) -> str:
    """STEPSHOT_JAVA, else `java` on the PATH."""
    if settings.java is not None:
        if not (settings.java.is_file() and os.access(settings.java, os.X_OK)):
            raise ToolMissing(f"STEPSHOT_JAVA={settings.java}: not a program; the Nu HTML Checker needs Java 11 or newer")
        return str(settings.java)
    found = shutil.which("java")
    if found is None:
        raise ToolMissing("the Nu HTML Checker needs Java 11 or newer: `apt-get install default-jre-headless`")
    return found


def errors_of(report: dict, site_dir: Path) -> list[HtmlError]:
    out = []
    for message in report.get("messages", []):
        if message.get("type") != "error":
            continue
        url = message.get("url", "")
        path = url.removeprefix("file:")
        page = Path(path).relative_to(site_dir.resolve()).as_posix() if path.startswith(str(site_dir.resolve())) else url
        out.append(HtmlError(page, message.get("lastLine"), message.get("message", ""), message.get("extract", "")))
    return out


def check_site(site_dir: Path, settings: Settings) -> Findings:
    """Every HTML page under site_dir through the checker (one Java process for all of them)."""
    pages = sorted(site_dir.rglob("*.html"))
    result = subprocess.run([java(settings), "-jar", str(vnu_jar()), "--format", "json", "--errors-only", "--skip-non-html",
                             str(site_dir.resolve())],
                            capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit {result.returncode}"]
        raise ToolMissing(f"the Nu HTML Checker did not report: {last[0]}") from None
    findings = Findings([], [], len(pages))
    for error in errors_of(report, site_dir):
        known = next((k for k in MATERIAL_OWN if k.matches(error)), None)
        if known:
            findings.materials.append((known, error))
        else:
            findings.ours.append(error)
    return findings


def material_summary(findings: Findings) -> list[str]:
    """One line per kind of Material's own error: how many, and why it is Material's."""
    counts: dict[str, int] = {}
    for known, _ in findings.materials:
        counts[known.why] = counts.get(known.why, 0) + 1
    return [f"left (Material's own, {n}x): {why}" for why, n in counts.items()]
