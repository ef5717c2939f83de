"""`stepshot bench`: the capture benchmark, a profile when a target is missed, the site build scaling."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..checkout import Checkout
from ..files import write_atomic
from ..locales import LOCALES, VIEWPORTS
from ..settings import child_environment
from . import machine
from .capture_bench import BenchFailed, contenders_for, fresh_checkout, run_capture_bench
from .profile import hotspots
from .report import BenchResult, markdown, summary_lines
from .sitebuild import run_site_bench


@dataclass
class BenchOptions:
    repeat: int = 3
    locales: list[str] | None = None
    viewports: list[str] | None = None
    capture: bool = True
    site: bool = True
    profile: bool = True              # profile ours once when a capture target is missed
    profile_locale: str = "en"
    out: Path | None = None           # BENCHMARKS.md; None: only for a run of everything

    def command(self) -> str:
        """The command line that reproduces this run, for BENCHMARKS.md."""
        words = ["stepshot", "bench", "--repeat", str(self.repeat)]
        words += [w for code in self.locales or [] for w in ("--locale", code)]
        words += [w for v in self.viewports or [] for w in ("--viewport", v)]
        words += [flag for flag, on in (("--skip-capture", not self.capture), ("--skip-site", not self.site),
                                        ("--no-profile", not self.profile)) if on]
        return " ".join(words)


def commit(root: Path) -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} + uncommitted changes" if dirty else head


def profile_ours(checkout: Checkout, contenders, locale: str, work: Path) -> tuple[list, str]:
    root = fresh_checkout(work / "profiled", checkout)
    stats = work / "capture.prof"
    command = ["capture", "--locale", locale, *[a for v in contenders.viewports for a in ("--viewport", v)]]
    with (work / "profiled.log").open("w", encoding="utf-8") as log:
        result = subprocess.run([sys.executable, "-m", "stepshot.bench.profile", "--out", str(stats), "--", *command],
                                env=child_environment(STEPSHOT_ROOT=str(root)), stdout=log,
                                stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise BenchFailed(f"profiled capture: exit {result.returncode}; see {work / 'profiled.log'}")
    return hotspots(stats), f"`stepshot {' '.join(command)}`"


def run_bench(checkout: Checkout, options: BenchOptions, say: Callable[[str], None] = print) -> BenchResult:
    locales = options.locales or list(LOCALES)
    viewports = options.viewports or list(VIEWPORTS)
    work = checkout.root / "build" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    project = checkout.project(locales)
    result = BenchResult(options.command(), datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         commit(checkout.root), machine.facts(machine.chromium_version(checkout.settings)))
    if options.capture:
        contenders = contenders_for(checkout, project, locales, viewports, work / "capture")
        result.capture_command = "stepshot " + " ".join(contenders.command())
        say(f"capture benchmark: {len(contenders.states)} screenshots, {options.repeat} rounds")
        result.capture = run_capture_bench(contenders, options.repeat, say)
        if result.missed() and options.profile:
            say(f"profiling stepshot capture ({options.profile_locale}): a target was missed")
            result.hotspots, result.profile_scope = profile_ours(checkout, contenders, options.profile_locale,
                                                                 work / "capture")
    if options.site:
        say(f"site build benchmark: {options.repeat} rounds")
        result.site = run_site_bench(checkout.root, options.repeat, work / "site", say)
    for line in summary_lines(result):
        say(line)
    write_atomic(work / "results.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False).encode("utf-8"))
    everything = options.capture and options.site and locales == list(LOCALES) and viewports == list(VIEWPORTS)
    out = options.out or (checkout.root / "BENCHMARKS.md" if everything else None)
    if out is not None:
        write_atomic(out, markdown(result).encode("utf-8"))
        say(f"written: {out}")
    else:
        say(f"results: {work / 'results.json'} (BENCHMARKS.md is written by a run of everything, or with --out)")
    return result
