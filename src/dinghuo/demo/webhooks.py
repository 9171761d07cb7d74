"""The demo's webhook: the seller connected its ERP today, with the last week's order and
invoice events as a backfill, delivered signed through the real worker code (one failed once
with a 503 and went through on its retry). The ERP cannot be reached from a demo machine, so
the subscription now points at its address and is switched off; switched on, it goes on
from then."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import override_settings

from dinghuo.core import clock
from dinghuo.integrations import delivery, services
from dinghuo.integrations.models import Event

ERP_URL = "https://erp.harbour-trading.example/dinghuo/events"
DAYS = 7


@contextmanager
def _erp_stand_in() -> Iterator[str]:
    """A receiver on 127.0.0.1 for the load: 200 for every event, 503 once for the first."""
    refused: list[bool] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, body = (200, b'{"received": true}')
            if not refused:
                refused.append(True)
                status, body = 503, b"ERP busy: nightly backup running"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/dinghuo/events"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def connect_the_erp(tenant_id: int, end: datetime) -> int:
    """Subscribe the ERP to the last week's order and invoice events and deliver them;
    returns how many were delivered."""
    before = Event.objects.filter(tenant_id=tenant_id, occurred_at__lt=end - timedelta(days=DAYS))
    start = before.order_by("-txid", "-id").values_list("txid", "id").first() or (0, 0)
    with override_settings(DINGHUO_WEBHOOK_PRIVATE_ADDRESSES=True), _erp_stand_in() as url:
        with clock.as_of(end - timedelta(minutes=15)):
            made = services.create_subscription(
                tenant_id=tenant_id,
                url=url,
                event_types=["order.*", "invoice.*"],
                description="ERP 訂單及發票 ERP orders and invoices",
                contact_email="it@harbour-trading.example",
                platform_hosts=[],
                start_after=start,
            )
        sent = 0
        for minutes in (10, 5):  # the 503 is retried 30 s later, in the second round
            with clock.as_of(end - timedelta(minutes=minutes)):
                while done := delivery.make_deliveries() + delivery.send_due_deliveries():
                    sent += done
    with clock.as_of(end - timedelta(minutes=1)):
        services.update_subscription(
            tenant_id=tenant_id,
            subscription_id=made.subscription.pk,
            url=ERP_URL,
            is_active=False,
            platform_hosts=[],
        )
    return sent
