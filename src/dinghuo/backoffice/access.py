"""Who may use a back-office page: an active staff member of a tenant, read once per request.

Every back-office view is wrapped in `staff_required`. The view then finds `request.staff`, a
`StaffUser` naming the tenant every query and service call is scoped by — a page never takes
a tenant from the URL or the form, so another tenant's order id finds nothing (404).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.backoffice.models import StaffMember
from dinghuo.orders import approval_rules
from dinghuo.orders.services import Actor


@dataclass(frozen=True)
class StaffUser:
    """The signed-in member of the seller's staff, as the back office acts for them."""

    tenant_id: int
    user_id: int
    name: str
    tenant_name: str

    def actor(self) -> Actor:
        """This person deciding on an order for the seller (approve, reject)."""
        return Actor(approval_rules.SELLER, f"{self.name} (staff)")


class StaffRequest(HttpRequest):
    """The request a back-office view receives: `staff` is set by `staff_required`."""

    staff: StaffUser


def staff_of(user_id: int, tenant_id: int | None = None) -> StaffUser | None:
    """The staff member a Django user signs in as, or None when they are no (active) staff
    of any tenant (one query): of `tenant_id` (the seller chosen in the session) when they
    are staff there, else of the tenant they joined first."""
    rows = (
        StaffMember.objects.filter(user_id=user_id, is_active=True, user__is_active=True)
        .order_by("pk")
        .values_list(
            "tenant_id", "user__first_name", "user__last_name", "user__email", "tenant__name"
        )
    )
    found = list(rows)
    row = next((r for r in found if r[0] == tenant_id), found[0] if found else None)
    if row is None:
        return None
    tenant, first, last, email, tenant_name = row
    name = f"{first} {last}".strip() or email or f"user {user_id}"
    return StaffUser(tenant, user_id, name, tenant_name)


View = Callable[..., HttpResponseBase]


def staff_required(view: View) -> View:
    """Anonymous → the staff sign-in page (then back); signed in but not active staff (a
    buyer, say) → 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("backoffice:sign-in")
            )
        staff = staff_of(request.user.pk, request.session.get(CHOSEN_TENANT))
        if staff is None:
            raise PermissionDenied
        request = cast(StaffRequest, request)
        request.staff = staff
        return view(request, *args, **kwargs)

    return wrapper
