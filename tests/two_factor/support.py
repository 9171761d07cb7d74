"""Codes computed here, independently of django-otp: RFC 6238 (TOTP: HMAC-SHA1 over the
30-second step count, dynamic truncation, 6 digits), and people enrolled through the page."""

import hashlib
import hmac
import re
import struct
import time
from base64 import b32decode
from typing import Any

from django.test import Client

from tests.backoffice.staffing import csrf_post

STEP = 30


def totp(secret: str, *, steps_ahead: int = 0) -> str:
    """The 6-digit code of `secret` (base32, spaces allowed) for the step now + `steps_ahead`."""
    key = b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int(time.time()) // STEP + steps_ahead
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def secret_on(page: Any) -> str:
    """The secret the set-up page shows for typing by hand."""
    found = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page.content.decode())
    assert found, "the page shows no secret"
    return found.group(1)


def recovery_codes_on(page: Any) -> list[str]:
    return re.findall(r'data-testid="recovery-code">([a-z2-7-]+)<', page.content.decode())


def enrol(client: Client, page_url: str) -> tuple[str, list[str]]:
    """Set up two-step sign-in on the page at `page_url` as a person would: begin, read the
    secret, type the app's code; returns the secret and the recovery codes shown."""
    assert csrf_post(client, page_url, {"action": "begin"}).status_code == 302
    secret = secret_on(client.get(page_url))
    confirmed = csrf_post(client, page_url, {"action": "confirm", "code": totp(secret)})
    assert confirmed.status_code == 302, confirmed.content.decode()
    codes = recovery_codes_on(client.get(page_url))
    assert len(codes) == 10
    return secret, codes
