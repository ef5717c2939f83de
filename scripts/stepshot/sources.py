"""The guide's sources (docs/sources.yml), each once: what the pages cite with {{ cite:ID }}, what About lists,
and which LinkedIn documents `stepshot facts` watches through Open Terms Archive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, RootModel

from .reader import load_model
from .schema import STEP_ID, Strict

SOURCES_NAME = "sources.yml"   # in docs/, excluded from the site by mkdocs.yml
# A year, a month or a day: some sources are known only to their month.
PUBLISHED = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"


class OtaRecord(Strict):
    collection: Annotated[str, Field(pattern=r"^[a-z0-9-]+-versions$")]
    service: Annotated[str, Field(min_length=1)]
    terms_type: Annotated[str, Field(min_length=1)]


class Source(Strict):
    subject: Annotated[str, Field(min_length=3)]
    short: Annotated[str, Field(min_length=2, max_length=40)]
    publisher: Annotated[str, Field(min_length=2)]
    published: Annotated[str, Field(pattern=PUBLISHED)] | None = None
    read: dt.date
    strength: Literal["linkedin", "regulator", "news"]
    url: Annotated[str, Field(pattern=r"^https://[^\s<>\"']+$")] | None = None
    via: Annotated[str, Field(min_length=2)] | None = None
    ota: OtaRecord | None = None
    cited_as: list[Annotated[str, Field(min_length=3)]] = []


class SourcesFile(RootModel[dict[Annotated[str, Field(pattern=STEP_ID)], Source]]):
    pass


def load_sources(docs_dir: Path) -> dict[str, Source]:
    return load_model(docs_dir / SOURCES_NAME, SourcesFile).root
