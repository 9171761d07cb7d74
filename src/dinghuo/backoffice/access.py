"""Who may use a back-office page: an active staff member of a tenant whose role allows it,
read once per request.

Every back-office view is wrapped in `staff_required(get=…, post=…)`, naming the permission
(`core.permissions`) each method needs. The view then finds `request.staff`, a `StaffUser`
naming the tenant every query and service call is scoped by — a page never takes a tenant
from the URL or the form, so another tenant's order id finds nothing (404) — and the role,
read in the same query. A role without the permission gets the 403 page before the view runs,
so a refused action changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast, overload

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import reverse

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.backoffice.models import StaffMember
from dinghuo.core import permissions
from dinghuo.core.errors import TenantSuspended
from dinghuo.core.models import Tenant
from dinghuo.core.tenant_locale import tenant_locale
from dinghuo.orders import approval_rules
from dinghuo.orders.services import Actor


@dataclass(frozen=True)
class StaffUser:
    """The signed-in member of the seller's staff, as the back office acts for them."""

    tenant_id: int
    user_id: int
    name: str
    tenant_name: str
    role: str = permissions.Role.READ_ONLY.value
    # The tenant's languages (its first is the default) and time zone: its pages use them.
    languages: tuple[str, ...] = ("en",)
    time_zone: str = "UTC"

    def may(self, permission: str) -> bool:
        """Whether their role allows `permission` (pages hide what it does not)."""
        return permissions.may(self.role, permission)

    def actor(self) -> Actor:
        """This person deciding on an order for the seller (approve, reject)."""
        return Actor(approval_rules.SELLER, f"{self.name} (staff)")


class StaffRequest(HttpRequest):
    """The request a back-office view receives: `staff` is set by `staff_required`."""

    staff: StaffUser


def staff_of(user_id: int, tenant_id: int | None = None) -> StaffUser | None:
    """The staff member a Django user signs in as, or None when they are no (active) staff
    of any tenant (one query): of `tenant_id` (the seller chosen in the session) when they
    are staff there, else of the tenant they joined first. Suspended tenants are passed
    over; staff only of suspended tenants raise `TenantSuspended`."""
    rows = (
        StaffMember.objects.filter(user_id=user_id, is_active=True, user__is_active=True)
        .order_by("pk")
        .values_list(
            "tenant_id",
            "user__first_name",
            "user__last_name",
            "user__email",
            "tenant__name",
            "role",
            "tenant__status",
            "tenant__languages",
            "tenant__time_zone",
        )
    )
    every = list(rows)
    found = [r for r in every if r[6] != Tenant.Status.SUSPENDED]
    if every and not found:
        raise TenantSuspended()
    row = next((r for r in found if r[0] == tenant_id), found[0] if found else None)
    if row is None:
        return None
    tenant, first, last, email, tenant_name, role, _status, languages, time_zone = row
    name = f"{first} {last}".strip() or email or f"user {user_id}"
    offered = tuple(code for code in languages.split(",") if code)
    return StaffUser(tenant, user_id, name, tenant_name, role, offered, time_zone)


View = Callable[..., HttpResponseBase]
_READS = frozenset({"GET", "HEAD"})
# What a page or action still wrapped in a bare `@staff_required` needs: every permission,
# so that only owners reach it until it declares its own (tests/backoffice/test_roles_walk.py
# fails for it meanwhile).
UNDECLARED = "*"


@dataclass(frozen=True)
class Needs:
    """The permission a view needs per method; None: the method is not allowed (405)."""

    get: str | None
    post: str | None

    def of(self, method: str | None) -> str | None:
        return self.get if method in _READS else self.post


@overload
def staff_required(view: View) -> View: ...


@overload
def staff_required(
    view: None = None, *, get: str | None = None, post: str | None = None
) -> Callable[[View], View]: ...


def staff_required(
    view: View | None = None, *, get: str | None = None, post: str | None = None
) -> View | Callable[[View], View]:
    """Anonymous → the staff sign-in page (then back); signed in but not active staff (a
    buyer, say) → 403; staff whose role lacks the method's permission → 403.

    `get` names the permission to see the page (GET, HEAD), `post` the one to send its form
    or action; a method with none is refused (405). The declaration is kept on the view as
    `staff_needs` for the walk that compares every page with the matrix."""
    if view is not None:
        return _guard(view, Needs(UNDECLARED, UNDECLARED))
    needs = Needs(
        permissions.known(get) if get else None, permissions.known(post) if post else None
    )
    return lambda inner: _guard(inner, needs)


def _may(staff: StaffUser, permission: str) -> bool:
    if permission == UNDECLARED:
        return all(staff.may(p) for p in permissions.PERMISSIONS)
    return staff.may(permission)


def _guard(view: View, needs: Needs) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.get_full_path(), login_url=reverse("backoffice:sign-in")
            )
        staff = staff_of(request.user.pk, request.session.get(CHOSEN_TENANT))
        if staff is None:
            raise PermissionDenied
        needed = needs.of(request.method)
        if needed is None:
            allowed = [m for m, p in (("GET", needs.get), ("POST", needs.post)) if p]
            return HttpResponseNotAllowed(allowed)
        if not _may(staff, needed):
            raise PermissionDenied
        request = cast(StaffRequest, request)
        request.staff = staff
        with tenant_locale(request, staff.languages, staff.time_zone):
            return view(request, *args, **kwargs)

    wrapper.staff_needs = needs  # type: ignore[attr-defined]
    return wrapper
