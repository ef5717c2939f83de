"""Where `stepshot capture` spends its time: cProfile over every thread (capture walks in worker threads).

    python -m stepshot.bench.profile --out capture.prof -- capture --locale en

runs the `stepshot` command line in-process with a profiler in each thread and saves the merged
statistics; `hotspots()` reads them back as rows for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import threading
from dataclasses import dataclass
from pathlib import Path

PACKAGE = str(Path(__file__).resolve().parents[1])
WAITING = ("acquire", "poll", "waitpid", "sleep", "select", "wait")  # built-ins that only wait


def profiled(func, *args):
    """Call func with a cProfile running in this thread and in every thread started meanwhile."""
    profiles: list[cProfile.Profile] = []

    def start_in_thread(*_):
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook for the new thread

    main = cProfile.Profile()
    threading.setprofile(start_in_thread)
    main.enable()
    try:
        result = func(*args)
    finally:
        main.disable()
        threading.setprofile(None)
        for profile in profiles:
            profile.disable()
    return result, [main, *profiles]


@dataclass
class Hotspot:
    function: str      # module:function of stepshot, or a built-in doing the heavy lifting
    calls: int
    seconds: float     # cumulative (time in it and what it calls), summed over threads


def hotspots(stats_file: Path, limit: int = 16) -> list[Hotspot]:
    """stepshot's own functions (and built-ins costing over a second) by cumulative time, biggest first."""
    stats = pstats.Stats(str(stats_file)).stats
    rows = []
    for (file, _line, name), (_cc, calls, own, cumulative, _callers) in stats.items():
        ours = file.startswith(PACKAGE) and "/bench/" not in file
        builtin = file == "~" and own >= 1.0 and not any(word in name for word in WAITING)
        if (ours and not name.startswith("<")) or builtin:
            where = Path(file).relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".") if ours else ""
            rows.append(Hotspot(f"{where}:{name}" if where else name.strip("<>"), calls,
                                cumulative if ours else own))
    rows.sort(key=lambda r: -r.seconds)
    return rows[:limit]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stepshot.bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the merged cProfile statistics go")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the stepshot command line")
    args = parser.parse_args(argv)
    from ..cli import main as stepshot

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    code, profiles = profiled(stepshot, command)
    pstats.Stats(*profiles).dump_stats(str(args.out))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
