"""Everything stored about a person, as JSON files in a ZIP (personal data, G): their
profile, memberships (companies and staff), the orders they placed (as references), the
audit entries by or about them and the events that mention them.

The operator's command exports what every seller holds; a seller (back office, API) gets
only what it holds itself (`tenant_id`): another seller's orders, audit entries and events
are that seller's business."""

import io
import json
import zipfile
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q

from dinghuo.audit import queries as audit
from dinghuo.core.errors import NotFound
from dinghuo.customers.models import CompanyUser
from dinghuo.integrations.models import Event
from dinghuo.orders.models import Order
from dinghuo.privacy import queries

PROFILE_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "date_joined",
    "last_login",
)


def _profile(user_id: int) -> dict[str, Any]:
    found = get_user_model().objects.filter(pk=user_id).values(*PROFILE_FIELDS).first()
    if found is None:
        raise NotFound(f"No person {user_id}.")
    return dict(found)


def _memberships(user_id: int, within: Q) -> dict[str, Any]:
    return {
        "companies": list(
            CompanyUser.objects.filter(within, user_id=user_id).values(
                "id", "tenant__slug", "company__code", "company__name", "role", "spending_limit"
            )
        ),
        # (The back office owns staff members; this layer reads them by name.)
        "staff": list(
            apps.get_model("backoffice", "StaffMember")
            ._default_manager.filter(within, user_id=user_id)
            .values("tenant__slug", "role", "is_active")
        ),
    }


def _orders(user_id: int, within: Q) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in Order.objects.filter(within)
        .filter(Q(placed_by__user_id=user_id) | Q(entered_by_id=user_id))
        .order_by("id")
        .values("id", "tenant__slug", "company__code", "placed_at", "currency", "total", "status")
    ]


def _events(profile: dict[str, Any], member_ids: list[int], within: Q) -> list[dict[str, Any]]:
    mentions = Q(payload__icontains=profile["email"]) if profile["email"] else Q(pk__in=[])
    for member_id in member_ids:
        mentions |= Q(payload__company_user_id=member_id)
    return [
        dict(row)
        for row in Event.objects.filter(within)
        .filter(mentions)
        .order_by("id")
        .values("id", "tenant__slug", "type", "occurred_at", "payload")
    ]


def export_person(*, user_id: int, tenant_id: int | None = None) -> bytes:
    """A ZIP of JSON files: profile, memberships, orders, audit, events; of every tenant, or
    only of `tenant_id` (a person who does not belong to it is not found)."""
    within = Q() if tenant_id is None else Q(tenant_id=tenant_id)
    if tenant_id is not None:
        queries.person_of(tenant_id, user_id)
    profile = _profile(user_id)
    memberships = _memberships(user_id, within)
    audit_entries = list(
        audit.about_person(user_id)
        .filter(within)
        .order_by("id")
        .values(
            "id",
            "at",
            "action",
            "object_type",
            "object_id",
            "via",
            "client_address",
            "before",
            "after",
        )
    )
    files = {
        "profile.json": profile,
        "memberships.json": memberships,
        "orders.json": _orders(user_id, within),
        "audit.json": audit_entries,
        "events.json": _events(profile, [m["id"] for m in memberships["companies"]], within),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(
                name, json.dumps(content, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
            )
    return buffer.getvalue()
