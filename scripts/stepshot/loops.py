"""Running a coroutine to its end from synchronous code, whoever the caller is; running several at once,
the first error stopping the rest (gather_or_cancel).

In the main thread with no event loop running (the command line), the coroutine runs there, and Ctrl+C or
SIGTERM cancels it, so the browser and the stand-in close and nothing is half-written. Anywhere
else (a test whose Playwright fixtures keep a loop running, a worker thread), it runs in a new thread
with a loop of its own, and its result or error is handed back.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from contextlib import suppress
from typing import Coroutine, TypeVar

from .errors import TargetUnusable
from .interrupts import SIGNALS

T = TypeVar("T")


def run_coroutine(coro: Coroutine[object, object, T]) -> T:
    if threading.current_thread() is threading.main_thread() and not _loop_running():
        return asyncio.run(_interruptible(coro))
    box: dict = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as exc:  # handed to the calling thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="stepshot-loop")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _loop_running() -> bool:
    with suppress(RuntimeError):
        asyncio.get_running_loop()
        return True
    return False


async def _interruptible(coro):
    """The coroutine, stopped by Ctrl+C or SIGTERM as one KeyboardInterrupt, whatever the stop breaks.

    Ctrl+C in a terminal signals Chromium and Playwright's driver too: they die while the run winds down,
    and that error (a closed browser) is part of the interrupt, not a failure of its own.
    """
    task = asyncio.ensure_future(coro)
    loop = asyncio.get_running_loop()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # "pipe closed by peer": the driver, stopping
        task.cancel()

    def report(loop, context) -> None:  # after an interrupt, what the dead driver leaves unread is no news
        if not interrupted:
            loop.default_exception_handler(context)

    loop.set_exception_handler(report)
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    for signum in SIGNALS:
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, interrupt)
    try:
        return await task
    except BaseException as exc:
        if interrupted or isinstance(exc, asyncio.CancelledError):
            raise KeyboardInterrupt from None
        raise
    finally:
        for signum in SIGNALS:
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
                signal.signal(signum, previous[signum])  # the command's own, e.g. SIGTERM as Ctrl+C


async def gather_or_cancel(awaitables) -> list:
    """Run them all, their results in order; the first error cancels the rest at once and is raised (a
    TargetUnusable first)."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        unusable = next((r for r in results if isinstance(r, TargetUnusable)), None)
        if unusable is not None:
            raise unusable from None
        raise
