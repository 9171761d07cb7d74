"""Setting up a buyer's procurement connection: create, change, renew its shared secret."""

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.queries import tenant_row
from dinghuo.core.services import hash_secret
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.integrations import events
from dinghuo.punchout.models import Connection

AGGREGATE = "punchout_connection"


@dataclass(frozen=True)
class Identities:
    """The buyer's identity (From) and ours (To), as the cXML credentials carry them."""

    buyer_domain: str
    buyer_identity: str
    supplier_domain: str
    supplier_identity: str


@dataclass(frozen=True)
class IssuedSecret:
    connection: Connection
    secret: str  # shown once, never stored


def _payload(connection: Connection) -> dict[str, Any]:
    return {
        "name": connection.name,
        "company_id": connection.company_id,
        "buyer": f"{connection.buyer_domain}:{connection.buyer_identity}",
        "supplier": f"{connection.supplier_domain}:{connection.supplier_identity}",
        "company_user_id": connection.user_id,
        "named_user_allowed": connection.named_user_allowed,
        "is_active": connection.is_active,
    }


def _event(connection: Connection, type: str) -> None:
    events.record(
        events.new(connection.tenant_id, type, AGGREGATE, connection.pk, _payload(connection))
    )


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, hash_secret(secret)


def _company_user(tenant_id: int, company_id: int, company_user_id: int) -> CompanyUser:
    user = CompanyUser.objects.filter(
        tenant_id=tenant_id, company_id=company_id, pk=company_user_id
    ).first()
    if user is None:
        raise ValidationFailed(
            "The portal user must be a user of the connection's company.",
            code="punchout_user_not_of_company",
            errors=[
                FieldError("user_id", "punchout_user_not_of_company", "Not a user of the company")
            ],
        )
    return user


def _identities_taken() -> Conflict:
    return Conflict(
        "Another procurement connection already has these identities.",
        code="punchout_identities_taken",
    )


def _save(connection: Connection) -> None:
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError:
        raise _identities_taken() from None


def _normalised(identities: Identities) -> Identities:
    return Identities(
        identities.buyer_domain.strip().lower(),
        identities.buyer_identity.strip(),
        identities.supplier_domain.strip().lower(),
        identities.supplier_identity.strip(),
    )


@transaction.atomic
def create_connection(
    *,
    tenant_id: int,
    company_id: int,
    name: str,
    identities: Identities,
    company_user_id: int,
    named_user_allowed: bool = True,
) -> IssuedSecret:
    """A company's procurement connection with a new shared secret, in the answer once and
    stored only hashed. 404 for another tenant's company; 422 when the user is not of the
    company; 409 `punchout_identities_taken` when the tenant has these identities already."""
    company = tenant_row(Company.objects.all(), tenant_id, company_id, f"No company {company_id}.")
    user = _company_user(tenant_id, company.pk, company_user_id)
    secret, hashed = _new_secret()
    ids = _normalised(identities)
    connection = Connection(
        tenant_id=tenant_id,
        company=company,
        name=name.strip(),
        buyer_domain=ids.buyer_domain,
        buyer_identity=ids.buyer_identity,
        supplier_domain=ids.supplier_domain,
        supplier_identity=ids.supplier_identity,
        secret_hash=hashed,
        user=user,
        named_user_allowed=named_user_allowed,
    )
    _save(connection)
    audit.created(connection)
    _event(connection, "punchout_connection.created")
    return IssuedSecret(connection, secret)


@transaction.atomic
def update_connection(
    *,
    tenant_id: int,
    connection_id: int,
    name: str | None = None,
    identities: Identities | None = None,
    company_user_id: int | None = None,
    named_user_allowed: bool | None = None,
    is_active: bool | None = None,
) -> Connection:
    """Change what is given (None: unchanged); the company stays. Refused as creating is."""
    connection = locked_tenant_row(
        Connection.objects.all(),
        tenant_id,
        connection_id,
        f"No procurement connection {connection_id}.",
    )
    before = audit.snapshot(connection)
    if name is not None:
        connection.name = name.strip()
    if identities is not None:
        ids = _normalised(identities)
        connection.buyer_domain, connection.buyer_identity = ids.buyer_domain, ids.buyer_identity
        connection.supplier_domain = ids.supplier_domain
        connection.supplier_identity = ids.supplier_identity
    if company_user_id is not None:
        connection.user = _company_user(tenant_id, connection.company_id, company_user_id)
    if named_user_allowed is not None:
        connection.named_user_allowed = named_user_allowed
    if is_active is not None:
        connection.is_active = is_active
    _save(connection)
    audit.changed(connection, before)
    _event(connection, "punchout_connection.changed")
    return connection


@transaction.atomic
def renew_secret(*, tenant_id: int, connection_id: int) -> IssuedSecret:
    """A new shared secret for the connection, shown once; the old one stops working now."""
    connection = locked_tenant_row(
        Connection.objects.all(),
        tenant_id,
        connection_id,
        f"No procurement connection {connection_id}.",
    )
    secret, connection.secret_hash = _new_secret()
    connection.save(update_fields=["secret_hash", "updated_at"])
    # The secret itself is never copied: the log says that it was renewed.
    audit.wrote(connection, "changed", after={"secret_renewed": True})
    _event(connection, "punchout_connection.secret_renewed")
    return IssuedSecret(connection, secret)
