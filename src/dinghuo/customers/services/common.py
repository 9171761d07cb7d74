"""What several customer services share: refusals naming a field, amounts in the company's
currency, the company row locked, and an event on the company's history."""

from decimal import Decimal
from typing import Any

from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.core.money import format_amount, minor_units, round_money
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers.models import Company
from dinghuo.integrations import events
from dinghuo.integrations.models import Event


def refuse(field: str, code: str, message: str) -> ValidationFailed:
    """A 422 about one field, its code the field's."""
    return ValidationFailed(message, code=code, errors=[FieldError(field, code, message)])


def refuse_all(errors: list[FieldError], detail: str) -> None:
    """Raise 422 naming every problem; its code is the first problem's, so that a client
    that looks only at `code` still learns what is wrong."""
    if errors:
        raise ValidationFailed(detail, code=errors[0].code, errors=errors)


def amount_errors(field: str, amount: Decimal, currency: str, negative: str) -> list[FieldError]:
    """A limit or balance in the company's currency: not negative, no finer than its cents."""
    if amount < 0:
        return [FieldError(field, negative, f"{field} cannot be negative")]
    if round_money(amount, currency) != amount:
        places = minor_units(currency)
        return [
            FieldError(field, "too_many_decimals", f"{currency} amounts have {places} decimals")
        ]
    return []


def money(amount: Decimal | None, currency: str) -> str | None:
    """An amount as an event's payload writes it (None stays None)."""
    return None if amount is None else format_amount(amount, currency)


def locked_company(tenant_id: int, company_id: int) -> Company:
    """The tenant's company, locked, with its price list (not locked); else not found."""
    # Only the company row is locked, not its price list (see locked_tenant_row).
    return locked_tenant_row(
        Company.objects.select_related("price_list"),
        tenant_id,
        company_id,
        f"No company {company_id}.",
    )


def company_event(company: Company, type: str, payload: dict[str, Any]) -> Event:
    """An event on the company's history (aggregate "company"), for `events.record`."""
    return events.new(company.tenant_id, type, "company", company.pk, payload)
