"""Fetch an article from an http or https URL: the only way input touches the network.

Limits: a timeout on connecting and on every read, a deadline on the whole download
(connecting, the headers and the body: when it passes, the connection is shut, whatever
the server is trickling), a size cap, at most :data:`MAX_REDIRECTS` redirects, http and
https only (a redirect to any other scheme is refused), TLS certificates verified, the
environment's proxy settings (``HTTPS_PROXY``, ``NO_PROXY``...) honoured, and a
User-Agent naming letteraudio. Every failure is a :class:`NetworkError` of one line naming the URL.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from letteraudio._version import __version__
from letteraudio.errors import NetworkError

if TYPE_CHECKING:
    import requests

MAX_BYTES = 20 * 2**20
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 20.0
"""Seconds to wait for each read of the answer."""
TOTAL_TIMEOUT = 60.0
"""Seconds for the whole download: a server trickling bytes never trips a read timeout."""
USER_AGENT = (
    f"letteraudio/{__version__} (article narration; +https://pypi.org/project/letteraudio/)"
)
SCHEMES = ("http", "https")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(file|data|ftp|javascript|mailto):", re.I)
_REDIRECTS = (301, 302, 303, 307, 308)
FORMATS_BY_TYPE = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/plain": "text",
}


@dataclass(frozen=True)
class Limits:
    """How long and how much a fetch may take."""

    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT
    total_timeout: float = TOTAL_TIMEOUT
    max_bytes: int = MAX_BYTES
    max_redirects: int = MAX_REDIRECTS


@dataclass(frozen=True)
class Page:
    """A fetched answer: where it ended up, its bytes and what the server said they are."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL after redirects."""
    body: bytes
    media_type: str | None
    """``text/html``, ``text/plain``...: lower case, without parameters."""
    charset: str | None
    """The charset the server declared, if any."""


def is_url(source: str) -> bool:
    """Whether an ARTICLE argument is a URL (any scheme; only http and https are read)."""
    return bool(_URL.match(source))


def fetch(url: str, limits: Limits | None = None) -> Page:
    """GET ``url`` within ``limits``, following redirects; raise :class:`NetworkError`."""
    import requests

    limits = limits or Limits()
    started = time.monotonic()
    current = url
    deadline = _Deadline(limits.total_timeout)
    token = _DEADLINE.set(deadline)
    try:
        with requests.Session() as session:
            session.mount("http://", _adapter_class()())
            session.mount("https://", _adapter_class()())
            session.headers.update({"User-Agent": USER_AGENT, "Accept": _ACCEPT})
            for _ in range(limits.max_redirects + 1):
                _check_scheme(url, current)
                response = _get(session, url, current, limits, started)
                with response:
                    if response.status_code in _REDIRECTS and response.headers.get("Location"):
                        current = urljoin(current, response.headers["Location"])
                        continue
                    page = _page(url, current, response, limits, started)
                    if deadline.passed:  # shut mid-body: what came is not the whole page
                        raise _too_slow(url, limits)
                    return page
    except NetworkError:
        if deadline.passed:
            raise _too_slow(url, limits) from None
        raise
    finally:
        deadline.cancel()
        _DEADLINE.reset(token)
    raise NetworkError(f"{url}: more than {limits.max_redirects} redirects")


def _too_slow(url: str, limits: Limits) -> NetworkError:
    return NetworkError(f"{url}: the download took more than {limits.total_timeout:g} s")


class _Deadline:
    """Shuts every connection of one fetch when its time is up: a server sending a header
    byte now and then never trips a read timeout, and reads are checked only between
    chunks."""

    def __init__(self, seconds: float) -> None:
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "letteraudio_fetch_deadline", default=None
)


def _watched_pools() -> dict[str, Any]:
    """urllib3 connection pools whose new sockets the current fetch's deadline watches."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    def watched(connection: type[Any]) -> type[Any]:
        class Watched(connection):  # type: ignore[misc]
            def _new_conn(self) -> socket.socket:
                sock: socket.socket = super()._new_conn()
                deadline = _DEADLINE.get()
                if deadline is not None:
                    deadline.watch(sock)
                return sock

        return Watched

    class Http(HTTPConnectionPool):
        ConnectionCls = watched(HTTPConnection)

    class Https(HTTPSConnectionPool):
        ConnectionCls = watched(HTTPSConnection)

    return {"http": Http, "https": Https}


@functools.cache
def _adapter_class() -> type[Any]:
    from requests.adapters import HTTPAdapter

    pools = _watched_pools()

    class WatchedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **kwargs)
            if hasattr(manager, "pool_classes_by_scheme") and not proxy.startswith("socks"):
                manager.pool_classes_by_scheme = pools
            return manager

    return WatchedAdapter


_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.8,*/*;q=0.1"


def _check_scheme(url: str, current: str) -> None:
    scheme = urlsplit(current).scheme.lower()
    if scheme not in SCHEMES:
        where = "" if current == url else f" (redirected to {current})"
        raise NetworkError(
            f"{url}{where}: only http and https URLs are read, not {scheme or 'this'}:"
        )


def _get(
    session: requests.Session, url: str, current: str, limits: Limits, started: float
) -> requests.Response:
    import requests

    remaining = limits.total_timeout - (time.monotonic() - started)
    if remaining <= 0:
        raise NetworkError(f"{url}: the download took more than {limits.total_timeout:g} s")
    timeout = (min(limits.connect_timeout, remaining), min(limits.read_timeout, remaining))
    try:
        return session.get(current, stream=True, allow_redirects=False, timeout=timeout)
    except requests.exceptions.SSLError as error:
        raise NetworkError(
            f"{url}: its TLS certificate cannot be verified ({_why(error)})"
        ) from None
    except requests.exceptions.ConnectTimeout:
        raise NetworkError(f"{url}: no connection within {timeout[0]:g} s") from None
    except requests.exceptions.ReadTimeout:
        raise NetworkError(f"{url}: no answer within {timeout[1]:g} s") from None
    except requests.exceptions.InvalidURL as error:
        raise NetworkError(f"{url}: not a valid URL ({_why(error)})") from None
    except requests.exceptions.ConnectionError as error:
        raise NetworkError(f"{url}: cannot connect ({_why(error)})") from None
    except requests.exceptions.RequestException as error:
        raise NetworkError(f"{url}: {_why(error)}") from None


def _page(
    url: str, current: str, response: requests.Response, limits: Limits, started: float
) -> Page:
    import requests
    import urllib3

    if response.status_code != 200:
        reason = f" {response.reason}" if response.reason else ""
        raise NetworkError(f"{url}: the server answered {response.status_code}{reason}")
    media_type, charset = _content_type(response.headers.get("Content-Type"))
    if media_type is not None and not _is_text(media_type):
        raise NetworkError(f"{url}: not a text or HTML page (it is {media_type})")
    too_big = NetworkError(f"{url}: over {limits.max_bytes / 2**20:g} MB; not an article")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise too_big
    body = bytearray()
    try:
        while chunk := response.raw.read1(65536, decode_content=True):
            body += chunk
            if len(body) > limits.max_bytes:
                raise too_big
            if time.monotonic() - started > limits.total_timeout:
                raise _too_slow(url, limits)
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise NetworkError(f"{url}: no answer within {limits.read_timeout:g} s") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        raise NetworkError(f"{url}: the download broke off ({_why(error)})") from None
    return Page(url, current, bytes(body), media_type, charset)


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.strip():
        return None, None
    media_type, *parameters = header.split(";")
    charset = None
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower() or None, charset


def _is_text(media_type: str) -> bool:
    """Text, HTML, or XML (a feed given as input is told by its content)."""
    return (
        media_type in FORMATS_BY_TYPE
        or media_type.startswith("text/")
        or media_type in ("application/xml", "application/rss+xml", "application/atom+xml")
    )


def format_of(page: Page) -> str | None:
    """The reader a page asks for by its content type (``.md`` paths are Markdown), or
    None when the server did not say."""
    if page.media_type is None:
        return None
    found = FORMATS_BY_TYPE.get(page.media_type, "text")
    path = urlsplit(page.final_url).path.lower()
    if found == "text" and path.endswith((".md", ".markdown")):
        return "markdown"
    return found


def _why(error: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, in one short line."""
    reason: BaseException = error
    while True:
        inner = reason.args[0] if reason.args else None
        if isinstance(inner, BaseException):
            reason = inner
            continue
        nested = getattr(reason, "reason", None)
        if isinstance(nested, BaseException) and nested is not reason:
            reason = nested
            continue
        break
    text = " ".join(str(reason).split())
    text = re.sub(r"<urllib3[^>]*>:\s*", "", text)
    if (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or ("getaddrinfo failed" in text or "Temporary failure in name resolution" in text)
    ):
        return "the host name cannot be resolved"
    if "Connection refused" in text:
        return "connection refused"
    return text[:160] or type(error).__name__
