"""Procurement connections over HTTP (staff routes): set up, change, renew the secret."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import require_key, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import ObjectId, PageFilters, RequiredIdempotencyKey
from dinghuo.punchout import queries, services
from dinghuo.punchout.schemas import (
    PunchOutConnectionIn,
    PunchOutConnectionOut,
    PunchOutConnectionPageOut,
    PunchOutConnectionPatch,
    PunchOutConnectionSecretOut,
    connection_out,
)

router = Router(tags=["punchout"])
SECRET_ONCE = "the shared secret, shown once, is not lost to a retry"  # noqa: S105 - a sentence


@router.get(
    "/punchout-connections",
    response=PunchOutConnectionPageOut,
    summary="List procurement connections",
    auth=staff_may("integrations.view"),
)
def list_connections(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    return paged(queries.connections(tenant_id(request)), filters, connection_out)


@router.post(
    "/punchout-connections",
    response={201: PunchOutConnectionSecretOut},
    summary="Set up a procurement connection",
    auth=staff_may("punchout.manage"),
)
def create_connection(
    request: HttpRequest,
    payload: PunchOutConnectionIn,
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """A buying company's cXML PunchOut connection. The answer carries the shared secret the
    procurement system sends as the Sender's SharedSecret: only this once. The identities are
    unique in the tenant (409 `punchout_identities_taken`); the user must be of the company
    (422 `punchout_user_not_of_company`). Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, SECRET_ONCE)
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        issued = services.create_connection(
            tenant_id=tenant,
            company_id=payload.company_id,
            name=payload.name,
            identities=services.Identities(
                payload.buyer_domain,
                payload.buyer_identity,
                payload.supplier_domain,
                payload.supplier_identity,
            ),
            company_user_id=payload.company_user_id,
            named_user_allowed=payload.named_user_allowed,
        )
        return 201, {**connection_out(issued.connection), "secret": issued.secret}

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/punchout-connections/{connection_id}",
    response=PunchOutConnectionOut,
    summary="Read a procurement connection",
    auth=staff_may("integrations.view"),
)
def get_connection(request: HttpRequest, connection_id: ObjectId) -> dict[str, Any]:
    return connection_out(queries.connection(tenant_id(request), connection_id))


def _identities(
    payload: PunchOutConnectionPatch, tenant: int, connection_id: int
) -> services.Identities | None:
    names = ("buyer_domain", "buyer_identity", "supplier_domain", "supplier_identity")
    if all(getattr(payload, name) is None for name in names):
        return None
    current = queries.connection(tenant, connection_id)
    values = [getattr(payload, name) or getattr(current, name) for name in names]
    return services.Identities(*values)


@router.patch(
    "/punchout-connections/{connection_id}",
    response=PunchOutConnectionOut,
    summary="Change a procurement connection",
    auth=staff_may("punchout.manage"),
)
def update_connection(
    request: HttpRequest, connection_id: ObjectId, payload: PunchOutConnectionPatch
) -> HttpResponse:
    """Switch it off (`is_active`: false; its requests then answer cXML 403), change its
    identities, name or user. The company stays."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        connection = services.update_connection(
            tenant_id=tenant,
            connection_id=connection_id,
            name=payload.name,
            identities=_identities(payload, tenant, connection_id),
            company_user_id=payload.company_user_id,
            named_user_allowed=payload.named_user_allowed,
            is_active=payload.is_active,
        )
        return connection_out(connection)

    return run_change(change)


@router.post(
    "/punchout-connections/{connection_id}/secret",
    response={201: PunchOutConnectionSecretOut},
    summary="Renew a procurement connection's shared secret",
    auth=staff_may("punchout.manage"),
)
def renew_secret(
    request: HttpRequest, connection_id: ObjectId, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """A new shared secret, in this answer only; the old one stops working at once. Requires
    an `Idempotency-Key` header."""
    require_key(idempotency_key, SECRET_ONCE)
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        issued = services.renew_secret(tenant_id=tenant, connection_id=connection_id)
        return 201, {**connection_out(issued.connection), "secret": issued.secret}

    return run_create(request, idempotency_key, {"connection_id": connection_id}, create)
