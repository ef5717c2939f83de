"""`stepshot learn`: read one locale's labels off the target's own pages, found by language-neutral anchors.

The walk never reads the locale's label texts: it follows the flow by what is the same in every language.
A link is the one that leads to the step's `href`; the button of a menu step is the one whose click shows
the next step's link; a switch is the setting page's one switch; the state words are the short texts
beside the switch that change when it is flipped (a test account only: the switch is put back at once).
What has no anchor is read by structure and reported as such: a page's heading is its main heading (h1),
its text the first paragraph after it, a region the heading of the section that holds the step's link.
Consent buttons are read off a banner only when one shows (LinkedIn's action-type ACCEPT / DENY).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page
from playwright.async_api import TimeoutError as PlaywrightTimeout

from . import verified
from .checkout import Checkout
from .errors import EXIT_DRIFT, EXIT_OK
from .files import display_path, write_atomic
from .guard import Guard, path_of
from .names import NameRules
from .personal import load_persona
from .reader import Project
from .run import Progress, RunRequest, Session, plan, run_walk
from .schema import Flow, SetToggle, Step, Target
from .suggest import names_in_snapshot
from .targets import parse_target
from .walker import (CONTAINERS, FIND_TIMEOUT_MS, NAVIGATION_TIMEOUT_MS, NEAR_TEXTS_JS, SAVE_TIMEOUT_MS,
                     Policy, href_selector, switch_saved)

STATE_KEYS = ("switch_on", "switch_off")
CONSENT_ACTIONS = {"consent_accept": "ACCEPT", "consent_reject": "DENY"}
MENU_TIMEOUT_MS = 3_000   # a consent button that cannot be clicked at once lies under an open menu

# The name of the section holding an element: its aria-label, what labels it, or its first heading.
_SECTION_NAME_JS = """(element, containers) => {
  const section = element.closest(containers);
  if (!section) return null;
  if (section.getAttribute('aria-label')) return section.getAttribute('aria-label');
  const by = section.getAttribute('aria-labelledby');
  const named = by && document.getElementById(by.split(' ')[0]);
  const heading = named || section.querySelector('h1, h2, h3, h4, h5, h6, [role=heading]');
  return heading ? heading.innerText : null;
}"""

# The first visible paragraph after the page's main heading.
_TEXT_AFTER_JS = """heading => {
  for (const p of document.querySelectorAll('p')) {
    if ((heading.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_FOLLOWING) && p.checkVisibility()
        && p.innerText.trim()) return p.innerText;
  }
  return null;
}"""

@dataclass
class Sighting:
    """One label as a page showed it: the raw accessible name (member name, state word still in it)."""

    key: str
    raw: str
    how: Literal["anchor", "structure"]
    anchor: str        # what found it, in words: "the link to /mypreferences/...", "the page's one switch"
    where: str         # "desktop desktop/open-settings at /feed/"


@dataclass
class Learned:
    """Everything one unit's walk read."""

    sightings: list[Sighting] = field(default_factory=list)
    state_words: list[tuple[str, str]] = field(default_factory=list)   # (on word, off word), per flip
    problems: list[str] = field(default_factory=list)                  # why a flow stopped early


class NotFound(Exception):
    pass


def normalized(text: str) -> str:
    return " ".join(text.split())


class Reading:
    """Walks one flow by its anchors and notes every label it meets."""

    def __init__(self, page: Page, guard: Guard, base_url: str, flow: Flow, viewport: str, policy: Policy,
                 learned: Learned):
        self.page = page
        self.guard = guard
        self.base_url = base_url.rstrip("/")
        self.flow = flow
        self.viewport = viewport
        self.policy = policy
        self.learned = learned
        self.where = ""
        self.left_heading = None   # the heading element of the page a click left, until the new one shows

    def note(self, key: str, raw: str | None, how: str, anchor: str) -> None:
        if raw and normalized(raw):
            self.learned.sightings.append(Sighting(key, normalized(raw), how, anchor,
                                                   f"{self.where} at {path_of(self.page.url)}"))

    async def name(self, element: Locator, role: str) -> str | None:
        names = names_in_snapshot(await element.aria_snapshot(), role)
        return names[0] if names else None

    async def visible_one(self, found: Locator, what: str) -> Locator:
        found = found.filter(visible=True)
        try:
            await self.guard.run(found.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
        except PlaywrightTimeout:
            raise NotFound(f"no {what} on the page") from None
        return found

    async def walk(self, again: bool = True) -> None:
        self.where = f"{self.viewport} {self.flow.id}"
        await self.guard.goto(self.base_url + self.flow.start, NAVIGATION_TIMEOUT_MS)
        await self.guard.check_page()
        for step in self.flow.steps:
            self.where = f"{self.viewport} {self.flow.id}/{step.id}"
            answered = False
            try:
                answered = await self.consent()
                await self.step(step)
                await self.after(step)
            except (NotFound, PlaywrightError) as exc:
                self.guard.raise_if_tripped()
                # A banner that showed late covers the step's target, or answering it closed what the step
                # before had opened: once, walk the flow again with the banner gone.
                if again and (answered or await self.answered_late()):
                    return await self.walk(again=False)
                self.stopped(str(exc) if isinstance(exc, NotFound) else
                             f"the page failed: {exc.message.splitlines()[0]}")
                return

    async def answered_late(self) -> bool:
        try:
            return await self.consent()
        except PlaywrightError:
            self.guard.raise_if_tripped()
            return False

    def stopped(self, why: str) -> None:
        self.learned.problems.append(f"{self.where} at {path_of(self.page.url)}: {why}; the rest of this flow "
                                     "was not read")

    async def step(self, step: Step) -> None:
        target = step.action.target
        if target.role == "link" and target.href:
            link = await self.link(target)
            self.left_heading = await self.page.evaluate_handle("document.querySelector('h1')")
            await self.guard.run(link.click(timeout=FIND_TIMEOUT_MS))
        elif target.role == "button" and step.expect.visible and step.expect.visible.href:
            await self.menu_button(target, step.expect.visible)
        elif target.role == "switch":
            switch = await self.visible_one(self.page.get_by_role("switch"), "switch")
            if await switch.count() != 1:
                raise NotFound(f"{await switch.count()} switches, expected the setting's one")
            self.note(target.label, await self.name(switch, "switch"), "anchor", "the page's one switch")
            if isinstance(step.action, SetToggle):
                await self.state_words(switch.first)
        else:
            raise NotFound(f"{target.role} {target.label}: the flow gives it no language-neutral anchor")

    async def link(self, target: Target) -> Locator:
        """The link to target.href (in the section that holds it, when the flow names one); its name noted."""
        found = await self.visible_one(self.page.locator(href_selector(target.href)), f"link to {target.href}")
        chosen = found.first
        if target.within is not None:
            for index in range(await found.count()):
                candidate = found.nth(index)
                section = await candidate.evaluate(_SECTION_NAME_JS, CONTAINERS)
                if section:
                    self.note(target.within.label, section, "structure",
                              f"the heading of the section holding the link to {target.href}")
                    chosen = candidate
                    break
            else:
                raise NotFound(f"the link to {target.href} is in no named section")
        self.note(target.label, await self.name(chosen, "link"), "anchor", f"the link to {target.href}")
        return chosen

    async def menu_button(self, target: Target, revealed: Target) -> None:
        """Click the collapsed button that shows the link to `revealed.href`; its name noted."""
        buttons = self.page.locator("button[aria-expanded=false], [role=button][aria-expanded=false]")
        buttons = buttons.filter(visible=True)
        link = self.page.locator(href_selector(revealed.href)).filter(visible=True)
        for index in range(await buttons.count()):
            button = buttons.nth(index)
            raw = await self.name(button, "button")
            await self.guard.run(button.click(timeout=FIND_TIMEOUT_MS))
            try:
                await self.guard.run(link.first.wait_for(state="visible", timeout=FIND_TIMEOUT_MS))
            except PlaywrightTimeout:
                await self.page.keyboard.press("Escape")
                continue
            self.note(target.label, raw, "anchor", f"the button that shows the link to {revealed.href}")
            return
        raise NotFound(f"no collapsed button shows the link to {revealed.href}")

    async def after(self, step: Step) -> None:
        expected = step.expect
        if expected.url:
            pattern = re.compile(expected.url)
            try:
                await self.guard.run(self.page.wait_for_url(lambda url: bool(pattern.search(path_of(url))),
                                                            timeout=FIND_TIMEOUT_MS, wait_until="domcontentloaded"))
            except PlaywrightTimeout:
                raise NotFound(f"did not arrive at a page matching {expected.url}") from None
        await self.guard.check_page()
        if expected.heading or expected.text:
            await self.new_page_drawn()
            headings = await self.visible_one(self.page.get_by_role("heading", level=1), "main heading (h1)")
            if await headings.count() != 1:
                raise NotFound(f"{await headings.count()} main headings (h1), expected one")
            if expected.heading:
                self.note(expected.heading, await self.name(headings, "heading"), "structure", "the page's main heading")
            if expected.text:
                self.note(expected.text, await headings.evaluate(_TEXT_AFTER_JS), "structure",
                          "the first paragraph after the page's main heading")
        if expected.visible and expected.visible.role == "link" and expected.visible.href:
            await self.link(expected.visible)

    async def new_page_drawn(self) -> None:
        """After a click that led here: the heading of the page left is gone (an app that navigates in the
        page changes the address first and draws the new page after its data arrives)."""
        left, self.left_heading = self.left_heading, None
        if left is None:
            return
        try:
            await self.guard.run(self.page.wait_for_function("old => !old || !old.isConnected", arg=left,
                                                             timeout=FIND_TIMEOUT_MS))
        except PlaywrightTimeout:
            pass  # the page kept its heading element: read what it shows now
        except PlaywrightError:
            self.guard.raise_if_tripped()  # a full navigation took the old document: its heading went with it

    async def consent(self) -> bool:
        """A consent banner that shows: its buttons' names noted, then Reject (else Accept) clicked."""
        buttons = {key: self.page.locator(f"button[action-type={action}]").filter(visible=True)
                   for key, action in CONSENT_ACTIONS.items()}
        if not any([await b.count() for b in buttons.values()]):
            return False
        for key, button in buttons.items():
            if await button.count():
                self.note(key, await self.name(button.first, "button"), "anchor",
                          f"the consent banner's action-type={CONSENT_ACTIONS[key]} button")
        button = buttons["consent_reject"] if await buttons["consent_reject"].count() else buttons["consent_accept"]
        try:
            await self.guard.run(button.first.click(timeout=MENU_TIMEOUT_MS))
        except PlaywrightTimeout:  # an open menu or drawer lies over the banner: close it first
            await self.page.keyboard.press("Escape")
            await self.guard.run(button.first.click(timeout=FIND_TIMEOUT_MS))
        await self.guard.run(button.first.wait_for(state="hidden", timeout=FIND_TIMEOUT_MS))
        return True

    # ---- the switch's state words ----

    async def flip_to(self, switch: Locator, on: bool) -> list[str]:
        await self.guard.run(switch.click(timeout=FIND_TIMEOUT_MS))
        if not await switch_saved(self.guard, switch, on, []):
            raise NotFound(f"the switch did not show {'on' if on else 'off'} within "
                           f"{SAVE_TIMEOUT_MS // 1000} s of clicking it")
        return await switch.evaluate(NEAR_TEXTS_JS)

    async def state_words(self, switch: Locator) -> None:
        """Flip the switch and back: the texts that change beside it are its state words.

        Only for a test account (turning a switch on is not ours to do otherwise); what the switch was
        before is what it is after, and a switch turned on is in the journal until it is off again."""
        if not (self.policy.changes_settings and self.policy.may_turn_on):
            return
        path = path_of(self.page.url)
        was_on = await switch.is_checked()
        before = await switch.evaluate(NEAR_TEXTS_JS)
        if not was_on:
            self.policy.on_switch_on(path)
        flipped = await self.flip_to(switch, not was_on)
        await self.flip_to(switch, was_on)
        if not was_on:
            self.policy.on_switch_off(path)
        gone = [t for t in before if t not in flipped]
        came = [t for t in flipped if t not in before]
        if len(gone) == 1 and len(came) == 1:
            on_word, off_word = (gone[0], came[0]) if was_on else (came[0], gone[0])
            self.learned.state_words.append((on_word, off_word))
            for key, word in zip(STATE_KEYS, (on_word, off_word)):
                self.note(key, word, "structure", "the text beside the switch that changes when it is flipped")


async def read_unit(page: Page, guard: Guard, base_url: str, flows, locale: str, viewport: str, policy: Policy,
                    progress_line=None) -> Learned:
    learned = Learned()
    for flow in flows:
        t0 = time.monotonic()
        count = len(learned.sightings)
        await Reading(page, guard, base_url, flow, viewport, policy, learned).walk()
        if progress_line:
            progress_line(f"  {locale:5} {viewport:7} {flow.id:9} {len(learned.sightings) - count} label(s) read "
                          f"({time.monotonic() - t0:.1f} s)")
    return learned


@dataclass
class Proposal:
    """What a locale's walk read, settled: one text per label key."""

    texts: dict[str, str]
    sightings: dict[str, Sighting]           # key -> the first sighting of the chosen text
    conflicts: dict[str, list[str]]          # key -> every different text seen (the chosen one first)
    problems: list[str]


def settle(learned: list[Learned], member_names: tuple[str, ...]) -> Proposal:
    """The names read, with the member's name and the learned state words stripped; one text per key,
    the most often seen (a key read differently in two places is a conflict, reported)."""
    words = Counter(pair for unit in learned for pair in unit.state_words)
    state_words = words.most_common(1)[0][0] if words else ()
    rules = NameRules(member_names=member_names, state_words=tuple(state_words))
    by_key: dict[str, list[tuple[str, Sighting]]] = {}
    for unit in learned:
        for sighting in unit.sightings:
            text = sighting.raw if sighting.key in STATE_KEYS else rules.core(sighting.raw)
            if text:
                by_key.setdefault(sighting.key, []).append((text, sighting))
    texts, chosen, conflicts = {}, {}, {}
    for key, seen in by_key.items():
        ranked = [text for text, _ in Counter(text for text, _ in seen).most_common()]
        texts[key] = ranked[0]
        chosen[key] = next(s for text, s in seen if text == ranked[0])
        if len(ranked) > 1:
            conflicts[key] = ranked
    return Proposal(texts, chosen, conflicts, [p for unit in learned for p in unit.problems])


@dataclass
class LearnResult:
    locale: str
    target: str
    proposal: Proposal
    rows: list
    written: Path                   # the proposed label file
    diff: Path | None               # its diff against the committed one, when there is one
    report: Path                    # learn/<locale>.md
    new_label_file: bool            # written straight to screenshots/labels (there was none)
    verified: bool                  # recorded in verified.json (a run against linkedin.com)

    @property
    def exit_code(self) -> int:
        return EXIT_DRIFT if self.proposal.problems else EXIT_OK


def run_learn(checkout: Checkout, spec: str, project: Project, locales: list[str],
              viewports: list[str] | None = None, auth: Path | None = None,
              progress: Progress | None = None, record_as_live: bool = False) -> list[LearnResult]:
    """Walk each locale's units by their anchors; per locale, write the proposal, its diff and learn/<L>.md.

    `record_as_live` is for tests only, as check's: treat the stand-in as linkedin.com, so that what was
    read goes to verified.json.
    """
    target_spec = parse_target(spec)
    units = plan(project, locales, viewports)
    progress = progress or Progress()
    persona = load_persona(checkout.persona_file)
    verified.load(checkout.verified_file)
    learned: dict[str, list[Learned]] = {locale: [] for locale in locales}
    member_names: set[str] = {persona.name}

    async def work(session: Session) -> None:
        unit = session.unit
        context, page, guard = await session.open()
        member_names.add(session.login.account.name)
        try:
            learned[unit.locale].append(await read_unit(page, guard, session.base_url, unit.flows, unit.locale,
                                                        unit.viewport, session.policy, progress.line))
        finally:
            await context.close()

    opened = run_walk(checkout, project, RunRequest(target_spec, units, persona, auth, changes_settings=True),
                      work, progress)
    live = record_as_live or (target_spec.kind == "url" and verified.is_linkedin(opened.base_url))
    target_name = target_spec.text if target_spec.kind == "stand-in" else opened.base_url
    results = [write_proposal(checkout, project, locale, settle(learned[locale], tuple(sorted(member_names))),
                              target_name, live) for locale in locales]
    if live:
        verified.record_labels(checkout.verified_file, {r.locale: r.proposal.texts for r in results if r.proposal.texts},
                               checkout.today(), opened.base_url)
    return results


def write_proposal(checkout: Checkout, project: Project, locale: str, proposal: Proposal, target_name: str,
                   live: bool) -> LearnResult:
    from . import learned_labels as out

    date = checkout.today()
    folder = checkout.reports / "learn"
    label_file = Path(project.labels_dir) / f"{locale}.yml"
    committed = out.committed_text(label_file)
    table = out.rows(project, locale, proposal)
    diff_file = None
    if committed is None:
        proposed = out.new_file(project, locale, proposal, target_name, date)
        written = label_file
    else:
        proposed = out.substituted(committed, {row.key: row.committed for row in table}, proposal, target_name, date)
        written = folder / f"{locale}.yml"
        diff_file = folder / f"{locale}.diff"
        write_atomic(diff_file, out.diff(committed, proposed, f"screenshots/labels/{locale}.yml").encode("utf-8"))
    write_atomic(written, proposed.encode("utf-8"))
    report = folder / f"{locale}.md"
    write_atomic(report, out.markdown(locale, target_name, date, table, proposal, display_path(written)).encode("utf-8"))
    return LearnResult(locale, target_name, proposal, table, written, diff_file, report,
                       committed is None, live)


def summary_lines(result: LearnResult) -> list[str]:
    counts = Counter(row.verdict for row in result.rows)
    lines = [f"learn {result.locale} from {result.target}: "
             + ", ".join(f"{n} {verdict}" for verdict, n in counts.most_common())]
    lines += [f"CHANGED {row.key}: {row.committed!r} -> {row.text!r} ({row.sighting.how}: {row.sighting.anchor})"
              for row in result.rows if row.verdict == "changed"]
    lines += [f"CONFLICT {key}: read as " + ", ".join(repr(t) for t in texts)
              for key, texts in result.proposal.conflicts.items()]
    lines += [f"NOT READ {problem}" for problem in result.proposal.problems]
    if result.verified:
        lines.append(f"verified labels recorded for: {result.locale}")
    what = "new label file" if result.new_label_file else "proposal"
    lines.append(f"{what}: {display_path(result.written)}"
                 + (f"; diff: {display_path(result.diff)}" if result.diff else "")
                 + f"; report: {display_path(result.report)}")
    return lines
