"""Clients placing orders through the API while the test breaks things, each order under its
own Idempotency-Key, retried with the same key until it gets a final answer (201 or 409):
after a 503 once its Retry-After has passed, after a dropped connection at once.

Every answer is recorded with when it was sent and received (monotonic seconds), so the test
can ask what was answered in each phase and how long the 503s took.
"""

import http.client
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import orjson

DROPPED = 0  # the status recorded when the connection broke before an answer
FINAL = (201, 409)


@dataclass(frozen=True)
class Answer:
    """One request and what came back."""

    key: str
    sent: float
    received: float
    status: int
    code: str | None = None
    retry_after: str | None = None
    order_id: int | None = None

    @property
    def seconds(self) -> float:
        return self.received - self.sent


class Clients:
    """`count` threads placing small orders against the server on `port` until stopped."""

    def __init__(self, port: int, shop: dict[str, Any], count: int = 4) -> None:
        self.port = port
        self.shop = shop
        self.answers: list[Answer] = []  # appended by every thread (atomic in CPython)
        self.outcomes: dict[str, dict[str, Any]] = {}
        self.unfinished: list[str] = []
        self._in_flight: dict[int, float] = {}  # client → when its current request was sent
        self._stopping = threading.Event()
        self._give_up_at = float("inf")
        self._threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(count)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, finish_within: float = 30) -> None:
        """Take no new order; let each client finish the one it is retrying, then return."""
        self._give_up_at = time.monotonic() + finish_within
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=finish_within + 35)

    def successes(self) -> list[Answer]:
        return [a for a in self.answers if a.status == 201]

    def oldest_in_flight(self) -> float:
        """Seconds the longest-waiting request in flight has waited so far (0 when none)."""
        sent = list(self._in_flight.values())
        return time.monotonic() - min(sent) if sent else 0.0

    def _body(self, rng: random.Random) -> dict[str, Any]:
        lines = [("A-1", rng.randint(1, 20)), ("B-2", 6 * rng.randint(1, 3)),
                 ("C-3", rng.randint(1, 9))]  # fmt: skip
        rng.shuffle(lines)
        return {
            "company_id": self.shop["company_id"],
            "ship_to_id": self.shop["ship_to_id"],
            "lines": [{"sku": s, "quantity": q} for s, q in lines[: rng.randint(1, 3)]],
        }

    def _run(self, index: int) -> None:
        rng = random.Random(index)
        number = 0
        while not self._stopping.is_set():
            number += 1
            self._place(index, f"client{index}-{number}", orjson.dumps(self._body(rng)))

    def _place(self, index: int, key: str, body: bytes) -> None:
        while time.monotonic() < self._give_up_at:
            self._in_flight[index] = time.monotonic()
            answer = self._send(key, body)
            del self._in_flight[index]
            self.answers.append(answer)
            if answer.status in FINAL:
                self.outcomes[key] = {"status": answer.status, "order_id": answer.order_id}
                return
            if answer.status == 503:
                time.sleep(float(answer.retry_after or 1))
            elif answer.status != DROPPED:  # anything else is wrong: the test says so
                self.outcomes[key] = {"status": answer.status, "order_id": None}
                return
        self.unfinished.append(key)

    def _send(self, key: str, body: bytes) -> Answer:
        headers = {
            "Authorization": f"Bearer {self.shop['key']}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        sent = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("POST", "/api/v1/orders", body, headers)
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)  # the worker died; gunicorn starts another
            return Answer(key, sent, time.monotonic(), DROPPED)
        finally:
            conn.close()
        received = time.monotonic()
        data = orjson.loads(raw) if raw.startswith(b"{") else {}
        return Answer(
            key,
            sent,
            received,
            response.status,
            code=data.get("code"),
            retry_after=response.getheader("Retry-After"),
            order_id=data.get("id") if response.status == 201 else None,
        )
