"""A webhook receiver for tests: an HTTP server on 127.0.0.1 that records what it gets and
answers what the test says. Signatures are checked here as docs/webhooks.md tells receivers
to, with hmac directly (not with the platform's signing module)."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    # What to answer for a delivery: (status, body); the default is 200.
    answer: Callable[[Received], tuple[int, bytes]] = lambda got: (200, b"ok")
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [got.event for got in self.received]


def verified(secret: str, got: Received, tolerance: float = 300) -> bool:
    """True when one `v1` signature of the request is HMAC-SHA256(secret, "<t>." + body) and
    `t` is recent: what a receiver must check."""
    parts = [p.split("=", 1) for p in got.headers["Dinghuo-Signature"].split(",")]
    stamp = next(value for key, value in parts if key == "t")
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + got.body, hashlib.sha256)
    fresh = abs(time.time() - int(stamp)) <= tolerance
    return fresh and any(
        key == "v1" and hmac.compare_digest(value, expected.hexdigest()) for key, value in parts
    )


@contextmanager
def receiving(port: int = 0, **options: Any) -> Iterator[Receiver]:
    """Run a receiver (on `port`, or a free one) until the block ends."""
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            got = Received(dict(self.headers.items()), self.rfile.read(length), time.time())
            with receiver.lock:
                receiver.received.append(got)
            if receiver.delay:
                time.sleep(receiver.delay)
            status, body = receiver.answer(got)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    receiver = Receiver(port=server.server_address[1], **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def free_port() -> int:
    """A port nothing listens on (yet): a receiver that is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
