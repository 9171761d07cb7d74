"""Reads for mails: who is concerned by an order or a quote, what the mail tells of it, and
what each person chose (each a fixed number of queries for a whole batch of events)."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model

from dinghuo.billing.services import languages_of
from dinghuo.buying.models import Quote
from dinghuo.core.permissions import PERMISSIONS
from dinghuo.customers.models import ACTIVE_MEMBERSHIP, CompanyUser
from dinghuo.notifications.models import MailPreference
from dinghuo.orders.models import Order

BUYER_APPROVER_ROLES = (CompanyUser.Role.APPROVER, CompanyUser.Role.ADMIN)


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str


@dataclass(frozen=True)
class OrderFacts:
    id: int
    number: str
    company_id: int
    company: str
    total: Decimal
    currency: str
    placed_by: Person | None


@dataclass(frozen=True)
class QuoteFacts:
    id: int
    number: str
    company_id: int
    requested_by: Person | None
    company: str = ""


def _person(user_id: int | None, email: str | None, first: str, last: str) -> Person | None:
    if user_id is None or not email:
        return None
    return Person(user_id, email, f"{first} {last}".strip() or email.split("@")[0])


def orders(tenant_id: int, order_ids: set[int]) -> dict[int, OrderFacts]:
    """What mails say of these orders, with the buyer who placed each (one query)."""
    rows = Order.objects.filter(tenant_id=tenant_id, pk__in=order_ids).values_list(
        "pk",
        "company_id",
        "company__name",
        "total",
        "currency",
        "placed_by__user_id",
        "placed_by__user__email",
        "placed_by__user__first_name",
        "placed_by__user__last_name",
        "placed_by__user__is_active",
        "placed_by__is_active",
    )
    found = {}
    for pk, company_id, company, total, currency, uid, email, first, last, on, here in rows:
        buyer = _person(uid, email, first or "", last or "") if on and here else None
        number = Order(pk=pk).number
        found[pk] = OrderFacts(pk, number, company_id, company, total, currency, buyer)
    return found


def quotes(tenant_id: int, quote_ids: set[int]) -> dict[int, QuoteFacts]:
    """These quotes, with the buyer who asked for each (one query)."""
    rows = Quote.objects.filter(tenant_id=tenant_id, pk__in=quote_ids).values_list(
        "pk",
        "company_id",
        "requested_by__user_id",
        "requested_by__user__email",
        "requested_by__user__first_name",
        "requested_by__user__last_name",
        "requested_by__user__is_active",
        "requested_by__is_active",
        "company__name",
    )
    found = {}
    for pk, company_id, uid, email, first, last, on, here, company in rows:
        buyer = _person(uid, email, first or "", last or "") if on and here else None
        found[pk] = QuoteFacts(pk, Quote(pk=pk).number, company_id, buyer, company)
    return found


def company_people(tenant_id: int, company_ids: set[int]) -> dict[int, dict[str, list[Person]]]:
    """Each company's active users with an address, by role (one query): whom to tell when
    nobody placed the order (admins) and who approves (approvers and admins)."""
    rows = (
        CompanyUser.objects.filter(
            ACTIVE_MEMBERSHIP, tenant_id=tenant_id, company_id__in=company_ids
        )
        .exclude(user__email="")
        .order_by("id")
        .values_list(
            "company_id", "role", "user_id", "user__email", "user__first_name", "user__last_name"
        )
    )
    found: dict[int, dict[str, list[Person]]] = {}
    for company_id, role, uid, email, first, last in rows:
        person = _person(uid, email, first, last)
        if person is not None:
            found.setdefault(company_id, {}).setdefault(role, []).append(person)
    return found


_ORDER_READERS = sorted(role.value for role in PERMISSIONS["orders.view"].roles)


def staff(tenant_id: int) -> list[Person]:
    """The tenant's active back-office staff with an address whose role may see orders (a
    warehouse clerk sees no prices, so gets no order mails); one query. The back office's
    `StaffMember` is reached through the user, so no domain code imports the pages."""
    rows = (
        get_user_model()
        .objects.filter(
            staff_member__tenant_id=tenant_id,
            staff_member__is_active=True,
            staff_member__role__in=_ORDER_READERS,
            is_active=True,
        )
        .exclude(email="")
        .order_by("id")
        .values_list("id", "email", "first_name", "last_name")
    )
    return [p for p in (_person(*row) for row in rows) if p is not None]


def is_staff_of(tenant_id: int, user_id: int) -> bool:
    return (
        get_user_model()
        .objects.filter(pk=user_id, staff_member__tenant_id=tenant_id, staff_member__is_active=True)
        .exists()
    )


@dataclass(frozen=True)
class Chosen:
    """A person's saved choices (kind → on/off) and the language of their mails."""

    choices: dict[str, bool]
    language: str


def chosen(tenant_id: int, user_ids: set[int]) -> dict[int, Chosen]:
    """Each person's choices and language (one query for the preferences; one more reading
    the live sessions of those who never chose a language for their mails)."""
    saved = {
        uid: (choices, language)
        for uid, choices, language in MailPreference.objects.filter(
            tenant_id=tenant_id, user_id__in=user_ids
        ).values_list("user_id", "choices", "language")
    }
    unset = {uid for uid in user_ids if not saved.get(uid, ({}, ""))[1]}
    from_pages = languages_of(unset) if unset else {}
    default = settings.LANGUAGE_CODE
    return {
        uid: Chosen(
            dict(saved.get(uid, ({}, ""))[0]),
            saved.get(uid, ({}, ""))[1] or from_pages.get(uid, default),
        )
        for uid in user_ids
    }


def preference(tenant_id: int, user_id: int) -> MailPreference | None:
    return MailPreference.objects.filter(tenant_id=tenant_id, user_id=user_id).first()


def _buying_tenants(user_id: int) -> list[int]:
    return list(
        CompanyUser.objects.filter(ACTIVE_MEMBERSHIP, user_id=user_id, company__is_active=True)
        .order_by("pk")
        .values_list("tenant_id", flat=True)
    )


def _staff_tenants(user_id: int) -> list[int]:
    return list(
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, staff_member__is_active=True)
        .order_by("staff_member__pk")
        .values_list("staff_member__tenant_id", flat=True)
    )


def sign_in_tenants(user_id: int, door: str) -> list[int]:
    """The tenants (sellers) a person may sign in to through `door` ("portal": an active
    membership of an active company; "backoffice": active staff), in the order they joined;
    through the other door when none (one or two queries). Whose brand a reset mail wears."""
    if door == "backoffice":
        return _staff_tenants(user_id) or _buying_tenants(user_id)
    return _buying_tenants(user_id) or _staff_tenants(user_id)
