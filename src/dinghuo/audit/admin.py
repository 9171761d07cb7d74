"""The Django admin's writes in the audit log, and the log itself read-only in the admin.

`AuditedAdmin` goes first in the bases of an admin that saves rows itself; an admin whose
`save_model` calls a service (which records) does not take it, or the change would be
recorded twice. Django's own users and groups are re-registered here with it.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from dinghuo.audit import services as audit
from dinghuo.audit.models import AuditEntry
from dinghuo.core import admin as core_admin


def _tenants(obj: Model) -> list[int]:
    """The tenants a row belongs to: its own, or for a user each tenant they are a member of
    (a user belongs to no tenant; a change to them is recorded in each of theirs)."""
    own = getattr(obj, "tenant_id", None)
    if own is not None:
        return [int(own)]
    if not isinstance(obj, User):
        return []
    found: set[int] = set()
    for label in ("customers.CompanyUser", "backoffice.StaffMember"):
        model = apps.get_model(label)
        found |= set(
            model._default_manager.filter(user_id=obj.pk).values_list("tenant_id", flat=True)
        )
    return sorted(found)


def _rows_of(formset: Any, parent: Model) -> dict[Any, Model]:
    """The stored rows an inline formset edits, by id (none for a parent not saved yet)."""
    fk = getattr(formset, "fk", None)
    if fk is None or parent.pk is None:
        return {}
    return {row.pk: row for row in formset.model._default_manager.filter(**{fk.name: parent})}


def _m2m_names(form: Any) -> list[str]:
    return [f.name for f in form.instance._meta.many_to_many if f.name in form.fields]


class AuditedAdmin(admin.ModelAdmin):
    """Records what the admin creates, changes and deletes (Django wraps each in a transaction),
    the rows of its inlines and the members of its many-to-many fields included."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        before = audit.snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        for tenant_id in _tenants(obj):
            if before is None:
                audit.created(obj, tenant_id=tenant_id)
            else:
                audit.changed(obj, before, tenant_id=tenant_id)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Compared with what is stored before and after, whatever an admin's own
        # `save_formset` does (some set the tenant of new rows, some save through services).
        parent = form.instance
        names = _m2m_names(form)
        # A new row had no members: recording None → [] would say something changed.
        members_before = audit.members(parent, *names) if change else {n: [] for n in names}
        rows_before = [_rows_of(formset, parent) for formset in formsets]
        super().save_related(request, form, formsets, change)
        members_after = audit.members(parent, *names)
        for tenant_id in _tenants(parent):
            audit.wrote(
                parent, "changed", before=members_before, after=members_after, tenant_id=tenant_id
            )
        for formset, before in zip(formsets, rows_before, strict=True):
            _record_rows(parent, before, _rows_of(formset, parent))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            for tenant_id in _tenants(obj):
                audit.deleted(obj, tenant_id=tenant_id)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                for tenant_id in _tenants(obj):
                    audit.deleted(obj, tenant_id=tenant_id)
            super().delete_queryset(request, queryset)


def _record_rows(parent: Model, before: dict[Any, Model], after: dict[Any, Model]) -> None:
    """The inline rows created, changed and deleted, each under its own tenant (or, for a row
    without one, its parent's)."""
    for pk in sorted(set(before) | set(after), key=str):
        row = after.get(pk) or before[pk]
        for tenant_id in _tenants(row) or _tenants(parent):
            if pk not in before:
                audit.created(row, tenant_id=tenant_id)
            elif pk not in after:
                audit.deleted(row, tenant_id=tenant_id)
            else:
                audit.changed(row, audit.snapshot(before[pk]), tenant_id=tenant_id)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdmin, core_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(core_admin.GroupAdmin):
    pass  # groups belong to no tenant: nothing to record them under


@admin.register(AuditEntry)
class AuditEntryAdmin(core_admin.ReadOnlyAdmin):
    """The log, to look at: the database refuses changes anyway."""

    list_display = (
        "at",
        "tenant",
        "actor_kind",
        "actor_user",
        "action",
        "object_type",
        "object_id",
    )
    list_filter = ("action", "actor_kind", "object_type")
    search_fields = ("object_type", "object_id", "object_label")
    list_select_related = ("tenant", "actor_user")
