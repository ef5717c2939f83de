"""`stepshot check`: walk every flow in every locale and viewport, and report each step's state.

Nothing is captured. The reports go to build/stepshot/: check.json (schema in README.md) and check.md
(for people: the broken steps, the missing label, what the page says instead). A run against linkedin.com
in which every step of a locale passes records the labels it found in screenshots/verified.json.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import __version__, paths, redact
from .browser import VIEWPORTS
from .errors import EXIT_DRIFT, EXIT_OK, BadInput, TargetUnusable
from .imagefile import write_atomic
from .locales import LOCALES
from .manifest import to_json, today, verified_file
from .model import Flow, Project, load_verified
from .targets import STAND_IN, Target, is_linkedin, parse_target, walk_units
from .walker import StepResult, walk_flow

REPORT_SCHEMA = "stepshot-check/1"


def plan(project: Project, locales: list[str], viewports: list[str] | None) -> list[tuple[str, str, list[Flow]]]:
    """(locale, viewport, flows to walk there), in a stable order; BadInput when nothing would run."""
    chosen = viewports or list(VIEWPORTS)
    runs = []
    for locale in locales:
        for viewport in chosen:
            flows = [flow for flow in project.flow.flows if viewport in flow.viewports]
            if flows:
                runs.append((locale, viewport, flows))
    if not runs:
        raise BadInput(f"--viewport: {', '.join(chosen)}: no flow in {project.flow_path} runs in this viewport")
    return runs


@dataclass
class CheckReport:
    target: dict
    locales: list[str]
    viewports: list[str]
    started: str
    results: list[StepResult] = field(default_factory=list)
    screenshots: dict[str, str] = field(default_factory=dict)  # "locale/viewport/step" -> failure picture
    workers: int = 1
    unusable: dict | None = None
    verified_locales: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def broken(self) -> list[StepResult]:
        return [r for r in self.results if r.status == "broken"]

    @property
    def status(self) -> str:
        if self.unusable:
            return "target-unusable"
        return "drift" if self.broken else "ok"

    @property
    def exit_code(self) -> int:
        if self.unusable:
            return TargetUnusable.exit_code
        return EXIT_DRIFT if self.broken else EXIT_OK

    def to_json(self) -> dict:
        return {
            "schema": REPORT_SCHEMA,
            "stepshot": __version__,
            "started": self.started,
            "duration_seconds": round(self.duration_seconds, 2),
            "workers": self.workers,
            "target": self.target,
            "locales": self.locales,
            "viewports": self.viewports,
            "status": self.status,
            "unusable": self.unusable,
            "summary": {"steps": len(self.results), "ok": self.count("ok"),
                        "broken": self.count("broken"), "skipped": self.count("skipped")},
            "verified_locales": self.verified_locales,
            "results": [dict(r.to_dict(), screenshot=self.screenshots.get(key_of(r))) for r in self.results],
        }


def key_of(result: StepResult) -> str:
    return f"{result.locale}/{result.viewport}/{result.step}"


def suggestion_text(result: StepResult, limit: int = 3) -> str:
    return ", ".join(f'"{s.text}" ({s.score:.2f})' for s in result.suggestions[:limit])


def problem_line(result: StepResult) -> str:
    line = f"BROKEN {result.locale} {result.viewport} {result.flow}/{result.step} (step {result.number}, " \
           f"at {result.url}): {result.problem}"
    if result.suggestions:
        line += f"; did you mean {suggestion_text(result)}"
    return line


def summary_lines(report: CheckReport, report_dir: Path) -> list[str]:
    t = report.target
    head = f"check {t['spec']} ({t['base_url']}): {len(report.locales)} locale(s), " \
           f"{', '.join(report.viewports)}: {report.count('ok')} ok, {report.count('broken')} broken, " \
           f"{report.count('skipped')} skipped in {report.duration_seconds:.1f} s"
    lines = [head]
    if report.unusable:
        lines.append(f"TARGET UNUSABLE ({report.unusable['reason']}): {report.unusable['detail']}")
    lines += [problem_line(r) for r in report.broken]
    if report.verified_locales:
        lines.append(f"verified labels recorded for: {', '.join(report.verified_locales)}")
    lines.append(f"reports: {report_dir / 'check.json'}, {report_dir / 'check.md'}")
    return lines


def md_cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown(report: CheckReport) -> str:
    t = report.target
    out = [
        "# stepshot check",
        "",
        f"- target: `{t['spec']}` ({t['source']}, {t['base_url']})",
        f"- started: {report.started}, {report.duration_seconds:.1f} s, stepshot {__version__}",
        f"- locales: {', '.join(report.locales)}; viewports: {', '.join(report.viewports)}",
        f"- result: **{report.status}**: {report.count('ok')} ok, {report.count('broken')} broken, "
        f"{report.count('skipped')} skipped",
        "",
    ]
    if report.unusable:
        out += [f"**The target cannot be used ({report.unusable['reason']}):** {md_cell(report.unusable['detail'])}",
                ""]
    if report.broken:
        out += ["## Broken steps", "",
                "| locale | viewport | flow | step | problem | missing label | the page shows instead |",
                "|---|---|---|---|---|---|---|"]
        for r in report.broken:
            label = f"`{r.label_key}`: \"{r.expected_label}\"" if r.label_key else ""
            shot = report.screenshots.get(key_of(r))
            problem = md_cell(r.problem) + (f" ([page]({shot}))" if shot else "")
            out.append(f"| {r.locale} | {r.viewport} | {r.flow} | {r.step} | {problem} | {md_cell(label)} | "
                       f"{md_cell(suggestion_text(r)) or 'nothing similar'} |")
        out += ["", "Steps after a broken one are skipped: fix the first broken step of each flow first.", ""]
    elif report.results and not report.unusable:
        out += ["Every step passed.", ""]
    if report.results:
        out += ["## Per locale", "", "| locale | viewport | ok | broken | skipped |", "|---|---|---|---|---|"]
        for locale in report.locales:
            for viewport in report.viewports:
                rs = [r for r in report.results if r.locale == locale and r.viewport == viewport]
                if rs:
                    counts = [sum(1 for r in rs if r.status == s) for s in ("ok", "broken", "skipped")]
                    out.append(f"| {locale} | {viewport} | {counts[0]} | {counts[1]} | {counts[2]} |")
        out.append("")
    return "\n".join(out)


def write_reports(report: CheckReport, report_dir: Path) -> None:
    write_atomic(report_dir / "check.json", to_json(report.to_json()))
    write_atomic(report_dir / "check.md", markdown(report).encode("utf-8"))


def record_verified(path: Path, project: Project, results: list[StepResult], base_url: str) -> list[str]:
    """Record the labels found in every locale whose steps all passed; returns those locales.

    Only the file's "labels" key is ours; `capture` keeps the dates of its images under "images".
    """
    by_locale: dict[str, list[StepResult]] = {}
    for result in results:
        by_locale.setdefault(result.locale, []).append(result)
    clean = {loc: rs for loc, rs in by_locale.items() if rs and all(r.status == "ok" for r in rs)}
    if not clean:
        return []
    labels = load_verified(path)  # BadInput when the file is not JSON
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    date = today()
    for locale, rs in clean.items():
        entry = labels.setdefault(locale, {})
        for key in sorted({k for r in rs for k in r.labels_seen}):
            entry[key] = {"text": project.text(locale, key), "date": date, "base_url": base_url}
    write_atomic(path, to_json({**data, "labels": labels}))
    return sorted(clean)


def save_failure(page, report_dir: Path, result: StepResult, hide: tuple | None) -> str | None:
    """A picture of the page where a step broke, for whoever reads check.md; path relative to report_dir.

    Reports are uploaded by the nightly job, so the account's personal data is replaced first; without
    the account's data (`hide` None: a live target and no STEPSHOT_ACCOUNT) no picture is taken.
    """
    if hide is None:
        return None
    redact.redact(page, *hide)
    relative = Path("artifacts", "check", result.locale, result.viewport, f"{result.step}.png")
    write_atomic(report_dir / relative, page.screenshot())
    return relative.as_posix()


def personal_data_to_hide(spec) -> tuple | None:
    """(account, persona) for redacting failure pictures, or None when the account's data is unknown."""
    try:
        return redact.account_for(spec.kind == STAND_IN), redact.load_persona()
    except BadInput:
        return None


def walk_all(spec, project: Project, runs, report: CheckReport, report_dir: Path, progress: Callable[[str], None],
             auth: Path | None, browser, workers: int) -> None:
    """Walk every (locale, viewport) of `runs`; results land in the report in `runs` order."""
    walked: dict[int, list[StepResult]] = {}
    hide = personal_data_to_hide(spec)

    def opened(target: Target) -> None:
        # With workers, each has its own stand-in: the report names the first (a live site has one URL).
        report.target["base_url"] = report.target["base_url"] or target.base_url
        progress(f"check: walking {spec.text} at {target.base_url}")

    def walk_unit(target: Target, unit) -> None:
        index, (locale, viewport, flows) = unit
        context = target.new_context(locale, viewport)
        try:
            page = context.new_page()
            walked[index] = []
            for flow in flows:
                t0 = time.monotonic()
                results = walk_flow(page, target.base_url, project, flow, locale, viewport)
                walked[index] += results
                broken = [r for r in results if r.status == "broken"]
                for r in broken:
                    picture = save_failure(page, report_dir, r, hide)
                    if picture:
                        report.screenshots[key_of(r)] = picture
                ok = sum(1 for r in results if r.status == "ok")
                progress(f"  {locale:5} {viewport:7} {flow.id:9} {ok}/{len(results)} ok"
                         + (f", broken at {broken[0].step}" if broken else "")
                         + f" ({time.monotonic() - t0:.1f} s)")
        finally:
            context.close()

    try:
        walk_units(spec, list(enumerate(runs)), walk_unit, auth, browser, workers, opened)
    finally:
        report.results = [r for index in sorted(walked) for r in walked[index]]


def run_check(spec: str, project: Project, locales: list[str] | None = None, viewports: list[str] | None = None,
              auth: Path | None = None, report_dir: Path | None = None, verified_path: Path | None = None,
              browser=None, progress: Callable[[str], None] | None = None, workers: int = 1,
              record_as_live: bool = False) -> CheckReport:
    """Walk everything and write the reports. TargetUnusable is re-raised after its report is written.

    `workers` > 1 walks that many (locale, viewport) pairs at once, one browser each.
    `record_as_live` is for tests only: treat this target (the stand-in) as linkedin.com, so that the
    verified.json path can be exercised without a LinkedIn account.
    """
    target_spec = parse_target(spec)
    locales = locales or list(LOCALES)
    runs = plan(project, locales, viewports)
    report_dir = report_dir or paths.reports_dir()
    progress = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    report = CheckReport(
        target={"spec": target_spec.text, "source": target_spec.source, "variant": target_spec.variant,
                "base_url": target_spec.base_url},
        locales=locales, viewports=sorted({v for _, v, _ in runs}, key=list(VIEWPORTS).index),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"), workers=workers,
    )
    t0 = time.monotonic()
    try:
        walk_all(target_spec, project, runs, report, report_dir, progress, auth, browser, workers)
        if record_as_live or (target_spec.kind == "url" and is_linkedin(target_spec.base_url)):
            report.verified_locales = record_verified(verified_path or verified_file(), project,
                                                      report.results, report.target["base_url"])
    except TargetUnusable as exc:
        report.unusable = {"reason": exc.reason, "detail": exc.detail}
        report.duration_seconds = time.monotonic() - t0
        write_reports(report, report_dir)
        raise
    report.duration_seconds = time.monotonic() - t0
    write_reports(report, report_dir)
    return report
