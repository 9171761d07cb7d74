"""The pages at scale: the buyer's catalogue, cart, order list and a 200-row quick-order
paste, and the staff's order desk and dashboard, rendered by the served application
(gunicorn) for signed-in people, one request at a time.

    uv run python -m bench.pages [--quick] [--no-load] [--database NAME] [--requests 200]

A child process (Django configured) gives the first bench company a buyer with a password,
a cart of 20 lines and, if it has none, a few orders; the parent signs in over HTTP like a
browser (CSRF cookie and token, session cookie) and times each page. Targets (issue 4):
pages < 80 ms p95 server-side, a 200-row paste validated < 1 s.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import load
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_DATABASE = "dinghuo_bench"
PAGE_TARGET_MS = 80.0
PASTE_TARGET_MS = 1000.0
PASTE_ROWS = 200
EMAIL = "bench.buyer@bench.example"
STAFF_EMAIL = "bench.staff@bench.example"


@dataclass
class PagesOutcome:
    """Latencies per page (ms), or why nothing was measured."""

    skipped: str | None = None
    pages: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def percentile(data: list[float], q: float) -> float:
        ordered = sorted(data)
        if not ordered:
            return float("nan")
        return ordered[max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5))) - 1]

    def render(self) -> str:
        """The figures as Markdown lines for the report."""
        if self.skipped:
            return f"- buyer pages: not measured ({self.skipped})"
        lines = []
        for name, timings in self.pages.items():
            target = PASTE_TARGET_MS if name.startswith("quick-order") else PAGE_TARGET_MS
            p95 = self.percentile(timings, 95)
            verdict = "met" if p95 < target else "MISSED"
            lines.append(
                f"- {name}: {len(timings)} requests, p50 {self.percentile(timings, 50):.1f} ms, "
                f"p95 {p95:.1f} ms (target < {target:.0f} ms: {verdict})"
            )
        lines += [f"- {name} FAILED: {why}" for name, why in self.failures.items()]
        return "\n".join(lines)


# --- the child process: a buyer with a cart and orders (Django configured) -----------------


def _child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction

    from dinghuo.backoffice.models import StaffMember
    from dinghuo.buying import services as buying
    from dinghuo.customers.models import Company, CompanyUser, Location
    from dinghuo.orders.models import Order
    from dinghuo.orders.services import LineRequest, place_order

    call_command("migrate", verbosity=0)  # a reused database may predate the newest tables
    world = json.loads(Path(args.world).read_text())
    tenant = world["tenant_id"]
    company = Company.objects.get(tenant_id=tenant, pk=world["companies"][0][0])
    password = secrets.token_urlsafe(16)
    with transaction.atomic():
        user, _ = get_user_model().objects.get_or_create(
            username=EMAIL, defaults={"email": EMAIL, "first_name": "Bench"}
        )
        user.set_password(password)
        user.save()
        member, _ = CompanyUser.objects.get_or_create(
            user=user, defaults={"tenant_id": tenant, "company": company, "role": "admin"}
        )
        skus = world["skus"]
        for code in skus[:20]:
            buying.add_to_cart(
                tenant_id=tenant, company_id=company.pk, owner_id=member.pk, sku=code, quantity=1
            )
        ship_to = Location.objects.filter(company=company, kind="ship_to").values_list(
            "id", flat=True
        )[0]
        for n in range(max(0, 30 - Order.objects.filter(company=company).count())):
            place_order(
                tenant_id=tenant,
                company_id=company.pk,
                ship_to_id=ship_to,
                lines=[LineRequest(skus[(n * 7 + k) % len(skus)], 1 + k) for k in range(5)],
            )
        staff, _ = get_user_model().objects.get_or_create(
            username=STAFF_EMAIL, defaults={"email": STAFF_EMAIL, "first_name": "Bench"}
        )
        staff.set_password(password)
        staff.save()
        StaffMember.objects.get_or_create(user=staff, defaults={"tenant_id": tenant})
    Path(args.out).write_text(json.dumps({"email": EMAIL, "password": password}))


# --- the parent: sign in like a browser, then time the pages -------------------------------


class _Browser:
    """Cookies and CSRF over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, bytes, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = "http://127.0.0.1/"
        began = time.perf_counter()
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        took = (time.perf_counter() - began) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, took

    def sign_in(self, email: str, password: str, at: str = "/signin/") -> None:
        status, page, _ = self.request("GET", at)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page: {status}")
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "email": email}
        status, _, _ = self.request("POST", at, {**form, "password": password})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in refused: {status}")


def _paste(skus: list[str]) -> str:
    return "\n".join(f"{skus[i * 37 % len(skus)]}\t{1 + i % 9}" for i in range(PASTE_ROWS))


def measure(database: str, world_path: Path, *, requests: int = 200) -> PagesOutcome:
    """Prepare the buyer in `database` and time each page over HTTP."""
    out = RESULTS / f"pages-{database}.json"
    env = {
        **os.environ,
        "DATABASE_URL": load.database_url(database),
        "DB_POOL": "0",
        "DJANGO_SETTINGS_MODULE": "dinghuo.config.settings",
    }
    cmd = [sys.executable, "-m", "bench.pages", "--child", "--world", str(world_path)]
    done = subprocess.run(
        [*cmd, "--out", str(out)], env=env, timeout=900, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return PagesOutcome(skipped=f"child failed: {done.stderr[-600:]}")
    login = json.loads(out.read_text())
    world = json.loads(world_path.read_text())
    outcome = PagesOutcome()
    log = RESULTS / f"server-pages-{database}.log"
    with Server(load.database_url(database), 1, log) as server:
        server.wait_ready()
        browser = _Browser(server.port)
        browser.sign_in(login["email"], login["password"])
        staff = _Browser(server.port)
        staff.sign_in(STAFF_EMAIL, login["password"], at="/staff/signin/")
        paste = {"action": "paste", "rows_text": _paste(world["skus"])}
        plan: list[tuple[str, _Browser, str, str, dict[str, Any] | None, int]] = [
            ("catalogue page of 50", browser, "GET", "/catalogue/", None, requests),
            (
                "catalogue search",
                browser,
                "GET",
                "/catalogue/?" + urlencode({"q": "Article 12"}),
                None,
                50,
            ),
            ("cart of 20 lines", browser, "GET", "/cart/", None, requests),
            ("order list", browser, "GET", "/orders/", None, requests),
            (
                f"quick-order paste of {PASTE_ROWS} rows",
                browser,
                "POST",
                "/quick-order/",
                paste,
                30,
            ),
            ("staff order desk", staff, "GET", "/staff/orders/", None, requests),
            ("staff dashboard", staff, "GET", "/staff/", None, 50),
        ]
        for name, who, method, path, form, count in plan:
            timings = []
            for i in range(count + 5):
                status, body, took = who.request(method, path, form)
                if status != 200:
                    outcome.failures[name] = f"{status}: {body[:200]!r}"
                    break
                if i >= 5:  # the first requests warm the worker up
                    timings.append(took)
            outcome.pages[name] = timings
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Load (unless --no-load), measure, print; 1 when a page failed."""
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 SKUs, 200 companies")
    parser.add_argument("--no-load", action="store_true", help="reuse the database")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--world", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    RESULTS.mkdir(exist_ok=True)
    world_path = RESULTS / f"world-{args.database}.json"
    if not (args.no_load and world_path.exists()):
        scale = load.QUICK if args.quick else load.FULL
        print(f"loading {scale.skus:,} SKUs and {scale.companies:,} companies", flush=True)
        print(f"loaded in {load.prepare(args.database, scale, world_path):.1f} s", flush=True)
    outcome = measure(args.database, world_path, requests=args.requests)
    print(outcome.render())
    print(json.dumps({k: v for k, v in asdict(outcome).items() if k != "pages"}))
    return 1 if outcome.skipped or outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
