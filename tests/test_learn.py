"""`stepshot learn`: the labels of every locale read off the stand-in by language-neutral anchors alone
reproduce the committed label files; a renamed label is proposed with its new text; the proposal keeps the
committed file as it is but for what was read; a locale without a label file gets a new one."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import REPO, make_checkout, run_cli
from stepshot.learn import Learned, Sighting, settle
from stepshot.learned_labels import substituted
from stepshot.locales import LOCALES
from stepshot.reader import load_project
from stepshot.standin.variants import CHANGED_KEY, labels_shown

STATE_KEYS = ("switch_on", "switch_off")


@pytest.fixture(scope="module")
def learned_all(tmp_path_factory):
    """One learn of every locale, both viewports, on the stand-in with its late cookie banner (so that
    the consent buttons are read too)."""
    checkout = make_checkout(tmp_path_factory.mktemp("learn") / "checkout")
    ran = run_cli("learn", "--target", "stand-in:cookie-banner", *[a for code in LOCALES for a in ("--locale", code)],
                  checkout=checkout)
    return checkout, ran


def test_learn_reproduces_every_committed_label_file(learned_all):
    checkout, ran = learned_all
    assert ran.code == 0, ran.err
    committed = load_project(REPO.flow_file, REPO.labels_dir)
    for code in LOCALES:
        proposal = yaml.safe_load((checkout.reports / "learn" / f"{code}.yml").read_text(encoding="utf-8"))
        texts = {key: label["text"] for key, label in proposal["labels"].items()}
        assert texts == {key: label.text for key, label in committed.labels[code].labels.items()}, code
        seen = {key: label.get("seen") for key, label in proposal["labels"].items()}
        assert all(seen.values()), f"{code}: every label carries where it was seen"
        assert seen["ai_setting"]["how"] == "anchor" and seen["ai_question"]["how"] == "structure"
        assert seen["ai_setting"]["date"] == checkout.today() and seen["ai_setting"]["target"] == "stand-in:cookie-banner"
        assert f"learn {code} from stand-in:cookie-banner: 15 same" in ran.out


def test_learn_proposal_is_a_valid_label_file_and_changes_no_committed_one(learned_all, tmp_path):
    checkout, _ = learned_all
    labels = tmp_path / "labels"
    labels.mkdir()
    for code in LOCALES:
        (labels / f"{code}.yml").write_bytes((checkout.reports / "learn" / f"{code}.yml").read_bytes())
        assert (checkout.labels_dir / f"{code}.yml").read_bytes() == (REPO.labels_dir / f"{code}.yml").read_bytes()
    load_project(REPO.flow_file, labels)  # raises on any problem
    report = (checkout.reports / "learn" / "de.md").read_text(encoding="utf-8")
    assert "| `ai_toggle` |" in report and "**same**" in report and "**changed**" not in report


def test_learn_reads_the_state_words_of_a_switch_drawn_anew_after_each_save(tmp_path):
    checkout = make_checkout(tmp_path / "checkout")
    ran = run_cli("learn", "--target", "stand-in:switch-redrawn", "--locale", "de", "--viewport", "desktop",
                  checkout=checkout)
    assert ran.code == 0, ran.err
    proposal = yaml.safe_load((checkout.reports / "learn" / "de.yml").read_text(encoding="utf-8"))
    project = load_project(REPO.flow_file, REPO.labels_dir)
    assert {key: proposal["labels"][key]["text"] for key in STATE_KEYS} == \
        {key: project.text("de", key) for key in STATE_KEYS}


def test_learn_on_a_renamed_label_proposes_the_new_text(tmp_path):
    checkout = make_checkout(tmp_path / "checkout")
    ran = run_cli("learn", "--target", "stand-in:label-renamed", "--locale", "ar", "--viewport", "desktop",
                  checkout=checkout)
    assert ran.code == 0, ran.err
    project = load_project(REPO.flow_file, REPO.labels_dir)
    old, new = project.text("ar", CHANGED_KEY), labels_shown(project, "label-renamed")["ar"][CHANGED_KEY]
    assert old != new
    assert f"CHANGED {CHANGED_KEY}: {old!r} -> {new!r} (anchor: the link to " in ran.out
    diff = (checkout.reports / "learn" / "ar.diff").read_text(encoding="utf-8")
    assert f'+    text: "{new}"' in diff and f"-    text: {old}" in diff
    proposal = yaml.safe_load((checkout.reports / "learn" / "ar.yml").read_text(encoding="utf-8"))
    assert proposal["labels"][CHANGED_KEY]["text"] == new
    assert proposal["labels"]["me_menu"]["text"] == project.text("ar", "me_menu")


def test_learn_on_linkedin_records_what_it_read_in_verified_json(sandbox):
    from stepshot.learn import run_learn

    before = {"images": {"fr/desktop/open-me-menu.png": {"date": "2026-01-02", "source": "live"}},
              "labels": {"fr": {"me_menu": {"text": "Vous", "date": "2026-01-02", "base_url": "x"}}}}
    sandbox.verified_file.write_text(json.dumps(before), encoding="utf-8")
    project = sandbox.project()
    (result,) = run_learn(sandbox, "stand-in:label-renamed", project, ["ar"], ["desktop"], record_as_live=True)
    assert result.verified
    data = json.loads(sandbox.verified_file.read_text(encoding="utf-8"))
    assert data["images"] == before["images"] and data["labels"]["fr"] == before["labels"]["fr"]
    found = data["labels"]["ar"]
    renamed = labels_shown(project, "label-renamed")["ar"][CHANGED_KEY]
    assert found[CHANGED_KEY]["text"] == renamed != project.text("ar", CHANGED_KEY)  # what the page says
    assert found["data_privacy"] == {"text": project.text("ar", "data_privacy"), "date": sandbox.today(),
                                     "base_url": found["data_privacy"]["base_url"]}
    assert found["data_privacy"]["base_url"].startswith("http://127.0.0.1:")


def test_learn_names_an_unknown_locale():
    ran = run_cli("learn", "--locale", "xx")
    assert ran.code == 2
    assert ran.err.strip().splitlines() == ["--locale: xx: unknown locale (known: " + ", ".join(LOCALES)
                                            + "; add one with stepshot new-locale)"]


# ---------- settling what was read, and the proposal's text, without a browser ----------

def sighting(key: str, raw: str, how: str = "anchor") -> Sighting:
    return Sighting(key, raw, how, "the link to /x", "desktop desktop/step at /x")


def test_settle_strips_the_member_name_and_the_learned_state_words():
    unit = Learned([sighting("me_menu", "Ada Example Me"), sighting("ai_setting", "Data for AI On"),
                    sighting("switch_on", "On", "structure"), sighting("switch_off", "Off", "structure")],
                   [("On", "Off")])
    proposal = settle([unit], ("Ada Example",))
    assert proposal.texts == {"me_menu": "Me", "ai_setting": "Data for AI", "switch_on": "On", "switch_off": "Off"}
    assert proposal.conflicts == {}


def test_settle_reports_a_label_read_two_ways_and_keeps_the_commoner():
    units = [Learned([sighting("research", "Research")]), Learned([sighting("research", "Research")]),
             Learned([sighting("research", "Studies")])]
    proposal = settle(units, ())
    assert proposal.texts["research"] == "Research"
    assert proposal.conflicts == {"research": ["Research", "Studies"]}


def test_substituted_changes_only_what_was_read_and_keeps_comments_and_anchors():
    committed = ('# a comment\nlocale: xx\nlabels:\n  me_menu:\n    text: Me\n    status: sourced\n'
                 '    source: &s\n      name: "A"\n      date: "2025-01-01"\n'
                 '    seen: {target: "old", where: "w", how: "anchor", anchor: "a", date: "2025-01-01"}\n'
                 '  research:\n    text: Old "quoted"\n    status: sourced\n    source: *s\n'
                 'callouts:\n  select: Select this\n')
    proposal = settle([Learned([sighting("me_menu", "Me"), sighting("research", 'New: "quoted"')])], ())
    text = substituted(committed, {"me_menu": "Me", "research": 'Old "quoted"'}, proposal, "stand-in", "2026-12-03")
    data = yaml.safe_load(text)
    assert text.startswith("# a comment\n") and "    text: Me\n" in text and "source: *s" in text
    assert data["labels"]["research"]["text"] == 'New: "quoted"'
    assert data["labels"]["me_menu"]["seen"]["target"] == "stand-in"  # the earlier record replaced, not doubled
    assert text.count("seen:") == 2 and data["callouts"] == {"select": "Select this"}
