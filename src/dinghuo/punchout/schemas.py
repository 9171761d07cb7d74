"""Request and answer shapes of the procurement-connection routes."""

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import NOT_BLANK, Id, InSchema, PatchIn
from dinghuo.punchout.models import Connection

ConnectionName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
Domain = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), NOT_BLANK
]
Identity = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]


class PunchOutConnectionIn(InSchema):
    company_id: Id
    name: ConnectionName
    buyer_domain: Domain = Field(description="The From credential's domain, e.g. NetworkID")
    buyer_identity: Identity = Field(description="The From credential's Identity")
    supplier_domain: Domain = Field(description="The To credential's domain (ours)")
    supplier_identity: Identity = Field(description="The To credential's Identity (ours)")
    company_user_id: Id = Field(description="The company user a session signs in as")
    named_user_allowed: bool = Field(
        True, description="Sign in as the person the request names, if a user of the company"
    )


class PunchOutConnectionPatch(PatchIn):
    name: ConnectionName | None = None
    buyer_domain: Domain | None = None
    buyer_identity: Identity | None = None
    supplier_domain: Domain | None = None
    supplier_identity: Identity | None = None
    company_user_id: Id | None = None
    named_user_allowed: bool | None = None
    is_active: bool | None = None


class PunchOutConnectionOut(Schema):
    id: int
    company_id: int
    name: str
    buyer_domain: str
    buyer_identity: str
    supplier_domain: str
    supplier_identity: str
    company_user_id: int
    named_user_allowed: bool
    is_active: bool
    created_at: datetime
    updated_at: datetime


class PunchOutConnectionSecretOut(PunchOutConnectionOut):
    secret: str = Field(description="The Sender's SharedSecret: shown in this answer only")


class PunchOutConnectionPageOut(Schema):
    items: list[PunchOutConnectionOut]
    next_cursor: str | None


def connection_out(connection: Connection) -> dict[str, Any]:
    return {
        "id": connection.pk,
        "company_id": connection.company_id,
        "name": connection.name,
        "buyer_domain": connection.buyer_domain,
        "buyer_identity": connection.buyer_identity,
        "supplier_domain": connection.supplier_domain,
        "supplier_identity": connection.supplier_identity,
        "company_user_id": connection.user_id,
        "named_user_allowed": connection.named_user_allowed,
        "is_active": connection.is_active,
        "created_at": connection.created_at.isoformat(),
        "updated_at": connection.updated_at.isoformat(),
    }
