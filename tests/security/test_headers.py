"""Security headers and cookies on the pages, the admin and over HTTPS."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.builders import World

SRC = Path(settings.BASE_DIR) / "src" / "dinghuo"
PAGES_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _policy(header: str) -> dict[str, str]:
    """A Content-Security-Policy as {directive: sources} (django-csp orders them freely)."""
    parts = (part.strip().split(" ", 1) for part in header.split(";"))
    return {name: sources for name, sources in parts}


def test_pages_get_the_strict_policy_and_the_admin_its_own(client: Client, db: None) -> None:
    page = client.get("/signin/")
    assert _policy(page["Content-Security-Policy"]) == PAGES_POLICY
    admin = client.get("/admin/login/")
    assert admin.status_code == 200
    assert _policy(admin["Content-Security-Policy"]) == {
        **PAGES_POLICY,
        "script-src": "'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src": "'self' 'unsafe-inline'",
    }


def test_pages_refuse_powerful_browser_features(client: Client, db: None) -> None:
    refused = dict(
        rule.split("=") for rule in client.get("/signin/")["Permissions-Policy"].split(", ")
    )
    assert refused["camera"] == refused["geolocation"] == refused["microphone"] == "()"
    assert refused["payment"] == refused["usb"] == "()"


def test_https_gets_hsts_and_secure_cookies_plain_http_neither(client: Client, db: None) -> None:
    secure = client.get("/signin/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.cookies["csrftoken"]["secure"] is True
    plain = Client().get("/signin/")
    assert "Strict-Transport-Security" not in plain
    assert not plain.cookies["csrftoken"]["secure"]


def test_the_language_and_session_cookies_are_secure_over_https(world: World) -> None:
    from tests.builders import add_buyer

    member, _ = add_buyer(world, "ann@buyer.test")
    member.user.set_password("a long and unusual passphrase")
    member.user.save()
    client = Client()
    signed_in = client.post(
        "/signin/",
        {"email": "ann@buyer.test", "password": "a long and unusual passphrase"},
        secure=True,
    )
    assert signed_in.status_code == 302
    assert signed_in.cookies["sessionid"]["secure"] is True
    chosen = client.post(reverse("set-language"), {"language": "zh-hant", "next": "/"}, secure=True)
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME]["secure"] is True


def test_a_claim_of_https_is_believed_only_from_a_trusted_proxy(
    client: Client, db: None, settings
) -> None:
    claimed = client.get("/signin/", HTTP_X_FORWARDED_PROTO="https")
    assert "Strict-Transport-Security" not in claimed
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as TRUSTED_PROXY
    trusted = client.get("/signin/", HTTP_X_FORWARDED_PROTO="https")
    assert trusted["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("trusted", [True, False])
def test_failures_per_address_count_the_proxys_client_only_when_trusted(
    client: Client, db: None, settings, trusted: bool
) -> None:
    settings.DINGHUO_TRUSTED_PROXY = trusted
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 2

    def guess(email: str, address: str) -> int:
        # The client's own X-Forwarded-For entry first, then the one our proxy appended.
        forwarded = f"6.6.6.6, {address}"
        body = {"email": email, "password": "guess"}
        return client.post("/signin/", body, HTTP_X_FORWARDED_FOR=forwarded).status_code

    assert guess("a@buyer.test", "203.0.113.1") == 200
    assert guess("b@buyer.test", "203.0.113.1") == 200
    # Another client behind the proxy is another address, if the proxy is trusted.
    assert guess("c@buyer.test", "203.0.113.2") == (200 if trusted else 429)
    assert guess("d@buyer.test", "203.0.113.1") == 429


def _templates() -> list[Path]:
    """Page templates: e-mails are read by mail programs, not under the pages' policy, and
    need their styles inline (most mail programs drop <style> and stylesheets)."""
    return sorted(p for p in SRC.glob("*/templates/**/*.html") if "email" not in p.parts)


def test_no_page_template_has_inline_script_style_or_event_handlers() -> None:
    """The pages' policy forbids them: the browser would ignore them (the admin's templates
    are unfold's, outside src/)."""
    assert len(_templates()) > 40
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=|javascript:|hx-on",
        re.IGNORECASE,
    )
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in _templates()
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def test_a_page_answer_carries_every_safe_default(client: Client, db: None) -> None:
    """Read off one page's answer: no framing by anyone (two ways), the address of our pages
    kept from other sites, no guessing of content types, a window of its own."""
    page = client.get("/signin/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert _policy(page["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert page.cookies["csrftoken"]["samesite"] == "Lax"
