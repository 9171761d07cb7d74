"""Who may use a portal page: the signed-in buyer, read once per request.

Every portal view is wrapped in `buyer_required` (or a role variant). The view then finds
`request.buyer`, a `Buyer` naming the tenant and company every query and service call must be
scoped by — the page never takes a company id from the URL or the form.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.core.errors import TenantSuspended
from dinghuo.core.models import Tenant
from dinghuo.core.tenant_locale import tenant_locale
from dinghuo.customers.models import ACTIVE_MEMBERSHIP, CompanyUser

if TYPE_CHECKING:
    from dinghuo.orders.services import Actor


@dataclass(frozen=True)
class Buyer:
    """The signed-in person of a buying company, as the portal acts for them."""

    tenant_id: int
    company_id: int
    company_user_id: int
    role: str
    name: str
    company_name: str
    seller_name: str = ""
    has_other_sellers: bool = False
    # The seller's languages (its first is the default) and time zone: its pages use them.
    languages: tuple[str, ...] = ("en",)
    time_zone: str = "UTC"

    @property
    def is_approver(self) -> bool:
        """Approvers and company admins may decide on orders waiting for the company."""
        return self.role in {CompanyUser.Role.APPROVER, CompanyUser.Role.ADMIN}

    @property
    def is_company_admin(self) -> bool:
        """Company admins manage their company's users and addresses."""
        return self.role == CompanyUser.Role.ADMIN

    def actor(self) -> "Actor":
        """This buyer as the one who decides on an order (approve, reject), named the way the
        API names a buyer (one query)."""
        from dinghuo.orders import approval_rules, queries, services

        return services.Actor(
            approval_rules.COMPANY,
            queries.company_user_name(self.tenant_id, self.company_user_id),
            self.company_user_id,
            self.company_id,
            self.role,
        )


class BuyerRequest(HttpRequest):
    """The request a portal view receives: `buyer` is set by `buyer_required`."""

    buyer: Buyer


def buyers_of(user_id: int) -> list[Buyer]:
    """Every buyer a Django user may sign in as: one per tenant (seller) whose active company
    they buy for with a membership not switched off, in the order they joined (one query).
    Suspended tenants are passed over; a buyer only of suspended tenants raises
    `TenantSuspended`."""
    rows = (
        CompanyUser.objects.filter(ACTIVE_MEMBERSHIP, user_id=user_id, company__is_active=True)
        .order_by("pk")
        .values_list(
            "tenant_id",
            "company_id",
            "pk",
            "role",
            "user__first_name",
            "user__last_name",
            "user__email",
            "company__name",
            "tenant__name",
            "tenant__status",
            "tenant__languages",
            "tenant__time_zone",
        )
    )
    every = list(rows)
    found = []
    for row in every:
        tenant_id, company_id, pk, role, first, last, email, company_name, seller = row[:9]
        status, languages, time_zone = row[9:]
        if status == Tenant.Status.SUSPENDED:
            continue
        name = f"{first} {last}".strip() or email
        offered = tuple(code for code in languages.split(",") if code)
        found.append(
            Buyer(
                tenant_id,
                company_id,
                pk,
                role,
                name,
                company_name,
                seller,
                languages=offered,
                time_zone=time_zone,
            )
        )
    if every and not found:
        raise TenantSuspended()
    return found


def buyer_of(user_id: int) -> Buyer | None:
    """The first buyer a Django user signs in as, or None when they belong to no active
    company (the sign-in's check; pages use the one chosen in the session)."""
    found = buyers_of(user_id)
    return found[0] if found else None


def chosen_buyer(request: HttpRequest) -> tuple[Buyer | None, list[Buyer]]:
    """The buyer the signed-in person works as now, and all of theirs: the only one, or the
    one whose seller they chose (kept in the session); None when they must choose."""
    found = buyers_of(int(request.user.pk or 0))
    if len(found) == 1:
        return found[0], found
    chosen = request.session.get(CHOSEN_TENANT)
    return next((b for b in found if b.tenant_id == chosen), None), found


View = Callable[..., HttpResponseBase]


def _requiring(allowed: Callable[[Buyer], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            buyer, every = chosen_buyer(request)
            if buyer is None and every:
                return redirect_to_login(
                    request.get_full_path(), login_url=reverse("portal:choose-seller")
                )
            # Signed in but not (or no longer) a buyer, e.g. seller staff: refuse, do not
            # bounce them to a sign-in page they already passed.
            if buyer is None or not allowed(buyer):
                raise PermissionDenied
            request = cast(BuyerRequest, request)
            request.buyer = replace(buyer, has_other_sellers=len(every) > 1)
            with tenant_locale(request, buyer.languages, buyer.time_zone):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


buyer_required = _requiring(lambda buyer: True)
"""Anonymous → the sign-in page (then back); not a buyer of an active company → 403."""

approver_required = _requiring(lambda buyer: buyer.is_approver)
"""As `buyer_required`, and only approvers and company admins (403 otherwise)."""

company_admin_required = _requiring(lambda buyer: buyer.is_company_admin)
"""As `buyer_required`, and only company admins (403 otherwise)."""
