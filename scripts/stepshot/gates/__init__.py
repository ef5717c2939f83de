"""Quality gates over the built guide and the committed screenshots: Lighthouse scores, valid HTML (the Nu HTML
Checker), page weight, personal data on screenshots (OCR), internal links and the deep-link contract. Each
returns one line per problem; the tests (tests/test_gates_*.py), `stepshot lighthouse` and `stepshot htmlcheck`
fail on any."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..errors import EXIT_ENVIRONMENT, BadInput, StepshotError
from ..settings import child_environment


class ToolMissing(StepshotError):
    """A program a gate or the benchmark runs is not installed (Lighthouse, Java, shot-scraper, Tesseract)."""

    exit_code = EXIT_ENVIRONMENT


def build_site(root: Path, out: Path) -> Path:
    """`mkdocs build --strict` of the checkout at `root` into `out` (the checkout's site/ is left alone)."""
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
                            cwd=root, env=child_environment(NO_MKDOCS_2_WARNING="1"), capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise BadInput(f"mkdocs build --strict failed: {lines[-1] if lines else result.returncode}")
    return out
