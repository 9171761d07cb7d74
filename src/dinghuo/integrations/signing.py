"""Webhook signatures: HMAC-SHA256 over the timestamp and the body, as receivers check them.

Header: `Dinghuo-Signature: t=<unix seconds>,v1=<hex>` where the hex is
HMAC-SHA256(secret, "<t>." + body). While a rotated-out secret is still honoured, a second
`v1=` signed with it follows. Receivers recompute it, compare in constant time and refuse a
timestamp older than a few minutes (a replayed request). docs/webhooks.md has the snippet.
"""

import hashlib
import hmac
import secrets

HEADER = "Dinghuo-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a label, not a secret)


def new_secret() -> str:
    """A fresh signing secret (shown to the subscriber when made)."""
    return SECRET_PREFIX + secrets.token_hex(24)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def header(secrets_in_use: list[str], timestamp: int, body: bytes) -> str:
    """The signature header's value: the time, then one `v1=` per secret in use."""
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret, timestamp, body)}" for secret in secrets_in_use if secret]
    return ",".join(parts)
