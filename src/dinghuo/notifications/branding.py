"""The brand a tenant's mails wear: its display name, logo and primary colour, read from the
tenant's branding (`core.branding`, set on the back office's Branding page)."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from dinghuo.core import branding

DEFAULT_COLOUR = branding.DEFAULT_PRIMARY


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str = ""
    colour: str = DEFAULT_COLOUR
    time_zone: str = "UTC"
    """The tenant's time zone: the mail tells time in it."""


# The brand of a mail of no seller: no name, the platform's colour.
NEUTRAL = Brand(name="")


def brand_for(tenant_id: int) -> Brand:
    """The tenant's brand for a mail (one query); the logo as an absolute address, when the
    portal's address is set (a mail is read away from the site)."""
    found = branding.brand_for(tenant_id)
    if found is None:
        return Brand(name="")
    logo_url = ""
    base = settings.DINGHUO_PORTAL_URL.rstrip("/")
    if found.logo and base:
        logo_url = base + reverse("brand-logo", args=[tenant_id]) + f"?v={found.version}"
    return Brand(
        name=found.name, logo_url=logo_url, colour=found.primary, time_zone=found.time_zone
    )
