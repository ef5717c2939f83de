"""The titles and bodies `stepshot refresh` writes for the pull request (changed) or the issue (broken,
blocked). Plain text in, Markdown out; the nightly workflow passes the files to `gh` unchanged.

Nothing here ever holds the saved login: bodies are made of step results, file paths and report text.
"""

from __future__ import annotations

import re

from .login import RECOMMENDED as AUTH_FILE
from .report_text import code, table_cell

# GitHub refuses bodies over 65,536 characters; the full report is cut first, with a pointer to the run.
MAX_BODY = 60_000
MAINTAINING = "MAINTAINING.md"
SECRET = "LINKEDIN_STORAGE_STATE"
ENVIRONMENT = "linkedin-test-account"

BLOCKED_WHY = {
    "login-required": "LinkedIn asked the test account to sign in again: the saved login has expired or was "
                      "signed out.",
    "checkpoint": "LinkedIn showed a security checkpoint (a verification page) instead of the settings pages. "
                  "Only a person can pass it, in a real browser.",
}


def where_artifacts(run_url: str | None) -> str:
    """Where a maintainer finds the pictures: the GitHub Actions run this is part of, else the checkout."""
    if run_url:
        return f"the artifacts of [this run]({run_url})"
    return "the folder `build/stepshot/` of the checkout"


def without_queries(text: str) -> str:
    """URLs without query or fragment: a checkpoint URL's parameters are the account's business."""
    return re.sub(r"(https?://[^\s?#)]+)[?#][^\s)]*", r"\1", text)


def cell(text: object) -> str:
    """Page text (problems, details) in a table cell or a quote: escaped, URL queries dropped."""
    return table_cell(without_queries(str(text or "")))


def locales_of(outcome, paths: list[str]) -> str:
    """The run's locales that screenshots/<locale>/<viewport>/<step>.png paths belong to, in the run's order."""
    found = {p.split("/")[1] for p in paths}
    return ", ".join(code for code in outcome.locales if code in found)


def count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def full_reports(reports: dict[str, str], room: int, where: str) -> str:
    if not reports:
        return ""
    text = "\n\n".join(reports.values()).strip()
    if len(text) > room:
        text = text[:max(room, 0)].rsplit("\n", 1)[0] + f"\n\n… (cut: the full report is in {where})"
    return f"\n<details><summary>Full capture report</summary>\n\n{text}\n\n</details>\n"


def with_reports(head: str, reports: dict[str, str], where: str) -> str:
    return head + full_reports(reports, MAX_BODY - len(head) - 200, where)


# ---------- changed: the pull request ----------

def pr_title(outcome) -> str:
    images = [f["path"] for f in outcome.files if f["path"].endswith(".png")]
    return f"Screenshots: {count(len(images), 'image')} changed on {outcome.target} ({locales_of(outcome, images)})"


def pr_body(outcome, reports: dict[str, str], where: str) -> str:
    statuses = {i.get("key"): i for i in outcome.images}
    lines = [
        f"The nightly run against {outcome.target} took screenshots that differ from the ones in the guide. "
        f"This pull request (branch `{outcome.branch}`, on top of {outcome.base[:12]}) holds the new ones.",
        "",
        "| file | change |",
        "|---|---|",
    ]
    for entry in outcome.files:
        key = entry["path"].removeprefix("screenshots/")
        note = statuses.get(key, {}).get("note") or entry["status"]
        lines.append(f"| {code(entry['path'])} | {note} |")  # the note is ours: numbers and a status
    lines += [
        "",
        "**Review**: compare old and new in *Files changed* (GitHub shows images side by side), and the "
        f"before, after and diff images in {where}.",
        "- If LinkedIn's interface really looks like this now: check that the guide's text still describes "
        "it, then merge. The site is rebuilt and published from main.",
        "- If the difference is noise (a banner, a badge, a notification): close this pull request.",
        "",
        f"Every nightly run updates this pull request in place until it is merged or closed ({MAINTAINING}).",
        "",
    ]
    return with_reports("\n".join(lines), reports, where)


# ---------- broken: the issue ----------

def no_longer_match(n: int) -> str:
    return f"{count(n, 'step')} no longer {'matches' if n == 1 else 'match'}"


def issue_title_broken(outcome) -> str:
    broken = {b["locale"] for b in outcome.broken}
    locales = ", ".join(code for code in outcome.locales if code in broken)
    return f"Nightly screenshots broken: {no_longer_match(len(outcome.broken))} {outcome.target} ({locales})"


def suggestion_cell(step: dict) -> str:
    found = [f"{code(s['text'])} ({s['score']:.2f})" for s in step.get("suggestions", [])[:3]]
    shown = ", ".join(found) if found else "nothing similar"
    return f"**{step['drift']}**: {shown}" if step.get("drift") else shown


def issue_body_broken(outcome, reports: dict[str, str], where: str) -> str:
    lines = [
        f"The nightly run against {outcome.target} could not follow the guide: "
        f"{no_longer_match(len(outcome.broken))} what the page shows. "
        "The screenshots were kept as they are; nothing was committed.",
        "",
        "| locale | viewport | step | problem | label the guide quotes | the page shows instead |",
        "|---|---|---|---|---|---|",
    ]
    for b in outcome.broken:
        quoted = f"{code(b['label_key'])}: {code(b['expected_label'])}" if b.get("label_key") else ""
        lines.append(f"| {cell(b['locale'])} | {cell(b['viewport'])} | {code(b['step'])} | {cell(b['problem'])} | "
                     f"{quoted} | {suggestion_cell(b)} |")
    renamed = [b for b in outcome.broken if b.get("label_key") and b.get("suggestions")]
    lines += ["", "**What to do**", ""]
    lines.append(f"1. Look at the pages where the steps broke: pictures are in {where}.")
    if renamed:
        lines.append("2. If LinkedIn renamed a label, put its new wording into the label file "
                     "(and its source), for example:")
        for b in renamed:
            file, field = f"screenshots/labels/{b['locale']}.yml", f"labels.{b['label_key']}.text"
            lines.append(f"   - {code(file, table=False)}, {code(field, table=False)}: "
                         f"{code(b['expected_label'], table=False)} → "
                         f"{code(b['suggestions'][0]['text'], table=False)}?")
    else:
        lines.append("2. If LinkedIn renamed a label, put its new wording into "
                     "`screenshots/labels/<locale>.yml` (and its source).")
    lines += [
        "3. If the setting moved to another page, change the steps in `screenshots/flow.yml`.",
        "4. Merge the fix, then run the nightly again (Actions → Nightly screenshots → Run workflow). "
        "This issue is closed by the first run that passes.",
        "",
    ]
    return with_reports("\n".join(lines), reports, where)


# ---------- blocked: the issue ----------

def issue_title_blocked(outcome) -> str:
    reason = (outcome.blocked or {}).get("reason", "")
    if reason in BLOCKED_WHY:
        return f"Nightly screenshots blocked: renew the test account's saved login ({reason})"
    return f"Nightly screenshots blocked: {outcome.target} could not be used ({reason or 'unknown reason'})"


def issue_body_blocked(outcome, reports: dict[str, str], where: str) -> str:
    blocked = outcome.blocked or {}
    reason = blocked.get("reason", "")
    lines = [
        f"The nightly run could not use {outcome.target} (reason: {code(reason, table=False)}), so it could not check the "
        "guide; nothing was committed. This says nothing about LinkedIn's settings pages themselves.",
        "",
        f"> {cell(blocked.get('detail'))}",
        "",
    ]
    if reason in BLOCKED_WHY:
        lines += [
            BLOCKED_WHY[reason],
            "",
            "**Renew the saved login** (a person, on a computer with a screen):",
            "",
            f"1. `stepshot login --auth {AUTH_FILE}` opens a browser: sign in as the test account and "
            "pass every verification LinkedIn asks for.",
            f"2. `gh secret set {SECRET} --env {ENVIRONMENT} < {AUTH_FILE}`, then delete the file.",
            "3. Run the nightly again (Actions → Nightly screenshots → Run workflow). "
            "This issue is closed by the first run that passes.",
            "",
            "Never pass a checkpoint with a script: if checkpoints come back night after night, run the "
            f"nightly less often ({MAINTAINING}).",
            "",
        ]
    else:
        lines += [
            "This is often temporary (the site unreachable from the runner, or answering with errors). "
            "If the next night fails the same way, open the target in a browser to see why.",
            "",
        ]
    return with_reports("\n".join(lines), reports, where)


def render(outcome, reports: dict[str, str], run_url: str | None = None) -> dict[str, str]:
    """{file name: text} for the outcome: a pull-request title and body, an issue title and body, or nothing."""
    where = where_artifacts(run_url)
    if outcome.outcome == "changed":
        return {"pr-title.txt": pr_title(outcome) + "\n", "pr-body.md": pr_body(outcome, reports, where)}
    if outcome.outcome == "broken":
        return {"issue-title.txt": issue_title_broken(outcome) + "\n",
                "issue-body.md": issue_body_broken(outcome, reports, where)}
    if outcome.outcome == "blocked":
        return {"issue-title.txt": issue_title_blocked(outcome) + "\n",
                "issue-body.md": issue_body_blocked(outcome, reports, where)}
    return {}
