"""Reads of PunchOut: connections for staff, the connection a cXML document authenticates
as, the open session of a portal visit, and what the cart's lines need besides their price."""

import re
import secrets

from django.db.models import QuerySet

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import NotFound
from dinghuo.core.services import hash_secret
from dinghuo.customers.models import ACTIVE_MEMBERSHIP, CompanyUser, Location
from dinghuo.punchout.cxml import Credential, CxmlRefusal, Header, ShipTo
from dinghuo.punchout.models import Connection, Session

UNKNOWN_CREDENTIALS = (
    "The From and To credentials and the Sender's SharedSecret do not match a procurement "
    "connection of this supplier."
)


SUPPLIER_SUSPENDED = (
    "The supplier's account is suspended by the platform's operator; nothing was changed."
)


def connections(tenant_id: int) -> QuerySet[Connection]:
    """The tenant's procurement connections by name, with company and user (one query)."""
    return (
        Connection.objects.filter(tenant_id=tenant_id)
        .select_related("company", "user__user")
        .order_by("name", "id")
    )


def connection(tenant_id: int, connection_id: int) -> Connection:
    """One of the tenant's connections; another tenant's is not found (404)."""
    found = connections(tenant_id).filter(pk=connection_id).first()
    if found is None:
        raise NotFound(f"No procurement connection {connection_id}.")
    return found


def _names(credentials: list[Credential], domain: str, identity: str) -> bool:
    return any(c.domain == domain and c.identity == identity for c in credentials)


def authenticated(header: Header) -> Connection:
    """The connection whose shared secret the Sender gives and whose identities From and To
    name; 401 otherwise, the same words whichever part did not match, and 403 when it is
    switched off. The secret is looked up by its SHA-256 and compared in constant time, so
    neither the lookup nor the comparison tells how much of a wrong secret was right. The
    secret is unique across tenants: another tenant's identities never match. A suspended
    supplier (tenant) is refused with 403, sessions and orders alike."""
    given = hash_secret(header.shared_secret)
    found = (
        Connection.objects.select_related("company", "user__user", "tenant")
        .filter(secret_hash=given)
        .first()
    )
    if (
        found is None
        or not secrets.compare_digest(found.secret_hash, given)
        or not _names(header.sent_from, found.buyer_domain, found.buyer_identity)
        or not _names(header.sent_to, found.supplier_domain, found.supplier_identity)
    ):
        raise CxmlRefusal(401, UNKNOWN_CREDENTIALS)
    if found.tenant.is_suspended:
        raise CxmlRefusal(403, SUPPLIER_SUSPENDED)
    if not found.is_active or not found.company.is_active:
        raise CxmlRefusal(403, "This procurement connection is switched off by the supplier.")
    return found


def session_user(connection: Connection, email: str) -> CompanyUser:
    """Whom a session signs in as: the person the request names when the connection allows
    it and they are an active user of the connection's company, else the connection's user
    (one query when a person is named)."""
    if email and connection.named_user_allowed:
        named = (
            CompanyUser.objects.filter(
                ACTIVE_MEMBERSHIP,
                tenant_id=connection.tenant_id,
                company_id=connection.company_id,
                user__email__iexact=email,
            )
            .select_related("user")
            .first()
        )
        if named is not None:
            return named
    return connection.user


def open_session(session_id: object, company_user_id: int) -> Session | None:
    """The punchout session a portal visit is in (its id kept in the Django session), if it is
    open and the visitor is its user (one query)."""
    if not isinstance(session_id, int):
        return None
    return (
        Session.objects.select_related("connection")
        .filter(
            pk=session_id,
            company_user_id=company_user_id,
            opened_at__isnull=False,
            ended_at__isnull=True,
        )
        .first()
    )


def sku_details(tenant_id: int, sku_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each SKU's unit and its product's category code (one query)."""
    rows = Sku.objects.filter(tenant_id=tenant_id, pk__in=sku_ids).values_list(
        "pk", "unit", "product__category__code"
    )
    return {pk: (unit, category or "") for pk, unit, category in rows}


def _plain(text: str) -> str:
    return re.sub(r"[\s,.]+", " ", text).strip().lower()


def ship_to_id(tenant_id: int, company_id: int, ship_to: ShipTo) -> int:
    """The company's active ship-to a purchase order's ShipTo names: by our address id in its
    addressID, else by street, postal code and country (case and punctuation aside); 406
    when none matches (one query)."""
    locations = list(
        Location.objects.filter(
            tenant_id=tenant_id,
            company_id=company_id,
            kind=Location.Kind.SHIP_TO,
            is_active=True,
        ).order_by("id")
    )
    for location in locations:
        if ship_to.address_id == str(location.pk):
            return location.pk
    street = _plain(ship_to.street)
    for location in locations:
        streets = {_plain(location.line1), _plain(f"{location.line1} {location.line2}")}
        if (
            street in streets
            and _plain(location.postal_code) == _plain(ship_to.postal_code)
            and (not ship_to.country or ship_to.country == location.country)
        ):
            return location.pk
    raise CxmlRefusal(
        406,
        f"The ship-to address '{ship_to.name or ship_to.street}' is not one of the company's "
        "delivery addresses: send our address number as the addressID, or an address we know.",
    )


def company_users(tenant_id: int) -> list[tuple[int, int, str]]:
    """Every active company user of the tenant, as (company user id, company id, "Company ·
    person"), for choosing whom a connection signs in as (one query)."""
    rows = (
        CompanyUser.objects.filter(ACTIVE_MEMBERSHIP, tenant_id=tenant_id)
        .order_by("company__name", "user__email")
        .values_list("pk", "company_id", "company__name", "user__first_name", "user__email")
    )
    return [(pk, company, f"{name} · {first or email}") for pk, company, name, first, email in rows]
