"""The stand-in's pages, built from the flow file: what the guide walks is exactly what the stand-in serves.

Each step tells where its control sits and where it leads: a button click opens a menu whose links the next
step clicks; a link (its `href`) leads to a page whose heading and text the step expects; a link clicked
on the settings home is the settings navigation; a link clicked `within` a region sits in a section headed
by that label; a switch step puts a switch on the page it runs on. A new related opt-out is a flow and its
labels: the stand-in grows the pages for it by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadInput
from ..files import problem
from ..schema import Click, FlowFile, Target

FEED = "/feed/"


@dataclass
class Link:
    href: str
    label: str                                    # label key of its text
    viewports: set[str] = field(default_factory=set)  # for menu links: the layouts showing it


@dataclass
class Section:
    heading: str | None                           # label key of its heading; None: the page's own list
    links: list[Link] = field(default_factory=list)

    def add(self, link: Link) -> None:
        if all(existing.href != link.href or existing.label != link.label for existing in self.links):
            self.links.append(link)


@dataclass
class Page:
    path: str
    title: str | None = None                      # label key of the h1
    texts: list[str] = field(default_factory=list)  # label keys shown under the title
    sections: list[Section] = field(default_factory=list)
    switch: str | None = None                     # label key naming the page's switch
    parent: str | None = None                     # the page that links here (the back link)

    def section(self, heading: str | None) -> Section:
        for section in self.sections:
            if section.heading == heading:
                return section
        self.sections.append(Section(heading))
        return self.sections[-1]

    def links(self) -> list[Link]:
        return [link for section in self.sections for link in section.links]


@dataclass
class SiteMap:
    menu_button: str                              # label key of the button opening the member menu
    menu: list[Link]                              # the menu's links (per layout)
    home: str                                     # the settings home: where the menu's links lead
    nav: list[Link]                               # the settings navigation (links clicked on the home)
    pages: dict[str, Page]

    def page(self, path: str) -> Page | None:
        return self.pages.get(path.rstrip("/") or "/")

    def page_titled(self, label: str) -> Page | None:
        return next((p for p in self.pages.values() if p.title == label), None)


def build(flow_file: FlowFile, flow_path: Path) -> SiteMap:
    """The pages the flows walk through; BadInput naming the step whose link has no href."""
    menu_button, menu, home, nav = None, [], None, []
    pages: dict[str, Page] = {}

    def page(path: str) -> Page:
        key = path.rstrip("/") or "/"
        return pages.setdefault(key, Page(key))

    for fi, flow in enumerate(flow_file.flows):
        here = flow.start
        menu_open = False
        for si, step in enumerate(flow.steps):
            target = step.action.target
            where = f"flows.{fi}.steps.{si}.action.target"
            if isinstance(step.action, Click) and target.role == "button":
                menu_button, menu_open = target.label, True
                continue
            if isinstance(step.action, Click) and target.role == "link":
                if target.href is None:
                    raise BadInput(problem(flow_path, f"{where}.href",
                                           "missing: the stand-in builds its pages from the path each link leads to"))
                link = Link(target.href, target.label, set(flow.viewports))
                if menu_open and here == FEED:
                    _add_menu_link(menu, link)
                    home = home or target.href
                elif home is not None and here.rstrip("/") == home.rstrip("/") and target.within is None:
                    if all(n.href != link.href for n in nav):
                        nav.append(link)
                else:
                    page(here).section(_heading(target)).add(link)
                menu_open = False
                destination = page(target.href)
                destination.title = destination.title or step.expect.heading or target.label
                if step.expect.text and step.expect.text not in destination.texts:
                    destination.texts.append(step.expect.text)
                if destination.parent is None and destination.path.rstrip("/") != (home or "").rstrip("/"):
                    destination.parent = page(here).path if here != FEED else None
                here = target.href
                continue
            if target.role == "switch":
                page(here).switch = target.label
    if menu_button is None or home is None:
        raise BadInput(problem(flow_path, "flows", "the stand-in needs a flow that opens the member menu "
                                                   "(a button) and follows one of its links to the settings"))
    home_page = page(home)
    for link in nav:
        target = page(link.href)
        target.parent = target.parent or home_page.path
    return SiteMap(menu_button, menu, home_page.path, nav, pages)


def _heading(target: Target) -> str | None:
    return target.within.label if target.within is not None else None


def _add_menu_link(menu: list[Link], link: Link) -> None:
    for existing in menu:
        if existing.label == link.label and existing.href == link.href:
            existing.viewports |= link.viewports
            return
    menu.append(link)
