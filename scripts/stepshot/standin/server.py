"""Serving the stand-in with uvicorn: in a background thread (`running`) or in the foreground (`serve`)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import uvicorn

from ..errors import BadInput, StepshotError
from .app import create_app

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 15


def listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise BadInput(f"--port: {port}: cannot listen on {HOST}: {exc.strerror}") from None
    sock.listen(128)
    return sock


def make_server(variant: str | None, root: Path | None, delay: float | None) -> uvicorn.Server:
    app = create_app(variant, root, delay)
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                         timeout_graceful_shutdown=2))


def wait_until_answering(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise StepshotError(f"the stand-in stopped while starting at {url}")
        try:
            with urllib.request.urlopen(f"{url}/__standin/health", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise StepshotError(f"the stand-in did not answer at {url} within {START_TIMEOUT_SECONDS} s")


@contextmanager
def running(variant: str | None = None, root: Path | None = None, delay: float | None = None) -> Iterator[str]:
    """Serve the stand-in on a free loopback port in a background thread; yield its base URL.

    Example: with running("label-renamed") as url: ...  (url like "http://127.0.0.1:41234")
    """
    server = make_server(variant, root, delay)
    sock = listen(0)
    url = f"http://{HOST}:{sock.getsockname()[1]}"
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"stand-in {url}", daemon=True)
    thread.start()
    try:
        wait_until_answering(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(port: int, variant: str | None = None, root: Path | None = None, delay: float | None = None,
          on_ready=None) -> None:
    """Serve the stand-in in the foreground until interrupted (Ctrl+C)."""
    server = make_server(variant, root, delay)
    sock = listen(port)
    try:
        if on_ready is not None:
            on_ready(f"http://{HOST}:{sock.getsockname()[1]}")
        server.run(sockets=[sock])
    finally:
        sock.close()
