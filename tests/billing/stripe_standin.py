"""A local stand-in for the two Stripe endpoints billing calls, so that the Stripe gateway is
tested through the official `stripe` library end to end without the internet (there is none
here): `POST /v1/payment_intents` and `GET /v1/payment_intents/{id}`, served by
`http.server` on 127.0.0.1 in a thread, answering the JSON shapes Stripe documents
(docs.stripe.com/api/payment_intents/object, /api/errors).

What it checks, as Stripe does: the secret key (`Authorization: Bearer sk_test_…`, 401 with
an `invalid_request_error` otherwise); form-encoded parameters with bracketed nesting
(`metadata[tenant_id]=1`); idempotency keys (the same key and parameters → the same answer
with `Idempotent-Replayed: true`, other parameters → 400 `idempotency_error`). Stricter than
Stripe: a POST without an `Idempotency-Key` is refused (billing must always send one).

The test drives the buyer's side (`succeed`, `fail`: what Stripe.js and the card network do)
and builds webhook events the way Stripe sends them, signed like Stripe (`sign`):
`Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>`.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_standin_51Dinghuo"
WEBHOOK_SECRET = "whsec_standin_secret"
API_VERSION = "2025-09-30.clover"


@dataclass
class Seen:
    """One request the stand-in received."""

    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


@dataclass
class StripeStandIn:
    secret_key: str = SECRET_KEY
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    # Idempotency-Key → (parameters, status, answer)
    keys: dict[str, tuple[dict[str, Any], int, dict[str, Any]]] = field(default_factory=dict)
    # Statuses to answer the next requests with instead (e.g. 500: Stripe is down).
    failures: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    # --- the buyer's side and Stripe's events -----------------------------------------

    def succeed(self, intent_id: str) -> dict[str, Any]:
        """The buyer paid: the intent succeeded and its amount was received."""
        with self.lock:
            intent = self.intents[intent_id]
            intent.update(status="succeeded", amount_received=intent["amount"])
            intent["last_payment_error"] = None
            return json.loads(json.dumps(intent))

    def fail(self, intent_id: str, message: str = "Your card was declined.") -> dict[str, Any]:
        """The card was declined: the intent waits for another payment method."""
        with self.lock:
            intent = self.intents[intent_id]
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": message,
            }
            return json.loads(json.dumps(intent))

    def event(self, kind: str, intent_id: str, event_id: str | None = None) -> bytes:
        """A webhook body as Stripe sends it for `kind` about the intent as it is now."""
        with self.lock:
            intent = json.loads(json.dumps(self.intents[intent_id]))
        body = {
            "id": event_id or f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": intent},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        return json.dumps(body, indent=2).encode()

    # --- the HTTP side ------------------------------------------------------------------

    def answer(
        self, method: str, path: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        params = nested(parse_qsl(raw.decode(), keep_blank_values=True)) if raw else {}
        with self.lock:
            self.seen.append(Seen(method, path, headers, params))
            if self.failures:
                status = self.failures.pop(0)
                return status, error("api_error", "Something went wrong on Stripe's end."), {}
            if headers.get("authorization") != f"Bearer {self.secret_key}":
                return 401, error("invalid_request_error", "Invalid API Key provided."), {}
            if method == "POST" and path == "/v1/payment_intents":
                return self._create(headers.get("idempotency-key", ""), params)
            if method == "GET" and path.startswith("/v1/payment_intents/"):
                return self._retrieve(path.rsplit("/", 1)[1])
            return (
                404,
                error("invalid_request_error", f"Unrecognized request URL ({method}: {path})."),
                {},
            )

    def _create(
        self, key: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not key:
            return 400, error("invalid_request_error", "The stand-in wants an Idempotency-Key."), {}
        if key in self.keys:
            first, status, body = self.keys[key]
            if first != params:
                message = (
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with."
                )
                return 400, error("idempotency_error", message), {}
            return status, body, {"Idempotent-Replayed": "true"}
        status, body = self._new_intent(params)
        self.keys[key] = (params, status, body)
        return status, body, {}

    def _new_intent(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        amount, currency = params.get("amount", ""), params.get("currency", "")
        if not amount.isdigit() or int(amount) < 1:
            return 400, error("invalid_request_error", "Invalid positive integer", param="amount")
        if len(currency) != 3 or currency != currency.lower():
            return 400, error("invalid_request_error", "Invalid currency", param="currency")
        intent_id = f"pi_{secrets.token_hex(12)}"
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": int(amount),
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": {
                "allow_redirects": "always",
                "enabled": params.get("automatic_payment_methods", {}).get("enabled") == "true",
            },
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "currency": currency,
            "description": params.get("description"),
            "last_payment_error": None,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "payment_method": None,
            "payment_method_types": ["card"],
            "status": "requires_payment_method",
        }
        self.intents[intent_id] = intent
        return 200, json.loads(json.dumps(intent))

    def _retrieve(self, intent_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        intent = self.intents.get(intent_id)
        if intent is None:
            message = f"No such payment_intent: '{intent_id}'"
            return (
                404,
                error("invalid_request_error", message, code="resource_missing", param="intent"),
                {},
            )
        return 200, json.loads(json.dumps(intent)), {}

    def posts(self) -> list[Seen]:
        """The payment intents asked for (POSTs), in order."""
        return [s for s in self.seen if s.method == "POST"]


def error(kind: str, message: str, **extra: str) -> dict[str, Any]:
    """Stripe's error body."""
    return {"error": {"type": kind, "message": message, **extra}}


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding back to nested dicts: `metadata[a]=1` → {"metadata": {"a": "1"}}."""
    out: dict[str, Any] = {}
    for name, value in pairs:
        parts = name.replace("]", "").split("[")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends with `payload`."""
    moment = int(time.time()) if timestamp is None else timestamp
    signed = f"{moment}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


def _handler(standin: StripeStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = urlsplit(self.path).path
            status, body, extra = standin.answer(self.command, path, headers, raw)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
            self.send_header("Stripe-Version", API_VERSION)
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests assert on `standin.seen`

    return Handler


@contextmanager
def running() -> Iterator[StripeStandIn]:
    """A stand-in serving on 127.0.0.1 (a free port) for the duration of the block."""
    standin = StripeStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def as_stripe(settings: Any) -> Iterator[StripeStandIn]:
    """A running stand-in, with the settings (pytest-django's `settings` fixture) making
    Stripe the card payment provider and pointing its gateway at the stand-in."""
    with running() as standin:
        settings.STRIPE_SECRET_KEY = standin.secret_key
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_standin"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = standin.url
        settings.STRIPE_MAX_NETWORK_RETRIES = 0  # a failure is the test's, at once
        settings.DINGHUO_CARD_PROVIDER = "stripe"
        yield standin
