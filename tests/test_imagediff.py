"""imagediff: anti-aliasing noise is ignored, a real change is found with its bounding box."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from stepshot import imagediff

SCALE = 4  # shapes are drawn 4x larger and scaled down by area averaging: true anti-aliased edges


def scene(shift: float = 0.0, size=(160, 90)) -> Image.Image:
    """A disc and a 3 px diagonal stroke, apart; `shift` moves both by a fraction of a pixel."""
    big = Image.new("RGB", (size[0] * SCALE, size[1] * SCALE), "white")
    draw = ImageDraw.Draw(big)
    cx, cy, r = (40 + shift) * SCALE, 45 * SCALE, 22 * SCALE
    draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(20, 40, 160))
    draw.line([((90 + shift) * SCALE, 80 * SCALE), ((150 + shift) * SCALE, 10 * SCALE)], fill="black", width=3 * SCALE)
    return big.resize(size, Image.BOX)


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_identical_images_have_no_change():
    diff, pixel_map = imagediff.compare(png(scene()), png(scene()))
    assert not diff.changed
    assert diff.changed_pixels == 0 and diff.bbox is None and diff.share == 0
    assert not pixel_map.any()


def test_anti_aliasing_noise_is_ignored():
    before, after = scene(), scene(shift=0.25)
    # positive control: the edges really differ, and by more than the colour threshold
    assert before.tobytes() != after.tobytes()
    diff, pixel_map = imagediff.compare(before, after)
    assert diff.antialiased_pixels > 20
    assert not diff.changed, diff
    assert (pixel_map == 1).sum() == diff.antialiased_pixels


def test_a_real_change_is_found_with_its_bounding_box():
    before = scene()
    after = before.copy()
    ImageDraw.Draw(after).rectangle([100, 5, 111, 12], fill=(200, 30, 30))  # 12 x 8 px, clear of the shapes
    diff, pixel_map = imagediff.compare(png(before), png(after))
    assert diff.changed
    assert diff.bbox == (100, 5, 112, 13)
    assert diff.changed_pixels == 12 * 8
    assert diff.share == pytest.approx(96 / (160 * 90))
    assert (pixel_map == 2).sum() == 96


def test_a_moved_text_block_counts_as_changed_not_as_anti_aliasing():
    before, after = Image.new("RGB", (120, 40), "white"), Image.new("RGB", (120, 40), "white")
    ImageDraw.Draw(before).text((10, 10), "Data privacy", fill="black")
    ImageDraw.Draw(after).text((10, 10), "Data privacy!", fill="black")
    diff, _ = imagediff.compare(before, after)
    assert diff.changed
    left, top, right, bottom = diff.bbox
    assert left >= 60 and right <= 120  # only the added "!" region, not the unchanged words


def test_threshold_decides_what_a_faint_change_is():
    before = Image.new("RGB", (50, 50), (255, 255, 255))
    after = Image.new("RGB", (50, 50), (255, 255, 255))
    ImageDraw.Draw(after).rectangle([10, 10, 29, 29], fill=(240, 240, 240))  # a faint grey square
    assert not imagediff.compare(before, after, threshold=0.1)[0].changed
    strict = imagediff.compare(before, after, threshold=0.01)[0]
    assert strict.changed and strict.bbox == (10, 10, 30, 30)


def test_a_different_size_is_a_full_change():
    diff, _ = imagediff.compare(scene(size=(160, 90)), scene(size=(160, 100)))
    assert diff.size_changed and diff.changed and diff.share == 1.0
    assert diff.bbox == (0, 0, 160, 100)


def test_threshold_out_of_range_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        imagediff.compare(scene(), scene(), threshold=1.5)


def test_diff_image_marks_changes_red_and_anti_aliasing_yellow():
    before, after = scene(), scene(shift=0.25)
    ImageDraw.Draw(after).rectangle([100, 5, 111, 12], fill=(200, 30, 30))
    _, pixel_map = imagediff.compare(before, after)
    out = imagediff.diff_image(after, pixel_map)
    assert out.size == after.size
    assert out.getpixel((105, 8)) == (255, 0, 0)
    yellow = [(x, y) for y in range(90) for x in range(160) if pixel_map[y, x] == 1]
    assert yellow and out.getpixel(yellow[0]) == (255, 255, 0)
    assert out.getpixel((5, 85)) == (255, 255, 255)  # unchanged white stays white
