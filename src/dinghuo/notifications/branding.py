"""The brand a tenant's mails wear.

`brand_for` is the one place mails learn how a tenant looks: today its name; when tenants get
a logo and colours, this function reads them and every mail shows them (the base layout
already draws `logo_url` and `colour` when they are set).
"""

from dataclasses import dataclass

from dinghuo.core.models import Tenant

DEFAULT_COLOUR = "#1f5f8b"


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str = ""
    colour: str = DEFAULT_COLOUR


def brand_for(tenant_id: int) -> Brand:
    """The tenant's brand (one query)."""
    name = Tenant.objects.filter(pk=tenant_id).values_list("name", flat=True).first()
    return Brand(name=name or "")
