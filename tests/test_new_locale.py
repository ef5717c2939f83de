"""`stepshot new-locale`: in a copy of the project (its own scripts: the command edits the locale list), a
language added by the one command validates, builds, walks and captures; bad values change nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

COPIED = ("docs", "overrides", "mkdocs.yml", "screenshots/flow.yml", "screenshots/labels", "screenshots/persona.yml",
          ".github/workflows/nightly-screenshots.yml", "scripts/stepshot")


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def stepshot(project: Path, *args: str) -> subprocess.CompletedProcess:
    """The project copy's own stepshot (its scripts on the path, STEPSHOT_ROOT at it)."""
    env = {**os.environ, "PYTHONPATH": str(project / "scripts"), "STEPSHOT_ROOT": str(project)}
    code = "import sys; from stepshot.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new-locale") / "project"
    for name in COPIED:
        source, target = ROOT / name, folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    return folder


@pytest.fixture(scope="module")
def added(project):
    before = (ROOT / "scripts/stepshot/locales.py").read_bytes()
    ran = stepshot(project, "new-locale", "sv", "--name", "Svenska", "--browser", "sv-SE")
    assert (ROOT / "scripts/stepshot/locales.py").read_bytes() == before, "the repository's own list is untouched"
    return ran


def test_new_locale_adds_the_language_everywhere(project, added):
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added sv (Svenska): ")
    assert 'Locale("sv", "sv-SE", "Svenska", "sv_SE")' in (project / "scripts/stepshot/locales.py").read_text()
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    assert "        - locale: sv\n          name: Svenska\n          build: true\n" in config
    labels = yaml.safe_load((project / "screenshots/labels/sv.yml").read_text(encoding="utf-8"))
    english = yaml.safe_load((project / "screenshots/labels/en.yml").read_text(encoding="utf-8"))
    assert {k: v["text"] for k, v in labels["labels"].items()} == {k: v["text"] for k, v in english["labels"].items()}
    assert {v["status"] for v in labels["labels"].values()} == {"unverified"}
    assert sorted(p.name for p in (project / "docs/sv").iterdir()) == sorted(p.name for p in (project / "docs/en").iterdir())
    assert "sv" in yaml.safe_load((project / "docs/site-strings.yml").read_text(encoding="utf-8"))
    assert "/sv/#open-settings" in (project / "docs/links-contract.json").read_text(encoding="utf-8")
    last_shard = re.findall(r"^ +locales: (.+)$", (ROOT / ".github/workflows/nightly-screenshots.yml").read_text(), re.M)[-1]
    assert f"locales: {last_shard} sv\n" in (project / ".github/workflows/nightly-screenshots.yml").read_text()
    listed = stepshot(project, "translations", "--locale", "sv")
    assert listed.returncode == 1 and "docs/sv/faq.md: awaiting translation (an English copy; record translation_of: " \
        in listed.stdout
    assert stepshot(project, "validate").returncode == 0
    assert stepshot(project, "links").returncode == 0


def test_a_new_locale_builds_walks_and_captures(project, added):
    assert added.returncode == 0, added.stderr
    site = project / "site"
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=project,
                           env={**os.environ, "PYTHONPATH": str(project / "scripts")}, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    assert '<html lang="sv"' in (site / "sv" / "index.html").read_text(encoding="utf-8")
    check = stepshot(project, "check", "--locale", "sv", "--viewport", "desktop")
    assert check.returncode == 0, check.stderr
    assert "0 broken" in check.stdout
    capture = stepshot(project, "capture", "--locale", "sv", "--viewport", "desktop")
    assert capture.returncode == 0, capture.stderr
    assert (project / "screenshots/sv/desktop/turn-ai-toggle-off.png").is_file()


@pytest.mark.parametrize("args, message", [
    (["en", "--name", "English"], "new-locale: en: already a locale (English)"),
    (["Polish", "--name", "Polski"], "new-locale: Polish: not a locale code (like pl, zh-TW: language, then region or script)"),
    (["fi", "--name", 'Suo"mi'], "--name: 'Suo\"mi': the language's own name, one line without quotes or backslashes"),
    (["fi", "--name", "Suomi", "--linkedin", "finnish"], "--linkedin: finnish: not a value of LinkedIn's language list (like pl_PL)"),
])
def test_bad_values_change_nothing(tmp_path, args, message):
    folder = tmp_path / "project"
    for name in COPIED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, folder / name)
    before = tree_digest(folder)
    ran = stepshot(folder, "new-locale", *args)
    assert (ran.returncode, ran.stderr.strip()) == (2, message)
    assert tree_digest(folder) == before
