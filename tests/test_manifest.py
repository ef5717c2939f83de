"""The manifest's format, its repair after a killed run, verified.json merging, and image files on disk."""

from __future__ import annotations

import io
import json
import os

import pytest
from PIL import Image, ImageDraw

from stepshot import imagefile
from stepshot.errors import BadInput
from stepshot.manifest import FIELDS, Manifest, image_key, record_verified, today


def png(color=(255, 255, 255), size=(64, 40), mark=None) -> bytes:
    image = Image.new("RGB", size, color)
    if mark:
        ImageDraw.Draw(image).rectangle(mark, fill=(10, 20, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def entry(key: str, data: bytes, **changes) -> dict:
    locale, viewport, name = key.removesuffix(".png").split("/")
    width, height = imagefile.dimensions(data)
    values = {"locale": locale, "viewport": viewport, "flow": "desktop", "step": name, "number": 1,
              "path": f"screenshots/{key}", "sha256": imagefile.sha256(data), "width": width, "height": height,
              "bytes": len(data), "source": "stand-in", "changed": "2026-01-02",
              "verified_labels": [{"key": "me_menu", "text": "Me"}], "tool_version": "0.1.0", "stale": False}
    return {**values, **changes}


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def put(manifest: Manifest, key: str, data: bytes, record: bool = True) -> None:
    imagefile.write_atomic(manifest.file(key), data)
    if record:
        manifest.update(key, entry(key, data))


def test_manifest_file_is_sorted_indented_and_ends_with_a_newline(shots):
    manifest = Manifest.load(shots / "manifest.json")
    put(manifest, "fr/mobile/b.png", png())
    put(manifest, "en/desktop/a.png", png(mark=[1, 1, 5, 5]))
    text = (shots / "manifest.json").read_text()
    data = json.loads(text)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert data["schema"] == 1 and list(data["images"]) == ["en/desktop/a.png", "fr/mobile/b.png"]
    assert set(data["images"]["en/desktop/a.png"]) == set(FIELDS)
    assert Manifest.load(shots / "manifest.json").images == manifest.images


def test_an_unchanged_update_does_not_rewrite_the_file(shots):
    manifest = Manifest.load(shots / "manifest.json")
    put(manifest, "en/desktop/a.png", png())
    path = shots / "manifest.json"
    os.utime(path, ns=(1, 1))
    manifest.update("en/desktop/a.png", entry("en/desktop/a.png", png()))
    assert path.stat().st_mtime_ns == 1
    manifest.mark_stale("en/desktop/a.png")
    assert path.stat().st_mtime_ns != 1 and json.loads(path.read_text())["images"]["en/desktop/a.png"]["stale"]


def test_reconcile_repairs_what_a_killed_run_leaves(shots):
    manifest = Manifest.load(shots / "manifest.json")
    for name in ("kept", "gone", "replaced"):
        put(manifest, f"en/desktop/{name}.png", png())
    (shots / "en/desktop/gone.png").unlink()                                  # entry without file
    newer = png(mark=[2, 2, 9, 9])
    imagefile.write_atomic(shots / "en/desktop/replaced.png", newer)         # file replaced, entry not yet
    put(manifest, "en/mobile/orphan.png", png(), record=False)               # file written, never recorded
    (shots / "en/desktop" / f"{imagefile.TEMP_PREFIX}abc").write_bytes(b"\x89PNG half")  # killed mid-write
    (shots / "labels").mkdir()
    (shots / "labels" / "notes.png").write_bytes(png())                      # not a screenshot: left alone

    repairs = Manifest.load(shots / "manifest.json").reconcile("2026-02-03")

    assert len(repairs) == 4, repairs
    reloaded = Manifest.load(shots / "manifest.json")
    assert sorted(reloaded.images) == ["en/desktop/kept.png", "en/desktop/replaced.png"]
    replaced = reloaded.images["en/desktop/replaced.png"]
    assert replaced["sha256"] == imagefile.sha256(newer) and replaced["bytes"] == len(newer)
    assert replaced["changed"] == "2026-02-03"
    assert not (shots / "en/mobile/orphan.png").exists()
    assert not list(shots.rglob(f"{imagefile.TEMP_PREFIX}*"))
    assert (shots / "labels" / "notes.png").exists()
    # consistent now: a second reconcile finds nothing to repair
    assert reloaded.reconcile("2026-02-04") == []


def test_manifest_with_another_schema_is_refused(shots):
    (shots / "manifest.json").write_text('{"schema": 2, "images": {}}\n')
    with pytest.raises(BadInput, match=r"manifest.json: schema: expected 1, got 2"):
        Manifest.load(shots / "manifest.json")


def test_manifest_entry_missing_a_field_is_refused(shots):
    data = entry("en/desktop/a.png", png())
    del data["sha256"]
    (shots / "manifest.json").write_text(json.dumps({"schema": 1, "images": {"en/desktop/a.png": data}}))
    with pytest.raises(BadInput, match=r"images.en/desktop/a.png: missing sha256"):
        Manifest.load(shots / "manifest.json")


def test_record_verified_merges_with_the_labels_check_wrote(shots):
    path = shots / "verified.json"
    labels = {"en": {"me_menu": {"text": "Me", "date": "2026-01-01", "base_url": "https://www.linkedin.com"}}}
    path.write_text(json.dumps({"labels": labels}))
    record_verified(path, {"en/desktop/a.png": {"date": "2026-01-05", "source": "stand-in"}})
    record_verified(path, {"en/mobile/b.png": {"date": "2026-01-06", "source": "stand-in"}})
    data = json.loads(path.read_text())
    assert data["labels"] == labels
    assert data["images"] == {"en/desktop/a.png": {"date": "2026-01-05", "source": "stand-in"},
                              "en/mobile/b.png": {"date": "2026-01-06", "source": "stand-in"}}


def test_today_can_be_fixed(monkeypatch):
    monkeypatch.setenv("STEPSHOT_TODAY", "2027-03-04")
    assert today() == "2027-03-04"
    monkeypatch.setenv("STEPSHOT_TODAY", "tomorrow")
    with pytest.raises(BadInput, match="STEPSHOT_TODAY: 'tomorrow' is not a date"):
        today()


def test_image_key_is_the_layout():
    assert image_key("pt-BR", "mobile", "open-settings") == "pt-BR/mobile/open-settings.png"


def test_optimize_is_lossless_and_smaller():
    raw = png(size=(300, 200), mark=[20, 30, 120, 90])
    small = imagefile.optimize(raw)
    assert len(small) < len(raw)
    assert Image.open(io.BytesIO(small)).convert("RGB").tobytes() == Image.open(io.BytesIO(raw)).convert("RGB").tobytes()


def test_write_atomic_replaces_whole_files_and_sets_the_mode(tmp_path):
    path = tmp_path / "deep" / "file.bin"
    imagefile.write_atomic(path, b"first")
    imagefile.write_atomic(path, b"second", mode=0o600)
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file.bin"]
