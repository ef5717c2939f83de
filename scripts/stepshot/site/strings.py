"""The site's own short texts per locale (docs/site-strings.yml), read through a strict model."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, RootModel, field_validator

from ..errors import BadInput
from ..files import problem
from ..locales import LOCALES
from ..reader import load_model
from ..schema import STEP_ID, Strict

STRINGS_NAME = "site-strings.yml"  # in docs/, beside the pages (mkdocs.yml excludes it from the site)
APP_TAB = "app"                     # the name of the app tab, beside the flows' names


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
    flows: dict[Annotated[str, Field(pattern=STEP_ID)], Annotated[str, Field(min_length=1)]]  # flow id -> name

    @field_validator("flows")
    @classmethod
    def _app_tab_named(cls, flows):
        if APP_TAB not in flows:
            raise ValueError(f"needs {APP_TAB!r}: the name of the app tab")
        return flows


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
