"""The capture drift report: build/stepshot/capture.json and capture.md (fit for a CI summary or a PR body).

JSON schema 1 (README.md, "Capture report"): target, started, wall_seconds, threshold, sessions,
exit_code, unusable, summary (count per status), sizes, repairs, images (one object per image).
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

from .files import to_json, write_atomic
from .report_text import code, table_cell

SCHEMA = 1


def to_dict(report) -> dict:
    return {
        "schema": SCHEMA,
        "command": "capture",
        "target": report.target,
        "started": report.started,
        "wall_seconds": report.wall_seconds,
        "threshold": report.threshold,
        "sessions": report.sessions,
        "exit_code": report.exit_code,
        "unusable": report.unusable,
        "summary": report.counts(),
        "sizes": report.sizes(),
        "repairs": report.repairs,
        "images": [asdict(image) for image in report.images],
    }


def _kb(size: int | None) -> str:
    return f"{size / 1000:.1f} KB" if size else "–"


def _link(name: str, path: str | None, report_dir: Path, root: Path) -> str:
    if not path:
        return ""
    return f"[{name}]({Path(os.path.relpath(root / path, report_dir)).as_posix()})"


def _written(image) -> str:
    return "held back" if image.held else "yes"


def _artifact_links(image, report_dir: Path, root: Path) -> str:
    return " · ".join(_link(name, path, report_dir, root) for name, path in image.artifacts.items())


def summary_line(report) -> str:
    """Counts per status, median image size and wall time, in one line."""
    counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
    line = f"capture: {counts or 'no images'}; median image {_kb(report.sizes()['median_bytes'])}; " \
           f"{report.wall_seconds:.0f} s"
    if report.unusable:
        line += f"; stopped: target unusable ({report.unusable['reason']})"
    return line


def markdown(report, report_dir: Path, root: Path) -> str:
    counts = report.counts()
    lines = [f"# Screenshot capture: {code(report.target['spec'], table=False)}", "",
             f"**{summary_line(report)}**", ""]
    if report.unusable:
        lines += [f"> **Target unusable ({report.unusable['reason']})**: {table_cell(report.unusable['detail'])}. "
                  "No image was replaced after this point; earlier images are kept.", ""]
    if report.repairs:
        lines += ["Manifest repaired before the run (a previous run was interrupted):", ""]
        lines += [f"- {table_cell(repair)}" for repair in report.repairs] + [""]

    broken = [i for i in report.images if i.status == "broken"]
    if broken:
        lines += [f"## Broken ({len(broken)})", "",
                  "The previous image is kept and marked stale.", "",
                  "| image | step | problem | suggested labels | artifacts |", "|---|---|---|---|---|"]
        for image in broken:
            suggestions = ", ".join(f"{code(s['text'])} ({s['role']}, {s['score']:.2f})" for s in image.suggestions)
            lines.append(f"| `{image.key}` | {image.number}. `{image.step}` | {table_cell(image.problem)} | "
                         f"{suggestions or '–'} | {_artifact_links(image, report_dir, root)} |")
        lines.append("")
    changed = [i for i in report.images if i.status == "changed"]
    if changed:
        lines += [f"## Changed ({len(changed)})", "",
                  f"Pixels that differ beyond the threshold ({report.threshold}), anti-aliasing ignored. "
                  "*Held back*: not written, because a step of the same locale is broken.", "",
                  "| image | pixels changed | region (left, top, right, bottom) | before / after / diff | written |",
                  "|---|---|---|---|---|"]
        for image in changed:
            region = ", ".join(str(v) for v in image.bbox) if image.bbox else "–"
            lines.append(f"| `{image.key}` | {image.share * 100:.3g} % | {region} | "
                         f"{_artifact_links(image, report_dir, root)} | {_written(image)} |")
        lines.append("")
    for status, title in (("new", "New"), ("kept", "Not retaken (the policy did not allow it)"),
                          ("skipped", "Not reached (an earlier step broke)")):
        rows = [i for i in report.images if i.status == status]
        if rows:
            lines += [f"## {title} ({len(rows)})", ""]
            lines += [f"- `{i.key}`" + (" (held back)" if i.held else "")
                      + (f": {table_cell(i.problem)}" if status == "kept" and i.problem else "") for i in rows] + [""]

    sizes = report.sizes()
    lines += ["## All images", "",
              f"{sizes['count']} files, median {_kb(sizes['median_bytes'])}, largest {_kb(sizes['max_bytes'])}, "
              f"total {_kb(sizes['total_bytes'])}.", "",
              "| image | status | size | pixels |", "|---|---|---|---|"]
    for image in report.images:
        pixels = f"{image.width}×{image.height}" if image.width else "–"
        stale = " (held back)" if image.held else " (stale)" if image.stale else ""
        lines.append(f"| `{image.key}` | {image.status}{stale} | {_kb(image.bytes)} | {pixels} |")
    lines.append("")
    if not any(counts.values()):
        lines.append("No image was captured.")
    return "\n".join(lines)


def write_reports(report, report_dir: Path, root: Path) -> None:
    write_atomic(report_dir / "capture.json", to_json(to_dict(report)))
    write_atomic(report_dir / "capture.md", markdown(report, report_dir, root).encode("utf-8"))
