"""Serving the stand-in with uvicorn: in a background thread (`running`) or in the foreground (`serve`)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import uvicorn

from ..checkout import Checkout
from ..errors import BadInput, StepshotError
from .app import StandIn, create_app

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 15


def listen(port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        raise BadInput(f"--port: {port}: not a port number (0 to 65535)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise BadInput(f"--port: {port}: cannot listen on {HOST}: {exc.strerror}") from None
    sock.listen(128)
    return sock


def make_server(checkout: Checkout, markup: str, variant: str | None, delay: float | None):
    app = create_app(checkout, markup, variant, delay)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                                           timeout_graceful_shutdown=2))
    return server, app.state.standin


@dataclass
class RunningStandIn:
    url: str              # like "http://127.0.0.1:41234", no trailing slash
    standin: StandIn      # its state and request log, for tests

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self.standin.requests


@contextmanager
def running(checkout: Checkout, markup: str = "linkedin", variant: str | None = None,
            delay: float | None = None) -> Iterator[RunningStandIn]:
    """Serve the stand-in on a free loopback port in a background thread.

    Example: with running(checkout, variant="label-renamed") as standin: ... standin.url
    """
    server, standin = make_server(checkout, markup, variant, delay)
    sock = listen(0)
    url = f"http://{HOST}:{sock.getsockname()[1]}"
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"stand-in {url}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not server.started:
            if not thread.is_alive():
                raise StepshotError(f"the stand-in stopped while starting at {url}")
            if time.monotonic() > deadline:
                raise StepshotError(f"the stand-in did not start at {url} within {START_TIMEOUT_SECONDS} s")
            time.sleep(0.01)
        yield RunningStandIn(url, standin)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve(checkout: Checkout, port: int, markup: str = "linkedin", variant: str | None = None,
          delay: float | None = None, on_ready=None) -> None:
    """Serve the stand-in in the foreground until interrupted (Ctrl+C)."""
    server, _ = make_server(checkout, markup, variant, delay)
    sock = listen(port)
    try:
        if on_ready is not None:
            on_ready(f"http://{HOST}:{sock.getsockname()[1]}")
        server.run(sockets=[sock])
    finally:
        sock.close()
