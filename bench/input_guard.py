"""What the input guard (`core.input_guard`) costs a request, in microseconds.

    uv run python -m bench.input_guard [--rounds 20000]

No database: requests as a browser and an API client send them (a dozen headers, session,
CSRF and language cookies) are built with Django's RequestFactory, and each check is timed
on fresh requests, the cookie parsing included (the session middleware would parse them
anyway, so this overstates the guard). Printed: the median and 99th percentile per request
of the checks of the path, query, headers and cookies (every request), of a page's form
(POSTs to pages, which Django's CSRF check parses anyway: the parse is shown apart), and the
whole middleware around a view that does nothing.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django

BROWSER = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari",
    "HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "HTTP_ACCEPT_LANGUAGE": "zh-HK,zh-Hant;q=0.9,en;q=0.8",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
    "HTTP_REFERER": "https://shop.example.com/catalogue/?q=wrench",
    "HTTP_SEC_FETCH_DEST": "document",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_SITE": "same-origin",
    "HTTP_UPGRADE_INSECURE_REQUESTS": "1",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_COOKIE": (
        "sessionid=4m1n0ppy1q7tbz0d6h4c8x2k9e3r5w7a; "
        "csrftoken=Zr8Tq3sVn6Yb2Lm9Xc4Wd7Kf1Gh5Jp0Q; django_language=zh-hant"
    ),
}


def _timed(make: Callable[[], Any], check: Callable[[Any], Any], rounds: int) -> list[float]:
    """Microseconds of `check` on each of `rounds` fresh requests."""
    took = []
    for _ in range(rounds):
        request = make()
        began = time.perf_counter_ns()
        check(request)
        took.append((time.perf_counter_ns() - began) / 1000)
    return took


def _row(name: str, took: list[float]) -> None:
    ranked = sorted(took)
    p99 = ranked[int(len(ranked) * 0.99)]
    print(f"  {name:<58} {statistics.median(took):7.2f} µs  p99 {p99:7.2f} µs")


def main() -> None:
    """Time the guard's checks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20000)
    rounds = parser.parse_args().rounds
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinghuo.config.settings")
    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory

    from dinghuo.core import input_guard

    factory = RequestFactory()
    form = {"sku": "A-1", "quantity": "12", "next": "/catalogue/?q=wrench", "pack": "6"}
    order = b'{"company_id": 1, "ship_to_id": 1, "lines": [{"sku": "A-1", "quantity": 2}]}'

    def page_get() -> Any:
        return factory.get("/catalogue/", {"q": "wrench", "category": "3"}, **BROWSER)

    def page_post() -> Any:
        body = urlencode(form)
        return factory.post("/cart/add/", body, "application/x-www-form-urlencoded", **BROWSER)

    def api_post() -> Any:
        return factory.post("/api/v1/orders", order, content_type="application/json")

    guard = input_guard.InputGuard(lambda request: HttpResponse())

    def parsed(request: Any) -> Any:
        return request.POST

    def cookies(request: Any) -> Any:
        return request.COOKIES

    def whole_post(request: Any) -> Any:
        guard.process_view(request, lambda r: None, (), {})
        return guard(request)

    print(f"The input guard, {rounds} fresh requests each (Django {django.get_version()}):")
    rows: list[tuple[str, Callable[[], Any], Callable[[Any], Any]]] = [
        ("page GET: cookies parsed (sessions parse them anyway)", page_get, cookies),
        ("page GET: path, query, 12 headers, 3 cookies", page_get, input_guard.envelope_has_nul),
        ("API POST (JSON): path, query, headers", api_post, input_guard.envelope_has_nul),
        ("page POST: form parsed (the CSRF check parses it anyway)", page_post, parsed),
        ("page POST: form parsed and checked", page_post, input_guard.form_has_nul),
        ("whole middleware, page GET", page_get, guard),
        ("whole middleware, page POST (process_view and call)", page_post, whole_post),
    ]
    for name, make, check in rows:
        _row(name, _timed(make, check, rounds))


if __name__ == "__main__":
    main()
