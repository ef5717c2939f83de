"""Running a coroutine to its end from synchronous code, whoever the caller is.

In the main thread with no event loop running (the command line), the coroutine runs there, and SIGTERM
cancels it as Ctrl+C does, so the browser and the stand-in close and nothing is half-written. Anywhere
else (a test whose Playwright fixtures keep a loop running, a worker thread), it runs in a new thread
with a loop of its own, and its result or error is handed back.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from contextlib import suppress
from typing import Coroutine, TypeVar

T = TypeVar("T")


def run_coroutine(coro: Coroutine[object, object, T]) -> T:
    if threading.current_thread() is threading.main_thread() and not _loop_running():
        return asyncio.run(_with_sigterm(coro))
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


async def _with_sigterm(coro):
    task = asyncio.ensure_future(coro)
    loop = asyncio.get_running_loop()
    with suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        raise KeyboardInterrupt from None
    finally:
        with suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGTERM)
