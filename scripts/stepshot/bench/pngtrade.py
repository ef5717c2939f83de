"""The PNG optimisation trade: bytes saved against CPU spent, per oxipng level, on Chromium's own PNGs.

The pictures are the bare loop's (bench/floor.py, not optimised): Chromium's PNG encoder's output for the
same page states stepshot shoots. Each level optimises every one of them in this process; CPU is this
process's CPU time (oxipng's own threads included).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..imagefile import OXIPNG_LEVEL, optimize

LEVELS = (0, 1, 2)


@dataclass
class LevelCost:
    level: int
    bytes: int
    cpu: float

    def to_dict(self) -> dict:
        return self.__dict__


@dataclass
class PngTrade:
    images: int
    chromium_bytes: int
    levels: list[LevelCost]
    chosen: int = OXIPNG_LEVEL

    def to_dict(self) -> dict:
        return {"images": self.images, "chromium_bytes": self.chromium_bytes, "chosen": self.chosen,
                "levels": [level.to_dict() for level in self.levels]}


def measure_trade(pictures: list[Path]) -> PngTrade:
    pngs = [path.read_bytes() for path in pictures]
    levels = []
    for level in LEVELS:
        started = time.process_time()
        size = sum(len(optimize(png, level)) for png in pngs)
        levels.append(LevelCost(level, size, round(time.process_time() - started, 2)))
    return PngTrade(len(pngs), sum(map(len, pngs)), levels)
