"""The site's own short texts per locale (strings.yml), read through a strict model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import RootModel

from ..locales import LOCALES
from ..files import problem
from ..model import Strict, load_model
from ..errors import BadInput

STRINGS_FILE = Path(__file__).with_name("strings.yml")


class Flows(Strict):
    desktop: str
    app: str
    mobile: str
    ads: str
    research: str


class Strings(Strict):
    caption_standin: str
    caption_live: str
    alt: str
    image_missing: str
    image_stale: str
    report: str
    unverified: str
    english_label: str  # {label}: LinkedIn's English label
    labels_notice_title: str
    labels_notice: str
    outdated: str
    outdated_link: str
    copy_button: str
    column_step: str
    column_link: str
    column_go: str
    flows: Flows

    def flow(self, flow_id: str) -> str:
        name = getattr(self.flows, flow_id, None)
        if name is None:
            raise BadInput(problem(STRINGS_FILE, f"flows.{flow_id}", "missing: no name for this flow"))
        return name


class StringsFile(RootModel[dict[str, Strings]]):
    pass


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Strings]:
    strings = load_model(path, StringsFile).root
    missing = [code for code in LOCALES if code not in strings]
    unknown = [code for code in strings if code not in LOCALES]
    problems = [problem(path, code, "missing locale") for code in missing]
    problems += [problem(path, code, "unknown locale") for code in unknown]
    if problems:
        raise BadInput(problems)
    return strings


def strings_for(locale: str, path: Path = STRINGS_FILE) -> Strings:
    return _load(path)[locale]
