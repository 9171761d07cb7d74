"""How long links live, and how a link's token is kept (pure; no database)."""

import hashlib
import secrets
from datetime import timedelta

# An invitation's link works for a week from the (last) time it was sent; a password reset
# link for an hour (Django's PASSWORD_RESET_TIMEOUT, set in settings).
INVITATION_LIFETIME = timedelta(days=7)
# A session's "last seen" is written at most this often, not on every request.
SEEN_EVERY = timedelta(minutes=1)


def new_token() -> str:
    """A fresh link token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256 (a random token needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


# The session key of the seller (tenant) a buyer with several memberships works with now.
CHOSEN_TENANT = "dinghuo_tenant_id"
