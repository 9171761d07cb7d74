"""The buyer's catalogue page (`GET /api/v1/catalog`), timed at random companies and cursors."""

import http.client
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import orjson

from bench.orders import World

PATH = "/api/v1/catalog"
PAGE = 50
# Pages walked from the start to learn what cursors look like when they are not plain ids.
WALK = 20


@dataclass
class CatalogOutcome:
    """Latencies of successful page reads and the other answers, or why the route was
    deliberately not measured (`skipped`: the API has no such route)."""

    skipped: str | None = None
    latencies_ms: list[float] = field(default_factory=list)
    failures: dict[int, int] = field(default_factory=dict)
    sample: str = ""

    @property
    def failure(self) -> str | None:
        """Why the phase failed: answers other than 200; None when every read was answered."""
        return f"answers other than 200 {self.failures}: {self.sample}" if self.failures else None

    def percentile(self, q: float) -> float:
        """Nearest-rank latency at quantile `q` (0–100); NaN when nothing was measured."""
        data = sorted(self.latencies_ms)
        if not data:
            return float("nan")
        return data[max(1, min(len(data), round(q / 100 * len(data) + 0.5))) - 1]


class _Client:
    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, params: dict[str, object]) -> tuple[int, str, bytes, float]:
        """One page read: status, content type, body and seconds taken."""
        began = time.monotonic()
        try:
            self.conn.request("GET", f"{PATH}?{urlencode(params)}", headers=self.headers)
            response = self.conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return 0, "", repr(exc).encode(), time.monotonic() - began
        return (
            response.status,
            response.getheader("Content-Type", ""),
            body,
            time.monotonic() - began,
        )


def _route_exists(port: int) -> bool:
    # The API answers an unknown route with a problem+json 404 like any other 404, so the
    # OpenAPI document is what tells whether the catalogue is there.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/api/v1/openapi.json")
        response = conn.getresponse()
        schema = orjson.loads(response.read()) if response.status == 200 else {}
    finally:
        conn.close()
    return "get" in schema.get("paths", {}).get(PATH, {})


def measure(port: int, world: World, *, requests: int = 500, seed: int = 7) -> CatalogOutcome:
    """Time `requests` page reads; skipped when the route does not exist (an older API)."""
    rnd = random.Random(seed)
    client = _Client(port, world.token)
    if not _route_exists(port):
        return CatalogOutcome(skipped=f"not available: the API has no GET {PATH}")
    company = world.companies[0][0]
    status, _, body, _ = client.get({"company_id": company, "limit": PAGE})
    if status != 200:
        text = body[:300].decode(errors="replace")
        return CatalogOutcome(failures={status: 1}, sample=f"first page answered {status}: {text}")
    cursors: list[str | None] = [None]
    page = orjson.loads(body)
    while len(cursors) < WALK and page.get("next_cursor"):
        cursors.append(page["next_cursor"])
        status, _, body, _ = client.get(
            {"company_id": company, "limit": PAGE, "after": page["next_cursor"]}
        )
        if status != 200:
            break
        page = orjson.loads(body)
    numeric = all(c is None or str(c).isdigit() for c in cursors) and len(cursors) > 1

    outcome = CatalogOutcome()
    for _ in range(requests):
        params: dict[str, object] = {"company_id": rnd.choice(world.companies)[0], "limit": PAGE}
        # Plain-id cursors can point anywhere in the catalogue; opaque ones only where walked.
        cursor = str(rnd.randint(0, world.max_sku_id - PAGE)) if numeric else rnd.choice(cursors)
        if cursor is not None:
            params["after"] = cursor
        status, _, body, elapsed = client.get(params)
        if status == 200:
            outcome.latencies_ms.append(elapsed * 1000)
        else:
            outcome.failures[status] = outcome.failures.get(status, 0) + 1
            outcome.sample = outcome.sample or f"{status} {body[:300].decode(errors='replace')}"
    client.conn.close()
    return outcome
