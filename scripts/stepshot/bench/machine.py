"""The machine a benchmark ran on, as BENCHMARKS.md records it."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path

from ..loops import run_coroutine
from ..settings import Settings


def _first(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition(":" if ":" in line else "=")
            if name.strip() == key:
                return value.strip().strip('"')
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def facts(chromium_version: str) -> dict[str, str]:
    memory_kb = _first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 1024 / 1024:.1f} GiB" if memory_kb else "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return {
        "cpus (nproc)": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "cpu model": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "memory": memory,
        "os": _first("/etc/os-release", "PRETTY_NAME") or platform.platform(),
        "python": platform.python_version(),
        "chromium": chromium_version,
        "playwright (python)": _version("playwright"),
        "shot-scraper": _version("shot-scraper"),
        "mkdocs": _version("mkdocs"),
        "load average at start (1, 5, 15 min)": load,
    }


def chromium_version(settings: Settings) -> str:
    """The version of the Chromium stepshot launches, as that browser reports it."""
    from playwright.async_api import async_playwright

    from ..browser import launch, which_chromium

    async def ask() -> str:
        async with async_playwright() as pw:
            browser = await launch(pw, settings)
            try:
                return f"{browser.version} ({which_chromium(pw, settings)})"
            finally:
                await browser.close()

    return run_coroutine(ask())
