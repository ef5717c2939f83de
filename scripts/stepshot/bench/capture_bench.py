"""The capture benchmark: `stepshot capture` against shot-scraper and three Playwright floors.

Each contender takes the screenshots of the same page states (states.py) of a fresh stand-in, as its own
process, so each pays its own start-up; its wall time and the CPU time of its whole process tree (the
browser's processes included, its zygote's renderers too: cpu.py) are both measured, with the load average
before and after. Ours serves its own stand-in, in its process; the others are served by the bench's, so
the bench's own CPU time during their run (the stand-in answering them: the bench only waits meanwhile)
is counted in theirs. Ours runs into a fresh checkout (every image new), then once more on that checkout
with nothing changed (the re-run). Runs alternate in a rotating order and repeat; medians and their
ratios are the result.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..checkout import Checkout
from ..errors import StepshotError
from ..imagediff import compare
from ..locales import LOCALES, VIEWPORTS
from ..loops import run_coroutine
from ..manifest import Manifest
from ..reader import Project
from ..run import default_parallel
from ..settings import child_environment
from ..standin.server import running
from . import cpu, shotscraper
from .pngtrade import PngTrade, measure_trade
from .states import PageState, page_states

OURS, RERUN = "stepshot capture", "stepshot capture, re-run"
SHOT_SCRAPER = "shot-scraper"
FLOOR, PARALLEL_FLOOR, EQUAL_FLOOR = "bare loop", "loop, stepshot's parallelism", "equal-work floor"
CONTENDERS = (OURS, SHOT_SCRAPER, FLOOR, PARALLEL_FLOOR, EQUAL_FLOOR)
RUN_TIMEOUT_SECONDS = 3600


class BenchFailed(StepshotError):
    """A contender failed or took other pictures than asked: its timing would mean nothing."""


@dataclass
class Measured:
    wall: float
    cpu: float                        # user + system seconds of the whole process tree
    load_before: float                # 1-minute load average
    load_after: float
    others: float | None = None       # CPU seconds the rest of the machine used meanwhile (/proc/stat)
    steal: float | None = None        # CPU seconds the hypervisor gave other guests meanwhile

    @classmethod
    def one_after_another(cls, parts: list["Measured"]) -> "Measured":
        """Runs one after the other as one run (shot-scraper: one run per viewport)."""
        def total(what: str) -> float | None:
            values = [getattr(m, what) for m in parts]
            return None if None in values else round(sum(values), 2)
        return cls(total("wall"), total("cpu"), parts[0].load_before, parts[-1].load_after, total("others"),
                   total("steal"))


@dataclass
class CaptureBench:
    locales: list[str]
    viewports: list[str]
    shots: int
    repeat: int
    cores: int
    runs: dict[str, list[Measured]] = field(default_factory=dict)  # contender -> one per round, in run order
    order: list[list[str]] = field(default_factory=list)
    identical: int | None = None      # shots where shot-scraper's and the bare loop's pixels are the same
    png: PngTrade | None = None       # optimisation settings on the bare loop's pictures
    cpu_method: str = ""              # how CPU time was counted (cpu.py)

    def median(self, contender: str, what: str = "wall") -> float:
        return statistics.median(getattr(m, what) for m in self.runs[contender])

    def ratio(self, contender: str, what: str = "wall", ours: str = OURS) -> float:
        """Ours divided by the contender's (below 1: ours is cheaper)."""
        return self.median(ours, what) / self.median(contender, what)

    def spread(self, what: str = "wall") -> float:
        """The largest difference between one contender's rounds, as a share of its median."""
        return max((max(values) - min(values)) / statistics.median(values)
                   for values in ([getattr(m, what) for m in runs] for runs in self.runs.values()))

    def busy(self) -> list[str]:
        """Runs during which the machine had more runnable work than cores (their timings are noisy)."""
        return [f"{name} round {i + 1}" for name, runs in self.runs.items() for i, m in enumerate(runs)
                if max(m.load_before, m.load_after) > self.cores]

    def to_dict(self) -> dict:
        return {"locales": self.locales, "viewports": self.viewports, "shots": self.shots, "repeat": self.repeat,
                "cores": self.cores, "cpu_method": self.cpu_method, "order": self.order, "identical": self.identical,
                "png": self.png.to_dict() if self.png else None,
                "runs": {c: [m.__dict__ for m in runs] for c, runs in self.runs.items()},
                "medians": {c: {"wall": round(self.median(c), 2), "cpu": round(self.median(c, "cpu"), 2)}
                            for c in self.runs}}


def slug(name: str) -> str:
    """A contender's name as a file name: "loop, stepshot's parallelism" -> "loop-stepshot-s-parallelism"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(args: list[str], log: Path, env: dict | None = None, what: str = "") -> Measured:
    """Run one contender to its end; its wall time and the CPU time of everything it started (cpu.py), and
    of this process meanwhile (a stand-in served from here)."""
    own_before = _own_cpu_seconds()
    load_before = os.getloadavg()[0]
    machine_before = cpu.MachineTime.now()
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        usage = cpu.run(args, RUN_TIMEOUT_SECONDS, stdout=out, stderr=subprocess.STDOUT, env=env)
    wall = time.monotonic() - started
    total = usage.cpu + _own_cpu_seconds() - own_before - usage.observer
    machine_after = cpu.MachineTime.now()
    if usage.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        raise BenchFailed(f"{what}: exit {usage.returncode}; {log}: {' | '.join(tail)}")
    others = steal = None
    if machine_before and machine_after:
        others = round(max(0.0, machine_after.busy - machine_before.busy - total), 2)
        steal = round(machine_after.steal - machine_before.steal, 2)
    return Measured(round(wall, 2), round(total, 2), load_before, os.getloadavg()[0], others, steal)


def fresh_checkout(folder: Path, source: Checkout) -> Path:
    """A checkout-shaped folder with the flow, labels and persona only: every image will be new."""
    if folder.exists():
        shutil.rmtree(folder)
    shots = folder / "screenshots"
    shots.mkdir(parents=True)
    shutil.copy2(source.flow_file, shots / "flow.yml")
    shutil.copytree(source.labels_dir, shots / "labels")
    shutil.copy2(source.persona_file, shots / "persona.yml")
    return folder


def _check_outputs(folder: Path, states: list[PageState], who: str) -> None:
    missing = [s.output for s in states if not (folder / s.output).is_file()]
    if missing:
        raise BenchFailed(f"{who}: {len(missing)} of {len(states)} screenshots missing (e.g. {missing[0]})")


def save_logins(checkout: Checkout, base_url: str, count: int, folder: Path) -> list[Path]:
    """Storage states of `count` stand-in test accounts, signed in through the login form."""
    from playwright.async_api import async_playwright

    from ..browser import launch
    from ..targets import standin_logins

    project = checkout.project(["en"])
    consent = (project.text("en", "consent_reject"), project.text("en", "consent_accept"))

    async def sign_in() -> list[dict]:
        async with async_playwright() as pw:
            browser = await launch(pw, checkout.settings)
            try:
                return [login.state for login in await standin_logins(browser, base_url, count, consent)]
            finally:
                await browser.close()

    paths = []
    for number, state in enumerate(run_coroutine(sign_in()), start=1):
        path = folder / f"login-{number}.auth.json"
        path.write_text(json.dumps(state), encoding="utf-8")
        path.chmod(0o600)
        paths.append(path)
    return paths


class Contenders:
    """The ways to take the pictures; each call is one measured run into a fresh folder."""

    def __init__(self, checkout: Checkout, states: list[PageState], locales: list[str], viewports: list[str],
                 work: Path, shot_scraper_env: dict[str, str], steps: list[str] | None = None):
        self.checkout = checkout
        self.states = states
        self.locales = locales
        self.viewports = viewports
        self.work = work
        self.env = shot_scraper_env
        self.sessions = min(default_parallel(), len(dict.fromkeys(s.locale for s in states)))
        self.selection = [a for code in locales for a in ("--locale", code)] if locales != list(LOCALES) else []
        if viewports != list(VIEWPORTS):
            self.selection += [a for v in viewports for a in ("--viewport", v)]
        self.selection += [a for step in steps or [] for a in ("--step", step)]
        work.mkdir(parents=True, exist_ok=True)
        self.states_file = work / "states.json"
        self.states_file.write_text(json.dumps([s.to_dict() for s in states], ensure_ascii=False), encoding="utf-8")

    def command(self) -> list[str]:
        """Ours, as typed after `stepshot`."""
        return ["capture", *self.selection]

    def _ours(self, root: Path, run: int, name: str) -> Measured:
        env = child_environment(STEPSHOT_ROOT=str(root))
        measured = measure([str(Path(sys.executable).with_name("stepshot")), *self.command()],
                           self.work / f"{slug(name)}-{run}.log", env, name)
        _check_outputs(root / "screenshots", self.states, name)
        return measured

    def ours(self, run: int) -> Measured:
        return self._ours(fresh_checkout(self.work / "ours", self.checkout), run, OURS)

    def rerun(self, run: int) -> Measured:
        """Ours once more on the checkout the last first run left: nothing changed, nothing to write."""
        return self._ours(self.work / "ours", run, RERUN)

    def shot_scraper(self, run: int) -> Measured:
        out = self.work / "shot-scraper"
        shutil.rmtree(out, ignore_errors=True)
        totals = []
        with running(self.checkout) as served:
            (auth,) = save_logins(self.checkout, served.url, 1, self.work)
            cookie = shotscraper.cookie_header(json.loads(auth.read_text(encoding="utf-8")))
            configs = shotscraper.write_configs(self.states, served.url, cookie, out, self.work)
            for viewport, config in configs.items():
                totals.append(measure(shotscraper.command(config, viewport, auth),
                                      self.work / f"shot-scraper-{run}-{viewport}.log",
                                      shotscraper.environment(self.env), f"{SHOT_SCRAPER} ({viewport})"))
        _check_outputs(out, self.states, SHOT_SCRAPER)
        return Measured.one_after_another(totals)

    def floor(self, run: int, name: str, sessions: int, optimize: bool) -> Measured:
        out = self.work / slug(name)
        shutil.rmtree(out, ignore_errors=True)
        with running(self.checkout) as served:
            auths = save_logins(self.checkout, served.url, sessions, self.work)
            args = [sys.executable, "-m", "stepshot.bench.floor", "--states", str(self.states_file),
                    "--base-url", served.url, "--out", str(out), *[a for p in auths for a in ("--auth", str(p))]]
            measured = measure(args + (["--optimize"] if optimize else []), out.with_suffix(f".{run}.log"),
                               what=name)
        _check_outputs(out, self.states, name)
        return measured

    def by_name(self) -> dict[str, Callable[[int], Measured]]:
        return {OURS: self.ours, SHOT_SCRAPER: self.shot_scraper,
                FLOOR: lambda run: self.floor(run, FLOOR, 1, False),
                PARALLEL_FLOOR: lambda run: self.floor(run, PARALLEL_FLOOR, self.sessions, False),
                EQUAL_FLOOR: lambda run: self.floor(run, EQUAL_FLOOR, self.sessions, True)}

    def floor_pictures(self) -> list[Path]:
        return [self.work / slug(FLOOR) / state.output for state in self.states]

    def identical_shots(self) -> int:
        """Shots where shot-scraper's pixels equal the bare loop's: both reached the same state."""
        same = 0
        for state in self.states:
            floor = (self.work / slug(FLOOR) / state.output).read_bytes()
            theirs = (self.work / "shot-scraper" / state.output).read_bytes()
            same += not compare(floor, theirs)[0].changed
        return same


def rounds(repeat: int) -> list[list[str]]:
    """The contenders' order per round, rotated so none always runs first (warm caches, busy neighbours).
    The re-run always follows ours: it needs ours' checkout."""
    order = []
    for i in range(repeat):
        turn = list(CONTENDERS[i % len(CONTENDERS):] + CONTENDERS[:i % len(CONTENDERS)])
        turn.insert(turn.index(OURS) + 1, RERUN)
        order.append(turn)
    return order


def contenders_for(checkout: Checkout, project: Project, locales: list[str], viewports: list[str], work: Path,
                   steps: list[str] | None = None) -> Contenders:
    """steps: only these step ids (ours still walks their whole flows to reach them)."""
    from playwright.async_api import async_playwright

    async def shot_scraper_env() -> dict[str, str]:
        async with async_playwright() as pw:
            return shotscraper.browser_env(pw, work / "playwright-browsers", checkout.settings)

    committed = Manifest.load(checkout.manifest_file).images
    states = [s.with_kept(committed) for s in page_states(project, locales, viewports)
              if steps is None or s.step in steps]
    env = run_coroutine(shot_scraper_env())
    return Contenders(checkout, states, locales, viewports, work, env, steps)


def run_capture_bench(contenders: Contenders, repeat: int, say: Callable[[str], None] = print) -> CaptureBench:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    bench = CaptureBench(contenders.locales, contenders.viewports, len(contenders.states), repeat, cores,
                         {c: [] for c in (OURS, RERUN, *CONTENDERS[1:])}, rounds(repeat), cpu_method=cpu.method())
    runners = {**contenders.by_name(), RERUN: contenders.rerun}
    for number, order in enumerate(bench.order, start=1):
        for name in order:
            measured = runners[name](number)
            bench.runs[name].append(measured)
            warning = " (load above the core count: noisy)" if max(measured.load_before, measured.load_after) > cores \
                else ""
            say(f"  round {number}/{repeat}: {name}: {measured.wall:.1f} s wall, {measured.cpu:.1f} CPU-s "
                f"for {bench.shots} screenshots{warning}")
        if number == 1:
            bench.identical = contenders.identical_shots()
            bench.png = measure_trade(contenders.floor_pictures())
    return bench
