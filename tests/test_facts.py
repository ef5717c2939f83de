"""The facts drift alert (`stepshot facts`), end to end against a local copy of Open Terms Archive's feeds:
the same Atom format and the same addresses (github.com/OpenTermsArchive/<collection>/commits/main/<service>/
<terms type>.md.atom) under a real HTTP server on this machine. No change opens nothing; a change lists the
right document, version, diff and claims; a feed that cannot be read is a warning, never a failure."""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from conftest import ROOT, make_checkout, run_cli, serve_directory
from stepshot.facts import feed_url
from stepshot.sources import load_sources

EU = "linkedin-eu-notice"
US = "linkedin-privacy-policy"


def atom(entries: list[tuple[str, str, str]]) -> str:
    """GitHub's Atom feed of a file's commits: (updated, title, commit sha) per entry, newest first."""
    items = "".join(
        f"""  <entry>
    <id>tag:github.com,2008:Grit::Commit/{sha}</id>
    <link type="text/html" rel="alternate" href="https://github.com/OpenTermsArchive/pga-versions/commit/{sha}"/>
    <title>{escape(title)}</title>
    <updated>{updated}</updated>
    <author><name>OTA-Bot</name></author>
    <content type="html">&lt;pre&gt;{escape(title)}&lt;/pre&gt;</content>
  </entry>
""" for updated, title, sha in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xml:lang="en-US">
  <id>tag:github.com,2008:/OpenTermsArchive/pga-versions/commits/main/LinkedIn/Privacy Policy.md</id>
  <title>Recent Commits to pga-versions:main</title>
  <updated>{entries[0][0] if entries else "2026-08-22T06:00:00Z"}</updated>
{items}</feed>
"""


OLD = [("2026-08-22T04:12:09Z", "Record changes of LinkedIn Privacy Policy", "a" * 40),
       ("2025-09-18T07:00:00Z", "Record changes of LinkedIn Privacy Policy", "b" * 40)]


@pytest.fixture()
def feeds(tmp_path):
    """A folder served over HTTP where each source's feed lives at its OTA address; write(id, entries)."""
    root = tmp_path / "feeds"
    sources = load_sources(ROOT / "docs")

    def write(source_id: str, entries) -> None:
        path = feed_url(sources[source_id].ota, "http://x").removeprefix("http://x/")
        file = root / Path(*[part.replace("%20", " ") for part in path.split("/")])
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(atom(entries), encoding="utf-8")

    with serve_directory(root) as url:
        root.mkdir()
        yield url, write


def run_facts(tmp_path, url, run: str = "1"):
    checkout = make_checkout(tmp_path / f"checkout-{run}", site=True)
    out = tmp_path / f"out-{run}"
    ran = run_cli("facts", "--feeds", url, "--out", str(out), checkout=checkout,
                  env={"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7"})
    return ran, out


def test_no_newer_version_opens_nothing(tmp_path, feeds):
    url, write = feeds
    write(EU, OLD)
    write(US, OLD[1:])
    ran, out = run_facts(tmp_path, url)
    assert (ran.code, ran.err) == (0, "")
    assert ran.out.splitlines() == [f"{EU}: unchanged since 2026-08-22", f"{US}: unchanged since 2026-08-22"]
    assert json.loads((out / "facts.json").read_text()) == {"changed": [], "unchanged": [EU, US], "warnings": []}
    assert not (out / "issue-body.md").exists() and not (out / "issue-title.txt").exists()


def test_a_newer_version_lists_the_document_its_diff_and_the_claims_that_cite_it(tmp_path, feeds):
    url, write = feeds
    hostile = "Record changes of LinkedIn Privacy Policy [x](javascript:alert(1)) <img src=x> @everyone"
    write(EU, [("2026-10-05T03:00:00Z", hostile, "c" * 40), *OLD])
    write(US, OLD[1:])
    ran, out = run_facts(tmp_path, url)
    assert ran.code == 1, ran.err
    assert f"{EU}: changed: 1 newer version(s), the first recorded 2026-10-05; 14 claim(s) cite it" in ran.out
    assert f"{US}: unchanged since 2026-08-22" in ran.out
    title = (out / "issue-title.txt").read_text()
    assert title == "Facts may be stale: 1 LinkedIn document(s) changed (LinkedIn European notice)\n"
    body = (out / "issue-body.md").read_text()
    assert "- 2026-10-05: [" in body and f"](https://github.com/OpenTermsArchive/pga-versions/commit/{'c' * 40})" in body
    # The feed's text stays text: every punctuation escaped, no @mention.
    assert "[x](javascript" not in body and "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in body
    assert "<img" not in body.replace("\\<img", "") and "\\@\u2060everyone" in body
    # The claims: every block of the English pages that cites the notice, and the ones naming it in prose.
    claims = json.loads((out / "facts.json").read_text())["changed"][0]["claims"]
    assert len(claims) == 14
    assert all("{{ cite:linkedin-eu-notice }}" in c["text"] or "European" in c["text"] for c in claims)
    pages = {c["page"] for c in claims}
    assert pages == {"en/about.md", "en/data.md", "en/faq.md", "en/index.md"}  # not related.md: it cites the US notice
    assert any(c["text"].startswith("In the UK only, from 2025-11-03") for c in claims)
    row = next(c for c in claims if "2026-08-21" in c["text"] and c["text"].startswith("|"))
    assert f"`en/data.md` line {row['line']}: \\| 2026\\-08\\-21 \\| A new version of LinkedIn" in body
    assert "US notice" not in body and "Run: https://github.com/o/r/actions/runs/7" in body


def test_an_unreachable_feed_is_a_warning_and_the_others_are_still_checked(tmp_path, feeds):
    url, write = feeds
    write(EU, [("2026-11-30T03:00:00Z", "Record changes of LinkedIn Privacy Policy", "d" * 40), *OLD])
    ran, out = run_facts(tmp_path, url)  # no feed for the US policy: 404
    assert ran.code == 1
    assert ran.err.startswith(f"warning: {US}: {url}/OpenTermsArchive/vlopses-us-versions/commits/main/"
                              "LinkedIn/Privacy%20Policy.md.atom: could not be read (")
    body = (out / "issue-body.md").read_text()
    assert "Not checked this time:" in body and "2026-11-30" in body
    ran, out = run_facts(tmp_path, "http://127.0.0.1:9", run="2")  # nothing listens: every feed unreachable
    assert ran.code == 0 and ran.err.count("warning: ") == 2
    assert json.loads((out / "facts.json").read_text())["warnings"] and not (out / "issue-body.md").exists()


def test_a_feed_that_is_not_atom_or_declares_entities_is_a_warning(tmp_path, feeds):
    url, write = feeds
    write(EU, OLD)
    write(US, OLD)
    us = next((tmp_path / "feeds" / "OpenTermsArchive" / "vlopses-us-versions").rglob("*.atom"))
    us.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><feed xmlns="http://www.w3.org/2005/Atom">'
                  "&a;</feed>", encoding="utf-8")
    ran, _ = run_facts(tmp_path, url)
    assert ran.code == 0
    assert ran.err.strip() == (f"warning: {US}: {url}/OpenTermsArchive/vlopses-us-versions/commits/main/LinkedIn/"
                               "Privacy%20Policy.md.atom: could not be read (a feed with a DOCTYPE is refused "
                               "(entity expansion))")


def test_a_diff_address_that_is_not_an_ota_commit_stays_text():
    import datetime as dt

    from stepshot.facts import Version, diff_link

    when = dt.datetime(2026, 10, 5, tzinfo=dt.timezone.utc)
    good = Version(when, "Record changes", "https://github.com/OpenTermsArchive/pga-versions/commit/" + "c" * 40)
    assert diff_link(good) == f"[Record changes]({good.diff})"
    assert diff_link(Version(when, "x", "javascript:alert(1)")) == "x (`javascript:alert(1)`)"
    assert diff_link(Version(when, "", "https://evil.example/a) [b](c")) == "diff (`https://evil.example/a) [b](c`)"
