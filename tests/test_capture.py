"""`stepshot capture` end to end: real Chromium, real stand-in, a temporary copy of the repository.

One full capture of every locale and viewport runs once for the module; the other tests work on it
or on copies of it, so the committed screenshots are never touched.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from stepshot import __version__, capture, imagefile
from stepshot.browser import VIEWPORTS
from stepshot.locales import LOCALES
from stepshot.manifest import Manifest
from stepshot.model import load_project
from stepshot.standin.account import TEST_ACCOUNT
from stepshot.standin.variants import RENAMED_KEY, labels_shown

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-30"
STEPSHOT = [sys.executable, "-m", "stepshot.cli"]
ACCOUNT_STRINGS = [TEST_ACCOUNT.name, TEST_ACCOUNT.headline, TEST_ACCOUNT.email, TEST_ACCOUNT.photo_path]


def copy_repo(destination: Path) -> Path:
    """The inputs capture reads (flow, labels, persona) and whatever screenshots exist, nothing else."""
    source = ROOT / "screenshots"
    (destination / "screenshots").mkdir(parents=True)
    for name in ("flow.yml", "persona.yml"):
        shutil.copy2(source / name, destination / "screenshots" / name)
    shutil.copytree(source / "labels", destination / "screenshots" / "labels")
    return destination


def copy_captured(captured_root: Path, destination: Path) -> Path:
    shutil.copytree(captured_root / "screenshots", destination / "screenshots")
    return destination


def hashes(root: Path) -> dict[str, str]:
    folder = root / "screenshots"
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def image_hashes(root: Path) -> dict[str, str]:
    return {k: v for k, v in hashes(root).items() if k.endswith(".png")}


def run_cli(root: Path, *args: str, today: str = TODAY, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "STEPSHOT_ROOT": str(root), "STEPSHOT_TODAY": today}
    return subprocess.run([*STEPSHOT, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=root)


def report(root: Path) -> dict:
    return json.loads((root / "build" / "stepshot" / "capture.json").read_text())


def consistent(root: Path) -> list[str]:
    """Every problem between the manifest and the image files (empty: consistent)."""
    manifest = Manifest.load(root / "screenshots" / "manifest.json")
    problems = []
    for key, entry in manifest.images.items():
        file = manifest.file(key)
        if not file.is_file():
            problems.append(f"{key}: missing")
        elif imagefile.sha256(file.read_bytes()) != entry["sha256"]:
            problems.append(f"{key}: sha256 differs")
    for file in manifest._image_files():
        if file.relative_to(manifest.screenshots_dir).as_posix() not in manifest.images:
            problems.append(f"{file}: no entry")
    return problems


@dataclass
class Observed:
    """What the tests saw in the page around each shot (filled from capture's observe hook)."""

    before: dict[str, set[str]] = field(default_factory=dict)    # key -> account strings present pre-redaction
    leaks: dict[str, set[str]] = field(default_factory=dict)     # key -> account strings present at capture
    geometry: dict[str, dict] = field(default_factory=dict)      # key -> target box and overlay parts
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, phase: str, ctx) -> None:
        key = f"{ctx.locale}/{ctx.viewport}/{ctx.step.id}.png"
        content = "\n".join(frame.content() for frame in ctx.page.frames)
        present = {s for s in ACCOUNT_STRINGS if s in content}
        with self.lock:
            if phase == "before-redaction":
                self.before[key] = present
                return
            self.leaks[key] = present
        parts = ctx.page.evaluate("""id => Object.fromEntries([...document.querySelectorAll(`#${id} [data-part]`)]
            .map(el => { const r = el.getBoundingClientRect();
                         return [el.dataset.part, {x: r.x, y: r.y, width: r.width, height: r.height}]; }))""",
                                  "stepshot-annotation")
        with self.lock:
            self.geometry[key] = {"target": ctx.target.bounding_box(), "viewport": ctx.page.viewport_size, **parts}


@dataclass
class Captured:
    root: Path
    report: capture.CaptureReport
    observed: Observed
    seconds: float


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("STEPSHOT_TODAY", TODAY)
    root = copy_repo(tmp_path_factory.mktemp("captured"))
    project = load_project(root / "screenshots" / "flow.yml", root / "screenshots" / "labels")
    observed = Observed()
    t0 = time.monotonic()
    result = capture.run_capture("stand-in", project, capture.CaptureOptions(locales=list(LOCALES), workers=4),
                                 root=root, observe=observed, progress=capture.Progress(0, io.StringIO()))
    seconds = time.monotonic() - t0
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    (root / ".gitignore").write_text("build/\n")
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "first capture"], cwd=root, check=True)
    yield Captured(root, result, observed, seconds)
    monkeypatch.undo()


def expected_keys() -> set[str]:
    project = load_project(ROOT / "screenshots" / "flow.yml", ROOT / "screenshots" / "labels")
    return {f"{locale}/{viewport}/{step.id}.png" for locale in LOCALES for flow in project.flow.flows
            for viewport in flow.viewports for step in flow.steps}


def test_full_capture_writes_one_image_per_locale_viewport_and_step(captured):
    keys = expected_keys()
    assert len(keys) == len(LOCALES) * 22
    assert {i.key for i in captured.report.images} == keys
    assert captured.report.counts()["new"] == len(keys), captured.report.counts()
    assert captured.report.exit_code == 0
    manifest = json.loads((captured.root / "screenshots" / "manifest.json").read_text())
    assert manifest["schema"] == 1 and set(manifest["images"]) == keys
    assert consistent(captured.root) == []
    for key, entry in manifest["images"].items():
        locale, viewport, step = key.removesuffix(".png").split("/")
        vp = VIEWPORTS[viewport]
        assert (entry["locale"], entry["viewport"], entry["step"]) == (locale, viewport, step)
        assert entry["path"] == f"screenshots/{key}"
        assert (entry["width"], entry["height"]) == (vp.width * vp.scale, vp.height * vp.scale)
        assert entry["source"] == "stand-in" and entry["changed"] == TODAY
        assert entry["tool_version"] == __version__ and entry["stale"] is False
        assert entry["verified_labels"], key
        with Image.open(captured.root / entry["path"]) as image:
            assert image.size == (entry["width"], entry["height"])
    sizes = [e["bytes"] for e in manifest["images"].values()]
    assert statistics.median(sizes) < 80_000
    verified = json.loads((captured.root / "screenshots" / "verified.json").read_text())
    assert set(verified["images"]) == keys
    assert {v["date"] for v in verified["images"].values()} == {TODAY}
    print(f"full capture: {len(keys)} images in {captured.seconds:.0f} s, median {statistics.median(sizes):.0f} B")


def test_verified_labels_name_what_the_step_found(captured):
    manifest = Manifest.load(captured.root / "screenshots" / "manifest.json")
    entry = manifest.images["fr/desktop/open-ai-setting.png"]
    keys = [label["key"] for label in entry["verified_labels"]]
    assert {"ai_setting", "how_linkedin_uses_data"} <= set(keys)
    project = load_project(ROOT / "screenshots" / "flow.yml", ROOT / "screenshots" / "labels")
    assert {label["text"] for label in entry["verified_labels"]} >= {project.text("fr", "ai_setting")}


def test_no_personal_data_in_any_frame_at_capture_time(captured):
    observed = captured.observed
    assert set(observed.leaks) == expected_keys()
    leaks = {key: found for key, found in observed.leaks.items() if found}
    assert leaks == {}
    # positive control: the stand-in does show the account's data before redaction
    seen_before = set().union(*observed.before.values())
    assert seen_before == set(ACCOUNT_STRINGS)


def test_rtl_annotation_sits_on_the_control_and_is_mirrored(captured):
    geometry = captured.observed.geometry

    def inside(outer, inner):
        return outer["x"] <= inner["x"] + 0.5 and outer["y"] <= inner["y"] + 0.5 and \
            outer["x"] + outer["width"] >= inner["x"] + inner["width"] - 0.5 and \
            outer["y"] + outer["height"] >= inner["y"] + inner["height"] - 0.5

    ar = geometry["ar/desktop/open-data-privacy.png"]
    assert inside(ar["outline"], ar["target"])
    def centre(r):
        return r["x"] + r["width"] / 2

    # Beside the link the badge would cover text in both locales, so it sits at one end of the outline,
    # above or below it: its left end in right-to-left Arabic, mirrored to the right end in English.
    assert centre(ar["badge"]) < centre(ar["target"]) and ar["badge"]["x"] <= ar["outline"]["x"] + 1
    en = geometry["en/desktop/open-data-privacy.png"]
    assert centre(en["badge"]) > centre(en["target"]) and \
        en["badge"]["x"] + en["badge"]["width"] >= en["outline"]["x"] + en["outline"]["width"] - 1

    for key, g in geometry.items():
        viewport = {"x": 0, "y": 0, **g["viewport"]}
        visible_target = {"x": max(g["target"]["x"], 0), "y": g["target"]["y"],
                          "width": min(g["target"]["width"], viewport["width"]), "height": g["target"]["height"]}
        assert inside(g["outline"], visible_target), key
        for part in ("badge", "callout"):
            if part in g:
                assert inside(viewport, g[part]), (key, part)
                r, t = g[part], g["target"]
                assert not (r["x"] < t["x"] + t["width"] and t["x"] < r["x"] + r["width"] and
                            r["y"] < t["y"] + t["height"] and t["y"] < r["y"] + r["height"]), (key, part)


def test_second_run_changes_no_byte(captured):
    before = hashes(captured.root)
    result = run_cli(captured.root, "capture")
    assert result.returncode == 0, result.stderr
    total = len(expected_keys())
    assert f"[{total}/{total}]" in result.stdout          # plain progress lines when not a terminal
    assert re.search(rf"^capture: {total} unchanged; median image \d+(\.\d)? KB; \d+ s$", result.stdout, re.M)
    assert hashes(captured.root) == before
    status = subprocess.run(["git", "status", "--porcelain"], cwd=captured.root, capture_output=True, text=True)
    assert status.stdout == ""
    summary = report(captured.root)["summary"]
    assert summary["unchanged"] == total and summary["changed"] == summary["new"] == summary["broken"] == 0


def test_label_renamed_is_drift_and_keeps_every_image(captured, tmp_path):
    root = copy_captured(captured.root, tmp_path)
    before = image_hashes(root)
    result = run_cli(root, "capture", "--target", "stand-in:label-renamed", "--locale", "en")
    assert result.returncode == 1, result.stdout + result.stderr
    assert image_hashes(root) == before
    assert consistent(root) == []

    manifest = Manifest.load(root / "screenshots" / "manifest.json")
    for viewport, step, later in (("desktop", "open-ai-setting", "confirm-ai-off"),
                                  ("mobile", "mobile-open-ai-setting", "mobile-confirm-ai-off")):
        assert manifest.images[f"en/{viewport}/{step}.png"]["stale"] is True
        assert manifest.images[f"en/{viewport}/{later}.png"]["stale"] is True
    assert manifest.images["en/desktop/open-data-privacy.png"]["stale"] is False
    assert manifest.images["fr/desktop/open-ai-setting.png"]["stale"] is False  # not walked this run

    project = load_project(root / "screenshots" / "flow.yml", root / "screenshots" / "labels")
    renamed = labels_shown(project, "label-renamed")["en"][RENAMED_KEY]
    data = report(root)
    assert data["summary"]["broken"] == 2 and data["summary"]["skipped"] == 4
    broken = {i["key"]: i for i in data["images"] if i["status"] == "broken"}
    assert set(broken) == {"en/desktop/open-ai-setting.png", "en/mobile/mobile-open-ai-setting.png"}
    en = broken["en/desktop/open-ai-setting.png"]
    assert en["label_key"] == RENAMED_KEY and en["suggestions"][0]["text"] == renamed
    for name in ("failure", "trace"):
        artifact = root / en["artifacts"][name]
        assert artifact.is_file() and artifact.stat().st_size > 0
        assert "screenshots" not in artifact.relative_to(root).parts
    # The research step passes but its page shows the reworded link: a change, held back with its locale.
    research = next(i for i in data["images"] if i["key"] == "en/desktop/research-open-setting.png")
    assert research["status"] == "changed" and research["held"] is True and research["stale"] is True
    markdown = (root / "build" / "stepshot" / "capture.md").read_text()
    assert "`open-ai-setting`" in markdown and renamed in markdown
    assert "held back" in markdown


@pytest.mark.parametrize("variant,reason", [("checkpoint", "checkpoint"), ("logged-out", "login-required")])
def test_unusable_target_exits_3_and_keeps_the_images(captured, tmp_path, variant, reason):
    root = copy_captured(captured.root, tmp_path)
    before = hashes(root)
    result = run_cli(root, "capture", "--target", f"stand-in:{variant}", "--locale", "en", "--viewport", "desktop")
    assert result.returncode == 3, result.stdout + result.stderr
    assert f"target unusable ({reason})" in result.stderr
    assert hashes(root) == before
    data = report(root)
    assert data["unusable"]["reason"] == reason and data["exit_code"] == 3
    traces = list((root / "build" / "stepshot" / "artifacts").rglob("*.trace.zip"))
    assert traces


def test_a_changed_page_is_reported_with_its_diff(captured, tmp_path):
    root = copy_captured(captured.root, tmp_path)
    before = image_hashes(root)
    result = run_cli(root, "capture", "--target", "stand-in:restyled", "--locale", "de", "--viewport", "desktop",
                     "--step", "open-data-privacy", "--step", "open-settings", today="2026-12-01")
    assert result.returncode == 0, result.stdout + result.stderr
    data = report(root)
    assert data["summary"]["changed"] == 2
    after = image_hashes(root)
    changed_keys = {k for k in after if after[k] != before[k]}
    assert changed_keys == {"de/desktop/open-data-privacy.png", "de/desktop/open-settings.png"}
    image = next(i for i in data["images"] if i["key"] == "de/desktop/open-data-privacy.png")
    assert 0 < image["share"] <= 1 and len(image["bbox"]) == 4
    for name in ("before", "after", "diff"):
        assert (root / image["artifacts"][name]).is_file()
    assert (root / image["artifacts"]["before"]).read_bytes() == \
        (captured.root / "screenshots/de/desktop/open-data-privacy.png").read_bytes()
    entry = Manifest.load(root / "screenshots" / "manifest.json").images["de/desktop/open-data-privacy.png"]
    assert entry["changed"] == "2026-12-01" and entry["sha256"] == after["de/desktop/open-data-privacy.png"]
    assert consistent(root) == []
    assert "## Changed (2)" in (root / "build" / "stepshot" / "capture.md").read_text()


def test_a_run_killed_midway_leaves_a_consistent_manifest(captured, tmp_path):
    root = copy_captured(captured.root, tmp_path)
    before = image_hashes(root)
    env = {**os.environ, "STEPSHOT_ROOT": str(root), "STEPSHOT_TODAY": TODAY}
    process = subprocess.Popen([*STEPSHOT, "capture", "--target", "stand-in:restyled", "--locale", "en",
                                "--viewport", "desktop"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=root)
    reported = []
    try:
        for line in process.stdout:
            if line.startswith("  wrote "):
                reported.append(line.split()[1])
                if len(reported) == 3:
                    process.send_signal(signal.SIGKILL)  # somewhere inside the next image's writes
                    break
    finally:
        process.kill()
        process.wait(timeout=30)
    assert len(reported) == 3, "the run ended before three images were written"
    assert process.returncode == -signal.SIGKILL

    # Right after the kill: every image file is whole, the manifest is whole, and it describes every
    # file on disk except at most the one image being replaced at the moment of the kill.
    for file in (root / "screenshots").rglob("*.png"):
        with Image.open(file) as image:
            image.load()
    assert len(consistent(root)) <= 1, consistent(root)
    manifest = Manifest.load(root / "screenshots" / "manifest.json")
    for key in reported:  # what was reported written is recorded
        assert manifest.images[key]["sha256"] == imagefile.sha256((root / "screenshots" / key).read_bytes())
        assert image_hashes(root)[key] != before[key]

    # The next run's first act repairs whatever was in flight.
    manifest.reconcile(TODAY)
    assert consistent(root) == []
    assert not list((root / "screenshots").rglob(f"{imagefile.TEMP_PREFIX}*"))


def test_bad_options_exit_2_with_one_line(tmp_path):
    root = copy_repo(tmp_path)
    result = run_cli(root, "capture", "--step", "no-such-step", "--locale", "en")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--step: no-such-step: unknown step" in result.stderr
    result = run_cli(root, "capture", "--threshold", "2")
    assert result.returncode == 2 and "must be between 0 and 1" in result.stderr


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    image = capture.ImageResult(key="en/desktop/open-settings.png", locale="en", viewport="desktop",
                                flow="desktop", step="open-settings", number=2, status="unchanged", path="x")
    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        progress = capture.Progress(4, stream)
        progress.image(image)
        progress.image(image)
        progress.finish()
    assert "\r[" in terminal.getvalue() and "#" * 15 + "." * 15 in terminal.getvalue()
    assert terminal.getvalue().count("\n") == 1
    assert log.getvalue() == "[1/4] en/desktop/open-settings.png: unchanged\n" \
                             "[2/4] en/desktop/open-settings.png: unchanged\n"
