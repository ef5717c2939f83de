"""`stepshot refresh` end to end: a temporary git repository holding the project's flow and label files
and a first capture, refreshed against the stand-in and its variants through the real command (real
Chromium, real stand-in server, real git). Each outcome is checked by exit code, files, commits and text.

Runs are limited to en and ar on the desktop viewport to keep the module around three minutes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from stepshot.capture import CaptureReport, ImageResult
from stepshot.login import RECOMMENDED as AUTH_FILE
from stepshot.reader import load_project
from stepshot.refresh import DEFAULT_BRANCH, changed_images, merge_json
from stepshot.standin.variants import CHANGED_KEY as RENAMED_KEY, labels_shown

LOCALES = ("en", "ar")
TODAY = "2026-11-29"  # fixed: the manifest and verified.json carry the day of the run
OUT = Path("build", "stepshot", "refresh")

pytestmark = pytest.mark.browser


def environment() -> dict:
    """The test's environment: a fixed day, and none of GitHub Actions' variables (they add a run link)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_") and k != "STEPSHOT_ROOT"}
    return {**env, "STEPSHOT_TODAY": TODAY, "NO_COLOR": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def stepshot(*args: str, cwd: Path, env: dict | None = None) -> Result:
    """The command in this process (its environment only what the test gives it)."""
    environ = env or environment()
    ran = run_cli(*args, cwd=cwd, env={k: v for k, v in environ.items() if k.startswith(("STEPSHOT_", "GITHUB_"))})
    return Result(ran.code, ran.out, ran.err)


def refresh(repo: Path, *args: str, locales=LOCALES) -> subprocess.CompletedProcess:
    """Run from outside the checkout, so --repo is what points refresh at it."""
    options = [item for code in locales for item in ("--locale", code)]
    return stepshot("refresh", "--repo", str(repo), *options, "--viewport", "desktop", *args, cwd=repo.parent)


def outcome_of(repo: Path) -> dict:
    return json.loads((repo / OUT / "outcome.json").read_text(encoding="utf-8"))


def images(repo: Path) -> dict[str, str]:
    """sha256 of every screenshot file, by path."""
    return {p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((repo / "screenshots").rglob("*.png"))}


def show(repo: Path, path: str, ref: str = DEFAULT_BRANCH) -> bytes:
    return subprocess.run(["git", "show", f"{ref}:{path}"], cwd=repo, capture_output=True, check=True).stdout


def has_branch(repo: Path, branch: str = DEFAULT_BRANCH) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=repo,
                          capture_output=True).returncode == 0


def assert_untouched(repo: Path, head: str, before: dict[str, str]) -> None:
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "symbolic-ref", "--short", "HEAD") == "main"
    assert git(repo, "status", "--porcelain", "--untracked-files=all", "--", "screenshots") == ""
    assert images(repo) == before


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Path:
    """A checkout with the project's flow, labels and persona, and a first capture committed on main."""
    repo = tmp_path_factory.mktemp("seed") / "repo"
    (repo / "screenshots").mkdir(parents=True)
    for item in (ROOT / "screenshots").iterdir():
        if item.suffix == ".yml":
            shutil.copy2(item, repo / "screenshots" / item.name)
    shutil.copytree(ROOT / "screenshots" / "labels", repo / "screenshots" / "labels")
    (repo / ".gitignore").write_text("build/\n", encoding="utf-8")
    git(repo, "init", "--quiet", "--initial-branch", "main")
    git(repo, "config", "user.name", "Test Maintainer")
    git(repo, "config", "user.email", "maintainer@example.org")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "flow and labels")
    options = [item for code in LOCALES for item in ("--locale", code)]
    env = {**environment(), "STEPSHOT_ROOT": str(repo)}
    first = stepshot("capture", *options, "--viewport", "desktop", cwd=repo, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--message", "first capture")
    return repo


def copy_checkout(seed: Path, dest: Path) -> None:
    """The seed checkout (git history included) without its run outputs."""
    shutil.copytree(seed, dest, ignore=lambda d, names: ["build"] if Path(d) == seed else [])


@pytest.fixture
def repo(seed, tmp_path) -> Path:
    """A fresh copy of the seed checkout (its .git included), without the seed's build/ folder."""
    copy = tmp_path / "repo"
    copy_checkout(seed, copy)
    return copy


def shard(seed: Path, folder: Path, *args: str, locales) -> tuple[Path, subprocess.CompletedProcess]:
    copy = folder / "repo"
    copy_checkout(seed, copy)
    return copy, refresh(copy, *args, locales=locales)


@pytest.fixture(scope="module")
def restyled(seed, tmp_path_factory) -> Path:
    """A refresh of en against the restyled stand-in, in a checkout where an older refresh branch exists and
    a maintainer has uncommitted work outside screenshots/. It is also the en shard of the merge tests."""
    copy = tmp_path_factory.mktemp("restyled") / "repo"
    copy_checkout(seed, copy)
    git(copy, "switch", "--quiet", "--create", DEFAULT_BRANCH)
    (copy / "old.txt").write_text("an older refresh\n", encoding="utf-8")
    git(copy, "add", "old.txt")
    git(copy, "commit", "--quiet", "--message", "old refresh")
    git(copy, "switch", "--quiet", "main")
    (copy / "notes.txt").write_text("work in progress\n", encoding="utf-8")
    (copy / "staged.txt").write_text("staged\n", encoding="utf-8")
    git(copy, "add", "staged.txt")
    result = refresh(copy, "--target", "stand-in:restyled", locales=["en"])
    assert result.returncode == 0, result.stdout + result.stderr
    return copy


@pytest.fixture(scope="module")
def restyled_ar(seed, tmp_path_factory) -> Path:
    """The ar shard: a refresh of ar against the restyled stand-in."""
    copy, result = shard(seed, tmp_path_factory.mktemp("restyled-ar"), "--target", "stand-in:restyled",
                         locales=["ar"])
    assert result.returncode == 0, result.stdout + result.stderr
    return copy


# ---------- unchanged ----------

def test_a_second_run_is_unchanged_and_commits_nothing(repo):
    # A record the run rewrites without a new picture (the text size it measures): no change to publish.
    manifest_file = repo / "screenshots" / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    first = sorted(manifest["images"])[0]
    manifest["images"][first]["text_px"] += 1
    manifest_file.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    git(repo, "commit", "--quiet", "--all", "--message", "a text size measured elsewhere")
    head, before = git(repo, "rev-parse", "HEAD"), images(repo)
    result = refresh(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "refresh: unchanged: nothing to commit"
    outcome = outcome_of(repo)
    assert (outcome["outcome"], outcome["exit_code"], outcome["commit"], outcome["files"]) == \
        ("unchanged", 0, None, [])
    assert outcome["base"] == head and outcome["locales"] == list(LOCALES)
    assert sorted(p.name for p in (repo / OUT).iterdir()) == ["outcome.json", "reports"]
    assert not has_branch(repo)
    assert_untouched(repo, head, before)


# ---------- changed ----------

def test_restyled_pages_give_changed_with_a_commit_on_the_fixed_branch(restyled, seed):
    repo = restyled
    head = git(repo, "rev-parse", "main")
    outcome = outcome_of(repo)
    assert (outcome["outcome"], outcome["exit_code"]) == ("changed", 0)
    # The branch holds exactly one new commit on top of main; main and the work tree are as before.
    assert has_branch(repo)
    commit = git(repo, "rev-parse", DEFAULT_BRANCH)
    assert outcome["commit"] == commit
    assert git(repo, "rev-parse", f"{DEFAULT_BRANCH}^") == head == git(seed, "rev-parse", "HEAD")
    assert_untouched(repo, head, images(seed))
    changed = git(repo, "diff", "--name-only", "main", DEFAULT_BRANCH).splitlines()
    assert changed == [f["path"] for f in outcome["files"]]
    pngs = [p for p in changed if p.endswith(".png")]
    assert pngs and {p.split("/")[1] for p in pngs} == {"en"}
    assert "screenshots/manifest.json" in changed
    assert all(p.startswith("screenshots/") for p in changed)
    # The committed manifest describes the committed images.
    manifest = json.loads(git(repo, "show", f"{DEFAULT_BRANCH}:screenshots/manifest.json"))
    for path in pngs:
        blob = show(repo, path)
        entry = manifest["images"][path.removeprefix("screenshots/")]
        assert entry["sha256"] == hashlib.sha256(blob).hexdigest()
        assert entry["changed"] == TODAY
        assert (repo / OUT / "files" / path).read_bytes() == blob
    # Pull-request title and body, from the capture's Markdown report.
    title = (repo / OUT / "pr-title.txt").read_text(encoding="utf-8")
    assert title == f"Screenshots: {len(pngs)} images changed on stand-in:restyled (en)\n"
    body = (repo / OUT / "pr-body.md").read_text(encoding="utf-8")
    assert f"(branch `{DEFAULT_BRANCH}`, on top of {head[:12]})" in body
    for path in pngs:
        assert f"| `{path}` | changed: " in body
    assert "<details><summary>Full capture report</summary>" in body
    assert "# Screenshot capture: `stand-in:restyled`" in body
    assert "the folder `build/stepshot/` of the checkout" in body
    assert not (repo / OUT / "issue-title.txt").exists()
    assert git(repo, "log", "-1", "--format=%s", DEFAULT_BRANCH) == \
        f"Screenshots: {len(pngs)} changed on stand-in:restyled"


def test_changed_replaces_an_older_refresh_branch_and_leaves_other_work_alone(restyled):
    repo = restyled
    tree = git(repo, "ls-tree", "-r", "--name-only", DEFAULT_BRANCH).splitlines()
    assert "old.txt" not in tree and "staged.txt" not in tree and "notes.txt" not in tree
    assert git(repo, "log", "--format=%s", f"main..{DEFAULT_BRANCH}").splitlines() == \
        [f"Screenshots: {len(outcome_of(repo)['images'])} changed on stand-in:restyled"]
    assert git(repo, "status", "--porcelain") == "A  staged.txt\n?? notes.txt"


# ---------- broken ----------

def test_a_renamed_label_gives_broken_with_the_step_and_the_suggestion(repo):
    head, before = git(repo, "rev-parse", "HEAD"), images(repo)
    manifest = (repo / "screenshots" / "manifest.json").read_bytes()
    result = refresh(repo, "--target", "stand-in:label-renamed", locales=["en"])
    assert result.returncode == 1, result.stdout + result.stderr
    outcome = outcome_of(repo)
    assert (outcome["outcome"], outcome["exit_code"], outcome["commit"]) == ("broken", 1, None)
    project = load_project(repo / "screenshots" / "flow.yml", repo / "screenshots" / "labels", ["en"])
    expected = project.text("en", RENAMED_KEY)
    renamed = labels_shown(project, "label-renamed")["en"][RENAMED_KEY]
    (step,) = outcome["broken"]
    assert (step["locale"], step["viewport"], step["step"], step["label_key"], step["expected_label"]) == \
        ("en", "desktop", "open-ai-setting", RENAMED_KEY, expected)
    assert step["suggestions"][0]["text"] == renamed

    title = (repo / OUT / "issue-title.txt").read_text(encoding="utf-8")
    assert title == "Nightly screenshots broken: 1 step no longer matches stand-in:label-renamed (en)\n"
    body = (repo / OUT / "issue-body.md").read_text(encoding="utf-8")
    assert "| en | desktop | `open-ai-setting` |" in body
    assert f"`{RENAMED_KEY}`: `{expected}`" in body
    assert f"`screenshots/labels/en.yml`, `labels.{RENAMED_KEY}.text`: `{expected}` → `{renamed}`?" in body
    assert "The screenshots were kept as they are; nothing was committed." in body
    assert "renew" not in body.lower()
    assert not (repo / OUT / "pr-title.txt").exists()
    # The previous images are kept, and the manifest's stale marks are not left behind.
    assert not has_branch(repo)
    assert_untouched(repo, head, before)
    assert (repo / "screenshots" / "manifest.json").read_bytes() == manifest


# ---------- blocked ----------

@pytest.mark.parametrize("variant, reason", [("checkpoint", "checkpoint"), ("logged-out", "login-required")])
def test_an_unusable_target_gives_blocked_with_renew_the_login(repo, variant, reason):
    head, before = git(repo, "rev-parse", "HEAD"), images(repo)
    result = refresh(repo, "--target", f"stand-in:{variant}", locales=["en"])
    assert result.returncode == 3, result.stdout + result.stderr
    outcome = outcome_of(repo)
    assert (outcome["outcome"], outcome["exit_code"], outcome["commit"]) == ("blocked", 3, None)
    assert outcome["blocked"]["reason"] == reason
    title = (repo / OUT / "issue-title.txt").read_text(encoding="utf-8")
    assert title == f"Nightly screenshots blocked: renew the test account's saved login ({reason})\n"
    body = (repo / OUT / "issue-body.md").read_text(encoding="utf-8")
    assert "**Renew the saved login**" in body
    assert f"`stepshot login --auth {AUTH_FILE}`" in body
    assert f"`gh secret set LINKEDIN_STORAGE_STATE --env linkedin-test-account < {AUTH_FILE}`" in body
    assert f"(reason: `{reason}`)" in body
    assert "no longer match" not in body
    assert result.stdout.splitlines()[-1] == \
        f"refresh: blocked ({reason}): issue title and body written"
    assert not has_branch(repo)
    assert_untouched(repo, head, before)


def test_the_saved_login_never_reaches_the_output(repo, tmp_path, monkeypatch):
    """A live target that cannot be reached: blocked, and the cookie's value is in no output at all."""
    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    secret = "li_at-VALUE-THAT-MUST-NOT-LEAK"
    auth = tmp_path / "test.auth.json"
    auth.write_text(json.dumps({"cookies": [{"name": "li_at", "value": secret, "domain": "127.0.0.1", "path": "/",
                                             "expires": -1, "httpOnly": True, "secure": False, "sameSite": "Lax"}],
                                "origins": []}), encoding="utf-8")
    auth.chmod(0o600)
    account = tmp_path / "account.json"  # whom capture must hide on live screenshots
    account.write_text(json.dumps({"name": "Test Account", "headline": "Tester", "email": "test@example.org"}),
                       encoding="utf-8")
    env = {**environment(), "STEPSHOT_ACCOUNT": str(account)}
    options = ["--locale", "en", "--viewport", "desktop"]
    result = stepshot("refresh", "--repo", str(repo), *options, "--target", f"http://127.0.0.1:{port}", "--auth",
                      str(auth), cwd=repo.parent, env=env)
    assert result.returncode == 3, result.stdout + result.stderr
    outcome = outcome_of(repo)
    assert outcome["outcome"] == "blocked" and outcome["blocked"]["reason"] == "unreachable"
    title = (repo / OUT / "issue-title.txt").read_text(encoding="utf-8")
    assert title == f"Nightly screenshots blocked: http://127.0.0.1:{port} could not be used (unreachable)\n"
    written = [p for p in (repo / "build").rglob("*") if p.is_file() and p.suffix != ".zip"]
    assert written
    for text in [result.stdout, result.stderr, *(p.read_bytes().decode("utf-8", "replace") for p in written)]:
        assert secret not in text


# ---------- shards ----------


def test_shards_merge_into_one_commit(seed, restyled, restyled_ar, tmp_path):
    merged = tmp_path / "merged"
    copy_checkout(seed, merged)
    result = stepshot("refresh", "--merge", str(restyled / OUT), str(restyled_ar / OUT), "--repo", str(merged),
                      cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    outcome = outcome_of(merged)
    assert outcome["outcome"] == "changed" and outcome["locales"] == ["en", "ar"]
    assert git(merged, "rev-parse", f"{DEFAULT_BRANCH}^") == git(seed, "rev-parse", "HEAD")
    assert_untouched(merged, git(seed, "rev-parse", "HEAD"), images(seed))
    # The commit holds every file either shard changed, byte for byte from that shard's own commit, and a
    # manifest whose entries are the shards' own.
    changed = git(merged, "diff", "--name-only", "main", DEFAULT_BRANCH).splitlines()
    manifest = json.loads(show(merged, "screenshots/manifest.json"))
    expected = set()
    for code, source in (("en", restyled), ("ar", restyled_ar)):
        own = json.loads(show(source, "screenshots/manifest.json"))
        pngs = [p for p in git(source, "diff", "--name-only", "main", DEFAULT_BRANCH).splitlines()
                if p.endswith(".png")]
        assert pngs and all(p.startswith(f"screenshots/{code}/") for p in pngs)
        expected.update(pngs)
        for path in pngs:
            assert show(merged, path) == show(source, path), path
            key = path.removeprefix("screenshots/")
            assert manifest["images"][key] == own["images"][key]
    assert sorted(p for p in changed if p.endswith(".png")) == sorted(expected)
    assert "screenshots/manifest.json" in changed
    assert sorted(manifest["images"]) == sorted(json.loads(show(seed, "screenshots/manifest.json", "HEAD"))["images"])
    title = (merged / OUT / "pr-title.txt").read_text(encoding="utf-8")
    assert title == f"Screenshots: {len(expected)} images changed on stand-in:restyled (en, ar)\n"
    body = (merged / OUT / "pr-body.md").read_text(encoding="utf-8")
    assert body.count("# Screenshot capture: `stand-in:restyled`") == 2


def test_merge_reports_the_worst_outcome(seed, restyled, tmp_path):
    blocked, result = shard(seed, tmp_path / "blocked", "--target", "stand-in:checkpoint", locales=["ar"])
    assert result.returncode == 3, result.stdout + result.stderr
    merged = tmp_path / "merged"
    copy_checkout(seed, merged)
    result = stepshot("refresh", "--merge", str(restyled / OUT), str(blocked / OUT), "--repo", str(merged),
                      cwd=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    outcome = outcome_of(merged)
    assert (outcome["outcome"], outcome["commit"], outcome["blocked"]["reason"]) == ("blocked", None, "checkpoint")
    assert (merged / OUT / "issue-title.txt").read_text(encoding="utf-8") == \
        "Nightly screenshots blocked: renew the test account's saved login (checkpoint)\n"
    assert not has_branch(merged)


def test_merge_refuses_a_shard_from_another_commit(seed, restyled, tmp_path):
    other = tmp_path / "other"
    copy_checkout(seed, other)
    (other / "README.md").write_text("a later commit\n", encoding="utf-8")
    git(other, "add", "README.md")
    git(other, "commit", "--quiet", "--message", "later")
    result = stepshot("refresh", "--merge", str(restyled / OUT), "--repo", str(other), cwd=tmp_path)
    assert result.returncode == 2
    base = git(seed, "rev-parse", "HEAD")[:12]
    assert result.stderr.strip() == (f"{restyled / OUT / 'outcome.json'}: base: the shard ran on commit {base}, "
                                     f"this checkout is at {git(other, 'rev-parse', 'HEAD')[:12]}")


# ---------- refusals (no browser started) ----------

def test_refusals_are_one_line_with_exit_2(repo, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    result = stepshot("refresh", "--repo", str(plain), cwd=tmp_path)
    assert (result.returncode, result.stderr) == (2, f"--repo: {plain}: not a git checkout\n")

    result = stepshot("refresh", "--repo", str(repo), "--branch", "main", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"--branch: main: is the branch checked out in {repo}; "
                             "refresh resets its branch, so name another one\n")

    image = sorted((repo / "screenshots").rglob("*.png"))[0]
    image.write_bytes(b"edited by hand")
    result = stepshot("refresh", "--repo", str(repo), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"{image}: uncommitted change (modified) in screenshots/; commit or "
                             "discard it first: refresh restores screenshots/ after its run\n")
    assert image.read_bytes() == b"edited by hand"

    result = stepshot("refresh", "--merge", str(tmp_path), "--locale", "en", "--repo", str(repo), cwd=tmp_path)
    assert result.returncode == 2 and "--merge: combines finished refreshes" in result.stderr


def test_merge_json_takes_each_changed_key_from_its_shard():
    base = {"schema": 1, "images": {"en/a.png": {"sha256": "1"}, "ar/a.png": {"sha256": "2"},
                                    "ar/gone.png": {"sha256": "3"}}}
    en = {"schema": 1, "images": {"en/a.png": {"sha256": "9"}, "ar/a.png": {"sha256": "2"},
                                  "ar/gone.png": {"sha256": "3"}}}
    ar = {"schema": 1, "images": {"en/a.png": {"sha256": "1"}, "ar/a.png": {"sha256": "8"},
                                  "ar/new.png": {"sha256": "7"}}}
    assert merge_json(base, [en, ar]) == {"schema": 1, "images": {
        "en/a.png": {"sha256": "9"}, "ar/a.png": {"sha256": "8"}, "ar/new.png": {"sha256": "7"}}}
    assert merge_json(base, [base, base]) is base


def test_changed_images_leave_out_images_held_back_by_drift():
    def image(key, status, held=False):
        return ImageResult(key=key, locale=key.split("/")[0], viewport="desktop", flow="f", step="s", number=1,
                           status=status, path=f"screenshots/{key}", held=held,
                           share=0.25 if status == "changed" else None)

    report = CaptureReport(target={}, started="", threshold=0.1, images=[
        image("en/desktop/a.png", "changed"), image("en/desktop/b.png", "new"),
        image("ar/desktop/a.png", "changed", held=True), image("ar/desktop/b.png", "new", held=True),
        image("ar/desktop/c.png", "broken"), image("en/desktop/c.png", "unchanged")])
    assert [(i["key"], i["status"]) for i in changed_images(report)] == [
        ("en/desktop/a.png", "changed"), ("en/desktop/b.png", "new")]


@pytest.mark.parametrize("change, message", [
    ({"reports": ["../../../etc/passwd.md"]}, "reports: '../../../etc/passwd.md': not a path inside"),
    ({"reports": ["reports/capture.json"]}, "not a Markdown report of the shard"),
    ({"files": [{"path": "README.md", "status": "added"}]}, "files: README.md: outside screenshots/"),
    ({"files": [{"path": "screenshots/../x.png", "status": "added"}]}, "not a path inside"),
    ({"locales": "en"}, "locales: missing or not a list"),
    ({"outcome": "fine"}, "outcome: expected one of unchanged, changed, broken, blocked"),
])
def test_a_malformed_shard_is_one_line_and_changes_nothing(restyled, seed, tmp_path, change, message):
    shard_out = tmp_path / "shard"
    shutil.copytree(restyled / OUT, shard_out)
    data = json.loads((shard_out / "outcome.json").read_text())
    (shard_out / "outcome.json").write_text(json.dumps({**data, **change}))
    merged = tmp_path / "merged"
    copy_checkout(seed, merged)
    result = stepshot("refresh", "--merge", str(shard_out), "--repo", str(merged), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert not has_branch(merged)


def test_page_text_in_an_issue_body_cannot_mention_link_or_show_images():
    from stepshot.refresh import Outcome
    from stepshot.refresh_text import render

    hostile = "@everyone ![x](https://evil.example/p.png) <img src=x onerror=alert(1)> [y](javascript:z) #1"
    outcome = Outcome(outcome="broken", target="stand-in", locales=["en"], base="0" * 40, branch="b",
                      broken=[{"locale": "en", "viewport": "desktop", "flow": "desktop", "step": "open-settings",
                               "number": 2, "problem": f'link "{hostile}" not found', "label_key": "ai_setting",
                               "expected_label": hostile, "suggestions": [{"text": hostile, "score": 0.9}]}])
    body = render(outcome, {})["issue-body.md"]
    import markdown

    html = markdown.markdown(body, extensions=["tables"])
    assert "<img" not in html and "<a " not in html.replace('<a href="https://github', "")
    assert "@everyone" not in body.replace("`@everyone", "")  # only inside code spans, or broken by a joiner
