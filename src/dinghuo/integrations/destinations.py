"""Where webhooks may be sent: never to the platform itself, nor (unless an operator allows
it) to private, loopback or other non-public addresses, which would let a subscriber reach
services behind the firewall (server-side request forgery).

The address is checked when a subscription is saved and again, resolved, before each batch of
sends (once per address a batch): the requests then go to the very address that was checked,
so a name that resolves to a public address at first and a private one later (DNS
rebinding) gains nothing.
"""

import contextlib
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from dinghuo.core.errors import FieldError, ValidationFailed

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class Unresolved(OSError):
    """The host name has no address now."""


@dataclass(frozen=True)
class Destination:
    """A checked URL and the address it resolved to."""

    url: str
    host: str
    address: str


def private_addresses_allowed() -> bool:
    """The operator setting DINGHUO_WEBHOOK_PRIVATE_ADDRESSES (tests and closed networks)."""
    return bool(settings.DINGHUO_WEBHOOK_PRIVATE_ADDRESSES)


def check_url(url: str, platform_hosts: list[str]) -> None:
    """422 `webhook_url_refused` unless `url` is one the platform may send webhooks to.

    `platform_hosts` are this platform's own `host[:port]` names (the request's host, the
    portal's address): a subscription must not make the platform call itself."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if private_addresses_allowed() else {"https"}
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise _refused("Use an https:// address.")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number in range)
    except ValueError as exc:
        raise _refused("The port is not a number from 1 to 65535.") from exc
    if not _valid_host(parts.hostname):
        raise _refused("The host name is not valid.")
    if parts.username or parts.password:
        raise _refused("Leave user names and passwords out of the address; it is signed.")
    if _netloc(parts.scheme, parts.hostname, parts.port) in {
        _normal(host, parts.scheme) for host in platform_hosts if host
    }:
        raise _refused("That address is this platform itself.")
    if parts.hostname.lower().rstrip(".") in LOCAL_NAMES and not private_addresses_allowed():
        raise _refused("The address is private, loopback or otherwise not public.")
    # A name not (yet) in the DNS is accepted: every batch of sends resolves it again and
    # checks what it finds before sending, so it can never lead inside.
    with contextlib.suppress(Unresolved):
        resolve(url)


def resolve(url: str) -> Destination:
    """The address to send to: the first the host resolves to, if every one is allowed
    (else 422 `webhook_url_refused`); `Unresolved` when the name has no address."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolved("The host name does not resolve.") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not private_addresses_allowed():
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise _refused("The address is private, loopback or otherwise not public.")
    return Destination(url=url, host=host, address=addresses[0])


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _valid_host(host: str) -> bool:
    """An IP address, or a DNS name (international names in their IDNA form)."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_name = host.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return False
    labels = ascii_name.split(".")
    return len(ascii_name) <= 253 and all(_LABEL.match(label) for label in labels)


def _netloc(scheme: str, host: str, port: int | None) -> str:
    default = 443 if scheme == "https" else 80
    return f"{host.lower().rstrip('.')}:{port or default}"


def _normal(host_and_port: str, scheme: str) -> str:
    parts = urlsplit(f"{scheme}://{host_and_port}")
    return _netloc(scheme, parts.hostname or "", parts.port)


def _refused(reason: str) -> ValidationFailed:
    return ValidationFailed(
        f"Webhooks cannot be sent to this address. {reason}",
        code="webhook_url_refused",
        errors=[FieldError("url", "webhook_url_refused", reason)],
    )
