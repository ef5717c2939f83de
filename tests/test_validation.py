"""Validation of the flow and label files: bad input in, exact one-line messages out. No browser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, ROOT, run_cli
from stepshot.errors import BadInput
from stepshot.locales import LOCALES
from stepshot.reader import load_project

PROBLEM_LINE = re.compile(r"^[^:\s]+: [^:]+: \S.*$")
PYDANTIC_WORDING = ("Input should", "Value error", "[type=", "union", "function-", "discriminator", "Field required")
REMOVE = None  # as `new` with `old=WHOLE_FILE`: delete the file
WHOLE_FILE = None  # as `old`: replace the whole file


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The committed flow and label files copied to a temporary folder that is the current directory."""
    shutil.copy(REPO.flow_file, tmp_path / "flow.yml")
    shutil.copytree(REPO.labels_dir, tmp_path / "labels")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def mutate(root: Path, file: str, old: str | None, new: str | None) -> None:
    path = root / file
    if old is WHOLE_FILE:
        if new is REMOVE:
            path.unlink()
        else:
            path.write_text(new, encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the mutation no longer applies to {file}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(flow="flow.yml", labels="labels", locales=None) -> list[str]:
    with pytest.raises(BadInput) as exc:
        load_project(Path(flow), Path(labels), locales)
    return exc.value.lines


ROLE_CHOICES = "button, link, switch, heading, menuitem, tab, region, navigation, dialog"

# (file, old text, new text, the exact lines expected). Each case is one mutation of the committed files.
CASES = {
    "unknown key in a step": (
        "flow.yml", "        callout: open_menu\n", "        callout: open_menu\n        colour: red\n",
        ["flow.yml: flows.0.steps.0.colour: unknown key (expected id, action, expect, highlight, callout, inset)"]),
    "unknown key in a label": (
        "labels/de.yml", "    text: Sie\n", "    text: Sie\n    src: x\n",
        ["labels/de.yml: labels.me_menu.src: unknown key (expected text, status, source, note, seen)"]),
    "unknown action type": (
        "flow.yml", "{type: click, target: {role: button,", "{type: hover, target: {role: button,",
        ["flow.yml: flows.0.steps.0.action.type: unknown action type 'hover' "
         "(expected click, set_toggle, show_toggle)"]),
    "action without type": (
        "flow.yml", "{type: click, target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}}",
        "{target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}}",
        ["flow.yml: flows.0.steps.1.action.type: missing required field"]),
    "action of the wrong type": (
        "flow.yml", "{type: click, target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}}", "click",
        ["flow.yml: flows.0.steps.1.action: expected a mapping, got text"]),
    "unknown key in an action": (
        "flow.yml", "{type: click, target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}}",
        "{type: click, target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}, wait: 2}",
        ["flow.yml: flows.0.steps.1.action.wait: unknown key (expected type, target)"]),
    "href on a button": (
        "flow.yml", "{role: button, label: me_menu}", "{role: button, label: me_menu, href: /feed/}",
        ["flow.yml: flows.0.steps.0.action.target.href: only a link has an href (this target is a button)"]),
    "href not a path": (
        "flow.yml", "href: /mypreferences/d/categories/privacy}", "href: mypreferences}",
        ["flow.yml: flows.0.steps.2.action.target.href: 'mypreferences' is not a path (must start with /)"]),
    "switch expected after a click": (
        "flow.yml", '        expect: {url: "^/mypreferences/d/categories/account"}\n',
        '        expect: {url: "^/mypreferences/d/categories/account", switch: "off"}\n',
        ["flow.yml: flows.0.steps.1.expect: switch: only a step whose action targets a switch can expect its state"]),
    "step id too long": (
        "flow.yml", "- id: open-settings", "- id: open-" + "settings-" * 8 + "x",
        ["flow.yml: flows.0.steps.1.id: " + "must not be longer than 64 characters"]),
    "label text over two lines": (
        "labels/de.yml", "    text: Anzeigendaten\n", '    text: "Werbe\\ndaten"\n',
        ["labels/de.yml: labels.advertising_data.text: must be one line (no line breaks, tabs or NUL)"]),
    "blank label text": (
        "labels/de.yml", "    text: Anzeigendaten\n", '    text: "   "\n',
        ["labels/de.yml: labels.advertising_data.text: must not be blank"]),
    "label text with spaces around": (
        "labels/de.yml", "    text: Anzeigendaten\n", '    text: " Anzeigendaten"\n',
        ["labels/de.yml: labels.advertising_data.text: must not start or end with spaces"]),
    "label text too long": (
        "labels/de.yml", "    text: Anzeigendaten\n", "    text: " + "Anzeigendaten " * 30 + "x\n",
        ["labels/de.yml: labels.advertising_data.text: must not be longer than 300 characters"]),
    "callout over two lines": (
        "labels/de.yml", "  select: Hier auswählen\n", '  select: "Hier\\nauswählen"\n',
        ["labels/de.yml: callouts: must be one line (no line breaks, tabs or NUL)"]),
    "missing required field": (
        "flow.yml", '        expect: {url: "^/mypreferences/d/categories/account"}\n', "",
        ["flow.yml: flows.0.steps.1.expect: missing required field"]),
    "missing label in a locale": (
        "labels/hi.yml", "  consent_reject:\n    text: अस्वीकार करें\n    status: unverified\n", "",
        ["labels/hi.yml: labels.consent_reject: missing (defined in en.yml)"]),
    "extra label key in a locale": (
        "labels/de.yml", "  consent_reject:", "  consent_rejected:",
        ["labels/de.yml: labels.consent_reject: missing (defined in en.yml)",
         "labels/de.yml: labels.consent_rejected: unknown label key (not in en.yml; did you mean 'consent_reject'?)"]),
    "missing callout in a locale": (
        "labels/ja.yml", "  shows_off: オフ：オプトアウト済み\n", "",
        ["labels/ja.yml: callouts.shows_off: missing (defined in en.yml)"]),
    "duplicate step id": (
        "flow.yml", "- id: open-settings", "- id: open-me-menu",
        ["flow.yml: flows.0.steps.1.id: duplicate step id 'open-me-menu' (first at flows.0.steps.0.id)"]),
    "duplicate flow id": (
        "flow.yml", "- id: mobile", "- id: desktop",
        ["flow.yml: flows.1.id: duplicate flow id 'desktop' (first at flows.0.id)"]),
    "step refers to an unknown label key": (
        "flow.yml", "{type: click, target: {role: link, label: settings_privacy, href: /mypreferences/d/categories/account}}",
        "{type: click, target: {role: link, label: settings_privacyy}}",
        ["flow.yml: flows.0.steps.1.action.target.label: unknown label key 'settings_privacyy' "
         "(not in en.yml; did you mean 'settings_privacy'?)"]),
    "step refers to an unknown callout key": (
        "flow.yml", "        callout: shows_off\n", "        callout: done\n",
        ["flow.yml: flows.0.steps.5.callout: unknown callout key 'done' (not in en.yml)"]),
    "bad YAML": (
        "labels/de.yml", "    text: Sie\n", "    text: [Sie\n",
        ["labels/de.yml: line 9: invalid YAML: expected ',' or ']', but got ':'"]),
    "duplicate YAML key": (
        "labels/de.yml", "    text: Sie\n", "    text: Sie\n    text: Ihr\n",
        ["labels/de.yml: line 9: invalid YAML: duplicate key 'text' (first on line 8)"]),
    "wrong type": (
        "labels/de.yml", "text: Anzeigendaten", "text: 12",
        ["labels/de.yml: labels.advertising_data.text: expected text, got a number (12)"]),
    "bad step id pattern": (
        "flow.yml", "- id: open-settings", "- id: Open_Settings",
        ["flow.yml: flows.0.steps.1.id: 'Open_Settings' is not a valid id "
         "(lowercase words joined by '-', e.g. open-settings)"]),
    "label key of the wrong type": (
        "labels/de.yml", "  me_menu:", "  1:",
        ["labels/de.yml: labels.1: expected text, got a number (1)",
         "labels/de.yml: labels.me_menu: missing (defined in en.yml)",
         "labels/de.yml: labels.1: unknown label key (not in en.yml)"]),
    "bad label key pattern": (
        "labels/en.yml", "  consent_reject:", "  consent-reject:",
        ["labels/en.yml: labels.consent-reject: 'consent-reject' is not a valid key "
         "(lowercase letters, digits and '_', e.g. ai_setting)"]
        + [f"labels/{code}.yml: labels.{line}" for code in list(LOCALES)[1:] for line in (
            "consent-reject: missing (defined in en.yml)",
            "consent_reject: unknown label key (not in en.yml; did you mean 'consent-reject'?)")]),
    "empty flow": (
        "flow.yml", "    steps:\n      - id: research-open-setting", "    steps: []\n    old:\n      - id: research-open-setting",
        ["flow.yml: flows.3.steps: must not be empty",
         "flow.yml: flows.3.old: unknown key (expected id, start, viewports, steps)"]),
    "no flows": (
        "flow.yml", "flows:\n", "flows: []\nold:\n",
        ["flow.yml: flows: must not be empty",
         "flow.yml: old: unknown key (expected version, flows)"]),
    "invalid url regex in expect": (
        "flow.yml", '{url: "^/mypreferences/d/categories/account"}', '{url: "^/mypreferences/(d/categories/account"}',
        ["flow.yml: flows.0.steps.1.expect.url: not a valid regular expression: "
         "missing ), unterminated subpattern at position 16"]),
    "expect with nothing in it": (
        "flow.yml", '{url: "^/mypreferences/d/categories/account"}', "{}",
        ["flow.yml: flows.0.steps.1.expect: needs at least one of url, heading, text, visible, switch"]),
    "sourced label without source": (
        "labels/nl.yml", "    status: sourced\n    source: *iphoned\n  how_linkedin", "    status: sourced\n  how_linkedin",
        ["labels/nl.yml: labels.data_privacy.source: required when status is sourced (name, date)"]),
    "unquoted date": (
        "labels/it.yml", '      date: "2025-10"', "      date: 2025-10-29",
        [f"labels/it.yml: labels.{key}.source.date: write the date in quotes: \"2025-10-29\""
         for key in ("settings_privacy", "data_privacy", "ai_setting", "ai_toggle")]),
    "not a date": (
        "labels/fr.yml", 'name: "geeko.lesoir.be"\n      date: "2025-09-24"', 'name: "geeko.lesoir.be"\n      date: "Sept 2025"',
        [f"labels/fr.yml: labels.{key}.source.date: 'Sept 2025' is not a date (YYYY-MM-DD or YYYY-MM)"
         for key in ("ai_setting", "ai_toggle")]),
    "status verified is not written in a label file": (
        "labels/es.yml", "    text: Yo\n    status: unverified", "    text: Yo\n    status: verified",
        ["labels/es.yml: labels.me_menu.status: unknown status 'verified' (expected sourced, unverified)"]),
    "locale field not matching the file name": (
        "labels/ar.yml", "locale: ar", "locale: he",
        ["labels/ar.yml: locale: 'he' does not match the file name (expected 'ar')"]),
    "locale field missing": (
        "labels/pt-BR.yml", "locale: pt-BR\n", "",
        ["labels/pt-BR.yml: locale: missing required field"]),
    "unknown viewport": (
        "flow.yml", "viewports: [mobile]", "viewports: [tablet]",
        ["flow.yml: flows.1.viewports.0: unknown viewport 'tablet' (expected desktop, mobile)"]),
    "no viewport": (
        "flow.yml", "viewports: [mobile]", "viewports: []",
        ["flow.yml: flows.1.viewports: must not be empty"]),
    "unknown role": (
        "flow.yml", "{role: button, label: me_menu}", "{role: buton, label: me_menu}",
        [f"flow.yml: flows.0.steps.0.action.target.role: unknown role 'buton' (expected {ROLE_CHOICES})"]),
    "unknown role in a nested target": (
        "flow.yml", "within: {role: region,", "within: {role: section,",
        [f"flow.yml: flows.0.steps.3.action.target.within.role: unknown role 'section' (expected {ROLE_CHOICES})"]),
    "bare off read as false": (
        "flow.yml", 'to: "off"}', "to: off}",
        ['flow.yml: flows.0.steps.4.action.to: write "off" in quotes (YAML reads a bare off as false)']),
    "unknown version": (
        "flow.yml", "version: 1", "version: 2",
        ["flow.yml: version: unknown version 2 (expected 1)"]),
    "start not a path": (
        "flow.yml", "start: /feed/", "start: feed",
        ["flow.yml: flows.0.start: 'feed' is not a path (must start with /)"]),
    "file not found": (
        "labels/ja.yml", WHOLE_FILE, REMOVE,
        ["labels/ja.yml: (file): not found"]),
    "top level not a mapping": (
        "flow.yml", WHOLE_FILE, "- version: 1\n",
        ["flow.yml: (top): expected a mapping, got a list"]),
    "empty file": (
        "labels/de.yml", WHOLE_FILE, "# nothing yet\n",
        ["labels/de.yml: (file): empty"]),
    "section of the wrong type": (
        "labels/de.yml", "callouts:\n", "callouts: []\nold:\n",
        ["labels/de.yml: callouts: expected a mapping, got a list",
         "labels/de.yml: old: unknown key (expected locale, labels, callouts)"]),
}


@pytest.mark.parametrize(("file", "old", "new", "expected"), CASES.values(), ids=CASES.keys())
def test_bad_input_gives_exact_lines(copy, file, old, new, expected):
    mutate(copy, file, old, new)
    lines = problems()
    assert lines == expected
    for line in lines:
        assert PROBLEM_LINE.match(line), line
        assert not any(word in line for word in PYDANTIC_WORDING), line


def test_all_problems_of_several_files_come_together_grouped_by_file(copy):
    mutate(copy, "flow.yml", "{role: button, label: me_menu}", "{role: buton, label: me_menu}")
    mutate(copy, "flow.yml", "- id: open-settings", "- id: open-me-menu")
    mutate(copy, "labels/de.yml", "locale: de", "locale: fr")
    mutate(copy, "labels/de.yml", "text: Anzeigendaten", "text: 12")
    lines = problems()
    files = [line.split(":")[0] for line in lines]
    assert files == ["flow.yml", "flow.yml", "labels/de.yml", "labels/de.yml"]
    assert "flows.0.steps.1.id: duplicate step id 'open-me-menu'" in lines[1]
    assert lines[2:] == ["labels/de.yml: labels.advertising_data.text: expected text, got a number (12)",
                         "labels/de.yml: locale: 'fr' does not match the file name (expected 'de')"]


def test_paths_outside_the_current_directory_are_shown_as_given(copy, tmp_path_factory, monkeypatch):
    mutate(copy, "labels/de.yml", "locale: de", "locale: fr")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    lines = problems(copy / "flow.yml", copy / "labels")
    assert lines == [f"{copy / 'labels' / 'de.yml'}: locale: 'fr' does not match the file name (expected 'de')"]


def test_paths_under_the_current_directory_are_shown_relative(copy):
    mutate(copy, "labels/de.yml", "locale: de", "locale: fr")
    lines = problems(copy / "flow.yml", copy / "labels")  # absolute paths in, relative out
    assert lines == ["labels/de.yml: locale: 'fr' does not match the file name (expected 'de')"]


def test_only_the_chosen_locales_and_english_are_read(copy):
    mutate(copy, "labels/de.yml", "locale: de", "locale: fr")
    assert load_project(Path("flow.yml"), Path("labels"), ["ja"]).labels.keys() == {"en", "ja"}
    assert problems(locales=["de"]) == ["labels/de.yml: locale: 'fr' does not match the file name (expected 'de')"]


def test_unknown_locale_option():
    lines = problems(REPO.flow_file, REPO.labels_dir, ["xx"])
    assert lines == [f"--locale: xx: unknown locale (known: {', '.join(LOCALES)})"]


def test_committed_files_load_clean_for_every_locale():
    project = load_project(REPO.flow_file, REPO.labels_dir)
    assert set(project.labels) == set(LOCALES)
    english = project.labels["en"]
    for code, label_file in project.labels.items():
        assert label_file.locale == code
        assert label_file.labels.keys() == english.labels.keys(), code
        assert label_file.callouts.keys() == english.callouts.keys(), code


@pytest.mark.parametrize("code", list(LOCALES))
def test_each_committed_locale_loads_alone(code):
    project = load_project(REPO.flow_file, REPO.labels_dir, [code])
    assert set(project.labels) == {"en", code}


def test_validate_command_exits_2_with_one_line_per_problem(copy):
    mutate(copy, "flow.yml", "{type: click, target: {role: button,", "{type: hover, target: {role: button,")
    mutate(copy, "labels/hi.yml", "  consent_reject:\n    text: अस्वीकार करें\n    status: unverified\n", "")
    result = run_cli("validate", "--flow-file", "flow.yml", "--labels-dir", "labels", cwd=copy)
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        "flow.yml: flows.0.steps.0.action.type: unknown action type 'hover' "
        "(expected click, set_toggle, show_toggle)",
        "labels/hi.yml: labels.consent_reject: missing (defined in en.yml)",
    ]


def test_validate_command_exits_0_on_the_committed_files():
    result = run_cli("validate", cwd=ROOT)
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.startswith("ok: ")
    assert f"{len(LOCALES)} locales" in result.out


def test_every_flow_ends_with_its_switch_off():
    """The guide's one goal, read from the committed flow file: each flow turns its switch off, and its
    last step is a switch step that expects it off."""
    flow = load_project(REPO.flow_file, REPO.labels_dir, ["en"]).flow
    for each in flow.flows:
        switches = [step for step in each.steps if step.action.type in ("set_toggle", "show_toggle")]
        assert switches, each.id
        assert all(step.expect.switch == "off" for step in switches), each.id
        assert all(step.action.to == "off" for step in switches if step.action.type == "set_toggle"), each.id
        assert each.steps[-1] is switches[-1], each.id
        assert all(step.action.state == "off" for step in switches if step.action.type == "show_toggle"), each.id
