"""Ctrl+C and SIGTERM: one way to stop, at any moment, with nothing half-written.

The command line turns SIGTERM into the KeyboardInterrupt Ctrl+C gives (`stop_on_sigterm`); a few writes
that belong together (an image and its manifest entry) hold a stop back until they are done
(`uninterrupted`); helper processes leave stopping to the command (`held_from_children`).
Signal handlers exist only in the main thread: elsewhere these do nothing.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@contextmanager
def _handlers(handlers: dict) -> Iterator[None]:
    """These signal handlers inside, the previous ones back after (main thread only)."""
    if not _main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stop_on_sigterm():
    """Inside, SIGTERM (a CI job cancelled, `kill`) stops the command as Ctrl+C does."""
    return _handlers({signal.SIGTERM: _raise_interrupt})


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Run the block to its end; a Ctrl+C or SIGTERM that came meanwhile is raised after it."""
    caught: list[int] = []
    with _handlers({signum: lambda s, frame: caught.append(s) for signum in SIGNALS}):
        yield
    if caught:
        raise KeyboardInterrupt


@contextmanager
def held_from_children() -> Iterator[None]:
    """Processes started inside begin with Ctrl+C and SIGTERM blocked (a signal mask survives exec, and
    Ctrl+C reaches the whole process group): only the command decides to stop, and stops them itself.
    A signal to this process meanwhile waits until the block ends; none is lost."""
    if not _main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
