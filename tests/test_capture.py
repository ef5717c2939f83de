"""`stepshot capture` end to end: real Chromium, the linkedin-markup stand-in, a sandbox checkout.

One full capture of every locale and viewport runs once for the module; the other tests work on it or on
copies of it, so the committed screenshots are never touched.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from conftest import REPO, in_browser, make_checkout, run_cli
from stepshot import __version__, capture, frames, imagefile, photocheck
from stepshot.annotate import OVERLAY_ID
from stepshot.checkout import Checkout
from stepshot.files import TEMP_PREFIX
from stepshot.locales import LOCALES, VIEWPORTS
from stepshot.manifest import Manifest
from stepshot.run import Progress
from stepshot.settings import Settings
from stepshot.standin.accounts import TEST_ACCOUNTS
from stepshot.standin.variants import CHANGED_KEY, labels_shown

TODAY = "2026-11-30"
SETTINGS = Settings(today=TODAY)
ACCOUNT_TEXTS = [text for a in TEST_ACCOUNTS for text in (a.name, a.headline, a.email)]


def hashes(checkout: Checkout) -> dict[str, str]:
    return {p.relative_to(checkout.screenshots).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(checkout.screenshots.rglob("*")) if p.is_file()}


def image_hashes(checkout: Checkout) -> dict[str, str]:
    return {k: v for k, v in hashes(checkout).items() if k.endswith(".png")}


def report(checkout: Checkout) -> dict:
    return json.loads((checkout.reports / "capture.json").read_text())


def consistent(checkout: Checkout) -> list[str]:
    """Every problem between the manifest and the image files (empty: consistent)."""
    manifest = Manifest.load(checkout.manifest_file)
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
    """What the tests saw in the page at each shot (capture's observe hook), and what the server sent."""

    leaks: dict[str, set[str]] = field(default_factory=dict)     # key -> account texts in the page at capture
    sent: dict[str, bool] = field(default_factory=dict)          # key -> the server's own HTML named the member
    direction: dict[str, str] = field(default_factory=dict)      # key -> the annotation's writing direction
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, phase: str, ctx) -> None:
        if phase != "at-capture":
            return
        key = f"{ctx.locale}/{ctx.viewport}/{ctx.step.id}.png"
        content = "\n".join([await frame.content() for frame in ctx.page.frames])
        # The positive control: the page as the server sent it does name the member.
        raw = await ctx.page.evaluate("async () => (await fetch(location.href)).text()")
        direction = await ctx.page.evaluate(f"document.getElementById('{OVERLAY_ID}').dir")
        with self.lock:
            self.direction[key] = direction
            self.leaks[key] = {text for text in ACCOUNT_TEXTS if text in content}
            self.sent[key] = any(text in raw for text in ACCOUNT_TEXTS)


@dataclass
class Captured:
    checkout: Checkout
    report: capture.CaptureReport
    observed: Observed


def commit_all(checkout: Checkout) -> None:
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=checkout.root, check=True)
    (checkout.root / ".gitignore").write_text("build/\n")
    subprocess.run([*git, "add", "-A"], cwd=checkout.root, check=True)
    subprocess.run([*git, "commit", "-qm", "capture"], cwd=checkout.root, check=True)


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    checkout = make_checkout(tmp_path_factory.mktemp("captured"), settings=SETTINGS, link=False)
    observed = Observed()
    result = capture.run_capture(checkout, "stand-in", checkout.project(),
                                 capture.CaptureOptions(locales=list(LOCALES)),
                                 progress=Progress(io.StringIO()), observe=observed)
    commit_all(checkout)
    return Captured(checkout, result, observed)


def copy_of(captured: Captured, folder: Path, settings: Settings = SETTINGS) -> Checkout:
    shutil.copytree(captured.checkout.root, folder, symlinks=True, ignore=shutil.ignore_patterns("build"))
    return Checkout(folder.resolve(), settings)


def expected_keys() -> set[str]:
    project = REPO.project()
    return {f"{locale}/{viewport}/{step.id}.png" for locale in LOCALES for flow in project.flow.flows
            for viewport in flow.viewports for step in flow.steps}


def test_full_capture_writes_one_image_per_locale_viewport_and_step(captured):
    keys = expected_keys()
    assert len(keys) == len(LOCALES) * 22
    assert {i.key for i in captured.report.images} == keys
    assert captured.report.counts()["new"] == len(keys), captured.report.counts()
    assert captured.report.exit_code == 0
    manifest = json.loads(captured.checkout.manifest_file.read_text())
    assert manifest["schema"] == 2 and set(manifest["images"]) == keys
    assert consistent(captured.checkout) == []
    for key, entry in manifest["images"].items():
        locale, viewport, step = key.removesuffix(".png").split("/")
        vp = VIEWPORTS[viewport]
        assert (entry["locale"], entry["viewport"], entry["step"]) == (locale, viewport, step)
        assert entry["path"] == f"screenshots/{key}"
        assert entry["width"] <= vp.width * vp.scale and entry["height"] > 0
        assert entry["source"] == "stand-in" and entry["changed"] == TODAY
        assert entry["tool_version"] == __version__ and entry["stale"] is False
        assert entry["verified_labels"] and entry["text_px"] >= 11, key
        assert set(entry["geometry"]) == {"target", "badge", "callout", "others"}
        with Image.open(captured.checkout.root / entry["path"]) as image:
            assert image.size == (entry["width"], entry["height"])
    sizes = [e["bytes"] for e in manifest["images"].values()]
    assert statistics.median(sizes) < 80_000 and max(sizes) <= 120_000
    verified = json.loads(captured.checkout.verified_file.read_text())
    assert set(verified["images"]) == keys and {v["date"] for v in verified["images"].values()} == {TODAY}


def test_no_personal_data_in_any_frame_at_capture_time(captured):
    observed = captured.observed
    assert set(observed.leaks) == expected_keys()
    assert {key: found for key, found in observed.leaks.items() if found} == {}
    # The positive control: on the pages with the member's card or photo, the server did send their data.
    named = {key for key, sent in observed.sent.items() if sent}
    assert {"en/desktop/open-me-menu.png", "en/desktop/open-settings.png", "ar/mobile/mobile-open-settings.png"} <= named


def test_the_first_step_shows_the_top_bar_not_the_feed_and_an_inset_of_the_screen(captured):
    manifest = Manifest.load(captured.checkout.manifest_file)
    entry = manifest.images["en/desktop/open-me-menu.png"]
    with Image.open(captured.checkout.root / entry["path"]) as image:
        width, height = image.size
    assert height > entry["geometry"]["target"][3] * 3   # the picture plus the whole-screen inset below it
    assert width < VIEWPORTS["desktop"].width * 2         # not the whole viewport


def test_a_re_run_on_a_later_day_changes_no_image_and_no_manifest_byte(captured, monkeypatch):
    """Right-to-left, CJK and Devanagari pages in both layouts, re-taken a day later: every image unchanged,
    byte for byte; only the dates the images were last seen move (verified.json). Each region is captured
    once (its first capture is the committed picture) and no picture is searched for the photo again."""
    before = hashes(captured.checkout)
    captures, searched = Counter(), Counter()
    region_png, shows_photo = frames.region_png, photocheck.shows_photo

    async def counted_frame(*args, **kwargs):
        captures["regions"] += 1
        return await region_png(*args, **kwargs)

    def counted_search(*args):
        searched["pictures"] += 1
        return shows_photo(*args)

    monkeypatch.setattr(frames, "region_png", counted_frame)
    monkeypatch.setattr(photocheck, "shows_photo", counted_search)
    again = run_cli("capture", "--locale", "ar", "--locale", "ja", "--locale", "hi", checkout=captured.checkout,
                    env={"STEPSHOT_TODAY": "2026-12-02"})
    assert again.code == 0, again.err
    locales = ("ar", "ja", "hi")
    total = len({k for k in expected_keys() if k.split("/")[0] in locales})
    project = REPO.project()
    insets = len(locales) * sum(len(flow.viewports) for flow in project.flow.flows for step in flow.steps if step.inset)
    assert captures["regions"] == total + insets and searched == {}
    assert f"[{total}/{total}]" in again.err  # progress lines
    assert again.out.startswith(f"capture: {total} unchanged; median image ")
    assert {k: v for k, v in hashes(captured.checkout).items() if k != "verified.json"} == \
        {k: v for k, v in before.items() if k != "verified.json"}
    status = subprocess.run(["git", "status", "--porcelain"], cwd=captured.checkout.root, capture_output=True,
                            text=True)
    assert status.stdout.strip() == "M screenshots/verified.json"
    seen = json.loads(captured.checkout.verified_file.read_text())["images"]
    assert seen["ja/desktop/open-settings.png"]["date"] == "2026-12-02"
    assert seen["en/desktop/open-settings.png"]["date"] == TODAY   # not re-taken: not seen again
    entry = Manifest.load(captured.checkout.manifest_file).images["ja/desktop/open-settings.png"]
    assert entry["changed"] == TODAY  # unchanged pixels keep their date


def test_a_renamed_label_is_drift_and_keeps_every_image(captured, tmp_path):
    checkout = copy_of(captured, tmp_path / "renamed")
    before = image_hashes(checkout)
    result = run_cli("capture", "--target", "stand-in:label-renamed", "--locale", "en", checkout=checkout,
                     env={"STEPSHOT_TODAY": TODAY})
    assert result.code == 1, result.out + result.err
    assert image_hashes(checkout) == before
    assert consistent(checkout) == []
    manifest = Manifest.load(checkout.manifest_file)
    for viewport, step, later in (("desktop", "open-ai-setting", "confirm-ai-off"),
                                  ("mobile", "mobile-open-ai-setting", "mobile-confirm-ai-off")):
        assert manifest.images[f"en/{viewport}/{step}.png"]["stale"] is True
        assert manifest.images[f"en/{viewport}/{later}.png"]["stale"] is True
    assert manifest.images["en/desktop/open-data-privacy.png"]["stale"] is False
    assert manifest.images["fr/desktop/open-ai-setting.png"]["stale"] is False  # not walked this run
    renamed = labels_shown(REPO.project(), "label-renamed")["en"][CHANGED_KEY]
    data = report(checkout)
    assert data["summary"]["broken"] == 2 and data["summary"]["skipped"] == 4
    broken = {i["key"]: i for i in data["images"] if i["status"] == "broken"}
    en = broken["en/desktop/open-ai-setting.png"]
    assert en["label_key"] == CHANGED_KEY and en["suggestions"][0]["text"] == renamed
    for name in ("failure", "trace"):
        artifact = checkout.root / en["artifacts"][name]
        assert artifact.is_file() and artifact.stat().st_size > 0
        assert "screenshots" not in artifact.relative_to(checkout.root).parts
    # Only a failing flow is traced: walked again from its start, every action recorded
    with zipfile.ZipFile(checkout.root / en["artifacts"]["trace"]) as trace:
        events = trace.read("trace.trace").decode()
    assert '"title":"en desktop desktop"' in events
    assert '"method":"goto"' in events and '"method":"click"' in events
    traced = {p.relative_to(checkout.reports / "artifacts" / "capture").as_posix()
              for p in checkout.reports.rglob("*.trace.zip")}
    assert traced == {"en/desktop/desktop.trace.zip", "en/mobile/mobile.trace.zip"}  # the flows that broke
    research = next(i for i in data["images"] if i["key"] == "en/desktop/research-open-setting.png")
    assert research["status"] == "changed" and research["held"] is True and research["stale"] is True
    markdown = (checkout.reports / "capture.md").read_text()
    assert f"`{renamed}`" in markdown and "held back" in markdown


def test_failure_pictures_show_neither_the_member_nor_anyone_else(captured, tmp_path):
    import pytesseract

    checkout = copy_of(captured, tmp_path / "failure")
    run_cli("capture", "--target", "stand-in:label-renamed", "--locale", "en", "--viewport", "desktop",
            checkout=checkout, env={"STEPSHOT_TODAY": TODAY})
    failure = next(checkout.reports.rglob("*.failure.png"))
    with Image.open(failure) as picture:
        text = pytesseract.image_to_string(picture.convert("L"))
    names = [a.name for a in TEST_ACCOUNTS] + ["Jordan Ellery", "Priya", "Malik Osei", "Alex Morgan"]
    assert not [name for name in names if name.split()[-1] in text], text
    assert "Privacy" in text or "privacy" in text  # the positive control: the settings page itself is legible


def test_late_personal_data_gets_no_picture_and_a_broken_step(captured, tmp_path):
    checkout = copy_of(captured, tmp_path / "late")
    before = image_hashes(checkout)
    result = run_cli("capture", "--target", "stand-in:late-personal-data", "--locale", "de", "--viewport", "desktop",
                     checkout=checkout, env={"STEPSHOT_TODAY": TODAY})
    assert result.code == 1, result.out + result.err
    assert image_hashes(checkout) == before
    broken = {i["step"]: i["problem"] for i in report(checkout)["images"] if i["status"] == "broken"}
    assert set(broken) == {"turn-ai-toggle-off", "ads-turn-affiliates-off", "research-turn-off"}  # every switch page
    assert set(broken.values()) == {"personal data visible: name, photo, photo (pixels); no picture was kept"}
    assert not (checkout.reports / "artifacts" / "capture" / "de" / "desktop" / "desktop.failure.png").exists()
    assert not (checkout.reports / "artifacts" / "capture" / "de" / "desktop" / "turn-ai-toggle-off.after.png").exists()


@pytest.mark.parametrize("variant, reason", [("checkpoint", "checkpoint"), ("logged-out", "login-required")])
def test_an_unusable_target_exits_3_and_keeps_the_images(captured, tmp_path, variant, reason):
    checkout = copy_of(captured, tmp_path / variant)
    before = hashes(checkout)
    result = run_cli("capture", "--target", f"stand-in:{variant}", "--locale", "en", "--viewport", "desktop",
                     checkout=checkout, env={"STEPSHOT_TODAY": TODAY})
    assert result.code == 3, result.out + result.err
    assert f"target unusable ({reason})" in result.err
    assert hashes(checkout) == before
    data = report(checkout)
    assert data["unusable"]["reason"] == reason and data["exit_code"] == 3


def test_a_changed_page_is_reported_with_its_diff_and_a_new_date(captured, tmp_path):
    checkout = copy_of(captured, tmp_path / "restyled")
    before = image_hashes(checkout)
    result = run_cli("capture", "--target", "stand-in:restyled", "--locale", "de", "--viewport", "desktop",
                     "--step", "open-data-privacy", "--step", "open-settings", checkout=checkout,
                     env={"STEPSHOT_TODAY": "2026-12-01"})
    assert result.code == 0, result.out + result.err
    data = report(checkout)
    assert data["summary"]["changed"] == 2
    after = image_hashes(checkout)
    assert {k for k in after if after[k] != before[k]} == {"de/desktop/open-data-privacy.png",
                                                          "de/desktop/open-settings.png"}
    image = next(i for i in data["images"] if i["key"] == "de/desktop/open-data-privacy.png")
    assert 0 < image["share"] <= 1 and len(image["bbox"]) == 4
    for name in ("before", "after", "diff"):
        assert (checkout.root / image["artifacts"][name]).is_file()
    entry = Manifest.load(checkout.manifest_file).images["de/desktop/open-data-privacy.png"]
    assert entry["changed"] == "2026-12-01" and entry["sha256"] == after["de/desktop/open-data-privacy.png"]
    assert consistent(checkout) == []


def test_the_threshold_option_decides_what_a_faint_change_is(captured, tmp_path):
    """The committed picture made faintly different (every red value +3: a YIQ distance near 0.006): the
    default threshold sees the same picture, --threshold 0.001 a changed one."""
    key = "de/desktop/open-data-privacy.png"
    results = {}
    for threshold in (None, "0.001"):
        checkout = copy_of(captured, tmp_path / f"threshold-{threshold}")
        file = checkout.screenshots / key
        with Image.open(file) as image:
            red, green, blue = image.convert("RGB").split()
            faint = Image.merge("RGB", (red.point(lambda v: min(v + 3, 255)), green, blue))
        buffer = io.BytesIO()
        faint.save(buffer, "PNG")
        file.write_bytes(buffer.getvalue())
        manifest = Manifest.load(checkout.manifest_file)
        manifest.reconcile(TODAY)  # the faint picture is now the one on record
        option = ["--threshold", threshold] if threshold else []
        result = run_cli("capture", "--locale", "de", "--viewport", "desktop", "--step", "open-data-privacy",
                         *option, checkout=checkout, env={"STEPSHOT_TODAY": TODAY})
        assert result.code == 0, result.err
        results[threshold] = next(i["status"] for i in report(checkout)["images"] if i["key"] == key)
    assert results == {None: "unchanged", "0.001": "changed"}


def test_annotations_are_written_and_placed_right_to_left_in_arabic(captured):
    """Arabic pictures are annotated as Arabic reads: the callout is written right to left (its punctuation
    at the right end), and beside its control it stands on the inline-end side where there is room (right
    in English, left in Arabic); above or below it, badge and callout run the other way than in English."""
    for key, direction in captured.observed.direction.items():
        assert direction == ("rtl" if LOCALES[key.split("/")[0]].rtl else "ltr"), key
    assert len(captured.observed.direction) == len(expected_keys())
    beside = {"ar": Counter(), "en": Counter()}
    order = {"ar": Counter(), "en": Counter()}
    for key, entry in Manifest.load(captured.checkout.manifest_file).images.items():
        locale, geometry = key.split("/")[0], entry["geometry"]
        callout, target, badge = geometry["callout"], geometry["target"], geometry["badge"]
        if locale not in beside or not callout:
            continue
        if callout[0] + callout[2] <= target[0]:
            beside[locale]["left"] += 1
        elif callout[0] >= target[0] + target[2]:
            beside[locale]["right"] += 1
        else:
            order[locale]["badge first" if badge[0] < callout[0] else "callout first"] += 1
    assert beside["ar"]["left"] > 2 * beside["ar"]["right"] and beside["en"]["right"] > 2 * beside["en"]["left"], beside
    assert order["ar"]["badge first"] > order["ar"]["callout first"], order
    assert order["en"]["callout first"] > order["en"]["badge first"], order


def test_a_run_killed_midway_leaves_a_consistent_manifest(captured, tmp_path):
    checkout = copy_of(captured, tmp_path / "killed")
    before = image_hashes(checkout)
    env = {**os.environ, "STEPSHOT_ROOT": str(checkout.root), "STEPSHOT_TODAY": TODAY}
    process = subprocess.Popen([sys.executable, "-m", "stepshot.cli", "capture", "--target", "stand-in:restyled",
                                "--locale", "en", "--viewport", "desktop"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, cwd=checkout.root)
    reported = []
    try:
        for line in process.stderr:
            if line.startswith("  wrote "):
                reported.append(line.split()[1])
                if len(reported) == 3:
                    process.send_signal(signal.SIGKILL)  # somewhere inside the next image's writes
                    break
    finally:
        process.kill()
        process.wait(timeout=30)
    assert len(reported) == 3, "the run ended before three images were written"
    for file in checkout.screenshots.rglob("*.png"):
        with Image.open(file) as image:
            image.load()
    assert len(consistent(checkout)) <= 1, consistent(checkout)
    manifest = Manifest.load(checkout.manifest_file)
    for key in reported:
        assert manifest.images[key]["sha256"] == imagefile.sha256((checkout.screenshots / key).read_bytes())
        assert image_hashes(checkout)[key] != before[key]
    manifest.reconcile(TODAY)
    assert consistent(checkout) == []
    assert not list(checkout.screenshots.rglob(f"{TEMP_PREFIX}*"))


def test_two_captures_at_once_on_one_checkout_leave_everything_intact(captured, tmp_path):
    checkout = copy_of(captured, tmp_path / "twice")
    env = {**os.environ, "STEPSHOT_ROOT": str(checkout.root), "STEPSHOT_TODAY": TODAY}
    command = [sys.executable, "-m", "stepshot.cli", "capture", "--target", "stand-in:restyled", "--locale", "it",
               "--viewport", "desktop"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in first.stderr:
        if line.startswith("walking"):
            break
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 2
    assert second.stderr.strip().endswith("wait for it to finish")
    assert f"another capture is running in this checkout (pid {first.pid})" in second.stderr
    assert consistent(checkout) == []
    assert report(checkout)["summary"]["changed"] >= 1


def test_image_progress_counts_every_image():
    stream = io.StringIO()
    progress = capture.ImageProgress(Progress(stream), 2)
    image = capture.ImageResult(key="en/desktop/open-settings.png", locale="en", viewport="desktop",
                                flow="desktop", step="open-settings", number=2, status="unchanged", path="x")
    progress.image(image)
    progress.image(image)
    assert stream.getvalue() == "[1/2] en/desktop/open-settings.png: unchanged\n" \
                                "[2/2] en/desktop/open-settings.png: unchanged\n"


def svg_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def test_the_photo_check_finds_the_photo_and_not_the_persona():
    from stepshot import photocheck
    from stepshot.personal import load_persona
    from stepshot.privacy import avatar_data_url
    from stepshot.standin.accounts import avatar_svg

    def render(markup: str, size: tuple[int, int]) -> bytes:
        async def shoot(browser):
            page = await browser.new_page(viewport={"width": size[0], "height": size[1]}, device_scale_factor=2)
            await page.set_content(f'<body style="margin:0;background:#f1f2ee">{markup}</body>')
            return await page.screenshot()

        return in_browser(shoot)

    templates = photocheck.templates(render(avatar_svg(TEST_ACCOUNTS[0]), (96, 96)))
    persona = load_persona(REPO.persona_file)
    scene = '<div style="padding:40px"><img src="{}" width="{}" height="{}" style="border-radius:50%"></div>'
    for size in (24, 36, 44, 56, 72, 110):
        shown = render(scene.format(svg_url(avatar_svg(TEST_ACCOUNTS[0])), size, size), (400, 200))
        assert photocheck.shows_photo(shown, templates, 2), size
    persona_scene = render(scene.format(avatar_data_url(persona), 48, 48), (400, 200))
    assert not photocheck.shows_photo(persona_scene, templates, 2)
    someone_else = render(scene.format(svg_url(avatar_svg(TEST_ACCOUNTS[1])), 48, 48), (400, 200))
    assert not photocheck.shows_photo(someone_else, templates, 2)
