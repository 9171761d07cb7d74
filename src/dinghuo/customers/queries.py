"""Customer reads for the API and pages: tenant-scoped, a fixed number of queries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from dinghuo.accounts.models import Invitation
from dinghuo.core import clock
from dinghuo.core.errors import NotFound
from dinghuo.core.models import ApiKey
from dinghuo.core.queries import tenant_row
from dinghuo.customers import credit, terms
from dinghuo.customers.models import (
    Company,
    CompanyUser,
    CreditLine,
    CreditPolicy,
    CustomerGroup,
    Location,
)


def customer_groups(tenant_id: int) -> QuerySet[CustomerGroup]:
    """The tenant's customer groups."""
    return CustomerGroup.objects.filter(tenant_id=tenant_id)


def customer_group(tenant_id: int, group_id: int) -> CustomerGroup:
    """One customer group of the tenant, else not found."""
    return tenant_row(
        CustomerGroup.objects.all(), tenant_id, group_id, f"No customer group {group_id}."
    )


def _group_ids() -> "Prefetch[str, QuerySet[CustomerGroup], str]":
    # The ids are all an answer shows of a company's groups.
    return Prefetch("groups", queryset=CustomerGroup.objects.only("id").order_by("id"))


def companies(
    tenant_id: int,
    *,
    is_active: bool | None = None,
    q: str | None = None,
    parent_id: int | None = None,
    group_id: int | None = None,
) -> QuerySet[Company]:
    """The tenant's companies with their price list and group ids (two queries a page);
    `q` matches part of the code or the name, in any case."""
    qs = (
        Company.objects.filter(tenant_id=tenant_id)
        .select_related("price_list")
        .prefetch_related(_group_ids())
    )
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if group_id is not None:
        qs = qs.filter(groups__id=group_id)
    return qs


def _users_with_sign_in() -> QuerySet[CompanyUser]:
    return with_invitation_state(CompanyUser.objects.select_related("user", "company__price_list"))


def with_invitation_state(users: QuerySet[CompanyUser]) -> QuerySet[CompanyUser]:
    """Each membership with `invitation_open`: invited here and not yet accepted. Until then
    the user has no password here, even when their account has one elsewhere (an answer
    must not tell that an address has an account with another seller). With it, when its
    last mail was made and its link stops working (`invitation_sent_at`,
    `invitation_expires_at`; None while the first mail is still queued)."""
    open_here = Invitation.objects.filter(
        tenant_id=OuterRef("tenant_id"),
        user_id=OuterRef("user_id"),
        door=Invitation.Door.PORTAL,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    return users.annotate(
        invitation_open=Exists(open_here),
        invitation_sent_at=Subquery(open_here.values("sent_at")[:1]),
        invitation_expires_at=Subquery(open_here.values("expires_at")[:1]),
    )


def company_detail(tenant_id: int, company_id: int) -> Company:
    """One company with its price list, group ids, locations and users (four queries)."""
    return tenant_row(
        Company.objects.select_related("price_list").prefetch_related(
            _group_ids(),
            Prefetch("locations", queryset=Location.objects.order_by("id")),
            Prefetch(
                "users",
                queryset=with_invitation_state(
                    CompanyUser.objects.select_related("user").order_by("id")
                ),
            ),
        ),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def _require_company(tenant_id: int, company_id: int) -> None:
    if not Company.objects.filter(tenant_id=tenant_id, pk=company_id).exists():
        raise NotFound(f"No company {company_id}.")


def members(tenant_id: int, company_id: int) -> QuerySet[Company]:
    """The companies whose parent is this one (direct members of its group)."""
    _require_company(tenant_id, company_id)
    return companies(tenant_id, parent_id=company_id)


def locations(
    tenant_id: int,
    company_id: int,
    *,
    kind: str | None = None,
    is_active: bool | None = None,
) -> QuerySet[Location]:
    """The company's locations; an unknown company (or another tenant's) is not found."""
    _require_company(tenant_id, company_id)
    qs = Location.objects.filter(tenant_id=tenant_id, company_id=company_id)
    if kind:
        qs = qs.filter(kind=kind)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


def location(tenant_id: int, company_id: int, location_id: int) -> Location:
    """One location of the company; a location of another company is not found."""
    return tenant_row(
        Location.objects.filter(company_id=company_id),
        tenant_id,
        location_id,
        f"No location {location_id} at company {company_id}.",
    )


def company_users(
    tenant_id: int, company_id: int, *, role: str | None = None
) -> QuerySet[CompanyUser]:
    """The company's users with their sign-ins; an unknown company is not found."""
    _require_company(tenant_id, company_id)
    qs = _users_with_sign_in().filter(tenant_id=tenant_id, company_id=company_id)
    if role:
        qs = qs.filter(role=role)
    return qs


def company_user(tenant_id: int, company_id: int, company_user_id: int) -> CompanyUser:
    """One user of the company, with the sign-in; a user of another company is not found."""
    return tenant_row(
        _users_with_sign_in().filter(company_id=company_id),
        tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company_id}.",
    )


def buyer_api_keys(tenant_id: int, company_id: int, company_user_id: int) -> QuerySet[ApiKey]:
    """The API keys of one company user, revoked ones included; another company's user is
    not found."""
    if not CompanyUser.objects.filter(
        tenant_id=tenant_id, company_id=company_id, pk=company_user_id
    ).exists():
        raise NotFound(f"No user {company_user_id} at company {company_id}.")
    return ApiKey.objects.filter(tenant_id=tenant_id, company_user_id=company_user_id)


# Credit


@dataclass(frozen=True)
class GroupExposure:
    """Exposure of a parent company and its direct members, in the parent's currency.

    Members buying in another currency are counted, not summed: adding their amounts
    would mix currencies."""

    members: int
    exposure: Decimal
    members_in_other_currencies: int


@dataclass(frozen=True)
class CreditSummary:
    """A company's credit line as staff and buyers read it."""

    currency: str
    credit_limit: Decimal | None
    terms: str
    terms_days: int
    deposit_percent: int
    order_exposure: Decimal
    invoice_exposure: Decimal
    oldest_unpaid_due_on: date | None
    days_overdue: int
    status: str
    group: GroupExposure | None

    @property
    def terms_text(self) -> str:
        said = terms.describe(self.terms, self.terms_days)
        return f"{self.deposit_percent}% deposit, then {said}" if self.deposit_percent else said

    @property
    def exposure(self) -> Decimal:
        return self.order_exposure + self.invoice_exposure

    @property
    def available(self) -> Decimal | None:
        """What is left of the limit (negative when over it); None without a limit."""
        return None if self.credit_limit is None else self.credit_limit - self.exposure


def grace_days(tenant_id: int, seller_id: int) -> int:
    """Days the seller lets payments be overdue before orders are blocked (0 unless set)."""
    days = (
        CreditPolicy.objects.filter(tenant_id=tenant_id, seller_id=seller_id)
        .values_list("overdue_grace_days", flat=True)
        .first()
    )
    return days or 0


def _group_exposure(company: Company) -> GroupExposure | None:
    currency = company.price_list.currency
    same = Q(price_list__currency=currency)
    totals = Company.objects.filter(tenant_id=company.tenant_id, parent_id=company.pk).aggregate(
        members=Count("id"),
        orders=Sum("credit_line__order_exposure", filter=same),
        invoices=Sum("credit_line__invoice_exposure", filter=same),
        other=Count("id", filter=~same),
    )
    if not totals["members"]:
        return None
    return GroupExposure(
        totals["members"],
        (totals["orders"] or Decimal(0)) + (totals["invoices"] or Decimal(0)),
        totals["other"],
    )


def credit_summary(company: Company, *, with_group: bool = True) -> CreditSummary:
    """The credit line of `company` (its price list loaded), with its status under the
    seller's grace days; a company without a line yet reads as the defaults (net 30, no
    limit, nothing owed) — nothing is written by a read. Three queries, four with the group.
    """
    line = CreditLine.objects.filter(tenant_id=company.tenant_id, company_id=company.pk).first()
    if line is None:
        line = CreditLine(tenant_id=company.tenant_id, company=company)
    state = credit.CreditState(
        line.credit_limit,
        line.order_exposure,
        line.invoice_exposure,
        line.oldest_unpaid_due_on,
        line.terms,
        line.deposit_percent,
    )
    today = clock.now().date()
    grace = grace_days(company.tenant_id, company.price_list.seller_id)
    group = None
    if with_group:
        members = _group_exposure(company)
        if members is not None:
            group = GroupExposure(
                members.members,
                members.exposure + state.exposure,
                members.members_in_other_currencies,
            )
    return CreditSummary(
        currency=company.price_list.currency,
        credit_limit=line.credit_limit,
        terms=line.terms,
        terms_days=line.terms_days,
        deposit_percent=line.deposit_percent,
        order_exposure=line.order_exposure,
        invoice_exposure=line.invoice_exposure,
        oldest_unpaid_due_on=line.oldest_unpaid_due_on,
        days_overdue=credit.days_overdue(state, today),
        status=credit.status(state, today, grace),
        group=group,
    )


def company_credit(tenant_id: int, company_id: int) -> CreditSummary:
    """The credit of one company of the tenant, with its group's exposure (four queries)."""
    company = tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )
    return credit_summary(company)


# The buyer's own company


@dataclass(frozen=True)
class BuyerView:
    """What a company user sees of their own company."""

    company: Company  # with price list, parent, groups and locations loaded
    me: CompanyUser
    credit: CreditSummary


def buyer_view(tenant_id: int, company_id: int, company_user_id: int) -> BuyerView:
    """The caller's company with its parent, groups and locations, the caller's own user, and
    the company's credit (without its group's: that is other companies' business). Six
    queries."""
    company = tenant_row(
        Company.objects.select_related("price_list", "parent").prefetch_related(
            Prefetch("groups", queryset=CustomerGroup.objects.order_by("id")),
            Prefetch("locations", queryset=Location.objects.order_by("id")),
        ),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )
    me = company_user(tenant_id, company_id, company_user_id)
    return BuyerView(company, me, credit_summary(company, with_group=False))
