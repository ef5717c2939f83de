"""BENCHMARKS.md and the lines `stepshot bench` prints."""

from __future__ import annotations

from dataclasses import dataclass

from .capture_bench import EQUAL_FLOOR, OURS, RERUN, SHOT_SCRAPER, CaptureBench, Measured
from .pngtrade import PngTrade
from .profile import Hotspot
from .sitebuild import TARGET as SITE_TARGET, SiteBench

# (what, ours, theirs, measure, at most): ours / theirs must be at most this.
TARGETS = [
    ("ours / shot-scraper, wall", OURS, SHOT_SCRAPER, "wall", 0.5),
    ("ours / shot-scraper, CPU", OURS, SHOT_SCRAPER, "cpu", 1.0),
    ("ours / equal-work floor, wall", OURS, EQUAL_FLOOR, "wall", 1.1),
    ("unchanged re-run / first capture, wall", RERUN, OURS, "wall", 0.3),
]

# Phases of `stepshot capture` worth naming when they show in a profile (the first is the whole), each
# under the names the function has had.
PHASES = {
    ("capture:run_capture",): "the capture",
    ("run:run_walk",): "walking the flows and taking the shots (wall time)",
    ("capture:commit",): "writing the images and the manifest",
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

    def ratios(self) -> list[tuple[str, float, float]]:
        """(what, ratio, target) for each target."""
        bench = self.capture
        return [(what, bench.ratio(theirs, measure, ours), target) for what, ours, theirs, measure, target in TARGETS]

    def missed(self) -> list[str]:
        if self.capture is None:
            return []
        return [what for what, ratio, target in self.ratios() if ratio > target]

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
        for name in bench.runs:
            lines.append(f"  {name}: median {bench.median(name):.1f} s wall, {bench.median(name, 'cpu'):.1f} CPU-s")
        for what, ratio, target in result.ratios():
            lines.append(f"  {what}: {ratio:.2f} (target <= {target}: {_verdict(ratio, target)})")
        if bench.identical is not None:
            lines.append(f"  shot-scraper's pictures equal the bare loop's on {bench.identical} of {bench.shots} shots")
        for run in bench.busy():
            lines.append(f"  warning: {run} ran with a load average above {bench.cores} (the core count)")
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
The screenshots of the same {shots} page states ({locales} locales; {viewports}) of the local stand-in
(linkedin markup), taken by each contender as its own process, with its own browser start, against a fresh
stand-in:

- **stepshot capture**: `{capture_command}` into a fresh checkout (the flow, labels and persona): every
  step walked and checked, the account's language set, the privacy scrub, the focus crop and mask, the
  annotation, the stable-frame and privacy checks, lossless optimisation, the manifest and reports.
- **stepshot capture, re-run**: the same command again on the checkout the first run left: nothing changed.
- **shot-scraper** (the tool people would use instead): `shot-scraper multi` on YAML files the benchmark
  writes, one per viewport. Each shot opens the page of the step's state and runs a `javascript:` that
  replays what earlier steps did on that page (open the menu, set the switch) and waits until the page is
  ready; a `python:` entry sets the account's language before each locale; `--auth` is a saved stand-in
  login. The viewport is shot; no annotation, no redaction, no checks.
- **bare loop**: a Playwright loop (`python -m stepshot.bench.floor`) that opens each state the same way
  and screenshots it, nothing else: one login, one page at a time.
- **loop, stepshot's parallelism**: the same loop with as many logins walking at once as stepshot uses.
- **equal-work floor**: that loop keeping, of each screen, a part the size of stepshot's committed picture of
  that state (around the same control), given the same lossless PNG optimisation: the least a tool that
  walks in parallel and keeps and optimises the same pictures must spend.

Wall is the run's wall-clock time, start-up included; CPU is the user and system time of every process the
contender started (the browser's and its renderers included{cpu_method}). Rounds alternate the order; the
re-run always follows ours. A run during which the 1-minute load average exceeded the core count is flagged.
The load average lags (a run starts with the load the run before it left), so each run also records the CPU
time the rest of the machine used meanwhile (*others*) and the time the hypervisor gave other guests of the
host (*stolen*), both from /proc/stat: a run with much of either was slowed by work not its own.
"""


def _phases(hotspots: list[Hotspot]) -> str:
    seconds = {h.function: h.seconds for h in hotspots}
    found = {label: next((seconds[n] for n in names if n in seconds), None) for names, label in PHASES.items()}
    whole, *phases = found.items()
    if not whole[1]:
        return ""
    parts = [f"{label} {value:.1f} s ({value / whole[1]:.0%})" for label, value in phases if value is not None]
    return f"\n\nOf {whole[1]:.1f} s in the capture: " + "; ".join(parts) + "." if parts else ""


def _png_section(trade: PngTrade) -> str:
    rows = [["Chromium's PNG", f"{trade.chromium_bytes / 1e6:.2f}", "", ""]]
    for cost in trade.settings:
        saved = trade.chromium_bytes - cost.bytes
        rows.append([cost.name, f"{cost.bytes / 1e6:.2f}", f"{cost.cpu:.1f}",
                     f"{saved / 1e3 / cost.cpu:.0f}" if cost.cpu else ""])
    return ("\n\n### PNG optimisation\n\nEach setting on the bare loop's {n} pictures of the first round "
            "(Chromium's own PNG encoder's output, whole viewports), in one process:\n\n").format(n=trade.images) + \
        _table(["", "MB", "CPU (s)", "kB saved per CPU-s"], rows)


def _elsewhere(m: Measured) -> str:
    return "—" if m.others is None else f"{m.others:.1f} / {m.steal:.1f}"


def markdown(result: BenchResult) -> str:
    parts = [INTRO.format(command=result.command)]
    parts.append(f"Run started {result.started} on commit {result.commit}.\n\n## Machine\n\n")
    parts.append(_table(["", ""], [[k, f"`{v}`" if k in ("chromium",) else v] for k, v in result.machine.items()]))
    bench = result.capture
    if bench:
        parts.append("\n\n## Capture: stepshot against shot-scraper and Playwright floors\n")
        parts.append(CAPTURE_METHOD.format(shots=bench.shots, locales=len(bench.locales),
                                           viewports=" and ".join(bench.viewports),
                                           capture_command=result.capture_command,
                                           cpu_method=f"; counted by {bench.cpu_method}" if bench.cpu_method else ""))
        rows = []
        for name, runs in bench.runs.items():
            rows.append([name, ", ".join(f"{m.wall:.1f}" for m in runs), f"{bench.median(name):.1f}",
                         ", ".join(f"{m.cpu:.1f}" for m in runs), f"{bench.median(name, 'cpu'):.1f}",
                         ", ".join(f"{m.load_before:.1f}→{m.load_after:.1f}" for m in runs),
                         ", ".join(_elsewhere(m) for m in runs)])
        parts.append("\n" + _table(["", "wall (s)", "median wall", "CPU (s)", "median CPU", "load average",
                                     "others / stolen (CPU-s)"], rows))
        parts.append("\n\n" + _table(["ratio", "value", "target"], [
            [what, f"{ratio:.2f}", f"<= {target}: **{_verdict(ratio, target)}**"] for what, ratio, target in
            result.ratios()]))
        if bench.identical is not None:
            parts.append(f"\n\nshot-scraper's pictures are pixel-identical to the bare loop's on {bench.identical} "
                         f"of {bench.shots} shots (compared on every shot of the first round).")
        if bench.png:
            parts.append(_png_section(bench.png))
        busy = bench.busy()
        if busy:
            parts.append(f"\n\nLoad above the {bench.cores} cores during: {', '.join(busy)}: treat those seconds "
                         f"with care. Between rounds a contender's wall time varied by up to "
                         f"{bench.spread('wall'):.0%}, its CPU time by up to {bench.spread('cpu'):.0%}.")
    if result.hotspots:
        parts.append("\n\n## Where the capture's time goes\n\n")
        parts.append(f"A target was missed, so the benchmark profiled one more run of ours ({result.profile_scope}) "
                     "with cProfile in every thread (`python -m stepshot.bench.profile`). Cumulative seconds, "
                     "summed over threads (the walk runs on one event loop and its rows add up waits of "
                     "concurrent sessions, so they can add up to more "
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
