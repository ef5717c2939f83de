"""Site build scaling: a strict build of every locale against an English-only build of the same pages.

Both build a copy of the site's sources (mkdocs.yml, docs/, overrides/, screenshots/) in a temporary
folder, so nothing in the checkout is written. The English-only build uses the same mkdocs.yml through
MkDocs' INHERIT, with every other language of the i18n plugin set to `build: false` (mkdocs-static-i18n's
own switch). The full build's log also times each locale's pass (the plugin logs "Building 'xx'").
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from ..errors import StepshotError
from ..locales import LOCALES, SOURCE_LOCALE
from ..settings import child_environment

TARGET = 1.1  # all locales <= TARGET x (locales x English-only)
PASS_LINE = re.compile(r"Building '([A-Za-z-]+)' documentation")
SOURCES = ("mkdocs.yml", "docs", "overrides", "screenshots")


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml's plain parts; tagged values (!ENV, !!python/...) are kept as None."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_copy(root: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, dest / name)
        elif source.is_file():
            shutil.copy2(source, dest / name)
    (dest / "scripts").symlink_to(root / "scripts")  # the hooks, read only
    return dest


def english_only_config(site: Path) -> Path:
    """mkdocs-en.yml: INHERIT mkdocs.yml, with the same plugins and only English built."""
    config = yaml.load((site / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    plugins = []
    for plugin in config.get("plugins", []):
        if isinstance(plugin, dict) and "i18n" in plugin:
            i18n = dict(plugin["i18n"])
            i18n["languages"] = [{**lang, "build": lang["locale"] == SOURCE_LOCALE} for lang in i18n["languages"]]
            plugin = {"i18n": i18n}
        plugins.append(plugin)
    path = site / "mkdocs-en.yml"
    path.write_text(yaml.safe_dump({"INHERIT": "mkdocs.yml", "plugins": plugins}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Build:
    seconds: float
    passes: dict[str, float]   # locale -> seconds of its pass (from the plugin's log lines)
    ok: bool
    problem: str = ""


def timed_build(site: Path, config: Path, out: Path) -> Build:
    """One `mkdocs build --strict`, timed from start to exit; per-locale passes from its log."""
    env = child_environment(NO_MKDOCS_2_WARNING="1")
    started = time.monotonic()
    marks: list[tuple[str, float]] = []
    lines: list[str] = []
    with subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "--site-dir",
                           str(out)], cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as proc:
        for line in proc.stdout:
            lines.append(line.rstrip())
            found = PASS_LINE.search(line)
            if found:
                marks.append((found.group(1), time.monotonic()))
    end = time.monotonic()
    ok = proc.returncode == 0
    passes = {locale: (marks[i + 1][1] if i + 1 < len(marks) else end) - at for i, (locale, at) in enumerate(marks)}
    errors = [line.removeprefix("ERROR").strip(" -") for line in lines if line.startswith("ERROR")][:2]
    problem = "" if ok else (" ".join(errors) if errors else (lines[-1] if lines else f"exit {proc.returncode}"))
    return Build(end - started, passes, ok, problem)


@dataclass
class SiteBench:
    repeat: int
    full: list[Build] = field(default_factory=list)
    english: list[Build] = field(default_factory=list)

    @property
    def locales(self) -> int:
        return len(LOCALES)

    def median(self, builds: list[Build]) -> float | None:
        done = [b.seconds for b in builds if b.ok]
        return statistics.median(done) if done else None

    @property
    def english_problem(self) -> str:
        return next((b.problem for b in self.english if not b.ok), "")

    @property
    def ratio(self) -> float | None:
        """All locales / (locales x English-only); the target is <= TARGET."""
        full, english = self.median(self.full), self.median(self.english)
        return None if full is None or english is None else full / (self.locales * english)

    def english_estimate(self) -> float | None:
        """From the full builds alone: their time less every other locale's pass (start-up, English, finish)."""
        done = [b for b in self.full if b.ok and set(b.passes) == set(LOCALES)]
        if not done:
            return None
        return statistics.median(b.seconds - sum(t for code, t in b.passes.items() if code != SOURCE_LOCALE)
                                 for b in done)

    @property
    def estimated_ratio(self) -> float | None:
        full, english = self.median(self.full), self.english_estimate()
        return None if full is None or not english else full / (self.locales * english)

    def pass_medians(self) -> dict[str, float]:
        codes = [code for code in LOCALES if all(code in b.passes for b in self.full if b.ok)]
        return {code: statistics.median(b.passes[code] for b in self.full if b.ok) for code in codes}

    def to_dict(self) -> dict:
        return {"repeat": self.repeat, "locales": self.locales,
                "full_seconds": [round(b.seconds, 2) for b in self.full],
                "english_seconds": [round(b.seconds, 2) if b.ok else None for b in self.english],
                "english_problem": self.english_problem or None,
                "ratio": _round(self.ratio, 3), "target": TARGET,
                "english_estimate_seconds": _round(self.english_estimate()),
                "estimated_ratio": _round(self.estimated_ratio, 3),
                "pass_seconds": {k: round(v, 2) for k, v in self.pass_medians().items()}}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def run_site_bench(root: Path, repeat: int, work: Path, say: Callable[[str], None] = print) -> SiteBench:
    site = site_copy(root, work / "site-src")
    full_config, english_config = site / "mkdocs.yml", english_only_config(site)
    bench = SiteBench(repeat)
    for number in range(1, repeat + 1):
        order = [("all locales", full_config, bench.full), ("English only", english_config, bench.english)]
        for name, config, results in order if number % 2 else order[::-1]:
            if results is bench.english and bench.english_problem:
                continue  # it cannot build here: once is enough to say why
            build = timed_build(site, config, work / f"site-out-{number}")
            results.append(build)
            if build.ok:
                say(f"  round {number}/{repeat}: {name}: {build.seconds:.1f} s")
            elif results is bench.full:
                raise StepshotError(f"site build (all locales) failed: {build.problem}")
            else:
                say(f"  round {number}/{repeat}: {name}: build failed: {build.problem}")
    return bench
