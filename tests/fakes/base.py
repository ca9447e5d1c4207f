"""What the fake platform servers share: serving on 127.0.0.1, and faults injected per endpoint.

A fake subclasses FakeServer and implements `answer(method, path, params, headers, body)`,
returning (status, headers, body bytes). Tests inject faults by endpoint key (a path, an XRPC
method name): the next N requests fail with a status, wait, are held until released, or get a
web page instead of JSON; `answer` is asked only when no fault answered first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HTML_ERROR = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class Fault:
    key: str
    times: int
    status: int = 0
    delay: float = 0.0
    pause: threading.Event | None = None
    garbage: bool = False
    wait: float | None = None  # a 429 asking to wait this long


class FakeServer:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.paused = threading.Event()  # set when a paused request arrives
        self.url = ""

    # Faults -----------------------------------------------------------------------------------------

    def fail(self, key: str, status: int = 503, *, times: int = 1) -> None:
        """The next `times` requests to `key` get `status` with an HTML body, as a proxy would send."""
        self.faults.append(Fault(key, times, status=status))

    def delay(self, key: str, seconds: float, *, times: int = 1) -> None:
        """The next requests to `key` are answered after `seconds` (the work is still done: a timeout
        on the client's side does not undo it)."""
        self.faults.append(Fault(key, times, delay=seconds))

    def limit(self, key: str, wait: float, *, times: int = 1) -> None:
        """The next requests to `key` are refused with 429, asking to wait `wait` seconds (see too_many)."""
        self.faults.append(Fault(key, times, status=429, wait=wait))

    def too_many(self, wait: float) -> tuple[int, dict, bytes]:
        """A 429 in the platform's words; this plain one says only Retry-After."""
        return 429, {"Retry-After": str(int(wait))}, b'{"error": "rate limited"}'

    def garbage(self, key: str, *, times: int = 1) -> None:
        self.faults.append(Fault(key, times, garbage=True))

    def pause(self, key: str, *, skip: int = 0) -> threading.Event:
        """Hold the (skip+1)-th next request to `key` until the returned event is set."""
        release = threading.Event()
        if skip:
            self.faults.append(Fault(key, skip))  # a fault that does nothing lets the first `skip` through
        self.faults.append(Fault(key, 1, pause=release))
        return release

    def take_fault(self, key: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.key == key and fault.times > 0:
                    fault.times -= 1
                    if not fault.times:
                        self.faults.remove(fault)
                    return fault
        return None

    def suffer(self, fault: Fault | None) -> tuple[int, dict, bytes] | None:
        """Apply a fault taken for this request: an answer of its own, or None to answer normally."""
        if fault is None:
            return None
        if fault.pause is not None:
            self.paused.set()
            fault.pause.wait(60)
        if fault.delay:
            time.sleep(fault.delay)
        if fault.garbage:
            return 200, {"Content-Type": "text/html"}, b"<html><body>Maintenance</body></html>"
        if fault.status == 429 and fault.wait is not None:
            return self.too_many(fault.wait)
        if fault.status:
            return fault.status, {"Content-Type": "text/html"}, HTML_ERROR
        return None

    # Serving -------------------------------------------------------------------------------------------

    def answer(self, method: str, path: str, params: dict[str, list[str]], headers, body: bytes) -> tuple[int, dict, bytes]:
        raise NotImplementedError

    @contextmanager
    def serving(self):
        with serve(_handler(self)) as url:
            self.url = url
            yield url


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1 (a free port) in a thread of its own; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _handler(fake: FakeServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PUT(self):
            self._serve("PUT")

        def do_DELETE(self):
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = fake.answer(method, parts.path, parse_qs(parts.query), self.headers, body)
            try:
                self.send_response(status)
                headers = {"Content-Type": "application/json; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def log_message(self, format, *args):  # quiet
            pass

    return Handler
