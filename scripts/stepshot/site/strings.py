"""The site's own short texts per locale (docs/site-strings.yml), read through a strict model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, RootModel

from ..errors import BadInput
from ..files import problem
from ..locales import LOCALES
from ..reader import load_model
from ..schema import STEP_ID, Strict

STRINGS_NAME = "site-strings.yml"  # in docs/, beside the pages (mkdocs.yml excludes it from the site)


class Strings(Strict):
    caption_standin: str
    caption_live: str
    alt_standin: str  # {label}, {callout}
    alt_live: str     # {date}, {label}, {callout}
    image_missing: str
    image_stale: str
    report: str
    report_hint: str   # shown under a step whose picture is an illustration from the stand-in
    report_email: str  # {email}: extra.report_email in mkdocs.yml, when set
    unverified: str
    english_label: str  # {label}: LinkedIn's English label
    labels_notice_title: str
    labels_notice: str
    outdated: str
    outdated_link: str
    print_source: str  # {url}, {date}: the printed page's address and when its steps were last checked
    copy_button: str
    ticket_button: str
    ticket_step: str     # {url}
    ticket_setting: str  # {url}
    column_step: str
    column_link: str
    column_go: str
    cite: str          # {source}, {date}: a short citation after a claim
    cite_undated: str  # {source}: the same for a source without a date
    source_read: str   # {date}: when a source was read for the guide (About's list of sources)
    source_via: str    # {via}: where a second-hand source was read
    strengths: dict[Literal["linkedin", "regulator", "news"], Annotated[str, Field(min_length=1)]]
    flows: dict[Annotated[str, Field(pattern=STEP_ID)], Annotated[str, Field(min_length=1)]]  # flow id -> name


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


def strings_for(locale: str, docs_dir: Path) -> Strings:
    return _load(Path(docs_dir) / STRINGS_NAME)[locale]


def check_flow_names(docs_dir: Path, flow_ids: list[str]) -> None:
    """Every flow of the flow file has a name in every locale (the support table's rows say it)."""
    path = Path(docs_dir) / STRINGS_NAME
    problems = [problem(path, f"{code}.flows.{flow_id}", "missing: the name of this flow in the flow file")
                for code, strings in _load(path).items() for flow_id in flow_ids if flow_id not in strings.flows]
    if problems:
        raise BadInput(problems)
