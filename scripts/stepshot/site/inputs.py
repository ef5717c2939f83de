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

REPORT_REPO = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"


@dataclass
class SiteInputs:
    checkout: Checkout
    docs_dir: Path
    project: Project
    manifest: Manifest
    verified: dict
    site_url: str      # absolute, ends with "/"
    report_repo: str   # GitHub owner/name where "Looks different?" reports go

    @classmethod
    def load(cls, checkout: Checkout, config_file: Path, docs_dir: Path, site_url: str | None,
             report_repo: str | None):
        if not site_url or not re.match(r"^https?://", site_url):
            raise BadInput(problem(config_file, "site_url", "must be an absolute http(s) URL (set SITE_URL)"))
        if not report_repo or not re.match(REPORT_REPO, report_repo):
            raise BadInput(problem(config_file, "extra.report_repo", "must be a GitHub owner/name"))
        return cls(
            checkout=checkout,
            docs_dir=docs_dir,
            project=checkout.project(),
            manifest=Manifest.load(checkout.manifest_file),
            verified=verified.labels(checkout.verified_file),
            site_url=site_url if site_url.endswith("/") else site_url + "/",
            report_repo=report_repo,
        )

    def label_confirmed(self, locale: str, key: str) -> bool:
        """Seen on linkedin.com in this locale with this very text, or quoted by LinkedIn's English help."""
        label = self.project.labels[locale].labels[key]
        seen = self.verified.get(locale, {}).get(key) or {}
        if seen.get("text") == label.text and verified.is_linkedin(str(seen.get("base_url", ""))):
            return True
        return locale == SOURCE_LOCALE and label.status == "sourced"
