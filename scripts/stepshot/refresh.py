"""`stepshot refresh`: capture, then decide what a maintainer must do about it.

    unchanged  nothing to do (exit 0)
    changed    images changed: they are committed on a fixed branch for a pull request (exit 0)
    broken     drift: a step no longer matches the target; an issue names it; no commit (exit 1)
    blocked    the target cannot be used (login expired, checkpoint); an issue says renew the login (exit 3)

Refresh works in the git checkout it is pointed at and never pushes. It runs `stepshot capture` there as a
child process (STEPSHOT_ROOT set to that checkout), commits without switching branches (gitops), and
leaves the checkout's screenshots/ as they were before the run: the results live on the branch and in
the output folder, whose outcome.json, title and body files the nightly workflow reads.

Shards (one refresh per group of locales, on different machines) are combined by `refresh --merge`:
each shard's output folder carries the files it changed; merge applies them all to one checkout, merges
the JSON files key by key, and commits once. Outcomes combine worst first: blocked, broken, changed,
unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import gitops, paths
from .errors import EXIT_DRIFT, EXIT_OK, EXIT_TARGET_UNUSABLE, BadInput, StepshotError
from .imagefile import write_atomic
from .locales import LOCALES
from .manifest import to_json
from .model import read_json
from .refresh_text import render

DEFAULT_BRANCH = "stepshot/refresh"
SCHEMA = "stepshot-refresh/1"
SCREENSHOTS = "screenshots"
OUTCOMES = ("unchanged", "changed", "broken", "blocked")  # in order of severity
EXIT_CODES = {"unchanged": EXIT_OK, "changed": EXIT_OK, "broken": EXIT_DRIFT, "blocked": EXIT_TARGET_UNUSABLE}
FILES_DIR = "files"       # in the output folder: copies of the changed files, by path in the checkout
REPORTS_DIR = "reports"   # in the output folder: the capture reports of the run (or of every shard)
TEXT_FILES = ("outcome.json", "pr-title.txt", "pr-body.md", "issue-title.txt", "issue-body.md")


class CaptureFailed(StepshotError):
    """`stepshot capture` ended with a code that is no outcome (bad input, no browser): refresh ends with it."""

    def __init__(self, exit_code: int):
        self.exit_code = exit_code
        super().__init__(f"capture failed with exit code {exit_code} (its message is above)")


@dataclass
class Outcome:
    outcome: str
    target: str
    locales: list[str]
    base: str                                            # the commit the run compared against
    branch: str
    commit: str | None = None                            # on `branch`, when changed
    files: list[dict] = field(default_factory=list)      # [{"path", "status"}] changed under screenshots/
    images: list[dict] = field(default_factory=list)     # capture's changed/new images
    broken: list[dict] = field(default_factory=list)     # broken steps, with label suggestions
    blocked: dict | None = None                          # {"reason", "detail"}
    reports: list[str] = field(default_factory=list)     # Markdown reports, relative to the output folder

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def to_json(self) -> dict:
        return {"schema": SCHEMA, "outcome": self.outcome, "exit_code": self.exit_code, "target": self.target,
                "locales": self.locales, "base": self.base, "branch": self.branch, "commit": self.commit,
                "files": self.files, "images": self.images, "broken": self.broken, "blocked": self.blocked,
                "reports": self.reports}

    @classmethod
    def from_json(cls, data: dict) -> "Outcome":
        return cls(**{k: data[k] for k in ("outcome", "target", "locales", "base", "branch", "commit", "files",
                                           "images", "broken", "blocked", "reports")})


def default_out(root: Path) -> Path:
    return paths.reports_dir(root) / "refresh"


def prepare(repo: Path, branch: str) -> tuple[Path, str]:
    """The checkout's root and HEAD, after refusing what refresh must not run on."""
    root = gitops.toplevel(repo)
    base = gitops.head(root)
    gitops.check_branch_name(root, branch)
    dirty = gitops.changes(root, SCREENSHOTS)
    if dirty:
        raise BadInput(f"{root / dirty[0].path}: uncommitted change ({dirty[0].status}) in {SCREENSHOTS}/; "
                       "commit or discard it first: refresh restores screenshots/ after its run")
    return root, base


def clear_out(out: Path) -> None:
    """Remove what an earlier run left in the output folder, so no stale title or outcome survives."""
    for name in TEXT_FILES:
        (out / name).unlink(missing_ok=True)
    for name in (FILES_DIR, REPORTS_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


# ---------- one run ----------

def run_capture(root: Path, target: str, locales: list[str] | None, viewports: list[str] | None,
                auth: Path | None) -> int:
    """`stepshot capture` in the checkout at `root`; its output goes straight to ours."""
    command = [sys.executable, "-m", "stepshot.cli", "capture", "--target", target]
    for locale in locales or []:
        command += ["--locale", locale]
    for viewport in viewports or []:
        command += ["--viewport", viewport]
    if auth is not None:
        command += ["--auth", str(auth.resolve())]
    return subprocess.run(command, cwd=root, env={**os.environ, "STEPSHOT_ROOT": str(root)}).returncode


def refresh(repo: Path, target: str = "stand-in", locales: list[str] | None = None,
            viewports: list[str] | None = None, auth: Path | None = None, branch: str = DEFAULT_BRANCH,
            out: Path | None = None) -> Outcome:
    root, base = prepare(repo, branch)
    out = out or default_out(root)
    clear_out(out)
    (paths.reports_dir(root) / "capture.json").unlink(missing_ok=True)  # only this run's report counts
    try:
        code = run_capture(root, target, locales, viewports, auth)
        if code not in (EXIT_OK, EXIT_DRIFT, EXIT_TARGET_UNUSABLE):
            raise CaptureFailed(code)
        report = read_capture_report(paths.reports_dir(root), code)
        found = gitops.changes(root, SCREENSHOTS)
        outcome = Outcome(outcome="unchanged", target=target, locales=locales or list(LOCALES),
                          base=base, branch=branch, images=changed_images(report))
        if code == EXIT_TARGET_UNUSABLE:
            outcome.outcome = "blocked"
            outcome.blocked = unusable_of(report)
        elif code == EXIT_DRIFT:
            outcome.outcome = "broken"
            outcome.broken = broken_steps(report)
        elif any(c.path.endswith(".png") for c in found):
            outcome.outcome = "changed"
            keep_files(root, found, out)
            outcome.files = [{"path": c.path, "status": c.status} for c in found]
            outcome.commit = gitops.commit_on_branch(root, branch, [c.path for c in found],
                                                     commit_message(outcome))
        outcome.reports = keep_reports(paths.reports_dir(root), out)
    finally:
        gitops.restore(root, gitops.changes(root, SCREENSHOTS))
    write_outcome(outcome, out)
    return outcome


def keep_files(root: Path, found: list[gitops.Change], out: Path) -> None:
    for change in found:
        if change.status != "deleted":
            destination = out / FILES_DIR / change.path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / change.path, destination)


def keep_reports(report_dir: Path, out: Path, prefix: str = "") -> list[str]:
    """Copy the capture reports into the output folder; returns the Markdown ones, relative to it."""
    kept = []
    for name in ("capture.md", "capture.json"):
        source = report_dir / name
        if source.is_file():
            destination = out / REPORTS_DIR / prefix / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            if name.endswith(".md"):
                kept.append(destination.relative_to(out).as_posix())
    return kept


def write_outcome(outcome: Outcome, out: Path) -> None:
    texts = render(outcome, {name: (out / name).read_text(encoding="utf-8") for name in outcome.reports})
    for name, text in texts.items():
        write_atomic(out / name, text.encode("utf-8"))
    write_atomic(out / "outcome.json", to_json(outcome.to_json()))


def commit_message(outcome: Outcome) -> str:
    images = [f for f in outcome.files if f["path"].endswith(".png")]
    lines = [f"Screenshots: {len(images)} changed on {outcome.target}", ""]
    lines += [f"{f['status']}: {f['path']}" for f in outcome.files]
    return "\n".join(lines) + "\n"


# ---------- reading capture's report ----------

def read_capture_report(report_dir: Path, code: int) -> dict:
    """capture.json of the run that just ended with `code`; a crash (Python exits 1) is no drift."""
    path = report_dir / "capture.json"
    report = read_json(path, missing_message=f"capture ended with exit code {code} without writing its report")
    if report.get("exit_code") != code:
        raise StepshotError(f"{path}: exit_code: {report.get('exit_code')!r}, but capture ended with {code} "
                            "(a crash: see its message above)")
    return report


def changed_images(report: dict) -> list[dict]:
    """Capture's changed and new images: {"key", "status", "note"}, the note fit for a table cell.

    Held images are left out: their locale had drift, so capture did not write them.
    """
    found = []
    for image in report.get("images", []):
        if image.get("held"):
            continue
        if image["status"] == "changed":
            note = f"changed: {image['share'] * 100:.2f} % of pixels"
            if image.get("bbox"):
                note += " in ({})".format(", ".join(map(str, image["bbox"])))
            found.append({"key": image["key"], "status": "changed", "note": note})
        elif image["status"] == "new":
            found.append({"key": image["key"], "status": "new", "note": "new"})
    return found


def broken_steps(report: dict) -> list[dict]:
    """Capture's broken steps, each with the label it missed and what the page shows instead."""
    return [{k: image.get(k) for k in ("locale", "viewport", "flow", "step", "number", "problem", "label_key",
                                       "expected_label")}
            | {"suggestions": [{"text": s["text"], "score": s["score"]} for s in image.get("suggestions", [])]}
            for image in report.get("images", []) if image["status"] == "broken"]


def unusable_of(report: dict) -> dict:
    return report.get("unusable") or {"reason": "unknown", "detail": "capture ended with exit code 3 "
                                                                     "without a reason in its report"}


# ---------- merging shards ----------

def load_shard(folder: Path) -> Outcome:
    path = folder / "outcome.json"
    data = read_json(path, missing_message=f"not found (is {folder} the output folder of a refresh?)")
    if data.get("schema") != SCHEMA:
        raise BadInput(f"{path}: schema: expected {SCHEMA!r}")
    try:
        return Outcome.from_json(data)
    except KeyError as exc:
        raise BadInput(f"{path}: {exc.args[0]}: missing") from None


def merge_json(base: object, versions: list[object]) -> object:
    """Three-way merge of JSON objects key by key: a key one version changed takes that version's value.

    Shards cover different locales, so they change different keys of the manifest and of verified.json;
    where two changed the same non-object value, the last one wins.
    """
    changed = [v for v in versions if v != base]
    if not changed:
        return base
    if not (isinstance(base, dict) and all(isinstance(v, dict) for v in changed)):
        return changed[-1]
    merged = {}
    missing = object()
    for key in sorted(set(base).union(*changed)):
        value = merge_json(base.get(key, missing), [v.get(key, missing) for v in changed])
        if value is not missing:
            merged[key] = value
    return merged


def apply_shards(root: Path, shards: list[tuple[Path, Outcome]]) -> None:
    """Write every shard's changed files into the checkout."""
    json_versions: dict[str, list] = {}
    for folder, shard in shards:
        for entry in shard.files:
            path, target = entry["path"], root / entry["path"]
            if not path.startswith(SCREENSHOTS + "/") or ".." in Path(path).parts:
                raise BadInput(f"{folder / 'outcome.json'}: files: {path}: outside {SCREENSHOTS}/")
            if entry["status"] == "deleted":
                target.unlink(missing_ok=True)
            elif path.endswith(".json"):
                json_versions.setdefault(path, []).append(
                    json.loads((folder / FILES_DIR / path).read_text(encoding="utf-8")))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / FILES_DIR / path, target)
    for path, versions in json_versions.items():
        target = root / path
        base = json.loads(target.read_text(encoding="utf-8")) if target.exists() else {}
        write_atomic(target, to_json(merge_json(base, versions)))


def merge(folders: list[Path], repo: Path, branch: str = DEFAULT_BRANCH, out: Path | None = None) -> Outcome:
    if not folders:
        raise BadInput("--merge: no shard folders given")
    root, base = prepare(repo, branch)
    shards = [(folder, load_shard(folder)) for folder in folders]
    for folder, shard in shards:
        if shard.base != base:
            raise BadInput(f"{folder / 'outcome.json'}: base: the shard ran on commit {shard.base[:12]}, "
                           f"this checkout is at {base[:12]}")
    out = out or default_out(root)
    clear_out(out)
    combined = Outcome(
        outcome=max((s.outcome for _, s in shards), key=OUTCOMES.index),
        target=", ".join(dict.fromkeys(s.target for _, s in shards)),
        locales=[code for _, s in shards for code in s.locales], base=base, branch=branch,
        images=[i for _, s in shards for i in s.images], broken=[b for _, s in shards for b in s.broken],
        blocked=next((s.blocked for _, s in shards if s.blocked), None))
    for number, (folder, shard) in enumerate(shards, start=1):
        for report in shard.reports:
            destination = out / REPORTS_DIR / f"shard-{number}" / Path(report).name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / report, destination)
            combined.reports.append(destination.relative_to(out).as_posix())
    if combined.outcome == "changed":
        try:
            apply_shards(root, [(f, s) for f, s in shards if s.outcome == "changed"])
            found = gitops.changes(root, SCREENSHOTS)
            keep_files(root, found, out)
            combined.files = [{"path": c.path, "status": c.status} for c in found]
            combined.commit = gitops.commit_on_branch(root, branch, [c.path for c in found],
                                                      commit_message(combined))
        finally:
            gitops.restore(root, gitops.changes(root, SCREENSHOTS))
    write_outcome(combined, out)
    return combined


def summary_line(outcome: Outcome) -> str:
    if outcome.outcome == "changed":
        images = sum(1 for f in outcome.files if f["path"].endswith(".png"))
        return (f"refresh: changed: {images} image(s) committed on {outcome.branch} ({outcome.commit[:12]}); "
                "pull-request title and body written")
    if outcome.outcome == "broken":
        return f"refresh: broken: {len(outcome.broken)} step(s) no longer match; issue title and body written"
    if outcome.outcome == "blocked":
        return f"refresh: blocked ({(outcome.blocked or {}).get('reason')}): issue title and body written"
    return "refresh: unchanged: nothing to commit"
