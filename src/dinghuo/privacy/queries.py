"""Whose person a seller may ask about: the tenants a person belongs to, as a buyer (a
company user) or on the staff."""

from django.apps import apps

from dinghuo.core.errors import NotFound
from dinghuo.customers.models import CompanyUser


def tenants_of(user_id: int) -> set[int]:
    """Every tenant where the person is a company user or staff (switched off or not)."""
    # (The back office owns staff members; this layer reads them by name.)
    staff = apps.get_model("backoffice", "StaffMember")._default_manager
    buying = CompanyUser.objects.filter(user_id=user_id).values_list("tenant_id", flat=True)
    working = staff.filter(user_id=user_id).values_list("tenant_id", flat=True)
    return set(buying) | set(working)


def person_of(tenant_id: int, user_id: int) -> set[int]:
    """The tenants of a person who belongs to `tenant_id`; anyone else is not found (404),
    as another tenant's objects are."""
    tenants = tenants_of(user_id)
    if tenant_id not in tenants:
        raise NotFound(f"No person {user_id}.")
    return tenants


def is_last_owner(tenant_id: int, user_id: int) -> bool:
    """Whether the person is the tenant's only active owner (the seller would have none)."""
    staff = apps.get_model("backoffice", "StaffMember")._default_manager
    owners = staff.filter(tenant_id=tenant_id, role="owner", is_active=True)
    return set(owners.values_list("user_id", flat=True)) == {user_id}
