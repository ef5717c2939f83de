"""The flow file and the label files: what they may hold, as strict pydantic models.

Reading them (bounded YAML, one line per problem, the cross-checks between files) is reader.py's.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .locales import VIEWPORTS

STEP_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
LABEL_KEY = r"^[a-z][a-z0-9_]*$"
DATE = r"^\d{4}-\d{2}(-\d{2})?$"
URL = r"^https?://"
PATH = r"^/"
ROLES = ("button", "link", "switch", "heading", "menuitem", "tab", "region", "navigation", "dialog")
VIEWPORT_NAMES = tuple(VIEWPORTS)
MAX_ID_LENGTH = 64          # step ids become file names and URL anchors
LINKEDIN = "https://www.linkedin.com"  # the site the flows' paths are on
MAX_LABEL_LENGTH = 300      # LinkedIn's longest label (the question under the AI setting) is ~130


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def error_at(field: str, message: str) -> PydanticCustomError:
    """A check made on a whole model but about one of its fields: reported at that field."""
    return PydanticCustomError("error_at", "{message}", {"field": field, "message": message})


def plain_text(text: str) -> str:
    """Label and callout texts are one line of plain text: they land in HTML, Markdown and issue bodies."""
    if not text.strip():
        raise ValueError("must not be blank")
    if any(ch in text for ch in "\n\r\t\x00") or any(0x2028 <= ord(ch) <= 0x2029 for ch in text):
        raise ValueError("must be one line (no line breaks, tabs or NUL)")
    if text != text.strip():
        raise ValueError("must not start or end with spaces")
    return text


# ---------- label files ----------

class Source(Strict):
    """Who quoted the label: publication (or, for undated pages, reading) date, and a URL where known."""

    name: str = Field(min_length=1)
    date: str = Field(pattern=DATE)
    url: str | None = Field(default=None, pattern=URL)


class Seen(Strict):
    """Where `stepshot learn` read a label off a target's pages, and how it found it."""

    target: str = Field(min_length=1)          # the --target: stand-in, or a base URL
    where: str = Field(min_length=1)           # viewport, flow/step and page path
    how: Literal["anchor", "structure"]        # by a language-neutral anchor, or by its place on the page
    anchor: str = Field(min_length=1)          # what found it, in words
    date: str = Field(pattern=DATE)


class Label(Strict):
    """One of LinkedIn's UI strings in one locale, with where we got it."""

    text: str = Field(min_length=1, max_length=MAX_LABEL_LENGTH)
    # sourced: quoted by the source below; unverified: our best translation, not yet seen on LinkedIn.
    # "verified" is never written here: a run against linkedin.com records it in verified.json.
    status: Literal["sourced", "unverified"]
    source: Source | None = None
    note: str | None = None
    seen: Seen | None = None

    @field_validator("text")
    @classmethod
    def _plain_text(cls, text):
        return plain_text(text)

    @model_validator(mode="after")
    def _source_matches_status(self):
        if self.status == "sourced" and self.source is None:
            raise error_at("source", "required when status is sourced (name, date)")
        return self


class LabelFile(Strict):
    locale: str
    labels: dict[Annotated[str, Field(pattern=LABEL_KEY)], Label]
    # Our own short texts drawn on screenshots (callouts); not LinkedIn's words.
    callouts: dict[Annotated[str, Field(pattern=LABEL_KEY)],
                   Annotated[str, Field(min_length=1, max_length=MAX_LABEL_LENGTH)]] = {}

    @field_validator("callouts")
    @classmethod
    def _plain_callouts(cls, callouts):
        return {key: plain_text(text) for key, text in callouts.items()}


# ---------- flow file ----------

class Target(Strict):
    """An element found by its ARIA role and the accessible name taken from a label key.

    `href` is a language-neutral anchor: the path a link leads to (LinkedIn's settings paths are the same
    in every language). The stand-in builds its pages from it.
    """

    role: Literal[ROLES]
    label: str = Field(pattern=LABEL_KEY)
    within: "Target | None" = None  # narrow the search to a region/navigation/dialog first
    href: str | None = Field(default=None, pattern=PATH)

    @model_validator(mode="after")
    def _href_on_links(self):
        if self.href is not None and self.role != "link":
            raise error_at("href", f"only a link has an href (this target is a {self.role})")
        return self


class Expect(Strict):
    """What must be showing after the step's action; at least one of the fields."""

    url: str | None = None           # a regular expression matched against the URL path
    heading: str | None = Field(default=None, pattern=LABEL_KEY)
    text: str | None = Field(default=None, pattern=LABEL_KEY)  # a label whose text must show on the page
    visible: Target | None = None
    switch: Literal["on", "off"] | None = None  # the step's switch target shows this state

    @field_validator("url")
    @classmethod
    def _valid_regex(cls, url):
        if url is not None:
            try:
                re.compile(url)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return url

    @model_validator(mode="after")
    def _not_empty(self):
        if not (self.url or self.heading or self.text or self.visible or self.switch):
            raise ValueError("needs at least one of url, heading, text, visible, switch")
        return self


class Click(Strict):
    type: Literal["click"]
    target: Target


class SetToggle(Strict):
    """Put a switch into a state. The screenshot shows it in the other state, just before."""

    type: Literal["set_toggle"]
    target: Target
    to: Literal["on", "off"]


class ShowToggle(Strict):
    """Do nothing; show that a switch is in a state (the "check that it worked" step)."""

    type: Literal["show_toggle"]
    target: Target
    state: Literal["on", "off"]


Action = Annotated[Union[Click, SetToggle, ShowToggle], Field(discriminator="type")]


class Step(Strict):
    id: str = Field(pattern=STEP_ID, max_length=MAX_ID_LENGTH)
    action: Action
    expect: Expect
    highlight: Target | None = None  # defaults to the action's target
    callout: str | None = Field(default=None, pattern=LABEL_KEY)
    # Below the picture, the whole screen small (everything but the top bar masked): where the control sits.
    inset: bool = False

    @property
    def highlight_target(self) -> Target:
        return self.highlight or self.action.target

    @model_validator(mode="after")
    def _switch_expectations_on_switches(self):
        if self.expect.switch and self.action.target.role != "switch":
            raise error_at("expect", "switch: only a step whose action targets a switch can expect its state")
        return self


class Flow(Strict):
    id: str = Field(pattern=STEP_ID, max_length=MAX_ID_LENGTH)
    start: str = Field(pattern=PATH)  # path on the target where the walk begins
    viewports: list[Literal[VIEWPORT_NAMES]] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)


class FlowFile(Strict):
    version: Literal[1]
    flows: list[Flow] = Field(min_length=1)

    def steps(self):
        for flow in self.flows:
            for number, step in enumerate(flow.steps, start=1):
                yield flow, number, step


def label_keys_used(flow: FlowFile) -> list[tuple[str, str]]:
    """(field path, label key) for every label key the flow refers to."""
    used = []

    def target(prefix, t: Target | None):
        if t is not None:
            used.append((f"{prefix}.label", t.label))
            target(f"{prefix}.within", t.within)

    for f_index, flow_ in enumerate(flow.flows):
        for s_index, step in enumerate(flow_.steps):
            base = f"flows.{f_index}.steps.{s_index}"
            target(f"{base}.action.target", step.action.target)
            target(f"{base}.highlight", step.highlight)
            target(f"{base}.expect.visible", step.expect.visible)
            for name in ("heading", "text"):
                if getattr(step.expect, name):
                    used.append((f"{base}.expect.{name}", getattr(step.expect, name)))
    return used


def callout_keys_used(flow: FlowFile) -> list[tuple[str, str]]:
    return [(f"flows.{fi}.steps.{si}.callout", step.callout)
            for fi, f in enumerate(flow.flows) for si, step in enumerate(f.steps) if step.callout]


def setting_path(flow: Flow) -> str:
    """The path of the page that holds the flow's switch: where the last link before it leads."""
    path = flow.start
    for step in flow.steps:
        if isinstance(step.action, (SetToggle, ShowToggle)):
            break
        if step.action.target.href:
            path = step.action.target.href
    return path
