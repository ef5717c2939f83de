"""One writer per checkout: commands that write screenshots/ or the manifest hold build/stepshot/capture.lock.

An OS lock (flock) on the file, so a run that dies releases it with its process: a stale lock cannot
block the next run. A second run waits a little for the first, then stops with one line naming it.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import BadInput

WAIT_SECONDS = 5.0
LOCK_NAME = "capture.lock"


@contextmanager
def checkout_lock(reports_dir: Path, wait: float = WAIT_SECONDS):
    reports_dir.mkdir(parents=True, exist_ok=True)
    path = reports_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                    raise BadInput(f"{path}: another capture is running in this checkout (pid {holder}); "
                                   "wait for it to finish") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
