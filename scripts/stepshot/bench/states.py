"""The page state behind each screenshot, derived from the flow: the page to open and what to do there first.

`stepshot capture` shoots step N just before its action, so its picture shows the page reached by step N-1
with whatever earlier steps did on that same page (a menu opened, a switch turned), and a switch the step is
about to set shown in the other state. The benchmark's rivals (shot-scraper and the bare Playwright loops)
open that page directly and replay those few in-page actions, reaching the same state without walking.
They wait until the page is ready the way a careful user of those tools would (READY_JS), and shoot the
viewport.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from ..errors import BadInput
from ..files import problem
from ..manifest import image_key
from ..reader import Project
from ..schema import Flow, SetToggle, ShowToggle, Step, Target
from ..run import plan

REGEX_SPECIALS = set("*+?[](){}|\\")

# What a careful user of a screenshot tool adds so that each picture is the same on every run: wait until
# the page's late content is in (the settings app rendered, lazy photos loaded, fonts ready), and hide the
# overlays that come and go (messaging, the cookie banner).
READY_JS = """async () => {
  const style = document.createElement('style');
  style.textContent = '#msg-overlay, #artdeco-global-alert-container { display: none !important; }';
  document.documentElement.appendChild(style);
  const until = async ok => { for (let i = 0; i < 500 && !ok(); i++) await new Promise(r => setTimeout(r, 20)); };
  await until(() => !document.querySelector('#settings-app[aria-busy], img[data-delayed-url]'));
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  await document.fonts.ready;
}"""


@dataclass(frozen=True)
class Element:
    """An element by ARIA role and accessible name (in the state's locale), optionally inside another."""

    role: str
    name: str
    within: "Element | None" = None


@dataclass(frozen=True)
class Prepare:
    """One in-page action: click an element, or put a switch into a state (`on`)."""

    kind: str               # "click" | "switch"
    element: Element
    on: bool | None = None  # switch only


@dataclass(frozen=True)
class PageState:
    locale: str
    viewport: str
    flow: str
    step: str
    path: str                        # URL path to open on the target
    prepare: tuple[Prepare, ...]     # in order, on that page
    highlight: Element               # scrolled into view before the shot
    kept: tuple[int, int] | None = None  # width, height of the picture stepshot keeps (its committed image)

    @property
    def output(self) -> str:
        """The file name, as capture names it: <locale>/<viewport>/<step>.png."""
        return image_key(self.locale, self.viewport, self.step)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PageState":
        def element(d: dict | None) -> Element | None:
            return None if d is None else Element(d["role"], d["name"], element(d.get("within")))

        return cls(**{**data, "highlight": element(data["highlight"]),
                      "prepare": tuple(Prepare(p["kind"], element(p["element"]), p["on"]) for p in data["prepare"]),
                      "kept": tuple(data["kept"]) if data.get("kept") else None})

    def with_kept(self, manifest_images: dict[str, dict]) -> "PageState":
        """This state with the size of stepshot's committed picture of it, when there is one."""
        entry = manifest_images.get(self.output)
        return replace(self, kept=(entry["width"], entry["height"]) if entry else None)


def literal_path(pattern: str) -> str | None:
    """The one path a `^/literal/path` expectation names (None when the regex could match several)."""
    body = pattern.removeprefix("^").removesuffix("$")
    if not pattern.startswith("^") or any(c in REGEX_SPECIALS for c in re.sub(r"\\[./-]", "", body)):
        return None
    path = re.sub(r"\\([./-])", r"\1", body)
    return path if re.search(pattern, path) else None


def _element(project: Project, locale: str, target: Target) -> Element:
    within = _element(project, locale, target.within) if target.within else None
    return Element(target.role, project.text(locale, target.label), within)


def _own_prepare(project: Project, locale: str, step: Step) -> list[Prepare]:
    """What the step itself needs before its shot: a switch it sets is shown in the other state."""
    action = step.action
    if isinstance(action, SetToggle):
        return [Prepare("switch", _element(project, locale, action.target), on=action.to != "on")]
    if isinstance(action, ShowToggle):
        return [Prepare("switch", _element(project, locale, action.target), on=action.state == "on")]
    return []


def _effect(project: Project, locale: str, step: Step) -> list[Prepare]:
    """What the step's action leaves behind on a page it does not leave."""
    action = step.action
    if isinstance(action, SetToggle):
        return [Prepare("switch", _element(project, locale, action.target), on=action.to == "on")]
    if isinstance(action, ShowToggle):
        return []
    return [Prepare("click", _element(project, locale, action.target))]


def _squash(prepare: list[Prepare]) -> tuple[Prepare, ...]:
    """Only the last state asked of each switch counts; clicks all stay, in order."""
    last = {p.element: i for i, p in enumerate(prepare) if p.kind == "switch"}
    return tuple(p for i, p in enumerate(prepare) if p.kind != "switch" or last[p.element] == i)


def flow_states(project: Project, flow: Flow, locale: str, viewport: str) -> list[PageState]:
    states = []
    path, done_here = flow.start, []
    for step in flow.steps:
        prepare = _squash(done_here + _own_prepare(project, locale, step))
        states.append(PageState(locale, viewport, flow.id, step.id, path, prepare,
                                _element(project, locale, step.highlight_target)))
        if step.expect.url:
            landed = literal_path(step.expect.url)
            if landed is None:
                raise BadInput(problem(project.flow_path, f"flows.{flow.id}.steps.{step.id}.expect.url",
                                       f"{step.expect.url!r} is not one literal path (^/path): the benchmark "
                                       "cannot tell which page the next step starts on"))
            path, done_here = landed, []
        else:
            done_here += _effect(project, locale, step)
    return states


def page_states(project: Project, locales: list[str], viewports: list[str] | None = None) -> list[PageState]:
    """Every screenshot `stepshot capture` takes for these locales and viewports, in capture's order."""
    return [state
            for unit in plan(project, locales, viewports)
            for flow in unit.flows
            for state in flow_states(project, flow, unit.locale, unit.viewport)]
