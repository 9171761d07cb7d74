"""A company's locations: its ship-to and bill-to addresses."""

from typing import Any

from babel import Locale
from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers.models import Company, Location
from dinghuo.customers.services.common import company_event, locked_company, refuse
from dinghuo.integrations import events

# CLDR territories minus its regions, groupings and ISO's "exceptionally reserved" codes:
# what is left is exactly the 249 officially assigned ISO 3166-1 alpha-2 codes.
_NOT_ISO_COUNTRIES = {
    *("AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC"),
    *("QO", "TA", "UN", "XA", "XB", "XK", "ZZ"),
}
COUNTRIES = frozenset(
    code
    for code in map(str, Locale("en").territories)
    if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_COUNTRIES
)


def _check_country(country: str) -> None:
    if country not in COUNTRIES:
        raise refuse(
            "country", "invalid_country", f"{country!r} is not an ISO 3166-1 alpha-2 code (e.g. HK)"
        )


def _location_payload(location: Location, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "location_id": location.pk,
        "kind": location.kind,
        "name": location.name,
        "line1": location.line1,
        "line2": location.line2,
        "city": location.city,
        "postal_code": location.postal_code,
        "country": location.country,
        "region": location.region,
        "is_active": location.is_active,
    }


@transaction.atomic
def create_location(
    *,
    tenant_id: int,
    company_id: int,
    kind: str,
    name: str,
    line1: str,
    city: str,
    country: str,
    line2: str = "",
    postal_code: str = "",
    region: str = "",
) -> Location:
    """A new ship-to or bill-to address of the company; `region` (ISO 3166-2, e.g. GD) only
    where tax differs by region."""
    company = locked_company(tenant_id, company_id)
    if kind not in Location.Kind.values:
        raise refuse("kind", "invalid_kind", "Kind is ship_to or bill_to")
    _check_country(country)
    location = Location.objects.create(
        tenant_id=tenant_id,
        company=company,
        kind=kind,
        name=name,
        line1=line1,
        line2=line2,
        city=city,
        postal_code=postal_code,
        country=country,
        region=region,
    )
    audit.created(location)
    payload = _location_payload(location, company)
    events.record(company_event(company, "location.created", payload))
    return location


@transaction.atomic
def update_location(
    *,
    tenant_id: int,
    company_id: int,
    location_id: int,
    kind: str | None = None,
    name: str | None = None,
    line1: str | None = None,
    line2: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    is_active: bool | None = None,
    region: str | None = None,
) -> Location:
    """Change what is given of one of the company's locations (None leaves a field as it is).

    A location of another company is not found. Orders keep pointing at the location they
    were placed with; an inactive ship-to only stops new orders.
    """
    company = locked_company(tenant_id, company_id)
    location = locked_tenant_row(
        Location.objects.filter(company=company),
        tenant_id,
        location_id,
        f"No location {location_id} at company {company_id}.",
    )
    if kind is not None and kind not in Location.Kind.values:
        raise refuse("kind", "invalid_kind", "Kind is ship_to or bill_to")
    if country is not None:
        _check_country(country)
    wanted = {
        "kind": kind,
        "name": name,
        "line1": line1,
        "line2": line2,
        "city": city,
        "postal_code": postal_code,
        "country": country,
        "region": region,
        "is_active": is_active,
    }
    changed = [f for f, v in wanted.items() if v is not None and v != getattr(location, f)]
    if changed:
        before = audit.snapshot(location)
        for field in changed:
            setattr(location, field, wanted[field])
        location.save(update_fields=changed)
        audit.changed(location, before)
        payload = {**_location_payload(location, company), "changed": changed}
        events.record(company_event(company, "location.updated", payload))
    return location
