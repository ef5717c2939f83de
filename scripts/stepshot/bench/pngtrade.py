"""The PNG optimisation trade: bytes saved against CPU spent, stepshot's settings beside oxipng's levels, on
Chromium's own PNGs.

The pictures are the bare loop's (bench/floor.py, not optimised): Chromium's PNG encoder's output for the
same page states stepshot shoots. Each setting optimises every one of them in this process; CPU is this
process's CPU time (oxipng's own threads included).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..imagefile import OPTIMISATION, optimize

CHOSEN = "stepshot's: rows unfiltered, libdeflate level 7"
SETTINGS = {CHOSEN: OPTIMISATION, **{f"oxipng level {level}": {"level": level} for level in (0, 1, 2)}}


@dataclass
class SettingCost:
    name: str
    bytes: int
    cpu: float

    def to_dict(self) -> dict:
        return self.__dict__


@dataclass
class PngTrade:
    images: int
    chromium_bytes: int
    settings: list[SettingCost]

    def to_dict(self) -> dict:
        return {"images": self.images, "chromium_bytes": self.chromium_bytes,
                "settings": [setting.to_dict() for setting in self.settings]}


def measure_trade(pictures: list[Path]) -> PngTrade:
    pngs = [path.read_bytes() for path in pictures]
    costs = []
    for name, options in SETTINGS.items():
        started = time.process_time()
        size = sum(len(optimize(png, options)) for png in pngs)
        costs.append(SettingCost(name, size, round(time.process_time() - started, 2)))
    return PngTrade(len(pngs), sum(map(len, pngs)), costs)
