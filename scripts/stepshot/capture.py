"""`stepshot capture`: one annotated, redacted screenshot per (locale, viewport, step), written only when
its pixels changed, with a manifest kept consistent with the files and a drift report.

Each shot is taken in the walker's on_step hook, just before the step's action: personal data replaced
by the persona, the annotation drawn from the live control's box, the crop cut. It is held in memory
and compared with the file on disk (imagediff) once the step has passed (the click led to the expected
page). After the walk, images are committed locale by locale: an unchanged image is not touched; a
changed or new one is optimised losslessly and moved into place atomically, then the manifest is
updated. A locale with a broken step gets no new image (see Run.commit); a broken step keeps the
previous image, marked stale. On start, the manifest is reconciled with the files, which repairs
whatever a killed run left. One capture at a time per checkout (lock.py).
"""

from __future__ import annotations

import multiprocessing
import statistics
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Awaitable, Callable

from . import __version__, imagediff, imagefile, photocheck, verified
from .capture_report import write_reports
from .checkout import Checkout
from .errors import BadInput, TargetUnusable
from .files import remove_temp_files, write_atomic
from .interrupts import held_from_children, uninterrupted
from .lock import checkout_lock
from .manifest import Manifest, image_key
from .reader import Project
from .schema import Flow
from .personal import load_persona
from .run import Progress, RunRequest, Session, Unit, plan, run_walk
from .shot import Shooter, Shot, failure_picture
from .targets import STAND_IN, parse_target
from .walker import StepBroken, StepContext, StepResult, start_from_the_default, walk_flow

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

STATUSES = ("unchanged", "changed", "new", "kept", "broken", "skipped")


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
    problem: str | None = None                    # broken: the walker's one-line problem; kept: why
    label_key: str | None = None
    expected_label: str | None = None
    suggestions: list[dict] = field(default_factory=list)


@dataclass
class CaptureOptions:
    locales: list[str]
    viewports: list[str] | None = None
    steps: list[str] | None = None
    threshold: float = imagediff.DEFAULT_THRESHOLD
    parallel_sessions: int | None = None


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


@dataclass
class Decision:
    """What committing one image will do, decided while walking, done after the walk."""

    image: ImageResult
    optimized: Future | None = None  # the new screenshot, losslessly optimised in the background
    entry: dict | None = None        # the manifest entry for an unchanged image, or the new one's fields


class ImageStore:
    """Decides what to do with each shot, and does it: files in screenshots/, the manifest, artifacts."""

    def __init__(self, manifest: Manifest, root: Path, artifacts: Path, threshold: float, source: str, day: str,
                 optimizer: Executor):
        self.optimizer = optimizer
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
        write_atomic(path, data)
        return _relative(path, self.root)

    def not_taken(self, key: str, result: StepResult, status: str | None = None) -> Decision:
        """A step that broke, was not reached, or whose picture was not taken: the previous image stays."""
        return Decision(self._result(key, result, status or result.status))

    def committed(self, ctx: StepContext) -> bytes | None:
        """The step's image as committed (what a re-run's first capture may equal at once), if it has one."""
        key = image_key(ctx.locale, ctx.viewport, ctx.step.id)
        file = self.manifest.file(key)
        return file.read_bytes() if key in self.manifest.images and file.is_file() else None

    def decide(self, key: str, shot: Shot, result: StepResult, verified_labels: list[dict]) -> Decision:
        """Compare the screenshot with the file on disk; for a change, write before/after/diff artifacts."""
        png = shot.png
        file = self.manifest.file(key)
        entry = self.manifest.images.get(key)
        where = {"locale": result.locale, "viewport": result.viewport, "flow": result.flow, "step": result.step,
                 "number": result.number, "path": _relative(file, self.root), "verified_labels": verified_labels,
                 "stale": False, "text_px": round(shot.text_px, 2), "geometry": shot.geometry}
        if entry is None:
            return Decision(self._result(key, result, "new"), self.optimizer.submit(imagefile.optimize, png), where)
        if shot.as_committed:
            return Decision(self._result(key, result, "unchanged"), entry={**entry, **where})
        before = file.read_bytes()
        diff, pixel_map = imagediff.compare(before, png, self.threshold)
        if not diff.changed:
            return Decision(self._result(key, result, "unchanged"), entry={**entry, **where})
        image = self._result(key, result, "changed")
        image.share = round(diff.share, 6)
        image.bbox = list(diff.bbox) if diff.bbox else None
        image.artifacts = {"before": self._artifact(key, "before", before),
                           "after": self._artifact(key, "after", png),
                           "diff": self._artifact(key, "diff", imagefile.encoded(imagediff.diff_image(png, pixel_map)))}
        return Decision(image, self.optimizer.submit(imagefile.optimize, png), where)

    def apply(self, decision: Decision, hold: bool) -> bool:
        """Do what was decided; with `hold`, replace no image (its locale has drift). True if a file was written."""
        image = decision.image
        key = image.key
        written = False
        if image.status == "unchanged":
            self.manifest.update(key, decision.entry)
        elif image.status in ("changed", "new") and not hold:
            data = decision.optimized.result()
            width, height = imagefile.dimensions(data)
            write_atomic(self.manifest.file(key), data)   # the image first, the manifest after
            self.manifest.update(key, {**decision.entry, "sha256": imagefile.sha256(data), "width": width,
                                       "height": height, "bytes": len(data), "source": self.source,
                                       "changed": self.day, "tool_version": __version__})
            written = True
        elif image.status != "kept":  # broken, not reached, or a change held back: no longer shows the target
            self.manifest.mark_stale(key)
            image.held = image.status in ("changed", "new")
        entry = self.manifest.images.get(key)
        if entry:
            image.bytes, image.width, image.height, image.stale = \
                entry["bytes"], entry["width"], entry["height"], entry["stale"]
        return written


class ImageProgress:
    """One line per image as it is decided, on the run's progress stream, with a count."""

    def __init__(self, progress: Progress, total: int):
        self.progress = progress
        self.total = total
        self.done = 0
        self.lock = threading.Lock()

    def image(self, image: ImageResult) -> None:
        with self.lock:
            self.done += 1
            done = self.done
        self.progress.line(f"[{done}/{self.total}] {image.key}: {image.status}")


# ---------- walking ----------

def _wanted(flow: Flow, steps: set[str] | None) -> list[str]:
    return [s.id for s in flow.steps if steps is None or s.id in steps]


def _verified_labels(result: StepResult) -> list[dict]:
    return sorted(({"key": k, "text": t} for k, t in result.labels_seen.items()), key=lambda label: label["key"])


class Run:
    """One capture run: shared by the parallel sessions, each of which walks whole (locale, viewport) units."""

    def __init__(self, project: Project, options: CaptureOptions, store: ImageStore, shooter: Shooter,
                 artifacts: Path, root: Path, progress: ImageProgress, stand_in: bool):
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
        self.stand_in = stand_in

    async def learn_photo(self, session: Session, page) -> None:
        """The account's photo as pixels, for the last check of every picture: a live account's
        photo_file, or the stand-in account's drawn portrait rendered by the browser (in the unit's page,
        before its walk)."""
        key = session.login.key
        if key in self.shooter.photos:
            return
        account = session.login.account
        if account.photo_file:
            data = Path(account.photo_file).expanduser().read_bytes()
        elif self.stand_in:
            from .standin.accounts import TEST_ACCOUNTS, avatar_svg

            member = next(a for a in TEST_ACCOUNTS if a.email == account.email)
            await page.set_content(f'<body style="margin:0">{avatar_svg(member)}</body>')
            data = await page.screenshot(clip={"x": 0, "y": 0, "width": 96, "height": 96}, scale="css")
        else:
            self.shooter.photos[key] = []
            return
        self.shooter.photos[key] = photocheck.templates(data)

    async def walk_unit(self, session: Session) -> None:
        context, page, guard = await session.open()
        try:
            await self.learn_photo(session, page)
            await page.clock.set_fixed_time(FIXED_TIME)
            await self._from_the_default(session, page, guard, session.unit.flows)
            for flow in session.unit.flows:
                if _wanted(flow, self.steps):
                    await self.walk_flow(session, context, page, guard, flow)
        finally:
            await context.close()

    async def _failure_artifacts(self, session: Session, context, page, guard, flow: Flow,
                                 rewalk: bool = True) -> dict[str, str]:
        """The failure's picture, then a trace of the flow walked again from its start: tracing costs
        every walk about 6 % of its time, so only a failing flow is traced."""
        unit = session.unit
        base = self.artifacts / unit.locale / unit.viewport / flow.id
        base.parent.mkdir(parents=True, exist_ok=True)
        found = {}
        try:
            # Failure pictures are uploaded by the nightly job: masked and checked like any picture.
            png = await failure_picture(page)
            if png is not None:
                write_atomic(base.with_suffix(".failure.png"), png)
                found["failure"] = _relative(base.with_suffix(".failure.png"), self.root)
        except Exception as exc:  # a dead page must not hide the failure being reported
            self.progress.progress.line(f"  (no failure screenshot for flow {flow.id}: {str(exc).splitlines()[0]})")
        if rewalk:
            await context.tracing.start(screenshots=False, snapshots=True,
                                        title=f"{unit.locale} {unit.viewport} {flow.id}")
            try:
                await self._rewalk(session, page, guard, flow)
            finally:
                await context.tracing.stop(path=str(base.with_suffix(".trace.zip")))
            found["trace"] = _relative(base.with_suffix(".trace.zip"), self.root)
        return found

    async def _from_the_default(self, session: Session, page, guard, flows) -> None:
        unit = session.unit
        try:
            await start_from_the_default(page, guard, session.base_url, self.project, flows, unit.locale,
                                         unit.viewport, session.rules, session.policy)
        except StepBroken:
            pass  # the flow that needs the switch breaks on it and reports it

    async def _rewalk(self, session: Session, page, guard, flow: Flow) -> None:
        unit = session.unit
        await self._from_the_default(session, page, guard, (flow,))
        await walk_flow(page, guard, session.base_url, self.project, flow, unit.locale, unit.viewport,
                        session.rules, session.policy)

    async def walk_flow(self, session: Session, context, page, guard, flow: Flow) -> None:
        unit = session.unit
        wanted = _wanted(flow, self.steps)
        shots: dict[str, Shot] = {}  # held in memory until the step has passed

        async def on_step(ctx: StepContext) -> None:
            if ctx.step.id in wanted:
                shots[ctx.step.id] = await self.shooter(ctx, session.login)

        try:
            results = await walk_flow(page, guard, session.base_url, self.project, flow, unit.locale, unit.viewport,
                                      session.rules, session.policy, on_step)
        except TargetUnusable:
            # No walk again: an unusable target (a login wall, a checkpoint) is left alone at once.
            await self._failure_artifacts(session, context, page, guard, flow, rewalk=False)
            raise
        broken = [r for r in results if r.status == "broken"]
        failure = await self._failure_artifacts(session, context, page, guard, flow) if broken else {}
        for result in results:
            if result.step not in wanted and result.status != "broken":
                continue
            key = image_key(result.locale, result.viewport, result.step)
            if result.status == "ok" and result.step in shots:
                decision = self.store.decide(key, shots[result.step], result, _verified_labels(result))
            elif result.status == "ok":
                decision = self.store.not_taken(key, result, "kept")
                decision.image.problem = result.not_shot
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
        ordered = sorted(self.decisions, key=lambda d: d.image.key)
        for locale, group in groupby(ordered, key=lambda d: d.image.locale):
            decisions = list(group)
            # A locale's images, then their manifest entries in one save: all or none of them.
            with uninterrupted(), self.store.manifest.batch():
                written = [d.image for d in decisions if self.store.apply(d, hold=locale in drifted)]
            for image in written:
                self.progress.progress.line(f"  wrote {image.key} ({image.status})")
            for image in (d.image for d in decisions):
                if image.status == "unchanged" or (image.status in ("changed", "new") and not image.held):
                    self.verified[image.key] = {"date": self.store.day, "source": self.store.source}


def _units(project: Project, options: CaptureOptions) -> list[Unit]:
    steps = set(options.steps) if options.steps else None
    units = []
    for unit in plan(project, options.locales, options.viewports):
        flows = tuple(f for f in unit.flows if _wanted(f, steps))
        if flows:
            units.append(Unit(unit.locale, unit.viewport, flows))
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
    sessions: int = 0
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


def run_capture(checkout: Checkout, spec: str, project: Project, options: CaptureOptions, auth: Path | None = None,
                progress: Progress | None = None,
                observe: Callable[[str, StepContext], Awaitable[None]] | None = None) -> CaptureReport:
    """Capture everything chosen and write the reports; TargetUnusable is re-raised after its report."""
    target_spec = parse_target(spec)
    check_steps(project, options.steps)
    units = _units(project, options)
    persona = load_persona(checkout.persona_file)
    verified.load(checkout.verified_file)  # a broken verified.json is found before the walk, not after
    day = checkout.today()
    root = checkout.root
    reports = checkout.reports
    artifacts = reports / "artifacts" / "capture"
    progress = progress or Progress()
    with checkout_lock(reports):
        remove_temp_files(artifacts)
        manifest = Manifest.load(checkout.manifest_file)
        stand_in = target_spec.kind == STAND_IN
        report = CaptureReport(
            target={**target_spec.describe(), "source": STAND_IN if stand_in else target_spec.base_url},
            started=datetime.now(timezone.utc).isoformat(timespec="seconds"), threshold=options.threshold)
        report.repairs = manifest.reconcile(day)
        steps = set(options.steps) if options.steps else None
        images = ImageProgress(progress, sum(len(_wanted(f, steps)) for unit in units for f in unit.flows))
        for repair in report.repairs:
            progress.line(f"manifest repaired: {repair}")
        # oxipng holds the GIL: it works in its own process, on images as soon as they are decided, while
        # the walk goes on (spawned, not forked: this process runs threads).
        optimizer = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        with held_from_children():
            optimizer.submit(int)  # starts its process now, deaf to the Ctrl+C the run handles
        store = ImageStore(manifest, root, artifacts, options.threshold, report.target["source"], day, optimizer)
        shooter = Shooter(project, persona, {}, observe, committed=store.committed)
        run = Run(project, options, store, shooter, artifacts, root, images, stand_in)
        t0 = time.monotonic()
        try:
            opened = run_walk(checkout, project, RunRequest(target_spec, units, persona, auth, options.parallel_sessions,
                                                            changes_settings=True, init_scripts=(FREEZE_JS,)),
                              run.walk_unit, progress)
            report.target["base_url"] = opened.base_url
            report.sessions = opened.sessions
            report.repairs += opened.repaired
            run.commit()
        except TargetUnusable as exc:  # nothing is written: what was walked may be half a locale
            report.unusable = {"reason": exc.reason, "detail": exc.detail}
            exc.report = report
            raise
        finally:
            report.images = sorted((d.image for d in run.decisions), key=lambda i: i.key)
            for image in report.images:
                entry = manifest.images.get(image.key)
                if entry and image.bytes is None:
                    image.bytes, image.width, image.height, image.stale = \
                        entry["bytes"], entry["width"], entry["height"], entry["stale"]
            report.wall_seconds = round(time.monotonic() - t0, 1)
            optimizer.shutdown(cancel_futures=True)
            if run.verified:
                verified.record_images(checkout.verified_file, run.verified)
            write_reports(report, reports, root)
        return report
