"""The exit-code contract (README, "Exit codes"): every input and environment fault is one line on stderr
and a documented code, never a traceback, and inputs are checked before any browser starts.

One row per fault: the command, how the checkout is spoiled first, the code and the start of the one line.
Rows that run `check` or `capture` do so with STEPSHOT_CHROMIUM set to a program that cannot start a
browser: a row that reached the browser before its input was checked ends in "did not start" (4), not its
own line.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import make_checkout, run_cli, run_process
from stepshot.errors import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_INTERRUPTED, EXIT_TARGET_UNUSABLE
from stepshot.files import TEMP_PREFIX
from stepshot import imagefile
from stepshot.manifest import Manifest

NO_BROWSER = {"STEPSHOT_CHROMIUM": "/bin/false"}
LIVE = ["check", "--target", "https://www.linkedin.com", "--locale", "en"]

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8))


@dataclass
class Fault:
    args: list[str]
    code: int
    line: str                                   # the start of the one line, with {root} and {tmp} filled in
    spoil: Callable[[Path, Path], None] | None = None   # (checkout root, a scratch folder) -> None
    env: dict = field(default_factory=dict)
    site: bool = False                          # the checkout needs docs/ and mkdocs.yml
    images: bool = False                        # the checkout needs the committed screenshots and manifest


def write(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    path.chmod(mode)


def login_file(cookie: dict | None = None, mode: int = 0o600):
    cookie = cookie if cookie is not None else {"name": "li_at", "value": "x", "domain": ".linkedin.com"}

    def spoil(root: Path, tmp: Path) -> None:
        write(tmp / "login.json", json.dumps({"cookies": [cookie], "origins": []}), mode)
        write(tmp / "account.json", json.dumps({"name": "Pat Example", "headline": "Tester", "email": "p@example.com"}))
    return spoil


def replace_file(relative: str, data: bytes | str):
    return lambda root, tmp: write(root / relative, data)


def edit_json(relative: str, change: Callable[[dict], None]):
    def spoil(root: Path, tmp: Path) -> None:
        data = json.loads((root / relative).read_text())
        change(data)
        write(root / relative, json.dumps(data))
    return spoil


def edit_text(relative: str, old: str, new: str):
    def spoil(root: Path, tmp: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"the fault no longer applies to {relative}: {old!r}"
        write(path, text.replace(old, new, 1))
    return spoil


def symlink_loop(relative: str):
    def spoil(root: Path, tmp: Path) -> None:
        (root / relative).unlink()
        (root / relative).symlink_to(root / relative)
    return spoil


def fifo(relative: str):
    def spoil(root: Path, tmp: Path) -> None:
        (root / relative).unlink()
        os.mkfifo(root / relative)
    return spoil


def first_image_not_png(root: Path, tmp: Path) -> None:
    write(sorted((root / "screenshots" / "en" / "desktop").glob("*.png"))[0], "not a picture")


def extra_manifest_key(data: dict) -> None:
    data["images"][sorted(data["images"])[0]]["extra"] = 1


def malformed_shard(outcome: str):
    def spoil(root: Path, tmp: Path) -> None:
        (tmp / "shard").mkdir()
        write(tmp / "shard" / "outcome.json", outcome)
        git_repo(root, tmp)
    return spoil


def symlinked_screenshots(root: Path, tmp: Path) -> None:
    (root / "shots").symlink_to(root / "screenshots")


def git_repo(root: Path, tmp: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp / "repo")], check=True)
    subprocess.run(["git", "-C", str(tmp / "repo"), "-c", "user.name=t", "-c", "user.email=t@example.com",
                    "commit", "-q", "--allow-empty", "-m", "start"], check=True)


STEP_ID = "id: open-me-menu"
SHARD = {"schema": "stepshot-refresh/1", "outcome": "broken", "target": "stand-in", "locales": ["en"], "base": "x",
         "branch": "b", "commit": None, "files": [], "images": [], "broken": [], "blocked": None}

FAULTS = {
    # the machine
    "chromium cannot start": Fault(["check", "--locale", "en", "--viewport", "desktop"], EXIT_ENVIRONMENT,
                                   "stepshot: Chromium (/bin/false) did not start", env=NO_BROWSER),
    "no chromium": Fault(["check", "--locale", "en"], EXIT_ENVIRONMENT,
                         "stepshot: STEPSHOT_CHROMIUM=/nonexistent/chromium: not an executable file",
                         env={"STEPSHOT_CHROMIUM": "/nonexistent/chromium"}),
    # saved logins and the account file
    "login cookie without a value": Fault(
        [*LIVE, "--auth", "{tmp}/login.json"], EXIT_BAD_INPUT,
        "--auth: {tmp}/login.json: not a Playwright storage-state JSON file (cookies need a name, a value",
        login_file({"name": "li_at", "domain": ".linkedin.com"}), env={**NO_BROWSER, "STEPSHOT_ACCOUNT": "{tmp}/account.json"}),
    "login readable by others": Fault(
        [*LIVE, "--auth", "{tmp}/login.json"], EXIT_BAD_INPUT,
        "--auth: {tmp}/login.json: readable by others (mode 644)", login_file(mode=0o644),
        env={**NO_BROWSER, "STEPSHOT_ACCOUNT": "{tmp}/account.json"}),
    "login file missing": Fault([*LIVE, "--auth", "{tmp}/nowhere.auth.json"], EXIT_BAD_INPUT,
                                "--auth: {tmp}/nowhere.auth.json: no such file", env=NO_BROWSER),
    "no login for a live target": Fault(LIVE, EXIT_TARGET_UNUSABLE,
                                        "stepshot: target unusable (login-required): login required", env=NO_BROWSER),
    "no account file for a live target": Fault(
        [*LIVE, "--auth", "{tmp}/login.json"], EXIT_BAD_INPUT, "STEPSHOT_ACCOUNT: required for a live target",
        login_file(), env=NO_BROWSER),
    "account file not JSON": Fault(
        [*LIVE, "--auth", "{tmp}/login.json"], EXIT_BAD_INPUT, "{tmp}/bad-account.json: line 1: invalid",
        lambda root, tmp: (login_file()(root, tmp), write(tmp / "bad-account.json", "{name: ")),
        env={**NO_BROWSER, "STEPSHOT_ACCOUNT": "{tmp}/bad-account.json"}),
    "login under a symlinked screenshots/": Fault(
        ["login", "--auth", "{root}/shots/me.auth.json"], EXIT_BAD_INPUT,
        "--auth: {root}/shots/me.auth.json: refusing to save a login under screenshots/", symlinked_screenshots),
    "login path a symlink loop": Fault(
        ["login", "--auth", "{tmp}/loop.auth.json"], EXIT_BAD_INPUT, "--auth: {tmp}/loop.auth.json: a symlink loop",
        lambda root, tmp: (tmp / "loop.auth.json").symlink_to(tmp / "loop.auth.json")),
    # the manifest, verified.json and the images
    "manifest not UTF-8": Fault(["capture", "--locale", "en"], EXIT_BAD_INPUT,
                                "{root}/screenshots/manifest.json: (file): not UTF-8 text",
                                replace_file("screenshots/manifest.json", b"\xff\xfe{"), env=NO_BROWSER, images=True),
    "manifest not an object": Fault(["capture", "--locale", "en"], EXIT_BAD_INPUT,
                                    "{root}/screenshots/manifest.json: (top): expected an object",
                                    replace_file("screenshots/manifest.json", "[1, 2]"), env=NO_BROWSER, images=True),
    "manifest entry with an extra key": Fault(
        ["capture", "--locale", "en"], EXIT_BAD_INPUT, "{root}/screenshots/manifest.json: images.",
        edit_json("screenshots/manifest.json", extra_manifest_key), env=NO_BROWSER, images=True),
    "image not a PNG": Fault(["capture", "--locale", "en"], EXIT_BAD_INPUT, "screenshots/en/desktop/",
                             first_image_not_png, env=NO_BROWSER, images=True),
    "verified.json not UTF-8": Fault(["check", "--locale", "en"], EXIT_BAD_INPUT,
                                     "{root}/screenshots/verified.json: (file): not UTF-8 text",
                                     replace_file("screenshots/verified.json", b"\xff{"), env=NO_BROWSER),
    "verified.json wrongly shaped": Fault(["check", "--locale", "en"], EXIT_BAD_INPUT,
                                          "{root}/screenshots/verified.json: labels: expected an object",
                                          replace_file("screenshots/verified.json", '{"labels": []}'), env=NO_BROWSER),
    "verified.json wrong before a live walk": Fault(
        [*LIVE, "--auth", "{tmp}/login.json"], EXIT_BAD_INPUT, "{root}/screenshots/verified.json: labels: expected",
        lambda root, tmp: (login_file()(root, tmp), write(root / "screenshots/verified.json", '{"labels": []}')),
        env={**NO_BROWSER, "STEPSHOT_ACCOUNT": "{tmp}/account.json"}),
    # the links contract
    "contract not UTF-8": Fault(["links"], EXIT_BAD_INPUT, "{root}/docs/links-contract.json: (file): not UTF-8 text",
                                replace_file("docs/links-contract.json", b"\xff{"), site=True),
    "contract wrongly shaped": Fault(["links"], EXIT_BAD_INPUT, "{root}/docs/links-contract.json: schema: expected 1",
                                     replace_file("docs/links-contract.json", '{"links": 3}'), site=True),
    "contract redirect key with a script end": Fault(
        ["links"], EXIT_BAD_INPUT, "{root}/docs/links-contract.json: redirects: '/faq/</script>' is not a site path",
        edit_json("docs/links-contract.json", lambda d: d["redirects"].update({"/faq/</script>": "/faq/"})), site=True),
    "contract redirect key leaving the site": Fault(
        ["links"], EXIT_BAD_INPUT, "{root}/docs/links-contract.json: redirects: '/../outside/' is not a site path",
        edit_json("docs/links-contract.json", lambda d: d["redirects"].update({"/../outside/": "/faq/"})), site=True),
    # the flow and label files
    "step id of 300 characters": Fault(["validate"], EXIT_BAD_INPUT,
                                       "{root}/screenshots/flow.yml: flows.0.steps.0.id: must not be longer than 64",
                                       edit_text("screenshots/flow.yml", STEP_ID, "id: " + "x" * 300)),
    "flow file a symlink loop": Fault(["validate"], EXIT_BAD_INPUT, "{root}/screenshots/flow.yml: (file): a symlink loop",
                                      symlink_loop("screenshots/flow.yml")),
    "flow file a FIFO": Fault(["validate"], EXIT_BAD_INPUT, "{root}/screenshots/flow.yml: (file): not a regular file",
                              fifo("screenshots/flow.yml")),
    "flow file nested too deep": Fault(["validate"], EXIT_BAD_INPUT,
                                       "{root}/screenshots/flow.yml: line 1: invalid YAML: nested deeper than 40 levels",
                                       replace_file("screenshots/flow.yml", "a: " + "[" * 60 + "]" * 60 + "\n")),
    "flow file with an alias bomb": Fault(
        ["validate"], EXIT_BAD_INPUT,
        "{root}/screenshots/flow.yml: line 5: invalid YAML: more than 50000 values once aliases are expanded",
        replace_file("screenshots/flow.yml", ALIAS_BOMB)),
    "flow file not UTF-8": Fault(["validate"], EXIT_BAD_INPUT, "{root}/screenshots/flow.yml: (file): not UTF-8 text",
                                 replace_file("screenshots/flow.yml", b"version: 1\nflows: \xff\n")),
    "flow file too big": Fault(["validate"], EXIT_BAD_INPUT, "{root}/screenshots/flow.yml: (file): larger than 4 MB",
                               replace_file("screenshots/flow.yml", "x" * 5_000_001)),
    "label text blank": Fault(["validate", "--locale", "fr"], EXIT_BAD_INPUT,
                              "{root}/screenshots/labels/fr.yml: labels.me_menu.text: ",
                              edit_text("screenshots/labels/fr.yml", "text: Vous", "text: '   '")),
    "label text on two lines": Fault(["validate", "--locale", "fr"], EXIT_BAD_INPUT,
                                     "{root}/screenshots/labels/fr.yml: labels.me_menu.text: ",
                                     edit_text("screenshots/labels/fr.yml", "text: Vous", 'text: "Vo\\nus"')),
    # options and the environment
    "STEPSHOT_TODAY without dashes": Fault(["validate"], EXIT_BAD_INPUT,
                                           "STEPSHOT_TODAY: '20261201' is not a date (YYYY-MM-DD)",
                                           env={"STEPSHOT_TODAY": "20261201"}),
    "STEPSHOT_TODAY not a day": Fault(["check"], EXIT_BAD_INPUT, "STEPSHOT_TODAY: '2026-13-01' is not a date",
                                      env={"STEPSHOT_TODAY": "2026-13-01", **NO_BROWSER}),
    "unknown locale": Fault(["check", "--locale", "xx"], EXIT_BAD_INPUT, "stepshot: argument --locale: invalid choice: 'xx'"),
    "unknown viewport": Fault(["check", "--viewport", "tablet"], EXIT_BAD_INPUT,
                              "stepshot: argument --viewport: invalid choice: 'tablet'"),
    "unknown stand-in variant": Fault(["check", "--target", "stand-in:nope"], EXIT_BAD_INPUT,
                                      "--target: stand-in:nope: unknown stand-in variant 'nope'", env=NO_BROWSER),
    "target not a site": Fault(["check", "--target", "ftp://x"], EXIT_BAD_INPUT, "--target: ftp://x: expected stand-in"),
    "no sessions": Fault(["check", "--parallel-sessions", "0"], EXIT_BAD_INPUT,
                         "stepshot: argument --parallel-sessions: 0: must be 1 or more"),
    "too many sessions": Fault(["check", "--parallel-sessions", "1000"], EXIT_BAD_INPUT,
                               "stepshot: argument --parallel-sessions: 1000: at most 8"),
    "step id too long": Fault(["capture", "--step", "x" * 300], EXIT_BAD_INPUT,
                              "stepshot: argument --step: xxxxxxxxxxxxxxxxxxxx…: longer than 64 characters"),
    "unknown step": Fault(["capture", "--step", "no-such-step", "--locale", "en"], EXIT_BAD_INPUT,
                          "--step: no-such-step: unknown step", env=NO_BROWSER),
    "threshold above 1": Fault(["capture", "--threshold", "2"], EXIT_BAD_INPUT,
                               "stepshot: argument --threshold: 2: must be between 0 and 1"),
    "stand-in port 70000": Fault(["stand-in", "--port", "70000"], EXIT_BAD_INPUT,
                                 "stepshot: argument --port: 70000: not a port number (0 to 65535)"),
    "stand-in markup unknown": Fault(["stand-in", "--markup", "fancy"], EXIT_BAD_INPUT,
                                     "stepshot: argument --markup: invalid choice: 'fancy'"),
    "stand-in delay not a number": Fault(["stand-in", "--delay", "soon"], EXIT_BAD_INPUT,
                                         "stepshot: argument --delay: 'soon': not a number of seconds"),
    # gates
    "htmlcheck --site not a folder": Fault(["htmlcheck", "--site", "{tmp}/nowhere"], EXIT_BAD_INPUT,
                                           "--site {tmp}/nowhere: not a folder"),
    "htmlcheck without Java": Fault(["htmlcheck", "--site", "{tmp}"], EXIT_ENVIRONMENT,
                                    "stepshot: STEPSHOT_JAVA={tmp}/java: not a program; the Nu HTML Checker needs Java",
                                    env={"STEPSHOT_JAVA": "{tmp}/java"}),
    "facts: a source of unknown strength": Fault(["facts", "--feeds", "http://127.0.0.1:9"], EXIT_BAD_INPUT,
                                                 "{root}/docs/sources.yml: linkedin-help-a6278444.strength: unknown strength "
                                                 "'blog' (expected linkedin, regulator, news)",
                                                 edit_text("docs/sources.yml", "  strength: linkedin\n", "  strength: blog\n"),
                                                 site=True),
    # refresh
    "refresh --out under screenshots/": Fault(
        ["refresh", "--repo", "{tmp}/repo", "--out", "{tmp}/repo/screenshots/out"], EXIT_BAD_INPUT,
        "--out: {tmp}/repo/screenshots/out: inside screenshots/", git_repo),
    "merge shard not JSON": Fault(["refresh", "--merge", "{tmp}/shard", "--repo", "{tmp}/repo", "--out", "{tmp}/out"],
                                  EXIT_BAD_INPUT, "{tmp}/shard/outcome.json: line 1: invalid JSON",
                                  malformed_shard("{not json")),
    "merge shard report outside it": Fault(
        ["refresh", "--merge", "{tmp}/shard", "--repo", "{tmp}/repo", "--out", "{tmp}/out"], EXIT_BAD_INPUT,
        "{tmp}/shard/outcome.json: reports: '../../../etc/passwd.md': not a path inside",
        malformed_shard(json.dumps({**SHARD, "reports": ["../../../etc/passwd.md"]}))),
}


def fill(text: str, root: Path, tmp: Path) -> str:
    return text.replace("{root}", str(root)).replace("{tmp}", str(tmp))


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_fault_is_one_line_and_its_code(name, tmp_path):
    fault = FAULTS[name]
    checkout = make_checkout(tmp_path / "checkout", images=fault.images, site=fault.site, link=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    if fault.spoil:
        fault.spoil(checkout.root, scratch)
    env = {key: fill(value, checkout.root, scratch) for key, value in fault.env.items()}
    ran = run_cli(*(fill(a, checkout.root, scratch) for a in fault.args), checkout=checkout, env=env)
    lines = ran.err.strip().splitlines()
    assert (ran.code, len(lines)) == (fault.code, 1), ran.err
    assert lines[0].startswith(fill(fault.line, checkout.root, scratch)), lines[0]


def test_a_write_the_disk_refuses_is_one_line_exit_4_and_keeps_the_old_file(tmp_path):
    """A file-size limit refuses the write as a full disk would (EFBIG where that says ENOSPC)."""
    checkout = make_checkout(tmp_path / "checkout", site=True)
    contract = checkout.docs / "links-contract.json"
    data = json.loads(contract.read_text())
    data["links"] = data["links"][1:]  # a published link not listed: --update rewrites the file
    write(contract, json.dumps(data))
    before = contract.read_bytes()

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    ran = run_process("links", "--update", env={"STEPSHOT_ROOT": str(checkout.root)}, cwd=checkout.root,
                      preexec_fn=limited)
    assert (ran.returncode, ran.stderr) == (EXIT_ENVIRONMENT, "stepshot: docs/links-contract.json: (file): "
                                                              "cannot write: File too large\n")
    assert contract.read_bytes() == before
    assert not list(checkout.docs.glob(f"{TEMP_PREFIX}*"))


# ---------- interrupts ----------

def session_processes(sid: int) -> list[str]:
    """The live processes of a session (a zombie has ended: only its parent, gone, would have reaped it)."""
    ps = subprocess.run(["ps", "-o", "stat=,pid=,args=", "-s", str(sid)], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines() if line.strip() and not line.lstrip().startswith("Z")]


@pytest.mark.alone  # it times the stop: on a machine busy with other tests it would time the machine
@pytest.mark.parametrize("how, when, locales", [
    ("Ctrl+C to the terminal's process group", "[2/", ["en"]),  # mid-walk: sessions walking, the PNG pool busy
    ("SIGTERM to the process", "[2/", ["en"]),
    ("SIGTERM to the process", "  wrote ", ["en", "fr"]),  # while the walk's images and their entries are written
], ids=["ctrl-c mid-walk", "sigterm mid-walk", "sigterm while writing"])
def test_an_interrupt_stops_every_worker_within_2_seconds_with_one_line(how, when, locales, tmp_path):
    checkout = make_checkout(tmp_path / "checkout", images=True)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("stepshot")), "capture", "--target", "stand-in:restyled",
         *[arg for code in locales for arg in ("--locale", code)], "--viewport", "desktop"],
        env={**os.environ, "STEPSHOT_ROOT": str(checkout.root)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    seen = ""
    try:
        deadline = time.monotonic() + 300
        while not seen.startswith(when) and time.monotonic() < deadline and process.poll() is None:
            if selector.select(timeout=1):
                seen = process.stderr.readline()
        assert seen.startswith(when), f"the capture ended before a line starting {when!r}"
        stopped = time.monotonic()
        if how.startswith("Ctrl+C"):
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        took = time.monotonic() - stopped
        time.sleep(0.5)
        left = session_processes(process.pid)  # Chromium, the driver, the PNG pool: all gone
        rest = process.stderr.read()
    finally:
        if process.poll() is None or session_processes(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    after = [line for line in rest.splitlines() if not line.startswith(("[", "  "))]
    assert process.returncode == EXIT_INTERRUPTED, rest
    assert after == ["stepshot: interrupted"], rest
    assert took < 2, f"stopped after {took:.1f} s"
    assert left == [], left
    manifest = Manifest.load(checkout.manifest_file)
    for key, entry in manifest.images.items():  # every image whole, and the one its entry names
        assert entry["sha256"] == imagefile.sha256((checkout.screenshots / key).read_bytes()), key
    assert not list(checkout.screenshots.rglob(f"{TEMP_PREFIX}*"))
