"""The benchmark itself: the page states it derives from the flow, the contenders reaching the same states
(shot-scraper's pictures pixel-identical to the floor's; ours the same pictures plus the annotation and the
persona), the English-only site config, and the report's ratios and verdicts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from stepshot import imagediff, imagefile, paths
from stepshot.bench import shotscraper
from stepshot.bench.capture_bench import FLOOR, OURS, SHOT_SCRAPER, CaptureBench, contenders_for, rounds, \
    run_capture_bench
from stepshot.bench.report import BenchResult, markdown, summary_lines
from stepshot.bench.sitebuild import english_only_config, site_copy, timed_build
from stepshot.bench.states import literal_path, page_states
from stepshot.locales import LOCALES
from stepshot.model import load_project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def project():
    return load_project(paths.flow_file(ROOT), paths.labels_dir(ROOT))


def by_step(states):
    return {(s.viewport, s.step): s for s in states}


def test_states_cover_every_shot_capture_takes(project):
    states = page_states(project, list(LOCALES))
    per_locale = sum(len(flow.steps) * len(flow.viewports) for flow in project.flow.flows)
    assert len(states) == per_locale * len(LOCALES)
    assert len({s.output for s in states}) == len(states)


def test_states_replay_what_earlier_steps_did_on_the_same_page(project):
    states = by_step(page_states(project, ["de"]))
    me = project.text("de", "me_menu")
    toggle = project.text("de", "ai_toggle")
    first = states["desktop", "open-me-menu"]
    assert (first.path, first.prepare) == ("/feed/", ())
    menu_open = states["desktop", "open-settings"]
    assert menu_open.path == "/feed/"
    assert [(p.kind, p.element.role, p.element.name) for p in menu_open.prepare] == [("click", "button", me)]
    assert states["desktop", "open-data-privacy"].path == "/mypreferences/d/categories/account"
    assert states["desktop", "open-data-privacy"].prepare == ()
    # the switch is shown On before it is turned off, and Off in the step that shows it off
    before, after = states["desktop", "turn-ai-toggle-off"], states["desktop", "confirm-ai-off"]
    assert before.path == after.path == "/mypreferences/d/settings/data-for-ai-improvement"
    assert [(p.kind, p.element.name, p.on) for p in before.prepare] == [("switch", toggle, True)]
    assert [(p.kind, p.element.name, p.on) for p in after.prepare] == [("switch", toggle, False)]
    assert states["mobile", "ads-open-advertising-data"].path == "/mypreferences/d/categories/account"


@pytest.mark.parametrize("pattern, path", [
    ("^/mypreferences/d/categories/account", "/mypreferences/d/categories/account"),
    ("^/a\\-b/c\\.html$", "/a-b/c.html"),
    ("^/mypreferences/d/settings/(research|ai)", None),
    ("/feed/", None),
    ("^/feed/.*", None),
])
def test_literal_path(pattern, path):
    assert literal_path(pattern) == path


def test_shot_scraper_yaml_sets_language_replays_state_and_crops(project, tmp_path):
    states = [s for s in page_states(project, ["ja", "ar"], ["mobile"])
              if s.step in ("mobile-open-settings", "mobile-confirm-ai-off")]
    cookie = "standin_session=abc"
    configs = shotscraper.write_configs(states, "http://127.0.0.1:9", cookie, tmp_path / "out", tmp_path)
    assert list(configs) == ["mobile"]
    entries = yaml.safe_load(configs["mobile"].read_text(encoding="utf-8"))
    assert ["python" in e for e in entries] == [True, False, False, True, False, False]
    assert "'locale': 'ja'" in entries[0]["python"].replace('"', "'") and cookie in entries[0]["python"]
    shot = entries[1]
    assert shot["url"] == "http://127.0.0.1:9/feed/"
    assert shot["output"] == str(tmp_path / "out" / "ja" / "mobile" / "mobile-open-settings.png")
    assert (shot["width"], shot["height"]) == (390, 844)
    assert project.text("ja", "me_menu") in shot["javascript"] and "selectors" not in shot
    command = shotscraper.command(configs["mobile"], "mobile", tmp_path / "auth.json")
    assert command[command.index("--scale-factor") + 1] == "2"
    assert "--user-agent" in command


def test_a_target_crop_becomes_a_selector_with_padding(project, tmp_path):
    state = page_states(project, ["en"], ["desktop"])[1]
    language, entry = shotscraper.shots([replace(state, crop="target")], "http://x", "c=1", tmp_path)
    assert "python" in language
    assert entry["selectors"] == [f"[{shotscraper.HIGHLIGHT_ATTRIBUTE}]"] and entry["padding"] == 48
    assert shotscraper.HIGHLIGHT_ATTRIBUTE in entry["javascript"]


@pytest.mark.browser
def test_the_three_contenders_take_the_same_pictures(project, tmp_path, playwright_instance):
    """A small real benchmark: shot-scraper (on Debian's Chromium) and the floor reach exactly the same pixels;
    ours differs only where it draws the annotation and puts the persona."""
    steps = ["open-settings", "confirm-ai-off", "mobile-open-settings", "mobile-turn-ai-toggle-off"]
    contenders = contenders_for(project, ["en"], ["desktop", "mobile"], tmp_path, steps, playwright_instance)
    bench = run_capture_bench(contenders, 1, say=lambda line: None)
    assert bench.shots == 4 and all(len(bench.seconds[c]) == 1 for c in (OURS, SHOT_SCRAPER, FLOOR))
    assert bench.ratio(FLOOR) > 0 and bench.ratio(SHOT_SCRAPER) > 0
    for state in contenders.states:
        floor = (tmp_path / "floor" / state.output).read_bytes()
        theirs = (tmp_path / "shot-scraper" / state.output).read_bytes()
        ours = (tmp_path / "ours" / "screenshots" / state.output).read_bytes()
        same, _ = imagediff.compare(floor, theirs)
        assert not same.changed, f"{state.output}: shot-scraper reached another state ({same.share:.2%} differs)"
        assert imagefile.dimensions(ours) == imagefile.dimensions(floor)
        annotated, _ = imagediff.compare(floor, ours)
        assert annotated.changed and annotated.share < 0.05, f"{state.output}: {annotated.share:.2%} differs"


def test_english_only_config_builds_only_english_with_the_same_plugins(tmp_path):
    site = site_copy(ROOT, tmp_path / "site")
    config = yaml.safe_load(english_only_config(site).read_text(encoding="utf-8"))
    assert config["INHERIT"] == "mkdocs.yml"
    [i18n] = [p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p]
    assert [(lang["locale"], lang["build"]) for lang in i18n["languages"]] == \
        [(code, code == "en") for code in LOCALES]
    assert i18n["docs_structure"] == "folder"
    assert (site / "docs" / "en" / "index.md").is_file() and (site / "scripts").is_symlink()



def test_english_only_build_passes_the_site_checks(tmp_path):
    """The site hooks accept a build of one locale: no hreflang without a language switch, and only the
    built locale's published links are looked for in the output."""
    site = site_copy(ROOT, tmp_path / "site")
    build = timed_build(site, english_only_config(site), tmp_path / "out")
    assert build.ok, build.problem
    assert set(build.passes) == {"en"}
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'hreflang="x-default"' not in home
    assert not (tmp_path / "out" / "fr").exists()
    assert (tmp_path / "out" / "faq" / "index.html").is_file()

def test_report_ratios_and_verdicts():
    bench = CaptureBench(["en"], ["desktop"], 10, 3, {OURS: [30.0, 20.0, 25.0], SHOT_SCRAPER: [50.0, 60.0, 55.0],
                                                      FLOOR: [10.0, 12.0, 11.0]}, rounds(3))
    assert bench.ratio(SHOT_SCRAPER) == pytest.approx(25 / 55)
    assert bench.ratio(FLOOR) == pytest.approx(25 / 11)
    result = BenchResult("stepshot bench --repeat 3", "2026-01-01T00:00:00+00:00", "abc123", {"cpus (nproc)": "2"},
                         capture=bench, capture_command="stepshot capture --locale en")
    assert result.missed() == [FLOOR]
    lines = summary_lines(result)
    assert "  ours / shot-scraper: 0.45 (target <= 0.5: met)" in lines
    assert "  ours / Playwright floor: 2.27 (target <= 1.25: missed)" in lines
    text = markdown(result)
    assert "stepshot bench --repeat 3" in text and "| Playwright floor | 10.0, 12.0, 11.0 | 11.0 |" in text


def test_rounds_rotate_the_order():
    assert rounds(3) == [[OURS, SHOT_SCRAPER, FLOOR], [SHOT_SCRAPER, FLOOR, OURS], [FLOOR, OURS, SHOT_SCRAPER]]
