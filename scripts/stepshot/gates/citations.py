"""Every claim on the built guide cites a source.

A claim is a paragraph, list item or table-body row of a page's article. It is cited when it holds a
citation (`.ss-cite`, from {{ cite:ID }}). Not claims: the steps, the checklist, the support table, About's
list of sources, admonition titles, the site's own notices, anything marked `{: .ss-instruction }` (an
instruction, or a statement about this site itself), and every block of a page whose front matter says
`instructions: true`. A list whose lead-in paragraph ends with a colon and is cited shares its citation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from mkdocs.utils.meta import get_data

from ..site.pages import page_url

CLAIMS = {"p", "li", "tr"}
NOT_CLAIMS = {"ss-steps", "ss-checklist", "ss-links", "ss-sources", "ss-instruction", "admonition-title",
              "ss-outdated", "ss-print-source", "ss-report-hint", "tabbed-labels", "ss-shot", "ss-step__tools"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)  # a node is itself: comparing by value would walk parent and children forever
class Node:
    tag: str
    classes: set[str]
    parent: "Node | None"
    children: list = field(default_factory=list)  # Node or str

    def text(self, leave_out: str | None = None) -> str:
        """The text inside, without the elements of class `leave_out`."""
        return "".join(c if isinstance(c, str) else "" if leave_out in c.classes else c.text(leave_out)
                       for c in self.children)

    def has_class_below(self, name: str) -> bool:
        return any(isinstance(c, Node) and (name in c.classes or c.has_class_below(name)) for c in self.children)

    def elements(self) -> list["Node"]:
        return [c for c in self.children if isinstance(c, Node)]


class Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", set(), None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, set((dict(attrs).get("class") or "").split()), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def article_of(html: str) -> Node | None:
    tree = Tree()
    tree.feed(html)
    stack = [tree.root]
    while stack:
        node = stack.pop()
        if node.tag == "article":
            return node
        stack.extend(node.elements())
    return None


def cited(node: Node) -> bool:
    return node.has_class_below("ss-cite")


def lead_in_cited(item: Node) -> bool:
    """A list item whose list follows a cited paragraph ending with a colon."""
    listing = item.parent
    if listing is None or listing.tag not in ("ul", "ol") or listing.parent is None:
        return False
    siblings = listing.parent.elements()
    before = siblings[:siblings.index(listing)]
    lead = before[-1] if before else None
    return bool(lead is not None and lead.tag == "p" and cited(lead) and lead.text("ss-cite").rstrip().endswith((":", "：")))


def uncited(html: str) -> list[str]:
    """The text of every claim of the page's article that cites no source."""
    article = article_of(html)
    out: list[str] = []

    def walk(node: Node) -> None:
        for child in node.elements():
            if child.classes & NOT_CLAIMS or child.tag in ("thead", "nav", "figure", "script", "h1", "h2", "h3"):
                continue
            if child.tag in CLAIMS and not (child.tag == "li" and any(e.tag == "p" for e in child.elements())):
                if not cited(child) and not (child.tag == "li" and lead_in_cited(child)):
                    text = " ".join(child.text().split())
                    if text:
                        out.append(f"{child.tag}: {text[:100]}")
                continue
            walk(child)

    if article is not None:
        walk(article)
    return out


def instruction_pages(docs_dir: Path, locale: str) -> set[str]:
    folder = docs_dir / locale
    return {path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*.md"))
            if get_data(path.read_text(encoding="utf-8"))[1].get("instructions") is True}


def uncited_claims(site_dir: Path, docs_dir: Path, locale: str) -> list[str]:
    """`PAGE: KIND: TEXT` for every uncited claim on the locale's pages."""
    problems = []
    skip = instruction_pages(docs_dir, locale)
    for path in sorted((docs_dir / locale).rglob("*.md")):
        page = path.relative_to(docs_dir / locale).as_posix()
        if page in skip:
            continue
        html_file = site_dir / page_url(locale, page) / "index.html"
        problems += [f"/{page_url(locale, page)}: {line}" for line in uncited(html_file.read_text(encoding="utf-8"))]
    return problems
