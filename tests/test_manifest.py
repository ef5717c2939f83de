"""The manifest's format, its repair after a killed run, verified.json merging, and image files on disk."""

from __future__ import annotations

import io
import json
import os

import pytest
from PIL import Image, ImageDraw

from conftest import ROOT
from stepshot import imagefile, verified
from stepshot.errors import BadInput, CannotWrite
from stepshot.files import TEMP_PREFIX, write_atomic
from stepshot.manifest import FIELDS, Manifest, image_key
from stepshot.settings import Settings


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
              "verified_labels": [{"key": "me_menu", "text": "Me"}], "tool_version": "0.1.0", "stale": False,
              "text_px": 14.0, "geometry": {"target": [1, 1, 5, 5], "badge": [8, 1, 6, 6], "callout": None,
                                            "others": []}}
    return {**values, **changes}


@pytest.fixture
def shots(tmp_path):
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


def put(manifest: Manifest, key: str, data: bytes, record: bool = True) -> None:
    write_atomic(manifest.file(key), data)
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
    assert data["schema"] == 2 and list(data["images"]) == ["en/desktop/a.png", "fr/mobile/b.png"]
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


def test_a_batch_saves_once_at_its_end_even_when_it_fails(shots):
    manifest = Manifest.load(shots / "manifest.json")
    path = shots / "manifest.json"
    with manifest.batch():
        put(manifest, "en/desktop/a.png", png())
        put(manifest, "en/desktop/b.png", png(mark=[1, 1, 5, 5]))
        assert not path.exists()
    assert set(json.loads(path.read_text())["images"]) == {"en/desktop/a.png", "en/desktop/b.png"}
    with pytest.raises(OSError):
        with manifest.batch():
            manifest.mark_stale("en/desktop/a.png")
            raise OSError("disk full")
    assert json.loads(path.read_text())["images"]["en/desktop/a.png"]["stale"]  # what was done is recorded
    os.utime(path, ns=(1, 1))
    with manifest.batch():
        manifest.update("en/desktop/b.png", entry("en/desktop/b.png", png(mark=[1, 1, 5, 5])))
    assert path.stat().st_mtime_ns == 1  # nothing changed: no write
    put(manifest, "en/desktop/c.png", png())
    assert "en/desktop/c.png" in json.loads(path.read_text())["images"]  # outside a batch: written at once


def test_reconcile_repairs_what_a_killed_run_leaves(shots):
    manifest = Manifest.load(shots / "manifest.json")
    for name in ("kept", "gone", "replaced"):
        put(manifest, f"en/desktop/{name}.png", png())
    (shots / "en/desktop/gone.png").unlink()                                  # entry without file
    newer = png(mark=[2, 2, 9, 9])
    write_atomic(shots / "en/desktop/replaced.png", newer)         # file replaced, entry not yet
    put(manifest, "en/mobile/orphan.png", png(), record=False)               # file written, never recorded
    (shots / "en/desktop" / f"{TEMP_PREFIX}abc").write_bytes(b"\x89PNG half")  # killed mid-write
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
    assert not list(shots.rglob(f"{TEMP_PREFIX}*"))
    assert (shots / "labels" / "notes.png").exists()
    # consistent now: a second reconcile finds nothing to repair
    assert reloaded.reconcile("2026-02-04") == []


def test_manifest_with_another_schema_is_refused(shots):
    (shots / "manifest.json").write_text('{"schema": 1, "images": {}}\n')
    with pytest.raises(BadInput, match=r"manifest.json: schema: expected 2, got 1"):
        Manifest.load(shots / "manifest.json")


BAD_MANIFESTS = {
    "missing field": ({"sha256": None}, "images.en/desktop/a.png: missing sha256"),
    "extra field": ({"colour": "red"}, "images.en/desktop/a.png: unknown key colour"),
    "width not a number": ({"width": '"><script>'}, "images.en/desktop/a.png.width: expected int"),
    "height a boolean": ({"height": True}, "images.en/desktop/a.png.height: expected int"),
    "not a digest": ({"sha256": "abc"}, "images.en/desktop/a.png.sha256: not a SHA-256 hex digest"),
    "path elsewhere": ({"path": "screenshots/../../etc/passwd"}, "images.en/desktop/a.png.path: must be screenshots/"),
}


@pytest.mark.parametrize(("change", "message"), BAD_MANIFESTS.values(), ids=BAD_MANIFESTS.keys())
def test_a_wrongly_shaped_entry_is_one_line_before_anything_runs(shots, change, message):
    data = entry("en/desktop/a.png", png())
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    (shots / "manifest.json").write_text(json.dumps({"schema": 2, "images": {"en/desktop/a.png": data}}))
    with pytest.raises(BadInput) as exc:
        Manifest.load(shots / "manifest.json")
    assert len(exc.value.lines) == 1 and message in exc.value.lines[0]


@pytest.mark.parametrize("key", ["../../outside.png", "en/desktop/../../../x.png", "xx/desktop/a.png",
                                 "en/tablet/a.png", "en/desktop/A_B.png", "/abs/en/desktop/a.png"])
def test_a_key_that_is_no_image_of_ours_is_refused(shots, key):
    (shots / "manifest.json").write_text(json.dumps({"schema": 2, "images": {key: entry("en/desktop/a.png", png())}}))
    with pytest.raises(BadInput, match="not an image key"):
        Manifest.load(shots / "manifest.json")


def test_an_image_that_is_a_symlink_out_of_the_folder_is_no_image(shots, tmp_path):
    manifest = Manifest.load(shots / "manifest.json")
    put(manifest, "en/desktop/a.png", png())
    (shots / "en" / "desktop" / "a.png").unlink()
    outside = tmp_path / "secret.png"
    outside.write_bytes(png())
    (shots / "en" / "desktop" / "a.png").symlink_to(outside)
    with pytest.raises(BadInput, match="leads outside"):
        manifest.file("en/desktop/a.png")


def test_not_json_and_not_utf8_are_one_line(shots):
    (shots / "manifest.json").write_bytes(b"\xff\xfe{")
    with pytest.raises(BadInput, match=r"manifest.json: \(file\): not UTF-8 text"):
        Manifest.load(shots / "manifest.json")
    (shots / "manifest.json").write_text("[1, 2]")
    with pytest.raises(BadInput, match=r"manifest.json: \(top\): expected an object"):
        Manifest.load(shots / "manifest.json")


def test_verified_images_merge_with_the_labels_check_wrote(shots):
    path = shots / "verified.json"
    labels = {"en": {"me_menu": {"text": "Me", "date": "2026-01-01", "base_url": "https://www.linkedin.com"}}}
    path.write_text(json.dumps({"labels": labels}))
    verified.record_images(path, {"en/desktop/a.png": {"date": "2026-01-05", "source": "stand-in"}})
    verified.record_images(path, {"en/mobile/b.png": {"date": "2026-01-06", "source": "stand-in"}})
    data = json.loads(path.read_text())
    assert data["labels"] == labels
    assert data["images"] == {"en/desktop/a.png": {"date": "2026-01-05", "source": "stand-in"},
                              "en/mobile/b.png": {"date": "2026-01-06", "source": "stand-in"}}


@pytest.mark.parametrize("text, message", [
    ('{"labels": {"en": {"me_menu": {"text": "Me"}}}}', "labels.en.me_menu: expected an object with base_url, date, text"),
    ('{"images": {"a": "b"}}', "images.a: expected an object with date, source"),
    ('{"other": 1}', "other: unknown key (expected labels, images)"),
])
def test_a_wrongly_shaped_verified_json_is_one_line(shots, text, message):
    (shots / "verified.json").write_text(text)
    with pytest.raises(BadInput) as exc:
        verified.load(shots / "verified.json")
    assert exc.value.lines == [f"{shots / 'verified.json'}: {message}"]


def test_today_can_be_fixed():
    assert Settings.from_environ({"STEPSHOT_TODAY": "2027-03-04"}).date() == "2027-03-04"
    for bad in ("tomorrow", "20270304", "2027-02-30"):
        with pytest.raises(BadInput, match=f"STEPSHOT_TODAY: '{bad}' is not a date"):
            Settings.from_environ({"STEPSHOT_TODAY": bad})


def test_image_key_is_the_layout():
    assert image_key("pt-BR", "mobile", "open-settings") == "pt-BR/mobile/open-settings.png"


def test_optimize_is_lossless_and_smaller():
    raw = png(size=(300, 200), mark=[20, 30, 120, 90])
    small = imagefile.optimize(raw)
    assert len(small) < len(raw)
    assert Image.open(io.BytesIO(small)).convert("RGB").tobytes() == Image.open(io.BytesIO(raw)).convert("RGB").tobytes()


def test_the_optimisation_beats_oxipng_level_0_on_the_guide_s_pictures():
    """The settings were chosen for being smaller than oxipng's level 0 (and cheaper: BENCHMARKS.md) on
    interface pictures: the English ones, as a fast PNG encoder writes them, like Chromium's."""
    raws = []
    for path in sorted((ROOT / "screenshots" / "en").glob("*/*.png")):
        buffer = io.BytesIO()
        with Image.open(path) as image:
            image.convert("RGB").save(buffer, "PNG", compress_level=1)
        raws.append(buffer.getvalue())
    assert len(raws) >= 20
    ours = sum(len(imagefile.optimize(raw)) for raw in raws)
    assert ours < sum(len(imagefile.optimize(raw, {"level": 0})) for raw in raws)


def test_write_atomic_replaces_whole_files_and_sets_the_mode(tmp_path):
    path = tmp_path / "deep" / "file.bin"
    write_atomic(path, b"first")
    write_atomic(path, b"second", mode=0o600)
    assert path.read_bytes() == b"second"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["file.bin"]


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "file.bin"
    write_atomic(path, b"old")

    def killed(src, dst):
        raise KeyboardInterrupt  # between the temp file's write and its rename

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, b"new")
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_a_manifest_save_interrupted_before_its_rename_leaves_the_old_manifest(shots, monkeypatch):
    manifest = Manifest.load(shots / "manifest.json")
    put(manifest, "en/desktop/a.png", png())
    before = (shots / "manifest.json").read_bytes()

    def killed(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)  # the new manifest is written, the rename never happens
    with pytest.raises(KeyboardInterrupt):
        manifest.update("en/desktop/a.png", entry("en/desktop/a.png", png(), changed="2026-02-03"))
    monkeypatch.undo()
    assert (shots / "manifest.json").read_bytes() == before


def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "file.bin"
    write_atomic(path, b"old")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)  # the data does not fit on the disk when it is flushed
    with pytest.raises(CannotWrite, match=r"file.bin: \(file\): cannot write: No space left on device"):
        write_atomic(path, b"new" * 1000)
    monkeypatch.undo()
    assert path.read_bytes() == b"old"
