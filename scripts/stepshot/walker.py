"""Walks one flow in one page: finds each step's target by role and label, acts, asserts the page after.

A step that cannot be done is reported `broken` with a one-line problem and label suggestions, and the
rest of its flow is `skipped`: a missed click never passes silently. A target that cannot be walked at all
(login wall, security checkpoint, server error, wrong language, unreachable) raises TargetUnusable at the
moment it shows (guard.py): that is not drift.

What the walk does to the account's settings is the policy's: `check` changes none (it only reads that
each switch is there, enabled and showing a state); `capture` turns a switch to the step's goal and, for
the "before" picture, may first turn it the other way (only for a test account). A switch counts as
set only when the page says so and a reload still shows it.
"""

from __future__ import annotations

import asyncio
import re
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Awaitable, Callable, Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from .guard import Guard, path_of, unusable_path
from .reader import Project
from .schema import Flow, SetToggle, ShowToggle, Step, Target
from .names import NameRules
from .suggest import MAX_SUGGESTIONS, Suggestion, names_in_snapshot, rank

# How long an element or the expected page may take to show. The `slow` stand-in answers in ~1.5 s;
# LinkedIn itself is rarely slower. Waiting is Playwright's auto-wait, never a sleep.
FIND_TIMEOUT_MS = 6_000
NAVIGATION_TIMEOUT_MS = 30_000
SAVE_TIMEOUT_MS = 10_000
NAVIGATION_GRACE_MS = 2_000     # after a page error: time for a script-started navigation to commit

CONSENT_BUTTONS = ("consent_reject", "consent_accept")  # reject when offered, as the guide's reader would
CONTAINERS = "section, article, fieldset, [role=group], [role=region]"
# A label's language-neutral anchor, by role, as a report names it.
ANCHOR_WORDS = {"link": "the link to the same address", "switch": "the page's one switch",
                "heading": "the page's main heading"}

# Visible texts near an element (its own, a few ancestors up), in document order: a switch's state word
# is among them.
NEAR_TEXTS_JS = """element => {
  const found = [];
  let node = element;
  for (let depth = 0; node && depth < 4; depth++, node = node.parentElement) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const value = text.nodeValue.trim();
      if (value && text.parentElement.checkVisibility() && !found.includes(value)) found.push(value);
    }
  }
  return found;
}"""

# The word a switch shows next to it, found near the switch.
_STATE_TEXT_JS = """(element, words) => (""" + NEAR_TEXTS_JS + """)(element).find(v => words.includes(v)) ?? null"""


# A switch as the walk reads it: enabled (neither disabled nor under aria-disabled), on (a native checkbox's
# `checked` property, since aria-checked may be stale; other switches say aria-checked, as Playwright reads
# them), and the state word shown beside it (null when none of `words` is).
SWITCH_STATE_JS = """([element, words]) => ({
  enabled: !element.matches(':disabled') && !element.closest('[aria-disabled="true"]'),
  on: element.localName === 'input' ? element.checked : element.getAttribute('aria-checked') === 'true',
  word: (""" + _STATE_TEXT_JS + """)(element, words),
})"""

# A switch whose save has answered: enabled, in the state wanted, its state word (if any; none with no
# words given) agreeing.
_SWITCH_SAVED_JS = """([element, on, words]) => {
  const state = (""" + SWITCH_STATE_JS + """)([element, words]);
  return state.enabled && state.on === on && (state.word === null || state.word === words[on ? 0 : 1]);
}"""

_READ_SWITCH_JS = "(element, words) => (" + SWITCH_STATE_JS + ")([element, words])"

# Waits in the page, looking every 50 ms, until the switch's save has answered: true; false after `timeout` ms;
# null as soon as the element is no longer in the page (the app drew the switch anew: look it up again).
# Counted in looks, not by the page's clock (capture fixes the page's time).
_WAIT_SAVED_JS = """(element, [on, words, timeout]) => new Promise(resolve => {
  const look = () => element.isConnected ? (""" + _SWITCH_SAVED_JS + """)([element, on, words]) : null;
  const first = look();
  if (first !== false) return resolve(first);
  let looks = 0;
  const timer = setInterval(() => {
    looks += 1;
    const seen = look();
    if (seen !== false || looks * 50 >= timeout) { clearInterval(timer); resolve(seen); }
  }, 50);
})"""


async def evaluate_located(locator: Locator, script: str, arg=None):
    """`script` (a function of the element and `arg`) on the locator's one element, as locator.evaluate does.

    Playwright's locator.evaluate takes three round trips (wait for the element, evaluate on its handle,
    release the handle): about 6.5 CPU-ms of the browser, driver and Python against 1.3 for one query
    (BENCHMARKS.md). The element has just been located, so it is nearly always there: one round trip runs the
    script when exactly one element matches; otherwise Playwright's waiting, strict evaluate decides, as before.
    """
    one = await locator.evaluate_all(
        f"async (elements, arg) => elements.length === 1 ? [await ({script})(elements[0], arg)] : null", arg)
    return one[0] if one is not None else await locator.evaluate(script, arg, timeout=FIND_TIMEOUT_MS)


@dataclass
class StepContext:
    """Handed to on_step just before the step's action is performed."""

    flow: Flow
    number: int
    step: Step
    locale: str
    viewport: str
    page: Page          # settled: loaded, overlays answered
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
    labels_seen: dict[str, str] = field(default_factory=dict)   # label key -> the text found on screen
    state_seen: str | None = None                 # a switch step: "on" or "off" as the page showed it
    not_shot: str | None = None                   # ok, but no picture was taken: why
    # A missing label, judged by its language-neutral anchor (the path a link leads to, the one switch or
    # main heading of the page): renamed (the anchor is there under another name: `suggestions[0]`, score
    # 1.0, is that name), moved (the anchor is not on this page but its page still answers), gone.
    drift: Literal["renamed", "moved", "gone"] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class StepBroken(Exception):
    def __init__(self, problem: str, label_key: str | None = None, expected_label: str | None = None,
                 suggestions: list[Suggestion] | None = None, drift: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.label_key = label_key
        self.expected_label = expected_label
        self.suggestions = suggestions or []
        self.drift = drift


@dataclass
class Policy:
    """What the walk may do to the account. check: nothing. capture: set switches."""

    changes_settings: bool = False
    may_turn_on: bool = False        # for a "before" picture: only the stand-in or a marked test account
    on_switch_on: Callable[[str], None] = lambda path: None   # the journal: a switch the walk turned on
    on_switch_off: Callable[[str], None] = lambda path: None


def href_selector(href: str) -> str:
    """A link whose address is `href` (absolute or relative, with or without a final slash or a query)."""
    href = href.rstrip("/")
    return ", ".join(f'a[href{op}"{href}{end}"]' for op, end in (("$=", ""), ("$=", "/"), ("*=", "?"), ("*=", "/?")))


def control_name(role: str, text: str) -> str:
    return f'{role} "{text}"'


def consent_locator(page: Page, texts: list[str]) -> Locator:
    """Cookie-consent buttons, in any banner, region, alert or dialog: matched by their exact labels."""
    found = None
    for text in texts:
        one = page.get_by_role("button", name=text, exact=True)
        found = one if found is None else found.or_(one)
    return found


async def answer_consent(page: Page, reject: str, accept: str) -> bool:
    """Click Reject (else Accept) on a consent banner that shows; True if one was answered."""
    if not await consent_locator(page, [reject, accept]).filter(visible=True).count():
        return False   # one look of the page when there is none, the usual case
    for text in (reject, accept):
        button = page.get_by_role("button", name=text, exact=True).filter(visible=True)
        if await button.count():
            await button.first.click(timeout=FIND_TIMEOUT_MS)
            await button.first.wait_for(state="hidden", timeout=FIND_TIMEOUT_MS)
            return True
    return False


@asynccontextmanager
async def consent_answered_when_in_the_way(page: Page, reject: str, accept: str):
    """While inside: a consent dialog (modal: nothing else can be clicked while it shows) is answered the
    moment an action would meet it (Playwright's locator handler, checked before each action), as the
    guide's reader would answer it. A banner that blocks nothing is left until a picture is taken
    (Walk.settle): answering it in the middle of a step would close an open menu, as any click outside."""
    banner = page.get_by_role("dialog").filter(has=consent_locator(page, [reject, accept])).first

    async def answer() -> None:
        await answer_consent(page, reject, accept)

    await page.add_locator_handler(banner, answer)
    try:
        yield
    finally:
        if not page.is_closed():
            await page.remove_locator_handler(banner)


class Walk:
    def __init__(self, page: Page, guard: Guard, base_url: str, project: Project, flow: Flow, locale: str,
                 viewport: str, rules: NameRules, policy: Policy):
        self.page = page
        self.guard = guard
        self.base_url = base_url.rstrip("/")
        self.project = project
        self.flow = flow
        self.locale = locale
        self.viewport = viewport
        self.rules = rules
        self.policy = policy
        self.seen: dict[str, str] = {}
        self.state_seen: str | None = None
        self.not_shot: str | None = None
        self.number = 0

    def text(self, key: str) -> str:
        return self.project.text(self.locale, key)

    def state_word(self, on: bool) -> str:
        return self.text("switch_on" if on else "switch_off")

    def where(self, step: Step | None = None) -> str:
        step_part = f", step {step.id}" if step else ""
        return f"flow {self.flow.id}{step_part}, locale {self.locale}, {self.viewport}"

    async def start(self) -> None:
        self.guard.where = self.where()
        await self.guard.goto(self.base_url + self.flow.start, NAVIGATION_TIMEOUT_MS)
        await self.guard.check_page()

    # ---- finding things ----

    async def names(self, role: str) -> list[str]:
        return names_in_snapshot(await self.page.locator("body").aria_snapshot(), role)

    async def missing(self, role: str, key: str, suffix: str = "", target: Target | None = None,
                      scope: Page | Locator | None = None) -> StepBroken:
        text = self.text(key)
        suggestions = rank(text, await self.names(role), role, self.rules)
        drift, renamed_to = await self.anchor_evidence(role, target, scope or self.page)
        problem = f"{control_name(role, text)} not found{suffix}"
        if drift == "renamed":
            suggestions = [Suggestion(renamed_to, role, 1.0)] + [s for s in suggestions if s.text != renamed_to]
            problem += f': renamed to "{renamed_to}" ({ANCHOR_WORDS[role]})'
        elif drift:
            problem += f": {drift} ({ANCHOR_WORDS[role]} {'is elsewhere' if drift == 'moved' else 'is gone too'})"
        return StepBroken(problem, key, text, suggestions[:MAX_SUGGESTIONS], drift)

    async def anchor_evidence(self, role: str, target: Target | None, scope) -> tuple[str | None, str | None]:
        """(drift, new name) from the label's language-neutral anchor; (None, None) when it has none."""
        if role == "link" and target is not None and target.href:
            found = scope.locator(href_selector(target.href))
        elif role in ("switch", "heading"):
            found = self.page.get_by_role("switch") if role == "switch" else self.page.get_by_role("heading", level=1)
        else:
            return None, None
        found = found.filter(visible=True)
        count = await found.count()
        if count == 1:
            names = names_in_snapshot(await found.first.aria_snapshot(), role)
            name = self.rules.core(names[0]) if names else ""
            return ("renamed", name) if name else (None, None)
        if count or role != "link":
            return None, None  # several candidates, or a page without its switch or heading: no verdict
        answer = await self.page.request.get(self.base_url + target.href, max_redirects=0, fail_on_status_code=False)
        return ("moved" if answer.status < 400 else "gone"), None

    async def scope_of(self, target: Target) -> tuple[Page | Locator, str]:
        """Where to look for `target`: the page, or what its `within` names (a region, or a section headed
        by that label: LinkedIn's sections have headings, not always names)."""
        if target.within is None:
            return self.page, ""
        within = target.within
        suffix = f" in {control_name(within.role, self.text(within.label))}"
        pattern = self.rules.pattern(self.text(within.label))
        named = self.page.get_by_role(within.role, name=pattern)
        if within.role == "region":
            heading = self.page.get_by_role("heading", name=pattern)
            sections = self.page.locator(CONTAINERS)
            named = named.or_(sections.filter(has=heading).filter(has_not=sections.filter(has=heading)))
        try:
            await self.guard.run(named.filter(visible=True).first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
        except PlaywrightTimeout:
            raise await self.missing("region" if within.role == "region" else within.role, within.label) from None
        self.seen[within.label] = self.text(within.label)
        return named, suffix

    async def locate(self, target: Target) -> Locator:
        """The one visible element with this role and label (as composed names allow), or StepBroken."""
        scope, suffix = await self.scope_of(target)
        text = self.text(target.label)
        found = scope.get_by_role(target.role, name=self.rules.pattern(text)).filter(visible=True)
        # Counted first: on a loaded page the control is there, and each look is a query of the whole page.
        count = await self.guard.run(found.count())
        if not count:
            try:
                await self.guard.run(found.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
            except PlaywrightTimeout:
                raise await self.missing(target.role, target.label, suffix, target, scope) from None
            count = await found.count()
        if count > 1:  # several names allow the label: an exact one decides, if there is exactly one
            exact = scope.get_by_role(target.role, name=text, exact=True).filter(visible=True)
            exact_count = await exact.count()
            if exact_count != 1:
                raise StepBroken(f"{control_name(target.role, text)}{suffix} matches {max(exact_count, count)} "
                                 "visible elements, expected one", target.label, text)
            found = exact
        self.seen[target.label] = text
        return found

    # ---- overlays and settling ----

    def consent_answered(self):
        return consent_answered_when_in_the_way(self.page, *(self.text(k) for k in CONSENT_BUTTONS))

    async def settle(self) -> None:
        """Ready for a picture: the document loaded, consent answered (the picture waits for fonts itself)."""
        await self.guard.run(self.page.wait_for_load_state("load", timeout=NAVIGATION_TIMEOUT_MS))
        await self.guard.run(answer_consent(self.page, *(self.text(k) for k in CONSENT_BUTTONS)))

    async def click(self, locator: Locator, target: Target) -> None:
        try:
            await self.guard.run(locator.click(timeout=FIND_TIMEOUT_MS))
        except PlaywrightTimeout:
            raise StepBroken(f"could not click {control_name(target.role, self.text(target.label))}: "
                             "it stayed covered or disabled") from None

    # ---- switches ----

    async def read_switch(self, element: Locator, target: Target) -> bool:
        """The switch's state: it must be enabled, and a state word beside it (if any) must agree."""
        try:
            state = await self.guard.run(evaluate_located(element, _READ_SWITCH_JS, [self.state_word(True),
                                                                                     self.state_word(False)]))
        except PlaywrightError as exc:
            raise StepBroken(f"{control_name(target.role, self.text(target.label))}: cannot read its state "
                             f"({exc.message.splitlines()[0]})") from None
        if not state["enabled"]:
            raise StepBroken(f"{control_name(target.role, self.text(target.label))} is disabled")
        on, word = state["on"], state["word"]
        if word is not None and word != self.state_word(on):
            raise StepBroken(f"{control_name(target.role, self.text(target.label))} is {'on' if on else 'off'} but "
                             f"shows {word!r}")
        self.state_seen = "on" if on else "off"
        return on

    async def wait_saved(self, element: Locator, target: Target, on: bool) -> None:
        """After a click: enabled again, in the wanted state, its state word agreeing (the save answered)."""
        if not await switch_saved(self.guard, element, on, [self.state_word(True), self.state_word(False)]):
            raise StepBroken(f"{control_name(target.role, self.text(target.label))} did not show "
                             f"{'on' if on else 'off'} within {SAVE_TIMEOUT_MS // 1000} s of clicking it")

    async def flip(self, element: Locator, target: Target, on: bool) -> None:
        await self.click(element, target)
        await self.wait_saved(element, target, on)

    async def reloaded_state(self, target: Target) -> tuple[Locator, bool]:
        """Reload the page and read the switch again: what LinkedIn kept, not what the page last drew."""
        await self.guard.run(self.page.reload(timeout=NAVIGATION_TIMEOUT_MS))
        await self.guard.check_page()
        element = await self.locate(target)
        return element, await self.read_switch(element, target)

    async def set_toggle(self, step: Step, element: Locator, on_step) -> None:
        action: SetToggle = step.action
        goal = action.to == "on"
        path = path_of(self.page.url)
        if not self.policy.changes_settings:
            await self.read_switch(element, action.target)
            return
        if await self.read_switch(element, action.target) == goal:
            if not self.policy.may_turn_on and not goal:
                self.not_shot = (f"already {action.to}; this login is not marked as a test account, so the walk "
                                 "does not turn it on for the picture (MAINTAINING.md)")
                return
            if not goal:
                self.policy.on_switch_on(path)
            await self.flip(element, action.target, not goal)
        await self.shoot(step, element, on_step)
        await self.flip(element, action.target, goal)
        element, kept = await self.reloaded_state(action.target)
        if kept != goal:
            raise StepBroken(f"LinkedIn did not keep the setting {action.to}: after a reload "
                             f"{control_name(action.target.role, self.text(action.target.label))} is "
                             f"{'on' if kept else 'off'}", action.target.label, self.text(action.target.label))
        if not goal:
            self.policy.on_switch_off(path)

    # ---- one step ----

    async def shoot(self, step: Step, element: Locator, on_step) -> None:
        if on_step is None:
            return
        highlight = element if step.highlight is None else await self.locate(step.highlight)
        await self.settle()
        try:
            await self.guard.run(on_step(StepContext(self.flow, self.number, step, self.locale, self.viewport,
                                                     self.page, highlight)))
        except PlaywrightError as exc:
            raise StepBroken(f"could not take the picture: {exc.message.splitlines()[0]}") from None

    async def step(self, number: int, step: Step, on_step) -> None:
        self.number = number
        self.guard.where = self.where(step)
        action = step.action
        element = await self.locate(action.target)
        if isinstance(action, SetToggle):
            await self.set_toggle(step, element, on_step)
        elif isinstance(action, ShowToggle):
            on = await self.read_switch(element, action.target)
            if self.policy.changes_settings and on != (action.state == "on"):
                raise StepBroken(f"{control_name(action.target.role, self.text(action.target.label))} is "
                                 f"{'on' if on else 'off'}, expected {action.state}",
                                 action.target.label, self.text(action.target.label))
            await self.shoot(step, element, on_step)
        else:
            await self.shoot(step, element, on_step)
            await self.click(element, action.target)
        await self.verify(step)

    async def verify(self, step: Step) -> None:
        expected = step.expect
        if expected.url:
            pattern = re.compile(expected.url)

            def arrived(url: str) -> bool:
                return bool(pattern.search(path_of(url))) or unusable_path(path_of(url)) is not None

            try:
                await self.guard.run(self.page.wait_for_url(arrived, timeout=FIND_TIMEOUT_MS,
                                                            wait_until="domcontentloaded"))
            except PlaywrightTimeout:
                raise StepBroken(f"expected a page whose path matches {expected.url}, "
                                 f"still at {path_of(self.page.url)}") from None
        await self.guard.check_page()
        for key in filter(None, (expected.heading, expected.text)):
            role = "heading" if key == expected.heading else None
            shown = self.page.get_by_role("heading", name=self.text(key), exact=True) if role else \
                self.page.get_by_text(self.text(key), exact=True)
            try:
                await self.guard.run(shown.filter(visible=True).first.wait_for(state="visible",
                                                                               timeout=FIND_TIMEOUT_MS))
            except PlaywrightTimeout:
                if role:
                    raise await self.missing("heading", key) from None
                raise StepBroken(f"text {self.text(key)!r} not shown", key, self.text(key)) from None
            self.seen[key] = self.text(key)
        if expected.visible:
            await self.locate(expected.visible)
        if expected.switch and self.policy.changes_settings:
            element = await self.locate(step.action.target)
            if await self.read_switch(element, step.action.target) != (expected.switch == "on"):
                raise StepBroken(f"{control_name(step.action.target.role, self.text(step.action.target.label))} is "
                                 f"not {expected.switch} after the step")


async def switch_saved(guard: Guard, switch: Locator, on: bool, words: list[str]) -> bool:
    """After a click on `switch`: whether its save answered within SAVE_TIMEOUT_MS (enabled again, in the
    wanted state, its state word agreeing if `words` are given). The switch is looked up again through its
    locator whenever the page replaces its element (a re-render), never waited on detached."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SAVE_TIMEOUT_MS / 1000
    while True:
        left_ms = max(0, round((deadline - loop.time()) * 1000))
        waited = evaluate_located(switch, _WAIT_SAVED_JS, [on, words, left_ms])
        try:
            saved = await guard.run(asyncio.wait_for(waited, (left_ms + FIND_TIMEOUT_MS) / 1000))
        except (asyncio.TimeoutError, PlaywrightTimeout):
            return False
        if saved is not None:
            return saved
        if not left_ms:
            return False


def switch_pages(flow: Flow) -> list[tuple[str, Target]]:
    """(page path, switch) for every switch the flow turns off: the page is where the link before it led."""
    found, here = [], flow.start
    for step in flow.steps:
        target = step.action.target
        if target.role == "link" and target.href:
            here = target.href
        if isinstance(step.action, SetToggle) and step.action.to == "off":
            found.append((here, target))
    return found


async def start_from_the_default(page: Page, guard: Guard, base_url: str, project: Project, flows, locale: str,
                                 viewport: str, rules: NameRules, policy: Policy) -> None:
    """Before a unit is captured for a test account: every switch its flows turn off is put On first, as
    LinkedIn's default is, so every picture shows what a reader meets, whatever an earlier unit left."""
    if not (policy.changes_settings and policy.may_turn_on):
        return
    for flow in flows:
        walk = Walk(page, guard, base_url, project, flow, locale, viewport, rules, policy)
        async with walk.consent_answered():
            for path, target in switch_pages(flow):
                await guard.goto(base_url.rstrip("/") + path, NAVIGATION_TIMEOUT_MS)
                element = await walk.locate(target)
                if not await walk.read_switch(element, target):
                    policy.on_switch_on(path)
                    await walk.flip(element, target, True)


async def _navigation_committed(page) -> None:
    """Give a navigation that destroyed the page's script context (a checkpoint or login wall opened by
    script) the moment it needs to commit, so the guard names it instead of the step breaking."""
    try:
        await page.wait_for_event("framenavigated", timeout=NAVIGATION_GRACE_MS)
    except PlaywrightError:
        pass


async def walk_flow(page: Page, guard: Guard, base_url: str, project: Project, flow: Flow, locale: str,
                    viewport: str, rules: NameRules, policy: Policy,
                    on_step: Callable[[StepContext], Awaitable[None]] | None = None) -> list[StepResult]:
    """Walk `flow` from its start page; one result per step, in order.

    Raises TargetUnusable when the target cannot be walked at all (see module doc).
    """
    walk = Walk(page, guard, base_url, project, flow, locale, viewport, rules, policy)
    async with walk.consent_answered():
        return await _walk_steps(walk, on_step)


async def _walk_steps(walk: Walk, on_step) -> list[StepResult]:
    page, guard, flow, locale, viewport = walk.page, walk.guard, walk.flow, walk.locale, walk.viewport
    results: list[StepResult] = []
    await walk.start()
    broken = False
    for number, step in enumerate(flow.steps, start=1):
        base = dict(flow=flow.id, step=step.id, number=number, locale=locale, viewport=viewport)
        if broken:
            results.append(StepResult(**base, status="skipped"))
            continue
        walk.seen, walk.state_seen, walk.not_shot = {}, None, None
        url = path_of(page.url)
        try:
            try:
                await walk.step(number, step, on_step)
            except PlaywrightError as exc:  # the page went away under the step: navigated, closed, crashed
                guard.raise_if_tripped()
                if not isinstance(exc, PlaywrightTimeout):  # a timeout is the step's own wait, no navigation
                    await _navigation_committed(page)
                    guard.raise_if_tripped()
                raise StepBroken(f"the page failed: {exc.message.splitlines()[0]}") from None
        except StepBroken as exc:
            broken = True
            results.append(StepResult(**base, status="broken", problem=exc.problem, label_key=exc.label_key,
                                      expected_label=exc.expected_label, suggestions=exc.suggestions, drift=exc.drift,
                                      url=path_of(page.url), labels_seen=walk.seen, state_seen=walk.state_seen))
        else:
            results.append(StepResult(**base, status="ok", url=url, labels_seen=walk.seen,
                                      state_seen=walk.state_seen, not_shot=walk.not_shot))
    return results
