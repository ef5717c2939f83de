"""Every committed screenshot, from its manifest entry: readable where the guide shows it, and an annotation
that cannot be misread (inside the picture, off the control, nearer the control than any other control of
the same role, boxes recorded from the live page at capture time)."""

from __future__ import annotations

import json

import pytest

from conftest import REPO
from stepshot.locales import CONTENT_WIDTH, LOCALES, READING_PX, VIEWPORTS

ENTRIES = json.loads(REPO.manifest_file.read_text(encoding="utf-8"))["images"]


def distance(point: tuple[float, float], box: list[int]) -> float:
    """From a point to the nearest point of a box [x, y, width, height]."""
    x, y, w, h = box
    dx = max(x - point[0], 0, point[0] - (x + w))
    dy = max(y - point[1], 0, point[1] - (y + h))
    return (dx * dx + dy * dy) ** 0.5


def centre(box: list[int]) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def overlaps(a: list[int], b: list[int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def inside(box: list[int], width: int, height: int) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[0] + box[2] <= width and box[1] + box[3] <= height


def in_band(point: tuple[float, float], box: list[int]) -> bool:
    return box[1] < point[1] < box[1] + box[3]


def unambiguous(box: list[int], target: list[int], others: list[list[int]]) -> bool:
    """annotate.py's rule: off every other control, and beside the control's own row (its centre in the
    control's band and no other's), or else nearer the control than any other."""
    c = centre(box)
    if any(overlaps(box, other) for other in others):
        return False
    beside = in_band(c, target) and not any(in_band(c, other) for other in others)
    return beside or all(distance(c, target) < distance(c, other) for other in others)


def annotation_problems(entry: dict) -> list[str]:
    geometry, problems = entry["geometry"], []
    target = geometry["target"]
    if not inside(target, entry["width"], entry["height"]):
        problems.append("the control is not wholly in the picture")
    for name in ("badge", "callout"):
        box = geometry[name]
        if box is None:
            continue
        if not inside(box, entry["width"], entry["height"]):
            problems.append(f"the {name} is not wholly in the picture")
        if overlaps(box, target):
            problems.append(f"the {name} covers the control")
        if not unambiguous(box, target, geometry["others"]):
            problems.append(f"the {name} could be read as another control's")
    return problems


def test_there_are_committed_screenshots_for_every_step():
    flows = REPO.project().flow.flows
    assert len(ENTRIES) == sum(len(f.steps) * len(f.viewports) for f in flows) * len(LOCALES)


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_each_picture_is_readable_where_the_guide_shows_it(key):
    entry = ENTRIES[key]
    css_width = entry["width"] / VIEWPORTS[entry["viewport"]].scale
    shown = min(css_width, CONTENT_WIDTH[entry["viewport"]])       # the content column, never scaled up
    assert entry["text_px"] >= READING_PX, f"{key}: the control's text is {entry['text_px']} CSS px"
    assert entry["text_px"] * shown / css_width >= READING_PX - 0.01, \
        f"{key}: {css_width:.0f} CSS px wide, shown at {shown:.0f}: text at {entry['text_px'] * shown / css_width:.1f} px"


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_each_annotation_sits_by_its_control_and_nearer_it_than_any_other(key):
    assert annotation_problems(ENTRIES[key]) == []


@pytest.mark.parametrize("geometry, problem", [
    ({"target": [10, 10, 50, 20], "badge": [30, 15, 10, 10], "callout": None, "others": []}, "the badge covers the control"),
    ({"target": [10, 10, 50, 20], "badge": [70, 10, 10, 10], "callout": None, "others": [[85, 10, 50, 20]]},
     "the badge could be read as another control's"),     # between two controls of one row, nearer the other
    ({"target": [10, 10, 50, 20], "badge": [20, 32, 10, 10], "callout": None, "others": [[10, 40, 50, 20]]},
     "the badge could be read as another control's"),     # under the control, on the next row
    ({"target": [10, 10, 50, 20], "badge": [190, 10, 20, 20], "callout": None, "others": []},
     "the badge is not wholly in the picture"),
])
def test_a_misplaced_annotation_is_seen(geometry, problem):
    entry = {"geometry": geometry, "width": 200, "height": 100}
    assert problem in annotation_problems(entry)
