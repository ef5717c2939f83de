"""`stepshot capture`: one annotated, redacted screenshot per (locale, viewport, step), written only when
its pixels changed, with a manifest kept consistent with the files and a drift report.

Each shot is taken in the walker's on_step hook, just before the step's action: personal data replaced
by the persona, the annotation drawn from the live control's box, the crop cut. It is held in memory
and compared with the file on disk (imagediff) once the step has passed (the click led to the expected
page). After the walk, images are committed locale by locale: an unchanged image is not touched; a
changed or new one is optimised losslessly and moved into place atomically, then the manifest is
updated. A locale with a broken step gets no new image (see Run.commit); a broken step keeps the
previous image, marked stale. On start, the manifest is reconciled with the files, which repairs
whatever a killed run left.
"""

from __future__ import annotations

import io
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import __version__, annotate, imagediff, imagefile, paths, redact
from .capture_report import write_reports
from .check import plan
from .errors import BadInput, TargetUnusable
from .locales import LOCALES
from .manifest import Manifest, image_key, record_verified, today, verified_file
from .model import Flow, Project
from .targets import STAND_IN, Target, parse_target, walk_units
from .walker import StepContext, StepResult, walk_flow

# Any fixed instant: pages that show "now" (relative dates, greetings) look the same on every run.
FIXED_TIME = "2026-01-05T10:00:00Z"

# Injected into every document before its own scripts: no motion, no blinking caret, no smooth scroll.
FREEZE_JS = """
(() => {
  const css = '*, *::before, *::after { animation: none !important; transition: none !important; ' +
              'caret-color: transparent !important; scroll-behavior: auto !important; }';
  const add = () => {
    const style = document.createElement('style');
    style.dataset.stepshot = 'freeze';
    style.textContent = css;
    (document.head || document.documentElement).appendChild(style);
  };
  if (document.documentElement) add(); else document.addEventListener('DOMContentLoaded', add);
})();
"""

STATUSES = ("unchanged", "changed", "new", "broken", "skipped")


@dataclass
class ImageResult:
    """What happened to one image in this run (one row of the report)."""

    key: str
    locale: str
    viewport: str
    flow: str
    step: str
    number: int
    status: str                                   # one of STATUSES
    path: str                                     # relative to the repository root
    bytes: int | None = None                      # of the file on disk now (None: no file)
    width: int | None = None
    height: int | None = None
    stale: bool = False
    held: bool = False                            # changed or new, not written: its locale has drift
    share: float | None = None                    # changed: share of pixels changed, 0..1
    bbox: list[int] | None = None                 # changed: [left, top, right, bottom] in image pixels
    artifacts: dict[str, str] = field(default_factory=dict)  # before/after/diff/failure/trace, under build/
    problem: str | None = None                    # broken: the walker's one-line problem
    label_key: str | None = None
    expected_label: str | None = None
    suggestions: list[dict] = field(default_factory=list)


@dataclass
class CaptureOptions:
    locales: list[str]
    viewports: list[str] | None = None
    steps: list[str] | None = None
    threshold: float = imagediff.DEFAULT_THRESHOLD
    workers: int = 1


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Decision:
    """What committing one image will do, decided while walking, done after the walk."""

    image: ImageResult
    png: bytes | None = None        # the new screenshot, for a changed or new image
    entry: dict | None = None       # the manifest entry for an unchanged image, or the new one's fields


class ImageStore:
    """Decides what to do with each shot, and does it: files in screenshots/, the manifest, artifacts."""

    def __init__(self, manifest: Manifest, root: Path, artifacts: Path, threshold: float, source: str, day: str):
        self.manifest = manifest
        self.root = root
        self.artifacts = artifacts
        self.threshold = threshold
        self.source = source
        self.day = day

    def _result(self, key: str, result: StepResult, status: str) -> ImageResult:
        return ImageResult(key=key, locale=result.locale, viewport=result.viewport, flow=result.flow,
                           step=result.step, number=result.number, status=status,
                           path=_relative(self.manifest.file(key), self.root))

    def _artifact(self, key: str, suffix: str, data: bytes) -> str:
        path = self.artifacts / key.replace(".png", f".{suffix}.png")
        imagefile.write_atomic(path, data)
        return _relative(path, self.root)

    def not_taken(self, key: str, result: StepResult) -> Decision:
        """A step that broke or was not reached: the previous image stays, marked stale."""
        return Decision(self._result(key, result, result.status))

    def decide(self, key: str, png: bytes, result: StepResult, verified_labels: list[dict]) -> Decision:
        """Compare the screenshot with the file on disk; for a change, write before/after/diff artifacts."""
        file = self.manifest.file(key)
        entry = self.manifest.images.get(key)
        where = {"locale": result.locale, "viewport": result.viewport, "flow": result.flow, "step": result.step,
                 "number": result.number, "path": _relative(file, self.root), "verified_labels": verified_labels,
                 "stale": False}
        if entry is None:
            return Decision(self._result(key, result, "new"), png, where)
        before = file.read_bytes()
        diff, pixel_map = imagediff.compare(before, png, self.threshold)
        if not diff.changed:
            return Decision(self._result(key, result, "unchanged"), entry={**entry, **where})
        image = self._result(key, result, "changed")
        image.share = round(diff.share, 6)
        image.bbox = list(diff.bbox) if diff.bbox else None
        image.artifacts = {"before": self._artifact(key, "before", before),
                           "after": self._artifact(key, "after", png),
                           "diff": self._artifact(key, "diff", _png(imagediff.diff_image(png, pixel_map)))}
        return Decision(image, png, where)

    def apply(self, decision: Decision, hold: bool) -> bool:
        """Do what was decided; with `hold`, replace no image (its locale has drift). True if a file was written."""
        image = decision.image
        key = image.key
        written = False
        if image.status == "unchanged":
            self.manifest.update(key, decision.entry)
        elif image.status in ("changed", "new") and not hold:
            data = imagefile.optimize(decision.png)
            width, height = imagefile.dimensions(data)
            imagefile.write_atomic(self.manifest.file(key), data)   # the image first, the manifest after
            self.manifest.update(key, {**decision.entry, "sha256": imagefile.sha256(data), "width": width,
                                       "height": height, "bytes": len(data), "source": self.source,
                                       "changed": self.day, "tool_version": __version__})
            written = True
        else:  # broken, not reached, or a change held back: the image on disk no longer shows the target
            self.manifest.mark_stale(key)
            image.held = image.status in ("changed", "new")
        entry = self.manifest.images.get(key)
        if entry:
            image.bytes, image.width, image.height, image.stale = \
                entry["bytes"], entry["width"], entry["height"], entry["stale"]
        return written


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


class Progress:
    """A bar redrawn in place on a terminal; one plain line per image elsewhere (CI logs)."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.lock = threading.Lock()

    def image(self, image: ImageResult) -> None:
        with self.lock:
            self.done += 1
            if self.tty:
                width = 30
                filled = round(width * self.done / max(self.total, 1))
                line = f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {image.key}: {image.status}"
                self.stream.write(line[:120].ljust(120))
            else:
                self.stream.write(f"[{self.done}/{self.total}] {image.key}: {image.status}\n")
            self.stream.flush()

    def line(self, text: str) -> None:
        with self.lock:
            if self.tty:
                self.stream.write("\r" + " " * 120 + "\r")
            self.stream.write(text + "\n")
            self.stream.flush()

    def finish(self) -> None:
        if self.tty and self.done:
            self.line("")


# ---------- taking one shot ----------

def _crop(page, kind: str, box: annotate.Rect, annotation: annotate.Annotation, bounds: annotate.Rect):
    """The clip for page.screenshot (None: the whole viewport)."""
    if kind == "viewport":
        return None
    region = [box, *annotation.rects()]
    if kind == "main":
        main = page.locator("main, [role=main]").first
        main_box = main.bounding_box() if main.count() else None
        if main_box:
            region.append(annotate.clamp(main_box, bounds))
    return annotate.whole_pixels(annotate.clamp(annotate.pad(annotate.union(region), annotate.PADDING), bounds))


class Shooter:
    """Takes the screenshot of one step (called from the walker's on_step)."""

    def __init__(self, project: Project, account: redact.PersonalData, persona: redact.Persona,
                 observe: Callable[[str, StepContext], None] | None = None):
        self.project = project
        self.account = account
        self.persona = persona
        # Tests look at the page here: observe("before-redaction", ctx), then observe("at-capture", ctx)
        # with the annotation drawn, just before the screenshot.
        self.observe = observe or (lambda phase, ctx: None)

    def __call__(self, ctx: StepContext) -> bytes:
        page = ctx.page
        self.observe("before-redaction", ctx)
        redact.redact(page, self.account, self.persona)
        ctx.target.scroll_into_view_if_needed()
        box = ctx.target.bounding_box()
        size = page.viewport_size
        bounds = {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}
        labels = self.project.labels[ctx.locale]
        callout = labels.callouts.get(ctx.step.callout) if ctx.step.callout else None
        locale = LOCALES[ctx.locale]
        where = f"step {ctx.step.id}, locale {ctx.locale}, {ctx.viewport}"
        try:
            annotation = annotate.draw(page, box, ctx.number, callout, locale.rtl, locale.browser, bounds)
        except annotate.NoRoom as exc:
            raise BadInput(f"{self.project.flow_path}: {where}: {exc}") from None
        try:
            self.observe("at-capture", ctx)
            clip = _crop(page, ctx.step.crop, box, annotation, bounds)
            png = page.screenshot(clip=clip, animations="disabled", caret="hide")
        finally:
            annotate.remove(page)
        return png


# ---------- walking ----------

@dataclass
class Unit:
    locale: str
    viewport: str
    flows: list[Flow]


def _wanted(flow: Flow, steps: set[str] | None) -> list[str]:
    return [s.id for s in flow.steps if steps is None or s.id in steps]


def _verified_labels(project: Project, result: StepResult) -> list[dict]:
    return sorted(({"key": k, "text": project.text(result.locale, k)} for k in result.labels_seen),
                  key=lambda label: label["key"])


class Run:
    """One capture run: shared by the workers, each of which walks whole (locale, viewport) units."""

    def __init__(self, project: Project, options: CaptureOptions, store: ImageStore, shooter: Shooter,
                 artifacts: Path, root: Path, progress: Progress):
        self.project = project
        self.options = options
        self.store = store
        self.shooter = shooter
        self.artifacts = artifacts
        self.root = root
        self.progress = progress
        self.steps = set(options.steps) if options.steps else None
        self.decisions: list[Decision] = []
        self.verified: dict[str, dict] = {}
        self.lock = threading.Lock()

    def walk_unit(self, target: Target, unit: Unit) -> None:
        context = target.new_context(unit.locale, unit.viewport)
        try:
            context.add_init_script(FREEZE_JS)
            context.tracing.start(screenshots=False, snapshots=True)
            page = context.new_page()
            page.clock.set_fixed_time(FIXED_TIME)
            for flow in unit.flows:
                if _wanted(flow, self.steps):
                    self.walk_flow(target, context, page, unit, flow)
        finally:
            context.close()

    def _failure_artifacts(self, context, page, unit: Unit, flow: Flow) -> dict[str, str]:
        base = self.artifacts / unit.locale / unit.viewport / flow.id
        base.parent.mkdir(parents=True, exist_ok=True)
        found = {}
        try:
            # Failure pictures are uploaded by the nightly job: hide the account's personal data first.
            redact.redact(page, self.shooter.account, self.shooter.persona)
            imagefile.write_atomic(base.with_suffix(".failure.png"), page.screenshot(full_page=True))
            found["failure"] = _relative(base.with_suffix(".failure.png"), self.root)
        except Exception as exc:  # a dead page must not hide the failure being reported
            self.progress.line(f"  (no failure screenshot for flow {flow.id}: {str(exc).splitlines()[0]})")
        context.tracing.stop_chunk(path=str(base.with_suffix(".trace.zip")))
        found["trace"] = _relative(base.with_suffix(".trace.zip"), self.root)
        return found

    def walk_flow(self, target: Target, context, page, unit: Unit, flow: Flow) -> None:
        wanted = _wanted(flow, self.steps)
        shots: dict[str, bytes] = {}  # held in memory until the step has passed

        def on_step(ctx: StepContext) -> None:
            if ctx.step.id in wanted:
                shots[ctx.step.id] = self.shooter(ctx)

        context.tracing.start_chunk(title=f"{unit.locale} {unit.viewport} {flow.id}")
        try:
            results = walk_flow(page, target.base_url, self.project, flow, unit.locale, unit.viewport, on_step)
        except TargetUnusable:
            self._failure_artifacts(context, page, unit, flow)
            raise
        broken = [r for r in results if r.status == "broken"]
        failure = self._failure_artifacts(context, page, unit, flow) if broken else {}
        if not broken:
            context.tracing.stop_chunk()
        for result in results:
            if result.step not in wanted and result.status != "broken":
                continue
            key = image_key(result.locale, result.viewport, result.step)
            if result.status == "ok":
                decision = self.store.decide(key, shots[result.step], result, _verified_labels(self.project, result))
            else:
                decision = self.store.not_taken(key, result)
                image = decision.image
                if result.status == "broken":
                    image.problem, image.label_key, image.expected_label = \
                        result.problem, result.label_key, result.expected_label
                    image.suggestions = [{"text": s.text, "role": s.role, "score": round(s.score, 3)}
                                         for s in result.suggestions]
                    image.artifacts = dict(failure)
            with self.lock:
                self.decisions.append(decision)
            self.progress.image(decision.image)

    def commit(self) -> None:
        """Write what the walk decided, locale by locale.

        A locale with a broken step gets no new image at all: its guide page quotes labels that no longer
        match the target, and pictures showing the new screens next to the old words would contradict it.
        Its previous images stay, marked stale where they no longer show the target.
        """
        drifted = {d.image.locale for d in self.decisions if d.image.status in ("broken", "skipped")}
        for decision in sorted(self.decisions, key=lambda d: d.image.key):
            image = decision.image
            if self.store.apply(decision, hold=image.locale in drifted):
                self.progress.line(f"  wrote {image.key} ({image.status})")
            if image.status == "unchanged" or (image.status in ("changed", "new") and not image.held):
                self.verified[image.key] = {"date": self.store.day, "source": self.store.source}


def _units(project: Project, options: CaptureOptions) -> list[Unit]:
    steps = set(options.steps) if options.steps else None
    units = []
    for locale, viewport, flows in plan(project, options.locales, options.viewports):
        flows = [f for f in flows if _wanted(f, steps)]
        if flows:
            units.append(Unit(locale, viewport, flows))
    if not units:
        raise BadInput(f"--step: {', '.join(options.steps or [])}: no such step runs in the chosen viewports")
    return units


def check_steps(project: Project, steps: list[str] | None) -> None:
    known = [step.id for _, _, step in project.flow.steps()]
    for step in steps or []:
        if step not in known:
            raise BadInput(f"--step: {step}: unknown step (known: {', '.join(known)})")


@dataclass
class CaptureReport:
    target: dict
    started: str
    threshold: float
    workers: int
    images: list[ImageResult] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    unusable: dict | None = None
    wall_seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {status: sum(1 for i in self.images if i.status == status) for status in STATUSES}

    @property
    def exit_code(self) -> int:
        if self.unusable:
            return TargetUnusable.exit_code
        return 1 if any(i.status in ("broken", "skipped") for i in self.images) else 0

    def sizes(self) -> dict:
        sizes = sorted(i.bytes for i in self.images if i.bytes)
        return {"count": len(sizes), "median_bytes": int(statistics.median(sizes)) if sizes else 0,
                "max_bytes": max(sizes, default=0), "total_bytes": sum(sizes)}


def run_capture(spec: str, project: Project, options: CaptureOptions, auth: Path | None = None,
                root: Path | None = None, browser=None, progress: Progress | None = None,
                observe: Callable[[str, StepContext], None] | None = None) -> CaptureReport:
    """Capture everything chosen and write the reports; TargetUnusable is re-raised after its report."""
    root = root or paths.repo_root()
    target_spec = parse_target(spec)
    check_steps(project, options.steps)
    units = _units(project, options)
    stand_in = target_spec.kind == STAND_IN
    account = redact.account_for(stand_in)
    persona = redact.load_persona(redact.persona_file(root))
    day = today()
    reports = paths.reports_dir(root)
    artifacts = reports / "artifacts" / "capture"
    imagefile.remove_temp_files(artifacts)
    manifest = Manifest.load(paths.manifest_file(root))
    report = CaptureReport(
        target={"spec": target_spec.text, "source": STAND_IN if stand_in else target_spec.base_url,
                "variant": target_spec.variant},
        started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        threshold=options.threshold, workers=options.workers)
    report.repairs = manifest.reconcile(day)
    steps = set(options.steps) if options.steps else None
    progress = progress or Progress(sum(len(_wanted(f, steps)) for unit in units for f in unit.flows))
    for repair in report.repairs:
        progress.line(f"manifest repaired: {repair}")
    store = ImageStore(manifest, root, artifacts, options.threshold, report.target["source"], day)
    run = Run(project, options, store, Shooter(project, account, persona, observe), artifacts, root, progress)
    t0 = time.monotonic()
    try:
        walk_units(target_spec, units, run.walk_unit, auth, browser, options.workers,
                   opened=lambda target: progress.line(f"capture: {spec} at {target.base_url}"))
        run.commit()
    except TargetUnusable as exc:  # nothing is written: what was walked may be half a locale
        report.unusable = {"reason": exc.reason, "detail": exc.detail}
        raise
    finally:
        progress.finish()
        report.images = sorted((d.image for d in run.decisions), key=lambda i: i.key)
        for image in report.images:
            entry = manifest.images.get(image.key)
            if entry and image.bytes is None:
                image.bytes, image.width, image.height, image.stale = \
                    entry["bytes"], entry["width"], entry["height"], entry["stale"]
        report.wall_seconds = round(time.monotonic() - t0, 1)
        if run.verified:
            record_verified(verified_file(root), run.verified)
        write_reports(report, reports, root)
    return report

