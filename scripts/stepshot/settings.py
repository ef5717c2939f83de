"""What the environment says, read once: by the CLI, the MkDocs hooks and the test fixtures, never deep
in the library. Every other module is handed a `Settings` (inside a `Checkout`).

    STEPSHOT_ROOT           the checkout to work on (default: the tree this package sits in)
    STEPSHOT_AUTH           saved login for a live target (Playwright storage state), like --auth
    STEPSHOT_ACCOUNT        the live test account's personal data (JSON), hidden on every picture
    STEPSHOT_TODAY          YYYY-MM-DD: the date runs record (tests and reproducible runs fix the clock)
    STEPSHOT_CHROMIUM       a Chromium executable to use instead of Playwright's own
    STEPSHOT_NO_SANDBOX=1   run Chromium without its sandbox (also automatic as root)
    STEPSHOT_STRICT_IMAGES=1  a missing or stale screenshot fails the site build (release builds)
    STEPSHOT_DEPLOY=1       a build to publish: the report repository must be a real one, not the placeholder
    GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID   the Actions run, for links in issue bodies;
                            GITHUB_REPOSITORY is also where the site's "Looks different?" reports go
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BadInput

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Settings:
    root: Path | None = None
    auth: Path | None = None
    account: Path | None = None
    today: str | None = None
    chromium: Path | None = None
    java: Path | None = None
    no_sandbox: bool = False
    strict_images: bool = False
    deploy: bool = False
    repository: str | None = None
    run_url: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> "Settings":
        """Read and check every STEPSHOT_* variable; BadInput (one line) names a bad one."""
        def path(name: str) -> Path | None:
            value = environ.get(name, "").strip()
            return Path(value).expanduser() if value else None

        today = environ.get("STEPSHOT_TODAY", "").strip() or None
        if today is not None:
            try:
                if not ISO_DATE.match(today):
                    raise ValueError
                dt.date.fromisoformat(today)
            except ValueError:
                raise BadInput(f"STEPSHOT_TODAY: {today!r} is not a date (YYYY-MM-DD)") from None
        server, repo, run = (environ.get(k, "").strip() for k in
                             ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
        return cls(
            root=path("STEPSHOT_ROOT"),
            auth=path("STEPSHOT_AUTH"),
            account=path("STEPSHOT_ACCOUNT"),
            today=today,
            chromium=path("STEPSHOT_CHROMIUM"),
            java=path("STEPSHOT_JAVA"),
            no_sandbox=environ.get("STEPSHOT_NO_SANDBOX") == "1",
            strict_images=environ.get("STEPSHOT_STRICT_IMAGES") == "1",
            deploy=environ.get("STEPSHOT_DEPLOY") == "1",
            repository=repo or None,
            run_url=f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None,
        )

    def date(self) -> str:
        """Today as the runs record it: STEPSHOT_TODAY, else the UTC date."""
        return self.today or dt.datetime.now(dt.timezone.utc).date().isoformat()


def child_environment(**extra: str) -> dict[str, str]:
    """The environment of a program stepshot starts (git, mkdocs, Lighthouse, a benchmark run): this
    process's own, which those programs need whole (PATH, HOME, proxies), with `extra` set."""
    return {**os.environ, **extra}
