"""Walks one flow in one page: finds each step's target by role and label, acts, asserts the page after.

A step that cannot be done is reported `broken` with a one-line problem and label suggestions, and the
rest of its flow is `skipped`: a missed click never passes silently. A target that cannot be walked at all
(login wall, security checkpoint, server error, unreachable) raises TargetUnusable instead: that is not
drift. `check` reports the results; `capture` takes its screenshots from the `on_step` callback.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Callable, Literal
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .errors import TargetUnusable
from .model import Flow, Project, SetToggle, ShowToggle, Step, Target
from .suggest import Suggestion, names_in_snapshot, rank

# How long an element or the expected page may take to show. The `slow` stand-in answers in ~1.5 s;
# LinkedIn itself is rarely slower. Waiting is Playwright's auto-wait, never a sleep.
FIND_TIMEOUT_MS = 6_000
NAVIGATION_TIMEOUT_MS = 30_000

LOGIN_PATHS = ("/login", "/uas/login", "/authwall")
CONSENT_BUTTONS = ("consent_reject", "consent_accept")  # reject when offered, as the guide's reader would


@dataclass
class StepContext:
    """Handed to on_step just before the step's action is performed."""

    flow: Flow
    number: int
    step: Step
    locale: str
    viewport: str
    page: Page          # settled: loaded, fonts ready, overlays dismissed
    target: Locator     # the step's highlight target, resolved, visible, unique


@dataclass
class StepResult:
    flow: str
    step: str
    number: int
    locale: str
    viewport: str
    status: Literal["ok", "broken", "skipped"]   # skipped = not reached because an earlier step broke
    problem: str | None = None                    # one line
    label_key: str | None = None                  # the label that was not found, if that was the problem
    expected_label: str | None = None             # its text in this locale
    suggestions: list[Suggestion] = field(default_factory=list)  # best first, at most 5
    url: str | None = None                        # path where it happened
    labels_seen: list[str] = field(default_factory=list)  # label keys found with their role in this step

    def to_dict(self) -> dict:
        return asdict(self)


class StepBroken(Exception):
    def __init__(self, problem: str, label_key: str | None = None, expected_label: str | None = None,
                 suggestions: list[Suggestion] | None = None):
        super().__init__(problem)
        self.problem = problem
        self.label_key = label_key
        self.expected_label = expected_label
        self.suggestions = suggestions or []


def path_of(url: str) -> str:
    return urlsplit(url).path or "/"


def is_unusable_path(path: str) -> bool:
    """A login wall or a security checkpoint: where a walk cannot go on."""
    return "/checkpoint/" in path or any(path == p or path.startswith(p + "/") for p in LOGIN_PATHS)


def describe(role: str, text: str) -> str:
    return f'{role} "{text}"'


class _Walk:
    def __init__(self, page: Page, base_url: str, project: Project, flow: Flow, locale: str, viewport: str):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.project = project
        self.flow = flow
        self.locale = locale
        self.viewport = viewport
        self.server_errors: list[tuple[int, str]] = []
        self.seen: list[str] = []

    # ---- the target as a whole ----

    def on_response(self, response):
        request = response.request
        if response.status >= 500 and request.is_navigation_request() and request.frame == self.page.main_frame:
            self.server_errors.append((response.status, path_of(response.url)))

    def guard(self, where: str) -> None:
        """Raise TargetUnusable when the page is a server error, a login wall or a security checkpoint."""
        if self.server_errors:
            status, path = self.server_errors[0]
            raise TargetUnusable("server-error", f"HTTP {status} on {path} ({where})")
        path = path_of(self.page.url)
        if "/checkpoint/" in path:
            raise TargetUnusable("checkpoint", f"security checkpoint at {path} ({where}); "
                                               "log in by hand once, then save the login again")
        if is_unusable_path(path) or self.page.locator("input[type=password]").filter(visible=True).count():
            raise TargetUnusable("login-required", f"login page at {path} ({where}); the saved login "
                                                   "has expired or is missing: run `stepshot login`")

    def where(self, step: Step | None = None) -> str:
        step_part = f", step {step.id}" if step else ""
        return f"flow {self.flow.id}{step_part}, locale {self.locale}, {self.viewport}"

    def start(self) -> None:
        url = self.base_url + self.flow.start
        try:
            self.page.goto(url, timeout=NAVIGATION_TIMEOUT_MS)
        except PlaywrightError as exc:
            raise TargetUnusable("unreachable", f"{url}: {exc.message.splitlines()[0]}") from None
        self.guard(self.where())

    # ---- finding things ----

    def text(self, key: str) -> str:
        return self.project.text(self.locale, key)

    def names(self, role: str) -> list[str]:
        return names_in_snapshot(self.page.locator("body").aria_snapshot(), role)

    def missing(self, role: str, key: str, suffix: str = "", problem: str | None = None) -> StepBroken:
        text = self.text(key)
        return StepBroken(problem or f"{describe(role, text)} not found{suffix}", key, text,
                          rank(text, self.names(role), role))

    def locate(self, target: Target) -> Locator:
        """The one visible element with this role and label (inside `within`), or StepBroken."""
        scope, suffix = self.page, ""
        if target.within is not None:
            scope = self.locate(target.within)
            suffix = f" in {describe(target.within.role, self.text(target.within.label))}"
        text = self.text(target.label)
        found = scope.get_by_role(target.role, name=text, exact=True).filter(visible=True)
        try:
            found.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS)
        except PlaywrightTimeout:
            raise self.missing(target.role, target.label, suffix) from None
        count = found.count()
        if count > 1:
            raise StepBroken(f"{describe(target.role, text)}{suffix} matches {count} visible elements, "
                             "expected one", target.label, text)
        self.note_seen(target.label)
        return found

    def note_seen(self, key: str) -> None:
        if key not in self.seen:
            self.seen.append(key)

    # ---- overlays ----

    def dismiss_consent(self) -> bool:
        """Close a cookie-consent dialog if one shows (reject when offered). Never drift."""
        dialog = self.page.get_by_role("dialog")
        reject, accept = (dialog.get_by_role("button", name=self.text(key), exact=True).filter(visible=True)
                          for key in CONSENT_BUTTONS)
        if not reject.or_(accept).count():  # the usual case, in one round trip
            return False
        button = (reject if reject.count() else accept).first
        button.click(timeout=FIND_TIMEOUT_MS)
        button.wait_for(state="hidden", timeout=FIND_TIMEOUT_MS)
        return True

    def settle(self) -> None:
        """Ready for a picture: the document and its images loaded, fonts in, overlays gone.

        Not `networkidle`: LinkedIn keeps connections open, so it comes late or never. What else a shot
        depends on is awaited where it happens: the target located visible, a switch's saved state
        (switch_state), the menu open before its link is located.
        """
        self.page.wait_for_load_state("load", timeout=NAVIGATION_TIMEOUT_MS)
        self.page.evaluate("async () => { await document.fonts.ready; }")
        self.dismiss_consent()

    # ---- one step ----

    def click(self, locator: Locator, target: Target) -> None:
        for attempt in (1, 2):
            try:
                locator.click(timeout=FIND_TIMEOUT_MS)
                return
            except PlaywrightTimeout:
                # A consent banner that showed up late covers the page: close it and try once more.
                if attempt == 1 and self.dismiss_consent():
                    continue
                raise StepBroken(f"could not click {describe(target.role, self.text(target.label))}: "
                                 "it stayed covered or disabled") from None

    def switch_state(self, locator: Locator, target: Target, on: bool, after: str) -> None:
        try:
            expect(locator).to_be_checked(checked=on, timeout=FIND_TIMEOUT_MS)
        except AssertionError:
            actual = "on" if locator.is_checked() else "off"
            raise StepBroken(f"{describe(target.role, self.text(target.label))} is {actual} {after}, "
                             f"expected {'on' if on else 'off'}", target.label, self.text(target.label)) from None

    def step(self, number: int, step: Step, on_step) -> None:
        where = self.where(step)  # the page was guarded by start() or the previous step's verify()
        self.dismiss_consent()
        action = step.action
        element = self.locate(action.target)

        if isinstance(action, SetToggle):
            # The picture before the action always shows the switch in the other state.
            if element.is_checked() == (action.to == "on"):
                self.click(element, action.target)
                self.switch_state(element, action.target, action.to != "on", "after clicking it to prepare")
        elif isinstance(action, ShowToggle):
            self.switch_state(element, action.target, action.state == "on", "")

        highlight = element if step.highlight is None else self.locate(step.highlight)
        if on_step is not None:
            self.settle()
            on_step(StepContext(self.flow, number, step, self.locale, self.viewport, self.page, highlight))

        if not isinstance(action, ShowToggle):
            self.click(element, action.target)
        self.verify(step, element, where)

    def verify(self, step: Step, element: Locator, where: str) -> None:
        expected = step.expect
        if expected.url:
            pattern = re.compile(expected.url)

            def arrived(url: str) -> bool:
                return bool(pattern.search(path_of(url))) or is_unusable_path(path_of(url))

            try:
                self.page.wait_for_url(arrived, timeout=FIND_TIMEOUT_MS)
            except PlaywrightTimeout:
                self.guard(where)
                raise StepBroken(f"expected a page whose path matches {expected.url}, "
                                 f"still at {path_of(self.page.url)}") from None
        self.guard(where)
        try:
            if expected.heading:
                heading = self.page.get_by_role("heading", name=self.text(expected.heading),
                                                exact=True).filter(visible=True)
                try:
                    heading.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS)
                except PlaywrightTimeout:
                    raise self.missing("heading", expected.heading) from None
                self.note_seen(expected.heading)
            if expected.visible:
                self.locate(expected.visible)
            if expected.switch:
                self.switch_state(element, step.action.target, expected.switch == "on", "after the step")
        except StepBroken:
            self.guard(where)
            raise


def walk_flow(page: Page, base_url: str, project: Project, flow: Flow, locale: str, viewport: str,
              on_step: Callable[[StepContext], None] | None = None) -> list[StepResult]:
    """Walk `flow` from its start page; one result per step, in order.

    Raises TargetUnusable when the target cannot be walked at all (see module doc).
    """
    walk = _Walk(page, base_url, project, flow, locale, viewport)
    page.on("response", walk.on_response)
    results: list[StepResult] = []
    try:
        walk.start()
        broken = False
        for number, step in enumerate(flow.steps, start=1):
            base = dict(flow=flow.id, step=step.id, number=number, locale=locale, viewport=viewport)
            if broken:
                results.append(StepResult(**base, status="skipped"))
                continue
            walk.seen = []
            url = path_of(page.url)
            try:
                walk.step(number, step, on_step)
            except StepBroken as exc:
                broken = True
                results.append(StepResult(**base, status="broken", problem=exc.problem, label_key=exc.label_key,
                                          expected_label=exc.expected_label, suggestions=exc.suggestions,
                                          url=path_of(page.url), labels_seen=walk.seen))
            else:
                results.append(StepResult(**base, status="ok", url=url, labels_seen=walk.seen))
    finally:
        page.remove_listener("response", walk.on_response)
    return results
