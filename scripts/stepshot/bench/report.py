"""BENCHMARKS.md and the lines `stepshot bench` prints."""

from __future__ import annotations

from dataclasses import dataclass

from .capture_bench import FLOOR, OURS, SHOT_SCRAPER, CaptureBench
from .profile import Hotspot
from .sitebuild import TARGET as SITE_TARGET, SiteBench

TARGETS = {SHOT_SCRAPER: 0.5, FLOOR: 1.25}  # ours / theirs must be at most this

# Phases of `stepshot capture` worth naming when they show in a profile (the first is the whole), each
# under the names the function has had.
PHASES = {
    ("capture:run_capture",): "the capture",
    ("capture:_run_workers", "targets:walk_units"): "walking the flows and taking the shots (wall time)",
    ("capture:commit",): "writing the images and the manifest",
    ("imagefile:optimize",): "lossless PNG optimisation (oxipng) within that",
}


@dataclass
class BenchResult:
    command: str
    started: str                      # UTC, ISO 8601
    commit: str                       # git HEAD of the checkout, "+ changes" when the tree differs
    machine: dict[str, str]
    capture: CaptureBench | None = None
    capture_command: str = ""         # what "ours" ran, exactly
    site: SiteBench | None = None
    hotspots: list[Hotspot] | None = None
    profile_scope: str = ""

    def missed(self) -> list[str]:
        if self.capture is None:
            return []
        return [name for name, target in TARGETS.items() if self.capture.ratio(name) > target]

    def to_dict(self) -> dict:
        return {"command": self.command, "started": self.started, "commit": self.commit, "machine": self.machine,
                "capture": self.capture.to_dict() if self.capture else None,
                "capture_command": self.capture_command,
                "site": self.site.to_dict() if self.site else None,
                "hotspots": [h.__dict__ for h in self.hotspots or []], "profile_scope": self.profile_scope}


def _verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "not measured"
    return "met" if ratio <= target else "missed"


def summary_lines(result: BenchResult) -> list[str]:
    lines = []
    bench = result.capture
    if bench:
        lines.append(f"capture: {bench.shots} screenshots ({len(bench.locales)} locales x {', '.join(bench.viewports)}), "
                     f"{bench.repeat} rounds")
        for name in bench.seconds:
            lines.append(f"  {name}: median {bench.median(name):.1f} s ({bench.median(name) / bench.shots:.2f} s per shot)")
        for name, target in TARGETS.items():
            ratio = bench.ratio(name)
            lines.append(f"  ours / {name}: {ratio:.2f} (target <= {target}: {_verdict(ratio, target)})")
    site = result.site
    if site:
        full = site.median(site.full)
        english = site.median(site.english)
        lines.append(f"site build: all {site.locales} locales {full:.1f} s; English only "
                     + (f"{english:.1f} s" if english is not None else f"failed ({site.english_problem})"))
        if site.ratio is not None:
            lines.append(f"  all / ({site.locales} x English only): {site.ratio:.2f} "
                         f"(target <= {SITE_TARGET}: {_verdict(site.ratio, SITE_TARGET)})")
        if site.estimated_ratio is not None:
            lines.append(f"  estimated from the full build's per-locale passes: {site.estimated_ratio:.2f}")
    return lines


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


INTRO = """# Benchmarks

Measured by `stepshot bench` (`make bench`), which writes this file. Numbers from one machine; the ratios
matter more than the seconds. Reproduce with:

```sh
{command}
```

"""

CAPTURE_METHOD = """
The same {shots} screenshots ({locales} locales; {viewports}) of the local stand-in, taken three ways,
each as its own process with its own browser start, against a fresh stand-in:

- **stepshot capture**: `{capture_command}` into a fresh copy of the flow and labels (`STEPSHOT_ROOT`),
  every image new: it walks and checks every step, replaces the test account's personal data, draws the
  annotation, cuts the crop, optimises each PNG losslessly and writes it with the manifest and reports.
- **shot-scraper** (the tool people would use instead): `shot-scraper multi` on YAML files the benchmark
  writes, one per viewport (its scale factor and user agent are per run). Each shot opens the page of
  the step's state and runs a `javascript:` that replays what earlier steps did on that page (open the
  menu, set the switch); a `python:` entry sets the account's language before each locale; `--auth` is a
  saved stand-in session. No annotation, no redaction, no checks. Its screenshots are pixel-identical to
  the floor's (checked by tests/test_gates_bench.py).
- **Playwright floor**: a bare Playwright loop (`python -m stepshot.bench.floor`) that opens each state
  with the same browser context settings and screenshots it, nothing else.

Rounds alternate the order (ours first, then shot-scraper first, then the floor first, ...).
Times are wall-clock seconds for the whole run, start-up included.
"""


def _phases(hotspots: list[Hotspot]) -> str:
    seconds = {h.function: h.seconds for h in hotspots}
    found = {label: next((seconds[n] for n in names if n in seconds), None) for names, label in PHASES.items()}
    whole, *phases = found.items()
    if not whole[1]:
        return ""
    parts = [f"{label} {value:.1f} s ({value / whole[1]:.0%})" for label, value in phases if value is not None]
    return f"\n\nOf {whole[1]:.1f} s in the capture: " + "; ".join(parts) + "." if parts else ""


def markdown(result: BenchResult) -> str:
    parts = [INTRO.format(command=result.command)]
    parts.append(f"Run started {result.started} on commit {result.commit}.\n\n## Machine\n\n")
    parts.append(_table(["", ""], [[k, f"`{v}`" if k in ("chromium",) else v] for k, v in result.machine.items()]))
    bench = result.capture
    if bench:
        parts.append("\n\n## Capture: stepshot against shot-scraper and a bare Playwright loop\n")
        parts.append(CAPTURE_METHOD.format(shots=bench.shots, locales=len(bench.locales),
                                           viewports=" and ".join(bench.viewports),
                                           capture_command=result.capture_command))
        rows = []
        for name in bench.seconds:
            runs = ", ".join(f"{s:.1f}" for s in bench.seconds[name])
            ratio = "" if name == OURS else f"{bench.ratio(name):.2f}"
            target = "" if name == OURS else f"<= {TARGETS[name]}: **{_verdict(bench.ratio(name), TARGETS[name])}**"
            rows.append([name, runs, f"{bench.median(name):.1f}", f"{bench.median(name) / bench.shots:.2f}", ratio,
                         target])
        parts.append("\n" + _table(["", "runs (s)", "median (s)", "per screenshot (s)", "ours / this",
                                    "target"], rows))
    if result.hotspots:
        parts.append("\n\n## Where the capture's time goes\n\n")
        parts.append(f"A target was missed, so the benchmark profiled one more run of ours ({result.profile_scope}) "
                     "with cProfile in every thread (`python -m stepshot.bench.profile`). Cumulative seconds, "
                     "summed over threads (the walk runs in worker threads, so the walk's rows can add up to more "
                     "than the wall time); a row includes the rows it calls.\n\n")
        parts.append(_table(["function", "calls", "seconds"],
                            [[f"`{h.function}`", str(h.calls), f"{h.seconds:.1f}"] for h in result.hotspots]))
        parts.append(_phases(result.hotspots))
    site = result.site
    if site:
        parts.append("\n\n## Site build scaling\n\n")
        parts.append("`mkdocs build --strict` of a copy of the site's sources: every locale, against an English-only "
                     "build of the same pages (the same mkdocs.yml through INHERIT, every other language "
                     f"`build: false`). Target: all locales <= {SITE_TARGET} x ({site.locales} x English only).\n\n")
        english = [("failed" if s is None else f"{s:.1f}") for s in site.to_dict()["english_seconds"]]
        full_median, english_median = site.median(site.full), site.median(site.english)
        rows = [["all locales", ", ".join(f"{b.seconds:.1f}" for b in site.full), f"{full_median:.1f}"],
                ["English only", ", ".join(english),
                 "failed" if english_median is None else f"{english_median:.1f}"]]
        parts.append(_table(["build", "runs (s)", "median (s)"], rows))
        if site.ratio is not None:
            parts.append(f"\n\nall / ({site.locales} x English only) = **{site.ratio:.2f}** "
                         f"(target <= {SITE_TARGET}: **{_verdict(site.ratio, SITE_TARGET)}**).")
        else:
            parts.append(f"\n\nThe English-only build fails: `{site.english_problem}`. The site's hooks accept only "
                         "a build of every locale, so the ratio is not measured.")
        passes = site.pass_medians()
        if passes:
            parts.append("\n\nEach locale's pass inside the full build (median seconds, from mkdocs-static-i18n's "
                         "\"Building 'xx'\" log lines): "
                         + ", ".join(f"{code} {s:.1f}" for code, s in passes.items()) + ".")
        if site.estimated_ratio is not None:
            parts.append(f" The full build less every other locale's pass is {site.english_estimate():.1f} s, "
                         f"an estimate of an English-only build; all / ({site.locales} x that) = "
                         f"{site.estimated_ratio:.2f}.")
    parts.append("\n")
    return "".join(parts)
