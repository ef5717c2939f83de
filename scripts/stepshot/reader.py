"""The flow file and the label files, read through the strict models of schema.py.

Every problem becomes one line `file: path.to.field: message`; all lines of a file are reported
together (BadInput), and nothing runs on invalid input.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, RootModel, ValidationError

from .errors import BadInput
from .files import problem, read_text
from .locales import LOCALES, SOURCE_LOCALE
from .schema import DATE, LABEL_KEY, PATH, STEP_ID, URL, FlowFile, LabelFile, callout_keys_used, label_keys_used

# ---------- problems as one line each ----------

PATTERN_HINTS = {
    STEP_ID: "is not a valid id (lowercase words joined by '-', e.g. open-settings)",
    LABEL_KEY: "is not a valid key (lowercase letters, digits and '_', e.g. ai_setting)",
    DATE: "is not a date (YYYY-MM-DD or YYYY-MM)",
    URL: "is not a URL (must start with http:// or https://)",
    PATH: "is not a path (must start with /)",
}
# What a Literal field's values are called in a message, where the field name does not say it.
VALUE_NOUNS = {"viewports": "viewport", "to": "state", "state": "state", "switch": "state"}


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.date):
        return "a date"
    return {str: "text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _unwrap(annotation):
    """Drop Annotated[...] and the None of an optional field."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(root: type[BaseModel], loc) -> tuple[list, object]:
    """Follow pydantic's error location through the models.

    Returns the location as a reader sees it in the file (pydantic's union tags and `[key]` markers
    dropped) and the type expected there (None past an unknown key).
    """
    shown, current, discriminator = [], root, None
    for part in loc:
        current = _unwrap(current)
        if _is_model(current) and issubclass(current, RootModel):  # a file that is one mapping or list
            current = _unwrap(current.model_fields["root"].annotation)
        if part == "[key]":  # the error is about a mapping's key, not its value
            current = get_args(current)[0] if get_origin(current) is dict else None
            continue
        if _is_model(current):
            info = current.model_fields.get(part)
            shown.append(part)
            current, discriminator = (info.annotation, info.discriminator) if info else (None, None)
            continue
        if get_origin(current) in (Union, types.UnionType) and isinstance(discriminator, str):
            member = _union_members(current, discriminator).get(part)
            if member is not None:  # a tag pydantic inserts: it is not in the file
                current = member
                continue
        shown.append(part)
        origin, args = get_origin(current), get_args(current)
        current = args[0] if origin is list else args[1] if origin is dict else None
    return shown, current


def _union_members(union, discriminator: str) -> dict[str, type[BaseModel]]:
    return {tag: member for member in get_args(union)
            for tag in get_args(member.model_fields[discriminator].annotation)}


def _message(err, root: type[BaseModel]) -> tuple[str, str]:
    """(field, message) for one pydantic error, free of pydantic's wording."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    shown, expected = _walk(root, err["loc"])
    named = [p for p in shown if isinstance(p, str)]

    if kind == "extra_forbidden":
        _, parent = _walk(root, err["loc"][:-1])
        message = f"unknown key (expected {', '.join(_unwrap(parent).model_fields)})"
    elif kind == "missing":
        message = "missing required field"
    elif kind == "union_tag_invalid":
        tags = ", ".join(_union_members(_unwrap(expected), ctx["discriminator"].strip("'")))
        message = f"unknown {named[-1]} type {ctx['tag']!r} (expected {tags})"
        shown.append(ctx["discriminator"].strip("'"))
    elif kind == "union_tag_not_found":
        message = "missing required field"
        shown.append(ctx["discriminator"].strip("'"))
    elif kind == "literal_error":
        allowed = get_args(_unwrap(expected))
        noun = VALUE_NOUNS.get(named[-1], named[-1]) if named else "value"
        if isinstance(value, bool) and {"on", "off"} <= set(allowed):
            word = "on" if value else "off"
            message = f'write "{word}" in quotes (YAML reads a bare {word} as {_kind(value)})'
        else:
            message = f"unknown {noun} {value!r} (expected {', '.join(str(a) for a in allowed)})"
    elif kind == "string_pattern_mismatch":
        message = f"{value!r} {PATTERN_HINTS.get(ctx['pattern'], 'does not match ' + ctx['pattern'])}"
    elif kind in ("too_short", "string_too_short"):
        message = "must not be empty"
    elif kind == "string_too_long":
        message = f"must not be longer than {ctx['max_length']} characters"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"expected a mapping, got {_kind(value)}"
    elif kind == "list_type":
        message = f"expected a list, got {_kind(value)}"
    elif kind == "string_type" and isinstance(value, dt.date):
        message = f'write the date in quotes: "{value.isoformat()}"'
    elif kind == "string_type":
        message = f"expected text, got {_kind(value)}"
    elif kind == "error_at":
        shown.append(ctx["field"])
        message = ctx["message"]
    else:
        message = err["msg"].removeprefix("Value error, ").splitlines()[0]
    return ".".join(str(p) for p in shown) or "(top)", message


# ---------- reading files ----------

MAX_YAML_NODES = 50_000   # after expanding aliases: a few hundred in the project's files
MAX_YAML_DEPTH = 40


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, but a repeated key is an error (plain PyYAML silently keeps the last one), and
    a document whose aliases expand past MAX_YAML_NODES or that nests past MAX_YAML_DEPTH is refused
    before anything walks it (a few kilobytes of aliases can otherwise stand for billions of values)."""

    def get_single_node(self):
        node = super().get_single_node()
        if node is not None:
            _check_size(node)
        return node

    def construct_mapping(self, node, deep=False):
        first_line: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # the base class reports unhashable keys
            if key in first_line:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {first_line[key]})", key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


def _check_size(root) -> None:
    sizes: dict[int, int] = {}

    def size(node, depth: int) -> int:
        if depth > MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_YAML_DEPTH} levels",
                                              node.start_mark)
        if id(node) in sizes:
            return sizes[id(node)]
        children = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_YAML_NODES:
                raise yaml.composer.ComposerError(None, None, f"more than {MAX_YAML_NODES} values once "
                                                  "aliases are expanded", node.start_mark)
        sizes[id(node)] = total
        return total

    size(root, 0)


def _read_mapping(path: Path) -> dict:
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BadInput(problem(path, where, f"invalid YAML: {reason}")) from None
    except RecursionError:
        raise BadInput(problem(path, "(file)", "invalid YAML: nested too deeply")) from None
    if data is None:
        raise BadInput(problem(path, "(file)", "empty"))
    if not isinstance(data, dict):
        raise BadInput(problem(path, "(top)", f"expected a mapping, got {_kind(data)}"))
    return data


@dataclass
class _Read:
    """One file as far as it could be read: its raw mapping, its model if valid, and its problems."""

    path: Path
    data: dict | None = None
    model: BaseModel | None = None
    problems: list[str] = field(default_factory=list)

    def result(self):
        if self.problems:
            raise BadInput(self.problems)
        return self.model


def _read(path: Path, model: type[BaseModel], checks=None) -> _Read:
    read = _Read(Path(path))
    try:
        read.data = _read_mapping(path)
    except BadInput as exc:
        read.problems += exc.lines
        return read
    try:
        read.model = model.model_validate(read.data)
    except ValidationError as exc:
        read.problems += [problem(path, *_message(err, model)) for err in exc.errors()]
    # Checks on the raw data run even when the model failed, so a file's problems come all at once.
    if checks is not None:
        read.problems += checks(read.path, read.data)
    return read


def _items(data, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _duplicate_ids(path: Path, data: dict) -> list[str]:
    problems, first = [], {}
    for fi, flow in enumerate(_items(data, "flows")):
        where = f"flows.{fi}"
        entries = [(f"{where}.id", "flow", flow.get("id") if isinstance(flow, dict) else None)]
        entries += [(f"{where}.steps.{si}.id", "step", step.get("id") if isinstance(step, dict) else None)
                    for si, step in enumerate(_items(flow, "steps"))]
        for at, what, ident in entries:
            if not isinstance(ident, str):
                continue
            if (what, ident) in first:
                problems.append(problem(path, at, f"duplicate {what} id {ident!r} (first at {first[what, ident]})"))
            else:
                first[what, ident] = at
    return problems


def _locale_matches_name(path: Path, data: dict) -> list[str]:
    locale = data.get("locale")
    if isinstance(locale, str) and locale != path.stem:
        return [problem(path, "locale", f"{locale!r} does not match the file name (expected {path.stem!r})")]
    return []


def load_model(path: Path, model: type[BaseModel]):
    """Read one YAML file into a strict model; BadInput with one line per problem."""
    return _read(path, model).result()


def load_flow(path: Path) -> FlowFile:
    return _read(path, FlowFile, _duplicate_ids).result()


def _keys(data, section: str) -> list[str] | None:
    value = data.get(section) if isinstance(data, dict) else None
    return [str(key) for key in value] if isinstance(value, dict) else None


def _unknown_key(kind: str, key: str, known: list[str], quote_key: bool = True) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    named = f" {key!r}" if quote_key else ""
    return f"unknown {kind} key{named} (not in {SOURCE_LOCALE}.yml{hint})"


def _compare_with_source(read: _Read, source: _Read) -> list[str]:
    """Every locale has exactly the source locale's label and callout keys."""
    problems = []
    for section in ("labels", "callouts"):
        wanted, present = _keys(source.data, section), _keys(read.data, section)
        if wanted is None or present is None:
            continue  # the section itself is invalid: already reported
        problems += [problem(read.path, f"{section}.{key}", f"missing (defined in {SOURCE_LOCALE}.yml)")
                     for key in wanted if key not in present]
        problems += [problem(read.path, f"{section}.{key}", _unknown_key(section[:-1], key, wanted, quote_key=False))
                     for key in present if key not in wanted]
    return problems


def _flow_references(read: _Read, source: _Read) -> list[str]:
    """Every label and callout key the flow names exists in the source locale."""
    labels, callouts = _keys(source.data, "labels"), _keys(source.data, "callouts")
    if read.model is None:
        return []
    problems = []
    if labels is not None:
        problems += [problem(read.path, at, _unknown_key("label", key, labels))
                     for at, key in label_keys_used(read.model) if key not in labels]
    if callouts is not None:
        problems += [problem(read.path, at, _unknown_key("callout", key, callouts))
                     for at, key in callout_keys_used(read.model) if key not in callouts]
    return problems


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
    """Load and cross-check everything; raise BadInput listing every problem, grouped by file."""
    problems = [f"--locale: {code}: unknown locale (known: {', '.join(LOCALES)})"
                for code in locales or [] if code not in LOCALES]
    codes = [c for c in dict.fromkeys([SOURCE_LOCALE, *(locales or LOCALES)]) if c in LOCALES]
    flow = _read(flow_path, FlowFile, _duplicate_ids)
    labels = {code: _read(Path(labels_dir) / f"{code}.yml", LabelFile, _locale_matches_name) for code in codes}
    source = labels[SOURCE_LOCALE]
    if source.data is not None:
        flow.problems += _flow_references(flow, source)
        for code in codes[1:]:
            labels[code].problems += _compare_with_source(labels[code], source)
    for read in (flow, *labels.values()):
        problems += read.problems
    if problems:
        raise BadInput(problems)
    return Project(flow=flow.model, labels={code: read.model for code, read in labels.items()},
                   flow_path=Path(flow_path), labels_dir=Path(labels_dir))
