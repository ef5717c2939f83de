"""The capture benchmark: `stepshot capture` against shot-scraper and a bare Playwright floor.

Each contender takes the same screenshots (states.py) of a fresh stand-in, as its own process, so each
pays its own start-up. Ours runs into a fresh copy of the flow and labels (STEPSHOT_ROOT), every image new:
walked, checked, redacted, annotated, optimised and written with its manifest. Runs alternate in a
rotating order and repeat; the medians and their ratios are the result.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import paths
from ..errors import StepshotError
from ..locales import LOCALES
from ..model import Project
from ..standin.server import running
from . import shotscraper
from .states import PageState, page_states

OURS, SHOT_SCRAPER, FLOOR = "stepshot capture", "shot-scraper", "Playwright floor"
CONTENDERS = (OURS, SHOT_SCRAPER, FLOOR)
RUN_TIMEOUT_SECONDS = 3600


class BenchFailed(StepshotError):
    """A contender failed or took other pictures than asked: its timing would mean nothing."""


@dataclass
class CaptureBench:
    locales: list[str]
    viewports: list[str]
    shots: int
    repeat: int
    seconds: dict[str, list[float]] = field(default_factory=dict)  # contender -> one time per run, in run order
    order: list[list[str]] = field(default_factory=list)            # the contenders' order in each round

    def median(self, contender: str) -> float:
        return statistics.median(self.seconds[contender])

    def ratio(self, contender: str) -> float:
        """Ours divided by the contender's (below 1: ours is faster)."""
        return self.median(OURS) / self.median(contender)

    def to_dict(self) -> dict:
        return {"locales": self.locales, "viewports": self.viewports, "shots": self.shots, "repeat": self.repeat,
                "seconds": self.seconds, "order": self.order,
                "medians": {c: round(self.median(c), 2) for c in self.seconds},
                "ratios": {c: round(self.ratio(c), 3) for c in self.seconds if c != OURS}}


def fresh_root(work: Path, source: Path) -> Path:
    """A checkout-shaped folder with the flow, labels and persona only: every image will be new."""
    if work.exists():
        shutil.rmtree(work)
    shots = paths.screenshots_dir(work)
    shots.mkdir(parents=True)
    shutil.copy2(paths.flow_file(source), paths.flow_file(work))
    shutil.copytree(paths.labels_dir(source), paths.labels_dir(work))
    shutil.copy2(paths.screenshots_dir(source) / "persona.yml", shots / "persona.yml")
    return work


def _run(args: list[str], log: Path, env: dict | None = None, what: str = "") -> None:
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=RUN_TIMEOUT_SECONDS)
    if result.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise BenchFailed(f"{what}: exit {result.returncode}; {log}: {' | '.join(tail)}")


def _check_outputs(folder: Path, states: list[PageState], who: str) -> None:
    missing = [s.output for s in states if not (folder / s.output).is_file()]
    if missing:
        raise BenchFailed(f"{who}: {len(missing)} of {len(states)} screenshots missing (e.g. {missing[0]})")


def _selection_args(locales: list[str], viewports: list[str], all_viewports: list[str],
                    steps: list[str] | None) -> list[str]:
    args = [] if locales == list(LOCALES) else [a for code in locales for a in ("--locale", code)]
    if viewports != all_viewports:
        args += [a for v in viewports for a in ("--viewport", v)]
    return args + [a for step in steps or [] for a in ("--step", step)]


class Contenders:
    """The three ways to take the pictures; each call is one timed run into a fresh folder."""

    def __init__(self, states: list[PageState], locales: list[str], viewports: list[str], work: Path,
                 shot_scraper_env: dict[str, str], source_root: Path, all_viewports: list[str],
                 steps: list[str] | None = None):
        self.states = states
        self.locales = locales
        self.viewports = viewports
        self.work = work
        self.env = shot_scraper_env
        self.source_root = source_root
        self.selection = _selection_args(locales, viewports, all_viewports, steps)
        work.mkdir(parents=True, exist_ok=True)
        self.states_file = work / "states.json"
        self.states_file.write_text(json.dumps([s.to_dict() for s in states], ensure_ascii=False), encoding="utf-8")

    def ours(self, run: int) -> float:
        root = fresh_root(self.work / "ours", self.source_root)
        env = {**os.environ, "STEPSHOT_ROOT": str(root)}
        started = time.monotonic()
        _run([str(Path(sys.executable).with_name("stepshot")), *self.command()], self.work / f"ours-{run}.log", env,
             OURS)
        elapsed = time.monotonic() - started
        _check_outputs(paths.screenshots_dir(root), self.states, OURS)
        return elapsed

    def command(self) -> list[str]:
        """Ours, as typed after `stepshot`."""
        return ["capture", *self.selection]

    def shot_scraper(self, run: int) -> float:
        out = self.work / "shot-scraper"
        shutil.rmtree(out, ignore_errors=True)
        auth = self.work / "shot-scraper-auth.json"
        started = time.monotonic()
        with running() as url:
            cookie = shotscraper.login(url, auth)
            configs = shotscraper.write_configs(self.states, url, cookie, out, self.work)
            for viewport, config in configs.items():
                _run(shotscraper.command(config, viewport, auth), self.work / f"shot-scraper-{run}-{viewport}.log",
                     shotscraper.environment(self.env), f"{SHOT_SCRAPER} ({viewport})")
        elapsed = time.monotonic() - started
        _check_outputs(out, self.states, SHOT_SCRAPER)
        return elapsed

    def floor(self, run: int) -> float:
        out = self.work / "floor"
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        with running() as url:
            _run([sys.executable, "-m", "stepshot.bench.floor", "--states", str(self.states_file), "--base-url", url,
                  "--out", str(out)], self.work / f"floor-{run}.log", what=FLOOR)
        elapsed = time.monotonic() - started
        _check_outputs(out, self.states, FLOOR)
        return elapsed

    def by_name(self) -> dict[str, Callable[[int], float]]:
        return {OURS: self.ours, SHOT_SCRAPER: self.shot_scraper, FLOOR: self.floor}


def rounds(repeat: int) -> list[list[str]]:
    """The contenders' order per round, rotated so none always runs first (warm caches, busy neighbours)."""
    return [list(CONTENDERS[i % 3:] + CONTENDERS[:i % 3]) for i in range(repeat)]


def contenders_for(project: Project, locales: list[str], viewports: list[str], work: Path,
                   steps: list[str] | None = None, playwright=None) -> Contenders:
    """steps: only these step ids (ours still walks their whole flows to reach them). playwright: a running
    Playwright to ask which Chromium stepshot uses (a second one cannot start in the same thread)."""
    from playwright.sync_api import sync_playwright

    from ..browser import VIEWPORTS

    states = [s for s in page_states(project, locales, viewports) if steps is None or s.step in steps]
    if playwright is None:
        with sync_playwright() as pw:
            env = shotscraper.browser_env(pw, work / "playwright-browsers")
    else:
        env = shotscraper.browser_env(playwright, work / "playwright-browsers")
    return Contenders(states, locales, viewports, work, env, paths.repo_root(), list(VIEWPORTS), steps)


def run_capture_bench(contenders: Contenders, repeat: int, say: Callable[[str], None] = print) -> CaptureBench:
    states = contenders.states
    bench = CaptureBench(contenders.locales, contenders.viewports, len(states), repeat, {c: [] for c in CONTENDERS}, rounds(repeat))
    runners = contenders.by_name()
    for number, order in enumerate(bench.order, start=1):
        for name in order:
            seconds = runners[name](number)
            bench.seconds[name].append(seconds)
            say(f"  round {number}/{repeat}: {name}: {seconds:.1f} s for {len(states)} screenshots")
    return bench
