"""A built site over HTTP as a static host serves it: text gzip-compressed, folders as index.html, 404.html.

For the gates (Lighthouse, page weight): what they measure depends on what goes over the wire.
"""

from __future__ import annotations

import gzip
import mimetypes
import threading
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

# What static hosts (GitHub Pages, Netlify, nginx's usual setup) compress; images and fonts are already.
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml",
                "application/manifest+json")
GZIP_LEVEL = 6  # nginx's and most hosts' default trade-off


def compressible(content_type: str) -> bool:
    return content_type.startswith(COMPRESSIBLE)


def content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return guessed + "; charset=utf-8" if compressible(guessed) and guessed != "image/svg+xml" else guessed


class StaticHost(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *args, root: Path, cache: dict, **kwargs):
        self.root = root
        self.cache = cache
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def resolve(self, url_path: str) -> tuple[int, Path | None, str | None]:
        """(status, file, redirect location)."""
        path = unquote(urlsplit(url_path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if self.root not in (target, *target.parents):
            return 404, self.root / "404.html", None
        if target.is_dir():
            if not path.endswith("/"):
                return 301, None, path + "/"
            target = target / "index.html"
        if target.is_file():
            return 200, target, None
        return 404, self.root / "404.html", None

    def body(self, file: Path, gzip_ok: bool) -> tuple[bytes, bool]:
        key = (file, gzip_ok)
        if key not in self.cache:
            data = file.read_bytes()
            squeeze = gzip_ok and compressible(content_type(file))
            self.cache[key] = (gzip.compress(data, GZIP_LEVEL, mtime=0) if squeeze else data, squeeze)
        return self.cache[key]

    def answer(self, send_body: bool) -> None:
        status, file, location = self.resolve(self.path)
        if location is not None:
            self.send_response(status)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if file is None or not file.is_file():
            self.send_error(404)
            return
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        data, gzipped = self.body(file, gzip_ok)
        self.send_response(status)
        self.send_header("Content-Type", content_type(file))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.answer(True)

    def do_HEAD(self):  # noqa: N802
        self.answer(False)


@contextmanager
def serving(site_dir: Path) -> Iterator[str]:
    """Serve site_dir on a free loopback port; yield the base URL (no trailing slash)."""
    handler = partial(StaticHost, root=Path(site_dir).resolve(), cache={})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="static host", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
