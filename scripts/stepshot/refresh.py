"""`stepshot refresh`: capture, then decide what a maintainer must do about it.

    unchanged  nothing to do (exit 0)
    changed    images changed: they are committed on a fixed branch for a pull request (exit 0)
    broken     drift: a step no longer matches the target; an issue names it; no commit (exit 1)
    blocked    the target cannot be used (login expired, checkpoint); an issue says renew the login (exit 3)

Refresh works in the git checkout it is pointed at and never pushes. It runs the capture there (in this
process, on that checkout), commits without switching branches (gitops), and leaves the checkout's
screenshots/ as they were before the run: the results live on the branch and in the output folder, whose
outcome.json, title and body files the nightly workflow reads. A refresh walks with one browser session
per login: it is what the nightly job runs against the test account.

Shards (one refresh per group of locales, on different machines) are combined by `refresh --merge`:
each shard's output folder carries the files it changed; merge applies them all to one checkout, merges
the JSON files key by key, and commits once. Outcomes combine worst first: blocked, broken, changed,
unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import gitops
from .capture import CaptureOptions, CaptureReport, run_capture
from .checkout import Checkout
from .errors import EXIT_DRIFT, EXIT_OK, EXIT_TARGET_UNUSABLE, BadInput, TargetUnusable
from .files import confined, inside, problem, read_json, to_json, write_atomic
from .locales import LOCALES
from .refresh_text import render
from .settings import Settings

DEFAULT_BRANCH = "stepshot/refresh"
SCHEMA = "stepshot-refresh/1"
SCREENSHOTS = "screenshots"
OUTCOMES = ("unchanged", "changed", "broken", "blocked")  # in order of severity
EXIT_CODES = {"unchanged": EXIT_OK, "changed": EXIT_OK, "broken": EXIT_DRIFT, "blocked": EXIT_TARGET_UNUSABLE}
FILES_DIR = "files"       # in the output folder: copies of the changed files, by path in the checkout
REPORTS_DIR = "reports"   # in the output folder: the capture reports of the run (or of every shard)
TEXT_FILES = ("outcome.json", "pr-title.txt", "pr-body.md", "issue-title.txt", "issue-body.md")


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


def default_out(checkout: Checkout) -> Path:
    return checkout.reports / "refresh"


def check_out(out: Path, root: Path) -> Path:
    """The output folder may be anywhere but inside screenshots/ (refresh restores that folder)."""
    if inside(out, root / SCREENSHOTS):
        raise BadInput(f"--out: {out}: inside {SCREENSHOTS}/, which refresh puts back as it was; "
                       "choose another folder (default build/stepshot/refresh/)")
    return out


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

def refresh(settings: Settings, repo: Path, target: str = "stand-in", locales: list[str] | None = None,
            viewports: list[str] | None = None, auth: Path | None = None, branch: str = DEFAULT_BRANCH,
            out: Path | None = None) -> Outcome:
    root, base = prepare(repo, branch)
    checkout = Checkout(root, settings)
    out = check_out(out or default_out(checkout), root)
    project = checkout.project(locales)
    clear_out(out)
    options = CaptureOptions(locales=locales or list(LOCALES), viewports=viewports, parallel_sessions=None)
    try:
        try:
            report = run_capture(checkout, target, project, options, auth)
        except TargetUnusable as exc:
            report = exc.report
        found = gitops.changes(root, SCREENSHOTS)
        outcome = Outcome(outcome="unchanged", target=target, locales=locales or list(LOCALES),
                          base=base, branch=branch, images=changed_images(report))
        if report.unusable:
            outcome.outcome = "blocked"
            outcome.blocked = report.unusable
        elif report.exit_code == EXIT_DRIFT:
            outcome.outcome = "broken"
            outcome.broken = broken_steps(report)
        elif any(c.path.endswith(".png") for c in found):
            outcome.outcome = "changed"
            keep_files(root, found, out)
            outcome.files = [{"path": c.path, "status": c.status} for c in found]
            outcome.commit = gitops.commit_on_branch(root, branch, [c.path for c in found],
                                                     commit_message(outcome))
        outcome.reports = keep_reports(checkout.reports, out)
    finally:
        gitops.restore(root, gitops.changes(root, SCREENSHOTS))
    write_outcome(outcome, out, settings)
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


def write_outcome(outcome: Outcome, out: Path, settings: Settings) -> None:
    texts = render(outcome, {name: (out / name).read_text(encoding="utf-8") for name in outcome.reports},
                   settings.run_url)
    for name, text in texts.items():
        write_atomic(out / name, text.encode("utf-8"))
    write_atomic(out / "outcome.json", to_json(outcome.to_json()))


def commit_message(outcome: Outcome) -> str:
    images = [f for f in outcome.files if f["path"].endswith(".png")]
    lines = [f"Screenshots: {len(images)} changed on {outcome.target}", ""]
    lines += [f"{f['status']}: {f['path']}" for f in outcome.files]
    return "\n".join(lines) + "\n"


# ---------- what the capture found ----------

def changed_images(report: CaptureReport) -> list[dict]:
    """Capture's changed and new images: {"key", "status", "note"}, the note fit for a table cell.

    Held images are left out: their locale had drift, so capture did not write them.
    """
    found = []
    for image in report.images:
        if image.held:
            continue
        if image.status == "changed":
            note = f"changed: {image.share * 100:.2f} % of pixels"
            if image.bbox:
                note += " in ({})".format(", ".join(map(str, image.bbox)))
            found.append({"key": image.key, "status": "changed", "note": note})
        elif image.status == "new":
            found.append({"key": image.key, "status": "new", "note": "new"})
    return found


def broken_steps(report: CaptureReport) -> list[dict]:
    """Capture's broken steps, each with the label it missed and what the page shows instead."""
    return [{"locale": i.locale, "viewport": i.viewport, "flow": i.flow, "step": i.step, "number": i.number,
             "problem": i.problem, "label_key": i.label_key, "expected_label": i.expected_label,
             "suggestions": [{"text": s["text"], "score": s["score"]} for s in i.suggestions]}
            for i in report.images if i.status == "broken"]


# ---------- merging shards ----------

SHARD_KINDS = {"outcome": str, "target": str, "locales": list, "base": str, "branch": str, "files": list,
               "images": list, "broken": list, "reports": list}


def load_shard(folder: Path) -> Outcome:
    """A shard's outcome.json, checked: every field of the right kind, every path inside the shard."""
    path = folder / "outcome.json"
    data = read_json(path, missing_message=f"not found (is {folder} the output folder of a refresh?)")
    if data.get("schema") != SCHEMA:
        raise BadInput(problem(path, "schema", f"expected {SCHEMA!r}"))
    for name, kind in SHARD_KINDS.items():
        if not isinstance(data.get(name), kind):
            raise BadInput(problem(path, name, f"missing or not a {kind.__name__}"))
    if data["outcome"] not in OUTCOMES:
        raise BadInput(problem(path, "outcome", f"expected one of {', '.join(OUTCOMES)}"))
    if not isinstance(data.get("blocked"), (dict, type(None))) or not isinstance(data.get("commit"), (str, type(None))):
        raise BadInput(problem(path, "blocked", "expected an object or null"))
    for report in data["reports"]:
        if not isinstance(report, str) or not report.endswith(".md"):
            raise BadInput(problem(path, "reports", f"{report!r}: not a Markdown report of the shard"))
        confined(folder, report, "reports", path)
    for entry in data["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str) \
                or entry.get("status") not in ("modified", "added", "deleted"):
            raise BadInput(problem(path, "files", "expected [{path, status}]"))
        if not entry["path"].startswith(SCREENSHOTS + "/"):
            raise BadInput(problem(path, "files", f"{entry['path']}: outside {SCREENSHOTS}/"))
        if entry["status"] != "deleted":
            confined(folder / FILES_DIR, entry["path"], "files", path)
    for field_name in ("images", "broken"):
        if not all(isinstance(item, dict) for item in data[field_name]):
            raise BadInput(problem(path, field_name, "expected a list of objects"))
    return Outcome.from_json(data)


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
    """Write every shard's changed files into the checkout (their paths were checked by load_shard)."""
    json_versions: dict[str, list] = {}
    for folder, shard in shards:
        for entry in shard.files:
            path = entry["path"]
            target = confined(root, path, "files", folder / "outcome.json")
            if entry["status"] == "deleted":
                target.unlink(missing_ok=True)
            elif path.endswith(".json"):
                json_versions.setdefault(path, []).append(read_json(folder / FILES_DIR / path))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(folder / FILES_DIR / path, target, follow_symlinks=False)
    for path, versions in json_versions.items():
        target = root / path
        write_atomic(target, to_json(merge_json(read_json(target, missing={}), versions)))


def merge(settings: Settings, folders: list[Path], repo: Path, branch: str = DEFAULT_BRANCH,
          out: Path | None = None) -> Outcome:
    if not folders:
        raise BadInput("--merge: no shard folders given")
    root, base = prepare(repo, branch)
    checkout = Checkout(root, settings)
    shards = [(folder, load_shard(folder)) for folder in folders]
    for folder, shard in shards:
        if shard.base != base:
            raise BadInput(f"{folder / 'outcome.json'}: base: the shard ran on commit {shard.base[:12]}, "
                           f"this checkout is at {base[:12]}")
    out = check_out(out or default_out(checkout), root)
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
            shutil.copyfile(confined(folder, report, "reports", folder / "outcome.json"), destination)
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
    write_outcome(combined, out, settings)
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
