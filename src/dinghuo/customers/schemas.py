"""Request and response bodies of customer groups, companies, their locations, users, buyer
API keys and credit lines."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from dinghuo.api.schemas import NOT_BLANK, Code, Day, Id, InSchema, Name, PatchIn, Slug
from dinghuo.core.models import ApiKey
from dinghuo.core.money import format_amount
from dinghuo.customers.models import Company, CompanyUser, CustomerGroup, Location
from dinghuo.customers.queries import BuyerView, CreditSummary

LocationKind = Literal["ship_to", "bill_to"]
Role = Literal["buyer", "approver", "admin"]
Country = Annotated[
    str, StringConstraints(min_length=2, max_length=2), Field(description="ISO 3166-1 alpha-2")
]
Region = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z0-9]{0,3}$"),
    Field(description="ISO 3166-2 subdivision after the country's code (GD); empty: none"),
]
# Bounds of the model's columns, so that nothing valid here fails in the database.
LocationName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
AddressLine = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
OptionalLine = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
City = Annotated[
    str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), NOT_BLANK
]
PostalCode = Annotated[str, StringConstraints(max_length=20, strip_whitespace=True)]
# Django's username and first_name hold 150 characters.
# Whether it is an address at all is the service's answer (422 `invalid_email`).
Email = Annotated[
    str, StringConstraints(min_length=1, max_length=150, strip_whitespace=True), NOT_BLANK
]
PersonName = Annotated[
    str, StringConstraints(min_length=1, max_length=150, strip_whitespace=True), NOT_BLANK
]
# A sign is let through so that a negative amount gets its own code from the service. Below
# 10^11 with 4 decimals is 15 significant digits: exact even where decimals are doubles.
Amount = Annotated[
    str,
    StringConstraints(pattern=r"^-?\d{1,11}(\.\d{1,4})?$", max_length=17),
    Field(description="Decimal string in the company's currency, e.g. 5000.00"),
]


def _calendar_date(value: str) -> str:
    date.fromisoformat(value)  # a ValueError (2026-02-30) is a 422 like any other
    return value


IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    AfterValidator(_calendar_date),
    Field(description="YYYY-MM-DD", json_schema_extra={"format": "date"}),
]


def amount(value: str) -> Decimal:
    """An `Amount` of a request as a Decimal; "-0" becomes 0, which would show as "-0.00"."""
    return Decimal(value) + 0


def amount_or_none(value: str | None) -> Decimal | None:
    """An `Amount` of a request as a Decimal (None stays None)."""
    return None if value is None else amount(value)


Terms = Literal["prepaid", "net", "eom"]
# Bounded loosely so that a value out of 0..365 gets the service's own code.
TermsDays = Annotated[int, Field(ge=-100_000, le=100_000, description="0 to 365")]
GroupIds = Annotated[list[Id], Field(max_length=100)]
GroupName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), NOT_BLANK
]
Scope = Literal["read", "write"]


class CustomerGroupIn(InSchema):
    code: Slug
    name: GroupName


class CustomerGroupPatch(PatchIn):
    code: Slug | None = None
    name: GroupName | None = None


class CustomerGroupOut(Schema):
    id: int
    code: str
    name: str


class CustomerGroupPageOut(Schema):
    items: list[CustomerGroupOut]
    next_cursor: str | None


class CompanyIn(InSchema):
    code: Code
    name: Name
    price_list_id: Id
    parent_id: Id | None = Field(None, description="The company whose group (集團) it joins")
    group_ids: GroupIds = Field(default_factory=list, description="Customer groups")


class CompanyPatch(PatchIn):
    nullable: ClassVar[frozenset[str]] = frozenset({"parent_id"})

    code: Code | None = None
    name: Name | None = None
    price_list_id: Id | None = None
    parent_id: Id | None = Field(None, description="null takes the company out of its group")
    group_ids: GroupIds | None = Field(None, description="Replaces the company's groups")


class LocationIn(InSchema):
    kind: LocationKind
    name: LocationName
    line1: AddressLine
    line2: OptionalLine = ""
    city: City
    postal_code: PostalCode = ""
    country: Country
    region: Region = ""


class LocationPatch(PatchIn):
    kind: LocationKind | None = None
    name: LocationName | None = None
    line1: AddressLine | None = None
    line2: OptionalLine | None = None
    city: City | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    region: Region | None = None
    is_active: bool | None = None


class TaxExemptionIn(InSchema):
    certificate: Annotated[str, StringConstraints(max_length=64, strip_whitespace=True)] = Field(
        description="The exemption certificate's number; empty: the company is not exempt"
    )
    expires_on: Day | None = Field(None, description="Its last valid day; null: no expiry")


class TaxExemptionOut(Schema):
    certificate: str
    expires_on: date | None


class CompanyUserIn(InSchema):
    email: Email
    name: PersonName
    role: Role = "buyer"
    spending_limit: Amount | None = Field(None, description="null = no limit")


class CompanyUserPatch(PatchIn):
    nullable: ClassVar[frozenset[str]] = frozenset({"spending_limit"})

    name: PersonName | None = None
    role: Role | None = None
    is_active: bool | None = None
    spending_limit: Amount | None = Field(None, description="null = no limit")


class LocationOut(Schema):
    id: int
    company_id: int
    kind: str
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    region: str = Field(description="ISO 3166-2 subdivision where tax differs by region")
    is_active: bool


class WaitingInvitationOut(Schema):
    sent_at: datetime | None = Field(
        description="When its last mail was made; null while the first is still queued"
    )
    expires_at: datetime | None = Field(
        description="When the link of its last mail stops working (7 days after sending)"
    )


class CompanyUserOut(Schema):
    id: int
    person_id: int = Field(
        description="The person behind this membership: the id that /people/{person_id}/export "
        "and /erase take, and `actor.user_id` in /audit"
    )
    company_id: int
    email: str
    name: str
    role: str
    spending_limit: str | None = Field(description="In the company's currency; null = none")
    currency: str
    is_active: bool
    has_password: bool = Field(
        description="False until the user has accepted the invitation (set their password)"
    )
    invitation: WaitingInvitationOut | None = Field(
        description="The invitation waiting for the user to accept it; null when none waits"
    )


class CompanySummaryOut(Schema):
    id: int
    code: str
    name: str
    price_list_id: int
    price_list: str
    currency: str
    parent_id: int | None
    group_ids: list[int]
    tax_exemption: TaxExemptionOut | None = Field(
        description="Exempt from tax while the certificate is valid (on an order's date)"
    )
    is_active: bool
    created_at: datetime


class CompanyOut(CompanySummaryOut):
    locations: list[LocationOut]
    users: list[CompanyUserOut]


class CompanyPageOut(Schema):
    items: list[CompanySummaryOut]
    next_cursor: str | None


class LocationPageOut(Schema):
    items: list[LocationOut]
    next_cursor: str | None


class CompanyUserPageOut(Schema):
    items: list[CompanyUserOut]
    next_cursor: str | None


def location_out(location: Location) -> dict[str, Any]:
    return {
        "id": location.pk,
        "company_id": location.company_id,
        "kind": location.kind,
        "name": location.name,
        "line1": location.line1,
        "line2": location.line2,
        "city": location.city,
        "postal_code": location.postal_code,
        "country": location.country,
        "region": location.region,
        "is_active": location.is_active,
    }


def company_user_out(member: CompanyUser) -> dict[str, Any]:
    """The JSON body of one company user (the sign-in and the company's price list must be
    loaded)."""
    currency = member.company.price_list.currency
    limit = member.spending_limit
    return {
        "id": member.pk,
        "person_id": member.user_id,
        "company_id": member.company_id,
        "email": member.user.email,
        "name": member.user.first_name,
        "role": member.role,
        "spending_limit": None if limit is None else format_amount(limit, currency),
        "currency": currency,
        "is_active": member.is_active,
        "has_password": member.user.has_usable_password()
        and not getattr(member, "invitation_open", False),
        "invitation": _waiting_invitation(member),
    }


def _waiting_invitation(member: CompanyUser) -> dict[str, Any] | None:
    """The waiting invitation of a user read with `queries.with_invitation_state`."""
    if not getattr(member, "invitation_open", False):
        return None
    return {
        "sent_at": getattr(member, "invitation_sent_at", None),
        "expires_at": getattr(member, "invitation_expires_at", None),
    }


def company_summary_out(company: Company) -> dict[str, Any]:
    """The JSON body of a company in a list (the price list and groups must be loaded)."""
    return {
        "id": company.pk,
        "code": company.code,
        "name": company.name,
        "price_list_id": company.price_list_id,
        "price_list": company.price_list.code,
        "currency": company.price_list.currency,
        "parent_id": company.parent_id,
        "group_ids": [group.pk for group in company.groups.all()],
        "tax_exemption": tax_exemption_out(company),
        "is_active": company.is_active,
        "created_at": company.created_at.isoformat(),
    }


def tax_exemption_out(company: Company) -> dict[str, Any] | None:
    """The company's exemption certificate, or None when it has none."""
    if not company.tax_exemption_certificate:
        return None
    expires = company.tax_exemption_expires_on
    return {
        "certificate": company.tax_exemption_certificate,
        "expires_on": expires.isoformat() if expires else None,
    }


def company_out(company: Company) -> dict[str, Any]:
    """The JSON body of one company with its locations and users (all loaded)."""
    return {
        **company_summary_out(company),
        "locations": [location_out(loc) for loc in company.locations.all()],
        "users": [company_user_out(member) for member in company.users.all()],
    }


def customer_group_out(group: CustomerGroup) -> dict[str, Any]:
    return {"id": group.pk, "code": group.code, "name": group.name}


# Buyer API keys


class ApiKeyIn(InSchema):
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True), NOT_BLANK
    ]
    scopes: list[Scope] = Field(min_length=1, max_length=2)


class ApiKeyOut(Schema):
    prefix: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None


class IssuedApiKeyOut(ApiKeyOut):
    secret: str = Field(description="The key itself: shown in this answer only, never again")


class ApiKeyPageOut(Schema):
    items: list[ApiKeyOut]
    next_cursor: str | None


def api_key_out(key: ApiKey) -> dict[str, Any]:
    return {
        "prefix": key.prefix,
        "name": key.name,
        "scopes": sorted(key.scope_set),
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


# Credit lines


class CreditPatch(PatchIn):
    nullable: ClassVar[frozenset[str]] = frozenset({"credit_limit"})

    credit_limit: Amount | None = Field(None, description="null = no limit")
    terms: Terms | None = None
    terms_days: TermsDays | None = Field(None, description="0 to 365; prepaid takes 0")
    deposit_percent: int | None = Field(
        None,
        ge=0,
        le=100,
        description="Percent of each order paid before it is confirmed; 0 = none; prepaid takes 0",
    )


class ReceivablesIn(InSchema):
    unpaid_amount: Amount = Field(description="Total of unpaid invoices")
    oldest_unpaid_due_on: IsoDate | None = Field(
        None, description="Due date of the oldest unpaid invoice; null when nothing is unpaid"
    )


class GroupExposureOut(Schema):
    members: int = Field(description="Direct members of the group")
    exposure: str = Field(description="Parent and members buying in the parent's currency")
    members_in_other_currencies: int = Field(description="Members not summed into exposure")


class BuyerCreditOut(Schema):
    currency: str
    credit_limit: str | None = Field(description="null = no limit")
    terms: str
    terms_days: int
    terms_text: str
    deposit_percent: int = Field(description="Percent of each order paid before confirmation")
    exposure: str
    available: str | None = Field(description="Limit less exposure; null without a limit")
    status: str = Field(description="ok, near_limit, overdue, blocked or prepaid")


class CreditOut(BuyerCreditOut):
    order_exposure: str = Field(description="Open orders not yet invoiced")
    invoice_exposure: str = Field(description="Unpaid invoices")
    oldest_unpaid_due_on: date | None
    days_overdue: int
    group_exposure: GroupExposureOut | None = Field(
        description="The company's group (it and its members); null when it has no members"
    )


def _amount(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else format_amount(amount, currency)


def buyer_credit_out(summary: CreditSummary) -> dict[str, Any]:
    """What a buyer may see of their own company's credit."""
    currency = summary.currency
    return {
        "currency": currency,
        "credit_limit": _amount(summary.credit_limit, currency),
        "terms": summary.terms,
        "terms_days": summary.terms_days,
        "terms_text": summary.terms_text,
        "deposit_percent": summary.deposit_percent,
        "exposure": format_amount(summary.exposure, currency),
        "available": _amount(summary.available, currency),
        "status": summary.status,
    }


def credit_out(summary: CreditSummary) -> dict[str, Any]:
    currency = summary.currency
    group = summary.group
    due = summary.oldest_unpaid_due_on
    return {
        **buyer_credit_out(summary),
        "order_exposure": format_amount(summary.order_exposure, currency),
        "invoice_exposure": format_amount(summary.invoice_exposure, currency),
        "oldest_unpaid_due_on": due.isoformat() if due else None,
        "days_overdue": summary.days_overdue,
        "group_exposure": None
        if group is None
        else {
            "members": group.members,
            "exposure": format_amount(group.exposure, currency),
            "members_in_other_currencies": group.members_in_other_currencies,
        },
    }


# The buyer's own company


class CompanyRefOut(Schema):
    id: int
    code: str
    name: str


class MyCompanyOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    is_active: bool
    parent: CompanyRefOut | None = Field(description="The group (集團) the company belongs to")
    groups: list[CustomerGroupOut]
    locations: list[LocationOut]
    me: CompanyUserOut
    credit: BuyerCreditOut


def my_company_out(view: BuyerView) -> dict[str, Any]:
    company = view.company
    parent = company.parent
    return {
        "id": company.pk,
        "code": company.code,
        "name": company.name,
        "currency": company.price_list.currency,
        "is_active": company.is_active,
        "parent": None
        if parent is None
        else {"id": parent.pk, "code": parent.code, "name": parent.name},
        "groups": [customer_group_out(g) for g in company.groups.all()],
        "locations": [location_out(loc) for loc in company.locations.all()],
        "me": company_user_out(view.me),
        "credit": buyer_credit_out(view.credit),
    }
