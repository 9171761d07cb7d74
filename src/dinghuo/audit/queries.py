"""Reads of the audit log: a search (by person, object, dates, words) one page at a time,
and the name of each entry's actor."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from dinghuo.audit.models import AuditEntry
from dinghuo.core.models import ApiKey


@dataclass(frozen=True)
class Search:
    """What to look for; every part given narrows the search."""

    person: str = ""  # part of the acting person's name or e-mail
    actor_user_id: int | None = None
    actor_key: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    words: str = ""  # in the object's name, the actor's label or the values written


def entries(tenant_id: int, search: Search) -> QuerySet[AuditEntry]:
    """The tenant's entries matching `search`, with their acting person (unordered)."""
    qs = AuditEntry.objects.filter(tenant_id=tenant_id).select_related("actor_user")
    if search.person:
        qs = qs.filter(
            Q(actor_user__first_name__icontains=search.person)
            | Q(actor_user__last_name__icontains=search.person)
            | Q(actor_user__email__icontains=search.person)
        )
    if search.actor_user_id is not None:
        qs = qs.filter(actor_user_id=search.actor_user_id)
    if search.actor_key:
        qs = qs.filter(actor_key=search.actor_key)
    if search.object_type:
        qs = qs.filter(object_type=search.object_type)
    if search.object_id:
        qs = qs.filter(object_id=search.object_id)
    if search.since is not None:
        qs = qs.filter(at__gte=search.since)
    if search.until is not None:
        qs = qs.filter(at__lt=search.until)
    if search.words:
        qs = qs.filter(
            Q(object_label__icontains=search.words)
            | Q(actor_label__icontains=search.words)
            | Q(before__icontains=search.words)
            | Q(after__icontains=search.words)
        )
    return qs


def newest_first(
    tenant_id: int, search: Search, *, before_id: int | None, limit: int
) -> list[AuditEntry]:
    """One page of the search, newest first, starting below entry `before_id` (None: the
    newest); the page's rows plus one, so the caller knows whether there is more."""
    qs = entries(tenant_id, search)
    if before_id is not None:
        qs = qs.filter(pk__lt=before_id)
    return list(qs.order_by("-id")[: limit + 1])


def key_names(tenant_id: int, rows: list[AuditEntry]) -> dict[str, str]:
    """The names of the API keys that acted in `rows`, by prefix (one query)."""
    prefixes = {row.actor_key for row in rows if row.actor_key}
    if not prefixes:
        return {}
    return dict(
        ApiKey.objects.filter(tenant_id=tenant_id, prefix__in=prefixes).values_list(
            "prefix", "name"
        )
    )


def person_name(entry: AuditEntry) -> str:
    """The acting person's name as it is now (after erasure: the anonymised one)."""
    user = entry.actor_user
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip() or user.email or user.get_username()


def about_person(user_id: int) -> QuerySet[AuditEntry]:
    """Every entry, of any tenant, made by the person or about their records."""
    return AuditEntry.objects.filter(Q(actor_user_id=user_id) | Q(subject_user_id=user_id))
