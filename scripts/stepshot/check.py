"""`stepshot check`: walk every flow in every locale and viewport, and report each step's state.

Nothing is captured and no setting is changed: a switch step reads that the switch is there, enabled and
showing a state. The reports go to build/stepshot/: check.json (schema in README.md) and check.md (for
people: the broken steps, the missing label, what the page says instead). A run against linkedin.com in
which every step of a locale passes records the labels it found in screenshots/verified.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, verified
from .checkout import Checkout
from .errors import EXIT_DRIFT, EXIT_OK, TargetUnusable
from .files import to_json, write_atomic
from .locales import LOCALES, VIEWPORTS
from .reader import Project
from .personal import load_persona
from .report_text import code, table_cell
from .run import Progress, RunRequest, Session, plan, run_walk
from .shot import failure_picture
from .targets import parse_target
from .walker import StepResult, walk_flow

REPORT_SCHEMA = "stepshot-check/1"


@dataclass
class CheckReport:
    target: dict
    locales: list[str]
    viewports: list[str]
    started: str
    results: list[StepResult] = field(default_factory=list)
    screenshots: dict[str, str] = field(default_factory=dict)  # "locale/viewport/step" -> failure picture
    sessions: int = 0
    unusable: dict | None = None
    verified_locales: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)   # what an earlier run had left changed, put back
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
            "sessions": self.sessions,
            "target": self.target,
            "locales": self.locales,
            "viewports": self.viewports,
            "status": self.status,
            "unusable": self.unusable,
            "summary": {"steps": len(self.results), "ok": self.count("ok"),
                        "broken": self.count("broken"), "skipped": self.count("skipped")},
            "verified_locales": self.verified_locales,
            "repaired": self.repaired,
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


def markdown(report: CheckReport) -> str:
    t = report.target
    out = [
        "# stepshot check",
        "",
        f"- target: {code(t['spec'])} ({t['source']}, {code(t['base_url'] or '')})",
        f"- started: {report.started}, {report.duration_seconds:.1f} s, stepshot {__version__}",
        f"- locales: {', '.join(report.locales)}; viewports: {', '.join(report.viewports)}",
        f"- result: **{report.status}**: {report.count('ok')} ok, {report.count('broken')} broken, "
        f"{report.count('skipped')} skipped",
        "",
    ]
    if report.unusable:
        out += [f"**The target cannot be used ({report.unusable['reason']}):** {table_cell(report.unusable['detail'])}",
                ""]
    if report.broken:
        out += ["## Broken steps", "",
                "| locale | viewport | flow | step | problem | missing label | the page shows instead |",
                "|---|---|---|---|---|---|---|"]
        for r in report.broken:
            label = f"{code(r.label_key)}: {code(r.expected_label)}" if r.label_key else ""
            shot = report.screenshots.get(key_of(r))
            problem = table_cell(r.problem) + (f" ([page]({shot}))" if shot else "")
            instead = ", ".join(f"{code(s.text)} ({s.score:.2f})" for s in r.suggestions[:3]) or "nothing similar"
            instead = f"**{r.drift}**: {instead}" if r.drift else instead
            out.append(f"| {r.locale} | {r.viewport} | {r.flow} | {r.step} | {problem} | {label} | {instead} |")
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


def labels_found(results: list[StepResult]) -> dict[str, dict[str, str]]:
    """{locale: {key: text}} for every locale whose steps all passed."""
    by_locale: dict[str, list[StepResult]] = {}
    for result in results:
        by_locale.setdefault(result.locale, []).append(result)
    return {locale: {k: v for r in rs for k, v in r.labels_seen.items()}
            for locale, rs in by_locale.items() if rs and all(r.status == "ok" for r in rs)}


async def save_failure(page, report_dir: Path, result: StepResult) -> str | None:
    """A picture of the page where a step broke, for whoever reads check.md; path relative to report_dir.

    Reports are uploaded by the nightly job: the picture is masked and checked like a step's picture,
    and not taken when it would show the account.
    """
    png = await failure_picture(page)
    if png is None:
        return None
    relative = Path("artifacts", "check", result.locale, result.viewport, f"{result.step}.png")
    write_atomic(report_dir / relative, png)
    return relative.as_posix()


def run_check(checkout: Checkout, spec: str, project: Project, locales: list[str] | None = None,
              viewports: list[str] | None = None, auth: Path | None = None, parallel_sessions: int | None = None,
              progress: Progress | None = None, record_as_live: bool = False) -> CheckReport:
    """Walk everything and write the reports. TargetUnusable is re-raised after its report is written.

    `record_as_live` is for tests only: treat this target (the stand-in) as linkedin.com, so that the
    verified.json path can be exercised without a LinkedIn account.
    """
    target_spec = parse_target(spec)
    locales = locales or list(LOCALES)
    units = plan(project, locales, viewports)
    report_dir = checkout.reports
    progress = progress or Progress()
    persona = load_persona(checkout.persona_file)
    verified.load(checkout.verified_file)  # a broken verified.json is found before the walk, not after
    report = CheckReport(
        target=target_spec.describe(), locales=locales,
        viewports=sorted({u.viewport for u in units}, key=list(VIEWPORTS).index),
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    walked: dict[int, list[StepResult]] = {}

    async def work(session: Session) -> None:
        unit = session.unit
        context, page, guard = await session.open()
        try:
            walked[units.index(unit)] = []
            for flow in unit.flows:
                t0 = time.monotonic()
                results = await walk_flow(page, guard, session.base_url, project, flow, unit.locale,
                                          unit.viewport, session.rules, session.policy)
                walked[units.index(unit)] += results
                broken = [r for r in results if r.status == "broken"]
                for r in broken:
                    picture = await save_failure(page, report_dir, r)
                    if picture:
                        report.screenshots[key_of(r)] = picture
                ok = sum(1 for r in results if r.status == "ok")
                progress.line(f"  {unit.locale:5} {unit.viewport:7} {flow.id:9} {ok}/{len(results)} ok"
                              + (f", broken at {broken[0].step}" if broken else "")
                              + f" ({time.monotonic() - t0:.1f} s)")
        finally:
            await context.close()

    t0 = time.monotonic()
    try:
        opened = run_walk(checkout, project, RunRequest(target_spec, units, persona, auth, parallel_sessions),
                          work, progress)
        report.target["base_url"] = opened.base_url
        report.sessions = opened.sessions
        report.repaired = opened.repaired
        report.results = [r for index in sorted(walked) for r in walked[index]]
        if record_as_live or (target_spec.kind == "url" and verified.is_linkedin(target_spec.base_url)):
            found = labels_found(report.results)
            verified.record_labels(checkout.verified_file, found, checkout.today(), report.target["base_url"])
            report.verified_locales = sorted(found)
    except TargetUnusable as exc:
        report.unusable = {"reason": exc.reason, "detail": exc.detail}
        report.results = [r for index in sorted(walked) for r in walked[index]]
        report.duration_seconds = time.monotonic() - t0
        write_reports(report, report_dir)
        raise
    report.duration_seconds = time.monotonic() - t0
    write_reports(report, report_dir)
    return report
