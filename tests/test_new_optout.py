"""A new related opt-out is data: a flow in flow.yml, its labels, its name, a page section. Nothing else.

In a copy of the checkout whose Python is the package itself (scripts/stepshot is a link to it, never
written), the test adds a made-up setting the way a maintainer would and shows that the stand-in serves
its page, `check` walks it in two locales, and the site publishes its steps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, make_checkout, run_cli
from stepshot.locales import LOCALES

pytestmark = pytest.mark.browser

FLOW = """
  - id: example
    start: /mypreferences/d/categories/privacy
    viewports: [desktop, mobile]
    steps:
      - id: example-open-setting
        action:
          type: click
          target:
            role: link
            label: example_setting
            href: /mypreferences/d/settings/example-setting
            within: {role: region, label: how_linkedin_uses_data}
        expect: {url: "^/mypreferences/d/settings/example-setting", heading: example_setting}
        callout: select
      - id: example-turn-off
        action: {type: set_toggle, target: {role: switch, label: example_setting}, to: "off"}
        expect: {switch: "off"}
        callout: turn_off
"""
LABEL = "  example_setting:\n    text: Example setting for a test\n    status: unverified\n"
STEP_TEXTS = ('  example-open-setting: "Choose {{ label:example_setting }}."\n'
              '  example-turn-off: "Turn the switch {{ label:example_setting }} **off**."\n')
SECTION = "\n## Example { #example }\n\n{{ steps:example }}\n"


def insert_after(path: Path, line: str, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert line in content, f"{path}: no {line!r} to add after"
    path.write_text(content.replace(line, line + text, 1), encoding="utf-8")


def add_the_opt_out(root: Path) -> list[Path]:
    """The maintainer's edits; returns every file written."""
    written = [root / "screenshots" / "flow.yml"]
    with written[0].open("a", encoding="utf-8") as flow:
        flow.write(FLOW)
    strings = root / "docs" / "site-strings.yml"
    text = strings.read_text(encoding="utf-8")
    assert text.count("  flows: {") == len(LOCALES)
    strings.write_text(text.replace("  flows: {", '  flows: {example: "Example", '), encoding="utf-8")
    written.append(strings)
    for code in LOCALES:
        labels = root / "screenshots" / "labels" / f"{code}.yml"
        insert_after(labels, "\nlabels:\n", LABEL)
        page = root / "docs" / code / "related.md"
        insert_after(page, "\nsteps:\n", STEP_TEXTS)
        with page.open("a", encoding="utf-8") as markdown:
            markdown.write(SECTION)
        written += [labels, page]
    return written


def test_a_related_opt_out_added_as_data_is_walked_and_published(tmp_path):
    checkout = make_checkout(tmp_path / "checkout", site=True, link=False)
    assert (checkout.root / "scripts" / "stepshot").resolve() == ROOT / "scripts" / "stepshot"
    written = add_the_opt_out(checkout.root)
    assert {path.suffix for path in written} == {".yml", ".md"}

    validated = run_cli("validate", checkout=checkout)
    assert validated.code == 0, validated.err
    assert "in 5 flows" in validated.out

    checked = run_cli("check", "--locale", "en", "--locale", "ar", "--viewport", "desktop", checkout=checkout)
    assert checked.code == 0, checked.out + checked.err
    results = json.loads((checkout.reports / "check.json").read_text(encoding="utf-8"))["results"]
    walked = {(r["locale"], r["step"]): r["status"] for r in results if r["flow"] == "example"}
    assert walked == {(code, step): "ok" for code in ("en", "ar")
                      for step in ("example-open-setting", "example-turn-off")}

    site = tmp_path / "site"
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                           cwd=checkout.root, capture_output=True, text=True,
                           env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert built.returncode == 0, built.stdout + built.stderr
    for code in LOCALES:
        prefix = "" if code == "en" else f"{code}/"
        page = (site / prefix / "related" / "index.html").read_text(encoding="utf-8")
        assert 'id="example-open-setting"' in page and 'id="example-turn-off"' in page, code
        assert "Example setting for a test" in page, code
    support = (site / "support" / "index.html").read_text(encoding="utf-8")
    assert 'id="link-example-turn-off"' in support and "Example 2: Turn this Off (Example setting for a test)" in support
