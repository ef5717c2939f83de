"""The git operations `stepshot refresh` needs, run with the git command on the checkout it is pointed at.

The refresh commit goes onto its branch without switching to it: a temporary index is filled from HEAD
plus the changed files, written as a tree, committed with HEAD as parent, and the branch ref is set to
that commit. The current branch, the real index and the work tree are never touched by it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BadInput, StepshotError
from .settings import child_environment

# Used only when the checkout has no identity of its own (a fresh CI runner): git refuses to commit
# without one. The workflow sets its own identity before merging.
FALLBACK_NAME = "stepshot refresh"
FALLBACK_EMAIL = "stepshot-refresh@localhost"


class GitFailed(StepshotError):
    """A git command failed where it should not have; the message names the command."""


def git(repo: Path, *args: str, env: dict | None = None, check: bool = True,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, input=stdin,
                                env=child_environment(**(env or {})))
    except FileNotFoundError:
        raise GitFailed("git: command not found (refresh needs git)") from None
    if check and result.returncode != 0:
        message = (result.stderr.strip() or result.stdout.strip() or f"exit {result.returncode}").splitlines()[0]
        raise GitFailed(f"git {' '.join(args[:3])}: {message}")
    return result


def toplevel(path: Path) -> Path:
    """The root of the checkout holding `path`; BadInput when it is no git checkout."""
    if not path.is_dir():
        raise BadInput(f"--repo: {path}: no such directory")
    result = git(path, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise BadInput(f"--repo: {path}: not a git checkout")
    return Path(result.stdout.strip())


def head(repo: Path) -> str:
    result = git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    if result.returncode != 0:
        raise BadInput(f"--repo: {repo}: the checkout has no commit yet")
    return result.stdout.strip()


def current_branch(repo: Path) -> str | None:
    """The checked-out branch, None on a detached HEAD."""
    result = git(repo, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.strip() or None


def check_branch_name(repo: Path, branch: str) -> None:
    if git(repo, "check-ref-format", "--branch", branch, check=False).returncode != 0:
        raise BadInput(f"--branch: {branch!r}: not a valid branch name")
    if branch == current_branch(repo):
        raise BadInput(f"--branch: {branch}: is the branch checked out in {repo}; "
                       "refresh resets its branch, so name another one")


@dataclass(frozen=True)
class Change:
    path: str     # relative to the checkout, with forward slashes
    status: str   # "modified", "added" (untracked) or "deleted"


def changes(repo: Path, pathspec: str) -> list[Change]:
    """Every difference between HEAD and the work tree under `pathspec`, untracked files included."""
    out = git(repo, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
              "--", pathspec).stdout
    found = []
    for record in filter(None, out.split("\0")):
        code, path = record[:2], record[3:]
        if code == "??":
            status = "added"
        elif "D" in code:
            status = "deleted"
        else:
            status = "modified"
        found.append(Change(path, status))
    return sorted(found, key=lambda c: c.path)


def _identity(repo: Path) -> dict:
    if git(repo, "config", "user.email", check=False).stdout.strip():
        return {}
    return {"GIT_AUTHOR_NAME": FALLBACK_NAME, "GIT_AUTHOR_EMAIL": FALLBACK_EMAIL,
            "GIT_COMMITTER_NAME": FALLBACK_NAME, "GIT_COMMITTER_EMAIL": FALLBACK_EMAIL}


def commit_on_branch(repo: Path, branch: str, paths: list[str], message: str) -> str:
    """Set `branch` to a new commit: HEAD plus the work tree's version of `paths`. Returns its id."""
    check_branch_name(repo, branch)
    parent = head(repo)
    fd, index = tempfile.mkstemp(prefix="stepshot-index-")
    os.close(fd)
    try:
        env = {"GIT_INDEX_FILE": index}
        git(repo, "read-tree", parent, env=env)
        git(repo, "add", "--all", "--", *paths, env=env)
        tree = git(repo, "write-tree", env=env).stdout.strip()
    finally:
        Path(index).unlink(missing_ok=True)
    commit = git(repo, "commit-tree", tree, "-p", parent, "-F", "-", env=_identity(repo), stdin=message).stdout.strip()
    git(repo, "update-ref", "-m", "stepshot refresh", f"refs/heads/{branch}", commit)
    return commit


def restore(repo: Path, found: list[Change]) -> None:
    """Undo `found` (from changes()) in the work tree: tracked files back to HEAD, new files removed."""
    tracked = [c.path for c in found if c.status != "added"]
    if tracked:
        git(repo, "restore", "--source=HEAD", "--worktree", "--", *tracked)
    for change in found:
        if change.status == "added":
            (repo / change.path).unlink(missing_ok=True)
