"""The flow file and the label files, read through strict models.

Every problem becomes one line `file: path.to.field: message`; all lines of a file are reported
together (BadInput), and nothing runs on invalid input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import BadInput
from .locales import LOCALES, SOURCE_LOCALE

STEP_ID = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
LABEL_KEY = r"^[a-z][a-z0-9_]*$"
DATE = r"^\d{4}-\d{2}(-\d{2})?$"
ROLES = ("button", "link", "switch", "heading", "menuitem", "tab", "region", "navigation", "dialog")
VIEWPORT_NAMES = ("desktop", "mobile")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------- label files ----------

class Source(Strict):
    """Who quoted the label: publication (or, for undated pages, reading) date, and a URL where known."""

    name: str = Field(min_length=1)
    date: str = Field(pattern=DATE)
    url: str | None = Field(default=None, pattern=r"^https?://")


class Label(Strict):
    """One of LinkedIn's UI strings in one locale, with where we got it."""

    text: str = Field(min_length=1)
    # sourced: quoted by the source below; unverified: our best translation, not yet seen on LinkedIn.
    # "verified" is never written here: a run against linkedin.com records it in verified.json.
    status: Literal["sourced", "unverified"]
    source: Source | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _source_matches_status(self):
        if self.status == "sourced" and self.source is None:
            raise ValueError("a sourced label needs a source (name, date)")
        return self


class LabelFile(Strict):
    locale: str
    labels: dict[Annotated[str, Field(pattern=LABEL_KEY)], Label]
    # Our own short texts drawn on screenshots (callouts); not LinkedIn's words.
    callouts: dict[Annotated[str, Field(pattern=LABEL_KEY)], str] = {}


# ---------- flow file ----------

class Target(Strict):
    """An element found by its ARIA role and the accessible name taken from a label key."""

    role: Literal[ROLES]
    label: str = Field(pattern=LABEL_KEY)
    within: "Target | None" = None  # narrow the search to a region/navigation/dialog first


class Expect(Strict):
    """What must be showing after the step's action; at least one of the fields."""

    url: str | None = None           # a regular expression matched against the URL path
    heading: str | None = Field(default=None, pattern=LABEL_KEY)
    visible: Target | None = None
    switch: Literal["on", "off"] | None = None  # the step's switch target shows this state

    @model_validator(mode="after")
    def _not_empty(self):
        if not (self.url or self.heading or self.visible or self.switch):
            raise ValueError("expect needs at least one of url, heading, visible, switch")
        if self.url:
            try:
                re.compile(self.url)
            except re.error as exc:
                raise ValueError(f"url is not a valid regular expression: {exc}") from None
        return self


class Click(Strict):
    type: Literal["click"]
    target: Target


class OpenMenu(Strict):
    """Click a control that opens a menu (the top-bar "Me" button, the mobile profile photo)."""

    type: Literal["open_menu"]
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


Action = Annotated[Union[Click, OpenMenu, SetToggle, ShowToggle], Field(discriminator="type")]


class Step(Strict):
    id: str = Field(pattern=STEP_ID)
    action: Action
    expect: Expect
    highlight: Target | None = None  # defaults to the action's target
    callout: str | None = Field(default=None, pattern=LABEL_KEY)
    crop: Literal["viewport", "target", "main"] = "viewport"

    @property
    def highlight_target(self) -> Target:
        return self.highlight or self.action.target


class Flow(Strict):
    id: str = Field(pattern=STEP_ID)
    start: str = Field(pattern=r"^/")  # path on the target where the walk begins
    viewports: list[Literal[VIEWPORT_NAMES]] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)


class FlowFile(Strict):
    version: Literal[1]
    flows: list[Flow] = Field(min_length=1)

    def steps(self):
        for flow in self.flows:
            for number, step in enumerate(flow.steps, start=1):
                yield flow, number, step

    def step(self, step_id: str) -> tuple[Flow, int, Step]:
        for flow, number, step in self.steps():
            if step.id == step_id:
                return flow, number, step
        raise KeyError(step_id)


# ---------- loading ----------

def _loc(parts) -> str:
    return ".".join(str(p) for p in parts if p not in ("function-after",)) or "(top)"


def _pydantic_lines(path: Path, exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p[:1].isupper() and p[1:].islower()
                                              and p.lower() in ("click", "openmenu", "settoggle", "showtoggle"))]
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "union_tag_invalid":
            message = f"unknown action type {err['input'].get('type')!r} " \
                      f"(expected click, open_menu, set_toggle, show_toggle)" \
                if isinstance(err["input"], dict) else message
        lines.append(f"{path}: {_loc(loc)}: {message}")
    return lines


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: (file): not found") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInput(f"{path}: {where}: invalid YAML: {problem}") from None


def _parse(path: Path, model: type[BaseModel]):
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise BadInput(f"{path}: (top): expected a mapping, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadInput(_pydantic_lines(path, exc)) from None


def load_flow(path: Path) -> FlowFile:
    flow = _parse(path, FlowFile)
    problems = []
    seen: dict[str, str] = {}
    for f_index, flow_ in enumerate(flow.flows):
        for s_index, step in enumerate(flow_.steps):
            if step.id in seen:
                problems.append(f"{path}: flows.{f_index}.steps.{s_index}.id: duplicate step id "
                                f"{step.id!r} (first used in {seen[step.id]})")
            else:
                seen[step.id] = f"flows.{f_index}.steps.{s_index}"
    if problems:
        raise BadInput(problems)
    return flow


def load_label_file(path: Path) -> LabelFile:
    labels = _parse(path, LabelFile)
    expected = path.stem
    if labels.locale != expected:
        raise BadInput(f"{path}: locale: {labels.locale!r} does not match the file name ({expected!r})")
    return labels


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
            if step.expect.heading:
                used.append((f"{base}.expect.heading", step.expect.heading))
    return used


def callout_keys_used(flow: FlowFile) -> list[tuple[str, str]]:
    return [(f"flows.{fi}.steps.{si}.callout", step.callout)
            for fi, f in enumerate(flow.flows) for si, step in enumerate(f.steps) if step.callout]


class Project(BaseModel):
    """The flow and every locale's labels, checked against each other."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    flow: FlowFile
    labels: dict[str, LabelFile]
    flow_path: Path
    labels_dir: Path

    def text(self, locale: str, key: str) -> str:
        return self.labels[locale].labels[key].text


def load_project(flow_path: Path, labels_dir: Path, locales: list[str] | None = None) -> Project:
    """Load and cross-check everything; raise BadInput listing every problem found."""
    problems: list[str] = []
    flow = None
    try:
        flow = load_flow(flow_path)
    except BadInput as exc:
        problems += exc.lines

    wanted = locales or list(LOCALES)
    for code in wanted:
        if code not in LOCALES:
            problems.append(f"--locale: {code}: unknown locale (known: {', '.join(LOCALES)})")
    labels: dict[str, LabelFile] = {}
    for code in [c for c in dict.fromkeys([SOURCE_LOCALE, *wanted]) if c in LOCALES]:
        path = labels_dir / f"{code}.yml"
        try:
            labels[code] = load_label_file(path)
        except BadInput as exc:
            problems += exc.lines

    source = labels.get(SOURCE_LOCALE)
    if source is not None:
        for code, lf in labels.items():
            path = labels_dir / f"{code}.yml"
            for key in source.labels:
                if key not in lf.labels:
                    problems.append(f"{path}: labels.{key}: missing (defined in {SOURCE_LOCALE}.yml)")
            for key in lf.labels:
                if key not in source.labels:
                    problems.append(f"{path}: labels.{key}: unknown label key (not in {SOURCE_LOCALE}.yml)")
            for key in source.callouts:
                if key not in lf.callouts:
                    problems.append(f"{path}: callouts.{key}: missing (defined in {SOURCE_LOCALE}.yml)")
            for key in lf.callouts:
                if key not in source.callouts:
                    problems.append(f"{path}: callouts.{key}: unknown callout key (not in {SOURCE_LOCALE}.yml)")
        if flow is not None:
            for field, key in label_keys_used(flow):
                if key not in source.labels:
                    problems.append(f"{flow_path}: {field}: unknown label key {key!r}")
            for field, key in callout_keys_used(flow):
                if key not in source.callouts:
                    problems.append(f"{flow_path}: {field}: unknown callout key {key!r}")
    if problems:
        raise BadInput(problems)
    return Project(flow=flow, labels=labels, flow_path=flow_path, labels_dir=labels_dir)


def load_verified(path: Path) -> dict:
    """verified.json: labels a run against linkedin.com found, {locale: {key: {text, date, base_url}}}."""
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("labels", {})
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
