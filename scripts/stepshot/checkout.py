"""The checkout stepshot works on: where its files are, and the settings read from the environment.

One `Checkout` is made at the edge (the CLI, the MkDocs hooks, a test fixture) and passed down; no library
module finds the repository or reads the environment by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .settings import Settings

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Checkout:
    root: Path
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Checkout":
        """STEPSHOT_ROOT's checkout, else the tree this package sits in."""
        return cls((settings.root or PACKAGE_ROOT).resolve(), settings)

    # ---- where things are ----

    @property
    def screenshots(self) -> Path:
        return self.root / "screenshots"

    @property
    def flow_file(self) -> Path:
        return self.screenshots / "flow.yml"

    @property
    def labels_dir(self) -> Path:
        return self.screenshots / "labels"

    @property
    def manifest_file(self) -> Path:
        return self.screenshots / "manifest.json"

    @property
    def verified_file(self) -> Path:
        return self.screenshots / "verified.json"

    @property
    def persona_file(self) -> Path:
        return self.screenshots / "persona.yml"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def reports(self) -> Path:
        """Reports and failure artifacts: git-ignored, never inside screenshots/."""
        return self.root / "build" / "stepshot"

    # ---- what is in them ----

    def project(self, locales: list[str] | None = None):
        from .reader import load_project

        return load_project(self.flow_file, self.labels_dir, locales)

    def today(self) -> str:
        return self.settings.date()
