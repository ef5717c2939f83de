"""The CPU time of everything a contender runs: its process, the browser, and the browser's own children.

getrusage(RUSAGE_CHILDREN) sees only descendants that were waited for all the way up. Chromium's renderers
are children of its zygote, which nobody waits for when the browser closes, so their time is lost: on the
bare loop of the benchmark, getrusage gave 12.9 CPU-s where the kernel's count was 30.2 (and 30.7 against
60.9 for `stepshot capture`), not even the same share for each contender. So a contender runs in a cgroup
of its own and its cpu.stat is read (cgroup v2: every task that ever ran in the group is counted); where
this machine does not allow one, its process tree is read from /proc every POLL_SECONDS (a process that
lives shorter than that between two looks is missed; getrusage's figure is kept when it is larger).
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.1
DRAIN_SECONDS = 10      # what a contender started may outlive it by this much, then it is stopped
CGROUP = "cgroup v2 cpu.stat"
POLLING = f"/proc polled every {POLL_SECONDS} s"
_TICKS = os.sysconf("SC_CLK_TCK")
# Moves the shell into the group, then becomes the contender: all it starts is born in the group.
_ENTER = 'echo $$ > "$0/cgroup.procs" && exec "$@"'


@dataclass
class Usage:
    returncode: int
    cpu: float          # seconds, user + system, of every process of the run
    method: str         # CGROUP or POLLING
    observer: float = 0.0   # CPU seconds this process spent looking (polling), not the contender's


@dataclass(frozen=True)
class MachineTime:
    """The whole machine's CPU seconds so far, from /proc/stat: busy (every process and interrupt), and
    stolen (by the hypervisor, for other guests of a shared host)."""
    busy: float
    steal: float

    @classmethod
    def now(cls) -> "MachineTime | None":
        try:
            fields = Path("/proc/stat").read_text(encoding="ascii").split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
        return cls((user + nice + system + irq + softirq) / _TICKS, steal / _TICKS)


def _unified_hierarchy() -> Path | None:
    """This process's own cgroup in the cgroup v2 hierarchy, if one is mounted."""
    try:
        mounts = Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines()
        own = next((line[3:] for line in Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
                    if line.startswith("0::")), None)
    except OSError:
        return None
    for line in mounts:
        fields, _, kind = line.partition(" - ")
        if kind.split(" ")[0] == "cgroup2" and own is not None:
            return Path(fields.split(" ")[4]) / own.strip().lstrip("/")
    return None


def _usage_seconds(group: Path) -> float:
    stat = dict(line.split() for line in (group / "cpu.stat").read_text(encoding="utf-8").splitlines())
    return int(stat["usage_usec"]) / 1e6


def _new_group(parent: Path) -> Path:
    return Path(tempfile.mkdtemp(prefix="stepshot-bench-", dir=parent))


def _drain(group: Path) -> float:
    """Wait for the processes the contender left behind, then stop them; remove the group. Its CPU seconds."""
    deadline = time.monotonic() + DRAIN_SECONDS
    procs = group / "cgroup.procs"
    while procs.read_text(encoding="utf-8").split() and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in procs.read_text(encoding="utf-8").split():
        try:
            os.kill(int(pid), 9)
        except ProcessLookupError:
            pass
    while procs.read_text(encoding="utf-8").split():
        time.sleep(0.01)
    used = _usage_seconds(group)
    group.rmdir()
    return used


def _cgroup_usable() -> Path | None:
    """Where this machine lets the bench make cgroups (tried once with a shell that does nothing)."""
    parent = _unified_hierarchy()
    if parent is None:
        return None
    try:
        group = _new_group(parent)
    except OSError:
        return None
    try:
        moved = subprocess.run(["sh", "-c", _ENTER, str(group), "true"], stderr=subprocess.DEVNULL).returncode == 0
        usable = moved and (group / "cpu.stat").is_file()
    finally:
        _drain(group)
    return parent if usable else None


_cgroup_parent: list[Path | None] = []


def method() -> str:
    if not _cgroup_parent:
        _cgroup_parent.append(_cgroup_usable())
    return CGROUP if _cgroup_parent[0] is not None else POLLING


def _in_group(args: list[str], timeout: float, **popen) -> Usage:
    group = _new_group(_cgroup_parent[0])
    try:
        returncode = subprocess.run(["sh", "-c", _ENTER, str(group), *args], timeout=timeout, **popen).returncode
    finally:
        used = _drain(group)
    return Usage(returncode, used, CGROUP)


class _TreePoller:
    """The last CPU time seen of every process descended from `root` (followed once seen, orphaned or not)."""

    def __init__(self, root: int):
        self.root = root
        self.seen: dict[int, tuple[int, float]] = {}   # pid -> (start time, CPU seconds)
        self.stop = threading.Event()
        self.cost = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _stat() -> dict[int, tuple[int, int, float, bool]]:
        """pid -> (parent, start time, CPU seconds, ended): an ended process is a zombie not yet reaped."""
        found = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    fields = Path(f"/proc/{name}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                found[int(name)] = (int(fields[1]), int(fields[19]), (int(fields[11]) + int(fields[12])) / _TICKS,
                                    fields[0] in "ZX")
        return found

    def look(self) -> bool:
        """One look; True while a process of the tree is alive."""
        table = self._stat()
        tree = {self.root} | set(self.seen)
        grew = True
        while grew:
            grew = False
            for pid, (parent, *_rest) in table.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        alive = False
        for pid in tree:
            if pid in table:
                _parent, start, cpu, ended = table[pid]
                if pid in self.seen and self.seen[pid][0] != start:
                    continue   # the number was reused by a process of another tree
                self.seen[pid] = (start, cpu)
                alive = alive or not ended
        return alive

    def _run(self) -> None:
        started = time.thread_time()
        while not self.stop.is_set():
            self.look()
            self.stop.wait(POLL_SECONDS)
        self.cost = time.thread_time() - started

    def total(self) -> float:
        return sum(cpu for _start, cpu in self.seen.values())


def _polled(args: list[str], timeout: float, **popen) -> Usage:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(args, **popen)
    poller = _TreePoller(process.pid)
    poller.thread.start()
    try:
        returncode = process.wait(timeout=timeout)
    finally:
        poller.stop.set()
        poller.thread.join()
    started = time.thread_time()
    deadline = time.monotonic() + DRAIN_SECONDS
    while poller.look() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Usage(returncode, max(poller.total(), waited), POLLING,
                 observer=poller.cost + time.thread_time() - started)


def run(args: list[str], timeout: float, **popen) -> Usage:
    """Run `args` to its end (popen: stdout, stderr, env) and count the CPU time of all it started."""
    if method() == CGROUP:
        return _in_group(args, timeout, **popen)
    return _polled(args, timeout, **popen)
