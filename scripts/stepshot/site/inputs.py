"""What a site build reads: the flow, every locale's labels, the screenshot manifest, verified labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import verified
from ..checkout import Checkout
from ..errors import BadInput
from ..files import problem
from ..locales import SOURCE_LOCALE
from ..manifest import Manifest
from ..reader import Project
from ..sources import Source, load_sources

REPORT_REPO = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"
PLACEHOLDER_OWNER = "example"  # mkdocs.yml's report_repo until a fork sets its own
EMAIL = r"^[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}$"


@dataclass
class SiteInputs:
    checkout: Checkout
    docs_dir: Path
    project: Project
    manifest: Manifest
    verified: dict
    checked: dict      # image key -> {"date", "source"}: when each picture was last checked
    site_url: str      # absolute, ends with "/"
    report_repo: str   # GitHub owner/name where "Looks different?" reports go
    report_email: str | None  # an address for readers without a GitHub account (extra.report_email)
    sources: dict[str, Source]  # docs/sources.yml: what {{ cite:ID }} and {{ sources }} show

    @classmethod
    def load(cls, checkout: Checkout, config_file: Path, docs_dir: Path, site_url: str | None, extra: dict):
        if not site_url or not re.match(r"^https?://", site_url):
            raise BadInput(problem(config_file, "site_url", "must be an absolute http(s) URL (set SITE_URL)"))
        # In GitHub Actions the repository the site is built from takes the reports.
        report_repo = checkout.settings.repository or extra.get("report_repo")
        if not report_repo or not re.match(REPORT_REPO, report_repo):
            raise BadInput(problem(config_file, "extra.report_repo", "must be a GitHub owner/name"))
        if checkout.settings.deploy and report_repo.split("/")[0] == PLACEHOLDER_OWNER:
            raise BadInput(problem(config_file, "extra.report_repo", f"{report_repo} is the placeholder: a published "
                                   "site needs the real repository (GITHUB_REPOSITORY in Actions, or set it here)"))
        report_email = extra.get("report_email")
        if report_email is not None and not re.match(EMAIL, str(report_email)):
            raise BadInput(problem(config_file, "extra.report_email", "must be an email address"))
        return cls(
            checkout=checkout,
            docs_dir=docs_dir,
            project=checkout.project(),
            manifest=Manifest.load(checkout.manifest_file),
            verified=verified.labels(checkout.verified_file),
            checked=verified.images(checkout.verified_file),
            site_url=site_url if site_url.endswith("/") else site_url + "/",
            report_repo=report_repo,
            report_email=report_email,
            sources=load_sources(docs_dir),
        )

    def label_confirmed(self, locale: str, key: str) -> bool:
        """Seen on linkedin.com in this locale with this very text, or quoted by LinkedIn's English help."""
        label = self.project.labels[locale].labels[key]
        seen = self.verified.get(locale, {}).get(key) or {}
        if seen.get("text") == label.text and verified.is_linkedin(str(seen.get("base_url", ""))):
            return True
        return locale == SOURCE_LOCALE and label.status == "sourced"
