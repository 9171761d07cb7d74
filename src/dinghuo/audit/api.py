"""`GET /api/v1/audit`: the audit log for integrators, oldest first, resumable by cursor."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.pagination import page_body, parse_cursor
from dinghuo.api.schemas import Id, Instant, PageFilters
from dinghuo.audit import queries
from dinghuo.audit.models import AuditEntry

router = Router(tags=["audit"])

Words = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
ObjectType = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,30}\.[a-z_]{1,30}$")]
ObjectKey = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,64}$")]
KeyPrefix = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{1,16}$")]


class ActorOut(Schema):
    kind: Literal["user", "api_key", "import", "worker", "command", "system"] = Field(
        description="A person (`user_id`), an API key (`key`), an import run, the worker, "
        "a command (`label`) or the system"
    )
    user_id: int | None = Field(description="The acting person's user id")
    name: str = Field(description="The acting person's or API key's name, as it is now")
    key: str = Field(description="The acting API key's prefix")
    label: str = Field(description="The import's file or the command's name")


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: ActorOut
    via: Literal["", "page", "api", "admin", "worker", "command"] = Field(
        description="The door the write came through"
    )
    client_address: str = Field(description="The client's address (requests only)")
    action: Literal["created", "changed", "deleted"]
    object_type: str = Field(description='"<app>.<model>", e.g. "catalog.product"')
    object_id: str
    object_label: str = Field(description="The object's name when it was written")
    before: dict[str, Any] = Field(
        description="Fields before: those that changed (all when deleted)"
    )
    after: dict[str, Any] = Field(description="Fields after: those that changed (all when created)")


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(
        description="Pass as `after` for the next page; null at the end"
    )


class AuditFilters(PageFilters):
    object_type: ObjectType | None = Field(None, description='e.g. "catalog.product"')
    object_id: ObjectKey | None = None
    actor_user_id: Id | None = Field(None, description="Only what this person did")
    actor_key: KeyPrefix | None = Field(None, description="Only what this API key did")
    since: Instant | None = Field(None, description="From this moment (inclusive)")
    until: Instant | None = Field(None, description="Before this moment")
    q: Words | None = Field(None, description="Words in the object's name or the values written")


def entry_out(entry: AuditEntry, key_names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor": {
            "kind": entry.actor_kind,
            "user_id": entry.actor_user_id,
            "name": queries.person_name(entry) or key_names.get(entry.actor_key, ""),
            "key": entry.actor_key,
            "label": entry.actor_label,
        },
        "via": entry.via,
        "client_address": entry.client_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "before": entry.before,
        "after": entry.after,
    }


@router.get(
    "",
    response=AuditPageOut,
    summary="Search the audit log",
    auth=staff_may("audit.view"),
)
def list_audit_entries(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    """Who wrote what and when, oldest first: master data, settings, credit, prices, users,
    keys and webhooks (an order's own changes are its events: `GET /api/v1/events`)."""
    tenant = tenant_id(request)
    search = queries.Search(
        actor_user_id=filters.actor_user_id,
        actor_key=filters.actor_key or "",
        object_type=filters.object_type or "",
        object_id=filters.object_id or "",
        since=filters.since,
        until=filters.until,
        words=filters.q or "",
    )
    start = parse_cursor(filters.after)
    rows = list(
        queries.entries(tenant, search).filter(pk__gt=start).order_by("id")[: filters.limit + 1]
    )
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    names = queries.key_names(tenant, rows)
    return page_body(
        [entry_out(row, names) for row in rows], str(rows[-1].pk) if more and rows else None
    )
