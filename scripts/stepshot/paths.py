"""Where the project's files live. Everything is relative to the repository root."""

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout stepshot works on: STEPSHOT_ROOT, else the tree this package sits in."""
    env = os.environ.get("STEPSHOT_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def screenshots_dir(root: Path | None = None) -> Path:
    return (root or repo_root()) / "screenshots"


def flow_file(root: Path | None = None) -> Path:
    return screenshots_dir(root) / "flow.yml"


def labels_dir(root: Path | None = None) -> Path:
    return screenshots_dir(root) / "labels"


def manifest_file(root: Path | None = None) -> Path:
    return screenshots_dir(root) / "manifest.json"


def reports_dir(root: Path | None = None) -> Path:
    """Reports and failure artifacts: git-ignored, never inside screenshots/."""
    return (root or repo_root()) / "build" / "stepshot"
