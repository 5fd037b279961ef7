"""A local preview server for a published folder, with HTTP byte ranges.

Browsers and podcast apps seek with ``Range`` requests (Apple rejects hosts without
them); Python's own file server ignores them. This one answers ``bytes=a-b``,
``bytes=a-`` and ``bytes=-n`` with 206 and ``Content-Range``, an unsatisfiable range
with 416, and says ``Accept-Ranges: bytes`` on every file. It listens on 127.0.0.1 only,
answers only requests for its own address (a page elsewhere that renames itself to
127.0.0.1, DNS rebinding, gets 421) and serves only files inside the folder (a symlink
that leads out of it is not found).
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import sys
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO

from letteraudio.errors import InputError

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MIME_TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int]:
    """The (first, last) byte of a single ``Range`` header for a file of ``size`` bytes.

    Raises ValueError when the range cannot be satisfied (or is malformed, which RFC 9110
    lets a server ignore; a client that asked for a range is better told)."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise ValueError(f"unsupported range {header!r}")
    first, last = match.groups()
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise ValueError("range outside the file")
    return start, end


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with byte ranges and podcast MIME types."""

    extensions_map = {  # noqa: RUF012 - the base class declares it so
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        **MIME_TYPES,
    }
    protocol_version = "HTTP/1.1"  # keep-alive: players make many small range requests
    _range: tuple[int, int] | None = None

    def send_head(self) -> BinaryIO | None:
        """Like the standard handler's, plus ranges for files."""
        self._range = None
        if not self._for_us():
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "Not this server's address")
            return None
        translated = self.translate_path(self.path)
        if not self._inside(translated):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        path = Path(translated)
        header = self.headers.get("Range")
        if path.is_dir() or header is None:
            return super().send_head()
        try:
            handle = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        size = os.fstat(handle.fileno()).st_size
        try:
            first, last = parse_range(header, size)
        except ValueError:
            handle.close()
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        self._range = (first, last)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header(
            "Last-Modified", self.date_time_string(int(os.fstat(handle.fileno()).st_mtime))
        )
        self.end_headers()
        handle.seek(first)
        return handle

    def _for_us(self) -> bool:
        """Whether the Host header names this server (127.0.0.1 or localhost, its port)."""
        port = getattr(self.server, "server_port", None)  # HTTPServer sets it
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {f"{HOST}:{port}", f"localhost:{port}"} or (
            port == 80 and host in (HOST, "localhost")
        )

    def _inside(self, translated: str) -> bool:
        """Whether a path, its symlinks followed, stays in the served folder."""
        if "\0" in translated:
            return False
        root = Path(self.directory).resolve()
        try:
            resolved = Path(translated).resolve()
        except (OSError, RuntimeError):
            return False
        return resolved == root or root in resolved.parents

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        if self._range is None:
            shutil.copyfileobj(source, outputfile)
            return
        remaining = self._range[1] - self._range[0] + 1
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a preview server need not log every request."""


class PreviewServer(http.server.ThreadingHTTPServer):
    """The preview server: a listener that hangs up mid-answer (a player seeking, a page
    closed) is no error; anything else is one line on standard error, never a traceback."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        print(f"serve: {type(error).__name__}: {error}", file=sys.stderr)


def make_server(folder: Path, port: int = DEFAULT_PORT) -> http.server.ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1 (port 0 picks a free one); call serve_forever()."""
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder" if not folder.exists() else f"{folder}: not a folder"
        )
    handler = partial(RangeRequestHandler, directory=str(folder))
    try:
        server = PreviewServer((HOST, port), handler)
    except OSError as error:
        raise InputError(f"cannot listen on {HOST}:{port}: {error.strerror or error}") from error
    return server
